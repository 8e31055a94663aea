"""The CSV reader on the files people actually have: delimiters, encodings, title rows, quotes deep
in the file, broken rows, codes and numbers written as text. Every case checks read = used + rejected."""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import real_file, run_cli

from rekap.io import Dataset, load_dataset
from rekap.validate import ValidationReport, validate
from rekap.validate.catalogue import select_rules

HEADER = ["kode_tps", "nama_desa", "suara_paslon_1", "suara_paslon_2", "suara_sah"]


@dataclass
class Loaded:
    ds: Dataset
    report: ValidationReport

    @property
    def findings(self) -> list[dict[str, Any]]:
        return self.report.findings.to_pylist()

    @property
    def notes(self) -> list[str]:
        return self.ds.sources[0].notes

    def raw(self, columns: str = "kode_tps, nama_desa, _row") -> list[tuple[Any, ...]]:
        return self.ds.con.execute(f"SELECT {columns} FROM rk_raw ORDER BY _row").fetchall()

    def found(self, rule: str) -> list[tuple[Any, ...]]:
        return [(f["kode_wilayah"], f["field"], f["row"]) for f in self.findings if f["rule"] == rule]


def load(tmp_path: Path, data: bytes, name: str = "tps.csv", select: list[str] | None = None) -> Loaded:
    path = tmp_path / name
    path.write_bytes(data)
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    ds = load_dataset(con, [str(path)], str(tmp_path))
    report = validate(ds, rules=select_rules(select or ["S", "A006"], None))
    # Every input row is accounted for, whatever the file looks like.
    assert report.rows_read == report.rows_used + report.rows_rejected
    assert report.rows_read == ds.rows_read
    return Loaded(ds, report)


def table(rows: list[list[str]], delimiter: str = ",", newline: str = "\n") -> str:
    return "".join(delimiter.join(r) + newline for r in [HEADER, *rows])


# TPS 001 adds up; TPS 002 has suara_sah 31 for 10 + 20 (A006, selisih +1).
ROWS = [
    ["3101011001001", "KEBON JERUK", "10", "20", "30"],
    ["3101011001002", "KEBON JERUK", "10", "20", "31"],
]


@pytest.mark.parametrize(("delimiter", "name"), [(",", "koma"), (";", "titik koma"), ("\t", "tab"), ("|", "garis tegak")])
def test_delimiters(tmp_path: Path, delimiter: str, name: str) -> None:
    got = load(tmp_path, table(ROWS, delimiter).encode())
    assert f"pemisah {name}" in got.notes
    assert got.raw() == [("3101011001001", "KEBON JERUK", 2), ("3101011001002", "KEBON JERUK", 3)]
    assert got.found("A006") == [("3101011001002", "suara_sah", 3)]
    assert got.report.rows_read == 2 and got.report.rows_rejected == 0


def test_utf8_with_bom(tmp_path: Path) -> None:
    rows = [["3101011001001", "KEBON JERUK É", "10", "20", "31"]]
    got = load(tmp_path, codecs.BOM_UTF8 + table(rows).encode("utf-8"))
    # The BOM must not end up in the first header, or kode_tps would not be found at all.
    assert got.raw() == [("3101011001001", "KEBON JERUK É", 2)]
    assert got.found("A006") == [("3101011001001", "suara_sah", 2)]
    assert any("BOM" in n for n in got.notes)


def test_cp1252(tmp_path: Path) -> None:
    rows = [["3101011001001", "PASAR MINGGU É", "10", "20", "31"]]
    got = load(tmp_path, table(rows, ";").encode("cp1252"))
    assert got.raw() == [("3101011001001", "PASAR MINGGU É", 2)]
    assert "pengodean cp1252" in got.notes
    assert got.found("A006") == [("3101011001001", "suara_sah", 2)]


