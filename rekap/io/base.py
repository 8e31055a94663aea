"""The contract between a reader and the rest of rekap.

A reader turns one input (a file, or stdin's bytes) into a DuckDB table holding the input's own
columns (text, or native numbers for Parquet) plus `_row`, the spreadsheet row number of each
record (header row = 1 for a simple CSV; the real sheet row for Excel; the line number for JSONL).
Mapping those headers onto canonical names happens afterwards, in one place (`rekap.io.columns`).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class RawTable:
    table: str
    """Name of the DuckDB table the reader created (columns = `headers` + `_row`)."""
    headers: list[str]
    """The input's own column names, in file order, excluding `_row`."""
    rows: int
    """Records read (data rows, not counting header/title rows)."""
    format: str
    """csv, xlsx, parquet, sirekap-json ..."""
    notes: list[str] = field(default_factory=list)
    """What the reader decided, for the user: 'delimiter ;', 'encoding cp1252', 'header in row 3'."""
    canonical: bool = False
    """True when `headers` are already canonical names (Sirekap JSON), so no alias mapping applies."""
