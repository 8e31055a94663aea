"""A recap table as a printable workbook laid out like KPU's D.Hasil forms.

`write_recap_xlsx(con, "rk_recap", path_or_stream)` writes one sheet per recap level present (and per
election type when the table holds several). Each sheet is one of two layouts:

- **wide** (the form's own): the form's items down the side, in the form's order (I. Data Pemilih,
  II. Pengguna Hak Pilih, III. Surat Suara, IV. Perolehan Suara, then the TPS counters), one column per
  unit of the level, grouped under the parent unit when there are several parents, and a JUMLAH column
  (the nasional sheet has its one column only);
- **long**, for levels with more than `WIDE_MAX_UNITS` (60) units: one row per unit, the items as
  columns, an autofilter on the header and the JUMLAH row below it. Up to sixty unit columns still
  scroll and print (landscape, the item labels repeated on every page) legibly. So the units a D.Hasil
  form lists stay in the form's layout: the kecamatan of a kab/kota (Kota Surabaya: 31), the kab/kota
  of a province (Jawa Timur: 38), the provinces (38); a province's kecamatan (Jawa Timur: 666) and
  desa (8,494) become long.

Only items whose column exists are shown (Pilkada and Pemilu files have different voter blocks); a
counter that is empty in the whole table (`n_tps_expected` without a master list) is left out. An empty
cell means "no data", never 0, as in the recap itself. The JUMLAH figures are summed by DuckDB over the
units of the sheet, with the same empty-cell rule as the recap.

Cells: counts are number cells (`#,##0`), codes and names are text cells, so `0101` and the nasional
code `00` keep their zeros. No cell is ever a formula: text is always stored as a string, and text a
spreadsheet would run as a formula when retyped (starting with = + - @ tab or CR) is also marked with
Excel's quote prefix.

The bytes depend on the table only (for one openpyxl and Python version): fixed document times
(2000-01-01), inline strings in row order (no shared-string table), and the zip rewritten with every
entry dated 1980-01-01 and stored uncompressed as `scripts/make_samples.py` does, so that they do not
depend on the zlib build either. Stored costs size: all levels of Jawa Timur (8,494 desa) take 18 MB
(2 MB deflated).

openpyxl runs in write-only mode, row by row: about 20 s for Jawa Timur's 8,494 desa, 70 s for the
60,725 desa of the real Pilpres 2024 file. One sheet's rows and the finished file are held in memory.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import duckdb

from rekap import __version__
from rekap.aggregate.rollup import LEVELS_UP, PREFIX, TOP_LEVEL
from rekap.report import _write_all, write_atomic
from rekap.schema import PASLON_RE, quote_ident

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

WIDE_MAX_UNITS = 60
"""Levels with more units than this are written in the long layout (one row per unit)."""
DOC_TIME = datetime(2000, 1, 1)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
FORMULA_START = re.compile(r"^[=+\-@\t\r]")
# openpyxl refuses these (XML 1.0 forbids them); they can only come from a damaged input name.
ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
NUMBER_FORMAT = "#,##0"

LANGS = ("id", "en")
SHEET_NAMES = {
    "id": {"nasional": "Nasional", "provinsi": "Provinsi", "kabkota": "Kabupaten-Kota",
           "kecamatan": "Kecamatan", "desa": "Desa-Kelurahan"},
    "en": {"nasional": "National", "provinsi": "Province", "kabkota": "Regency-City",
           "kecamatan": "District", "desa": "Village"},
}
LEVEL_NAMES = {
    "id": {"nasional": "Nasional", "provinsi": "Provinsi", "kabkota": "Kabupaten/Kota",
           "kecamatan": "Kecamatan", "desa": "Desa/Kelurahan"},
    "en": {"nasional": "National", "provinsi": "Province", "kabkota": "Regency/City",
           "kecamatan": "District (kecamatan)", "desa": "Village (desa/kelurahan)"},
}
ELECTION_NAMES = {
    "ppwp": ("PEMILIHAN UMUM PRESIDEN DAN WAKIL PRESIDEN", "PRESIDENTIAL ELECTION"),
    "pkwkp": ("PEMILIHAN GUBERNUR DAN WAKIL GUBERNUR", "GOVERNOR ELECTION"),
    "pkwkk": ("PEMILIHAN BUPATI DAN WAKIL BUPATI / WALI KOTA DAN WAKIL WALI KOTA", "REGENT / MAYOR ELECTION"),
    "pdpr": ("PEMILIHAN UMUM ANGGOTA DPR", "DPR ELECTION"),
    "pdpd": ("PEMILIHAN UMUM ANGGOTA DPD", "DPD ELECTION"),
    "pdprdp": ("PEMILIHAN UMUM ANGGOTA DPRD PROVINSI", "PROVINCIAL DPRD ELECTION"),
    "pdprdk": ("PEMILIHAN UMUM ANGGOTA DPRD KABUPATEN/KOTA", "REGENCY/CITY DPRD ELECTION"),
}
TEXTS = {
    "title": ("REKAPITULASI HASIL PENGHITUNGAN SUARA", "RECAPITULATION OF VOTE COUNT RESULTS"),
    "level": ("TINGKAT {level}", "{level} LEVEL"),
    "no": ("No.", "No."),
    "item": ("Uraian", "Item"),
    "code": ("Kode", "Code"),
    "name": ("Nama", "Name"),
    "area": ("WILAYAH", "AREA"),
    "total": ("JUMLAH", "TOTAL"),
    "empty": ("Tidak ada baris rekap.", "No recap rows."),
    "no_total": (
        "Tanpa JUMLAH: setiap {area} memilih pasangan calonnya sendiri.",
        "No TOTAL: each {area} elects its own candidate pairs.",
    ),
    "note": (
        "Sel kosong berarti tidak ada data (bukan nol). Dibuat dengan rekap {version}.",
        "An empty cell means no data (not zero). Made with rekap {version}.",
    ),
}
LPJ_LABELS = {"l": ("L", "Male"), "p": ("P", "Female"), "j": ("Jumlah", "Total")}

# The form's blocks, in the form's order: (numeral, heading, entries). An entry is an L/P/J group
# (three rows or columns) or a single column; only the columns present in the table are shown.
VOTER_GROUPS = {
    "pemilih_dpt": ("Pemilih terdaftar dalam DPT", "Voters on the DPT"),
    "pemilih_dpph": ("Pemilih pindahan (DPPh)", "Transferred voters (DPPh)"),
    "pemilih_dptb": ("Pemilih tambahan (DPTb)", "Additional voters (DPTb)"),
    "pemilih_total": ("Jumlah pemilih", "Total voters"),
    "pemilih_disabilitas": ("Pemilih disabilitas", "Voters with a disability"),
    "pengguna_dpt": ("Pengguna hak pilih dalam DPT", "DPT voters who voted"),
    "pengguna_dpph": ("Pengguna hak pilih pindahan (DPPh)", "DPPh voters who voted"),
    "pengguna_dptb": ("Pengguna hak pilih tambahan (DPTb)", "DPTb voters who voted"),
    "pengguna_non_dpt": ("Pengguna hak pilih khusus (DPK)", "DPK voters who voted"),
    "pengguna_total": ("Jumlah pengguna hak pilih", "Total voters who voted"),
    "pengguna_disabilitas": ("Pengguna hak pilih disabilitas", "Voters with a disability who voted"),
}
SINGLE_LABELS = {
    "ss_diterima": ("Surat suara diterima (termasuk cadangan)", "Ballots received (incl. reserve)"),
    "ss_digunakan": ("Surat suara digunakan", "Ballots used"),
    "ss_rusak": ("Surat suara rusak/keliru coblos", "Ballots damaged or spoiled"),
    "ss_sisa": ("Surat suara tidak digunakan (sisa)", "Ballots not used"),
    "suara_sah": ("Suara Sah", "Valid votes"),
    "suara_tidak_sah": ("Suara Tidak Sah", "Invalid votes"),
    "suara_total": ("Jumlah Suara Sah dan Tidak Sah", "Total valid and invalid votes"),
    "n_tps": ("Jumlah TPS", "Number of TPS"),
    "n_tps_expected": ("TPS diharapkan", "TPS expected"),
    "n_tps_suara": ("TPS dengan data suara", "TPS with vote data"),
    "n_tps_administrasi": ("TPS dengan data pemilih", "TPS with voter data"),
    "n_tps_error": ("TPS dengan galat", "TPS with errors"),
}
PASLON = "paslon"
"""Placeholder in SECTIONS for every suara_paslon_N column present, by nomor urut."""
SECTIONS: tuple[tuple[str, tuple[str, str], tuple[str, ...]], ...] = (
    ("I", ("DATA PEMILIH", "VOTERS"),
     ("pemilih_dpt", "pemilih_dpph", "pemilih_dptb", "pemilih_total", "pemilih_disabilitas")),
    ("II", ("PENGGUNA HAK PILIH", "VOTERS WHO VOTED"),
     ("pengguna_dpt", "pengguna_dpph", "pengguna_dptb", "pengguna_non_dpt", "pengguna_total",
      "pengguna_disabilitas")),
    ("III", ("SURAT SUARA", "BALLOTS"), ("ss_diterima", "ss_digunakan", "ss_rusak", "ss_sisa")),
    ("IV", ("PEROLEHAN SUARA", "VOTES"), (PASLON, "suara_sah", "suara_tidak_sah", "suara_total")),
    ("", ("KELENGKAPAN TPS", "TPS COVERAGE"),
     ("n_tps", "n_tps_expected", "n_tps_suara", "n_tps_administrasi", "n_tps_error")),
)
COUNTER_COLUMNS = frozenset(SECTIONS[-1][2])
TOTAL_ENTRIES = frozenset({"pemilih_total", "pengguna_total", "suara_total"})
"""Entries printed bold, like the form's Jumlah lines (the L+P line of every group is bold too)."""


