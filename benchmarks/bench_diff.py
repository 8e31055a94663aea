#!/usr/bin/env python3
"""Time `rekap diff` on two national-scale TPS tables (822,607 TPS, ~1 % changed) against bare DuckDB and pandas.

    python benchmarks/bench_diff.py [--runs 3] [--quick] [--rekap "path/to/rekap"] [--before "other/rekap"]
                                    [--no-pandas] [--strict]

The two sides (issue 13's acceptance: "diff of two national-scale tables, 1 % changed, ≤ 1.5× a bare DuckDB
full outer join that emits the same records; peak memory reported"):

- OLD is `benchmarks/.data/national.parquet` (benchmarks/make_national.py);
- NEW is `national_new.parquet`, made once from it by `ensure_new()` (cached; rebuilt when older than OLD or
  made by another NEW_VERSION), set-based in DuckDB, deterministic (`hash(kode_tps, seed, salt)`, as
  make_national.py): 1 % of the TPS changed (a count corrected by a few votes, a one-digit look-alike misread
  "152 → 157", a digit inserted "74 → 743", a value withdrawn → empty, paslon 1 and 2 swapped, and for TPS
  uploaded without their chart the vote counts added where they were empty), a few hundred TPS dropped and
  a few hundred new TPS codes added. `national_new.json` says what was planted.

Cases (each a fresh subprocess through bench_validate's wrapper: wall time and peak RSS of that run alone,
interpreter start-up included; round-robin over the cases, median of --runs):

- rekap        `rekap diff OLD NEW -f parquet -o OUT -q` (exit 1 = findings of D-rules, a successful run)
- bare DuckDB  BARE_DUCKDB_DIFF: one FULL OUTER JOIN of the two Parquet files on kode_tps, the count columns
               that differ unnested into change records, COPY to Parquet (the floor of the ratio)
- bare + checks BARE_DUCKDB_DIFF_CHECKED: the same join after the reading checks issue 13 itself asks for (S002
               cells set apart, the first copy of a TPS compared, S003/S004) and the other S findings rekap reports
               per side (S005, S007): issue 15's same-contract rule applied to the diff, printed beside the target
               (not a target; no D rules, misread signature, A-rules of the changed forms or messages)
- pandas       PANDAS_DIFF: `merge(how="outer", indicator=True)`, one vectorised comparison per column
               (for reference: no target)
- before       with `--before CMD`, the same `rekap diff` run by another install (e.g. the commit before a
               change) in the same rounds, for an A/B on a shared machine; its ratio to rekap is printed

After the timings the outputs are checked to be the same records (kode_wilayah, field, old, new, selisih,
change; rekap's `rules` and `*_source` columns are extra work only it does) and counted per `change`.
Target: rekap ≤ 1.5× bare DuckDB. Exit 0 whatever the outcome unless --strict.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path

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

COUNT_PREFIXES = ("pemilih_", "pengguna_", "suara_")
MAX_RATIO = 1.5
"""Target: median(rekap diff) / median(bare DuckDB) ≤ this."""

# --- the baselines ---------------------------------------------------------------------------------
# Run as `python -c SCRIPT OLD NEW OUT`. Contract (rekap's change records, domain.md §5, minus `rules` and
# the sources): one row per (TPS on both sides, count column whose value differs: NULL vs a value counts),
# kode_wilayah = kode_tps, field, old, new (BIGINT, empty = NULL), selisih = new - old, change = 'added'
# (empty → value), 'removed' (value → empty) or 'changed'; and one row per TPS on one side only, field, old,
# new and selisih empty, change = 'tps_added' / 'tps_removed'. Count columns: those both files have. Ordered
# by kode_tps, the TPS-level record first, then the columns in file order (rekap: by kode_tps, then canonical
# order; the check compares the records as multisets, not their order).

BARE_DUCKDB_DIFF = r'''
import sys

import duckdb

old, new, out = sys.argv[1], sys.argv[2], sys.argv[3]
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
new_cols = {r[0] for r in con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [new]).fetchall()}
fields = [r[0] for r in con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [old]).fetchall()
          if r[0].startswith(("pemilih_", "pengguna_", "suara_")) and r[0] in new_cols]
cells = ", ".join(f"""{{'field': '{f}', 'pos': {i}, 'old': o."{f}"::BIGINT, 'new': n."{f}"::BIGINT}}"""
                  for i, f in enumerate(fields))
differs = " OR ".join(f'o."{f}" IS DISTINCT FROM n."{f}"' for f in fields)
con.execute(f"""COPY (
    WITH j AS (
        SELECT coalesce(o.kode_tps, n.kode_tps) AS kode_tps, o.kode_tps IS NULL AS tps_new, n.kode_tps IS NULL AS tps_gone,
               [{cells}] AS cells
        FROM read_parquet('{old}') o FULL OUTER JOIN read_parquet('{new}') n ON o.kode_tps = n.kode_tps
        WHERE o.kode_tps IS NULL OR n.kode_tps IS NULL OR {differs})
    SELECT kode_wilayah, field, old, new, selisih, change FROM (
        SELECT kode_tps AS kode_wilayah, c.field, c.pos, c.old, c.new, c.new - c.old AS selisih,
               CASE WHEN c.old IS NULL THEN 'added' WHEN c.new IS NULL THEN 'removed' ELSE 'changed' END AS change
        FROM (SELECT kode_tps, unnest(cells) AS c FROM j WHERE NOT tps_new AND NOT tps_gone)
        WHERE c.old IS DISTINCT FROM c.new
        UNION ALL
        SELECT kode_tps, NULL, -1, NULL, NULL, NULL, CASE WHEN tps_new THEN 'tps_added' ELSE 'tps_removed' END
        FROM j WHERE tps_new OR tps_gone)
    ORDER BY kode_wilayah, pos
) TO '{out}' (FORMAT parquet)""")
'''

BARE_DUCKDB_DIFF_CHECKED = r'''
import sys

import duckdb

old, new, out = sys.argv[1], sys.argv[2], sys.argv[3]
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
COUNT = ("pemilih_", "pengguna_", "suara_")


def columns(path):
    return [r[0] for r in con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [path]).fetchall()]


new_cols = set(columns(new))
fields = [c for c in columns(old) if c.startswith(COUNT) and c in new_cols]
for side, path in (("o", old), ("n", new)):
    have = columns(path)
    counts = [c for c in have if c.startswith(COUNT)]
    # S002: a negative count is no count; it is set apart (never compared as withdrawn or changed).
    typed = ", ".join(f'CASE WHEN "{c}" >= 0 THEN "{c}"::BIGINT END AS "{c}"' for c in counts)
    bad = "list_filter([" + ", ".join(f"CASE WHEN \"{c}\" < 0 THEN '{c}' END" for c in counts) + "], lambda x: x IS NOT NULL)"
    parents = [(c, n) for c, n in (("kode_prov", 2), ("kode_kabkota", 4), ("kode_kec", 6), ("kode_desa", 10)) if c in have]
    keep = "".join(f', "{c}"' for c, _ in parents)
    negative = " OR ".join(f'"{c}" < 0' for c in counts) or "false"
    con.execute(f"""CREATE TABLE {side} AS
        SELECT kode_tps, file_row_number + 2 AS _row, {typed}, CASE WHEN {negative} THEN {bad} END AS _bad{keep}
        FROM read_parquet(?, file_row_number = true)""", [path])
    # S003/S004: only the first copy of a TPS is compared; the later copies are findings (window only when a
    # code repeats).
    con.execute(f"CREATE TABLE {side}_later (kode_tps VARCHAR, _row BIGINT)")
    if con.execute(f"SELECT count(*) - count(DISTINCT kode_tps) FROM {side}").fetchone()[0]:
        con.execute(f"""INSERT INTO {side}_later SELECT kode_tps, _row FROM (
            SELECT kode_tps, _row, row_number() OVER (PARTITION BY kode_tps ORDER BY _row) AS k FROM {side}
            WHERE kode_tps IN (SELECT kode_tps FROM {side} GROUP BY 1 HAVING count(*) > 1)) WHERE k > 1""")
        con.execute(f"DELETE FROM {side} WHERE _row IN (SELECT _row FROM {side}_later)")
    ln = "left(kode_tps, 2) = '99'"
    code = (f"NOT regexp_full_match(kode_tps, '[0-9]{{13}}') OR left(kode_tps, 2) < '11' OR right(kode_tps, 3) = '000' "
            f"OR (NOT {ln} AND (substr(kode_tps, 3, 2) IN ('00', '70') OR substr(kode_tps, 5, 2) = '00' "
            f"OR substr(kode_tps, 7, 1) NOT IN ('1', '2', '3')))")
    given = " OR ".join(f'("{c}" IS NOT NULL AND "{c}" <> left(kode_tps, {n}))' for c, n in parents) or "false"
    over = ", ".join(f'CASE WHEN "{c}" > 999 THEN "{c}" END AS "{c}"' for c in counts)
    listed = ", ".join(f'"{c}"' for c in counts)
    # The findings of reading each side, as rekap reports them (counted in its summary): S002, S003/S004,
    # S005 (the code, the region columns), S007 (a box above 999 outside overseas units).
    con.execute(f"""CREATE TABLE {side}_findings AS
        SELECT 'S002' AS rule, kode_tps, unnest(_bad) AS field, _row FROM {side} WHERE _bad IS NOT NULL
        UNION ALL SELECT 'S003', kode_tps, 'kode_tps', _row FROM {side}_later
        UNION ALL SELECT 'S005', kode_tps, 'kode_tps', _row FROM {side} WHERE {code}
        UNION ALL SELECT 'S005', kode_tps, 'region', _row FROM {side}
                  WHERE regexp_full_match(kode_tps, '[0-9]{{13}}') AND ({given})
        UNION ALL SELECT 'S007', kode_tps, field, _row FROM (
            SELECT kode_tps, _row, {over} FROM {side} WHERE NOT {ln} AND greatest({listed}) > 999)
            UNPIVOT (v FOR field IN ({listed}))""")
cells = ", ".join(f"""{{'field': '{f}', 'pos': {i}, 'old': o."{f}", 'new': n."{f}"}}""" for i, f in enumerate(fields))
differs = " OR ".join(f'o."{f}" IS DISTINCT FROM n."{f}"' for f in fields)
con.execute(f"""COPY (
    WITH j AS (
        SELECT coalesce(o.kode_tps, n.kode_tps) AS kode_tps, o.kode_tps IS NULL AS tps_new, n.kode_tps IS NULL AS tps_gone,
               list_concat(coalesce(o._bad, []), coalesce(n._bad, [])) AS bad, [{cells}] AS cells
        FROM o FULL OUTER JOIN n ON o.kode_tps = n.kode_tps
        WHERE o.kode_tps IS NULL OR n.kode_tps IS NULL OR {differs})
    SELECT kode_wilayah, field, old, new, selisih, change FROM (
        SELECT kode_tps AS kode_wilayah, c.field, c.pos, c.old, c.new, c.new - c.old AS selisih,
               CASE WHEN c.old IS NULL THEN 'added' WHEN c.new IS NULL THEN 'removed' ELSE 'changed' END AS change
        FROM (SELECT kode_tps, bad, unnest(cells) AS c FROM j WHERE NOT tps_new AND NOT tps_gone)
        WHERE c.old IS DISTINCT FROM c.new AND NOT list_contains(bad, c.field)
        UNION ALL
        SELECT kode_tps, NULL, -1, NULL, NULL, NULL, CASE WHEN tps_new THEN 'tps_added' ELSE 'tps_removed' END
        FROM j WHERE tps_new OR tps_gone)
    ORDER BY kode_wilayah, pos
) TO '{out}' (FORMAT parquet)""")
'''
"""The same records after the reading checks issue 13 asks for on both sides (S002 cells set apart, S003/S004
first copies) and the other S findings rekap reports per side (S005, S007): issue 15's same-contract rule applied
to the diff. Not what rekap adds on top (the D rules and the misread signature, the A-rules of both forms of each
changed TPS, messages, sources): a floor, reported beside the issue's target, not a target."""

