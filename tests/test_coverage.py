"""Completeness against the region list: `load_master`'s expected TPS, the K rules and `coverage()`.

Inline minimal tables for each rule (fires / does not fire), then the real KPU list and Pilpres data
(skipped when ../shared/data/real is absent).
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import real_file

from rekap import Session
from rekap.aggregate.coverage import COVERAGE_COLUMNS, coverage
from rekap.errors import UsageError
from rekap.io import load_dataset
from rekap.io.master import load_master
from rekap.validate.catalogue import select_rules
from rekap.validate.typing import prepare

HEADER = ["kode", "level", "level_name", "nama", "nama_raw", "parent_kode", "tps_max_no", "tps_ext_from", "tps_ext_to", "n_tps"]

# A small KPU-format list: DKI with two kab/kota, three kecamatan, four desa, and two overseas units.
KPU_ROWS: list[list[Any]] = [
    ["31", 1, "provinsi", "DKI JAKARTA", "", "", "", "", "", 12],
    ["3171", 2, "kabkota", "JAKARTA PUSAT", "", "31", "", "", "", 8],
    ["317101", 3, "kecamatan", "GAMBIR", "", "3171", "", "", "", 6],
    ["3171011001", 4, "desa", "GAMBIR", "", "317101", 3, "", "", 3],
    ["3171011002", 4, "desa", "CIDENG", "", "317101", 2, 901, 901, 3],
    ["3171011002", 4, "desa", "CIDENG", "", "317101", 2, 901, 901, 3],  # listed twice, as in the wild
    ["317102", 3, "kecamatan", "SAWAH BESAR", "", "3171", "", "", "", 2],
    ["3171021001", 4, "desa", "PASAR BARU", "", "317102", 2, "", "", 2],
    ["3172", 2, "kabkota", "JAKARTA UTARA", "", "31", "", "", "", 4],
    ["317201", 3, "kecamatan", "PENJARINGAN", "", "3172", "", "", "", 4],
    ["3172011001", 4, "desa", "PENJARINGAN", "", "317201", 4, "", "", 4],
    ["99", 1, "provinsi", "LUAR NEGERI", "", "", "", "", "", 1],
    ["9901", 2, "kabkota", "BRUNEI", "", "99", "", "", "", 1],
    ["990101", 3, "kecamatan", "KBRI", "", "9901", "", "", "", 1],
    ["9901010001", 4, "desa", "TPS", "", "990101", 2, "", "", 2],
    ["9901010002", 4, "desa", "POS", "", "990101", -5, "", "", -5],
]
DOMESTIC = [f"3171011001{n:03d}" for n in (1, 2, 3)] + ["3171011002001", "3171011002002", "3171011002901"] + [
    "3171021001001", "3171021001002"] + [f"3172011001{n:03d}" for n in (1, 2, 3, 4)]


def write_master(tmp_path: Path, rows: list[list[Any]] = KPU_ROWS) -> Path:
    path = tmp_path / "wilayah.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        w.writerows(rows)
    return path


def write_kemendagri(tmp_path: Path) -> Path:
    path = tmp_path / "kemendagri.csv"
    path.write_text(
        "kode,kode_dotted,level,nama,parent_kode\n31,31,1,DKI Jakarta,\n3171,31.71,2,Kota Jakarta Pusat,31\n"
        "317101,31.71.01,3,Gambir,3171\n3171011001,31.71.01.1001,4,Gambir,317101\n",
        encoding="utf-8",
    )
    return path


def tps_row(kode: str, i: int = 0) -> dict[str, Any]:
    # Numbers vary per TPS so that no other rule has a reason to fire.
    return {"kode_tps": kode, "pemilih_dpt_j": 200 + i, "suara_paslon_1": 50 + i, "suara_paslon_2": 60, "suara_sah": 110 + i}


def run(tmp_path: Path, codes: list[str], master: Path | None, select: list[str] | None = None,
        lang: str = "en") -> tuple[list[dict[str, Any]], dict[str, Any]]:
    path = tmp_path / "tps.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(tps_row("x")))
        w.writeheader()
        w.writerows(tps_row(k, i) for i, k in enumerate(codes))
    s = Session(tmpdir=tmp_path, lang=lang)
    s.load([path])
    report = s.validate(rules=select_rules(select or ["K"], None), master=master)
    return report.findings.to_pylist(), {"na": report.not_applicable, "con": s.con}


def found(findings: list[dict[str, Any]], rule: str) -> list[tuple[str, str]]:
    return [(f["level"], f["kode_wilayah"]) for f in findings if f["rule"] == rule]


# --- load_master -------------------------------------------------------------------------------


def test_load_master_expands_tps_numbers_and_units(tmp_path: Path) -> None:
    con = duckdb.connect()
    info = load_master(con, write_master(tmp_path))
    assert info.has_tps and info.expected_tps == len(DOMESTIC) + 3
    rows = con.execute("SELECT kode_tps, kode_desa FROM rk_expected_tps ORDER BY kode_tps").fetchall()
    # The desa listed twice gives its TPS once; 901 is the special range; overseas -5 is one TPS numbered 005.
    assert [r[0] for r in rows] == sorted([*DOMESTIC, "9901010001001", "9901010001002", "9901010002005"])
    assert all(k.startswith(d) and len(k) == 13 for k, d in rows)
    units = con.execute("SELECT kode, level, nama, parent_kode FROM rk_master_units ORDER BY kode").fetchall()
    assert len(units) == len({r[0] for r in KPU_ROWS})
    assert ("3171011002", "desa", "CIDENG", "317101") in units
    assert ("31", "provinsi", "DKI JAKARTA", None) in units
    assert {u[1] for u in units} == {"provinsi", "kabkota", "kecamatan", "desa"}
    assert info.codes == len({r[0] for r in KPU_ROWS})


def test_kemendagri_list_has_no_tps_expectations(tmp_path: Path) -> None:
    con = duckdb.connect()
    load_master(con, write_master(tmp_path))
    info = load_master(con, write_kemendagri(tmp_path))
    assert not info.has_tps and info.codes == 4
    # A list without TPS numbers must not leave an earlier list's expectations behind.
    assert not con.execute("SELECT 1 FROM duckdb_tables() WHERE table_name = 'rk_expected_tps'").fetchall()
    assert len(con.execute("SELECT * FROM rk_master_units").fetchall()) == 4


# --- K001 --------------------------------------------------------------------------------------


def test_k001_lists_the_missing_tps_of_the_kecamatan_the_data_touches(tmp_path: Path) -> None:
    codes = [k for k in DOMESTIC if k.startswith("317101") and k != "3171011001002"]
    findings, _ = run(tmp_path, codes, write_master(tmp_path))
    k001 = [f for f in findings if f["rule"] == "K001"]
    # Only kecamatan 317101 is recapped: the other kecamatan's TPS are not "missing".
    assert [(f["level"], f["kode_wilayah"], f["field"], f["source"], f["row"]) for f in k001] == [
        ("tps", "3171011001002", "kode_tps", None, None)]
    assert k001[0]["severity"] == "warning"
    assert "expected by the region list (desa GAMBIR) but absent" in k001[0]["message"]


def test_k001_silent_on_a_complete_kecamatan(tmp_path: Path) -> None:
    findings, _ = run(tmp_path, [k for k in DOMESTIC if k.startswith("317101")], write_master(tmp_path))
    assert findings == []


def test_k001_whole_missing_desa_of_a_touched_kecamatan(tmp_path: Path) -> None:
    codes = [k for k in DOMESTIC if k.startswith("3171011001")]
    findings, _ = run(tmp_path, codes, write_master(tmp_path))
    assert found(findings, "K001") == [("tps", "3171011002001"), ("tps", "3171011002002"), ("tps", "3171011002901")]
    # The desa itself is also reported, with its coverage.
    assert ("desa", "3171011002") in found(findings, "K003")


# --- K002 --------------------------------------------------------------------------------------


def test_k002_tps_number_outside_the_list(tmp_path: Path) -> None:
    codes = [*DOMESTIC, "3171011001004", "3171011002902", "3171011999001", "9901010001009", "3171011001000"]
    findings, _ = run(tmp_path, codes, write_master(tmp_path), select=["K", "S005", "S006"])
    k002 = [f for f in findings if f["rule"] == "K002"]
    assert [(f["kode_wilayah"], f["row"]) for f in k002] == [("3171011001004", 14), ("3171011002902", 15)]
    assert k002[0]["message"] == "kode_tps: TPS not expected by the region list (desa GAMBIR: the list has TPS 001–003)"
    assert k002[1]["message"].endswith("(desa CIDENG: the list has TPS 001–002, 901)")
    assert k002[0]["source"] is not None
    # An unknown desa is S006's finding, not K002's; overseas TPS (9901010001009) are not checked.
    assert found(findings, "S006") == [("tps", "3171011999001")]
    # TPS number 000 is a malformed code: S005's, not K002's.
    assert found(findings, "S005") == [("tps", "3171011001000")]
    assert found(findings, "K001") == [] and found(findings, "K003") == []


def test_k002_and_s006_leave_codes_without_13_digits_to_s005(tmp_path: Path) -> None:
    """A code that is not 13 digits is S005's only. K002 and S006 match the 13-digit pattern only when some code
    lacks it (`odd_codes`): here one does, and a known desa's prefix must not make it a K002 or S006 finding."""
    codes = [*DOMESTIC, "317101100100", "31990110010"]
    findings, _ = run(tmp_path, codes, write_master(tmp_path), select=["K002", "S005", "S006"])
    assert found(findings, "K002") == [] and found(findings, "S006") == []
    assert found(findings, "S005") == [("tps", "317101100100"), ("tps", "31990110010")]