@dataclass(frozen=True)
class Entry:
    """One numbered item of the form: an L/P/J group or a single count."""

    number: int
    label: str
    columns: tuple[str, ...]
    sub_labels: tuple[str, ...]
    """'L', 'P', 'Jumlah' for a group; empty for a single count."""
    bold: tuple[bool, ...]


@dataclass(frozen=True)
class Section:
    numeral: str
    heading: str
    entries: tuple[Entry, ...]

    @property
    def columns(self) -> list[str]:
        return [c for e in self.entries for c in e.columns]


@dataclass(frozen=True)
class Unit:
    code: str
    name: str | None
    values: tuple[int | None, ...]


@dataclass(frozen=True)
class SheetData:
    jenis: str | None
    level: str
    units: list[Unit]
    totals: tuple[int | None, ...]
    summable: bool
    """False when the units belong to different races (several kab/kota of a bupati/wali kota election,
    several provinces of a governor election): their paslon are different people, so there is no JUMLAH."""


def write_recap_xlsx(
    con: duckdb.DuckDBPyConnection,
    table: str,
    path_or_stream: str | os.PathLike[str] | BinaryIO,
    *,
    lang: str = "id",
    title: str | None = None,
    wide_max_units: int = WIDE_MAX_UNITS,
) -> None:
    """Write the recap rows of `table` as a D.Hasil-style workbook to a path (atomically: temp file, then
    rename) or to a binary stream. `title` replaces the first title line of every sheet."""
    data = recap_xlsx_bytes(con, table, lang=lang, title=title, wide_max_units=wide_max_units)
    if isinstance(path_or_stream, str | os.PathLike):
        write_atomic(Path(path_or_stream), data)
    else:
        _write_all(path_or_stream, data)


