"""One province as 24 kab/kota workbooks, the way PPK staff send them, and the same rows as CSV.

Issue 15's XLSX row: Sulawesi Selatan (kode 73, 24 kab/kota, ~26,000 TPS) from the national benchmark
data (`benchmarks/.data/national.parquet`, made by `make_national.py`), one `.xlsx` per kab/kota with two
title rows above an Indonesian header row (as `data/samples`' tps_3574.xlsx), codes as text cells and counts
as numbers; and beside them one `.csv` per kab/kota with the same header and rows (no title rows).

    python benchmarks/make_xlsx_province.py [--prov 73] [--out benchmarks/.data/xlsx_prov]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rekap.schema import CANONICAL_SET  # noqa: E402
from tests.xlsx_fixtures import STAFF_HEADERS, write_staff_xlsx  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--national", type=Path, default=ROOT / "benchmarks/.data/national.parquet")
    ap.add_argument("--prov", default="73")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks/.data/xlsx_prov")
    args = ap.parse_args()
    xlsx_dir, csv_dir = args.out / "xlsx", args.out / "csv"
    xlsx_dir.mkdir(parents=True, exist_ok=True)
    csv_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    cols = [c for (c,) in con.execute(f"SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet('{args.national}'))")
            .fetchall() if c in CANONICAL_SET]
    kabs = [k for (k,) in con.execute(
        f"SELECT DISTINCT kode_kabkota FROM read_parquet('{args.national}') WHERE kode_prov = ? ORDER BY 1",
        [args.prov]).fetchall()]
    select = ", ".join(f'"{c}"' for c in cols)
    renamed = ", ".join(f'"{c}" AS "{STAFF_HEADERS[c]}"' for c in cols)
    total = 0
    for kab in kabs:
        query = f"SELECT {select} FROM read_parquet('{args.national}') WHERE kode_kabkota = '{kab}' ORDER BY kode_tps"
        table = con.sql(query).to_arrow_table()
        write_staff_xlsx(table, xlsx_dir / f"tps_{kab}.xlsx", title_rows=2)
        con.execute(f"COPY (SELECT {renamed} FROM ({query})) TO '{csv_dir / f'tps_{kab}.csv'}' (HEADER)")
        total += table.num_rows
    print(f"{len(kabs)} kab/kota, {total} TPS -> {xlsx_dir}, {csv_dir}")


if __name__ == "__main__":
    main()
