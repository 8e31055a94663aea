"""`rekap diff`: change records, the D and X rules, per-unit totals, bad input, and the real DKI snapshots.

Each D and X rule is planted on a small form (test_rules.PEMILU, a clean Pilpres C.Hasil) and must fire there and
stay silent on clean data; diff(A, A) is empty and diff(B, A) mirrors diff(A, B) (property tests); the real
20 Feb → 17 Mar DKI Jakarta snapshots reproduce the published revisions file record for record.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest
from conftest import real_file, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_rules import PEMILU, PILKADA, with_, write_csv

from rekap.session import Session


def tps(n: int, **changes: Any) -> dict[str, Any]:
    """PEMILU as TPS number n of its desa (clean), with `changes`."""
    return with_(PEMILU, kode_tps=PEMILU["kode_tps"][:10] + f"{n:03d}", **changes)


# Three clean TPS that differ from each other (no P007 pairs; not that diff runs P rules).
CLEAN = [tps(1), tps(2, suara_paslon_1=82, suara_paslon_2=108), tps(3, suara_paslon_1=81, suara_paslon_3=40,
                                                                   suara_paslon_2=107)]


def diff(tmp_path: Path, old: list[dict[str, Any]], new: list[dict[str, Any]], **kw: Any
         ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], Any]:
    """Change records and findings of diffing two CSVs written from `old` and `new` (library path)."""
    a = write_csv(tmp_path / "lama.csv", old)
    b = write_csv(tmp_path / "baru.csv", new)
    with Session() as s:
        result = s.diff([a], [b], **kw)
        changes = s.con.sql(f"SELECT * FROM {s.CHANGES}").to_arrow_table().to_pylist()
        findings = result.report.findings.to_pylist()
    return changes, findings, result


def rules_of(findings: list[dict[str, Any]]) -> list[tuple[str, str, str | None]]:
    return sorted((f["rule"], f["kode_wilayah"], f["field"]) for f in findings)


# --- the change records ------------------------------------------------------------------------------


def test_identical_inputs_have_no_change(tmp_path: Path) -> None:
    changes, findings, result = diff(tmp_path, CLEAN, CLEAN)
    assert changes == [] and findings == []
    assert result.counts.tps_both == 3 and result.counts.records == 0
    res = run_cli(["diff", str(tmp_path / "lama.csv"), str(tmp_path / "baru.csv")])
    assert res.code == 0 and res.stdout == b""
    assert "Tidak ada yang berubah." in res.stderr


def test_records_added_removed_changed_and_tps_level(tmp_path: Path) -> None:
    old = [tps(1, suara_tidak_sah=None, suara_total=None), tps(2), tps(4)]
    new = [tps(1), tps(2, suara_tidak_sah=None), tps(5)]
    changes, findings, result = diff(tmp_path, old, new)
    got = [(c["kode_wilayah"], c["field"], c["old"], c["new"], c["selisih"], c["change"]) for c in changes]
    assert got == [
        ("3101011001001", "suara_tidak_sah", None, 5, None, "added"),
        ("3101011001001", "suara_total", None, 233, None, "added"),
        ("3101011001002", "suara_tidak_sah", 5, None, None, "removed"),
        ("3101011001004", None, None, None, None, "tps_removed"),
        ("3101011001005", None, None, None, None, "tps_added"),
    ]
    assert [c["rules"] for c in changes] == ["", "", "D002", "D002", ""]
    assert {c["old_source"] for c in changes if c["change"] != "tps_added"} == {str(tmp_path / "lama.csv")}
    assert {c["new_source"] for c in changes if c["change"] != "tps_removed"} == {str(tmp_path / "baru.csv")}
    assert rules_of(findings) == [("D002", "3101011001002", "suara_tidak_sah"), ("D002", "3101011001004", "kode_tps")]
    c = result.counts
    assert (c.added, c.removed, c.changed, c.tps_added, c.tps_removed, c.tps_both, c.tps_changed) == (2, 1, 0, 1, 1, 2, 2)


def test_only_fields_on_both_sides_are_compared(tmp_path: Path) -> None:
    old = [{k: v for k, v in r.items() if not k.startswith("pengguna_non_dpt")} for r in CLEAN]
    new = [with_(r, suara_paslon_1=r["suara_paslon_1"], pengguna_non_dpt_j=7) for r in CLEAN]
    changes, findings, result = diff(tmp_path, old, new)
    assert changes == [] and findings == []
    assert result.only_old == [] and result.only_new == ["pengguna_non_dpt_l", "pengguna_non_dpt_p", "pengguna_non_dpt_j"]
    res = run_cli(["diff", str(tmp_path / "lama.csv"), str(tmp_path / "baru.csv")])
    assert "hanya di BARU, tidak dibandingkan: pengguna_non_dpt_l, pengguna_non_dpt_p, pengguna_non_dpt_j" in res.stderr


# --- every D rule, planted ---------------------------------------------------------------------------


def test_d001_a_correction_alone_is_d001_only(tmp_path: Path) -> None:
    # OLD fails A006 (95 + 107 + 38 ≠ 228), NEW is the form's 83: two digits changed, so no misread signature.
    changes, findings, _r = diff(tmp_path, [tps(1, suara_paslon_1=95), *CLEAN[1:]], CLEAN)
    assert rules_of(findings) == [("D001", "3101011001001", "suara_paslon_1")]
    f = findings[0]
    assert (f["expected"], f["actual"], f["selisih"], f["severity"]) == (95, 83, -12, "info")
    assert f["message"] == "suara_paslon_1: 95 → 83 (selisih -12)"
    assert f["source"] == str(tmp_path / "baru.csv") and f["row"] == 2
    assert [c["rules"] for c in changes] == ["D001"]


def test_d003_a_correction_that_breaks_the_form(tmp_path: Path) -> None:
    changes, findings, _r = diff(tmp_path, CLEAN, [tps(1, suara_paslon_1=85), *CLEAN[1:]])
    assert rules_of(findings) == [("D001", "3101011001001", "suara_paslon_1"), ("D003", "3101011001001", "suara_sah")]
    d003 = next(f for f in findings if f["rule"] == "D003")
    assert (d003["expected"], d003["actual"], d003["severity"]) == (230, 228, "error")
    assert "A006" in d003["message"]
    assert changes[0]["rules"] == "D001,D003"


def test_d003_not_when_the_old_form_failed_the_same_rule(tmp_path: Path) -> None:
    # OLD already failed A006 (95); NEW still fails it (74): not a correction that broke the form.
    _c, findings, _r = diff(tmp_path, [tps(1, suara_paslon_1=95)], [tps(1, suara_paslon_1=74)])
    assert {f["rule"] for f in findings} == {"D001"}


def test_d004_vote_shift_with_an_unchanged_sum(tmp_path: Path) -> None:
    changes, findings, _r = diff(tmp_path, CLEAN, [tps(1, suara_paslon_1=73, suara_paslon_2=117), *CLEAN[1:]])
    assert rules_of(findings) == [("D001", "3101011001001", "suara_paslon_1"), ("D001", "3101011001001", "suara_paslon_2"),
                                  ("D004", "3101011001001", "suara_paslon")]
    d004 = next(f for f in findings if f["rule"] == "D004")
    assert (d004["expected"], d004["actual"], d004["selisih"]) == (228, 228, 0)
    assert "suara_paslon_1 -10, suara_paslon_2 +10" in d004["message"]
    assert [c["rules"] for c in changes] == ["D001,D004", "D001,D004"]


def test_d005_dpt_changed_after_publication(tmp_path: Path) -> None:
    _c, findings, _r = diff(tmp_path, CLEAN, [tps(1, pemilih_dpt_l=150, pemilih_dpt_j=295), *CLEAN[1:]])
    assert rules_of(findings) == [
        ("D001", "3101011001001", "pemilih_dpt_j"), ("D001", "3101011001001", "pemilih_dpt_l"),
        ("D005", "3101011001001", "pemilih_dpt_j"), ("D005", "3101011001001", "pemilih_dpt_l"),
    ]


def test_d006_misread_signature_names_the_digits_and_the_repair(tmp_path: Path) -> None:
    # 107 read as 187 (0↔8) and 38 as 388 (an 8 inserted): OLD fails A006, the corrections repair it.
    old = [tps(1, suara_paslon_2=187), tps(2, suara_paslon_1=82, suara_paslon_2=108, suara_paslon_3=388), CLEAN[2]]
    changes, findings, result = diff(tmp_path, old, CLEAN)
    d006 = sorted((f["kode_wilayah"], f["message"]) for f in findings if f["rule"] == "D006")
    assert d006 == [
        ("3101011001001", "suara_paslon_2: 187 → 107, tanda salah baca (angka ke-2: 8 → 0; koreksi membuat "
                          "formulir lolos A006 yang sebelumnya gagal)"),
        ("3101011001002", "suara_paslon_3: 388 → 38, tanda salah baca (angka 8 hilang; koreksi membuat formulir "
                          "lolos A006 yang sebelumnya gagal)"),
    ]
    assert {f["rule"] for f in findings} == {"D001", "D006"}
    assert result.misread == {"repaired": 2, "still_failing": 0, "already_passing": 0}
    assert [c["rules"] for c in changes] == ["D001,D006", "D001,D006"]


@pytest.mark.parametrize(("old", "new", "signature"), [
    (1, 7, "angka ke-1: 1 → 7"), (38, 88, "angka ke-1: 3 → 8"), (56, 66, "angka ke-1: 5 → 6"),
    (10, 18, "angka ke-2: 0 → 8"), (249, 244, "angka ke-3: 9 → 4"), (72, 22, "angka ke-1: 7 → 2"),
    (74, 748, "angka 8 tersisip"), (748, 74, "angka 8 hilang"), (5, 15, "angka 1 tersisip"),
    (12, 21, None), (35, 46, None), (100, 1, None), (3, 4, None),
])
def test_d006_signatures(tmp_path: Path, old: int, new: int, signature: str | None) -> None:
    _c, findings, _r = diff(tmp_path, [tps(1, suara_tidak_sah=old)], [tps(1, suara_tidak_sah=new)])
    d006 = [f["message"] for f in findings if f["rule"] == "D006"]
    if signature is None:
        assert d006 == []
    else:
        assert len(d006) == 1 and f"tanda salah baca ({signature}" in d006[0]


def test_d_rules_follow_select_ignore_and_fail_on(tmp_path: Path) -> None:
    old = write_csv(tmp_path / "lama.csv", CLEAN)
    new = write_csv(tmp_path / "baru.csv", [tps(1, suara_paslon_1=85), *CLEAN[1:]])  # D001 + D003 (error)
    assert run_cli(["diff", str(old), str(new), "-q"]).code == 1
    assert run_cli(["diff", str(old), str(new), "-q", "--ignore", "D003"]).code == 0
    assert run_cli(["diff", str(old), str(new), "-q", "--fail-on", "never"]).code == 0
    assert run_cli(["diff", str(old), str(new), "-q", "--ignore", "D003", "--fail-on", "info"]).code == 1
    out = tmp_path / "temuan.jsonl"
    res = run_cli(["diff", str(old), str(new), "-q", "--select", "D003", "--findings", str(out)])
    assert res.code == 1
    assert [json.loads(line)["rule"] for line in out.read_text().splitlines()] == ["D003"]
    # The change records do not depend on the rule selection.
    assert res.text.count("suara_paslon_1") == 1


def test_d_and_x_rules_are_silent_on_clean_data_and_outside_diff(tmp_path: Path) -> None:
    _c, findings, result = diff(tmp_path, CLEAN, CLEAN)
    assert findings == []
    assert {"D001", "D002", "D003", "D004", "D005", "D006", "S002", "S003", "S004", "S005", "S007"} <= set(
        result.report.rules_run)
    _c, findings, _r = diff(tmp_path, CLEAN, CLEAN, sources=("sirekap", "saksi"))
    assert findings == []
    # validate never runs them unless asked, and says why they do not apply then.
    res = run_cli(["validate", str(tmp_path / "lama.csv"), "--select", "D,X"])
    assert res.code == 0
    assert "D001: hanya dalam rekap diff antara dua snapshot" in res.stderr
    assert "X001: hanya dalam rekap diff --sources" in res.stderr
    assert "D001" not in run_cli(["validate", str(tmp_path / "lama.csv")]).stderr


# --- sources -------------------------------------------------------------------------------------------


def test_x001_x002_between_two_sources(tmp_path: Path) -> None:
    # Sirekap read 83 as 88 (3↔8; fails A006); the witness copy has the form's 83 but lacks TPS 3; TPS 9 only there.
    sirekap = [tps(1, suara_paslon_1=88), *CLEAN[1:]]
    saksi = [CLEAN[0], CLEAN[1], tps(9)]
    changes, findings, _r = diff(tmp_path, sirekap, saksi, sources=("sirekap", "saksi"))
    assert rules_of(findings) == [("X001", "3101011001001", "suara_paslon_1"), ("X002", "3101011001003", "kode_tps"),
                                  ("X002", "3101011001009", "kode_tps")]
    x001 = findings[[f["rule"] for f in findings].index("X001")]
    assert (x001["expected"], x001["actual"], x001["severity"]) == (88, 83, "error")
    assert x001["message"] == ("suara_paslon_1: sirekap 88, saksi 83 (selisih -5); tanda salah baca: angka ke-2: 8 → "
                               "3; saksi lolos A006 yang gagal pada sirekap")
    only = {f["kode_wilayah"]: f["message"] for f in findings if f["rule"] == "X002"}
    assert only == {"3101011001003": "kode_tps: hanya dalam sirekap", "3101011001009": "kode_tps: hanya dalam saksi"}
    assert [c["rules"] for c in changes] == ["X001", "X002", "X002"]
    assert not any(f["rule"].startswith("D") for f in findings)


def test_sources_option_needs_two_names(tmp_path: Path) -> None:
    a = write_csv(tmp_path / "a.csv", CLEAN)
    for bad in ("sirekap", "a,a", "a,b,c", ","):
        res = run_cli(["diff", str(a), str(a), "--sources", bad])
        assert res.code == 2 and "--sources" in res.stderr and "Traceback" not in res.stderr


# --- where totals moved --------------------------------------------------------------------------------


def test_level_sums_per_unit(tmp_path: Path) -> None:
    other_kec = with_(PEMILU, kode_tps="3101021001001")
    old = [*CLEAN, other_kec]
    new = [tps(1, suara_paslon_1=73, suara_paslon_2=117), tps(2, suara_paslon_1=92, suara_sah=238, suara_total=243,
                                                              pengguna_total_j=243, pengguna_total_p=136,
                                                              pengguna_dpt_p=135, pengguna_dpt_j=242),
           CLEAN[2], other_kec, tps(7)]
    a, b = write_csv(tmp_path / "lama.csv", old), write_csv(tmp_path / "baru.csv", new)
    with Session() as s:
        s.diff([a], [b], levels=["kecamatan", "kabkota"])
        rows = s.con.sql(f"SELECT * FROM {s.DIFF_UNITS}").to_arrow_table().to_pylist()
    kec = {r["field"]: (r["old"], r["new"], r["selisih"], r["n_tps_changed"]) for r in rows
           if r["level"] == "kecamatan" and r["kode_wilayah"] == "310101"}
    # TPS 7 is new: all of its fields count, at their full value.
    assert kec["suara_paslon_1"] == (83 + 82 + 81, 73 + 92 + 81 + 83, 73 + 92 + 83 - 83 - 82, 3)
    # TPS 2's row in NEW is PEMILU's (107), not CLEAN's (108): a change there too.
    assert kec["suara_paslon_2"] == (107 + 108 + 107, 117 + 107 + 107 + 107, 116, 3)
    assert kec["pemilih_dpt_j"] == (292 * 3, 292 * 4, 292, 1)
    assert {r["kode_wilayah"] for r in rows} == {"310101", "3101"}  # kecamatan 310102 did not change
    assert {r["nama_wilayah"] for r in rows} == {None}  # the inputs have no name columns
    assert [r["level"] for r in rows] == sorted((r["level"] for r in rows), key=["kabkota", "kecamatan"].index)
    res = run_cli(["diff", str(a), str(b), "--level", "kecamatan", "-f", "csv", "-q"])
    head = res.text.splitlines()[0]
    assert head == "level,kode_wilayah,nama_wilayah,field,old,new,selisih,n_tps_changed"
    res = run_cli(["diff", str(a), str(b), "--level", "nasional", "-q"])
    assert res.code == 2 and "di atas cakupan data" in res.stderr


def test_level_does_not_sum_a_regent_race_over_a_province(tmp_path: Path) -> None:
    rows = [with_(PILKADA, jenis_pemilihan="pkwkk"),
            with_(PILKADA, jenis_pemilihan="pkwkk", kode_tps="3579011001001")]
    new = [with_(rows[0], suara_paslon_1=101, suara_paslon_2=119), rows[1]]
    a, b = write_csv(tmp_path / "lama.csv", rows), write_csv(tmp_path / "baru.csv", new)
    with Session() as s:
        result = s.diff([a], [b], levels=["provinsi", "kabkota"])
        levels = {r[0] for r in s.con.execute(f"SELECT level FROM {s.DIFF_UNITS}").fetchall()}
    assert levels == {"kabkota"} and result.levels_left_out == ["provinsi"]


def test_level_rows_carry_the_units_names_and_the_session_forgets_the_data(tmp_path: Path) -> None:
    old = [with_(r, nama_kec="PULAU PANGGANG") for r in CLEAN]
    new = [with_(old[0], suara_paslon_1=73, suara_paslon_2=117), *old[1:]]
    a, b = write_csv(tmp_path / "lama.csv", old), write_csv(tmp_path / "baru.csv", new)
    with Session() as s:
        s.diff([a], [b], levels=["kecamatan"])
        names = {r[0] for r in s.con.execute(f"SELECT nama_wilayah FROM {s.DIFF_UNITS}").fetchall()}
        assert names == {"PULAU PANGGANG"}
        from rekap.errors import UsageError

        with pytest.raises(UsageError):
            s.aggregate()  # the rules' view holds one side's changed TPS now: no silent recap of that


# --- bad input -----------------------------------------------------------------------------------------


def test_different_election_types_stop(tmp_path: Path) -> None:
    a = write_csv(tmp_path / "pilpres.csv", CLEAN)
    b = write_csv(tmp_path / "pilgub.csv", [with_(PILKADA, kode_tps=r["kode_tps"]) for r in CLEAN])
    res = run_cli(["diff", str(a), str(b)])
    assert res.code == 2 and res.stdout == b"" and "Traceback" not in res.stderr
    line = res.stderr.splitlines()[0]
    assert "ppwp" in line and "pkwkp" in line and "pilpres.csv" in line and "pilgub.csv" in line


def test_no_tps_in_common_stops(tmp_path: Path) -> None:
    a = write_csv(tmp_path / "a.csv", CLEAN)
    b = write_csv(tmp_path / "b.csv", [with_(r, kode_tps="32" + r["kode_tps"][2:]) for r in CLEAN])
    res = run_cli(["diff", str(a), str(b)])
    assert res.code == 2 and "tidak punya satu TPS pun yang sama" in res.stderr


def test_duplicates_follow_s003_s004_and_the_first_copy_is_compared(tmp_path: Path) -> None:
    old = [*CLEAN, CLEAN[0]]  # an exact duplicate: S004, kept once
    new = [tps(1, suara_tidak_sah=6, suara_total=234, pengguna_total_j=234, pengguna_total_p=127,
               pengguna_dpt_p=126, pengguna_dpt_j=233), *CLEAN[1:], tps(1, suara_tidak_sah=9)]  # S003
    changes, findings, result = diff(tmp_path, old, new)
    assert {(f["rule"], f["source"]) for f in findings if f["rule"].startswith("S")} == {
        ("S004", str(tmp_path / "lama.csv")), ("S003", str(tmp_path / "baru.csv"))}
    changed = {c["field"]: (c["old"], c["new"]) for c in changes}
    assert changed["suara_tidak_sah"] == (5, 6)  # the first copy of TPS 1 in NEW, not the second (9)
    assert result.old.rows_duplicate == 1


def test_unreadable_cells_are_reported_not_taken_for_withdrawn(tmp_path: Path) -> None:
    changes, findings, result = diff(tmp_path, CLEAN, [tps(1, suara_paslon_2="1O7"), *CLEAN[1:]])
    assert changes == []
    assert [(f["rule"], f["field"]) for f in findings] == [("S002", "suara_paslon_2")]
    assert result.counts.unreadable == 1


def test_sides_as_folders_globs_and_comma_lists(tmp_path: Path) -> None:
    for side in ("old", "new"):
        (tmp_path / side).mkdir()
    write_csv(tmp_path / "old" / "a.csv", CLEAN[:2])
    write_csv(tmp_path / "old" / "b.csv", CLEAN[2:])
    (tmp_path / "old" / "catatan.md").write_text("not data")
    write_csv(tmp_path / "new" / "a.csv", CLEAN[:2])
    write_csv(tmp_path / "new" / "b.csv", [tps(3, suara_paslon_1=80, suara_paslon_3=41, suara_paslon_2=107)])
    ways = [
        [str(tmp_path / "old"), str(tmp_path / "new")],
        [str(tmp_path / "old" / "*.csv"), str(tmp_path / "new" / "*.csv")],
        [f"{tmp_path / 'old' / 'a.csv'},{tmp_path / 'old' / 'b.csv'}", str(tmp_path / "new")],
    ]
    outs = set()
    for args in ways:
        res = run_cli(["diff", *args, "-f", "csv", "-q", "--ignore", "D"])
        assert res.code == 0, res.stderr
        outs.add(tuple(line.split(",")[:6] and ",".join(line.split(",")[:7]) for line in res.text.splitlines()))
    assert len(outs) == 1 and len(next(iter(outs))) == 3  # header + two corrections
    res = run_cli(["diff", str(tmp_path / "old"), str(tmp_path / "new"), str(tmp_path / "new")])
    assert res.code == 2 and "tepat dua sisi" in res.stderr
    res = run_cli(["diff", str(tmp_path / "nothing" / "*.csv"), str(tmp_path / "new")])
    assert res.code == 2 and "tidak ada berkas yang cocok" in res.stderr


def test_the_same_file_on_both_sides_is_named_by_side(tmp_path: Path) -> None:
    a = write_csv(tmp_path / "tps.csv", [*CLEAN, CLEAN[0]])  # an exact duplicate: S004 on each side
    with Session() as s:
        result = s.diff([a], [a])
        assert s.con.execute(f"SELECT count(*) FROM {s.CHANGES}").fetchall()[0][0] == 0
        sources = [f["source"] for f in result.report.findings.to_pylist()]
    assert sources == [f"{a} (LAMA)", f"{a} (BARU)"]
    assert result.report.counts == {"S004": 2}


def test_every_format_renders_the_same_records(tmp_path: Path) -> None:
    a = write_csv(tmp_path / "lama.csv", [tps(1, suara_paslon_2=187), *CLEAN[1:], tps(8)])
    b = write_csv(tmp_path / "baru.csv", [*CLEAN, tps(9)])
    outs = {}
    for fmt in ("csv", "json", "jsonl", "parquet", "xlsx"):
        path = tmp_path / f"perubahan.{fmt}"
        res = run_cli(["diff", str(a), str(b), "-o", str(path), "-q"])
        assert res.code == 0 and res.stdout == b"", res.stderr
        outs[fmt] = path
    with outs["csv"].open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["change"] for r in rows] == ["changed", "tps_removed", "tps_added"]
    assert json.loads(outs["json"].read_text())[0]["kode_wilayah"] == "3101011001001"
    assert [json.loads(line)["rules"] for line in outs["jsonl"].read_text().splitlines()] == ["D001,D006", "D002", ""]
    table = pq.read_table(outs["parquet"])
    assert table.column_names == ["kode_wilayah", "field", "old", "new", "selisih", "change", "rules", "old_source",
                                  "new_source"]
    assert str(table.schema.field("kode_wilayah").type) == "string" and str(table.schema.field("old").type) == "int64"
    from openpyxl import load_workbook

    ws = load_workbook(outs["xlsx"]).active
    assert ws.title == "Perubahan" and ws.cell(2, 1).value == "3101011001001" and ws.cell(2, 3).value == 187
    table_text = run_cli(["diff", str(a), str(b), "-q"]).text
    first = table_text.splitlines()[1].split()
    assert first == ["3101011001001", "suara_paslon_2", "187", "107", "-80", "dikoreksi", "D001,D006"]
    assert "TPS hilang" in table_text and "TPS baru" in table_text


def test_english(tmp_path: Path) -> None:
    a = write_csv(tmp_path / "lama.csv", [tps(1, suara_paslon_2=187), *CLEAN[1:]])
    b = write_csv(tmp_path / "baru.csv", CLEAN)
    res = run_cli(["diff", str(a), str(b), "--lang", "en", "--fail-on", "info"])
    assert res.code == 1
    assert "corrected" in res.text
    assert "Summary of changes" in res.stderr and "OLD" in res.stderr
    res = run_cli(["diff", str(a), str(b), "--lang", "en", "-f", "jsonl", "--findings", str(tmp_path / "f.jsonl"), "-q"])
    messages = [json.loads(line)["message"] for line in (tmp_path / "f.jsonl").read_text().splitlines()]
    assert any("misread" in m for m in messages)


# --- properties ----------------------------------------------------------------------------------------

COUNTS = ["pemilih_dpt_j", "suara_paslon_1", "suara_paslon_2", "suara_sah", "suara_tidak_sah"]
values = st.one_of(st.none(), st.integers(min_value=0, max_value=999))
side = st.dictionaries(st.integers(min_value=1, max_value=12), st.fixed_dictionaries({c: values for c in COUNTS}),
                       max_size=8)


def _write(path: Path, rows: dict[int, dict[str, Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["kode_tps", *COUNTS])
        for n, r in sorted(rows.items()):
            w.writerow([f"3101011001{n:03d}", *("" if r[c] is None else r[c] for c in COUNTS)])
    return path


def _records(con: duckdb.DuckDBPyConnection) -> set[tuple[Any, ...]]:
    return set(con.execute("SELECT kode_wilayah, field, old, new, selisih, change FROM rk_changes").fetchall())


MIRROR = {"added": "removed", "removed": "added", "changed": "changed", "tps_added": "tps_removed",
          "tps_removed": "tps_added"}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a=side, b=side)
def test_diff_of_a_side_with_itself_is_empty_and_b_a_mirrors_a_b(tmp_path: Path, a: dict[int, dict[str, Any]],
                                                                  b: dict[int, dict[str, Any]]) -> None:
    if not a or not b:
        return
    pa_, pb = _write(tmp_path / "a.csv", a), _write(tmp_path / "b.csv", b)
    with Session() as s:
        s.diff([pa_], [pa_], election="ppwp")
        assert _records(s.con) == set()
        if not set(a) & set(b):
            return  # two sides with no TPS in common stop (tested above)
        s.diff([pa_], [pb], election="ppwp")
        forward = _records(s.con)
        s.diff([pb], [pa_], election="ppwp")
        backward = _records(s.con)
    mirrored = {(k, f, new, old, None if sel is None else -sel, MIRROR[ch]) for k, f, old, new, sel, ch in forward}
    assert backward == mirrored
    # Every TPS on one side only is one record; every differing cell of a TPS on both sides is one record.
    expected = {f"3101011001{n:03d}" for n in set(a) ^ set(b)}
    assert {k for k, f, *_rest in forward if f is None} == expected
    cells = {(f"3101011001{n:03d}", c) for n in set(a) & set(b) for c in COUNTS if a[n][c] != b[n][c]}
    assert {(k, f) for k, f, *_rest in forward if f is not None} == cells


# --- real data -----------------------------------------------------------------------------------------


def test_real_dki_snapshots_reproduce_the_revisions_file() -> None:
    """20 Feb → 17 Mar 2024, Sirekap DKI Jakarta: every field record of the published revisions file, and nothing
    else, plus one record per TPS that only the later snapshot has."""
    old = real_file("ppwp2024_tps_dki_jakarta_snapshot_2024-02-20.parquet")
    new = real_file("ppwp2024_tps_dki_jakarta.csv")
    revisions = real_file("ppwp2024_tps_dki_revisions_0220_to_0317.csv")
    with Session() as s:
        result = s.diff([old], [new])
        con = s.con
        con.execute("CREATE TABLE theirs AS SELECT lpad(kode_tps::VARCHAR, 13, '0') AS k, field, value_2024_02_20 AS old,"
                    " value_2024_03_17 AS new, change_type AS change FROM read_csv($p)", {"p": str(revisions)})
        mine = "SELECT kode_wilayah AS k, field, old, new, change FROM rk_changes WHERE field IS NOT NULL"
        assert con.execute(f"SELECT count(*) FROM (({mine}) EXCEPT ALL (SELECT * FROM theirs))").fetchall() == [(0,)]
        assert con.execute(f"SELECT count(*) FROM ((SELECT * FROM theirs) EXCEPT ALL ({mine}))").fetchall() == [(0,)]
        n_theirs = dict(con.execute("SELECT change, count(*) FROM theirs GROUP BY 1").fetchall())
        tps_theirs = con.execute("SELECT count(DISTINCT k) FROM theirs").fetchall()[0][0]
        only_new = con.execute(
            "SELECT count(*) FROM read_csv($n, types={'kode_tps': 'VARCHAR'}) n ANTI JOIN read_parquet($o) o USING (kode_tps)",
            {"n": str(new), "o": str(old)}).fetchall()[0][0]
        c = result.counts
        assert (c.added, c.removed, c.changed) == (n_theirs["added"], n_theirs["removed"], n_theirs["changed"])
        assert c.tps_changed == tps_theirs and c.tps_added == only_new and c.tps_removed == 0
        assert con.execute("SELECT count(*) FROM rk_changes WHERE change = 'tps_added'").fetchall()[0][0] == only_new
        # The D rules against what the revisions file says on its own.
        counts = result.report.counts
        assert counts["D001"] == n_theirs["changed"]
        assert counts["D002"] == n_theirs["removed"]
        assert counts["D005"] == con.execute(
            "SELECT count(*) FROM theirs WHERE field LIKE 'pemilih_dpt_%' AND change IN ('changed', 'removed')"
        ).fetchall()[0][0]
        corrected = con.execute("SELECT old, new FROM theirs WHERE change = 'changed'").fetchall()
    assert counts["D006"] == sum(1 for o, n in corrected if _misread(str(o), str(n)))
    assert counts.get("D003", 0) > 0


LOOKALIKE = {frozenset(p) for p in ("17", "38", "56", "08", "68", "98", "49", "27")}


def _misread(a: str, b: str) -> bool:
    """The misread signature, written out independently of rekap's SQL."""
    if len(a) == len(b):
        diffs = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
        return len(diffs) == 1 and frozenset(diffs[0]) in LOOKALIKE
    long, short = (a, b) if len(a) > len(b) else (b, a)
    return len(long) == len(short) + 1 and any(long[:i] + long[i + 1:] == short for i in range(len(long)))


