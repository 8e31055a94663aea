"""Reported recaps against what lies beneath them: H001–H003 and the drill-down trace.

For every reported unit (a D.Hasil row, a Sirekap aggregate row) and every count field:

- `computed` is the sum beneath it: of the TPS data when TPS files are given (`rk_recap`, built by
  `rekap.aggregate.rollup.aggregate`), otherwise of the reported recap one level down (the nearest
  lower level any reported source gives for that unit);
- H001: `reported` ≠ `computed` → a discrepancy row with `selisih = reported − computed`; without TPS
  data, the same unit reported by two sources with different numbers is also an H001, with the first
  source's value as `computed`; a unit the TPS data covers only partly (fewer TPS than the region list
  or the recap itself says, or TPS without data for that field: `n_tps_with_data` < `n_tps`) and a
  reported value above the sum (which the missing TPS may explain) is listed with `partial = true` and
  is not an H001; a reported value below even a partial sum stays an H001;
- the trace of each discrepancy names the lowest units beneath it that carry a discrepancy in the same
  field, so an operator at the province sees "kabkota X › kecamatan Y: +120";
- H002: the unit has no children where the level below is given, or a child known from the TPS data or
  the region list is missing from the reported recap;
- H003: a reported row breaks an A-rule on its own (the A-rules' own SQL, run over the recap rows).

Everything is set-based SQL over `rk_reported` (see `rekap.io.reported`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from rekap import scope as scopes
from rekap.aggregate.rollup import RECAP_TABLE
from rekap.db import BAD_TABLE, DISCREPANCY_TABLE, NOT_COMPARED_TABLE, REPORTED_TABLE, count, table_exists
from rekap.regions import LEVELS, ancestor_sql, depth_sql, levels_sql
from rekap.schema import NUMERIC_COLUMNS, VOTE_DATA_COLUMNS, quote_ident
from rekap.scope import Scope


@dataclass
class CompareResult:
    table: str
    discrepancies: int
    """H001 rows: a reported value that differs from what lies beneath it."""
    not_compared: int
    """Reported units with nothing beneath them to compare with (no TPS data, no lower recap)."""
    units_compared: int
    fields: list[str]
    basis: str
    """'tps' when computed from TPS data, 'reported' when from the reported level below."""
    partial: int = 0
    """Reported (unit, field) values the TPS data covers only partly, with no complete children to check
    them against: a coverage fact (listed in `rk_not_compared`), never a discrepancy."""
    outside_scope: int = 0
    """Reported rows outside the scope (above the data's root, outside --wilayah): not compared."""
    outside_levels: list[str] = field(default_factory=list)
    """The levels of those rows."""


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [str(r[0]) for r in con.execute(f"DESCRIBE {quote_ident(table)}").fetchall()]


def _limit_to_scope(con: duckdb.DuckDBPyConnection, scope: Scope | None) -> tuple[int, list[str]]:
    """Leave out the reported rows (and their bad cells) outside the scope; return how many and their levels."""
    if scope is None or scope.national:
        return 0, []
    inside = scope.under_sql("kode_wilayah", "level")
    outside = con.execute(
        f"SELECT count(*), list(DISTINCT level) FROM {REPORTED_TABLE} WHERE NOT {inside}").fetchall()[0]
    if not outside[0]:
        return 0, []
    con.execute(f"DELETE FROM {REPORTED_TABLE} WHERE NOT {inside}")
    # A cell that is not a count is the file's own defect (S002) wherever its unit lies; only --wilayah,
    # which asks for nothing outside it, drops those too.
    if scope.given and table_exists(con, BAD_TABLE):
        con.execute(f"DELETE FROM {BAD_TABLE} WHERE kode_wilayah IS NOT NULL AND NOT {scope.under_sql('kode_wilayah')}")
    return int(outside[0]), [lv for lv in LEVELS if lv in set(outside[1] or [])]


def compare(
    con: duckdb.DuckDBPyConnection, *, default_election: str | None = None, scope: Scope | None = None
) -> CompareResult:
    """Create `rk_discrepancies`, `rk_not_compared` and the H001–H003 tables from `rk_reported` (+ `rk_recap`).

    `scope`: reported rows outside it are left out and counted (with TPS data, the scope the TPS data was
    read for, `rekap.scope`, is used when none is given)."""
    with_tps = table_exists(con, RECAP_TABLE)
    if scope is None and with_tps:
        scope = scopes.load(con)
    outside, outside_levels = _limit_to_scope(con, scope)
    rep_cols = _columns(con, "rk_reported")
    fields = [c for c in NUMERIC_COLUMNS if c in rep_cols]
    jenis = f"coalesce(r.jenis_pemilihan, '{default_election or 'ppwp'}')"
    field_list = ", ".join(f"'{f}'" for f in fields)

    # Long form: one row per reported unit, source and field. A D.Hasil unit is a column: its values'
    # rows (`_row__<field>`, the item's row) say where each value is.
    value_rows = ", ".join(f"r.{quote_ident('_row__' + f)}" if f"_row__{f}" in rep_cols else "NULL::BIGINT" for f in fields)
    con.execute(
        f"""CREATE OR REPLACE TABLE rk_rep_long AS
            SELECT {jenis} AS jenis_pemilihan, r.level, {depth_sql('r.level')} AS depth, r.kode_wilayah,
                   -- a name any source gives for the unit (Sirekap JSON has codes only)
                   coalesce(r.nama_wilayah, max(r.nama_wilayah) OVER (PARTITION BY r.level, r.kode_wilayah)) AS nama_wilayah,
                   r._file, coalesce(u.value_row, r._row) AS _row, u.field, u.value AS reported
            FROM rk_reported r,
                 LATERAL (SELECT unnest([{field_list}]) AS field,
                                 unnest([{', '.join(f'r.{quote_ident(f)}' for f in fields)}]) AS value,
                                 unnest([{value_rows}]::BIGINT[]) AS value_row) u
            WHERE u.value IS NOT NULL"""
    )
    # Every reported row, also one whose cells are all empty: it still says the unit is in the recap.
    con.execute(
        f"""CREATE OR REPLACE TABLE rk_rep_units AS
            SELECT DISTINCT {jenis} AS jenis_pemilihan, r.level, {depth_sql('r.level')} AS depth, r.kode_wilayah,
                   r._file, r._row
            FROM rk_reported r"""
    )
    # Without TPS data, one source per unit feeds the sums of its parent: the first one given (with TPS
    # data every source is compared with the TPS, and the sums beneath are built in _computed_from_tps).
    con.execute(
        f"""CREATE OR REPLACE TABLE rk_rep_primary AS
           SELECT * FROM rk_rep_long WHERE NOT {'true' if with_tps else 'false'}
           QUALIFY _file = min(_file) OVER (PARTITION BY jenis_pemilihan, level, kode_wilayah, field)"""
    )
    if with_tps:
        _computed_from_tps(con, fields, "n_tps_total" in rep_cols, jenis)
    else:
        _computed_from_reported(con)
    # Differences against what lies beneath, and between sources that report the same unit.
    con.execute(
        """CREATE OR REPLACE TABLE rk_h001 AS
            SELECT l.jenis_pemilihan, l.level, l.depth, l.kode_wilayah, l.nama_wilayah, l.field, l.reported,
                   c.computed, (l.reported - c.computed)::BIGINT AS selisih, c.computed_from,
                   c.n_tps, c.n_tps_expected, c.n_tps_with_data, l._file, l._row
            FROM rk_rep_long l JOIN rk_computed c USING (jenis_pemilihan, level, kode_wilayah, field)
            WHERE l.reported <> c.computed
            UNION ALL
            SELECT l.jenis_pemilihan, l.level, l.depth, l.kode_wilayah, l.nama_wilayah, l.field, l.reported,
                   p.reported AS computed, (l.reported - p.reported)::BIGINT AS selisih,
                   'sumber:' || o.source AS computed_from, NULL, NULL, NULL, l._file, l._row
            FROM rk_rep_long l
            JOIN rk_rep_primary p USING (jenis_pemilihan, level, kode_wilayah, field)
            LEFT JOIN rk_source_order o ON o.idx = p._file
            WHERE l._file <> p._file AND l.reported <> p.reported AND NOT $with_tps""",
        # With TPS data every source is checked against the TPS; two recaps of the same unit are
        # compared with each other only when there is nothing beneath them.
        {"with_tps": with_tps},
    )
    # Trace: the lowest units beneath each discrepancy that carry one in the same field.
    con.execute(
        f"""CREATE OR REPLACE TABLE rk_h001_trace AS
            WITH anc AS (
                SELECT low.*, a.d AS anc_depth, {ancestor_sql('low.kode_wilayah', 'a.d')} AS anc_kode
                FROM rk_h001 low, (SELECT unnest(range(0, 5)) AS d) a WHERE a.d <= low.depth),
            pairs AS (
                SELECT top.jenis_pemilihan, top.level, top.kode_wilayah, top.field, low.level AS low_level,
                       low.kode_wilayah AS low_kode, low.selisih AS low_selisih, low.depth AS low_depth
                FROM rk_h001 top JOIN anc low
                  ON low.jenis_pemilihan = top.jenis_pemilihan AND low.field = top.field
                 AND low.anc_depth = top.depth AND low.anc_kode = top.kode_wilayah),
            lowest AS (SELECT * FROM pairs QUALIFY low_depth = max(low_depth) OVER (PARTITION BY jenis_pemilihan, level, kode_wilayah, field))
            SELECT jenis_pemilihan, level, kode_wilayah, field, max(low_depth) AS first_depth,
                   {levels_sql()}[max(low_depth) + 1] AS first_level,
                   string_agg(DISTINCT low_level || ' ' || low_kode || ': ' ||
                              CASE WHEN low_selisih > 0 THEN '+' ELSE '' END || low_selisih::VARCHAR, '; '
                              ORDER BY low_level || ' ' || low_kode || ': ' ||
                              CASE WHEN low_selisih > 0 THEN '+' ELSE '' END || low_selisih::VARCHAR) AS trace
            FROM lowest GROUP BY ALL"""
    )
    all_fields = ", ".join(f"'{f}'" for f in NUMERIC_COLUMNS)
    field_order = f"array_position([{all_fields}], h.field)"
    con.execute(
        f"""CREATE OR REPLACE TABLE {DISCREPANCY_TABLE} AS
            SELECT h.jenis_pemilihan, h.level, h.kode_wilayah, h.nama_wilayah, h.field, h.reported, h.computed,
                   h.selisih, h.computed_from, h.n_tps, h.n_tps_expected, h.n_tps_with_data,
                   t.first_level, t.trace, o.source, h._row AS row
            FROM rk_h001 h
            LEFT JOIN rk_h001_trace t USING (jenis_pemilihan, level, kode_wilayah, field)
            LEFT JOIN rk_source_order o ON o.idx = h._file
            ORDER BY h.jenis_pemilihan, h.depth, h.kode_wilayah, {field_order}, o.source,
                     -- total: one source can report a unit twice, and a unit can differ from the TPS sums
                     -- and from another source in the same field
                     h._row, h.computed_from, h.computed"""
    )
    con.execute(
        f"""CREATE OR REPLACE TABLE {NOT_COMPARED_TABLE} AS
            SELECT h.jenis_pemilihan, h.level, h.kode_wilayah, h.nama_wilayah, h.field, h.reported,
                   h.tps_sum, h.n_tps, h.n_tps_expected, h.n_tps_with_data, h.reason, o.source, h._row AS row
            FROM rk_partial h LEFT JOIN rk_source_order o ON o.idx = h._file
            ORDER BY h.jenis_pemilihan, h.depth, h.kode_wilayah, {field_order}, o.source, h._row"""
    )
    _h002(con, with_tps)
    units = count(con, "SELECT count(DISTINCT (jenis_pemilihan, level, kode_wilayah)) FROM rk_rep_long")
    uncovered = count(
        con,
        f"""SELECT count(DISTINCT (l.jenis_pemilihan, l.level, l.kode_wilayah)) FROM rk_rep_long l
           ANTI JOIN rk_computed c USING (jenis_pemilihan, level, kode_wilayah)
           ANTI JOIN {NOT_COMPARED_TABLE} n USING (jenis_pemilihan, level, kode_wilayah)""",
    )
    return CompareResult(
        table=DISCREPANCY_TABLE,
        discrepancies=count(con, "SELECT count(*) FROM rk_h001"),
        partial=count(con, f"SELECT count(*) FROM {NOT_COMPARED_TABLE}"),
        not_compared=uncovered,
        units_compared=units,
        fields=fields,
        basis="tps" if with_tps else "reported",
        outside_scope=outside,
        outside_levels=outside_levels,
    )


def _computed_from_reported(con: duckdb.DuckDBPyConnection) -> None:
    """No TPS data: each unit against the nearest lower level any source reports beneath it, summed from
    the primary sources."""
    levels = levels_sql()
    con.execute(
        f"""CREATE OR REPLACE TABLE rk_computed AS
            WITH anc AS (
                SELECT p.jenis_pemilihan, a.depth AS anc_depth, {ancestor_sql('p.kode_wilayah', 'a.depth')} AS anc_kode,
                       p.depth, p.field, p.reported
                FROM rk_rep_primary p, (SELECT unnest(range(0, 4)) AS depth) a
                WHERE a.depth < p.depth),
            nearest AS (
                SELECT jenis_pemilihan, anc_depth, anc_kode, min(depth) AS child_depth
                FROM anc GROUP BY ALL)
            SELECT a.jenis_pemilihan, {levels}[a.anc_depth + 1] AS level,
                   a.anc_kode AS kode_wilayah, a.field, sum(a.reported)::BIGINT AS computed,
                   {levels}[n.child_depth + 1] AS computed_from,
                   NULL::BIGINT AS n_tps, NULL::BIGINT AS n_tps_expected, NULL::BIGINT AS n_tps_with_data
            FROM anc a JOIN nearest n USING (jenis_pemilihan, anc_depth, anc_kode)
            WHERE a.depth = n.child_depth
            GROUP BY ALL"""
    )
    con.execute(
        """CREATE OR REPLACE TABLE rk_partial (jenis_pemilihan VARCHAR, level VARCHAR, depth INTEGER,
               kode_wilayah VARCHAR, nama_wilayah VARCHAR, field VARCHAR, reported BIGINT, tps_sum BIGINT,
               n_tps BIGINT, n_tps_expected BIGINT, n_tps_with_data BIGINT, reason VARCHAR, _file INTEGER, _row BIGINT)"""
    )


def _computed_from_tps(con: duckdb.DuckDBPyConnection, fields: list[str], rep_has_tps: bool, jenis: str) -> None:
    """With TPS data (domain.md §4): a unit the TPS data covers completely for a field is checked against
    its TPS sum. A partial unit (fewer TPS than the region list or the recap itself says, or TPS without
    numbers for that field) is not: it is checked against its children, each child counting with its own
    TPS sum when it is complete, with the sum of its own children when those can be checked, else with its
    reported value, so a difference that complete children explain stays an H001 (with its trace) and a
    partial unit whose recap adds up is not one. A partial unit with nothing beneath it to use is a coverage
    fact (`rk_partial`), except that a reported value below even its partial TPS sum cannot be right (TPS
    can only be missing) and stays an H001 against that sum, and one equal to it is compared (and agrees:
    Sirekap's own aggregate of the same partial data).

    Builds `rk_computed` (what each reported unit and field is compared with) and `rk_partial`. The work is
    done one row per unit with a column per field (`b_<field>`: the unit's best known value), level by level
    from the bottom: five set-based statements whatever the size of the recap."""
    q = quote_ident
    recap_cols = set(_columns(con, RECAP_TABLE))
    idx = {f: i for i, f in enumerate(fields)}
    votes = set(VOTE_DATA_COLUMNS)
    expected = "coalesce(c.n_tps_expected, t.reported_total)" if rep_has_tps else "c.n_tps_expected"
    reported_total = (
        f"""LEFT JOIN (SELECT {jenis} AS jenis_pemilihan, r.level, r.kode_wilayah, max(r.n_tps_total) AS reported_total
                       FROM rk_reported r GROUP BY ALL) t USING (jenis_pemilihan, level, kode_wilayah)"""
        if rep_has_tps else ""
    )
    # Units that take part: every reported unit and every unit (of the TPS data or a recap) under one.
    con.execute(
        f"""CREATE OR REPLACE TABLE rk_cmp_units AS
            WITH known AS (
                SELECT DISTINCT jenis_pemilihan, level, depth, kode_wilayah FROM rk_rep_units
                UNION SELECT jenis_pemilihan, level, {depth_sql('level')}, kode_wilayah FROM {RECAP_TABLE}),
            tops AS (SELECT DISTINCT jenis_pemilihan, depth, kode_wilayah FROM rk_rep_units)
            SELECT k.*, CASE WHEN k.depth = 0 THEN NULL ELSE {ancestor_sql('k.kode_wilayah', 'k.depth - 1')} END AS parent
            FROM known k
            WHERE EXISTS (SELECT 1 FROM (SELECT unnest(range(0, k.depth + 1)) AS d) a
                          JOIN tops t ON t.jenis_pemilihan = k.jenis_pemilihan AND t.depth = a.d
                           AND t.kode_wilayah = {ancestor_sql('k.kode_wilayah', 'a.d')})"""
    )
    # Per unit: the primary source's reported values (r_i), the TPS sums (t_i), and whether the TPS data
    # covers the unit completely for vote fields and for voter fields.
    # The first source that gives a value feeds its parent's sums (per field), read from the wide table.
    order = "(r._file::BIGINT << 40) + r._row"
    reported = ", ".join(
        f"arg_min(r.{q(f)}, {order}) FILTER (WHERE r.{q(f)} IS NOT NULL) AS r_{i}" for f, i in idx.items()
    )
    sums = ", ".join(f"c.{q(f)} AS t_{i}" if f in recap_cols else f"NULL::BIGINT AS t_{i}" for f, i in idx.items())
    con.execute(
        f"""CREATE OR REPLACE TABLE rk_cmp_base AS
            WITH r AS (SELECT {jenis} AS jenis_pemilihan, r.level, r.kode_wilayah, {reported}
                       FROM rk_reported r GROUP BY ALL),
            c AS (SELECT c.*, {expected} AS n_exp FROM {RECAP_TABLE} c {reported_total})
            SELECT u.jenis_pemilihan, u.level, u.depth, u.kode_wilayah, u.parent,
                   c.n_tps, c.n_exp AS n_tps_expected, c.n_tps_suara, c.n_tps_administrasi,
                   coalesce(c.n_tps > 0 AND c.n_tps_suara >= c.n_tps, false)
                       AND NOT coalesce(c.n_tps < c.n_exp, false) AS complete_votes,
                   coalesce(c.n_tps > 0 AND c.n_tps_administrasi >= c.n_tps, false)
                       AND NOT coalesce(c.n_tps < c.n_exp, false) AS complete_voters,
                   {', '.join(f'r.r_{i}' for i in idx.values())}{', ' if idx else ''}{sums}
            FROM rk_cmp_units u
            LEFT JOIN r USING (jenis_pemilihan, level, kode_wilayah)
            LEFT JOIN c USING (jenis_pemilihan, level, kode_wilayah)"""
    )

    def complete(f: str) -> str:
        return "b.complete_votes" if f in votes else "b.complete_voters"

    # Bottom-up, one level at a time: a unit's best known value is its TPS sum when complete, else its
    # children's best values summed when every child it has is known and at least one of them is reported,
    # else its reported value.
    child_cols = ", ".join(
        f"sum(b_{i})::BIGINT AS s_{i}, count(*) = count(b_{i}) AND bool_or(r_{i} IS NOT NULL) AS ok_{i}"
        for i in idx.values()
    )
    best_cols = ", ".join(
        f"coalesce(ch.ok_{i}, false) AS ok_{i}, ch.s_{i}, "
        f"CASE WHEN {complete(f)} THEN b.t_{i} WHEN ch.ok_{i} THEN ch.s_{i} ELSE b.r_{i} END AS b_{i}"
        for f, i in idx.items()
    )
    empty = ", ".join(f"NULL::BOOLEAN AS ok_{i}, NULL::BIGINT AS s_{i}, NULL::BIGINT AS b_{i}" for i in idx.values())
    con.execute(f"CREATE OR REPLACE TABLE rk_best AS SELECT b.*{', ' + empty if empty else ''} FROM rk_cmp_base b LIMIT 0")
    for depth in range(len(LEVELS) - 1, -1, -1):
        if not idx:
            break
        con.execute(
            f"""INSERT INTO rk_best
                WITH ch AS (SELECT jenis_pemilihan, parent, {child_cols} FROM rk_best WHERE depth = {depth + 1}
                            GROUP BY jenis_pemilihan, parent)
                SELECT b.*, {best_cols}
                FROM (SELECT * FROM rk_cmp_base WHERE depth = {depth}) b
                LEFT JOIN ch ON ch.jenis_pemilihan = b.jenis_pemilihan AND ch.parent = b.kode_wilayah"""
        )
    # Long again, only for the reported values: what each is compared with, or why it is not.
    child_level = f"{levels_sql(LEVELS[1:])}[depth + 1]"
    per_field = []
    for f, i in idx.items():
        with_data = "n_tps_suara" if f in votes else "n_tps_administrasi"
        full = "complete_votes" if f in votes else "complete_voters"
        per_field.append(
            f"""SELECT jenis_pemilihan, level, depth, kode_wilayah, '{f}' AS field, r_{i} AS reported, t_{i} AS tps_sum,
                       {full} AS complete, ok_{i} AS children_ok, s_{i} AS children_sum, n_tps, n_tps_expected,
                       {with_data} AS n_tps_with_data
                FROM rk_best WHERE r_{i} IS NOT NULL"""
        )
    if per_field:
        con.execute("CREATE OR REPLACE VIEW rk_best_long AS " + " UNION ALL ".join(per_field))
    else:
        con.execute("""CREATE OR REPLACE TABLE rk_best_long (jenis_pemilihan VARCHAR, level VARCHAR, depth INTEGER,
                       kode_wilayah VARCHAR, field VARCHAR, reported BIGINT, tps_sum BIGINT, complete BOOLEAN,
                       children_ok BOOLEAN, children_sum BIGINT, n_tps BIGINT, n_tps_expected BIGINT,
                       n_tps_with_data BIGINT)""")
    con.execute(
        f"""CREATE OR REPLACE TABLE rk_computed AS
            SELECT jenis_pemilihan, level, kode_wilayah, field,
                   CASE WHEN complete THEN tps_sum WHEN children_ok THEN children_sum ELSE tps_sum END AS computed,
                   CASE WHEN complete THEN 'tps' WHEN children_ok THEN {child_level} ELSE 'tps' END AS computed_from,
                   n_tps, n_tps_expected, n_tps_with_data
            FROM rk_best_long
            WHERE complete OR children_ok OR reported <= tps_sum"""
    )
    con.execute(
        """CREATE OR REPLACE TABLE rk_partial AS
            SELECT b.jenis_pemilihan, b.level, b.depth, b.kode_wilayah, l.nama_wilayah, b.field, b.reported,
                   b.tps_sum, b.n_tps, b.n_tps_expected, b.n_tps_with_data,
                   CASE WHEN b.n_tps IS NULL OR b.n_tps = 0 THEN 'no_tps'
                        WHEN b.n_tps < b.n_tps_expected THEN 'tps_missing'
                        ELSE 'tps_without_data' END AS reason,
                   l._file, l._row
            FROM (SELECT * FROM rk_best_long
                  WHERE NOT (complete OR children_ok OR reported <= tps_sum)
                    -- a unit with no TPS data at all and nothing beneath it is "not compared", not partial
                    AND n_tps > 0) b
            JOIN rk_rep_long l USING (jenis_pemilihan, level, kode_wilayah, field)
            -- one line per unit and field: the first source that gives it
            QUALIFY row_number() OVER (PARTITION BY b.jenis_pemilihan, b.level, b.kode_wilayah, b.field
                                       ORDER BY l._file, l._row) = 1"""
    )


def _h002(con: duckdb.DuckDBPyConnection, with_tps: bool) -> None:
    """Units with no children where a lower level is given, and children missing from the recap."""
    known = ["SELECT jenis_pemilihan, level, kode_wilayah FROM rk_rep_long"]
    scope = ""
    if with_tps:
        known.append(f"SELECT jenis_pemilihan, level, kode_wilayah FROM {RECAP_TABLE}")
        # Partial TPS data (one province of a national recap) is not a missing child: only a unit
        # whose parent the TPS data does cover, below the province, has children it should have.
        parent = ancestor_sql("p.kode_wilayah", "p.depth - 1")
        scope = (
            f"AND p.depth >= 2 AND EXISTS (SELECT 1 FROM {RECAP_TABLE} x WHERE x.jenis_pemilihan = p.jenis_pemilihan "
            f"AND {depth_sql('x.level')} = p.depth - 1 AND x.kode_wilayah = {parent})"
        )
    # Equality joins only (a child's parent code is its prefix), so this stays linear at national scale.
    child_parent = ancestor_sql("c.kode_wilayah", "c.depth - 1")
    con.execute(
        f"""CREATE OR REPLACE TABLE rk_h002 AS
            WITH units AS (SELECT DISTINCT jenis_pemilihan, level, {depth_sql('level')} AS depth, kode_wilayah
                           FROM ({' UNION ALL '.join(known)})),
            reported AS (SELECT * FROM rk_rep_units),
            reported_units AS (SELECT DISTINCT jenis_pemilihan, level, kode_wilayah FROM reported),
            reported_levels AS (SELECT DISTINCT jenis_pemilihan, level FROM reported),
            lowest AS (SELECT jenis_pemilihan, max(depth) AS max_depth FROM units GROUP BY 1),
            child_units AS (SELECT c.*, {child_parent} AS parent_kode FROM units c WHERE c.depth > 0),
            children AS (
                SELECT p.jenis_pemilihan, p.level, p.kode_wilayah, p._file, p._row, c.level AS child_level,
                       c.kode_wilayah AS child_kode, ru.kode_wilayah IS NOT NULL AS child_reported
                FROM reported p
                JOIN child_units c
                  ON c.jenis_pemilihan = p.jenis_pemilihan AND c.depth = p.depth + 1 AND c.parent_kode = p.kode_wilayah
                LEFT JOIN reported_units ru
                  ON ru.jenis_pemilihan = c.jenis_pemilihan AND ru.level = c.level AND ru.kode_wilayah = c.kode_wilayah)
            SELECT p.jenis_pemilihan, p.level, p.kode_wilayah, NULL AS child_kode, p._file, p._row
            FROM reported p JOIN lowest l USING (jenis_pemilihan)
            WHERE p.depth < l.max_depth {scope}
              AND NOT EXISTS (SELECT 1 FROM children c WHERE c.jenis_pemilihan = p.jenis_pemilihan
                              AND c.level = p.level AND c.kode_wilayah = p.kode_wilayah)
            UNION ALL
            SELECT DISTINCT c.jenis_pemilihan, c.level, c.kode_wilayah, c.child_kode, c._file, c._row
            FROM children c JOIN reported_levels rl ON rl.jenis_pemilihan = c.jenis_pemilihan AND rl.level = c.child_level
            WHERE NOT c.child_reported"""
    )
