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

The bytes depend on the tables only (for one openpyxl, DuckDB and zlib version): fixed document times
(2000-01-01), inline strings in row order (no shared-string table), a total row order on every sheet, and
the zip rewritten with every entry dated 1980-01-01 and deflated at a fixed level (`ZIP_LEVEL`).

Speed: openpyxl (write-only mode) writes the workbook's skeleton — every sheet's title and header rows,
the small sheets, column widths, panes, filters, merges, print titles and the styles — while the rows of
the big sheets (a level in the long layout, findings, discrepancies, coverage) are built as XML by DuckDB,
set-based, and streamed into their sheet in place of a placeholder row (`_spliced`); Python never touches
one of their cells. For the national benchmark (822,607 TPS, 83,828 desa, 319,151 findings, 91,561
coverage rows: 380 MB of sheet XML, 45 MB zipped) that takes about 5 s and 0.4–0.5 GB on 2 cores,
against 3.5 minutes, a peak of 1.8 GB and 400 MB (stored) when openpyxl made a Python object per cell
(benchmarks/README.md, group `run`).
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import duckdb

from rekap.db import table_exists
from rekap.form import (
    BUNDLE_SHEETS,
    LPJ_LABELS,
    PASLON,
    PASLON_LABEL,
    SECTIONS,
    SINGLE_LABELS,
    TEXTS,
    VOTER_GROUPS,
)
from rekap.i18n import ELECTION_TITLES, SHEET_NAMES, level_name
from rekap.regions import LEVELS, PREFIX, TOP_LEVEL, parent_level, rank_sql
from rekap.report import _write_all, write_atomic
from rekap.schema import PASLON_RE, quote_ident
from rekap.version import __version__

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
ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
NUMBER_FORMAT = "#,##0"
SIGNED_FORMAT = "+#,##0;-#,##0;0"
FILL_ERROR = "FFC7CE"  # Excel's "light red fill"
FILL_WARNING = "FFEB9C"  # Excel's "light yellow fill"
FONT_PARTIAL = "808080"
EXCEL_MAX_ROWS = 1_048_576
INTEGER_TYPES = frozenset({"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
                           "UINTEGER", "UBIGINT", "UHUGEINT"})

LANGS = ("id", "en")
# The form's vocabulary (items, labels, sections, level and election names) lives in rekap.form, which
# the D.Hasil reader (rekap.io.dhasil) shares.
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
    n_units: int
    units: list[Unit]
    """The units with their values, fetched only for a sheet in the wide layout (at most `wide_max_units`
    of them, or the one nasional unit); a long sheet's rows are written by DuckDB (`_write_long`)."""
    totals: tuple[int | None, ...]
    summable: bool
    """False when the units belong to different races (several kab/kota of a bupati/wali kota election,
    several provinces of a governor election): their paslon are different people, so there is no JUMLAH."""
    area: tuple[str, str] | None
    """(level, code) of the deepest unit that contains every unit of the sheet, for the title line."""
    widths: tuple[int, ...] = ()
    """Long layout: the widest code, name and parent code (characters) and, per column, the widest
    number written with thousands separators, over the units and the JUMLAH."""


@dataclass(frozen=True)
class _Recap:
    """Where a recap table's rows are and how to select one sheet's units in SQL."""

    con: duckdb.DuckDBPyConnection
    table: str
    present: tuple[str, ...]

    @property
    def relation(self) -> str:
        return quote_ident(self.table)

    @property
    def jenis(self) -> str:
        return "jenis_pemilihan" if "jenis_pemilihan" in self.present else "NULL::VARCHAR"

    @property
    def nama(self) -> str:
        return "nama_wilayah" if "nama_wilayah" in self.present else "NULL::VARCHAR"

    def where(self, alias: str = "") -> str:
        """The units of one sheet, with the parameters $j (election type) and $l (level)."""
        jenis = f"{alias}jenis_pemilihan" if "jenis_pemilihan" in self.present else "NULL::VARCHAR"
        return f"{jenis} IS NOT DISTINCT FROM $j AND {alias}level = $l"


def write_recap_xlsx(
    con: duckdb.DuckDBPyConnection,
    table: str,
    path_or_stream: str | os.PathLike[str] | BinaryIO,
    *,
    lang: str = "id",
    title: str | None = None,
    wide_max_units: int = WIDE_MAX_UNITS,
    notes: Sequence[str] = (),
) -> None:
    """Write the recap rows of `table` as a D.Hasil-style workbook to a path (atomically: temp file, then
    rename) or to a binary stream. `title` replaces the first title line of every sheet; `notes` (what the
    recap covers: rekap.statement) are printed under every sheet."""
    data = recap_xlsx_bytes(con, table, lang=lang, title=title, wide_max_units=wide_max_units, notes=notes)
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
    notes: Sequence[str] = (),
) -> bytes:
    """The workbook `write_recap_xlsx` writes, as bytes."""
    from openpyxl import Workbook

    li = _lang_index(lang)
    wb = Workbook(write_only=True)
    styles = _Styles(wb)
    _write_recap_sheets(wb, styles, con, table, li, title, wide_max_units, set(), notes)
    return _finish(wb, styles, con, title or TEXTS["title"][li])


def _lang_index(lang: str) -> int:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    return LANGS.index(lang)


def _write_recap_sheets(
    wb: Workbook,
    styles: _Styles,
    con: duckdb.DuckDBPyConnection,
    table: str,
    li: int,
    title: str | None,
    wide_max_units: int,
    names: set[str],
    notes: Sequence[str] = (),
) -> None:
    """The D.Hasil sheets of `table`, appended to `wb`; `names` holds the sheet names taken (lower case);
    `notes` are printed under every sheet."""
    present = [str(r[0]) for r in con.execute(f"DESCRIBE {quote_ident(table)}").fetchall()]
    missing = {"level", "kode_wilayah"} - set(present)
    if missing:
        raise ValueError(f"{table} is not a recap table: no column {', '.join(sorted(missing))}")
    recap = _Recap(con, table, tuple(present))
    sections = _sections(con, table, present, li)
    columns = [c for s in sections for c in s.columns]

    sheets = list(_sheet_data(recap, columns, wide_max_units))
    several = len({s.jenis for s in sheets}) > 1
    for sheet in sheets:
        ws = wb.create_sheet(_sheet_name(sheet, li, several, names))
        wide = sheet.level == "nasional" or sheet.n_units <= wide_max_units
        # Names of the parent units a wide sheet heads its columns with, and of the area in the title.
        wanted = [sheet.area] if sheet.area else []
        parent = _parent_level(sheet.level)
        if wide and parent:
            wanted += [(parent, u.code[: PREFIX[parent]]) for u in sheet.units]
        known = _names(recap, sheet.jenis, wanted)
        heading = _title_lines(sheet, li, title, several, known)
        if wide:
            _write_wide(ws, styles, sheet, sections, heading, li, known, notes)
        else:
            _write_long(ws, styles, recap, sheet, sections, heading, li, notes)
    if not sheets:
        name = SHEET_NAMES["nasional"][LANGS[li]]
        names.add(name.lower())
        ws = wb.create_sheet(name)
        ws.append([styles.text(ws, title or TEXTS["title"][li], "title")])
        ws.append([styles.text(ws, TEXTS["empty"][li], "plain")])


def _finish(wb: Workbook, st: _Styles, con: duckdb.DuckDBPyConnection, title: str) -> bytes:
    """The workbook's bytes: openpyxl writes every part, with fixed document properties; then the zip is
    rewritten with fixed entry metadata, and the rows DuckDB builds for the big sheets are put in place of
    their placeholder rows on the way (`_Splice`)."""
    from openpyxl.writer.excel import ExcelWriter

    wb.properties.creator = f"rekap {__version__}"
    wb.properties.title = title
    wb.properties.created = wb.properties.modified = DOC_TIME
    buffer = io.BytesIO()
    # openpyxl's save() stamps `modified` with the current time; its writer used directly does not.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        ExcelWriter(wb, archive).write_data()
    # Sheets get their part names when written.
    splices = {ws.path.lstrip("/"): splice for ws, splice in st.splices}
    if not splices:
        return normalize_zip(buffer.getvalue())
    # The spliced rows are streamed in table order (see _spliced), which DuckDB keeps only with this setting.
    row = con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()
    keeps_order = bool(row and row[0])
    _create_macros(con)
    try:
        if not keeps_order:
            con.execute("SET preserve_insertion_order = true")
        return normalize_zip(buffer.getvalue(), lambda name, data: _spliced(con, data, splices[name])
                             if name in splices else None)
    finally:
        if not keeps_order:
            con.execute("SET preserve_insertion_order = false")
        _drop_macros(con)


