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

The cells, the bytes and the speed are the sheet writer's (`rekap.report.sheets`): counts are number
cells, codes and names text cells, no cell is a formula; the rows of a long sheet are written by DuckDB.
The bundle's workbook (`rekap.report.workbook`) puts these same sheets after its summary.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import duckdb

from rekap.form import (
    LPJ_LABELS,
    PASLON,
    PASLON_LABEL,
    SECTIONS,
    SINGLE_LABELS,
    TEXTS,
    VOTER_GROUPS,
    form_text,
)
from rekap.i18n import election_title, level_name, sheet_name
from rekap.regions import LEVELS, PREFIX, TOP_LEVEL, parent_level, rank_sql
from rekap.report.files import _write_all, write_atomic
from rekap.report.printing import DEFAULT_PAPER, Printing, paper_code
from rekap.report.sheets import Styles, check_lang, finish, text_lengths
from rekap.schema import PASLON_RE, quote_ident
from rekap.version import __version__

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

WIDE_MAX_UNITS = 60
"""Levels with more units than this are written in the long layout (one row per unit)."""
UNITS_PER_PAGE = 12
"""Unit columns that print readably across one landscape page (with the item columns); a level with more units,
spread over several parent units, gets a print view: one block per parent unit (`_write_print_view`)."""
PRINT_VIEW_MAX_UNITS = 500
"""Levels with more units than this get no print view: their own sheet prints, labelled on every page, across then
down. The view's cells are openpyxl's (about 45 per unit, ~30 µs each), so a bigger view would slow the workbook
down: the nation's 611 kab/kota would add ~1 s to a ~5 s national workbook (issue 16 allows 5 %)."""
PROVINCE_VIEW_MAX_UNITS = 10_000
"""A level inside one province (its desa: up to ~8,500) gets a print view up to this many units (~10 s of cells
for the largest; a province's own run, not the national one)."""
PRINT_VIEW_MAX_PARENTS = 500
"""Two page breaks per parent unit: Excel keeps at most 1,026 manual breaks in a sheet."""
SIGN_ROWS = {"nasional": 7}
"""Members signing a recap (the chair first): seven for KPU, five for every other body."""
ITEM_WIDTHS = (5.0, 42.0, 9.0)
"""Widths of the item columns of the form's layout: No., Uraian (wide enough for the longest item on one line),
L/P/Jumlah."""
ROW_PT = 15.0
SIGN_ROW_PT = 27.0
NOTE_LINE_PT = 12.0
NOTE_CHARS = 1.15
"""Characters of the notes' font (9 pt italic) to a unit of column width."""
HEADER_PT = 2 * ROW_PT + 30 + ROW_PT
"""The unit header rows (codes, names 45 pt) printed again at the top of a D.Hasil table's second page."""

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
    paper: str = DEFAULT_PAPER,
) -> None:
    """Write the recap rows of `table` as a D.Hasil-style workbook to a path (atomically: temp file, then
    rename) or to a binary stream. `title` replaces the first title line of every sheet; `notes` (what the
    recap covers: rekap.statement) are printed under every sheet; `paper` is `f4` or `a4`
    (rekap.report.printing)."""
    data = recap_xlsx_bytes(con, table, lang=lang, title=title, wide_max_units=wide_max_units, notes=notes,
                            paper=paper)
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
    paper: str = DEFAULT_PAPER,
) -> bytes:
    """The workbook `write_recap_xlsx` writes, as bytes."""
    from openpyxl import Workbook

    check_lang(lang)
    wb = Workbook(write_only=True)
    styles = Styles(wb)
    write_recap_sheets(wb, styles, con, table, lang, title, wide_max_units, set(), notes,
                       printing=Printing(paper=paper_code(paper), lang=lang))
    return finish(wb, styles, con, title or form_text(TEXTS["title"], lang))




