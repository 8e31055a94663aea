"""The CLI contract: exit codes, stdout is data only, errors are one line on stderr, `-o` equals `>`."""

from __future__ import annotations

import csv
import io
import json
import os
import random
import re
import shlex
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from conftest import CliResult, run_cli
from openpyxl import Workbook
from test_rules import PEMILU, with_, write_csv

from rekap import __version__
from rekap.i18n import _

FINDING_HEADER = "rule,severity,level,kode_wilayah,field,expected,actual,selisih,message,source,row"
ALL_RULES = (
    {f"S{n:03d}" for n in range(1, 9)} | {f"A{n:03d}" for n in range(1, 14)} | {f"P{n:03d}" for n in range(1, 9)}
    | {f"K{n:03d}" for n in range(1, 4)} | {f"H{n:03d}" for n in range(1, 4)} | {f"D{n:03d}" for n in range(1, 7)}
    | {"X001", "X002"}
)
# A006 (error): 83 + 748 + 38 = 869, but suara_sah is 228. Also P005 (warning): 748 is above the cap of 300.
MISREAD = with_(PEMILU, suara_paslon_2=748)
# P001 (warning) only: DPT 310 is above the Pemilu cap of 300, every sum still holds.
BIG_TPS = with_(PEMILU, pemilih_dpt_l=160, pemilih_dpt_p=150, pemilih_dpt_j=310)
# The rules MISREAD breaks; selecting only them keeps each run fast where the rule set is not the point.
ONLY = ["--select", "A006,P005"]


@pytest.fixture(autouse=True)
def _default_language(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REKAP_LANG", raising=False)
    monkeypatch.delenv("REKAP_DEBUG", raising=False)


def tps_csv(tmp_path: Path, *rows: dict[str, Any], name: str = "tps.csv") -> str:
    return str(write_csv(tmp_path / name, list(rows)))


def assert_clean_failure(result: CliResult, *mentions: str, lang: str = "id") -> None:
    """Exit 2, nothing on stdout, one `rekap: galat:` line (`rekap: error:` in English) plus at most one
    `saran:` (`hint:`) line, no traceback."""
    assert result.code == 2, result.stderr
    assert result.stdout == b""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert 1 <= len(lines) <= 2, result.stderr
    assert lines[0].startswith(_("rekap: galat: {message}", lang, message="")), result.stderr
    if len(lines) == 2:
        assert lines[1].startswith(_("saran: {hint}", lang, hint="")), result.stderr
    for text in mentions:
        assert text in lines[0]


# --- exit codes --------------------------------------------------------------------------------


def test_clean_file_exits_0(tmp_path: Path) -> None:
    result = run_cli(["validate", tps_csv(tmp_path, PEMILU), "-q"])
    assert (result.code, result.stdout, result.stderr) == (0, b"", "")


def test_error_finding_exits_1(tmp_path: Path) -> None:
    result = run_cli(["validate", tps_csv(tmp_path, MISREAD), "-q"])
    assert result.code == 1
    assert b"A006" in result.stdout


def test_fail_on_never_exits_0_and_still_reports(tmp_path: Path) -> None:
    result = run_cli(["validate", tps_csv(tmp_path, MISREAD), "-q", "--fail-on", "never"])
    assert result.code == 0
    assert b"A006" in result.stdout


def test_fail_on_warning_counts_warnings(tmp_path: Path) -> None:
    path = tps_csv(tmp_path, BIG_TPS)
    strict = run_cli(["validate", path, "-f", "json", "-q", "--fail-on", "warning"])
    assert [(f["rule"], f["severity"]) for f in json.loads(strict.stdout)] == [("P001", "warning")]
    assert strict.code == 1
    assert run_cli(["validate", path, "-q"]).code == 0  # the default --fail-on is error


# --- unusable input and bad usage: exit 2, one line -------------------------------------------


def _garbage(tmp_path: Path) -> Path:
    data = random.Random(20240214).randbytes(3000)
    assert b"\x00" in data[:4096]
    path = tmp_path / "garbage.csv"
    path.write_bytes(data)
    return path


def _png(tmp_path: Path) -> Path:
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)))
    return path


def _empty(tmp_path: Path) -> Path:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    return path


def _directory(tmp_path: Path) -> Path:
    path = tmp_path / "kecamatan"
    path.mkdir()
    return path


def _no_tps_code(tmp_path: Path) -> Path:
    path = tmp_path / "no_code.csv"
    path.write_text("nama_desa,suara_paslon_1,suara_sah\nKEBON JERUK,83,83\n", encoding="utf-8")
    return path


