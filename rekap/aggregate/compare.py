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

Everything is set-based SQL over `rk_reported` (see `rekap.aggregate.reported`).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from rekap.aggregate.rollup import LEVELS_UP, NATIONAL_CODE, PREFIX, RECAP_TABLE
from rekap.db import count, table_exists
from rekap.schema import NUMERIC_COLUMNS, PASLON_COLUMNS, VOTE_DATA_COLUMNS, quote_ident

DISCREPANCY_TABLE = "rk_discrepancies"
DEPTH = {lv: i for i, lv in enumerate(LEVELS_UP)}
LEVEL_LIST = ", ".join(f"'{lv}'" for lv in LEVELS_UP)


@dataclass
class CompareResult:
    table: str
    discrepancies: int
    partial: int
    """Differences at units the TPS data covers only partly: shown, not counted as discrepancies."""
    not_compared: int
    """Reported units with nothing beneath them to compare with."""
    units_compared: int
    fields: list[str]
    basis: str
    """'tps' when computed from TPS data, 'reported' when from the reported level below."""


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [str(r[0]) for r in con.execute(f"DESCRIBE {quote_ident(table)}").fetchall()]




def _depth_sql(col: str) -> str:
    return "CASE " + " ".join(f"WHEN {col} = '{lv}' THEN {d}" for lv, d in DEPTH.items()) + " END"


def _ancestor_sql(code: str, depth: str) -> str:
    """The code of the ancestor at `depth` (0 = nasional) of a unit."""
    parts = [f"WHEN {depth} = 0 THEN '{NATIONAL_CODE}'"]
    parts += [f"WHEN {depth} = {DEPTH[lv]} THEN left({code}, {n})" for lv, n in PREFIX.items()]
    return "CASE " + " ".join(parts) + " END"


