"""Per rule: a minimal failing and a minimal passing table, built inline."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import duckdb
import pytest

from rekap import Session
from rekap.io import load_dataset
from rekap.validate import validate
from rekap.validate.catalogue import all_rules, select_rules

PEMILU: dict[str, Any] = {
    "kode_tps": "3101011001001",
    "pemilih_dpt_l": 147, "pemilih_dpt_p": 145, "pemilih_dpt_j": 292,
    "pengguna_dpt_l": 107, "pengguna_dpt_p": 125, "pengguna_dpt_j": 232,
    "pengguna_dptb_l": 0, "pengguna_dptb_p": 1, "pengguna_dptb_j": 1,
    "pengguna_non_dpt_l": 0, "pengguna_non_dpt_p": 0, "pengguna_non_dpt_j": 0,
    "pengguna_total_l": 107, "pengguna_total_p": 126, "pengguna_total_j": 233,
    "suara_paslon_1": 83, "suara_paslon_2": 107, "suara_paslon_3": 38,
    "suara_sah": 228, "suara_tidak_sah": 5, "suara_total": 233,
}

PILKADA: dict[str, Any] = {
    "kode_tps": "3578011001001", "jenis_pemilihan": "pkwkp",
    "pemilih_dpt_l": 200, "pemilih_dpt_p": 200, "pemilih_dpt_j": 400,
    "pemilih_dpph_l": 1, "pemilih_dpph_p": 1, "pemilih_dpph_j": 2,
    "pemilih_dptb_l": 1, "pemilih_dptb_p": 0, "pemilih_dptb_j": 1,
    "pemilih_total_l": 202, "pemilih_total_p": 201, "pemilih_total_j": 403,
    "pengguna_dpt_l": 140, "pengguna_dpt_p": 150, "pengguna_dpt_j": 290,
    "pengguna_dpph_l": 1, "pengguna_dpph_p": 0, "pengguna_dpph_j": 1,
    "pengguna_dptb_l": 1, "pengguna_dptb_p": 0, "pengguna_dptb_j": 1,
    "pengguna_total_l": 142, "pengguna_total_p": 150, "pengguna_total_j": 292,
    "pemilih_disabilitas_l": 2, "pemilih_disabilitas_p": 1, "pemilih_disabilitas_j": 3,
    "pengguna_disabilitas_l": 1, "pengguna_disabilitas_p": 1, "pengguna_disabilitas_j": 2,
    "ss_diterima": 410, "ss_digunakan": 292, "ss_rusak": 3, "ss_sisa": 115,
    "suara_paslon_1": 100, "suara_paslon_2": 120, "suara_paslon_3": 60,
    "suara_sah": 280, "suara_tidak_sah": 12, "suara_total": 292,
}


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    fields: list[str] = []
    for r in rows:
        fields += [k for k in r if k not in fields]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
    return path


def run(tmp_path: Path, rows: list[dict[str, Any]], select: list[str] | None = None, lang: str = "id",
        **kw: Any) -> list[dict[str, Any]]:
    path = write_csv(tmp_path / "tps.csv", rows)
    with Session(tmpdir=tmp_path, lang=lang) as s:
        s.load([path])
        report = s.validate(rules=select_rules(select, None), **kw)
        assert report.rows_read == report.rows_used + report.rows_rejected
        return report.findings.to_pylist()


def with_(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**base, **changes}


@pytest.mark.parametrize("base", [PEMILU, PILKADA], ids=["pemilu", "pilkada"])
def test_clean_forms_have_no_findings(tmp_path: Path, base: dict[str, Any]) -> None:
    rows = [with_(base, kode_tps=base["kode_tps"][:10] + f"{i:03d}") for i in range(1, 4)]
    # Vary the numbers a little so that P007 (identical records) has no reason to fire.
    rows[1] = with_(rows[1], suara_paslon_1=rows[1]["suara_paslon_1"] - 1, suara_paslon_2=rows[1]["suara_paslon_2"] + 1)
    rows[2] = with_(rows[2], suara_paslon_1=rows[2]["suara_paslon_1"] - 2, suara_paslon_3=rows[2]["suara_paslon_3"] + 2)
    assert run(tmp_path, rows) == []


CASES: list[tuple[str, dict[str, Any], dict[str, Any], str, int | None]] = [
    # rule, base, changes, field, selisih
    ("A001", PEMILU, {"pemilih_dpt_j": 293}, "pemilih_dpt_j", 1),
    ("A002", PILKADA, {"pemilih_total_j": 410, "ss_diterima": 410}, "pemilih_total_j", 7),
    ("A003", PEMILU, {"pengguna_total_j": 235}, "pengguna_total_j", 2),
    ("A004", PEMILU, {"pengguna_dpt_p": 146, "pengguna_dpt_j": 253, "pengguna_total_p": 147, "pengguna_total_j": 254}, "pengguna_dpt_p", 1),
    ("A005", PILKADA, {"pengguna_dptb_j": 3}, "pengguna_dptb_j", 2),
    ("A006", PEMILU, {"suara_paslon_2": 748}, "suara_sah", -641),
    ("A007", PEMILU, {"suara_tidak_sah": 6}, "suara_total", -1),
    ("A008", PILKADA, {"ss_digunakan": 300, "ss_sisa": 107}, "ss_digunakan", 8),
    ("A009", PEMILU, {"suara_total": 240, "suara_tidak_sah": 12}, "suara_total", 7),
    ("A010", PILKADA, {"ss_sisa": 100}, "ss_diterima", 15),
    ("A011", PILKADA, {"pengguna_disabilitas_l": 150, "pengguna_disabilitas_p": 1, "pengguna_disabilitas_j": 151}, "pengguna_disabilitas_l", 8),
    ("P001", PILKADA, {"pemilih_dpt_l": 400, "pemilih_dpt_p": 300, "pemilih_dpt_j": 700, "pemilih_total_l": 402,
                       "pemilih_total_p": 301, "pemilih_total_j": 703, "ss_diterima": 718, "ss_sisa": 423}, "pemilih_dpt_j", 100),
    ("P002", PILKADA, {"ss_diterima": 450, "ss_sisa": 155}, "ss_diterima", 40),
    ("P005", PEMILU, {"suara_paslon_1": 348, "suara_paslon_2": 0, "suara_paslon_3": 0, "suara_sah": 348}, "suara_paslon_1", 48),
]


@pytest.mark.parametrize(("rule", "base", "changes", "field", "selisih"), CASES, ids=[c[0] for c in CASES])
def test_rule_fires_on_its_violation(
    tmp_path: Path, rule: str, base: dict[str, Any], changes: dict[str, Any], field: str, selisih: int | None
) -> None:
    found = [f for f in run(tmp_path, [with_(base, **changes)]) if f["rule"] == rule]
    assert [(f["field"], f["selisih"]) for f in found] == [(field, selisih)]
    assert found[0]["kode_wilayah"] == base["kode_tps"]
    assert found[0]["row"] == 2 and found[0]["source"].endswith("tps.csv")


def test_a012_more_votes_than_voters(tmp_path: Path) -> None:
    row = with_(PEMILU, suara_paslon_2=748, suara_sah=869, suara_total=874, pengguna_total_j=874)
    found = [f for f in run(tmp_path, [row]) if f["rule"] == "A012"]
    assert [(f["field"], f["expected"], f["actual"]) for f in found] == [("suara_total", 293, 874)]


def test_s002_reports_raw_value_and_skips_the_cell(tmp_path: Path) -> None:
    rows = [with_(PEMILU, suara_paslon_1="12a"), with_(PEMILU, kode_tps="3101011001002", suara_paslon_1="-3"),
            with_(PEMILU, kode_tps="3101011001003", suara_paslon_1="8,5"),
            with_(PEMILU, kode_tps="3101011001004", suara_paslon_1="083"),
            with_(PEMILU, kode_tps="3101011001005", suara_sah="1.228", suara_paslon_1=1083)]
    found = run(tmp_path, rows, select=["S002", "A006"])
    s002 = sorted((f["kode_wilayah"], f["message"]) for f in found if f["rule"] == "S002")
    assert [k for k, _ in s002] == ["3101011001001", "3101011001002", "3101011001003"]
    assert '"12a"' in s002[0][1] and '"-3"' in s002[1][1] and '"8,5"' in s002[2][1]
    # A cell that is not a count makes A006 not applicable for that TPS instead of a false selisih.
    assert {f["kode_wilayah"] for f in found if f["rule"] == "A006"} == set()


def test_s002_runs_on_a_clean_file_without_rereading_it(tmp_path: Path) -> None:
    """With no cell failing its typing S002 has nothing to read again; it still counts as run (checked
    and clean), not as not applicable."""
    path = write_csv(tmp_path / "tps.csv", [PEMILU, with_(PEMILU, kode_tps="3101011001002")])
    con = duckdb.connect()
    ds = load_dataset(con, [str(path)], str(tmp_path))
    report = validate(ds, rules=select_rules(["S002"], None))
    assert (ds.bad_cells, report.rules_run, report.not_applicable, report.counts) == (False, ["S002"], {}, {})
    path = write_csv(tmp_path / "bad.csv", [PEMILU, with_(PEMILU, kode_tps="3101011001002", suara_sah="x")])
    ds = load_dataset(con, [str(path)], str(tmp_path))
    report = validate(ds, rules=select_rules(["S002"], None))
    assert (ds.bad_cells, report.counts) == (True, {"S002": 1})


def test_s003_same_tps_different_values_and_s004_exact_duplicate(tmp_path: Path) -> None:
    other = with_(PEMILU, suara_paslon_2=108, suara_sah=229, suara_tidak_sah=4)
    found = run(tmp_path, [PEMILU, PEMILU, other], select=["S"])
    assert [(f["rule"], f["row"], f["field"], f["expected"], f["actual"]) for f in found] == [
        ("S004", 3, "kode_tps", None, None),
        ("S003", 4, "suara_sah", 228, 229),
    ]


def test_s005_malformed_codes(tmp_path: Path) -> None:
    rows = [with_(PEMILU, kode_tps=k) for k in ("310101100100", "3100011001001", "3101014001001", "3101011001000", "31.01.01.1001.002")]
    found = run(tmp_path, rows, select=["S005"])
    assert [f["row"] for f in found] == [2, 3, 4, 5]


def test_s005_when_every_code_has_13_digits_the_pattern_is_skipped_not_the_checks(tmp_path: Path) -> None:
    """prepare counts the 13-digit codes; when all are, S005 leaves its pattern out (`odd_codes`) but still
    checks the parts. One 12-digit code among them brings the pattern back, and the part checks still hold."""
    parts = ("3100011001001", "3101004001001", "3101014001001", "3101011001000", "0901011001001", "9999010001005")
    rows = [with_(PEMILU, kode_tps=k) for k in ("3101011001001", *parts)]
    path = write_csv(tmp_path / "tps.csv", rows)
    con = duckdb.connect()
    ds = load_dataset(con, [str(path)], str(tmp_path))
    report = validate(ds, rules=select_rules(["S005"], None))
    assert ds.odd_codes is False
    rows_found = con.execute("SELECT row, message FROM rk_findings_out ORDER BY row").fetchall()
    assert [r for r, _m in rows_found] == [3, 4, 5, 6, 7] and report.counts == {"S005": 5}  # 99…: overseas
    path = write_csv(tmp_path / "odd.csv", [*rows, with_(PEMILU, kode_tps="310101100100")])
    ds = load_dataset(con, [str(path)], str(tmp_path))
    report = validate(ds, rules=select_rules(["S005"], None))
    assert ds.odd_codes is True
    again = con.execute("SELECT row, message FROM rk_findings_out ORDER BY row").fetchall()
    assert again[:5] == rows_found and again[5][0] == 9 and "bukan 13 angka" in again[5][1]


def test_s005_region_columns_that_are_not_the_codes_prefix(tmp_path: Path) -> None:
    """Given region columns are compared with the code's prefix after both are normalised (dots and spaces
    out): the shortcut for rows whose text already agrees must not hide a column that only looks like the
    code's prefix because the code itself is not plain ("3.1…" with kode_prov "3.")."""
    def tps(code: str, **regions: str) -> dict[str, Any]:
        return {"kode_tps": code, "kode_prov": "31", "kode_kabkota": "3101", "kode_kec": "310101",
                "kode_desa": "3101011001", **regions, "suara_sah": 228}

    rows = [
        tps("3101011001001"),                              # row 2: all agree
        tps("3101011001002", kode_kabkota="3171"),         # row 3: kab/kota of another code
        tps("31.01.01.1001.003"),                          # row 4: dotted code, plain columns: agree once normalised
        tps("3101011001004", kode_kabkota="31.01"),        # row 5: dotted column: agrees once normalised
        tps("3101011001005", kode_kec="310102"),           # row 6
        tps("3101011001006", kode_prov=""),                # row 7: empty column: nothing to compare
        tps("3101011001007", kode_desa="3101011002"),      # row 8
        tps("3.101011001009", kode_prov="3."),             # row 9: "3." is the text's prefix, but "3" is not "31"
    ]
    found = run(tmp_path, rows, select=["S005"])
    assert [(f["row"], f["field"]) for f in found] == [(3, "kode_kabkota"), (6, "kode_kec"), (8, "kode_desa"),
                                                       (9, "kode_prov")]