PANDAS_DIFF = r'''
import sys

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

old, new, out = sys.argv[1], sys.argv[2], sys.argv[3]
new_cols = set(pq.read_schema(new).names)
fields = [c for c in pq.read_schema(old).names if c.startswith(("pemilih_", "pengguna_", "suara_")) and c in new_cols]
o = pd.read_parquet(old, columns=["kode_tps", *fields])
n = pd.read_parquet(new, columns=["kode_tps", *fields])
m = o.merge(n, on="kode_tps", how="outer", suffixes=("_o", "_n"), indicator=True)
both = m[m["_merge"] == "both"]
parts = []
for pos, f in enumerate(fields):
    a, b = both[f + "_o"].astype("float64"), both[f + "_n"].astype("float64")  # NaN = empty cell
    differ = (a != b) & ~(a.isna() & b.isna())  # NaN != NaN is True in pandas: two empty cells are equal
    if differ.any():
        a, b = a[differ], b[differ]
        parts.append(pd.DataFrame({
            "kode_wilayah": both.loc[differ, "kode_tps"], "field": f, "pos": pos,
            "old": a.astype("Int64"), "new": b.astype("Int64"), "selisih": (b - a).astype("Int64"),
            "change": np.select([a.isna(), b.isna()], ["added", "removed"], "changed"),
        }))
one_side = m[m["_merge"] != "both"]
parts.append(pd.DataFrame({
    "kode_wilayah": one_side["kode_tps"], "field": None, "pos": -1,
    "old": pd.array([None] * len(one_side), dtype="Int64"), "new": pd.array([None] * len(one_side), dtype="Int64"),
    "selisih": pd.array([None] * len(one_side), dtype="Int64"),
    "change": np.where(one_side["_merge"] == "right_only", "tps_added", "tps_removed"),
}))
result = pd.concat(parts, ignore_index=True).sort_values(["kode_wilayah", "pos"], kind="stable")
result.drop(columns="pos").to_parquet(out, index=False)
'''

