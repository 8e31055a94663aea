"""The fast sheet writer under every rekap workbook: cell styles, the rows DuckDB writes as XML, and a
zip whose bytes depend on the tables only.

`rekap.report.dhasil` (the D.Hasil layout) and `rekap.report.workbook` (the bundle's workbook and the
one-sheet record workbook) lay their sheets out with openpyxl in write-only mode and this module's
`Styles`; `finish` turns the workbook into bytes.

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
set-based, and streamed into their sheet in place of a placeholder row (`Styles.splice`, `_spliced`);
Python never touches one of their cells. For the national benchmark (822,607 TPS, 83,828 desa, 319,151
findings, 91,561 coverage rows: 380 MB of sheet XML, 45 MB zipped) that takes about 5 s and 0.4–0.5 GB on
2 cores, against 3.5 minutes, a peak of 1.8 GB and 400 MB (stored) when openpyxl made a Python object per
cell (benchmarks/README.md, group `run`).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import duckdb

from rekap.schema import quote_ident
from rekap.version import __version__

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

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


def text_lengths(
    con: duckdb.DuckDBPyConnection, relation: str, columns: Sequence[tuple[str, str]],
    params: Mapping[str, object] | None = None, *, thousands: bool = False,
) -> list[int]:
    """The characters of each column's longest value as text (0 when it has none), for column widths:
    `columns` are (name, DuckDB type) of `relation` (a quoted name or a parenthesised SELECT, with `params`);
    with `thousands`, a number as `f"{v:,}"` writes it (a separator per three digits). An integer's text grows
    with its magnitude on either side of zero, so its longest is the minimum's or the maximum's: two
    aggregates instead of a cast to text per cell."""
    if not columns:
        return []
    parts = []
    for c, t in columns:
        q = quote_ident(c)
        if t in INTEGER_TYPES:
            parts.append(f"min({q}), max({q})")
        elif thousands:
            parts.append(f"max(length(CAST({q} AS VARCHAR)) + (length(CAST(abs({q}) AS VARCHAR)) - 1) // 3)")
        else:
            parts.append(f"max(length(CAST({q} AS VARCHAR)))")
    row = con.execute(f"SELECT {', '.join(parts)} FROM {relation}", dict(params or {})).fetchall()[0]
    out, at = [], 0
    for _c, t in columns:
        if t in INTEGER_TYPES:
            out.append(max((len(f"{int(v):,}" if thousands else str(int(v))) for v in row[at : at + 2]
                            if v is not None), default=0))
            at += 2
        else:
            out.append(int(row[at] or 0))
            at += 1
    return out


def check_lang(lang: str) -> str:
    """`lang` when rekap has texts in it (`rekap.i18n.languages`); a workbook in no language is a bug."""
    from rekap.i18n import languages

    if lang not in languages():
        raise ValueError(f"lang must be one of {languages()}, not {lang!r}")
    return lang


# --- cells and styles ---------------------------------------------------------------------------------


class Styles:
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
            "title_wrap": {"font": Font(bold=True, size=12), "alignment": Alignment(vertical="top", wrap_text=True)},
            "subtitle_wrap": {"font": bold, "alignment": Alignment(vertical="top", wrap_text=True)},
            "plain": {},
            "note": {"font": Font(italic=True, size=9)},
            "note_wrap": {"font": Font(italic=True, size=9), "alignment": Alignment(vertical="top", wrap_text=True)},
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

    # The same cells as SQL expressions giving their XML (see `_spliced`): `letter` is the column, `value`
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
            whens = " ".join(f"WHEN {sql_str(tone)} THEN '{self.ids[(k, quote)]}'" for tone, k in key.items() if tone)
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


# --- the workbook's bytes ---------------------------------------------------------------------------


def finish(wb: Workbook, st: Styles, con: duckdb.DuckDBPyConnection, title: str) -> bytes:
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


# --- rows written by DuckDB ---------------------------------------------------------------------------
#
# The big sheets (long recap levels, findings, discrepancies, coverage) hold millions of cells. Making a
# Python object per cell took minutes at national scale, so their rows are built as XML by DuckDB in one
# set-based query per sheet and streamed into the sheet's part of the zip in place of an empty placeholder
# row that openpyxl wrote (openpyxl still writes everything else: the title and header rows, the rows
# below, column widths, panes, filters, merges, print titles, styles). The cell XML follows openpyxl's:
# `<c r="A7" s="N" t="inlineStr"><is><t>…</t></is></c>` for text, `<c r="G7" s="N"><v>123</v></c>` for a
# number, `<c r="G7" s="N"/>` for an empty cell, with the style indexes `Styles` registered.

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
    """The `Styles.sql_*` expressions of a row's cells; they may use `rk_r`, the row's number on the sheet."""
    params: dict[str, object]


def sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# Text: characters XML 1.0 forbids become U+FFFD (as in `Styles.text`); & < > " are escaped, and CR becomes
# a character reference, since a parser reads a literal CR as LF. Only values holding one of those pay for
# the replacements. The quote prefix (another style) when the value starts like a formula, as `Styles.text`;
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
