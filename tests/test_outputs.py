"""Outputs that say what they are (issue #10, items 3, 8 and 9 of "What was seen"):

1. `-f xlsx` / `-o *.xlsx` of validate, compare and progress is a real workbook holding exactly the
   records of `-f csv`: same columns, same rows in the same order, codes as text cells, numbers as
   number cells, no formula (a name that starts like one stays text); same bytes every time.
2. An `-o` extension rekap does not write, or one that contradicts `-f`, stops the command (exit 2, one
   line) before anything is read or written.
3. `rekap run -o DIR` replaces an earlier bundle whole and refuses a folder that holds anything else.
4. `compare`'s readable table has a header row, in the output language.
"""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pytest
from conftest import CliResult, run_cli

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "samples" / "jatim_kecil"
TPS_FILES = sorted(str(p) for p in (SAMPLE / "tps").iterdir())
TPS_3503 = str(SAMPLE / "tps" / "tps_3503.csv")
REPORTED = [str(SAMPLE / f"dhasil_{lv}.csv") for lv in ("kecamatan", "kabkota", "provinsi")]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FORMULA_NAME = '=HYPERLINK("x.example";"klik")'  # also a file name: no slash


@pytest.fixture(autouse=True)
def _default_language(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REKAP_LANG", raising=False)
    monkeypatch.delenv("REKAP_DEBUG", raising=False)


def assert_one_error_line(result: CliResult, *mentions: str) -> None:
    assert result.code == 2, result.stderr
    assert result.stdout == b""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert 1 <= len(lines) <= 2 and lines[0].startswith("rekap: galat: "), result.stderr
    assert all(line.startswith("saran: ") for line in lines[1:]), result.stderr
    for text in mentions:
        assert text in lines[0], (text, lines[0])


# --- 1. the records as a workbook --------------------------------------------------------------------


def _renamed(src: Path, dst: Path, old: str, new: str) -> str:
    text = src.read_text(encoding="utf-8")
    assert old in text
    dst.write_text(text.replace(old, new), encoding="utf-8")
    return str(dst)


def validate_args(tmp: Path) -> list[str]:
    # Relative file names (the test runs in `tmp`): a finding's `source` is the name as given, and this
    # one starts like a formula.
    shutil.copy(TPS_3503, tmp / f"{FORMULA_NAME}.csv")
    return ["validate", f"{FORMULA_NAME}.csv", "--election", "pkwkp"]


def compare_args(tmp: Path) -> list[str]:
    # The kecamatan of the planted +120 gets a name that starts like a formula.
    kec = _renamed(SAMPLE / "dhasil_kecamatan.csv", tmp / "dhasil_kecamatan.csv", ",GUNUNGWUNGU,", f",{FORMULA_NAME},")
    return ["compare", *TPS_FILES, "-r", kec, "-r", REPORTED[1], "-r", REPORTED[2], "--election", "pkwkp"]


def progress_args(tmp: Path) -> list[str]:
    master = _renamed(SAMPLE / "wilayah.csv", tmp / "wilayah.csv", ",JATIREJO,JATIREJO,", f",{FORMULA_NAME},JATIREJO,")
    return ["progress", *TPS_FILES, "--master", master, "--election", "pkwkp"]


COMMANDS: dict[str, Callable[[Path], list[str]]] = {
    "validate": validate_args, "compare": compare_args, "progress": progress_args,
}


def csv_text(value: Any) -> str:
    """How the CSV writes a typed value (text that starts like a formula gets an apostrophe)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return "'" + value if value[:1] in FORMULA_START else value
    return str(value)


@pytest.mark.parametrize("command", list(COMMANDS))
def test_xlsx_holds_exactly_the_records_of_csv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    monkeypatch.chdir(tmp_path)
    args = [*COMMANDS[command](tmp_path), "-q"]
    as_csv = run_cli([*args, "-f", "csv"])
    as_json = run_cli([*args, "-f", "json"])
    target = tmp_path / "out.xlsx"
    written = run_cli([*args, "-o", str(target)])
    assert as_csv.code in (0, 1) and written.code == as_csv.code == as_json.code, written.stderr
    assert written.stdout == b""

    header, *rows = list(csv.reader(io.StringIO(as_csv.text, newline="")))
    records = json.loads(as_json.stdout)
    assert rows and len(rows) == len(records)
    book = openpyxl.load_workbook(target)
    assert len(book.worksheets) == 1
    sheet = book.worksheets[0]
    cells = list(sheet.iter_rows())
    assert [c.value for c in cells[0]] == header
    assert len(cells) == 1 + len(rows)
    numbers = formula_like = 0
    for xlsx_row, csv_row, record in zip(cells[1:], rows, records, strict=True):
        assert list(record) == header
        for cell, text, value in zip(xlsx_row, csv_row, record.values(), strict=True):
            assert cell.data_type != "f"
            if value is None:
                assert cell.value is None
            elif isinstance(value, bool):
                assert (cell.data_type, cell.value) == ("b", value)
            elif isinstance(value, int | float):
                assert (cell.data_type, cell.value) == ("n", value)
                numbers += 1
            else:
                assert (cell.data_type, cell.value) == ("s", value)
                formula_like += value[:1] in FORMULA_START
            assert csv_text(cell.value) == text  # the CSV's own cell, value for value
    assert numbers and formula_like
    codes = [row[header.index("kode_wilayah")] for row in cells[1:]]
    assert all(c.data_type == "s" for c in codes if c.value is not None)
    # The same bytes to a pipe, and on every run.
    piped = run_cli([*args, "-f", "xlsx"])
    assert piped.stdout == target.read_bytes()
    again = tmp_path / "again.xlsx"
    run_cli([*args, "-f", "xlsx", "-o", str(again)])
    assert again.read_bytes() == target.read_bytes()


def test_sheet_is_named_in_the_output_language(tmp_path: Path) -> None:
    names = {}
    for lang in ("id", "en"):
        target = tmp_path / f"{lang}.xlsx"
        assert run_cli(["validate", TPS_3503, "-q", "--lang", lang, "-o", str(target)]).code == 1
        names[lang] = openpyxl.load_workbook(target, read_only=True).sheetnames
    assert names == {"id": ["Temuan"], "en": ["Findings"]}


def test_progress_keeps_codes_as_text_and_percentages_as_in_the_data(tmp_path: Path) -> None:
    target = tmp_path / "cakupan.xlsx"
    assert run_cli(["progress", *TPS_FILES, "--master", str(SAMPLE / "wilayah.csv"), "-q", "-o", str(target)]).code == 0
    rows = list(openpyxl.load_workbook(target).worksheets[0].iter_rows(values_only=True))
    # The sample's TPS lie in one province, the top row (nasional would be a partial sum); its percentage
    # is cut to one decimal, the same in the workbook as in the data.
    top = rows[1]
    assert (top[0], top[1]) == ("provinsi", "35")  # text
    as_json = json.loads(run_cli(["progress", *TPS_FILES, "--master", str(SAMPLE / "wilayah.csv"), "-q", "-f", "json"]).stdout)
    assert top[-1] == as_json[0]["persen"] < 100
    assert all(r[1] != "00" for r in rows[1:])


def test_library_workbook_of_awkward_values() -> None:
    """Values Excel cannot hold as numbers come out as text, never changed; a view keeps its order."""
    from rekap.report.workbook import list_xlsx_bytes

    con = duckdb.connect()
    con.execute(
        """CREATE TABLE t AS SELECT * FROM (VALUES
               (3, '007', 9007199254740993::BIGINT, 'nan'::DOUBLE, true, 1.5::DECIMAL(4, 1)),
               (1, '+62', 12::BIGINT, 98.96::DOUBLE, false, NULL),
               (2, NULL, NULL, 'inf'::DOUBLE, NULL, -2.0::DECIMAL(4, 1))) v(n, kode, big, pct, flag, dec)"""
    )
    con.execute("CREATE VIEW v AS SELECT * FROM t ORDER BY n DESC")
    data = list_xlsx_bytes(con, "v", lang="en")
    assert data == list_xlsx_bytes(con, "v", lang="en")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    assert sheet.title == "Data"
    rows = [[(c.data_type, c.value) for c in row] for row in sheet.iter_rows(min_row=2)]
    assert rows == [
        [("n", 3), ("s", "007"), ("s", "9007199254740993"), ("s", "nan"), ("b", True), ("n", 1.5)],
        [("n", 2), ("n", None), ("n", None), ("s", "inf"), ("n", None), ("n", -2)],
        [("n", 1), ("s", "+62"), ("n", 12), ("n", 98.96), ("b", False), ("n", None)],
    ]
    assert sheet["B4"].quotePrefix  # '+62' would be read as a formula or a number when retyped
    # The view's rows were copied for the order only: nothing is left behind on the connection.
    assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE 'rk_xlsx%'").fetchall() == [(0,)]


def test_more_records_than_a_sheet_holds_is_refused() -> None:
    from rekap.errors import UsageError
    from rekap.report.sheets import EXCEL_MAX_ROWS
    from rekap.report.workbook import list_xlsx_bytes

    con = duckdb.connect()
    con.execute(f"CREATE TABLE t AS SELECT range AS n FROM range({EXCEL_MAX_ROWS})")  # + the header row
    with pytest.raises(UsageError, match="tidak muat dalam satu lembar Excel"):
        list_xlsx_bytes(con, "t")


def _rekap_on_a_terminal(args: list[str]) -> tuple[int, bytes, str]:
    main, secondary = pty.openpty()
    try:
        proc = subprocess.run([sys.executable, "-m", "rekap", *args], stdout=secondary, stderr=subprocess.PIPE,
                              text=True, timeout=120, check=False)
        os.close(secondary)
        out = b""
        try:
            while chunk := os.read(main, 65536):
                out += chunk
        except OSError:  # EIO: the terminal's other end is closed
            pass
    finally:
        os.close(main)
    return proc.returncode, out, proc.stderr


@pytest.mark.parametrize("fmt", ["xlsx", "parquet"])
def test_binary_formats_are_refused_on_a_terminal_and_written_to_a_pipe(fmt: str) -> None:
    code, out, err = _rekap_on_a_terminal(["validate", TPS_3503, "-q", "-f", fmt])
    assert (code, out) == (2, b""), err
    assert err.startswith("rekap: galat: ") and "data biner: tidak ditulis ke terminal" in err.splitlines()[0]
    piped = subprocess.run([sys.executable, "-m", "rekap", "validate", TPS_3503, "-q", "-f", fmt],
                           capture_output=True, timeout=120, check=False)
    assert piped.returncode == 1
    assert piped.stdout[:4] == (b"PK\x03\x04" if fmt == "xlsx" else b"PAR1")


# --- 2. extensions -----------------------------------------------------------------------------------


def command_args(command: str) -> list[str]:
    return {
        "validate": ["validate", TPS_3503],
        "aggregate": ["aggregate", TPS_3503],
        "compare": ["compare", TPS_3503, "-r", REPORTED[0]],
        "progress": ["progress", TPS_3503, "--master", str(SAMPLE / "wilayah.csv")],
    }[command]


@pytest.mark.parametrize("name", ["out.xls", "out.pdf", "out.xlsm", "out.csv.gz", "out.XLS"])
@pytest.mark.parametrize("command", ["validate", "aggregate", "compare", "progress"])
def test_an_extension_rekap_does_not_write_is_refused(tmp_path: Path, command: str, name: str) -> None:
    target = tmp_path / name
    ext = target.suffix
    for extra in ([], ["-f", "csv"]):
        got = run_cli([*command_args(command), "-q", *extra, "-o", str(target)])
        assert_one_error_line(got, ext, ".xlsx", ".csv")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("fmt", "name"), [("csv", "x.parquet"), ("json", "x.jsonl"), ("table", "x.csv"), ("xlsx", "x.csv"),
                                           ("parquet", "x.xlsx")])
def test_format_and_extension_that_disagree_are_refused(tmp_path: Path, fmt: str, name: str) -> None:
    got = run_cli(["validate", TPS_3503, "-q", "-f", fmt, "-o", str(tmp_path / name)])
    assert_one_error_line(got, f"-f {fmt}", name)
    assert list(tmp_path.iterdir()) == []


def test_names_without_an_extension_take_the_format_given(tmp_path: Path) -> None:
    csv_bytes = run_cli(["validate", TPS_3503, "-q", "-f", "csv"]).stdout
    table_bytes = run_cli(["validate", TPS_3503, "-q"]).stdout
    assert csv_bytes.startswith(b"rule,") and not table_bytes.startswith(b"rule,")
    for name, fmt, expected in [("temuan", "csv", csv_bytes), ("temuan.2024", "csv", csv_bytes),
                                ("temuan_table", None, table_bytes), ("temuan.txt", None, table_bytes),
                                ("temuan2.txt", "table", table_bytes), ("temuan.NDJSON", "jsonl", None)]:
        got = run_cli(["validate", TPS_3503, "-q", *(["-f", fmt] if fmt else []), "-o", str(tmp_path / name)])
        assert got.code == 1, got.stderr
        if expected is not None:
            assert (tmp_path / name).read_bytes() == expected, name
        else:
            assert json.loads((tmp_path / name).read_text(encoding="utf-8").splitlines()[0])["rule"]


# --- 3. the bundle folder ----------------------------------------------------------------------------


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.name: b"<folder>" if p.is_dir() else p.read_bytes() for p in sorted(folder.iterdir())}


def manifest_files(folder: Path) -> set[str]:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return {*manifest["outputs"], "manifest.json"}


def test_a_second_run_replaces_the_earlier_bundle_whole(tmp_path: Path) -> None:
    out = tmp_path / "hasil"
    assert run_cli(["run", "-o", str(out), "-q"]).code == 1
    first = set(files_of(out))
    assert first == manifest_files(out)
    assert {"recap_provinsi.csv", "discrepancies.csv", "coverage.csv"} <= first
    os.chmod(out, 0o750)
    (out / ".DS_Store").write_bytes(b"\0")  # a Finder window was open on it
    # Another election of one kab/kota: no provinsi level, no reported recap, no region list.
    again = run_cli(["run", TPS_3503, "--election", "pkwkk", "-o", str(out), "-q"])
    assert again.code in (0, 1), again.stderr
    second = files_of(out)
    assert set(second) == manifest_files(out)
    assert not {"recap_provinsi.csv", "discrepancies.csv", "coverage.csv", ".DS_Store"} & set(second)
    assert json.loads(second["manifest.json"])["options"]["election"] == "pkwkk"
    # What is there is what a fresh folder gets, and the folder keeps its permissions.
    fresh = tmp_path / "fresh"
    run_cli(["run", TPS_3503, "--election", "pkwkk", "-o", str(fresh), "-q"])
    expected = files_of(fresh)
    assert set(expected) == set(second)
    assert all(second[name] == expected[name] for name in second if name != "manifest.json")
    assert oct(out.stat().st_mode & 0o777) == oct(0o750)
    # Nothing left beside it: no staging folder, no old bundle set aside.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh", "hasil"]


def test_a_bundle_folder_with_the_users_own_files_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "hasil"
    assert run_cli(["run", "-o", str(out), "-q"]).code == 1
    (out / "catatan saya.docx").write_bytes(b"mine")
    (out / "arsip").mkdir()
    before = files_of(out)
    got = run_cli(["run", TPS_3503, "--election", "pkwkk", "-o", str(out), "-q"])
    assert_one_error_line(got, str(out), "catatan saya.docx", "arsip")
    assert files_of(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hasil"]


@pytest.mark.parametrize(
    "content",
    [{"notes.txt": "x"}, {"manifest.json": json.dumps({"name": "another tool", "outputs": {"notes.txt": {}}}), "notes.txt": "x"},
     {"manifest.json": "{not json"}],
    ids=["plain-folder", "another-manifest", "broken-manifest"],
)
def test_a_folder_that_is_not_a_bundle_is_refused_before_any_work(tmp_path: Path, content: dict[str, str]) -> None:
    out = tmp_path / "data"
    out.mkdir()
    for name, text in content.items():
        (out / name).write_text(text, encoding="utf-8")
    before = files_of(out)
    # The folder is checked first: the missing input is not even looked at.
    got = run_cli(["run", str(tmp_path / "missing.csv"), "-o", str(out), "-q"])
    assert_one_error_line(got, str(out), "tidak berisi folder hasil rekap", sorted(content)[0])
    assert files_of(out) == before


def test_a_file_as_the_bundle_folder_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "hasil"
    target.write_text("x", encoding="utf-8")
    assert_one_error_line(run_cli(["run", "-o", str(target), "-q"]), str(target), "bukan folder")
    assert target.read_text(encoding="utf-8") == "x"


def test_an_empty_folder_is_filled_and_the_current_folder_is_not_swapped(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "hasil"
    out.mkdir()
    monkeypatch.chdir(out)
    assert run_cli(["run", TPS_3503, "--election", "pkwkp", "-o", ".", "-q"]).code in (0, 1)
    assert set(files_of(out)) == manifest_files(out)
    before = files_of(out)
    got = run_cli(["run", TPS_3503, "--election", "pkwkp", "-o", ".", "-q"])
    assert_one_error_line(got, "folder saat ini")
    assert files_of(out) == before


# --- 4. compare's readable table ---------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "words", "numbers"), [
    ("id", ("tingkat", "kode", "nama", "kolom", "dilaporkan", "dihitung", "selisih", "dasar", "jejak"),
     ("4.769", "4.649", "+120")),
    ("en", ("level", "code", "name", "field", "reported", "computed", "discrepancy", "basis", "trace"),
     ("4,769", "4,649", "+120")),
])
def test_compare_table_has_a_header_in_the_output_language(lang: str, words: tuple[str, ...],
                                                           numbers: tuple[str, ...]) -> None:
    got = run_cli(["compare", *TPS_FILES, *sum((["-r", r] for r in REPORTED), []), "--election", "pkwkp", "-q",
                   "--lang", lang])
    assert got.code == 1, got.stderr
    head, *lines = got.text.splitlines()
    assert head.split() == list(words)
    assert lines
    # The columns line up: each number, written as the language writes it, ends where its header word ends.
    planted = next(line for line in lines if line.startswith("kecamatan") and "350303" in line)
    for word, value in zip((words[4], words[5], words[6]), numbers, strict=True):
        assert planted.index(value) + len(value) == head.index(word) + len(word), word
    # The data formats have no such line: their own header is the field names.
    as_csv = run_cli(["compare", *TPS_FILES, *sum((["-r", r] for r in REPORTED), []), "--election", "pkwkp", "-q",
                      "-f", "csv", "--lang", lang])
    assert as_csv.text.splitlines()[0].startswith("jenis_pemilihan,level,kode_wilayah,nama_wilayah,field,reported,")


def test_progress_table_header_follows_the_language() -> None:
    heads = {}
    for lang in ("id", "en"):
        got = run_cli(["progress", *TPS_FILES, "--master", str(SAMPLE / "wilayah.csv"), "-q", "--lang", lang])
        heads[lang] = got.text.splitlines()[0].split()
    assert heads == {"id": ["tingkat", "kode", "nama", "masuk", "diharapkan", "persen"],
                     "en": ["level", "code", "name", "received", "expected", "percent"]}
