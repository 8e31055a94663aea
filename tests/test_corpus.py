"""The corpus of broken inputs (issue #5): every file gives exactly the exit code, one-line error or
findings, and row accounting that tests/corpus/cases.toml says, from `validate`, `aggregate` and `run`;
never a traceback, and read = used + rejected everywhere."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus"
INPUTS = CORPUS / "inputs"
CASES: list[dict[str, Any]] = tomllib.loads((CORPUS / "cases.toml").read_text(encoding="utf-8"))["case"]
IDS = [c["file"] for c in CASES]

sys.path.insert(0, str(ROOT / "scripts"))
import make_corpus  # noqa: E402


def test_every_input_has_a_case_and_every_case_an_input() -> None:
    assert sorted(p.name for p in INPUTS.iterdir()) == sorted(IDS)
    assert len(IDS) == len(set(IDS))


def test_inputs_are_what_the_script_makes() -> None:
    # XLSX and Parquet bytes depend on the library versions; the text inputs must match byte for byte.
    made = make_corpus.files()
    for name, data in made.items():
        if not name.endswith((".xlsx", ".parquet")) and "xlsx" not in name:
            assert (INPUTS / name).read_bytes() == data, f"{name} is stale: python scripts/make_corpus.py"


def test_readme_table_is_current() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert make_corpus.BEGIN + "\n" + make_corpus.table_markdown() + "\n" + make_corpus.END in readme, (
        "README corpus table is stale: python scripts/make_corpus.py --readme"
    )


def _one_line_error(stderr: str, expected: str) -> None:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert lines, "no error message"
    assert lines[0] == f"rekap: error: {expected}"
    assert all(line.startswith("hint: ") for line in lines[1:]), stderr
    assert len(lines) <= 2, stderr


ACCOUNT_VALIDATE = re.compile(r"rows read (\d+), used (\d+), rejected (\d+)")
ACCOUNT_AGGREGATE = re.compile(r"rows read (\d+); summed (\d+) TPS; not summed (\d+)")


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_validate(case: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(INPUTS)
    got = run_cli(["validate", case["file"], "--election", "pkwkp", "--lang", "en", "-f", "jsonl"])
    assert "Traceback" not in got.stderr
    assert got.code == case["exit"], got.stderr
    if case["exit"] == 2:
        _one_line_error(got.stderr, case["error"])
        assert got.stdout == b""
        return
    import json

    findings = [json.loads(line) for line in got.text.splitlines() if line.strip()]
    assert sorted(f"{f['rule']} {f['field']} {f['row']}" for f in findings) == sorted(case["findings"])
    assert {f["source"] for f in findings} <= {case["file"]}
    m = ACCOUNT_VALIDATE.search(got.stderr)
    assert m, got.stderr
    read, used, rejected = map(int, m.groups())
    assert [read, used, rejected] == case["rows"]
    assert read == used + rejected


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_aggregate(case: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(INPUTS)
    out = tmp_path / "recap.csv"
    got = run_cli(["aggregate", case["file"], "--election", "pkwkp", "--lang", "en", "-o", str(out)])
    assert "Traceback" not in got.stderr
    if case["exit"] == 2:
        assert got.code == 2
        _one_line_error(got.stderr, case["error"])
        assert not out.exists()
        return
    assert got.code == 0, got.stderr
    m = ACCOUNT_AGGREGATE.search(got.stderr)
    assert m, got.stderr
    read, summed, not_summed = map(int, m.groups())
    assert read == case["rows"][0]
    assert read == summed + not_summed
    assert out.exists()


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_run_bundle(case: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import json

    monkeypatch.chdir(INPUTS)
    out = tmp_path / "hasil"
    got = run_cli(["run", case["file"], "--election", "pkwkp", "--lang", "en", "-q", "-o", str(out)])
    assert "Traceback" not in got.stderr
    if case["exit"] == 2:
        assert got.code == 2
        _one_line_error(got.stderr, case["error"])
        assert not out.exists()
        return
    assert got.code in (0, 1), got.stderr
    accounting = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["accounting"]
    assert accounting["rows_read"] == case["rows"][0]
    assert accounting["rows_read"] == accounting["rows_summed"] + accounting["rows_rejected"]
