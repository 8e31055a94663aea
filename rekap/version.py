"""The tool's version and the rule catalogue's: written into every report and manifest."""

__version__ = "0.1.0"
RULESET_VERSION = "2026.1"
