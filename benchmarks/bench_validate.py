#!/usr/bin/env python3
"""Time `rekap validate`, `aggregate`, `compare` and `run` on a national-scale TPS table against hand-written baselines.

    python benchmarks/bench_validate.py [--repeat 3] [--rows N] [--rekap "path/to/rekap"] [--groups G,...] [--strict]
                                        [--before "path/to/other/rekap"]

`--before` times a second install (e.g. `git worktree add ../before HEAD~1` with its own venv) on the same
cases in the same rounds, and adds the target "within 5 % of before" per group: the check that a change
lost no speed (benchmarks/README.md, "No speed lost").

Cases, by group (see CASES; later commands are added there as more entries with their own group and
baselines):

- validate      `rekap validate FILE -f parquet -o OUT --fail-on never --select <the same seven A-rules>`
                vs BARE_DUCKDB_VALIDATE (A001/A003/A004/A006/A007/A009/A012 as set-based SQL, Parquet out)
                vs PANDAS_VALIDATE (the same with vectorised column arithmetic)
- validate-all  `rekap validate` with the whole catalogue, informational (no baseline does that work)
- aggregate     `rekap aggregate FILE --level all -f parquet -o OUT -q` vs BARE_DUCKDB_AGGREGATE (one
                GROUPING SETS pass over the kode_tps prefixes) vs PANDAS_AGGREGATE (groupby per level)
- compare       `rekap compare FILE --reported REC -f parquet -o OUT -q` vs BARE_DUCKDB_COMPARE and
                PANDAS_COMPARE (TPS sums per reported level joined to the reported cells); REC is made
                once by ensure_reported() with a few planted differences that every case must find
- run           `rekap run FILE --reported REC --master wilayah_kpu_pemilu2024.csv -o DIR -q` (the whole
                bundle) vs BARE_DUCKDB_RUN (load, the seven A-rules, GROUPING SETS recap, compare, coverage,
                the same CSV/JSONL/Parquet files; no workbook or HTML: bare DuckDB has no writer for them)

Every run is its own subprocess, started through a small wrapper that reports the wall time and the peak
RSS of that one run, so the numbers include interpreter start-up exactly as a user sees it. The median
over --repeat runs is reported (warm page cache after the first run). Targets per group: rekap ≤ 1.5×
bare DuckDB and ≥ 3× faster than pandas; for `run`, rekap ≤ 2× bare DuckDB and a peak RSS under 1.5 GiB;
exit 0 whatever the outcome unless --strict.
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

# `aggregate`: one row per (level, kode_wilayah) for desa, kecamatan, kabkota, provinsi and nasional ('00'),
# with n_tps, n_tps_suara (any suara_* cell filled), n_tps_administrasi (any pemilih_*/pengguna_* cell
# filled) and the sum of every count column as BIGINT; empty cells are skipped, a unit whose cells are
# all empty stays empty (NULL), never 0. The units are the prefixes of kode_tps (2/4/6/10 characters).
# What rekap adds and the baselines do not: n_tps_error (needs the whole validation), n_tps_expected,
# unit names, duplicate handling (S003/S004), unplaceable codes (S005), election-aware levels.

BARE_DUCKDB_AGGREGATE = r'''
import sys

import duckdb

src, out = sys.argv[1], sys.argv[2]
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
if src.endswith(".csv"):
    rel = "read_csv(?, header=true, delim=',', quote='\"', escape='\"', all_varchar=true)"
else:
    rel = "read_parquet(?)"
cols = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {rel}", [src]).fetchall()]
counts = [c for c in cols if c.startswith(("pemilih_", "pengguna_", "suara_"))]
votes = [c for c in counts if c.startswith("suara_")]
voters = [c for c in counts if not c.startswith("suara_")]
regions = [(c, n) for c, n in (("kode_prov", 2), ("kode_kabkota", 4), ("kode_kec", 6), ("kode_desa", 10)) if c in cols]
# A cell that is not a whole number >= 0 is left out of the sums and of every rule (and is an S002 error).
casts = ", ".join(f'CASE WHEN TRY_CAST("{c}" AS BIGINT) >= 0 THEN TRY_CAST("{c}" AS BIGINT) END AS "{c}"' for c in counts)
# n_tps_error needs every error rule that applies to the input, on every row (rowid identifies it):
# S002 a count cell that is not a whole number >= 0 (left out of the sums); S005 a malformed code or a
# region column that is not the code's prefix; S007 a box above 999 (overseas exempt); S003 a later copy
# of a TPS with other numbers; and the A-rules below.
bad = " OR ".join(
    f'("{c}" IS NOT NULL AND trim("{c}"::VARCHAR) NOT IN (\'\', \'-\') AND coalesce(TRY_CAST("{c}" AS BIGINT) < 0, true))'
    for c in counts) or "false"
given = " OR ".join(f"({c} IS NOT NULL AND {c} <> left(kode_tps, {n}))" for c, n in regions) or "false"
con.execute(
    f"CREATE TABLE tps AS SELECT kode_tps, left(kode_tps, 2) AS prov, left(kode_tps, 4) AS kab, left(kode_tps, 6) AS kec, "
    f"left(kode_tps, 10) AS desa, {casts}, ({bad}) AS _s002, "
    f"(regexp_full_match(kode_tps, '[0-9]{{13}}') AND ({given})) AS _s005_given FROM {rel}",
    [src],
)

have = set(counts)
def col(c):
    return f'"{c}"' if c in have else "0"

rules = []  # conditions that make a row an error
for g in sorted({c[:-2] for c in counts if c[-2:] in ("_l", "_p", "_j")}):
    if {f"{g}_l", f"{g}_p", f"{g}_j"} <= have:
        rules.append(f'"{g}_j" <> "{g}_l" + "{g}_p"')                                         # A001
for s in "lpj":
    parts = [f"pengguna_{x}_{s}" for x in ("dpt", "dpph", "dptb", "non_dpt")]
    if f"pengguna_total_{s}" in have and any(p in have for p in parts):
        rules.append(f'{col("pengguna_total_" + s)} <> ' + " + ".join(col(p) for p in parts))  # A003
    if {f"pengguna_dpt_{s}", f"pemilih_dpt_{s}"} <= have:
        rules.append(f'"pengguna_dpt_{s}" > "pemilih_dpt_{s}"')                               # A004
paslon = [c for c in counts if c.startswith("suara_paslon_")]
if paslon and "suara_sah" in have:
    rules.append('"suara_sah" <> ' + " + ".join(f'"{c}"' for c in paslon))                    # A006
if {"suara_sah", "suara_tidak_sah", "suara_total"} <= have:
    rules.append('"suara_total" <> "suara_sah" + "suara_tidak_sah"')                           # A007
if {"suara_total", "pengguna_total_j"} <= have:
    rules.append('"suara_total" <> "pengguna_total_j"')                                        # A009
if {"suara_total", "pemilih_dpt_j"} <= have:
    bound = " + ".join(col(c) for c in ("pemilih_dpt_j", "pengguna_dptb_j", "pengguna_non_dpt_j", "pengguna_dpph_j"))
    rules.append(f'"suara_total" > {bound}')                                                    # A012
if counts:                                                                                      # S007
    rules.append(f"prov <> '99' AND greatest({', '.join(chr(34) + c + chr(34) for c in counts)}) > 999")
# S005: the code itself (overseas: only 13 digits)
rules.append("NOT regexp_full_match(kode_tps, '[0-9]{13}') OR prov < '11' OR right(kode_tps, 3) = '000' OR "
             "(prov <> '99' AND (substr(kode_tps, 3, 2) IN ('00', '70') OR substr(kode_tps, 5, 2) = '00' "
             "OR substr(kode_tps, 7, 1) NOT IN ('1', '2', '3')))")
rules += ["_s002", "_s005_given"]
# S003: a later copy of a TPS code with other numbers (exact copies are S004, a warning, counted once)
row = ", ".join(f'"{c}"' for c in counts) or "1"
con.execute(f"""CREATE TABLE err AS
    SELECT rowid AS r FROM tps WHERE {" OR ".join(f"coalesce({r}, false)" for r in rules)}
    UNION
    SELECT r FROM (SELECT rowid AS r, row_number() OVER (PARTITION BY kode_tps ORDER BY rowid) AS n,
                          count(DISTINCT hash({row})) OVER (PARTITION BY kode_tps) AS versions
                   FROM tps WHERE kode_tps IN (SELECT kode_tps FROM tps GROUP BY 1 HAVING count(*) > 1))
    WHERE n > 1 AND versions > 1""")

def filled(cs):
    return " OR ".join(f'"{c}" IS NOT NULL' for c in cs) or "false"

sums = "".join(f', sum("{c}")::BIGINT AS "{c}"' for c in counts)
con.execute(f"""COPY (
    SELECT CASE WHEN grouping(desa) = 0 THEN 'desa' WHEN grouping(kec) = 0 THEN 'kecamatan'
                WHEN grouping(kab) = 0 THEN 'kabkota' WHEN grouping(prov) = 0 THEN 'provinsi'
                ELSE 'nasional' END AS level,
           coalesce(desa, kec, kab, prov, '00') AS kode_wilayah,
           count(*) AS n_tps,
           count(*) FILTER (WHERE {filled(votes)}) AS n_tps_suara,
           count(*) FILTER (WHERE {filled(voters)}) AS n_tps_administrasi,
           count(*) FILTER (WHERE e.r IS NOT NULL) AS n_tps_error
           {sums}
    FROM tps LEFT JOIN err e ON e.r = tps.rowid
    GROUP BY GROUPING SETS ((), (prov), (prov, kab), (prov, kab, kec), (prov, kab, kec, desa))
    ORDER BY length(kode_wilayah), kode_wilayah
) TO '{out}' (FORMAT parquet)""")
'''

PANDAS_AGGREGATE = r'''
import sys

import pandas as pd

src, out = sys.argv[1], sys.argv[2]
count_prefixes = ("pemilih_", "pengguna_", "suara_")
if src.endswith(".csv"):
    header = pd.read_csv(src, nrows=0).columns
    counts = [c for c in header if c.startswith(count_prefixes)]
    df = pd.read_csv(src, usecols=["kode_tps", *counts], dtype={"kode_tps": str})
else:
    import pyarrow.parquet as pq

    counts = [c for c in pq.read_schema(src).names if c.startswith(count_prefixes)]
    df = pd.read_parquet(src, columns=["kode_tps", *counts])
num = df[counts].astype("float64")  # one numeric type; NaN marks an empty cell
votes = [c for c in counts if c.startswith("suara_")]
voters = [c for c in counts if not c.startswith("suara_")]
num.insert(0, "n_tps", 1.0)
num.insert(1, "n_tps_suara", num[votes].notna().any(axis=1).astype("float64"))
num.insert(2, "n_tps_administrasi", num[voters].notna().any(axis=1).astype("float64"))

# min_count=1: a unit whose cells are all empty stays empty instead of becoming 0
parts = [("nasional", num.sum(min_count=1).to_frame().T.set_axis(["00"]))]
for level, n in (("provinsi", 2), ("kabkota", 4), ("kecamatan", 6), ("desa", 10)):
    parts.append((level, num.groupby(df["kode_tps"].str[:n], sort=True).sum(min_count=1)))
frames = []
for level, units in parts:
    units = units.astype("Int64").rename_axis("kode_wilayah").reset_index()
    units.insert(0, "level", level)
    frames.append(units)
pd.concat(frames, ignore_index=True).to_parquet(out, index=False)
'''

# `compare`: a reported recap (rows level, kode_wilayah, <count columns>) against the TPS sums of the
# same units; one row (level, kode_wilayah, field, reported, computed, selisih = reported - computed) per
# reported cell that differs. An empty reported or computed cell is not compared. What rekap adds: the
# partial-coverage flag, the drill-down trace, H002 (missing units) and H003 (A-rules on the recap rows),
# names, and the whole validation of the TPS data it needs for the recap.

BARE_DUCKDB_COMPARE = r'''
import sys

import duckdb

src, reported, out = sys.argv[1], sys.argv[2], sys.argv[3]
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
if src.endswith(".csv"):
    rel = "read_csv(?, header=true, delim=',', quote='\"', escape='\"', all_varchar=true)"
else:
    rel = "read_parquet(?)"
cols = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {rel}", [src]).fetchall()]
rep_cols = {r[0] for r in con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [reported]).fetchall()}
fields = [c for c in cols if c.startswith(("pemilih_", "pengguna_", "suara_")) and c in rep_cols]
con.execute(
    "CREATE TABLE rep AS SELECT level, kode_wilayah, "
    + ", ".join(f'TRY_CAST("{c}" AS BIGINT) AS "{c}"' for c in fields) + " FROM read_parquet(?)",
    [reported],
)
levels = {r[0] for r in con.execute("SELECT DISTINCT level FROM rep").fetchall()}
keys = [("provinsi", "prov", 2), ("kabkota", "kab", 4), ("kecamatan", "kec", 6), ("desa", "desa", 10)]
deepest = max([i for i, (lv, _, _) in enumerate(keys) if lv in levels], default=-1)
used = keys[: deepest + 1]
sets = (["()"] if "nasional" in levels else []) + [
    "(" + ", ".join(k for _, k, _ in used[: i + 1]) + ")" for i, (lv, _, _) in enumerate(used) if lv in levels
]
level_of = "CASE " + " ".join(f"WHEN grouping({k}) = 0 THEN '{lv}'" for lv, k, _ in reversed(used)) + " ELSE 'nasional' END"
code_of = "coalesce(" + ", ".join([*(k for _, k, _ in reversed(used)), "'00'"]) + ")"
prefixes = "".join(f"left(kode_tps, {n}) AS {k}, " for _, k, n in used)
con.execute(
    f"CREATE TABLE tps AS SELECT {prefixes}"
    + ", ".join(f'TRY_CAST("{c}" AS BIGINT) AS "{c}"' for c in fields) + f" FROM {rel}",
    [src],
)
con.execute(
    f"CREATE TABLE computed AS SELECT {level_of} AS level, {code_of} AS kode_wilayah, "
    + ", ".join(f'sum("{c}")::BIGINT AS "{c}"' for c in fields)
    + f" FROM tps GROUP BY GROUPING SETS ({', '.join(sets)})"
)
on = ", ".join(f'"{c}"' for c in fields)
depth = "CASE r.level WHEN 'nasional' THEN 0 WHEN 'provinsi' THEN 1 WHEN 'kabkota' THEN 2 WHEN 'kecamatan' THEN 3 ELSE 4 END"
# UNPIVOT leaves out empty cells, so an empty reported or computed cell is never compared
con.execute(f"""COPY (
    SELECT r.level, r.kode_wilayah, r.field, r.reported, c.computed, r.reported - c.computed AS selisih
    FROM (UNPIVOT rep ON {on} INTO NAME field VALUE reported) r
    JOIN (UNPIVOT computed ON {on} INTO NAME field VALUE computed) c USING (level, kode_wilayah, field)
    WHERE r.reported <> c.computed
    ORDER BY {depth}, r.kode_wilayah, r.field
) TO '{out}' (FORMAT parquet)""")
'''

PANDAS_COMPARE = r'''
import sys

import pandas as pd

src, reported, out = sys.argv[1], sys.argv[2], sys.argv[3]
rep = pd.read_parquet(reported)
count_prefixes = ("pemilih_", "pengguna_", "suara_")
if src.endswith(".csv"):
    header = pd.read_csv(src, nrows=0).columns
    fields = [c for c in header if c.startswith(count_prefixes) and c in rep.columns]
    df = pd.read_csv(src, usecols=["kode_tps", *fields], dtype={"kode_tps": str})
else:
    import pyarrow.parquet as pq

    fields = [c for c in pq.read_schema(src).names if c.startswith(count_prefixes) and c in rep.columns]
    df = pd.read_parquet(src, columns=["kode_tps", *fields])
num = df[fields].astype("float64")  # NaN marks an empty cell

prefix = {"provinsi": 2, "kabkota": 4, "kecamatan": 6, "desa": 10}
parts = []
for level in rep["level"].unique():
    if level == "nasional":
        units = num.sum(min_count=1).to_frame().T.set_axis(["00"])
    else:
        units = num.groupby(df["kode_tps"].str[: prefix[level]], sort=False).sum(min_count=1)
    units = units.rename_axis("kode_wilayah").reset_index()
    units.insert(0, "level", level)
    parts.append(units)
computed = pd.concat(parts, ignore_index=True).melt(
    id_vars=["level", "kode_wilayah"], var_name="field", value_name="computed").dropna(subset=["computed"])
reported_long = rep[["level", "kode_wilayah", *fields]].melt(
    id_vars=["level", "kode_wilayah"], var_name="field", value_name="reported").dropna(subset=["reported"])
both = reported_long.merge(computed, on=["level", "kode_wilayah", "field"])
diff = both[both["reported"].astype("float64") != both["computed"]].copy()
diff["reported"] = diff["reported"].astype("int64")
diff["computed"] = diff["computed"].astype("int64")
diff["selisih"] = diff["reported"] - diff["computed"]
depth = diff["level"].map({"nasional": 0, "provinsi": 1, "kabkota": 2, "kecamatan": 3, "desa": 4})
diff = diff.assign(_depth=depth).sort_values(["_depth", "kode_wilayah", "field"]).drop(columns="_depth")
diff.to_parquet(out, index=False)
'''

def _between(text: str, start: str, end: str) -> str:
    """The part of `text` from `start` up to (not including) `end`; both must be there."""
    i = text.index(start)
    return text[i : text.index(end, i)]


# `run`: the work of `rekap run FILE --reported REC --master LIST -o DIR` minus the workbook and the HTML
# page (bare DuckDB has no offline xlsx or HTML writer): load; the seven A-rules exactly as
# BARE_DUCKDB_VALIDATE (its code is spliced in below, so the two cannot drift apart); the recap of every
# level in one GROUPING SETS pass as BARE_DUCKDB_AGGREGATE; the reported recap against it as
# BARE_DUCKDB_COMPARE; TPS received / expected per unit from the KPU list (`tps_max_no` and
# `tps_ext_from..tps_ext_to` per desa, overseas left out, as rekap's coverage); and the same files as
# rekap's bundle: findings and discrepancies (CSV, JSONL, Parquet), recap_<level>.csv,
# recap.jsonl/.parquet, coverage.csv.
BARE_DUCKDB_RUN = r"""
import os
import sys

