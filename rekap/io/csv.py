"""CSV/TSV reader: dialect, encoding and header decided once for the whole file.

DuckDB's own sniffer looks at a sample and, on real election files whose first quoted cell
(`"LUBUK PAKAM I,II"`) sits tens of thousands of rows down, settles on "no quote character" and then
fails mid-file. We decide the delimiter and header from the head of the file ourselves and always
read with RFC 4180 quoting (`"` quote, `""` escape), which is right for files with and without
quotes, in one DuckDB pass with the sniffer off. Rows that still cannot be parsed (ragged rows,
an unterminated quote) are not dropped: DuckDB's reject table gives their record number and
reason and they are reported as rejected rows.
"""

from __future__ import annotations

import bisect
import codecs
import csv
import io
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from rekap.db import count
from rekap.errors import InputError
from rekap.i18n import N_, _
from rekap.io.base import RawTable, literal_path, scan_file
from rekap.schema import quote_ident, resolve_header

HEAD_BYTES = 256 * 1024
HEADER_SCAN_LINES = 30
MAX_SWALLOW_DEPTH = 50  # nested re-reads after unterminated quotes
DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": N_("koma"), ";": N_("titik koma"), "\t": N_("tab"), "|": N_("garis tegak")}



REJECT_REASONS: dict[str, str] = {
    "CAST": N_("NILAI TIDAK DAPAT DIBACA"),
    "MISSING COLUMNS": N_("KOLOM KURANG"),
    "TOO MANY COLUMNS": N_("KOLOM TERLALU BANYAK"),
    "UNQUOTED VALUE": N_("NILAI TANPA TANDA KUTIP"),
    "LINE SIZE OVER MAXIMUM": N_("BARIS TERLALU PANJANG"),
    "INVALID ENCODING": N_("PENGODEAN TIDAK SAH"),
    "INVALID STATE": N_("BARIS TIDAK DAPAT DIURAI"),
}
"""DuckDB's reasons for a CSV row it could not parse (`error_type` of its rejects table), as people read
them; the English catalogue gives DuckDB's own words back, so English messages are as before."""


def reject_reason(reason: str) -> str:
    """A rejected row's reason for people, in the process language (rekap's own reasons already are)."""
    text = REJECT_REASONS.get(reason)
    return _(text) if text is not None else reason

@dataclass(frozen=True)
class Dialect:
    encoding: str  # encoding of the original bytes
    delimiter: str
    header_line: int  # 1-based record number of the header row
    headers: list[str]


@dataclass(frozen=True)
class RejectedRow:
    row: int
    reason: str
    text: str


