"""Accepted findings (issue 14, domain.md §5): `--write-accept FILE` writes the findings as an accept file,
`--accept FILE` moves the findings it names out of the findings that count.

On the bundled sample: every finding accepted gives exit 0; a clean TPS altered brings back exactly its own
findings; an accepted TPS corrected leaves its entries stale and a changed value comes back as a finding; an
empty `actual` accepts any value; a bad accept file is one line and exit 2; `rekap run --accept` writes the
accepted findings, the stale entries, the manifest's `accept`, the workbook's sheet and the page's section, in
Indonesian and in English; the recap does not change.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli
from test_language import _Text, _workbook_texts, assert_in_language

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "samples" / "jatim_kecil"
TPS = sorted(SAMPLE / "tps" / name for name in ("tps_3503.csv", "tps_3511.csv", "tps_3574.xlsx"))
REPORTED = [SAMPLE / f"dhasil_{lv}.csv" for lv in ("kecamatan", "kabkota", "provinsi")]
HEADER = ["rule", "kode_wilayah", "field", "actual", "reason", "by", "date"]
CLEAN_TPS = "3503012001001"
"""A TPS of tps_3503.csv without any finding."""


def validate(files: list[Path], *extra: str) -> Any:
    return run_cli(["validate", *map(str, files), "--election", "pkwkp", *extra])


def findings_csv(files: list[Path], *extra: str) -> tuple[int, list[dict[str, str]], str]:
    got = validate(files, "-f", "csv", *extra)
    return got.code, list(csv.DictReader(io.StringIO(got.text))), got.stderr


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def write_rows(path: Path, rows: list[dict[str, str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=HEADER)
        w.writeheader()
        w.writerows(rows)
    return path


def altered_3503(folder: Path, edits: dict[tuple[str, str], str], last: bool = False) -> list[Path]:
    """The sample's TPS files with a copy of tps_3503.csv whose cells (kode TPS, header) are changed (in every
    row of that TPS, or with `last` in its last copy only); a second call edits the copy further."""
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "tps_3503.csv" if (folder / "tps_3503.csv").exists() else SAMPLE / "tps" / "tps_3503.csv"
    with open(source, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    head = rows[0]
    for (code, column), value in edits.items():
        hits = [r for r in rows[1:] if r[0] == code]
        assert hits, code
        for r in hits[-1:] if last else hits:
            r[head.index(column)] = value
    with open(folder / "tps_3503.csv", "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return [folder / "tps_3503.csv", *TPS[1:]]


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The sample's findings, and the accept file --write-accept makes of them."""
    root = tmp_path_factory.mktemp("accept")
    code, findings, _err = findings_csv(TPS)
    accept = root / "diterima.csv"
    got = validate(TPS, "-q", "--write-accept", str(accept))
    return {"root": root, "code": code, "findings": findings, "accept": accept, "write_result": got}


def test_the_written_accept_file_names_every_finding(written: dict[str, Any]) -> None:
    assert written["code"] == 1 and len(written["findings"]) == 38
    assert written["write_result"].code == 1  # writing the list changes nothing else
    raw = written["accept"].read_bytes()
    assert raw.startswith(b"rule,kode_wilayah,field,actual,reason,by,date\n")
    rows = read_rows(written["accept"])
    # One entry per finding (none of the sample's repeats rule, unit, field and value), in the findings' order.
    assert [(r["rule"], r["kode_wilayah"], r["field"], r["actual"]) for r in rows] == [
        (f["rule"], f["kode_wilayah"], f["field"], f["actual"]) for f in written["findings"]]
    assert all(r["reason"] == r["by"] == r["date"] == "" for r in rows)
    assert {r["actual"] for r in rows if r["rule"] in ("S002", "S004", "S005", "P008")} == {""}  # NULL: any value
    # Written the same way twice: the same bytes.
    again = written["root"] / "again.csv"
    validate(TPS, "-q", "--write-accept", str(again))
    assert again.read_bytes() == raw


def test_every_finding_accepted_exits_0(written: dict[str, Any]) -> None:
    """The acceptance criterion: validate, write the accept file, accept it → exit 0, every finding accepted."""
    code, findings, err = findings_csv(TPS, "--accept", str(written["accept"]))
    assert code == 0, err
    assert findings == []
    assert f"38 temuan diterima (daftar terima: {written['accept']}): A001 2, A002 3," in err
    assert "0 galat, 0 peringatan, 0 info" in err
    assert "38 temuan diterima tanpa alasan" in err
    assert "usang" not in err
    # The readable table: nothing on stdout, the same summary.
    table = validate(TPS, "--accept", str(written["accept"]))
    assert table.code == 0 and table.stdout == b""


