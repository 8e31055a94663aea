"""Renderers: every format is written by DuckDB from the same table, so all formats agree by
construction (and the CLI needs no pyarrow for them).

`write_records(con, table, fmt, ...)` renders a table that lives in a DuckDB connection;
`render(arrow_table, fmt)` does the same for an Arrow table (the library's `report.findings`), through
the very same code, so `rekap validate -f csv` and `render(validate(...).findings, "csv")` are equal.

Text cells that a spreadsheet would run as a formula (starting with = + - @ tab or CR) are written
to CSV with a leading apostrophe, the OWASP-recommended neutralisation; numbers stay numbers. `xlsx`
is one sheet of the same records (`rekap.report.workbook.write_list_xlsx`): header row, text cells that
stay text, numbers as numbers. The readable `table` format is drawn by the renderers of
`rekap.report.text` (findings by default).

The format comes from `-f`, else from the extension of `-o` (`format_for`): an extension rekap does not
write, or one that disagrees with `-f`, is a usage error, so that `-o temuan.xls` never gets CSV bytes.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import duckdb

from rekap.errors import UsageError
from rekap.i18n import _
from rekap.report.files import _stream, _temp_beside, _unlink, _write_all, reason, write_atomic, write_error
from rekap.report.text import findings_text
from rekap.schema import quote_ident

if TYPE_CHECKING:
    import pyarrow as pa

FORMATS = ("table", "csv", "json", "jsonl", "parquet", "xlsx")
EXTENSIONS = {".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet",
              ".txt": "table", ".xlsx": "xlsx"}
BINARY_FORMATS = ("parquet", "xlsx")
"""Formats that are not written to a terminal (the CLI refuses them there; a pipe or a file is fine)."""
# An extension is a dot and a letter, then letters or digits: `hasil.2024` has none (a date, a version).
EXTENSION_RE = re.compile(r"\.[A-Za-z][A-Za-z0-9]*")
FORMULA_START = r"^[=+\-@\t\r]"

TextRenderer = Callable[[Sequence[str], list[tuple[Any, ...]]], bytes]


def format_for(path: str | None, fmt: str | None, extra: tuple[str, ...] = ()) -> str:
    """The output format: -f, else the extension of -o, else a readable table.

    An -o extension rekap does not write (`.xls`, `.pdf`, `.xlsm`, `.gz`) is refused, with or without -f;
    so is an -o extension that names another format than -f (`-f csv -o x.parquet`). An -o name without
    an extension takes -f's format (or the table). `extra` is kept for callers that named formats only
    some commands offered; every format is offered everywhere now."""
    allowed = tuple(dict.fromkeys(FORMATS + extra))
    if fmt and fmt not in allowed:
        raise UsageError(_("format keluaran tidak dikenal {fmt!r}", fmt=fmt),
                         hint=_("pakai salah satu dari: {choices}", choices=", ".join(allowed)))
    by_extension = None
    if path and path != "-":
        suffix = Path(path).suffix
        if EXTENSION_RE.fullmatch(suffix):
            by_extension = EXTENSIONS.get(suffix.lower())
            if by_extension is None:
                raise UsageError(
                    _("-o {path}: rekap tidak menulis berkas {suffix} (rekap menulis {extensions})", path=path,
                      suffix=suffix, extensions=", ".join(EXTENSIONS)),
                    hint=_("pilih salah satu ekstensi itu, atau -f FORMAT dengan nama tanpa ekstensi"),
                )
    if fmt and by_extension and fmt != by_extension:
        fitting = Path(str(path)).stem + _extension_of(fmt)
        raise UsageError(
            _("-f {fmt} tidak sesuai dengan -o {path} (berkas {kind} menurut ekstensinya)", fmt=fmt, path=path,
              kind=by_extension),
            hint=_("hapus -f, atau beri nama berkas {name}", name=fitting),
        )
    return fmt or by_extension or "table"


def _extension_of(fmt: str) -> str:
    return next(ext for ext, f in EXTENSIONS.items() if f == fmt)


def _select(con: duckdb.DuckDBPyConnection, table: str, neutralize: bool) -> tuple[str, list[str]]:
    cols = [(str(r[0]), str(r[1])) for r in con.execute(f"DESCRIBE {quote_ident(table)}").fetchall()]
    parts = []
    for name, dtype in cols:
        q = quote_ident(name)
        if neutralize and dtype == "VARCHAR":
            # A regular expression, not `left(x, 1) IN (...)`: DuckDB 2 plans an IN list of six or more
            # constants as a hash join, which gives up insertion order, and COPY then writes the rows
            # in whatever order the threads finish (seen on the national findings).
            parts.append(f"CASE WHEN regexp_matches({q}, '{FORMULA_START}') THEN '''' || {q} ELSE {q} END AS {q}")
        else:
            parts.append(q)
    return f"SELECT {', '.join(parts)} FROM {quote_ident(table)}", [n for n, _type in cols]


def _copy_options(fmt: str) -> str:
    return {
        "csv": "FORMAT csv, HEADER true, DELIMITER ','",
        "json": "FORMAT json, ARRAY true",
        "jsonl": "FORMAT json",
        "parquet": "FORMAT parquet, COMPRESSION zstd",
    }[fmt]


def write_records(
    con: duckdb.DuckDBPyConnection,
    table: str,
    fmt: str,
    output: str | None,
    stdout: BinaryIO | None,
    tmpdir: str,
    text: TextRenderer | None = None,
    lang: str = "id",
) -> None:
    """Render `table` as `fmt` to the file `output` (atomically) or, when it is None or '-', to `stdout`.
    `text` draws the `table` format (default: the findings, in `lang`); `lang` also names the sheet of
    an xlsx. The records of every other format are the same in every language."""
    if fmt not in FORMATS:
        raise UsageError(_("format keluaran tidak dikenal {fmt!r}", fmt=fmt),
                         hint=_("pakai salah satu dari: {choices}", choices=", ".join(FORMATS)))
    to_file = bool(output) and output != "-"
    if fmt == "xlsx":
        from rekap.report.workbook import write_list_xlsx

        write_list_xlsx(con, table, Path(str(output)) if to_file else _stream(stdout), lang=lang)
        return
    if fmt == "table":
        sql, names = _select(con, table, neutralize=False)
        rows = con.execute(sql).fetchall()
        data = text(names, rows) if text is not None else findings_text(names, rows, lang)
        if to_file:
            write_atomic(Path(str(output)), data)
        else:
            _write_all(stdout, data)
        return
    sql, _names = _select(con, table, neutralize=fmt == "csv")
    if to_file:
        target = Path(str(output))
        tmp = _temp_beside(target)
        try:
            con.execute(f"COPY ({sql}) TO $p ({_copy_options(fmt)})", {"p": str(tmp)})
            os.replace(tmp, target)
        except (OSError, duckdb.IOException) as exc:
            _unlink(tmp)
            raise write_error(target, reason(exc)) from None
        except BaseException:
            _unlink(tmp)
            raise
        return
    fd, name = tempfile.mkstemp(prefix="rekap-out-", suffix="." + fmt, dir=tmpdir)
    os.close(fd)
    try:
        con.execute(f"COPY ({sql}) TO $p ({_copy_options(fmt)})", {"p": name})
        with open(name, "rb") as fh:
            _write_all(stdout, fh.read())
    finally:
        _unlink(Path(name))


def render(table: pa.Table, fmt: str, text: TextRenderer | None = None, lang: str = "id") -> bytes:
    """The bytes `write_records` produces for an Arrow table (same code path as the CLI)."""
    import io

    con = duckdb.connect()
    con.register("rk_render_src", table)
    con.execute("CREATE TABLE rk_render AS SELECT * FROM rk_render_src")
    buf = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="rekap-") as tmpdir:
        write_records(con, "rk_render", fmt, None, buf, tmpdir, text, lang)
    con.close()
    return buf.getvalue()


