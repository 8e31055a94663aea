#!/usr/bin/env python3
"""Build a national-scale Pilpres 2024 TPS table for the benchmarks.

Output (git-ignored): `benchmarks/.data/national.parquet` and `benchmarks/.data/national.csv`, with
exactly the columns of `ppwp2024_tps_36prov.parquet`, sorted by `kode_tps`.

- Every real row of `../shared/data/real/ppwp2024_tps_36prov.parquet` (443,968 TPS, real OCR errors).
- A synthetic row for every domestic TPS of the KPU region list (`wilayah_kpu_pemilu2024.csv`:
  `001..tps_max_no` plus the optional `tps_ext_from..tps_ext_to` range per desa) that the real table
  lacks, which is mainly Jawa Barat (32), Jawa Tengah (33) and Jawa Timur (35). Names come from the
  list; counts are plausible and mostly consistent, ~3 % carry one OCR-style misread so that the
  A-rules fire, and ~15 % are partial uploads shaped like Sirekap's (no numbers / chart only /
  administrasi only).

Everything is set-based DuckDB SQL. Randomness is `hash(kode_tps, seed, salt)` rather than `random()`:
`random()` with `setseed` is only reproducible single-threaded, while a hash of the row key gives the
same table for the same seed whatever the thread count (within one DuckDB version; hash() may change
between major versions).

    python benchmarks/make_national.py [--force] [--seed 2024]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import duckdb

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
REAL_DIR = REPO_ROOT.parent / "shared" / "data" / "real"
REAL_TPS = REAL_DIR / "ppwp2024_tps_36prov.parquet"
KPU_REGIONS = REAL_DIR / "wilayah_kpu_pemilu2024.csv"
DATA_DIR = BENCH_DIR / ".data"

# Official 2024 plenary shares (Anies-Muhaimin, Prabowo-Gibran, Ganjar-Mahfud) for the provinces the
# real table lacks; any other gap gets the national split. Only the rough shape matters.
PASLON_SHARES: dict[str, tuple[float, float, float]] = {
    "32": (0.3168, 0.5850, 0.0982),
    "33": (0.1258, 0.5308, 0.3435),
    "35": (0.1628, 0.6519, 0.1853),
}
NATIONAL_SHARES = (0.2495, 0.5859, 0.1647)


def is_fresh(outputs: list[Path], inputs: list[Path]) -> bool:
    """True when every output exists and is newer than every input (make-style)."""
    if not all(p.exists() for p in outputs):
        return False
    newest_input = max(p.stat().st_mtime for p in inputs)
    return min(p.stat().st_mtime for p in outputs) > newest_input


def shares_sql() -> str:
    rows = [f"('{prov}', {a}, {b}, {c})" for prov, (a, b, c) in PASLON_SHARES.items()]
    return "SELECT * FROM (VALUES " + ", ".join(rows) + ") AS s(kode_prov, s1, s2, s3)"


def build(con: duckdb.DuckDBPyConnection, real: Path, regions: Path, seed: int) -> None:
    """Create table `national` (real rows + synthetic rows, real column order and types)."""
    con.execute("CREATE TABLE real_tps AS SELECT * FROM read_parquet(?)", [str(real)])
    # all_varchar: region codes are text and must keep every digit.
    con.execute(
        "CREATE TABLE wil AS SELECT * FROM read_csv(?, header=true, delim=',', quote='\"', all_varchar=true)",
        [str(regions)],
    )
    # u(key, salt): a uniform draw in [0, 1) that depends only on the row key, the seed and the salt.
    con.execute(
        f"CREATE MACRO u(k, salt) AS (hash(k, {int(seed)}, salt) % 1000000007)::DOUBLE / 1000000007"
    )
    # The two classic Sirekap misreads: a stray digit appended to a small number ("74 read as 748") and
    # a wrong leading digit on a 3-digit number ("152 read as 652").
    con.execute(
        """
        CREATE MACRO ocr(x, v) AS CASE
            WHEN x < 100 THEN x * 10 + CAST(floor(v * 10) AS INTEGER)
            ELSE x + (1 + CAST(floor(v * 5) AS INTEGER)) * 100
        END
        """
    )

    # Overseas (99) is left alone: the KPU list numbers LN TPS/POS/KSK per city with signed counts,
    # while Sirekap numbers them across the city, so the two do not line up; the real table already
    # holds the LN units Sirekap published.
    con.execute(
        """
        CREATE TABLE expected AS
        SELECT pv.kode AS kode_prov, pv.nama AS nama_prov,
               kk.kode AS kode_kabkota, kk.nama AS nama_kabkota,
               kc.kode AS kode_kec, kc.nama AS nama_kec,
               d.kode AS kode_desa, d.nama AS nama_desa,
               unnest(list_concat(
                   range(1, d.tps_max_no::INTEGER + 1),
                   CASE WHEN d.tps_ext_from IS NULL THEN []::BIGINT[]
                        ELSE range(d.tps_ext_from::INTEGER, d.tps_ext_to::INTEGER + 1) END
               )) AS tps_no
        FROM wil d
        JOIN wil kc ON kc.kode = d.parent_kode AND kc.level = '3'
        JOIN wil kk ON kk.kode = kc.parent_kode AND kk.level = '2'
        JOIN wil pv ON pv.kode = kk.parent_kode AND pv.level = '1'
        WHERE d.level = '4' AND d.kode NOT LIKE '99%'
        """
    )
    con.execute(
        """
        CREATE TABLE missing AS
        SELECT e.*, e.kode_desa || lpad(e.tps_no::VARCHAR, 3, '0') AS kode_tps
        FROM expected e
        ANTI JOIN real_tps r ON r.kode_tps = e.kode_desa || lpad(e.tps_no::VARCHAR, 3, '0')
        """
    )

    con.execute(
        f"""
        CREATE TABLE synth_clean AS
        WITH draws AS (
            SELECT m.*,
                   -- sqrt skews the DPT towards the 300-voter cap, like the real median of ~250
                   CAST(100 + 200 * sqrt(u(m.kode_tps, 'dpt')) AS INTEGER) AS dpt_j,
                   0.46 + 0.08 * u(m.kode_tps, 'dpt_lp') AS share_l,
                   0.72 + 0.24 * u(m.kode_tps, 'turnout') AS turnout,
                   CAST(floor(pow(u(m.kode_tps, 'dptb'), 3) * 12) AS INTEGER) AS dptb_j,
                   CAST(floor(pow(u(m.kode_tps, 'dpk'), 2) * 14) AS INTEGER) AS dpk_j,
                   -- geography matters more than TPS noise: one factor per kab/kota, one per TPS
                   coalesce(s.s1, {NATIONAL_SHARES[0]}) * (0.6 + 0.8 * u(m.kode_kabkota, 'w1')) * (0.75 + 0.5 * u(m.kode_tps, 'w1')) AS w1,
                   coalesce(s.s2, {NATIONAL_SHARES[1]}) * (0.6 + 0.8 * u(m.kode_kabkota, 'w2')) * (0.75 + 0.5 * u(m.kode_tps, 'w2')) AS w2,
                   coalesce(s.s3, {NATIONAL_SHARES[2]}) * (0.6 + 0.8 * u(m.kode_kabkota, 'w3')) * (0.75 + 0.5 * u(m.kode_tps, 'w3')) AS w3
            FROM missing m
            LEFT JOIN ({shares_sql()}) s ON s.kode_prov = m.kode_prov
        ),
        voters AS (
            SELECT *,
                   CAST(round(dpt_j * share_l) AS INTEGER) AS dpt_l,
                   CAST(floor(dpt_j * turnout) AS INTEGER) AS pdpt_j,
                   CAST(round(dptb_j * u(kode_tps, 'dptb_lp')) AS INTEGER) AS dptb_l,
                   CAST(round(dpk_j * u(kode_tps, 'dpk_lp')) AS INTEGER) AS dpk_l
            FROM draws
        ),
        voters2 AS (
            -- L of the DPT users proportional to the DPT's L: rounding keeps both L and P within the DPT
            SELECT *, CAST(round(pdpt_j * dpt_l / dpt_j) AS INTEGER) AS pdpt_l,
                   pdpt_j + dptb_j + dpk_j AS tot_j
            FROM voters
        ),
        votes AS (
            SELECT *,
                   CAST(floor(tot_j * 0.045 * u(kode_tps, 'tidak_sah')) AS INTEGER) AS tidak_sah
            FROM voters2
        ),
        votes2 AS (
            SELECT *, tot_j - tidak_sah AS sah FROM votes
        )
        SELECT kode_prov, nama_prov, kode_kabkota, nama_kabkota, kode_kec, nama_kec, kode_desa, nama_desa,
               kode_tps, tps_no,
               dpt_j, dpt_l, dpt_j - dpt_l AS dpt_p,
               pdpt_j, pdpt_l, pdpt_j - pdpt_l AS pdpt_p,
               dptb_j, dptb_l, dptb_j - dptb_l AS dptb_p,
               dpk_j, dpk_l, dpk_j - dpk_l AS dpk_p,
               tot_j, pdpt_l + dptb_l + dpk_l AS tot_l, tot_j - (pdpt_l + dptb_l + dpk_l) AS tot_p,
               sah, tidak_sah, tot_j AS suara_total,
               -- floor() for two paslon and the remainder for the third keeps the sum exact and >= 0
               CAST(floor(sah * w1 / (w1 + w2 + w3)) AS INTEGER) AS p1,
               CAST(floor(sah * w2 / (w1 + w2 + w3)) AS INTEGER) AS p2,
               sah - CAST(floor(sah * w1 / (w1 + w2 + w3)) AS INTEGER)
                   - CAST(floor(sah * w2 / (w1 + w2 + w3)) AS INTEGER) AS p3
        FROM votes2
        """
    )

    # One misread per erroneous form, spread over the fields whose misreads Sirekap actually showed.
    con.execute(
        f"""
        CREATE TABLE synth AS
        WITH k AS (
            SELECT *,
                   CASE WHEN u(kode_tps, 'err') < 0.03 THEN CAST(floor(u(kode_tps, 'err_kind') * 7) AS INTEGER)
                   END AS err,
                   1 + CAST(floor(u(kode_tps, 'err_paslon') * 3) AS INTEGER) AS err_paslon,
                   u(kode_tps, 'err_digit') AS v,
                   u(kode_tps, 'upload') AS up,
                   u(kode_tps, 'upload_detail') AS up2
            FROM synth_clean
        ),
        e AS (
            SELECT *,
                   -- ~8 % nothing published, ~5 % chart only, ~2 % administrasi only (Sirekap's shapes)
                   up >= 0.13 AS has_adm,
                   up >= 0.08 AND NOT (up >= 0.13 AND up < 0.15) AS has_ch
            FROM k
        )
        SELECT kode_prov, kode_kabkota, kode_kec, kode_desa, kode_tps,
               'tps' AS tps_label,
               nama_prov, nama_kabkota, nama_kec, nama_desa,
               'TPS ' || lpad(tps_no::VARCHAR, 3, '0') AS nama_tps,
               has_ch AS has_chart,
               CASE WHEN has_ch THEN CASE WHEN err = 0 AND err_paslon = 1 THEN ocr(p1, v) ELSE p1 END END AS suara_paslon_1,
               CASE WHEN has_ch THEN CASE WHEN err = 0 AND err_paslon = 2 THEN ocr(p2, v) ELSE p2 END END AS suara_paslon_2,
               CASE WHEN has_ch THEN CASE WHEN err = 0 AND err_paslon = 3 THEN ocr(p3, v) ELSE p3 END END AS suara_paslon_3,
               has_adm AS has_administrasi,
               CASE WHEN has_adm THEN dpt_j END AS pemilih_dpt_j,
               CASE WHEN has_adm THEN CASE WHEN err = 2 THEN ocr(dpt_l, v) ELSE dpt_l END END AS pemilih_dpt_l,
               CASE WHEN has_adm THEN dpt_p END AS pemilih_dpt_p,
               CASE WHEN has_adm THEN CASE WHEN err = 5 THEN ocr(pdpt_j, v) ELSE pdpt_j END END AS pengguna_dpt_j,
               CASE WHEN has_adm THEN pdpt_l END AS pengguna_dpt_l,
               CASE WHEN has_adm THEN pdpt_p END AS pengguna_dpt_p,
               CASE WHEN has_adm THEN dptb_j END AS pengguna_dptb_j,
               -- a rare single empty cell inside a published form: the rule must be not applicable
               CASE WHEN has_adm AND up2 >= 0.005 THEN dptb_l END AS pengguna_dptb_l,
               CASE WHEN has_adm THEN CASE WHEN err = 6 THEN ocr(dptb_p, v) ELSE dptb_p END END AS pengguna_dptb_p,
               CASE WHEN has_adm THEN dpk_j END AS pengguna_non_dpt_j,
               CASE WHEN has_adm THEN dpk_l END AS pengguna_non_dpt_l,
               CASE WHEN has_adm THEN dpk_p END AS pengguna_non_dpt_p,
               CASE WHEN has_adm THEN CASE WHEN err = 3 THEN ocr(tot_j, v) ELSE tot_j END END AS pengguna_total_j,
               CASE WHEN has_adm THEN tot_l END AS pengguna_total_l,
               CASE WHEN has_adm THEN tot_p END AS pengguna_total_p,
               CASE WHEN has_adm THEN CASE WHEN err = 1 THEN ocr(sah, v) ELSE sah END END AS suara_sah,
               CASE WHEN has_adm THEN tidak_sah END AS suara_tidak_sah,
               CASE WHEN has_adm THEN CASE WHEN err = 4 THEN ocr(suara_total, v) ELSE suara_total END END
                   AS suara_total,
               CASE WHEN has_adm AND has_ch THEN 3
                    WHEN has_adm OR has_ch THEN 1 + CAST(floor(up2 * 3) AS INTEGER)
                    WHEN up2 < 0.85 THEN 0
                    ELSE 1 + CAST(floor(u(kode_tps, 'img') * 3) AS INTEGER) END AS n_images,
               -- uploads bunch up in the first days after 14 Feb, like the real timestamps
               strftime(TIMESTAMP '2024-02-14 14:00:00'
                        + to_seconds(CAST(pow(u(kode_tps, 'ts'), 4) * 35 * 86400 AS BIGINT)),
                        '%Y-%m-%d %H:%M:%S') AS ts,
               'synthetic' AS source_repo,
               'make_national seed {int(seed)}' AS source_commit
        FROM e
        """
    )

    # Same column order and types as the real table; sorted so that a --rows sample is one region.
    real_schema = con.execute("DESCRIBE real_tps").fetchall()
    synth_select = ", ".join(f'CAST("{name}" AS {type_}) AS "{name}"' for name, type_, *_ in real_schema)
    con.execute(
        f"""
        CREATE TABLE national AS
        SELECT * FROM (
            SELECT * FROM real_tps
            UNION ALL
            SELECT {synth_select} FROM synth
        )
        ORDER BY kode_tps
        """
    )


def sql_path(path: Path) -> str:
    """A path as a SQL string literal (COPY TO takes no bound parameters)."""
    return "'" + str(path).replace("'", "''") + "'"


def write_outputs(con: duckdb.DuckDBPyConnection, parquet: Path, csv: Path) -> None:
    # Write next to the target and rename, so an interrupted build never leaves a file that looks fresh.
    tmp_parquet = parquet.with_suffix(".parquet.tmp")
    tmp_csv = csv.with_suffix(".csv.tmp")
    con.execute(f"COPY national TO {sql_path(tmp_parquet)} (FORMAT parquet, COMPRESSION zstd)")
    # Quote only where needed (names like "LUBUK PAKAM I,II" and the LN "Abu Dhabi, Uni Emirat Arab");
    # empty string = NULL, as in a spreadsheet export.
    con.execute(f"COPY national TO {sql_path(tmp_csv)} (FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"')")
    os.replace(tmp_parquet, parquet)
    os.replace(tmp_csv, csv)


def summary(con: duckdb.DuckDBPyConnection) -> str:
    total, real, synth, dup = con.execute(
        """
        SELECT count(*), count(*) FILTER (source_repo <> 'synthetic'),
               count(*) FILTER (source_repo = 'synthetic'), count(*) - count(DISTINCT kode_tps)
        FROM national
        """
    ).fetchone() or (0, 0, 0, 0)
    return f"{total:,} rows ({real:,} real + {synth:,} synthetic; {dup} duplicate kode_tps)"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--force", action="store_true", help="rebuild even when the outputs are up to date")
    ap.add_argument("--seed", type=int, default=2024, help="seed of the synthetic counts (default 2024)")
    ap.add_argument("--real", type=Path, default=REAL_TPS, help="real TPS parquet")
    ap.add_argument("--regions", type=Path, default=KPU_REGIONS, help="KPU region list CSV")
    ap.add_argument("--out-dir", type=Path, default=DATA_DIR, help="output folder (default benchmarks/.data)")
    args = ap.parse_args(argv)

    for path, what in ((args.real, "real TPS table"), (args.regions, "KPU region list")):
        if not path.is_file():
            print(
                f"make_national: error: {what} not found: {path}\n"
                "hint: the benchmarks need the shared real data next to the repo (../shared/data/real/);"
                " pass --real/--regions to point elsewhere",
                file=sys.stderr,
            )
            return 2

    parquet = args.out_dir / "national.parquet"
    csv = args.out_dir / "national.csv"
    inputs = [args.real, args.regions, Path(__file__).resolve()]
    if not args.force and is_fresh([parquet, csv], inputs):
        print(f"make_national: up to date: {parquet} and {csv} (use --force to rebuild)", file=sys.stderr)
        return 0

    args.out_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    con = duckdb.connect()
    build(con, args.real, args.regions, args.seed)
    write_outputs(con, parquet, csv)
    print(
        f"make_national: wrote {parquet} and {csv}: {summary(con)} in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
