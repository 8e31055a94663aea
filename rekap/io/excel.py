"""Excel .xlsx reader.

Staff exports put title lines above the header, merge group labels ("Jumlah DPT") over L/P/JML
sub-labels, and let Excel store region codes as numbers. This reader finds the header, rebuilds
merged two-row headers, and hands every value on as text so that codes keep all 13 digits and the
number checks happen later, in one place.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid
import zipfile
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, islice
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from rekap.dataset import HEADER_SCAN_ROWS
from rekap.errors import InputError
from rekap.i18n import N_, _, n_
from rekap.io.base import RawTable
from rekap.schema import quote_ident, resolve_header

if TYPE_CHECKING:
    from concurrent.futures import Future

    import duckdb

_RESAVE_HINT = N_("buka di Excel atau LibreOffice lalu simpan sebagai 'Buku Kerja Excel (.xlsx)'")

Row = Sequence[Any]
_T = TypeVar("_T")


def read_xlsx(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    table: str,
    display: str,
    sheet: str | None = None,
    *,
    extra: dict[str, str] | None = None,
) -> RawTable:
    """Load one sheet of an .xlsx workbook into DuckDB table `table`, all columns VARCHAR plus `_row`.

    `sheet` is a sheet name or a 1-based position ("2"); without it the first sheet with a
    recognisable header is used. `extra` is the user's own header mapping (--columns), so that
    headers rekap does not know still count when looking for the header row. For inputs read as one
    table (a reported recap, the DPT list); TPS inputs are read sheet by sheet (`read_xlsx_sheets`).
    """
    return _with_fast_workbook(path, display, lambda wb: _read_workbook(con, wb, table, display, sheet, extra))


@dataclass
class SheetTable:
    sheet: str
    raw: RawTable


@dataclass
class WorkbookTables:
    tables: list[SheetTable]
    """The sheets read, in workbook order."""
    skipped: list[tuple[str, str, tuple[str, ...]]]
    """(sheet, reason, headers) of every other sheet, in workbook order; reasons as `SkippedSheet`'s."""
    sheet_count: int
    """Worksheets in the workbook."""


def read_xlsx_sheets(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    table_prefix: str,
    display: str,
    sheets: Sequence[str] | None = None,
    *,
    extra: dict[str, str] | None = None,
    parsed: Future[Parsed] | None = None,
) -> WorkbookTables:
    """Load every TPS sheet of an .xlsx workbook, each into its own DuckDB table `{table_prefix}_{k}`.

    A TPS sheet is one whose header (found as `read_xlsx` finds it) has a TPS code column; every
    other sheet is listed as skipped with its reason. `sheets` (names or 1-based positions) reads
    those sheets only, whatever their header; a sheet not in the workbook is an error. A workbook
    with no TPS sheet at all is read as `read_xlsx` reads it, so that the caller's usual one-line
    error says what is missing. `parsed`: this workbook's `parse` already started (`ReadAhead`).
    """
    return _with_fast_workbook(path, display, lambda wb: _read_sheets(con, wb, table_prefix, display, sheets, extra),
                               parsed)


# --- opening -------------------------------------------------------------------------------------