def _decode_head(head: bytes, display: str) -> tuple[str, str]:
    """Guess the encoding from the first bytes; return (encoding, decoded head)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", head[3:].decode("utf-8", errors="replace")
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16", head.decode("utf-16", errors="replace")
    if b"\x00" in head[:4096]:
        # UTF-16 without BOM shows as every other byte NUL in ASCII text.
        zeros_odd = head[1:4096:2].count(0)
        if zeros_odd > len(head[1:4096:2]) * 0.4:
            return "utf-16-le", head.decode("utf-16-le", errors="replace")
        raise InputError(_("{path}: data biner, bukan tabel teks (ada byte NUL di 4 KB pertama)", path=display),
                         hint=_("berikan berkas CSV, XLSX, Parquet, atau JSON Sirekap"))
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        return "utf-8", decoder.decode(head, final=False)
    except UnicodeDecodeError:
        return "cp1252", head.decode("cp1252", errors="replace")


def _cp1252_fallback(err: UnicodeError) -> tuple[str, int]:
    # cp1252 leaves five bytes undefined; Latin-1 maps them to the same code point.
    assert isinstance(err, UnicodeDecodeError)
    return err.object[err.start : err.end].decode("latin-1"), err.end


codecs.register_error("rekap-latin1", _cp1252_fallback)


def _parse_lines(text: str, delimiter: str, limit: int) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', doublequote=True)
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append(row)
            if len(rows) >= limit:
                break
    except csv.Error:
        pass
    return rows


def _header_score(row: list[str]) -> int:
    return sum(1 for cell in row if cell.strip() and resolve_header(cell) is not None)


def sniff(head_text: str, encoding: str, display: str, complete: bool) -> Dialect:
    """Choose delimiter and header row from the head of the file."""
    if not complete:
        # The head may end mid-record; drop the last partial line.
        cut = head_text.rfind("\n")
        head_text = head_text[: cut + 1] if cut >= 0 else head_text
    if not head_text.strip():
        raise InputError(_("{path}: berkas kosong", path=display))
    best: tuple[tuple[int, int, int], str, list[list[str]]] | None = None
    for delim in DELIMITERS:
        rows = [r for r in _parse_lines(head_text, delim, 200) if any(c.strip() for c in r)]
        if not rows:
            continue
        widths = [len(r) for r in rows]
        mode = max(set(widths), key=widths.count)
        consistent = widths.count(mode)
        hits = max(_header_score(r) for r in rows[:HEADER_SCAN_LINES])
        # Prefer the delimiter that recognises header names, then consistent widths, then width.
        key = (hits, consistent if mode > 1 else 0, mode)
        if best is None or key > best[0]:
            best = (key, delim, rows)
    if best is None:
        # Nothing splits into cells: e.g. a lone quote that never closes swallows the whole head.
        raise InputError(_("{path}: baris judul kolom tidak ditemukan (baris-baris pertama tidak terbagi menjadi sel)",
                           path=display), hint=_("baris pertama harus menamai kolom-kolomnya, mis. 'Kode TPS'"))
    _key, delim, _rows = best
    # Record numbers count every record, blank ones included, as DuckDB does.
    all_rows = _parse_lines(head_text, delim, HEADER_SCAN_LINES)
    header_idx = 0
    top = 0
    for i, row in enumerate(all_rows):
        score = _header_score(row)
        if score > top:
            top, header_idx = score, i
    headers = [c.strip() for c in all_rows[header_idx]] if all_rows else []
    if not any(headers):
        raise InputError(_("{path}: baris judul kolom tidak ditemukan", path=display),
                         hint=_("baris pertama harus menamai kolom-kolomnya, mis. 'Kode TPS'"))
    return Dialect(encoding=encoding, delimiter=delim, header_line=header_idx + 1, headers=headers)


def _unique_names(headers: list[str]) -> tuple[list[str], list[str]]:
    seen: dict[str, int] = {}
    names: list[str] = []
    notes: list[str] = []
    for i, h in enumerate(headers):
        name = h if h else f"kolom_{i + 1}"
        if name in seen:
            seen[name] += 1
            notes.append(_("judul kolom ganda '{name}' (kolom {column})", name=name, column=i + 1))
            name = f"{name}__{seen[name]}"
        else:
            seen[name] = 1
        names.append(name)
    return names, notes


def _transcode(path: Path, encoding: str, tmpdir: str) -> Path:
    fd, name = tempfile.mkstemp(prefix="rekap-utf8-", suffix=".csv", dir=tmpdir)  # a plain name: no glob
    os.close(fd)
    out = Path(name)
    errors = "rekap-latin1" if encoding == "cp1252" else "replace"
    with open(path, encoding=encoding, errors=errors, newline="") as src, open(
        out, "w", encoding="utf-8", newline=""
    ) as dst:
        while chunk := src.read(1 << 20):
            dst.write(chunk)
    return out


def read_csv(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    table: str,
    display: str,
    tmpdir: str,
    delimiter: str | None = None,
    column_map: dict[str, str] | None = None,
    lines: Callable[[], int] | None = None,
) -> tuple[RawTable, list[RejectedRow]]:
    """Read a delimited text file into `table` (all VARCHAR) plus `_row`; return rejected rows too.

    Every field is parsed (a row with the wrong number of cells is rejected), but only the columns
    that map to canonical names are stored: the others are listed in the summary and not kept.
    """
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
        complete = len(head) < HEAD_BYTES
    encoding, head_text = _decode_head(head, display)
    dialect = sniff(head_text, encoding, display, complete)
    if delimiter is not None:
        dialect = Dialect(encoding, delimiter, dialect.header_line, dialect.headers)
        rows = _parse_lines(head_text, delimiter, dialect.header_line)
        if rows:
            dialect = Dialect(encoding, delimiter, dialect.header_line, [c.strip() for c in rows[-1]])
    names, notes = _unique_names(dialect.headers)
    named = DELIMITER_NAMES.get(dialect.delimiter)
    notes.insert(0, _("pemisah {name}", name=_(named) if named else repr(dialect.delimiter)))
    source = literal_path(path, tmpdir)
    if encoding not in ("utf-8", "utf-8-sig"):
        source, lines = _transcode(path, encoding, tmpdir), None  # lines counted on the copy
        notes.append(_("pengodean {encoding}", encoding=encoding))
    elif encoding == "utf-8-sig":
        notes.append(_("pengodean utf-8 dengan BOM"))
    if dialect.header_line > 1:
        notes.append(_("baris judul kolom di baris {row}", row=dialect.header_line))
    keep = [n for n in names if resolve_header(n, column_map) is not None] or names[:1]
    try:
        rejects, accepted, _taken = _load(con, source, table, names, dialect, keep=keep, tmpdir=tmpdir, lines=lines)
    except _BadUnicode:
        # Valid UTF-8 at the head but not further down: a legacy-encoded file after all.
        source = _transcode(path, "cp1252", tmpdir)
        notes.append(_("pengodean cp1252 (ada byte bukan UTF-8 setelah baris-baris pertama)"))
        rejects, accepted, _taken = _load(con, source, table, names, dialect, utf8_check=False, keep=keep, tmpdir=tmpdir)
    rows_read = accepted
    return (
        RawTable(table=table, headers=names, rows=rows_read, format="csv", notes=notes),
        rejects,
    )


class _BadUnicode(Exception):
    pass


def _load(
    con: duckdb.DuckDBPyConnection,
    source: Path,
    table: str,
    names: list[str],
    dialect: Dialect,
    utf8_check: bool = True,
    keep: list[str] | None = None,
    tmpdir: str | None = None,
    depth: int = 0,
    lines: Callable[[], int] | None = None,
) -> tuple[list[RejectedRow], int, int]:
    """Read `source` into the view `table` (kept columns + `_row`); return the rejected rows, the
    number of accepted rows and the number of rows (row numbers) the data takes up."""
    qt = quote_ident(table)
    load = quote_ident(table + "__load")
    rej_table, rej_scan = f"{table}__rej", f"{table}__scan"
    kept = keep if keep is not None else names
    stored = ", ".join(quote_ident(n) for n in kept)
    con.execute(f"DROP TABLE IF EXISTS {quote_ident(rej_table)}")
    con.execute(f"DROP TABLE IF EXISTS {quote_ident(rej_scan)}")
    # Physical lines: when they equal the records DuckDB saw, no record spans lines and the checks
    # below are skipped. Counted beside DuckDB's read: by the caller's hashing pass over the input, or
    # here for a file of rekap's own (a transcoded copy, the rest after a stray quote).
    if lines is None:
        from concurrent.futures import ThreadPoolExecutor

        counter = ThreadPoolExecutor(max_workers=1)
        lines = counter.submit(lambda: scan_file(source, sha256=False)[1]).result
        counter.shutdown(wait=False)
    try:
        _read_into(con, load, stored, source, names, dialect, rej_table, rej_scan)
    except duckdb.Error as exc:
        text = str(exc)
        if "unicode" in text.lower() or "utf-8" in text.lower():
            raise _BadUnicode() from exc
        raise InputError(_("{path}: tidak dapat dibaca sebagai CSV ({error})", path=source.name,
                           error=text.splitlines()[0])) from exc
    rejected_rows = con.execute(
        f"""SELECT line AS row, min(error_type)::VARCHAR AS reason, min(csv_line) AS text,
                   min(line_byte_position) AS pos
            FROM {quote_ident(rej_table)} GROUP BY line ORDER BY line"""
    ).fetchall()
    positions = {int(r[0]): int(r[3] or 0) for r in rejected_rows}
    con.execute(f"DROP TABLE IF EXISTS {quote_ident(rej_table)}")
    con.execute(f"DROP TABLE IF EXISTS {quote_ident(rej_scan)}")
    # (after a CRLF record DuckDB starts the next one at the LF: a leading line end is not text)
    rejects = [RejectedRow(int(r), str(reason), str(txt or "").lstrip("\r\n")) for r, reason, txt, _ in rejected_rows]
    if utf8_check and dialect.encoding in ("utf-8", "utf-8-sig") and any(r.reason == "INVALID ENCODING" for r in rejects):
        # Valid UTF-8 in the head but not further down: a legacy-encoded file after all.
        raise _BadUnicode()
    accepted = count(con, f"SELECT count(*) FROM {load}")
    # More lines than records: blank lines (DuckDB skips them, but counts them in the rejected rows'
    # numbers, and a spreadsheet shows them) or records spanning lines. Blank lines are found and put
    # back into the row numbers; spanning records are looked at below.
    spare = lines() - dialect.header_line - accepted - len(rejects)  # lines beyond DuckDB's records
    blanks = _blank_lines(source, dialect.header_line) if spare else []

    def record_row(row: int) -> int:  # a rejected row's number without the blank lines above it
        return row - bisect.bisect_left(blanks, row)

    # A stray quote: DuckDB reads the quoted cell on across line ends, up to the next quote or the end
    # of the file, and rejects all those lines as one record (its text cut at 10,000 characters) or
    # loses them. Only the first line holds the stray quote: everything after it is read again from
    # the file itself, as a file of its own (recursively, for a later stray quote), so that the TPS
    # below are checked and counted with their own row numbers.
    tail: tuple[int, str, list[RejectedRow], int] | None = None  # (record, view, rejects, accepted)
    if tmpdir is not None and depth < MAX_SWALLOW_DEPTH:
        for r in rejects:
            first, sep, _rest = r.text.partition("\n")
            if not sep and r.reason != "UNQUOTED VALUE":
                continue
            found = _after_line(source, positions.get(r.row, 0), first.rstrip("\r"))
            if found is None:
                continue
            start, newline = found  # DuckDB wants one kind of line end in a file
            sub = f"{table}__q{r.row}"
            name = _tail_file(source, start, _header_line(names, dialect.delimiter) + newline, tmpdir)
            if name is None:
                continue  # the stray quote is on the last line: nothing below it
            sub_dialect = Dialect("utf-8", dialect.delimiter, 1, dialect.headers)
            sub_rejects, sub_accepted, _taken = _load(con, name, sub, names, sub_dialect, False, kept, tmpdir, depth + 1)
            tail = (r.row, sub, sub_rejects, sub_accepted)
            break

    # Spreadsheet row of each accepted record: records are numbered in file order; rejected records
    # leave gaps, which the as-of join accounts for. A view, so the data is not copied again; `_rid`
    # (the record's place in this read) is dropped at the end.
    first_data = int(dialect.header_line + 1)
    select_cols = ", ".join(f"acc.{quote_ident(n)}" for n in kept)
    rej_pos = quote_ident(table + "__rejpos")
    con.execute(f"DROP TABLE IF EXISTS {rej_pos}")
    cut = ""
    if tail is not None:
        # Only what lies above the stray quote is kept from this read; the re-read covers the rest.
        before = [r for r in rejects if r.row < tail[0]]
        cut = f" WHERE acc.rowid < {record_row(tail[0]) - first_data - len(before)}"
        accepted = record_row(tail[0]) - first_data - len(before)
        rejects = [*before, next(r for r in rejects if r.row == tail[0])]
    if not rejects:
        body = f"SELECT {select_cols}, (acc.rowid + {first_data})::BIGINT AS _row, acc.rowid AS _rid FROM {load} acc{cut}"
    else:
        con.execute(f"CREATE TABLE {rej_pos} (pos BIGINT)")
        con.executemany(f"INSERT INTO {rej_pos} VALUES (?)", [[record_row(r.row)] for r in rejects])
        body = f"""WITH ranked AS (
                    SELECT pos - {first_data} - (row_number() OVER (ORDER BY pos) - 1) AS accepted_before,
                           row_number() OVER (ORDER BY pos) AS n_rej
                    FROM {rej_pos}),
                rj AS (SELECT accepted_before, max(n_rej) AS n_rej FROM ranked GROUP BY accepted_before)
                SELECT {select_cols}, (acc.rowid + {first_data} + coalesce(rj.n_rej, 0))::BIGINT AS _row,
                       acc.rowid AS _rid
                FROM {load} acc ASOF LEFT JOIN rj ON acc.rowid >= rj.accepted_before{cut}"""
    if blanks:
        # Record rows -> file rows: the i-th blank line (0-based, at file row b) moves every record
        # from record row b - i on down by one.
        blank_tbl = quote_ident(table + "__blank")
        con.execute(f"CREATE OR REPLACE TABLE {blank_tbl} (t BIGINT, n BIGINT)")
        con.executemany(f"INSERT INTO {blank_tbl} VALUES (?, ?)", [[b - i, i + 1] for i, b in enumerate(blanks)])
        body = (f"SELECT a.* REPLACE ((a._row + coalesce(k.n, 0))::BIGINT AS _row) FROM ({body}) a "
                f"ASOF LEFT JOIN (SELECT t, max(n) AS n FROM {blank_tbl} GROUP BY t) k ON a._row >= k.t")
    out: list[RejectedRow] = rejects
    final = body
    if tail is not None:
        row, sub, sub_rejects, sub_accepted = tail
        plain = ", ".join(quote_ident(n) for n in kept)
        out = [*rejects[:-1], RejectedRow(row, rejects[-1].reason, rejects[-1].text.partition("\n")[0].rstrip("\r"))]
        out += [RejectedRow(row + x.row - 1, x.reason, x.text) for x in sub_rejects]
        final = (f"({body}) UNION ALL "
                 f"(SELECT {plain}, (_row + {row - 1})::BIGINT AS _row, NULL::BIGINT AS _rid FROM {quote_ident(sub)})")
        accepted += sub_accepted

    # A stray quote that a second stray quote "closes" right before a delimiter makes one legal
    # record of all the lines between them: one cell then holds whole rows, line breaks and as many
    # delimiters as a row has. Such a record is rejected (S008, naming the cell), not summed.
    merged = _merged_rows_condition(kept, dialect.delimiter, len(names))
    suspect = tail is not None or len(blanks) != spare
    merged_found = con.execute(
        f"SELECT _row, {', '.join(quote_ident(n) for n in kept)} FROM ({final}) WHERE {merged} ORDER BY _row"
    ).fetchall() if suspect else []
    # (row, column, line breaks, text) of each merged record; kept columns first.
    merges: list[tuple[int, str, int, str]] = []
    for row, *cells in merged_found:
        column = next(n for n, c in zip(kept, cells, strict=True) if c and "\n" in c)
        text = dialect.delimiter.join(c or "" for c in cells).replace("\r", "").replace("\n", " | ")
        merges.append((int(row), column, sum(c.count("\n") for c in cells if c), text))
    unkept_rids: list[int] = []
    if suspect and tail is None and len(kept) < len(names):
        # Line breaks inside the cells rekap reads are accounted for; the rest sit inside cells of
        # columns it does not read. Only then are those columns read too (a second pass, on this rare
        # path only), to pin a stray quote pair there to its record.
        newlines = " + ".join(f"coalesce(length({quote_ident(n)}) - length(replace({quote_ident(n)}, chr(10), '')), 0)"
                              for n in kept)
        inside = count(con, f"SELECT coalesce(sum({newlines}), 0) FROM {load}")
        unexplained = spare - len(blanks) - inside - sum(r.text.count("\n") for r in rejects)
        if unexplained > 0:
            others = [n for n in names if n not in kept]
            in_unread = _merged_in_unread_columns(con, source, table, names, others, dialect)
            rids = ", ".join(str(rid) for rid, _ in in_unread)
            row_of = dict(con.execute(f"SELECT _rid, _row FROM ({final}) WHERE _rid IN ({rids})").fetchall()) if rids else {}
            for rid, unread_cells in in_unread:
                row = int(row_of[rid])
                column = next(n for n, c in zip(others, unread_cells, strict=True) if c and "\n" in c)
                text = dialect.delimiter.join(c or "" for c in unread_cells).replace("\r", "").replace("\n", " | ")
                merges.append((row, column, sum(c.count("\n") for c in unread_cells if c), text))
                unkept_rids.append(rid)
            merges.sort()
    moved = 0
    if merges:
        # The merged record stands for as many rows as it has lines: the rows below move down.
        extra: list[tuple[int, int]] = []
        merged_rows: list[RejectedRow] = []
        for row, column, breaks, text in merges:
            start = row + moved
            merged_rows.append(RejectedRow(start, _(
                "BARIS TERGABUNG {start}-{end} (kolom {column} memuat {breaks} pindah baris: ada tanda kutip yang "
                "tertinggal?)", start=start, end=start + breaks, column=repr(column), breaks=breaks,
            ), text))
            moved += breaks
            extra.append((row, moved))
        out = sorted(
            [RejectedRow(r.row + _moved_before(extra, r.row), r.reason, r.text) for r in out]
            + merged_rows,
            key=lambda x: x.row,
        )
        accepted -= len(merges)
        shifts = quote_ident(table + "__merged")
        con.execute(f"CREATE OR REPLACE TABLE {shifts} (pos BIGINT, moved BIGINT)")
        con.executemany(f"INSERT INTO {shifts} VALUES (?, ?)", [list(e) for e in extra])
        dropped = f" AND _rid NOT IN ({', '.join(str(r) for r in unkept_rids)})" if unkept_rids else ""
        final = (
            f"SELECT f.* REPLACE ((f._row + coalesce(m.moved, 0))::BIGINT AS _row) FROM "
            f"(SELECT * FROM ({final}) WHERE NOT ({merged}){dropped}) f ASOF LEFT JOIN {shifts} m ON f._row > m.pos"
        )
    con.execute(f"CREATE OR REPLACE VIEW {qt} AS SELECT * EXCLUDE (_rid) FROM ({final})")
    # Rows the file takes up below the header: each is now accepted, rejected or inside a merged record.
    return out, accepted, accepted + len(out) + moved


def _moved_before(extra: list[tuple[int, int]], row: int) -> int:
    """Lines added by merged records above `row` (extra: (record row, cumulative lines), ascending)."""
    moved = 0
    for at, total in extra:
        if at < row:
            moved = total
    return moved


def _read_into(
    con: duckdb.DuckDBPyConnection, target: str, select: str, source: Path, names: list[str], dialect: Dialect,
    rej: str, scan: str,
) -> None:
    """Table `target` (a quoted name) := `select` (quoted columns) of the file, every column text, RFC
    4180 quoting, the header and title rows skipped, unreadable records into the reject tables."""
    con.execute(
        f"""CREATE OR REPLACE TABLE {target} AS SELECT {select} FROM read_csv(
                $path, auto_detect = false, columns = $columns, delim = $delim, quote = '"',
                escape = '"', header = true, skip = $skip, strict_mode = true,
                store_rejects = true, rejects_table = $rej, rejects_scan = $scan,
                max_line_size = 16777216)""",
        {"path": str(source), "columns": {n: "VARCHAR" for n in names}, "delim": dialect.delimiter,
         "skip": dialect.header_line - 1, "rej": rej, "scan": scan},
    )


def _merged_in_unread_columns(
    con: duckdb.DuckDBPyConnection, source: Path, table: str, names: list[str], others: list[str], dialect: Dialect
) -> list[tuple[int, list[str | None]]]:
    """(accepted record index, cells of `others`) of the records that a stray quote pair in a column
    rekap does not keep merged: the file read again, those columns only, in the same record order."""
    rej, scan, again = f"{table}__rej2", f"{table}__scan2", quote_ident(f"{table}__load2")
    cols = ", ".join(quote_ident(n) for n in others)
    # A table, like the first read: its rowids follow the file's record order as that read's do.
    _read_into(con, again, cols, source, names, dialect, rej, scan)
    rows = con.execute(
        f"SELECT rowid, {cols} FROM {again} WHERE {_merged_rows_condition(others, dialect.delimiter, len(names))} ORDER BY rowid"
    ).fetchall()
    for name in (rej, scan):
        con.execute(f"DROP TABLE IF EXISTS {quote_ident(name)}")
    con.execute(f"DROP TABLE IF EXISTS {again}")
    return [(int(r[0]), list(r[1:])) for r in rows]


def _merged_rows_condition(kept: list[str], delimiter: str, width: int) -> str:
    """SQL: some cell holds a line break and at least a whole row's worth of delimiters."""
    d = "'" + delimiter.replace("'", "''") + "'"
    return "(" + " OR ".join(
        f"coalesce(strpos({q}, chr(10)) > 0 AND length({q}) - length(replace({q}, {d}, '')) >= {max(width - 1, 1)}, false)"
        for q in (quote_ident(n) for n in kept)
    ) + ")"