def test_cp1252_byte_after_an_ascii_head_is_retried_as_cp1252(tmp_path: Path) -> None:
    rows = [[f"310101{1001 + i // 900}{i % 900 + 1:03d}", f"DESA {i}", "10", "20", "30"] for i in range(9500)]
    rows.append(["3171011001001", "PASAR MINGGU É", "10", "20", "31"])
    data = table(rows).encode("cp1252")
    late = data.index(b"\xc9")
    assert late > 300_000 and data[:late].isascii()
    got = load(tmp_path, data)
    assert got.report.rows_rejected == 0
    assert got.ds.con.execute("SELECT nama_desa, _row FROM rk_raw WHERE kode_tps = '3171011001001'").fetchall() == [
        ("PASAR MINGGU É", 9502)
    ]
    assert any("cp1252" in n for n in got.notes)
    assert got.found("A006") == [("3171011001001", "suara_sah", 9502)]


def test_utf16_with_bom(tmp_path: Path) -> None:
    rows = [["3101011001001", "KEBON JERUK É", "10", "20", "31"]]
    got = load(tmp_path, table(rows, "\t", "\r\n").encode("utf-16"))
    assert got.raw() == [("3101011001001", "KEBON JERUK É", 2)]
    assert got.found("A006") == [("3101011001001", "suara_sah", 2)]


def test_crlf_line_ends(tmp_path: Path) -> None:
    # The name is the last cell, so a stray carriage return would show in it.
    header = ["kode_tps", "suara_paslon_1", "suara_paslon_2", "suara_sah", "nama_desa"]
    lines = [header, ["3101011001001", "10", "20", "30", "MENTENG"], ["3101011001002", "10", "20", "31", "GAMBIR"]]
    got = load(tmp_path, "".join(",".join(r) + "\r\n" for r in lines).encode())
    assert got.raw() == [("3101011001001", "MENTENG", 2), ("3101011001002", "GAMBIR", 3)]
    assert got.found("S002") == []
    assert got.found("A006") == [("3101011001002", "suara_sah", 3)]


def test_title_row_and_blank_line_above_the_header(tmp_path: Path) -> None:
    text = "REKAPITULASI HASIL PEMILU 2024 KOTA ADM. JAKARTA PUSAT\n\n" + table(ROWS)
    got = load(tmp_path, text.encode())
    # Spreadsheet rows: title 1, blank 2, header 3, first data row 4.
    assert got.raw() == [("3101011001001", "KEBON JERUK", 4), ("3101011001002", "KEBON JERUK", 5)]
    assert got.found("A006") == [("3101011001002", "suara_sah", 5)]
    assert "baris judul kolom di baris 3" in got.notes


def test_quoted_delimiter_40000_rows_down(tmp_path: Path) -> None:
    rows = [[f"310101{1001 + i // 900}{i % 900 + 1:03d}", f"DESA {i}", str(i % 90), "20", str(i % 90 + 20)]
            for i in range(40_000)]
    body = table(rows) + '3101012001001,"LUBUK PAKAM I,II",10,20,31\n3101012001002,GAMBIR,10,20,30\n'
    got = load(tmp_path, body.encode(), select=["S008", "A006"])
    assert (got.report.rows_read, got.report.rows_used, got.report.rows_rejected) == (40_002, 40_002, 0)
    tail = got.ds.con.execute("SELECT kode_tps, nama_desa, _row FROM rk_raw WHERE _row > 40000 ORDER BY _row")
    assert tail.fetchall() == [
        ("3101011045400", "DESA 39999", 40001),
        ("3101012001001", "LUBUK PAKAM I,II", 40002),
        ("3101012001002", "GAMBIR", 40003),
    ]
    assert [(f["rule"], f["row"]) for f in got.findings] == [("A006", 40002)]


