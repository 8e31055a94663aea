"""The big sheets of the workbook, whose rows DuckDB writes as XML (rekap.report.sheets `_spliced`): the
same cells openpyxl would write — text stays text, XML is escaped, styles and colours follow the row —
the same bytes every time, and a well-formed sheet that openpyxl loads in full."""

from __future__ import annotations

import io
import xml.parsers.expat
import zipfile
from typing import Any

import duckdb
import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from rekap.report.dhasil import recap_xlsx_bytes
from rekap.report.workbook import bundle_xlsx_bytes

FORMULA_LIKE = ["=HYPERLINK(\"http://x\")", "+62 811", "-1", "@SUM(A1)", "\tTAB", "\rCR", "=1+1"]
"""Values a spreadsheet would take for a formula when typed: they must come back as text, unchanged."""
SPECIAL = ["a & b", "<b>bold</b>", 'say "hi"', "it's", "x > y < z", "  padded  ", "two\nlines", "tab\tinside",
           "caf\u00e9 \u2014 \U0001F5F3", "#N/A", "0101", "00", "1e5", "TRUE", "]]>", "&amp;", "_x0041_"]
"""Values that XML or a spreadsheet treats specially; each must read back exactly."""
ILLEGAL = {"bad\x01char": "bad\ufffdchar", "\x1fstart": "\ufffdstart", "non\ufffechar": "non\ufffdchar"}
"""Characters XML 1.0 forbids become U+FFFD, as for every other cell."""
META = {"version": "test"}