def test_s006_unknown_region(tmp_path: Path) -> None:
    master = tmp_path / "wilayah.csv"
    master.write_text("kode,level\n31,1\n3101,2\n310101,3\n3101011001,4\n")
    rows = [PEMILU, with_(PEMILU, kode_tps="3101011002001"), with_(PEMILU, kode_tps="3171011001001")]
    found = run(tmp_path, rows, select=["S006"], master=master)
    assert [(f["kode_wilayah"], f["field"]) for f in found] == [("3101011002001", "kode_desa"), ("3171011001001", "kode_kabkota")]


def test_s007_three_digit_boxes(tmp_path: Path) -> None:
    found = run(tmp_path, [with_(PEMILU, suara_paslon_1=1083), with_(PEMILU, kode_tps="9901011001001", suara_paslon_1=1083)], select=["S007"])
    assert [(f["kode_wilayah"], f["field"], f["actual"]) for f in found] == [("3101011001001", "suara_paslon_1", 1083)]


def test_a013_and_official_dpt_bounds(tmp_path: Path) -> None:
    dpt = tmp_path / "dpt.csv"
    dpt.write_text("kode_tps,dpt_l,dpt_p,dpt_j\n3101011001001,147,145,292\n3101011001002,100,100,200\n")
    rows = [PEMILU, with_(PEMILU, kode_tps="3101011001002")]
    found = run(tmp_path, rows, select=["A004", "A012", "A013"], dpt=dpt)
    got = sorted((f["rule"], f["kode_wilayah"], f["field"], f["selisih"]) for f in found)
    assert got == [
        ("A004", "3101011001002", "pengguna_dpt_j", 32),
        ("A004", "3101011001002", "pengguna_dpt_l", 7),
        ("A004", "3101011001002", "pengguna_dpt_p", 25),
        ("A012", "3101011001002", "suara_total", 32),
        ("A013", "3101011001002", "pemilih_dpt_j", 92),
        ("A013", "3101011001002", "pemilih_dpt_l", 47),
        ("A013", "3101011001002", "pemilih_dpt_p", 45),
    ]