def test_ragged_rows_are_s008_and_the_rest_is_checked(tmp_path: Path) -> None:
    text = table([
        ["3101011001001", "A", "10", "20", "30"],
        ["3101011001002", "B", "10", "20"],
        ["3101011001003", "C", "10", "20", "30", "99"],
        ["3101011001004", "D", "10", "20", "31"],
    ])
    got = load(tmp_path, text.encode())
    assert (got.report.rows_read, got.report.rows_used, got.report.rows_rejected) == (4, 2, 2)
    s008 = [(f["row"], f["message"]) for f in got.findings if f["rule"] == "S008"]
    assert [row for row, _ in s008] == [3, 4]
    assert "3101011001002,B,10,20" in s008[0][1] and "3101011001003,C,10,20,30,99" in s008[1][1]
    assert got.raw() == [("3101011001001", "A", 2), ("3101011001004", "D", 5)]
    assert got.found("A006") == [("3101011001004", "suara_sah", 5)]


def test_unterminated_quote_on_the_last_row(tmp_path: Path) -> None:
    text = table(ROWS) + '3101011001003,"C,10,20,31\n'
    got = load(tmp_path, text.encode())
    assert (got.report.rows_read, got.report.rows_used, got.report.rows_rejected) == (3, 2, 1)
    assert got.found("S008") == [(None, "baris", 4)]
    assert got.found("A006") == [("3101011001002", "suara_sah", 3)]


def test_unterminated_quote_mid_file_loses_only_its_own_row(tmp_path: Path) -> None:
    text = table([
        ["3101011001001", "A", "10", "20", "30"],
        ["3101011001002", '"B', "10", "20", "30"],
        ["3101011001003", "C", "10", "20", "31"],
        ["3101011001004", "D", "10", "20", "30"],
    ])
    got = load(tmp_path, text.encode())
    assert got.found("S008") == [(None, "baris", 3)]
    assert got.report.rows_read == 4
    assert got.found("A006") == [("3101011001003", "suara_sah", 4)]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_stray_quotes_cost_only_the_rows_they_touch(tmp_path: Path, newline: str) -> None:
    rows = [
        ["3101011001001", "A", "10", "20", "31"],   # row 2: A006
        ["3101011001002", '"B', "10", "20", "30"],  # rows 3-6: the quote opened here is "closed" on
        ["3101011001003", "C", "10", "20", "32"],   #   line 6 right before a comma: one legal record
        ["3101011001004", "D", "10"],               #   whose cell holds whole rows -> S008 "merged"
        ["3101011001005", 'E"', "10", "20", "30"],
        ["3101011001006", "F", "10", "20", "33"],   # row 7: A006
        ["3101011001007", '"G', "1", "2", "3"],     # row 8: stray quote (closed by H's quote) -> S008
        ["3101011001008", '"H' + newline + 'I"', "10", "20", "34"],  # row 9: a legal two-line cell, A006
        ["3101011001009", "J", "10", "20", "35"],   # row 10: A006
        ["3101011001010", '"K', "10", "20", "36"],  # row 11: never closed -> S008
        ["3101011001011", "L", "10", "20", "37"],   # row 12: A006, read again after the quote
    ]
    got = load(tmp_path, table(rows, newline=newline).encode())
    s008 = [(f["row"], f["message"].split(":")[1].strip()) for f in got.findings if f["rule"] == "S008"]
    assert s008 == [
        (3, "BARIS TERGABUNG 3-6 (kolom 'nama_desa' memuat 3 pindah baris"), (8, "KOLOM KURANG"),
        (11, "NILAI TANPA TANDA KUTIP"),
    ]
    assert got.found("A006") == [
        ("3101011001001", "suara_sah", 2), ("3101011001006", "suara_sah", 7), ("3101011001008", "suara_sah", 9),
        ("3101011001009", "suara_sah", 10), ("3101011001011", "suara_sah", 12),
    ]
    assert (got.report.rows_read, got.report.rows_used, got.report.rows_rejected) == (8, 5, 3)