# --- the NEW side ----------------------------------------------------------------------------------

NEW_VERSION = 1
"""Bump when the planted changes change, so that an existing NEW table is rebuilt."""
SEED = 2024
LOOKALIKE_OF = [8, 7, 7, 8, 9, 6, 5, 1, 3, 4]
"""Last digit d read as LOOKALIKE_OF[d] (pairs of rekap.diff.LOOKALIKE: 0/8, 1/7, 2/7, 3/8, 4/9, 5/6)."""


def _new_sql(columns: list[str], counts: list[str], seed: int = SEED) -> str:
    """The SELECT that turns the keyed OLD table `src` into NEW (see ensure_new)."""
    votes = [c for c in counts if c.startswith("suara_")]
    paslon = [c for c in votes if c.startswith("suara_paslon_")]
    fill: dict[str, str] = {}
    for i, c in enumerate(paslon):  # chart uploaded later: plausible vote counts where they were empty
        fill[c] = f"(hash(kode_tps, {seed}, 'fill{i}') % 120)"
    if "suara_sah" in votes:
        fill["suara_sah"] = "(" + " + ".join(fill[c] for c in paslon) + ")" if paslon else "100"
    if "suara_tidak_sah" in votes:
        fill["suara_tidak_sah"] = f"(hash(kode_tps, {seed}, 'fill_ts') % 5)"
    if "suara_total" in votes and "suara_sah" in fill and "suara_tidak_sah" in fill:
        fill["suara_total"] = f"({fill['suara_sah']} + {fill['suara_tidak_sah']})"
    lookalike = "[" + ", ".join(str(d) for d in LOOKALIKE_OF) + "]"
    selects = []
    for c in columns:
        q = f'"{c}"'
        if c not in counts:
            selects.append(q)
            continue
        i = counts.index(c)
        swap = ""
        if len(paslon) >= 2 and c in paslon[:2]:
            other = f'"{paslon[1] if c == paslon[0] else paslon[0]}"'
            swap = f"WHEN _kind = 'swap' THEN {other}"
        selects.append(f"""(CASE WHEN NOT _changed THEN {q}
            WHEN _kind = 'fill' THEN {f"coalesce({q}, {fill[c]})" if c in fill else q}
            {swap}
            WHEN _field <> {i} THEN {q}
            WHEN _kind = 'sub' THEN {q} - {q} % 10 + {lookalike}[{q} % 10 + 1]
            WHEN _kind = 'ins' THEN {q} * 10 + _delta % 10
            WHEN _kind = 'delta' THEN CASE WHEN {q} > 20 AND _delta % 2 = 0 THEN {q} - 1 - _delta ELSE {q} + 1 + _delta END
            WHEN _kind = 'null' THEN NULL
            ELSE {q} END)::INTEGER AS {q}""")
    return ",\n".join(selects)


