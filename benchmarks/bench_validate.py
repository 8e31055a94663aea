#!/usr/bin/env python3
"""Time `rekap validate` on a national-scale TPS table against two hand-written baselines.

    python benchmarks/bench_validate.py [--repeat 3] [--rows N] [--rekap "path/to/rekap"] [--strict]

Cases (see CASES; later commands such as `rekap aggregate --level all`, `rekap compare` and `rekap run`
are added there as more entries with their own group and baselines):

- rekap validate  `rekap validate FILE -f parquet -o OUT --fail-on never --select <the same seven A-rules>`
- rekap validate (all rules)  the whole catalogue, informational (no baseline does that work)
- bare DuckDB     BARE_DUCKDB_VALIDATE: load, A001/A003/A004/A006/A007/A009/A012 as set-based SQL, Parquet out
- pandas          PANDAS_VALIDATE: the same with vectorised column arithmetic

Every run is its own subprocess, started through a small wrapper that reports the wall time and the peak
RSS of that one run, so the numbers include interpreter start-up exactly as a user sees it. The median
over --repeat runs is reported (warm page cache after the first run). Targets: rekap ≤ 1.5× bare DuckDB
and ≥ 3× faster than pandas; exit 0 whatever the outcome unless --strict.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
DATA_DIR = BENCH_DIR / ".data"
OUT_DIR = DATA_DIR / "out"
MAKE_NATIONAL = BENCH_DIR / "make_national.py"

# --- the baselines ---------------------------------------------------------------------------------
# Both are standalone programs run as `python -c SCRIPT INPUT OUTPUT`; they are deliberately minimal:
# what a competent analyst would write for this one job, without rekap's reporting, row numbers,
# messages or structure checks. They must produce identical findings (checked after the timings).
# Shared semantics: one finding per (TPS, rule, field); selisih = actual - expected; a row with an empty
# input cell is not applicable; a column absent from the whole file counts as 0 inside a sum (A003,
# A012); output sorted by kode_tps, rule, field (rekap's output is deterministic too).

BARE_DUCKDB_VALIDATE = r'''
import sys

import duckdb

src, out = sys.argv[1], sys.argv[2]
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")  # a batch tool keeps its streams quiet, as rekap does
if src.endswith(".csv"):
    # Explicit quote: the sniffer only samples the start of the file and, seeing no quotes there, picks
    # none; "LUBUK PAKAM I,II" on line 29,469 then breaks the row. all_varchar keeps codes as text.
    rel = "read_csv(?, header=true, delim=',', quote='\"', escape='\"', all_varchar=true)"
else:
    rel = "read_parquet(?)"
cols = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {rel}", [src]).fetchall()]
counts = [c for c in cols if c.startswith(("pemilih_", "pengguna_", "suara_"))]
casts = ", ".join(f'TRY_CAST("{c}" AS BIGINT) AS "{c}"' for c in counts)
con.execute(f"CREATE TABLE tps AS SELECT kode_tps, {casts} FROM {rel}", [src])

have = set(counts)
def col(c):
    return f'"{c}"' if c in have else "0"   # absent from the file: counts as 0 in a sum

checks = []  # (rule, field, expected, actual, comparison that holds on a correct form)
for g in sorted({c[:-2] for c in counts if c[-2:] in ("_l", "_p", "_j")}):
    if {f"{g}_l", f"{g}_p", f"{g}_j"} <= have:
        checks.append(("A001", f"{g}_j", f'"{g}_l" + "{g}_p"', f'"{g}_j"', "="))
for s in "lpj":
    parts = [f"pengguna_{x}_{s}" for x in ("dpt", "dpph", "dptb", "non_dpt")]
    if f"pengguna_total_{s}" in have and any(p in have for p in parts):
        checks.append(("A003", f"pengguna_total_{s}", " + ".join(col(p) for p in parts), col(f"pengguna_total_{s}"), "="))
    if {f"pengguna_dpt_{s}", f"pemilih_dpt_{s}"} <= have:
        checks.append(("A004", f"pengguna_dpt_{s}", f'"pemilih_dpt_{s}"', f'"pengguna_dpt_{s}"', "<="))
paslon = [c for c in counts if c.startswith("suara_paslon_")]
if paslon and "suara_sah" in have:
    checks.append(("A006", "suara_sah", " + ".join(f'"{c}"' for c in paslon), '"suara_sah"', "="))
if {"suara_sah", "suara_tidak_sah", "suara_total"} <= have:
    checks.append(("A007", "suara_total", '"suara_sah" + "suara_tidak_sah"', '"suara_total"', "="))
if {"suara_total", "pengguna_total_j"} <= have:
    checks.append(("A009", "suara_total", '"pengguna_total_j"', '"suara_total"', "="))
if {"suara_total", "pemilih_dpt_j"} <= have:
    bound = " + ".join(col(c) for c in ("pemilih_dpt_j", "pengguna_dptb_j", "pengguna_non_dpt_j", "pengguna_dpph_j"))
    checks.append(("A012", "suara_total", bound, '"suara_total"', "<="))

# NOT (x op y) is NULL when a cell is empty, so WHERE drops the row: not applicable, no finding.
selects = [
    f"SELECT '{rule}' AS rule, kode_tps, '{fld}' AS field, ({exp})::BIGINT AS expected, "
    f"({act})::BIGINT AS actual, ({act}) - ({exp}) AS selisih FROM tps WHERE NOT (({act}) {op} ({exp}))"
    for rule, fld, exp, act, op in checks
]
sql = " UNION ALL ".join(selects) + " ORDER BY kode_tps, rule, field"
con.execute(f"COPY ({sql}) TO '{out}' (FORMAT parquet)")
'''

PANDAS_VALIDATE = r'''
import sys

import pandas as pd

src, out = sys.argv[1], sys.argv[2]
if src.endswith(".csv"):
    header = pd.read_csv(src, nrows=0).columns
    # codes and names as text ("0101" must stay "0101"); counts parse as int64, or float64 with NaN
    df = pd.read_csv(src, dtype={c: str for c in header if c.startswith(("kode_", "nama_"))})
else:
    df = pd.read_parquet(src)
counts = [c for c in df.columns if c.startswith(("pemilih_", "pengguna_", "suara_"))]
num = df[counts].astype("float64")  # one numeric type; NaN marks an empty cell
have = set(counts)
zero = pd.Series(0.0, index=df.index)
def col(c):
    return num[c] if c in have else zero  # absent from the file: counts as 0 in a sum

findings = []
def check(rule, fld, expected, actual, holds):
    # NaN anywhere in the inputs -> not applicable; pandas compares NaN != x as True, hence the mask
    bad = expected.notna() & actual.notna() & ~holds(actual, expected)
    if bad.any():
        findings.append(pd.DataFrame({
            "rule": rule, "kode_tps": df.loc[bad, "kode_tps"], "field": fld,
            "expected": expected[bad].astype("int64"), "actual": actual[bad].astype("int64"),
            "selisih": (actual[bad] - expected[bad]).astype("int64"),
        }))
eq = lambda a, e: a == e  # noqa: E731
le = lambda a, e: a <= e  # noqa: E731

for g in sorted({c[:-2] for c in counts if c[-2:] in ("_l", "_p", "_j")}):
    if {f"{g}_l", f"{g}_p", f"{g}_j"} <= have:
        check("A001", f"{g}_j", num[f"{g}_l"] + num[f"{g}_p"], num[f"{g}_j"], eq)
for s in "lpj":
    parts = [f"pengguna_{x}_{s}" for x in ("dpt", "dpph", "dptb", "non_dpt")]
    if f"pengguna_total_{s}" in have and any(p in have for p in parts):
        check("A003", f"pengguna_total_{s}", sum(col(p) for p in parts), num[f"pengguna_total_{s}"], eq)
    if {f"pengguna_dpt_{s}", f"pemilih_dpt_{s}"} <= have:
        check("A004", f"pengguna_dpt_{s}", num[f"pemilih_dpt_{s}"], num[f"pengguna_dpt_{s}"], le)
paslon = [c for c in counts if c.startswith("suara_paslon_")]
if paslon and "suara_sah" in have:
    # skipna=False: one empty paslon cell makes the sum unknown, not smaller
    check("A006", "suara_sah", num[paslon].sum(axis=1, skipna=False), num["suara_sah"], eq)
if {"suara_sah", "suara_tidak_sah", "suara_total"} <= have:
    check("A007", "suara_total", num["suara_sah"] + num["suara_tidak_sah"], num["suara_total"], eq)
if {"suara_total", "pengguna_total_j"} <= have:
    check("A009", "suara_total", num["pengguna_total_j"], num["suara_total"], eq)
if {"suara_total", "pemilih_dpt_j"} <= have:
    bound = sum(col(c) for c in ("pemilih_dpt_j", "pengguna_dptb_j", "pengguna_non_dpt_j", "pengguna_dpph_j"))
    check("A012", "suara_total", bound, num["suara_total"], le)

result = pd.concat(findings, ignore_index=True).sort_values(["kode_tps", "rule", "field"], kind="stable")
result.to_parquet(out, index=False)
'''

# Runs one command and reports its wall time and peak RSS as JSON on stdout. RUSAGE_CHILDREN of a
# long-lived process is the maximum over every child it ever waited for, so the benchmark itself cannot
# tell runs apart; a fresh wrapper per run makes ru_maxrss belong to that run alone.
RSS_WRAPPER = r"""
import json, resource, subprocess, sys, time
t0 = time.perf_counter()
p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"rc": p.returncode, "wall": wall, "maxrss": rss, "stderr": p.stderr.decode("utf-8", "replace")[-4000:]}))
"""


# --- cases and targets -----------------------------------------------------------------------------


@dataclass
class Context:
    python: str
    rekap: list[str] | None
    """The rekap command (argv prefix), or None when it could not be found."""


@dataclass(frozen=True)
class Case:
    name: str
    group: str
    """Cases of one group do the same work on the same input and are compared with each other."""
    role: str
    """'rekap', 'duckdb' (the floor every ratio is measured against) or 'pandas'."""
    command: Callable[[Context, Path, Path], list[str] | None]
    """(context, input file, output file) -> argv, or None when the tool is unavailable."""


@dataclass(frozen=True)
class Target:
    group: str
    role: str
    reference: str
    max_ratio: float
    """Pass when median(role) / median(reference) ≤ max_ratio."""
    label: str


SAME_RULES = "A001,A003,A004,A006,A007,A009,A012"


def rekap_validate(ctx: Context, src: Path, out: Path) -> list[str] | None:
    """Like for like: the seven A-rules the baselines evaluate (plus what rekap always does: strict
    count parsing, duplicate detection, row numbers and messages)."""
    if ctx.rekap is None:
        return None
    return [*ctx.rekap, "validate", str(src), "-f", "parquet", "-o", str(out), "--fail-on", "never",
            "--select", SAME_RULES, "-q"]


def rekap_validate_all(ctx: Context, src: Path, out: Path) -> list[str] | None:
    """The whole catalogue, as a user runs it by default (no baseline does this much: no target)."""
    if ctx.rekap is None:
        return None
    return [*ctx.rekap, "validate", str(src), "-f", "parquet", "-o", str(out), "--fail-on", "never", "-q"]


def python_script(code: str) -> Callable[[Context, Path, Path], list[str] | None]:
    def command(ctx: Context, src: Path, out: Path) -> list[str] | None:
        return [ctx.python, "-c", code, str(src), str(out)]

    return command


CASES: list[Case] = [
    Case("rekap validate", "validate", "rekap", rekap_validate),
    Case("bare DuckDB", "validate", "duckdb", python_script(BARE_DUCKDB_VALIDATE)),
    Case("pandas", "validate", "pandas", python_script(PANDAS_VALIDATE)),
    Case("rekap validate (all rules)", "validate-all", "rekap", rekap_validate_all),
]

TARGETS: list[Target] = [
    Target("validate", "rekap", "duckdb", 1.5, "rekap validate ≤ 1.5× bare DuckDB"),
    Target("validate", "rekap", "pandas", 1 / 3, "rekap validate ≥ 3× faster than pandas"),
]


# --- running ---------------------------------------------------------------------------------------


@dataclass
class Result:
    case: Case
    input: Path
    output: Path
    walls: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)
    error: str | None = None

    @property
    def median(self) -> float | None:
        return statistics.median(self.walls) if self.walls and self.error is None else None

    @property
    def peak_mb(self) -> float | None:
        return max(self.rss_mb) if self.rss_mb and self.error is None else None


def maxrss_mb(value: int) -> float:
    # ru_maxrss is KiB on Linux, bytes on macOS.
    return value / (1024 * 1024) if sys.platform == "darwin" else value / 1024


def run_once(python: str, argv: list[str]) -> dict[str, object]:
    proc = subprocess.run([python, "-c", RSS_WRAPPER, *argv], capture_output=True, text=True)
    if proc.returncode != 0:  # the wrapper itself failed (e.g. the command does not exist)
        return {"rc": proc.returncode, "wall": 0.0, "maxrss": 0, "stderr": proc.stderr[-4000:]}
    result: dict[str, object] = json.loads(proc.stdout)
    return result


def run_input(ctx: Context, cases: list[Case], src: Path, repeat: int) -> list[Result]:
    """Run every case on one input, `repeat` rounds.

    Round-robin (case A, B, C, A, B, C ...) rather than all runs of one case in a row: on a shared
    machine a burst of background load then hits every case alike instead of skewing one ratio.
    """
    results = [Result(c, src, OUT_DIR / f"{c.group}-{c.role}-{src.stem}-{src.suffix.lstrip('.')}.parquet")
               for c in cases]
    commands = [c.command(ctx, src, r.output) for c, r in zip(cases, results, strict=True)]
    for r, argv in zip(results, commands, strict=True):
        if argv is None:
            r.error = "not available"
    for round_no in range(1, repeat + 1):
        for r, argv in zip(results, commands, strict=True):
            if argv is None or r.error is not None:
                continue
            print(f"  [{round_no}/{repeat}] {r.case.name} on {src.name}", file=sys.stderr, flush=True)
            r.output.unlink(missing_ok=True)
            run = run_once(ctx.python, argv)
            if run["rc"] != 0:
                tail = [line.strip() for line in str(run["stderr"]).strip().splitlines()[-3:]]
                r.error = f"exit {run['rc']}: " + (" | ".join(tail) or "no stderr")
                if r.case.role == "rekap":
                    print(f"bench: {r.case.name} failed on {src.name}: {r.error}", file=sys.stderr)
                continue
            r.walls.append(float(str(run["wall"])))
            r.rss_mb.append(maxrss_mb(int(str(run["maxrss"]))))
    return results


# --- inputs ----------------------------------------------------------------------------------------


def ensure_national(python: str) -> tuple[Path, Path]:
    """Build (or reuse) the national table; make_national skips the work when it is up to date."""
    proc = subprocess.run([python, str(MAKE_NATIONAL)])
    if proc.returncode != 0:
        raise SystemExit(f"bench: error: {MAKE_NATIONAL.name} failed (exit {proc.returncode})")
    return DATA_DIR / "national.parquet", DATA_DIR / "national.csv"


def ensure_sample(national: Path, rows: int) -> tuple[Path, Path]:
    """The first `rows` rows of the national table, as Parquet and CSV written the same way."""
    import duckdb

    parquet = DATA_DIR / f"national_{rows}.parquet"
    csv = DATA_DIR / f"national_{rows}.csv"
    if all(p.exists() and p.stat().st_mtime > national.stat().st_mtime for p in (parquet, csv)):
        return parquet, csv
    con = duckdb.connect()
    # insertion order is preserved by default, so LIMIT takes the first rows of the sorted table
    con.execute("CREATE TABLE sample AS SELECT * FROM read_parquet(?) LIMIT ?", [str(national), rows])
    con.execute(f"COPY sample TO '{parquet}' (FORMAT parquet, COMPRESSION zstd)")
    con.execute(f"COPY sample TO '{csv}' (FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"')")
    return parquet, csv


def count_rows(path: Path) -> int:
    import duckdb

    row = duckdb.connect().execute("SELECT count(*) FROM read_parquet(?)", [str(path)]).fetchone()
    return int(row[0]) if row else 0


# --- reporting -------------------------------------------------------------------------------------


def machine() -> str:
    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
        mem_text = f"{mem:.0f} GiB"
    except (ValueError, OSError, AttributeError):
        mem_text = "? GiB"
    versions = []
    for dist in ("duckdb", "pandas", "pyarrow"):
        try:
            versions.append(f"{dist} {metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{dist} missing")
    return (
        f"{os.cpu_count()} cores, {mem_text} RAM, {platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}, " + ", ".join(versions)
    )


def load_average() -> float | None:
    try:
        return os.getloadavg()[0]
    except (OSError, AttributeError):
        return None


def print_table(results: list[Result]) -> None:
    floor = {(r.case.group, r.input): r.median for r in results if r.case.role == "duckdb"}
    pandas = {(r.case.group, r.input): r.median for r in results if r.case.role == "pandas"}
    header = (f"{'case':<28} {'input':<26} {'median s':>9} {'min–max s':>11} {'peak MB':>8} "
              f"{'× DuckDB':>9} {'vs pandas':>10}")
    print(header)
    print("-" * len(header))
    for r in results:
        name = r.input.name
        if r.median is None:
            print(f"{r.case.name:<28} {name:<26} {'–':>9} {'–':>11} {'–':>8} {'–':>9} {'–':>10}   ({r.error})")
            continue
        base = floor.get((r.case.group, r.input))
        slow = pandas.get((r.case.group, r.input))
        ratio = f"{r.median / base:.2f}×" if base else "–"
        speedup = f"{slow / r.median:.1f}×" if slow else "–"
        spread = f"{min(r.walls):.2f}–{max(r.walls):.2f}"
        print(f"{r.case.name:<28} {name:<26} {r.median:>9.2f} {spread:>11} {r.peak_mb or 0:>8.0f} "
              f"{ratio:>9} {speedup:>10}")


def by_key_all(results: list[Result]) -> dict[tuple[str, str, Path], Result]:
    return {(r.case.group, r.case.role, r.input): r for r in results if r.error is None and r.output.exists()}


def print_findings(results: list[Result]) -> None:
    """Findings per rule for each output, so that one can see every case did the same work."""
    import duckdb

    con = duckdb.connect()
    for r in results:
        if r.error is not None or not r.output.exists():
            continue
        cols = {c[0] for c in con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(r.output)]).fetchall()}
        if "rule" not in cols:
            print(f"  {r.case.name} / {r.input.name}: {count_rows(r.output):,} rows (no `rule` column)")
            continue
        per_rule = con.execute(
            "SELECT rule, count(*) FROM read_parquet(?) GROUP BY rule ORDER BY rule", [str(r.output)]
        ).fetchall()
        total = sum(n for _, n in per_rule)
        text = ", ".join(f"{rule} {n:,}" for rule, n in per_rule)
        print(f"  {r.case.name:<28} {r.input.name:<26} {total:>9,}  ({text})")
    # rekap must find what the floor finds, row for row (its `kode_wilayah` is the TPS code).
    for (group, role, src), r in list(by_key_all(results).items()):
        base = by_key_all(results).get((group, "duckdb", src))
        if role != "rekap" or base is None:
            continue
        mine = "rule, kode_wilayah AS kode_tps, field, expected, actual, selisih"
        keys = "rule, kode_tps, field, expected, actual, selisih"
        diff = con.execute(
            f"SELECT count(*) FROM ((SELECT {mine} FROM read_parquet(?) EXCEPT ALL SELECT {keys} FROM read_parquet(?))"
            f" UNION ALL (SELECT {keys} FROM read_parquet(?) EXCEPT ALL SELECT {mine} FROM read_parquet(?)))",
            [str(r.output), str(base.output), str(base.output), str(r.output)],
        ).fetchall()[0][0]
        verdict = "identical" if diff == 0 else f"DIFFER in {diff:,} rows"
        print(f"  {group} on {src.name}: rekap vs bare DuckDB findings {verdict}")
    # The two baselines must agree row for row; a difference means one of them is wrong.
    by_key = {(r.case.group, r.case.role, r.input): r for r in results if r.error is None and r.output.exists()}
    for (group, role, src), r in by_key.items():
        other = by_key.get((group, "pandas", src))
        if role != "duckdb" or other is None:
            continue
        keys = "rule, kode_tps, field, expected, actual, selisih"
        row = con.execute(
            f"SELECT count(*) FROM ((SELECT {keys} FROM read_parquet(?) EXCEPT ALL SELECT {keys} FROM read_parquet(?))"
            f" UNION ALL (SELECT {keys} FROM read_parquet(?) EXCEPT ALL SELECT {keys} FROM read_parquet(?)))",
            [str(r.output), str(other.output), str(other.output), str(r.output)],
        ).fetchone()
        diff = int(row[0]) if row else -1
        verdict = "identical" if diff == 0 else f"{diff} rows differ"
        print(f"  baselines on {src.name}: bare DuckDB vs pandas findings {verdict}")


def evaluate(results: list[Result]) -> bool:
    """Print PASS/FAIL per target and input; True when every target was met."""
    ok = True
    inputs = list(dict.fromkeys(r.input for r in results))
    for target in TARGETS:
        for src in inputs:
            times = {r.case.role: r.median for r in results if r.case.group == target.group and r.input == src}
            mine, ref = times.get(target.role), times.get(target.reference)
            if mine is None or ref is None:
                missing = [r for r in results if r.input == src and r.case.group == target.group
                           and r.case.role in (target.role, target.reference) and r.median is None]
                why = "; ".join(f"{r.case.name}: {r.error}" for r in missing) or "case not run"
                print(f"SKIP  {target.label} on {src.name}: {why}")
                ok = False
                continue
            ratio = mine / ref
            passed = ratio <= target.max_ratio
            ok = ok and passed
            shown = f"{ratio:.2f}×" if target.max_ratio >= 1 else f"{ref / mine:.1f}× faster"
            print(f"{'PASS' if passed else 'FAIL'}  {target.label} on {src.name}: {shown}")
    return ok


# --- main ------------------------------------------------------------------------------------------


def find_rekap(option: str | None) -> list[str] | None:
    if option:
        argv = shlex.split(option)
        exe = shutil.which(argv[0]) or (argv[0] if Path(argv[0]).is_file() else None)
        return [exe, *argv[1:]] if exe else None
    local = REPO_ROOT / ".venv" / "bin" / "rekap"
    if local.is_file() and os.access(local, os.X_OK):
        return [str(local)]
    on_path = shutil.which("rekap")
    return [on_path] if on_path else None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Benchmark rekap validate against bare DuckDB and pandas.")
    ap.add_argument("--repeat", type=int, default=3, help="runs per case and input; the median is reported")
    ap.add_argument("--rows", type=int, default=None, help="benchmark on the first N rows of the national table")
    ap.add_argument("--rekap", default=None, help='rekap command (default .venv/bin/rekap, then rekap on PATH)')
    ap.add_argument("--inputs", default="parquet,csv", help="comma-separated input formats (default parquet,csv)")
    ap.add_argument("--strict", action="store_true", help="exit 1 unless every target is met")
    args = ap.parse_args(argv)
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")

    python = sys.executable
    ctx = Context(python=python, rekap=find_rekap(args.rekap))
    if ctx.rekap is None:
        wanted = args.rekap or ".venv/bin/rekap or rekap on PATH"
        print(f"bench: rekap not found ({wanted}); timing the baselines only", file=sys.stderr)

    national_parquet, national_csv = ensure_national(python)
    files = {"parquet": national_parquet, "csv": national_csv}
    if args.rows:
        files["parquet"], files["csv"] = ensure_sample(national_parquet, args.rows)
    chosen = [f.strip() for f in args.inputs.split(",") if f.strip()]
    unknown = [f for f in chosen if f not in files]
    if unknown:
        ap.error(f"unknown input format(s): {', '.join(unknown)} (choose from parquet, csv)")
    OUT_DIR.mkdir(parents=True, exist_ok=True)

    print(f"machine: {machine()}")
    print(f"input:   {count_rows(files['parquet']):,} TPS rows; {args.repeat} run(s) per case, median wall time")
    print(f"rekap:   {' '.join(ctx.rekap) if ctx.rekap else 'not found'}")
    busy = load_average()
    if busy is not None and busy > 0.5:
        # Other jobs on the same cores stretch every run; ratios survive better than absolute times.
        print(f"note:    load average {busy:.1f} before starting: the machine is busy, timings are noisy")
    print()

    results: list[Result] = []
    for fmt in chosen:
        results.extend(run_input(ctx, CASES, files[fmt], args.repeat))

    print()
    print_table(results)
    print("\nfindings per output:")
    print_findings(results)
    print()
    ok = evaluate(results)
    return 1 if args.strict and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