def test_a_stray_quote_near_the_top_of_a_long_file_costs_one_row(tmp_path: Path) -> None:
    # DuckDB cuts a rejected record's text at 10,000 characters and reads no further than the end
    # of the quoted cell: the re-read comes from the file itself, so all 20,000 rows below count.
    rows = [[f"31010110{i // 1000 + 1:02d}{i % 1000 + 1:03d}", "X", "10", "20", "30"] for i in range(20_000)]
    rows[5][1] = '"X'
    rows[15_000][4] = "31"
    got = load(tmp_path, table(rows).encode())
    assert got.found("S008") == [(None, "baris", 7)]
    assert got.found("A006") == [(rows[15_000][0], "suara_sah", 15_002)]
    assert (got.report.rows_read, got.report.rows_used, got.report.rows_rejected) == (20_000, 19_999, 1)


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_blank_lines_keep_every_row_on_its_own_line(tmp_path: Path, newline: str) -> None:
    # DuckDB skips blank lines; a spreadsheet (and the user) counts them. Lines: header 1, A 2,
    # blank 3, B 4, blanks 5-6, ragged C 7, D 8, blank 9, stray quote E 10, F 11, blank 12, G 13.
    lines = ["3101011001001,A,10,20,31", "", "3101011001002,B,10,20,32", "", "", "3101011001003,C,10",
             "3101011001004,D,10,20,34", "", '3101011001005,"E,10,20,30', "3101011001006,F,10,20,36", "",
             "3101011001007,G,10,20,37"]
    text = newline.join([",".join(HEADER), *lines]) + newline
    got = load(tmp_path, text.encode())
    assert got.found("A006") == [
        ("3101011001001", "suara_sah", 2), ("3101011001002", "suara_sah", 4), ("3101011001004", "suara_sah", 8),
        ("3101011001006", "suara_sah", 11), ("3101011001007", "suara_sah", 13),
    ]
    assert got.found("S008") == [(None, "baris", 7), (None, "baris", 10)]
    assert (got.report.rows_read, got.report.rows_used, got.report.rows_rejected) == (7, 5, 2)


def test_rows_merged_inside_an_ignored_column_are_pinned_too(tmp_path: Path) -> None:
    # rekap does not keep `catatan`; a stray quote pair there makes lines 3-5 one legal record. The
    # line count gives it away, and a second read of the ignored columns finds the record.
    header = "kode_tps,catatan,suara_paslon_1,suara_paslon_2,suara_sah\n"
    body = ('3101011001001,ok,10,20,31\n3101011001002,"hujan,10,20,30\n3101011001003,x,10,20,30\n'
            '3101011001004,deras",10,20,30\n3101011001005,y,10,20,35\n')
    got = load(tmp_path, (header + body).encode())
    s008 = [(f["row"], f["message"].split(":")[1].strip()) for f in got.findings if f["rule"] == "S008"]
    assert s008 == [(3, "BARIS TERGABUNG 3-5 (kolom 'catatan' memuat 2 pindah baris")]
    assert got.found("A006") == [("3101011001001", "suara_sah", 2), ("3101011001005", "suara_sah", 6)]
    assert (got.report.rows_read, got.report.rows_used, got.report.rows_rejected) == (3, 2, 1)
    # With a blank line and a ragged row above it, the rows still land on their own lines.
    body2 = ('3101011001001,ok,10,20,31\n\n3101011001009,bad,10\n3101011001002,"hujan,10,20,30\n'
             '3101011001003,x,10,20,30\n3101011001004,deras",10,20,30\n3101011001005,y,10,20,35\n')
    got = load(tmp_path, (header + body2).encode())
    assert [f["row"] for f in got.findings if f["rule"] == "S008"] == [4, 5]
    assert got.found("A006") == [("3101011001001", "suara_sah", 2), ("3101011001005", "suara_sah", 8)]
    # A blank line, and a two-line cell in a column rekap reads: both accounted for, no second read.
    quiet = load(tmp_path, (",".join(HEADER) + "\n3101011001001,ok,10,20,31\n\n3101011001002,\"two\nlines\",10,20,30\n").encode())
    assert quiet.found("S008") == [] and quiet.found("A006") == [("3101011001001", "suara_sah", 2)]


