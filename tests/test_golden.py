"""Golden files: every output format of a small awkward sample, compared byte for byte.

The sample (`golden/awkward.csv`) is semicolon-delimited UTF-8 with codes written with dots, non-ASCII
names, empty cells, an overseas POS with a DPT of 1.234.567 and one error of each family. Its findings:

    row 3  3101011001002  A006  suara_sah      expected 220      actual 221      selisih +1
    row 4  3101011001003  A001  pemilih_dpt_j  expected 250      actual 251      selisih +1
    row 5  3101011001004  S002  suara_paslon_2 "12,5"
    row 6  310101100105   S005  kode_tps       "31.01.01.1001.05" is not 13 digits
    row 7  3101011001006  P008  administrasi   votes but no voter data
    row 8  9901011001001  A001  pemilih_dpt_j  expected 1234568  actual 1234567  selisih -1

Regenerate after an intended change with `REKAP_UPDATE_GOLDEN=1 pytest tests/test_golden.py`, then read
the diff before committing it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from conftest import run_cli

from rekap.io import load_dataset
from rekap.report import render
from rekap.validate import validate

GOLDEN = Path(__file__).parent / "golden"
SAMPLE = "awkward.csv"
FORMATS = ("table", "csv", "json", "jsonl")
UPDATE = os.environ.get("REKAP_UPDATE_GOLDEN") == "1"


@pytest.fixture(autouse=True)
def _in_golden_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    # A relative input path keeps `source` stable wherever the repository lives.
    monkeypatch.chdir(GOLDEN)
    monkeypatch.delenv("REKAP_LANG", raising=False)


def golden(fmt: str) -> Path:
    return GOLDEN / f"awkward.findings.{fmt}"


@pytest.mark.parametrize("fmt", FORMATS)
def test_output_matches_golden_file(fmt: str) -> None:
    result = run_cli(["validate", SAMPLE, "-f", fmt, "-q"])
    assert (result.code, result.stderr) == (1, "")
    if UPDATE:
        golden(fmt).write_bytes(result.stdout)
    assert result.stdout == golden(fmt).read_bytes()


def test_parquet_matches_json_golden(tmp_path: Path) -> None:
    target = tmp_path / "awkward.parquet"
    result = run_cli(["validate", SAMPLE, "-f", "parquet", "-o", str(target), "-q"])
    assert (result.code, result.stdout, result.stderr) == (1, b"", "")
    assert pq.read_table(target).to_pylist() == json.loads(golden("json").read_bytes())


def test_golden_findings_are_the_intended_ones() -> None:
    findings = json.loads(golden("json").read_bytes())
    assert [
        (f["row"], f["kode_wilayah"], f["rule"], f["field"], f["expected"], f["actual"], f["selisih"]) for f in findings
    ] == [
        (3, "3101011001002", "A006", "suara_sah", 220, 221, 1),
        (4, "3101011001003", "A001", "pemilih_dpt_j", 250, 251, 1),
        (5, "3101011001004", "S002", "suara_paslon_2", None, None, None),
        (6, "310101100105", "S005", "kode_tps", None, None, None),
        (7, "3101011001006", "P008", "administrasi", None, None, None),
        (8, "9901011001001", "A001", "pemilih_dpt_j", 1_234_568, 1_234_567, -1),
    ]
    assert {f["source"] for f in findings} == {SAMPLE}
    assert '"12,5"' in findings[2]["message"] and '"31.01.01.1001.05"' in findings[3]["message"]


def test_cli_csv_equals_the_library_render(tmp_path: Path) -> None:
    con = duckdb.connect()
    report = validate(load_dataset(con, [SAMPLE], str(tmp_path)))
    assert (report.rows_read, report.rows_used, report.rows_rejected) == (8, 8, 0)
    assert run_cli(["validate", SAMPLE, "-f", "csv", "-q"]).stdout == render(report.findings, "csv")