def recap_xlsx_bytes(
    con: duckdb.DuckDBPyConnection,
    table: str,
    *,
    lang: str = "id",
    title: str | None = None,
    wide_max_units: int = WIDE_MAX_UNITS,
) -> bytes:
    """The workbook `write_recap_xlsx` writes, as bytes."""
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    li = LANGS.index(lang)
    present = [str(r[0]) for r in con.execute(f"DESCRIBE {quote_ident(table)}").fetchall()]
    missing = {"level", "kode_wilayah"} - set(present)
    if missing:
        raise ValueError(f"{table} is not a recap table: no column {', '.join(sorted(missing))}")
    sections = _sections(con, table, present, li)
    columns = [c for s in sections for c in s.columns]

    wb = Workbook(write_only=True)
    styles = _Styles(wb)
    sheets = list(_sheet_data(con, table, present, columns))
    several = len({s.jenis for s in sheets}) > 1
    names: set[str] = set()
    unit_names: dict[str | None, dict[tuple[str, str], str]] = {}
    for sheet in sheets:
        ws = wb.create_sheet(_sheet_name(sheet, li, several, names))
        if sheet.jenis not in unit_names:
            unit_names[sheet.jenis] = _names(con, table, present, sheet.jenis)
        known = unit_names[sheet.jenis]
        heading = _title_lines(sheet, li, title, several, known)
        if sheet.level == "nasional" or len(sheet.units) <= wide_max_units:
            _write_wide(ws, styles, sheet, sections, heading, li, known)
        else:
            _write_long(ws, styles, sheet, sections, heading, li, known)
    if not sheets:
        ws = wb.create_sheet(SHEET_NAMES[lang]["nasional"])
        ws.append([styles.text(ws, title or TEXTS["title"][li], "title")])
        ws.append([styles.text(ws, TEXTS["empty"][li], "plain")])

    wb.properties.creator = f"rekap {__version__}"
    wb.properties.title = title or TEXTS["title"][li]
    wb.properties.created = wb.properties.modified = DOC_TIME
    buffer = io.BytesIO()
    # openpyxl's save() stamps `modified` with the current time; its writer used directly does not.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        ExcelWriter(wb, archive).write_data()
    return normalize_zip(buffer.getvalue())


