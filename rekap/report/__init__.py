"""Renderers: every format renders the same Arrow table, so all formats agree by construction.

Text cells that a spreadsheet would run as a formula (starting with = + - @ tab or CR) are written
to CSV with a leading apostrophe, the OWASP-recommended neutralisation; numbers stay numbers.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import pyarrow as pa
import pyarrow.compute as pc

from rekap.errors import UsageError

FORMATS = ("table", "csv", "json", "jsonl", "parquet")
EXTENSIONS = {".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet", ".txt": "table"}
FORMULA_START = r"^[=+\-@\t\r]"


def format_for(path: str | None, fmt: str | None) -> str:
    if fmt:
        if fmt not in FORMATS:
            raise UsageError(f"unknown output format {fmt!r}", hint="use one of: " + ", ".join(FORMATS))
        return fmt
    if path:
        return EXTENSIONS.get(Path(path).suffix.lower(), "table")
    return "table"


def neutralize_formulas(table: pa.Table) -> pa.Table:
    """Prefix text cells that would start a spreadsheet formula with an apostrophe."""
    cols = []
    for col in table.columns:
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            mask = pc.fill_null(pc.match_substring_regex(col, FORMULA_START), False)
            col = pc.if_else(mask, pc.binary_join_element_wise("'", col, ""), col)
        cols.append(col)
    return pa.Table.from_arrays(cols, schema=table.schema)


def to_csv(table: pa.Table) -> bytes:
    import pyarrow.csv as pacsv

    buf = io.BytesIO()
    pacsv.write_csv(
        neutralize_formulas(table),
        buf,
        write_options=pacsv.WriteOptions(include_header=True, quoting_style="needed", delimiter=","),
    )
    return buf.getvalue()


def _json_rows(table: pa.Table) -> list[dict[str, object]]:
    return table.to_pylist()


def to_jsonl(table: pa.Table) -> bytes:
    lines = [json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in _json_rows(table)]
    return ("\n".join(lines) + ("\n" if lines else "")).encode("utf-8")


def to_json(table: pa.Table) -> bytes:
    return (json.dumps(_json_rows(table), ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def to_parquet(table: pa.Table) -> bytes:
    import pyarrow.parquet as pq

    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd")
    return buf.getvalue()


def findings_text(table: pa.Table) -> bytes:
    """One finding per line, ruff-style: `source:row: kode RULE severity message`."""
    if table.num_rows == 0:
        return b""
    rows = table.select(["source", "row", "kode_wilayah", "rule", "severity", "message"]).to_pylist()
    width = max(len(f"{r['source']}:{r['row']}") for r in rows)
    out = []
    for r in rows:
        loc = f"{r['source']}:{r['row']}" if r["row"] is not None else str(r["source"] or "")
        out.append(f"{loc:<{width}}  {r['kode_wilayah'] or '-':<13}  {r['rule']}  {r['severity']:<7}  {r['message']}")
    return ("\n".join(out) + "\n").encode("utf-8")


def render(table: pa.Table, fmt: str, text: Callable[[pa.Table], bytes] = findings_text) -> bytes:
    if fmt == "csv":
        return to_csv(table)
    if fmt == "json":
        return to_json(table)
    if fmt == "jsonl":
        return to_jsonl(table)
    if fmt == "parquet":
        return to_parquet(table)
    if fmt == "table":
        return text(table)
    raise UsageError(f"unknown output format {fmt!r}", hint="use one of: " + ", ".join(FORMATS))


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temp file beside the target, then rename: no half-written file looks complete."""
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise UsageError(f"{path}: the folder {directory} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise UsageError(f"{path}: cannot write here ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise UsageError(f"{path}: cannot write ({exc.strerror})") from None


def write_output(data: bytes, path: str | None, stdout: BinaryIO) -> None:
    if path and path != "-":
        write_atomic(Path(path), data)
    else:
        # An unbuffered stdout (PYTHONUNBUFFERED) may accept only part of a large write.
        view = memoryview(data)
        while view:
            written = stdout.write(view)
            view = view[written if written is not None else len(view):]
        stdout.flush()