def test_an_altered_clean_tps_brings_back_exactly_its_findings(written: dict[str, Any], tmp_path: Path) -> None:
    with open(SAMPLE / "tps" / "tps_3503.csv", encoding="utf-8", newline="") as f:
        row = next(r for r in csv.DictReader(f) if r["Kode TPS"] == CLEAN_TPS)
    files = altered_3503(tmp_path / "altered", {(CLEAN_TPS, "Paslon 01"): str(int(row["Paslon 01"]) + 7)})
    code, findings, err = findings_csv(files, "--accept", str(written["accept"]))
    assert code == 1, err
    assert findings and {f["kode_wilayah"] for f in findings} == {CLEAN_TPS}
    assert [(f["rule"], f["field"], f["selisih"]) for f in findings if f["rule"] == "A006"] == [("A006", "suara_sah", "-7")]
    assert "38 temuan diterima" in err and "usang" not in err


def test_a_corrected_tps_leaves_stale_entries_and_a_changed_value_comes_back(written: dict[str, Any],
                                                                             tmp_path: Path) -> None:
    # 3503012001002: paslon 01 was the OCR misread 748 (A006 and P005); corrected to 74, both findings go.
    # 3503012002001: its second copy (S003: paslon 01 220 where the first has 31) now says 221 (and paslon 02 one
    # less, so that its own sum holds): S003 again, with another value.
    files = altered_3503(tmp_path / "corrected", {("3503012001002", "Paslon 01"): "74"})
    files = altered_3503(tmp_path / "corrected", {("3503012002001", "Paslon 01"): "221",
                                                  ("3503012002001", "Paslon 02"): "30"}, last=True)
    code, findings, err = findings_csv(files, "--accept", str(written["accept"]))
    assert code == 1, err
    assert [(f["rule"], f["kode_wilayah"], f["field"], f["actual"]) for f in findings] == [
        ("S003", "3503012002001", "suara_paslon_1", "221")]
    lines = {(r["rule"], r["kode_wilayah"], r["field"], r["actual"]): i + 2
             for i, r in enumerate(read_rows(written["accept"]))}
    accept = written["accept"]
    assert "35 temuan diterima" in err
    assert "! 3 entri daftar terima usang: tidak cocok lagi dengan temuan mana pun" in err
    for key in (("A006", "3503012001002", "suara_sah", "358"), ("P005", "3503012001002", "suara_paslon_1", "748"),
                ("S003", "3503012002001", "suara_paslon_1", "220")):
        assert f"    {accept}:{lines[key]}  {'  '.join(key)}\n" in err
    # The session says the same.
    from rekap import Session

    with Session() as s:
        s.load(files)
        s.validate(election="pkwkp")
        report = s.accept([accept])
        assert report.accept_stale == 3 and sum(report.accepted.values()) == 35
        stale = report.stale_entries.to_pylist()
        assert [(e["line"], e["rule"], e["actual"]) for e in stale] == sorted(
            (lines[k], k[0], int(k[3])) for k in lines if k[1] in ("3503012001002", "3503012002001"))
        assert report.fails("error") and report.counts == {"S003": 1}


def test_an_empty_actual_accepts_any_value(written: dict[str, Any], tmp_path: Path) -> None:
    rows = read_rows(written["accept"])
    for r in rows:
        if r["rule"] == "S003":
            r["actual"] = ""
        if r["rule"] == "S002":
            r["actual"] = "12"  # the finding's actual is NULL: only an empty actual accepts it
    accept = write_rows(tmp_path / "any.csv", rows)
    files = altered_3503(tmp_path / "corrected", {("3503012002001", "Paslon 01"): "221",
                                                  ("3503012002001", "Paslon 02"): "30"}, last=True)
    code, findings, err = findings_csv(files, "--accept", str(accept))
    assert code == 1, err
    assert {(f["rule"], f["kode_wilayah"]) for f in findings} == {("S002", "3503022003002"), ("S002", "3511022003005")}
    assert "36 temuan diterima" in err and "! 2 entri daftar terima usang" in err
    assert "  S002  3503022003002  pemilih_disabilitas_l  12\n" in err


