"""Property tests (issue #5 item 3): random valid TPS tables, planted A-rule violations, the recap
of several files, and the same data in every input format.

Every table is generated from the formulas of domain.md §3, written again here independently of
rekap's SQL. A valid table is built so that *no* rule of the catalogue has a reason to fire:

- codes: 2-digit province 11–94, kab/kota 01–69 or 71–99, kecamatan 01–99, desa suffix 1xxx/2xxx/3xxx,
  TPS 001–999, each code its parent's code plus its own digits, no code twice (S003/S004/S005);
- every L/P/J triple adds up (A001), totals are their parts (A002, A003), users ≤ registered
  (A004, A005, A011), candidates add up to suara sah (A006), sah + tidak sah = total = users (A007, A009),
  ballots used = users and received = used + damaged + unused (A008, A010), and votes stay below the
  DPT (A012, P004) with turnout below 100 % (P006);
- the DPT is at most the election's TPS cap (P001: Pemilu 300, Pilkada 600) and no candidate gets more
  (P005); ballots received are exactly DPT + reserve, rounded up (P002: 2 %, Pilkada 2.5 %);
- DPT > 0 (P003), every record complete (P008), `pemilih_dpt_l` differs between any two TPS so no two
  records are identical (P007), and at most 6 TPS per kecamatan, below the 10 that P006's outlier
  test needs.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from conftest import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from xlsx_fixtures import write_staff_xlsx

from rekap.aggregate.rollup import aggregate
from rekap.io import LoadOptions, load_dataset
from rekap.regions import LEVELS as LEVELS_UP
from rekap.schema import ADMIN_COLUMNS, NUMERIC_COLUMNS, VOTE_DATA_COLUMNS
from rekap.validate import validate
from rekap.validate.catalogue import data_rules

CAP = {"ppwp": 300, "pkwkp": 600, "pkwkk": 600}
# Reserve ballots as a fraction num/den of the DPT (domain.md §3 P002: Pemilu 2 %, Pilkada 2.5 %).
RESERVE = {"ppwp": (2, 100), "pkwkp": (25, 1000), "pkwkk": (25, 1000)}
PILKADA = {"pkwkp", "pkwkk"}
TOP_LEVEL = {"ppwp": "nasional", "pkwkp": "provinsi", "pkwkk": "kabkota"}
PREFIX = {"nasional": 0, "provinsi": 2, "kabkota": 4, "kecamatan": 6, "desa": 10}
KABKOTA = [f"{k:02d}" for k in range(1, 100) if k != 70]
LPJ = ("l", "p", "j")

# (rule, kode_wilayah, field, expected, actual)
Finding = tuple[str, str, str, int, int]

BASE = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def examples(n: int) -> settings:
    """Few examples: every one is a full DuckDB session (about 0.3 s on the 2-core machine)."""
    return settings(BASE, max_examples=n)


def reserve(dpt_j: int, election: str) -> int:
    num, den = RESERVE[election]
    return -(-dpt_j * num // den)  # ceil without floats


@dataclass
class Table:
    election: str
    n_paslon: int
    rows: list[dict[str, Any]]
    columns: list[str]
    """Column order of the file (a random permutation)."""
    in_column: bool
    """The election type is a `jenis_pemilihan` column rather than `--election`."""
    paslon_ids: dict[int, str] = field(default_factory=dict)
    """nomor urut → Sirekap candidate id (not in ascending order)."""

    @property
    def pilkada(self) -> bool:
        return self.election in PILKADA

    def cli_args(self) -> list[str]:
        return [] if self.in_column else ["--election", self.election]

    def numeric(self) -> list[str]:
        return [c for c in NUMERIC_COLUMNS if c in self.columns]


@st.composite
def tps_codes(draw: st.DrawFn) -> list[str]:
    """A random region tree: 1–2 provinces × 1–2 kab/kota × 1–2 kecamatan × 1–2 desa × 1–3 TPS."""
    codes: list[str] = []
    for prov in draw(st.lists(st.integers(11, 94), min_size=1, max_size=2, unique=True)):
        for kab in draw(st.lists(st.sampled_from(KABKOTA), min_size=1, max_size=2, unique=True)):
            for kec in draw(st.lists(st.integers(1, 99), min_size=1, max_size=2, unique=True)):
                desas = draw(st.lists(st.tuples(st.sampled_from("123"), st.integers(0, 999)), min_size=1, max_size=2, unique=True))
                for kind, n in desas:
                    for t in draw(st.lists(st.integers(1, 999), min_size=1, max_size=3, unique=True)):
                        codes.append(f"{prov:02d}{kab}{kec:02d}{kind}{n:03d}{t:03d}")
    return codes


def _triple(row: dict[str, Any], group: str, l: int, p: int) -> None:
    row[f"{group}_l"], row[f"{group}_p"], row[f"{group}_j"] = l, p, l + p


@st.composite
def tps_numbers(draw: st.DrawFn, election: str, n_paslon: int, dpt_l: int) -> dict[str, Any]:
    """One valid form (see the module docstring for the invariants)."""
    cap, pilkada = CAP[election], election in PILKADA
    small = st.integers(0, 3)
    row: dict[str, Any] = {}
    dpt_p = draw(st.integers(20, cap // 2 - 10))
    _triple(row, "pemilih_dpt", dpt_l, dpt_p)
    extra: dict[str, tuple[int, int]] = {}
    if pilkada:
        for g in ("dpph", "dptb"):
            reg = (draw(small), draw(small))
            _triple(row, f"pemilih_{g}", *reg)
            extra[f"pengguna_{g}"] = (draw(st.integers(0, reg[0])), draw(st.integers(0, reg[1])))
        _triple(row, "pemilih_total", *(row[f"pemilih_dpt_{s}"] + row[f"pemilih_dpph_{s}"] + row[f"pemilih_dptb_{s}"] for s in "lp"))
    else:
        extra = {"pengguna_dptb": (draw(small), draw(small)), "pengguna_non_dpt": (draw(small), draw(small))}
    for g, (l, p) in extra.items():
        _triple(row, g, l, p)
    rusak = draw(small)
    # Slack below the DPT for the extra voters, the damaged ballots and one more (turnout < 100 %).
    slack = sum(l + p for l, p in extra.values()) + rusak + 1
    _triple(row, "pengguna_dpt", draw(st.integers(1, dpt_l - slack)), draw(st.integers(1, dpt_p)))
    _triple(row, "pengguna_total", *(row[f"pengguna_dpt_{s}"] + sum(v[i] for v in extra.values()) for i, s in enumerate("lp")))
    base = "pemilih_total" if pilkada else "pemilih_dpt"
    reg_dis = [draw(st.integers(0, min(5, row[f"{base}_{s}"]))) for s in "lp"]
    _triple(row, "pemilih_disabilitas", *reg_dis)
    _triple(row, "pengguna_disabilitas", *(draw(st.integers(0, min(reg_dis[i], row[f"pengguna_total_{s}"]))) for i, s in enumerate("lp")))
    total = row["pengguna_total_j"]
    tidak_sah = draw(st.integers(0, min(20, total)))
    sah = total - tidak_sah
    cuts = sorted(draw(st.lists(st.integers(0, sah), min_size=n_paslon - 1, max_size=n_paslon - 1)))
    for n, (a, b) in enumerate(zip([0, *cuts], [*cuts, sah], strict=True), start=1):
        row[f"suara_paslon_{n}"] = b - a
    row.update(suara_sah=sah, suara_tidak_sah=tidak_sah, suara_total=total)
    diterima = row["pemilih_dpt_j"] + reserve(row["pemilih_dpt_j"], election)
    row.update(ss_diterima=diterima, ss_digunakan=total, ss_rusak=rusak, ss_sisa=diterima - total - rusak)
    assert row["ss_sisa"] >= 1 and max(v for v in row.values()) <= 999
    return row


@st.composite
def valid_tables(draw: st.DrawFn, region_columns: bool | None = None, in_column: bool | None = None) -> Table:
    election = draw(st.sampled_from(sorted(CAP)))
    n_paslon = draw(st.integers(2, 5))
    codes = draw(tps_codes())
    # A different pemilih_dpt_l on every TPS: no two records are identical (P007).
    dpt_ls = draw(st.lists(st.integers(20, CAP[election] // 2 - 10), min_size=len(codes), max_size=len(codes), unique=True))
    with_regions = draw(st.booleans()) if region_columns is None else region_columns
    as_column = draw(st.booleans()) if in_column is None else in_column
    rows = []
    for code, dpt_l in zip(codes, dpt_ls, strict=True):
        row: dict[str, Any] = {"kode_tps": code}
        if with_regions:
            row.update(kode_prov=code[:2], kode_kabkota=code[:4], kode_kec=code[:6], kode_desa=code[:10])
        if as_column:
            row["jenis_pemilihan"] = election
        row.update(draw(tps_numbers(election, n_paslon, dpt_l)))
        rows.append(row)
    columns = draw(st.permutations(list(rows[0])))
    ids = draw(st.permutations([str(100_000 + 7 * n) for n in range(1, n_paslon + 1)]))
    return Table(election, n_paslon, rows, list(columns), as_column, {n: ids[n - 1] for n in range(1, n_paslon + 1)})


# --- planting one violation ----------------------------------------------------------------------------


@dataclass
class Plant:
    rule: str
    errors: set[Finding]
    """Exactly the error findings the changed form must produce (domain.md §3)."""
    warnings: set[tuple[str, str]]
    """(rule, field) of every warning the changed form gives (on that TPS: the others stay valid)."""


# A005 (Pilkada DPPh/DPTb users) and A013 (needs --dpt) are left to test_rules.py: neither can be broken
# alone on every valid form this module draws.
PLANTABLE = ("A001", "A002", "A003", "A004", "A006", "A007", "A008", "A009", "A010", "A011", "A012")


def plant(draw: st.DrawFn, rule: str, row: dict[str, Any], pilkada: bool) -> Plant:
    """Break `rule` on `row` (in place) so that no other error rule is touched, or, where the rules
    overlap by definition (on a form whose A003 and A004 hold, a broken A012 means a broken A009),
    exactly the documented set."""
    k = row["kode_tps"]
    errors: set[Finding]
    warnings: set[tuple[str, str]] = set()
    if rule == "A001":
        # Registered disabled men up by d (still ≤ the registered men): only the J box disagrees.
        base = "pemilih_total_l" if pilkada else "pemilih_dpt_l"
        d = draw(st.integers(1, row[base] - row["pemilih_disabilitas_l"]))
        row["pemilih_disabilitas_l"] += d
        errors = {("A001", k, "pemilih_disabilitas_j", row["pemilih_disabilitas_l"] + row["pemilih_disabilitas_p"], row["pemilih_disabilitas_j"])}
    elif rule == "A002":
        d = draw(st.integers(1, 50))
        row["pemilih_total_l"] += d
        row["pemilih_total_j"] += d
        errors = {
            ("A002", k, f"pemilih_total_{s}", row[f"pemilih_total_{s}"] - d, row[f"pemilih_total_{s}"]) for s in "lj"
        }
    elif rule == "A003":
        # More DPT users (still ≤ DPT), the users' total left as it was.
        d = draw(st.integers(1, row["pemilih_dpt_l"] - row["pengguna_dpt_l"]))
        row["pengguna_dpt_l"] += d
        row["pengguna_dpt_j"] += d
        errors = {("A003", k, f"pengguna_total_{s}", row[f"pengguna_total_{s}"] + d, row[f"pengguna_total_{s}"]) for s in "lj"}
    elif rule == "A004":
        # Move d registered voters from P to L (J unchanged) until P has fewer than its users.
        # Registered disabled voters go to 0 so that A011 keeps holding against the smaller P.
        d = draw(st.integers(row["pemilih_dpt_p"] - row["pengguna_dpt_p"] + 1, row["pemilih_dpt_p"]))
        groups = ["pemilih_dpt", "pemilih_total"] if pilkada else ["pemilih_dpt"]
        for g in groups:
            row[f"{g}_l"] += d
            row[f"{g}_p"] -= d
        _triple(row, "pemilih_disabilitas", 0, 0)
        errors = {("A004", k, "pengguna_dpt_p", row["pemilih_dpt_p"], row["pengguna_dpt_p"])}
    elif rule == "A006":
        n = draw(st.integers(1, sum(1 for c in row if c.startswith("suara_paslon_"))))
        c = f"suara_paslon_{n}"
        d = draw(st.integers(-row[c], 20).filter(lambda x: x != 0))
        row[c] += d
        errors = {("A006", k, "suara_sah", row["suara_sah"] + d, row["suara_sah"])}
    elif rule == "A007":
        d = draw(st.integers(-row["suara_tidak_sah"], 20).filter(lambda x: x != 0))
        row["suara_tidak_sah"] += d
        errors = {("A007", k, "suara_total", row["suara_sah"] + row["suara_tidak_sah"], row["suara_total"])}
    elif rule == "A008":
        # Ballots moved between used and unused: A010 still holds.
        d = draw(st.integers(-row["ss_digunakan"], row["ss_sisa"]).filter(lambda x: x != 0))
        row["ss_digunakan"] += d
        row["ss_sisa"] -= d
        errors = {("A008", k, "ss_digunakan", row["pengguna_total_j"], row["ss_digunakan"])}
    elif rule == "A009":
        # Fewer votes in the box than voters, the box itself consistent (A006, A007 hold).
        if row["suara_tidak_sah"] >= 1:
            d = draw(st.integers(1, row["suara_tidak_sah"]))
            row["suara_tidak_sah"] -= d
        else:
            n = max(range(1, 21), key=lambda i: row.get(f"suara_paslon_{i}", -1))
            d = draw(st.integers(1, row[f"suara_paslon_{n}"]))
            row[f"suara_paslon_{n}"] -= d
            row["suara_sah"] -= d
        row["suara_total"] -= d
        errors = {("A009", k, "suara_total", row["pengguna_total_j"], row["suara_total"])}
    elif rule == "A010":
        d = draw(st.integers(-row["ss_rusak"], 20).filter(lambda x: x != 0))
        row["ss_rusak"] += d
        errors = {("A010", k, "ss_diterima", row["ss_digunakan"] + row["ss_rusak"] + row["ss_sisa"], row["ss_diterima"])}
    elif rule == "A011":
        d = row["pengguna_total_l"] - row["pengguna_disabilitas_l"] + draw(st.integers(1, 5))
        row["pengguna_disabilitas_l"] += d
        row["pengguna_disabilitas_j"] += d
        errors = {
            ("A011", k, f"pengguna_disabilitas_{s}", row[f"pengguna_total_{s}"], row[f"pengguna_disabilitas_{s}"])
            for s in "lj"
            if row[f"pengguna_disabilitas_{s}"] > row[f"pengguna_total_{s}"]
        }
    elif rule == "A012":
        # More votes (valid + invalid, consistent) than anyone could cast. On a form whose users add up
        # (A003) and stay within the DPT (A004), votes = users (A009) can never exceed that bound, so
        # A012 cannot fire alone: the documented set is A012 and A009, both on suara_total. Turnout is
        # then above 100 %: P004 and P006 fire too (warnings).
        extra = ("pengguna_dpph_j", "pengguna_dptb_j") if pilkada else ("pengguna_dptb_j", "pengguna_non_dpt_j")
        bound = row["pemilih_dpt_j"] + sum(row[c] for c in extra)
        d = bound - row["suara_total"] + draw(st.integers(1, 50))
        row["suara_tidak_sah"] += d
        row["suara_total"] += d
        errors = {
            ("A012", k, "suara_total", bound, row["suara_total"]),
            ("A009", k, "suara_total", row["pengguna_total_j"], row["suara_total"]),
        }
        warnings = {("P004", "suara_total"), ("P006", "suara_total")}
    else:  # pragma: no cover
        raise AssertionError(rule)
    assert errors and max(v for v in row.values() if isinstance(v, int)) <= 999 and min(
        v for v in row.values() if isinstance(v, int)) >= 0
    return Plant(rule, errors, warnings)


@st.composite
def planted_tables(draw: st.DrawFn) -> tuple[Table, int, Plant]:
    table = draw(valid_tables())
    rules = [r for r in PLANTABLE if table.pilkada or r != "A002"]
    rule = draw(st.sampled_from(rules))
    at = draw(st.integers(0, len(table.rows) - 1))
    return table, at, plant(draw, rule, table.rows[at], table.pilkada)


# --- writers for every input format ---------------------------------------------------------------------


def write_csv(path: Path, table: Table, rows: list[dict[str, Any]] | None = None) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=table.columns)
        w.writeheader()
        w.writerows(table.rows if rows is None else rows)
    return path


def _arrow(table: Table, rows: list[dict[str, Any]]) -> pa.Table:
    return pa.table({
        c: pa.array([r.get(c) for r in rows], type=pa.int64() if c in NUMERIC_COLUMNS else pa.string())
        for c in table.columns
    })


def write_parquet(path: Path, table: Table, rows: list[dict[str, Any]] | None = None) -> Path:
    pq.write_table(_arrow(table, table.rows if rows is None else rows), path)
    return path


def write_xlsx(path: Path, table: Table, rows: list[dict[str, Any]] | None = None) -> Path:
    write_staff_xlsx(_arrow(table, table.rows if rows is None else rows), path)
    return path


def write_sirekap(path: Path, table: Table, rows: list[dict[str, Any]] | None = None) -> Path:
    """Wrapper records as a scraper saves them: the votes under `chart` by candidate id (with Sirekap's
    stray "null" key), every other count under `administrasi`, the race in the url."""
    lines = []
    for r in table.rows if rows is None else rows:
        k = r["kode_tps"]
        chart: dict[str, Any] = {"null": None}
        chart.update({table.paslon_ids[n]: r[f"suara_paslon_{n}"] for n in range(1, table.n_paslon + 1)})
        admin = {c: r[c] for c in table.numeric() if not c.startswith("suara_paslon_")}
        url = f"https://sirekap-obj-data.kpu.go.id/pemilu/hhcw/{table.election}/{k[:2]}/{k[:4]}/{k[:6]}/{k[:10]}/{k}.json"
        data = {"mode": "hhcw", "chart": chart, "administrasi": admin, "psu": None, "ts": "2024-02-15 12:00:00"}
        lines.append(json.dumps({"kode_tps": k, "url": url, "data": data}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


WRITERS = {"csv": write_csv, "xlsx": write_xlsx, "parquet": write_parquet, "json": write_sirekap}
EXTENSION = {"csv": "csv", "xlsx": "xlsx", "parquet": "parquet", "json": "jsonl"}


def session(
    tmp: Path, paths: list[Path], table: Table, errors_only: bool = False
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Findings and recap rows of one DuckDB session over `paths` (the library path of `rekap run`;
    with `errors_only` the error rules only, as `rekap aggregate` runs them for n_tps_error)."""
    con = duckdb.connect()
    try:
        paslon = {i: n for n, i in table.paslon_ids.items()}
        ds = load_dataset(con, [str(p) for p in paths], str(tmp), LoadOptions(paslon=paslon))
        rules = [r for r in data_rules() if r.severity == "error"] if errors_only else None
        report = validate(ds, rules=rules, election=table.election)
        assert report.rows_read == len(table.rows) == report.rows_used
        findings = report.findings.to_pylist()
        aggregate(con, list(LEVELS_UP))
        cur = con.execute("SELECT * FROM rk_recap")
        names = [d[0] for d in cur.description]
        recap = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        return findings, recap
    finally:
        con.close()