import duckdb

src, reported, master, outdir = sys.argv[1:5]
os.makedirs(outdir, exist_ok=True)
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
if src.endswith(".csv"):
    rel = "read_csv(?, header=true, delim=',', quote='\"', escape='\"', all_varchar=true)"
else:
    rel = "read_parquet(?)"
cols = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {rel}", [src]).fetchall()]
counts = [c for c in cols if c.startswith(("pemilih_", "pengguna_", "suara_"))]
casts = ", ".join(f'TRY_CAST("{c}" AS BIGINT) AS "{c}"' for c in counts)
con.execute(
    f"CREATE TABLE tps AS SELECT kode_tps, left(kode_tps, 2) AS prov, left(kode_tps, 4) AS kab, "
    f"left(kode_tps, 6) AS kec, left(kode_tps, 10) AS desa, {casts} FROM {rel}",
    [src],
)

def write(table, stem, formats=("csv", "jsonl", "parquet")):
    options = {"csv": "FORMAT csv, HEADER true", "jsonl": "FORMAT json", "parquet": "FORMAT parquet"}
    for fmt in formats:
        con.execute(f"COPY {table} TO '{os.path.join(outdir, stem + '.' + fmt)}' ({options[fmt]})")

# 1. The seven A-rules (BARE_DUCKDB_VALIDATE's code).
""" + _between(BARE_DUCKDB_VALIDATE, "have = set(counts)", 'con.execute(f"COPY ({sql})') + r"""
con.execute(f"CREATE TABLE findings AS {sql}")
write("findings", "findings")