def findings(con: duckdb.DuckDBPyConnection, messages: list[str]) -> None:
    """rk_findings_out with one finding per message, severities cycling error, warning, info."""
    con.execute(
        """CREATE OR REPLACE TABLE rk_findings_out (rule VARCHAR, severity VARCHAR, level VARCHAR,
               kode_wilayah VARCHAR, field VARCHAR, expected BIGINT, actual BIGINT, selisih BIGINT,
               message VARCHAR, source VARCHAR, "row" BIGINT)"""
    )
    rows = []
    for i, message in enumerate(messages):
        severity = ("error", "warning", "info")[i % 3]
        rows.append(("A006", severity, "tps", f"35030120010{i:02d}", "suara_sah", 100 + i, 90 + i, -10,
                     message, "tps.csv", i + 2))
    if rows:
        con.executemany("INSERT INTO rk_findings_out VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def load(data: bytes) -> Workbook:
    return load_workbook(io.BytesIO(data))  # normal mode: every cell and style parsed


def sheet_rows(wb: Workbook, name: str, first: int = 4) -> list[list[Any]]:
    return [list(r) for r in wb[name].iter_rows(min_row=first)]


def well_formed(data: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            assert info.compress_type == zipfile.ZIP_DEFLATED
            xml.parsers.expat.ParserCreate().Parse(archive.read(info.filename), True)


@pytest.fixture()
def con() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


def test_same_tables_same_bytes_and_nothing_left_behind(con: duckdb.DuckDBPyConnection) -> None:
    findings(con, FORMULA_LIKE + SPECIAL + list(ILLEGAL))
    first = bundle_xlsx_bytes(con, meta=META)
    # Another connection, with DuckDB free to reorder rows and one thread: the same bytes.
    other = duckdb.connect(config={"preserve_insertion_order": False, "threads": 1})
    findings(other, FORMULA_LIKE + SPECIAL + list(ILLEGAL))
    assert bundle_xlsx_bytes(other, meta=META) == first
    assert other.execute("SELECT current_setting('preserve_insertion_order')").fetchone() == (False,)
    well_formed(first)
    # No helper table or macro is left in the caller's connection.
    leftovers = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE 'rk_xlsx%'"
    ).fetchone()
    macros = con.execute("SELECT count(*) FROM duckdb_functions() WHERE function_name LIKE 'rk_xml%'").fetchone()
    assert leftovers == (0,) and macros == (0,)


def test_formula_like_values_stay_text(con: duckdb.DuckDBPyConnection) -> None:
    findings(con, FORMULA_LIKE)
    wb = load(bundle_xlsx_bytes(con, lang="en", meta=META))
    header = [c.value for c in wb["Findings"][3]]
    message = header.index("Message")
    cells = [row[message] for row in sheet_rows(wb, "Findings")]
    assert sorted(c.value for c in cells) == sorted(FORMULA_LIKE)
    for cell in cells:
        assert cell.data_type == "s"
        assert cell.quotePrefix  # every one of them starts like a formula
    assert not [c for row in wb["Findings"].iter_rows() for c in row if c.data_type == "f"]


def test_xml_special_characters_round_trip(con: duckdb.DuckDBPyConnection) -> None:
    findings(con, SPECIAL + list(ILLEGAL))
    data = bundle_xlsx_bytes(con, lang="en", meta=META)
    well_formed(data)
    wb = load(data)
    header = [c.value for c in wb["Findings"][3]]
    message = header.index("Message")
    got = {row[message].value for row in sheet_rows(wb, "Findings")}
    assert got == set(SPECIAL) | set(ILLEGAL.values())
    cells = [row[message] for row in sheet_rows(wb, "Findings")]
    assert all(c.data_type == "s" and not c.quotePrefix for c in cells)
    # Codes keep their zeros and stay text.
    code = header.index("Area code")
    assert {row[code].data_type for row in sheet_rows(wb, "Findings")} == {"s"}
    assert "3503012001000" in {row[code].value for row in sheet_rows(wb, "Findings")}


def test_rows_are_coloured_by_severity_and_numbers_are_numbers(con: duckdb.DuckDBPyConnection) -> None:
    findings(con, [f"finding {i}" for i in range(9)])
    wb = load(bundle_xlsx_bytes(con, meta=META))
    ws = wb["Temuan"]
    header = [c.value for c in ws[3]]
    rows = sheet_rows(wb, "Temuan")
    by_severity: dict[str, list[list[Any]]] = {}
    for row in rows:
        by_severity.setdefault(row[header.index("Keparahan")].value, []).append(row)
    assert [r[header.index("Keparahan")].value for r in rows] == ["galat"] * 3 + ["peringatan"] * 3 + ["info"] * 3
    assert {c.fill.fgColor.rgb for r in by_severity["galat"] for c in r} == {"00FFC7CE"}
    assert {c.fill.fgColor.rgb for r in by_severity["peringatan"] for c in r} == {"00FFEB9C"}
    assert {c.fill.fill_type for r in by_severity["info"] for c in r} == {None}
    for row in rows:
        selisih = row[header.index("Selisih")]
        assert selisih.value == -10 and selisih.data_type == "n" and selisih.number_format == "+#,##0;-#,##0;0"
        assert row[header.index("Seharusnya")].number_format == "#,##0"
        assert row[header.index("Aturan")].number_format == "@" and row[header.index("Aturan")].border.left.style == "thin"
    # Ordered errors first, then by rule and code; the filter covers every row and the header is frozen.
    assert ws.auto_filter.ref == f"A3:L{3 + len(rows)}" and ws.freeze_panes == "A4"


def test_a_long_list_is_cut_with_a_note(con: duckdb.DuckDBPyConnection) -> None:
    findings(con, [f"finding {i}" for i in range(30)])
    wb = load(bundle_xlsx_bytes(con, lang="en", meta=META, max_rows=8))
    ws = wb["Findings"]
    assert ws.max_row == 8  # title, note, header and five findings
    assert str(ws["A2"].value).startswith("Only 5 of 30 rows fit (Excel's row limit); all are in findings.csv.")
    assert [r[0].row for r in ws.iter_rows(min_row=4)] == [4, 5, 6, 7, 8]
    assert ws.auto_filter.ref == "A3:L8"
    # The five shown are the first five of the sheet's order: errors first.
    assert {r[1].value for r in ws.iter_rows(min_row=4)} == {"error"}


def test_numbers_in_the_workbooks_texts_follow_the_language(con: duckdb.DuckDBPyConnection) -> None:
    findings(con, [f"finding {i}" for i in range(1200)])
    wb = load(bundle_xlsx_bytes(con, meta=META, max_rows=8))
    assert str(wb["Temuan"]["A2"].value).startswith(
        "Hanya 5 dari 1.200 baris yang muat (batas baris Excel); semuanya ada di findings.csv.")
    assert [c.value for c in wb["Temuan"][3]][:2] == ["Aturan", "Keparahan"]
    wb = load(bundle_xlsx_bytes(con, lang="en", meta=META, max_rows=8))
    assert str(wb["Findings"]["A2"].value).startswith("Only 5 of 1,200 rows fit")
    # The cells stay numbers: Excel writes them in the reader's own style.
    assert {r[6].data_type for r in wb["Findings"].iter_rows(min_row=4)} == {"n"}


def test_discrepancies_and_coverage_sheets(con: duckdb.DuckDBPyConnection) -> None:
    findings(con, [])
    con.execute(
        """CREATE TABLE rk_discrepancies AS SELECT * FROM (VALUES
             ('pkwkp', 'kecamatan', '350303', 'GUNUNG & WUNGU', 'suara_paslon_2', 4769, 4649, 120, 'tps', 3, 3, 3,
              'kecamatan', '← kecamatan 350303: +120', 'rec.csv', 5),
             ('pkwkp', 'provinsi', '35', '=JAWA TIMUR', 'suara_sah', 75378, 75918, -540, 'kabkota', 9, 10, 9,
              'kabkota', NULL, 'rec.csv', 2))
           t(jenis_pemilihan, level, kode_wilayah, nama_wilayah, field, reported, computed, selisih, computed_from,
             n_tps, n_tps_expected, n_tps_with_data, first_level, trace, source, "row")"""
    )
    con.execute(
        """CREATE TABLE rk_coverage AS SELECT * FROM (VALUES
             ('nasional', '00', 'NASIONAL', 10, 9, 1, 0, 90.0), ('provinsi', '35', 'JAWA TIMUR', 10, 9, 1, 0, 90.0),
             ('desa', '3503012001', NULL, 3, 1, 2, 0, 33.3))
           t(level, kode_wilayah, nama_wilayah, n_tps_expected, n_tps, n_tps_missing, n_tps_unexpected, persen)"""
    )
    data = bundle_xlsx_bytes(con, meta=META)
    well_formed(data)
    wb = load(data)
    assert wb.sheetnames == ["Ringkasan", "Temuan", "Selisih", "Kelengkapan"]
    assert wb["Temuan"].max_row == 3  # no findings: title, note, header
    sel = wb["Selisih"]
    head = [c.value for c in sel[3]]
    rows = sheet_rows(wb, "Selisih")
    # Top down: provinsi before kecamatan; every row a discrepancy (partial units are not in this list).
    assert [r[head.index("Kode wilayah")].value for r in rows] == ["35", "350303"]
    assert rows[0][head.index("Nama wilayah")].value == "=JAWA TIMUR" and rows[0][head.index("Nama wilayah")].quotePrefix
    assert rows[1][head.index("Nama wilayah")].value == "GUNUNG & WUNGU"
    assert "Parsial" not in head
    assert [r[head.index("Tingkat wilayah")].value for r in rows] == ["Provinsi", "Kecamatan"]
    assert rows[0][head.index("Jejak")].value is None and rows[1][head.index("Jejak")].value.startswith("←")
    cov = sheet_rows(wb, "Kelengkapan")
    assert [(r[0].value, r[1].value, r[7].value) for r in cov] == [
        ("Nasional", "00", 90.0), ("Provinsi", "35", 90.0), ("Desa/Kelurahan", "3503012001", 33.3)]
    assert cov[2][2].value is None and cov[2][7].number_format == "0.0"


def small_recap(con: duckdb.DuckDBPyConnection, n_desa: int) -> str:
    """A ppwp recap of one kecamatan with `n_desa` desa (hostile names in two of them)."""
    con.execute(
        """CREATE OR REPLACE TABLE rk_small AS
           SELECT 'ppwp' AS jenis_pemilihan, 'desa' AS level, '350301' || lpad(CAST(2000 + i AS VARCHAR), 4, '0') AS kode_wilayah,
                  CASE i WHEN 1 THEN '=DESA <SATU>' WHEN 2 THEN 'DESA & DUA ' ELSE 'DESA ' || i END AS nama_wilayah,
                  CAST(i AS BIGINT) AS n_tps, CAST(i * 100 AS BIGINT) AS pemilih_dpt_j,
                  CASE WHEN i = 3 THEN NULL ELSE CAST(i * 10 AS BIGINT) END AS suara_paslon_1,
                  CAST(i * 5 AS BIGINT) AS suara_paslon_2, CAST(i * 15 AS BIGINT) AS suara_sah
           FROM range(1, $n + 1) t(i)
           UNION ALL SELECT 'ppwp', 'kecamatan', '350301', 'GUNUNGWUNGU', 1, 1, 1, 1, 1""",
        {"n": n_desa},
    )
    return "rk_small"


def test_long_recap_sheet_rows_and_what_follows_them(con: duckdb.DuckDBPyConnection) -> None:
    n = 7
    table = small_recap(con, n)
    data = recap_xlsx_bytes(con, table, wide_max_units=3)
    assert data == recap_xlsx_bytes(con, table, wide_max_units=3)
    well_formed(data)
    wb = load(data)
    ws = wb["Desa-Kelurahan"]
    header = [c.value for c in ws[6]]
    assert header[:4] == ["Kode", "Desa/Kelurahan", "Kode Kecamatan", "Kecamatan"]
    units = list(ws.iter_rows(min_row=7, max_row=6 + n))
    assert [r[0].value for r in units] == [f"35030120{i:02d}" for i in range(1, n + 1)]
    assert [r[1].value for r in units][:3] == ["=DESA <SATU>", "DESA & DUA ", "DESA 3"]
    assert units[0][1].quotePrefix and units[0][1].data_type == "s" and not units[1][1].quotePrefix
    assert {(r[2].value, r[3].value) for r in units} == {("350301", "GUNUNGWUNGU")}
    assert all(r[0].data_type == "s" and r[0].number_format == "@" for r in units)
    paslon_1 = header.index("1. Paslon 01")
    assert [r[paslon_1].value for r in units] == [10, 20, None, 40, 50, 60, 70]
    assert units[2][paslon_1].border.left.style == "thin"  # an empty cell keeps its border
    # The JUMLAH row right below the units (renumbered after the spliced rows), merged, and the notes.
    total = ws.cell(7 + n, 1)
    assert total.value == "JUMLAH" and total.font.b
    assert ws.cell(7 + n, paslon_1 + 1).value == 250
    assert f"A{7 + n}:D{7 + n}" in {str(r) for r in ws.merged_cells.ranges}
    # Then the form's signature block (place and date, the PPK of the kecamatan, a line per member), then the notes.
    assert str(ws.cell(9 + n, 2).value).startswith("Dibuat di ....")
    assert ws.cell(11 + n, 2).value == "PANITIA PEMILIHAN KECAMATAN (PPK) GUNUNGWUNGU (350301)"
    assert [ws.cell(12 + n, c).value for c in range(1, 5)] == ["No.", "Nama", "Jabatan", "Tanda tangan"]
    assert [ws.cell(13 + n + i, 3).value for i in range(5)] == ["Ketua"] + ["Anggota"] * 4
    assert str(ws.cell(19 + n, 1).value).startswith("Sel kosong berarti tidak ada data")
    assert ws.max_row == 19 + n
    assert ws.auto_filter.ref == f"A6:{ws.cell(6, len(header)).column_letter}{6 + n}"
    # Column widths come from the data (DuckDB): the longest name, the widest number.
    assert ws.column_dimensions["B"].width == 14 and ws.column_dimensions["A"].width == 12


def test_rows_keep_their_order_when_duckdb_runs_in_parallel() -> None:
    """The spliced rows are streamed from a scan of a sorted table and rely on DuckDB keeping that
    order. Enough rows for several row groups and threads, with values that take every branch of the
    cell macros (formula-like text, escapes): the sheet's rows must come out ascending and in the
    findings' order (Excel rejects a sheet whose rows are out of order)."""
    import re

    con = duckdb.connect(config={"threads": 4})
    con.execute(
        """CREATE TABLE rk_findings_out AS
           SELECT 'A006' AS rule, ['error', 'warning', 'info'][i % 3 + 1] AS severity, 'tps' AS level,
                  '35' || lpad(i::VARCHAR, 11, '0') AS kode_wilayah, 'suara_sah' AS field, i AS expected,
                  i + 1 AS actual, 1::BIGINT AS selisih,
                  CASE i % 4 WHEN 0 THEN '=x' || i WHEN 1 THEN 'a & <b> ' || i WHEN 2 THEN ' pad ' || i
                       ELSE 'plain ' || i END AS message,
                  'tps.csv' AS source, (i + 2)::BIGINT AS "row"
           FROM range(300000) t(i)"""
    )
    data = bundle_xlsx_bytes(con, meta=META)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
    big = max(sheets, key=len)
    numbers = [int(n) for n in re.findall(rb'<row r="(\d+)"', big)]
    assert len(numbers) > 300000 and all(a < b for a, b in zip(numbers, numbers[1:], strict=False))
    # The findings' own numbers (column G, expected) in the sheet's order: errors, warnings, infos, each
    # by code (the codes are i zero-padded, so by i).
    expected = [int(v) for v in re.findall(rb'<c r="G\d+" s="\d+"><v>(\d+)</v></c>', big)]
    assert expected == sorted(range(300000), key=lambda i: (i % 3, i))


def test_long_sheet_widths_take_the_widest_number_either_side_of_zero(con: duckdb.DuckDBPyConnection) -> None:
    """A long sheet's number widths (`_long_widths`) are the widest `f"{v:,}"` of its units and its JUMLAH:
    for an integer column from its minimum and maximum, so a negative value wider than every positive one
    (and one narrower) must count, as must an empty column and a column of another number type."""
    from rekap.report.dhasil import _long_widths, _Recap

    con.execute(
        """CREATE OR REPLACE TABLE rk_w AS
           SELECT 'ppwp' AS jenis_pemilihan, 'desa' AS level, '350301200' || i AS kode_wilayah, 'DESA ' || i AS nama_wilayah,
                  CAST([5, -1234567, 12, 40, 3][i] AS BIGINT) AS a, CAST([-3, 7, 999, 1000, -2][i] AS INTEGER) AS b,
                  CAST(NULL AS BIGINT) AS c, CAST([1.5, -22.25, 3, 4, 5][i] AS DOUBLE) AS d
           FROM range(1, 6) t(i)"""
    )
    columns = ["a", "b", "c", "d"]
    recap = _Recap(con, "rk_w", ("jenis_pemilihan", "level", "kode_wilayah", "nama_wilayah", *columns))
    totals = (None, 1, None, None)
    widths = _long_widths(recap, "desa", {"j": "ppwp", "l": "desa"}, columns, totals)
    cells = con.execute("SELECT a, b, c, d FROM rk_w").fetchall()

    def widest(i: int) -> int:
        # The cell formula the sheet always used: the value's text and a separator per three digits.
        return max((len(str(r[i])) + (len(str(abs(r[i]))) - 1) // 3 for r in cells if r[i] is not None), default=0)

    assert widths[4:] == (len("-1,234,567"), len("1,000"), 0, widest(3))
    assert widths[4:6] == (widest(0), widest(1))


def test_list_widths_take_the_longest_text_of_every_column(con: duckdb.DuckDBPyConnection) -> None:
    """`text_lengths` (the list sheets' widths): an integer column's longest text from its minimum and maximum,
    so a negative value longer than every positive one counts; text and DOUBLE columns by their own text."""
    from rekap.report.sheets import text_lengths

    con.execute(
        """CREATE OR REPLACE TABLE rk_l AS SELECT * FROM (VALUES
               (5::BIGINT, 'ab', -1.5::DOUBLE, NULL::INTEGER, 7::HUGEINT),
               (-123456::BIGINT, 'abcdef', 2.25::DOUBLE, NULL::INTEGER, 99::HUGEINT),
               (1000::BIGINT, NULL, 3.0::DOUBLE, NULL::INTEGER, -8::HUGEINT)) t(a, b, c, d, e)"""
    )
    columns = [(str(r[0]), str(r[1])) for r in con.execute("DESCRIBE rk_l").fetchall()]
    every = con.execute("SELECT " + ", ".join(f"max(length(CAST({c} AS VARCHAR)))" for c, _t in columns)
                        + " FROM rk_l").fetchall()[0]
    assert text_lengths(con, "rk_l", columns) == [int(n or 0) for n in every] == [7, 6, 4, 0, 2]