def blank_some(draw: st.DrawFn, table: Table) -> None:
    """Empty a few count cells (empty is not 0: skipped in sums, rules not applicable)."""
    for row in table.rows:
        for c in draw(st.lists(st.sampled_from(table.numeric()), max_size=2, unique=True)):
            row[c] = None


# --- 1. valid tables: no finding at all -------------------------------------------------------------------


@examples(6)
@given(table=valid_tables())
def test_a_valid_table_has_no_finding_at_all(tmp_path: Path, table: Table) -> None:
    src = write_csv(tmp_path / "valid.csv", table)
    res = run_cli(["validate", str(src), "-q", "-f", "jsonl", "--fail-on", "info", *table.cli_args()])
    findings = [json.loads(line) for line in res.stdout.splitlines()]
    assert findings == [], findings
    assert res.code == 0, res.stderr


# --- 2. one planted violation: found exactly, nowhere else ------------------------------------------------


@examples(10)
@given(case=planted_tables())
def test_a_planted_violation_is_found_by_its_rule_on_its_tps_only(tmp_path: Path, case: tuple[Table, int, Plant]) -> None:
    table, at, planted = case
    src = write_csv(tmp_path / "planted.csv", table)
    res = run_cli(["validate", str(src), "-q", "-f", "jsonl", "--fail-on", "never", *table.cli_args()])
    assert res.code == 0, res.stderr
    findings = [json.loads(line) for line in res.stdout.splitlines()]
    errors = [f for f in findings if f["severity"] == "error"]
    got = {(f["rule"], f["kode_wilayah"], f["field"], f["expected"], f["actual"]) for f in errors}
    assert got == planted.errors
    assert len(errors) == len(planted.errors)  # one finding per rule and box
    for f in errors:
        assert f["selisih"] == f["actual"] - f["expected"] and f["level"] == "tps"
        assert f["row"] == at + 2 and f["source"] == str(src)  # header = row 1
    warnings = {(f["rule"], f["kode_wilayah"], f["field"]) for f in findings if f["severity"] != "error"}
    assert warnings == {(r, table.rows[at]["kode_tps"], fld) for r, fld in planted.warnings}


