"""Reported recaps (D.Hasil, Sirekap region aggregates) loaded into `rk_reported`: every input shape,
strict counts with the odd cells listed in `rk_reported_bad`, one-line errors, and the real files."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import real_file

from rekap.errors import InputError, UsageError
from rekap.io.paslon import load_paslon
from rekap.io.reported import BAD_TABLE, REPORTED_TABLE, ReportedSource, load_reported

PASLON = {"1000032": 1, "1000033": 2, "1000034": 3, "1000804": 1, "1000805": 2}
IDENTITY = ("_file", "_row", "jenis_pemilihan", "level", "kode_wilayah", "nama_wilayah", "parent_kode")


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    yield connection
    connection.close()


def load(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, files: dict[str, str | bytes], **options: Any
) -> list[ReportedSource]:
    paths = []
    for name, data in files.items():
        path = tmp_path / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        paths.append(str(path))
    return load_reported(con, paths, str(tmp_path), **options)


def rows(con: duckdb.DuckDBPyConnection, columns: str = "*", where: str = "TRUE") -> list[dict[str, Any]]:
    result = con.execute(f"SELECT {columns} FROM {REPORTED_TABLE} WHERE {where} ORDER BY _file, _row")
    names = [d[0] for d in result.description]
    return [dict(zip(names, r, strict=True)) for r in result.fetchall()]


def bad(con: duckdb.DuckDBPyConnection) -> list[tuple[Any, ...]]:
    return con.execute(f"SELECT _file, _row, kode_wilayah, field, raw FROM {BAD_TABLE}").fetchall()


def columns(con: duckdb.DuckDBPyConnection, table: str = REPORTED_TABLE) -> list[tuple[str, str]]:
    return [(str(r[0]), str(r[1])) for r in con.execute(f"DESCRIBE {table}").fetchall()]


def error(con: duckdb.DuckDBPyConnection, tmp_path: Path, files: dict[str, str | bytes], **options: Any) -> str:
    with pytest.raises(InputError) as info:
        load(con, tmp_path, files, **options)
    message = info.value.message
    assert "\n" not in message
    return message


# --- shape 1: rekap's own recap rows -----------------------------------------------------------------

RECAP_CSV = """level,kode_wilayah,nama_wilayah,jenis_pemilihan,n_tps,n_tps_expected,n_tps_suara,n_tps_administrasi,n_tps_error,pemilih_dpt_j,suara_paslon_1,suara_paslon_2,suara_sah
nasional,00,NASIONAL,ppwp,5,6,5,5,1,3000,900,1100,2000
provinsi,35,JAWA TIMUR,ppwp,5,6,5,5,1,3000,900,1100,2000
kabkota,3501,PACITAN,ppwp,5,6,5,5,1,3000,900,1100,2000
kecamatan,350101,DONOROJO,ppwp,3,3,3,3,0,1800,500,700,1200
kecamatan,350102,"PRINGKUKU, KAB",ppwp,2,3,2,2,1,1200,400,400,800
desa,3501012001,SENDANG,ppwp,3,3,3,3,0,1800,500,700,1200
"""


def test_recap_rows_round_trip(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    sources = load(con, tmp_path, {"recap.csv": RECAP_CSV})
    assert columns(con) == [
        ("_file", "INTEGER"), ("_row", "BIGINT"), ("jenis_pemilihan", "VARCHAR"), ("level", "VARCHAR"),
        ("kode_wilayah", "VARCHAR"), ("nama_wilayah", "VARCHAR"), ("parent_kode", "VARCHAR"),
        ("pemilih_dpt_j", "BIGINT"), ("suara_sah", "BIGINT"), ("suara_paslon_1", "BIGINT"),
        ("suara_paslon_2", "BIGINT"), ("n_tps_total", "BIGINT"), ("n_tps_progres", "BIGINT"),
    ]
    got = con.execute(f"SELECT * FROM {REPORTED_TABLE} ORDER BY _row").fetchall()
    assert got == [
        (1000, 2, "ppwp", "nasional", "00", "NASIONAL", None, 3000, 2000, 900, 1100, None, None),
        (1000, 3, "ppwp", "provinsi", "35", "JAWA TIMUR", "00", 3000, 2000, 900, 1100, None, None),
        (1000, 4, "ppwp", "kabkota", "3501", "PACITAN", "35", 3000, 2000, 900, 1100, None, None),
        (1000, 5, "ppwp", "kecamatan", "350101", "DONOROJO", "3501", 1800, 1200, 500, 700, None, None),
        (1000, 6, "ppwp", "kecamatan", "350102", "PRINGKUKU, KAB", "3501", 1200, 800, 400, 400, None, None),
        (1000, 7, "ppwp", "desa", "3501012001", "SENDANG", "350101", 1800, 1200, 500, 700, None, None),
    ]
    assert bad(con) == []
    (source,) = sources
    assert (source.index, source.rows, source.rows_rejected, source.shape) == (1000, 6, 0, "recap-rows")
    assert len(source.sha256) == 64
    assert any("penghitung rekap diabaikan: n_tps" in n for n in source.notes)


def test_recap_rows_level_from_code_length(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    csv = "kode_wilayah,suara_sah\n,10\n00,10\n31,10\n3171,10\n317101,10\n3171011001,10\n"
    load(con, tmp_path, {"r.csv": csv})
    assert [(r["level"], r["kode_wilayah"], r["parent_kode"]) for r in rows(con)] == [
        ("nasional", "00", None),
        ("nasional", "00", None),
        ("provinsi", "31", "00"),
        ("kabkota", "3171", "31"),
        ("kecamatan", "317101", "3171"),
        ("desa", "3171011001", "317101"),
    ]


def test_recap_rows_dotted_codes_and_level_words(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    csv = "Level,Kode Wilayah,Suara Sah\nKab/Kota,35.01,5\nKelurahan,35.78.01.1001,6\nPROVINSI, 35 ,7\n"
    load(con, tmp_path, {"r.csv": csv})
    assert [(r["level"], r["kode_wilayah"], r["suara_sah"]) for r in rows(con)] == [
        ("kabkota", "3501", 5), ("desa", "3578011001", 6), ("provinsi", "35", 7),
    ]


def test_recap_rows_identity_errors_are_listed_not_loaded(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    csv = (
        "level,kode_wilayah,suara_sah\n"
        "kecamatan,3501,1\n"  # a kab/kota code under level kecamatan
        "kabkota,35A1,2\n"  # letters
        "desa,351,3\n"
        ",12345,4\n"  # no level has 5 digits
        "dusun,3501,5\n"  # unknown level word
        "tps,3501010001001,6\n"
        "provinsi,00,7\n"
        "nasional,35,8\n"
        "kabkota,3502,9\n"
        ",,\n"  # blank row: skipped, not nasional
    )
    sources = load(con, tmp_path, {"r.csv": csv})
    assert [(r["_row"], r["kode_wilayah"]) for r in rows(con)] == [(10, "3502")]
    assert [(r[1], r[3], r[4]) for r in bad(con)] == [
        (2, "kode_wilayah", "3501"),
        (3, "kode_wilayah", "35A1"),
        (4, "kode_wilayah", "351"),
        (5, "kode_wilayah", "12345"),
        (6, "level", "dusun"),
        (7, "level", "tps"),
        (8, "kode_wilayah", "00"),
        (9, "kode_wilayah", "35"),
    ]
    reasons = [r[0] for r in con.execute(f"SELECT reason FROM {BAD_TABLE} ORDER BY _row").fetchall()]
    assert reasons[0] == "kode kecamatan terdiri dari 6 angka, kode ini 4"
    assert reasons[4] == "tingkat tidak dikenal dusun"
    assert sources[0].rows == 1 and sources[0].rows_rejected == 8
    assert any("1 baris kosong dilewati" in n for n in sources[0].notes)


def test_counts_are_strict_and_bad_cells_listed(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    csv = (
        "kode_wilayah,suara_sah,suara_tidak_sah,suara_total,tps_total,tps_progres\n"
        "31,6460911.0,97823,6558734,100,90\n"  # integral decimal: fine in a recap file
        "32,6460911.5,12,x,100,-\n"  # fractional, text; '-' is an empty cell
        "33,-5,1.234,,100.0,99\n"  # negative; 1.234 is Indonesian for 1234
    )
    load(con, tmp_path, {"r.csv": csv})
    got = [(r["kode_wilayah"], r["suara_sah"], r["suara_tidak_sah"], r["suara_total"], r["n_tps_total"],
            r["n_tps_progres"]) for r in rows(con)]
    assert got == [
        ("31", 6460911, 97823, 6558734, 100, 90),
        ("32", None, 12, None, 100, None),
        ("33", None, 1234, None, 100, 99),
    ]
    assert bad(con) == [
        (1000, 3, "32", "suara_sah", "6460911.5"),
        (1000, 3, "32", "suara_total", "x"),
        (1000, 4, "33", "suara_sah", "-5"),
    ]


def test_unknown_election_type_is_listed_and_falls_back(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    csv = "kode_wilayah,jenis_pemilihan,suara_sah\n35,PKWKP,1\n3501,pilgub,2\n3502,,3\n"
    load(con, tmp_path, {"r.csv": csv}, election="pkwkk")
    assert [r["jenis_pemilihan"] for r in rows(con)] == ["pkwkp", "pkwkk", "pkwkk"]
    assert bad(con) == [(1000, 3, "3501", "jenis_pemilihan", "pilgub")]
    with pytest.raises(UsageError):
        load(con, tmp_path, {"r.csv": csv}, election="pilgub")


def test_recap_rows_parent_column_must_agree(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    csv = "kode_wilayah,parent_kode,suara_sah\n35,00,1\n3501,35,2\n350101,3502,3\n350102,,4\n"
    load(con, tmp_path, {"r.csv": csv})
    # The disagreeing row stays (its code is fine) with the code's own parent; the lead reports it.
    assert [(r["kode_wilayah"], r["parent_kode"]) for r in rows(con)] == [
        ("35", "00"), ("3501", "35"), ("350101", "3501"), ("350102", "3501"),
    ]
    assert bad(con) == [(1000, 4, "350101", "kode_wilayah", "3502")]


def test_recap_rows_from_xlsx(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["REKAPITULASI HASIL PENGHITUNGAN SUARA"])
    ws.append([])
    ws.append(["level", "kode_wilayah", "nama_wilayah", "suara_paslon_1", "suara_paslon_2"])
    ws.append(["kabkota", "3578", "KOTA SURABAYA", 33158, 299689.0])
    ws.append(["kecamatan", "357801", "KARANG PILANG", "953", 8507])
    path = tmp_path / "recap.xlsx"
    wb.save(path)
    sources = load_reported(con, [str(path)], str(tmp_path))
    assert [(r["_row"], r["kode_wilayah"], r["suara_paslon_1"], r["suara_paslon_2"]) for r in rows(con)] == [
        (4, "3578", 33158, 299689), (5, "357801", 953, 8507),
    ]
    assert sources[0].format.startswith("xlsx")


def test_recap_rows_from_parquet_native_types(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "recap.parquet"
    con.execute(
        f"""COPY (SELECT * FROM (VALUES (0, 30.0, 3::BIGINT), (35, 10.5, 1), (3501, 20.0, -1))
                  t(kode_wilayah, suara_sah, suara_tidak_sah)) TO '{path}' (FORMAT parquet)"""
    )
    load_reported(con, [str(path)], str(tmp_path))
    assert [(r["level"], r["kode_wilayah"], r["suara_sah"], r["suara_tidak_sah"]) for r in rows(con)] == [
        ("nasional", "00", 30, 3), ("provinsi", "35", None, 1), ("kabkota", "3501", 20, None),
    ]
    assert bad(con) == [(1000, 3, "35", "suara_sah", "10.5"), (1000, 4, "3501", "suara_tidak_sah", "-1")]


# --- shape 2: a level's own code column ---------------------------------------------------------------


def test_code_columns_kecamatan_with_indonesian_headers(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    csv = (
        "Kode Kabupaten;Kabupaten;Kode Kecamatan;Kecamatan;Paslon 01;Paslon 02;Suara Sah;TPS Total;persen\n"
        "3501;PACITAN;350101;DONOROJO;1.511;12.403;13.914;65;100,0\n"
        "3502;PONOROGO;350101;SALAH;1;2;3;4;100\n"  # kode_kabkota disagrees with the code
        ";JUMLAH;;;1.512;12.405;13.917;69;\n"  # a total row without a code
    )
    sources = load(con, tmp_path, {"kec.csv": csv})
    assert rows(con, ", ".join(IDENTITY[1:]) + ", suara_paslon_1, suara_paslon_2, suara_sah, n_tps_total") == [
        {"_row": 2, "jenis_pemilihan": None, "level": "kecamatan", "kode_wilayah": "350101",
         "nama_wilayah": "DONOROJO", "parent_kode": "3501", "suara_paslon_1": 1511, "suara_paslon_2": 12403,
         "suara_sah": 13914, "n_tps_total": 65},
        {"_row": 3, "jenis_pemilihan": None, "level": "kecamatan", "kode_wilayah": "350101",
         "nama_wilayah": "SALAH", "parent_kode": "3501", "suara_paslon_1": 1, "suara_paslon_2": 2,
         "suara_sah": 3, "n_tps_total": 4},
    ]
    assert bad(con) == [(1000, 3, "350101", "kode_wilayah", "3502"), (1000, 4, None, "kode_wilayah", None)]
    source = sources[0]
    assert source.shape == "code-columns" and "baris kecamatan menurut Kode Kecamatan" in source.format
    assert source.rows_rejected == 1
    assert any("kolom diabaikan: persen" in n for n in source.notes)


def test_code_columns_province_file_with_national_row(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    csv = (
        "kode_prov,nama_prov,suara_paslon_1,suara_sah,progress_tps,total_tps\n"
        "00,NASIONAL,31393564,,648845.0,823378.0\n"
        "31,DKI JAKARTA,1936408,6460911.0,,\n"
    )
    load(con, tmp_path, {"prov.csv": csv}, election="ppwp")
    assert rows(con, "level, kode_wilayah, nama_wilayah, parent_kode, jenis_pemilihan, suara_sah, "
                     "n_tps_total, n_tps_progres") == [
        {"level": "nasional", "kode_wilayah": "00", "nama_wilayah": "NASIONAL", "parent_kode": None,
         "jenis_pemilihan": "ppwp", "suara_sah": None, "n_tps_total": 823378, "n_tps_progres": 648845},
        {"level": "provinsi", "kode_wilayah": "31", "nama_wilayah": "DKI JAKARTA", "parent_kode": "00",
         "jenis_pemilihan": "ppwp", "suara_sah": 6460911, "n_tps_total": None, "n_tps_progres": None},
    ]


def test_code_columns_desa_checks_every_ancestor(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    csv = "kode_prov,kode_kabkota,kode_kec,kode_desa,nama_desa,suara_sah\n35,3501,350101,3501012001,A,1\n36,3501,350101,3501012002,B,2\n"
    load(con, tmp_path, {"desa.csv": csv})
    assert [(r["level"], r["kode_wilayah"], r["parent_kode"]) for r in rows(con)] == [
        ("desa", "3501012001", "350101"), ("desa", "3501012002", "350101"),
    ]
    assert bad(con) == [(1000, 3, "3501012002", "kode_wilayah", "36")]


def test_ragged_csv_row_is_listed(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    sources = load(con, tmp_path, {"r.csv": "kode_prov,suara_sah\n31,5\n32,6,7\n33,8\n"})
    assert [r["kode_wilayah"] for r in rows(con)] == ["31", "33"]
    assert [(r[1], r[3]) for r in bad(con)] == [(3, "row")]
    assert sources[0].rows_rejected == 1


# --- shape 3: Sirekap region JSON ----------------------------------------------------------------------


def pilkada_json(table: dict[str, Any] | None = None, chart: Any = "default") -> str:
    if chart == "default":
        chart = {"1000032": 30, "1000033": 300, "1000034": 3000,
                 "progres": {"total": 20, "persen": 95.0, "progres": 19}}
    if table is None:
        table = {
            "3501": {"psu": "Reguler", "1000032": 10, "1000033": 100, "1000034": 1000,
                     "progres": {"total": 10, "persen": 100.0, "progres": 10}, "status_progress": True},
            "3502": {"psu": "Reguler", "1000032": 20, "1000033": 200, "1000034": 2000,
                     "progres": {"total": 10, "persen": 90.0, "progres": 9}, "status_progress": True},
        }
    return json.dumps({"mode": "hhcw", "tungsura": {"chart": chart, "table": table}, "psu": "Reguler",
                       "progres": {"total": 20, "progres": 19}, "ts": "2024-11-28 10:15:04"}, indent=2)


def test_sirekap_json_unit_and_children(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    sources = load(con, tmp_path, {"sirekap_pilkada_hhcw_pkwkp_35.json": pilkada_json()}, paslon=PASLON)
    got = con.execute(
        f"""SELECT _row, jenis_pemilihan, level, kode_wilayah, parent_kode, suara_paslon_1, suara_paslon_2,
                   suara_paslon_3, n_tps_total, n_tps_progres FROM {REPORTED_TABLE} ORDER BY _row"""
    ).fetchall()
    assert got == [
        (1, "pkwkp", "provinsi", "35", "00", 30, 300, 3000, 20, 19),
        (2, "pkwkp", "kabkota", "3501", "35", 10, 100, 1000, 10, 10),
        (3, "pkwkp", "kabkota", "3502", "35", 20, 200, 2000, 10, 9),
    ]
    assert sources[0].shape == "sirekap-json" and sources[0].rows == 3
    assert "wilayah 35 (kode dari nama berkas), 2 anak wilayah" in sources[0].notes[0]


def test_sirekap_json_scraper_path_and_pemilu_layout(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    # Pemilu region JSON has chart/table at the top level and `persen` instead of `progres`.
    doc = {"chart": {"100025": 5, "100026": 6, "100027": 7, "persen": 50.0},
           "table": {"3171": {"100025": 5, "100026": 6, "100027": 7, "psu": None, "persen": 50.0},
                     "3172": {"100025": None, "100026": None, "100027": None, "psu": None, "persen": None}},
           "progres": {"total": 40, "progres": 20}, "mode": "hhcw"}
    folder = tmp_path / "ppwp" / "31"
    folder.mkdir(parents=True)
    path = folder / "31.json"
    path.write_text(json.dumps(doc))
    load_reported(con, [str(path)], str(tmp_path), paslon={"100025": 1, "100026": 2, "100027": 3})
    assert rows(con, "_row, jenis_pemilihan, level, kode_wilayah, suara_paslon_3, n_tps_total") == [
        {"_row": 1, "jenis_pemilihan": "ppwp", "level": "provinsi", "kode_wilayah": "31", "suara_paslon_3": 7,
         "n_tps_total": 40},
        {"_row": 2, "jenis_pemilihan": "ppwp", "level": "kabkota", "kode_wilayah": "3171", "suara_paslon_3": 7,
         "n_tps_total": None},
        {"_row": 3, "jenis_pemilihan": "ppwp", "level": "kabkota", "kode_wilayah": "3172", "suara_paslon_3": None,
         "n_tps_total": None},
    ]
    assert bad(con) == []


def test_sirekap_json_unit_from_children_and_election_option(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    sources = load(con, tmp_path, {"jatim.json": pilkada_json()}, paslon=PASLON, election="pkwkp")
    assert [(r["level"], r["kode_wilayah"], r["jenis_pemilihan"]) for r in rows(con)] == [
        ("provinsi", "35", "pkwkp"), ("kabkota", "3501", "pkwkp"), ("kabkota", "3502", "pkwkp"),
    ]
    assert "kode dari anak wilayah" in sources[0].notes[0]


def test_sirekap_json_odd_values_and_stray_child(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    table = {"3501": {"1000032": 12.5, "1000033": "1O0", "1000034": 7.0},
             "3601": {"1000032": 1, "1000033": 2, "1000034": 3}}
    load(con, tmp_path, {"sirekap_pilkada_hhcw_pkwkp_35.json": pilkada_json(table)}, paslon=PASLON)
    assert [(r["kode_wilayah"], r["parent_kode"], r["suara_paslon_3"]) for r in rows(con)] == [
        ("35", "00", 3000), ("3501", "35", 7), ("3601", "36", 3),
    ]
    assert bad(con) == [
        (1000, 2, "3501", "suara_paslon_1", "12.5"),
        (1000, 2, "3501", "suara_paslon_2", "1O0"),
        (1000, 3, "3601", "kode_wilayah", "35"),
    ]


@pytest.mark.parametrize(
    ("name", "data", "options", "expected"),
    [
        ("sirekap_pilkada_hhcw_pkwkp_35.json", pilkada_json(), {}, "memerlukan tabel paslon"),
        ("sirekap_pilkada_hhcw_pkwkp_35.json", pilkada_json(), {"paslon": {"1000032": 1}},
         "id paslon 1000033 tidak ada di tabel --paslon"),
        ("sirekap_pilkada_hhcw_pkwkp_35.json", pilkada_json(), {"paslon": {"1000032": 1, "1000033": 1,
                                                                            "1000034": 2}},
         "sama-sama bernomor urut 1"),
        ("sirekap_pilkada_hhcw_pkwkp_36.json", pilkada_json(), {"paslon": PASLON},
         "nama berkas menyebut wilayah 36 tetapi `table`-nya memuat anak wilayah dari 35"),
        ("sirekap_pilkada_wilayah_pkwkp_35.json",
         json.dumps([{"nama": "BANGKALAN", "id": 191355, "kode": "3526", "tingkat": 2}]), {},
         "ini daftar wilayah Sirekap (wilayah"),
        ("3101011001001.json", json.dumps({"chart": {"100025": 1}, "administrasi": {"suara_sah": 1}}), {},
         "ini rekaman TPS Sirekap"),
        ("x.json", '{"chart": {"1": 2}', {}, "JSON tidak sah"),
        ("x.json", json.dumps({"foo": 1}), {}, "bukan rekap wilayah Sirekap"),
        ("x.json", json.dumps({"chart": {"1000032": 1}, "table": {}}), {"paslon": PASLON},
         "tidak dapat ditentukan rekap ini untuk wilayah mana"),
    ],
)
def test_sirekap_json_refusals(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, name: str, data: str, options: dict[str, Any], expected: str
) -> None:
    message = error(con, tmp_path, {name: data}, **options)
    assert expected in message and name in message


def test_missing_paslon_hint(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        load(con, tmp_path, {"sirekap_pilkada_hhcw_pkwkp_35.json": pilkada_json()})
    assert info.value.hint is not None and "--paslon pilkada2024_paslon.csv" in info.value.hint


# --- shape 4: long Sirekap tables ----------------------------------------------------------------------

LONG_HEADER = "snapshot_commit,election,source_file,parent_kode,kode_wilayah,row_kind,paslon_id,suara,ts\n"


def long_rows(snapshot: str = "aaaa1111", votes: tuple[str, str] = ("10", "20")) -> str:
    return (
        f"{snapshot},pkwkp,pkwkp/35/35.json,35,35,total,1000032,30,t\n"
        f"{snapshot},pkwkp,pkwkp/35/35.json,35,35,total,1000033,300,t\n"
        f"{snapshot},pkwkp,pkwkp/35/35.json,35,3501,child,1000032,{votes[0]},t\n"
        f"{snapshot},pkwkp,pkwkp/35/35.json,35,3501,child,1000033,100,t\n"
        f"{snapshot},pkwkp,pkwkp/35/35.json,35,3502,child,1000033,200,t\n"
        f"{snapshot},pkwkp,pkwkp/35/35.json,35,3502,child,1000032,{votes[1]},t\n"
        f"{snapshot},pkwkp,pkwkp/35/3501.json,3501,3501,total,1000032,11,t\n"
        f"{snapshot},pkwkp,pkwkp/35/3501.json,3501,3501,total,1000033,100,t\n"
    )


def test_long_table_pivots_and_keeps_both_copies(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    sources = load(con, tmp_path, {"votes.csv": LONG_HEADER + long_rows()}, paslon=PASLON)
    got = con.execute(
        f"""SELECT _row, jenis_pemilihan, level, kode_wilayah, parent_kode, suara_paslon_1, suara_paslon_2
            FROM {REPORTED_TABLE} ORDER BY _row"""
    ).fetchall()
    assert got == [
        (2, "pkwkp", "provinsi", "35", "00", 30, 300),
        (4, "pkwkp", "kabkota", "3501", "35", 10, 100),
        (6, "pkwkp", "kabkota", "3502", "35", 20, 200),
        (8, "pkwkp", "kabkota", "3501", "35", 11, 100),
    ]
    assert bad(con) == []
    assert sources[0].shape == "long"
    assert any("1 wilayah dilaporkan dua kali di berkas ini dengan angka berbeda (mis. kabkota 3501)" in n
               for n in sources[0].notes)


def test_long_table_bad_cell_names_its_own_row(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    load(con, tmp_path, {"votes.csv": LONG_HEADER + long_rows(votes=("10", "2O"))}, paslon=PASLON)
    assert bad(con) == [(1000, 7, "3502", "suara_paslon_1", "2O")]


def test_long_table_snapshots(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    data = LONG_HEADER + long_rows("aaaa1111") + long_rows("bbbb2222", votes=("12", "22"))
    message = error(con, tmp_path, {"votes.csv": data}, paslon=PASLON)
    assert "2 snapshot di kolom 'snapshot_commit'" in message
    sources = load(con, tmp_path, {"votes.csv": data}, paslon=PASLON, snapshot="bbbb")
    assert [r["suara_paslon_1"] for r in rows(con, where="kode_wilayah = '3502'")] == [22]
    assert any("snapshot bbbb2222: 8 dari 16 baris" in n for n in sources[0].notes)
    assert "tidak cocok dengan satu pun snapshot" in error(con, tmp_path, {"votes.csv": data}, paslon=PASLON, snapshot="cccc")


def test_long_table_from_parquet(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    csv = tmp_path / "votes.csv"
    csv.write_text(LONG_HEADER + long_rows())
    path = tmp_path / "votes.parquet"
    con.execute(
        f"COPY (SELECT * REPLACE (suara::BIGINT AS suara) FROM read_csv('{csv}', all_varchar = true)) "
        f"TO '{path}' (FORMAT parquet)"
    )
    load_reported(con, [str(path)], str(tmp_path), paslon=PASLON)
    assert [(r["kode_wilayah"], r["suara_paslon_1"]) for r in rows(con)] == [
        ("35", 30), ("3501", 10), ("3502", 20), ("3501", 11),
    ]


@pytest.mark.parametrize(
    ("data", "options", "expected"),
    [
        (LONG_HEADER + long_rows(), {}, "memerlukan tabel paslon"),
        (LONG_HEADER + long_rows(), {"paslon": {"1000032": 1}}, "baris 3: id paslon 1000033 tidak ada di tabel --paslon"),
        (LONG_HEADER + long_rows() + "aaaa1111,pkwkp,pkwkp/35/35.json,35,3502,child,1000032,5,t\n",
         {"paslon": PASLON}, "baris 7 dan 10: wilayah 3502 punya dua nilai untuk nomor urut 1"),
        (LONG_HEADER + "aaaa1111,pkwkp,f,35,3501,sum,1000032,5,t\n", {"paslon": PASLON},
         "baris 2: row_kind sum bukan 'total' maupun 'child'"),
    ],
)
def test_long_table_refusals(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, data: str, options: dict[str, Any], expected: str
) -> None:
    assert expected in error(con, tmp_path, {"votes.csv": data}, **options)


# --- several files, and files that are not recaps ------------------------------------------------------


def test_several_files_file_indexes_and_conflict_notes(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    a = "kode_prov,suara_paslon_1\n31,100\n32,200\n"
    b = "kode_wilayah,level,suara_paslon_1,suara_sah\n31,provinsi,101,500\n32,provinsi,200,\n"
    sources = load(con, tmp_path, {"a.csv": a, "b.csv": b}, first_file_index=7)
    assert [s.index for s in sources] == [7, 8]
    assert [(r["_file"], r["kode_wilayah"], r["suara_paslon_1"]) for r in rows(con)] == [
        (7, "31", 100), (7, "32", 200), (8, "31", 101), (8, "32", 200),
    ]
    assert any(n.startswith("1 wilayah juga ada di") and "b.csv" in n for n in sources[0].notes)
    assert any(n.startswith("1 wilayah juga ada di") and "a.csv" in n for n in sources[1].notes)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("kode_tps,suara_sah\n3501010001001,5\n", "ini data TPS, bukan rekap yang dilaporkan"),
        ("kode,level,nama,parent_kode\n11,1,Aceh,\n", "tidak ada kolom kode wilayah"),
        ("kode_prov,nama_prov\n11,ACEH\n", "tidak ada kolom angka"),
        ("kode_wilayah,tps_total,total_tps\n11,1,2\n", "sama-sama berarti n_tps_total"),
        ("", "berkas kosong"),
    ],
)
def test_not_a_recap(con: duckdb.DuckDBPyConnection, tmp_path: Path, data: str, expected: str) -> None:
    assert expected in error(con, tmp_path, {"x.csv": data})


def test_missing_file(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="berkas tidak ada"):
        load_reported(con, [str(tmp_path / "nope.csv")], str(tmp_path))


def test_loader_cleans_up_after_itself(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    load(con, tmp_path, {"a.csv": "kode_prov,suara_sah\n31,1\n", "b.json": pilkada_json()}, paslon=PASLON)
    names = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert names == {REPORTED_TABLE, BAD_TABLE}


# --- real data -------------------------------------------------------------------------------------------

JATIM_SUMS = (1_785_621, 12_018_858, 6_671_068)


def real_paslon() -> dict[str, int]:
    return load_paslon(real_file("pilkada2024_paslon.csv"))


@pytest.mark.real
def test_real_jatim_kecamatan(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = real_file("pilkada2024_pkwkp_jatim_kecamatan.csv")
    (source,) = load_reported(con, [str(path)], str(tmp_path), election="pkwkp")
    assert source.rows == 666 and bad(con) == []
    got = con.execute(
        f"""SELECT count(*), count(DISTINCT kode_wilayah), sum(suara_paslon_1)::BIGINT,
                   sum(suara_paslon_2)::BIGINT, sum(suara_paslon_3)::BIGINT, count(DISTINCT parent_kode),
                   count(*) FILTER (WHERE level = 'kecamatan' AND jenis_pemilihan = 'pkwkp'),
                   sum(n_tps_total)::BIGINT, sum(n_tps_progres)::BIGINT
            FROM {REPORTED_TABLE}"""
    ).fetchall()
    assert got == [(666, 666, *JATIM_SUMS, 38, 666, 60_751, 60_219)]


@pytest.mark.real
def test_real_sirekap_province_aggregate(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = real_file("ppwp2024_sirekap_prov_aggregate_2024-03-21.csv")
    load_reported(con, [str(path)], str(tmp_path), election="ppwp")
    assert bad(con) == []
    dki = rows(con, "suara_paslon_1, suara_paslon_2, suara_paslon_3", "kode_wilayah = '31'")
    assert dki == [{"suara_paslon_1": 1_936_408, "suara_paslon_2": 1_956_503, "suara_paslon_3": 824_937}]
    nasional = rows(con, "level, parent_kode, n_tps_total, n_tps_progres", "level = 'nasional'")
    assert nasional == [{"level": "nasional", "parent_kode": None, "n_tps_total": 823_378, "n_tps_progres": 648_845}]


@pytest.mark.real
def test_real_official_recap(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = real_file("ppwp2024_official_recap_prov.csv")
    load_reported(con, [str(path)], str(tmp_path), election="ppwp")
    assert bad(con) == []
    dki = rows(con, "suara_paslon_1, suara_paslon_2, suara_paslon_3, suara_sah, suara_tidak_sah, pemilih_dpt_j",
               "kode_wilayah = '31'")
    assert dki == [{"suara_paslon_1": 2_653_762, "suara_paslon_2": 2_692_011, "suara_paslon_3": 1_115_138,
                    "suara_sah": 6_460_911, "suara_tidak_sah": 97_823, "pemilih_dpt_j": 8_252_897}]


@pytest.mark.real
def test_real_sirekap_json_province(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = real_file("raw/sirekap_pilkada_hhcw_pkwkp_35.json")
    load_reported(con, [str(path)], str(tmp_path), paslon=real_paslon())
    unit = con.execute(
        f"""SELECT level, jenis_pemilihan, suara_paslon_1, suara_paslon_2, suara_paslon_3, n_tps_total,
                   n_tps_progres FROM {REPORTED_TABLE} WHERE kode_wilayah = '35'"""
    ).fetchall()
    assert unit == [("provinsi", "pkwkp", *JATIM_SUMS, 60_751, 60_219)]
    children = con.execute(
        f"""SELECT count(*), count(DISTINCT kode_wilayah), sum(suara_paslon_1)::BIGINT,
                   sum(suara_paslon_2)::BIGINT, sum(suara_paslon_3)::BIGINT
            FROM {REPORTED_TABLE} WHERE level = 'kabkota' AND parent_kode = '35'"""
    ).fetchall()
    # Sirekap's own chart equals the sum of its table here.
    assert children == [(38, 38, *JATIM_SUMS)]
    assert bad(con) == []


@pytest.mark.real
def test_real_region_list_is_refused(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = real_file("raw/sirekap_pilkada_wilayah_pkwkp_35.json")
    with pytest.raises(InputError, match="daftar wilayah"):
        load_reported(con, [str(path)], str(tmp_path), paslon=real_paslon())


@pytest.mark.real
def test_real_long_votes_equal_the_json(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    votes = real_file("pilkada2024_sirekap_recap_votes.parquet")
    province = real_file("raw/sirekap_pilkada_hhcw_pkwkp_35.json")
    with pytest.raises(InputError, match="snapshot di kolom"):
        load_reported(con, [str(votes)], str(tmp_path), paslon=real_paslon())
    # The raw JSON files were taken from the later snapshot (481f1a67…, HEAD of pilkada-scrap).
    sources = load_reported(con, [str(votes), str(province)], str(tmp_path), paslon=real_paslon(), snapshot="481f1a67")
    assert bad(con) == []
    pick = """SELECT kode_wilayah, suara_paslon_1, suara_paslon_2, suara_paslon_3 FROM rk_reported
              WHERE _file = {f} AND jenis_pemilihan = 'pkwkp' AND parent_kode = '35' AND level = 'kabkota'
              ORDER BY ALL"""
    from_long = con.execute(pick.format(f=sources[0].index)).fetchall()
    from_json = con.execute(pick.format(f=sources[1].index)).fetchall()
    # In the long table a kab/kota is both a child row of pkwkp/35/35.json and the total row of its own
    # file; in this snapshot the two copies agree, and both equal the JSON's table.
    assert len(from_json) == 38
    assert from_long == sorted(from_json * 2)
    unit = con.execute(
        f"""SELECT suara_paslon_1, suara_paslon_2, suara_paslon_3 FROM {REPORTED_TABLE}
            WHERE _file = 1000 AND level = 'provinsi' AND kode_wilayah = '35' AND jenis_pemilihan = 'pkwkp'"""
    ).fetchall()
    assert unit == [JATIM_SUMS]
    assert not any("angka berbeda" in n for s in sources for n in s.notes)


def test_refusal_leaves_no_scratch_tables(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    error(con, tmp_path, {"a.csv": "kode_prov,suara_sah\n31,1\n", "b.csv": "kode_tps,suara_sah\n3101011001001,1\n"})
    assert con.execute("SELECT table_name FROM information_schema.tables").fetchall() == []