def test_k002_silent_for_listed_and_special_tps(tmp_path: Path) -> None:
    findings, _ = run(tmp_path, DOMESTIC, write_master(tmp_path))
    assert findings == []


# --- K003 --------------------------------------------------------------------------------------


def test_k003_reports_incomplete_units_inside_the_root(tmp_path: Path) -> None:
    # Kecamatan 317101 complete, 317102 absent, 317201 half: the data spans two kab/kota, so it is read
    # as the recap of province 31.
    codes = [k for k in DOMESTIC if k.startswith("317101")] + ["3172011001001", "3172011001003"]
    findings, _ = run(tmp_path, codes, write_master(tmp_path))
    k003 = {(f["level"], f["kode_wilayah"]): (f["expected"], f["actual"], f["selisih"]) for f in findings if f["rule"] == "K003"}
    assert k003 == {
        ("provinsi", "31"): (12, 8, -4),
        ("kabkota", "3171"): (8, 6, -2),
        ("kecamatan", "317102"): (2, 0, -2),  # missing entirely: reported once, not per desa
        ("kabkota", "3172"): (4, 2, -2),
        ("kecamatan", "317201"): (4, 2, -2),
        ("desa", "3172011001"): (4, 2, -2),
    }
    msg = next(f["message"] for f in findings if f["rule"] == "K003" and f["kode_wilayah"] == "31")
    assert msg == "n_tps: 8 of 12 expected TPS received (66.6 %; DKI JAKARTA)"
    assert all(f["severity"] == "info" and f["source"] is None and f["row"] is None for f in findings if f["rule"] == "K003")
    # K001 only inside touched kecamatan: 317201's two missing TPS, none of 317102's.
    assert found(findings, "K001") == [("tps", "3172011001002"), ("tps", "3172011001004")]