# 2. The recap of every level.
votes = [c for c in counts if c.startswith("suara_")]
voters = [c for c in counts if not c.startswith("suara_")]
def filled(cs):
    return " OR ".join(f'"{c}" IS NOT NULL' for c in cs) or "false"
sums = "".join(f', sum("{c}")::BIGINT AS "{c}"' for c in counts)
con.execute(f'''CREATE TABLE recap AS
    SELECT CASE WHEN grouping(desa) = 0 THEN 'desa' WHEN grouping(kec) = 0 THEN 'kecamatan'
                WHEN grouping(kab) = 0 THEN 'kabkota' WHEN grouping(prov) = 0 THEN 'provinsi'
                ELSE 'nasional' END AS level,
           coalesce(desa, kec, kab, prov, '00') AS kode_wilayah,
           count(*) AS n_tps,
           count(*) FILTER (WHERE {filled(votes)}) AS n_tps_suara,
           count(*) FILTER (WHERE {filled(voters)}) AS n_tps_administrasi
           {sums}
    FROM tps
    GROUP BY GROUPING SETS ((), (prov), (prov, kab), (prov, kab, kec), (prov, kab, kec, desa))
    ORDER BY length(kode_wilayah), kode_wilayah''')
for level in ("nasional", "provinsi", "kabkota", "kecamatan", "desa"):
    con.execute(f"COPY (SELECT * FROM recap WHERE level = '{level}') TO "
                f"'{os.path.join(outdir, 'recap_' + level + '.csv')}' (FORMAT csv, HEADER true)")
write("recap", "recap", ("jsonl", "parquet"))

# 3. The reported recap against the sums (UNPIVOT leaves empty cells out: they are not compared).
rep_cols = {r[0] for r in con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [reported]).fetchall()}
fields = [c for c in counts if c in rep_cols]
on = ", ".join(f'"{c}"' for c in fields)
con.execute("CREATE TABLE rep AS SELECT level, kode_wilayah, "
            + ", ".join(f'TRY_CAST("{c}" AS BIGINT) AS "{c}"' for c in fields) + " FROM read_parquet(?)", [reported])
