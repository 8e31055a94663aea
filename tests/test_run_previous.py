"""rekap run --previous: the changes since an earlier snapshot of the bundled sample, in every file of the bundle."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import run_cli
from test_language import _Text, _workbook_texts, assert_in_language

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "samples" / "jatim_kecil"
CHANGES = ("changes.csv", "changes.jsonl", "changes.parquet")

# The changes planted in the previous copy, as the change records of the bundle say them (current = the sample):
# (kode_wilayah, field, old, new, selisih, change, rules).
PLANTED = {
    # DPT typed 504 before, 540 now: two digits apart, no misread signature.
    ("3503012001001", "pemilih_dpt_j", "504", "540", "36", "changed", "D001,D005"),
    # 74 before, the sample's OCR misread 748 now: a digit inserted, and the new form breaks A006.
    ("3503012001002", "suara_paslon_1", "74", "748", "674", "changed", "D001,D003,D006"),
    # A TPS the previous copy did not have yet.
    ("3503012001003", "", "", "", "", "tps_added", ""),
    # Empty before, 47 now.
    ("3511011001001", "suara_paslon_2", "", "47", "", "added", ""),
    # A TPS of the previous copy that is gone now.
    ("3511011001099", "", "", "", "", "tps_removed", "D002"),
    # 493 before (3 for 8), 498 now, in the workbook: the correction repairs A001 and A002.
    ("3574031001001", "pemilih_dpt_j", "493", "498", "5", "changed", "D001,D005,D006"),
}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_previous(folder: Path) -> Path:
    """A copy of the sample's TPS files with the changes of PLANTED undone (each file in its own encoding)."""
    from openpyxl import load_workbook

    folder.mkdir(parents=True)
    tps = SAMPLE / "tps"

    def rewrite(name: str, encoding: str, delimiter: str, edits: dict[tuple[str, str], str], drop: str = "",
                copy: tuple[str, str] | None = None) -> None:
        with open(tps / name, encoding=encoding, newline="") as f:
            rows = list(csv.reader(f, delimiter=delimiter))
        head, body = rows[0], [r for r in rows[1:] if r[0] != drop]
        for r in body:
            for (code, column), value in edits.items():
                if r[0] == code:
                    r[head.index(column)] = value
        if copy is not None:
            body.append([copy[1], *next(r for r in body if r[0] == copy[0])[1:]])
        with open(folder / name, "w", encoding=encoding, newline="") as f:
            csv.writer(f, delimiter=delimiter).writerows([head, *body])

    rewrite("tps_3503.csv", "utf-8", ",", {("3503012001001", "Jumlah DPT"): "504",
                                           ("3503012001002", "Paslon 01"): "74"}, drop="3503012001003")
    rewrite("tps_3511.csv", "cp1252", ";", {("3511011001001", "Suara Paslon 02"): ""},
            copy=("3511011001002", "3511011001099"))
    wb = load_workbook(tps / "tps_3574.xlsx")
    ws = wb.active
    head = [c.value for c in ws[3]]
    for row in ws.iter_rows(min_row=4):
        if row[0].value == "3574031001001":
            row[head.index("Jumlah DPT")].value = 493
    wb.save(folder / "tps_3574.xlsx")
    return folder


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The sample's bundle with and without --previous (Indonesian), and with it in English."""
    root = tmp_path_factory.mktemp("previous")
    previous = make_previous(root / "previous")
    out: dict[str, Any] = {"previous": previous}
    for key, args in (("id", ["--previous", str(previous)]), ("plain", []),
                      ("en", ["--previous", str(previous), "--lang", "en"])):
        res = run_cli(["run", "-o", str(root / key), *args])
        out[key] = root / key
        out[f"{key}_result"] = res
    return out


def records(path: Path) -> set[tuple[str, ...]]:
    with open(path, encoding="utf-8") as f:
        return {(r["kode_wilayah"], r["field"], r["old"], r["new"], r["selisih"], r["change"], r["rules"])
                for r in csv.DictReader(f)}