BAD_INPUTS: dict[str, tuple[Callable[[Path], Path], tuple[str, ...]]] = {
    "missing": (lambda tmp: tmp / "nope.csv", ("no such file",)),
    "directory": (_directory, ("directory",)),
    "empty": (_empty, ("empty",)),
    "binary": (_garbage, ()),
    "png": (_png, ("PNG",)),
    "no_tps_code": (_no_tps_code, ("S001",)),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_unusable_input_fails_with_one_line_naming_the_file(tmp_path: Path, case: str) -> None:
    make, mentions = BAD_INPUTS[case]
    path = make(tmp_path)
    assert_clean_failure(run_cli(["validate", str(path), "-f", "csv"]), str(path))
    # The mentions are the English words of each reason.
    assert_clean_failure(run_cli(["validate", str(path), "-f", "csv", "--lang", "en"]), str(path), *mentions, lang="en")


@pytest.mark.parametrize(
    ("options", "mention"),
    [
        (["--select", "Z999"], "Z999"),
        (["-f", "xml"], "xml"),
        (["--fail-on", "bogus"], "bogus"),
        (["--lang", "en", "--no-such-option"], "--no-such-option"),
    ],
    ids=["unknown-rule", "unknown-format", "bad-fail-on", "unknown-option"],
)
def test_bad_usage_fails_with_one_line(tmp_path: Path, options: list[str], mention: str) -> None:
    lang = "en" if "en" in options else "id"
    assert_clean_failure(run_cli(["validate", tps_csv(tmp_path, MISREAD), *options]), mention, lang=lang)


@pytest.mark.parametrize(
    ("args", "indonesian", "english"),
    [
        (["validate"], "argumen 'BERKAS...' belum diberikan", "missing argument 'FILES...'"),
        (["progress", "tps.csv"], "opsi '--master' wajib diberikan", "missing option '--master'"),
        (["validate", "tps.csv", "--fial-on", "error"], "opsi tidak dikenal: --fial-on (mungkin maksudnya --fail-on",
         "no such option: --fial-on (did you mean --fail-on"),
        (["validat", "tps.csv"], "perintah tidak dikenal: 'validat' (mungkin maksudnya 'validate')",
         "no such command 'validat' (did you mean 'validate')"),
        (["xyz"], "perintah tidak dikenal: 'xyz'", "no such command 'xyz'"),
    ],
    ids=["missing-argument", "missing-option", "unknown-option", "misspelt-command", "unknown-command"],
)
def test_click_usage_errors_are_in_the_language(args: list[str], indonesian: str, english: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Click's own words for a usage error are English; the ones people meet most come from the catalogue."""
    assert_clean_failure(run_cli(args), indonesian)
    monkeypatch.setenv("REKAP_LANG", "en")
    assert_clean_failure(run_cli(args), english, lang="en")


def test_output_into_a_missing_folder_fails_cleanly(tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "temuan.csv"
    assert_clean_failure(run_cli(["validate", tps_csv(tmp_path, MISREAD), *ONLY, "-o", str(target)]), str(target))
    assert not target.parent.exists()


def test_xlsx_renamed_to_csv_is_read_as_excel(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(MISREAD))
    sheet.append(list(MISREAD.values()))
    path = tmp_path / "export.csv"
    workbook.save(path)
    assert path.read_bytes()[:4] == b"PK\x03\x04"
    result = run_cli(["validate", str(path), "-f", "json"])
    assert result.code == 1, result.stderr
    findings = json.loads(result.stdout)
    assert ("A006", "3101011001001", 2, str(path)) in {
        (f["rule"], f["kode_wilayah"], f["row"], f["source"]) for f in findings
    }
    assert "xlsx" in result.stderr


# --- stdout carries data only ------------------------------------------------------------------


def test_csv_output_parses_with_the_finding_header(tmp_path: Path) -> None:
    result = run_cli(["validate", tps_csv(tmp_path, MISREAD), "-f", "csv", "-q", *ONLY])
    rows = list(csv.reader(io.StringIO(result.text, newline="")))
    assert ",".join(rows[0]) == FINDING_HEADER
    records = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert [(r["rule"], r["field"], r["expected"], r["actual"], r["selisih"], r["row"]) for r in records] == [
        ("A006", "suara_sah", "869", "228", "-641", "2"),
        ("P005", "suara_paslon_2", "300", "748", "448", "2"),
    ]


def test_json_output_is_a_list_of_findings(tmp_path: Path) -> None:
    result = run_cli(["validate", tps_csv(tmp_path, MISREAD), "-f", "json", "-q", *ONLY])
    findings = json.loads(result.stdout)
    assert isinstance(findings, list) and len(findings) == 2
    assert list(findings[0]) == FINDING_HEADER.split(",")
    assert findings[0]["expected"] == 869 and findings[0]["row"] == 2


def test_json_output_of_a_clean_file_is_an_empty_list(tmp_path: Path) -> None:
    result = run_cli(["validate", tps_csv(tmp_path, PEMILU), "-f", "json", "-q"])
    assert (result.code, json.loads(result.stdout)) == (0, [])


def test_jsonl_output_is_one_object_per_line(tmp_path: Path) -> None:
    result = run_cli(["validate", tps_csv(tmp_path, MISREAD), "-f", "jsonl", "-q", *ONLY])
    lines = result.text.splitlines()
    assert [json.loads(line)["rule"] for line in lines] == ["A006", "P005"]


def test_parquet_output_reads_back(tmp_path: Path) -> None:
    src = tps_csv(tmp_path, MISREAD)
    target = tmp_path / "temuan.parquet"
    result = run_cli(["validate", src, "-f", "parquet", "-o", str(target), "-q", *ONLY])
    assert (result.code, result.stdout) == (1, b"")
    table = pq.read_table(target)
    assert table.column_names == FINDING_HEADER.split(",")
    as_json = json.loads(run_cli(["validate", src, "-f", "json", "-q", *ONLY]).stdout)
    assert table.to_pylist() == as_json


def test_summary_goes_to_stderr_and_quiet_silences_it(tmp_path: Path) -> None:
    src = tps_csv(tmp_path, MISREAD)
    loud = run_cli(["validate", src, "-f", "json", *ONLY])
    quiet = run_cli(["validate", src, "-f", "json", "-q", *ONLY])
    assert loud.stdout == quiet.stdout
    json.loads(loud.stdout)
    assert "Ringkasan" in loud.stderr and "A006" in loud.stderr
    assert quiet.stderr == ""


@pytest.mark.parametrize(("fmt", "suffix"), [("csv", "csv"), ("json", "json"), ("jsonl", "jsonl"), ("table", "txt")])
def test_output_file_has_the_bytes_of_stdout(tmp_path: Path, fmt: str, suffix: str) -> None:
    src = tps_csv(tmp_path, MISREAD)
    piped = run_cli(["validate", src, "-f", fmt, "-q", *ONLY])
    target = tmp_path / f"temuan.{suffix}"
    written = run_cli(["validate", src, "-f", fmt, "-q", *ONLY, "-o", str(target)])
    assert written.stdout == b""
    assert written.code == piped.code == 1
    assert piped.stdout
    assert target.read_bytes() == piped.stdout
    # Without -f the format comes from the extension.
    by_suffix = tmp_path / f"by_suffix.{suffix}"
    run_cli(["validate", src, "-q", *ONLY, "-o", str(by_suffix)])
    assert by_suffix.read_bytes() == piped.stdout


# --- language ----------------------------------------------------------------------------------


def _a006_message(result: CliResult) -> str:
    return next(f["message"] for f in json.loads(result.stdout) if f["rule"] == "A006")


def _without_messages(result: CliResult) -> list[dict[str, Any]]:
    return [{k: v for k, v in f.items() if k != "message"} for f in json.loads(result.stdout)]


def test_messages_are_indonesian_by_default_and_english_on_request(tmp_path: Path) -> None:
    src = tps_csv(tmp_path, MISREAD)
    default = run_cli(["validate", src, "-f", "json", "-q", *ONLY])
    english = run_cli(["validate", src, "-f", "json", "-q", *ONLY, "--lang", "en"])
    assert "tercatat" in _a006_message(default)
    assert "recorded" in _a006_message(english)
    # The language changes messages only, never the data.
    assert _without_messages(default) == _without_messages(english)


def test_rekap_lang_environment_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = tps_csv(tmp_path, MISREAD)
    monkeypatch.setenv("REKAP_LANG", "en")
    assert "recorded" in _a006_message(run_cli(["validate", src, "-f", "json", "-q", *ONLY]))
    # The option wins over the environment.
    assert "tercatat" in _a006_message(run_cli(["validate", src, "-f", "json", "-q", *ONLY, "--lang", "id"]))


# --- stdin ------------------------------------------------------------------------------------


def test_dash_reads_csv_from_stdin(tmp_path: Path) -> None:
    data = Path(tps_csv(tmp_path, MISREAD)).read_bytes()
    result = run_cli(["validate", "-", "-f", "jsonl", "-q", *ONLY], stdin=data)
    assert result.code == 1
    findings = [json.loads(line) for line in result.text.splitlines()]
    assert {(f["rule"], f["source"], f["row"]) for f in findings} == {("A006", "<stdin>", 2), ("P005", "<stdin>", 2)}


# --- rules and version ------------------------------------------------------------------------


def test_rules_lists_every_rule_id() -> None:
    result = run_cli(["rules"])
    assert result.code == 0
    ids = {m.group(0) for m in re.finditer(r"^[A-Z]\d{3}\b", result.text, flags=re.MULTILINE)}
    assert ids == ALL_RULES


def test_rules_explains_one_rule() -> None:
    # In English (the Indonesian explanation is tests/test_rules.py::test_rules_command_speaks_one_language).
    result = run_cli(["rules", "A006", "--lang", "en"])
    assert result.code == 0
    first, _, rest = result.text.partition("\n")
    assert first.startswith("A006 (error)")
    assert "suara_sah" in rest and "Why" in rest


def test_rules_json_parses() -> None:
    result = run_cli(["rules", "-f", "json"])
    records = json.loads(result.stdout)
    assert {r["id"] for r in records} == ALL_RULES
    assert all(r["severity"] in ("error", "warning", "info") and r["description"] for r in records)


def test_unknown_rule_in_rules_fails_cleanly() -> None:
    assert_clean_failure(run_cli(["rules", "Z9"]), "Z9")


def test_version() -> None:
    result = run_cli(["--version"])
    assert result.code == 0
    assert result.text.startswith(f"rekap {__version__}")
    assert len(result.text.splitlines()) == 1


# --- formula injection ------------------------------------------------------------------------


def test_formula_in_a_code_is_neutralised_in_csv_but_raw_in_json(tmp_path: Path) -> None:
    formula = '=HYPERLINK("x")'
    src = tps_csv(tmp_path, with_(PEMILU, kode_tps=formula))
    as_csv = run_cli(["validate", src, "-f", "csv", "-q", "--select", "S005"])
    as_json = run_cli(["validate", src, "-f", "json", "-q", "--select", "S005"])
    rows = list(csv.DictReader(io.StringIO(as_csv.text, newline="")))
    assert [(r["rule"], r["kode_wilayah"]) for r in rows] == [("S005", "'" + formula)]
    assert [(f["rule"], f["kode_wilayah"]) for f in json.loads(as_json.stdout)] == [("S005", formula)]


# --- real processes: pipes, exit codes, import cost ------------------------------------------


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("REKAP_")}


def _many_findings(tmp_path: Path) -> str:
    # 25 desa x 20 TPS, every one with the 748 misread: 1,000 findings, far more than a pipe buffer holds.
    rows = [
        with_(MISREAD, kode_tps=f"3101011{d:03d}{t:03d}", suara_paslon_1=60 + t)
        for d in range(1, 26)
        for t in range(1, 21)
    ]
    return tps_csv(tmp_path, *rows, name="many.csv")


@pytest.mark.parametrize("unbuffered", [False, True], ids=["buffered", "PYTHONUNBUFFERED"])
def test_pipe_into_head_is_clean(tmp_path: Path, unbuffered: bool) -> None:
    # Buffered stdout meets the closed pipe as BrokenPipeError; unbuffered stdout (common in containers)
    # as a short write. Neither may end in a traceback.
    env = {k: v for k, v in _env().items() if k != "PYTHONUNBUFFERED"}
    if unbuffered:
        env["PYTHONUNBUFFERED"] = "1"
    command = shlex.join([sys.executable, "-m", "rekap", "validate", _many_findings(tmp_path), *ONLY]) + " | head -1"
    proc = subprocess.run(command, shell=True, capture_output=True, env=env, timeout=120, check=False)
    assert proc.returncode == 0
    assert len(proc.stdout.splitlines()) == 1
    assert b"Traceback" not in proc.stderr and b"BrokenPipe" not in proc.stderr


@pytest.mark.parametrize(("rows", "expected"), [([PEMILU], 0), ([MISREAD], 1), ([], 2)], ids=["clean", "error", "missing"])
def test_real_process_exit_codes(tmp_path: Path, rows: list[dict[str, Any]], expected: int) -> None:
    path = tps_csv(tmp_path, *rows) if rows else str(tmp_path / "nope.csv")
    proc = subprocess.run([sys.executable, "-m", "rekap", "validate", path, "-q", "-f", "jsonl", *ONLY],
                          capture_output=True, env=_env(), timeout=120, check=False)
    assert proc.returncode == expected
    assert b"Traceback" not in proc.stderr
    if expected == 2:
        assert proc.stdout == b""
        assert proc.stderr.decode().startswith(f"rekap: galat: {path}")
    else:
        assert proc.stderr == b""
        assert [json.loads(line)["rule"] for line in proc.stdout.splitlines()] == (["A006", "P005"] if expected else [])


def test_help_does_not_import_heavy_libraries() -> None:
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "rekap", "--help"], capture_output=True,
                          text=True, env=_env(), timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "validate" in proc.stdout
    modules = {
        line.rsplit("|", 1)[-1].strip().split(".")[0]
        for line in proc.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "rekap" in modules  # the import log was read
    assert modules.isdisjoint({"pandas", "pyarrow", "duckdb", "openpyxl"})