def normalize_zip(
    data: bytes, parts: Callable[[str, bytes], Iterable[bytes] | None] | None = None
) -> bytes:
    """Rewrite an XLSX with fixed entry times and attributes and every entry deflated at ZIP_LEVEL, so that
    its bytes depend on nothing else (for one zlib). `parts(name, data)` may give an entry's new content
    as a sequence of byte strings, streamed into the entry, or None to keep it."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.create_system = 3  # else it follows the OS rekap runs on
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            # Python 3.13 renamed ZipInfo._compresslevel to compress_level (and kept an alias).
            setattr(entry, "compress_level" if hasattr(entry, "compress_level") else "_compresslevel", ZIP_LEVEL)
            content = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/") and b"\r" in content:
                # openpyxl writes a CR inside cell text as it is, and XML readers (Excel too) turn it
                # into LF; as a character reference it stays a CR. Its own markup holds no CR.
                content = content.replace(b"\r", b"&#13;")
            pieces = parts(info.filename, content) if parts else None
            if pieces is None:
                dst.writestr(entry, content)
                continue
            with dst.open(entry, "w") as stream:
                for piece in _prefetched(iter(pieces)):
                    stream.write(piece)
    return out.getvalue()


def _prefetched(pieces: Iterator[bytes], depth: int = 2) -> Iterator[bytes]:
    """`pieces`, made in a second thread up to `depth` ahead: DuckDB builds the next rows while zlib
    compresses these (both let go of the GIL). The consumer stopping early stops the producer."""
    import queue
    import threading

    handoff: queue.Queue[tuple[str, object]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(kind: str, item: object) -> bool:
        while not stop.is_set():
            try:
                handoff.put((kind, item), timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for piece in pieces:
                if not put("piece", piece):
                    break
            else:
                put("done", None)
        except BaseException as error:  # handed to the consumer, raised there
            put("error", error)
        finally:
            close = getattr(pieces, "close", None)
            if close:
                close()

    worker = threading.Thread(target=produce, name="rekap-xlsx-rows", daemon=True)
    worker.start()
    try:
        while True:
            kind, item = handoff.get()
            if kind == "done":
                return
            if kind == "error":
                assert isinstance(item, BaseException)
                raise item
            assert isinstance(item, bytes)
            yield item
    finally:
        stop.set()
        worker.join()


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
                    label = PASLON_LABEL[li].format(n=n)
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


def _sheet_data(recap: _Recap, columns: Sequence[str], wide_max_units: int) -> Iterator[SheetData]:
    """One SheetData per (election type, level), in sheet order. Counts, JUMLAH, the common area and the
    widths are computed by DuckDB; units are fetched into Python only for a sheet in the wide layout."""
    con, t = recap.con, recap.relation
    rank = rank_sql("level")
    keys = con.execute(
        f"SELECT DISTINCT {recap.jenis} AS j, level, {rank} AS r FROM {t} WHERE level IN "
        f"({', '.join(repr(lv) for lv in LEVELS)}) ORDER BY j NULLS FIRST, r"
    ).fetchall()
    values = ", ".join(quote_ident(c) for c in columns)
    sums = "".join(f", sum({quote_ident(c)})::BIGINT" for c in columns)
    code = "CAST(kode_wilayah AS VARCHAR)"
    for j, level, _ in keys:
        params = {"j": j, "l": str(level)}
        # Levels between provinsi and the sheet's own, deepest first: the area is the deepest one with a
        # single unit above every unit of the sheet.
        above = list(reversed(LEVELS[1 : LEVELS.index(str(level))]))
        area = TOP_LEVEL.get(str(j))
        probes = [f"count(DISTINCT left({code}, {PREFIX[lv]})), min(left({code}, {PREFIX[lv]}))" for lv in above]
        races = f"count(DISTINCT left({code}, {PREFIX[area]}))" if area in PREFIX else "0"
        head = con.execute(
            f"SELECT count(*), {races}{''.join(', ' + p for p in probes)}{sums} FROM {t} WHERE {recap.where()}",
            params,
        ).fetchall()[0]
        n_units, n_races = int(head[0]), int(head[1])
        found = head[2 : 2 + 2 * len(above)]
        totals = tuple(head[2 + 2 * len(above) :])
        common = next(
            ((lv, str(found[2 * i + 1])) for i, lv in enumerate(above) if found[2 * i] == 1), None
        )
        units: list[Unit] = []
        widths: tuple[int, ...] = ()
        if str(level) == "nasional" or n_units <= wide_max_units:
            rows = con.execute(
                f"SELECT {code}, {recap.nama}{', ' + values if values else ''} FROM {t} WHERE {recap.where()} "
                "ORDER BY 1, 2",
                params,
            ).fetchall()
            units = [Unit(str(r[0]), None if r[1] is None else str(r[1]), tuple(r[2:])) for r in rows]
        else:
            widths = _long_widths(recap, str(level), params, columns, totals)
        yield SheetData(j, str(level), n_units, units, totals, summable=n_races <= 1, area=common, widths=widths)


def _long_widths(
    recap: _Recap, level: str, params: Mapping[str, object], columns: Sequence[str], totals: Sequence[int | None]
) -> tuple[int, ...]:
    """Characters of the widest code, name, parent code and parent name, then of every column's widest
    number with thousands separators (the units' and the JUMLAH's) of one long sheet."""
    parent = _parent_level(level)
    p = PREFIX[parent] if parent else 0
    code = "CAST(kode_wilayah AS VARCHAR)"
    # len(f"{v:,}"): the digits, the sign, and a separator per three digits.
    digits = [f"max(length(CAST({quote_ident(c)} AS VARCHAR)) + (length(CAST(abs({quote_ident(c)}) AS VARCHAR)) - 1) // 3)"
              for c in columns]
    parent_name = "0"
    if parent and "nama_wilayah" in recap.present:
        parent_name = (
            f"(SELECT max(length(n)) FROM (SELECT min(nama_wilayah) AS n FROM {recap.relation} "
            f"WHERE {recap.jenis} IS NOT DISTINCT FROM $j AND level = '{parent}' AND nama_wilayah IS NOT NULL "
            f"AND kode_wilayah IN (SELECT left({code}, {p}) FROM {recap.relation} WHERE {recap.where()}) "
            "GROUP BY kode_wilayah))"
        )
    row = recap.con.execute(
        f"SELECT max(length({code})), max(length(CAST({recap.nama} AS VARCHAR))), "
        f"max(length(left({code}, {p}))), {parent_name}{''.join(', ' + d for d in digits)} "
        f"FROM {recap.relation} WHERE {recap.where()}",
        dict(params),
    ).fetchall()[0]
    out = [int(v or 0) for v in row[:4]]
    for n, total in zip(row[4:], totals, strict=True):
        out.append(max(int(n or 0), len(f"{total:,}") if total is not None else 0))
    return tuple(out)


def _names(recap: _Recap, jenis: str | None, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Names of the given (level, code) units of one election type, for parent headings and the title."""
    wanted = sorted(set(keys))
    if "nama_wilayah" not in recap.present or not wanted:
        return {}
    rows = recap.con.execute(
        f"""SELECT level, kode_wilayah, min(nama_wilayah) FROM {recap.relation}
            JOIN (SELECT unnest($lv) AS k_level, unnest($code) AS k_code) ON k_level = level AND k_code = kode_wilayah
            WHERE {recap.jenis} IS NOT DISTINCT FROM $j AND nama_wilayah IS NOT NULL GROUP BY ALL ORDER BY ALL""",
        {"j": jenis, "lv": [lv for lv, _ in wanted], "code": [c for _, c in wanted]},
    ).fetchall()
    return {(str(lv), str(code)): str(name) for lv, code, name in rows}