BAD = {
    "missing column": ("rule,kode_wilayah,field,actual,reason,by\nA006,3503012001002,suara_sah,358,x,Ani\n",
                       "baris 1, kolom 'date': tidak ada (baris judul kolom: 'rule', 'kode_wilayah', 'field', "
                       "'actual', 'reason', 'by')"),
    # A reason over two lines and a blank line: the row is named by the line it starts on.
    "unknown rule": ('rule,kode_wilayah,field,actual,reason,by,date\nA006,3503012001002,suara_sah,358,"dua\nbaris",'
                     'Ani,2024-11-28\n\nZ999,3503012001002,suara_sah,358,x,Ani,2024-11-28\n',
                     "baris 5, kolom 'rule': aturan 'Z999' tidak dikenal"),
    "not a number": ("rule;kode_wilayah;field;actual;reason;by;date\r\nA006;3503012001002;suara_sah;3.58;x;Ani;\r\n",
                     "baris 2, kolom 'actual': '3.58' bukan bilangan bulat"),
    "excel code": ("rule,kode_wilayah,field,actual,reason,by,date\nA006,3.50301E+12,suara_sah,358,x,Ani,\n",
                   "baris 2, kolom 'kode_wilayah': '3.50301E+12' adalah kode yang diubah menjadi angka oleh "
                   "lembar kerja"),
    "ragged row": ("rule,kode_wilayah,field,actual,reason,by,date\nA006,3503012001002,suara_sah,358,x,Ani\n",
                   "baris 2: 6 sel, seharusnya 7 seperti baris judul kolom"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_accept_file_is_one_line_and_exit_2(case: str, tmp_path: Path) -> None:
    text, message = BAD[case]
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8", newline="")
    got = validate(TPS, "--accept", str(path))
    assert got.code == 2 and got.stdout == b""
    lines = got.stderr.splitlines()
    assert lines[0] == f"rekap: galat: {path} {message}", got.stderr
    assert len(lines) <= 2 and (len(lines) == 1 or lines[1].startswith("saran: "))


def test_bad_accept_options_fail_before_any_work(written: dict[str, Any], tmp_path: Path) -> None:
    missing = validate(TPS, "--accept", str(tmp_path / "nope.csv"))
    assert missing.code == 2 and missing.stderr.startswith(f"rekap: galat: {tmp_path / 'nope.csv'}: daftar terima "
                                                            "tidak ditemukan")
    same = validate(TPS, "--accept", str(written["accept"]), "--write-accept", str(written["accept"]))
    assert same.code == 2 and "alasan-alasannya akan hilang" in same.stderr
    assert validate(TPS, "--write-accept", str(tmp_path / "d.xlsx")).code == 2
    english = validate(TPS, "--accept", str(tmp_path / "nope.csv"), "--lang", "en")
    assert english.stderr.startswith(f"rekap: error: {tmp_path / 'nope.csv'}: accept file not found")


def test_compare_exits_0_when_its_discrepancies_are_accepted(tmp_path: Path) -> None:
    args = ["compare", *map(str, TPS), *sum((["-r", str(r)] for r in REPORTED), []), "--election", "pkwkp", "-q",
            "-f", "csv"]
    before = run_cli(args + ["--write-accept", str(tmp_path / "h.csv")])
    assert before.code == 1
    rules = {r["rule"] for r in read_rows(tmp_path / "h.csv")}
    assert {"H001", "H002", "H003"} <= rules
    after = run_cli(args + ["--accept", str(tmp_path / "h.csv")])
    assert after.code == 0, after.stderr
    assert after.stdout == before.stdout  # the discrepancy rows are facts of the comparison: still written


def test_accepting_before_compare_and_aggregate_in_the_library(written: dict[str, Any]) -> None:
    """`Session.accept` may come before `compare`: the new findings are matched too; the recap's n_tps_error
    still counts accepted errors (accepting explains a form, it does not correct it)."""
    from rekap import Session

    with Session() as s:
        s.load(TPS)
        s.validate(election="pkwkp")
        s.aggregate()
        plain = s.con.execute(f"SELECT * FROM {s.RECAP}").fetchall()
    with Session() as s:
        s.load(TPS)
        s.validate(election="pkwkp")
        report = s.accept([written["accept"]])
        s.aggregate()
        assert s.con.execute(f"SELECT * FROM {s.RECAP}").fetchall() == plain
        assert report.counts == {} and sum(report.accepted.values()) == 38
        s.compare(REPORTED)
        assert report.counts.get("H001") == 5 and sum(report.accepted.values()) == 38
        assert report.findings.num_rows == sum(report.counts.values())
        assert report.accepted_findings.column_names[-3:] == ["reason", "by", "date"]
        assert report.accepted_findings.column_names[:-3] == report.findings.column_names


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def bundles(written: dict[str, Any]) -> dict[str, Any]:
    """`rekap run` on the sample without --accept, with an accept file that gives reasons (and holds a stale
    entry), and the same in English. The reasons are the staff's own words (the same in both runs), chosen
    without a word the language test looks for."""
    root: Path = written["root"]
    rows = read_rows(written["accept"])
    for i, r in enumerate(rows):
        if i % 2 == 0:
            r.update(reason="Formulir C.Hasil plano diperiksa ulang", by="Budi (PPK)", date="2024-11-28")
    rows.append(dict(zip(HEADER, ["A006", "3503012001099", "suara_sah", "12", "salah ketik", "Ani", "2024-11-29"],
                         strict=True)))
    accept = write_rows(root / "alasan.csv", rows)
    out: dict[str, Any] = {"accept": accept, "n": len(rows)}
    for key, args in (("plain", []), ("id", ["--accept", str(accept)]),
                      ("en", ["--accept", str(accept), "--lang", "en"])):
        out[f"{key}_result"] = run_cli(["run", "-o", str(root / key), *args])
        out[key] = root / key
    return out


def test_run_writes_the_accepted_findings_and_the_stale_entries(bundles: dict[str, Any]) -> None:
    out: Path = bundles["id"]
    res = bundles["id_result"]
    assert res.code == 1, res.stderr  # the sample's H001 and H003 are not in the accept file
    accepted = read_rows(out / "findings_accepted.csv")
    assert len(accepted) == 38
    assert list(accepted[0]) == ["rule", "severity", "level", "kode_wilayah", "field", "expected", "actual", "selisih",
                                 "message", "source", "row", "reason", "by", "date"]
    assert accepted[0]["reason"] == "Formulir C.Hasil plano diperiksa ulang" and accepted[1]["reason"] == ""
    findings = read_rows(out / "findings.csv")
    assert not {(f["rule"], f["kode_wilayah"], f["field"]) for f in findings} & {
        (f["rule"], f["kode_wilayah"], f["field"]) for f in accepted}
    assert read_rows(out / "accept_stale.csv") == [
        {"file": str(bundles["accept"]), "line": str(bundles["n"] + 1), "rule": "A006", "kode_wilayah": "3503012001099",
         "field": "suara_sah", "actual": "12", "reason": "salah ketik"}]
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert m["accept"]["files"] == [{"path": str(bundles["accept"]), "name": "alasan.csv",
                                     "sha256": sha(bundles["accept"]), "rows": bundles["n"]}]
    assert m["accept"]["accepted"] == 38 and m["accept"]["stale"] == 1 and m["accept"]["without_reason"] == 19
    assert sum(m["findings_per_rule"].values()) == len(findings)
    for name in ("findings_accepted.csv", "accept_stale.csv"):
        assert m["outputs"][name]["sha256"] == sha(out / name)
    assert "38 temuan diterima (daftar terima:" in res.stderr and "! 1 entri daftar terima usang" in res.stderr


def test_run_accept_changes_only_the_findings(bundles: dict[str, Any]) -> None:
    plain, out = bundles["plain"], bundles["id"]
    for name in sorted(p.name for p in plain.iterdir()):
        if name.startswith("recap") or name.startswith("discrepancies") or name == "coverage.csv":
            assert (out / name).read_bytes() == (plain / name).read_bytes(), name
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [*(p.name for p in plain.iterdir()), "findings_accepted.csv", "accept_stale.csv"])


def test_the_workbook_and_the_page_show_the_accepted_findings(bundles: dict[str, Any]) -> None:
    from openpyxl import load_workbook

    out: Path = bundles["id"]
    wb = load_workbook(out / "rekap.xlsx", read_only=True)
    assert wb.sheetnames.index("Diterima") == wb.sheetnames.index("Temuan") + 1
    rows = list(wb["Diterima"].iter_rows(values_only=True))
    assert rows[2][-3:] == ("Alasan diterima", "Diterima oleh", "Tanggal diterima")
    assert len(rows) == 3 + 38
    assert ("Formulir C.Hasil plano diperiksa ulang", "Budi (PPK)", "2024-11-28") in {r[-3:] for r in rows[3:]}
    summary = [r for r in wb["Ringkasan"].iter_rows(values_only=True) if any(r)]
    assert ("Temuan diterima (tidak dihitung untuk kode keluar)", 38) in {r[:2] for r in summary}
    assert [r[:5] for r in summary if r[0] == "Daftar terima"] == [
        ("Daftar terima", "alasan.csv", None, sha(bundles["accept"]), bundles["n"])]
    with zipfile.ZipFile(out / "rekap.xlsx") as z:
        assert not any("<f>" in z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))
    page = (out / "laporan.html").read_text(encoding="utf-8")
    assert '<section id="diterima">' in page and "Formulir C.Hasil plano diperiksa ulang" in page
    assert "Entri usang" in page and "3503012001099" in page
    # Without --accept neither is there.
    plain = load_workbook(bundles["plain"] / "rekap.xlsx", read_only=True)
    assert "Diterima" not in plain.sheetnames
    assert 'id="diterima"' not in (bundles["plain"] / "laporan.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_accepted_bundle_speaks_one_language(bundles: dict[str, Any], lang: str) -> None:
    out: Path = bundles[lang]
    res = bundles[f"{lang}_result"]
    assert res.code == 1, res.stderr
    assert_in_language(res.stderr, lang, "run --accept stderr")
    assert_in_language(_workbook_texts(out / "rekap.xlsx"), lang, "rekap.xlsx")
    page = _Text()
    page.feed((out / "laporan.html").read_text(encoding="utf-8"))
    assert_in_language("\n".join(page.parts), lang, "laporan.html")
    if lang == "en":
        assert "38 findings accepted (accept file:" in res.stderr
        assert "1 stale entry in the accept file" in res.stderr
        from openpyxl import load_workbook

        assert "Accepted" in load_workbook(out / "rekap.xlsx", read_only=True).sheetnames


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_accept_summary_and_errors_speak_one_language(written: dict[str, Any], lang: str, tmp_path: Path) -> None:
    files = altered_3503(tmp_path / "corrected", {("3503012001002", "Paslon 01"): "74"})
    extra = ["--lang", "en"] if lang == "en" else []
    got = validate(files, "-q", "--accept", str(written["accept"]), "--write-accept", str(tmp_path / "baru.csv"),
                   *extra)
    assert got.code == 0
    loud = validate(files, "--accept", str(written["accept"]), "--write-accept", str(tmp_path / "baru2.csv"), *extra)
    assert_in_language(loud.stderr, lang, "validate --accept stderr")
    (tmp_path / "bad.csv").write_text("rule,kode_wilayah,field,actual,reason,by,date\nA006,1,x,y,,,\n", encoding="utf-8")
    bad = validate(TPS, "--accept", str(tmp_path / "bad.csv"), *extra)
    assert bad.code == 2
    assert_in_language(bad.stderr, lang, "bad accept file")


def test_entries_of_rules_that_did_not_run_are_neither_accepted_nor_stale(written: dict[str, Any]) -> None:
    code, findings, err = findings_csv(TPS, "--select", "A", "--accept", str(written["accept"]))
    assert code == 0 and findings == [], err
    assert "24 temuan diterima" in err and "usang" not in err
    assert "! 14 entri daftar terima tidak diperiksa: aturannya tidak dijalankan (P001 1, P002 2, P003 1, P004 2, " \
           "P005 1, P006 1, P008 1, S002 2, S003 1, S004 1, S005 1)" in err


def test_the_reader_keeps_lines_and_reads_back_what_rekap_wrote(tmp_path: Path) -> None:
    """Excel's CSV (BOM, `;`, CRLF), columns in another order and one more, a reason over two lines, blank and
    empty rows, a rule in lower case, and the apostrophe rekap puts before a text that looks like a formula."""
    import duckdb

    from rekap.io.accept import load_accept

    path = tmp_path / "excel.csv"
    path.write_bytes(
        "\ufeffby;rule;catatan;kode_wilayah;field;actual;reason;date\r\n"
        "Ani;a006;x;3503012001002;suara_sah;+358;\"dua\r\nbaris\";2024-11-28\r\n"
        "\r\n"
        ";;;;;;;\r\n"
        "Budi;S005;;'-350304200504;kode_tps;;'=cek;\r\n".encode()
    )
    con = duckdb.connect()
    files = load_accept(con, [path], known_rules={"A006", "S005"})
    assert files[0].rows == 2 and files[0].sha256 == sha(path)
    assert con.execute("SELECT * FROM rk_accept").fetchall() == [
        (str(path), 2, "A006", "3503012001002", "suara_sah", 358, "dua\r\nbaris", "Ani", "2024-11-28"),
        (str(path), 6, "S005", "-350304200504", "kode_tps", None, "=cek", "Budi", None),
    ]