def write_recap_sheets(
    wb: Workbook,
    styles: Styles,
    con: duckdb.DuckDBPyConnection,
    table: str,
    lang: str,
    title: str | None,
    wide_max_units: int,
    names: set[str],
    notes: Sequence[str] = (),
    *,
    printing: Printing | None = None,
) -> None:
    """The D.Hasil sheets of `table`, appended to `wb`; `names` holds the sheet names taken (lower case);
    `notes` are printed under every sheet; `printing` is how they print (rekap.report.printing). A level with
    more units than print readably across a page (`UNITS_PER_PAGE`), spread over several parent units, is
    followed by its print view (`_write_print_view`): one block per parent unit, each with its own header and
    signature block, a page each; the level's own sheet then prints its title and a pointer to the print view."""
    printing = printing or Printing(lang=lang)
    present = [str(r[0]) for r in con.execute(f"DESCRIBE {quote_ident(table)}").fetchall()]
    missing = {"level", "kode_wilayah"} - set(present)
    if missing:
        raise ValueError(f"{table} is not a recap table: no column {', '.join(sorted(missing))}")
    recap = _Recap(con, table, tuple(present))
    sections = _sections(con, table, present, lang)
    columns = [c for s in sections for c in s.columns]

    sheets = list(_sheet_data(recap, columns, wide_max_units))
    several = len({s.jenis for s in sheets}) > 1
    for sheet in sheets:
        name = _sheet_name(sheet, lang, several, names)
        ws = wb.create_sheet(name)
        wide = sheet.level == "nasional" or sheet.n_units <= wide_max_units
        # Names of the parent units a wide sheet heads its columns with, and of the area in the title.
        wanted = [sheet.area] if sheet.area else []
        parent = _parent_level(sheet.level)
        if wide and parent:
            wanted += [(parent, u.code[: PREFIX[parent]]) for u in sheet.units]
        known = _names(recap, sheet.jenis, wanted)
        heading = _title_lines(sheet, lang, title, several, known)
        view = _print_view_wanted(recap, sheet)
        pointer = None
        if view:
            view_name = _unique_name(form_text(TEXTS["print_sheet"], lang, sheet=name), names)
            pointer = form_text(TEXTS["print_pointer"], lang, sheet=view_name,
                                parent=level_name(str(parent), lang).lower())
        signer = _signer(sheet.level, sheet.area, known, lang)
        if wide:
            _write_wide(ws, styles, sheet, sections, heading, lang, known, notes, printing, signer, pointer)
        else:
            _write_long(ws, styles, recap, sheet, sections, heading, lang, notes, printing, signer, pointer)
        if view:
            _write_print_view(wb.create_sheet(view_name), styles, recap, sheet, sections, heading, lang, printing,
                              notes)
    if not sheets:
        name = sheet_name("nasional", lang)
        names.add(name.lower())
        ws = wb.create_sheet(name)
        ws.append([styles.text(ws, title or form_text(TEXTS["title"], lang), "title")])
        ws.append([styles.text(ws, form_text(TEXTS["empty"], lang), "plain")])
        printing.apply(ws, area="A1:D2")


def _print_view_wanted(recap: _Recap, sheet: SheetData) -> bool:
    """A level prints through a print view when its units do not fit a page across and lie in several parent
    units (a level under one parent, or the provinsi under the nation, prints as it is: across pages, its
    item columns repeated), and the view stays a document: at most PRINT_VIEW_MAX_UNITS units, or, for a level
    inside one province (the desa of a province), at most PROVINCE_VIEW_MAX_UNITS units in at most
    PRINT_VIEW_MAX_PARENTS parent units (two page breaks a parent; Excel keeps at most 1,026 in a sheet)."""
    parent = _parent_level(sheet.level)
    if parent is None or sheet.n_units <= UNITS_PER_PAGE:
        return False
    one_province = sheet.area is not None
    if sheet.n_units > (PROVINCE_VIEW_MAX_UNITS if one_province else PRINT_VIEW_MAX_UNITS):
        return False
    row = recap.con.execute(
        f"SELECT count(DISTINCT left(CAST(kode_wilayah AS VARCHAR), {PREFIX[parent]})) FROM {recap.relation} "
        f"WHERE {recap.where()}", {"j": sheet.jenis, "l": sheet.level}).fetchone()
    parents = int(row[0]) if row else 0
    return 1 < parents <= PRINT_VIEW_MAX_PARENTS


def _unique_name(name: str, taken: set[str]) -> str:
    """`name` as a sheet name (at most 31 characters, none of []:*?/\\) not yet in `taken` (lower case), taken."""
    name = re.sub(r"[\[\]:*?/\\]", "_", name)[:31]
    base, n = name, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


# --- what goes on the sheets ------------------------------------------------------------------------


