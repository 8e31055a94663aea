"""Hostile sizes (issue #5): a ~2 GB CSV and a 10,000-column CSV, made in a temporary folder, run
through `rekap validate` with time and peak memory, under DuckDB's default limit and under a tight
REKAP_MEMORY_LIMIT, checking that every row is accounted for (rows read = lines in the file).

    python benchmarks/bench_hostile.py                  # 2 GB + wide, default and 1GB memory limit
    python benchmarks/bench_hostile.py --size-gb 0.5    # smaller
    python benchmarks/bench_hostile.py --dir /big/tmp   # where the files go (needs the space)

Needs benchmarks/.data/national.csv (python benchmarks/make_national.py). Not part of `make test`: it
writes gigabytes and takes minutes. Results go in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
NATIONAL = HERE / ".data" / "national.csv"


def rekap_command() -> list[str]:
    venv = HERE.parent / ".venv" / "bin" / "rekap"
    if venv.exists():
        return [str(venv)]
    found = shutil.which("rekap")
    return [found] if found else [sys.executable, "-m", "rekap"]


def make_big(target: Path, size: int) -> int:
    """National.csv's rows repeated until the file is `size` bytes; returns the data rows written.
    The copies are exact duplicates (S004, kept once): the point is the size, not new TPS."""
    rows = 0
    with open(NATIONAL, "rb") as src:
        header = src.readline()
        body = src.read()
    per_copy = body.count(b"\n")
    with open(target, "wb") as out:
        out.write(header)
        while out.tell() < size:
            out.write(body)
            rows += per_copy
    return rows


def make_wide(target: Path, rows: int, extra: int = 10_000) -> int:
    with open(NATIONAL, "rb") as src:
        header = src.readline().rstrip(b"\r\n")
        lines = [src.readline().rstrip(b"\r\n") for _ in range(rows)]
    pad = b"," * extra
    with open(target, "wb") as out:
        out.write(header + b"".join(b",x%d" % i for i in range(extra)) + b"\n")
        for line in lines:
            out.write(line + pad + b"\n")
    return rows


MEASURE = (
    "import resource, subprocess, sys; p = subprocess.run(sys.argv[1:]); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(p.returncode)"
)


def run(argv: list[str], env: dict[str, str]) -> tuple[float, float, int, str]:
    """Wall time, peak RSS (MB) of this one run (measured by a fresh parent), exit code, stderr."""
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", MEASURE, *argv], capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - started
    err, _, last = proc.stderr.rstrip().rpartition("\n")
    peak = int(last) / 1024 if last.strip().isdigit() else float("nan")
    return elapsed, peak, proc.returncode, err


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size-gb", type=float, default=2.0)
    ap.add_argument("--wide-rows", type=int, default=5_000)
    ap.add_argument("--dir", default=None, help="folder for the generated files (default: a temp dir)")
    ap.add_argument("--limits", default="default,1GB", help="REKAP_MEMORY_LIMIT values to try ('default' = unset)")
    args = ap.parse_args(argv)
    if not NATIONAL.exists():
        print(f"missing {NATIONAL}: run python benchmarks/make_national.py", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="rekap-hostile-", dir=args.dir))
    ok = True
    try:
        wide = work / "wide.csv"
        big = work / "big.csv"
        inputs = [(wide, make_wide(wide, args.wide_rows)), (big, make_big(big, int(args.size_gb * 1e9)))]
        rekap = rekap_command()
        print(f"{'input':<10} {'size MB':>9} {'rows':>11} {'limit':>8} {'seconds':>8} {'peak MB':>8} {'exit':>5}  accounting")
        for path, rows in inputs:
            for limit in args.limits.split(","):
                env = dict(os.environ)
                env.pop("REKAP_MEMORY_LIMIT", None)
                if limit != "default":
                    env["REKAP_MEMORY_LIMIT"] = limit
                out = work / "findings.parquet"
                secs, peak, code, err = run([*rekap, "validate", str(path), "-f", "parquet", "-o", str(out),
                                             "--lang", "en", "--fail-on", "never"], env)
                m = re.search(r"rows read ([\d,]+), used ([\d,]+), rejected ([\d,]+)", err)
                got = [int(g.replace(",", "")) for g in m.groups()] if m else None
                fine = code == 0 and got is not None and got[0] == rows and got[0] == got[1] + got[2]
                ok &= fine
                acc = f"read {got[0]:,} = used {got[1]:,} + rejected {got[2]:,}" if got else err.strip()[:120]
                print(f"{path.name:<10} {path.stat().st_size / 1e6:>9,.0f} {rows:>11,} {limit:>8} {secs:>8.1f} "
                      f"{peak:>8,.0f} {code:>5}  {acc}{'' if fine else '  <-- FAILED'}")
                out.unlink(missing_ok=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