@dataclass(frozen=True)
class NewSide:
    path: Path
    planted: dict[str, int]
    """What ensure_new did, by kind (TPS counts), as measured in the tables it wrote."""


def ensure_new(old: Path, *, seed: int = SEED, path: Path | None = None) -> NewSide:
    """NEW for `old` (`path`, default `<stem>_new.parquet`): a copy of OLD with, chosen by hash of kode_tps with
    `seed` (a fixed one by default; bench_store.py chains several, each from the one before, with other seeds),

    - ~1 % of the TPS changed (hash(kode_tps, seed, 'diff-change') % 10,000 < 100), by kind:
      a TPS uploaded without its chart (suara_paslon_1 empty) gets its vote counts where they were empty
      ('fill': records 'added'); otherwise one count column (picked by hash) is corrected by 1–19 votes
      ('delta', 30 %), read with its last digit as a look-alike ('sub', 25 %: 152 → 157, D006's signature),
      given an extra digit ('ins', 10 %: 74 → 743), withdrawn to empty ('null', 20 %: 'removed'; nothing
      changes when it was already empty), or paslon 1 and 2 swapped ('swap', 15 %: D004);
    - ~330 TPS dropped (hash % 1,000,000 < 400), and ~300 new TPS codes: the rows of other hashed TPS copied
      under the number 9xx of their own desa (xx = their last two digits), when no TPS has that code.

    Set-based DuckDB SQL; written under a temporary name and renamed. `path` with `.json` has the counts.
    """
    import duckdb

    path = path or DATA_DIR / f"{old.stem}_new.parquet"
    meta_path = path.with_suffix(".json")
    if path.exists() and meta_path.exists() and path.stat().st_mtime > old.stat().st_mtime:
        meta = json.loads(meta_path.read_text())
        if meta.get("version") == NEW_VERSION and meta.get("seed") == seed and meta.get("source") == old.name:
            return NewSide(path, {str(k): int(v) for k, v in meta["planted"].items()})

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    columns = [str(r[0]) for r in con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(old)]).fetchall()]
    counts = [c for c in columns if c.startswith(COUNT_PREFIXES)]
    paslon1 = '"suara_paslon_1" IS NULL' if "suara_paslon_1" in counts else "false"
    con.execute(
        f"""CREATE TABLE src AS
            SELECT *, hash(kode_tps, {seed}, 'diff-drop') % 1000000 < 400 AS _dropped,
                   hash(kode_tps, {seed}, 'diff-copy') % 1000000 < 400 AS _copied,
                   hash(kode_tps, {seed}, 'diff-change') % 10000 < 100 AS _changed,
                   CASE WHEN {paslon1} THEN 'fill'
                        ELSE CASE WHEN k < 30 THEN 'delta' WHEN k < 55 THEN 'sub' WHEN k < 65 THEN 'ins'
                                  WHEN k < 85 THEN 'null' ELSE 'swap' END END AS _kind,
                   (hash(kode_tps, {seed}, 'diff-field') % {len(counts)})::INTEGER AS _field,
                   (hash(kode_tps, {seed}, 'diff-delta') % 19)::INTEGER AS _delta
            FROM (SELECT *, hash(kode_tps, {seed}, 'diff-kind') % 100 AS k FROM read_parquet(?))""",
        [str(old)],
    )
    body = _new_sql(columns, counts, seed)
    keep = [f'"{c}"' for c in columns if c != "nama_tps"]
    con.execute(
        f"""CREATE TABLE new AS
            WITH kept AS (SELECT {body} FROM src WHERE NOT _dropped),
            copies AS (
                SELECT * REPLACE (kode_desa || '9' || right(kode_tps, 2) AS kode_tps) FROM src
                WHERE _copied AND NOT _dropped AND length(kode_tps) = 13 AND kode_desa = left(kode_tps, 10)
                QUALIFY row_number() OVER (PARTITION BY kode_desa || '9' || right(kode_tps, 2) ORDER BY kode_tps) = 1),
            added AS (
                SELECT {', '.join(keep)}, 'TPS ' || right(kode_tps, 3) AS nama_tps
                FROM copies ANTI JOIN src USING (kode_tps))
            SELECT {', '.join(f'"{c}"' for c in columns)} FROM (
                SELECT * FROM kept UNION ALL BY NAME SELECT * FROM added)
            ORDER BY kode_tps"""
    )
    planted: dict[str, int] = {}
    row = con.execute(
        """SELECT (SELECT count(*) FROM src WHERE _dropped),
                  (SELECT count(*) FROM new ANTI JOIN src USING (kode_tps))"""
    ).fetchone() or (0, 0)
    planted["tps_dropped"], planted["tps_new"] = int(row[0]), int(row[1])
    for kind, n in con.execute(
        "SELECT _kind, count(*) FROM src WHERE _changed AND NOT _dropped GROUP BY 1 ORDER BY 1"
    ).fetchall():
        planted[f"changed_{kind}"] = int(n)
    tmp = path.with_suffix(".tmp.parquet")
    con.execute(f"COPY new TO '{tmp}' (FORMAT parquet, COMPRESSION zstd)")
    con.close()
    tmp.replace(path)
    meta = {"version": NEW_VERSION, "source": old.name, "seed": seed, "planted": planted}
    meta_path.write_text(json.dumps(meta, indent=2) + "\n")
    return NewSide(path, planted)