depth = "CASE r.level WHEN 'nasional' THEN 0 WHEN 'provinsi' THEN 1 WHEN 'kabkota' THEN 2 WHEN 'kecamatan' THEN 3 ELSE 4 END"
con.execute(f'''CREATE TABLE discrepancies AS
    SELECT r.level, r.kode_wilayah, r.field, r.reported, c.computed, r.reported - c.computed AS selisih
    FROM (UNPIVOT rep ON {on} INTO NAME field VALUE reported) r
    JOIN (UNPIVOT (SELECT level, kode_wilayah, {on} FROM recap) ON {on} INTO NAME field VALUE computed) c
      USING (level, kode_wilayah, field)
    WHERE r.reported <> c.computed
    ORDER BY {depth}, r.kode_wilayah, r.field''')
write("discrepancies", "discrepancies")

# 4. TPS received / expected per unit, from the region list's TPS numbers per desa.
con.execute('''CREATE TABLE expected AS
    WITH d AS (SELECT DISTINCT kode, TRY_CAST(tps_max_no AS INTEGER) AS m, TRY_CAST(tps_ext_from AS INTEGER) AS a,
                      TRY_CAST(tps_ext_to AS INTEGER) AS b
               FROM read_csv(?, header=true, all_varchar=true) WHERE length(kode) = 10 AND left(kode, 2) <> '99'),
         n AS (SELECT kode, unnest(CASE WHEN m < 0 THEN [-m] ELSE range(1, coalesce(m, 0) + 1) END) AS no FROM d
               UNION ALL SELECT kode, unnest(range(a, b + 1)) FROM d WHERE a IS NOT NULL AND b IS NOT NULL)
    SELECT DISTINCT kode || lpad(no::VARCHAR, 3, '0') AS kode_tps, kode AS desa FROM n WHERE no BETWEEN 1 AND 999''',
    [master])
con.execute('''CREATE TABLE coverage AS
    SELECT CASE WHEN grouping(desa) = 0 THEN 'desa' WHEN grouping(kec) = 0 THEN 'kecamatan'
                WHEN grouping(kab) = 0 THEN 'kabkota' WHEN grouping(prov) = 0 THEN 'provinsi'
                ELSE 'nasional' END AS level,
           coalesce(desa, kec, kab, prov, '00') AS kode_wilayah,
           count(*) AS n_tps_expected, count(*) FILTER (WHERE received) AS n_tps,
           (10000 * count(*) FILTER (WHERE received) // count(*))::DOUBLE / 100 AS persen
    FROM (SELECT left(desa, 2) AS prov, left(desa, 4) AS kab, left(desa, 6) AS kec, desa,
                 kode_tps IN (SELECT kode_tps FROM tps) AS received FROM expected)
    GROUP BY GROUPING SETS ((), (prov), (prov, kab), (prov, kab, kec), (prov, kab, kec, desa))
    ORDER BY length(kode_wilayah), kode_wilayah''')
write("coverage", "coverage", ("csv",))
"""

# Runs one command and reports its wall time, CPU time (user + system) and peak RSS as JSON on stdout. RUSAGE_CHILDREN of a
# long-lived process is the maximum over every child it ever waited for, so the benchmark itself cannot
# tell runs apart; a fresh wrapper per run makes ru_maxrss belong to that run alone.
RSS_WRAPPER = r"""
import json, resource, subprocess, sys, time
t0 = time.perf_counter()
p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.perf_counter() - t0
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rc": p.returncode, "wall": wall, "maxrss": ru.ru_maxrss, "cpu": ru.ru_utime + ru.ru_stime,
                  "stderr": p.stderr.decode("utf-8", "replace")[-4000:]}))
"""


# --- cases and targets -----------------------------------------------------------------------------


@dataclass
class Context:
    python: str
    rekap: list[str] | None
    """The rekap command (argv prefix), or None when it could not be found."""
    reported: dict[Path, Path] = field(default_factory=dict)
    """Input file -> the reported recap made from it (group `compare`)."""
    before: list[str] | None = None
    """Another rekap (`--before`, e.g. an install of the previous commit) timed on the same cases."""


@dataclass(frozen=True)
class Case:
    name: str
    group: str
    """Cases of one group do the same work on the same input and are compared with each other."""
    role: str
    """'rekap', 'duckdb' (the floor every ratio is measured against) or 'pandas'."""
    command: Callable[[Context, Path, Path], list[str] | None]
    """(context, input file, output file) -> argv, or None when the tool is unavailable."""
    ok_codes: frozenset[int] = frozenset({0})
    """Exit codes of a successful run (`rekap compare` exits 1 when it finds discrepancies)."""
    output_dir: bool = False
    """The case writes a folder of files (group `run`) rather than one Parquet file."""


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


def rekap_aggregate(ctx: Context, src: Path, out: Path) -> list[str] | None:
    """Every level; rekap validates the data first (n_tps_error needs the findings)."""
    if ctx.rekap is None:
        return None
    return [*ctx.rekap, "aggregate", str(src), "--level", "all", "-f", "parquet", "-o", str(out), "-q"]


def rekap_compare(ctx: Context, src: Path, out: Path) -> list[str] | None:
    """The reported recap against the TPS sums (exit 1 = discrepancies found, a successful run here)."""
    if ctx.rekap is None or src not in ctx.reported:
        return None
    return [*ctx.rekap, "compare", str(src), "--reported", str(ctx.reported[src]), "-f", "parquet",
            "-o", str(out), "-q"]


MASTER = REPO_ROOT.parent / "shared" / "data" / "real" / "wilayah_kpu_pemilu2024.csv"
"""KPU's region list with the TPS numbers of every desa (group `run`: `--master`, coverage)."""


def rekap_run(ctx: Context, src: Path, out: Path) -> list[str] | None:
    """The whole bundle (exit 1 = findings, a successful run here): validation with every rule, the
    recap, the comparison, the coverage, CSV/JSONL/Parquet, rekap.xlsx, laporan.html, manifest.json."""
    if ctx.rekap is None or src not in ctx.reported or not MASTER.is_file():
        return None
    return [*ctx.rekap, "run", str(src), "--reported", str(ctx.reported[src]), "--master", str(MASTER),
            "-o", str(out), "-q"]


def python_script(
    code: str, *, reported: bool = False, master: bool = False
) -> Callable[[Context, Path, Path], list[str] | None]:
    """`python -c CODE INPUT [REPORTED [MASTER]] OUTPUT`."""

    def command(ctx: Context, src: Path, out: Path) -> list[str] | None:
        if not reported:
            return [ctx.python, "-c", code, str(src), str(out)]
        if src not in ctx.reported or (master and not MASTER.is_file()):
            return None
        return [ctx.python, "-c", code, str(src), str(ctx.reported[src]), *([str(MASTER)] if master else []), str(out)]

    return command


