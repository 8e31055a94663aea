"""rekap compare: reported recaps against the TPS data or the reported level below (H001–H003)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from conftest import real_file, run_cli

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "samples" / "jatim_kecil"


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_sample_discrepancies_are_exactly_the_planted_ones() -> None:
    tps = sorted(str(p) for p in (SAMPLE / "tps").iterdir())
    reported = [a for lv in ("kecamatan", "kabkota", "provinsi") for a in ("--reported", str(SAMPLE / f"dhasil_{lv}.csv"))]
    res = run_cli(["compare", *tps, *reported, "--election", "pkwkp", "-f", "csv"])
    assert res.code == 1, res.stderr
    got = {(r["level"], r["kode_wilayah"], r["field"], r["selisih"]) for r in rows(res.text)}
    planted = {
        (r["level"], r["kode_wilayah"], r["field"], r["note"].split("selisih ")[1].split(";")[0])
        for r in csv.DictReader(open(SAMPLE / "planted.csv", encoding="utf-8"))
        if r["rule"] == "H001"
    }
    assert {(lv, k, f, str(int(s))) for lv, k, f, s in planted} == got
    # Every discrepancy is traced to where it first appears.
    traces = {(r["kode_wilayah"], r["field"]): r["trace"] for r in rows(res.text)}
    assert traces[("35", "suara_paslon_2")] == "kecamatan 350303: +120"
    assert traces[("35", "suara_sah")] == "kabkota 3511: -540"


def test_validate_with_reported_adds_h_findings() -> None:
    tps = sorted(str(p) for p in (SAMPLE / "tps").iterdir())
    reported = [a for lv in ("kecamatan", "kabkota", "provinsi") for a in ("--reported", str(SAMPLE / f"dhasil_{lv}.csv"))]
    res = run_cli(["validate", *tps, *reported, "--election", "pkwkp", "--select", "H", "-f", "csv", "-q"])
    found = rows(res.text)
    assert res.code == 1
    assert {(r["rule"], r["level"], r["kode_wilayah"]) for r in found if r["rule"] == "H002"} == {("H002", "kabkota", "3574")}
    assert sum(r["rule"] == "H001" for r in found) == 5
    assert all(r["rule"].startswith("H") for r in found)


def test_reported_levels_only_no_tps(tmp_path: Path) -> None:
    kec = tmp_path / "kec.csv"
    kec.write_text("kode_kec,nama_kec,suara_paslon_1\n350101,A,10\n350102,B,20\n357101,C,5\n")
    kab = tmp_path / "kab.csv"
    kab.write_text("kode_kabkota,suara_paslon_1\n3501,31\n3571,5\n")
    res = run_cli(["compare", "--reported", str(kec), "--reported", str(kab), "--election", "pkwkp", "-f", "csv", "-q"])
    assert res.code == 1
    assert [(r["kode_wilayah"], r["reported"], r["computed"], r["selisih"], r["computed_from"]) for r in rows(res.text)] == [
        ("3501", "31", "30", "1", "kecamatan")
    ]


@pytest.mark.real
def test_dki_tps_equal_the_sirekap_aggregate_and_differ_from_the_plenary() -> None:
    tps = real_file("ppwp2024_tps_dki_jakarta.csv")
    agg = real_file("ppwp2024_sirekap_prov_aggregate_2024-03-21.csv")
    res = run_cli(["compare", str(tps), "--reported", str(agg), "-f", "csv"])
    assert res.code == 0, res.stderr
    assert rows(res.text) == []  # 1,936,408 / 1,956,503 / 824,937 exactly
    # The national row and the other provinces lie outside the DKI data: said, not compared.
    assert "0 selisih (H001)" in res.stderr
    assert "39 baris rekap di luar cakupan (provinsi 31 DKI JAKARTA) tidak dibandingkan: nasional, provinsi" in res.stderr
    official = real_file("ppwp2024_official_recap_prov.csv")
    res = run_cli(["compare", str(tps), "--reported", str(official), "-f", "csv"])
    dki = {r["field"]: r for r in rows(res.text) if r["kode_wilayah"] == "31"}
    # Sirekap published votes for only part of DKI's TPS (22,759 of 30,766): the plenary's higher votes
    # cannot be checked against them, and are a coverage fact, not a selisih.
    assert "suara_paslon_1" not in dki
    assert "angka rekap tidak dibandingkan" in res.stderr
    # A plenary number below even the partial sum cannot be right: the DPTb voters Sirekap read (OCR) add
    # up to more than the plenary's.
    assert int(dki["pengguna_dptb_j"]["selisih"]) == 130254 - int(dki["pengguna_dptb_j"]["computed"]) < 0
    assert int(dki["pengguna_dptb_j"]["n_tps_with_data"]) < int(dki["pengguna_dptb_j"]["n_tps"]) == 30766


@pytest.mark.real
def test_jatim_kecamatan_rolls_up_and_an_altered_kecamatan_is_named(tmp_path: Path) -> None:
    kec = real_file("pilkada2024_pkwkp_jatim_kecamatan.csv")
    prov = real_file("raw/sirekap_pilkada_hhcw_pkwkp_35.json")
    kab = real_file("raw/sirekap_pilkada_hhcw_pkwkp_35_3578.json")
    paslon = real_file("pilkada2024_paslon.csv")
    common = ["--reported", str(prov), "--reported", str(kab), "--paslon", str(paslon), "--election", "pkwkp", "-f", "csv", "-q"]
    clean = run_cli(["compare", "--reported", str(kec), *common])
    assert clean.code == 0 and rows(clean.text) == []
    data = list(csv.DictReader(open(kec, encoding="utf-8")))
    for r in data:
        if r["kode_kec"] == "357801":
            r["suara_paslon_2"] = str(int(r["suara_paslon_2"]) + 120)
    altered = tmp_path / "kec_altered.csv"
    with open(altered, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(data[0]))
        w.writeheader()
        w.writerows(data)
    res = run_cli(["compare", "--reported", str(altered), *common])
    assert res.code == 1
    found = rows(res.text)
    assert {(r["level"], r["kode_wilayah"], r["field"]) for r in found} == {
        ("kabkota", "3578", "suara_paslon_2"),
        ("kecamatan", "357801", "suara_paslon_2"),
    }
    kab_rows = [r for r in found if r["kode_wilayah"] == "3578"]
    assert all(int(r["selisih"]) == -120 and r["trace"].startswith("kecamatan 357801") for r in kab_rows)
    assert [abs(int(r["selisih"])) for r in found if r["kode_wilayah"] == "357801"] == [120]


@pytest.mark.real
def test_progress_reports_received_against_expected() -> None:
    tps = real_file("ppwp2024_tps_dki_jakarta.csv")
    master = real_file("wilayah_kpu_pemilu2024.csv")
    res = run_cli(["progress", str(tps), "--master", str(master), "-f", "csv"])
    assert res.code == 0, res.stderr
    got = {(r["level"], r["kode_wilayah"]): r for r in rows(res.text)}
    assert (got[("provinsi", "31")]["n_tps"], got[("provinsi", "31")]["n_tps_expected"]) == ("30766", "30766")
    # DKI's data is DKI's recap: not 3.75 % of the nation (issue 10, case 6).
    assert ("nasional", "00") not in got
    assert "30.766 dari 30.766 TPS" in res.stderr


def test_aggregate_output_is_accepted_back_as_a_reported_recap(tmp_path: Path) -> None:
    tps = sorted(str(p) for p in (SAMPLE / "tps").iterdir())
    rec = tmp_path / "rekap.csv"
    assert run_cli(["aggregate", *tps, "--election", "pkwkp", "-f", "csv", "-o", str(rec), "-q"]).code == 0
    against_tps = run_cli(["compare", *tps, "--reported", str(rec), "--election", "pkwkp", "-f", "csv"])
    assert against_tps.code == 0 and rows(against_tps.text) == []
    levels_only = run_cli(["compare", "--reported", str(rec), "--election", "pkwkp", "-f", "csv"])
    assert levels_only.code == 0 and rows(levels_only.text) == []
    assert "68 wilayah dilaporkan" in against_tps.stderr


def test_bad_cells_of_a_reported_recap_are_s002_findings(tmp_path: Path) -> None:
    bad = tmp_path / "kec.csv"
    bad.write_text("kode_kec,suara_paslon_1\n350101,10\n350102,2x\n")
    tps = str(SAMPLE / "tps" / "tps_3503.csv")
    res = run_cli(["validate", tps, "--reported", str(bad), "--election", "pkwkp", "--select", "S002", "-f", "csv", "-q"])
    found = [r for r in rows(res.text) if r["source"].endswith("kec.csv")]
    assert [(r["level"], r["kode_wilayah"], r["field"], r["row"]) for r in found] == [("kecamatan", "350102", "suara_paslon_1", "3")]
    assert '"2x"' in found[0]["message"]
