"""Tiered recap: TPS → desa → kecamatan → kab/kota → provinsi → nasional in one GROUPING SETS pass.

Runs after `rekap.validate.validate()` on the same connection (it needs the typed `rk_tps` view and
the findings, for `n_tps_error`). What is summed, exactly as a recap meeting adds up the forms in front
of it (domain.md §4):

- every distinct record (exact duplicates count once: S004);
- of a TPS that appears more than once with different numbers (S003), the first copy only — the later
  copies are reported by S003 and listed as not summed;
- records whose code does not give at least a desa (10 digits) cannot be placed and are not summed
  (S005 reports them); a malformed TPS code that does name its desa (a 12-digit code) is a form of that
  desa and is summed there, like every other received form (S005 reports the code; the coverage counts
  it as received in its desa, so one count says the same everywhere);
- units above the scope (`rekap.scope`: `--wilayah`, else the data's root) are left out: nasional for one
  province's data is a partial sum that would look complete;
- empty cells are skipped, never taken as 0; sums are 64-bit integers.

Governor (pkwkp) results climb to provinsi, bupati/wali kota (pkwkk) results stop at kab/kota, and
every election type is summed on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from rekap import scope as scopes
from rekap.aggregate.completeness import ensure_scope
from rekap.db import count, table_exists
from rekap.regions import (
    CODE_COLUMN,
    LEVELS,
    NAME_COLUMN,
    NATIONAL_CODE,
    PREFIX,
    TOP_LEVEL,
    rank_sql,
)
from rekap.schema import NUMERIC_COLUMNS, VOTE_DATA_COLUMNS, VOTER_DATA_COLUMNS, quote_ident

RECAP_TABLE = "rk_recap"
COUNTERS = ("n_tps", "n_tps_expected", "n_tps_suara", "n_tps_administrasi", "n_tps_error")


@dataclass
class RecapResult:
    table: str
    levels: list[str]
    rows: int
    tps_summed: int
    not_summed_duplicate: int
    """Later copies of a TPS with different numbers (S003)."""
    not_summed_unplaced: int
    """Records whose code gives no desa (S005)."""
    levels_above_scope: list[str] = field(default_factory=list)
    """Requested levels left out because they lie above the scope (nasional for one province)."""
    levels_above_election: dict[str, list[str]] = field(default_factory=dict)
    """Per election type of the data: requested levels it is not recapped to (nasional for pkwkp)."""


def _present(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    return {str(r[0]) for r in con.execute(f"DESCRIBE {quote_ident(table)}").fetchall()}




def aggregate(con: duckdb.DuckDBPyConnection, levels: list[str]) -> RecapResult:
    """Create `rk_recap` (domain.md §5 recap rows) for the given levels; return what was summed."""
    cols = _present(con, "rk_tps")
    numeric = [c for c in NUMERIC_COLUMNS if c in cols]
    votes = [c for c in VOTE_DATA_COLUMNS if c in cols]
    voters = [c for c in VOTER_DATA_COLUMNS if c in cols]

    # Which records are summed: the first copy of each TPS (per source label), placed by its code.
    sumber = "coalesce(t.sumber, '')" if "sumber" in cols else "''"
    n_rows, distinct, placed = (int(v) for v in con.execute(
        "SELECT n_rows, distinct_tps, placed FROM rk_stats").fetchall()[0])
    repeats = n_rows - distinct
    summed = "rk_summed"
    if repeats:
        con.execute(
            f"""CREATE OR REPLACE TABLE rk_summed AS
                SELECT t.*, row_number() OVER (PARTITION BY {sumber}, t.jenis_pemilihan, t.kode_tps ORDER BY t._file, t._row) AS _copy
                FROM rk_tps t"""
        )
    else:
        # No TPS code repeats: every record is a first copy, no window over the whole table needed.
        summed = "(SELECT t.*, 1 AS _copy FROM rk_tps t)"
    # TPS-level error findings, by the row they were found on.
    con.execute(
        """CREATE OR REPLACE TABLE rk_error_rows AS
           SELECT DISTINCT o.idx AS _file, f.row AS _row
           FROM rk_findings_out f JOIN rk_source_order o ON o.source = f.source
           WHERE f.severity = 'error' AND f.level = 'tps' AND f.row IS NOT NULL"""
    )
    has_votes = " OR ".join(f"t.{quote_ident(c)} IS NOT NULL" for c in votes) or "false"
    has_voters = " OR ".join(f"t.{quote_ident(c)} IS NOT NULL" for c in voters) or "false"
    sums = ", ".join(f"sum(t.{quote_ident(c)})::BIGINT AS {quote_ident(c)}" for c in numeric)
    sets = []
    for level in levels:
        keys = ["t.jenis_pemilihan"] + [f"t.{CODE_COLUMN[lv]}" for lv in LEVELS[1 : LEVELS.index(level) + 1]]
        sets.append("(" + ", ".join(keys) + ")")
    # The level of a grouped row is the deepest code column that is grouped in it; only columns that
    # occur in some grouping set may be asked about.
    deepest = max((LEVELS.index(lv) for lv in levels), default=0)
    used = [lv for lv in LEVELS[1 : deepest + 1]]
    whens = " ".join(f"WHEN grouping(t.{CODE_COLUMN[lv]}) = 0 THEN '{lv}'" for lv in reversed(used))
    level_expr = f"CASE {whens} ELSE 'nasional' END" if used else "'nasional'"
    # Records whose code places them in no desa are not summed; when prepare counted none, the pattern is
    # not matched again on every record (~0.15 s of CPU on 822,607 TPS).
    placeable = "" if placed == n_rows else "AND regexp_full_match(left(t.kode_tps, 10), '[0-9]{10}')"
    code_expr = "coalesce(" + ", ".join([*(f"t.{CODE_COLUMN[lv]}" for lv in reversed(used)), f"'{NATIONAL_CODE}'"]) + ")"
    sums_sql = f"""SELECT t.jenis_pemilihan, {level_expr} AS level, {code_expr} AS kode_wilayah,
                   count(*)::BIGINT AS n_tps,
                   count(*) FILTER (WHERE {has_votes})::BIGINT AS n_tps_suara,
                   count(*) FILTER (WHERE {has_voters})::BIGINT AS n_tps_administrasi,
                   count(*) FILTER (WHERE e._row IS NOT NULL)::BIGINT AS n_tps_error
                   {', ' + sums if sums else ''}
            FROM {summed} t LEFT JOIN rk_error_rows e ON e._file = t._file AND e._row = t._row
            WHERE t._copy = 1 {placeable}
            GROUP BY GROUPING SETS ({', '.join(sets)})"""
    # The sums, their names and expected counts, in order, in one statement: the join and the order then run
    # on the aggregate's output as it comes from every thread (as a table of their own, 91,853 national rows
    # are one row group and one thread: ~60 ms more). Rows of a level the election or the scope does not
    # reach are deleted afterwards, only when there are any; the order of the others is unchanged.
    unit_names(con)
    expected = _expected_counts(con, levels)
    order = rank_sql("r.level")
    numeric_out = ", ".join(f"r.{quote_ident(c)}" for c in numeric)
    con.execute(
        f"""CREATE OR REPLACE TABLE {RECAP_TABLE} AS
            SELECT r.jenis_pemilihan, r.level, r.kode_wilayah, n.nama AS nama_wilayah,
                   r.n_tps, {'x.n_exp AS n_tps_expected' if expected else 'NULL::BIGINT AS n_tps_expected'},
                   r.n_tps_suara, r.n_tps_administrasi, r.n_tps_error
                   {', ' + numeric_out if numeric_out else ''}
            FROM ({sums_sql}) r
            LEFT JOIN rk_unit_names n ON n.level = r.level AND n.kode = r.kode_wilayah
            {'LEFT JOIN rk_k_units x ON x.level = r.level AND x.kode = r.kode_wilayah' if expected else ''}
            ORDER BY r.jenis_pemilihan, {order}, r.kode_wilayah"""
    )
    # Governor results stop at provinsi, regent/mayor results at kab/kota.
    too_high = " OR ".join(
        f"(jenis_pemilihan = '{jenis}' AND level IN ({', '.join(repr(lv) for lv in LEVELS[: LEVELS.index(top)])}))"
        for jenis, top in TOP_LEVEL.items()
    )
    jenis_found = [str(r[0]) for r in con.execute(
        f"SELECT DISTINCT jenis_pemilihan FROM {RECAP_TABLE} WHERE jenis_pemilihan IS NOT NULL ORDER BY 1").fetchall()]
    above_election = {
        jenis: [lv for lv in levels if LEVELS.index(lv) < LEVELS.index(TOP_LEVEL[jenis])]
        for jenis in jenis_found if jenis in TOP_LEVEL
    }
    if any(above_election.values()):  # every requested level has rows of every election type found
        con.execute(f"DELETE FROM {RECAP_TABLE} WHERE {too_high}")
    scope = scopes.load(con) or scopes.data_root(con)
    above = [str(r[0]) for r in con.execute(
        f"SELECT DISTINCT level FROM {RECAP_TABLE} WHERE NOT {scope.under_sql('kode_wilayah', 'level')}").fetchall()]
    if above:
        con.execute(f"DELETE FROM {RECAP_TABLE} WHERE NOT {scope.under_sql('kode_wilayah', 'level')}")
    if repeats:
        stats = con.execute(
            f"""SELECT count(*) FILTER (WHERE _copy = 1 AND regexp_full_match(left(kode_tps, 10), '[0-9]{{10}}')),
                      count(*) FILTER (WHERE _copy > 1),
                      count(*) FILTER (WHERE _copy = 1 AND NOT regexp_full_match(left(kode_tps, 10), '[0-9]{{10}}'))
               FROM {summed}"""
        ).fetchall()[0]
    else:
        # Every record is a first copy: what prepare counted (`rk_stats`) is the answer, no second scan.
        stats = (placed, 0, n_rows - placed)
    return RecapResult(
        table=RECAP_TABLE,
        levels=levels,
        rows=count(con, f"SELECT count(*) FROM {RECAP_TABLE}"),
        tps_summed=int(stats[0]),
        not_summed_duplicate=int(stats[1]),
        not_summed_unplaced=int(stats[2]),
        levels_above_scope=[lv for lv in LEVELS if lv in above],
        levels_above_election={j: lvs for j, lvs in above_election.items() if lvs},
    )


def unit_names(con: duckdb.DuckDBPyConnection) -> None:
    """Unit names (`rk_unit_names`: level, kode, nama): the master list's when given, else the input's own
    (`rk_raw`; the smallest spelling, so that the choice does not depend on row order)."""
    raw = _present(con, "rk_raw")
    parts = [f"SELECT 'nasional' AS level, '{NATIONAL_CODE}' AS kode, 'NASIONAL' AS nama"]
    named = [(level, n, NAME_COLUMN[level]) for level, n in PREFIX.items() if NAME_COLUMN[level] in raw]
    if named:
        # One scan of the input: the smallest spelling per desa code and name column, then per level
        # from those (the minimum of minima is the minimum), instead of one scan per level.
        per_desa = ", ".join(f"min(trim({quote_ident(col)})) AS {quote_ident(col)}" for _, _, col in named)
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE rk_names_desa AS
                SELECT left(coalesce(rk_code(kode_tps), ''), {max(PREFIX.values())}) AS kode, {per_desa}
                FROM rk_raw GROUP BY 1"""
        )
        for level, n, col in named:
            parts.append(
                f"""SELECT '{level}' AS level, left(kode, {n}) AS kode, min({quote_ident(col)}) AS nama
                    FROM rk_names_desa WHERE {quote_ident(col)} IS NOT NULL GROUP BY 2"""
            )
    con.execute("CREATE OR REPLACE TABLE rk_unit_names AS " + " UNION ALL ".join(parts))
    con.execute("DROP TABLE IF EXISTS rk_names_desa")
    if table_exists(con, "rk_master_units"):
        con.execute(
            """CREATE OR REPLACE TABLE rk_unit_names AS
               SELECT coalesce(m.level, i.level) AS level, coalesce(m.kode, i.kode) AS kode,
                      coalesce(m.nama, i.nama) AS nama
               FROM rk_unit_names i FULL JOIN rk_master_units m ON m.level = i.level AND m.kode = i.kode"""
        )


def _expected_counts(con: duckdb.DuckDBPyConnection, levels: list[str]) -> bool:
    """Expected TPS per unit from the master list, when it has TPS counts (`rk_expected_tps`)."""
    if not table_exists(con, "rk_expected_tps"):
        return False
    # Overseas codes in the KPU list do not match Sirekap's (see rekap.aggregate.completeness): the
    # expected counts cover the domestic list only, as the coverage view does, and come from the same
    # table (built once for the K rules, the coverage and this).
    ensure_scope(con)  # rk_k_units.n_exp: the expected TPS per unit, joined into the recap
    return True