CASES: list[Case] = [
    Case("rekap validate", "validate", "rekap", rekap_validate),
    Case("bare DuckDB", "validate", "duckdb", python_script(BARE_DUCKDB_VALIDATE)),
    Case("pandas", "validate", "pandas", python_script(PANDAS_VALIDATE)),
    Case("rekap validate (all rules)", "validate-all", "rekap", rekap_validate_all),
    Case("rekap aggregate --level all", "aggregate", "rekap", rekap_aggregate),
    Case("bare DuckDB", "aggregate", "duckdb", python_script(BARE_DUCKDB_AGGREGATE)),
    Case("pandas", "aggregate", "pandas", python_script(PANDAS_AGGREGATE)),
    Case("rekap compare", "compare", "rekap", rekap_compare, ok_codes=frozenset({0, 1})),
    Case("bare DuckDB", "compare", "duckdb", python_script(BARE_DUCKDB_COMPARE, reported=True)),
    Case("pandas", "compare", "pandas", python_script(PANDAS_COMPARE, reported=True)),
    Case("rekap run", "run", "rekap", rekap_run, ok_codes=frozenset({0, 1}), output_dir=True),
    Case("bare DuckDB", "run", "duckdb", python_script(BARE_DUCKDB_RUN, reported=True, master=True), output_dir=True),
]
GROUPS: list[str] = list(dict.fromkeys(c.group for c in CASES))

TARGETS: list[Target] = [
    # Issue 15: every target is against a bare DuckDB program doing the same contract; pandas is reported, not a
    # target (on 2 cores it is only ~2× slower than bare DuckDB, so "≥ 3× faster than pandas" cannot hold).
    Target("validate", "rekap", "duckdb", 1.5, "rekap validate --select A ≤ 1.5× bare DuckDB"),
    Target("aggregate", "rekap", "duckdb", 1.5, "rekap aggregate --level all ≤ 1.5× bare DuckDB (n_tps_error included)"),
    Target("compare", "rekap", "duckdb", 1.5, "rekap compare ≤ 1.5× bare DuckDB"),
    Target("run", "rekap", "duckdb", 3.0, "rekap run ≤ 3× the bare script writing the same data files"),
]
PEAK_TARGETS: list[tuple[str, str, float, str]] = [
    ("run", "rekap", 1536.0, "rekap run peak RSS < 1.5 GiB"),
]
"""(group, role, MiB, label): pass when the case's largest peak RSS is below the limit."""




def as_before(case: Case) -> Case:
    """The same rekap case run by the `--before` install (role 'before'), for a no-speed-lost check."""

    def command(ctx: Context, src: Path, out: Path) -> list[str] | None:
        return case.command(Context(ctx.python, ctx.before, ctx.reported), src, out) if ctx.before else None

    return Case(f"{case.name} (before)", case.group, "before", command, case.ok_codes, case.output_dir)


BEFORE_MAX_RATIO = 1.05
"""With --before: pass when rekap's median is at most 5 % above the other install's (same rounds)."""


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
    results = [Result(c, src, OUT_DIR / (f"{c.group}-{c.role}-{src.stem}-{src.suffix.lstrip('.')}"
                                         + ("" if c.output_dir else ".parquet")))
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
            if r.output.is_dir():
                shutil.rmtree(r.output)
            r.output.unlink(missing_ok=True)
            run = run_once(ctx.python, argv)
            if run["rc"] not in r.case.ok_codes:
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


RECAP_VERSION = 2
"""Bump when the recap or its planted differences change, so that an existing one is rebuilt."""


@dataclass(frozen=True)
class Recap:
    path: Path
    planted: int
    """Cells that differ from the honest TPS sums: what every `compare` case must find."""
    changes: list[str]


def ensure_reported(parquet: Path) -> Recap:
    """A reported recap of `parquet` (for `rekap compare`) with a few planted differences.

    `reported_<stem>.parquet`: one row per kecamatan, kabkota and provinsi of the TPS table, shaped like
    rekap's recap rows (`level, kode_wilayah, <count columns>`, BIGINT, empty = NULL), the honest TPS sums
    except for the cells changed below; `reported_<stem>.json` says what was planted and how many cells
    differ from the honest sums (the number every `compare` case must report). The units are picked by
    rank (a third, half, two thirds down the sorted codes), so a `--rows` sample gets its own. Rebuilt
    when older than the TPS table or made by another RECAP_VERSION.
    """
    import duckdb

    recap = DATA_DIR / f"reported_{parquet.stem}.parquet"
    meta_path = DATA_DIR / f"reported_{parquet.stem}.json"
    if recap.exists() and meta_path.exists() and recap.stat().st_mtime > parquet.stat().st_mtime:
        meta = json.loads(meta_path.read_text())
        if meta.get("version") == RECAP_VERSION:
            return Recap(recap, int(meta["planted"]), [str(c) for c in meta["changes"]])

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    cols = [r[0] for r in con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(parquet)]).fetchall()]
    counts = [c for c in cols if c.startswith(("pemilih_", "pengguna_", "suara_"))]
    sums = ", ".join(f'sum(TRY_CAST("{c}" AS BIGINT))::BIGINT AS "{c}"' for c in counts)
    con.execute(
        f"""CREATE TABLE honest AS
            SELECT CASE WHEN grouping(kec) = 0 THEN 'kecamatan' WHEN grouping(kab) = 0 THEN 'kabkota'
                        ELSE 'provinsi' END AS level,
                   coalesce(kec, kab, prov) AS kode_wilayah, {sums}
            FROM (SELECT left(kode_tps, 2) AS prov, left(kode_tps, 4) AS kab, left(kode_tps, 6) AS kec, *
                  FROM read_parquet(?))
            GROUP BY GROUPING SETS ((prov), (prov, kab), (prov, kab, kec))
            ORDER BY CASE level WHEN 'provinsi' THEN 1 WHEN 'kabkota' THEN 2 ELSE 3 END, kode_wilayah""",
        [str(parquet)],
    )
    con.execute("CREATE TABLE rec AS SELECT * FROM honest")
    # Kecamatan whose every TPS has its paslon counts: there rekap compares the recap with the TPS sum, as the
    # bare script does everywhere. A unit with TPS missing or without numbers is, by design (domain.md §4),
    # checked against its children instead, and a value it reports above the partial sum can be honest; a
    # difference planted there is not one both contracts must find.
    paslon = [c for c in counts if c.startswith("suara_paslon_")]
    filled = " AND ".join(f'count("{c}") = count(*)' for c in paslon) or "true"
    con.execute(f"""CREATE TABLE complete AS SELECT left(kode_tps, 6) AS kode_wilayah FROM read_parquet(?)
                    GROUP BY 1 HAVING {filled}""", [str(parquet)])
    complete = "kode_wilayah IN (SELECT kode_wilayah FROM complete)"

    def pick(level: str, where: str, fraction: float) -> str:
        codes = [str(r[0]) for r in con.execute(
            f"SELECT kode_wilayah FROM rec WHERE level = ? AND {where} ORDER BY kode_wilayah", [level]).fetchall()]
        if not codes:
            raise SystemExit(f"bench: error: no {level} in {parquet.name} to plant a difference in ({where})")
        return codes[min(int(len(codes) * fraction), len(codes) - 1)]

    planted = []
    # 1. A kecamatan's paslon 2 is 120 too high, and its kab/kota and provinsi added it up: 3 cells.
    kec = pick("kecamatan", f"suara_paslon_2 IS NOT NULL AND {complete}", 1 / 3)
    con.execute("UPDATE rec SET suara_paslon_2 = suara_paslon_2 + 120 WHERE kode_wilayah IN (?, ?, ?)",
                [kec, kec[:4], kec[:2]])
    planted.append(f"kecamatan {kec} suara_paslon_2 +120, carried up to kabkota {kec[:4]} and provinsi {kec[:2]}")
    # 2. A kab/kota's suara_sah mistyped (-7) on that form only: 1 cell.
    kab = pick("kabkota", "suara_sah >= 7", 2 / 3)
    con.execute("UPDATE rec SET suara_sah = suara_sah - 7 WHERE level = 'kabkota' AND kode_wilayah = ?", [kab])
    planted.append(f"kabkota {kab} suara_sah -7 (not carried up)")
    # 3. A kecamatan with paslon 1 and 3 swapped when copied: 2 cells.
    swap = pick("kecamatan", f"suara_paslon_1 <> suara_paslon_3 AND {complete}", 1 / 2)
    con.execute("UPDATE rec SET suara_paslon_1 = suara_paslon_3, suara_paslon_3 = suara_paslon_1 "
                "WHERE level = 'kecamatan' AND kode_wilayah = ?", [swap])
    planted.append(f"kecamatan {swap} suara_paslon_1 and suara_paslon_3 swapped (not carried up)")
    # 4. A provinsi's DPT 1,000 too high: 1 cell.
    prov = pick("provinsi", "pemilih_dpt_j IS NOT NULL", 1 / 2)
    con.execute("UPDATE rec SET pemilih_dpt_j = pemilih_dpt_j + 1000 WHERE level = 'provinsi' AND kode_wilayah = ?",
                [prov])
    planted.append(f"provinsi {prov} pemilih_dpt_j +1000")

    # The ground truth: cells that differ from the honest sums, counted, not assumed.
    on = ", ".join(f'"{c}"' for c in counts)
    row = con.execute(
        f"""SELECT count(*) FROM (UNPIVOT honest ON {on} INTO NAME field VALUE v) h
            JOIN (UNPIVOT rec ON {on} INTO NAME field VALUE v) r USING (level, kode_wilayah, field)
            WHERE h.v <> r.v"""
    ).fetchone()
    differing = int(row[0]) if row else 0
    tmp = recap.with_suffix(".tmp.parquet")
    con.execute(f"COPY rec TO '{tmp}' (FORMAT parquet, COMPRESSION zstd)")
    units = con.execute("SELECT level, count(*) FROM rec GROUP BY level ORDER BY level").fetchall()
    con.close()
    tmp.replace(recap)
    meta = {"version": RECAP_VERSION, "source": parquet.name, "planted": differing, "changes": planted,
            "units": {str(level): int(n) for level, n in units}}
    meta_path.write_text(json.dumps(meta, indent=2) + "\n")
    return Recap(recap, differing, planted)


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


