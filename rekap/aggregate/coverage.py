"""Recap progress: TPS received / TPS expected per unit (`rekap progress FILE --master FILE`).

    types = prepare(ds)                 # rk_tps
    load_master(con, Path("wilayah_kpu_pemilu2024.csv"))
    table = coverage(con)               # "rk_coverage"

Expected, received, root and scope are defined once in `rekap.aggregate.completeness` (the K rules use
the same definitions, so `rk_coverage` and K003 never disagree).
"""

from __future__ import annotations

import duckdb

from rekap.aggregate.completeness import ensure_scope, percent_sql
from rekap.regions import NATIONAL_CODE, rank_sql

COVERAGE_TABLE = "rk_coverage"
COVERAGE_COLUMNS: tuple[str, ...] = (
    "level", "kode_wilayah", "nama_wilayah", "n_tps_expected", "n_tps", "n_tps_missing", "n_tps_unexpected", "persen",
)


def coverage(con: duckdb.DuckDBPyConnection) -> str:
    """Build table `rk_coverage` and return its name.

    Needs `prepare()` (view `rk_tps`) and `load_master()` with a list that numbers the TPS of each
    desa (table `rk_expected_tps`, KPU format); raises `UsageError` otherwise.

    Columns: `level` (nasional, provinsi, kabkota, kecamatan, desa), `kode_wilayah` (`00` for
    nasional), `nama_wilayah` (the list's name; `NASIONAL`), `n_tps_expected` BIGINT (TPS the list
    expects in the unit; NULL overseas, where the list's codes are not Sirekap's), `n_tps` BIGINT (the
    distinct TPS of the data placed in the unit: the TPS that are summed, as in the recap), `n_tps_missing`
    (expected TPS codes with no row in the data: K001), `n_tps_unexpected` (TPS of the data whose code the
    list does not have: K002, S006, a malformed TPS number, overseas), so
    `n_tps = n_tps_expected - n_tps_missing + n_tps_unexpected`; `persen` DOUBLE (100 × the domestic
    `n_tps` / `n_tps_expected`, truncated to 1 decimal, so an incomplete unit never shows 100; above 100
    when the data has more TPS than the list; NULL when nothing is expected).

    Rows: the scope units (`--wilayah`, else the data's root: see `rekap.scope`) and every unit under
    them that the list expects TPS in or the data has TPS in (also those with nothing received, at 0).
    Units above the scope are not listed: one province's data is not 3.75 % of the country. Ordered
    top-down by level, then by code.
    """
    from rekap.errors import UsageError
    from rekap.i18n import _

    present = {
        str(r[0])
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE table_name IN ('rk_expected_tps', 'rk_master_units', 'rk_tps') "
            "UNION ALL SELECT view_name FROM duckdb_views() WHERE view_name = 'rk_tps'"  # a view, or a small input's table
        ).fetchall()
    }
    if "rk_tps" not in present:
        raise UsageError(_("kelengkapan memerlukan data TPS: panggil prepare() lebih dulu"))
    if "rk_expected_tps" not in present or "rk_master_units" not in present:
        raise UsageError(
            _("daftar wilayah tidak memuat nomor TPS per desa (mis. daftar Kemendagri)"),
            hint=_("berikan daftar KPU yang punya tps_max_no, seperti wilayah_kpu_pemilu2024.csv, dengan --master"),
        )
    ensure_scope(con)
    con.execute(
        f"""CREATE OR REPLACE TABLE {COVERAGE_TABLE} AS
            SELECT s.level::VARCHAR AS level, s.kode::VARCHAR AS kode_wilayah,
                   CASE WHEN s.level = 'nasional' THEN 'NASIONAL' ELSE m.nama END::VARCHAR AS nama_wilayah,
                   s.n_exp::BIGINT AS n_tps_expected, s.n_data::BIGINT AS n_tps,
                   (s.n_exp - s.n_recv)::BIGINT AS n_tps_missing, (s.n_data - s.n_recv)::BIGINT AS n_tps_unexpected,
                   ({percent_sql('s.n_dom', 's.n_exp')})::DOUBLE AS persen
            FROM rk_k_scope s
            LEFT JOIN rk_master_units m ON m.kode = s.kode AND s.kode <> '{NATIONAL_CODE}'
            ORDER BY {rank_sql('s.level')}, s.kode"""
    )
    return COVERAGE_TABLE


__all__ = ["COVERAGE_COLUMNS", "COVERAGE_TABLE", "coverage"]
