"""Readers: turn the files people actually have into one canonical table in DuckDB.

`load_dataset` reads every input (CSV/TSV, XLSX, Parquet, Sirekap JSON/JSONL, stdin), maps each
input's headers onto canonical names, and stacks them into `rk_raw` with `_row` (spreadsheet row)
and `_file` (source index). A source is one file, or one sheet of a workbook: every sheet with a TPS
code column is read, and every other sheet is listed as skipped with its reason. Rows that cannot
be parsed at all are kept in `rk_rejected` with their reason, so that every input row is accounted for.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from rekap.dataset import RAW_ALL, ColumnMapping, Dataset, SkippedSheet, Source
from rekap.db import count
from rekap.errors import InputError, UsageError
from rekap.i18n import N_, _
from rekap.io.base import RawTable, scan_file
from rekap.io.columns import map_headers
from rekap.schema import CANONICAL_COLUMNS, canonical_order, quote_ident

if TYPE_CHECKING:
    from rekap.io.excel import Parsed

FORMATS = ("auto", "csv", "xlsx", "parquet", "json")
STDIN = "-"


@dataclass(frozen=True)
class LoadOptions:
    input_format: str = "auto"
    sheets: tuple[str, ...] = ()
    """--sheet as given: SHEET (every workbook) or FILE:SHEET (that file), see `parse_sheet_options`."""
    column_map: dict[str, str] | None = None
    paslon: dict[str, int] | None = None
    delimiter: str | None = None


_MAGIC: list[tuple[bytes, str]] = [
    (b"PK\x03\x04", "xlsx"),
    (b"PAR1", "parquet"),
    (b"\x89PNG", "png"),
    (b"%PDF", "pdf"),
    (b"GIF8", "gif"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"\xd0\xcf\x11\xe0", "xls"),
    (b"\x1f\x8b", "gzip"),
]


def sniff_format(head: bytes, name: str) -> str:
    """The format of an input from its first bytes (extensions lie: files get renamed)."""
    for magic, fmt in _MAGIC:
        if head.startswith(magic):
            return fmt
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:1] in (b"{", b"["):
        return "json"
    lower = name.lower()
    if lower.endswith((".jsonl", ".ndjson", ".json")) and not stripped:
        return "json"
    return "csv"


_UNSUPPORTED = {
    "png": N_("gambar PNG"),
    "pdf": N_("dokumen PDF"),
    "gif": N_("gambar GIF"),
    "jpeg": N_("gambar JPEG"),
    "xls": N_("buku kerja Excel lama (.xls)"),
    "gzip": N_("arsip gzip"),
}


def file_sha256(path: Path) -> str:
    return scan_file(path)[0]


def _line_count(scanned: Future[tuple[str, int]]) -> Callable[[], int]:
    return lambda: scanned.result()[1]


INPUT_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".parquet", ".json", ".jsonl", ".ndjson")
"""The files of a folder that a file set (`expand_set`) takes: those rekap reads."""
GLOB_CHARS = frozenset("*?[")


def expand_set(spec: str) -> list[str]:
    """One side of `rekap diff` as files: a file, a folder (its files rekap reads, by name; not its
    subfolders), a glob pattern in quotes (`'snap_0220/*.csv'`, matches by name) or several of these joined by
    commas; '-' is stdin. Nothing matching is a usage error, never an empty side."""
    out: list[str] = []
    for item in (p.strip() for p in spec.split(",")):
        if not item:
            continue
        if item == STDIN:
            out.append(item)
        elif GLOB_CHARS & set(item):
            import glob

            matches = sorted(m for m in glob.glob(item) if Path(m).is_file())
            if not matches:
                raise UsageError(_("{pattern}: tidak ada berkas yang cocok", pattern=item),
                                 hint=_("periksa polanya; beri tanda kutip agar shell tidak mengurainya"))
            out += matches
        elif Path(item).is_dir():
            files = sorted(str(p) for p in Path(item).iterdir()
                           if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES and not p.name.startswith("."))
            if not files:
                raise UsageError(_("{folder}: folder ini tidak berisi berkas yang dibaca rekap ({suffixes})",
                                   folder=item, suffixes=" ".join(INPUT_SUFFIXES)))
            out += files
        else:
            out.append(item)
    if not out:
        raise UsageError(_("tidak ada berkas masukan"), hint=_("mis. rekap validate tps.csv (pakai - untuk stdin)"))
    return out


def _check_path(path_text: str) -> Path:
    path = Path(path_text)
    if not path.exists():
        raise InputError(_("{path}: berkas tidak ada", path=path_text))
    if path.is_dir():
        raise InputError(_("{path}: ini folder, bukan berkas", path=path_text),
                         hint=_("berikan berkas di dalamnya, mis. DIR/*.csv"))
    if not os.access(path, os.R_OK):
        raise InputError(_("{path}: akses ditolak", path=path_text))
    return path


def read_one(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    display: str,
    table: str,
    tmpdir: str,
    options: LoadOptions,
    lines: Callable[[], int] | None = None,
) -> tuple[RawTable, list[tuple[int, str, str]]]:
    """Read one input into `table`; return it and its rejected rows (row, reason, raw text). `lines`
    gives the file's line count when a pass over it already makes one (see `scan_file`). A workbook
    is read as one table: its first sheet with a header (`load_dataset` reads every TPS sheet)."""
    fmt = _input_format(path, display, options)
    if fmt == "csv":
        from rekap.io.csv import read_csv, reject_reason

        raw, rejects = read_csv(con, path, table, display, tmpdir, options.delimiter, options.column_map, lines)
        return raw, [(r.row, reject_reason(r.reason), r.text) for r in rejects]
    if fmt == "xlsx":
        from rekap.io.excel import read_xlsx

        return read_xlsx(con, path, table, display, extra=options.column_map), []
    if fmt == "parquet":
        from rekap.io.base import literal_path

        return _read_parquet(con, literal_path(path, tmpdir), table, display), []
    if fmt == "json":
        from rekap.io.sirekap import read_sirekap

        return read_sirekap(con, path, table, display, options.paslon, filename_hint=path.name, lines=lines), []
    raise UsageError(_("format masukan tidak dikenal {fmt!r}", fmt=fmt),
                     hint=_("pakai salah satu dari: {choices}", choices=", ".join(FORMATS)))


def _input_format(path: Path, display: str, options: LoadOptions) -> str:
    with open(path, "rb") as fh:
        head = fh.read(8192)
    fmt = options.input_format if options.input_format != "auto" else sniff_format(head, display)
    if fmt in _UNSUPPORTED:
        hint = _("simpan sebagai .xlsx") if fmt == "xls" else _("berikan berkas CSV, XLSX, Parquet, atau JSON Sirekap")
        raise InputError(_("{path}: ini {what}, bukan tabel yang dapat dibaca rekap", path=display,
                           what=_(_UNSUPPORTED[fmt])), hint=hint)
    if not head:
        raise InputError(_("{path}: berkas kosong", path=display))
    return fmt


# Excel refuses these in a sheet name, so a --sheet value holding one names no sheet.
_NOT_IN_SHEET_NAMES = ":\\/?*[]"


def split_sheet_option(value: str) -> tuple[str | None, str]:
    """`--sheet` as (FILE or None, SHEET): split at the last colon, unless what follows it holds a
    slash or backslash, in which case it is no sheet name (a Windows path, `C:\\data\\kab.xlsx`)."""
    head, colon, tail = value.rpartition(":")
    if not colon or "\\" in tail or "/" in tail:
        return None, value
    return head, tail


def parse_sheet_options(values: Sequence[str], inputs: Sequence[str]) -> tuple[tuple[str, ...], dict[int, tuple[str, ...]]]:
    """--sheet values as (sheets of every workbook, sheets per input index).

    `SHEET` (a name or a 1-based number) applies to every workbook, `FILE:SHEET` to the inputs that are
    FILE (as given on the command line, or the same file by its resolved path). An input with sheets
    of its own reads those only; the others read the sheets given for every workbook, or all their
    TPS sheets when there are none.
    """
    every: list[str] = []
    per_file: dict[int, list[str]] = {}
    for value in values:
        file, sheet = split_sheet_option(value)
        if file is None:
            if any(c in sheet for c in _NOT_IN_SHEET_NAMES) or not sheet.strip():
                raise UsageError(
                    _("--sheet '{value}' tidak menyebut lembar (nama lembar tidak boleh kosong atau memuat "
                      ": \\ / ? * [ ])", value=value),
                    hint=_("berikan nama atau nomor lembar, atau FILE:SHEET untuk satu berkas, "
                           "mis. --sheet 'kab.xlsx:Kec A'"),
                )
            if sheet not in every:
                every.append(sheet)
            continue
        if not sheet.strip():
            raise UsageError(_("--sheet '{value}' tidak menyebut lembar sesudah titik dua", value=value),
                             hint=_("mis. --sheet 'kab.xlsx:Kec A'"))
        matched = _inputs_named(file, inputs)
        if not matched:
            raise UsageError(
                _("--sheet '{value}': '{file}' bukan salah satu berkas masukan", value=value, file=file),
                hint=_("tulis FILE persis seperti di baris perintah, mis. --sheet 'kab.xlsx:Kec A'"),
            )
        for i in matched:
            chosen = per_file.setdefault(i, [])
            if sheet not in chosen:
                chosen.append(sheet)
    return tuple(every), {i: tuple(v) for i, v in per_file.items()}


def _inputs_named(file: str, inputs: Sequence[str]) -> list[int]:
    def resolved(p: str) -> str | None:
        try:
            return str(Path(p).resolve())
        except (OSError, RuntimeError):
            return None

    target = resolved(file) if file != STDIN else None
    return [i for i, given in enumerate(inputs)
            if given == file or (target is not None and given != STDIN and resolved(given) == target)]


def _sql_literal(value: str) -> str:
    # A view's definition cannot hold a bound parameter; the path is quoted as a SQL string literal.
    return "'" + value.replace("'", "''") + "'"


def _read_parquet(con: duckdb.DuckDBPyConnection, path: Path, table: str, display: str) -> RawTable:
    try:
        own = [str(r[0]) for r in con.execute(
            f"DESCRIBE SELECT * FROM read_parquet({_sql_literal(str(path))})").fetchall()]
        # The file's own columns come first and keep their names; a column of its own named like
        # rekap's row number (`_row`, `file_row_number`) is kept under another name, not mistaken for it.
        select = ", ".join(
            f"{quote_ident(c)} AS {quote_ident(c + ' (input)' if c in ('_row', '_file', 'file_row_number') else c)}"
            for c in own
        )
        con.execute(
            f"""CREATE OR REPLACE VIEW {quote_ident(table)} AS
                SELECT {select}, (rk_file_row_number + 2)::BIGINT AS _row
                FROM (SELECT *, file_row_number AS rk_file_row_number
                      FROM read_parquet({_sql_literal(str(path))}, file_row_number = true))"""
        )
        con.execute(f"SELECT * FROM {quote_ident(table)} LIMIT 0").fetchall()
    except duckdb.Error as exc:
        raise InputError(_("{path}: tidak dapat dibaca sebagai Parquet ({error})", path=display,
                           error=str(exc).splitlines()[0])) from None
    cols = [r[0] for r in con.execute(f"DESCRIBE {quote_ident(table)}").fetchall() if r[0] != "_row"]
    # The row count is in the file's footer: no scan.
    n = count(con, "SELECT num_rows FROM parquet_file_metadata($p)", {"p": str(path)})
    return RawTable(table=table, headers=cols, rows=n, format="parquet")


def load_dataset(
    con: duckdb.DuckDBPyConnection,
    inputs: list[str],
    tmpdir: str,
    options: LoadOptions | None = None,
    stdin: bytes | None = None,
) -> Dataset:
    """Read all inputs as one dataset into `rk_raw` (+ `rk_rejected`)."""
    options = options or LoadOptions()
    if options.input_format not in FORMATS:
        raise UsageError(_("format masukan tidak dikenal {fmt!r}", fmt=options.input_format),
                         hint=_("pakai salah satu dari: {choices}", choices=", ".join(FORMATS)))
    if not inputs:
        raise UsageError(_("tidak ada berkas masukan"), hint=_("mis. rekap validate tps.csv (pakai - untuk stdin)"))
    every_sheet, sheets_of = parse_sheet_options(options.sheets, inputs)
    sources: list[Source] = []
    skipped: list[SkippedSheet] = []
    # Hashing runs beside DuckDB's read (hashlib releases the GIL), so the SHA-256 of a large input
    # costs no extra wall time.
    hasher = ThreadPoolExecutor(max_workers=1)
    hashes: list[Future[tuple[str, int]]] = []
    parts: list[str] = []
    con.execute(
        "CREATE OR REPLACE TABLE rk_rejected (_file INTEGER, _row BIGINT, reason VARCHAR, text VARCHAR)"
    )
    present: set[str] = set()
    # Several workbooks: the next one is parsed while this one is read (rekap.io.excel.ReadAhead).
    ahead = None
    if len(inputs) > 1:
        from rekap.io.excel import ReadAhead

        ahead = ReadAhead()
    try:
        for file_index, given in enumerate(inputs):
            if ahead is not None and file_index + 1 < len(inputs):
                upcoming = _workbook_path(inputs[file_index + 1], options)
                if upcoming is not None:
                    ahead.start(upcoming)
            if given == STDIN:
                if stdin is None:
                    raise UsageError(_("'-' diberikan tetapi tidak ada yang dibaca dari stdin"))
                from rekap.io.csv import spool_stdin

                path = spool_stdin(stdin, tmpdir)
                display = "<stdin>"
            else:
                path = _check_path(given)
                display = given
            scanned = hasher.submit(scan_file, path)
            _drop_relation(con, f"rk_in_{file_index}")
            try:
                read = _read_input(con, path, display, f"rk_in_{file_index}", tmpdir, options,
                                   sheets_of.get(file_index), every_sheet, _line_count(scanned),
                                   ahead.take(path) if ahead is not None else None)
            except OSError as exc:
                raise InputError(_("{path}: tidak dapat dibaca ({error})", path=display,
                                   error=exc.strerror or exc)) from None
            skipped += [SkippedSheet(given, display, title, why, headers) for title, why, headers in read.skipped]
            for sheet, raw, rejects in read.tables:
                index = len(sources)
                # A finding points at the file, the sheet and the row.
                name = f"{display} [{sheet}]" if sheet is not None and read.sheet_count > 1 else display
                hashes.append(scanned)
                sources.append(_add_source(con, index, given, name, sheet, raw, rejects, options, present, parts))
    except BaseException:
        hasher.shutdown(wait=False, cancel_futures=True)
        raise
    finally:
        if ahead is not None:
            ahead.close()
    for source, digest in zip(sources, hashes, strict=True):
        source.sha256 = digest.result()[0]
    hasher.shutdown()
    columns = canonical_order(present)
    # UNION ALL BY NAME fills a column that one input lacks with NULL for that input's rows. A view,
    # not a copy: the engine reads each input once, and only the columns it needs.
    union = " UNION ALL BY NAME ".join(f"({p})" for p in parts)
    con.execute(f"CREATE OR REPLACE VIEW {RAW_ALL} AS {union}")
    # What the engine reads: every row, or (with --wilayah) the rows of the scope; see rekap.validate.prepare.
    con.execute(f"CREATE OR REPLACE VIEW rk_raw AS SELECT * FROM {RAW_ALL}")
    con.execute("CREATE OR REPLACE TABLE rk_source_order (source VARCHAR, idx INTEGER)")
    con.executemany("INSERT INTO rk_source_order VALUES (?, ?)", [[s.name, s.index] for s in sources])
    return Dataset(
        con=con,
        sources=sources,
        columns=columns,
        rows_read=sum(s.rows_read for s in sources),
        rows_rejected=sum(s.rows_rejected for s in sources),
        skipped=skipped,
    )


def _drop_relation(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Drop the table or view `name` left by an earlier load on this connection (`rekap diff` loads two
    sides): readers make a table (CSV, XLSX, JSON read in Python) or a view (Parquet, JSON Lines read
    typed), and DuckDB will not replace one kind with the other."""
    kinds = con.execute(
        "SELECT 'VIEW' FROM duckdb_views() WHERE view_name = $n AND NOT internal "
        "UNION ALL SELECT 'TABLE' FROM duckdb_tables() WHERE table_name = $n",
        {"n": name},
    ).fetchall()
    for (kind,) in kinds:
        con.execute(f"DROP {kind} IF EXISTS {quote_ident(name)}")


