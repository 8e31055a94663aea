from __future__ import annotations

import datetime as dt
import os
import zipfile
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest
from openpyxl import Workbook
from xlsx_fixtures import write_staff_xlsx

from rekap.errors import InputError
from rekap.io.excel import read_xlsx
from rekap.schema import CANONICAL_SET, resolve_header

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"
DKI_CSV = REAL / "ppwp2024_tps_dki_jakarta.csv"

TITLES = [["REKAPITULASI HASIL PENGHITUNGAN SUARA"], ["KECAMATAN GAMBIR"]]


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


def save(path: Path, *sheets: tuple[str, list[list[Any]]]) -> Path:
    wb = Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def rows_of(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[Any, ...]]:
    return con.sql(f'SELECT * FROM "{table}" ORDER BY _row').fetchall()


def read_error(con: duckdb.DuckDBPyConnection, path: Path, sheet: str | None = None) -> InputError:
    with pytest.raises(InputError) as info:
        read_xlsx(con, path, "t", path.name, sheet=sheet)
    return info.value


# --- header --------------------------------------------------------------------------------------


def test_header_below_title_rows(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = save(
        tmp_path / "a.xlsx",
        (
            "Rekap",
            [
                *TITLES,
                ["Kode TPS", "Nama TPS", "Suara Sah"],
                ["3171011001001", "TPS 001", 200],
                ["3171011001002", "TPS 002", 180],
            ],
        ),
    )
    raw = read_xlsx(con, path, "t", "a.xlsx")
    assert raw.headers == ["Kode TPS", "Nama TPS", "Suara Sah"]
    assert raw.rows == 2
    assert raw.format == "xlsx"
    assert raw.notes == ["baris judul kolom di baris 3"]
    assert rows_of(con, "t") == [
        ("3171011001001", "TPS 001", "200", 4),
        ("3171011001002", "TPS 002", "180", 5),
    ]
    types = dict(con.sql('SELECT column_name, column_type FROM (DESCRIBE "t")').fetchall())
    assert types == {"Kode TPS": "VARCHAR", "Nama TPS": "VARCHAR", "Suara Sah": "VARCHAR", "_row": "BIGINT"}


def test_blank_rows_and_headerish_title_before_header(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    # A title that happens to be one known header word ("Kecamatan") must not win.
    path = save(
        tmp_path / "a.xlsx",
        (
            "S",
            [
                ["Kecamatan"],
                [],
                [],
                ["Kode TPS", "Jumlah DPT"],
                ["3171011001001", 300],
            ],
        ),
    )
    raw = read_xlsx(con, path, "t", "a.xlsx")
    assert raw.headers == ["Kode TPS", "Jumlah DPT"]
    assert "baris judul kolom di baris 4" in raw.notes
    assert rows_of(con, "t") == [("3171011001001", "300", 5)]


def test_header_cells_are_folded_to_one_line(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = save(tmp_path / "a.xlsx", ("S", [[" Kode\nTPS ", "Jumlah\nDPT"], ["3171011001001", 3]]))
    assert read_xlsx(con, path, "t", "a.xlsx").headers == ["Kode TPS", "Jumlah DPT"]


def test_merged_two_row_header(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Rekap"
    for row in [
        *TITLES,
        ["Kode TPS", "Jumlah DPT", None, None, "Pengguna Hak Pilih DPT", None, None, "Paslon 01", "Catatan"],
        [None, "L", "P", "JML", "L", "P", "JML", None, None],
        ["3171011001001", 150, 150, 300, 100, 110, 210, 99, "ok"],
    ]:
        ws.append(row)
    ws.merge_cells("A3:A4")
    ws.merge_cells("B3:D3")
    ws.merge_cells("E3:G3")
    ws.merge_cells("H3:H4")
    ws.merge_cells("I3:I4")
    wb.save(tmp_path / "m.xlsx")

    raw = read_xlsx(con, tmp_path / "m.xlsx", "t", "m.xlsx")
    assert raw.headers == [
        "Kode TPS",
        "Jumlah DPT L",
        "Jumlah DPT P",
        "Jumlah DPT JML",
        "Pengguna Hak Pilih DPT L",
        "Pengguna Hak Pilih DPT P",
        "Pengguna Hak Pilih DPT JML",
        "Paslon 01",
        "Catatan",
    ]
    assert [resolve_header(h) for h in raw.headers] == [
        "kode_tps",
        "pemilih_dpt_l",
        "pemilih_dpt_p",
        "pemilih_dpt_j",
        "pengguna_dpt_l",
        "pengguna_dpt_p",
        "pengguna_dpt_j",
        "suara_paslon_1",
        None,
    ]
    assert raw.notes == ["baris judul kolom di baris 3-4 (judul kelompok digabung)"]
    assert rows_of(con, "t") == [
        ("3171011001001", "150", "150", "300", "100", "110", "210", "99", "ok", 5),
    ]


def test_group_label_over_complete_labels(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    # "Perolehan Suara" does not combine with its sub-labels; the sub-labels alone are the names.
    path = save(
        tmp_path / "a.xlsx",
        (
            "S",
            [
                ["Kode TPS", "Nama TPS", "Perolehan Suara", None, None],
                [None, None, "Paslon 01", "Paslon 02", "Suara Sah"],
                ["3171011001001", "TPS 001", 1, 2, 3],
            ],
        ),
    )
    raw = read_xlsx(con, path, "t", "a.xlsx")
    assert raw.headers == ["Kode TPS", "Nama TPS", "Paslon 01", "Paslon 02", "Suara Sah"]
    assert raw.notes == ["baris judul kolom di baris 1-2 (judul kelompok digabung)"]


def test_numeric_sub_labels(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    # Excel turns typed "01" into the number 1; "Suara" + 1 still names paslon 1.
    path = save(
        tmp_path / "a.xlsx",
        (
            "S",
            [
                ["Kode TPS", "Nama TPS", "Suara", None, None],
                [None, None, 1, 2, 3],
                ["3171011001001", "A", 7, 8, 9],
            ],
        ),
    )
    raw = read_xlsx(con, path, "t", "a.xlsx")
    assert [resolve_header(h) for h in raw.headers] == [
        "kode_tps",
        "nama_tps",
        "suara_paslon_1",
        "suara_paslon_2",
        "suara_paslon_3",
    ]
    assert rows_of(con, "t") == [("3171011001001", "A", "7", "8", "9", 3)]


def test_column_number_row_is_not_a_second_header_row(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = save(tmp_path / "a.xlsx", ("S", [["Kode TPS", "Nama TPS", "Suara Sah"], ["(1)", "(2)", "(3)"]]))
    raw = read_xlsx(con, path, "t", "a.xlsx")
    assert raw.headers == ["Kode TPS", "Nama TPS", "Suara Sah"]
    assert raw.notes == ["baris judul kolom di baris 1"]


def test_sparse_first_data_row_is_not_a_second_header_row(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path = save(
        tmp_path / "a.xlsx",
        (
            "S",
            [["Kode TPS", "Label", "Wilayah", "Suara Sah", "Paslon 01"], [None, "TPS", "KOTA", None, None]],
        ),
    )
    raw = read_xlsx(con, path, "t", "a.xlsx")
    assert raw.headers == ["Kode TPS", "Label", "Wilayah", "Suara Sah", "Paslon 01"]
    assert raw.rows == 1


def test_first_data_row_is_not_taken_for_a_second_header_row(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    # "TPS" and "KOTA" are known header words; a data row holding them is still data.
    path = save(
        tmp_path / "a.xlsx",
        (
            "S",
            [
                ["Kode TPS", "Label", "Wilayah", "Suara Sah"],
                ["3171011001001", "TPS", "KOTA", 5],
            ],
        ),
    )
    raw = read_xlsx(con, path, "t", "a.xlsx")
    assert raw.headers == ["Kode TPS", "Label", "Wilayah", "Suara Sah"]
    assert raw.rows == 1


def test_extra_mapping_counts_for_header_detection(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = save(tmp_path / "a.xlsx", ("S", [["judul"], ["ID Lokasi", "Total Sah"], ["3171011001001", 5]]))
    assert read_error(con, path).message.startswith("a.xlsx: baris judul kolom tidak ditemukan di lembar 'S'")
    raw = read_xlsx(con, path, "t", "a.xlsx", extra={"ID Lokasi": "kode_tps", "Total Sah": "suara_sah"})
    assert raw.headers == ["ID Lokasi", "Total Sah"]
    assert "baris judul kolom di baris 2" in raw.notes


def test_no_header_found(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = save(tmp_path / "a.xlsx", ("Data", [["judul"], ["a", "b", "c"], [1, 2, 3]]))
    err = read_error(con, path)
    assert err.message == "a.xlsx: baris judul kolom tidak ditemukan di lembar 'Data' (sudah dilihat 30 baris pertama)"
    assert err.hint is not None and "Kode TPS" in err.hint and "--columns" in err.hint


def test_header_beyond_row_30_is_not_found(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = save(tmp_path / "a.xlsx", ("S", [*[["x"]] * 30, ["Kode TPS", "Suara Sah"], ["1", 2]]))
    assert "baris judul kolom tidak ditemukan" in read_error(con, path).message


def test_empty_sheet(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = save(tmp_path / "a.xlsx", ("Kosong", []))
    assert read_error(con, path).message == "a.xlsx: lembar 'Kosong' kosong"


def test_header_only_gives_zero_rows(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = save(tmp_path / "a.xlsx", ("S", [["Kode TPS", "Suara Sah"]]))
    raw = read_xlsx(con, path, "t", "a.xlsx")
    assert (raw.headers, raw.rows) == (["Kode TPS", "Suara Sah"], 0)
    assert con.execute('SELECT count(*) FROM "t"').fetchall() == [(0,)]


# --- sheets --------------------------------------------------------------------------------------

HEADER = ["Kode TPS", "Suara Sah"]


def three_sheets(tmp_path: Path) -> Path:
    return save(
        tmp_path / "s.xlsx",
        ("Catatan", [["Dibuat oleh PPK"], ["lihat sheet berikut"]]),
        ("Rekap", [HEADER, ["3171011001001", 10]]),
        ("Rekap2", [["judul"], HEADER, ["3171011001002", 20]]),
    )


def test_default_sheet_is_first_with_header(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    raw = read_xlsx(con, three_sheets(tmp_path), "t", "s.xlsx")
    assert raw.notes[0] == "lembar 'Rekap' (lembar lain: 'Catatan', 'Rekap2'; pilih dengan --sheet)"
    assert rows_of(con, "t") == [("3171011001001", "10", 2)]


def test_single_sheet_has_no_sheet_note(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = save(tmp_path / "a.xlsx", ("S", [HEADER, ["1", 2]]))
    assert not any(n.startswith("lembar") for n in read_xlsx(con, path, "t", "a.xlsx").notes)


def test_sheet_by_name(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    raw = read_xlsx(con, three_sheets(tmp_path), "t", "s.xlsx", sheet="Rekap2")
    assert raw.notes == ["baris judul kolom di baris 2"]
    assert rows_of(con, "t") == [("3171011001002", "20", 3)]


def test_sheet_by_name_ignores_case(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    read_xlsx(con, three_sheets(tmp_path), "t", "s.xlsx", sheet="rekap2")
    assert rows_of(con, "t") == [("3171011001002", "20", 3)]


def test_sheet_by_index(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    read_xlsx(con, three_sheets(tmp_path), "t", "s.xlsx", sheet="3")
    assert rows_of(con, "t") == [("3171011001002", "20", 3)]


def test_sheet_name_that_looks_like_an_index_wins(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = save(tmp_path / "a.xlsx", ("1", [HEADER, ["a", 1]]), ("2", [HEADER, ["b", 2]]))
    read_xlsx(con, path, "t", "a.xlsx", sheet="1")
    assert rows_of(con, "t") == [("a", "1", 2)]


@pytest.mark.parametrize("wanted", ["Ringkasan", "0", "4"])
def test_unknown_sheet(con: duckdb.DuckDBPyConnection, tmp_path: Path, wanted: str) -> None:
    err = read_error(con, three_sheets(tmp_path), sheet=wanted)
    assert err.message == f"s.xlsx: tidak ada lembar bernama '{wanted}'"
    assert err.hint == "lembar di berkas ini: Catatan, Rekap, Rekap2; pilih satu dengan --sheet"


def test_chosen_sheet_without_header(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    err = read_error(con, three_sheets(tmp_path), sheet="Catatan")
    assert err.message == "s.xlsx: baris judul kolom tidak ditemukan di lembar 'Catatan' (sudah dilihat 30 baris pertama)"


def test_no_sheet_has_a_header(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = save(tmp_path / "a.xlsx", ("Kosong", []), ("Catatan", [["x"]]), ("Lain", [["y"]]))
    err = read_error(con, path)
    assert err.message == "a.xlsx: baris judul kolom tidak ditemukan di lembar 'Catatan' (sudah dilihat 30 baris pertama)"
    assert err.hint is not None and "'Kosong', 'Lain'" in err.hint


# --- values --------------------------------------------------------------------------------------


def test_values_become_text(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = save(
        tmp_path / "a.xlsx",
        (
            "S",
            [
                ["Kode TPS", "Kode Desa", "Suara Sah", "Suara Tidak Sah", "Catatan", "Waktu"],
                [3171011001001, 3171011001.0, 12.0, 12.5, True, dt.datetime(2024, 2, 14, 13, 5)],
                ["0101011001001", "007", "12", "-3", False, dt.date(2024, 2, 14)],
                [None, "  spasi  ", 0, 1e-3, "#REF!", dt.time(7, 30)],
            ],
        ),
    )
    read_xlsx(con, path, "t", "a.xlsx")
    assert rows_of(con, "t") == [
        ("3171011001001", "3171011001", "12", "12.5", "TRUE", "2024-02-14T13:05:00", 2),
        ("0101011001001", "007", "12", "-3", "FALSE", "2024-02-14T00:00:00", 3),
        (None, "  spasi  ", "0", "0.001", "#REF!", "07:30:00", 4),
    ]


def test_13_digit_codes_stored_as_numbers(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    codes = [3101011001001, 9471040005013, 3175101008063]
    path = save(
        tmp_path / "a.xlsx",
        (
            "S",
            [
                ["Kode TPS", "Suara Sah", "Catatan"],
                *[[c, 1, float(c)] for c in codes],
            ],
        ),
    )
    read_xlsx(con, path, "t", "a.xlsx")
    assert [(r[0], r[2]) for r in rows_of(con, "t")] == [(str(c), str(c)) for c in codes]


def test_error_cell_is_kept_as_text(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Kode TPS", "Suara Sah"])
    ws.append(["3171011001001", "#REF!"])
    ws.append(["3171011001002", "#DIV/0!"])
    assert ws["B2"].data_type == "e"  # stored as an Excel error cell, as a broken formula leaves it
    wb.save(tmp_path / "e.xlsx")
    read_xlsx(con, tmp_path / "e.xlsx", "t", "e.xlsx")
    assert [r[1] for r in rows_of(con, "t")] == ["#REF!", "#DIV/0!"]


def test_empty_rows_skipped_and_counted(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = save(
        tmp_path / "a.xlsx",
        (
            "S",
            [
                HEADER,
                ["3171011001001", 1],
                [],
                [None, None],
                ["", "   "],
                ["3171011001002", 2],
                [],
                [None],
            ],
        ),
    )
    raw = read_xlsx(con, path, "t", "a.xlsx")
    assert raw.rows == 2
    # Trailing blank rows are invisible in Excel and not worth a note; the gap of 3 is.
    assert "3 baris kosong di sela data dilewati" in raw.notes
    assert [r[-1] for r in rows_of(con, "t")] == [2, 6]


def test_no_empty_row_note_without_gaps(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = save(tmp_path / "a.xlsx", ("S", [HEADER, ["1", 1], [], []]))
    raw = read_xlsx(con, path, "t", "a.xlsx")
    assert not any("kosong" in n for n in raw.notes)


def test_row_numbers_match_excel(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws["A5"] = "Kode TPS"
    ws["B5"] = "Suara Sah"
    for r in (6, 9, 40, 1000):
        ws.cell(row=r, column=1, value=f"kode{r}")
        ws.cell(row=r, column=2, value=r)
    wb.save(tmp_path / "r.xlsx")
    raw = read_xlsx(con, tmp_path / "r.xlsx", "t", "r.xlsx")
    assert "baris judul kolom di baris 5" in raw.notes
    assert rows_of(con, "t") == [(f"kode{r}", str(r), r) for r in (6, 9, 40, 1000)]


def test_duplicate_headers_renamed(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = save(
        tmp_path / "a.xlsx",
        (
            "S",
            [
                ["Kode TPS", "Suara Sah", "suara sah", "Paslon 01", "Suara Sah", "_row"],
                ["1", 2, 3, 4, 5, 6],
            ],
        ),
    )
    raw = read_xlsx(con, path, "t", "a.xlsx")
    # DuckDB treats identifiers case-insensitively, so 'suara sah' collides with 'Suara Sah'.
    assert raw.headers == ["Kode TPS", "Suara Sah", "suara sah__2", "Paslon 01", "Suara Sah__3", "_row__2"]
    assert "judul kolom ganda 'Suara Sah' di kolom B, C dan E" in raw.notes
    assert rows_of(con, "t") == [("1", "2", "3", "4", "5", "6", 2)]


def test_unnamed_columns(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = save(
        tmp_path / "a.xlsx",
        (
            "S",
            [
                ["Kode TPS", None, "Suara Sah", None],
                ["1", None, 2, None],
                ["2", "catatan", 3, None, None, "lebih"],  # ragged: longer than the header
            ],
        ),
    )
    raw = read_xlsx(con, path, "t", "a.xlsx")
    assert raw.headers == ["Kode TPS", "kolom_B", "Suara Sah", "kolom_F"]
    assert "kolom tanpa judul dinamai dengan hurufnya: kolom_B, kolom_F" in raw.notes
    assert rows_of(con, "t") == [("1", None, "2", None, 2), ("2", "catatan", "3", "lebih", 3)]


def test_ragged_short_rows_are_kept(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = save(tmp_path / "a.xlsx", ("S", [["Kode TPS", "Nama TPS", "Suara Sah"], ["1"], ["2", "TPS 2", 9]]))
    read_xlsx(con, path, "t", "a.xlsx")
    assert rows_of(con, "t") == [("1", None, None, 2), ("2", "TPS 2", "9", 3)]


def test_file_name_without_xlsx_extension(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    # stdin spools and downloads may lack the extension; the content decides.
    path = save(tmp_path / "a.xlsx", ("S", [HEADER, ["1", 2]]))
    plain = tmp_path / "upload"
    os.replace(path, plain)
    assert read_xlsx(con, plain, "t", "upload").rows == 1


# --- not an xlsx ---------------------------------------------------------------------------------


def _zip_without_workbook(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "hi")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"kode_tps,suara_sah\n3171011001001,5\n", "tampaknya berkas teks/CSV"),
        (bytes(range(256)) * 8, "bukan arsip zip"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "gambar PNG"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "format .xls lama atau dilindungi kata sandi"),
        (b"", "berkas kosong"),
        (b"PK\x03\x04garbage", "arsip zip rusak"),
        (None, "tanpa buku kerja Excel di dalamnya"),
    ],
)
def test_not_an_xlsx(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, content: bytes | None, reason: str
) -> None:
    path = tmp_path / "bad.xlsx"
    if content is None:
        _zip_without_workbook(path)
    else:
        path.write_bytes(content)
    err = read_error(con, path)
    assert err.message.startswith("bad.xlsx: bukan buku kerja Excel .xlsx (")
    assert reason in err.message
    assert err.hint


def test_missing_file(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    err = read_error(con, tmp_path / "nope.xlsx")
    assert err.message.startswith("nope.xlsx: berkas tidak dapat dibuka")


def test_damaged_sheet_xml(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    good = save(tmp_path / "good.xlsx", ("S", [HEADER, ["1", 2]]))
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            dst.writestr(item, data)
    err = read_error(con, bad)
    assert err.message.startswith("bad.xlsx: bukan buku kerja Excel .xlsx (")


# --- staff-style fixture helper ------------------------------------------------------------------


def small_canonical_table() -> pa.Table:
    return pa.table(
        {
            "kode_prov": ["31", "31"],
            "kode_tps": ["3101011001001", "3101011001002"],
            "nama_tps": ["TPS 001", "=TPS 002"],
            "tps_label": ["tps", "tps"],
            "pemilih_dpt_j": ["292", "285"],
            "pemilih_dpt_l": ["147", "144"],
            "pemilih_dpt_p": ["145", None],
            "suara_paslon_1": ["83", "12.5"],
            "pengguna_total_j": [233, 255],
            "suara_sah": ["228", "x"],
        }
    )


@pytest.mark.parametrize("merged", [False, True])
def test_write_staff_xlsx_round_trip(con: duckdb.DuckDBPyConnection, tmp_path: Path, merged: bool) -> None:
    tbl = small_canonical_table()
    path = tmp_path / "staff.xlsx"
    write_staff_xlsx(tbl, path, title_rows=4, merged_groups=merged)
    raw = read_xlsx(con, path, "t", "staff.xlsx")
    assert raw.notes == (["baris judul kolom di baris 5-6 (judul kelompok digabung)"] if merged else ["baris judul kolom di baris 5"])
    names = {resolve_header(h) or h: h for h in raw.headers}
    assert set(names) == set(tbl.column_names)
    for col in tbl.column_names:
        got = [r[0] for r in con.sql(f'SELECT "{names[col]}" FROM "t" ORDER BY _row').fetchall()]
        want = [None if v is None else str(v) for v in tbl.column(col).to_pylist()]
        assert got == want, col


@pytest.mark.real
def test_real_dki_rows_round_trip(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    if not DKI_CSV.exists():
        pytest.skip(f"{DKI_CSV} not present")
    csv = con.sql(
        "SELECT * FROM read_csv(?, all_varchar = true) LIMIT 2000", params=[str(DKI_CSV)]
    ).to_arrow_table()
    assert csv.num_rows == 2000
    path = tmp_path / "dki.xlsx"
    write_staff_xlsx(csv, path)

    raw = read_xlsx(con, path, "raw", "dki.xlsx")
    assert raw.rows == 2000
    mapped = {resolve_header(h): h for h in raw.headers if resolve_header(h) is not None}
    canonical = [c for c in csv.column_names if c in CANONICAL_SET]
    assert set(mapped) == set(canonical)
    assert con.execute('SELECT min(_row), max(_row) FROM "raw"').fetchall() == [(4, 2003)]
    for col in canonical:
        got = [r[0] for r in con.sql(f'SELECT "{mapped[col]}" FROM "raw" ORDER BY _row').fetchall()]
        assert got == csv.column(col).to_pylist(), col
    codes = [r[0] for r in con.sql(f'SELECT "{mapped["kode_tps"]}" FROM "raw"').fetchall()]
    assert all(len(c) == 13 for c in codes)


# --- the fast reader (calamine) and openpyxl read alike ------------------------------------------


def _both_ways(
    con: duckdb.DuckDBPyConnection, path: Path, monkeypatch: pytest.MonkeyPatch, *, fast: bool
) -> list[Any]:
    """What read_xlsx_sheets gives with calamine and with openpyxl only: they must be equal."""
    import rekap.io.excel as excel

    assert (excel._fast_book(path) is not None) == fast
    out = []
    for way in ("fast", "openpyxl"):
        with monkeypatch.context() as m:
            if way == "openpyxl":
                m.setattr(excel, "_fast_book", lambda _path, _parsed=None: None)
            got = excel.read_xlsx_sheets(con, path, f"t_{way}", path.name)
        out.append((
            [(s.sheet, s.raw.headers, s.raw.rows, s.raw.notes, rows_of(con, s.raw.table)) for s in got.tables],
            got.skipped, got.sheet_count,
        ))
    assert out[0] == out[1]
    return out[0]


def test_fast_reader_values_like_openpyxl(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Rekap"
    ws["B1"] = "REKAPITULASI"
    ws["B5"], ws["C5"], ws["D5"], ws["E5"], ws["F5"] = "Kode TPS", "Kode Desa", "Suara Sah", "Catatan", "Waktu"
    rows = [
        [3171011001001, 3171011001.0, 12.0, True, dt.datetime(2024, 2, 14, 13, 5)],
        ["0101011001001", "007", "12", False, dt.date(2024, 2, 14)],
        [None, "  spasi  ", 0, "a\nb", dt.time(7, 30)],
        [2**52 + 1, -3, 12.5, 1e-3, 1e15],
    ]
    for r, row in enumerate(rows, start=6):
        for c, v in enumerate(row, start=2):
            ws.cell(row=r, column=c, value=v)
    ws.cell(row=12, column=2, value="3171011001009")  # after a gap of one row
    ws.cell(row=12, column=9, value="lebih")  # an unnamed column
    wb.create_sheet("Catatan")["A1"] = "bukan data"
    hidden = wb.create_sheet("Tersembunyi")
    hidden.sheet_state = "hidden"
    hidden.append(["Kode TPS", "Suara Sah"])
    hidden.append(["3171011001010", 5])
    wb.save(tmp_path / "a.xlsx")
    tables, skipped, count = _both_ways(con, tmp_path / "a.xlsx", monkeypatch, fast=True)
    assert [t[0] for t in tables] == ["Rekap", "Tersembunyi"] and count == 3
    assert skipped == [("Catatan", "no_header", ())]
    assert tables[0][4][0] == ("3171011001001", "3171011001", "12", "TRUE", "2024-02-14T13:05:00", None, 6)
    assert tables[0][4][1][4] == "2024-02-14T00:00:00"


@pytest.mark.parametrize("merged", [False, True])
def test_fast_reader_staff_workbooks(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, merged: bool
) -> None:
    path = tmp_path / "staff.xlsx"
    write_staff_xlsx(small_canonical_table(), path, title_rows=2, merged_groups=merged)
    tables, _skipped, _count = _both_ways(con, path, monkeypatch, fast=True)
    assert tables[0][2] == 2


@pytest.mark.parametrize(
    ("cells", "why"),
    [
        ({"B2": "=1+1"}, "a formula (no saved result: its text is kept for S002)"),
        ({"B2": "#DIV/0!"}, "an error cell"),
        ({"C2": " "}, "a whitespace-only text (calamine: an empty cell)"),
        ({"B2": 2**60 + 1}, "a whole number beyond a double"),
        ({"C2": "TPS_x000D_1"}, "an escaped character (calamine decodes it, openpyxl does not)"),
    ],
)
def test_workbooks_calamine_cannot_read_exactly_go_to_openpyxl(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cells: dict[str, Any], why: str
) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Kode TPS", "Suara Sah", "Nama TPS"])
    ws.append(["3171011001001", 5, "TPS 1"])
    for ref, v in cells.items():
        ws[ref] = v
    if "B2" in cells and cells["B2"] == "#DIV/0!":
        assert ws["B2"].data_type == "e"
    wb.save(tmp_path / "w.xlsx")
    _both_ways(con, tmp_path / "w.xlsx", monkeypatch, fast=False)


def test_fast_columns_give_fast_rows_text() -> None:
    """The column-wise conversion (`_fast_columns`, with its memo of texts) gives `_fast_rows`' text for
    every kind of value calamine hands over, in every mix of a column."""
    import rekap.io.excel as excel

    values: list[Any] = ["", "x", " a ", "0101", 0.0, -0.0, 1.0, 12.0, 12.5, 1e-3, 1e15, 2.0**53 - 1, -(2.0**53) + 1,
                         float("nan"), float("inf"), True, False, 1, -3, 2**60, dt.date(2024, 2, 14),
                         dt.datetime(2024, 2, 14, 13, 5), dt.time(7, 30), dt.timedelta(hours=1)]
    columns = [
        ["", "x", "0101"], ["x", "y"], [0.0, "", 12.0, 12.5, -0.0, 1e15], [1.0, True, 1], [2**60, 3.0],
        values, [dt.date(2024, 2, 14), "", 3.0],
    ]
    height = max(map(len, columns))
    raw = [[c[r] if r < len(c) else "" for c in columns] for r in range(height)]
    want = excel._fast_rows(raw)
    got = excel._fast_columns(raw, excel._Texts())
    assert [list(r) for r in zip(*got, strict=True)] == want
    # Ragged rows are padded as empty cells.
    assert excel._fast_columns([["a", 1.0], ["b"]], excel._Texts()) == [["a", "b"], ["1", None]]
    # A whole number beyond a double's exact range sends the workbook to openpyxl.
    with pytest.raises(excel._Fallback):
        excel._fast_columns([[2.0**53], [1.0]], excel._Texts())


def test_gaps_and_trailing_blank_rows_both_ways(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows: list[list[Any]] = [*TITLES, ["Kode TPS", "Suara Sah", None, "Catatan"], ["3171011001001", 5, None, None],
                             [None, None], [None, None, None, "\u00a0"], ["3171011001002", 6], [None, " "]]
    for extra_rows in ([], [[None, None]] * 3, [["3171011001003", 7]]):
        path = save(tmp_path / "g.xlsx", ("TPS", rows + extra_rows))
        _both_ways(con, path, monkeypatch, fast=False)  # the ' ' cell: openpyxl only
    fast = save(tmp_path / "f.xlsx", ("TPS", [r for r in rows if r != [None, " "]] + [[None, None]] * 2))
    tables, _skipped, _count = _both_ways(con, fast, monkeypatch, fast=True)
    assert [r[-1] for r in tables[0][4]] == [4, 7]
    assert tables[0][3][-1] == "2 baris kosong di sela data dilewati"
    only_header = save(tmp_path / "h.xlsx", ("TPS", [*TITLES, ["Kode TPS", "Suara Sah", None, "Catatan"]]),
                       ("Data", [["Kode TPS", "Suara Sah"], ["3171011001001", 1]]))
    _both_ways(con, only_header, monkeypatch, fast=True)


@pytest.mark.parametrize(
    ("part", "fast"),
    [
        (b'<c r="A1"><f>1+1</f><v>2</v></c>', False),
        (b'<c r="A1"><x:f>1+1</x:f><v>2</v></c>', False),
        (b'<c r="A1"><f t="shared" si="0"/><v>2</v></c>', False),
        (b'<c r="A1" t="e"><v>#REF!</v></c>', False),
        (b"<c r='A1' t='e'><v>#REF!</v></c>", False),
        (b"<c><is><t>\t</t></is></c>", False),
        (b'<c><is><t xml:space="preserve">\r\n </t></is></c>', False),
        (b"<c><is><x:t>a</x:t></is></c>", False),
        (b"<c><is><t>a_x000D_b</t></is></c>", False),
        (b"<c><is><t>a </t></is></c><c><is><t>of x:y 'e'</t></is></c>", True),
        (b"<c><is><t>of:f</t></is></c><c><is><t>x\n</t></is></c>", True),
        (b'<c r="A1" t="s"><v>0</v></c><c r="B1"><v>1.5</v></c>', True),
    ],
)
def test_archive_check(tmp_path: Path, part: bytes, fast: bool) -> None:
    """What sends a workbook to openpyxl, whatever the quotes, prefixes and whitespace: formulas, error
    cells, whitespace-only texts, escaped characters; text that only looks alike does not."""
    import rekap.io.excel as excel

    path = tmp_path / "w.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row>" + part + b"</row></sheetData></worksheet>")
        archive.writestr("xl/styles.xml", b"<f>not a sheet</f>")
    with path.open("rb") as fh:
        assert excel._has_formula_or_error(fh) == (not fast)



@pytest.mark.parametrize("broken", ["", "baris\nbaru", "CR\r\nLF", "CR\rsaja"])
def test_fast_texts_stored_exactly(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, broken: str
) -> None:
    """calamine's text goes into DuckDB as lines of a temporary file (`_store_as_lines`): every text
    comes back exactly, and a text with a line break makes it build Arrow arrays instead."""
    import rekap.io.excel as excel

    tricky = ['TPS "A"', '"awal', "a,b;c", "  spasi  ", "\\N", "NULL", "null", "caf\u00e9 \u2014 \U0001F5F3", "it's",
              "tab\tdi tengah", "nbsp\u00a0", "\u2028pemisah", "nel\x85", "0101", "-0",
              "1e5", "\u00a0", broken or "biasa"]
    rows: list[list[Any]] = [["Kode TPS", "Catatan", "Suara Sah", None]]
    rows += [[f"31710110010{i:02d}", v, i, None if i % 3 else v] for i, v in enumerate(tricky)]
    path = save(tmp_path / "t.xlsx", ("TPS", rows))
    stored: list[bool] = []
    real = excel._store_as_lines

    def spy(*args: Any) -> bool:
        stored.append(real(*args))
        return stored[-1]

    monkeypatch.setattr(excel, "_store_as_lines", spy)
    tables, _skipped, _count = _both_ways(con, path, monkeypatch, fast=True)
    assert stored == [not broken]
    got = tables[0][4]
    want = [v.replace("\r\n", "\n").replace("\r", "\n") for v in tricky]  # XML reads every line end as LF
    assert [r[1] for r in got] == want and [r[3] for r in got] == [None if i % 3 else v for i, v in enumerate(want)]


def test_fast_texts_without_a_temporary_file(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No temporary file to be had (a read-only temp dir): the same table, through Arrow."""
    import tempfile

    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise PermissionError("read-only")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    path = save(tmp_path / "t.xlsx", ("TPS", [["Kode TPS", "Suara Sah"], ["3171011001001", 5], ["3171011001002", None]]))
    tables, _skipped, _count = _both_ways(con, path, monkeypatch, fast=True)
    assert tables[0][4] == [("3171011001001", "5", 2), ("3171011001002", None, 3)]


def test_fast_texts_with_very_long_lines(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A row longer than DuckDB's CSV line limit goes through Arrow (here the limit is made small)."""
    import rekap.io.excel as excel

    stored: list[bool] = []
    real = excel._store_as_lines
    monkeypatch.setattr(excel, "_MAX_LINE", 40)
    monkeypatch.setattr(excel, "_store_as_lines", lambda *a: stored.append(real(*a)) or stored[-1])
    rows: list[list[Any]] = [["Kode TPS", "Catatan", "Suara Sah"], ["3171011001001", "x" * 60, 1],
                             ["3171011001002", "pendek", 2]]
    tables, _skipped, _count = _both_ways(con, save(tmp_path / "t.xlsx", ("TPS", rows)), monkeypatch, fast=True)
    assert stored == [False] and [r[1] for r in tables[0][4]] == ["x" * 60, "pendek"]


def test_workbooks_read_ahead_as_each_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Several workbooks: the next is parsed while one is read (`ReadAhead`). The rows are those of each workbook
    read on its own, whichever reader it needs (a formula sends one to openpyxl), the parse ahead is really the
    one used, and an unreadable input after them is reported as itself, from the main thread."""
    import threading

    from rekap.io import excel, load_dataset

    header = ["Kode TPS", "Jumlah DPT (L)", "Suara Paslon 01"]
    plain_a = save(tmp_path / "a.xlsx", ("TPS", [header, ["3101011001001", 120, 50], ["3101011001002", 98, 40]]))
    plain_b = save(tmp_path / "b.xlsx", ("TPS", [*TITLES, header, ["3101011001003", 77, "1.234"]]))
    formula = save(tmp_path / "c.xlsx", ("TPS", [header, ["3101011001004", 60, "=1+1"]]))
    alone = []
    for path in (plain_a, plain_b, formula):
        ds = load_dataset(duckdb.connect(), [str(path)], str(tmp_path))
        alone.append(ds.con.sql("SELECT * EXCLUDE (_file) FROM rk_raw ORDER BY _row").fetchall())
    used: list[tuple[Path, bool]] = []
    parse = excel.parse

    def recorded(path: Path) -> excel.Parsed:
        used.append((path, threading.current_thread().name.startswith("rekap-xlsx-parse")))
        return parse(path)

    monkeypatch.setattr(excel, "parse", recorded)
    ds = load_dataset(duckdb.connect(), [str(plain_a), str(plain_b), str(formula)], str(tmp_path))
    together = [ds.con.sql(f"SELECT * EXCLUDE (_file) FROM rk_raw WHERE _file = {i} ORDER BY _row").fetchall()
                for i in range(3)]
    assert together == alone
    assert sorted(used) == [(plain_a, False), (plain_b, True), (formula, True)]  # once each: b and c ahead
    assert [s.name for s in ds.sources] == [str(plain_a), str(plain_b), str(formula)]
    broken = tmp_path / "d.xlsx"
    broken.write_bytes(b"PK\x03\x04 not a workbook")
    with pytest.raises(InputError, match="d.xlsx"):
        load_dataset(duckdb.connect(), [str(plain_a), str(broken)], str(tmp_path))
