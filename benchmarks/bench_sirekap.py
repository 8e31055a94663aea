"""Issue 15, Sirekap JSON: `rekap validate` of the 443,968 real TPS as JSON Lines against DuckDB's own
`read_json` + the same seven A-rules (BARE_DUCKDB_VALIDATE's SQL), median of N runs and peak RSS.

    python benchmarks/bench_sirekap.py [--repeat 3] [--rekap "CMD"] [--before "CMD"] [--only rekap|bare]

The data comes from benchmarks/make_sirekap_jsonl.py (built when missing).
"""

from __future__ import annotations

import argparse
import json
import shlex
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_validate import BARE_DUCKDB_VALIDATE, RSS_WRAPPER, SAME_RULES  # noqa: E402
from make_sirekap_jsonl import build  # noqa: E402

ADMIN_TYPES = ", ".join(f"{c} VARCHAR" for c in (
    [f"{p}_{s}" for p in ("pemilih_dpt", "pengguna_dpt", "pengguna_dptb", "pengguna_non_dpt", "pengguna_total")
     for s in ("j", "l", "p")] + ["suara_sah", "suara_tidak_sah", "suara_total"]))

# DuckDB reads the records itself: `chart` as a MAP (candidate id -> count), ids numbered 1..N by rank.
def bare_script() -> str:
    head = r'''
import sys

import duckdb

src, out = sys.argv[1], sys.argv[2]
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
con.execute("""CREATE TABLE raw AS SELECT kode_tps, data.chart AS chart, data.administrasi AS adm FROM read_ndjson(?,
    columns={'kode_tps': 'VARCHAR', 'data': 'STRUCT(chart MAP(VARCHAR, VARCHAR), administrasi STRUCT(ADMIN_TYPES))'})""",
    [src])
ids = [r[0] for r in con.execute(
    "SELECT DISTINCT k FROM (SELECT unnest(map_keys(chart)) AS k FROM raw) WHERE regexp_full_match(k, '[0-9]+') "
    "ORDER BY k::HUGEINT").fetchall()]
admin = [r[0] for r in con.execute("SELECT unnest(struct_keys(adm)) FROM (SELECT adm FROM raw LIMIT 1)").fetchall()]
cols = [f'adm."{c}" AS "{c}"' for c in admin] + [f"chart['{k}'] AS suara_paslon_{n}" for n, k in enumerate(ids, 1)]
counts = [c.rsplit(" AS ", 1)[1].strip('"') for c in cols]
casts = ", ".join(f'TRY_CAST({c.rsplit(" AS ", 1)[0]} AS BIGINT) AS "{n}"' for c, n in zip(cols, counts))
con.execute(f"CREATE TABLE tps AS SELECT kode_tps, {casts} FROM raw")
'''.replace("ADMIN_TYPES", ADMIN_TYPES)
    rules = "have = set(counts)" + BARE_DUCKDB_VALIDATE.split("have = set(counts)", 1)[1]
    return head + rules


def run(argv: list[str]) -> dict[str, object]:
    proc = subprocess.run([sys.executable, "-c", RSS_WRAPPER, *argv], capture_output=True, check=True)
    return json.loads(proc.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rekap", default=str(HERE.parent / ".venv" / "bin" / "rekap"))
    parser.add_argument("--before", help="another rekap command to time on the same file (e.g. main's)")
    parser.add_argument("--only", choices=("rekap", "bare"))
    args = parser.parse_args()
    src = build()
    size_mb = src.stat().st_size / 1e6
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "bare.py"
        script.write_text(bare_script())
        cases = {
            "rekap validate": [*shlex.split(args.rekap), "validate", str(src), "-f", "parquet", "-o",
                               f"{tmp}/rekap.parquet", "--fail-on", "never", "--select", SAME_RULES, "-q"],
            "bare DuckDB read_json": [sys.executable, str(script), str(src), f"{tmp}/bare.parquet"],
        }
        if args.before:
            cases["rekap validate (before)"] = [*shlex.split(args.before), "validate", str(src), "-f", "parquet", "-o",
                                                f"{tmp}/before.parquet", "--fail-on", "never", "--select", SAME_RULES,
                                                "-q"]
        results = {}
        cpus: dict[str, float] = {}
        chosen = {name: argv for name, argv in cases.items() if not args.only or name.startswith(args.only)}
        # Rounds rather than one case after another: load from elsewhere hits every case alike.
        all_runs: dict[str, list[dict[str, object]]] = {name: [] for name in chosen}
        for _round in range(args.repeat):
            for name, argv in chosen.items():
                all_runs[name].append(run(argv))
        for name, runs in all_runs.items():
            bad = [r for r in runs if r["rc"] not in (0, 1)]
            if bad:
                sys.exit(f"{name}: exit {bad[0]['rc']}\n{bad[0]['stderr']}")
            wall = statistics.median(float(r["wall"]) for r in runs)  # type: ignore[arg-type]
            cpu = statistics.median(float(r["cpu"]) for r in runs)  # type: ignore[arg-type]
            rss = max(int(r["maxrss"]) for r in runs) / 1024  # type: ignore[call-overload]
            results[name] = (wall, rss)
            cpus[name] = cpu
            print(f"{name:26} median {wall:6.2f} s  CPU {cpu:6.2f} s  peak {rss:6.0f} MB  (runs: "
                  + ", ".join(f"{float(r['wall']):.2f}" for r in runs) + ")", flush=True)  # type: ignore[arg-type]
        if "rekap validate" in results and "bare DuckDB read_json" in results:
            (rw, rr), (bw, _br) = results["rekap validate"], results["bare DuckDB read_json"]
            print(f"file {size_mb:.0f} MB; ratio {rw / bw:.2f}x (target <= 2x: {'met' if rw / bw <= 2 else 'NOT met'}); "
                  f"CPU ratio {cpus['rekap validate'] / cpus['bare DuckDB read_json']:.2f}x; "
                  f"peak {rr:.0f} MB vs file {size_mb:.0f} MB ({'met' if rr <= size_mb else 'NOT met'})")
            from verdicts import record  # the row of the table `make bench` ends with

            record("sirekap", rekap_s=rw, baseline_s=bw, ratio=rw / bw, passed=rw / bw <= 2 and rr <= size_mb,
                   peak_mb=rr, peak_limit_mb=size_mb, baseline_peak_mb=_br,
                   note=f"CPU-time ratio {cpus['rekap validate'] / cpus['bare DuckDB read_json']:.2f}×; "
                        f"file {size_mb:.0f} MB")
            if not args.only:
                import duckdb

                con = duckdb.connect()
                a = con.execute(f"SELECT rule, count(*) FROM '{tmp}/rekap.parquet' GROUP BY ALL ORDER BY 1").fetchall()
                b = con.execute(f"SELECT rule, count(*) FROM '{tmp}/bare.parquet' GROUP BY ALL ORDER BY 1").fetchall()
                print("findings per rule  rekap:", a, "\n                   bare: ", b)


if __name__ == "__main__":
    main()
