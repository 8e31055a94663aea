"""The data model every package shares: what was read (`Dataset`, its `Source`s, the workbook sheets
skipped) and how an input's headers were mapped. The readers (`rekap.io`) make these; the engine reads
them. Nothing here reads a file."""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from rekap.i18n import _

HEADER_SCAN_ROWS = 30
"""Rows of a sheet searched for the header. Title blocks above the header are at most ~10 rows; 30
leaves room without scanning data."""

SKIP_REASONS = ("empty", "no_header", "no_tps_code", "no_rows", "not_chosen")
"""Why a sheet of an input workbook was not read (`SkippedSheet.reason`)."""

RAW_ALL = "rk_raw_all"
"""Every row of every input, as read (`rk_raw` is this, or its rows inside `--wilayah`)."""


@dataclass
class ColumnMapping:
    mapping: dict[str, str] = field(default_factory=dict)
    """canonical name -> the input's header it comes from."""
    unmapped: list[str] = field(default_factory=list)
    """Input headers that are not canonical columns (kept out of the checks, listed for the user)."""
    renamed: list[tuple[str, str]] = field(default_factory=list)
    """(input header, canonical) pairs where the header was not already the canonical name."""


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

    def message(self, lang: str | None = None) -> str:
        """Why the sheet was not read, for people (`lang`: the output language, default the process's)."""
        if self.reason == "empty":
            return _("lembar kosong", lang)
        if self.reason == "no_header":
            return _("tidak ada baris judul kolom dalam {n} baris pertama", lang, n=HEADER_SCAN_ROWS)
        if self.reason == "no_tps_code":
            seen = ", ".join(f"'{h}'" for h in self.headers)
            return _("judul kolom tanpa kolom kode TPS ({headers})", lang, headers=seen)
        if self.reason == "no_rows":
            return _("judul kolom tanpa baris data", lang)
        return _("tidak dipilih dengan --sheet", lang)

    def record(self, lang: str | None = None) -> dict[str, str]:
        """As written in a manifest: where, which reason (stable code) and the reason in words."""
        return {"path": self.path, "name": self.name, "sheet": self.sheet, "reason": self.reason,
                "message": self.message(lang)}


@dataclass
class Source:
    index: int
    path: str
    """As given by the user ('-' for stdin)."""
    name: str
    """Shown in findings' `source` field: the file as given, and `file.xlsx [Sheet]` for a sheet of a
    workbook with more than one sheet."""
    format: str
    rows_read: int
    rows_rejected: int
    notes: list[str]
    mapping: ColumnMapping
    sha256: str
    """Of the file (the sheets of one workbook share it)."""
    sheet: str | None = None
    """The sheet read, for a workbook."""


@dataclass
class Dataset:
    con: duckdb.DuckDBPyConnection
    sources: list[Source]
    columns: list[str]
    """Canonical columns present in at least one input, canonical order."""
    rows_read: int
    rows_rejected: int
    duplicate_codes: bool = True
    """Set by the engine once it knows whether any kode_tps repeats."""
    bad_cells: bool = True
    """Set by the engine once it knows whether any count cell failed typing (S002 has rows to read)."""
    odd_codes: bool = True
    """Set by the engine once it knows whether any kept record's kode_tps is not 13 digits (the rules' pattern
    has codes to reject: S005, S006, K002)."""
    rows_outside: int = 0
    """Rows left out because their TPS lies outside `--wilayah` (set by the engine)."""
    code_range: tuple[int, str | None, str | None] | None = None
    """(count, smallest, largest) of the typed TPS codes that name a desa, from the engine's statistics scan:
    what `rekap.scope.data_root` needs, without a second scan (exact copies removed later change neither end)."""
    skipped: list[SkippedSheet] = field(default_factory=list)
    """Sheets of the input workbooks that were not read, with the reason, in input and sheet order."""