def _parent_level(level: str) -> str | None:
    """The level whose units head a sheet's columns: none above provinsi (nasional is one unit)."""
    parent = parent_level(level)
    return parent if parent != "nasional" else None


def _unit_title(level: str, code: str, name: str | None, li: int) -> str:
    """'PROVINSI JAWA TIMUR (35)', 'KOTA SURABAYA (3578)': how the form names the area it covers."""
    name = name or ""
    if level == "kabkota":
        kind = "KOTA" if code[2:4] >= "71" else "KABUPATEN"
        if li == 1:
            kind = "CITY" if kind == "KOTA" else "REGENCY"
        prefix = "" if re.match(r"(KOTA|KAB\.?|KABUPATEN)\s", name.upper()) else kind + " "
    else:
        prefix = level_name(level, LANGS[li]).upper() + " "
    return f"{prefix}{name} ({code})" if name else f"{prefix}({code})"


def _title_lines(sheet: SheetData, li: int, title: str | None, several: bool, names: dict[tuple[str, str], str]) -> list[str]:
    election = ELECTION_TITLES.get(sheet.jenis or "", {}).get(LANGS[li]) or (sheet.jenis or "").upper()
    if title:
        first = f"{title} — {election}" if several and election else title
    else:
        separator = " " if li == 0 else " — "
        first = TEXTS["title"][li] + (separator + election if election else "")
    level = TEXTS["level"][li].format(level=level_name(sheet.level, LANGS[li]).upper())
    # The area the sheet covers: the deepest unit that contains every unit of the sheet.
    if sheet.area:
        lv, code = sheet.area
        level += " — " + _unit_title(lv, code, names.get((lv, code)), li)
    return [first, level]


