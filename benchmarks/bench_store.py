#!/usr/bin/env python3
"""Time `rekap store add` at national scale (822,607 TPS): two snapshots, then ten, against a plain validate.

    python benchmarks/bench_store.py [--runs 3] [--quick] [--rekap "path/to/rekap"] [--before "other/rekap"]
                                     [--snapshots 10] [--strict]

Issue 14's acceptance: "822,607 TPS, then a second snapshot with 1 % of TPS changed: the second add takes ≤ 2×
a plain `rekap validate` of that snapshot, and the store grows by ≤ 15 %; ten such snapshots stay under 2× the
first snapshot's size."

The snapshots: s01 is `benchmarks/.data/national.parquet` (make_national.py), s02 `national_new.parquet`
(bench_diff.ensure_new: ~1 % of the TPS changed, ~320 dropped, ~330 new), s03 … s10 `national_sNN.parquet`, each
made by the same generator from the one before with seed 2024 + NN (so each changes other TPS), cached in
`benchmarks/.data` like the others.

Each round (fresh subprocesses through bench_validate's wrapper: wall time, CPU time and peak RSS of that run
alone, interpreter start-up included; median of --runs):

- a fresh store (`.data/out/store-<input>.duckdb`); `rekap store add s01 --label s01 --at … -q`: the first add
  (every TPS a new version), its time, peak RSS and the store's size;
- `rekap store add s02 --label s02`: the second add (the diff against the stored s01, its D rules, the
  changed versions written), its time, peak and the size;
- `rekap validate s02` with the default rules and the table on stdout (to /dev/null): the reference of the ratio;
- in the last round only, s03 … s10 added to the same store: the time, peak and size after each.

Then, on that store of ten snapshots, `rekap diff @s01 @s02 --store` and `rekap diff @s09 @s10 --store` are
run once each with the same diffs of the files, and their records compared as multisets (kode_wilayah, field,
old, new, selisih, change, rules): a store that lost or altered anything gives other records. Targets: second add ≤ 2× validate; store after s02 ≤ 1.15× after s01; after s10
< 2× after s01. With --before CMD another install (e.g. the commit before a change) runs the same steps in the
same rounds, on its own store, for an A/B on a shared machine. Exit 0 whatever the outcome unless --strict.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path

from bench_diff import SEED, ensure_new
from bench_validate import (
    DATA_DIR,
    OUT_DIR,
    count_rows,
    ensure_national,
    ensure_sample,
    find_rekap,
    load_average,
    machine,
    maxrss_mb,
    precompile,
    run_once,
    source_state,
)

MAX_ADD_RATIO = 2.0
"""Target: median(second add) / median(validate of the same snapshot) ≤ this."""
MAX_GROWTH = 1.15
"""Target: store size after the second snapshot / after the first ≤ this."""
MAX_TEN = 2.0
"""Target: store size after ten snapshots / after the first < this."""
RECORD_KEYS = "kode_wilayah, field, old, new, selisih, change, rules"


def snapshot_inputs(first: Path, count: int) -> list[Path]:
    """The input of each snapshot: `first`, bench_diff's NEW for it, then NEW of NEW with seeds 2024 + 3 … ."""
    inputs = [first]
    if count >= 2:
        inputs.append(ensure_new(first).path)
    for n in range(3, count + 1):
        path = DATA_DIR / f"{first.stem}_s{n:02d}.parquet"
        print(f"  input s{n:02d}: {path.name}", file=sys.stderr, flush=True)
        inputs.append(ensure_new(inputs[-1], seed=SEED + n, path=path).path)
    return inputs


@dataclass
class Step:
    name: str
    argv: list[str]
    ok_codes: frozenset[int] = frozenset({0})
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    """CPU seconds (user + system, every thread): steadier than wall time when other jobs share the cores."""
    rss_mb: list[float] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    """The store's size (file + WAL) after each run, for the adds."""
    error: str | None = None

    @property
    def median(self) -> float | None:
        return statistics.median(self.walls) if self.walls and self.error is None else None

    @property
    def cpu(self) -> float | None:
        return statistics.median(self.cpus) if self.cpus and self.error is None else None

    @property
    def peak_mb(self) -> float | None:
        return max(self.rss_mb) if self.rss_mb and self.error is None else None


def store_size(store: Path) -> int:
    wal = store.with_name(store.name + ".wal")
    return sum(p.stat().st_size for p in (store, wal) if p.exists())