def test_the_change_files_hold_exactly_the_planted_changes(bundles: dict[str, Any]) -> None:
    out: Path = bundles["id"]
    res = bundles["id_result"]
    assert res.code == 1, res.stderr  # the sample's planted errors; the D findings change nothing
    assert records(out / "changes.csv") == PLANTED
    # The three formats hold the same records in the same order.
    with open(out / "changes.csv", encoding="utf-8") as f:
        csv_rows = [(r["kode_wilayah"], r["field"] or None, r["rules"]) for r in csv.DictReader(f)]
    jsonl = [json.loads(line) for line in (out / "changes.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(r["kode_wilayah"], r["field"], r["rules"]) for r in jsonl] == csv_rows
    parquet = duckdb.sql(f"SELECT kode_wilayah, field, rules FROM '{out / 'changes.parquet'}'").fetchall()
    assert parquet == csv_rows
    assert jsonl[1]["old"] == 74 and jsonl[1]["new"] == 748 and jsonl[1]["selisih"] == 674  # numbers, not text
    by_code = {r["kode_wilayah"]: r for r in jsonl}
    assert by_code["3503012001002"]["old_source"] == str(bundles["previous"] / "tps_3503.csv")
    assert by_code["3503012001002"]["new_source"] == str(SAMPLE / "tps" / "tps_3503.csv")
    assert "perubahan sejak data sebelumnya: TPS berubah 4" in res.stderr


def test_the_manifest_names_the_previous_inputs_and_counts_the_changes(bundles: dict[str, Any]) -> None:
    out: Path = bundles["id"]
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    previous = bundles["previous"]
    assert [(p["name"], p["format"], p["sha256"]) for p in m["previous"]] == [
        (str(previous / name), fmt, sha(previous / name))
        for name, fmt in (("tps_3503.csv", "csv"), ("tps_3511.csv", "csv"), ("tps_3574.xlsx", "xlsx"))]
    assert [p["rows"] for p in m["previous"]] == [94, 89, 106]
    for name in CHANGES:
        assert m["outputs"][name]["sha256"] == sha(out / name)
    ch = m["changes"]
    assert ch["records"] == {"added": 1, "removed": 0, "changed": 3, "tps_added": 1, "tps_removed": 1}
    assert ch["tps_changed"] == 4 and ch["tps_both"] == 286
    # D003 once: 748 breaks A006 (suara_sah), which 74 met.
    assert ch["findings_per_rule"] == {"D001": 3, "D002": 1, "D003": 1, "D005": 2, "D006": 2}
    assert ch["misread"] == {"repaired": 1, "still_failing": 0, "already_passing": 1}
    assert len(ch["fields_compared"]) == 40 and ch["fields_not_compared"] == {"previous_only": [], "current_only": []}
    assert ch["units_level"] == "kabkota"
    assert list(m["timings_s"]) == ["changes", "validate", "aggregate", "compare", "coverage", "bundle"]
    # The D findings are not the bundle's findings: findings.csv and its counts are the run's own.
    assert not any(rule.startswith("D") for rule in m["findings_per_rule"])


def test_the_rest_of_the_bundle_is_what_it_is_without_previous(bundles: dict[str, Any]) -> None:
    """The pipeline after the diff reloads the current files: every other data file is the same."""
    with_prev, plain = bundles["id"], bundles["plain"]
    assert bundles["plain_result"].code == bundles["id_result"].code
    names = sorted(p.name for p in plain.iterdir())
    assert sorted(p.name for p in with_prev.iterdir()) == sorted([*names, *CHANGES])
    for name in names:
        if name not in ("manifest.json", "rekap.xlsx", "laporan.html"):
            assert (with_prev / name).read_bytes() == (plain / name).read_bytes(), name
    m_prev, m_plain = (json.loads((d / "manifest.json").read_text(encoding="utf-8")) for d in (with_prev, plain))
    assert "previous" not in m_plain and "changes" not in m_plain
    for key in ("inputs", "reported", "master", "covered", "accounting", "findings_per_rule"):
        assert m_prev[key] == m_plain[key], key
    # Without --previous, nothing of the changes appears anywhere.
    assert "Perubahan" not in _workbook_texts(plain / "rekap.xlsx")
    assert 'id="perubahan"' not in (plain / "laporan.html").read_text(encoding="utf-8")


def test_the_workbook_lists_the_changes(bundles: dict[str, Any]) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(bundles["id"] / "rekap.xlsx")
    assert wb.sheetnames[-1] == "Perubahan"
    rows = list(wb["Perubahan"].iter_rows(values_only=True))
    assert rows[0][0] == "PERUBAHAN ANTARA DUA VERSI DATA TPS"
    assert rows[2] == ("Kode TPS", "Kolom", "Lama", "Baru", "Selisih", "Perubahan", "Aturan", "Berkas lama",
                       "Berkas baru")
    body = [r for r in rows[3:] if r[0] is not None]
    assert {(r[0], r[1] or "", "" if r[2] is None else str(r[2]), "" if r[3] is None else str(r[3]),
             "" if r[4] is None else str(r[4]), r[6] or "") for r in body} == {p[:5] + (p[6],) for p in PLANTED}
    by_code = {r[0]: r for r in body}
    assert by_code["3503012001002"][2:6] == (74, 748, 674, "dikoreksi")  # numbers as numbers
    assert by_code["3503012001003"][5] == "TPS baru" and by_code["3511011001001"][5] == "ditambahkan"
    ws = wb["Perubahan"]
    assert ws["A4"].data_type == "s" and ws["A4"].number_format == "@"  # codes as text
    summary = [r for r in wb["Ringkasan"].iter_rows(values_only=True)]
    previous = [r for r in summary if r[0] == "Data TPS sebelumnya"]
    assert [r[3] for r in previous] == [sha(bundles["previous"] / n) for n in ("tps_3503.csv", "tps_3511.csv",
                                                                                "tps_3574.xlsx")]
    assert ("TPS dengan angka berubah", 4, None, None, None) in summary
    assert ("dikoreksi", 3, None, None, None) in summary
    assert any(r[0] == "D003" and r[1] == "Koreksi membuat formulir salah" for r in summary)


def test_the_page_has_the_changes_section(bundles: dict[str, Any]) -> None:
    page = (bundles["id"] / "laporan.html").read_text(encoding="utf-8")
    assert '<li><a href="#perubahan">Perubahan sejak data sebelumnya</a></li>' in page
    section = page[page.index('<section id="perubahan">'):]
    largest = section[section.index("Koreksi terbesar"):]
    # The largest correction first, with its rules.
    assert largest.index("3503012001002") < largest.index("3503012001001") < largest.index("3574031001001")
    assert '<td class="n pos">+674</td><td class="kode">D001,D003,D006</td>' in largest
    assert "Koreksi membuat formulir salah" in section  # D003's title, from the rules table
    assert sha(bundles["previous"] / "tps_3503.csv")[:12] in section
    # Per kab/kota: TPS changed, new and gone, and the net selisih of the votes.
    assert ('<td class="kode">3511</td><td class="name">SEGARAMAKMUR</td><td class="n">1</td><td class="n">0</td>'
            '<td class="n">1</td>') in section
    assert section.count("<figure>") == 1 and "Jumlah angka yang berubah per kolom" in section


def test_the_bundle_with_previous_speaks_english(bundles: dict[str, Any]) -> None:
    from openpyxl import load_workbook

    out: Path = bundles["en"]
    res = bundles["en_result"]
    assert res.code == 1, res.stderr
    assert records(out / "changes.csv") == PLANTED  # data: the same in every language
    assert_in_language(res.stderr, "en", "run --previous stderr")
    assert_in_language(_workbook_texts(out / "rekap.xlsx"), "en", "rekap.xlsx")
    text = _Text()
    text.feed((out / "laporan.html").read_text(encoding="utf-8"))
    assert_in_language("\n".join(text.parts), "en", "laporan.html")
    wb = load_workbook(out / "rekap.xlsx")
    assert wb.sheetnames[-1] == "Changes"
    rows = list(wb["Changes"].iter_rows(values_only=True))
    assert rows[2][:6] == ("TPS code", "Field", "Old", "New", "Difference", "Change")
    assert {r[5] for r in rows[3:]} == {"corrected", "added", "new TPS", "TPS gone"}
    assert "changes since the previous data: TPS changed 4" in res.stderr
    assert '<a href="#perubahan">Changes since the previous data</a>' in (out / "laporan.html").read_text(encoding="utf-8")


def test_changes_within_one_kecamatan_are_summed_per_kecamatan(tmp_path: Path, bundles: dict[str, Any]) -> None:
    """--wilayah of a kecamatan: the kab/kota is above the scope, the changes are summed per kecamatan; its data
    has no error, and the D findings (D001, D005, D006) leave the exit code at 0."""
    out = tmp_path / "hasil"
    res = run_cli(["run", "-o", str(out), "--previous", str(bundles["previous"]), "-w", "357403", "-q"])
    assert res.code == 0, res.stderr
    assert records(out / "changes.csv") == {p for p in PLANTED if p[0].startswith("357403")}
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert m["changes"]["units_level"] == "kecamatan"
    assert m["changes"]["findings_per_rule"] == {"D001": 1, "D005": 1, "D006": 1}
    page = (out / "laporan.html").read_text(encoding="utf-8")
    assert "Perubahan per Kecamatan" in page and '<td class="kode">357403</td>' in page


def test_nothing_changed(tmp_path: Path) -> None:
    """The sample against a copy of itself: no records, and the page and the workbook say so."""
    same = tmp_path / "same"
    shutil.copytree(SAMPLE / "tps", same)
    out = tmp_path / "hasil"
    res = run_cli(["run", "-o", str(out), "--previous", str(same), "-q"])
    assert res.code == 1, res.stderr
    assert (out / "changes.csv").read_text(encoding="utf-8").splitlines() == [
        "kode_wilayah,field,old,new,selisih,change,rules,old_source,new_source"]
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert m["changes"]["tps_changed"] == 0 and m["changes"]["findings_per_rule"] == {}
    assert "Tidak ada yang berubah sejak data sebelumnya." in (out / "laporan.html").read_text(encoding="utf-8")
    assert "Tidak ada yang berubah." in _workbook_texts(out / "rekap.xlsx")


def test_previous_that_matches_nothing_stops_before_anything_is_written(tmp_path: Path) -> None:
    out = tmp_path / "hasil"
    res = run_cli(["run", "-o", str(out), "--previous", str(tmp_path / "tidak_ada_*.csv")])
    assert res.code == 2 and res.stdout == b""
    assert "tidak ada berkas yang cocok" in res.stderr
    assert not out.exists()