def _with_workbook(path: Path, display: str, use: Callable[[Any], _T]) -> _T:
    # Imported here so that `rekap --help` stays fast.
    from openpyxl import load_workbook

    try:
        fh = path.open("rb")
    except OSError as exc:
        raise InputError(_("{path}: berkas tidak dapat dibuka ({error})", path=display,
                           error=exc.strerror or exc)) from exc
    with fh:
        _check_magic(fh.read(8), display)
        fh.seek(0)
        try:
            # A file object (not the path) so that openpyxl does not refuse names without .xlsx.
            wb = load_workbook(fh, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl surfaces damage as many unrelated types
            raise InputError(
                _("{path}: bukan buku kerja Excel .xlsx ({reason})", path=display, reason=_zip_reason(exc)),
                hint=_(_RESAVE_HINT),
            ) from exc
        try:
            return use(wb)
        finally:
            wb.close()


# --- the fast path: calamine (Rust) -------------------------------------------------------------
#
# openpyxl builds a Python object per cell, which made an XLSX province ~5× slower than the same
# rows as CSV (issue 15). python-calamine parses the workbook in Rust and hands each sheet over as
# lists of plain values. It cannot tell everything openpyxl can, so a workbook takes the openpyxl
# path (`_with_workbook`, unchanged) whenever calamine's answer could differ:
# - any formula (<f>) or error cell (t="e") in a sheet: calamine gives '' for a formula without a
#   saved result (openpyxl's None is then filled with the formula text for S002) and '' for an error
#   cell (openpyxl gives its text, '#REF!');
# - any text that is whitespace only (' '): calamine gives '' (openpyxl ' ', a non-empty cell), or
#   that holds an escaped character ('_x000D_': calamine decodes it, openpyxl keeps the five letters);
# - a whole number too large for a float (calamine gives a float; openpyxl the exact int);
# - anything calamine or the zip check refuses (damage is reported by openpyxl, as before).
# Values are handed on as the text `_cell_text` makes of what openpyxl gives (None for an empty
# cell), so everything after reading is one code path.

# <f>, <f t="shared" .../>, <x:f>; an error cell (t="e"). Plain byte searches: a regular expression
# over the sheet XML cost ~1 s a province. A false hit (such text in an inline string) only costs speed.
_FORMULA_OR_ERROR = (b"<f>", b"<f ", b"<f/", b":f>", b":f ", b":f/", b't="e"', b"t='e'")
# An escaped character in a text ('_x000D_'): calamine decodes it, openpyxl's read-only mode keeps it.
_ESCAPED = re.compile(rb"_x[0-9A-Fa-f]{4}_")
_FOLD = bytes.maketrans(b":'\t\n\r", b'<"   ')
_NOT_SHEETS = ("styles.xml", "[content_types].xml")
_NOT_SHEET_DIRS = ("_rels/", "docprops/", "theme/", "charts/", "drawings/", "media/", "printersettings/")
_EXACT = 2**53


class _Fallback(Exception):
    """The workbook needs openpyxl's reading (see above)."""


@dataclass
class _FastSheet:
    title: str
    columns: list[list[str | None]]
    """The sheet column by column, already text as `_cell_text` makes it (None for an empty cell)."""
    height: int
    """Rows in the sheet (from A1 to its last used row)."""


@dataclass
class _FastBook:
    worksheets: list[_FastSheet]


def _with_fast_workbook(
    path: Path, display: str, use: Callable[[Any], _T], parsed: Future[Parsed] | None = None
) -> _T:
    book = _fast_book(path, parsed)
    if book is None:
        return _with_workbook(path, display, use)
    return use(book)


Parsed = list[tuple[str, list[list[Any]]]] | None
"""calamine's rows of every worksheet (`_calamine_sheets`), or None where openpyxl must read the workbook."""


class ReadAhead:
    """Workbooks parsed one ahead: while one workbook's rows go through Python and into DuckDB, calamine parses
    the next in a second thread (it holds no GIL while parsing, ~0.8 s of a province's 24 kab/kota workbooks).
    `parse` is the same function either way, so the rows, and every byte after them, are the same."""

    def __init__(self) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rekap-xlsx-parse")
        self._started: dict[Path, Future[Parsed]] = {}

    def start(self, path: Path) -> None:
        if path not in self._started:
            self._started[path] = self._pool.submit(parse, path)

    def take(self, path: Path) -> Future[Parsed] | None:
        return self._started.pop(path, None)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def parse(path: Path) -> Parsed:
    """calamine's rows of every worksheet, or None where openpyxl must read the workbook (not a zip, formulas
    or error cells, whitespace-only or escaped text, or anything calamine cannot read)."""
    import threading

    try:
        with path.open("rb") as fh:
            if fh.read(2) != b"PK":
                return None  # openpyxl's path says what the file is
    except OSError:
        return None
    # The archive check (zlib, byte searches) runs beside calamine's parse, which holds no GIL: on
    # two cores the check costs no wall time. Its answer is awaited before anything is used.
    needs_openpyxl: list[bool] = []

    def check() -> None:
        try:
            with path.open("rb") as fh:
                needs_openpyxl.append(_has_formula_or_error(fh))
        except Exception:  # damage: openpyxl reads and reports
            needs_openpyxl.append(True)

    checker = threading.Thread(target=check, name="rekap-xlsx-check", daemon=True)
    checker.start()
    try:
        raws = _calamine_sheets(path)
    except Exception:  # damage: openpyxl reads and reports
        raws = None
    finally:
        checker.join()
    if raws is None or needs_openpyxl != [False]:
        return None
    return raws


def _fast_book(path: Path, parsed: Future[Parsed] | None = None) -> _FastBook | None:
    """Every worksheet's rows read by calamine, or None where openpyxl must read the workbook."""
    raws = parsed.result() if parsed is not None else parse(path)
    if raws is None:
        return None
    texts = _Texts()
    try:
        return _FastBook([_FastSheet(name, _fast_columns(raw, texts), len(raw)) for name, raw in raws])
    except Exception:  # a value calamine cannot give exactly (`_Fallback`): openpyxl reads it
        return None


def _calamine_sheets(path: Path) -> list[tuple[str, list[list[Any]]]]:
    """(title, calamine's rows) of every worksheet, in workbook order."""
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    wb = CalamineWorkbook.from_path(str(path))
    try:
        return [(m.name, wb.get_sheet_by_name(m.name).to_python(skip_empty_area=False))
                for m in wb.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
    finally:
        wb.close()


def _has_formula_or_error(fh: Any) -> bool:
    """Whether any part of the archive that may hold cells or strings has a formula, an error cell, a
    whitespace-only text or an escaped character."""
    with zipfile.ZipFile(fh) as archive:
        for info in archive.infolist():
            name = info.filename.casefold()
            if not name.endswith(".xml") or name.rsplit("/", 1)[-1] in _NOT_SHEETS:
                continue
            if any(d in name for d in _NOT_SHEET_DIRS) or name.endswith("workbook.xml"):
                continue
            xml = archive.read(info)
            # Each search is a pass over the part (~30 MB of sheet XML a province); one translated copy
            # lets one search stand for several: ':' → '<' (<f, :f), "'" → '"' (t="e", t='e'), and
            # tab, CR, LF → ' ' (whitespace before </t>). A hit is then looked at in the part itself.
            folded = xml.translate(_FOLD)
            if b"<f" in folded and any(marker in xml for marker in _FORMULA_OR_ERROR[:6]):
                return True
            if b't="e"' in folded and any(marker in xml for marker in _FORMULA_OR_ERROR[6:]):
                return True
            if (b":t>" in xml or b" </t>" in folded) and _blank_text(xml):
                return True
            if b"_x" in xml and _ESCAPED.search(xml):
                return True
    return False


def _blank_text(xml: bytes) -> bool:
    """Whether a string (or a run of one) is whitespace only: calamine makes ' ' an empty cell."""
    if b":t>" in xml:
        return True  # namespaced <x:t>: not looked into, openpyxl reads it
    for ws in (b" </t>", b"\t</t>", b"\n</t>", b"\r</t>"):
        at = xml.find(ws)
        while at >= 0:
            start = xml.rfind(b">", 0, at + 1)
            if not xml[start + 1 : at + 1].strip():
                return True
            at = xml.find(ws, at + 1)
    return False


def _fast_rows(raw: list[list[Any]]) -> list[list[str | None]]:
    """calamine's values as the text `_cell_text` makes of openpyxl's (None for an empty cell)."""
    return [
        [
            (v or None) if v.__class__ is str
            else str(int(v)) if v.__class__ is float and v.is_integer() and -_EXACT < v < _EXACT
            else _fast_text(v)
            for v in row
        ]
        for row in raw
    ]


class _Texts(dict[Any, "str | None"]):
    """`_fast_rows`'s text of each value met so far (a workbook's counts repeat: 0 … a few hundred)."""

    def __missing__(self, v: Any) -> str | None:
        text = _fast_rows([[v]])[0][0]
        self[v] = text
        return text


def _fast_columns(raw: list[list[Any]], texts: _Texts) -> list[list[str | None]]:
    """calamine's rows as columns of the text `_fast_rows` makes of each value, a column at a time:
    the conversions run in C (`map`, a dict) instead of one Python expression per cell."""
    if not raw:
        return []
    width = len(raw[0])
    if any(len(r) != width for r in raw):  # calamine's range is rectangular; in case it is not
        width = max(map(len, raw))
        raw = [r if len(r) == width else [*r, *[""] * (width - len(r))] for r in raw]
    columns: list[list[str | None]] = []
    for col in zip(*raw, strict=True):
        kinds = set(map(type, col))
        if kinds == {str}:
            columns.append([v or None for v in col] if "" in col else list(col))
        elif kinds <= {str, float}:
            # Equal keys give equal text: 0.0 and -0.0 are both '0'; str and float keys never meet.
            # (int and bool are left out: True == 1.0, and 2**60 == 2.0**60 with different texts.)
            columns.append(list(map(texts.__getitem__, col)))
        else:
            columns.append([row[0] for row in _fast_rows([[v] for v in col])])
    return columns


def _fast_text(v: Any) -> str | None:
    if v.__class__ is float and v.is_integer():
        # Excel stores every number as a double, but a writer may put more digits in a cell than a
        # double holds; openpyxl gives them exactly (as an int), calamine cannot.
        raise _Fallback
    if v.__class__ is dt.date:
        # calamine gives a date for a date cell at midnight; openpyxl a datetime.
        return dt.datetime(v.year, v.month, v.day).isoformat()
    return _cell_text(v)


def _check_magic(head: bytes, display: str) -> None:
    """Refuse what is plainly not a zip archive, with a reason the user can act on."""
    if head.startswith(b"PK"):
        return
    hint = _(_RESAVE_HINT)
    if not head:
        reason = _("berkas kosong")
    elif head.startswith(b"\xd0\xcf\x11\xe0"):
        # OLE2 container: the pre-2007 .xls format, and also what Excel makes of an encrypted .xlsx.
        reason = _("format .xls lama atau dilindungi kata sandi")
        hint = _("buka di Excel atau LibreOffice lalu simpan sebagai 'Buku Kerja Excel (.xlsx)', tanpa kata sandi")
    elif head.startswith(b"\x89PNG"):
        reason = _("berkas ini gambar PNG")
    elif head.startswith(b"%PDF"):
        reason = _("berkas ini dokumen PDF")
    elif b"\x00" not in head:
        reason, hint = _("tampaknya berkas teks/CSV"), _("jika ini berkas CSV, beri ekstensi .csv")
    else:
        reason = _("bukan arsip zip")
    raise InputError(_("{path}: bukan buku kerja Excel .xlsx ({reason})", path=display, reason=reason), hint=hint)


def _zip_reason(exc: Exception) -> str:
    if isinstance(exc, zipfile.BadZipFile):
        return _("arsip zip rusak")
    if isinstance(exc, KeyError | OSError) or type(exc).__name__ == "InvalidFileException":
        return _("arsip zip tanpa buku kerja Excel di dalamnya")
    return _("buku kerja rusak: {kind}", kind=type(exc).__name__)


def _guarded_rows(ws: Any, display: str) -> Generator[Row, None, None]:
    """The sheet's rows; damaged sheet XML becomes an InputError instead of a traceback."""
    if isinstance(ws, _FastSheet):
        if ws.columns:
            yield from zip(*ws.columns, strict=True)
        else:
            yield from ([] for _ in range(ws.height))
        return
    # Some writers record a wrong <dimension> (e.g. A1 only, or a million rows); trusting it
    # truncates columns or yields phantom rows, so read each row at its natural width.
    ws.reset_dimensions()
    rows = ws.iter_rows(values_only=True)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception as exc:  # only library code runs inside next()
            raise InputError(
                _("{path}: bukan buku kerja Excel .xlsx (lembar '{sheet}' rusak: {kind})", path=display,
                  sheet=ws.title, kind=type(exc).__name__),
                hint=_(_RESAVE_HINT),
            ) from exc
        yield row


# --- cell values ---------------------------------------------------------------------------------


def _cell_text(v: Any) -> str | None:
    """One cell as the text the user means; integral floats drop '.0' so codes stay intact."""
    if v is None or v.__class__ is str:
        return v
    if isinstance(v, bool):  # before int: bool is an int subclass
        return "TRUE" if v else "FALSE"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, dt.datetime | dt.date | dt.time):
        return v.isoformat()
    return str(v)


def _header_text(v: Any) -> str:
    # Headers often carry Alt+Enter line breaks and stray spaces; fold them so names print on one line.
    t = _cell_text(v)
    return " ".join(t.split()) if t else ""


# --- header detection ----------------------------------------------------------------------------


@dataclass
class _Header:
    first: int
    """0-based index of the (upper) header row within the sheet."""
    last: int
    """0-based index of the last header row (first + 1 for a two-row header)."""
    names: list[str]


def _resolves(text: str, extra: dict[str, str] | None) -> bool:
    if not text:
        return False
    return _known_header(text) if not extra else resolve_header(text, extra) is not None


@lru_cache(maxsize=4096)
def _known_header(text: str) -> bool:
    # The header search looks at ~1,000 cells a sheet, many alike ('0', the same names), and each
    # `resolve_header` folds its text (NFKC, two regular expressions).
    return resolve_header(text) is not None


def _find_header(buf: list[Row], extra: dict[str, str] | None) -> _Header | None:
    best, best_score = -1, 1  # at least 2 known headers, so a lone title word never wins
    best_texts: list[str] = []
    for i, row in enumerate(buf[:HEADER_SCAN_ROWS]):
        texts = [_header_text(v) for v in row]
        score = sum(_resolves(t, extra) for t in texts)
        if score > best_score:
            best, best_score, best_texts = i, score, texts
    if best < 0:
        return None
    # The best single row may be either half of a two-row header: the group labels (with the
    # sub-labels below) or the sub-labels (with the row-spanning labels such as 'Kode TPS' above).
    found = _Header(best, best, _trim(best_texts))
    found_score = best_score
    for upper in (best - 1, best):
        lower = upper + 1
        if upper < 0 or lower >= len(buf):
            continue
        names = _combine([_header_text(v) for v in buf[upper]], [_header_text(v) for v in buf[lower]], extra)
        score = sum(_resolves(t, extra) for t in names)
        if score > found_score:
            found, found_score = _Header(upper, lower, names), score
    return found


def _trim(texts: list[str]) -> list[str]:
    n = len(texts)
    while n and not texts[n - 1]:
        n -= 1
    return texts[:n]


def _combine(upper: list[str], lower: list[str], extra: dict[str, str] | None) -> list[str]:
    """Two header rows as one: 'Jumlah DPT' merged over 'L', 'P', 'JML' -> 'Jumlah DPT L' ..."""
    upper, lower = _trim(upper), _trim(lower)
    width = max(len(upper), len(lower))
    upper = upper + [""] * (width - len(upper))
    lower = lower + [""] * (width - len(lower))
    # Read-only mode returns only the top-left cell of a merged range, so a group label has to be
    # carried right over the sub-labels it was merged across.
    filled: list[str] = []
    carry = ""
    for u in upper:
        carry = u or carry
        filled.append(carry)
    names: list[str] = []
    for c, (u, f, lo) in enumerate(zip(upper, filled, lower, strict=True)):
        if not lo:
            # Not the carried label: a column right of a group without a sub-label is not in it.
            names.append(u)
        elif not f:
            names.append(lo)
        elif _resolves(both := f"{f} {lo}", extra):
            names.append(both)
        elif _resolves(lo, extra) and _in_group(upper, lower, c):
            # A group over complete labels ("Perolehan Suara" over "Paslon 01"). Only inside a
            # merged span: otherwise a data row under a one-row header, holding a value such as
            # 'TPS' or 'KOTA', could pass for a row of sub-labels.
            names.append(lo)
        else:
            names.append(both)
    return names


def _in_group(upper: list[str], lower: list[str], c: int) -> bool:
    """Whether column `c` lies under an upper label merged across several columns."""
    if not upper[c]:
        return True
    return c + 1 < len(upper) and not upper[c + 1] and bool(lower[c + 1])


# --- sheet choice --------------------------------------------------------------------------------


@dataclass
class _Scan:
    ws: Any
    buf: list[Row]
    rest: Generator[Row, None, None]
    header: _Header | None
    empty: bool


def _scan(ws: Any, display: str, extra: dict[str, str] | None) -> _Scan:
    rows = _guarded_rows(ws, display)
    # One row past the scan window, in case the header's second row is row 31.
    buf = list(islice(rows, HEADER_SCAN_ROWS + 1))
    header = _find_header(buf, extra)
    empty = header is None and len(buf) <= HEADER_SCAN_ROWS and not any(_nonblank(r) for r in buf)
    return _Scan(ws, buf, rows, header, empty)


def _nonblank(row: Row) -> bool:
    return any(v is not None and (v.__class__ is not str or v.strip()) for v in row)


def _quoted(names: Sequence[str]) -> str:
    return ", ".join(f"'{n}'" for n in names)


def _pick_sheet(ws_list: list[Any], wanted: str) -> Any | None:
    for ws in ws_list:
        if ws.title == wanted:
            return ws
    key = wanted.strip().casefold()
    loose = [ws for ws in ws_list if ws.title.strip().casefold() == key]
    if len(loose) == 1:
        return loose[0]
    if wanted.strip().isdigit() and 1 <= int(wanted) <= len(ws_list):
        return ws_list[int(wanted) - 1]
    return None


def _choose(
    ws_list: list[Any], display: str, sheet: str | None, extra: dict[str, str] | None
) -> tuple[_Scan, _Header, list[str]]:
    titles = [ws.title for ws in ws_list]
    if sheet is not None:
        ws = _pick_sheet(ws_list, sheet)
        if ws is None:
            raise InputError(
                _("{path}: tidak ada lembar bernama '{sheet}'", path=display, sheet=sheet),
                hint=_("lembar di berkas ini: {sheets}; pilih satu dengan --sheet", sheets=", ".join(titles)),
            )
        scan = _scan(ws, display, extra)
        if scan.header is None:
            _no_header(display, scan, [])
        return scan, scan.header, []

    scans: list[_Scan] = []
    for ws in ws_list:
        scan = _scan(ws, display, extra)
        if scan.header is None:
            scan.rest.close()  # release the zip member now rather than at garbage collection
        else:
            notes = []
            if len(ws_list) > 1:
                others = _quoted([t for t in titles if t != ws.title])
                notes.append(_("lembar '{sheet}' (lembar lain: {others}; pilih dengan --sheet)", sheet=ws.title,
                               others=others))
            return scan, scan.header, notes
        scans.append(scan)
    _no_sheet_with_header(display, scans, titles)


def _no_sheet_with_header(display: str, scans: list[_Scan], titles: list[str]) -> NoReturn:
    if not scans:
        raise InputError(_("{path}: buku kerja tidak memiliki lembar kerja", path=display), hint=_(_RESAVE_HINT))
    if all(s.empty for s in scans):
        if len(scans) == 1:
            raise InputError(_("{path}: lembar '{sheet}' kosong", path=display, sheet=titles[0]))
        raise InputError(_("{path}: semua lembar kosong ({sheets})", path=display, sheets=_quoted(titles)))
    first = next(s for s in scans if not s.empty)
    _no_header(display, first, [t for t in titles if t != first.ws.title])


def _read_sheets(
    con: duckdb.DuckDBPyConnection,
    wb: Any,
    prefix: str,
    display: str,
    wanted: Sequence[str] | None,
    extra: dict[str, str] | None,
) -> WorkbookTables:
    ws_list = list(wb.worksheets)
    titles = [ws.title for ws in ws_list]
    if not ws_list:
        _no_sheet_with_header(display, [], titles)
    chosen: set[int] | None = None
    if wanted is not None:
        chosen = set()
        for w in wanted:
            ws = _pick_sheet(ws_list, w)
            if ws is None:
                raise InputError(
                    _("{path}: tidak ada lembar bernama '{sheet}'", path=display, sheet=w),
                    hint=_("lembar di berkas ini: {sheets}; pilih dengan --sheet", sheets=", ".join(titles)),
                )
            chosen.add(next(i for i, other in enumerate(ws_list) if other is ws))
    tables: list[SheetTable] = []
    skipped: list[tuple[str, str, tuple[str, ...]]] = []
    header_only: list[SheetTable] = []
    unread: list[_Scan] = []
    fallback: _Scan | None = None

    def load(scan: _Scan, header: _Header) -> SheetTable:
        return SheetTable(scan.ws.title, _load(con, scan, header, f"{prefix}_{len(tables) + len(header_only)}", []))

    try:
        for i, ws in enumerate(ws_list):
            if chosen is not None and i not in chosen:
                skipped.append((ws.title, "not_chosen", ()))
                continue
            scan = _scan(ws, display, extra)
            if scan.header is None:
                scan.rest.close()  # release the zip member now rather than at garbage collection
                if chosen is not None:
                    _no_header(display, scan, [])
                skipped.append((ws.title, "empty" if scan.empty else "no_header", ()))
                unread.append(scan)
            elif chosen is not None:
                tables.append(load(scan, scan.header))
            elif not any(resolve_header(n, extra) == "kode_tps" for n in scan.header.names if n):
                skipped.append((ws.title, "no_tps_code", tuple(n for n in scan.header.names if n)[:5]))
                if fallback is None:
                    fallback = scan  # kept open: read if no sheet of the workbook is a TPS sheet
                else:
                    scan.rest.close()
            else:
                read = load(scan, scan.header)
                if read.raw.rows:
                    tables.append(read)
                else:
                    # A TPS sheet not filled in yet (a template for one more kecamatan): listed, not read.
                    header_only.append(read)
                    skipped.append((ws.title, "no_rows", ()))
        if not tables:
            # No TPS sheet with data: read the sheet `read_xlsx` would read, so that the caller's
            # usual error says what is missing (no data rows below the header, no TPS code column).
            if header_only:
                tables, header_only = header_only[:1], header_only[1:]
            elif fallback is not None and fallback.header is not None:
                tables.append(load(fallback, fallback.header))
                fallback = None
            else:
                _no_sheet_with_header(display, unread, titles)
            read_title = tables[0].sheet
            skipped = [s for s in skipped if s[0] != read_title]
    finally:
        if fallback is not None:
            fallback.rest.close()
    for extra_table in header_only:
        con.execute(f"DROP TABLE {quote_ident(extra_table.raw.table)}")
    return WorkbookTables(tables=tables, skipped=skipped, sheet_count=len(ws_list))


def _no_header(display: str, scan: _Scan, other_titles: list[str]) -> NoReturn:
    title = scan.ws.title
    if scan.empty:
        raise InputError(_("{path}: lembar '{sheet}' kosong", path=display, sheet=title))
    if other_titles:
        hint = _("baris judul kolom harus menamai kolom kode TPS, mis. 'Kode TPS'; atau petakan kolom dengan "
                 "--columns map.toml (lembar lain, {others}, juga tidak memiliki baris judul kolom)",
                 others=_quoted(other_titles))
    else:
        hint = _("baris judul kolom harus menamai kolom kode TPS, mis. 'Kode TPS'; atau petakan kolom dengan "
                 "--columns map.toml")
    raise InputError(
        _("{path}: baris judul kolom tidak ditemukan di lembar '{sheet}' (sudah dilihat {rows} baris pertama)",
          path=display, sheet=title, rows=HEADER_SCAN_ROWS),
        hint=hint,
    )


# --- reading -------------------------------------------------------------------------------------


def _read_workbook(
    con: duckdb.DuckDBPyConnection,
    wb: Any,
    table: str,
    display: str,
    sheet: str | None,
    extra: dict[str, str] | None,
) -> RawTable:
    scan, header, notes = _choose(list(wb.worksheets), display, sheet, extra)
    return _load(con, scan, header, table, notes)


def _load(con: duckdb.DuckDBPyConnection, scan: _Scan, header: _Header, table: str, notes: list[str]) -> RawTable:
    """Read the rest of a scanned sheet below `header` into DuckDB table `table`."""
    if header.first == header.last:
        notes.append(_("baris judul kolom di baris {row}", row=header.first + 1))
    else:
        notes.append(_("baris judul kolom di baris {first}-{last} (judul kelompok digabung)", first=header.first + 1,
                       last=header.last + 1))

    if isinstance(scan.ws, _FastSheet):
        columns, rownums, skipped = _fast_data(scan.ws, header)
        width = len(columns)
    else:
        columns, rownums, skipped, width = _openpyxl_data(scan, header)

    names: list[str] = []
    kept: list[list[str | None]] = []
    letters: list[str] = []
    unnamed: list[str] = []
    for c in range(width):
        name = header.names[c] if c < len(header.names) else ""
        if not name:
            if not any(columns[c]):
                continue
            name = f"kolom_{_column_letter(c + 1)}"
            unnamed.append(name)
        names.append(name)
        kept.append(columns[c])
        letters.append(_column_letter(c + 1))
    if unnamed:
        notes.append(_("kolom tanpa judul dinamai dengan hurufnya: {names}", names=", ".join(unnamed)))
    headers = _dedupe(names, letters, notes)
    if skipped:
        notes.append(n_("{n} baris kosong di sela data dilewati", "{n} baris kosong di sela data dilewati", skipped))

    if isinstance(scan.ws, _FastSheet) and rownums and _store_as_lines(con, table, headers, kept, rownums):
        return RawTable(table=table, headers=headers, rows=len(rownums), format="xlsx", notes=notes)
    import pyarrow as pa

    arrays = [_string_array(col) for col in kept]
    arrays.append(_int64_array(rownums))
    arrow = pa.Table.from_arrays(arrays, names=[*headers, "_row"])
    tmp = f"__rekap_xlsx_{uuid.uuid4().hex}"
    con.register(tmp, arrow)
    try:
        # Both names are quoted identifiers, not user values.
        con.execute(f"CREATE OR REPLACE TABLE {quote_ident(table)} AS SELECT * FROM {quote_ident(tmp)}")  # noqa: S608
    finally:
        con.unregister(tmp)
    return RawTable(table=table, headers=headers, rows=len(rownums), format="xlsx", notes=notes)


def _openpyxl_data(scan: _Scan, header: _Header) -> tuple[list[list[str | None]], list[int], int, int]:
    """The rows below `header` as text columns, their Excel row numbers, the blank rows between data
    rows, and the width."""
    data: list[list[str | None]] = []
    rownums: list[int] = []
    skipped = pending = 0
    rownum = header.last + 2  # Excel row of the first data row
    for row in chain(scan.buf[header.last + 1 :], scan.rest):
        # str/None/int cover nearly every cell; spelling them out here avoids a call per cell.
        conv = [v if v is None or v.__class__ is str else str(v) if v.__class__ is int else _cell_text(v) for v in row]
        # Converted non-strings are never blank, so only str cells need the whitespace test.
        if any(conv) and any(v.strip() for v in conv if v):
            data.append(conv)
            rownums.append(rownum)
            skipped += pending
            pending = 0
        else:
            # Trailing blank (often just formatted) rows are invisible in Excel; only gaps between
            # data rows are worth telling the user about.
            pending += 1
        rownum += 1

    _fill_uncomputed_formulas(scan.ws, data, rownums)
    width = max([len(header.names), *map(len, data)])
    for r in data:
        if len(r) < width:
            r.extend([None] * (width - len(r)))
    # Lists, not zip's tuples: pyarrow builds a string array from a list ~5× faster.
    columns: list[list[str | None]] = [list(c) for c in zip(*data, strict=True)] if data else [[]] * width
    return columns, rownums, skipped, width


def _fast_data(ws: _FastSheet, header: _Header) -> tuple[list[list[str | None]], list[int], int]:
    """`_openpyxl_data` for a sheet calamine read (text already, column by column): the same columns
    (as wide as the header or the sheet, whichever is wider), row numbers and blank rows."""
    first = header.last + 1
    below = [c[first:] for c in ws.columns]
    # A row counts when a cell has more than whitespace (as in `_openpyxl_data`; empty cells are None).
    # Column by column, looking only at the rows not yet known to count: mostly the first column decides.
    height = len(below[0]) if below else 0
    blank: list[int] | range = range(height)
    for c in below:
        blank = [i for i in blank if not ((v := c[i]) and v.strip())]
        if not blank:
            break
    gone = set(blank)
    keep = [i for i in range(height) if i not in gone] if gone else list(range(height))
    n = len(keep)
    if not n:
        return [[] for _ in header.names], [], 0
    if keep[-1] + 1 != n:  # a gap between data rows
        pick = itemgetter(*keep)
        below = [list(pick(c)) for c in below] if n > 1 else [[c[keep[0]]] for c in below]
    elif len(below[0]) != n:  # blank rows at the end only
        below = [c[:n] for c in below]
    below += [[None] * n for _ in range(len(header.names) - len(below))]
    return below, [first + 1 + i for i in keep], keep[-1] + 1 - n


# Between the fields and the lines of `_store_as_lines`: characters XML 1.0 does not allow, so no text
# calamine read can hold them (written escaped, as _x001F_, they send the workbook to openpyxl).
_FIELD, _LINE = "\x1f", "\n"
_MAX_LINE = 500_000  # characters: under DuckDB's 2 MB line limit in UTF-8


def _store_as_lines(con: duckdb.DuckDBPyConnection, table: str, headers: list[str], columns: list[list[str | None]],
                    rownums: list[int]) -> bool:
    """Write a calamine sheet's text into `table` through DuckDB's CSV reader: the cells joined into
    lines (in C), written to a temporary file and read back as VARCHAR (empty field: NULL).

    Cheaper than building Arrow arrays cell by cell (and needs no pyarrow, ~0.15 s to import). Only for
    calamine's text: it has no empty strings (an empty cell is None) and no character below U+0020
    other than tab, LF and CR. False, with nothing written, when a text holds a line break (or anything
    would not come back exactly): the caller then builds Arrow arrays.
    """
    import os
    import tempfile

    import duckdb

    filled = [column if None not in column else list(map(_NONE_AS_EMPTY.get, column, column)) for column in columns]
    text = _LINE.join(map(_FIELD.join, zip(map(str, rownums), *filled, strict=True)))
    del filled
    n = len(rownums)
    if "\r" in text or text.count(_LINE) != n - 1 or text.count(_FIELD) != n * len(columns):
        return False
    if len(text) > _MAX_LINE and max(map(len, text.split(_LINE))) > _MAX_LINE:
        return False
    try:
        fd, path = tempfile.mkstemp(prefix="rekap-xlsx-", suffix=".txt")
    except OSError:
        return False
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.write(_LINE)
        names = [f"c{i}" for i in range(len(columns))]
        types = ", ".join(["'_row': 'BIGINT'", *(f"'{n}': 'VARCHAR'" for n in names)])
        select = ", ".join(f"{n} AS {quote_ident(h)}" for n, h in zip(names, headers, strict=True))
        # Every name is generated here or a quoted identifier; the path is a parameter.
        con.execute(
            f"""CREATE OR REPLACE TABLE {quote_ident(table)} AS SELECT {select}{', ' if select else ''}_row
                FROM read_csv($path, header = false, auto_detect = false, delim = '\x1f', quote = '', escape = '',
                              new_line = '\\n', strict_mode = true, parallel = false, columns = {{{types}}})""",  # noqa: S608
            {"path": path},
        )
    except (duckdb.Error, OSError):  # not expected (a full disk?); the Arrow way then stores the same text
        return False
    finally:
        os.unlink(path)
    return True


_NONE_AS_EMPTY: dict[Any, str] = {None: ""}


def _string_array(values: list[str | None]) -> Any:
    """A pyarrow string array of `values` (text or None), built without `pa.array`: that checks
    whether its argument is a pandas object and so imports pandas (~0.3 s), which nothing else in
    `rekap validate` of a workbook needs."""
    import pyarrow as pa

    builder = pa.lib.StringBuilder()
    builder.append_values(values)
    return builder.finish()


def _int64_array(values: list[int]) -> Any:
    """A pyarrow int64 array of `values`, without `pa.array` (see `_string_array`)."""
    import array

    import pyarrow as pa

    return pa.Array.from_buffers(pa.int64(), len(values), [None, pa.py_buffer(array.array("q", values))])


def _fill_uncomputed_formulas(ws: Any, data: list[list[str | None]], rownums: list[int]) -> None:
    """Put the formula text into cells whose formula has no saved result.

    Excel and LibreOffice save each formula's last result, which is what rekap reads; a workbook
    written by a program that does not calculate (a script, some exporters) has none, and the cell
    would look empty. Its formula text (`=I4+J4+K4`) is kept instead, so the number check reports
    it (S002) rather than the count silently going missing.
    """
    import xml.etree.ElementTree as ET

    if isinstance(ws, _FastSheet):
        return  # read by calamine only when no sheet holds a formula
    archive, part = getattr(ws.parent, "_archive", None), getattr(ws, "_worksheet_path", None)
    if archive is None or part is None:
        return
    try:
        xml = archive.read(part)
    except (KeyError, OSError, zipfile.BadZipFile):
        return
    if b"<f" not in xml and b":f" not in xml:
        return  # no formula at all: the common case, no second look
    where = {r: i for i, r in enumerate(rownums)}
    ref = re.compile(r"([A-Z]+)(\d+)")
    for _event, el in ET.iterparse(io.BytesIO(xml)):
        if el.tag.rsplit("}", 1)[-1] != "c":
            continue
        kids = {k.tag.rsplit("}", 1)[-1]: k for k in el}
        if "f" in kids and not (kids.get("v") is not None and (kids["v"].text or "").strip()):
            m = ref.fullmatch(el.get("r", ""))
            if m and int(m.group(2)) in where:
                col = 0
                for ch in m.group(1):
                    col = col * 26 + ord(ch) - 64
                row = data[where[int(m.group(2))]]
                if len(row) < col:
                    row.extend([None] * (col - len(row)))
                if row[col - 1] is None:
                    row[col - 1] = "=" + (kids["f"].text or "?")
        el.clear()


def _column_letter(n: int) -> str:
    """Excel's letters of 1-based column `n` (1 → A, 27 → AA), as openpyxl's, without importing
    openpyxl (~0.3 s) when calamine read the workbook."""
    letters = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def _dedupe(names: list[str], letters: list[str], notes: list[str]) -> list[str]:
    """Unique column names; DuckDB compares identifiers case-insensitively, so this does too."""
    used = {"_row"}
    positions: dict[str, list[int]] = {}
    out: list[str] = []
    for i, name in enumerate(names):
        positions.setdefault(name.casefold(), []).append(i)
        final, k = name, 1
        while final.casefold() in used:
            k += 1
            final = f"{name}__{k}"
        used.add(final.casefold())
        out.append(final)
    for idx in positions.values():
        if len(idx) > 1:
            cols = [letters[i] for i in idx]
            where = _("{first} dan {last}", first=", ".join(cols[:-1]), last=cols[-1])
            notes.append(_("judul kolom ganda '{name}' di kolom {columns}", name=names[idx[0]], columns=where))
    return out
