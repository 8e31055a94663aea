#!/usr/bin/env python3
"""Issue 15, one small file: the whole default catalogue on one ~100-TPS kecamatan file (a PPK's everyday
job; staff loop over hundreds of such files) against bare DuckDB start-up.

    python benchmarks/bench_small.py [--repeat 7] [--rekap "CMD"] [--before "CMD"] [--kode 130508] [--file PATH]

- rekap     `rekap validate FILE -f csv -o OUT --fail-on never -q` (every rule of the default catalogue)
- baseline  `python -c "import duckdb; duckdb.sql('select 1')"` (the cost of starting DuckDB at all)

The input is a real kecamatan (default 130508, SUNGAI LIMAU, KAB. PADANG PARIAMAN: 99 TPS with their real
errors: paslon sums, suara totals and empty forms) taken from the 2024 presidential TPS table in
/work/shared/data/real, written once as a semicolon-delimited CSV with the Indonesian headers staff exports
use ("Kode TPS", "Jumlah DPT (L)", "Pengguna Hak Pilih DPK (L+P)", ...) into benchmarks/.data/.

`--before` takes any command, e.g. another checkout through this venv's interpreter:
`--before "env PYTHONPATH=/path/to/before /path/to/.venv/bin/python -P -m rekap"`. Mind the `-P`: without it
`python -m rekap` puts the current directory first on sys.path, and run from a checkout's root it imports
that checkout's rekap whatever PYTHONPATH says (both cases then time the same code).

Every run is a fresh subprocess under bench_validate's RSS wrapper (wall time and peak RSS of that run
alone); rounds are interleaved (rekap, baseline, before, rekap, ...) and the median of --repeat runs is
compared. Target: rekap ≤ 2.5× the baseline; with --before also "within 5 % of before". Exit 0 whatever the
outcome unless --strict.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_validate import (  # noqa: E402
    BEFORE_MAX_RATIO,
    DATA_DIR,
    OUT_DIR,
    find_rekap,
    load_average,
    machine,
    maxrss_mb,
    precompile,
    run_once,
    source_state,
)

REAL_TPS = HERE.parent.parent / "shared" / "data" / "real" / "ppwp2024_tps_36prov.parquet"
TARGET = 2.5
BASELINE = ["-c", "import duckdb; duckdb.sql('select 1')"]

# (canonical column, header as staff type it); rekap.schema.resolve_header maps each back (checked on build).
HEADERS: list[tuple[str, str]] = [
    ("kode_tps", "Kode TPS"), ("nama_prov", "Provinsi"), ("nama_kabkota", "Kabupaten/Kota"),
    ("nama_kec", "Kecamatan"), ("nama_desa", "Desa/Kelurahan"), ("nama_tps", "Nama TPS"),
]
for _group, _label in (("pemilih_dpt", "Jumlah DPT"), ("pengguna_dpt", "Pengguna Hak Pilih DPT"),
                       ("pengguna_dptb", "Pengguna Hak Pilih DPTb"), ("pengguna_non_dpt", "Pengguna Hak Pilih DPK"),
                       ("pengguna_total", "Jumlah Pengguna Hak Pilih")):
    HEADERS += [(f"{_group}_l", f"{_label} (L)"), (f"{_group}_p", f"{_label} (P)"), (f"{_group}_j", f"{_label} (L+P)")]
HEADERS += [(f"suara_paslon_{n}", f"Suara Paslon {n:02d}") for n in (1, 2, 3)]
HEADERS += [("suara_sah", "Suara Sah"), ("suara_tidak_sah", "Suara Tidak Sah"),
            ("suara_total", "Jumlah Suara Sah dan Tidak Sah")]


def ensure_input(kode: str) -> Path:
    """The kecamatan `kode` of the real TPS table as a staff-style CSV (made once; empty cells stay empty)."""
    path = DATA_DIR / f"small_{kode}.csv"
    if path.is_file() and path.stat().st_mtime >= REAL_TPS.stat().st_mtime:
        return path
    import duckdb

    from rekap.schema import resolve_header

    wrong = [(h, c, resolve_header(h)) for c, h in HEADERS if resolve_header(h) != c]
    if wrong:
        sys.exit(f"bench_small: headers that rekap does not map back: {wrong}")
    cols = ", ".join(f'"{c}"' for c, _ in HEADERS)
    rows = duckdb.connect().execute(
        f"SELECT {cols} FROM read_parquet(?) WHERE kode_kec = ? ORDER BY kode_tps", [str(REAL_TPS), kode]).fetchall()
    if not rows:
        sys.exit(f"bench_small: no TPS with kode_kec {kode} in {REAL_TPS}")
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, delimiter=";", lineterminator="\r\n")
        out.writerow([h for _, h in HEADERS])
        out.writerows(["" if v is None else v for v in row] for row in rows)
    tmp.replace(path)
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--repeat", type=int, default=7, help="runs per case (median reported; at least 5 advised)")
    ap.add_argument("--rekap", default=None, help="rekap command (default .venv/bin/rekap, then rekap on PATH)")
    ap.add_argument("--before", default=None, help="another rekap command timed in the same rounds")
    ap.add_argument("--kode", default="130508", help="kode_kec of the real kecamatan to use (default 130508)")
    ap.add_argument("--file", type=Path, default=None,
                    help="time this TPS file instead (e.g. data/samples/jatim_kecil/tps/tps_3511.csv: bad cells, S002)")
    ap.add_argument("--strict", action="store_true", help="exit 1 unless every target is met")
    args = ap.parse_args(argv)
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    rekap = find_rekap(args.rekap)
    if rekap is None:
        ap.error("rekap not found")
    before = find_rekap(args.before) if args.before else None
    if args.before and before is None:
        ap.error(f"--before: {args.before} not found")
    precompile(rekap)
    precompile(before)
    src = args.file.resolve() if args.file else ensure_input(args.kode)
    OUT_DIR.mkdir(parents=True, exist_ok=True)

    def validate(cmd: list[str], name: str) -> list[str]:
        return [*cmd, "validate", str(src), "-f", "csv", "-o", str(OUT_DIR / f"small-{name}.csv"),
                "--fail-on", "never", "-q"]

    cases: dict[str, list[str]] = {"rekap validate": validate(rekap, "rekap"),
                                   "bare duckdb select 1": [sys.executable, *BASELINE]}
    if before:
        cases["rekap validate (before)"] = validate(before, "before")
    n_rows = sum(1 for _ in src.open("rb")) - 1 if src.suffix.lower() in (".csv", ".tsv", ".txt") else None
    print(f"machine: {machine()}")
    what = f"{n_rows} TPS" if n_rows is not None else "?"
    what += "" if args.file else f" (kecamatan {args.kode})"
    print(f"input:   {src.name}: {what}; {args.repeat} run(s) per case, interleaved")
    print(f"rekap:   {' '.join(rekap)}")
    if before:
        print(f"before:  {' '.join(before)}")
    print(f"source:  {source_state()}")
    busy = load_average()
    if busy is not None and busy > 0.5:
        print(f"note:    load average {busy:.1f} before starting: the machine is busy, timings are noisy")

    walls: dict[str, list[float]] = {name: [] for name in cases}
    peaks: dict[str, list[float]] = {name: [] for name in cases}
    cpus: dict[str, list[float]] = {name: [] for name in cases}
    for _round in range(args.repeat):
        for name, cmd in cases.items():
            run = run_once(sys.executable, cmd)
            if run["rc"] != 0:
                sys.exit(f"bench_small: {name} exited {run['rc']}:\n{run['stderr']}")
            walls[name].append(float(str(run["wall"])))
            peaks[name].append(maxrss_mb(int(str(run["maxrss"]))))
            cpus[name].append(float(str(run.get("cpu", 0.0))))
    print()
    # CPU time (user + system) is printed too: on a shared machine it stretches less than wall time.
    print(f"{'case':26} {'median':>8} {'cpu':>7} {'peak RSS':>9}  runs")
    for name in cases:
        runs = ", ".join(f"{w:.2f}" for w in walls[name])
        print(f"{name:26} {statistics.median(walls[name]):7.3f}s {statistics.median(cpus[name]):6.3f}s "
              f"{max(peaks[name]):5.0f} MiB  {runs}")
    if before:
        mine, theirs = (OUT_DIR / "small-rekap.csv").read_bytes(), (OUT_DIR / "small-before.csv").read_bytes()
        print(f"\nfindings vs before: {'byte-identical' if mine == theirs else 'DIFFER'}")
    print()
    ok = True
    ratio = statistics.median(walls["rekap validate"]) / statistics.median(walls["bare duckdb select 1"])
    passed = ratio <= TARGET
    ok = ok and passed
    cpu_ratio = statistics.median(cpus["rekap validate"]) / max(statistics.median(cpus["bare duckdb select 1"]), 1e-9)
    print(f"{'PASS' if passed else 'FAIL'}  whole catalogue on one small file ≤ {TARGET}× bare DuckDB start-up: "
          f"{ratio:.2f}× (CPU time {cpu_ratio:.2f}×)")
    if not args.file:
        # The row of the table `make bench` ends with (benchmarks/verdicts.py): the real kecamatan only.
        from verdicts import record

        record("small", rekap_s=statistics.median(walls["rekap validate"]),
               baseline_s=statistics.median(walls["bare duckdb select 1"]), ratio=ratio, passed=passed,
               peak_mb=max(peaks["rekap validate"]), baseline_peak_mb=max(peaks["bare duckdb select 1"]),
               note=f"{src.name}, {n_rows} TPS; CPU-time ratio {cpu_ratio:.2f}×")
    if before:
        ratio = statistics.median(walls["rekap validate"]) / statistics.median(walls["rekap validate (before)"])
        passed = ratio <= BEFORE_MAX_RATIO
        ok = ok and passed
        print(f"{'PASS' if passed else 'FAIL'}  rekap validate within 5 % of before: {ratio:.2f}×")
    busy = load_average()
    if busy is not None and busy > 0.5:
        print(f"note:    load average {busy:.1f} at the end")
    return 1 if args.strict and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