# --- running ---------------------------------------------------------------------------------------


@dataclass
class Case:
    name: str
    role: str
    """'rekap', 'duckdb' (the floor), 'pandas' or 'before'."""
    argv: list[str] | None
    output: Path
    ok_codes: frozenset[int] = frozenset({0})
    walls: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)
    error: str | None = None

    @property
    def median(self) -> float | None:
        return statistics.median(self.walls) if self.walls and self.error is None else None

    @property
    def peak_mb(self) -> float | None:
        return max(self.rss_mb) if self.rss_mb and self.error is None else None


def run_cases(python: str, cases: list[Case], runs: int) -> None:
    """Round-robin, one run at a time (as bench_validate.run_input): background load hits every case alike."""
    for case in cases:
        if case.argv is None:
            case.error = "not available"
    for round_no in range(1, runs + 1):
        for case in cases:
            if case.argv is None or case.error is not None:
                continue
            print(f"  [{round_no}/{runs}] {case.name}", file=sys.stderr, flush=True)
            case.output.unlink(missing_ok=True)
            run = run_once(python, case.argv)
            if run["rc"] not in case.ok_codes:
                tail = [line.strip() for line in str(run["stderr"]).strip().splitlines()[-3:]]
                case.error = f"exit {run['rc']}: " + (" | ".join(tail) or "no stderr")
                print(f"bench: {case.name} failed: {case.error}", file=sys.stderr)
                continue
            case.walls.append(float(str(run["wall"])))
            case.rss_mb.append(maxrss_mb(int(str(run["maxrss"]))))