def test_k003_complete_recap_has_no_noise_and_units_above_are_not_reported(tmp_path: Path) -> None:
    # All of kab/kota 3171: complete; its province (above the data's own unit) is not reported.
    findings, _ = run(tmp_path, [k for k in DOMESTIC if k.startswith("3171")], write_master(tmp_path))
    assert findings == []


def test_k003_indonesian_message(tmp_path: Path) -> None:
    codes = [k for k in DOMESTIC if k.startswith("317101") and k != "3171011001002"]
    findings, _ = run(tmp_path, codes, write_master(tmp_path), lang="id")
    msg = next(f["message"] for f in findings if f["rule"] == "K003" and f["level"] == "kecamatan")
    assert msg == "n_tps: 5 dari 6 TPS yang diharapkan sudah masuk (83,3 %; GAMBIR)"


def test_k_rules_ignore_overseas_data(tmp_path: Path) -> None:
    findings, _ = run(tmp_path, ["9901010001001"], write_master(tmp_path))
    assert findings == []


# --- not applicable ----------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["none", "kemendagri"])
def test_k_rules_not_applicable_without_tps_numbers(tmp_path: Path, which: str) -> None:
    master = None if which == "none" else write_kemendagri(tmp_path)
    findings, extra = run(tmp_path, ["3171011001001"], master, lang="id")
    assert findings == []
    na = extra["na"]
    assert set(na) == {"K001", "K002", "K003"}
    if which == "none":
        assert na["K001"].text("en") == "no region list given (--master)"
    else:
        assert "Kemendagri" in na["K002"].text("en") and "Kemendagri" in na["K002"].text("id")