def _sections(con: duckdb.DuckDBPyConnection, table: str, present: Sequence[str], lang: str) -> list[Section]:
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
                    entries.append(Entry(len(entries) + 1, form_text(PASLON_LABEL, lang, n=n), (col,), (), (False,)))
            elif name in VOTER_GROUPS:
                cols = [(f"{name}_{s}", s) for s in ("l", "p", "j") if f"{name}_{s}" in have]
                if cols:
                    bold = tuple(s == "j" or name in TOTAL_ENTRIES for _c, s in cols)
                    entries.append(Entry(number, form_text(VOTER_GROUPS[name], lang), tuple(c for c, _s in cols),
                                         tuple(form_text(LPJ_LABELS[s], lang) for _c, s in cols), bold))
            elif name in have:
                entries.append(Entry(number, form_text(SINGLE_LABELS[name], lang), (name,), (), (name in TOTAL_ENTRIES,)))
        if entries:
            out.append(Section(numeral, form_text(heading, lang), tuple(entries)))
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
        f"max(length(left({code}, {p}))), {parent_name} "
        f"FROM {recap.relation} WHERE {recap.where()}",
        dict(params),
    ).fetchall()[0]
    out = [int(v or 0) for v in row[:4]]
    # len(f"{v:,}") of every column's widest number: the digits, the sign, and a separator per three digits.
    types = {str(r[0]): str(r[1]) for r in recap.con.execute(f"DESCRIBE {recap.relation}").fetchall()}
    widest = text_lengths(recap.con, f"(SELECT * FROM {recap.relation} WHERE {recap.where()})",
                          [(c, types[c]) for c in columns], params, thousands=True)
    for n, total in zip(widest, totals, strict=True):
        out.append(max(n, len(f"{total:,}") if total is not None else 0))
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


def _unit_title(level: str, code: str, name: str | None, lang: str) -> str:
    """'PROVINSI JAWA TIMUR (35)', 'KOTA SURABAYA (3578)': how the form names the area it covers."""
    name = name or ""
    if level == "kabkota":
        kind = form_text(TEXTS["kota"] if code[2:4] >= "71" else TEXTS["kabupaten"], lang)
        prefix = "" if re.match(r"(KOTA|KAB\.?|KABUPATEN)\s", name.upper()) else kind + " "
    else:
        prefix = level_name(level, lang).upper() + " "
    return f"{prefix}{name} ({code})" if name else f"{prefix}({code})"


def _title_lines(sheet: SheetData, lang: str, title: str | None, several: bool,
                 names: dict[tuple[str, str], str]) -> list[str]:
    election = election_title(sheet.jenis or "", lang) or (sheet.jenis or "").upper()
    if title:
        first = f"{title} — {election}" if several and election else title
    elif election:
        first = form_text(TEXTS["title_election"], lang, election=election)
    else:
        first = form_text(TEXTS["title"], lang)
    level = form_text(TEXTS["level"], lang, level=level_name(sheet.level, lang).upper())
    # The area the sheet covers: the deepest unit that contains every unit of the sheet.
    if sheet.area:
        lv, code = sheet.area
        level += " — " + _unit_title(lv, code, names.get((lv, code)), lang)
    return [first, level]


def _merge(ws: WriteOnlyWorksheet, ref: str) -> None:
    """Merge the cells of `ref`. openpyxl's own `merged_cells.add` first checks the new range against every range
    already there, which is quadratic in a print view's thousands of merges; rekap never merges a range twice."""
    from openpyxl.worksheet.cell_range import CellRange

    ws.merged_cells.ranges.add(CellRange(ref))


def _sheet_name(sheet: SheetData, lang: str, several: bool, taken: set[str]) -> str:
    name = sheet_name(sheet.level, lang)
    if several:
        name += " " + (sheet.jenis or "-")
    return _unique_name(name, taken)


def _signer(level: str, area: tuple[str, str] | None, names: Mapping[tuple[str, str], str], lang: str) -> tuple[str, int]:
    """Who signs a sheet of `level` units, as the form names them, and how many members: the body that recaps
    the area holding them all (the desa of one kecamatan: its PPK; the kecamatan of a kab/kota: its KPU; units
    of several provinces, or the provinces: KPU)."""
    if area is None or level == "nasional":
        return form_text(TEXTS["body_kpu"], lang), SIGN_ROWS.get("nasional", 5)
    lv, code = area
    title = _unit_title(lv, code, names.get((lv, code)), lang)
    if lv == "kecamatan":
        return form_text(TEXTS["body_kecamatan"], lang, area=title.split(" ", 1)[1] if " " in title else title), 5
    return form_text(TEXTS["body_kpu_area"], lang, area=title), SIGN_ROWS.get(lv, 5)