# --- 3. the recap: every unit, every level, several files = one file --------------------------------------


def root_level(table: Table) -> str:
    """The level of the data's root (rekap.scope): the smallest recap unit holding every TPS; nothing above
    it is listed (a partial sum that would look complete)."""
    for level in ("kecamatan", "kabkota", "provinsi"):
        if len({row["kode_tps"][: PREFIX[level]] for row in table.rows}) == 1:
            return level
    return "nasional"


def oracle(table: Table) -> dict[tuple[str, str], dict[str, Any]]:
    """The recap of domain.md §4 computed in Python: per level and unit, n_tps, n_tps_suara,
    n_tps_administrasi and the sum of every count column (empty cells skipped; None if all empty)."""
    top = max(LEVELS_UP.index(TOP_LEVEL[table.election]), LEVELS_UP.index(root_level(table)))
    out: dict[tuple[str, str], dict[str, Any]] = defaultdict(lambda: {"n_tps": 0, "n_tps_suara": 0, "n_tps_administrasi": 0})
    for row in table.rows:
        for level in LEVELS_UP[top:]:
            unit = out[(level, row["kode_tps"][: PREFIX[level]] or "00")]
            unit["n_tps"] += 1
            unit["n_tps_suara"] += any(row.get(c) is not None for c in VOTE_DATA_COLUMNS)
            unit["n_tps_administrasi"] += any(row.get(c) is not None for c in ADMIN_COLUMNS)
            for c in table.numeric():
                if row[c] is not None:
                    unit[c] = (unit.get(c) or 0) + row[c]
                else:
                    unit.setdefault(c, None)
    return dict(out)