def _sheet_name(sheet: SheetData, li: int, several: bool, taken: set[str]) -> str:
    name = SHEET_NAMES[sheet.level][LANGS[li]]
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

    def __init__(self, wb: Workbook, *, tables: bool = False, records: bool = False) -> None:
        """`tables` adds the styles of the bundle's list sheets (summary, findings, discrepancies); the
        recap-only workbook leaves them out, so that its bytes stay what they were. `records` (with
        `tables`) adds the number style of the one-sheet record workbook (`write_list_xlsx`)."""
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
        if tables:
            plain_left = Alignment(horizontal="left", vertical="top")
            wrap_left = Alignment(horizontal="left", vertical="top", wrap_text=True)
            tones: dict[str, dict[str, Any]] = {
                "": {},
                "error": {"fill": PatternFill("solid", fgColor=FILL_ERROR)},
                "warning": {"fill": PatternFill("solid", fgColor=FILL_WARNING)},
                "partial": {"font": Font(italic=True, color=FONT_PARTIAL)},
            }
            for tone, extra in tones.items():
                suffix = f"_{tone}" if tone else ""
                specs[f"t_text{suffix}"] = {"border": box, "alignment": plain_left, **extra}
                specs[f"t_wrap{suffix}"] = {"border": box, "alignment": wrap_left, **extra}
                specs[f"t_code{suffix}"] = {"border": box, "alignment": plain_left, "number_format": "@", **extra}
                specs[f"t_num{suffix}"] = {"border": box, "number_format": NUMBER_FORMAT, **extra}
                specs[f"t_signed{suffix}"] = {"border": box, "number_format": SIGNED_FORMAT, **extra}
            specs["t_head"] = {"font": bold, "fill": grey, "border": box,
                               "alignment": Alignment(horizontal="center", vertical="center", wrap_text=True)}
            specs["t_key"] = {"font": bold, "alignment": plain_left}
            specs["t_pct"] = {"border": box, "number_format": "0.0"}
            if records:
                # General: a number shows as the CSV writes it (98.96, not 99.0; 1234, not 1,234).
                specs["t_general"] = {"border": box}
        ws = wb.create_sheet("rekap-styles")  # a scratch sheet to build the styles on, removed below
        self._arrays: dict[tuple[str, bool], Any] = {}
        self.ids: dict[tuple[str, bool], int] = {}
        """The index of every style in the workbook's cell formats (`s="N"` of a cell), for the rows DuckDB
        writes; registered here, in a fixed order, so that the indexes do not depend on the cells."""
        for key, spec in specs.items():
            for quote in (False, True):
                cell = Cell(ws)
                for attr, value in spec.items():
                    setattr(cell, attr, value)
                if quote:
                    cell.quotePrefix = True
                self._arrays[(key, quote)] = cell._style
                self.ids[(key, quote)] = cell.style_id
        wb.remove(ws)
        self.splices: list[tuple[WriteOnlyWorksheet, _Splice]] = []
        """The rows DuckDB writes, by sheet (see `splice`)."""

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

    def value(self, ws: WriteOnlyWorksheet, value: object, key: str) -> Cell:
        """A number cell for an int or float (bools are text), a text cell for anything else."""
        if value is None:
            return self._cell(ws, key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return self.text(ws, str(value), key)
        cell = self._cell(ws, key)
        cell.value = value
        return cell

    def blank(self, ws: WriteOnlyWorksheet, key: str) -> Cell:
        return self._cell(ws, key)

    # The same cells as SQL expressions giving their XML (see `_rows_sql`): `letter` is the column, `value`
    # an SQL expression, `key` a style or an SQL expression choosing one by the row's tone (`toned`).

    def sql_text(self, letter: str, value: str, key: str | Mapping[str, str]) -> str:
        """A text cell, as `text` writes it: empty for NULL or '', else an inline string that stays text
        (quote prefix when it starts like a formula), XML-escaped, illegal characters replaced."""
        plain, quoted = self._sql_ids(key)
        return f"rk_xml_text(concat('{letter}', rk_r), {value}, {plain}, {quoted})"

    def sql_number(self, letter: str, value: str, key: str | Mapping[str, str]) -> str:
        """A number cell (an integer or a finite float), empty for NULL."""
        plain, _ = self._sql_ids(key)
        return f"rk_xml_num(concat('{letter}', rk_r), {value}, {plain})"

    def sql_bool(self, letter: str, value: str, key: str) -> str:
        """A boolean cell (TRUE / FALSE in Excel), empty for NULL."""
        plain, _ = self._sql_ids(key)
        return f"rk_xml_bool(concat('{letter}', rk_r), {value}, {plain})"

    def toned(self, key: str, tones: Sequence[str]) -> dict[str, str]:
        """`key` in each tone ('' plain, 'error', 'warning', 'partial')."""
        return {tone: f"{key}_{tone}" if tone else key for tone in tones}

    def _sql_ids(self, key: str | Mapping[str, str]) -> tuple[str, str]:
        if isinstance(key, str):
            return f"'{self.ids[(key, False)]}'", f"'{self.ids[(key, True)]}'"
        out = []
        for quote in (False, True):
            whens = " ".join(f"WHEN {_sql_str(tone)} THEN '{self.ids[(k, quote)]}'" for tone, k in key.items() if tone)
            out.append(f"CASE rk_tone {whens} ELSE '{self.ids[(key[''], quote)]}' END" if whens else f"'{self.ids[(key[''], quote)]}'")
        return out[0], out[1]

    def splice(
        self, ws: WriteOnlyWorksheet, row: int, n_rows: int, rows: str, order: str, cells: Sequence[str],
        params: Mapping[str, object] | None = None,
    ) -> None:
        """Leave row `row` of `ws` empty as a placeholder for the first `n_rows` rows of the query `rows` in
        `order` (see `_Splice`), written by DuckDB when the workbook is finished; the rows appended after
        the placeholder move down by `n_rows - 1`."""
        ws.append([])
        self.splices.append((ws, _Splice(row, n_rows, rows, order, tuple(cells), dict(params or {}))))


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


def _notes(ws: WriteOnlyWorksheet, st: _Styles, sheet: SheetData, li: int, notes: Sequence[str] = ()) -> None:
    ws.append([])
    if not sheet.summable:
        area = level_name(TOP_LEVEL[str(sheet.jenis)], LANGS[li]).lower()
        ws.append([st.text(ws, TEXTS["no_total"][li].format(area=area), "note")])
    ws.append([st.text(ws, TEXTS["note"][li].format(version=__version__), "note")])
    for note in notes:
        ws.append([st.text(ws, note, "note")])


# --- the form's layout: items down, units across --------------------------------------------------------


def _write_wide(
    ws: WriteOnlyWorksheet,
    st: _Styles,
    sheet: SheetData,
    sections: list[Section],
    heading: list[str],
    li: int,
    names: dict[tuple[str, str], str],
    notes: Sequence[str] = (),
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
        cells = [st.text(ws, level_name(parent or "", LANGS[li]), "head"), st.blank(ws, "head"), st.blank(ws, "head")]
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
    _notes(ws, st, sheet, li, notes)


# --- the long layout: one row per unit --------------------------------------------------------------------


def _write_long(
    ws: WriteOnlyWorksheet,
    st: _Styles,
    recap: _Recap,
    sheet: SheetData,
    sections: list[Section],
    heading: list[str],
    li: int,
    notes: Sequence[str] = (),
) -> None:
    """One row per unit: the title, the header rows and the JUMLAH by openpyxl, the units' rows by DuckDB."""
    from openpyxl.utils import get_column_letter

    lang = LANGS[li]
    parent = _parent_level(sheet.level)
    id_headers = [TEXTS["code"][li], level_name(sheet.level, lang)]
    if parent:
        id_headers += [f"{TEXTS['code'][li]} {level_name(parent, lang)}", level_name(parent, lang)]
    n_id = len(id_headers)
    columns = [c for s in sections for c in s.columns]
    last_col = n_id + len(columns)
    code_len, name_len, parent_code_len, parent_name_len, *number_lens = sheet.widths

    def text_width(longest: int, floor: int, cap: int) -> float:
        return min(cap, max(floor, longest + 2))

    ws.column_dimensions["A"].width = text_width(code_len, 8, 16)
    ws.column_dimensions["B"].width = text_width(name_len, 14, 36)
    if parent:
        ws.column_dimensions["C"].width = text_width(parent_code_len, 8, 16)
        ws.column_dimensions["D"].width = text_width(parent_name_len, 14, 30)
    for i, n in enumerate(number_lens):
        ws.column_dimensions[get_column_letter(n_id + 1 + i)].width = max(9, n + 2)

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

    # The units, by DuckDB: code, name (and the parent's code and name), then the counts.
    code = "CAST(u.kode_wilayah AS VARCHAR)"
    name = "CAST(u.nama_wilayah AS VARCHAR)" if "nama_wilayah" in recap.present else "NULL::VARCHAR"
    values = [f"u.{quote_ident(c)} AS v{i}" for i, c in enumerate(columns)]
    ids = [f"{code} AS rk_code", f"{name} AS rk_name"]
    join = ""
    if parent:
        ids += [f"left({code}, {PREFIX[parent]}) AS rk_parent"]
        if "nama_wilayah" in recap.present:
            ids += ["p.rk_parent_name"]
            join = (
                f"LEFT JOIN (SELECT kode_wilayah AS rk_key, min(nama_wilayah) AS rk_parent_name FROM {recap.relation} "
                f"WHERE {recap.jenis} IS NOT DISTINCT FROM $j AND level = '{parent}' AND nama_wilayah IS NOT NULL "
                f"GROUP BY kode_wilayah) p ON p.rk_key = left({code}, {PREFIX[parent]})"
            )
        else:
            ids += ["NULL::VARCHAR AS rk_parent_name"]
    order = ", ".join(["rk_code", "rk_name", *(f"v{i}" for i in range(len(columns)))])
    rows = f"SELECT {', '.join(ids + values)} FROM {recap.relation} u {join} WHERE {recap.where('u.')}"
    sql_cells = [st.sql_text("A", "rk_code", "code"), st.sql_text("B", "rk_name", "name")]
    if parent:
        sql_cells += [st.sql_text("C", "rk_parent", "code"), st.sql_text("D", "rk_parent_name", "name")]
    bold = [b for s in sections for e in s.entries for b in e.bold]
    sql_cells += [st.sql_number(get_column_letter(n_id + 1 + i), f"v{i}", "num_bold" if b else "num")
                  for i, b in enumerate(bold)]
    st.splice(ws, label_row + 1, sheet.n_units, rows, order, sql_cells, {"j": sheet.jenis, "l": sheet.level})

    last_unit_row = label_row + sheet.n_units
    total_row = last_unit_row + 1
    # The JUMLAH row stays outside the filter range, so that sorting and filtering leave it at the bottom.
    ws.auto_filter.ref = f"A{label_row}:{get_column_letter(last_col)}{last_unit_row}"
    if sheet.summable:
        ws.append([st.text(ws, TEXTS["total"][li], "label_bold")] + [st.blank(ws, "label_bold") for _ in range(n_id - 1)]
                  + [st.number(ws, v, True) for v in sheet.totals])
        ws.merged_cells.add(f"A{total_row}:{get_column_letter(n_id)}{total_row}")
    _notes(ws, st, sheet, li, notes)


# --- rows written by DuckDB ---------------------------------------------------------------------------
#
# The big sheets (long recap levels, findings, discrepancies, coverage) hold millions of cells. Making a
# Python object per cell took minutes at national scale, so their rows are built as XML by DuckDB in one
# set-based query per sheet and streamed into the sheet's part of the zip in place of an empty placeholder
# row that openpyxl wrote (openpyxl still writes everything else: the title and header rows, the rows
# below, column widths, panes, filters, merges, print titles, styles). The cell XML follows openpyxl's:
# `<c r="A7" s="N" t="inlineStr"><is><t>…</t></is></c>` for text, `<c r="G7" s="N"><v>123</v></c>` for a
# number, `<c r="G7" s="N"/>` for an empty cell, with the style indexes `_Styles` registered.

SPLICE_CHUNK_ROWS = 10_000
"""Rows per batch DuckDB hands over (about 7 MB of XML for the findings)."""
ZIP_LEVEL = 1
"""Deflate level of every entry. Sheet XML is so repetitive that level 1 already shrinks it ~10×: the
national findings sheet, 240 MB, to 25 MB in 1.2 s, where level 6 gives 18 MB in 3.5 s (measured once
on the benchmark machine). The bytes depend on the zlib library Python is linked with."""


@dataclass(frozen=True)
class _Splice:
    row: int
    """The placeholder row's number; the spliced rows are numbered from it."""
    n_rows: int
    rows: str
    """A SELECT giving the rows, with the columns `cells` use (and `rk_tone` when a style depends on the
    row's tone); the first `n_rows` in `order` are written."""
    order: str
    """The ORDER BY list putting the rows in sheet order; it must be total (ties only between equal rows)."""
    cells: tuple[str, ...]
    """The `_Styles.sql_*` expressions of a row's cells; they may use `rk_r`, the row's number on the sheet."""
    params: dict[str, object]


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# Text: characters XML 1.0 forbids become U+FFFD (as in `_Styles.text`); & < > " are escaped, and CR becomes
# a character reference, since a parser reads a literal CR as LF. Only values holding one of those pay for
# the replacements. The quote prefix (another style) when the value starts like a formula, as `_Styles.text`;
# xml:space="preserve" when it starts or ends with white space (RE2's \s, Unicode Zs, NEL).
_ILLEGAL_SQL = "\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x{FFFE}\\x{FFFF}"
_SPACES = (9, 10, 12, 13, 32, 133, 160, 5760, *range(8192, 8203), 8232, 8233, 8239, 8287, 12288)
_MACROS = {
    "rk_xml_escape": (
        f"(v) AS CASE WHEN regexp_matches(v, '[&<>\"\\r{_ILLEGAL_SQL}]') THEN "
        f"replace(replace(replace(replace(replace(regexp_replace(v, '[{_ILLEGAL_SQL}]', '\ufffd', 'g'), "
        "'&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '\"', '&quot;'), chr(13), '&#13;') ELSE v END"
    ),
    "rk_xml_space": f"(c) AS c IN ({', '.join(map(str, _SPACES))})",
    "rk_xml_text": (
        "(ref, v, s, q) AS CASE WHEN v IS NULL OR v = '' THEN concat('<c r=\"', ref, '\" s=\"', s, '\"/>') "
        "ELSE concat('<c r=\"', ref, '\" s=\"', "
        f"CASE WHEN ord(v) IN ({', '.join(str(ord(c)) for c in '=+-@' + chr(9) + chr(13))}) THEN q ELSE s END, "
        "'\" t=\"inlineStr\"><is><t', "
        "CASE WHEN rk_xml_space(ord(v)) OR rk_xml_space(ord(right(v, 1))) THEN ' xml:space=\"preserve\"' ELSE '' END, "
        "'>', rk_xml_escape(v), '</t></is></c>') END"
    ),
    # v: an integer, or a float that is finite (NaN and infinity have no place in a number cell).
    "rk_xml_num": (
        "(ref, v, s) AS CASE WHEN v IS NULL THEN concat('<c r=\"', ref, '\" s=\"', s, '\"/>') "
        "ELSE concat('<c r=\"', ref, '\" s=\"', s, '\"><v>', CAST(v AS VARCHAR), '</v></c>') END"
    ),
    "rk_xml_bool": (
        "(ref, v, s) AS CASE WHEN v IS NULL THEN concat('<c r=\"', ref, '\" s=\"', s, '\"/>') "
        "ELSE concat('<c r=\"', ref, '\" s=\"', s, '\" t=\"b\"><v>', CASE WHEN v THEN '1' ELSE '0' END, '</v></c>') END"
    ),
}


def _create_macros(con: duckdb.DuckDBPyConnection) -> None:
    for name, body in _MACROS.items():
        con.execute(f"CREATE OR REPLACE TEMP MACRO {name}{body}")


def _drop_macros(con: duckdb.DuckDBPyConnection) -> None:
    for name in reversed(_MACROS):
        con.execute(f"DROP MACRO IF EXISTS temp.{name}")


_ROW_REF = re.compile(rb'(<row r="|<c r="[A-Z]+)(\d+)"')


def _spliced(con: duckdb.DuckDBPyConnection, data: bytes, splice: _Splice) -> Iterator[bytes]:
    """A sheet's XML with its placeholder row replaced by the splice's rows, and the rows after it
    renumbered. The rows are sorted once into a temporary table (small: the values, not the XML); their
    XML is then streamed out of a scan of it, which keeps their order (DuckDB's insertion-order rule), in
    batches of SPLICE_CHUNK_ROWS rows, so that the XML of a whole sheet never sits in memory."""
    import pyarrow as pa
    import pyarrow.compute as pc

    start = data.find(b'<row r="%d"' % splice.row)
    close = data.find(b">", start)
    if start < 0 or close < 0:
        raise RuntimeError(f"row {splice.row} not found in the sheet written by openpyxl")
    if data[close - 1 : close] == b"/":
        end = close + 1
    elif data.startswith(b"</row>", close + 1):
        end = close + 1 + len(b"</row>")
    else:
        raise RuntimeError(f"row {splice.row} of the sheet written by openpyxl is not empty")
    yield data[:start]
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE rk_xlsx_rows AS {splice.rows} ORDER BY {splice.order} LIMIT {int(splice.n_rows)}",
        splice.params,
    )
    try:
        # rowid: the position in the sorted table (0, 1, ...), so the row's number on the sheet is rowid + row.
        xml = f"concat('<row r=\"', rk_r, '\">', {', '.join(splice.cells)}, '</row>')"
        rows = f"SELECT *, CAST(rowid + {splice.row} AS VARCHAR) AS rk_r FROM rk_xlsx_rows"
        written = 0
        for batch in con.sql(f"SELECT {xml} FROM ({rows})").to_arrow_reader(SPLICE_CHUNK_ROWS):
            xmls = batch.column(0)
            written += len(xmls)
            # The batch's strings joined into one, by Arrow.
            joined = pc.binary_join(pa.ListArray.from_arrays(pa.array([0, len(xmls)], pa.int32()), xmls), "")
            yield joined[0].as_buffer().to_pybytes()
    finally:
        con.execute("DROP TABLE IF EXISTS rk_xlsx_rows")
    if written != splice.n_rows:
        raise RuntimeError(f"{written} rows written in place of row {splice.row}, {splice.n_rows} expected")
    tail = data[end:]
    stop = tail.find(b"</sheetData>")
    shift = splice.n_rows - 1
    rows_after = tail[:stop]
    if shift:
        rows_after = _ROW_REF.sub(lambda m: m.group(1) + b"%d" % (int(m.group(2)) + shift) + b'"', rows_after)
    yield rows_after + tail[stop:]


# --- the bundle's workbook: summary, D.Hasil sheets, findings, discrepancies, coverage --------------------

BUNDLE_TEXTS = {
    **BUNDLE_SHEETS,
    "summary_title": ("RINGKASAN PEMERIKSAAN DAN REKAPITULASI", "SUMMARY OF CHECKS AND RECAPITULATION"),
    "findings_title": ("TEMUAN PEMERIKSAAN", "FINDINGS OF THE CHECKS"),
    "discrepancies_title": ("SELISIH REKAP DILAPORKAN DAN HASIL PENJUMLAHAN",
                            "DISCREPANCIES BETWEEN REPORTED RECAPS AND THE SUMS"),
    "coverage_title": ("CAKUPAN TPS", "TPS COVERAGE"),
    "version": ("Versi rekap", "rekap version"),
    "ruleset": ("Versi aturan", "Rule set version"),
    "inputs": ("Berkas masukan", "Input files"),
    "kind": ("Jenis", "Kind"),
    "file": ("Berkas", "File"),
    "format": ("Format", "Format"),
    "rows": ("Baris", "Rows"),
    "kind_tps": ("Data TPS", "TPS data"),
    "kind_reported": ("Rekap dilaporkan", "Reported recap"),
    "kind_master": ("Daftar wilayah", "Region list"),
    "skipped_sheets": ("Lembar tidak dibaca", "Sheets not read"),
    "reason": ("Alasan", "Reason"),
    "accounting": ("Penghitungan baris", "Row accounting"),
    "by_severity": ("Temuan per tingkat", "Findings by severity"),
    "by_rule": ("Temuan per aturan", "Findings by rule"),
    "rule": ("Aturan", "Rule"),
    "severity": ("Tingkat", "Severity"),
    "rule_title": ("Judul aturan", "Rule title"),
    "count": ("Jumlah", "Count"),
    "total": ("Jumlah", "Total"),
    "discrepancy_count": ("Selisih rekap", "Recap discrepancies"),
    "partial_count": ("Angka tidak dibandingkan (data TPS belum lengkap)",
                      "Numbers not compared (incomplete TPS data)"),
    "covered": ("Yang dicakup", "What this covers"),
    "not_compared": ("Tidak ada rekap dilaporkan yang dibandingkan.", "No reported recap was compared."),
    "no_findings": ("Tidak ada temuan.", "No findings."),
    "legend": ("Merah: galat. Kuning: peringatan. Kode ditulis sebagai teks.",
               "Red: error. Yellow: warning. Codes are stored as text."),
    "capped": ("Hanya {shown} dari {total} baris yang muat (batas baris Excel); semuanya ada di {file}.",
               "Only {shown} of {total} rows fit (Excel's row limit); all are in {file}."),
    "yes": ("ya", "yes"),
    "no": ("tidak", "no"),
}
SEVERITY_NAMES = {"error": ("galat", "error"), "warning": ("peringatan", "warning"), "info": ("info", "info")}
ACCOUNTING_LABELS = {
    "rows_read": ("Baris dibaca", "Rows read"),
    "tps_checked": ("TPS diperiksa", "TPS checked"),
    "rows_summed": ("Baris dijumlahkan", "Rows summed"),
    "rows_rejected": ("Baris tidak dijumlahkan", "Rows not summed"),
    "rejected_exact_duplicates": ("duplikat persis", "exact duplicates"),
    "rejected_unreadable": ("tidak terbaca", "unreadable"),
    "rejected_differing_copies": ("salinan berbeda", "differing copies"),
    "rejected_unplaceable_codes": ("kode TPS tidak lengkap", "incomplete TPS codes"),
    "rows_outside_wilayah": ("Baris di luar --wilayah", "Rows outside --wilayah"),
}
# (column, Indonesian header, English header, kind); a column missing from the table is skipped.
# Kinds: code (text, '@'), text, wrap (long text), num, signed (a difference), bool, severity, level.
FINDING_COLUMNS = (
    ("rule", "Aturan", "Rule", "code"),
    ("severity", "Tingkat", "Severity", "severity"),
    ("rule_title", "Judul aturan", "Rule title", "text"),
    ("level", "Tingkat wilayah", "Level", "level"),
    ("kode_wilayah", "Kode wilayah", "Area code", "code"),
    ("field", "Kolom", "Field", "code"),
    ("expected", "Seharusnya", "Expected", "num"),
    ("actual", "Tercatat", "Actual", "num"),
    ("selisih", "Selisih", "Difference", "signed"),
    ("message", "Pesan", "Message", "wrap"),
    ("source", "Berkas", "File", "text"),
    ("row", "Baris", "Row", "num"),
)
DISCREPANCY_COLUMNS = (
    ("jenis_pemilihan", "Jenis pemilihan", "Election", "code"),
    ("level", "Tingkat wilayah", "Level", "level"),
    ("kode_wilayah", "Kode wilayah", "Area code", "code"),
    ("nama_wilayah", "Nama wilayah", "Area name", "text"),
    ("field", "Kolom", "Field", "code"),
    ("reported", "Dilaporkan", "Reported", "num"),
    ("computed", "Hasil penjumlahan", "Computed", "num"),
    ("selisih", "Selisih", "Difference", "signed"),
    ("computed_from", "Dijumlahkan dari", "Computed from", "level"),
    ("n_tps", "TPS", "TPS", "num"),
    ("n_tps_expected", "TPS diharapkan", "TPS expected", "num"),
    ("n_tps_with_data", "TPS dengan data", "TPS with data", "num"),
    ("first_level", "Tingkat pertama selisih", "First level with the difference", "level"),
    ("trace", "Jejak", "Trace", "wrap"),
    ("source", "Berkas", "File", "text"),
    ("row", "Baris", "Row", "num"),
)
COVERAGE_COLUMNS = (
    ("level", "Tingkat wilayah", "Level", "level"),
    ("kode_wilayah", "Kode wilayah", "Area code", "code"),
    ("nama_wilayah", "Nama wilayah", "Area name", "text"),
    ("n_tps_expected", "TPS diharapkan", "TPS expected", "num"),
    ("n_tps", "TPS dalam data", "TPS in the data", "num"),
    ("n_tps_missing", "TPS belum masuk", "TPS missing", "num"),
    ("n_tps_unexpected", "TPS di luar daftar", "TPS not on the list", "num"),
    ("persen", "Persen", "Percent", "pct"),
)
TEXT_CAP = {"code": 24, "text": 40, "wrap": 70, "level": 24, "severity": 14, "bool": 10}


def write_bundle_xlsx(
    con: duckdb.DuckDBPyConnection,
    path: str | os.PathLike[str] | BinaryIO,
    *,
    lang: str = "id",
    meta: Mapping[str, object],
    recap_table: str = "rk_recap",
    max_rows: int = EXCEL_MAX_ROWS,
) -> None:
    """Write the bundle's workbook for staff (`rekap.xlsx` of `rekap run`), atomically to a path or to a
    binary stream: a summary sheet (tool version, inputs with SHA-256 and rows, row accounting, findings
    per severity and per rule, number of discrepancies), the D.Hasil sheets of `recap_table` as
    `write_recap_xlsx` writes them (when the table exists), every finding (`rk_findings_out`; errors on
    light red, warnings on light yellow), the discrepancies (`rk_discrepancies`, partial ones in grey
    italic) and the coverage (`rk_coverage`), the last two when their tables exist. List sheets have a
    frozen header row and an autofilter; a list longer than `max_rows` (Excel's sheet limit) is cut with
    a note. Same guarantees as `write_recap_xlsx`: the bytes depend on the tables and `meta` only, counts
    are numbers, codes are text and no cell is a formula."""
    data = bundle_xlsx_bytes(con, lang=lang, meta=meta, recap_table=recap_table, max_rows=max_rows)
    if isinstance(path, str | os.PathLike):
        write_atomic(Path(path), data)
    else:
        _write_all(path, data)


def bundle_xlsx_bytes(
    con: duckdb.DuckDBPyConnection,
    *,
    lang: str = "id",
    meta: Mapping[str, object],
    recap_table: str = "rk_recap",
    max_rows: int = EXCEL_MAX_ROWS,
) -> bytes:
    """The workbook `write_bundle_xlsx` writes, as bytes."""
    from openpyxl import Workbook

    li = _lang_index(lang)
    wb = Workbook(write_only=True)
    st = _Styles(wb, tables=True)
    taken: set[str] = set()

    def sheet(key: str) -> WriteOnlyWorksheet:
        name = BUNDLE_TEXTS[key][li]
        taken.add(name.lower())
        return wb.create_sheet(name)

    _write_summary(sheet("summary"), st, con, li, meta)
    # The D.Hasil sheets' names never clash with the list sheets' ("Ringkasan" is not a level).
    if table_exists(con, recap_table):
        _write_recap_sheets(wb, st, con, recap_table, li, None, WIDE_MAX_UNITS, taken, _statement_notes(meta, li))
    _register_rules()
    findings_from = (
        "(SELECT f.*, r.title AS rule_title FROM rk_findings_out f LEFT JOIN rk_xlsx_rule_titles r ON r.rule = f.rule)"
    )
    _rule_titles_table(con, li)
    try:  # the findings' rows are written with the rest in _finish, which needs the rule titles
        _write_list(sheet("findings"), st, con, li, findings_from, FINDING_COLUMNS, "findings_title",
                    order="CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, rule, kode_wilayah",
                    tone="CASE severity WHEN 'error' THEN 'error' WHEN 'warning' THEN 'warning' ELSE '' END",
                    notes=[BUNDLE_TEXTS["legend"][li]], full_file="findings.csv", max_rows=max_rows)
        if table_exists(con, "rk_discrepancies"):
            _write_list(sheet("discrepancies"), st, con, li, "rk_discrepancies", DISCREPANCY_COLUMNS,
                        "discrepancies_title", order=f"jenis_pemilihan NULLS FIRST, {rank_sql(quote_ident('level'))}, kode_wilayah",
                        tone="''", notes=[], full_file="discrepancies.csv", max_rows=max_rows)
        if table_exists(con, "rk_coverage"):
            _write_list(sheet("coverage"), st, con, li, "rk_coverage", COVERAGE_COLUMNS, "coverage_title",
                        order=f"{rank_sql(quote_ident('level'))}, kode_wilayah", tone="''", notes=[],
                        full_file="coverage.csv", max_rows=max_rows)
        return _finish(wb, st, con, BUNDLE_TEXTS["summary_title"][li])
    finally:
        con.execute("DROP TABLE IF EXISTS rk_xlsx_rule_titles")


def _statement_notes(meta: Mapping[str, object], li: int) -> list[str]:
    """What the bundle covers (rekap.statement), for the notes under every D.Hasil sheet."""
    statement = meta.get("statement")
    if not isinstance(statement, Mapping):
        return []
    from rekap.i18n import num
    from rekap.statement import lines

    return lines(dict(statement), LANGS[li], num)


def _register_rules() -> None:
    from rekap.validate.catalogue import all_rules

    all_rules()  # registers every family


def _rule_titles_table(con: duckdb.DuckDBPyConnection, li: int) -> None:
    from rekap.validate.catalogue import REGISTRY

    con.execute("CREATE OR REPLACE TEMP TABLE rk_xlsx_rule_titles (rule VARCHAR, title VARCHAR)")
    rows = [[rule_id, rule.title(LANGS[li])] for rule_id, rule in sorted(REGISTRY.items())]
    if rows:
        con.executemany("INSERT INTO rk_xlsx_rule_titles VALUES (?, ?)", rows)


def _level_label(level: str, li: int) -> str:
    if level == "tps":
        return "TPS"
    return level_name(level, LANGS[li])


def _write_summary(
    ws: WriteOnlyWorksheet, st: _Styles, con: duckdb.DuckDBPyConnection, li: int, meta: Mapping[str, object]
) -> None:
    from rekap.validate.catalogue import REGISTRY

    _register_rules()
    t = {k: v[li] for k, v in BUNDLE_TEXTS.items()}
    for letter, width in zip("ABCDE", (30, 44, 14, 70, 12), strict=True):
        ws.column_dimensions[letter].width = width
    ws.append([st.text(ws, t["summary_title"], "title")])
    ws.append([])
    ws.append([st.text(ws, t["version"], "t_key"), st.text(ws, str(meta.get("version", __version__)), "plain")])
    if meta.get("ruleset") is not None:
        ws.append([st.text(ws, t["ruleset"], "t_key"), st.text(ws, str(meta["ruleset"]), "plain")])

    def head(*labels: str) -> None:
        ws.append([st.text(ws, label, "t_head") for label in labels])

    def section(key: str) -> None:
        ws.append([])
        ws.append([st.text(ws, t[key], "subtitle")])

    statement = meta.get("statement")
    if isinstance(statement, Mapping):
        # Scope, election type and where it came from, levels left out, partial sums (rekap.statement).
        from rekap.i18n import num
        from rekap.statement import lines

        section("covered")
        for line in lines(dict(statement), LANGS[li], num):
            ws.append([st.text(ws, line, "plain")])

    # Inputs: the TPS files, the reported recaps, the region list. Names only: where they lay is not the point.
    files: list[tuple[str, Mapping[str, object]]] = []
    for kind, key in (("kind_tps", "inputs"), ("kind_reported", "reported")):
        entries = meta.get(key)
        if isinstance(entries, Sequence) and not isinstance(entries, str):
            files += [(kind, e) for e in entries if isinstance(e, Mapping)]
    master = meta.get("master")
    if isinstance(master, Mapping):
        files.append(("kind_master", master))
    if files:
        section("inputs")
        head(t["kind"], t["file"], t["format"], "SHA-256", t["rows"])
        for kind, entry in files:
            name = entry.get("name") or (Path(str(entry["path"])).name if entry.get("path") else "")
            rows = entry.get("rows")
            ws.append([st.text(ws, t[kind], "t_text"), st.text(ws, str(name), "t_text"),
                       st.text(ws, str(entry.get("format") or ""), "t_code"),
                       st.text(ws, str(entry.get("sha256") or ""), "t_code"),
                       st.value(ws, rows if isinstance(rows, int) else None, "t_num")])
    skipped = meta.get("skipped_sheets")
    if isinstance(skipped, Sequence) and not isinstance(skipped, str) and skipped:
        section("skipped_sheets")
        head(t["file"], t["reason"])
        for entry in skipped:
            if isinstance(entry, Mapping):
                ws.append([st.text(ws, str(entry.get("name") or ""), "t_text"),
                           st.text(ws, str(entry.get("message") or entry.get("reason") or ""), "t_text")])

    accounting = meta.get("accounting")
    if isinstance(accounting, Mapping) and accounting:
        section("accounting")
        for key, value in accounting.items():
            label = ACCOUNTING_LABELS.get(str(key), (str(key), str(key)))[li]
            if str(key).startswith("rejected_"):
                label = "  " + label
            ws.append([st.text(ws, label, "t_text"), st.value(ws, value if isinstance(value, int) else None, "t_num")])

    section("by_severity")
    by_sev = dict(con.execute("SELECT severity, count(*) FROM rk_findings_out GROUP BY 1").fetchall())
    head(t["severity"], t["count"])
    for sev in ("error", "warning", "info"):
        tone = f"_{sev}" if sev in ("error", "warning") else ""
        ws.append([st.text(ws, SEVERITY_NAMES[sev][li], f"t_text{tone}"),
                   st.value(ws, int(by_sev.get(sev, 0)), f"t_num{tone}")])
    others = sorted(str(s) for s in by_sev if s not in SEVERITY_NAMES)
    for sev in others:
        ws.append([st.text(ws, sev, "t_text"), st.value(ws, int(by_sev[sev]), "t_num")])
    ws.append([st.text(ws, t["total"], "label_bold"), st.value(ws, sum(int(v) for v in by_sev.values()), "num_bold")])

    section("by_rule")
    rule_rows = con.execute(
        """SELECT rule, severity, count(*) FROM rk_findings_out GROUP BY 1, 2
           ORDER BY 1, CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END"""
    ).fetchall()
    if rule_rows:
        head(t["rule"], t["rule_title"], t["severity"], "", t["count"])
        for rule_id, sev, n in rule_rows:
            tone = f"_{sev}" if sev in ("error", "warning") else ""
            rule = REGISTRY.get(str(rule_id))
            ws.append([st.text(ws, str(rule_id), f"t_code{tone}"),
                       st.text(ws, rule.title(LANGS[li]) if rule else "", f"t_text{tone}"),
                       st.text(ws, SEVERITY_NAMES.get(str(sev), (str(sev), str(sev)))[li], f"t_text{tone}"),
                       st.blank(ws, f"t_text{tone}"), st.value(ws, int(n), f"t_num{tone}")])
    else:
        ws.append([st.text(ws, t["no_findings"], "plain")])

    section("discrepancy_count")
    if table_exists(con, "rk_discrepancies"):
        n = con.execute("SELECT count(*) FROM rk_discrepancies").fetchall()[0][0]
        partial = (con.execute("SELECT count(*) FROM rk_not_compared").fetchall()[0][0]
                   if table_exists(con, "rk_not_compared") else 0)
        ws.append([st.text(ws, t["discrepancy_count"], "t_text"), st.value(ws, int(n), "t_num")])
        ws.append([st.text(ws, t["partial_count"], "t_text_partial"), st.value(ws, int(partial), "t_num_partial")])
    else:
        ws.append([st.text(ws, t["not_compared"], "plain")])


def _write_list(
    ws: WriteOnlyWorksheet,
    st: _Styles,
    con: duckdb.DuckDBPyConnection,
    li: int,
    source: str,
    spec: Sequence[tuple[str, str, str, str]],
    title_key: str,
    *,
    order: str,
    tone: str,
    notes: list[str],
    full_file: str,
    max_rows: int,
) -> None:
    """One list sheet: title, notes, a header row (frozen, with an autofilter) and one row per record of
    `source` (a table name or a parenthesised SELECT), coloured by the SQL expression `tone`."""
    from openpyxl.utils import get_column_letter

    relation = source if source.startswith("(") else quote_ident(source)
    present = {str(r[0]): str(r[1]) for r in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()}
    cols = [c for c in spec if c[0] in present]
    total = int(con.execute(f"SELECT count(*) FROM {relation}").fetchall()[0][0])
    header_row = 3
    room = max(0, max_rows - header_row)
    shown = min(total, room)
    if shown < total:
        notes = [BUNDLE_TEXTS["capped"][li].format(shown=f"{shown:,}", total=f"{total:,}", file=full_file), *notes]

    # Widths from the data (write-only sheets take them before the first row).
    if cols:
        lengths = con.execute(
            "SELECT " + ", ".join(f"max(length(CAST({quote_ident(c)} AS VARCHAR)))" for c, *_ in cols)
            + f" FROM {relation}"
        ).fetchall()[0]
    else:
        lengths = ()
    for i, ((_, head_id, head_en, kind), n) in enumerate(zip(cols, lengths, strict=True)):
        header = head_id if li == 0 else head_en
        n = int(n or 0)
        if kind in ("num", "signed"):
            width = n + (n - 1) // 3 + 3
        elif kind == "pct":
            width = 8
        elif kind == "severity":
            width = max(len(v[li]) for v in SEVERITY_NAMES.values()) + 2
        else:
            width = min(TEXT_CAP.get(kind, 40), n + 2)
        ws.column_dimensions[get_column_letter(i + 1)].width = max(width, min(len(header), 16) + 2, 6)

    ws.freeze_panes = f"A{header_row + 1}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.append([st.text(ws, BUNDLE_TEXTS[title_key][li], "title")])
    ws.append([st.text(ws, " ".join(notes), "note")] if notes else [])
    ws.append([st.text(ws, head_id if li == 0 else head_en, "t_head") for _, head_id, head_en, _ in cols])
    if cols:
        last = header_row + max(shown, 1) if shown else header_row
        ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(cols))}{last}"
    if not shown or not cols:
        return

    # A total order: the given keys, then every shown column (ties are identical rows). The rows are
    # written by DuckDB (see _rows_sql), each column as _Styles.text / value would write it.
    tones = ("", "error", "warning", "partial")
    every = ", ".join(f"{quote_ident(c)} NULLS FIRST" for c, *_ in cols)
    yes, no = _sql_str(BUNDLE_TEXTS["yes"][li]), _sql_str(BUNDLE_TEXTS["no"][li])
    values, sql_cells = [], []
    for i, (column, _, _, kind) in enumerate(cols):
        v, letter, alias = quote_ident(column), get_column_letter(i + 1), f"rk_v{i}"
        text = f"CAST({v} AS VARCHAR)"
        if kind in ("num", "signed"):
            whole = v if present[column] in INTEGER_TYPES else f"CAST(trunc({v}) AS HUGEINT)"  # as int() would
            values.append(f"{whole} AS {alias}")
            sql_cells.append(st.sql_number(letter, alias, st.toned("t_num" if kind == "num" else "t_signed", tones)))
        elif kind == "pct":
            values.append(f"CASE WHEN isfinite(CAST({v} AS DOUBLE)) THEN CAST({v} AS DOUBLE) END AS {alias}")
            sql_cells.append(st.sql_number(letter, alias, "t_pct"))
        else:
            if kind == "bool":
                values.append(f"CASE WHEN {v} IS NULL THEN NULL WHEN CAST({v} AS BOOLEAN) THEN {yes} ELSE {no} END AS {alias}")
            elif kind == "severity":
                whens = " ".join(f"WHEN {_sql_str(k)} THEN {_sql_str(names[li])}" for k, names in SEVERITY_NAMES.items())
                values.append(f"CASE {text} {whens} ELSE {text} END AS {alias}")
            elif kind == "level":
                whens = " ".join(f"WHEN {_sql_str(lv)} THEN {_sql_str(_level_label(lv, li))}"
                                 for lv in (*LEVELS, "tps"))
                values.append(f"CASE {text} {whens} ELSE {text} END AS {alias}")
            else:
                values.append(f"{text} AS {alias}")
            base = {"code": "t_code", "wrap": "t_wrap"}.get(kind, "t_text")
            sql_cells.append(st.sql_text(letter, alias, st.toned(base, tones)))
    rows = f"SELECT {tone} AS rk_tone, {', '.join(values)} FROM {relation}"
    st.splice(ws, header_row + 1, shown, rows, f"{order}, {every}", sql_cells)