def test_p003_p004_p008(tmp_path: Path) -> None:
    rows = [
        with_(PEMILU, pemilih_dpt_l=0, pemilih_dpt_p=0, pemilih_dpt_j=0),
        with_(PEMILU, kode_tps="3101011001002", pemilih_dpt_l=115, pemilih_dpt_p=115, pemilih_dpt_j=230,
              pengguna_dpt_l=105, pengguna_dpt_p=125, pengguna_dpt_j=230, pengguna_non_dpt_l=2, pengguna_non_dpt_j=2,
              pengguna_dptb_p=0, pengguna_dptb_j=0, pengguna_total_l=107, pengguna_total_p=125, pengguna_total_j=232,
              suara_total=232, suara_tidak_sah=4),
        {"kode_tps": "3101011001003", "suara_paslon_1": 83, "suara_paslon_2": 107, "suara_paslon_3": 38, "suara_sah": 228},
    ]
    found = run(tmp_path, rows, select=["P003", "P004", "P008"])
    assert [(f["rule"], f["kode_wilayah"], f["field"]) for f in found] == [
        ("P003", "3101011001001", "pemilih_dpt_j"),
        ("P004", "3101011001001", "suara_total"),
        ("P004", "3101011001002", "suara_total"),
        ("P008", "3101011001003", "administrasi"),
    ]