def _write_signature(ws: WriteOnlyWorksheet, st: Styles, row: int, signer: tuple[str, int], last_col: int,
                     lang: str) -> int:
    """The form's closing block from row `row` on: place and date, the body, then one line per member (No.,
    Nama, Jabatan, Tanda tangan) left blank to be filled in by hand. Returns the next free row."""
    from openpyxl.utils import get_column_letter

    body, members = signer
    sign_from, sign_to = 4, max(4, last_col)
    ws.append([])
    ws.append([st.blank(ws, "plain"), st.text(ws, form_text(TEXTS["sign_place"], lang), "plain")])
    ws.append([])
    ws.append([st.blank(ws, "plain"), st.text(ws, body, "subtitle")])
    head = [st.text(ws, form_text(TEXTS["sign_no"], lang), "head"), st.text(ws, form_text(TEXTS["sign_name"], lang), "head"),
            st.text(ws, form_text(TEXTS["sign_role"], lang), "head"),
            st.text(ws, form_text(TEXTS["sign_signature"], lang), "head")]
    head += [st.blank(ws, "head") for _ in range(sign_to - sign_from)]
    ws.append(head)
    first = row + 4
    merges = [f"{get_column_letter(sign_from)}{first}:{get_column_letter(sign_to)}{first}"] if sign_to > sign_from else []
    for i in range(members):
        r = first + 1 + i
        role = form_text(TEXTS["sign_chair" if i == 0 else "sign_member"], lang)
        cells = [st.text(ws, str(i + 1), "center"), st.blank(ws, "label"), st.text(ws, role, "label"),
                 st.text(ws, f"{i + 1}. ", "label")]
        cells += [st.blank(ws, "label") for _ in range(sign_to - sign_from)]
        ws.row_dimensions[r].height = SIGN_ROW_PT
        ws.append(cells)
        if sign_to > sign_from:
            merges.append(f"{get_column_letter(sign_from)}{r}:{get_column_letter(sign_to)}{r}")
    for ref in merges:
        _merge(ws, ref)
    return first + 1 + members


# --- widths, page setup, notes ---------------------------------------------------------------------


def _width(values: Sequence[int | None], floor: int = 7) -> float:
    widest = max((len(f"{v:,}") for v in values if v is not None), default=0)
    return max(floor, widest + 2)


def _note_lines(sheet: SheetData, lang: str, notes: Sequence[str] = ()) -> list[str]:
    """The notes under a sheet: no JUMLAH (why), how to read an empty cell and the version, what the recap covers."""
    lines = []
    if not sheet.summable:
        area = level_name(TOP_LEVEL[str(sheet.jenis)], lang).lower()
        lines.append(form_text(TEXTS["no_total"], lang, area=area))
    lines.append(form_text(TEXTS["note"], lang, version=__version__))
    return lines + list(notes)