def source_state() -> str:
    """The commit rekap was run from, and whether rekap/ had uncommitted changes (read-only git calls).

    With an editable install the benchmark times whatever rekap/ holds while it runs; a run that spans an
    edit mixes two versions, which this line at least makes visible at the start.
    """
    try:
        head = subprocess.run(["git", "-C", str(REPO_ROOT), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO_ROOT), "status", "--porcelain", "--", "rekap"],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    changed = len(dirty.splitlines())
    return head + (f" + uncommitted changes in {changed} file(s) under rekap/" if changed else " (rekap/ clean)")


def load_average() -> float | None:
    try:
        return os.getloadavg()[0]
    except (OSError, AttributeError):
        return None


def print_table(results: list[Result]) -> None:
    floor = {(r.case.group, r.input): r.median for r in results if r.case.role == "duckdb"}
    pandas = {(r.case.group, r.input): r.median for r in results if r.case.role == "pandas"}
    header = (f"{'group':<12} {'case':<28} {'input':<22} {'median s':>9} {'min–max s':>11} {'peak MB':>8} "
              f"{'× DuckDB':>9} {'vs pandas':>10}")
    print(header)
    print("-" * len(header))
    order = {g: i for i, g in enumerate(GROUPS)}
    ranked = sorted(results, key=lambda r: (order.get(r.case.group, len(order)), str(r.input.suffix != ".parquet")))
    previous = None
    for r in ranked:
        if previous is not None and r.case.group != previous:
            print()
        previous = r.case.group
        lead = f"{r.case.group:<12} {r.case.name:<28} {r.input.name:<22}"
        if r.median is None:
            print(f"{lead} {'–':>9} {'–':>11} {'–':>8} {'–':>9} {'–':>10}   ({r.error})")
            continue
        base = floor.get((r.case.group, r.input))
        slow = pandas.get((r.case.group, r.input))
        ratio = f"{r.median / base:.2f}×" if base else "–"
        speedup = f"{slow / r.median:.1f}×" if slow else "–"
        spread = f"{min(r.walls):.2f}–{max(r.walls):.2f}"
        print(f"{lead} {r.median:>9.2f} {spread:>11} {r.peak_mb or 0:>8.0f} {ratio:>9} {speedup:>10}")


def by_key_all(results: list[Result]) -> dict[tuple[str, str, Path], Result]:
    return {(r.case.group, r.case.role, r.input): r for r in results if r.error is None and r.output.exists()}


def print_findings(results: list[Result]) -> None:
    """Findings per rule for each output, so that one can see every case did the same work."""
    import duckdb

    con = duckdb.connect()
    results = [r for r in results if r.case.group in ("validate", "validate-all")]
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


def same_rows(con: object, a: str, b: str) -> int:
    """Rows of query `a` not in `b` plus rows of `b` not in `a` (multisets)."""
    import duckdb

    assert isinstance(con, duckdb.DuckDBPyConnection)
    row = con.execute(f"SELECT count(*) FROM (({a} EXCEPT ALL {b}) UNION ALL ({b} EXCEPT ALL {a}))").fetchone()
    return int(row[0]) if row else -1


AGG_COLUMNS = ("n_tps", "n_tps_suara", "n_tps_administrasi", "n_tps_error")


def check_aggregate(results: list[Result]) -> None:
    """Units per level of every `aggregate` output, and whether the outputs agree unit by unit."""
    import duckdb

    con = duckdb.connect()
    done = [r for r in results if r.case.group == "aggregate" and r.error is None and r.output.exists()]
    columns: dict[Path, list[str]] = {}
    for r in done:
        cols = [str(c[0]) for c in con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(r.output)]).fetchall()]
        columns[r.output] = cols
        per_level = dict(con.execute(
            "SELECT level, count(*) FROM read_parquet(?) GROUP BY level", [str(r.output)]).fetchall())
        nasional = con.execute(
            "SELECT n_tps, " + ", ".join(c for c in cols if c.startswith("suara_paslon_"))
            + " FROM read_parquet(?) WHERE level = 'nasional'", [str(r.output)]).fetchone() or ()
        levels = " · ".join(f"{lv} {per_level.get(lv, 0):,}" for lv in
                            ("nasional", "provinsi", "kabkota", "kecamatan", "desa"))
        print(f"  {r.case.name:<28} {r.input.name:<22} units: {levels}; nasional n_tps / paslon: "
              + " / ".join(f"{v:,}" if v is not None else "–" for v in nasional))
    # One row per unit in every output; a unit differs when it is missing on one side or any shared
    # number (n_tps, n_tps_suara, n_tps_administrasi, every count column's sum) differs.
    by_role = {(r.case.role, r.input): r for r in done}
    for mine, theirs in (("rekap", "duckdb"), ("duckdb", "pandas"), ("rekap", "pandas")):
        for (role, src), a in by_role.items():
            b = by_role.get((theirs, src))
            if role != mine or b is None:
                continue
            shared = [c for c in columns[a.output] if c in columns[b.output]
                      and (c in AGG_COLUMNS or c.startswith(("pemilih_", "pengguna_", "suara_")))]
            differ = " OR ".join(f'a."{c}" IS DISTINCT FROM b."{c}"' for c in shared) or "false"
            row = con.execute(
                f"""SELECT count(*) FROM read_parquet(?) a FULL JOIN read_parquet(?) b
                    ON a.level = b.level AND a.kode_wilayah = b.kode_wilayah
                    WHERE a.level IS NULL OR b.level IS NULL OR {differ}""",
                [str(a.output), str(b.output)],
            ).fetchone()
            n = int(row[0]) if row else -1
            paslon = [c for c in shared if c.startswith("suara_paslon_")]
            verdict = "identical" if n == 0 else f"DIFFER in {n:,} units"
            print(f"  aggregate on {src.name}: {a.case.name} vs {b.case.name}: {verdict} "
                  f"(n_tps, {', '.join(paslon)} and {len(shared) - 1 - len(paslon)} more columns)")