# --- one list as a workbook: `-f xlsx` of validate, compare and progress ----------------------------------

LIST_SHEETS = {"rk_findings_out": "findings", "rk_discrepancies": "discrepancies", "rk_coverage": "coverage"}
"""The sheet (a BUNDLE_TEXTS key) of each record table the commands write; any other table is 'Data'."""
EXACT_INTEGER = 2**53
"""Excel holds numbers as doubles: a whole number beyond this would come back changed, so it is text."""
FLOAT_TYPES = frozenset({"FLOAT", "DOUBLE", "REAL"})


def write_list_xlsx(
    con: duckdb.DuckDBPyConnection,
    table: str,
    path_or_stream: str | os.PathLike[str] | BinaryIO,
    *,
    lang: str = "id",
) -> None:
    """Write the records of `table` (findings, discrepancies, coverage, any table) as a workbook of one
    sheet, atomically to a path or to a binary stream: row 1 the column names (those of the CSV), then
    one row per record in the table's order. Text columns are text cells (codes keep their zeros; text
    starting like a formula is an inline string with the quote prefix, never a formula), whole numbers and
    finite decimals number cells (a whole number beyond 2**53, which Excel cannot hold, and NaN or
    infinity are text), booleans TRUE/FALSE, anything else its text. `lang` names the sheet.

    The rows are built by DuckDB as XML (`_spliced`, as the bundle's lists), so 300,000 findings take
    seconds, and the bytes depend on the table only. More records than one Excel sheet holds
    (1,048,575) is a `UsageError`: cutting the list would drop records silently."""
    data = list_xlsx_bytes(con, table, lang=lang)
    if isinstance(path_or_stream, str | os.PathLike):
        write_atomic(Path(path_or_stream), data)
    else:
        _write_all(path_or_stream, data)