RECORD_KEYS = "kode_wilayah, field, old, new, selisih, change"


def check_outputs(cases: list[Case]) -> bool:
    """Records per `change` of every output, and whether rekap = bare DuckDB (= pandas) as multisets."""
    import duckdb

    con = duckdb.connect()
    done = {c.role: c for c in cases if c.error is None and c.output.exists()}
    for c in done.values():
        per = dict(con.execute("SELECT change, count(*) FROM read_parquet(?) GROUP BY 1", [str(c.output)]).fetchall())
        total = sum(per.values())
        text = " · ".join(f"{k} {per.get(k, 0):,}" for k in ("changed", "added", "removed", "tps_added", "tps_removed"))
        print(f"  {c.name:<14} {total:>8,} records ({text})")
    ok = True
    for mine, theirs in (("rekap", "duckdb"), ("checked", "duckdb"), ("before", "duckdb"), ("pandas", "duckdb")):
        a, b = done.get(mine), done.get(theirs)
        if a is None or b is None:
            continue
        qa = f"SELECT {RECORD_KEYS} FROM read_parquet('{a.output}')"
        qb = f"SELECT {RECORD_KEYS} FROM read_parquet('{b.output}')"
        row = con.execute(f"SELECT count(*) FROM (({qa} EXCEPT ALL {qb}) UNION ALL ({qb} EXCEPT ALL {qa}))").fetchone()
        n = int(row[0]) if row else -1
        ok = ok and n == 0
        verdict = "identical" if n == 0 else f"DIFFER in {n:,} rows"
        print(f"  {a.name} vs {b.name}: records ({RECORD_KEYS}) {verdict}")
    rekap = done.get("rekap")
    if rekap is not None:
        rules = con.execute(
            "SELECT r, count(*) FROM (SELECT unnest(string_split(rules, ',')) AS r FROM read_parquet(?) "
            "WHERE rules <> '') GROUP BY 1 ORDER BY 1", [str(rekap.output)]).fetchall()
        print("  rekap's rules per record: " + (", ".join(f"{r} {n:,}" for r, n in rules) or "none"))
    return ok