@dataclass
class _InputRead:
    tables: list[tuple[str | None, RawTable, list[tuple[int, str, str]]]]
    """(sheet or None, table, rejected rows) per source of the input."""
    skipped: list[tuple[str, str, tuple[str, ...]]]
    sheet_count: int = 0


def _workbook_path(given: str, options: LoadOptions) -> Path | None:
    """The path of an input that will be read as a workbook, else None (any doubt: None, and the input is
    read and reported in its turn)."""
    if given == STDIN:
        return None
    try:
        path = _check_path(given)
        return path if _input_format(path, given, options) == "xlsx" else None
    except (InputError, OSError):
        return None


def _read_input(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    display: str,
    table: str,
    tmpdir: str,
    options: LoadOptions,
    own_sheets: tuple[str, ...] | None,
    every_sheet: tuple[str, ...],
    lines: Callable[[], int],
    parsed: Future[Parsed] | None = None,
) -> _InputRead:
    """One TPS input: a workbook gives one table per sheet read, any other file one table. `parsed`: the
    workbook's parse, started ahead."""
    fmt = _input_format(path, display, options)
    if fmt == "xlsx":
        from rekap.io.excel import read_xlsx_sheets

        wanted = own_sheets if own_sheets is not None else (every_sheet or None)
        book = read_xlsx_sheets(con, path, table, display, wanted, extra=options.column_map, parsed=parsed)
        return _InputRead([(t.sheet, t.raw, []) for t in book.tables], book.skipped, book.sheet_count)
    if own_sheets is not None:
        # --sheet SHEET for every workbook passes over other files; one given for this very file cannot.
        raise InputError(
            _("{path}: --sheet '{sheet}' diberikan untuk berkas ini, tetapi berkas ini bukan buku kerja Excel "
              "({fmt})", path=display, sheet=own_sheets[0], fmt=fmt),
            hint=_("--sheet FILE:SHEET untuk masukan .xlsx"),
        )
    raw, rejects = read_one(con, path, display, table, tmpdir, options, lines)
    return _InputRead([(None, raw, rejects)], [])