def list_xlsx_bytes(con: duckdb.DuckDBPyConnection, table: str, *, lang: str = "id") -> bytes:
    """The workbook `write_list_xlsx` writes, as bytes."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    from rekap.errors import UsageError

    li = _lang_index(lang)
    relation = quote_ident(table)
    columns = [(str(r[0]), str(r[1])) for r in con.execute(f"DESCRIBE {relation}").fetchall()]
    n_rows = int(con.execute(f"SELECT count(*) FROM {relation}").fetchall()[0][0])
    if n_rows > EXCEL_MAX_ROWS - 1:
        raise UsageError(
            f"{n_rows:,} records do not fit on one Excel sheet (at most {EXCEL_MAX_ROWS - 1:,})",
            hint="write them with -f csv or -f parquet",
        )
    key = LIST_SHEETS.get(table)
    wb = Workbook(write_only=True)
    st = _Styles(wb, tables=True, records=True)
    ws = wb.create_sheet(BUNDLE_TEXTS[key][li] if key else "Data")

    # Widths from the data (a write-only sheet takes them before its first row).
    if columns:
        lengths = con.execute(
            "SELECT " + ", ".join(f"max(length(CAST({quote_ident(c)} AS VARCHAR)))" for c, _ in columns)
            + f" FROM {relation}"
        ).fetchall()[0]
        for i, ((name, _), n) in enumerate(zip(columns, lengths, strict=True)):
            ws.column_dimensions[get_column_letter(i + 1)].width = min(60, max(len(name), int(n or 0)) + 2)
    ws.freeze_panes = "A2"
    ws.append([st.text(ws, name, "t_head") for name, _ in columns])
    if not columns:
        return _finish(wb, st, con, _list_title(key, li))
    last = get_column_letter(len(columns))
    ws.auto_filter.ref = f"A1:{last}{n_rows + 1}"
    if n_rows:
        # In the table's own order, as CSV and JSON list them: rowid is a table's scan order; a view
        # is copied into a table first (a plain scan keeps its order).
        ordered = table
        if not _is_table(con, table):
            ordered = "rk_xlsx_list"
            con.execute(f"CREATE OR REPLACE TEMP TABLE rk_xlsx_list AS SELECT * FROM {relation}")
        values, cells = [], []
        for i, (name, dtype) in enumerate(columns):
            v, letter, alias = quote_ident(name), get_column_letter(i + 1), f"rk_v{i}"
            base = dtype.split("(")[0]
            if base in INTEGER_TYPES:
                values += [f"{v} AS {alias}", f"CAST({v} AS VARCHAR) AS {alias}_t"]
                cells.append(f"CASE WHEN abs({alias}) >= {EXACT_INTEGER} THEN {st.sql_text(letter, alias + '_t', 't_code')} "
                             f"ELSE {st.sql_number(letter, alias, 't_general')} END")
            elif base in FLOAT_TYPES or base == "DECIMAL":
                values += [f"{v} AS {alias}", f"CAST({v} AS VARCHAR) AS {alias}_t"]
                finite = f"isfinite(CAST({alias} AS DOUBLE))"
                cells.append(f"CASE WHEN {alias} IS NOT NULL AND NOT {finite} THEN {st.sql_text(letter, alias + '_t', 't_code')} "
                             f"ELSE {st.sql_number(letter, alias, 't_general')} END")
            elif base == "BOOLEAN":
                values.append(f"{v} AS {alias}")
                cells.append(st.sql_bool(letter, alias, "t_text"))
            else:
                values.append(f"CAST({v} AS VARCHAR) AS {alias}")
                cells.append(st.sql_text(letter, alias, "t_code"))
        rows = f"SELECT rowid AS rk_ord, {', '.join(values)} FROM {quote_ident(ordered)}"
        st.splice(ws, 2, n_rows, rows, "rk_ord", cells)
    try:
        return _finish(wb, st, con, _list_title(key, li))
    finally:
        con.execute("DROP TABLE IF EXISTS temp.rk_xlsx_list")


def _list_title(key: str | None, li: int) -> str:
    return BUNDLE_TEXTS[f"{key}_title"][li] if key else "rekap"


def _is_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    rows = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = $n", {"n": name}).fetchall()
    return bool(rows[0][0])
