"""The D.Hasil-style recap workbook: deterministic bytes, the form's layout, numbers as numbers, codes as
text and no formula ever, on the bundled sample and on small tables built inline."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from rekap.aggregate.rollup import aggregate
from rekap.io import load_dataset
from rekap.regions import LEVELS as LEVELS_UP
from rekap.report.dhasil import recap_xlsx_bytes, write_recap_xlsx
from rekap.validate import validate

SAMPLE_TPS = Path(__file__).resolve().parents[1] / "data" / "samples" / "jatim_kecil" / "tps"
HOSTILE = '=HYPERLINK("x")'


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    tmp = tmp_path_factory.mktemp("xlsx")
    connection = duckdb.connect()
    ds = load_dataset(connection, sorted(str(p) for p in SAMPLE_TPS.iterdir()), str(tmp))
    validate(ds, election="pkwkp")
    aggregate(connection, list(LEVELS_UP))
    yield connection
    connection.close()


def workbook(data: bytes) -> Workbook:
    return load_workbook(io.BytesIO(data))


def recap_value(con: duckdb.DuckDBPyConnection, level: str, code: str, column: str, table: str = "rk_recap") -> Any:
    rows = con.execute(
        f"SELECT {column} FROM {table} WHERE level = $l AND kode_wilayah = $k", {"l": level, "k": code}
    ).fetchall()
    assert len(rows) == 1
    return rows[0][0]


def find_row(ws: Worksheet, label: str) -> int:
    """Row of a wide sheet whose item label (column B) is `label`."""
    rows = [c.row for c in ws["B"] if c.value == label]
    assert len(rows) == 1, f"{label!r} in {ws.title}: rows {rows}"
    return rows[0]


def unit_columns(ws: Worksheet) -> dict[str, int]:
    """Column of each unit code (and of JUMLAH) in the header of a wide sheet."""
    header = next(r for r in ws.iter_rows(min_row=1, max_row=10) if r[0].value == "No.")
    columns = {str(c.value): c.column for c in header[3:] if c.value is not None}
    # JUMLAH heads its column from the top header row down (above the codes when units are grouped).
    for row in ws.iter_rows(min_row=4, max_row=header[0].row):
        for c in row:
            if c.value == "JUMLAH":
                columns["JUMLAH"] = c.column
    return columns


def all_cells(wb: Workbook) -> Iterator[Any]:
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            yield from row


def test_the_same_table_gives_the_same_bytes(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    first, second = io.BytesIO(), io.BytesIO()
    write_recap_xlsx(con, "rk_recap", first)
    write_recap_xlsx(con, "rk_recap", second)
    assert first.getvalue() == second.getvalue()
    # `-o FILE` and `> FILE` give the same bytes, and nothing is left beside the file.
    target = tmp_path / "rekap.xlsx"
    write_recap_xlsx(con, "rk_recap", target)
    assert target.read_bytes() == first.getvalue()
    assert [p.name for p in tmp_path.iterdir()] == ["rekap.xlsx"]
    with zipfile.ZipFile(io.BytesIO(first.getvalue())) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    props = workbook(first.getvalue()).properties
    assert props.created == props.modified and props.created is not None and props.created.year == 2000


def test_one_sheet_per_level_named_in_the_chosen_language(con: duckdb.DuckDBPyConnection) -> None:
    # Governor results stop at provinsi: no nasional sheet.
    # A level with more units than print across a page, in several parent units, is followed by its print view.
    assert workbook(recap_xlsx_bytes(con, "rk_recap")).sheetnames == [
        "Provinsi", "Kabupaten-Kota", "Kecamatan", "Desa-Kelurahan", "Desa-Kelurahan (cetak)"]
    assert workbook(recap_xlsx_bytes(con, "rk_recap", lang="en")).sheetnames == [
        "Province", "Regency-City", "District", "Village", "Village (print)"]


def test_provinsi_sheet_totals_equal_the_recap(con: duckdb.DuckDBPyConnection) -> None:
    ws = workbook(recap_xlsx_bytes(con, "rk_recap"))["Provinsi"]
    cols = unit_columns(ws)
    assert list(cols) == ["35", "JUMLAH"]
    row = find_row(ws, "Paslon 01")
    total = ws.cell(row, cols["JUMLAH"])
    assert total.value == recap_value(con, "provinsi", "35", "suara_paslon_1")
    assert isinstance(total.value, int) and total.number_format == "#,##0" and total.font.b
    assert ws.cell(find_row(ws, "Jumlah Suara Sah dan Tidak Sah"), cols["JUMLAH"]).value == recap_value(
        con, "provinsi", "35", "suara_total"
    )
    assert ws.cell(find_row(ws, "Jumlah TPS"), cols["35"]).value == recap_value(con, "provinsi", "35", "n_tps")
    assert "TINGKAT PROVINSI" in str(ws["A2"].value)


def test_titles_and_labels_in_the_chosen_language(con: duckdb.DuckDBPyConnection) -> None:
    for lang, title, level, labels in (
        ("id", "REKAPITULASI HASIL PENGHITUNGAN SUARA PEMILIHAN GUBERNUR DAN WAKIL GUBERNUR",
         "TINGKAT KECAMATAN — PROVINSI JAWA TIMUR (35)", ["No.", "Uraian", "DATA PEMILIH", "Paslon 01", "Suara Sah"]),
        ("en", "RECAPITULATION OF VOTE COUNT RESULTS — GOVERNOR ELECTION",
         "DISTRICT (KECAMATAN) LEVEL — PROVINCE JAWA TIMUR (35)", ["No.", "Item", "VOTERS", "Candidate pair 01",
                                                                  "Valid votes"]),
    ):
        wb = workbook(recap_xlsx_bytes(con, "rk_recap", lang=lang))
        ws = wb.worksheets[2]
        assert [ws["A1"].value, ws["A2"].value] == [title, level]
        texts = [c.value for row in ws.iter_rows(max_col=2) for c in row if isinstance(c.value, str)]
        # In the form's order (the signature block under the table repeats "No.").
        assert list(dict.fromkeys(t for t in texts if t in labels)) == labels
    long = workbook(recap_xlsx_bytes(con, "rk_recap", lang="en", wide_max_units=5))["District"]
    assert [c.value for c in long[6]][:4] == ["Code", "District (kecamatan)", "Regency/City code", "Regency/City"]


def test_list_sheets_are_recognised_in_every_language_and_by_their_former_names() -> None:
    from rekap.io.dhasil import _bundle_sheet

    for name, key in (("Kelengkapan", "coverage"), ("Coverage", "coverage"), ("Cakupan", "coverage"),
                      ("Temuan", "findings"), ("Findings", "findings"), ("Ringkasan", "summary"),
                      ("Summary", "summary"), ("Selisih", "discrepancies"), ("Discrepancies", "discrepancies")):
        assert _bundle_sheet(name) == key
    assert _bundle_sheet("Kecamatan") is None


def test_wide_sheet_lays_units_across_and_items_in_the_forms_order(con: duckdb.DuckDBPyConnection) -> None:
    ws = workbook(recap_xlsx_bytes(con, "rk_recap"))["Kecamatan"]
    cols = unit_columns(ws)
    codes = [str(r[0]) for r in con.execute("SELECT kode_wilayah FROM rk_recap WHERE level = 'kecamatan' ORDER BY 1").fetchall()]
    assert list(cols) == [*codes, "JUMLAH"]
    # The three kab/kota head their kecamatan.
    groups = [c.value for c in ws[4][3:] if c.value]
    assert groups[:3] == ["3503 SEKARJAYA", "3511 SEGARAMAKMUR", "3574 KOTA SEKARPADMA"]
    labels = [c.value for c in ws["B"] if c.value]
    order = ["DATA PEMILIH", "Pemilih terdaftar dalam DPT", "PENGGUNA HAK PILIH", "SURAT SUARA", "Surat suara diterima (termasuk cadangan)",
             "PEROLEHAN SUARA", "Paslon 01", "Paslon 02", "Paslon 03", "Suara Sah", "Suara Tidak Sah",
             "Jumlah Suara Sah dan Tidak Sah", "Jumlah TPS", "TPS dengan galat"]
    assert [x for x in labels if x in order] == order
    # Without a master list there is no expected count: no empty line for it.
    assert "TPS diharapkan" not in labels
    for code in codes:
        for label, column in (("Paslon 02", "suara_paslon_2"), ("Suara Tidak Sah", "suara_tidak_sah")):
            assert ws.cell(find_row(ws, label), cols[code]).value == recap_value(con, "kecamatan", code, column)
    # Every JUMLAH is the sum of the units on its line.
    for row in ws.iter_rows(min_row=find_row(ws, "Pemilih terdaftar dalam DPT")):
        values = [row[cols[c] - 1].value for c in codes]
        if all(isinstance(v, int) for v in values):
            assert row[cols["JUMLAH"] - 1].value == sum(values)
    assert ws.freeze_panes == f"D{find_row(ws, 'DATA PEMILIH')}"


def test_codes_are_text_cells(con: duckdb.DuckDBPyConnection) -> None:
    wb = workbook(recap_xlsx_bytes(con, "rk_recap"))
    for name in ("Provinsi", "Kabupaten-Kota", "Kecamatan", "Desa-Kelurahan"):
        ws = wb[name]
        header = next(r for r in ws.iter_rows(min_row=1, max_row=10) if r[0].value == "No.")
        code_cells = [c for c in header[3:] if c.value not in (None, "JUMLAH")]
        assert code_cells
        for c in code_cells:
            assert isinstance(c.value, str) and c.value.isdigit() and c.data_type == "s" and c.number_format == "@"


def test_long_layout_for_many_units(con: duckdb.DuckDBPyConnection) -> None:
    ws = workbook(recap_xlsx_bytes(con, "rk_recap", wide_max_units=5))["Kecamatan"]
    header = [c.value for c in ws[6]]
    assert header[:4] == ["Kode", "Kecamatan", "Kode Kabupaten/Kota", "Kabupaten/Kota"]
    paslon_1 = header.index("1. Paslon 01") + 1
    units = con.execute("SELECT kode_wilayah, nama_wilayah, suara_paslon_1 FROM rk_recap WHERE level = 'kecamatan' ORDER BY 1").fetchall()
    rows = list(ws.iter_rows(min_row=7, max_row=6 + len(units)))
    assert [(r[0].value, r[1].value, r[paslon_1 - 1].value) for r in rows] == [(str(k), n, v) for k, n, v in units]
    assert all(r[0].data_type == "s" and r[2].data_type == "s" for r in rows)
    total = ws.cell(7 + len(units), paslon_1)
    assert ws.cell(7 + len(units), 1).value == "JUMLAH" and total.value == recap_value(con, "provinsi", "35", "suara_paslon_1")
    # Filter over the units only (the JUMLAH row stays put); header rows and the code/name columns frozen.
    assert ws.auto_filter.ref == f"A6:{ws.cell(6, len(header)).column_letter}{6 + len(units)}"
    assert ws.freeze_panes == "C7"
    # The few provinsi and kab/kota stay in the form's layout.
    wb = workbook(recap_xlsx_bytes(con, "rk_recap", wide_max_units=5))
    assert wb["Kabupaten-Kota"]["A4"].value == "No." and not wb["Kabupaten-Kota"].auto_filter.ref


@pytest.mark.parametrize("wide_max_units", [60, 1])
def test_no_cell_is_ever_a_formula(con: duckdb.DuckDBPyConnection, wide_max_units: int) -> None:
    con.execute("CREATE OR REPLACE TABLE rk_hostile AS SELECT * FROM rk_recap")
    hostile = {"350301": HOSTILE, "350302": "+62 811", "350303": "-1", "351101": "@SUM(A1)", "351102": "#N/A"}
    for code, name in hostile.items():
        con.execute("UPDATE rk_hostile SET nama_wilayah = $n WHERE level = 'kecamatan' AND kode_wilayah = $k", {"n": name, "k": code})
    wb = workbook(recap_xlsx_bytes(con, "rk_hostile", wide_max_units=wide_max_units))
    assert all(c.data_type != "f" for c in all_cells(wb))
    written = {c.value: c for c in all_cells(wb) if c.value in hostile.values()}
    assert set(written) == set(hostile.values())
    for name, cell in written.items():
        assert cell.data_type == "s"
        # Excel's own quote prefix keeps it text when someone retypes the cell.
        assert cell.quotePrefix == (name[0] in "=+-@")
    # The name also heads its kecamatan's desa, in either layout.
    assert sum(1 for c in all_cells(wb) if isinstance(c.value, str) and HOSTILE in c.value) >= 2


def small_recap(con: duckdb.DuckDBPyConnection, rows: list[tuple[Any, ...]]) -> str:
    con.execute(
        """CREATE OR REPLACE TABLE rk_small (jenis_pemilihan VARCHAR, level VARCHAR, kode_wilayah VARCHAR,
               nama_wilayah VARCHAR, n_tps BIGINT, n_tps_expected BIGINT, n_tps_suara BIGINT, n_tps_administrasi BIGINT,
               n_tps_error BIGINT, pemilih_dpt_j BIGINT, suara_paslon_1 BIGINT, suara_paslon_2 BIGINT, suara_sah BIGINT)"""
    )
    if rows:
        con.executemany("INSERT INTO rk_small VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return "rk_small"


def test_nasional_has_its_one_column_and_codes_keep_their_zeros() -> None:
    con = duckdb.connect()
    table = small_recap(con, [
        ("ppwp", "nasional", "00", "NASIONAL", 3, 4, 3, 3, 0, 3_000_000_000, 7, None, 7),
        ("ppwp", "provinsi", "11", "ACEH", 2, 2, 2, 2, 0, 2_000_000_000, 5, None, 5),
        ("ppwp", "provinsi", "31", "DKI JAKARTA", 1, 2, 1, 1, 0, 1_000_000_000, 2, None, 2),
    ])
    wb = workbook(recap_xlsx_bytes(con, table))
    assert wb.sheetnames == ["Nasional", "Provinsi"]
    ws = wb["Nasional"]
    assert unit_columns(ws) == {"00": 4}
    assert ws.cell(find_row(ws, "Paslon 01"), 4).value == 7
    # Sums beyond 2^31 stay whole numbers; the expected count is shown once a master list gave it.
    assert ws.cell(find_row(ws, "Pemilih terdaftar dalam DPT"), 4).value == 3_000_000_000
    assert ws.cell(find_row(ws, "TPS diharapkan"), 4).value == 4
    # An empty cell stays empty (no data), it is not written as 0.
    assert ws.cell(find_row(ws, "Paslon 02"), 4).value is None
    prov = wb["Provinsi"]
    assert prov.cell(find_row(prov, "Paslon 02"), unit_columns(prov)["JUMLAH"]).value is None
    assert prov.cell(find_row(prov, "TPS diharapkan"), unit_columns(prov)["JUMLAH"]).value == 4


def test_races_of_different_areas_are_not_summed() -> None:
    """Two regents' races and a governor's race: one sheet per type, and no JUMLAH across kab/kota."""
    con = duckdb.connect()
    table = small_recap(con, [
        ("pkwkk", "kabkota", "3501", "PACITAN", 1, None, 1, 1, 0, 100, 60, 30, 90),
        ("pkwkk", "kabkota", "3578", "KOTA SURABAYA", 1, None, 1, 1, 0, 200, 120, 50, 170),
        ("pkwkp", "provinsi", "35", "JAWA TIMUR", 2, None, 2, 2, 0, 300, 100, 160, 260),
        ("pkwkp", "kabkota", "3501", "PACITAN", 1, None, 1, 1, 0, 100, 40, 50, 90),
        ("pkwkp", "kabkota", "3578", "KOTA SURABAYA", 1, None, 1, 1, 0, 200, 60, 110, 170),
    ])
    wb = workbook(recap_xlsx_bytes(con, table, title="PILKADA 2024"))
    assert wb.sheetnames == ["Kabupaten-Kota pkwkk", "Provinsi pkwkp", "Kabupaten-Kota pkwkp"]
    regents = wb["Kabupaten-Kota pkwkk"]
    assert list(unit_columns(regents)) == ["3501", "3578"]
    assert regents["A1"].value == "PILKADA 2024 — PEMILIHAN BUPATI DAN WAKIL BUPATI / WALI KOTA DAN WAKIL WALI KOTA"
    governor = wb["Kabupaten-Kota pkwkp"]
    assert governor.cell(find_row(governor, "Paslon 01"), unit_columns(governor)["JUMLAH"]).value == 100
    assert "PROVINSI JAWA TIMUR (35)" in str(governor["A2"].value)


def test_an_empty_recap_still_gives_a_workbook() -> None:
    con = duckdb.connect()
    table = small_recap(con, [])
    wb = workbook(recap_xlsx_bytes(con, table))
    assert len(wb.sheetnames) == 1 and wb.active is not None


def test_bytes_do_not_depend_on_the_process(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """A fresh interpreter with another hash seed writes the very same file (set orders, names, times)."""
    script = f"""
