"""Issue 10, "no silent wrongness": inputs that do not match never give a quiet answer.

Each test here failed on the main branch the issue was filed against (see the issue's "What was seen")."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from conftest import real_file, run_cli
from test_cli import assert_clean_failure

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "samples" / "jatim_kecil"
SAMPLE_TPS = sorted(str(p) for p in (SAMPLE / "tps").iterdir())


@pytest.fixture(autouse=True)
def _default_language(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REKAP_LANG", raising=False)
    monkeypatch.delenv("REKAP_DEBUG", raising=False)


def _csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


# --- 9. level names as people write them; unknown languages -------------------------------------------------


@pytest.mark.parametrize(
    ("given", "level"),
    [("kabupaten", "kabkota"), ("kota", "kabkota"), ("kab/kota", "kabkota"), ("Kab", "kabkota"),
     ("KELURAHAN", "desa"), ("desa/kelurahan", "desa"), ("prov", "provinsi"), ("Kecamatan", "kecamatan")],
)
def test_level_names_as_people_write_them(given: str, level: str) -> None:
    result = run_cli(["aggregate", *SAMPLE_TPS, "--election", "pkwkp", "--level", given, "-f", "csv", "-q"])
    assert result.code == 0, result.stderr
    levels = {r["level"] for r in _csv_rows(result.stdout)}
    assert levels == {level}


def test_an_unknown_level_is_refused() -> None:
    assert_clean_failure(run_cli(["aggregate", *SAMPLE_TPS, "--level", "rt"]), "tingkat tidak dikenal 'rt'")


@pytest.mark.parametrize("args", [["--lang", "fr"], ["--lang", "english please"]])
def test_an_unknown_language_is_a_usage_error(args: list[str]) -> None:
    assert_clean_failure(run_cli(["validate", SAMPLE_TPS[0], *args]), "bahasa tidak dikenal")


def test_an_unknown_rekap_lang_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REKAP_LANG", "fr")
    assert_clean_failure(run_cli(["validate", SAMPLE_TPS[0]]), "REKAP_LANG")


@pytest.mark.parametrize("spelling", ["en", "EN", "en_US.UTF-8", "en-GB"])
def test_locale_spellings_of_english(spelling: str) -> None:
    result = run_cli(["validate", SAMPLE_TPS[0], "--lang", spelling, "--fail-on", "never"])
    assert result.code == 0, result.stderr
    assert "Validation summary" in result.stderr


# --- 1. election types that do not match ---------------------------------------------------------------------


def _altered_jatim_recap(tmp_path: Path, kode_kec: str = "350101", delta: int = 100) -> Path:
    """The real Pilkada Jatim kecamatan recap (no election column) with one kecamatan's paslon 2 changed."""
    src = real_file("pilkada2024_pkwkp_jatim_kecamatan.csv")
    rows = list(csv.DictReader(open(src, encoding="utf-8")))
    changed = [r for r in rows if r["kode_kec"] == kode_kec]
    assert len(changed) == 1
    changed[0]["suara_paslon_2"] = str(int(changed[0]["suara_paslon_2"]) + delta)
    out = tmp_path / "jatim_kecamatan.csv"
    with open(out, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return out


@pytest.mark.real
def test_a_guessed_election_that_differs_from_a_stated_one_stops_the_command(tmp_path: Path) -> None:
    recap = _altered_jatim_recap(tmp_path)
    sirekap = real_file("raw/sirekap_pilkada_hhcw_pkwkp_35.json")
    paslon = real_file("pilkada2024_paslon.csv")
    result = run_cli(["compare", "-r", str(recap), "-r", str(sirekap), "--paslon", str(paslon)])
    # Before: "0 selisih (H001)" and exit 0, the CSV taken for ppwp and the JSON for pkwkp.
    assert_clean_failure(result, "jenis pemilihan tidak cocok", "jatim_kecamatan.csv: ppwp (ditebak",
                         "sirekap_pilkada_hhcw_pkwkp_35.json: pkwkp")
    assert "--election pkwkp" in result.stderr


@pytest.mark.real
def test_election_settles_it_and_the_altered_kecamatan_is_found(tmp_path: Path) -> None:
    recap = _altered_jatim_recap(tmp_path, "350101", 100)
    sirekap = real_file("raw/sirekap_pilkada_hhcw_pkwkp_35.json")
    paslon = real_file("pilkada2024_paslon.csv")
    result = run_cli(["compare", "-r", str(recap), "-r", str(sirekap), "--paslon", str(paslon),
                      "--election", "pkwkp", "-f", "csv", "-q"])
    assert result.code == 1, result.stderr
    rows = _csv_rows(result.stdout)
    # The kab/kota of the altered kecamatan, and nothing else: Sirekap's 3501 against the kecamatan sums.
    assert [(r["level"], r["kode_wilayah"], r["field"], r["selisih"]) for r in rows] == [
        ("kabkota", "3501", "suara_paslon_2", "-100")]
    assert rows[0]["computed_from"] == "kecamatan"


def test_tps_with_a_stated_type_and_a_recap_guessed_otherwise_stop(tmp_path: Path) -> None:
    tps = tmp_path / "tps.csv"
    tps.write_text("kode_tps,jenis_pemilihan,suara_paslon_1,suara_paslon_2\n3578011001001,pkwkk,10,20\n", encoding="utf-8")
    recap = tmp_path / "rekap.csv"
    recap.write_text("kode_kec,suara_paslon_1,suara_paslon_2\n357801,10,20\n", encoding="utf-8")
    result = run_cli(["compare", str(tps), "-r", str(recap)])
    assert_clean_failure(result, "jenis pemilihan tidak cocok", "tps.csv: pkwkk (dari kolom jenis_pemilihan)",
                         "rekap.csv: ppwp (ditebak")
    english = run_cli(["compare", str(tps), "-r", str(recap), "--lang", "en"])
    assert_clean_failure(english, "election types do not match", "tps.csv: pkwkk (from the jenis_pemilihan column)",
                         "rekap.csv: ppwp (guessed", lang="en")
    settled = run_cli(["compare", str(tps), "-r", str(recap), "--election", "pkwkk", "-q"])
    assert settled.code == 0, settled.stderr


def test_two_tps_files_guessed_differently_stop(tmp_path: Path) -> None:
    pilkada = tmp_path / "a.csv"
    pilkada.write_text("kode_tps,pemilih_dptb_j,suara_paslon_1\n3578011001001,3,10\n", encoding="utf-8")
    pemilu = tmp_path / "b.csv"
    pemilu.write_text("kode_tps,pengguna_non_dpt_j,suara_paslon_1\n3578011001002,2,10\n", encoding="utf-8")
    result = run_cli(["aggregate", str(pilkada), str(pemilu)])
    assert_clean_failure(result, "jenis pemilihan tidak cocok", "a.csv: pkwkp (ditebak dari kolom pemilih_dptb_j)",
                         "b.csv: ppwp (ditebak dari kolom pengguna_non_dpt_j)")


def test_matching_types_say_where_they_came_from() -> None:
    result = run_cli(["compare", *SAMPLE_TPS, "-r", str(SAMPLE / "dhasil_kecamatan.csv"), "-f", "csv"])
    assert result.code == 1, result.stderr  # the sample's planted +120
    assert "jenis pemilihan: pkwkp, ditebak dari kolom pemilih_dpph_j" in result.stderr


# --- 4. --master does not turn explained discrepancies into "partial" --------------------------------------


def test_a_difference_that_complete_children_explain_stays_h001_with_its_trace() -> None:
    reported = [f"-r{SAMPLE / f'dhasil_{lv}.csv'}" for lv in ("kecamatan", "kabkota", "provinsi")]
    result = run_cli(["compare", *SAMPLE_TPS, *reported, "--master", str(SAMPLE / "wilayah.csv"), "-f", "csv", "-q"])
    assert result.code == 1, result.stderr
    rows = _csv_rows(result.stdout)
    assert "partial" not in rows[0]  # a partial unit is a coverage fact, never a line of the list of selisih
    plus_120 = {(r["level"], r["kode_wilayah"]): r for r in rows if r["selisih"] == "+120" or r["selisih"] == "120"}
    # kab/kota 3503 and provinsi 35 have fewer TPS than the region list expects, but kecamatan 350303 has
    # all 26 of its 26: the +120 is explained by it, at every level of its chain.
    assert set(plus_120) == {("kecamatan", "350303"), ("kabkota", "3503"), ("provinsi", "35")}
    assert plus_120[("kabkota", "3503")]["trace"] == "kecamatan 350303: +120"
    assert plus_120[("provinsi", "35")]["trace"] == "kecamatan 350303: +120"
    assert plus_120[("kecamatan", "350303")]["computed_from"] == "tps"
    assert plus_120[("kabkota", "3503")]["computed_from"] == "kecamatan"


def test_a_partial_unit_that_adds_up_is_no_discrepancy(tmp_path: Path) -> None:
    # Desa 3578011001 expects 3 TPS (region list) and 2 arrived; its kecamatan recap equals the sum of the
    # reported desa, so nothing is wrong, though it is above its partial TPS sum.
    tps = tmp_path / "tps.csv"
    tps.write_text("kode_tps,suara_paslon_1\n3578011001001,10\n3578011001002,20\n3578011002001,5\n", encoding="utf-8")
    master = tmp_path / "wilayah.csv"
    master.write_text("kode,nama,tps_max_no\n357801,KEC,\n3578011001,DESA A,3\n3578011002,DESA B,1\n", encoding="utf-8")
    recap = tmp_path / "rekap.csv"
    recap.write_text("level,kode_wilayah,suara_paslon_1\ndesa,3578011001,40\ndesa,3578011002,5\nkecamatan,357801,45\n",
                     encoding="utf-8")
    result = run_cli(["compare", str(tps), "-r", str(recap), "--master", str(master), "--election", "ppwp", "-f", "csv"])
    assert result.code == 0, result.stderr
    assert _csv_rows(result.stdout) == []
    # The desa itself cannot be checked: said as a coverage fact, not a selisih.
    assert "1 angka rekap tidak dibandingkan" in result.stderr
    # A recap below even the partial sum cannot be right (TPS can only be missing).
    recap.write_text("level,kode_wilayah,suara_paslon_1\ndesa,3578011001,25\ndesa,3578011002,5\nkecamatan,357801,30\n",
                     encoding="utf-8")
    low = run_cli(["compare", str(tps), "-r", str(recap), "--master", str(master), "--election", "ppwp", "-f", "csv", "-q"])
    assert low.code == 1
    assert [(r["level"], r["selisih"], r["computed_from"]) for r in _csv_rows(low.stdout)] == [
        ("desa", "-5", "tps")]


# --- 5. one count, one rounding ------------------------------------------------------------------------------


def _page_text(html: str) -> str:
    import html as html_lib
    import re

    text = re.sub(r"<style.*?</style>|<svg.*?</svg>", "", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", html_lib.unescape(text))


def test_a_summed_tps_is_a_received_tps_and_every_percentage_is_cut_to_one_decimal(tmp_path: Path) -> None:
    out = tmp_path / "hasil"
    result = run_cli(["run", "-o", str(out), "-q"])
    assert result.code == 1, result.stderr
    recap = {(r["level"], r["kode_wilayah"]): r for r in _csv_rows((out / "recap_desa.csv").read_bytes())}
    recap.update({(r["level"], r["kode_wilayah"]): r for r in _csv_rows((out / "recap_provinsi.csv").read_bytes())})
    coverage = {(r["level"], r["kode_wilayah"]): r for r in _csv_rows((out / "coverage.csv").read_bytes())}
    # KALIGEDE's TPS with a 12-digit code is summed in its desa, so it is received there too (was 4 vs 3).
    assert recap[("desa", "3503042005")]["n_tps"] == coverage[("desa", "3503042005")]["n_tps"] == "4"
    for key, row in coverage.items():
        if key in recap:
            assert row["n_tps"] == recap[key]["n_tps"], key
    # The province: one count everywhere (was "287 / 289" and "286 dari 289").
    prov = coverage[("provinsi", "35")]
    n, expected = int(prov["n_tps"]), int(prov["n_tps_expected"])
    assert n == int(recap[("provinsi", "35")]["n_tps"])
    page = _page_text((out / "laporan.html").read_text(encoding="utf-8"))
    pct = f"{1000 * n // expected // 10},{1000 * n // expected % 10} %"
    assert f"{n} / {expected}" in page and f"{n} TPS masuk dari {expected}" in page and pct in page
    # One number of decimals everywhere: no 98,96 %, no 99.0.
    import re

    assert not re.search(r"\d,\d\d %", page)
    assert not re.search(r"\d\.\d %", page)
    assert all(len(r["persen"].split(".")[1]) == 1 for r in coverage.values() if r["persen"])


def test_percent_is_truncated_never_rounded_up() -> None:
    from rekap.i18n import percent, percent_of

    assert percent_of(9996, 10000, "id") == "99,9 %"  # Riau's 99.96 % was shown as 100.0
    assert percent_of(9896, 10000, "id") == "98,9 %"
    assert percent_of(10000, 10000, "en") == "100.0%"
    assert percent(99.96, "en") == "99.9%"
    assert percent_of(1234567, 1234567 * 4, "id") == "25,0 %"


@pytest.mark.real
def test_real_coverage_percentages_are_truncated(tmp_path: Path) -> None:
    parquet = real_file("ppwp2024_tps_36prov.parquet")
    master = real_file("wilayah_kpu_pemilu2024.csv")
    result = run_cli(["progress", str(parquet), "--master", str(master), "-f", "csv", "-q"])
    assert result.code == 0, result.stderr
    every = _csv_rows(result.stdout)
    overseas = int(next(r for r in every if r["kode_wilayah"] == "99")["n_tps"])
    rows = [r for r in every if r["persen"]]
    assert len(rows) > 80_000
    for r in rows:
        # Of the TPS the list could expect: the nation's overseas TPS are summed but not expected.
        n = int(r["n_tps"]) - (overseas if r["level"] == "nasional" else 0)
        assert float(r["persen"]) == (1000 * n // int(r["n_tps_expected"])) / 10, r
    riau = next(r for r in rows if r["kode_wilayah"] == "14")
    assert float(riau["persen"]) < 100 and int(riau["n_tps"]) < int(riau["n_tps_expected"])


# --- 6. scope ----------------------------------------------------------------------------------------------


def _dki_subset(tmp_path: Path, prefix: str) -> Path:
    src = real_file("ppwp2024_tps_dki_jakarta.csv")
    lines = src.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].split(",")
    i = header.index("kode_tps")
    out = tmp_path / f"dki_{prefix}.csv"
    out.write_text(lines[0] + "".join(ln for ln in lines[1:] if ln.split(",")[i].startswith(prefix)), encoding="utf-8")
    return out


@pytest.mark.real
def test_dki_with_the_national_list_is_dki_s_recap(tmp_path: Path) -> None:
    tps = real_file("ppwp2024_tps_dki_jakarta.csv")
    master = real_file("wilayah_kpu_pemilu2024.csv")
    out = tmp_path / "hasil"
    result = run_cli(["run", str(tps), "--master", str(master), "-o", str(out), "-q"])
    assert result.code in (0, 1), result.stderr
    coverage = _csv_rows((out / "coverage.csv").read_bytes())
    # Was "Cakupan: 30.766 dari 820.161 TPS (3,75 %)" and a NASIONAL sheet holding DKI's numbers.
    assert (coverage[0]["level"], coverage[0]["kode_wilayah"], coverage[0]["n_tps"], coverage[0]["n_tps_expected"]) == (
        "provinsi", "31", "30766", "30766")
    assert all(r["kode_wilayah"].startswith("31") for r in coverage)
    assert not (out / "recap_nasional.csv").exists()
    from openpyxl import load_workbook

    assert "Nasional" not in load_workbook(out / "rekap.xlsx", read_only=True).sheetnames
    page = _page_text((out / "laporan.html").read_text(encoding="utf-8"))
    assert "30.766 TPS masuk dari 30.766" in page and "820.161" not in page
    assert "tingkat nasional tidak ditampilkan" in page
    import json

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["covered"]["scope"]["units"] == [{"level": "provinsi", "kode_wilayah": "31", "nama_wilayah": "DKI JAKARTA"}]
    assert manifest["covered"]["levels_above_scope"] == ["nasional"]


@pytest.mark.real
def test_one_kabkota_of_data_and_wilayah_for_the_province(tmp_path: Path) -> None:
    tps = _dki_subset(tmp_path, "3101")
    master = real_file("wilayah_kpu_pemilu2024.csv")
    alone = _csv_rows(run_cli(["progress", str(tps), "--master", str(master), "-f", "csv", "-q"]).stdout)
    assert (alone[0]["level"], alone[0]["kode_wilayah"]) == ("kabkota", "3101")
    assert not [r for r in alone if r["level"] == "provinsi"]
    # The user says the recap is DKI's: all six kab/kota are listed, the five without data at 0.
    province = _csv_rows(run_cli(["progress", str(tps), "--master", str(master), "--wilayah", "31", "-f", "csv",
                                  "-q"]).stdout)
    kab = {r["kode_wilayah"]: int(r["n_tps"]) for r in province if r["level"] == "kabkota"}
    assert len(kab) == 6 and kab["3101"] > 0 and sorted(kab.values())[:5] == [0] * 5
    assert province[0]["level"] == "provinsi" and int(province[0]["n_tps"]) == kab["3101"]


@pytest.mark.real
def test_overseas_tps_are_said_to_be_left_out_of_the_expected_count() -> None:
    parquet = real_file("ppwp2024_tps_36prov.parquet")
    master = real_file("wilayah_kpu_pemilu2024.csv")
    result = run_cli(["progress", str(parquet), "--master", str(master), "-f", "csv"])
    assert result.code == 0
    assert "2.446 TPS luar negeri (kode 99) dijumlahkan tetapi tidak dihitung dalam TPS yang diharapkan" in result.stderr


@pytest.mark.real
def test_wilayah_gives_exactly_the_national_findings_under_it(tmp_path: Path) -> None:
    parquet = real_file("ppwp2024_tps_36prov.parquet")
    national = _csv_rows(run_cli(["validate", str(parquet), "-f", "csv", "-q", "--fail-on", "never"]).stdout)
    local = run_cli(["validate", str(parquet), "--wilayah", "3171", "-f", "csv", "--fail-on", "never"])
    assert local.code == 0, local.stderr
    under = [r for r in national if (r["kode_wilayah"] or "").startswith("3171")]
    assert under and _csv_rows(local.stdout) == under
    # The rows left out are counted, not lost.
    assert "di luar --wilayah" in local.stderr


@pytest.mark.real
def test_progress_for_a_wilayah_lists_only_it_and_its_children() -> None:
    tps = real_file("ppwp2024_tps_36prov.parquet")
    master = real_file("wilayah_kpu_pemilu2024.csv")
    result = run_cli(["progress", str(tps), "--wilayah", "31", "--master", str(master), "-f", "csv"])
    assert result.code == 0, result.stderr
    rows = _csv_rows(result.stdout)
    assert rows[0]["level"] == "provinsi" and rows[0]["kode_wilayah"] == "31"
    assert all(r["kode_wilayah"].startswith("31") for r in rows)
    assert (rows[0]["n_tps"], rows[0]["n_tps_expected"]) == ("30766", "30766")


def test_wilayah_that_is_not_a_code_is_refused() -> None:
    assert_clean_failure(run_cli(["validate", *SAMPLE_TPS, "--wilayah", "35x"]), "--wilayah '35x'")


def test_aggregate_of_a_level_above_the_data_says_so() -> None:
    # (as a presidential race, which climbs to nasional; the sample's TPS all lie in provinsi 35)
    result = run_cli(["aggregate", *SAMPLE_TPS, "--election", "ppwp", "--level", "kabkota,nasional", "-f", "csv"])
    assert result.code == 0, result.stderr
    assert {r["level"] for r in _csv_rows(result.stdout)} == {"kabkota"}
    assert "tingkat nasional tidak ditampilkan" in result.stderr


# --- 7. partial sums are said to be partial ------------------------------------------------------------------


@pytest.mark.real
def test_a_dpt_over_45_percent_of_the_tps_says_so(tmp_path: Path) -> None:
    tps = real_file("ppwp2024_tps_dki_jakarta.csv")
    out = tmp_path / "hasil"
    result = run_cli(["run", str(tps), "-o", str(out)])
    assert result.code in (0, 1), result.stderr
    statement = "dari 30.766 TPS yang dijumlahkan, 22.759 berisi data suara dan 13.848 berisi data pemilih"
    assert statement in result.stderr
    page = _page_text((out / "laporan.html").read_text(encoding="utf-8"))
    assert statement in page
    # Beside the sums: the TPS they cover, per unit.
    assert "TPS berisi data pemilih" in page and "13.848" in page
    from openpyxl import load_workbook

    book = load_workbook(out / "rekap.xlsx", read_only=True)
    summary = " ".join(str(c) for row in book[book.sheetnames[0]].iter_rows(values_only=True) for c in row if c)
    assert statement in summary


# --- round trip: a bundle's workbook as the reported recap of its own TPS data ------------------------------


@pytest.mark.real
def test_dki_bundle_workbook_compared_back_and_one_cell_changed(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    tps = real_file("ppwp2024_tps_dki_jakarta.csv")
    out = tmp_path / "hasil"
    assert run_cli(["run", str(tps), "-o", str(out), "-q"]).code in (0, 1)
    same = run_cli(["compare", str(tps), "-r", str(out / "rekap.xlsx"), "-f", "csv"])
    assert same.code == 0, same.stderr
    assert _csv_rows(same.stdout) == [] and "0 selisih (H001)" in same.stderr

    wb = load_workbook(out / "rekap.xlsx")
    ws = wb["Kecamatan"]
    code_row = next(r for r in range(1, 12) if ws.cell(r, 4).value and str(ws.cell(r, 4).value).isdigit())
    codes = {str(ws.cell(code_row, c).value): c for c in range(4, ws.max_column + 1) if ws.cell(code_row, c).value}
    paslon_row = next(r for r in range(1, ws.max_row + 1) if str(ws.cell(r, 2).value or "").startswith("Paslon 01"))
    cell = ws.cell(paslon_row, codes["317101"])
    before = int(cell.value)
    cell.value = before + 25
    changed = tmp_path / "rekap_diubah.xlsx"
    wb.save(changed)
    result = run_cli(["compare", str(tps), "-r", str(changed), "-f", "csv"])
    assert result.code == 1, result.stderr
    found = _csv_rows(result.stdout)
    # Exactly that kecamatan: its desa (reported in the same workbook) add up to the old value; the
    # kab/kota and the province above it still add up with their kecamatan's checked values.
    assert [(r["level"], r["kode_wilayah"], r["field"], r["selisih"]) for r in found] == [
        ("kecamatan", "317101", "suara_paslon_1", "25")]
    assert int(found[0]["reported"]) == before + 25 and int(found[0]["computed"]) == before


def test_the_recap_workbook_says_what_it_covers(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "rekap.xlsx"
    result = run_cli(["aggregate", *SAMPLE_TPS, "--election", "ppwp", "-o", str(out), "-q"])
    assert result.code == 0, result.stderr
    book = load_workbook(out, read_only=True)
    assert "Nasional" not in book.sheetnames  # above the data (provinsi 35)
    for name in book.sheetnames:
        text = " ".join(str(c) for row in book[name].iter_rows(values_only=True) for c in row if c)
        assert "cakupan: provinsi 35 JAWA TIMUR" in text and "jenis pemilihan: ppwp (dari --election)" in text, name
        assert "tingkat nasional tidak ditampilkan" in text


def test_the_package_metadata_uses_the_license_expression_setuptools_asks_for() -> None:
    """`make demo` printed four setuptools deprecation boxes (`project.license` as a TOML table)."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert isinstance(project["project"]["license"], str)
    # The SPDX string needs setuptools 77 or newer in the build environment.
    assert any(req.replace(" ", "").startswith("setuptools>=77") for req in project["build-system"]["requires"])


def test_a_scope_holding_none_of_the_data_stops(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`--wilayah 11` on Jawa Timur data: nothing to check, sum or compare; an empty 'no finding' would
    look like a clean answer."""
    monkeypatch.chdir(tmp_path)
    for command in (["validate"], ["aggregate", "--level", "kecamatan"], ["run", "-o", "hasil-kosong"]):
        got = run_cli([*command, *SAMPLE_TPS, "--wilayah", "11"])
        assert_clean_failure(got, "tidak ada baris TPS di dalam --wilayah 11: semua 289 baris data berada di luarnya")
        assert "kode provinsi dalam data: 35" in got.stderr
    assert not Path("hasil-kosong").exists()
    assert run_cli(["validate", *SAMPLE_TPS, "--wilayah", "3503", "-f", "csv"]).code in (0, 1)


def test_a_level_the_election_is_not_recapped_to_stops_or_is_said() -> None:
    """Governor results stop at provinsi: asking only for nasional is an error, not '0 rows'; asking for
    provinsi and nasional gives provinsi and says that nasional does not apply."""
    got = run_cli(["aggregate", *SAMPLE_TPS, "--level", "nasional"])
    assert_clean_failure(got, "Pemilihan Gubernur dan Wakil Gubernur (pkwkp) direkap sampai tingkat provinsi; "
                              "tingkat nasional tidak berlaku untuknya")
    got = run_cli(["aggregate", *SAMPLE_TPS, "--level", "provinsi,nasional", "-f", "csv"])
    assert got.code == 0, got.stderr
    assert [line.split(",")[1] for line in got.text.splitlines()[1:]] == ["provinsi"]
    assert "(pkwkp) direkap sampai tingkat provinsi: tidak ada baris tingkat nasional untuknya" in got.stderr
