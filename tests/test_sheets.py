"""Workbooks with several sheets (issue #10 item 3): every TPS sheet is read, each as its own source
(`file.xlsx [Sheet]` with its own row numbers), every other sheet is named as skipped with its reason,
and `--sheet` chooses sheets for every workbook (SHEET) or for one file (FILE:SHEET)."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import CliResult, run_cli
from openpyxl import Workbook, load_workbook

from rekap.dataset import SkippedSheet
from rekap.errors import UsageError
from rekap.io import LoadOptions, load_dataset, parse_sheet_options
from rekap.io.excel import read_xlsx_sheets

SAMPLE_XLSX = Path(__file__).resolve().parents[1] / "data" / "samples" / "jatim_kecil" / "tps" / "tps_3574.xlsx"
TITLE_ROWS = 2  # above the header of every kecamatan sheet written here
NOTES = "Catatan"
PLANTED = 1  # the TPS (0-based, within the second kecamatan's sheet) whose suara_sah is raised by one


ERROR_PREFIXES = ("rekap: galat: ", "rekap: error: ")
"""The error line's start in Indonesian (the default language) and in English."""


def one_line_error(res: CliResult) -> str:
    """The error line without its prefix."""
    assert res.code == 2 and res.stdout == b"", res.stderr
    lines = res.stderr.splitlines()
    assert 1 <= len(lines) <= 2 and lines[0].startswith(ERROR_PREFIXES), res.stderr
    assert all(line.startswith(("saran: ", "hint: ")) for line in lines[1:]), res.stderr
    return lines[0].split(": ", 2)[2]


def sample_rows() -> tuple[list[Any], list[list[Any]]]:
    """The header and data rows of the sample's kab/kota workbook (one sheet, below two title rows)."""
    wb = load_workbook(SAMPLE_XLSX, read_only=True, data_only=True)
    rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    wb.close()
    at = next(i for i, r in enumerate(rows) if r and r[0] == "Kode TPS")
    data = [r for r in rows[at + 1:] if any(v is not None for v in r)]
    return rows[at], data


def by_kecamatan(header: list[Any], data: list[list[Any]]) -> dict[str, list[list[Any]]]:
    kec = header.index("Nama Kecamatan")
    groups: dict[str, list[list[Any]]] = {}
    for row in data:
        groups.setdefault(str(row[kec]), []).append(row)
    return groups