def test_p006_outlier_in_kecamatan(tmp_path: Path) -> None:
    rows = []
    for i in range(1, 13):
        sah = 200 + i
        rows.append(with_(PEMILU, kode_tps=f"3101011001{i:03d}", pengguna_dpt_l=100, pengguna_dpt_p=sah - 95,
                          pengguna_dpt_j=sah + 5 - 0, pengguna_dptb_l=0, pengguna_dptb_p=0, pengguna_dptb_j=0,
                          pengguna_total_l=100, pengguna_total_p=sah - 95, pengguna_total_j=sah + 5,
                          suara_paslon_1=sah - 145, suara_paslon_2=107, suara_paslon_3=38, suara_sah=sah,
                          suara_tidak_sah=5, suara_total=sah + 5))
    # TPS 012: turnout 99 % where the others are ~70 %.
    rows[-1] = with_(rows[-1], pengguna_dpt_p=189, pengguna_dpt_j=289, pengguna_total_p=189, pengguna_total_j=289,
                     suara_paslon_1=139, suara_sah=284, suara_total=289)
    found = run(tmp_path, rows, select=["P006"])
    assert [(f["kode_wilayah"], f["field"]) for f in found] == [("3101011001012", "suara_total")]


def test_p007_identical_records_in_a_desa(tmp_path: Path) -> None:
    rows = [PEMILU, with_(PEMILU, kode_tps="3101011001002"), with_(PEMILU, kode_tps="3101011002001")]
    found = run(tmp_path, rows, select=["P007"])
    assert [f["kode_wilayah"] for f in found] == ["3101011001001", "3101011001002"]