def print_table(cases: list[Case], old: Path) -> None:
    floor = next((c.median for c in cases if c.role == "duckdb"), None)
    header = f"{'case':<14} {'input':<22} {'median s':>9} {'min–max s':>11} {'peak MB':>8} {'× DuckDB':>9}"
    print(header)
    print("-" * len(header))
    for c in cases:
        lead = f"{c.name:<14} {old.name:<22}"
        if c.median is None:
            print(f"{lead} {'–':>9} {'–':>11} {'–':>8} {'–':>9}   ({c.error})")
            continue
        ratio = f"{c.median / floor:.2f}×" if floor else "–"
        spread = f"{min(c.walls):.2f}–{max(c.walls):.2f}"
        print(f"{lead} {c.median:>9.2f} {spread:>11} {c.peak_mb or 0:>8.0f} {ratio:>9}")


def verdict(cases: list[Case]) -> bool:
    times = {c.role: c for c in cases}
    mine, floor = times.get("rekap"), times.get("duckdb")
    label = f"rekap diff ≤ {MAX_RATIO}× bare DuckDB"
    if mine is None or floor is None or mine.median is None or floor.median is None:
        why = "; ".join(f"{c.name}: {c.error}" for c in (mine, floor) if c is not None and c.error) or "case not run"
        print(f"SKIP  {label}: {why}")
        return False
    ratio = mine.median / floor.median
    passed = ratio <= MAX_RATIO
    print(f"{'PASS' if passed else 'FAIL'}  {label}: {ratio:.2f}× (peak RSS {mine.peak_mb:.0f} MiB vs "
          f"{floor.peak_mb:.0f} MiB)")
    checked = times.get("checked")
    if checked is not None and checked.median is not None:
        print(f"      rekap / bare + reading checks: {mine.median / checked.median:.2f}× ({mine.median:.2f} s vs "
              f"{checked.median:.2f} s; peak RSS {checked.peak_mb:.0f} MiB): issue 15's same-contract rule, not a target")
    other = times.get("before")
    if other is not None and other.median is not None:
        print(f"      rekap / before: {mine.median / other.median:.2f}× ({mine.median:.2f} s vs {other.median:.2f} s; "
              f"peak RSS {mine.peak_mb:.0f} vs {other.peak_mb:.0f} MiB)")
    return passed