@st.composite
def split_tables(draw: st.DrawFn) -> tuple[Table, list[tuple[str, list[int]]]]:
    """A table (with up to 3 planted violations and a few empty cells) and a split of its rows into
    2–4 files of random formats."""
    table = draw(valid_tables(region_columns=False, in_column=False))
    for at in draw(st.lists(st.integers(0, len(table.rows) - 1), max_size=3, unique=True)):
        rule = draw(st.sampled_from([r for r in PLANTABLE if table.pilkada or r != "A002"]))
        plant(draw, rule, table.rows[at], table.pilkada)
    blank_some(draw, table)
    order = draw(st.permutations(range(len(table.rows))))
    n_files = draw(st.integers(2, 4))
    cuts = sorted(draw(st.lists(st.integers(0, len(order)), min_size=n_files - 1, max_size=n_files - 1)))
    parts = [list(order[a:b]) for a, b in zip([0, *cuts], [*cuts, len(order)], strict=True)]
    formats = draw(st.lists(st.sampled_from(sorted(WRITERS)), min_size=n_files, max_size=n_files))
    return table, [(fmt, part) for fmt, part in zip(formats, parts, strict=True) if part]


def strip_recap(recap: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["level"], r["kode_wilayah"]): {k: v for k, v in r.items() if k not in ("level", "kode_wilayah")} for r in recap}