def test_every_rule_has_docs_and_both_languages() -> None:
    """Every rule's title, message and explanation come from the catalogue: Indonesian in the code, the
    English translation in the .po (no pair of fields on the rule)."""
    for r in all_rules():
        assert not hasattr(r, "title_en") and not hasattr(r, "message_en"), r.id
        for lang, why in (("id", "Mengapa: "), ("en", "Why: ")):
            assert r.title(lang) and r.message(lang) and r.explanation(lang), (r.id, lang)
            assert why in r.explanation(lang) or r.id in ("S002", "S007"), (r.id, lang)
            # Paragraphs, no hard line breaks inside one (`rekap rules ID` wraps them for the terminal).
            assert all(p and "\n" not in p for p in r.explanation(lang).split("\n\n")), (r.id, lang)
        assert r.title("en") != r.title("id") and r.explanation("en") != r.explanation("id"), r.id
        assert r.title() == r.title("id") and r.explanation() == r.explanation("id")
        assert "Why" not in r.explanation("id") and "Mengapa" not in r.explanation("en"), r.id


def test_select_and_ignore_prefixes() -> None:
    ids = [r.id for r in select_rules(["A"], ["A01"])]
    assert ids == ["A001", "A002", "A003", "A004", "A005", "A006", "A007", "A008", "A009"]
    with pytest.raises(Exception, match="aturan atau awalan tidak dikenal: 'Z9'"):
        select_rules(["Z9"], None)


# --- the rules' texts in a language ------------------------------------------------------------------


