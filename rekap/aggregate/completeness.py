"""Completeness against a region list with TPS numbers: what is expected, what arrived, what is in scope.

Read by the K rules (`rekap.validate.rules_k`, which the session runs after `ensure_scope`), the progress
view (`rekap.aggregate.coverage`) and the recap's expected counts. Everything here is
SQL over three tables: `rk_expected_tps(kode_tps, kode_desa)` and `rk_master_units` (from `load_master`)
and the typed TPS view `rk_tps` (from `prepare`). What is received and in scope is materialised once
(`ensure_scope`) and read by every consumer.

Definitions (the same for every consumer):

- *expected*: a TPS of `rk_expected_tps` outside the overseas province 99. Overseas units are left out:
  KPU numbers overseas TPS, POS (post) and KSK (mobile box) per mode, and region lists do not use the
  codes Sirekap uses (in KPU's Pemilu 2024 list as published by kawalpemilu, 9901 is Brunei; in
  Sirekap data 9901010001 is Abu Dhabi), so a list cannot say which overseas TPS to expect.
- *received*: a TPS of the data placed in a unit (its code names a desa), of any election type, whatever
  its numbers (an empty row is a received form; how many carry votes is the recap's `n_tps_suara`):
  exactly the TPS the recap sums, so a unit shows one count everywhere (`n_data`). Of the expected TPS,
  those with a row (`n_recv`) are what K001 looks at; a row whose code the list does not have (K002,
  S006, a malformed TPS number, overseas) is received but matches no expected TPS.
- *touched*: a unit with at least one received TPS.
- *scope*: `--wilayah`, else the data's root — the smallest recap unit holding every TPS of the data (a
  kecamatan for a PPK's file, a kab/kota, a provinsi, or the whole country); see `rekap.scope`. The data
  is read as the recap of its scope units: everything they expect is expected, and units above them are
  not listed (nasional for one province would show 3.75 % of the country). One TPS from another province
  (a stray or miscoded row) widens the root to the whole country; K001 stays bounded (touched kecamatan
  only) and K003 names the highest empty units: one Aceh row in the DKI file costs 14 K001 and 85 K003
  lines (the other provinces, the row's sibling kab/kota, kecamatan and desa), not 790,000.
"""

from __future__ import annotations

import duckdb

from rekap.db import SCOPE_TABLES, table_exists
from rekap.regions import NATIONAL_CODE
from rekap.scope import Scope


def _scope_sql(scope: Scope, all_placed: bool = False) -> tuple[tuple[str, str], ...]:
    """`all_placed`: prepare counted every record placeable (`rk_stats`), so the desa-code pattern need not be
    matched on every record again."""
    under_desa = scope.under_sql("e.kode_desa")
    placeable = "" if all_placed else "WHERE regexp_full_match(left(kode_tps, 10), '[0-9]{10}')"
    return (
        # Every expected TPS once, with whether it arrived: one join of the list with the data, after which
        # "missing", "received" and the counts per unit are filters and sums over this table.
        ("rk_k_expected", f"""
            SELECT e.kode_tps, e.kode_desa, coalesce(e.kode_tps IN (SELECT kode_tps FROM rk_tps), false) AS received
            FROM rk_expected_tps e WHERE left(e.kode_tps, 2) <> '99' AND {under_desa}"""),
        ("rk_k_units", f"""
            WITH exp AS (
                SELECT kode_desa, count(*)::BIGINT AS n_exp, count(*) FILTER (received)::BIGINT AS n_recv
                FROM rk_k_expected GROUP BY kode_desa),
            dat AS (
                SELECT left(kode_tps, 10) AS kode_desa, count(DISTINCT kode_tps)::BIGINT AS n_data
                FROM rk_tps {placeable} GROUP BY 1),
            rk_k_desa AS (
                SELECT coalesce(e.kode_desa, d.kode_desa) AS kode_desa,
                       CASE WHEN left(coalesce(e.kode_desa, d.kode_desa), 2) = '99' THEN NULL
                            ELSE coalesce(e.n_exp, 0) END AS n_exp,
                       coalesce(e.n_recv, 0) AS n_recv, coalesce(d.n_data, 0) AS n_data,
                       CASE WHEN left(coalesce(e.kode_desa, d.kode_desa), 2) = '99' THEN 0
                            ELSE coalesce(d.n_data, 0) END AS n_dom
                FROM exp e FULL JOIN dat d ON d.kode_desa = e.kode_desa)
            SELECT 'nasional' AS level, '{NATIONAL_CODE}' AS kode, NULL::VARCHAR AS parent,
                   coalesce(sum(n_exp), 0)::BIGINT AS n_exp, coalesce(sum(n_recv), 0)::BIGINT AS n_recv,
                   coalesce(sum(n_data), 0)::BIGINT AS n_data, coalesce(sum(n_dom), 0)::BIGINT AS n_dom FROM rk_k_desa
            UNION ALL SELECT 'provinsi', left(kode_desa, 2), '{NATIONAL_CODE}', sum(n_exp)::BIGINT, sum(n_recv)::BIGINT,
                             sum(n_data)::BIGINT, sum(n_dom)::BIGINT FROM rk_k_desa GROUP BY 2
            UNION ALL SELECT 'kabkota', left(kode_desa, 4), left(kode_desa, 2), sum(n_exp)::BIGINT, sum(n_recv)::BIGINT,
                             sum(n_data)::BIGINT, sum(n_dom)::BIGINT FROM rk_k_desa GROUP BY 2, 3
            UNION ALL SELECT 'kecamatan', left(kode_desa, 6), left(kode_desa, 4), sum(n_exp)::BIGINT,
                             sum(n_recv)::BIGINT, sum(n_data)::BIGINT, sum(n_dom)::BIGINT FROM rk_k_desa GROUP BY 2, 3
            UNION ALL SELECT 'desa', kode_desa, left(kode_desa, 6), n_exp, n_recv, n_data, n_dom FROM rk_k_desa"""),
        ("rk_k_scope", f"""
            SELECT u.*, u.kode IN ({', '.join(f"'{c}'" for c in scope.units)}) AS _top
            FROM rk_k_units u WHERE {scope.under_sql('u.kode', 'u.level')}"""),
    )


def ensure_scope(con: duckdb.DuckDBPyConnection) -> None:
    """Build the scope tables unless this dataset and list already have them (one scan of the data
    for the K rules and the coverage table together). Needs `rk_expected_tps`, the view `rk_tps` and the
    scope (`rekap.scope.store`; without one, the data's root)."""
    from rekap import scope as scopes

    present = {str(r[0]) for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND table_name IN ("
        + ", ".join(f"'{t}'" for t in SCOPE_TABLES) + ")").fetchall()}
    if present == set(SCOPE_TABLES):
        return
    scope = scopes.load(con) or scopes.data_root(con)
    row = con.execute("SELECT n_rows = placed FROM rk_stats").fetchone() if table_exists(con, "rk_stats") else None
    for name, sql in _scope_sql(scope, all_placed=bool(row and row[0])):
        con.execute(f"CREATE OR REPLACE TABLE {name} AS {sql}")


def percent_sql(received: str, expected: str) -> str:
    """Received / expected in percent, truncated to 1 decimal (an incomplete unit never shows 100, and
    every output shows the same figure: domain.md's "one count, one rounding"), NULL when nothing is
    expected."""
    return f"CASE WHEN {expected} > 0 THEN ((1000 * {received}) // {expected})::DOUBLE / 10 END"
