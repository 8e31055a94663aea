"""The accept file (`--accept FILE`, domain.md §5): findings that people looked at and accepted, and why.

    files = load_accept(con, [Path("diterima.csv")], known_rules={"A006", ...})   # table rk_accept

A CSV in UTF-8 (with or without a BOM; CRLF; `,`, `;` or tab between the cells, as Excel saves it) whose
first line names the columns `rule, kode_wilayah, field, actual, reason, by, date` (in any order; other
columns are ignored). Each row names one finding: its rule, its unit (`kode_wilayah`, the `kode_tps` for a
TPS finding), its field and the value that was accepted (`actual`: a whole number, or empty for any value),
with the reason, who accepted it and when. `rekap validate --write-accept FILE` writes such a file from the
current findings, with the last three columns empty for staff to fill in.

Several files are one list, concatenated in the order given; every row remembers its file and its line
(the header is line 1; a reason that runs over several lines keeps the line its row starts on; blank lines
count, as a text editor shows them). Rows whose every cell is empty (what Excel leaves below a table) are
skipped. Text cells that rekap wrote with a leading apostrophe (its guard against formulas: `'=x`) are read
back without it. Anything the list cannot mean stops the command with one line naming the file, the line,
the column and the value (`InputError`, exit 2): a missing column, a rule ID the catalogue does not have, an
`actual` that is not a whole number, a code that Excel turned into a number (`3.50301E+12`), a row that does
not split into the header's columns, bytes that are not UTF-8.

Table `rk_accept` (`ACCEPT_TABLE`): file, line, rule, kode_wilayah, field, actual (BIGINT; NULL = any value),
reason, by, date — in file order, then line order.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from rekap.errors import InputError
from rekap.i18n import C_, _
from rekap.schema import quote_ident

ACCEPT_COLUMNS: tuple[str, ...] = ("rule", "kode_wilayah", "field", "actual", "reason", "by", "date")
"""The columns of an accept file, in the order `--write-accept` writes them."""
ACCEPT_TABLE = "rk_accept"
ACCEPT_TYPES: dict[str, str] = {
    "file": "VARCHAR", "line": "BIGINT", "rule": "VARCHAR", "kode_wilayah": "VARCHAR", "field": "VARCHAR",
    "actual": "BIGINT", "reason": "VARCHAR", "by": "VARCHAR", "date": "VARCHAR",
}
DELIMITERS = (",", ";", "\t")
UNNEUTRALIZE = r"^''[=+\-@\t\r]"
"""A text cell rekap wrote with the apostrophe that keeps a spreadsheet from running it (rekap.report)."""
EXCEL_NUMBER = r"^[0-9]+([.,][0-9]+)?[eE][+]?[0-9]+$"
"""A long code that a spreadsheet showed, and saved, as a number in scientific notation."""


@dataclass(frozen=True)
class AcceptFile:
    """One accept file read: where it is, its SHA-256 and how many entries it holds."""

    path: str
    sha256: str
    rows: int

    def record(self) -> dict[str, object]:
        """The manifest's entry (`accept.files`)."""
        return {"path": self.path, "name": Path(self.path).name, "sha256": self.sha256, "rows": self.rows}


def create_accept_table(con: duckdb.DuckDBPyConnection) -> None:
    """An empty `rk_accept` (replacing any earlier one)."""
    con.execute(f"CREATE OR REPLACE TABLE {ACCEPT_TABLE} ("
                + ", ".join(f"{quote_ident(n)} {t}" for n, t in ACCEPT_TYPES.items()) + ")")


def load_accept(
    con: duckdb.DuckDBPyConnection,
    paths: Sequence[Path],
    *,
    known_rules: Collection[str],
    tmpdir: str | None = None,
) -> list[AcceptFile]:
    """Read every accept file into `rk_accept` (replaced), in the order given. `known_rules`: the rule IDs an
    entry may name (the catalogue's). Raises `InputError` on the first thing a file cannot mean."""
    create_accept_table(con)
    known = sorted({str(r) for r in known_rules})
    return [_load_one(con, Path(p), known, tmpdir) for p in paths]