def compare(con: duckdb.DuckDBPyConnection, *, default_election: str | None = None) -> CompareResult:
    """Create `rk_discrepancies` and `rk_compare_findings` (H001–H003) from `rk_reported` (+ `rk_recap`)."""
    rep_cols = _columns(con, "rk_reported")
    fields = [c for c in NUMERIC_COLUMNS if c in rep_cols]
    with_tps = table_exists(con, RECAP_TABLE)
    jenis = f"coalesce(r.jenis_pemilihan, '{default_election or 'ppwp'}')"
    if with_tps and default_election is None:
        only = con.execute(f"SELECT DISTINCT jenis_pemilihan FROM {RECAP_TABLE}").fetchall()
        if len(only) == 1:
            jenis = f"coalesce(r.jenis_pemilihan, '{only[0][0]}')"

    # Long form: one row per reported unit, source and field. A D.Hasil unit is a column: its values'
    # rows (`_row__<field>`, the item's row) say where each value is.
    value_rows = ", ".join(f"r.{quote_ident('_row__' + f)}" if f"_row__{f}" in rep_cols else "NULL::BIGINT" for f in fields)
    con.execute(
        f"""CREATE OR REPLACE TABLE rk_rep_long AS
            SELECT {jenis} AS jenis_pemilihan, r.level, {_depth_sql('r.level')} AS depth, r.kode_wilayah,
                   -- a name any source gives for the unit (Sirekap JSON has codes only)
                   coalesce(r.nama_wilayah, max(r.nama_wilayah) OVER (PARTITION BY r.level, r.kode_wilayah)) AS nama_wilayah,
                   r._file, coalesce(u.value_row, r._row) AS _row, u.field, u.value AS reported
            FROM rk_reported r,
                 LATERAL (SELECT unnest([{', '.join(f"'{f}'" for f in fields)}]) AS field,
                                 unnest([{', '.join(f'r.{quote_ident(f)}' for f in fields)}]) AS value,
                                 unnest([{value_rows}]::BIGINT[]) AS value_row) u
            WHERE u.value IS NOT NULL"""
    )
    # Every reported row, also one whose cells are all empty: it still says the unit is in the recap.
    con.execute(
        f"""CREATE OR REPLACE TABLE rk_rep_units AS
            SELECT DISTINCT {jenis} AS jenis_pemilihan, r.level, {_depth_sql('r.level')} AS depth, r.kode_wilayah,
                   r._file, r._row
            FROM rk_reported r"""
    )
    # One source per unit feeds the sums of its parent: the first one given.
    con.execute(
        """CREATE OR REPLACE TABLE rk_rep_primary AS
           SELECT * FROM rk_rep_long
           QUALIFY _file = min(_file) OVER (PARTITION BY jenis_pemilihan, level, kode_wilayah, field)"""
    )
    if with_tps:
        recap_cols = _columns(con, RECAP_TABLE)
        tps_fields = [f for f in fields if f in recap_cols]
        con.execute(
            f"""CREATE OR REPLACE TABLE rk_computed AS
                SELECT jenis_pemilihan, level, kode_wilayah, field, computed, 'tps' AS computed_from
                FROM (UNPIVOT (SELECT r.jenis_pemilihan, r.level, r.kode_wilayah, {', '.join('r.' + quote_ident(f) for f in tps_fields)}
                               FROM {RECAP_TABLE} r
                               -- only the units a recap reports: both uses of this table look those up
                               SEMI JOIN (SELECT DISTINCT jenis_pemilihan, level, kode_wilayah FROM rk_rep_long) u
                                 ON u.jenis_pemilihan = r.jenis_pemilihan AND u.level = r.level
                                AND u.kode_wilayah = r.kode_wilayah)
                      ON {', '.join(quote_ident(f) for f in tps_fields)} INTO NAME field VALUE computed)"""
            if tps_fields
            else "CREATE OR REPLACE TABLE rk_computed (jenis_pemilihan VARCHAR, level VARCHAR, kode_wilayah VARCHAR, "
            "field VARCHAR, computed BIGINT, computed_from VARCHAR)"
        )
    else:
        # The nearest lower level any source reports beneath each unit, summed from the primary sources.
        con.execute(
            f"""CREATE OR REPLACE TABLE rk_computed AS
                WITH anc AS (
                    SELECT p.jenis_pemilihan, a.depth AS anc_depth, {_ancestor_sql('p.kode_wilayah', 'a.depth')} AS anc_kode,
                           p.depth, p.field, p.reported
                    FROM rk_rep_primary p, (SELECT unnest(range(0, 4)) AS depth) a
                    WHERE a.depth < p.depth),
                nearest AS (
                    SELECT jenis_pemilihan, anc_depth, anc_kode, min(depth) AS child_depth
                    FROM anc GROUP BY ALL)
                SELECT a.jenis_pemilihan, [{', '.join(f"'{lv}'" for lv in LEVELS_UP)}][a.anc_depth + 1] AS level,
                       a.anc_kode AS kode_wilayah, a.field, sum(a.reported)::BIGINT AS computed,
                       [{', '.join(f"'{lv}'" for lv in LEVELS_UP)}][n.child_depth + 1] AS computed_from
                FROM anc a JOIN nearest n USING (jenis_pemilihan, anc_depth, anc_kode)
                WHERE a.depth = n.child_depth
                GROUP BY ALL"""
        )
    # Coverage of each reported unit by the TPS data: the region list's expected TPS when given,
    # else the TPS count the reported recap states. A unit the TPS data covers only partly is
    # compared (the rows say so) but its gap is not a discrepancy.
    rep_has_tps = "n_tps_total" in rep_cols
    if with_tps:
        expected = "coalesce(c.n_tps_expected, u.reported_total)" if rep_has_tps else "c.n_tps_expected"
        con.execute(
            f"""CREATE OR REPLACE TABLE rk_unit_cov AS
                SELECT c.jenis_pemilihan, c.level, c.kode_wilayah, c.n_tps, {expected} AS n_tps_expected,
                       c.n_tps_suara, c.n_tps_administrasi
                FROM {RECAP_TABLE} c
                {'LEFT JOIN (SELECT ' + jenis + ' AS jenis_pemilihan, r.level, r.kode_wilayah, max(r.n_tps_total) AS reported_total FROM rk_reported r GROUP BY ALL) u USING (jenis_pemilihan, level, kode_wilayah)' if rep_has_tps else ''}"""
        )
    else:
        con.execute(
            "CREATE OR REPLACE TABLE rk_unit_cov (jenis_pemilihan VARCHAR, level VARCHAR, kode_wilayah VARCHAR, "
            "n_tps BIGINT, n_tps_expected BIGINT, n_tps_suara BIGINT, n_tps_administrasi BIGINT)"
        )
    # Differences against what lies beneath, and between sources that report the same unit.
    vote_fields = ", ".join(f"'{f}'" for f in VOTE_DATA_COLUMNS)
    con.execute(
        f"""CREATE OR REPLACE TABLE rk_diff_all AS
            SELECT d.*, v.n_tps, v.n_tps_expected,
                   CASE WHEN d.field IN ({vote_fields}) THEN v.n_tps_suara ELSE v.n_tps_administrasi END AS n_tps_with_data,
                   -- TPS missing from the data can only make the sum smaller: a recap above a partial
                   -- sum may be right, one below it cannot be, and stays a discrepancy.
                   coalesce(d.computed_from = 'tps' AND d.selisih > 0 AND (v.n_tps < v.n_tps_expected OR
                            (CASE WHEN d.field IN ({vote_fields}) THEN v.n_tps_suara ELSE v.n_tps_administrasi END) < v.n_tps),
                            false) AS partial
            FROM (
                SELECT l.jenis_pemilihan, l.level, l.depth, l.kode_wilayah, l.nama_wilayah, l.field, l.reported,
                       c.computed, (l.reported - c.computed)::BIGINT AS selisih, c.computed_from, l._file, l._row
                FROM rk_rep_long l JOIN rk_computed c USING (jenis_pemilihan, level, kode_wilayah, field)
                WHERE l.reported <> c.computed
                UNION ALL
                SELECT l.jenis_pemilihan, l.level, l.depth, l.kode_wilayah, l.nama_wilayah, l.field, l.reported,
                       p.reported AS computed, (l.reported - p.reported)::BIGINT AS selisih,
                       'sumber:' || o.source AS computed_from, l._file, l._row
                FROM rk_rep_long l
                JOIN rk_rep_primary p USING (jenis_pemilihan, level, kode_wilayah, field)
                LEFT JOIN rk_source_order o ON o.idx = p._file
                WHERE l._file <> p._file AND l.reported <> p.reported AND NOT $with_tps) d
            LEFT JOIN rk_unit_cov v USING (jenis_pemilihan, level, kode_wilayah)""",
        # With TPS data every source is checked against the TPS; two recaps of the same unit are
        # compared with each other only when there is nothing beneath them.
        {"with_tps": with_tps},
    )
    con.execute("CREATE OR REPLACE TABLE rk_h001 AS SELECT * FROM rk_diff_all WHERE NOT partial")
    # Trace: the lowest units beneath each discrepancy that carry one in the same field.
    con.execute(
        f"""CREATE OR REPLACE TABLE rk_h001_trace AS
            WITH anc AS (
                SELECT low.*, a.d AS anc_depth, {_ancestor_sql('low.kode_wilayah', 'a.d')} AS anc_kode
                FROM rk_h001 low, (SELECT unnest(range(0, 5)) AS d) a WHERE a.d <= low.depth),
            pairs AS (
                SELECT top.jenis_pemilihan, top.level, top.kode_wilayah, top.field, low.level AS low_level,
                       low.kode_wilayah AS low_kode, low.selisih AS low_selisih, low.depth AS low_depth
                FROM rk_h001 top JOIN anc low
                  ON low.jenis_pemilihan = top.jenis_pemilihan AND low.field = top.field
                 AND low.anc_depth = top.depth AND low.anc_kode = top.kode_wilayah),
            lowest AS (SELECT * FROM pairs QUALIFY low_depth = max(low_depth) OVER (PARTITION BY jenis_pemilihan, level, kode_wilayah, field))
            SELECT jenis_pemilihan, level, kode_wilayah, field, max(low_depth) AS first_depth,
                   [{LEVEL_LIST}][max(low_depth) + 1] AS first_level,
                   string_agg(DISTINCT low_level || ' ' || low_kode || ': ' ||
                              CASE WHEN low_selisih > 0 THEN '+' ELSE '' END || low_selisih::VARCHAR, '; '
                              ORDER BY low_level || ' ' || low_kode || ': ' ||
                              CASE WHEN low_selisih > 0 THEN '+' ELSE '' END || low_selisih::VARCHAR) AS trace
            FROM lowest GROUP BY ALL"""
    )
    con.execute(
        f"""CREATE OR REPLACE TABLE {DISCREPANCY_TABLE} AS
            SELECT h.jenis_pemilihan, h.level, h.kode_wilayah, h.nama_wilayah, h.field, h.reported, h.computed,
                   h.selisih, h.computed_from, h.n_tps, h.n_tps_expected, h.n_tps_with_data, h.partial,
                   t.first_level, t.trace, o.source, h._row AS row
            FROM rk_diff_all h
            LEFT JOIN rk_h001_trace t USING (jenis_pemilihan, level, kode_wilayah, field)
            LEFT JOIN rk_source_order o ON o.idx = h._file
            ORDER BY h.partial, h.jenis_pemilihan, h.depth, h.kode_wilayah,
                     array_position([{', '.join(f"'{f}'" for f in NUMERIC_COLUMNS)}], h.field), o.source,
                     -- total: one source can report a unit twice, and a unit can differ from the TPS sums
                     -- and from another source in the same field
                     h._row, h.computed_from, h.computed"""
    )
    _h002(con, with_tps)
    _h003(con, rep_cols)
    units = count(con, "SELECT count(DISTINCT (jenis_pemilihan, level, kode_wilayah)) FROM rk_rep_long")
    uncovered = count(
        con,
        """SELECT count(DISTINCT (l.jenis_pemilihan, l.level, l.kode_wilayah)) FROM rk_rep_long l
           ANTI JOIN rk_computed c USING (jenis_pemilihan, level, kode_wilayah)""",
    )
    return CompareResult(
        table=DISCREPANCY_TABLE,
        discrepancies=count(con, "SELECT count(*) FROM rk_h001"),
        partial=count(con, "SELECT count(*) FROM rk_diff_all WHERE partial"),
        not_compared=uncovered,
        units_compared=units,
        fields=fields,
        basis="tps" if with_tps else "reported",
    )