import duckdb, sys
from rekap.aggregate.rollup import aggregate
from rekap.regions import LEVELS as LEVELS_UP
from rekap.io import load_dataset
from rekap.report.dhasil import write_recap_xlsx
from rekap.validate import validate
con = duckdb.connect()
ds = load_dataset(con, {sorted(str(p) for p in SAMPLE_TPS.iterdir())!r}, {str(tmp_path)!r})
validate(ds, election="pkwkp")
aggregate(con, list(LEVELS_UP))
write_recap_xlsx(con, "rk_recap", sys.stdout.buffer)
"""
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    fresh = subprocess.run([sys.executable, "-c", script], capture_output=True, env=env, check=True).stdout
    assert fresh == recap_xlsx_bytes(con, "rk_recap")


# --- the bundle's workbook (rekap run) ------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from conftest import run_cli

    first, second = tmp_path_factory.mktemp("run1"), tmp_path_factory.mktemp("run2")
    for outdir in (first, second):
        res = run_cli(["run", "-o", str(outdir), "-q"])
        assert res.code == 1, res.stderr  # the sample has planted errors
    return first / "rekap.xlsx", second / "rekap.xlsx"


def test_bundle_workbook_sheets_in_order(bundle: tuple[Path, Path]) -> None:
    wb = load_workbook(bundle[0])
    assert wb.sheetnames == ["Ringkasan", "Provinsi", "Kabupaten-Kota", "Kecamatan", "Desa-Kelurahan",
                             "Desa-Kelurahan (cetak)", "Temuan", "Selisih", "Kelengkapan"]
    summary = [c.value for row in wb["Ringkasan"].iter_rows() for c in row if c.value is not None]
    assert "A006" in summary and "Jumlah suara paslon = suara sah" in summary  # rule with its title
    assert 289 in summary  # rows read, as a number


def test_bundle_workbook_is_byte_identical(bundle: tuple[Path, Path]) -> None:
    assert bundle[0].read_bytes() == bundle[1].read_bytes()


def test_bundle_findings_highlighted_filtered_frozen(bundle: tuple[Path, Path]) -> None:
    wb = load_workbook(bundle[0])
    ws = wb["Temuan"]
    assert ws.freeze_panes == "A4"
    header = [c.value for c in ws[3]]
    assert header[:2] == ["Aturan", "Keparahan"]
    assert ws.auto_filter.ref == f"A3:{ws.cell(3, len(header)).column_letter}{ws.max_row}"
    col = {h: i for i, h in enumerate(header)}
    rows = list(ws.iter_rows(min_row=4))
    errors = [r for r in rows if r[col["Keparahan"]].value == "galat"]
    warnings = [r for r in rows if r[col["Keparahan"]].value == "peringatan"]
    infos = [r for r in rows if r[col["Keparahan"]].value == "info"]
    assert errors and warnings and infos
    assert {c.fill.fgColor.rgb for r in errors for c in r} == {"00FFC7CE"}
    assert {c.fill.fgColor.rgb for r in warnings for c in r} == {"00FFEB9C"}
    assert {c.fill.fill_type for r in infos for c in r} == {None}
    # Codes are text, counts are numbers.
    a006 = next(r for r in errors if r[col["Aturan"]].value == "A006")
    assert a006[col["Kode wilayah"]].value == "3503012001002" and a006[col["Kode wilayah"]].data_type == "s"
    assert a006[col["Selisih"]].value == -674 and a006[col["Selisih"]].data_type == "n"
    selisih = wb["Selisih"]
    head = [c.value for c in selisih[3]]
    assert "Parsial" not in head  # a partial unit is a coverage fact, not a line of this list
    for r in selisih.iter_rows(min_row=4):
        assert r[head.index("Kode wilayah")].data_type == "s"
    cov = wb["Kelengkapan"]
    # The sample's TPS lie in one province: it is the top row (no nasional, a partial sum).
    assert [c.value for c in cov[4]][:2] == ["Provinsi", "35"] and cov["B4"].data_type == "s"


def test_bundle_workbook_has_no_formula(bundle: tuple[Path, Path]) -> None:
    wb = load_workbook(bundle[0])
    assert not [c.coordinate for c in all_cells(wb) if c.data_type == "f"]
    with zipfile.ZipFile(bundle[0]) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)


def test_bundle_list_is_cut_with_a_note(con: duckdb.DuckDBPyConnection) -> None:
    from rekap.report.workbook import bundle_xlsx_bytes

    total = con.execute("SELECT count(*) FROM rk_findings_out").fetchall()[0][0]
    wb = workbook(bundle_xlsx_bytes(con, lang="en", meta={"version": "x"}, max_rows=13))
    ws = wb["Findings"]
    assert ws.max_row == 13  # title, note, header and ten findings
    assert f"Only 10 of {total:,} rows fit" in str(ws["A2"].value)
    assert wb.sheetnames[0] == "Summary"