def _wrapped_pt(text: str, span: float, line_pt: float, chars_per_unit: float) -> float:
    """The height of `text` wrapped in a cell `span` wide (Excel's unit), `chars_per_unit` characters of its font
    to a unit of width, `line_pt` a line."""
    per_line = max(10, int(span * chars_per_unit))
    return line_pt * max(1, -(-len(text) // per_line))


def _notes_pt(lines: Sequence[str], span: float) -> float:
    """The printed height of the notes under a table `span` wide (a blank row, then the lines, wrapped)."""
    return ROW_PT + sum(_wrapped_pt(line, span, NOTE_LINE_PT, NOTE_CHARS) for line in lines)


def _notes(ws: WriteOnlyWorksheet, st: Styles, lines: Sequence[str], last_col: int, row: int) -> int:
    """The notes under a sheet from row `row` on (a blank row first), each merged across the table's width and
    wrapped, so that it prints inside the page instead of running off to the right. Returns the next free row."""
    from openpyxl.utils import get_column_letter

    ws.append([])
    span = _span_chars(ws, last_col)
    for i, line in enumerate(lines):
        r = row + 1 + i
        # Wrapped text in merged cells is not re-measured by the spreadsheet: the height is set here.
        ws.row_dimensions[r].height = _wrapped_pt(line, span, NOTE_LINE_PT, NOTE_CHARS)
        ws.append([st.text(ws, line, "note_wrap")])
        if last_col > 1:
            _merge(ws, f"A{r}:{get_column_letter(last_col)}{r}")
    return row + 1 + len(lines)


def _title_rows(ws: WriteOnlyWorksheet, st: Styles, heading: Sequence[str], third: str | None, last_col: int,
                merge: bool, row: int = 1) -> float:
    """The two title lines and the third row (a note, or blank) from row `row` on. With `merge` each title line
    is merged across the table and wrapped (a narrow sheet's title would else be cut at the print area's edge).
    Returns their printed height (pt)."""
    from openpyxl.utils import get_column_letter

    span = _span_chars(ws, last_col)
    height = 0.0
    for i, (text, key) in enumerate(zip(heading[:2], ("title", "subtitle"), strict=True)):
        pt = _wrapped_pt(text, span, 16.0 if key == "title" else ROW_PT, 0.75) if merge else ROW_PT
        if merge:
            ws.row_dimensions[row + i].height = pt
            _merge(ws, f"A{row + i}:{get_column_letter(last_col)}{row + i}")
        ws.append([st.text(ws, text, key + "_wrap" if merge else key)])
        height += pt
    ws.append([st.text(ws, third, "note")] if third else [])
    return height + ROW_PT


def _span_chars(ws: WriteOnlyWorksheet, last_col: int) -> float:
    """The width of columns A.. `last_col` (in Excel's width unit) as set on the sheet."""
    from openpyxl.utils import get_column_letter

    return sum(float(ws.column_dimensions[get_column_letter(i)].width or 8.43) for i in range(1, last_col + 1))


# --- the form's layout: items down, units across --------------------------------------------------------


def _unit_widths(units: Sequence[Unit], totals: Sequence[int | None] | None) -> list[float]:
    """The width of every unit column (and of JUMLAH when `totals` is given)."""
    out = [max(_width(u.values, 10), 12, len(u.code) + 5) for u in units]
    if totals is not None:
        out.append(max(_width(totals, 10), 12))
    return out


def _wide_table(
    ws: WriteOnlyWorksheet,
    st: Styles,
    units: Sequence[Unit],
    totals: Sequence[int | None],
    with_total: bool,
    parent: str | None,
    grouped: bool,
    sections: list[Section],
    lang: str,
    names: Mapping[tuple[str, str], str],
    top: int,
    split_at: int | None = None,
    repeat_header: bool = False,
) -> tuple[int, int, int | None]:
    """The form's table from row `top` on: the unit header rows (a row of parent units when `grouped`, the
    codes, the names), then every section and item. `split_at`: the index of the section that starts the second
    printed page (the row before it is returned for a page break); with `repeat_header` the code and name rows are
    written again there, so that the second page of a block is headed like the first (a sheet's own repeated
    rows do that for a sheet of one table). Returns (the row after the table, the row of the names header, the
    row before the split or None)."""
    from openpyxl.utils import get_column_letter

    columns = [c for s in sections for c in s.columns]
    first_unit_col = 4
    last_col = first_unit_col + len(units) - (0 if with_total else 1)
    groups: list[tuple[str, int]] = []  # (parent code, number of units under it), in column order
    if parent:
        for u in units:
            code = u.code[: PREFIX[parent]]
            if groups and groups[-1][0] == code:
                groups[-1] = (code, groups[-1][1] + 1)
            else:
                groups.append((code, 1))
    code_row = top + 1 if grouped else top
    name_row = code_row + 1
    row = top
    if grouped:
        cells = [st.text(ws, level_name(parent or "", lang), "head"), st.blank(ws, "head"), st.blank(ws, "head")]
        col = first_unit_col
        for code, n in groups:
            cells.append(st.text(ws, f"{code} {names.get((parent or '', code), '')}".strip(), "head"))
            cells.extend(st.blank(ws, "head") for _ in range(n - 1))
            if n > 1:
                _merge(ws, f"{get_column_letter(col)}{row}:{get_column_letter(col + n - 1)}{row}")
            col += n
        if with_total:
            cells.append(st.text(ws, form_text(TEXTS["total"], lang), "head"))
        ws.append(cells)
        _merge(ws, f"A{row}:C{row}")
    def unit_header(code_row: int, first_row: int) -> None:
        """The rows of unit codes and unit names (and JUMLAH) from `code_row`; JUMLAH spans from `first_row`."""
        name_row = code_row + 1
        ws.row_dimensions[name_row].height = 45
        ws.append(
            [st.text(ws, form_text(TEXTS["no"], lang), "head"), st.text(ws, form_text(TEXTS["item"], lang), "head"),
             st.blank(ws, "head")]
            + [st.text(ws, u.code, "head_code") for u in units]
            + ([st.blank(ws, "head") if grouped and first_row < code_row
                else st.text(ws, form_text(TEXTS["total"], lang), "head")] if with_total else [])
        )
        ws.append(
            [st.blank(ws, "head"), st.blank(ws, "head"), st.blank(ws, "head")]
            + [st.text(ws, u.name, "head") for u in units]
            + ([st.blank(ws, "head")] if with_total else [])
        )
        _merge(ws, f"A{code_row}:A{name_row}")
        _merge(ws, f"B{code_row}:C{name_row}")
        if with_total:
            letter = get_column_letter(last_col)
            _merge(ws, f"{letter}{first_row}:{letter}{name_row}")

    unit_header(code_row, top)
    row = name_row + 1

    index = {c: i for i, c in enumerate(columns)}
    width = last_col - 3
    split_row: int | None = None
    for number, section in enumerate(sections):
        if number == split_at and number:
            split_row = row - 1
            if repeat_header:
                unit_header(row, row)
                row += 2
        ws.append([st.text(ws, section.numeral, "section"), st.text(ws, section.heading, "section")]
                  + [st.blank(ws, "section") for _ in range(width + 1)])
        _merge(ws, f"B{row}:C{row}")
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
                    cells.append(st.number(ws, totals[i], True))
                ws.append(cells)
                if not grouped_rows:
                    _merge(ws, f"B{row}:C{row}")
                row += 1
            if grouped_rows and len(entry.columns) > 1:
                start = row - len(entry.columns)
                _merge(ws, f"A{start}:A{row - 1}")
                _merge(ws, f"B{start}:B{row - 1}")
    return row, name_row, split_row


def _section_rows(section: Section) -> int:
    return 1 + sum(len(e.columns) for e in section.entries)


def _split(sections: Sequence[Section], before: float, after: float) -> tuple[int | None, float]:
    """Where a D.Hasil table splits over two printed pages, and the taller page's height (pt): the section
    boundary that balances `before` (pt above the first section: titles, header) plus the first sections against
    the rest plus `after` (pt below the last: signature block, notes). No split when there are fewer than two
    sections."""
    rows = [_section_rows(s) * ROW_PT for s in sections]
    if len(rows) < 2:
        return None, before + sum(rows) + after
    best: tuple[float, int] | None = None
    for k in range(1, len(rows)):
        tallest = max(before + sum(rows[:k]), HEADER_PT + sum(rows[k:]) + after)
        if best is None or tallest < best[0]:
            best = (tallest, k)
    assert best is not None
    return best[1], best[0]


def _sign_pt(members: int) -> float:
    """The height of the signature block (place, body, header and one row per member)."""
    return 4 * ROW_PT + members * SIGN_ROW_PT


def _wide_columns(ws: WriteOnlyWorksheet, unit_widths: Sequence[float]) -> None:
    """Column widths of the form's layout: No., Uraian, L/P/Jumlah, then the units (and JUMLAH)."""
    from openpyxl.utils import get_column_letter

    for letter, width in zip("ABC", ITEM_WIDTHS, strict=True):
        ws.column_dimensions[letter].width = width
    for i, w in enumerate(unit_widths):
        ws.column_dimensions[get_column_letter(4 + i)].width = w


def _write_wide(
    ws: WriteOnlyWorksheet,
    st: Styles,
    sheet: SheetData,
    sections: list[Section],
    heading: list[str],
    lang: str,
    names: dict[tuple[str, str], str],
    notes: Sequence[str],
    printing: Printing,
    signer: tuple[str, int],
    pointer: str | None = None,
) -> None:
    """One sheet in the form's layout, printed on two pages split at a section boundary (its title rows and item
    columns repeated; the signature block with the second half), or across pages when its units do not fit a
    page. With a print view (`pointer`), the sheet prints its title and the pointer to the view only."""
    from openpyxl.utils import get_column_letter

    units = sheet.units
    with_total = sheet.level != "nasional" and sheet.summable
    parent = _parent_level(sheet.level)
    grouped = len({u.code[: PREFIX[parent]] for u in units}) > 1 if parent else False
    widths = _unit_widths(units, sheet.totals if with_total else None)
    _wide_columns(ws, widths)
    last_col = 3 + len(widths)
    top = 4
    name_row = top + 2 if grouped else top + 1
    ws.freeze_panes = f"D{name_row + 1}"
    one_across = len(widths) <= UNITS_PER_PAGE + 1
    lines = _note_lines(sheet, lang, notes)
    titles = _title_rows(ws, st, heading, pointer, last_col, merge=one_across)
    before = titles + (ROW_PT if grouped else 0) + ROW_PT + 45
    split_at, tallest = _split(sections, before, _sign_pt(signer[1]) + _notes_pt(lines, _span_chars(ws, last_col)))
    end, _name_row, split_row = _wide_table(ws, st, units, sheet.totals, with_total, parent, grouped, sections, lang,
                                            names, top, split_at=None if pointer else split_at)
    end = _write_signature(ws, st, end, signer, last_col, lang)
    end = _notes(ws, st, lines, last_col, end)
    letter = get_column_letter(last_col)
    if pointer:
        printing.apply(ws, area=f"A1:{letter}3", scale=100)
        return
    # A page across holds the item columns and at most UNITS_PER_PAGE units; more go across pages.
    page = [*ITEM_WIDTHS, *widths[: UNITS_PER_PAGE + (1 if with_total else 0)]]
    if split_row is not None:
        printing.breaks(ws, [split_row])
    printing.apply(ws, area=f"A1:{letter}{end - 1}", title_rows=f"{top}:{name_row}", title_cols="A:C",
                   scale=printing.scale_for(page, tallest))


def _write_print_view(
    ws: WriteOnlyWorksheet,
    st: Styles,
    recap: _Recap,
    sheet: SheetData,
    sections: list[Section],
    heading: list[str],
    lang: str,
    printing: Printing,
    notes: Sequence[str] = (),
) -> None:
    """The print view of a level with many units: one block per parent unit, in the form's layout (the parent's
    units across, the items down, JUMLAH), each with its title lines and signature block, on two pages of its own
    (split at a section boundary, the unit header written again on the second), so that every parent's D.Hasil
    prints by itself, headed and labelled on every page (across pages too for a parent with more units than fit a
    page, its item columns repeated)."""
    from openpyxl.utils import get_column_letter

    parent = _parent_level(sheet.level) or ""
    columns = [c for s in sections for c in s.columns]
    values = ", ".join(quote_ident(c) for c in columns)
    rows = recap.con.execute(
        f"SELECT CAST(kode_wilayah AS VARCHAR), {recap.nama}{', ' + values if values else ''} FROM {recap.relation} "
        f"WHERE {recap.where()} ORDER BY 1, 2", {"j": sheet.jenis, "l": sheet.level}).fetchall()
    units = [Unit(str(r[0]), None if r[1] is None else str(r[1]), tuple(r[2:])) for r in rows]
    blocks: list[tuple[str, list[Unit]]] = []
    for u in units:
        code = u.code[: PREFIX[parent]]
        if blocks and blocks[-1][0] == code:
            blocks[-1][1].append(u)
        else:
            blocks.append((code, [u]))
    names = _names(recap, sheet.jenis, [(parent, code) for code, _u in blocks])

    def total(block: list[Unit]) -> tuple[int | None, ...]:
        """JUMLAH of a block: the sum over its units, empty when every unit is empty (as the recap sums)."""
        return tuple(
            None if all(u.values[i] is None for u in block) else sum(int(u.values[i] or 0) for u in block)
            for i in range(len(columns)))

    totals = [total(b) for _c, b in blocks]
    # One set of column widths serves every block: the widest value of each column place.
    n_cols = max(len(b) for _c, b in blocks) + (1 if sheet.summable else 0)
    widths = [12.0] * n_cols
    for (_code, block), tot in zip(blocks, totals, strict=True):
        for i, w in enumerate(_unit_widths(block, tot if sheet.summable else None)):
            widths[i] = max(widths[i], w)
    _wide_columns(ws, widths)
    last_col = 3 + n_cols
    level_word = level_name(sheet.level, lang).upper()
    members = sign_rows(parent)
    one_across = n_cols <= UNITS_PER_PAGE + 1
    lines = _note_lines(sheet, lang, notes)  # what the recap covers, as under every sheet
    span = _span_chars(ws, last_col)
    subtitles = [form_text(TEXTS["print_block"], lang, level=level_word,
                           area=_unit_title(parent, code, names.get((parent, code)), lang)) for code, _b in blocks]
    titles = max(_wrapped_pt(heading[0], span, 16.0, 0.75) + _wrapped_pt(t, span, ROW_PT, 0.75) for t in subtitles)
    split_at, tallest = _split(sections, titles + 2 * ROW_PT + 45, _sign_pt(members) + _notes_pt(lines, span))
    breaks: list[int] = []
    row = 1
    for (code, block), tot, subtitle in zip(blocks, totals, subtitles, strict=True):
        _title_rows(ws, st, [heading[0], subtitle], None, last_col, merge=one_across, row=row)
        end, _name_row, split_row = _wide_table(ws, st, block, tot, sheet.summable, None, False, sections, lang, {},
                                                row + 3, split_at=split_at, repeat_header=True)
        end = _write_signature(ws, st, end, _signer(sheet.level, (parent, code), names, lang), last_col, lang)
        if split_row is not None:
            breaks.append(split_row)
        breaks.append(end - 1)
        row = end
    end = _notes(ws, st, lines, last_col, row)
    printing.breaks(ws, breaks[:-1])
    page = [*ITEM_WIDTHS, *widths[: UNITS_PER_PAGE + (1 if sheet.summable else 0)]]
    printing.apply(ws, area=f"A1:{get_column_letter(last_col)}{end - 1}", title_cols="A:C",
                   scale=printing.scale_for(page, tallest))


def sign_rows(level: str) -> int:
    """The members' lines of the signature block of a recap made at `level`."""
    return SIGN_ROWS.get(level, 5)


# --- the long layout: one row per unit --------------------------------------------------------------------


def _write_long(
    ws: WriteOnlyWorksheet,
    st: Styles,
    recap: _Recap,
    sheet: SheetData,
    sections: list[Section],
    heading: list[str],
    lang: str,
    notes: Sequence[str],
    printing: Printing,
    signer: tuple[str, int],
    pointer: str | None = None,
) -> None:
    """One row per unit: the title, the header rows and the JUMLAH by openpyxl, the units' rows by DuckDB. With
    a print view (`pointer`), the sheet prints its title and the pointer to the view only; otherwise it prints
    across then down, its header rows and unit columns on every page."""
    from openpyxl.utils import get_column_letter

    parent = _parent_level(sheet.level)
    code_header = form_text(TEXTS["code"], lang)
    id_headers = [code_header, level_name(sheet.level, lang)]
    if parent:
        id_headers += [form_text(TEXTS["parent_code"], lang, level=level_name(parent, lang)), level_name(parent, lang)]
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
    ws.freeze_panes = f"C{label_row + 1}"
    ws.row_dimensions[group_row].height = 30
    ws.row_dimensions[label_row].height = 60
    _title_rows(ws, st, heading, pointer, last_col, merge=False)
    cells = [st.text(ws, form_text(TEXTS["area"], lang), "head")] + [st.blank(ws, "head") for _ in range(n_id - 1)]
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
        _merge(ws, ref)

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
    end = total_row
    if sheet.summable:
        ws.append([st.text(ws, form_text(TEXTS["total"], lang), "label_bold")] + [st.blank(ws, "label_bold") for _ in range(n_id - 1)]
                  + [st.number(ws, v, True) for v in sheet.totals])
        _merge(ws, f"A{total_row}:{get_column_letter(n_id)}{total_row}")
        end = total_row + 1
    end = _write_signature(ws, st, end, signer, min(last_col, n_id + 4), lang)
    end = _notes(ws, st, _note_lines(sheet, lang, notes), min(last_col, n_id + 12), end)
    letter = get_column_letter(last_col)
    if pointer:
        printing.apply(ws, area=f"A1:{letter}3", fit_width=True)
        return
    widths = [float(ws.column_dimensions[get_column_letter(i)].width or 8.43) for i in range(1, last_col + 1)]
    printing.apply(ws, area=f"A1:{letter}{end - 1}", title_rows=f"{section_row}:{label_row}", title_cols="A:B",
                   scale=printing.scale_for([*widths[:2], *widths[n_id:n_id + 2 * UNITS_PER_PAGE]], 0))
