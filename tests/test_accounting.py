"""Row accounting everywhere (issue #5 item 2): every command says how many rows it read, used and
rejected, for the TPS files and the reported recaps, and read = used + rejected — on the bundled
sample, on broken files of the corpus, and on the real data."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest
from conftest import real_file, run_cli

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "samples" / "jatim_kecil"
CORPUS = ROOT / "tests" / "corpus" / "inputs"
TPS_ROWS = re.compile(r"rows read ([\d,.]+), used ([\d,.]+), rejected ([\d,.]+)")
REPORTED_ROWS = re.compile(r"reported recaps: rows read ([\d,.]+), loaded ([\d,.]+), rejected ([\d,.]+)")
SUMMED = re.compile(r"rows read ([\d,.]+); summed ([\d,.]+) TPS; not summed ([\d,.]+)")


def numbers(pattern: re.Pattern[str], text: str) -> tuple[int, int, int]:
    m = pattern.search(text)
    assert m, text
    read, used, rejected = (int(g.replace(",", "").replace(".", "")) for g in m.groups())
    assert read == used + rejected, m.group(0)
    return read, used, rejected


def data_lines(path: Path) -> int:
    return int(duckdb.sql("SELECT count(*) FROM read_csv($p, all_varchar = true)", params={"p": str(path)}).fetchall()[0][0])


@pytest.fixture
def reported_with_a_bad_row(tmp_path: Path) -> Path:
    lines = (SAMPLE / "dhasil_kecamatan.csv").read_text(encoding="utf-8").splitlines()
    bad = lines[1].split(",")
    bad[1] = "35O3O1"  # letters O for zeros: not a code
    path = tmp_path / "dhasil_kec.csv"
    path.write_text("\n".join([*lines, ",".join(bad)]) + "\n", encoding="utf-8")
    return path


def test_every_command_accounts_for_tps_and_reported_rows(tmp_path: Path, reported_with_a_bad_row: Path) -> None:
    tps = [str(CORPUS / "ragged_rows.csv"), str(SAMPLE / "tps" / "tps_3503.csv")]
    expected_read = 5 + data_lines(SAMPLE / "tps" / "tps_3503.csv")
    common = ["--lang", "en", "--election", "pkwkp"]

    got = run_cli(["validate", *tps, *common, "-o", str(tmp_path / "f.csv")])
    assert numbers(TPS_ROWS, got.stderr) == (expected_read, expected_read - 2, 2)

    got = run_cli(["aggregate", *tps, *common, "-o", str(tmp_path / "a.csv")])
    read, summed, not_summed = numbers(SUMMED, got.stderr)
    assert read == expected_read and not_summed >= 2

    got = run_cli(["progress", *tps, *common, "--master", str(SAMPLE / "wilayah.csv"), "-o", str(tmp_path / "p.csv")])
    assert numbers(TPS_ROWS, got.stderr)[0] == expected_read

    got = run_cli(["compare", *tps, *common, "--reported", str(reported_with_a_bad_row), "-o", str(tmp_path / "c.csv")])
    assert numbers(TPS_ROWS, got.stderr)[0] == expected_read
    assert numbers(REPORTED_ROWS, got.stderr) == (data_lines(reported_with_a_bad_row), data_lines(reported_with_a_bad_row) - 1, 1)

    got = run_cli(["compare", *common, "--reported", str(reported_with_a_bad_row), "--reported", str(SAMPLE / "dhasil_kabkota.csv"),
                   "-o", str(tmp_path / "c2.csv")])
    rows = data_lines(reported_with_a_bad_row) + data_lines(SAMPLE / "dhasil_kabkota.csv")
    assert numbers(REPORTED_ROWS, got.stderr) == (rows, rows - 1, 1)

    got = run_cli(["run", *tps, *common, "--reported", str(reported_with_a_bad_row), "-o", str(tmp_path / "b")])
    read, summed, not_summed = numbers(SUMMED, got.stderr)
    assert read == expected_read
    numbers(REPORTED_ROWS, got.stderr)
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text(encoding="utf-8"))
    acc = manifest["accounting"]
    assert acc["rows_read"] == read == acc["rows_summed"] + acc["rows_rejected"]
    assert sum(s["rows"] for s in manifest["inputs"]) == read
    assert [(r["rows_read"], r["rows_rejected"]) for r in manifest["reported"]] == [(data_lines(reported_with_a_bad_row), 1)]


@pytest.mark.real
def test_real_dki_rows_are_all_accounted_for(tmp_path: Path) -> None:
    tps = real_file("ppwp2024_tps_dki_jakarta.csv")
    official = real_file("ppwp2024_official_recap_prov.csv")
    got = run_cli(["compare", str(tps), "--reported", str(official), "--lang", "en", "-o", str(tmp_path / "c.csv")])
    read, used, rejected = numbers(TPS_ROWS, got.stderr)
    assert read == data_lines(tps)
    r_read, r_used, r_rejected = numbers(REPORTED_ROWS, got.stderr)
    assert r_read == data_lines(official)
