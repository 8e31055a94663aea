"""Reported recaps in the D.Hasil layout (`rekap.io.dhasil`): rekap's own workbook read back, every level
sheet of it, in both of its layouts and languages, and forms typed by staff in the same layout."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import real_file, run_cli
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from rekap.io.reported import BAD_TABLE, REPORTED_TABLE, ReportedSource, load_reported
from rekap.report.dhasil import write_recap_xlsx
from rekap.schema import NUMERIC_COLUMNS

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "samples" / "jatim_kecil"
TPS = sorted(str(p) for p in (SAMPLE / "tps").iterdir())


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`rekap run -o DIR` on the bundled sample (with its region list and reported recaps)."""
    out = tmp_path_factory.mktemp("bundle") / "hasil"
    res = run_cli(["run", "-o", str(out), "-q"])
    assert res.code == 1, res.stderr  # the sample has planted errors
    return out


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def load(con: duckdb.DuckDBPyConnection, path: Path, tmp_path: Path, **options: Any) -> list[ReportedSource]:
    return load_reported(con, [str(path)], str(tmp_path), **options)


def count_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    names = {str(r[0]) for r in con.execute(f"DESCRIBE {table}").fetchall()}
    return [c for c in NUMERIC_COLUMNS if c in names]


def differences(con: duckdb.DuckDBPyConnection, recap: str) -> list[tuple[Any, ...]]:
    """Units loaded from the workbook and recap rows that are not equal (identity, name or any count)."""
    cols = count_columns(con, REPORTED_TABLE)
    assert cols == count_columns(con, recap)
    differs = " OR ".join(f"r.{c} IS DISTINCT FROM c.{c}" for c in [*cols, "nama_wilayah"])
    return con.execute(
        f"""SELECT coalesce(r.level, c.level), coalesce(r.kode_wilayah, c.kode_wilayah), r._file
            FROM {REPORTED_TABLE} r FULL JOIN {recap} c
              ON r.jenis_pemilihan = c.jenis_pemilihan AND r.level = c.level AND r.kode_wilayah = c.kode_wilayah
            WHERE r.kode_wilayah IS NULL OR c.kode_wilayah IS NULL OR {differs}
            ORDER BY ALL"""
    ).fetchall()


def per_level(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[Any, ...]]:
    return con.execute(f"SELECT jenis_pemilihan, level, count(*) FROM {table} GROUP BY ALL ORDER BY ALL").fetchall()


# --- rekap's own workbook, read back --------------------------------------------------------------------


def test_bundle_workbook_round_trip_loads_every_level_sheet(
    con: duckdb.DuckDBPyConnection, bundle: Path, tmp_path: Path
) -> None:
    sources = load(con, bundle / "rekap.xlsx", tmp_path)
    con.execute(f"CREATE TABLE recap AS FROM read_parquet('{bundle / 'recap.parquet'}')")
    assert per_level(con, REPORTED_TABLE) == per_level(con, "recap")
    assert differences(con, "recap") == []
    assert con.execute(f"SELECT * FROM {BAD_TABLE}").fetchall() == []
    # One source per level sheet, named after it; the list sheets are said to be skipped.
    wb = load_workbook(bundle / "rekap.xlsx", read_only=True)
    print_views = [n for n in wb.sheetnames if n.endswith(" (cetak)")]
    level_sheets = [n for n in wb.sheetnames
                    if n not in ("Ringkasan", "Temuan", "Selisih", "Kelengkapan", *print_views)]
    wb.close()
    assert print_views == ["Desa-Kelurahan (cetak)"]
    assert [s.name for s in sources] == [f"{bundle / 'rekap.xlsx'} [{n}]" for n in level_sheets]
    assert {s.shape for s in sources} == {"dhasil-wide"}
    assert [s.index for s in sources] == list(range(1000, 1000 + len(sources)))
    skipped = next(n for n in sources[0].notes if n.startswith("lembar yang tidak dibaca"))
    assert all(f"'{n}'" in skipped for n in ("Ringkasan", "Temuan", "Selisih", "Kelengkapan"))
    # The print view repeats the desa sheet's numbers for paper: skipped, and said why.
    assert "'Desa-Kelurahan (cetak)' (lembar cetak dari lembar \"Desa-Kelurahan\"" in skipped
    # rekap's TPS counters are not counts to compare; the expected TPS is the units' TPS count.
    assert con.execute(f"SELECT count(*) FROM {REPORTED_TABLE} WHERE n_tps_total IS DISTINCT FROM "
                       "(SELECT n_tps_expected FROM recap c WHERE c.level = rk_reported.level "
                       "AND c.kode_wilayah = rk_reported.kode_wilayah)").fetchall() == [(0,)]
    assert all(any(n.startswith("penghitung TPS tidak dibandingkan: Jumlah TPS") for n in s.notes) for s in sources)