def remove_store(store: Path) -> None:
    for p in (store, store.with_name(store.name + ".wal")):
        p.unlink(missing_ok=True)


def run_step(python: str, step: Step, store: Path | None) -> None:
    if step.error is not None:
        return
    run = run_once(python, step.argv)
    if run["rc"] not in step.ok_codes:
        tail = [line.strip() for line in str(run["stderr"]).strip().splitlines()[-3:]]
        step.error = f"exit {run['rc']}: " + (" | ".join(tail) or "no stderr")
        print(f"bench: {step.name} failed: {step.error}", file=sys.stderr)
        return
    step.walls.append(float(str(run["wall"])))
    step.cpus.append(float(str(run.get("cpu", 0.0))))
    step.rss_mb.append(maxrss_mb(int(str(run["maxrss"]))))
    if store is not None:
        step.sizes.append(store_size(store))


def add_argv(rekap: list[str], src: Path, n: int, store: Path) -> list[str]:
    # A fixed time per snapshot: the stores of every round are written alike.
    return [*rekap, "store", "add", str(src), "--label", f"s{n:02d}", "--at", f"2024-02-{14 + n:02d}T12:00",
            "--store", str(store), "-q"]


def versions_added(store: Path) -> dict[int, int]:
    """TPS versions each snapshot added (read after the runs, the store closed by rekap)."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"ATTACH '{store}' AS s (READ_ONLY)")
    rows = con.execute("SELECT valid_from, count(*) FROM s.tps_versions GROUP BY 1").fetchall()
    con.close()
    return {int(r[0]): int(r[1]) for r in rows}


def check_records(python: str, rekap: list[str], store: Path, old: tuple[int, Path], new: tuple[int, Path]
                  ) -> tuple[bool, str]:
    """`rekap diff @sA @sB --store` against `rekap diff FILE_A FILE_B`: the same records?"""
    import duckdb

    out_store, out_files = OUT_DIR / "store-diff-stored.parquet", OUT_DIR / "store-diff-files.parquet"
    timings = []
    for out, sides in ((out_store, [f"@s{old[0]:02d}", f"@s{new[0]:02d}", "--store", str(store)]),
                       (out_files, [str(old[1]), str(new[1])])):
        out.unlink(missing_ok=True)
        run = run_once(python, [*rekap, "diff", *sides, "-f", "parquet", "-o", str(out), "-q"])
        if run["rc"] not in (0, 1) or not out.exists():
            return False, f"rekap diff {' '.join(sides)} failed: exit {run['rc']}"
        timings.append(f"{float(str(run['wall'])):.2f} s, {maxrss_mb(int(str(run['maxrss']))):.0f} MiB")
    con = duckdb.connect()
    qa = f"SELECT {RECORD_KEYS} FROM read_parquet('{out_store}')"
    qb = f"SELECT {RECORD_KEYS} FROM read_parquet('{out_files}')"
    row = con.execute(f"SELECT count(*) FROM (({qa} EXCEPT ALL {qb}) UNION ALL ({qb} EXCEPT ALL {qa}))").fetchone()
    differ = int(row[0]) if row else -1
    total = count_rows(out_files)
    text = (f"{total:,} records ({RECORD_KEYS}) {'identical' if differ == 0 else f'DIFFER in {differ:,} rows'}; "
            f"from the store {timings[0]}, from the files {timings[1]} (one run each)")
    return differ == 0, text


def mb(size: int) -> str:
    return f"{size / 1e6:,.1f}"


@dataclass
class Series:
    """The steps of one rekap install, on its own store."""

    name: str
    rekap: list[str]
    store: Path
    inputs: list[Path]
    add1: Step = field(init=False)
    add2: Step = field(init=False)
    validate: Step = field(init=False)
    later: list[Step] = field(init=False)

    def __post_init__(self) -> None:
        self.add1 = Step("store add s01 (first)", add_argv(self.rekap, self.inputs[0], 1, self.store))
        self.add2 = Step("store add s02 (second)", add_argv(self.rekap, self.inputs[1], 2, self.store))
        self.validate = Step("validate s02", [*self.rekap, "validate", str(self.inputs[1])], ok_codes=frozenset({0, 1}))
        self.later = [Step(f"store add s{n:02d}", add_argv(self.rekap, src, n, self.store))
                      for n, src in enumerate(self.inputs[2:], 3)]

    def rows(self) -> list[tuple[Step, Path]]:
        return [(self.add1, self.inputs[0]), (self.add2, self.inputs[1]), (self.validate, self.inputs[1]),
                *zip(self.later, self.inputs[2:], strict=True)]


def run_rounds(python: str, series: list[Series], runs: int) -> None:
    """Each round: a fresh store per install; the first add, the second, validate, each step by every install in
    turn (background load hits them alike); in the last round the later snapshots too."""
    for round_no in range(1, runs + 1):
        for one in series:
            remove_store(one.store)
        steps = [(one, [one.add1, one.add2, one.validate]) for one in series]
        for i in range(3):
            for one, mine in steps:
                step = mine[i]
                print(f"  [{round_no}/{runs}] {one.name}: {step.name}", file=sys.stderr, flush=True)
                run_step(python, step, one.store if step is not one.validate else None)
        if round_no == runs:
            for i in range(len(series[0].later)):
                for one in series:
                    if one.add2.error is None:
                        print(f"  [{round_no}/{runs}] {one.name}: {one.later[i].name}", file=sys.stderr, flush=True)
                        run_step(python, one.later[i], one.store)


def print_table(series: list[Series]) -> None:
    header = (f"{'rekap':<7} {'step':<24} {'input':<28} {'median s':>9} {'min–max s':>11} {'CPU s':>6} "
              f"{'peak MiB':>9} {'store MB':>9} {'× s01':>6}")
    print(header)
    print("-" * len(header))
    for one in series:
        base = one.add1.sizes[0] if one.add1.sizes else None
        for step, src in one.rows():
            lead = f"{one.name:<7} {step.name:<24} {src.name:<28}"
            if step.median is None:
                print(f"{lead} {'–':>9} {'–':>11} {'–':>6} {'–':>9} {'–':>9} {'–':>6}   ({step.error or 'not run'})")
                continue
            spread = f"{min(step.walls):.2f}–{max(step.walls):.2f}"
            size = (f"{mb(step.sizes[0]):>9} {step.sizes[0] / base:>5.2f}×" if step.sizes and base
                    else f"{'–':>9} {'–':>6}")
            print(f"{lead} {step.median:>9.2f} {spread:>11} {step.cpu or 0:>6.2f} {step.peak_mb or 0:>9.0f} {size}")
        if len(set(one.add1.sizes)) > 1 or len(set(one.add2.sizes)) > 1:
            print(f"note:   {one.name}: store sizes vary between rounds: s01 {sorted(set(one.add1.sizes))}, "
                  f"s02 {sorted(set(one.add2.sizes))}")
        if one.add2.error is None and one.store.exists():
            added = versions_added(one.store)
            print(f"{one.name}: versions added per snapshot: "
                  + ", ".join(f"s{k:02d} {v:,}" for k, v in sorted(added.items())))


def verdicts(one: Series) -> bool:
    """The three targets for one install (PASS/FAIL lines); True when all are met."""
    add1, add2, validate, later = one.add1, one.add2, one.validate, one.later
    passed = True
    label = f"second add ≤ {MAX_ADD_RATIO:g}× validate of the same snapshot"
    if add2.median is not None and validate.median is not None:
        ratio = add2.median / validate.median
        ok = ratio <= MAX_ADD_RATIO
        print(f"{'PASS' if ok else 'FAIL'}  {label}: {ratio:.2f}× ({add2.median:.2f} s vs {validate.median:.2f} s; "
              f"CPU time {(add2.cpu or 0) / (validate.cpu or 1):.2f}×; peak RSS {add2.peak_mb:.0f} vs "
              f"{validate.peak_mb:.0f} MiB)")
        passed = passed and ok
    else:
        print(f"SKIP  {label}")
        passed = False
    label = f"store after s02 ≤ {MAX_GROWTH:g}× after s01"
    if add1.sizes and add2.sizes:
        growth = add2.sizes[0] / add1.sizes[0]
        ok = growth <= MAX_GROWTH
        print(f"{'PASS' if ok else 'FAIL'}  {label}: {growth:.3f}× ({mb(add1.sizes[0])} → {mb(add2.sizes[0])} MB)")
        passed = passed and ok
    else:
        print(f"SKIP  {label}")
        passed = False
    done = [s for s in later if s.sizes]
    label = f"store after s{len(one.inputs):02d} < {MAX_TEN:g}× after s01"
    if add1.sizes and add2.sizes and len(done) == len(later):
        last = done[-1].sizes[0] if done else add2.sizes[0]
        ok = last / add1.sizes[0] < MAX_TEN
        print(f"{'PASS' if ok else 'FAIL'}  {label}: {last / add1.sizes[0]:.3f}× ({mb(add1.sizes[0])} → {mb(last)} MB)")
        passed = passed and ok
    else:
        print(f"SKIP  {label}")
        passed = False
    print(f"      first add: {add1.median or 0:.2f} s, peak RSS {add1.peak_mb or 0:.0f} MiB (no target)")
    return passed


def compare_before(mine: Series, other: Series) -> None:
    for a, b in ((mine.add1, other.add1), (mine.add2, other.add2), (mine.validate, other.validate)):
        if a.median is None or b.median is None:
            continue
        print(f"      {a.name}: rekap / before {a.median / b.median:.2f}× ({a.median:.2f} s vs {b.median:.2f} s; CPU "
              f"{(a.cpu or 0) / (b.cpu or 1):.2f}×); peak RSS {a.peak_mb:.0f} vs {b.peak_mb:.0f} MiB")
    if mine.add1.sizes and other.add1.sizes:
        print(f"      store after s01: {mb(mine.add1.sizes[0])} MB vs {mb(other.add1.sizes[0])} MB before")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Benchmark `rekap store add` at national scale.")
    ap.add_argument("--runs", type=int, default=3, help="rounds of the first two adds and validate (default 3)")
    ap.add_argument("--quick", action="store_true", help="a 1/10 sample of the national table (smoke test)")
    ap.add_argument("--rekap", default=None, help="rekap command (default .venv/bin/rekap, then rekap on PATH)")
    ap.add_argument("--before", default=None,
                    help="another rekap command run through the same steps in the same rounds (A/B; its own store)")
    ap.add_argument("--snapshots", type=int, default=10, help="snapshots in the last round's store (default 10)")
    ap.add_argument("--strict", action="store_true", help="exit 1 unless every target is met and the records agree")
    args = ap.parse_args(argv)
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    if args.snapshots < 2:
        ap.error("--snapshots must be at least 2")

    python = sys.executable
    rekap = find_rekap(args.rekap)
    if rekap is None:
        ap.error("rekap not found (make venv, or --rekap)")
    precompile(rekap)
    before = find_rekap(args.before) if args.before else None
    if args.before and before is None:
        ap.error(f"--before: {args.before} not found")
    precompile(before)
    first, _csv = ensure_national(python)
    if args.quick:
        first, _csv = ensure_sample(first, count_rows(first) // 10)
    inputs = snapshot_inputs(first, args.snapshots)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    series = [Series("rekap", rekap, OUT_DIR / f"store-{first.stem}.duckdb", inputs)]
    if before:
        series.append(Series("before", before, OUT_DIR / f"store-{first.stem}-before.duckdb", inputs))

    print(f"machine: {machine()}")
    print(f"input:   {first.name} {count_rows(first):,} TPS rows, then {len(inputs) - 1} snapshots of ~1 % changes "
          f"({', '.join(p.name for p in inputs[1:3])}{' …' if len(inputs) > 3 else ''}); {args.runs} round(s), "
          "median wall time")
    print(f"rekap:   {' '.join(rekap)}")
    if before:
        print(f"before:  {' '.join(before)}")
    print(f"source:  {source_state()}")
    busy = load_average()
    if busy is not None and busy > 0.5:
        print(f"note:    load average {busy:.1f} before starting: the machine is busy, timings are noisy")
    print()
    run_rounds(python, series, args.runs)
    busy = load_average()
    if busy is not None and busy > 0.5:
        print(f"note:    load average {busy:.1f} at the end")
    print_table(series)

    print()
    mine = series[0]
    passed = verdicts(mine)
    if len(series) > 1:
        print("\nbefore (no verdict; the same targets):")
        verdicts(series[1])
        compare_before(mine, series[1])
        print()

    # The records last, from the store of the last round (every snapshot in it).
    same = mine.add2.error is None and all(step.error is None for step in mine.later)
    if same:
        pairs = [(1, 2)] + ([(len(inputs) - 1, len(inputs))] if len(inputs) > 2 else [])
        for a, b in pairs:
            ok, text = check_records(python, rekap, mine.store, (a, inputs[a - 1]), (b, inputs[b - 1]))
            print(f"{'PASS' if ok else 'FAIL'}  diff @s{a:02d} @s{b:02d} --store = diff of the files: {text}")
            same = same and ok
    else:
        print("SKIP  diffs from the store = diffs of the files: an add failed")
    return 1 if args.strict and not (passed and same) else 0


if __name__ == "__main__":
    sys.exit(main())