def keep_verdict(cases: list[Case], passed: bool) -> None:
    """The diff row of the table `make bench` ends with (benchmarks/verdicts.py)."""
    from verdicts import record

    times = {c.role: c for c in cases}
    mine, floor = times.get("rekap"), times.get("duckdb")
    if mine is None or floor is None or mine.median is None or floor.median is None:
        record("diff", rekap_s=None, baseline_s=None, ratio=None, passed=None,
               note="; ".join(c.error for c in (mine, floor) if c is not None and c.error))
        return
    checked = times.get("checked")
    note = (f"{mine.median / checked.median:.2f}× a baseline with the same reading checks"
            if checked is not None and checked.median is not None else "")
    record("diff", rekap_s=mine.median, baseline_s=floor.median, ratio=mine.median / floor.median, passed=passed,
           peak_mb=mine.peak_mb, baseline_peak_mb=floor.peak_mb, note=note)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Benchmark `rekap diff` against bare DuckDB and pandas.")
    ap.add_argument("--runs", type=int, default=3, help="runs per case; the median is reported (default 3)")
    ap.add_argument("--quick", action="store_true", help="a 1/10 sample of the national table (smoke test)")
    ap.add_argument("--rekap", default=None, help="rekap command (default .venv/bin/rekap, then rekap on PATH)")
    ap.add_argument("--before", default=None,
                    help="another rekap command timed on the same diff in the same rounds (A/B; no target)")
    ap.add_argument("--no-pandas", action="store_true", help="leave out the pandas reference case")
    ap.add_argument("--strict", action="store_true", help="exit 1 unless the target is met and the records agree")
    args = ap.parse_args(argv)
    if args.runs < 1:
        ap.error("--runs must be at least 1")

    python = sys.executable
    rekap = find_rekap(args.rekap)
    precompile(rekap)
    before = find_rekap(args.before) if args.before else None
    if args.before and before is None:
        ap.error(f"--before: {args.before} not found")
    precompile(before)
    old, _csv = ensure_national(python)
    if args.quick:
        old, _csv = ensure_sample(old, count_rows(old) // 10)
    new = ensure_new(old)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    stem = f"diff-{old.stem}"
    cases = [
        Case("rekap diff", "rekap",
             [*rekap, "diff", str(old), str(new.path), "-f", "parquet", "-o", str(OUT_DIR / f"{stem}-rekap.parquet"),
              "-q"] if rekap else None,
             OUT_DIR / f"{stem}-rekap.parquet", ok_codes=frozenset({0, 1})),
        Case("bare DuckDB", "duckdb",
             [python, "-c", BARE_DUCKDB_DIFF, str(old), str(new.path), str(OUT_DIR / f"{stem}-duckdb.parquet")],
             OUT_DIR / f"{stem}-duckdb.parquet"),
        Case("bare + checks", "checked",
             [python, "-c", BARE_DUCKDB_DIFF_CHECKED, str(old), str(new.path), str(OUT_DIR / f"{stem}-checked.parquet")],
             OUT_DIR / f"{stem}-checked.parquet"),
    ]
    if before:
        out = OUT_DIR / f"{stem}-before.parquet"
        cases.append(Case("rekap (before)", "before",
                          [*before, "diff", str(old), str(new.path), "-f", "parquet", "-o", str(out), "-q"], out,
                          ok_codes=frozenset({0, 1})))
    if not args.no_pandas:
        cases.append(Case("pandas", "pandas",
                          [python, "-c", PANDAS_DIFF, str(old), str(new.path), str(OUT_DIR / f"{stem}-pandas.parquet")],
                          OUT_DIR / f"{stem}-pandas.parquet"))

    print(f"machine: {machine()}")
    print(f"input:   OLD {old.name} {count_rows(old):,} TPS rows, NEW {new.path.name} {count_rows(new.path):,}; "
          f"{args.runs} run(s) per case, median wall time")
    print("planted: " + ", ".join(f"{k} {v:,}" for k, v in new.planted.items()))
    print(f"rekap:   {' '.join(rekap) if rekap else 'not found'}")
    if before:
        print(f"before:  {' '.join(before)}")
    print(f"source:  {source_state()}")
    busy = load_average()
    if busy is not None and busy > 0.5:
        print(f"note:    load average {busy:.1f} before starting: the machine is busy, timings are noisy")
    print()
    run_cases(python, cases, args.runs)
    print()
    busy = load_average()
    if busy is not None and busy > 0.5:
        print(f"note:    load average {busy:.1f} at the end")
    print_table(cases, old)
    print("\ndiff outputs:")
    same = check_outputs(cases)
    print()
    passed = verdict(cases)
    if not args.quick:
        keep_verdict(cases, passed)
    return 1 if args.strict and not (passed and same) else 0


if __name__ == "__main__":
    sys.exit(main())
