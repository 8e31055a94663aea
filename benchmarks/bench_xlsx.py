#!/usr/bin/env python3
"""Issue 15, XLSX: `rekap validate` of one province as 24 kab/kota workbooks against the same rows as 24 CSVs.

    python benchmarks/bench_xlsx.py [--repeat 3] [--rekap "CMD"] [--before "CMD"]

Each case is `rekap validate <24 files> -f csv -o OUT --fail-on never -q` (all rules), timed in its own
subprocess by bench_validate's wrapper (wall time and peak RSS of that run), in interleaved rounds (CSV,
XLSX, [XLSX before], CSV, XLSX ...). Prints the median and min–max per case, the peak RSS, the ratio
XLSX / CSV and PASS/FAIL against the target ≤ 1.5× (also recorded as the row "xlsx" of issue 15's table,
benchmarks/verdicts.py), and checks that the findings of the workbooks equal
those of the CSVs apart from the `source` column (and, with --before, that both installs' XLSX findings are
byte-identical). The data is made by make_xlsx_province.py (needs benchmarks/.data/national.parquet) when
missing.
"""

from __future__ import annotations

import argparse
import csv
import shlex
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_validate import load_average, maxrss_mb, precompile, run_once  # noqa: E402
from verdicts import record  # noqa: E402

DATA = HERE / ".data" / "xlsx_prov"
TARGET = 1.5
TITLE_ROWS = 2  # make_xlsx_province.py's workbooks: two title rows above the header


def ensure_data() -> tuple[list[Path], list[Path]]:
    xlsx, csvs = sorted((DATA / "xlsx").glob("tps_*.xlsx")), sorted((DATA / "csv").glob("tps_*.csv"))
    if not xlsx or len(xlsx) != len(csvs):
        print("bench: building the province (make_xlsx_province.py) ...", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, str(HERE / "make_xlsx_province.py"), "--out", str(DATA)], check=True)
        xlsx, csvs = sorted((DATA / "xlsx").glob("tps_*.xlsx")), sorted((DATA / "csv").glob("tps_*.csv"))
    return xlsx, csvs


def findings(path: Path, title_rows: int = 0) -> list[list[str]]:
    """The findings without `source`, `row` counted as a CSV line: the workbooks' header is in row
    `title_rows` + 1 (make_xlsx_province's two title rows), the CSVs' on line 1."""
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    if not rows:
        return rows
    keep = [i for i, name in enumerate(rows[0]) if name != "source"]
    at = rows[0].index("row") if "row" in rows[0] else -1
    for r in rows[1:]:
        if at >= 0 and r[at].isdigit():
            r[at] = str(int(r[at]) - title_rows)
    return [[r[i] for i in keep] for r in rows]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="rounds; the median is reported (at least 3 for a verdict)")
    ap.add_argument("--rekap", default=str(HERE.parent / ".venv" / "bin" / "rekap"))
    ap.add_argument("--before", help="another rekap command timed on the workbooks in the same rounds (e.g. main's)")
    ap.add_argument("--strict", action="store_true", help="exit 1 unless the target is met and the findings agree")
    args = ap.parse_args()
    xlsx, csvs = ensure_data()
    rekap = shlex.split(args.rekap)
    before = shlex.split(args.before) if args.before else None
    precompile(rekap)
    precompile(before)
    busy = load_average()
    print(f"input:  {len(xlsx)} workbooks ({sum(p.stat().st_size for p in xlsx) / 1e6:.1f} MB) vs {len(csvs)} CSVs "
          f"({sum(p.stat().st_size for p in csvs) / 1e6:.1f} MB), {DATA}")
    print(f"rekap:  {' '.join(rekap)}" + (f"\nbefore: {' '.join(before)}" if before else ""))
    if busy is not None and busy > 0.5:
        print(f"note:   load average {busy:.1f} before starting: the machine is busy, timings are noisy")
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        cases: dict[str, tuple[list[str], Path]] = {}
        for name, cmd, files in (("CSV", rekap, csvs), ("XLSX", rekap, xlsx), ("XLSX (before)", before, xlsx)):
            if cmd is None:
                continue
            target = out / (name.replace(" ", "_").strip("()") + ".csv")
            cases[name] = ([*cmd, "validate", *map(str, files), "-f", "csv", "-o", str(target), "--fail-on", "never",
                            "-q"], target)
        runs: dict[str, list[dict[str, object]]] = {name: [] for name in cases}
        for round_no in range(1, args.repeat + 1):
            for name, (argv, target) in cases.items():
                print(f"  [{round_no}/{args.repeat}] {name}", file=sys.stderr, flush=True)
                target.unlink(missing_ok=True)
                run = run_once(sys.executable, argv)
                if run["rc"] != 0:
                    sys.exit(f"bench: {name} failed (exit {run['rc']}):\n{run['stderr']}")
                runs[name].append(run)
        print(f"\n{'input':14} {'median s':>9} {'min–max s':>13} {'CPU s':>6} {'peak RSS':>9}")
        medians: dict[str, float] = {}
        peaks: dict[str, float] = {}
        for name, rs in runs.items():
            walls = [float(str(r["wall"])) for r in rs]
            cpu = statistics.median(float(str(r.get("cpu", 0.0))) for r in rs)
            peak = peaks[name] = max(maxrss_mb(int(str(r["maxrss"]))) for r in rs)
            medians[name] = statistics.median(walls)
            print(f"{name:14} {medians[name]:9.2f} {min(walls):6.2f}–{max(walls):<6.2f} {cpu:6.2f} {peak:6.0f} MiB")
        end_load = load_average()
        if end_load is not None and end_load > 0.5:
            print(f"note:   load average {end_load:.1f} at the end")
        print()
        for name in [n for n in medians if n.startswith("XLSX")]:
            ratio = medians[name] / medians["CSV"]
            passed = ratio <= TARGET and args.repeat >= 3
            ok = ok and (passed or name != "XLSX")
            verdict = "PASS" if passed else ("FAIL" if args.repeat >= 3 else "SKIP (fewer than 3 rounds)")
            print(f"{verdict}  {name} / CSV = {ratio:.2f}× (target ≤ {TARGET}×)")
        a, b = findings(cases["CSV"][1]), findings(cases["XLSX"][1], TITLE_ROWS)
        same = a == b
        ok = ok and same
        print(f"{'PASS' if same else 'FAIL'}  findings XLSX vs CSV apart from `source` (and `row` less the title rows): "
              + (f"identical ({len(a) - 1:,} rows)" if same else f"differ ({len(a) - 1:,} vs {len(b) - 1:,} rows)"))
        ratio = medians["XLSX"] / medians["CSV"]
        enough = args.repeat >= 3
        record("xlsx", rekap_s=medians["XLSX"], baseline_s=medians["CSV"], ratio=ratio,
               passed=(ratio <= TARGET and same) if enough else None, peak_mb=peaks["XLSX"],
               baseline_peak_mb=peaks["CSV"],
               note=("" if same else "findings differ from the CSV's; ")
               + ("" if enough else f"{args.repeat} round(s), fewer than 3"))
        if before is not None:
            same_before = cases["XLSX"][1].read_bytes() == cases["XLSX (before)"][1].read_bytes()
            ok = ok and same_before
            print(f"{'PASS' if same_before else 'FAIL'}  findings XLSX vs XLSX (before): "
                  + ("byte-identical" if same_before else "differ"))
    return 1 if args.strict and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