def _p006_rows() -> list[dict[str, Any]]:
    rows = []
    for i in range(1, 13):
        sah = 200 + i
        rows.append(with_(PEMILU, kode_tps=f"3101011001{i:03d}", pengguna_dpt_l=100, pengguna_dpt_p=sah - 95,
                          pengguna_dpt_j=sah + 5, pengguna_dptb_l=0, pengguna_dptb_p=0, pengguna_dptb_j=0,
                          pengguna_total_l=100, pengguna_total_p=sah - 95, pengguna_total_j=sah + 5,
                          suara_paslon_1=sah - 145, suara_paslon_2=107, suara_paslon_3=38, suara_sah=sah,
                          suara_tidak_sah=5, suara_total=sah + 5))
    rows[-1] = with_(rows[-1], pengguna_dpt_p=189, pengguna_dpt_j=289, pengguna_total_p=189, pengguna_total_j=289,
                     suara_paslon_1=139, suara_sah=284, suara_total=289)
    return rows


def test_p006_measured_values_follow_the_language(tmp_path: Path) -> None:
    """Shares and the z-score are written with the language's decimal mark (58,5 % in Indonesian, 58.5% in
    English); the counts of the message stay plain digits."""
    (tmp_path / "id").mkdir()
    (tmp_path / "en").mkdir()
    id_, = run(tmp_path / "id", _p006_rows(), select=["P006"])
    en, = run(tmp_path / "en", _p006_rows(), select=["P006"], lang="en")
    assert id_["message"] == "suara_total: 289 tercatat, median kecamatan memberi 212 (99,0 % dibanding median 72,4 %, z 17,4)"
    assert en["message"] == "suara_total: 289 recorded, the kecamatan median gives 212 (99.0% vs median 72.4%, z 17.4)"


def test_finding_details_built_in_sql_follow_the_language(tmp_path: Path) -> None:
    """The words a rule puts into a finding's detail in SQL (S003, S004, S005, P008) are the catalogue's,
    in the report's language; the Indonesian ones are those of the golden files."""
    other = with_(PEMILU, suara_paslon_2=108, suara_sah=229, suara_tidak_sah=4)
    rows = [PEMILU, PEMILU, other, with_(PEMILU, kode_tps="310101100100"),
            {"kode_tps": "3101011001003", "suara_paslon_1": 83, "suara_paslon_2": 107, "suara_paslon_3": 38, "suara_sah": 228}]
    messages = {}
    for lang in ("id", "en"):
        (tmp_path / lang).mkdir()
        found = run(tmp_path / lang, rows, select=["S003", "S004", "S005", "P008"], lang=lang)
        messages[lang] = {f["rule"]: f["message"].replace(f"{tmp_path / lang}/", "") for f in found}
    assert messages["id"] == {
        "S003": "suara_sah: TPS ini muncul lagi dengan angka berbeda (tps.csv baris 2)",
        "S004": "kode_tps: baris ganda persis (sama dengan tps.csv baris 2); dihitung sekali",
        "S005": 'kode_tps: kode "310101100100" bukan 13 angka',
        "P008": "administrasi: ada suara tetapi tanpa data pemilih",
    }
    assert messages["en"] == {
        "S003": "suara_sah: this TPS appears again with different values (tps.csv row 2)",
        "S004": "kode_tps: exact duplicate row (same as tps.csv row 2); counted once",
        "S005": 'kode_tps: code "310101100100" is not 13 digits',
        "P008": "administrasi: votes but no voter data",
    }


def test_text_sql_keeps_every_text_quoted() -> None:
    """A catalogue text inside SQL is quoted literals around the expressions, whatever it holds."""
    from rekap.db import text_sql

    assert text_sql("it's {code} (row {row})", code="t.kode_tps", row="t._row") == "'it''s ' || t.kode_tps || ' (row ' || t._row || ')'"
    assert text_sql("{code}", code="t.kode_tps") == "t.kode_tps"
    assert text_sql("no places {{here}}") == "'no places {here}'"
    with pytest.raises(ValueError):
        text_sql("{unknown}", code="t.kode_tps")