COMPARE_KEYS = "level, kode_wilayah, field, reported, computed, selisih"


def check_compare(results: list[Result], planted: dict[Path, int]) -> None:
    """Discrepancies found by every `compare` output against the number planted, and agreement."""
    import duckdb

    con = duckdb.connect()
    done = [r for r in results if r.case.group == "compare" and r.error is None and r.output.exists()]
    for r in done:
        want = planted.get(r.input)
        cols = {str(c[0]) for c in con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(r.output)]).fetchall()}
        n = count_rows(r.output)
        extra = ""
        if "partial" in cols:  # rekap: differences at partly covered units are listed but are not H001
            part = con.execute("SELECT count(*) FILTER (WHERE partial) FROM read_parquet(?)",
                               [str(r.output)]).fetchone()
            n_partial = int(part[0]) if part else 0
            extra = f" ({n - n_partial:,} H001, {n_partial:,} at partly covered units, not counted as H001)"
        verdict = "= planted" if n == want else f"≠ planted {want}"
        print(f"  {r.case.name:<28} {r.input.name:<22} {n:>6,} differences {verdict}{extra}")
    by_role = {(r.case.role, r.input): r for r in done}
    for mine, theirs in (("rekap", "duckdb"), ("duckdb", "pandas")):
        for (role, src), a in by_role.items():
            b = by_role.get((theirs, src))
            if role != mine or b is None:
                continue
            n = same_rows(con, f"SELECT {COMPARE_KEYS} FROM read_parquet('{a.output}')",
                          f"SELECT {COMPARE_KEYS} FROM read_parquet('{b.output}')")
            verdict = "identical" if n == 0 else f"DIFFER in {n:,} rows"
            print(f"  compare on {src.name}: {a.case.name} vs {b.case.name}: rows {verdict}")


def check_run(results: list[Result]) -> None:
    """rekap's bundle against the bare DuckDB files: the seven A-rules' findings row for row, the recap unit
    by unit, the discrepancies and the coverage row for row; and the size of what only rekap writes."""
    import duckdb

    con = duckdb.connect()
    done = {(r.case.role, r.input): r.output for r in results
            if r.case.group == "run" and r.error is None and r.output.is_dir()}
    for (role, src), mine in done.items():
        if role != "rekap":
            continue
        extra = ", ".join(f"{name} {(mine / name).stat().st_size / 2**20:.1f} MiB"
                          for name in ("rekap.xlsx", "laporan.html") if (mine / name).exists())
        print(f"  rekap run on {src.name}: {len(list(mine.iterdir()))} files; {extra}")
        base = done.get(("duckdb", src))
        if base is None:
            continue
        rules = ", ".join(f"'{r}'" for r in SAME_RULES.split(","))
        keys = "rule, kode_tps, field, expected, actual, selisih"
        n = same_rows(con, f"SELECT rule, kode_wilayah AS kode_tps, field, expected, actual, selisih "
                           f"FROM read_parquet('{mine / 'findings.parquet'}') WHERE rule IN ({rules})",
                      f"SELECT {keys} FROM read_parquet('{base / 'findings.parquet'}')")
        print(f"    findings of the seven A-rules vs bare DuckDB: {'identical' if n == 0 else f'DIFFER in {n:,} rows'}")
        a, b = mine / "recap.parquet", base / "recap.parquet"
        cols_a = {str(c[0]) for c in con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(a)]).fetchall()}
        cols_b = [str(c[0]) for c in con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(b)]).fetchall()]
        shared = [c for c in cols_b if c in cols_a and c not in ("level", "kode_wilayah")]
        differ = " OR ".join(f'a."{c}" IS DISTINCT FROM b."{c}"' for c in shared) or "false"
        row = con.execute(
            f"""SELECT count(*) FROM read_parquet(?) a FULL JOIN read_parquet(?) b
                ON a.level = b.level AND a.kode_wilayah = b.kode_wilayah
                WHERE a.level IS NULL OR b.level IS NULL OR {differ}""", [str(a), str(b)]).fetchone()
        n = int(row[0]) if row else -1
        print(f"    recap ({len(shared)} columns) vs bare DuckDB: {'identical' if n == 0 else f'DIFFER in {n:,} units'}")
        n = same_rows(con, f"SELECT {COMPARE_KEYS} FROM read_parquet('{mine / 'discrepancies.parquet'}')",
                      f"SELECT {COMPARE_KEYS} FROM read_parquet('{base / 'discrepancies.parquet'}')")
        print(f"    discrepancies vs bare DuckDB: {'identical' if n == 0 else f'DIFFER in {n:,} rows'}")
        # rekap lists the units in the data's scope (all of them for the national table), bare DuckDB every
        # unit of the list: compare the units both have, and count the others. rekap's n_tps is every TPS
        # received, those the list does not expect included (n_tps_unexpected: the overseas TPS, whose codes
        # the KPU list does not give); the bare script counts the expected ones received. Units the list
        # expects nothing of (overseas) are rekap's only.
        row = con.execute(
            """SELECT count(*) FILTER (WHERE a.level IS NOT NULL AND b.level IS NOT NULL
                                       AND (a.n_tps_expected::BIGINT, a.n_tps::BIGINT - a.n_tps_unexpected::BIGINT,
                                            a.persen::DOUBLE) IS DISTINCT FROM
                                           (b.n_tps_expected::BIGINT, b.n_tps::BIGINT, b.persen::DOUBLE)),
                      count(*) FILTER (WHERE b.level IS NULL AND coalesce(a.n_tps_expected::BIGINT, 0) > 0),
                      count(*) FILTER (WHERE a.level IS NULL),
                      count(*) FILTER (WHERE b.level IS NULL AND coalesce(a.n_tps_expected::BIGINT, 0) = 0)
               FROM read_csv(?, all_varchar=true) a FULL JOIN read_csv(?, all_varchar=true) b
               ON a.level = b.level AND a.kode_wilayah = b.kode_wilayah""",
            [str(mine / "coverage.csv"), str(base / "coverage.csv")]).fetchone() or (-1, -1, -1, -1)
        verdict = "identical" if row[:3] == (0, 0, 0) else (
            f"{row[0]:,} shared units differ, {row[1]:,} only in rekap's, {row[2]:,} only in bare DuckDB's "
            "(a --rows sample: rekap lists only the units in the data's scope)")
        if row[3]:
            verdict += f"; {row[3]:,} units the list expects no TPS of (overseas) in rekap's only"
        print(f"    coverage vs bare DuckDB: {verdict}")


