"""rekap: Indonesian tiered election recapitulation toolkit.

    from rekap import Session      # the library's entry point (rekap.session)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rekap.version import RULESET_VERSION, __version__

if TYPE_CHECKING:
    from rekap.session import Session


def __getattr__(name: str) -> Any:
    # Lazy: `rekap --help` must not import DuckDB and the readers.
    if name == "Session":
        from rekap.session import Session

        return Session
    raise AttributeError(f"module 'rekap' has no attribute {name!r}")


__all__ = ["RULESET_VERSION", "Session", "__version__"]