def _load_one(con: duckdb.DuckDBPyConnection, path: Path, known: list[str], tmpdir: str | None) -> AcceptFile:
    from rekap.io.base import literal_path

    shown = str(path)
    if not path.is_file():
        raise InputError(_("{path}: daftar terima tidak ditemukan", path=shown),
                         hint=_("buat daftar terima dengan: rekap validate BERKAS... --write-accept DAFTAR.csv"))
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(_("{path}: daftar terima tidak dapat dibaca ({reason})", path=shown,
                           reason=exc.strerror or exc)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            _("{path} baris {row}: daftar terima bukan teks UTF-8 (byte 0x{byte:02x})", path=shown,
              row=raw[:exc.start].count(b"\n") + 1, byte=raw[exc.start]),
            hint=_("simpan daftar terima sebagai CSV UTF-8"),
        ) from None
    if not text.strip():
        raise InputError(_("{path}: daftar terima kosong", path=shown),
                         hint=_("buat daftar terima dengan: rekap validate BERKAS... --write-accept DAFTAR.csv"))
    delimiter, header = _header(text)
    names = [h.strip().lstrip("\ufeff").lower() for h in header]
    for column in ACCEPT_COLUMNS:
        if column not in names:
            raise InputError(
                _("{path} baris 1, kolom {column!r}: tidak ada (baris judul kolom: {found})", path=shown,
                  column=column, found=", ".join(repr(h.strip()) for h in header if h.strip())
                  or C_("empty list", "tidak ada")),
                hint=_("baris pertama daftar terima memuat kolom {columns}; buat dengan: rekap validate BERKAS... "
                       "--write-accept DAFTAR.csv", columns=repr(",".join(ACCEPT_COLUMNS))),
            )
        if names.count(column) > 1:
            raise InputError(_("{path} baris 1, kolom {column!r}: ada dua kali", path=shown, column=column))
    read = literal_path(path, tmpdir)
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(header))) + "}"
    try:
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE rk_accept_raw AS
                SELECT * FROM read_csv($p, header = true, auto_detect = false, delim = $d, quote = '"',
                                       escape = '"', strict_mode = true, columns = {columns})""",
            {"p": str(read), "d": delimiter},
        )
    except duckdb.Error as exc:
        raise InputError(_csv_error(shown, str(exc), len(header)),
                         hint=_("setiap baris memuat sel sebanyak kolom baris judul; sel yang memuat "
                                "{delimiter} atau pindah baris diapit tanda kutip", delimiter=repr(delimiter))) from None
    _number_lines(con, text)
    cell = {name: f"c{names.index(name)}" for name in ACCEPT_COLUMNS}

    def text_of(name: str) -> str:
        value = f"trim({cell[name]})"
        return f"nullif(CASE WHEN regexp_matches({value}, '{UNNEUTRALIZE}') THEN substr({value}, 2) ELSE {value} END, '')"

    every = " AND ".join(f"nullif(trim(c{i}), '') IS NULL" for i in range(len(header)))
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE rk_accept_rows AS
            SELECT coalesce(n.line, r.rowid + 2) AS line, upper({text_of('rule')}) AS rule,
                   {text_of('kode_wilayah')} AS kode_wilayah, {text_of('field')} AS field,
                   nullif(trim({cell['actual']}), '') AS actual, {text_of('reason')} AS reason,
                   {text_of('by')} AS "by", {text_of('date')} AS date
            FROM rk_accept_raw r LEFT JOIN rk_accept_lines n ON n.k = r.rowid + 1
            WHERE NOT ({every})
            ORDER BY line"""
    )
    _check_rows(con, shown, known)
    con.execute(
        f"""INSERT INTO {ACCEPT_TABLE}
            SELECT $f, line, rule, kode_wilayah, field, CAST(ltrim(actual, '+') AS BIGINT), reason, "by", date
            FROM rk_accept_rows ORDER BY line""",
        {"f": shown},
    )
    rows = int(con.execute("SELECT count(*) FROM rk_accept_rows").fetchall()[0][0])
    for scratch in ("rk_accept_raw", "rk_accept_rows", "rk_accept_lines"):
        con.execute(f"DROP TABLE IF EXISTS {scratch}")
    return AcceptFile(path=shown, sha256=hashlib.sha256(raw).hexdigest(), rows=rows)


def _header(text: str) -> tuple[str, list[str]]:
    """The delimiter and the cells of the first line: the delimiter under which it names most of the columns."""
    first = text.splitlines()[0] if text else ""
    best: tuple[int, str, list[str]] = (-1, ",", [])
    for delimiter in DELIMITERS:
        cells = next(csv.reader([first], delimiter=delimiter), [])
        hits = sum(1 for c in cells if c.strip().lstrip("\ufeff").lower() in ACCEPT_COLUMNS)
        if hits > best[0]:
            best = (hits, delimiter, cells)
    return best[1], best[2]


