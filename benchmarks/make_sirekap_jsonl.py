"""Sirekap JSON Lines of the 443,968 real TPS (issue 15): `benchmarks/.data/sirekap_real.jsonl`.

One wrapper record per line, as the Sirekap scrapers publish them and as `rekap/io/sirekap.py` reads them
(`{kode_tps, url, data: {mode, chart, administrasi, psu, ts}}`; no image lists, ~190 MB), built from
`../shared/data/real/ppwp2024_tps_36prov.parquet`: `chart` keyed by the PPWP candidate ids (100025..100027,
plus Sirekap's `"null": null`), null when the TPS has no chart; `administrasi` null when it has none.

    python benchmarks/make_sirekap_jsonl.py [--force]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent
DATA_DIR = HERE / ".data"
REAL = HERE.parent.parent / "shared" / "data" / "real" / "ppwp2024_tps_36prov.parquet"
OUT = DATA_DIR / "sirekap_real.jsonl"

ADMIN = [f"{p}_{s}" for p in ("pemilih_dpt", "pengguna_dpt", "pengguna_dptb", "pengguna_non_dpt", "pengguna_total")
         for s in ("j", "l", "p")] + ["suara_sah", "suara_tidak_sah", "suara_total"]


def build(force: bool = False) -> Path:
    if not REAL.is_file():
        sys.exit(f"missing {REAL}")
    if OUT.is_file() and not force and OUT.stat().st_mtime > max(REAL.stat().st_mtime, Path(__file__).stat().st_mtime):
        return OUT
    DATA_DIR.mkdir(exist_ok=True)
    admin = ", ".join(f"'{c}': {c}" for c in ADMIN)
    url = ("'https://sirekap-obj-data.kpu.go.id/pemilu/hhcw/ppwp/' || kode_prov || '/' || kode_kabkota || '/' || "
           "kode_kec || '/' || kode_desa || '/' || kode_tps || '.json'")
    sql = f"""
        SELECT kode_tps,
               {url} AS url,
               {{'mode': 'hhcw',
                 'chart': CASE WHEN has_chart THEN MAP {{'null': NULL::INTEGER, '100025': suara_paslon_1,
                                                        '100026': suara_paslon_2, '100027': suara_paslon_3}} END,
                 'administrasi': CASE WHEN has_administrasi THEN {{{admin}}} END,
                 'psu': NULL,
                 'ts': ts}} AS data
        FROM read_parquet('{REAL}') ORDER BY kode_tps
    """
    tmp = OUT.with_suffix(".tmp")
    con = duckdb.connect()
    con.execute(f"COPY ({sql}) TO '{tmp}' (FORMAT json)")
    os.replace(tmp, OUT)
    return OUT


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true")
    path = build(parser.parse_args().force)
    print(f"{path} {path.stat().st_size:,} bytes")