@examples(4)
@given(case=split_tables())
def test_recap_of_several_files_equals_one_file_and_every_unit_its_children(
    tmp_path: Path, case: tuple[Table, list[tuple[str, list[int]]]]
) -> None:
    table, parts = case
    one_findings, one = session(tmp_path, [write_csv(tmp_path / "all.csv", table)], table, errors_only=True)
    paths = [
        WRITERS[fmt](tmp_path / f"part{i}.{EXTENSION[fmt]}", table, [table.rows[j] for j in rows])
        for i, (fmt, rows) in enumerate(parts)
    ]
    many_findings, many = session(tmp_path, paths, table, errors_only=True)

    # Several files of any format are one dataset: the same recap, row for row, and the same findings.
    assert many == one
    key = ("rule", "kode_wilayah", "field", "expected", "actual")
    assert sorted(tuple(f[k] for k in key) for f in many_findings) == sorted(tuple(f[k] for k in key) for f in one_findings)

    # Every unit at every level equals the independent computation, and nothing else is listed.
    want = oracle(table)
    got = strip_recap(one)
    assert set(got) == set(want)
    for unit, sums in want.items():
        assert {k: got[unit][k] for k in sums} == sums, unit
    assert {s["jenis_pemilihan"] for s in got.values()} == {table.election}

    # Rollup: each unit is the sum of its children one level down; every level has the same total.
    top = max(LEVELS_UP.index(TOP_LEVEL[table.election]), LEVELS_UP.index(root_level(table)))
    counted = ["n_tps", "n_tps_suara", "n_tps_administrasi", "n_tps_error", *table.numeric()]
    for parent_level, child_level in zip(LEVELS_UP[top:], LEVELS_UP[top + 1 :], strict=False):
        for (level, kode), sums in got.items():
            if level != parent_level:
                continue
            children = [s for (lv, k), s in got.items() if lv == child_level and k.startswith(kode if kode != "00" else "")]
            assert children
            for c in counted:
                values = [s[c] for s in children if s[c] is not None]
                assert sums[c] == (sum(values) if values else None), (level, kode, c)
    n_errors = len({(f["source"], f["row"]) for f in one_findings if f["severity"] == "error" and f["level"] == "tps"})
    assert sum(s["n_tps_error"] for (lv, _), s in got.items() if lv == LEVELS_UP[top]) == n_errors