def test_bundle_workbook_compared_with_its_own_tps_data_has_no_discrepancy(bundle: Path) -> None:
    res = run_cli(["compare", *TPS, "--election", "pkwkp", "-r", str(bundle / "rekap.xlsx"), "-f", "csv"])
    assert res.code == 0, res.stderr
    assert rows(res.text) == []
    assert "0 selisih (H001)" in res.stderr
    assert "lembar yang tidak dibaca: 'Ringkasan'" in res.stderr


def test_a_cell_changed_by_hand_is_found_with_its_unit_field_and_selisih(bundle: Path, tmp_path: Path) -> None:
    wb = load_workbook(bundle / "rekap.xlsx")
    ws = wb["Kecamatan"]
    codes = {ws.cell(5, c).value: c for c in range(4, ws.max_column + 1)}
    paslon_row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value == "Paslon 02")
    cell = ws.cell(paslon_row, codes["350303"])
    before = int(cell.value)
    cell.value = before + 7
    changed = tmp_path / "rekap.xlsx"
    wb.save(changed)

    res = run_cli(["compare", *TPS, "--election", "pkwkp", "-r", str(changed), "-f", "csv"])
    assert res.code == 1, res.stderr
    found = rows(res.text)
    assert [(r["level"], r["kode_wilayah"], r["field"], r["reported"], r["computed"], r["selisih"])
            for r in found] == [("kecamatan", "350303", "suara_paslon_2", str(before + 7), str(before), "7")]
    # Where the value is: the sheet, and the item's row (the unit's column is the one headed 350303).
    assert (found[0]["source"], found[0]["row"]) == (f"{changed} [Kecamatan]", str(paslon_row))


def test_text_in_a_count_cell_of_the_workbook_is_s002_naming_the_cell(bundle: Path, tmp_path: Path) -> None:
    wb = load_workbook(bundle / "rekap.xlsx")
    ws = wb["Kabupaten-Kota"]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value == "Suara Sah")
    ws.cell(row, 5).value = "22.6O3"
    code = ws.cell(4, 5).value
    changed = tmp_path / "rekap.xlsx"
    wb.save(changed)
    res = run_cli(["validate", *TPS, "-r", str(changed), "--election", "pkwkp", "--select", "S002", "-f", "csv", "-q"])
    found = [r for r in rows(res.text) if r["source"].startswith(str(changed))]
    assert [(r["source"], r["level"], r["kode_wilayah"], r["field"], r["row"]) for r in found] == [
        (f"{changed} [Kabupaten-Kota]", "kabkota", code, "suara_sah", str(row))
    ]
    assert '"22.6O3"' in found[0]["message"] and f"sel E{row}" in found[0]["message"]


@pytest.mark.parametrize(("lang", "wide_max_units", "elections"), [
    ("id", 0, ("pkwkp",)),  # every level but nasional in the long layout
    ("en", 60, ("pkwkp",)),
    ("en", 0, ("pkwkp",)),  # the long layout in English: its parent code columns are read too
    ("id", 60, ("pkwkp", "ppwp")),  # one sheet per election type and level
])
def test_recap_workbooks_in_every_layout_and_language_are_read_back(
    con: duckdb.DuckDBPyConnection, bundle: Path, tmp_path: Path, lang: str, wide_max_units: int,
    elections: tuple[str, ...],
) -> None:
    # The same recap under every election type asked for (the title names each sheet's election).
    con.execute("CREATE TABLE recap AS " + " UNION ALL ".join(
        f"SELECT * REPLACE ('{e}' AS jenis_pemilihan) FROM read_parquet('{bundle / 'recap.parquet'}')"
        for e in elections
    ))
    path = tmp_path / "recap.xlsx"
    write_recap_xlsx(con, "recap", path, lang=lang, wide_max_units=wide_max_units)
    sources = load(con, path, tmp_path)
    assert per_level(con, REPORTED_TABLE) == per_level(con, "recap")
    assert differences(con, "recap") == []
    assert con.execute(f"SELECT * FROM {BAD_TABLE}").fetchall() == []
    long_sheets = [s for s in sources if s.shape == "dhasil-long"]
    if wide_max_units == 0:
        assert long_sheets and all(any(n.startswith("baris JUMLAH") for n in s.notes) for s in long_sheets)
    else:
        assert not long_sheets
    assert all(any(n == f"jenis {e} dari judul" for e in elections for n in s.notes) for s in sources)