def test_findings_without_source_sort_after_sourced_ones(tmp_path: Path) -> None:
    codes = [k for k in DOMESTIC if k.startswith("317101") and k not in ("3171011001002", "3171011002001")]
    codes += ["3171011001009"]
    findings, _ = run(tmp_path, codes, write_master(tmp_path))
    assert [f["rule"] for f in findings] == ["K002", "K001", "K001", "K003", "K003"]
    # Desa 3171011001 has as many TPS as expected (one of them on a number the list does not have: K002, with
    # K001 for the number it lacks), so K003 counts it complete; desa 3171011002 and its kecamatan are not.
    assert [f["kode_wilayah"] for f in findings[3:]] == ["317101", "3171011002"]


# --- coverage() --------------------------------------------------------------------------------


def coverage_rows(tmp_path: Path, codes: list[str], master: Path) -> list[tuple[Any, ...]]:
    path = tmp_path / "cov.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(tps_row("x")))
        w.writeheader()
        w.writerows(tps_row(k, i) for i, k in enumerate(codes))
    con = duckdb.connect()
    ds = load_dataset(con, [str(path)], str(tmp_path))
    prepare(ds)
    load_master(con, master)
    table = coverage(con)
    assert table == "rk_coverage"
    assert [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()] == list(COVERAGE_COLUMNS)
    types = {r[0]: r[1] for r in con.execute(f"DESCRIBE {table}").fetchall()}
    assert types["n_tps_expected"] == "BIGINT" and types["n_tps"] == "BIGINT" and types["persen"] == "DOUBLE"
    return con.execute(f"SELECT * FROM {table}").fetchall()


