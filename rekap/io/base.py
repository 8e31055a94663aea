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


HEADER_SCAN_ROWS = 30
"""Rows of a sheet searched for the header. Title blocks above the header are at most ~10 rows; 30
leaves room without scanning data."""

SKIP_REASONS = ("empty", "no_header", "no_tps_code", "no_rows", "not_chosen")


@dataclass(frozen=True)
class SkippedSheet:
    """A sheet of an input workbook that was not read, and why: no sheet is left out unsaid."""

    path: str
    """The workbook as the user gave it."""
    file: str
    """The workbook as shown ('<stdin>' for stdin)."""
    sheet: str
    reason: str
    """One of SKIP_REASONS."""
    headers: tuple[str, ...] = ()
    """For 'no_tps_code': the first headers found, to show what the sheet holds."""

    @property
    def name(self) -> str:
        return f"{self.file} [{self.sheet}]"

    def message(self, lang: str) -> str:
        id_ = lang == "id"
        if self.reason == "empty":
            return "lembar kosong" if id_ else "empty sheet"
        if self.reason == "no_header":
            return (f"tidak ada baris judul kolom dalam {HEADER_SCAN_ROWS} baris pertama" if id_
                    else f"no header row in the first {HEADER_SCAN_ROWS} rows")
        if self.reason == "no_tps_code":
            seen = ", ".join(f"'{h}'" for h in self.headers)
            return (f"judul kolom tanpa kolom kode TPS ({seen})" if id_
                    else f"header without a TPS code column ({seen})")
        if self.reason == "no_rows":
            return "judul kolom tanpa baris data" if id_ else "a header but no data rows"
        return "tidak dipilih dengan --sheet" if id_ else "not chosen by --sheet"

    def record(self, lang: str) -> dict[str, str]:
        """As written in a manifest: where, which reason (stable code) and the reason in words."""
        return {"path": self.path, "name": self.name, "sheet": self.sheet, "reason": self.reason,
                "message": self.message(lang)}
