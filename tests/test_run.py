"""rekap run: the bundle on the bundled sample — complete, reproducible, accounted for."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest
from conftest import run_cli

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "samples" / "jatim_kecil"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_bundle_is_complete_reproducible_and_accounted_for(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    res = run_cli(["run", "-o", str(first)])
    assert res.code == 1, res.stderr  # the sample has planted errors
    assert run_cli(["run", "-o", str(second), "-q"]).code == 1
    names = sorted(p.name for p in first.iterdir())
    for must in ("findings.csv", "findings.parquet", "recap_provinsi.csv", "recap_kecamatan.csv", "discrepancies.csv",
                 "coverage.csv", "rekap.xlsx", "manifest.json"):
        assert must in names
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging folder left behind
    for name in names:
        if name != "manifest.json":
            assert (first / name).read_bytes() == (second / name).read_bytes(), name
    m1, m2 = (json.loads((d / "manifest.json").read_text(encoding="utf-8")) for d in (first, second))
    t1, _ = m1.pop("timings_s"), m2.pop("timings_s")
    assert m1 == m2
    # Seconds per step (the sample run has a reported recap and a KPU-format list).
    assert list(t1) == ["validate", "aggregate", "compare", "coverage", "bundle"] and all(v >= 0 for v in t1.values())
    # The manifest's hashes are those of the inputs and of the files beside it.
    for src in m1["inputs"] + m1["reported"]:
        assert src["sha256"] == sha(Path(src["path"]))
    for name, info in m1["outputs"].items():
        assert info["sha256"] == sha(first / name)
    acc = m1["accounting"]
    assert acc["rows_read"] == acc["rows_summed"] + acc["rows_rejected"] == 289
    # Every planted finding of the sample is in the bundle.
    found = {(r["rule"], r["kode_wilayah"], r["field"]) for r in csv.DictReader(open(first / "findings.csv", encoding="utf-8"))}
    planted = {(r["rule"], r["kode_wilayah"], r["field"]) for r in csv.DictReader(open(SAMPLE / "planted.csv", encoding="utf-8"))
               if r["rule"][0] in "SAP"}
    assert planted <= found
    disc = {(r["kode_wilayah"], r["field"], r["selisih"]) for r in csv.DictReader(open(first / "discrepancies.csv", encoding="utf-8"))}
    assert ("350303", "suara_paslon_2", "120") in disc and ("3511", "suara_sah", "-540") in disc
    assert "berkas di" in res.stderr
    # A total order: findings equal on source, row, rule, field and code (the sample's D.Hasil provinsi
    # has two H003 on pemilih_total_j, from A001 and A002) follow level, expected, actual, message, so
    # that two runs cannot list them in different orders.
    rows = list(csv.DictReader(open(first / "findings.csv", encoding="utf-8")))

    def number(text: str) -> tuple[int, int]:
        return (0, 0) if text == "" else (1, int(text))

    ties = 0
    for a, b in zip(rows, rows[1:], strict=False):
        if [a[k] for k in ("source", "row", "rule", "field", "kode_wilayah")] == \
                [b[k] for k in ("source", "row", "rule", "field", "kode_wilayah")]:
            ties += 1
            assert (a["level"], number(a["expected"]), number(a["actual"]), a["message"]) <= \
                (b["level"], number(b["expected"]), number(b["actual"]), b["message"])
    assert ties


def test_workbook_has_the_named_sheets(tmp_path: Path) -> None:
    import openpyxl

    assert run_cli(["run", "-o", str(tmp_path), "-q"]).code == 1
    wb = openpyxl.load_workbook(tmp_path / "rekap.xlsx", read_only=True)
    assert {"Provinsi", "Kabupaten-Kota", "Kecamatan"} <= set(wb.sheetnames)


@pytest.mark.real
def test_real_dki_bundle_totals_equal_rekap_aggregate(tmp_path: Path) -> None:
    from conftest import real_file

    src = real_file("ppwp2024_tps_dki_jakarta.csv")
    assert run_cli(["run", str(src), "--election", "ppwp", "-o", str(tmp_path / "b"), "-q"]).code == 1
    agg = run_cli(["aggregate", str(src), "--election", "ppwp", "-f", "csv", "-q"])
    levels: dict[str, list[dict[str, str]]] = {}
    for r in csv.DictReader(agg.text.splitlines()):
        levels.setdefault(r["level"], []).append(r)
    for level, want in levels.items():
        got = list(csv.DictReader(open(tmp_path / "b" / f"recap_{level}.csv", encoding="utf-8")))
        assert got == want, level
    prov = levels["provinsi"][0]
    assert (prov["suara_paslon_1"], prov["suara_paslon_2"], prov["suara_paslon_3"]) == ("1936408", "1956503", "824937")