def _h002(con: duckdb.DuckDBPyConnection, with_tps: bool) -> None:
    """Units with no children where a lower level is given, and children missing from the recap."""
    known = ["SELECT jenis_pemilihan, level, kode_wilayah FROM rk_rep_long"]
    scope = ""
    if with_tps:
        known.append(f"SELECT jenis_pemilihan, level, kode_wilayah FROM {RECAP_TABLE}")
        # Partial TPS data (one province of a national recap) is not a missing child: only a unit
        # whose parent the TPS data does cover, below the province, has children it should have.
        parent = _ancestor_sql("p.kode_wilayah", "p.depth - 1")
        scope = (
            f"AND p.depth >= 2 AND EXISTS (SELECT 1 FROM {RECAP_TABLE} x WHERE x.jenis_pemilihan = p.jenis_pemilihan "
            f"AND {_depth_sql('x.level')} = p.depth - 1 AND x.kode_wilayah = {parent})"
        )
    # Equality joins only (a child's parent code is its prefix), so this stays linear at national scale.
    child_parent = _ancestor_sql("c.kode_wilayah", "c.depth - 1")
    con.execute(
        f"""CREATE OR REPLACE TABLE rk_h002 AS
            WITH units AS (SELECT DISTINCT jenis_pemilihan, level, {_depth_sql('level')} AS depth, kode_wilayah
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


def _h003(con: duckdb.DuckDBPyConnection, rep_cols: list[str]) -> None:
    """A-rules over the reported rows themselves (the recap form has the same arithmetic)."""
    from rekap.validate.registry import Context, NotApplicable, all_rules

    present = frozenset(c for c in rep_cols if c in NUMERIC_COLUMNS)
    ctx = Context(columns=present, paslon=tuple(p for p in PASLON_COLUMNS if p in present))
    parts = []
    for r in all_rules():
        if r.family != "A" or r.id == "A013":
            continue
        built = r.build(ctx)
        if isinstance(built, NotApplicable):
            continue
        for check in built:
            if check.sql is not None or check.joins:
                continue
            parts.append(
                f"""SELECT '{r.id}' AS a_rule, t.level, t.kode_wilayah, '{check.field}' AS field,
                           ({check.expected})::BIGINT AS expected, ({check.actual})::BIGINT AS actual, t._file, t._row
                    FROM rk_reported t WHERE {check.violated}"""
            )
    if parts:
        con.execute("CREATE OR REPLACE TABLE rk_h003 AS " + " UNION ALL ".join(parts))
    else:
        con.execute(
            "CREATE OR REPLACE TABLE rk_h003 (a_rule VARCHAR, level VARCHAR, kode_wilayah VARCHAR, field VARCHAR, "
            "expected BIGINT, actual BIGINT, _file INTEGER, _row BIGINT)"
        )