def normalize_zip(data: bytes) -> bytes:
    """Rewrite an XLSX with fixed entry times and stored entries, so its bytes depend on nothing else."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.create_system = 3  # else it follows the OS rekap runs on
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


# --- what goes on the sheets ------------------------------------------------------------------------


def _sections(con: duckdb.DuckDBPyConnection, table: str, present: Sequence[str], li: int) -> list[Section]:
    have = set(present)
    paslon = sorted((int(m.group(1)), c) for c in present if (m := PASLON_RE.match(c)))
    # A counter that is empty everywhere (n_tps_expected without a master list) is not worth a line.
    counters = [c for c in SECTIONS[-1][2] if c in have]
    if counters:
        filled = con.execute(
            "SELECT " + ", ".join(f"count({quote_ident(c)})" for c in counters) + f" FROM {quote_ident(table)}"
        ).fetchall()[0]
        have -= {c for c, n in zip(counters, filled, strict=True) if not n}
    out = []
    for numeral, heading, names in SECTIONS:
        entries: list[Entry] = []
        for name in names:
            number = len(entries) + 1
            if name == PASLON:
                for n, col in paslon:
                    label = f"Paslon {n:02d}" if li == 0 else f"Candidate pair {n:02d}"
                    entries.append(Entry(len(entries) + 1, label, (col,), (), (False,)))
            elif name in VOTER_GROUPS:
                cols = [(f"{name}_{s}", s) for s in ("l", "p", "j") if f"{name}_{s}" in have]
                if cols:
                    bold = tuple(s == "j" or name in TOTAL_ENTRIES for _, s in cols)
                    entries.append(Entry(number, VOTER_GROUPS[name][li], tuple(c for c, _ in cols),
                                         tuple(LPJ_LABELS[s][li] for _, s in cols), bold))
            elif name in have:
                entries.append(Entry(number, SINGLE_LABELS[name][li], (name,), (), (name in TOTAL_ENTRIES,)))
        if entries:
            out.append(Section(numeral, heading[li], tuple(entries)))
    return out


def _sheet_data(
    con: duckdb.DuckDBPyConnection, table: str, present: Sequence[str], columns: Sequence[str]
) -> Iterator[SheetData]:
    t = quote_ident(table)
    jenis = "jenis_pemilihan" if "jenis_pemilihan" in present else "NULL::VARCHAR"
    nama = "nama_wilayah" if "nama_wilayah" in present else "NULL::VARCHAR"
    rank = "CASE level " + " ".join(f"WHEN '{lv}' THEN {i}" for i, lv in enumerate(LEVELS_UP)) + " END"
    keys = con.execute(
        f"SELECT DISTINCT {jenis} AS j, level, {rank} AS r FROM {t} WHERE level IN "
        f"({', '.join(repr(lv) for lv in LEVELS_UP)}) ORDER BY j NULLS FIRST, r"
    ).fetchall()
    values = ", ".join(quote_ident(c) for c in columns)
    sums = ", ".join(f"sum({quote_ident(c)})::BIGINT" for c in columns)
    where = f"{jenis} IS NOT DISTINCT FROM $j AND level = $l"
    for j, level, _ in keys:
        params = {"j": j, "l": level}
        rows = con.execute(
            f"SELECT kode_wilayah, {nama}{', ' + values if values else ''} FROM {t} WHERE {where} "
            "ORDER BY kode_wilayah, 2",
            params,
        ).fetchall()
        totals = con.execute(f"SELECT {sums} FROM {t} WHERE {where}", params).fetchall()[0] if sums else ()
        units = [Unit(str(r[0]), None if r[1] is None else str(r[1]), tuple(r[2:])) for r in rows]
        area = TOP_LEVEL.get(str(j))
        races = {u.code[: PREFIX[area]] for u in units} if area in PREFIX else set()
        yield SheetData(j, str(level), units, tuple(totals), summable=len(races) <= 1)


def _names(con: duckdb.DuckDBPyConnection, table: str, present: Sequence[str], jenis: str | None) -> dict[tuple[str, str], str]:
    """Unit names of one election type by (level, code), for parent headings and the title line."""
    if "nama_wilayah" not in present:
        return {}
    jenis_col = "jenis_pemilihan" if "jenis_pemilihan" in present else "NULL::VARCHAR"
    rows = con.execute(
        f"SELECT level, kode_wilayah, min(nama_wilayah) FROM {quote_ident(table)} "
        f"WHERE {jenis_col} IS NOT DISTINCT FROM $j AND nama_wilayah IS NOT NULL GROUP BY ALL ORDER BY ALL",
        {"j": jenis},
    ).fetchall()
    return {(str(lv), str(code)): str(name) for lv, code, name in rows}


def _parent_level(level: str) -> str | None:
    i = LEVELS_UP.index(level)
    return LEVELS_UP[i - 1] if i > 1 else None


def _unit_title(level: str, code: str, name: str | None, li: int) -> str:
    """'PROVINSI JAWA TIMUR (35)', 'KOTA SURABAYA (3578)': how the form names the area it covers."""
    name = name or ""
    if level == "kabkota":
        kind = "KOTA" if code[2:4] >= "71" else "KABUPATEN"
        if li == 1:
            kind = "CITY" if kind == "KOTA" else "REGENCY"
        prefix = "" if re.match(r"(KOTA|KAB\.?|KABUPATEN)\s", name.upper()) else kind + " "
    else:
        prefix = LEVEL_NAMES["id" if li == 0 else "en"][level].upper() + " "
    return f"{prefix}{name} ({code})" if name else f"{prefix}({code})"


def _title_lines(sheet: SheetData, li: int, title: str | None, several: bool, names: dict[tuple[str, str], str]) -> list[str]:
    election = ELECTION_NAMES.get(sheet.jenis or "", (None, None))[li] or (sheet.jenis or "").upper()
    if title:
        first = f"{title} — {election}" if several and election else title
    else:
        separator = " " if li == 0 else " — "
        first = TEXTS["title"][li] + (separator + election if election else "")
    level = TEXTS["level"][li].format(level=LEVEL_NAMES["id" if li == 0 else "en"][sheet.level].upper())
    # The area the sheet covers: the deepest unit that contains every unit of the sheet.
    codes = [u.code for u in sheet.units]
    for lv in reversed(LEVELS_UP[1 : LEVELS_UP.index(sheet.level)]):
        prefixes = {c[: PREFIX[lv]] for c in codes}
        if len(prefixes) == 1:
            code = prefixes.pop()
            level += " — " + _unit_title(lv, code, names.get((lv, code)), li)
            break
    return [first, level]


def _sheet_name(sheet: SheetData, li: int, several: bool, taken: set[str]) -> str:
    name = SHEET_NAMES[LANGS[li]][sheet.level]
    if several:
        name += " " + re.sub(r"[\[\]:*?/\\']", "_", sheet.jenis or "-")
    name = name[:31]
    base, n = name, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


# --- cells and styles ---------------------------------------------------------------------------------


class _Styles:
    """The handful of cell styles, each built once per workbook and copied onto cells (setting fonts,
    borders and formats one attribute at a time costs too much for a sheet of thousands of desa)."""

    def __init__(self, wb: Workbook) -> None:
        from openpyxl.cell.cell import Cell
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        thin = Side(style="thin")
        box = Border(left=thin, right=thin, top=thin, bottom=thin)
        grey = PatternFill("solid", fgColor="D9D9D9")
        light = PatternFill("solid", fgColor="F2F2F2")
        bold = Font(bold=True)
        center = Alignment(horizontal="center", vertical="center", wrap_text=True)
        left = Alignment(horizontal="left", vertical="center", wrap_text=True)
        specs: dict[str, dict[str, Any]] = {
            "title": {"font": Font(bold=True, size=12)},
            "subtitle": {"font": bold},
            "plain": {},
            "note": {"font": Font(italic=True, size=9)},
            "head": {"font": bold, "fill": grey, "border": box, "alignment": center},
            "head_code": {"font": bold, "fill": grey, "border": box, "alignment": center, "number_format": "@"},
            "section": {"font": bold, "fill": light, "border": box, "alignment": left},
            "label": {"border": box, "alignment": left},
            "label_bold": {"font": bold, "border": box, "alignment": left},
            "center": {"border": box, "alignment": center},
            "code": {"border": box, "alignment": left, "number_format": "@"},
            "name": {"border": box, "alignment": Alignment(vertical="center")},
            "num": {"border": box, "number_format": NUMBER_FORMAT},
            "num_bold": {"font": bold, "border": box, "number_format": NUMBER_FORMAT},
        }
        ws = wb.create_sheet("rekap-styles")  # a scratch sheet to build the styles on, removed below
        self._arrays: dict[tuple[str, bool], Any] = {}
        for key, spec in specs.items():
            for quote in (False, True):
                cell = Cell(ws)
                for attr, value in spec.items():
                    setattr(cell, attr, value)
                if quote:
                    cell.quotePrefix = True
                self._arrays[(key, quote)] = cell._style
        wb.remove(ws)

    def _cell(self, ws: WriteOnlyWorksheet, key: str, quote: bool = False) -> Cell:
        from openpyxl.cell.cell import Cell

        return Cell(ws, row=1, column=1, style_array=self._arrays[(key, quote)])  # placed on append

    def text(self, ws: WriteOnlyWorksheet, value: str | None, key: str) -> Cell:
        """A text cell that stays text: never a formula, an error value or a number."""
        if value is None or value == "":
            return self._cell(ws, key)
        value = ILLEGAL_XML.sub("\ufffd", value)
        cell = self._cell(ws, key, quote=bool(FORMULA_START.match(value)))
        cell.value = value
        cell.data_type = "s"  # openpyxl would take '=…' for a formula and '#N/A' for an error value
        return cell

    def number(self, ws: WriteOnlyWorksheet, value: int | None, bold: bool = False) -> Cell:
        cell = self._cell(ws, "num_bold" if bold else "num")
        if value is not None:
            cell.value = int(value)
        return cell

    def blank(self, ws: WriteOnlyWorksheet, key: str) -> Cell:
        return self._cell(ws, key)


def _width(values: Sequence[int | None], floor: int = 7) -> float:
    widest = max((len(f"{v:,}") for v in values if v is not None), default=0)
    return max(floor, widest + 2)


def _setup_sheet(ws: WriteOnlyWorksheet, freeze: str, title_rows: str, title_cols: str, fit_width: bool) -> None:
    """Sheet view and print settings; a write-only sheet writes them with its first row, so call this first."""
    ws.freeze_panes = freeze
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9  # A4
    ws.print_title_rows = title_rows
    ws.print_title_cols = title_cols
    if fit_width:
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0


def _notes(ws: WriteOnlyWorksheet, st: _Styles, sheet: SheetData, li: int) -> None:
    ws.append([])
    if not sheet.summable:
        area = LEVEL_NAMES[LANGS[li]][TOP_LEVEL[str(sheet.jenis)]].lower()
        ws.append([st.text(ws, TEXTS["no_total"][li].format(area=area), "note")])
    ws.append([st.text(ws, TEXTS["note"][li].format(version=__version__), "note")])


# --- the form's layout: items down, units across --------------------------------------------------------


def _write_wide(
    ws: WriteOnlyWorksheet,
    st: _Styles,
    sheet: SheetData,
    sections: list[Section],
    heading: list[str],
    li: int,
    names: dict[tuple[str, str], str],
) -> None:
    from openpyxl.utils import get_column_letter

    columns = [c for s in sections for c in s.columns]
    units = sheet.units
    with_total = sheet.level != "nasional" and sheet.summable
    first_unit_col = 4
    last_col = first_unit_col + len(units) - (0 if with_total else 1)
    parent = _parent_level(sheet.level)
    groups: list[tuple[str, int]] = []  # (parent code, number of units under it), in column order
    if parent:
        for u in units:
            code = u.code[: PREFIX[parent]]
            if groups and groups[-1][0] == code:
                groups[-1] = (code, groups[-1][1] + 1)
            else:
                groups.append((code, 1))
    grouped = len(groups) > 1

    ws.column_dimensions["A"].width = 5
    ws.column_dimensions["B"].width = 36
    ws.column_dimensions["C"].width = 8
    for i, u in enumerate(units):
        ws.column_dimensions[get_column_letter(first_unit_col + i)].width = max(_width(u.values, 10), 12)
    if with_total:
        ws.column_dimensions[get_column_letter(last_col)].width = max(_width(sheet.totals, 10), 12)

    top = 4
    code_row = top + 1 if grouped else top
    name_row = code_row + 1
    _setup_sheet(ws, f"D{name_row + 1}", f"{top}:{name_row}", "A:C", fit_width=len(units) <= 12)
    ws.row_dimensions[name_row].height = 45
    ws.append([st.text(ws, heading[0], "title")])
    ws.append([st.text(ws, heading[1], "subtitle")])
    ws.append([])
    row = top
    if grouped:
        cells = [st.text(ws, LEVEL_NAMES[LANGS[li]][parent or ""], "head"), st.blank(ws, "head"), st.blank(ws, "head")]
        col = first_unit_col
        for code, n in groups:
            cells.append(st.text(ws, f"{code} {names.get((parent or '', code), '')}".strip(), "head"))
            cells.extend(st.blank(ws, "head") for _ in range(n - 1))
            if n > 1:
                ws.merged_cells.add(f"{get_column_letter(col)}{row}:{get_column_letter(col + n - 1)}{row}")
            col += n
        if with_total:
            cells.append(st.text(ws, TEXTS["total"][li], "head"))
        ws.append(cells)
        ws.merged_cells.add(f"A{row}:C{row}")
    ws.append(
        [st.text(ws, TEXTS["no"][li], "head"), st.text(ws, TEXTS["item"][li], "head"), st.blank(ws, "head")]
        + [st.text(ws, u.code, "head_code") for u in units]
        + ([st.blank(ws, "head") if grouped else st.text(ws, TEXTS["total"][li], "head")] if with_total else [])
    )
    ws.append(
        [st.blank(ws, "head"), st.blank(ws, "head"), st.blank(ws, "head")]
        + [st.text(ws, u.name, "head") for u in units]
        + ([st.blank(ws, "head")] if with_total else [])
    )
    ws.merged_cells.add(f"A{code_row}:A{name_row}")
    ws.merged_cells.add(f"B{code_row}:C{name_row}")
    if with_total:
        letter = get_column_letter(last_col)
        ws.merged_cells.add(f"{letter}{top}:{letter}{name_row}")
    row = name_row + 1

    index = {c: i for i, c in enumerate(columns)}
    width = last_col - 3
    for section in sections:
        ws.append([st.text(ws, section.numeral, "section"), st.text(ws, section.heading, "section")]
                  + [st.blank(ws, "section") for _ in range(width + 1)])
        ws.merged_cells.add(f"B{row}:C{row}")
        row += 1
        for entry in section.entries:
            grouped_rows = bool(entry.sub_labels)
            for k, (column, bold) in enumerate(zip(entry.columns, entry.bold, strict=True)):
                label_key = "label_bold" if bold else "label"
                first = k == 0
                cells = [
                    st.text(ws, str(entry.number), "center") if first else st.blank(ws, "center"),
                    st.text(ws, entry.label, label_key) if first else st.blank(ws, label_key),
                    st.text(ws, entry.sub_labels[k], label_key) if grouped_rows else st.blank(ws, label_key),
                ]
                i = index[column]
                cells += [st.number(ws, u.values[i], bold) for u in units]
                if with_total:
                    cells.append(st.number(ws, sheet.totals[i], True))
                ws.append(cells)
                if not grouped_rows:
                    ws.merged_cells.add(f"B{row}:C{row}")
                row += 1
            if grouped_rows and len(entry.columns) > 1:
                start = row - len(entry.columns)
                ws.merged_cells.add(f"A{start}:A{row - 1}")
                ws.merged_cells.add(f"B{start}:B{row - 1}")
    _notes(ws, st, sheet, li)


# --- the long layout: one row per unit --------------------------------------------------------------------


def _write_long(
    ws: WriteOnlyWorksheet,
    st: _Styles,
    sheet: SheetData,
    sections: list[Section],
    heading: list[str],
    li: int,
    names: dict[tuple[str, str], str],
) -> None:
    from openpyxl.utils import get_column_letter

    lang = LANGS[li]
    parent = _parent_level(sheet.level)
    id_headers = [TEXTS["code"][li], LEVEL_NAMES[lang][sheet.level]]
    if parent:
        id_headers += [f"{TEXTS['code'][li]} {LEVEL_NAMES[lang][parent]}", LEVEL_NAMES[lang][parent]]
    n_id = len(id_headers)
    columns = [c for s in sections for c in s.columns]
    last_col = n_id + len(columns)
    units = sheet.units

    def text_width(texts: Sequence[str | None], floor: int, cap: int) -> float:
        return min(cap, max(floor, max((len(t) for t in texts if t), default=0) + 2))

    ws.column_dimensions["A"].width = text_width([u.code for u in units], 8, 16)
    ws.column_dimensions["B"].width = text_width([u.name for u in units], 14, 36)
    if parent:
        parent_codes = [u.code[: PREFIX[parent]] for u in units]
        ws.column_dimensions["C"].width = text_width(parent_codes, 8, 16)
        ws.column_dimensions["D"].width = text_width([names.get((parent, c)) for c in set(parent_codes)], 14, 30)
    for i, _ in enumerate(columns):
        ws.column_dimensions[get_column_letter(n_id + 1 + i)].width = _width(
            [u.values[i] for u in units] + [sheet.totals[i]], 9
        )

    section_row, group_row, label_row = 4, 5, 6
    _setup_sheet(ws, f"C{label_row + 1}", f"{section_row}:{label_row}", "A:B", fit_width=False)
    ws.row_dimensions[group_row].height = 30
    ws.row_dimensions[label_row].height = 60
    ws.append([st.text(ws, heading[0], "title")])
    ws.append([st.text(ws, heading[1], "subtitle")])
    ws.append([])
    cells = [st.text(ws, TEXTS["area"][li], "head")] + [st.blank(ws, "head") for _ in range(n_id - 1)]
    merges = [f"A{section_row}:{get_column_letter(n_id)}{group_row}"]
    col = n_id + 1
    for section in sections:
        n = len(section.columns)
        cells.append(st.text(ws, f"{section.numeral}. {section.heading}" if section.numeral else section.heading, "head"))
        cells.extend(st.blank(ws, "head") for _ in range(n - 1))
        if n > 1:
            merges.append(f"{get_column_letter(col)}{section_row}:{get_column_letter(col + n - 1)}{section_row}")
        col += n
    ws.append(cells)
    cells = [st.blank(ws, "head") for _ in range(n_id)]
    labels = [st.text(ws, h, "head") for h in id_headers]
    col = n_id + 1
    for section in sections:
        for entry in section.entries:
            n = len(entry.columns)
            if entry.sub_labels:
                cells.append(st.text(ws, f"{entry.number}. {entry.label}", "head"))
                cells.extend(st.blank(ws, "head") for _ in range(n - 1))
                labels.extend(st.text(ws, s, "head") for s in entry.sub_labels)
                if n > 1:
                    merges.append(f"{get_column_letter(col)}{group_row}:{get_column_letter(col + n - 1)}{group_row}")
            else:
                cells.append(st.blank(ws, "head"))
                labels.append(st.text(ws, f"{entry.number}. {entry.label}", "head"))
            col += n
    ws.append(cells)
    ws.append(labels)
    for ref in merges:
        ws.merged_cells.add(ref)

    bold = [b for s in sections for e in s.entries for b in e.bold]
    for u in units:
        cells = [st.text(ws, u.code, "code"), st.text(ws, u.name, "name")]
        if parent:
            code = u.code[: PREFIX[parent]]
            cells += [st.text(ws, code, "code"), st.text(ws, names.get((parent, code)), "name")]
        cells += [st.number(ws, v, b) for v, b in zip(u.values, bold, strict=True)]
        ws.append(cells)
    last_unit_row = label_row + len(units)
    total_row = last_unit_row + 1
    # The JUMLAH row stays outside the filter range, so that sorting and filtering leave it at the bottom.
    ws.auto_filter.ref = f"A{label_row}:{get_column_letter(last_col)}{last_unit_row}"
    if sheet.summable:
        ws.append([st.text(ws, TEXTS["total"][li], "label_bold")] + [st.blank(ws, "label_bold") for _ in range(n_id - 1)]
                  + [st.number(ws, v, True) for v in sheet.totals])
        ws.merged_cells.add(f"A{total_row}:{get_column_letter(n_id)}{total_row}")
    _notes(ws, st, sheet, li)
