"""Typing of the input table: the raw rows of every input become `rk_tps_base` (one row per distinct
record, counts typed strictly, exact duplicates set apart) and the view `rk_tps` the rules read.

    types = prepare(ds, election="ppwp", wilayah=None)   # the raw column types, for the rules' context

What is decided here, once for every rule: a cell's count (strict: `12.5`, `-3`, `1e3` are S002, never
rounded), the row's election type (its own `jenis_pemilihan`, else `--election`, else the guess for its
file), the rows inside `--wilayah`, and each input's election type for the summaries (`tps_elections`).
"""

from __future__ import annotations

import duckdb

from rekap.config import DEFAULTS, Thresholds, thresholds_rows
from rekap.dataset import RAW_ALL, Dataset
from rekap.db import SCOPE_TABLES, count, create_macros, drop_tables, replace_relation
from rekap.election import InputElection
from rekap.errors import UsageError
from rekap.i18n import _, num
from rekap.schema import ELECTIONS, NUMERIC_COLUMNS, quote_ident
from rekap.scope import Scope
from rekap.validate.sql import is_tps_code

SMALL_ROWS = 50_000
"""Inputs of at most this many rows get `rk_tps` as a table rather than a view (`prepare`)."""


def _column_types(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    return {str(r[0]): str(r[1]) for r in con.execute(f"DESCRIBE {quote_ident(table)}").fetchall()}


def _typed_count(name: str, dtype: str, slow: str | None = None) -> str:
    """The strict count of column `name` (raw type `dtype`) in the middle query of `prepare`; `slow`, the
    element of the list `_slow` holding this column's slow path (small inputs), else rk_count_slow here."""
    col = f"r.{quote_ident(name)}"
    if dtype == "VARCHAR":
        # The lax cast is computed once in the inner query (`_v_<name>`); only a cell whose cast does
        # not print back as the same text (" 12", "1.234", "12.5", "+7") takes the strict slow path.
        v = f"r.{quote_ident('_v_' + name)}"
        return (
            f"CASE WHEN {_fast(name, 'r.')} THEN {v} WHEN {col} IS NULL THEN NULL "
            f"ELSE {slow or _slow_path(col)} END"
        )
    # TRY_CAST: a native value beyond 64 bits (UBIGINT, HUGEINT, DECIMAL(38)) is S002, not a crash.
    if any(k in dtype for k in ("INT", "HUGEINT")):
        return f"CASE WHEN {col} >= 0 THEN TRY_CAST({col} AS BIGINT) END"
    if any(k in dtype for k in ("DOUBLE", "FLOAT", "DECIMAL", "REAL")):
        return f"CASE WHEN {col} >= 0 AND {col} = floor({col}) AND {col} < 9.2e18 THEN TRY_CAST({col} AS BIGINT) END"
    return f"rk_count({col}::VARCHAR)"


def _fast(name: str, prefix: str = "") -> str:
    """The lax cast of a text count prints back as its text and is not negative: the count is that cast."""
    v, col = prefix + quote_ident("_v_" + name), prefix + quote_ident(name)
    return f"{v}::VARCHAR = {col} AND {v} >= 0"


def _slow_path(text: str) -> str:
    return f"rk_count_slow(trim(replace({text}, chr(160), ' ')))"


def _election_expr(ds: Dataset, columns: list[str], election: str | None) -> str:
    """The SQL of a row's election type: its own `jenis_pemilihan` when valid, else `--election`, else the
    type guessed from the columns of its own file (two files of one command can hold different races)."""
    from rekap.election import check_flag, guess_from_columns

    check_flag(election)
    fallbacks = {s.index: election or guess_from_columns(s.mapping.mapping).election for s in ds.sources}
    distinct = set(fallbacks.values())
    if len(distinct) <= 1:
        fallback = f"'{distinct.pop() if distinct else election or 'ppwp'}'"
    else:
        fallback = "CASE r._file " + " ".join(f"WHEN {i} THEN '{e}'" for i, e in fallbacks.items()) + " END"
    if "jenis_pemilihan" in columns:
        # A row's own type wins; unknown or empty ones fall back to --election or the guess.
        return (
            "CASE WHEN lower(trim(r.jenis_pemilihan)) IN ("
            + ", ".join(f"'{e}'" for e in ELECTIONS)
            + f") THEN lower(trim(r.jenis_pemilihan)) ELSE {fallback} END"
        )
    return fallback


def tps_elections(ds: Dataset, election: str | None) -> list[InputElection]:
    """Each TPS input's election types and where they came from (after `prepare`)."""
    from rekap.election import guess_from_columns

    per_file: dict[int, list[str]] = {}
    for f, e in ds.con.execute("SELECT DISTINCT _file, jenis_pemilihan FROM rk_tps ORDER BY 1, 2").fetchall():
        per_file.setdefault(int(f), []).append(str(e))
    out = []
    for s in ds.sources:
        types = tuple(per_file.get(s.index, ()))
        guess = guess_from_columns(s.mapping.mapping)
        evidence: tuple[str, ...] = ()
        if election is not None and types in ((), (election,)):
            origin = "flag"
        elif "jenis_pemilihan" in s.mapping.mapping and _stated(ds, s.index):
            # Sirekap records carry the type of their own address (`/hhcw/ppwp/…`).
            origin = "file" if s.format == "sirekap-json" else "column"
        else:
            origin, evidence = "guess", guess.evidence
        out.append(InputElection(s.name, "tps", types or (election or guess.election,), origin, evidence))
    return out


def _stated(ds: Dataset, index: int) -> bool:
    """Whether a file's own jenis_pemilihan cells name a known type (in at least one row)."""
    if "jenis_pemilihan" not in ds.columns:
        return False
    return count(
        ds.con,
        "SELECT count(*) FROM (SELECT 1 FROM rk_raw WHERE _file = $f AND lower(trim(jenis_pemilihan)) IN ("
        + ", ".join(f"'{e}'" for e in ELECTIONS) + ") LIMIT 1)",
        {"f": index},
    ) > 0


def prepare(
    ds: Dataset,
    *,
    election: str | None = None,
    thresholds: dict[str, Thresholds] | None = None,
    notes: list[str] | None = None,
    lang: str = "en",
    wilayah: Scope | None = None,
) -> dict[str, str]:
    """Build the typed table `rk_tps_base` (one row per distinct record), `rk_dup_extra` (exact
    duplicates beyond the first) and the view `rk_tps` the rules read; return the raw column types."""
    con = ds.con
    notes = notes if notes is not None else []
    create_macros(con)
    drop_tables(con, SCOPE_TABLES)  # what was received is about the data replaced here
    if wilayah is not None and not wilayah.national:
        # Rows outside --wilayah are left out before anything is checked or summed, and counted.
        inside = wilayah.tps_sql("coalesce(rk_code(kode_tps), '')")
        con.execute(f"CREATE OR REPLACE VIEW rk_raw AS SELECT * FROM {RAW_ALL} WHERE {inside}")
        ds.rows_outside = count(con, f"SELECT (SELECT count(*) FROM {RAW_ALL}) - (SELECT count(*) FROM rk_raw)")
        if ds.rows_outside and not count(con, "SELECT count(*) FROM (SELECT 1 FROM rk_raw LIMIT 1)"):
            # Nothing to check, sum or compare: an empty answer would look like a clean one.
            roots = ", ".join(str(r[0]) for r in con.execute(
                f"SELECT DISTINCT left(coalesce(rk_code(kode_tps), ''), 2) AS p FROM {RAW_ALL} ORDER BY p LIMIT 5"
            ).fetchall())
            raise UsageError(
                _("tidak ada baris TPS di dalam --wilayah {scope}: semua {n} baris data berada di luarnya",
                  scope=", ".join(wilayah.units), n=num(ds.rows_outside)),
                hint=_("periksa kode --wilayah; kode provinsi dalam data: {codes}", codes=roots),
            )
    else:
        con.execute(f"CREATE OR REPLACE VIEW rk_raw AS SELECT * FROM {RAW_ALL}")
        ds.rows_outside = 0
    types = _column_types(con, "rk_raw")
    th = thresholds or DEFAULTS
    canon = [c for c in ds.columns if c in types]
    jenis = _election_expr(ds, canon, election)

    # Only what the rules need is materialised: the code, the counts (typed once), the row's place.
    # Three levels so that every expensive expression runs once and only where it has to: the lax
    # cast (inner), the strict typing (middle, slow path only for odd cells), the S002 flag (outer,
    # looking at the raw text only where typing gave nothing).
    numeric = [c for c in NUMERIC_COLUMNS if c in canon]
    # Per row when a column holds the type or when files of one command fall back to different guesses.
    per_row_election = "jenis_pemilihan" in canon or jenis.startswith("CASE")
    lax = "".join(
        f", TRY_CAST({quote_ident(c)} AS BIGINT) AS {quote_ident('_v_' + c)}" for c in numeric if types[c] == "VARCHAR"
    )
    middle = ["r._k", "r.kode_tps", "r._row", "r._file"]
    outer = [
        "m._k AS kode_tps",
        "CASE WHEN m.kode_tps::VARCHAR IS DISTINCT FROM m._k THEN m.kode_tps::VARCHAR END AS _kode_raw",
    ]
    if "sumber" in canon:
        # S003 compares copies of a TPS within one source.
        middle.append("r.sumber::VARCHAR AS sumber")
        outer.append("m.sumber")
    if per_row_election:
        middle.append(f"{jenis} AS jenis_pemilihan")
        outer.append("m.jenis_pemilihan")
    # A small input's planning costs more than its rows: DuckDB binds and optimises a macro once per
    # use, and the slow path (rk_count_slow) and rk_blank per column were ~60 % of this statement's
    # ~30 ms on a 100-TPS file. There the macros are applied once each, as a lambda over a list of the
    # columns' cells (the cells that need them; NULL elsewhere). A large input keeps one expression per
    # column, which runs faster than building lists for every row.
    compact = ds.rows_read <= SMALL_ROWS
    texts = [c for c in numeric if types[c] == "VARCHAR"]
    slow_at = {c: i + 1 for i, c in enumerate(texts)} if compact and texts else {}
    bad: list[str] = []
    cells: list[str] = []
    for c in numeric:
        typed, raw = quote_ident("_t_" + c), quote_ident(c)
        slow = f"r._slow[{slow_at[c]}]" if c in slow_at else None
        middle += [f"{_typed_count(c, types[c], slow)} AS {typed}", f"r.{raw}"]
        outer.append(f"m.{typed} AS {raw}")
        if types[c] != "VARCHAR":
            # A native value's text is never blank: it failed typing exactly when it is there and gave nothing.
            bad.append(f"(m.{typed} IS NULL AND m.{raw} IS NOT NULL)")
        elif compact:
            cells.append(f"CASE WHEN m.{typed} IS NOT NULL OR m.{raw} IS NULL THEN NULL ELSE m.{raw} END")
        else:
            bad.append(f"CASE WHEN m.{typed} IS NOT NULL OR m.{raw} IS NULL THEN false ELSE NOT rk_blank(m.{raw}) END")
    if cells:
        # A text cell is bad when typing gave nothing and its text is not blank.
        bad.append(f"list_bool_or(list_transform([{', '.join(cells)}], "
                   "lambda rk_cell: rk_cell IS NOT NULL AND NOT rk_blank(rk_cell)))")
    outer.append(f"({' OR '.join(bad) if bad else 'false'}) AS _s002")
    outer += ["m._row", "m._file"]
    source = f"(SELECT *, coalesce(rk_code(kode_tps), '') AS _k{lax} FROM rk_raw)"
    if slow_at:
        slow_cells = ", ".join(f"CASE WHEN {_fast(c)} THEN NULL ELSE {quote_ident(c)} END" for c in texts)
        source = (f"(SELECT *, list_transform([{slow_cells}], lambda rk_cell: {_slow_path('rk_cell')}) AS _slow "
                  f"FROM {source})")
    con.execute(
        f"""CREATE OR REPLACE TABLE rk_tps_base AS
            SELECT {', '.join(outer)}
            FROM (SELECT {', '.join(middle)}
                  FROM {source} r) m"""
    )
    # A 13-digit code is placeable without the second pattern; the count of them lets S005 skip its pattern.
    coded = is_tps_code("kode_tps")
    placeable = f"CASE WHEN {coded} THEN true ELSE regexp_full_match(left(kode_tps, 10), '[0-9]{{10}}') END"
    stats = con.execute(
        f"""SELECT count(*), count(DISTINCT kode_tps), count(*) FILTER (_s002), count(*) FILTER ({placeable}),
                   min(kode_tps) FILTER ({placeable}), max(kode_tps) FILTER ({placeable}), count(*) FILTER ({coded})
            FROM rk_tps_base"""
    ).fetchall()[0]
    ds.code_range = (int(stats[3]), stats[4], stats[5])
    ds.duplicate_codes = stats[0] != stats[1]
    ds.bad_cells = stats[2] > 0
    ds.odd_codes = stats[6] != stats[0]
    if stats[0] != stats[1]:
        # Exact duplicates: only rows whose TPS code occurs more than once need a full-row comparison.
        row_hash = "hash(" + ", ".join(f"r.{quote_ident(c)}" for c in canon) + ")"
        con.execute(
            f"""CREATE OR REPLACE TABLE rk_dup_extra AS
                WITH d AS (SELECT kode_tps FROM rk_tps_base GROUP BY 1 HAVING count(*) > 1),
                h AS (SELECT coalesce(rk_code(r.kode_tps), '') AS kode_wilayah, r._row, r._file, {row_hash} AS h
                      FROM rk_raw r WHERE coalesce(rk_code(r.kode_tps), '') IN (SELECT kode_tps FROM d)),
                ranked AS (SELECT *, row_number() OVER w AS n, first(_file) OVER w AS first_file,
                                  first(_row) OVER w AS first_row
                           FROM h WINDOW w AS (PARTITION BY kode_wilayah, h ORDER BY _file, _row))
                SELECT kode_wilayah, _file, _row, first_file, first_row FROM ranked WHERE n > 1"""
        )
        con.execute(
            "DELETE FROM rk_tps_base b USING rk_dup_extra x WHERE b._file = x._file AND b._row = x._row"
        )
        rows, placed, n_coded = con.execute(
            f"SELECT count(*), count(*) FILTER ({placeable}), count(*) FILTER ({coded}) FROM rk_tps_base").fetchall()[0]
        ds.odd_codes = n_coded != rows
    else:
        con.execute(
            "CREATE OR REPLACE TABLE rk_dup_extra (kode_wilayah VARCHAR, _file INTEGER, _row BIGINT, "
            "first_file INTEGER, first_row BIGINT)"
        )
        rows, placed = stats[0], stats[3]
    # What the recap reads instead of scanning the rows again: records kept (exact duplicates left out), distinct
    # TPS codes, and records whose code places them in a desa.
    con.execute("CREATE OR REPLACE TABLE rk_stats AS SELECT $d::BIGINT AS distinct_tps, $n::BIGINT AS n_rows, "
                "$p::BIGINT AS placed", {"d": stats[1], "n": rows, "p": placed})
    derived = ", ".join(f"left(b.kode_tps, {n}) AS {col}" for col, n in
                        (("kode_prov", 2), ("kode_kabkota", 4), ("kode_kec", 6), ("kode_desa", 10)))
    fields = ("tps_cap", "reserve_rate", "reserve_tolerance", "outlier_z", "outlier_min_delta", "outlier_min_tps", "max_box")
    alias = ("_cap", "_reserve", "_tol", "_z", "_mind", "_minn", "_maxbox")
    if per_row_election:
        rows = thresholds_rows(th)
        con.execute(
            "CREATE OR REPLACE TABLE rk_params (jenis_pemilihan VARCHAR, "
            + ", ".join(f"{f} DOUBLE" for f in fields) + ")"
        )
        con.executemany(
            f"INSERT INTO rk_params VALUES ({', '.join('?' * (len(fields) + 1))})",
            [[r["jenis_pemilihan"], *[r[f] for f in fields]] for r in rows],
        )
        params = ", ".join(f"p.{f} AS {a}" for f, a in zip(fields, alias, strict=True))
        join = "JOIN rk_params p USING (jenis_pemilihan)"
        election_col = ""
    else:
        # One election type for the whole input: the thresholds are constants, no join per check.
        chosen = th[jenis.strip("'")]
        params = ", ".join(f"{float(getattr(chosen, f))!r}::DOUBLE AS {a}" for f, a in zip(fields, alias, strict=True))
        join = ""
        election_col = f", {jenis} AS jenis_pemilihan"
    # A small input's `rk_tps` is a table of the same rows: the rules' one statement names it in every check,
    # and DuckDB binds and optimises a view once per mention (~40 ms of a 100-TPS file's planning); a large
    # input keeps the view, whose copy would cost more memory than the planning it saves.
    replace_relation(
        con, "rk_tps",
        f"""SELECT b.*{election_col}, {derived}, left(b.kode_tps, 2) = '99' AS _ln, {params}
            FROM rk_tps_base b {join}""",
        table=stats[0] <= SMALL_ROWS,
    )
    return types