def test_long_layout_bad_cell_names_its_cell_and_a_total_row_is_never_a_unit(
    con: duckdb.DuckDBPyConnection, bundle: Path, tmp_path: Path
) -> None:
    con.execute(f"CREATE TABLE recap AS FROM read_parquet('{bundle / 'recap.parquet'}')")
    path = tmp_path / "recap.xlsx"
    write_recap_xlsx(con, "recap", path, wide_max_units=0)
    wb = load_workbook(path)
    ws = wb["Kecamatan"]
    header = next(r for r in range(1, 12) if ws.cell(r, 1).value == "Kode")
    column = next(c for c in range(1, ws.max_column + 1) if ws.cell(header, c).value == "4. Suara Sah")
    unit_row = header + 2
    code = ws.cell(unit_row, 1).value
    ws.cell(unit_row, column).value = "lihat C1"
    total_row = next(r for r in range(header, ws.max_row + 1) if ws.cell(r, 1).value == "JUMLAH")
    wb.save(path)
    load(con, path, tmp_path)
    letter = ws.cell(unit_row, column).column_letter
    assert con.execute(f"SELECT _row, kode_wilayah, field, raw, reason FROM {BAD_TABLE}").fetchall() == [
        (unit_row, code, "suara_sah", "lihat C1", f"bukan bilangan bulat >= 0, sel {letter}{unit_row}")
    ]
    assert per_level(con, REPORTED_TABLE) == per_level(con, "recap")
    assert con.execute(f"SELECT count(*) FROM {REPORTED_TABLE} WHERE _row = {total_row} AND level = 'kecamatan'"
                       ).fetchall() == [(0,)]


# --- forms typed by staff in the same layout ------------------------------------------------------------

CANDIDATES = ("KHOFIFAH - EMIL", "RISMA - GUS HANS", "LULUK - LUKMAN")


