"""The contract between a reader and the rest of rekap.

A reader turns one input (a file, or stdin's bytes) into a DuckDB table holding the input's own
columns (text, or native numbers for Parquet) plus `_row`, the spreadsheet row number of each
record (header row = 1 for a simple CSV; the real sheet row for Excel; the line number for JSONL).
Mapping those headers onto canonical names happens afterwards, in one place (`rekap.io.columns`).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

GLOB_CHARACTERS = "*?[{"


def scan_file(path: Path, sha256: bool = True) -> tuple[str, int]:
    """One pass over a file: its SHA-256 (hex; "" when not asked for) and its number of lines (a last
    line without a line end counts too). The CSV reader compares the lines with the records DuckDB
    read, so the input's hash and its line count come from the same read."""
    import hashlib

    h = hashlib.sha256() if sha256 else None
    n, last = 0, b""
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 22):
            if h is not None:
                h.update(chunk)
            n += chunk.count(b"\n")
            last = chunk[-1:]
    return (h.hexdigest() if h is not None else ""), n + (1 if last and last != b"\n" else 0)


def literal_path(path: Path, tmpdir: str | None = None) -> Path:
    """A path DuckDB reads as itself. DuckDB's readers take a path as a glob pattern, so `t*.csv`
    would read every matching file and `br[1].csv` the file `br1.csv`; such a path is handed over
    as a link (or, where links are not allowed, a copy) with a plain name in the temporary folder."""
    if not any(c in str(path) for c in GLOB_CHARACTERS):
        return path
    folder = tempfile.mkdtemp(prefix="rekap-in-", dir=tmpdir)
    suffix = "".join(ch for ch in path.suffix if ch.isalnum() or ch == ".")
    link = Path(folder) / f"input{suffix}"
    try:
        os.symlink(os.path.abspath(path), link)
    except OSError:
        import shutil

        shutil.copyfile(path, link)
    return link


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