# --- 4. one dataset in every input format: the same findings and the same recap ---------------------------


@st.composite
def format_tables(draw: st.DrawFn) -> Table:
    table = draw(valid_tables(region_columns=False, in_column=False))
    for at in draw(st.lists(st.integers(0, len(table.rows) - 1), min_size=1, max_size=3, unique=True)):
        rule = draw(st.sampled_from([r for r in PLANTABLE if table.pilkada or r != "A002"]))
        plant(draw, rule, table.rows[at], table.pilkada)
    blank_some(draw, table)
    return table


@examples(3)
@given(table=format_tables())
def test_csv_xlsx_parquet_and_sirekap_json_give_the_same_findings_and_recap(tmp_path: Path, table: Table) -> None:
    key = ("rule", "severity", "level", "kode_wilayah", "field", "expected", "actual", "selisih")
    results = {}
    for fmt, writer in WRITERS.items():
        findings, recap = session(tmp_path, [writer(tmp_path / f"tps.{EXTENSION[fmt]}", table)], table)
        rows = [f["row"] for f in findings]
        # Row numbers differ per format (JSON Lines: the line; spreadsheets: below the title rows), but
        # each finding still points at a row of its file.
        assert all(r is not None for r in rows)
        results[fmt] = (sorted(tuple(f[k] for k in key) for f in findings), strip_recap(recap))
    assert results["csv"][0], "a planted violation must give at least one finding"
    for fmt in ("xlsx", "parquet", "json"):
        assert results[fmt][0] == results["csv"][0], fmt
        assert results[fmt][1] == results["csv"][1], fmt
