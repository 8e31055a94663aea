"""rekap: Indonesian tiered election recapitulation toolkit."""

from __future__ import annotations

__version__ = "0.1.0"
RULESET_VERSION = "2026.1"

__all__ = ["__version__", "RULESET_VERSION"]