RECORDED_GROUPS = ("validate", "aggregate", "run")
"""Groups whose verdicts are rows of issue 15's table (benchmarks/verdicts.py), recorded on the national table."""


def record_verdicts(results: list[Result]) -> None:
    """Keep the rows of issue 15's table this run measured (only on the whole national table, not a --rows sample)."""
    from verdicts import record

    peak_limits = {(group, role): limit for group, role, limit, _label in PEAK_TARGETS}
    for target in TARGETS:
        if target.group not in RECORDED_GROUPS or target.reference != "duckdb":
            continue
        for src in dict.fromkeys(r.input for r in results if r.case.group == target.group):
            mine = next((r for r in results if r.case.group == target.group and r.input == src
                         and r.case.role == target.role), None)
            base = next((r for r in results if r.case.group == target.group and r.input == src
                         and r.case.role == "duckdb"), None)
            if mine is None or base is None:
                continue
            key = f"{target.group}-{src.suffix.lstrip('.')}"
            if mine.median is None or base.median is None:
                record(key, rekap_s=mine.median, baseline_s=base.median, ratio=None, passed=None,
                       note=mine.error or base.error or "")
                continue
            ratio = mine.median / base.median
            limit = peak_limits.get((target.group, target.role))
            passed = ratio <= target.max_ratio and (limit is None or (mine.peak_mb or 0) < limit)
            record(key, rekap_s=mine.median, baseline_s=base.median, ratio=ratio, passed=passed,
                   peak_mb=mine.peak_mb, peak_limit_mb=limit, baseline_peak_mb=base.peak_mb)


def evaluate(results: list[Result], targets: list[Target] = TARGETS) -> bool:
    """Print PASS/FAIL per target and input; True when every target was met."""
    ok = True
    inputs = list(dict.fromkeys(r.input for r in results))
    groups = {r.case.group for r in results}
    for target in targets:
        if target.group not in groups:
            continue
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
            if target.max_ratio >= 1:
                shown = f"{ratio:.2f}×"
            else:
                shown = f"{ref / mine:.1f}× faster" if mine <= ref else f"{mine / ref:.1f}× slower"
            print(f"{'PASS' if passed else 'FAIL'}  {target.label} on {src.name}: {shown}")
    for group, role, limit, label in PEAK_TARGETS:
        for r in results:
            if r.case.group != group or r.case.role != role:
                continue
            if r.peak_mb is None:
                print(f"SKIP  {label} on {r.input.name}: {r.error or 'case not run'}")
                ok = False
                continue
            passed = r.peak_mb < limit
            ok = ok and passed
            print(f"{'PASS' if passed else 'FAIL'}  {label} on {r.input.name}: {r.peak_mb:.0f} MiB")
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


def precompile(command: list[str] | None) -> None:
    """Byte-compile the rekap package behind `command`, as `pip install` does for a regular install. An
    editable checkout run with PYTHONDONTWRITEBYTECODE=1 otherwise compiles every imported module from
    source on every run (~0.1-0.2 s), which times the size of the code rather than its speed."""
    if not command:
        return
    try:
        first = Path(command[0]).read_bytes()[:300].split(b"\n", 1)[0]
    except OSError:
        return
    interpreter = first[2:].decode(errors="replace").strip() if first.startswith(b"#!") else ""
    if not interpreter or not Path(interpreter.split()[0]).name.startswith("python"):
        return
    code = "import compileall, os, rekap; compileall.compile_dir(os.path.dirname(rekap.__file__), quiet=1)"
    subprocess.run([*interpreter.split(), "-c", code], check=False, capture_output=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Benchmark rekap against bare DuckDB and pandas.")
    ap.add_argument("--repeat", type=int, default=3, help="runs per case and input; the median is reported")
    ap.add_argument("--rows", type=int, default=None, help="benchmark on the first N rows of the national table")
    ap.add_argument("--rekap", default=None, help='rekap command (default .venv/bin/rekap, then rekap on PATH)')
    ap.add_argument("--before", default=None,
                    help="another rekap command (e.g. a venv of the previous commit) run on the same cases in the "
                         "same rounds; adds the target 'within 5 %% of before'")
    ap.add_argument("--inputs", default="parquet,csv", help="comma-separated input formats (default parquet,csv)")
    ap.add_argument("--groups", default=",".join(GROUPS),
                    help=f"comma-separated case groups (default all: {','.join(GROUPS)})")
    ap.add_argument("--strict", action="store_true", help="exit 1 unless every target is met")
    args = ap.parse_args(argv)
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    groups = [g.strip() for g in args.groups.split(",") if g.strip()]
    unknown_groups = [g for g in groups if g not in GROUPS]
    if unknown_groups or not groups:
        ap.error(f"unknown group(s): {', '.join(unknown_groups) or '(none given)'} (choose from {', '.join(GROUPS)})")
    cases = [c for c in CASES if c.group in groups]

    python = sys.executable
    ctx = Context(python=python, rekap=find_rekap(args.rekap))
    targets = list(TARGETS)
    if args.before:
        ctx.before = find_rekap(args.before)
        if ctx.before is None:
            ap.error(f"--before: {args.before} not found")
        cases += [as_before(c) for c in cases if c.role == "rekap"]
        targets += [Target(g, "rekap", "before", BEFORE_MAX_RATIO, f"rekap {g} within 5 % of before")
                    for g in groups]
    precompile(ctx.rekap)
    precompile(ctx.before)
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
    planted: dict[Path, int] = {}
    recap = ensure_reported(files["parquet"]) if {"compare", "run"} & set(groups) else None
    if recap is not None:
        # One recap per TPS table; the CSV holds the same rows as its Parquet, so it shares the recap.
        for fmt in ("parquet", "csv"):
            ctx.reported[files[fmt]] = recap.path
            planted[files[fmt]] = recap.planted

    print(f"machine: {machine()}")
    print(f"input:   {count_rows(files['parquet']):,} TPS rows; {args.repeat} run(s) per case, median wall time")
    print(f"rekap:   {' '.join(ctx.rekap) if ctx.rekap else 'not found'}")
    if ctx.before:
        print(f"before:  {' '.join(ctx.before)}")
    print(f"source:  {source_state()}")
    print(f"groups:  {', '.join(groups)}")
    if recap is not None:
        print(f"recap:   {recap.path.name}, {recap.planted} cells planted: " + "; ".join(recap.changes))
    busy = load_average()
    if busy is not None and busy > 0.5:
        # Other jobs on the same cores stretch every run; ratios survive better than absolute times.
        print(f"note:    load average {busy:.1f} before starting: the machine is busy, timings are noisy")
    print()

    results: list[Result] = []
    for fmt in chosen:
        results.extend(run_input(ctx, cases, files[fmt], args.repeat))

    print()
    busy = load_average()
    if busy is not None and busy > 0.5:
        print(f"note:    load average {busy:.1f} at the end")
    print_table(results)
    if any(r.case.group in ("validate", "validate-all") for r in results):
        print("\nfindings per output:")
        print_findings(results)
    if any(r.case.group == "aggregate" for r in results):
        print("\naggregate outputs:")
        check_aggregate(results)
    if any(r.case.group == "compare" for r in results):
        print("\ncompare outputs:")
        check_compare(results, planted)
    if any(r.case.group == "run" for r in results):
        print("\nrun outputs:")
        check_run(results)
    print()
    ok = evaluate(results, targets)
    if args.rows is None:
        record_verdicts(results)
    return 1 if args.strict and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
