"""Completeness against a region list with TPS numbers: what is expected, what arrived, what is in scope.

Shared by the K rules (`rules_k`) and the progress view (`rekap.aggregate.coverage`). Everything here is
SQL over three tables: `rk_expected_tps(kode_tps, kode_desa)` and `rk_master_units` (from `load_master`)
and the typed TPS view `rk_tps` (from `prepare`). What is received and in scope is materialised once
(`ensure_scope`) and read by every consumer.

Definitions (the same for every consumer):

- *expected*: a TPS of `rk_expected_tps` outside the overseas province 99. Overseas units are left out:
  KPU numbers overseas TPS, POS (post) and KSK (mobile box) per mode, and region lists do not use the
  codes Sirekap uses (in KPU's Pemilu 2024 list as published by kawalpemilu, 9901 is Brunei; in
  Sirekap data 9901010001 is Abu Dhabi), so a list cannot say which overseas TPS to expect.
- *received*: an expected TPS with at least one row in the data, of any election type, whatever its
  numbers (an empty row is a received form; how many carry votes is the recap's `n_tps_suara`).
  TPS the list does not expect are K002 findings and are not counted as received.
- *touched*: a unit with at least one received TPS.
- *root*: the smallest recap unit that holds every touched desa — a kecamatan (PPK's recap),
  kab/kota, provinsi, or the whole country. A desa is never the root (it has no recap step). The
  data is read as the recap of its root: everything the root expects is expected. One TPS from
  another province (a stray or miscoded row) widens the root to the whole country; K001 stays
  bounded (touched kecamatan only) and K003 names the highest empty units: one Aceh row in the DKI
  file costs 14 K001 and 85 K003 lines (the other provinces, the row's sibling kab/kota, kecamatan
  and desa), not 790,000.
- *scope*: the root, every unit under it, the units above it and the national row.
"""

from __future__ import annotations

import duckdb

NATIONAL_CODE = "00"
LEVEL_ORDER: tuple[str, ...] = ("nasional", "provinsi", "kabkota", "kecamatan", "desa")
"""Top-down, as the recap and the progress view list them."""
PREFIX = {"provinsi": 2, "kabkota": 4, "kecamatan": 6, "desa": 10}

SCOPE_TABLES: tuple[str, ...] = ("rk_k_expected", "rk_k_units", "rk_k_scope")
"""Built once per dataset and region list by `ensure_scope` (the K rules, the coverage table and the
recap's expected counts all read them); dropped by `drop_scope` whenever the TPS data or the region list
is replaced. `rk_k_expected(kode_tps, kode_desa, received)`: every expected TPS (overseas left out);
`rk_k_units(level, kode, parent, n_exp, n_recv)`: every unit of the list, nasional included;
`rk_k_scope(level, kode, parent, n_exp, n_recv, _inside)`: one row per unit in scope, `_inside` true for
the root and the units under it (false for the units above it and the national row)."""

_SCOPE_SQL: tuple[tuple[str, str], ...] = (
    # Every expected TPS once, with whether it arrived: one join of the list with the data, after which
    # "missing", "received" and the counts per unit are filters and sums over this table.
    ("rk_k_expected", """
        SELECT e.kode_tps, e.kode_desa, coalesce(e.kode_tps IN (SELECT kode_tps FROM rk_tps), false) AS received
        FROM rk_expected_tps e WHERE left(e.kode_tps, 2) <> '99'"""),
    ("rk_k_units", f"""
        WITH rk_k_desa AS (
            SELECT kode_desa, count(*)::BIGINT AS n_exp, count(*) FILTER (received)::BIGINT AS n_recv
            FROM rk_k_expected GROUP BY kode_desa)
        SELECT 'nasional' AS level, '{NATIONAL_CODE}' AS kode, NULL::VARCHAR AS parent,
               coalesce(sum(n_exp), 0)::BIGINT AS n_exp, coalesce(sum(n_recv), 0)::BIGINT AS n_recv FROM rk_k_desa
        UNION ALL SELECT 'provinsi', left(kode_desa, 2), '{NATIONAL_CODE}', sum(n_exp)::BIGINT, sum(n_recv)::BIGINT
                  FROM rk_k_desa GROUP BY 2
        UNION ALL SELECT 'kabkota', left(kode_desa, 4), left(kode_desa, 2), sum(n_exp)::BIGINT, sum(n_recv)::BIGINT
                  FROM rk_k_desa GROUP BY 2, 3
        UNION ALL SELECT 'kecamatan', left(kode_desa, 6), left(kode_desa, 4), sum(n_exp)::BIGINT, sum(n_recv)::BIGINT
                  FROM rk_k_desa GROUP BY 2, 3
        UNION ALL SELECT 'desa', kode_desa, left(kode_desa, 6), n_exp, n_recv FROM rk_k_desa"""),
    ("rk_k_scope", """
        WITH rk_k_root AS (
            SELECT CASE WHEN count(*) = 0 THEN NULL
                        WHEN count(DISTINCT left(kode_desa, 6)) = 1 THEN min(left(kode_desa, 6))
                        WHEN count(DISTINCT left(kode_desa, 4)) = 1 THEN min(left(kode_desa, 4))
                        WHEN count(DISTINCT left(kode_desa, 2)) = 1 THEN min(left(kode_desa, 2))
                        ELSE '' END AS kode
            FROM (SELECT kode FROM rk_k_units WHERE level = 'desa' AND n_recv > 0) t(kode_desa))
        SELECT u.*, starts_with(u.kode, r.kode) AS _inside
        FROM rk_k_units u, rk_k_root r
        WHERE u.level = 'nasional' OR starts_with(u.kode, r.kode) OR starts_with(r.kode, u.kode)"""),
)

def ensure_scope(con: duckdb.DuckDBPyConnection) -> None:
    """Build the scope tables unless this dataset and list already have them (one scan of the data
    for the K rules and the coverage table together). Needs `rk_expected_tps` and the view `rk_tps`."""
    present = {str(r[0]) for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND table_name IN ("
        + ", ".join(f"'{t}'" for t in SCOPE_TABLES) + ")").fetchall()}
    if present == set(SCOPE_TABLES):
        return
    for name, sql in _SCOPE_SQL:
        con.execute(f"CREATE OR REPLACE TABLE {name} AS {sql}")


def drop_scope(con: duckdb.DuckDBPyConnection) -> None:
    """Forget the scope tables (the TPS data or the region list changed)."""
    for name in reversed(SCOPE_TABLES):
        con.execute(f"DROP TABLE IF EXISTS {name}")


def level_order_sql(column: str) -> str:
    """A sort key putting levels top-down (nasional first, desa last)."""
    return f"CASE {column} " + " ".join(f"WHEN '{lv}' THEN {i}" for i, lv in enumerate(LEVEL_ORDER)) + " END"


def percent_sql(received: str, expected: str) -> str:
    """Received / expected in percent, rounded down to 2 decimals (an incomplete unit never shows
    100), NULL when nothing is expected."""
    return f"CASE WHEN {expected} > 0 THEN ((10000 * {received}) // {expected})::DOUBLE / 100 END"
