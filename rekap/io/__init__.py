"""Readers: turn the files people actually have into one canonical table in DuckDB.

`load_dataset` reads every input (CSV/TSV, XLSX, Parquet, Sirekap JSON/JSONL, stdin), maps each
input's headers onto canonical names, and stacks them into `rk_raw` with `_source` (file),
`_row` (spreadsheet row) and `_file` (input index). Rows that cannot be parsed at all are kept in
`rk_rejected` with their reason, so that every input row is accounted for.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb

from rekap.db import count
from rekap.errors import InputError, UsageError
from rekap.io.base import RawTable, scan_file
from rekap.io.columns import ColumnMapping, map_headers
from rekap.schema import CANONICAL_COLUMNS, canonical_order, quote_ident

FORMATS = ("auto", "csv", "xlsx", "parquet", "json")
RAW_ALL = "rk_raw_all"
"""Every row of every input, as read (`rk_raw` is this, or its rows inside `--wilayah`)."""
STDIN = "-"


@dataclass
class Source:
    index: int
    path: str
    """As given by the user ('-' for stdin)."""
    name: str
    """Shown in findings' `source` field."""
    format: str
    rows_read: int
    rows_rejected: int
    notes: list[str]
    mapping: ColumnMapping
    sha256: str


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
    rows_outside: int = 0
    """Rows left out because their TPS lies outside `--wilayah` (set by the engine)."""


@dataclass(frozen=True)
class LoadOptions:
    input_format: str = "auto"
    sheet: str | None = None
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
    "png": "a PNG image",
    "pdf": "a PDF document",
    "gif": "a GIF image",
    "jpeg": "a JPEG image",
    "xls": "an old Excel .xls workbook",
    "gzip": "a gzip archive",
}


def file_sha256(path: Path) -> str:
    return scan_file(path)[0]


def _line_count(scanned: Future[tuple[str, int]]) -> Callable[[], int]:
    return lambda: scanned.result()[1]


def _check_path(path_text: str) -> Path:
    path = Path(path_text)
    if not path.exists():
        raise InputError(f"{path_text}: no such file")
    if path.is_dir():
        raise InputError(f"{path_text}: is a directory, not a file", hint="give the files inside it, e.g. DIR/*.csv")
    if not os.access(path, os.R_OK):
        raise InputError(f"{path_text}: permission denied")
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
    gives the file's line count when a pass over it already makes one (see `scan_file`)."""
    with open(path, "rb") as fh:
        head = fh.read(8192)
    fmt = options.input_format if options.input_format != "auto" else sniff_format(head, display)
    if fmt in _UNSUPPORTED:
        hint = "save it as .xlsx" if fmt == "xls" else "give a CSV, XLSX, Parquet or Sirekap JSON file"
        raise InputError(f"{display}: this is {_UNSUPPORTED[fmt]}, not a table rekap can read", hint=hint)
    if not head:
        raise InputError(f"{display}: the file is empty")
    if fmt == "csv":
        from rekap.io.csv import read_csv

        raw, rejects = read_csv(con, path, table, display, tmpdir, options.delimiter, options.column_map, lines)
        return raw, [(r.row, r.reason, r.text) for r in rejects]
    if fmt == "xlsx":
        from rekap.io.excel import read_xlsx

        return read_xlsx(con, path, table, display, options.sheet, extra=options.column_map), []
    if fmt == "parquet":
        from rekap.io.base import literal_path

        return _read_parquet(con, literal_path(path, tmpdir), table, display), []
    if fmt == "json":
        from rekap.io.sirekap import read_sirekap

        return read_sirekap(con, path, table, display, options.paslon, filename_hint=path.name), []
    raise UsageError(f"unknown input format {fmt!r}", hint="use one of: " + ", ".join(FORMATS))


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
        raise InputError(f"{display}: cannot be read as Parquet ({str(exc).splitlines()[0]})") from None
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
        raise UsageError(f"unknown input format {options.input_format!r}", hint="use one of: " + ", ".join(FORMATS))
    if not inputs:
        raise UsageError("no input file given", hint="e.g. rekap validate tps.csv (use - for stdin)")
    sources: list[Source] = []
    # Hashing runs beside DuckDB's read (hashlib releases the GIL), so the SHA-256 of a large input
    # costs no extra wall time.
    hasher = ThreadPoolExecutor(max_workers=1)
    hashes: list[Future[tuple[str, int]]] = []
    parts: list[str] = []
    con.execute(
        "CREATE OR REPLACE TABLE rk_rejected (_file INTEGER, _row BIGINT, reason VARCHAR, text VARCHAR)"
    )
    present: set[str] = set()
    try:
        for index, given in enumerate(inputs):
            if given == STDIN:
                if stdin is None:
                    raise UsageError("'-' given but nothing to read on stdin")
                from rekap.io.csv import spool_stdin

                path = spool_stdin(stdin, tmpdir)
                display = "<stdin>"
            else:
                path = _check_path(given)
                display = given
            table = f"rk_in_{index}"
            scanned = hasher.submit(scan_file, path)
            hashes.append(scanned)
            try:
                raw, rejects = read_one(con, path, display, table, tmpdir, options, _line_count(scanned))
            except OSError as exc:
                raise InputError(f"{display}: cannot read ({exc.strerror or exc})") from None
            if raw.rows + len(rejects) == 0:
                # A header and nothing below it: most likely the wrong file or sheet, and a recap
                # built from it would look complete with nothing in it.
                raise InputError(f"{display}: no data rows below the header", hint="check that this is the right file (and --sheet)")
            if raw.canonical:
                mapping = ColumnMapping(mapping={h: h for h in raw.headers})
            else:
                mapping = map_headers(raw.headers, display, options.column_map)
            if "kode_tps" not in mapping.mapping:
                seen = ", ".join(f"'{h}'" for h in raw.headers[:8])
                raise InputError(
                    f"{display}: S001 no TPS code column (kode_tps) among the headers {seen}",
                    hint="name it 'Kode TPS' or 'kode_tps', or map it with --columns map.toml",
                )
            present.update(mapping.mapping)
            if rejects:
                con.executemany(
                    "INSERT INTO rk_rejected VALUES (?, ?, ?, ?)", [[index, r, why, txt] for r, why, txt in rejects]
                )
            select = ", ".join(
                f"{quote_ident(src)} AS {quote_ident(canon)}" for canon, src in mapping.mapping.items()
            )
            parts.append(
                f"SELECT {select}, _row, {index}::INTEGER AS _file "
                f"FROM {quote_ident(table)}"
            )
            sources.append(
                Source(
                    index=index,
                    path=given,
                    name=display,
                    format=raw.format,
                    rows_read=raw.rows + len(rejects),
                    rows_rejected=len(rejects),
                    notes=raw.notes,
                    mapping=mapping,
                    sha256="",
                )
            )
    except BaseException:
        hasher.shutdown(wait=False, cancel_futures=True)
        raise
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
    )


__all__ = ["CANONICAL_COLUMNS", "Dataset", "LoadOptions", "Source", "load_dataset", "sniff_format"]