def test_not_applicable_reasons_in_both_languages(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "tps.csv", [PEMILU])
    with Session(tmpdir=tmp_path) as s:
        s.load([path])
        report = s.validate()
    na = report.not_applicable
    assert na["K001"].text("id") == "daftar wilayah tidak diberikan (--master)"
    assert na["K001"].text("en") == "no region list given (--master)"
    assert na["A002"].text("id").startswith("kolom tidak ada: pemilih_total_j")
    assert na["A002"].text("en").startswith("columns absent: pemilih_total_j")


def test_rules_command_speaks_one_language() -> None:
    """`rekap rules ID`: title, severity and explanation in the chosen language, never a mix (issue 12)."""
    from conftest import run_cli

    got = run_cli(["rules", "A006"])
    first, _sep, rest = got.text.partition("\n")
    assert got.code == 0 and first == "A006 (galat): Jumlah suara paslon = suara sah"
    assert "Mengapa: " in rest and "Contoh: " in rest and "Why" not in rest and "Example" not in rest
    got = run_cli(["rules", "A006", "--lang", "en"])
    first, _sep, rest = got.text.partition("\n")
    assert got.code == 0 and first == "A006 (error): Sum of candidate votes = valid votes"
    assert "Why: " in rest and "Example: " in rest and "Mengapa" not in rest
    assert all(len(line) <= 100 for line in run_cli(["rules", "K001"]).text.splitlines())


def test_rules_table_has_a_header_and_severity_words() -> None:
    from conftest import run_cli

    lines = run_cli(["rules"]).text.splitlines()
    assert lines[0].split() == ["Aturan", "Keparahan", "Judul"]
    assert {line.split()[1] for line in lines[1:]} == {"galat", "peringatan", "info"}
    lines = run_cli(["rules", "--lang", "en"]).text.splitlines()
    assert lines[0].split() == ["Rule", "Severity", "Title"]
    assert {line.split()[1] for line in lines[1:]} == {"error", "warning", "info"}
    assert len(lines) == len(all_rules()) + 1


def test_rules_json_is_data_in_every_language() -> None:
    """`rekap rules -f json` is the same whatever the language: codes as they are, the texts in every
    language, and `description` (the English explanation) for the scripts written before."""
    import json

    from conftest import run_cli

    records = json.loads(run_cli(["rules", "-f", "json"]).stdout)
    assert json.loads(run_cli(["rules", "-f", "json", "--lang", "en"]).stdout) == records
    by_id = {r["id"]: r for r in records}
    assert list(by_id["A006"]) == ["id", "severity", "title_id", "title_en", "description", "explanation_id",
                                   "explanation_en"]
    a006 = next(r for r in all_rules() if r.id == "A006")
    assert by_id["A006"] == {
        "id": "A006", "severity": "error", "title_id": a006.title("id"), "title_en": a006.title("en"),
        "description": a006.explanation("en"), "explanation_id": a006.explanation("id"),
        "explanation_en": a006.explanation("en"),
    }
    assert {r["severity"] for r in records} == {"error", "warning", "info"}


def test_rules_table_holds_the_titles_of_every_language() -> None:
    """`rk_rules` has a title column per language; the renderers take the output language's."""
    from rekap.report.rules import rule_titles
    from rekap.validate.catalogue import write_rules_table

    con = duckdb.connect()
    write_rules_table(con)
    a006 = next(r for r in all_rules() if r.id == "A006")
    assert rule_titles(con, "id")["A006"] == a006.title("id") == "Jumlah suara paslon = suara sah"
    assert rule_titles(con, "en")["A006"] == a006.title("en") == "Sum of candidate votes = valid votes"
    # A language without a column (a table written before that language was added) shows Indonesian.
    assert rule_titles(con, "fr")["A006"] == a006.title("id")


def test_rules_doc_pages_are_in_each_language() -> None:
    from rekap.validate.catalogue import markdown

    id_page, en_page = markdown("id"), markdown("en")
    assert "## A006: Jumlah suara paslon = suara sah" in id_page and "Mengapa: " in id_page
    assert "## A006: Sum of candidate votes = valid votes" in en_page and "Why: " in en_page
    assert "Why" not in id_page and "Mengapa" not in en_page
    assert "[English](rules.en.md)" in id_page and "[Bahasa Indonesia](rules.md)" in en_page