def write_kabkota(path: Path, groups: dict[str, list[list[Any]]], header: list[Any]) -> Path:
    """A notes sheet first, then one sheet per kecamatan (title rows, header, TPS rows)."""
    wb = Workbook()
    notes = wb.active
    assert notes is not None
    notes.title = NOTES
    notes.append(["Rekap TPS per kecamatan, disusun oleh KPU Kota"])
    notes.append(["Setiap lembar berikut berisi satu kecamatan."])
    for name, rows in groups.items():
        ws = wb.create_sheet(name)
        ws.append([f"KECAMATAN {name}"])
        ws.append([])
        ws.append(header)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def write_csv(path: Path, header: list[Any], rows: list[list[Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(["" if v is None else v for v in row] for row in rows)
    return path


@pytest.fixture(scope="module")
def kabkota(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, list[list[Any]]]]:
    """The sample's rows as a workbook with a notes sheet and one sheet per kecamatan, and as one CSV.
    One TPS of the second kecamatan has its suara_sah one too high (an A006 on a known sheet row)."""
    header, data = sample_rows()
    groups = by_kecamatan(header, data)
    assert len(groups) >= 3
    second = list(groups)[1]
    sah = header.index("Suara Sah")
    planted = list(groups[second][PLANTED])
    planted[sah] += 1
    groups[second][PLANTED] = planted
    folder = tmp_path_factory.mktemp("kabkota")
    book = write_kabkota(folder / "kab_3574.xlsx", groups, header)
    flat = write_csv(folder / "kab_3574.csv", header, [row for rows in groups.values() for row in rows])
    return book, flat, groups


def aggregate(*args: str) -> bytes:
    res = run_cli(["aggregate", *args, "--election", "pkwkp", "--level", "all", "-f", "csv", "-q"])
    assert res.code == 0, res.stderr
    return res.stdout


def rows_read(*args: str) -> int:
    """The TPS rows `rekap aggregate` says it read."""
    res = run_cli(["aggregate", *args, "--election", "pkwkp", "--lang", "en", "-f", "csv"])
    assert res.code == 0, res.stderr
    m = re.search(r"rows read ([0-9,]+);", res.stderr)
    assert m, res.stderr
    return int(m.group(1).replace(",", ""))


def header_of(book: Path) -> list[Any]:
    wb = load_workbook(book, read_only=True)
    header = list(next(wb.worksheets[1].iter_rows(min_row=TITLE_ROWS + 1, max_row=TITLE_ROWS + 1, values_only=True)))
    wb.close()
    return header


# --- every sheet -------------------------------------------------------------------------------


def test_every_kecamatan_sheet_is_summed_like_one_csv(kabkota: tuple[Path, Path, dict[str, list[list[Any]]]]) -> None:
    book, flat, groups = kabkota
    from_book, from_csv = aggregate(str(book)), aggregate(str(flat))
    assert from_book == from_csv
    assert rows_read(str(book)) == sum(len(rows) for rows in groups.values())


def test_findings_name_the_sheet_and_its_row(kabkota: tuple[Path, Path, dict[str, list[list[Any]]]]) -> None:
    book, _, groups = kabkota
    second = list(groups)[1]
    kode = str(groups[second][PLANTED][0])
    res = run_cli(["validate", str(book), "--election", "pkwkp", "--select", "A006", "-f", "jsonl", "-q"])
    assert res.code == 1, res.stderr
    found = [json.loads(line) for line in res.text.splitlines()]
    mine = [f for f in found if f["kode_wilayah"] == kode]
    # Title rows, the header, then the TPS rows: the planted TPS sits on this row of its own sheet.
    assert [(f["source"], f["row"]) for f in mine] == [(f"{book} [{second}]", TITLE_ROWS + 1 + PLANTED + 1)]


def test_notes_sheet_is_named_as_skipped_in_every_summary(kabkota: tuple[Path, Path, dict[str, list[list[Any]]]],
                                                           tmp_path: Path) -> None:
    book = kabkota[0]
    common = [str(book), "--election", "pkwkp"]
    line_en = f"{book} [{NOTES}]: sheet not read (no header row in the first 30 rows)"
    line_id = f"{book} [{NOTES}]: lembar tidak dibaca (tidak ada baris judul kolom dalam 30 baris pertama)"
    for args in (["validate", *common, "-o", str(tmp_path / "f.csv")],
                 ["aggregate", *common, "-o", str(tmp_path / "a.csv")],
                 ["progress", *common, "--master", str(SAMPLE_XLSX.parents[1] / "wilayah.csv"), "-o", str(tmp_path / "p.csv")],
                 ["compare", *common, "-r", str(SAMPLE_XLSX.parents[1] / "dhasil_kabkota.csv"), "-o", str(tmp_path / "c.csv")]):
        res = run_cli([*args, "--lang", "en"])
        assert res.code in (0, 1), res.stderr
        assert line_en in res.stderr, (args[0], res.stderr)
    res = run_cli(["validate", *common, "-o", str(tmp_path / "f.csv")])
    assert line_id in res.stderr


def test_run_bundle_lists_sheets_read_and_skipped(kabkota: tuple[Path, Path, dict[str, list[list[Any]]]],
                                                  tmp_path: Path) -> None:
    book, _, groups = kabkota
    out = tmp_path / "hasil"
    res = run_cli(["run", str(book), "--election", "pkwkp", "-o", str(out), "--lang", "en"])
    assert res.code in (0, 1), res.stderr
    assert f"{book} [{NOTES}]: sheet not read" in res.stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [(s["path"], s["name"], s["sheet"], s["rows"]) for s in manifest["inputs"]] == [
        (str(book), f"{book} [{name}]", name, len(rows)) for name, rows in groups.items()
    ]
    assert manifest["accounting"]["rows_read"] == sum(s["rows"] for s in manifest["inputs"])
    assert manifest["skipped_sheets"] == [{
        "path": str(book), "name": f"{book} [{NOTES}]", "sheet": NOTES, "reason": "no_header",
        "message": "no header row in the first 30 rows",
    }]
    page = (out / "laporan.html").read_text(encoding="utf-8")
    assert "Sheets not read" in page and f"{book} [{NOTES}]" in page
    wb = load_workbook(out / "rekap.xlsx", read_only=True)
    summary = [[c for c in row if c is not None] for row in wb.worksheets[0].iter_rows(values_only=True)]
    wb.close()
    at = summary.index(["Sheets not read"])
    assert summary[at + 2] == [f"{book} [{NOTES}]", "no header row in the first 30 rows"]


def test_skip_reasons(tmp_path: Path) -> None:
    wb = Workbook()
    first = wb.active
    assert first is not None
    first.title = "Kosong"
    wb.create_sheet("Catatan").append(["hanya teks"])
    recap = wb.create_sheet("Rekap Kec")
    recap.append(["No", "Nama Kecamatan", "Paslon 01", "Paslon 02", "Suara Sah", "Keterangan"])
    recap.append([1, "A", 10, 20, 30, ""])
    template = wb.create_sheet("Kec Baru")
    template.append(["Kode TPS", "Paslon 01", "Suara Sah"])
    data = wb.create_sheet("Kec A")
    data.append(["Kode TPS", "Paslon 01", "Suara Sah"])
    data.append(["3574011001001", 5, 5])
    wb.save(tmp_path / "k.xlsx")
    con = duckdb.connect()
    ds = load_dataset(con, [str(tmp_path / "k.xlsx")], str(tmp_path), LoadOptions())
    assert [(s.name, s.sheet, s.rows_read) for s in ds.sources] == [(f"{tmp_path / 'k.xlsx'} [Kec A]", "Kec A", 1)]
    assert [(s.sheet, s.reason) for s in ds.skipped] == [
        ("Kosong", "empty"), ("Catatan", "no_header"), ("Rekap Kec", "no_tps_code"), ("Kec Baru", "no_rows"),
    ]
    no_code = ds.skipped[2]
    assert no_code.message("en") == "header without a TPS code column ('No', 'Nama Kecamatan', 'Paslon 01', 'Paslon 02', 'Suara Sah')"
    assert no_code.message("id").startswith("judul kolom tanpa kolom kode TPS ('No'")
    assert [s.message("id") for s in ds.skipped if s.reason != "no_tps_code"] == [
        "lembar kosong", "tidak ada baris judul kolom dalam 30 baris pertama", "judul kolom tanpa baris data",
    ]


def test_single_sheet_workbook_keeps_its_plain_name(tmp_path: Path) -> None:
    res = run_cli(["validate", str(SAMPLE_XLSX), "--election", "pkwkp", "-f", "jsonl", "-q"])
    assert res.code == 1 and res.text
    assert {json.loads(line)["source"] for line in res.text.splitlines()} == {str(SAMPLE_XLSX)}


@pytest.mark.parametrize(("sheets", "message"), [
    ([("Catatan", [["x"]]), ("Lain", [["y"]])], "baris judul kolom tidak ditemukan di lembar 'Catatan'"),
    ([("Catatan", [["x"]]), ("Rekap", [["No", "Paslon 01", "Suara Sah"], [1, 2, 2]])], "[Rekap]: S001 tidak ada kolom kode TPS"),
    ([("Catatan", [["x"]]), ("Kec A", [["Kode TPS", "Suara Sah"]])], "[Kec A]: tidak ada baris data di bawah baris judul kolom"),
    ([("A", []), ("B", [])], "semua lembar kosong ('A', 'B')"),
])
def test_workbook_without_a_tps_sheet_keeps_its_one_line_error(
    tmp_path: Path, sheets: list[tuple[str, list[list[Any]]]], message: str
) -> None:
    wb = Workbook()
    default = wb.active
    assert default is not None
    wb.remove(default)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(tmp_path / "k.xlsx")
    assert message in one_line_error(run_cli(["validate", str(tmp_path / "k.xlsx")]))


# --- --sheet -----------------------------------------------------------------------------------


def test_sheet_numbers_read_each_sheet_given(kabkota: tuple[Path, Path, dict[str, list[list[Any]]]], tmp_path: Path) -> None:
    book, _, groups = kabkota
    names = list(groups)
    # Sheet 1 is the notes sheet: 2 and 3 are the first two kecamatan.
    both = aggregate(str(book), "--sheet", "2", "--sheet", "3")
    flat = write_csv(tmp_path / "two.csv", header_of(book), groups[names[0]] + groups[names[1]])
    assert both == aggregate(str(flat))
    assert rows_read(str(book), "--sheet", "3") == len(groups[names[1]])
    # The same sheet by name and by number is read once.
    assert aggregate(str(book), "--sheet", "2", "--sheet", names[0], "--sheet", "3") == both


def test_sheet_of_one_file_leaves_the_other_workbook_whole(
    kabkota: tuple[Path, Path, dict[str, list[list[Any]]]], tmp_path: Path
) -> None:
    book, _, groups = kabkota
    names = list(groups)
    other = tmp_path / "kab_lain.xlsx"
    other.write_bytes(book.read_bytes())
    res = run_cli(["validate", str(book), str(other), "--election", "pkwkp", "--sheet", f"{book}:{names[0]}",
                   "-f", "jsonl", "--fail-on", "never", "--lang", "en", "-o", str(tmp_path / "f.jsonl")])
    assert res.code == 0, res.stderr
    read = {}
    for line in res.stderr.splitlines():
        head, sep, rest = line.strip().partition(": xlsx, ")
        if sep:
            read[head] = int(rest.split(" ")[0])
    assert read == {f"{book} [{names[0]}]": len(groups[names[0]]),
                    **{f"{other} [{name}]": len(rows) for name, rows in groups.items()}}
    for name in names[1:]:
        assert f"{book} [{name}]: sheet not read (not chosen by --sheet)" in res.stderr
    assert f"{other} [{NOTES}]: sheet not read (no header row" in res.stderr


def test_sheet_of_a_file_matches_its_resolved_path(
    kabkota: tuple[Path, Path, dict[str, list[list[Any]]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    book, _, groups = kabkota
    names = list(groups)
    monkeypatch.chdir(book.parent)
    assert rows_read(book.name, "--sheet", f"./{book.name}:{names[2]}") == len(groups[names[2]])


def test_unknown_sheet_is_one_line_naming_the_file_and_its_sheets(
    kabkota: tuple[Path, Path, dict[str, list[list[Any]]]]
) -> None:
    book, _, groups = kabkota
    res = run_cli(["aggregate", str(book), "--sheet", "Kec Tidak Ada"])
    assert one_line_error(res) == f"{book}: tidak ada lembar bernama 'Kec Tidak Ada'"
    assert f"{NOTES}, {', '.join(groups)}" in res.stderr
    assert one_line_error(run_cli(["aggregate", str(book), "--sheet", "99"])).endswith("tidak ada lembar bernama '99'")


def test_sheet_for_a_file_that_is_not_an_input(kabkota: tuple[Path, Path, dict[str, list[list[Any]]]]) -> None:
    book = kabkota[0]
    res = run_cli(["aggregate", str(book), "--sheet", "lain.xlsx:Kec A"])
    assert one_line_error(res) == "--sheet 'lain.xlsx:Kec A': 'lain.xlsx' bukan salah satu berkas masukan"


def test_sheet_for_a_csv_input(kabkota: tuple[Path, Path, dict[str, list[list[Any]]]]) -> None:
    book, flat, groups = kabkota
    # For one file: a CSV has no sheets.
    res = run_cli(["aggregate", str(flat), "--sheet", f"{flat}:1"])
    assert "bukan buku kerja Excel (csv)" in one_line_error(res)
    # For every workbook: a CSV among the inputs is read whole, as before.
    names = list(groups)
    assert rows_read(str(flat), str(book), "--sheet", "2") == sum(len(rows) for rows in groups.values()) + len(groups[names[0]])


def test_parse_sheet_options() -> None:
    inputs = ["kab.xlsx", "C:\\data\\kota.xlsx", "a:b.xlsx", "-"]
    assert parse_sheet_options(["2", "Kec A", "2"], inputs) == (("2", "Kec A"), {})
    assert parse_sheet_options(["kab.xlsx:Kec A", "kab.xlsx:3", "C:\\data\\kota.xlsx:Rekap", "a:b.xlsx:1", "-:2"],
                               inputs) == ((), {0: ("Kec A", "3"), 1: ("Rekap",), 2: ("1",), 3: ("2",)})
    for bad in ("C:\\data\\kota.xlsx", "data/kab.xlsx", "kab.xlsx:", " ", "Kec [A]", "x.xlsx:Kec A"):
        with pytest.raises(UsageError):
            parse_sheet_options([bad], inputs)


def test_read_xlsx_sheets_in_workbook_order(tmp_path: Path) -> None:
    wb = Workbook()
    first = wb.active
    assert first is not None
    first.title = "Kec B"
    first.append(["Kode TPS", "Suara Sah"])
    first.append(["3574021001001", 2])
    second = wb.create_sheet("Kec A")
    second.append(["Kode TPS", "Suara Sah"])
    second.append(["3574011001001", 1])
    wb.save(tmp_path / "k.xlsx")
    con = duckdb.connect()
    got = read_xlsx_sheets(con, tmp_path / "k.xlsx", "t", "k.xlsx", ["Kec A", "1"])
    assert [t.sheet for t in got.tables] == ["Kec B", "Kec A"] and got.skipped == [] and got.sheet_count == 2
    assert [con.execute(f'SELECT "Kode TPS", _row FROM "{t.raw.table}"').fetchall() for t in got.tables] == [
        [("3574021001001", 2)], [("3574011001001", 2)],
    ]


def test_skipped_sheet_record() -> None:
    s = SkippedSheet("-", "<stdin>", "Catatan", "not_chosen")
    assert s.record("id") == {"path": "-", "name": "<stdin> [Catatan]", "sheet": "Catatan", "reason": "not_chosen",
                              "message": "tidak dipilih dengan --sheet"}