@pytest.mark.parametrize("order", ["json first", "parquet first"])
def test_sides_of_different_readers_json_and_parquet(tmp_path: Path, order: str) -> None:
    """Sirekap JSON read in Python makes a table, Parquet a view, under the same input name on one
    connection; the second side used to fail with an internal error (CatalogException)."""
    records = [{"kode_tps": f"3101011001{i:03d}", "url": f"x/hhcw/ppwp/31/3101011001{i:03d}.json",
                "data": {"chart": {"100025": 10 + i, "100026": 5, "100027": 1}, "administrasi": {"suara_sah": 16 + i}}}
               for i in range(1, 4)]
    (tmp_path / "sirekap.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    con = duckdb.connect()
    con.execute("CREATE TABLE t (kode_tps VARCHAR, suara_paslon_1 BIGINT, suara_paslon_2 BIGINT, suara_paslon_3 BIGINT,"
                " suara_sah BIGINT)")
    con.executemany("INSERT INTO t VALUES (?, ?, 5, 1, ?)", [[r["kode_tps"], 10 + i, 16 + i] for i, r in
                                                             enumerate(records, start=1)])
    con.execute(f"COPY t TO '{tmp_path / 'tps.parquet'}' (FORMAT parquet)")
    sides = ["sirekap.jsonl", "tps.parquet"] if order == "json first" else ["tps.parquet", "sirekap.jsonl"]
    got = run_cli(["diff", *(str(tmp_path / s) for s in sides), "-q"])
    assert "Traceback" not in got.stderr and "internal" not in got.stderr
    assert got.code in (0, 1), got.stderr