def test_coverage_lists_every_unit_in_scope_top_down(tmp_path: Path) -> None:
    # One overseas TPS beside the DKI ones: the data spans two "provinces", so its scope is the country.
    codes = ["3171011001001", "3171011001003", "3171011002001", "9901010001001"]
    rows = coverage_rows(tmp_path, codes, write_master(tmp_path))
    # level, code, name, expected, TPS in the data (summed), missing, not on the list, percent
    assert rows == [
        ("nasional", "00", "NASIONAL", 12, 4, 9, 1, 25.0),  # the overseas TPS is summed, not expected
        ("provinsi", "31", "DKI JAKARTA", 12, 3, 9, 0, 25.0),
        ("provinsi", "99", "LUAR NEGERI", None, 1, None, 1, None),  # the list cannot say what to expect
        ("kabkota", "3171", "JAKARTA PUSAT", 8, 3, 5, 0, 37.5),
        ("kabkota", "3172", "JAKARTA UTARA", 4, 0, 4, 0, 0.0),
        ("kabkota", "9901", "BRUNEI", None, 1, None, 1, None),
        ("kecamatan", "317101", "GAMBIR", 6, 3, 3, 0, 50.0),
        ("kecamatan", "317102", "SAWAH BESAR", 2, 0, 2, 0, 0.0),
        ("kecamatan", "317201", "PENJARINGAN", 4, 0, 4, 0, 0.0),
        ("kecamatan", "990101", "KBRI", None, 1, None, 1, None),
        ("desa", "3171011001", "GAMBIR", 3, 2, 1, 0, 66.6),  # truncated: never 100 while incomplete
        ("desa", "3171011002", "CIDENG", 3, 1, 2, 0, 33.3),
        ("desa", "3171021001", "PASAR BARU", 2, 0, 2, 0, 0.0),
        ("desa", "3172011001", "PENJARINGAN", 4, 0, 4, 0, 0.0),
        ("desa", "9901010001", "TPS", None, 1, None, 1, None),
    ]
    for _level, _code, _name, expected, n_tps, missing, unexpected, _pct in rows:
        if expected is not None:
            assert n_tps == expected - missing + unexpected


def test_coverage_of_two_kabkota_includes_units_with_nothing_received(tmp_path: Path) -> None:
    rows = coverage_rows(tmp_path, ["3171011001001", "3172011001001"], write_master(tmp_path))
    by_key = {(r[0], r[1]): r[3:5] for r in rows}
    assert by_key[("kecamatan", "317102")] == (2, 0)
    assert by_key[("desa", "3171021001")] == (2, 0)
    # The data is DKI's (its root): the province is the top row; the nation is not listed (issue 10, case 6).
    assert [r[0] for r in rows] == ["provinsi", "kabkota", "kabkota", "kecamatan", "kecamatan", "kecamatan",
                                    "desa", "desa", "desa", "desa"]


def test_one_kabkota_of_data_is_that_kabkota_s_coverage(tmp_path: Path) -> None:
    rows = coverage_rows(tmp_path, ["3171011001001", "3171021001001"], write_master(tmp_path))
    assert rows[0][:5] == ("kabkota", "3171", "JAKARTA PUSAT", 8, 2)
    assert {r[0] for r in rows} == {"kabkota", "kecamatan", "desa"}


def test_scope_follows_the_data_and_the_list_in_one_connection(tmp_path: Path) -> None:
    """What is received and in scope is built once and reused (K rules, coverage, expected counts);
    new data or a new list in the same connection must not see the old tables."""
    def data(name: str, codes: list[str]) -> str:
        path = tmp_path / name
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=list(tps_row("x")))
            w.writeheader()
            w.writerows(tps_row(k, i) for i, k in enumerate(codes))
        return str(path)

    s = Session(tmpdir=tmp_path)
    con = s.con
    master = write_master(tmp_path)
    s.load([data("a.csv", ["3171011001001"])])
    s.validate(rules=select_rules(["K"], None), master=master)
    s.coverage()
    top = "SELECT level, n_tps FROM rk_coverage LIMIT 1"
    first = con.execute(top).fetchall()
    s.load([data("b.csv", ["3171011001001", "3171011001002", "3172011001001"])])
    report = s.validate(rules=select_rules(["K"], None), master=master)
    s.coverage()
    second = con.execute(top).fetchall()
    # One kecamatan's data, then two kab/kota's: the root (and the top row) follows the data.
    assert (first, second) == ([("kecamatan", 1)], [("provinsi", 3)])
    # Both kab/kota touched now: the root is the province, and K003 names JAKARTA UTARA's gaps.
    assert ("kabkota", "3172") in found(report.findings.to_pylist(), "K003")
    # A smaller list in the same connection: the scope tables are rebuilt from it (the TPS of 3172 are
    # still in the data and summed, but the list no longer expects them).
    s.validate(rules=select_rules(["K"], None),
               master=write_master(tmp_path, [r for r in KPU_ROWS if not str(r[0]).startswith("3172")]))
    s.coverage()
    assert con.execute("SELECT n_tps, n_tps_expected, n_tps_unexpected FROM rk_coverage WHERE level = 'provinsi'"
                       ).fetchall() == [(3, 8, 1)]