def _blank_lines(path: Path, header_line: int) -> list[int]:
    """File rows (1-based) of the empty lines below the header, found with the C-level `find` of a
    memory map (no Python loop over the lines; one step per blank line)."""
    import mmap

    rows: list[int] = []
    with open(path, "rb") as fh:
        if os.fstat(fh.fileno()).st_size == 0:
            return rows
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            line, at = 1, 0  # `at` is the start of file row `line`
            patterns = (b"\n\n", b"\n\r\n")
            nxt = [mm.find(pat, 0) for pat in patterns]  # each pattern searched again only once passed
            while True:
                hits = [h for h in nxt if h >= 0]
                if not hits:
                    break
                hit = min(hits)
                line += mm[at:hit + 1].count(b"\n")  # file row of the blank line's start
                at = hit + 1
                if line > header_line:
                    rows.append(line)
                nxt = [mm.find(pat, at) if 0 <= h < at else h for h, pat in zip(nxt, patterns, strict=True)]
    return rows


def _after_line(source: Path, position: int, first: str) -> tuple[int, str] | None:
    """Byte offset just past the line that starts near `position` and begins with `first`, and the
    line end found there."""
    needle = first.encode("utf-8")
    if not needle:
        return None
    start = max(0, position - 4)
    with open(source, "rb") as fh:
        fh.seek(start)
        window = fh.read(len(needle) + 16)
    at = window.find(needle)
    if at < 0:
        return None
    offset = start + at + len(needle)
    with open(source, "rb") as fh:
        fh.seek(offset)
        ends = fh.read(2)
    if ends.startswith(b"\r\n"):
        return offset + 2, "\r\n"
    if ends[:1] in (b"\n", b"\r"):
        return offset + 1, ends[:1].decode()
    return None  # not at a line end: not the line we are looking for


def _tail_file(source: Path, offset: int, header: str, tmpdir: str) -> Path | None:
    """A new file: `header` (a line, with its line end), then `source` from byte `offset` to its end
    (None when that is empty)."""
    import shutil

    with open(source, "rb") as src:
        src.seek(offset)
        if not src.read(1):
            return None
        src.seek(offset)
        fd, name = tempfile.mkstemp(prefix="rekap-quote-", suffix=".csv", dir=tmpdir)
        with os.fdopen(fd, "wb") as dst:
            dst.write(header.encode("utf-8"))
            shutil.copyfileobj(src, dst, 1 << 20)
    return Path(name)


def _header_line(names: list[str], delimiter: str) -> str:
    return delimiter.join('"' + n.replace('"', '""') + '"' for n in names)


def spool_stdin(data: bytes, tmpdir: str, suffix: str = ".csv") -> Path:
    fd, name = tempfile.mkstemp(prefix="stdin-", suffix=suffix, dir=tmpdir)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return Path(name)