def hand_form(recap: list[dict[str, Any]], path: Path, bad: tuple[int, str] | None = None) -> dict[str, int]:
    """A D.Hasil form as staff type it for the desa of one kecamatan: title rows, No./Uraian columns,
    L/P/Jumlah sub-rows (also as 'a. Laki-laki' rows under a group label), codes (some typed as numbers)
    and names rows, candidates by name under PEROLEHAN SUARA, a JUMLAH column of formulas (never
    calculated: the workbook is written by a script) and a note below. Returns the row of each count."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "D Hasil 350303"
    n = len(recap)
    total_col = 4 + n
    ws.append(["MODEL D.HASIL KECAMATAN-KWK"])
    ws.append(["REKAPITULASI HASIL PENGHITUNGAN PEROLEHAN SUARA PEMILIHAN GUBERNUR DAN WAKIL GUBERNUR "
               "JAWA TIMUR TAHUN 2024 TINGKAT KECAMATAN"])
    ws.append(["KECAMATAN GUNUNGWUNGU"])
    ws.append([])
    ws.append(["No", "Uraian", None]
              + [int(u["kode_wilayah"]) if i % 2 == 0 else u["kode_wilayah"] for i, u in enumerate(recap)] + ["JUMLAH"])
    ws.append([None, "Nama Desa/Kelurahan", None] + [u["nama_wilayah"] for u in recap] + [None])
    where: dict[str, int] = {}

    def item(no: str | None, label: str | None, sub: str | None, column: str | None) -> None:
        r = ws.max_row + 1
        values = [recap[k][column] for k in range(n)] if column else [None] * n
        formula = f"=SUM(D{r}:{get_column_letter(total_col - 1)}{r})" if column else None
        ws.append([no, label, sub, *values, formula])
        if column:
            where[column] = r

    item("I", "DATA PEMILIH", None, None)
    item("1", "Pemilih terdaftar dalam DPT", "L", "pemilih_dpt_l")
    item(None, None, "P", "pemilih_dpt_p")
    item(None, None, "Jumlah", "pemilih_dpt_j")
    item("II", "PENGGUNA HAK PILIH", None, None)
    item("1", "Jumlah pengguna hak pilih", None, None)
    item(None, "a. Laki-laki", None, "pengguna_total_l")
    item(None, "b. Perempuan", None, "pengguna_total_p")
    item(None, "c. Jumlah", None, "pengguna_total_j")
    item("III", "PEROLEHAN SUARA PASANGAN CALON", None, None)
    for k, name in enumerate(CANDIDATES, start=1):
        item(str(k), name, None, f"suara_paslon_{k}")
    item(None, "Jumlah Seluruh Suara Sah", None, "suara_sah")
    item(None, "Suara Tidak Sah", None, "suara_tidak_sah")
    item(None, "Jumlah Seluruh Suara Sah dan Suara Tidak Sah", None, "suara_total")
    ws.append([])
    ws.append(["Catatan: diisi oleh PPK."])
    if bad is not None:
        k, column = bad
        ws.cell(where[column], 4 + k).value = "1O5"
    wb.save(path)
    return where


FORM_COLUMNS = ("pemilih_dpt_l", "pemilih_dpt_p", "pemilih_dpt_j", "pengguna_total_l", "pengguna_total_p",
                "pengguna_total_j", "suara_paslon_1", "suara_paslon_2", "suara_paslon_3", "suara_sah",
                "suara_tidak_sah", "suara_total")


def desa_of_350303(con: duckdb.DuckDBPyConnection, bundle: Path) -> list[dict[str, Any]]:
    result = con.execute(
        f"SELECT * FROM read_parquet('{bundle / 'recap.parquet'}') WHERE level = 'desa' "
        "AND kode_wilayah LIKE '350303%' ORDER BY kode_wilayah"
    )
    names = [d[0] for d in result.description]
    return [dict(zip(names, r, strict=True)) for r in result.fetchall()]


def test_hand_typed_form_is_read(con: duckdb.DuckDBPyConnection, bundle: Path, tmp_path: Path) -> None:
    recap = desa_of_350303(con, bundle)
    path = tmp_path / "dhasil_350303.xlsx"
    where = hand_form(recap, path)
    (source,) = load(con, path, tmp_path)
    cols = ", ".join(FORM_COLUMNS)
    got = con.execute(
        f"SELECT jenis_pemilihan, level, kode_wilayah, nama_wilayah, parent_kode, {cols} FROM {REPORTED_TABLE} ORDER BY _file, kode_wilayah"
    ).fetchall()
    assert got == [("pkwkp", "desa", u["kode_wilayah"], u["nama_wilayah"], "350303", *(u[c] for c in FORM_COLUMNS))
                   for u in recap]
    assert count_columns(con, REPORTED_TABLE) == [c for c in NUMERIC_COLUMNS if c in FORM_COLUMNS]
    assert con.execute(f"SELECT * FROM {BAD_TABLE}").fetchall() == []
    # Each value keeps its cell's row; the unit's own row is the codes' row.
    value_rows = con.execute(f"SELECT DISTINCT _row, _row__suara_sah, _row__suara_paslon_2 FROM {REPORTED_TABLE}").fetchall()
    assert value_rows == [(5, where["suara_sah"], where["suara_paslon_2"])]
    assert source.name == f"{path} [D Hasil 350303]" and source.rows == len(recap)
    notes = "; ".join(source.notes)
    assert f"kolom {chr(ord('D') + len(recap))} (JUMLAH) adalah total, tidak dibaca" in notes
    assert "baris paslon dinomori menurut urutannya: 'KHOFIFAH - EMIL' = suara_paslon_1" in notes
    assert "jenis pkwkp dari judul" in notes
    assert "lembar ini menyebut tingkat kecamatan, tetapi kodenya dari tingkat desa/kelurahan" in notes


def test_hand_typed_form_against_the_tps_data_and_its_text_cell_as_s002(
    con: duckdb.DuckDBPyConnection, bundle: Path, tmp_path: Path
) -> None:
    recap = desa_of_350303(con, bundle)
    path = tmp_path / "dhasil_350303.xlsx"
    where = hand_form(recap, path, bad=(1, "suara_tidak_sah"))
    compared = run_cli(["compare", *TPS, "-r", str(path), "--election", "pkwkp", "-f", "csv"])
    assert compared.code == 0, compared.stderr  # the candidates are numbered right, the form adds up
    assert rows(compared.text) == []
    res = run_cli(["validate", *TPS, "-r", str(path), "--election", "pkwkp", "--select", "S002", "-f", "csv", "-q"])
    found = [r for r in rows(res.text) if r["source"].startswith(str(path))]
    cell = f"E{where['suara_tidak_sah']}"
    assert [(r["source"], r["level"], r["kode_wilayah"], r["field"], r["row"]) for r in found] == [
        (f"{path} [D Hasil 350303]", "desa", recap[1]["kode_wilayah"], "suara_tidak_sah", str(where["suara_tidak_sah"]))
    ]
    assert '"1O5"' in found[0]["message"] and f"sel {cell}" in found[0]["message"]


def test_a_workbook_without_a_recap_sheet_is_refused_in_one_line(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Catatan"
    ws.append(["Rapat pleno rekapitulasi, 30 November 2024"])
    names = wb.create_sheet("Petugas")
    names.append(["Nama", "Jabatan"])
    names.append(["Budi", "Ketua PPK"])
    path = tmp_path / "catatan.xlsx"
    wb.save(path)
    res = run_cli(["compare", *TPS, "-r", str(path), "--election", "pkwkp"])
    assert res.code == 2 and res.stdout == b""
    lines = res.stderr.splitlines()
    assert lines[0].startswith((f"rekap: galat: {path}", f"rekap: error: {path}")) and len(lines) <= 2
    assert "tidak ada lembar yang berupa rekap dalam tata letak D.Hasil" in lines[0] and "'Catatan'" in lines[0] and "'Petugas'" in lines[0]


def test_two_rows_for_one_item_are_refused(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["No", "Uraian", "3503032001", "3503032002"])
    ws.append(["1", "Suara Sah", 10, 20])
    ws.append(["2", "Jumlah suara sah", 11, 21])
    path = tmp_path / "form.xlsx"
    wb.save(path)
    from rekap.errors import InputError

    with pytest.raises(InputError) as info:
        load(con, path, tmp_path)
    assert info.value.message == f"{path} [Sheet] baris 2 dan 3: keduanya suara_sah"


def test_long_layout_typed_by_staff_total_row_in_the_name_column(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Rekap Kecamatan"
    ws.append(["REKAPITULASI PEMILIHAN BUPATI DAN WAKIL BUPATI"])
    ws.append([])
    ws.append([None, None, "Pemilih terdaftar dalam DPT", None, None])
    ws.append(["Kode", "Kecamatan", "L", "P", "Jumlah", "Paslon 01", "Paslon 02", "Suara Sah"])
    ws.append([350301, "JATIREJO", 10, 12, 22, 5, 6, 11])
    ws.append(["350302", "SONOARUM", 20, 22, 42, 15, 16, 31])
    ws.append([None, "JUMLAH", 30, 34, 64, 20, 22, 42])
    path = tmp_path / "kec.xlsx"
    wb.save(path)
    (source,) = load(con, path, tmp_path)
    got = con.execute(
        f"SELECT _row, jenis_pemilihan, level, kode_wilayah, nama_wilayah, pemilih_dpt_l, pemilih_dpt_p, pemilih_dpt_j, "
        f"suara_paslon_1, suara_paslon_2, suara_sah FROM {REPORTED_TABLE} ORDER BY _row"
    ).fetchall()
    assert got == [(5, "pkwkk", "kecamatan", "350301", "JATIREJO", 10, 12, 22, 5, 6, 11),
                   (6, "pkwkk", "kecamatan", "350302", "SONOARUM", 20, 22, 42, 15, 16, 31)]
    assert con.execute(f"SELECT * FROM {BAD_TABLE}").fetchall() == []
    assert source.shape == "dhasil-long" and "baris JUMLAH 7 adalah total, tidak dibaca" in source.notes


# --- real data ------------------------------------------------------------------------------------------


@pytest.mark.real
def test_dki_bundle_workbook_is_read_back_whole(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    tps = real_file("ppwp2024_tps_dki_jakarta.csv")
    out = tmp_path / "dki"
    res = run_cli(["run", str(tps), "-o", str(out), "-q"])
    assert res.code in (0, 1), res.stderr
    sources = load(con, out / "rekap.xlsx", tmp_path)
    con.execute(f"CREATE TABLE recap AS FROM read_parquet('{out / 'recap.parquet'}')")
    assert per_level(con, REPORTED_TABLE) == per_level(con, "recap")
    assert differences(con, "recap") == []
    assert con.execute(f"SELECT * FROM {BAD_TABLE}").fetchall() == []
    # The desa level (267 kelurahan) is past the wide layout's 60 columns: one row per unit.
    shapes = {s.name.rsplit("[", 1)[1].rstrip("]"): s.shape for s in sources}
    assert shapes["Desa-Kelurahan"] == "dhasil-long" and shapes["Kecamatan"] == "dhasil-wide"