def test_coverage_needs_tps_numbers(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="tidak memuat nomor TPS"):
        coverage_rows(tmp_path, ["3171011001001"], write_kemendagri(tmp_path))


# --- real data ---------------------------------------------------------------------------------


def kpu_list_independently(path: Path) -> tuple[set[str], Counter[str]]:
    """The expected TPS of the KPU list computed again in Python, and the list's own n_tps per province.

    kawalpemilu's converter (the source of the list) writes an overseas unit with a single TPS
    numbered n as tps_max_no = -n; n_tps copies that negative number.
    """
    expected: set[str] = set()
    n_tps: Counter[str] = Counter()
    with open(path, newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["level"] == "1":
                n_tps[r["kode"]] += int(r["n_tps"])
            if r["level"] != "4":
                continue
            m = int(r["tps_max_no"])
            numbers = [-m] if m < 0 else list(range(1, m + 1))
            if r["tps_ext_from"]:
                numbers += range(int(r["tps_ext_from"]), int(r["tps_ext_to"]) + 1)
            expected |= {f"{r['kode']}{n:03d}" for n in numbers}
    return expected, n_tps


@pytest.mark.real
def test_real_kpu_list_expected_tps() -> None:
    path = real_file("wilayah_kpu_pemilu2024.csv")
    con = duckdb.connect()
    info = load_master(con, path)
    independent, n_tps = kpu_list_independently(path)
    # The list's n_tps adds up to 823,332 (README), but three overseas units carry a negative count
    # (-26, -2, -3: one TPS numbered 26, 2, 3); read as TPS they give 31 + 3 more: 823,366.
    assert sum(n_tps.values()) == 823_332
    assert info.expected_tps == len(independent) == 823_366
    got = {r[0] for r in con.execute("SELECT kode_tps FROM rk_expected_tps").fetchall()}
    assert got == independent
    per_prov = dict(con.execute("SELECT left(kode_tps, 2), count(*) FROM rk_expected_tps GROUP BY 1").fetchall())
    domestic = {p: n for p, n in n_tps.items() if p != "99"}
    assert {p: per_prov[p] for p in domestic} == domestic  # every domestic province reproduces the list's n_tps
    assert sum(domestic.values()) == 820_161
    assert (n_tps["99"], per_prov["99"]) == (3_171, 3_205)
    # No region code is listed twice in this version of the file (the loader would keep it once).
    assert con.execute("SELECT count(*), count(DISTINCT kode) FROM rk_master_units").fetchall() == [(92_089, 92_089)]


def k001_codes(tmp_path: Path, data: Path) -> set[str]:
    with Session(tmpdir=tmp_path) as s:
        s.load([data])
        report = s.validate(rules=select_rules(["K001"], None), master=real_file("wilayah_kpu_pemilu2024.csv"))
        return {f["kode_wilayah"] for f in report.findings.to_pylist()}


@pytest.mark.real
def test_real_dki_removed_tps_are_exactly_the_new_k001(tmp_path: Path) -> None:
    src = real_file("ppwp2024_tps_dki_jakarta.csv")
    baseline = k001_codes(tmp_path, src)
    con = duckdb.connect()
    codes = [r[0] for r in con.execute(
        "SELECT kode_tps FROM read_csv($p, all_varchar = true) ORDER BY kode_tps", {"p": str(src)}).fetchall()]
    removed = {codes[i] for i in range(0, len(codes), len(codes) // 7)}
    removed = set(sorted(removed)[:7])
    assert len(removed) == 7
    reduced = tmp_path / "dki_minus_7.csv"
    con.execute(
        f"""COPY (SELECT * FROM read_csv($p, all_varchar = true)
                  WHERE kode_tps NOT IN ({', '.join(repr(c) for c in sorted(removed))}))
            TO '{reduced}' (HEADER, DELIMITER ',')""",
        {"p": str(src)},
    )
    assert k001_codes(tmp_path, reduced) - baseline == removed
    assert baseline <= k001_codes(tmp_path, reduced)
    assert baseline == set()  # the DKI snapshot has every TPS of the list


@pytest.mark.real
def test_real_national_coverage_matches_readme(tmp_path: Path) -> None:
    src = real_file("ppwp2024_tps_36prov.parquet")
    s = Session(tmpdir=tmp_path)
    con = s.con
    s.load([src])
    report = s.validate(rules=select_rules(["K"], None), master=real_file("wilayah_kpu_pemilu2024.csv"))
    table = s.coverage()
    q = lambda sql: con.execute(sql.format(t=table)).fetchall()  # noqa: E731
    # README: 441,522 of 441,739 domestic TPS of the 35 provinces present, 89 desa missing.
    assert q("SELECT count(*), sum(n_tps_expected), sum(n_tps) FROM {t} WHERE level = 'provinsi' AND n_tps > 0 "
             "AND kode_wilayah <> '99'") == [(35, 441_739, 441_522)]
    # The 2,446 overseas TPS are summed (their own province row, and the nation's n_tps) but not expected:
    # the list's overseas codes are not Sirekap's. The percentage is of the domestic TPS.
    assert q("SELECT n_tps_expected, n_tps, n_tps_unexpected, persen FROM {t} WHERE kode_wilayah = '99'") == [
        (None, 2_446, 2_446, None)]
    assert q("SELECT count(*) FROM {t} WHERE level = 'desa' AND n_tps = 0 AND left(kode_wilayah, 2) NOT IN ('32', '33', '35')") == [(89,)]
    # The data holds the whole country's recap, so the three absent provinces are in scope, at 0.
    assert q("SELECT kode_wilayah, n_tps_expected, n_tps FROM {t} WHERE level = 'provinsi' AND n_tps = 0 ORDER BY 1") == [
        ("32", 140_457, 0), ("33", 117_299, 0), ("35", 120_666, 0)]
    assert q("SELECT n_tps_expected, n_tps, n_tps_missing, n_tps_unexpected, persen FROM {t} WHERE level = 'nasional'") == [
        (820_161, 443_968, 820_161 - 441_522, 2_446, 53.8)]
    # Every unit of the list (38 provinces …) and the overseas units of the data (1 province, 97 cities …).
    assert q("SELECT level, count(*), count(*) FILTER (left(kode_wilayah, 2) = '99') FROM {t} GROUP BY 1 ORDER BY 2") == [
        ("nasional", 1, 0), ("provinsi", 39, 1), ("kabkota", 611, 97), ("kecamatan", 7_374, 97), ("desa", 83_828, 97)]
    # The 217 missing TPS of the present provinces: 142 inside kecamatan that sent something (K001),
    # 75 in three kecamatan that sent nothing (one K003 each, not per TPS).
    findings = report.findings.to_pylist()
    assert report.counts["K001"] == 142
    empty_kec = {(f["kode_wilayah"], f["expected"]) for f in findings
                 if f["rule"] == "K003" and f["level"] == "kecamatan" and f["actual"] == 0}
    assert empty_kec == {("110721", 30), ("950412", 24), ("950429", 21)}
    assert "K002" not in report.counts  # every domestic TPS of the data is on the list
    k003 = {(f["level"], f["kode_wilayah"]): (f["expected"], f["actual"]) for f in findings if f["rule"] == "K003"}
    cov = {(r[0], r[1]): (r[3], r[4]) for r in q("SELECT * FROM {t} WHERE n_tps <> n_tps_expected AND level <> 'nasional'")}
    assert set(k003) <= set(cov) and all(cov[k] == v for k, v in k003.items())
