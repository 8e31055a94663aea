#!/usr/bin/env python3
"""Issue 15's table of targets: every benchmark script records its verdicts here, and `summary()` prints them.

    python benchmarks/verdicts.py            # the table from the last results of every script (`make bench` ends with it)

Each script calls `record(key, …)` once per row it measured; the row is kept in
`benchmarks/.data/results/<key>.json` (git-ignored) with the time it was measured and the source it measured,
so the table printed at the end of `make bench` is the one that run produced, and a row that was not measured
in this run says so ("not measured" or the time of its last measurement) rather than showing an old number as new.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / ".data" / "results"


@dataclass(frozen=True)
class Row:
    """One row of issue 15's table (the order and wording of `ROWS`)."""

    key: str
    case: str
    baseline: str
    target: str


ROWS: tuple[Row, ...] = (
    Row("validate-parquet", "validate --select A, national Parquet", "bare DuckDB, same findings", "≤ 1.5×"),
    Row("validate-csv", "validate --select A, national CSV", "bare DuckDB, same findings", "≤ 1.5×"),
    Row("aggregate-parquet", "aggregate --level all, national Parquet", "bare DuckDB, same rows + n_tps_error",
        "≤ 1.5×"),
    Row("aggregate-csv", "aggregate --level all, national CSV", "bare DuckDB, same rows + n_tps_error", "≤ 1.5×"),
    Row("run-parquet", "run, national Parquet", "bare script, same data files", "≤ 3×, peak < 1.5 GiB"),
    Row("run-csv", "run, national CSV", "bare script, same data files", "≤ 3×, peak < 1.5 GiB"),
    Row("small", "whole catalogue, one ~100-TPS file", "python -c: import duckdb, select 1", "≤ 2.5×"),
    Row("sirekap", "Sirekap JSON Lines, 443,968 real TPS", "read_ndjson + the same A-rules",
        "≤ 2×, peak ≤ file size"),
    Row("xlsx", "XLSX, one province as 24 workbooks", "the same rows as CSV through rekap", "≤ 1.5×"),
    Row("diff", "diff of two national tables (issue 13)", "bare DuckDB full outer join", "≤ 1.5×"),
)


def source_state() -> str:
    """What was measured: bench_validate's `source_state` (HEAD, and any uncommitted file under rekap/)."""
    from bench_validate import source_state as state

    return state()


def record(key: str, *, rekap_s: float | None, baseline_s: float | None, ratio: float | None,
           passed: bool | None, peak_mb: float | None = None, peak_limit_mb: float | None = None,
           baseline_peak_mb: float | None = None, note: str = "") -> None:
    """Keep one measured row (`key` is one of `ROWS`' keys); `passed` None = not measured (note says why)."""
    if key not in {r.key for r in ROWS}:
        raise ValueError(f"unknown row {key!r}")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    data = {"key": key, "rekap_s": rekap_s, "baseline_s": baseline_s, "ratio": ratio, "passed": passed,
            "peak_mb": peak_mb, "peak_limit_mb": peak_limit_mb, "baseline_peak_mb": baseline_peak_mb, "note": note,
            "measured": time.strftime("%Y-%m-%d %H:%M", time.gmtime()), "source": source_state()}
    (RESULTS_DIR / f"{key}.json").write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def load(key: str) -> dict[str, object] | None:
    path = RESULTS_DIR / f"{key}.json"
    try:
        data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data


def _num(value: object, fmt: str) -> str:
    return format(float(value), fmt) if isinstance(value, int | float) else "–"


def summary(out: object = None, since: float | None = None) -> int:
    """Print the table; return the number of rows that failed or were not measured."""
    stream = out or sys.stdout
    header = (f"{'case':<42} {'baseline':<38} {'target':<22} {'rekap s':>8} {'base s':>7} {'ratio':>7} "
              f"{'peak MB':>8}  verdict")
    print("Issue 15: targets (each against a baseline doing the same contract; each time the median of that case's "
          "interleaved runs in this `make bench`)", file=stream)
    print(header, file=stream)
    print("-" * len(header), file=stream)
    missing = 0
    for row in ROWS:
        data = load(row.key)
        if data is None:
            print(f"{row.case:<42} {row.baseline:<38} {row.target:<22} {'':>8} {'':>7} {'':>7} {'':>8}  not measured",
                  file=stream)
            missing += 1
            continue
        stale = since is not None and (RESULTS_DIR / f"{row.key}.json").stat().st_mtime < since
        passed = data.get("passed")
        verdict = "PASS" if passed is True else "FAIL" if passed is False else "not measured"
        if passed is not True:
            missing += 1
        peak = _num(data.get("peak_mb"), ".0f")
        ratio = f"{_num(data.get('ratio'), '.2f')}×" if data.get("ratio") is not None else "–"
        when = f" (measured {data.get('measured')}, {data.get('source')}; not in this run)" if stale else ""
        note = f" — {data['note']}" if data.get("note") else ""
        print(f"{row.case:<42} {row.baseline:<38} {row.target:<22} {_num(data.get('rekap_s'), '.2f'):>8} "
              f"{_num(data.get('baseline_s'), '.2f'):>7} {ratio:>7} {peak:>8}  {verdict}{when}{note}", file=stream)
    return missing


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description="Print issue 15's table from the benchmarks' last results.")
    ap.add_argument("--since", type=float, default=None,
                    help="a Unix time: rows measured before it are marked 'not in this run'")
    args = ap.parse_args(argv)
    summary(since=args.since)
    return 0


if __name__ == "__main__":
    sys.exit(main())