def _number_lines(con: duckdb.DuckDBPyConnection, text: str) -> None:
    """`rk_accept_lines(k, line)`: the line each record starts on (k = 0 the header, k = 1 the first row).

    A line starts a record when the quotes before it are balanced and it is not blank (DuckDB skips blank
    lines); a cell with a line break inside its quotes keeps its record on the line it started."""
    con.execute(
        """CREATE OR REPLACE TEMP TABLE rk_accept_lines AS
           WITH l AS (SELECT generate_subscripts(s, 1) AS line, unnest(s) AS t FROM (SELECT string_split($t, chr(10)) AS s)),
                q AS (SELECT line, t, coalesce(sum(length(t) - length(replace(t, '"', '')))
                                                   OVER (ORDER BY line ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
                                       AS quotes
                      FROM l)
           SELECT row_number() OVER (ORDER BY line) - 1 AS k, line FROM q
           WHERE quotes % 2 = 0 AND rtrim(t, chr(13)) <> ''""",
        {"t": text},
    )
    # When the count disagrees with DuckDB's records (a stray quote inside an unquoted cell), the numbers
    # would be wrong: fall back to one line per record.
    records = con.execute("SELECT count(*) FROM rk_accept_raw").fetchall()[0][0]
    starts = con.execute("SELECT count(*) FROM rk_accept_lines").fetchall()[0][0]
    if starts != records + 1:
        con.execute("DELETE FROM rk_accept_lines")


def _csv_error(path: str, message: str, n_columns: int) -> str:
    """DuckDB's CSV error as one line naming the file and the line."""
    line = re.search(r"CSV Error on Line: (\d+)", message)
    counts = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", message)
    if line and counts:
        return _("{path} baris {row}: {found} sel, seharusnya {expected} seperti baris judul kolom", path=path,
                 row=int(line.group(1)), found=int(counts.group(2)), expected=int(counts.group(1)))
    first = message.splitlines()[0] if message else ""
    if line:
        return _("{path} baris {row}: baris CSV tidak terbaca ({reason})", path=path, row=int(line.group(1)),
                 reason=first)
    return _("{path}: daftar terima tidak terbaca sebagai CSV ({reason})", path=path, reason=first)


def _check_rows(con: duckdb.DuckDBPyConnection, path: str, known: list[str]) -> None:
    """The first row (by line) that the list cannot mean, as an `InputError` naming line, column and value."""
    got = con.execute(
        f"""SELECT line, problem, value FROM (
                SELECT line,
                       CASE WHEN rule IS NULL THEN 'rule_empty'
                            WHEN NOT list_contains($known, rule) THEN 'rule_unknown'
                            WHEN regexp_matches(coalesce(kode_wilayah, ''), '{EXCEL_NUMBER}') THEN 'kode_number'
                            WHEN actual IS NOT NULL AND (NOT regexp_full_match(actual, '[+-]?[0-9]+')
                                 OR TRY_CAST(ltrim(actual, '+') AS BIGINT) IS NULL) THEN 'actual'
                       END AS problem,
                       CASE WHEN rule IS NULL OR NOT list_contains($known, rule) THEN rule
                            WHEN regexp_matches(coalesce(kode_wilayah, ''), '{EXCEL_NUMBER}') THEN kode_wilayah
                            ELSE actual END AS value
                FROM rk_accept_rows)
            WHERE problem IS NOT NULL ORDER BY line LIMIT 1""",
        {"known": known},
    ).fetchall()
    if not got:
        return
    line, problem, value = got[0]
    if problem == "rule_empty":
        raise InputError(_("{path} baris {row}, kolom 'rule': kosong", path=path, row=line),
                         hint=_("setiap entri menyebut ID aturan temuannya (mis. A006)"))
    if problem == "rule_unknown":
        raise InputError(_("{path} baris {row}, kolom 'rule': aturan {value!r} tidak dikenal", path=path, row=line,
                           value=value),
                         hint=_("lihat daftar aturan dengan: rekap rules"))
    if problem == "kode_number":
        raise InputError(
            _("{path} baris {row}, kolom 'kode_wilayah': {value!r} adalah kode yang diubah menjadi angka oleh lembar "
              "kerja", path=path, row=line, value=value),
            hint=_("sunting daftar terima dengan penyunting teks, atau impor kolom kode_wilayah sebagai teks"),
        )
    raise InputError(_("{path} baris {row}, kolom 'actual': {value!r} bukan bilangan bulat", path=path, row=line,
                       value=value),
                     hint=_("tulis nilai yang diterima sebagai bilangan bulat, atau kosongkan untuk nilai berapa pun"))


__all__ = ["ACCEPT_COLUMNS", "ACCEPT_TABLE", "ACCEPT_TYPES", "AcceptFile", "create_accept_table", "load_accept"]