def test_a_legal_multi_line_cell_is_one_row(tmp_path: Path) -> None:
    rows = [["3101011001001", '"DESA\nBARU"', "10", "20", "31"], ["3101011001002", "B", "10", "20", "32"]]
    got = load(tmp_path, table(rows).encode())
    assert got.found("S008") == []
    assert got.raw() == [("3101011001001", "DESA\nBARU", 2), ("3101011001002", "B", 3)]


def test_codes_with_dots_are_normalised(tmp_path: Path) -> None:
    text = table([["35.78.01.1001.001", "GUBENG", "10", "20", "31"]], ";")
    got = load(tmp_path, text.encode())
    assert got.found("S005") == []
    assert got.found("A006") == [("3578011001001", "suara_sah", 2)]


def test_codes_stay_text(tmp_path: Path) -> None:
    text = table([["0101011001001", "NOL", "10", "20", "31"], ["3101011001002", "B", "10", "20", "31"]])
    got = load(tmp_path, text.encode())
    assert got.raw("kode_tps") == [("0101011001001",), ("3101011001002",)]
    s005 = [f for f in got.findings if f["rule"] == "S005"]
    assert [(f["kode_wilayah"], f["row"]) for f in s005] == [("0101011001001", 2)]
    assert "01 " in s005[0]["message"] and "13" not in s005[0]["message"]  # a province problem, not a length one
    assert got.found("A006") == [("0101011001001", "suara_sah", 2), ("3101011001002", "suara_sah", 3)]


@pytest.mark.parametrize(
    ("cell", "value"),
    [("1.234", 1234), ("1,234", 1234), ("+7", 7), ("083", 83), ("12.5", None), ("1e3", None)],
)
def test_numbers_written_as_text(tmp_path: Path, cell: str, value: int | None) -> None:
    # suara_sah 0 makes A006 fire whenever the cell is a count, with expected = the parsed cell + 20.
    header = "kode_tps;suara_paslon_1;suara_paslon_2;suara_sah\n"
    got = load(tmp_path, f"{header}3101011001001;{cell};20;0\n".encode(), select=["S002", "A006"])
    a006 = [f["expected"] for f in got.findings if f["rule"] == "A006"]
    s002 = [f["message"] for f in got.findings if f["rule"] == "S002"]
    if value is None:
        assert a006 == [] and len(s002) == 1 and f'"{cell}"' in s002[0]
    else:
        assert a006 == [value + 20] and s002 == []


def test_cli_reads_the_same_file_the_library_does(tmp_path: Path) -> None:
    path = tmp_path / "tps.csv"
    path.write_bytes(codecs.BOM_UTF8 + table(ROWS, ";", "\r\n").encode())
    result = run_cli(["validate", str(path), "-f", "jsonl", "-q", "--select", "A006"])
    assert result.code == 1
    assert result.text.count("\n") == 1 and '"row":3' in result.text


@pytest.mark.real
def test_real_pilpres_file_as_csv(tmp_path: Path) -> None:
    parquet = real_file("ppwp2024_tps_36prov.parquet")
    path = tmp_path / "ppwp2024_tps_36prov.csv"
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(f"COPY (SELECT * FROM read_parquet($p)) TO '{path}' (HEADER)", {"p": str(parquet)})
    ds = load_dataset(con, [str(path)], str(tmp_path))
    assert (ds.rows_read, ds.rows_rejected) == (443_968, 0)
    lubuk = con.execute(
        "SELECT DISTINCT nama_desa FROM rk_raw WHERE kode_desa = '1207281007'"
    ).fetchall()
    assert lubuk == [("LUBUK PAKAM I,II",)]
    first = con.execute("SELECT min(_row) FROM rk_raw WHERE nama_desa = 'LUBUK PAKAM I,II'").fetchone()
    # Far below the part of the file the reader sniffs.
    assert first is not None and first[0] > 10_000
