"""Region lists (`--master`): KPU's list with TPS numbers per desa, or Kemendagri's with codes only.

    info = load_master(con, Path("wilayah_kpu_pemilu2024.csv"))   # rk_master, rk_master_units, rk_expected_tps
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from rekap.db import SCOPE_TABLES, count, create_macros, drop_tables
from rekap.regions import LEVEL_OF_LENGTH, level_of_code_sql
from rekap.schema import quote_ident


@dataclass(frozen=True)
class MasterInfo:
    """What `load_master` found in a region list."""

    codes: int
    """Distinct region codes (table `rk_master`)."""
    expected_tps: int = 0
    """Expected TPS (table `rk_expected_tps`); 0 when the list has no TPS numbers (Kemendagri list)."""

    @property
    def has_tps(self) -> bool:
        return self.expected_tps > 0




def load_master(con: duckdb.DuckDBPyConnection, path: Path, tmpdir: str | None = None) -> MasterInfo:
    """Region list (KPU or Kemendagri format): a `kode` column of region codes at any level.

    Builds `rk_master(kode)` (every code) and `rk_master_units(kode, level, nama, parent_kode)`
    (level from the code length: provinsi/kabkota/kecamatan/desa; duplicate rows kept once). When the
    list numbers the TPS of each desa (KPU format: `tps_max_no`, optional `tps_ext_from`..`tps_ext_to`),
    also `rk_expected_tps(kode_tps, kode_desa)`: one row per expected TPS, numbers 001..tps_max_no plus
    the special range (9xx), zero-padded to 3 digits. A negative `tps_max_no` -n is the KPU list's way
    of writing a unit with one TPS numbered n (overseas POS/KSK). Without TPS numbers any earlier
    `rk_expected_tps` is dropped, so that nothing downstream mistakes it for this list's.
    """
    from rekap.errors import InputError
    from rekap.i18n import _

    if not path.is_file():
        raise InputError(_("{path}: daftar wilayah tidak ditemukan", path=path))
    from rekap.io.base import literal_path

    shown, path = path, literal_path(path, tmpdir)
    create_macros(con)
    drop_tables(con, SCOPE_TABLES)  # what is expected is about the list replaced here
    try:
        cols = [r[0] for r in con.execute("DESCRIBE SELECT * FROM read_csv($p, all_varchar = true)", {"p": str(path)}).fetchall()]
    except duckdb.Error as exc:
        raise InputError(_("{path}: daftar wilayah tidak dapat dibaca ({error})", path=shown,
                           error=str(exc).splitlines()[0])) from None
    key = next((c for c in ("kode", "kode_wilayah", "kode_desa") if c in cols), None)
    if key is None:
        raise InputError(_("{path}: daftar wilayah tidak memiliki kolom 'kode'", path=shown),
                         hint=_("diharapkan format wilayah_kpu_pemilu2024.csv"))
    wanted = [c for c in ("nama", "tps_max_no", "tps_ext_from", "tps_ext_to") if c in cols]
    try:
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE rk_master_raw AS
                SELECT rk_code({quote_ident(key)}) AS kode{''.join(f', {quote_ident(c)}' for c in wanted)}
                FROM read_csv($p, all_varchar = true, quote = '"')""",
            {"p": str(path)},
        )
    except duckdb.Error as exc:
        raise InputError(_("{path}: daftar wilayah tidak dapat dibaca ({error})", path=shown,
                           error=str(exc).splitlines()[0])) from None
    con.execute("CREATE OR REPLACE TABLE rk_master AS SELECT DISTINCT kode FROM rk_master_raw WHERE kode IS NOT NULL")
    level = level_of_code_sql("kode")
    nama = "min(trim(nama))" if "nama" in cols else "NULL::VARCHAR"
    con.execute(
        f"""CREATE OR REPLACE TABLE rk_master_units AS
            SELECT kode, {level} AS level, {nama} AS nama,
                   CASE length(kode) WHEN 10 THEN left(kode, 6) WHEN 2 THEN NULL ELSE left(kode, length(kode) - 2) END
                       AS parent_kode
            FROM rk_master_raw
            WHERE kode IS NOT NULL AND length(kode) IN ({', '.join(str(n) for n in LEVEL_OF_LENGTH)})
              AND regexp_full_match(kode, '[0-9]+')
            GROUP BY kode ORDER BY kode"""
    )
    expected = 0
    if "tps_max_no" in cols:
        ext = ("TRY_CAST(tps_ext_from AS INTEGER)", "TRY_CAST(tps_ext_to AS INTEGER)") if {
            "tps_ext_from", "tps_ext_to"} <= set(cols) else ("NULL::INTEGER", "NULL::INTEGER")
        # Set-based: each desa row unnests its range of numbers; a desa listed twice gives the same
        # numbers twice, which DISTINCT keeps once. Unordered: every reader joins, groups or orders it itself.
        con.execute(
            f"""CREATE OR REPLACE TABLE rk_expected_tps AS
                WITH d AS (SELECT DISTINCT kode, TRY_CAST(tps_max_no AS INTEGER) AS m, {ext[0]} AS a, {ext[1]} AS b
                           FROM rk_master_raw WHERE length(kode) = 10 AND regexp_full_match(kode, '[0-9]{{10}}')),
                n AS (SELECT kode, unnest(CASE WHEN m < 0 THEN [-m] ELSE range(1, coalesce(m, 0) + 1) END) AS no FROM d
                      UNION ALL
                      SELECT kode, unnest(range(a, b + 1)) FROM d WHERE a IS NOT NULL AND b IS NOT NULL)
                SELECT DISTINCT (kode || lpad(no::VARCHAR, 3, '0'))::VARCHAR AS kode_tps, kode::VARCHAR AS kode_desa
                FROM n WHERE no BETWEEN 1 AND 999"""
        )
        expected = count(con, "SELECT count(*) FROM rk_expected_tps")
    if expected == 0:
        con.execute("DROP TABLE IF EXISTS rk_expected_tps")
    con.execute("DROP TABLE IF EXISTS rk_master_raw")
    return MasterInfo(codes=count(con, "SELECT count(*) FROM rk_master"), expected_tps=expected)