def _add_source(
    con: duckdb.DuckDBPyConnection,
    index: int,
    given: str,
    display: str,
    sheet: str | None,
    raw: RawTable,
    rejects: list[tuple[int, str, str]],
    options: LoadOptions,
    present: set[str],
    parts: list[str],
) -> Source:
    """Map one table's headers, keep its rejected rows, and add its SELECT to the union."""
    if raw.rows + len(rejects) == 0:
        # A header and nothing below it: most likely the wrong file or sheet, and a recap
        # built from it would look complete with nothing in it.
        raise InputError(_("{path}: tidak ada baris data di bawah baris judul kolom", path=display),
                         hint=_("periksa apakah ini berkas yang benar (dan --sheet)"))
    if raw.canonical:
        mapping = ColumnMapping(mapping={h: h for h in raw.headers})
    else:
        mapping = map_headers(raw.headers, display, options.column_map)
    if "kode_tps" not in mapping.mapping:
        seen = ", ".join(f"'{h}'" for h in raw.headers[:8])
        raise InputError(
            _("{path}: S001 tidak ada kolom kode TPS (kode_tps) di antara judul kolom {seen}", path=display,
              seen=seen),
            hint=_("beri judul 'Kode TPS' atau 'kode_tps', atau petakan dengan --columns map.toml"),
        )
    present.update(mapping.mapping)
    if rejects:
        con.executemany(
            "INSERT INTO rk_rejected VALUES (?, ?, ?, ?)", [[index, r, why, txt] for r, why, txt in rejects]
        )
    select = ", ".join(f"{quote_ident(src)} AS {quote_ident(canon)}" for canon, src in mapping.mapping.items())
    parts.append(f"SELECT {select}, _row, {index}::INTEGER AS _file FROM {quote_ident(raw.table)}")
    return Source(
        index=index,
        path=given,
        name=display,
        format=raw.format,
        rows_read=raw.rows + len(rejects),
        rows_rejected=len(rejects),
        notes=raw.notes,
        mapping=mapping,
        sha256="",
        sheet=sheet,
    )


__all__ = [
    "CANONICAL_COLUMNS", "Dataset", "LoadOptions", "SkippedSheet", "Source", "load_dataset", "parse_sheet_options",
    "sniff_format",
]
