"""Completeness against a region list with TPS numbers: what is expected, what arrived, what is in scope.

Shared by the K rules (`rules_k`) and the progress view (`rekap.aggregate.coverage`). Everything here is
SQL text over three tables: `rk_expected_tps(kode_tps, kode_desa)` and `rk_master_units` (from
`load_master`) and the typed TPS view `rk_tps` (from `prepare`).

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

NATIONAL_CODE = "00"
LEVEL_ORDER: tuple[str, ...] = ("nasional", "provinsi", "kabkota", "kecamatan", "desa")
"""Top-down, as the recap and the progress view list them."""
PREFIX = {"provinsi": 2, "kabkota": 4, "kecamatan": 6, "desa": 10}

SCOPE_CTES = f"""
    rk_k_exp AS (SELECT kode_tps, kode_desa FROM rk_expected_tps WHERE left(kode_tps, 2) <> '99'),
    rk_k_recv AS (SELECT e.kode_tps, e.kode_desa FROM rk_k_exp e SEMI JOIN rk_tps t ON t.kode_tps = e.kode_tps),
    rk_k_touched AS (SELECT DISTINCT kode_desa FROM rk_k_recv),
    rk_k_root AS (SELECT CASE WHEN count(*) = 0 THEN NULL
                              WHEN count(DISTINCT left(kode_desa, 6)) = 1 THEN min(left(kode_desa, 6))
                              WHEN count(DISTINCT left(kode_desa, 4)) = 1 THEN min(left(kode_desa, 4))
                              WHEN count(DISTINCT left(kode_desa, 2)) = 1 THEN min(left(kode_desa, 2))
                              ELSE '' END AS kode
                  FROM rk_k_touched),
    rk_k_desa AS (SELECT e.kode_desa, count(*)::BIGINT AS n_exp, count(r.kode_tps)::BIGINT AS n_recv
                  FROM rk_k_exp e LEFT JOIN rk_k_recv r ON r.kode_tps = e.kode_tps GROUP BY e.kode_desa),
    rk_k_units AS (
        SELECT 'nasional' AS level, '{NATIONAL_CODE}' AS kode, NULL::VARCHAR AS parent,
               coalesce(sum(n_exp), 0)::BIGINT AS n_exp, coalesce(sum(n_recv), 0)::BIGINT AS n_recv FROM rk_k_desa
        UNION ALL SELECT 'provinsi', left(kode_desa, 2), '{NATIONAL_CODE}', sum(n_exp)::BIGINT, sum(n_recv)::BIGINT
                  FROM rk_k_desa GROUP BY 2
        UNION ALL SELECT 'kabkota', left(kode_desa, 4), left(kode_desa, 2), sum(n_exp)::BIGINT, sum(n_recv)::BIGINT
                  FROM rk_k_desa GROUP BY 2, 3
        UNION ALL SELECT 'kecamatan', left(kode_desa, 6), left(kode_desa, 4), sum(n_exp)::BIGINT, sum(n_recv)::BIGINT
                  FROM rk_k_desa GROUP BY 2, 3
        UNION ALL SELECT 'desa', kode_desa, left(kode_desa, 6), n_exp, n_recv FROM rk_k_desa),
    rk_k_scope AS (
        SELECT u.*, starts_with(u.kode, r.kode) AS _inside
        FROM rk_k_units u, rk_k_root r
        WHERE u.level = 'nasional' OR starts_with(u.kode, r.kode) OR starts_with(r.kode, u.kode))"""
"""CTEs (without the leading WITH) naming the expected, received and in-scope units.

`rk_k_scope(level, kode, parent, n_exp, n_recv, _inside)`: one row per unit in scope; `_inside` is
true for the root and the units under it (false for the units above it and the national row)."""


def level_order_sql(column: str) -> str:
    """A sort key putting levels top-down (nasional first, desa last)."""
    return f"CASE {column} " + " ".join(f"WHEN '{lv}' THEN {i}" for i, lv in enumerate(LEVEL_ORDER)) + " END"


def percent_sql(received: str, expected: str) -> str:
    """Received / expected in percent, rounded down to 2 decimals (an incomplete unit never shows
    100), NULL when nothing is expected."""
    return f"CASE WHEN {expected} > 0 THEN ((10000 * {received}) // {expected})::DOUBLE / 100 END"
