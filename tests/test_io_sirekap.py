"""Sirekap TPS JSON reader: layouts, candidate numbering, values kept as text, one-line errors."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rekap.errors import InputError
from rekap.io import sirekap
from rekap.io.base import RawTable
from rekap.io.paslon import load_paslon
from rekap.io.sirekap import read_sirekap
from rekap.schema import canonical_order

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"
PPWP = {"100025": 1, "100026": 2, "100027": 3}
URL = "https://sirekap-obj-data.kpu.go.id/pemilu/hhcw/{race}/31/3101/310101/3101011001/{kode}.json"


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    yield connection
    connection.close()


def tps_data(
    chart: Any = "default", administrasi: Any = "default", ts: Any = "2024-02-16 16:25:10", **extra: Any
) -> dict[str, Any]:
    if chart == "default":
        chart = {"null": None, "100025": 83, "100026": 107, "100027": 38}
    if administrasi == "default":
        administrasi = {"suara_sah": 228, "pemilih_dpt_j": 292, "pemilih_dpt_l": 147, "pemilih_dpt_p": 145}
    return {"mode": "hhcw", "chart": chart, "administrasi": administrasi, "psu": None, "ts": ts, **extra}


def wrapper(kode: str = "3101011001001", race: str = "ppwp", **data: Any) -> dict[str, Any]:
    return {
        "kode_tps": kode,
        "source_file": f"sample/{kode}.json",
        "url": URL.format(race=race, kode=kode),
        "data": tps_data(**data),
    }


def jsonl(*records: Any) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in records).encode()


def read(
    con: duckdb.DuckDBPyConnection,
    data: bytes,
    paslon: dict[str, int] | None = PPWP,
    filename_hint: str | None = None,
) -> tuple[RawTable, list[dict[str, Any]]]:
    raw = read_sirekap(con, data, "t", "input.jsonl", paslon=paslon, filename_hint=filename_hint)
    cursor = con.execute('SELECT * FROM "t" ORDER BY _row')
    names = [d[0] for d in cursor.description]
    return raw, [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def text_rows(con: duckdb.DuckDBPyConnection, table: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """A table's column names and rows, every value as text: the typed JSON Lines read keeps whole-number
    counts as INTEGER, which show as the digits the Python path gives."""
    cursor = con.execute(f'SELECT COLUMNS(*)::VARCHAR FROM "{table}" ORDER BY _row')
    return [d[0] for d in cursor.description], cursor.fetchall()


def error_of(con: duckdb.DuckDBPyConnection, data: bytes, **kwargs: Any) -> InputError:
    with pytest.raises(InputError) as caught:
        read_sirekap(con, data, "t", "input.jsonl", **kwargs)
    assert "\n" not in caught.value.message
    return caught.value


# --- layouts --------------------------------------------------------------------------------------------


def test_wrapper_record_becomes_canonical_text_columns(con: duckdb.DuckDBPyConnection) -> None:
    raw, rows = read(con, jsonl(wrapper()))
    assert raw.format == "sirekap-json" and raw.canonical and raw.rows == 1 and raw.table == "t"
    assert raw.headers == canonical_order(frozenset(raw.headers))
    assert raw.headers == [
        "kode_tps", "jenis_pemilihan", "sumber", "ts", "pemilih_dpt_l", "pemilih_dpt_p", "pemilih_dpt_j",
        "suara_sah", "suara_paslon_1", "suara_paslon_2", "suara_paslon_3",
    ]
    assert rows == [{
        "kode_tps": "3101011001001", "jenis_pemilihan": "ppwp", "sumber": "sirekap", "ts": "2024-02-16 16:25:10",
        "pemilih_dpt_l": "147", "pemilih_dpt_p": "145", "pemilih_dpt_j": "292", "suara_sah": "228",
        "suara_paslon_1": "83", "suara_paslon_2": "107", "suara_paslon_3": "38", "_row": 1,
    }]
    types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE t)").fetchall())
    assert types.pop("_row") == "BIGINT"
    assert set(types.values()) == {"VARCHAR"}
    assert raw.notes == [
        "JSON Lines, 1 rekaman",
        "id paslon dinomori menurut tabel --paslon: 100025→1, 100026→2, 100027→3",
    ]


def test_bare_object_takes_kode_tps_from_the_file_name(con: duckdb.DuckDBPyConnection) -> None:
    data = json.dumps(tps_data(), indent=2).encode()
    raw, rows = read(con, data, filename_hint="downloads/3101011001007.json")
    assert [(r["kode_tps"], r["jenis_pemilihan"], r["_row"]) for r in rows] == [("3101011001007", None, 1)]
    assert raw.notes[:2] == ["satu objek TPS, 1 rekaman", "kode_tps 3101011001007 diambil dari nama berkas"]


def test_one_line_file_is_json_lines_and_may_use_the_file_name(con: duckdb.DuckDBPyConnection) -> None:
    raw, rows = read(con, b"\n\n" + jsonl(tps_data()), filename_hint="3101011001007.jsonl")
    assert [(r["kode_tps"], r["_row"]) for r in rows] == [("3101011001007", 3)]
    assert raw.notes[0] == "JSON Lines, 1 rekaman"


def test_file_name_is_not_used_for_several_records(con: duckdb.DuckDBPyConnection) -> None:
    err = error_of(con, jsonl(tps_data(), tps_data()), filename_hint="3101011001007.jsonl")
    assert err.message.startswith("input.jsonl baris 1: tidak ada kode_tps (tidak ada kunci `kode_tps`")


@pytest.mark.parametrize("hint", [None, "tps.json", "310101100100.json"])
def test_bare_object_without_a_code_file_name_is_refused(con: duckdb.DuckDBPyConnection, hint: str | None) -> None:
    err = error_of(con, json.dumps(tps_data()).encode(), paslon=PPWP, filename_hint=hint)
    assert "tidak ada kode_tps" in err.message and err.hint is not None and "3101011001001.json" in err.hint


def test_array_rows_are_element_indexes(con: duckdb.DuckDBPyConnection) -> None:
    records = [wrapper("3101011001001"), wrapper("3101011001002", chart={"100025": 5})]
    raw, rows = read(con, json.dumps(records, indent=1).encode())
    assert [(r["kode_tps"], r["_row"]) for r in rows] == [("3101011001001", 1), ("3101011001002", 2)]
    assert rows[1]["suara_paslon_1"] == "5" and rows[1]["suara_paslon_2"] is None
    assert raw.notes[0] == "array JSON, 2 rekaman"


def test_jsonl_row_is_the_line_number_and_blank_lines_are_skipped(con: duckdb.DuckDBPyConnection) -> None:
    data = b"\n" + jsonl(wrapper("3101011001001")) + b"  \r\n\n" + jsonl(wrapper("3101011001002"))
    _, rows = read(con, data.replace(b"}\n", b"}\r\n", 1))
    assert [(r["kode_tps"], r["_row"]) for r in rows] == [("3101011001001", 2), ("3101011001002", 5)]


def test_bom_is_accepted(con: duckdb.DuckDBPyConnection) -> None:
    _, rows = read(con, b"\xef\xbb\xbf" + jsonl(wrapper(), wrapper("3101011001002")))
    assert len(rows) == 2


def test_kode_tps_and_race_from_path_or_source_file(con: duckdb.DuckDBPyConnection) -> None:
    repo_dump = {"path": "pemilu/hhcw/ppwp/35/3501/350101/3501012001/3501012001001.json", "data": tps_data()}
    scraped = {"source_file": "out/3101011001009.json", "data": tps_data()}
    bare_with_url = {**tps_data(), "url": URL.format(race="ppwp", kode="3101011001010") + "?v=2"}
    _, rows = read(con, jsonl(repo_dump, scraped, bare_with_url))
    assert [(r["kode_tps"], r["jenis_pemilihan"]) for r in rows] == [
        ("3501012001001", "ppwp"), ("3101011001009", None), ("3101011001010", "ppwp"),
    ]


def test_wrapper_kode_tps_wins_and_stays_text(con: duckdb.DuckDBPyConnection) -> None:
    record = wrapper("3101011001001")
    record["url"] = URL.format(race="ppwp", kode="3101011001999")
    _, rows = read(con, jsonl(record))
    assert rows[0]["kode_tps"] == "3101011001001"


def test_record_without_kode_tps_names_its_line(con: duckdb.DuckDBPyConnection) -> None:
    err = error_of(con, jsonl(wrapper(), tps_data()), paslon=PPWP)
    assert err.message.startswith("input.jsonl baris 2: tidak ada kode_tps")


# --- partial records and values ------------------------------------------------------------------------


def test_chart_null_and_administrasi_null(con: duckdb.DuckDBPyConnection) -> None:
    data = jsonl(
        wrapper("3101011001001"),
        wrapper("3101011001002", chart=None),
        wrapper("3101011001003", administrasi=None),
        wrapper("3101011001004", chart=None, administrasi=None, ts=None),
    )
    _, rows = read(con, data)
    votes = [[r[f"suara_paslon_{n}"] for n in (1, 2, 3)] for r in rows]
    assert votes == [["83", "107", "38"], [None, None, None], ["83", "107", "38"], [None, None, None]]
    assert [r["pemilih_dpt_j"] for r in rows] == ["292", "292", None, None]
    assert rows[3]["ts"] is None and rows[3]["sumber"] == "sirekap"


def test_record_without_mode_is_read(con: duckdb.DuckDBPyConnection) -> None:
    record = wrapper()
    del record["data"]["mode"]
    _, rows = read(con, jsonl(record))
    assert rows[0]["suara_paslon_2"] == "107"


def test_null_chart_key_is_ignored(con: duckdb.DuckDBPyConnection) -> None:
    for paslon in (PPWP, None):
        con.execute("DROP TABLE IF EXISTS t")
        raw, _ = read(con, jsonl(wrapper()), paslon=paslon)
        assert [h for h in raw.headers if h.startswith("suara_paslon")] == [
            "suara_paslon_1", "suara_paslon_2", "suara_paslon_3",
        ]


def test_candidate_with_null_value_keeps_its_column(con: duckdb.DuckDBPyConnection) -> None:
    # One of 13 real TPS: a chart with one candidate null. Without a table the id still counts,
    # otherwise 100027 would be numbered 2.
    record = wrapper(chart={"null": None, "100025": 10, "100026": None, "100027": 7})
    for paslon in (PPWP, None):
        con.execute("DROP TABLE IF EXISTS t")
        _, rows = read(con, jsonl(record), paslon=paslon)
        assert [rows[0][f"suara_paslon_{n}"] for n in (1, 2, 3)] == ["10", None, "7"]


def test_odd_values_are_kept_as_text_for_s002(con: duckdb.DuckDBPyConnection) -> None:
    chart = {"100025": 12.0, "100026": -5, "100027": "7a"}
    administrasi = {"suara_sah": True, "pemilih_dpt_j": [1, 2], "pemilih_dpt_l": {"x": 1}, "pemilih_dpt_p": 1.5}
    _, rows = read(con, jsonl(wrapper(chart=chart, administrasi=administrasi), wrapper("3101011001002")))
    first = rows[0]
    assert [first[f"suara_paslon_{n}"] for n in (1, 2, 3)] == ["12.0", "-5", "7a"]
    assert (first["suara_sah"], first["pemilih_dpt_j"], first["pemilih_dpt_l"], first["pemilih_dpt_p"]) == (
        "true", "[1, 2]", '{"x": 1}', "1.5",
    )
    assert rows[1]["suara_sah"] == "228"


def test_huge_and_nan_numbers_are_kept(con: duckdb.DuckDBPyConnection) -> None:
    data = b'{"kode_tps": "3101011001001", "data": {"chart": {"100025": 18446744073709551616, "100026": NaN}}}\n'
    _, rows = read(con, data)
    assert (rows[0]["suara_paslon_1"], rows[0]["suara_paslon_2"]) == ("18446744073709551616", "NaN")


def test_exact_duplicate_lines_are_kept(con: duckdb.DuckDBPyConnection) -> None:
    line = jsonl(wrapper())
    raw, rows = read(con, line + line + jsonl(wrapper("3101011001002")) + line)
    assert raw.rows == 4 and [r["_row"] for r in rows] == [1, 2, 3, 4]
    assert sum(r["kode_tps"] == "3101011001001" for r in rows) == 3


def test_unknown_administrasi_keys_are_named_in_a_note(con: duckdb.DuckDBPyConnection) -> None:
    administrasi = {"suara_sah": 1, "status_foo": 3, "kode_tps": "9999999999999", "suara_paslon_1": 4}
    raw, rows = read(con, jsonl(wrapper(administrasi=administrasi)))
    assert "status_foo" not in raw.headers and rows[0]["kode_tps"] == "3101011001001"
    assert rows[0]["suara_paslon_1"] == "83"
    assert raw.notes[-1] == (
        "kunci administrasi yang bukan kolom rekap diabaikan: kode_tps, status_foo, suara_paslon_1"
    )


def test_quoted_table_name(con: duckdb.DuckDBPyConnection) -> None:
    raw = read_sirekap(con, jsonl(wrapper()), 'my "odd" table', "x.jsonl", PPWP)
    assert con.execute('SELECT count(*) FROM "my ""odd"" table"').fetchone() == (1,)
    assert raw.table == 'my "odd" table'
    assert not [v for (v,) in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()]


# --- candidate numbering ------------------------------------------------------------------------------


def test_without_table_ids_are_numbered_ascending_with_a_note(con: duckdb.DuckDBPyConnection) -> None:
    chart = {"100027": 1, "null": None, "100025": 3, "100026": 2}
    raw, rows = read(con, jsonl(wrapper(chart=chart)), paslon=None)
    assert [rows[0][f"suara_paslon_{n}"] for n in (1, 2, 3)] == ["3", "2", "1"]
    assert raw.notes[1] == (
        "id paslon dinomori menurut urutan id dari kecil ke besar: 100025→1, 100026→2, 100027→3 (berikan --paslon agar pasti)"
    )


def test_unknown_id_with_table_names_line_and_id(con: duckdb.DuckDBPyConnection) -> None:
    data = jsonl(wrapper(), wrapper("3101011001002", chart={"100025": 1, "100099": 4}))
    err = error_of(con, data, paslon=PPWP)
    assert err.message == "input.jsonl baris 2: id paslon 100099 tidak ada di tabel --paslon"
    assert err.hint == "rekaman ini dari pemilihan lain (mis. pdpd) atau tabel --paslon belum lengkap"


def test_unknown_id_with_null_value_is_ignored(con: duckdb.DuckDBPyConnection) -> None:
    raw, rows = read(con, jsonl(wrapper(chart={"100025": 1, "100099": None})))
    assert [h for h in raw.headers if h.startswith("suara_paslon")] == ["suara_paslon_1"]


def test_null_key_with_a_value_is_not_dropped(con: duckdb.DuckDBPyConnection) -> None:
    data = jsonl(wrapper(chart={"100025": 1, "null": 9}))
    assert "id paslon null" in error_of(con, data, paslon=PPWP).message
    assert "kunci chart 'null' (nilai 9)" in error_of(con, data, paslon=None).message


def test_two_ids_with_one_number_in_a_record(con: duckdb.DuckDBPyConnection) -> None:
    err = error_of(con, jsonl(wrapper(chart={"1000105": 1, "2000001": 2})), paslon={"1000105": 1, "2000001": 1})
    assert "baris 1: id paslon 1000105 dan 2000001 sama-sama bernomor urut 1" in err.message


def test_pilkada_regions_share_numbers_through_the_table(con: duckdb.DuckDBPyConnection) -> None:
    table = {"1000105": 1, "1000106": 2, "1000200": 1, "1000201": 2}
    data = jsonl(
        wrapper("1101011001001", race="pkwkk", chart={"1000105": 10, "1000106": 20}),
        wrapper("1102011001001", race="pkwkk", chart={"1000200": 30, "1000201": 40}),
    )
    _, rows = read(con, data, paslon=table)
    assert [(r["suara_paslon_1"], r["suara_paslon_2"]) for r in rows] == [("10", "20"), ("30", "40")]


def test_without_table_pilkada_ids_are_refused(con: duckdb.DuckDBPyConnection) -> None:
    # Pilkada ids are not always in ballot order, so ranking them could swap two candidates.
    data = jsonl(wrapper("1101011001001", race="pkwkk", chart={"1000105": 10, "1000106": 20}))
    err = error_of(con, data, paslon=None)
    assert "memerlukan tabel paslon" in err.message
    assert err.hint is not None and "--paslon" in err.hint


def test_without_table_disjoint_id_sets_are_refused(con: duckdb.DuckDBPyConnection) -> None:
    data = jsonl(
        wrapper("1101011001001", race="ppwp", chart={"1000105": 10, "1000106": 20}),
        wrapper("1101011001002", race="ppwp", chart={"1000105": 1}),
        wrapper("1102011001001", race="ppwp", chart={"1000200": 30, "1000201": 40}),
    )
    err = error_of(con, data, paslon=None)
    assert err.message.startswith("input.jsonl: baris 1 (id 1000105, 1000106) dan baris 3 (id 1000200, 1000201)")
    assert err.hint is not None and "--paslon" in err.hint


def test_without_table_more_than_twenty_ids_are_refused(con: duckdb.DuckDBPyConnection) -> None:
    chart = {str(695637 + i): i for i in range(30)}
    assert "30 id paslon" in error_of(con, jsonl(wrapper(chart=chart)), paslon=None).message


# --- mixed races ----------------------------------------------------------------------------------------


def mixed_file() -> bytes:
    dpd_chart = {str(695637 + i): i for i in range(5)} | {"null": None}
    return jsonl(
        wrapper("3101011001001"),
        wrapper("3101011001002"),
        wrapper("1101012001001", race="pdpd", chart=dpd_chart),
    )


def test_mixed_races_with_table_tell_the_user_to_split(con: duckdb.DuckDBPyConnection) -> None:
    err = error_of(con, mixed_file(), paslon=PPWP)
    assert err.message == (
        "input.jsonl baris 3: id paslon 695637 tidak ada di tabel --paslon; rekaman pdpd ini ada di berkas yang "
        "mencampur beberapa pemilihan (ppwp 2, pdpd 1)"
    )
    assert err.hint is not None and "grep -F '/hhcw/ppwp/'" in err.hint


def test_mixed_races_without_table_are_refused(con: duckdb.DuckDBPyConnection) -> None:
    err = error_of(con, mixed_file(), paslon=None)
    assert "mencampur beberapa pemilihan (ppwp 2, pdpd 1; baris 1 adalah ppwp, baris 3 adalah pdpd)" in err.message


def test_mixed_races_are_fine_when_every_id_is_numbered(con: duckdb.DuckDBPyConnection) -> None:
    table = PPWP | {"1000032": 1, "1000033": 2}
    data = jsonl(wrapper(), wrapper("3101011001002", race="pkwkp", chart={"1000032": 5, "1000033": 6}))
    raw, rows = read(con, data, paslon=table)
    assert [(r["jenis_pemilihan"], r["suara_paslon_1"]) for r in rows] == [("ppwp", "83"), ("pkwkp", "5")]
    assert raw.notes[-1] == "pemilihan dalam berkas ini: ppwp 1, pkwkp 1 (dipisahkan menurut jenis_pemilihan)"


def test_minority_race_without_votes_has_nothing_to_number(con: duckdb.DuckDBPyConnection) -> None:
    data = jsonl(wrapper(), wrapper("1101012001001", race="pdpd", chart=None))
    for paslon in (PPWP, None):
        con.execute("DROP TABLE IF EXISTS t")
        _, rows = read(con, data, paslon=paslon)
        assert [r["jenis_pemilihan"] for r in rows] == ["ppwp", "pdpd"]


# --- unreadable input ---------------------------------------------------------------------------------


def test_invalid_json_line_is_named(con: duckdb.DuckDBPyConnection) -> None:
    data = jsonl(wrapper()) + b'{"kode_tps": "3101011001002", "data": {\n' + jsonl(wrapper())
    err = error_of(con, data, paslon=PPWP)
    assert err.message.startswith("input.jsonl baris 2: JSON tidak sah (")


def test_invalid_first_line_and_broken_array(con: duckdb.DuckDBPyConnection) -> None:
    assert error_of(con, b'{"a": }\n{}\n').message.startswith("input.jsonl baris 1: JSON tidak sah (diharapkan sebuah nilai")
    assert error_of(con, b'[\n{"data": {}},\n{"data": ]\n').message.startswith("input.jsonl baris 3: JSON tidak sah")


def test_overlong_integer_is_an_input_error(con: duckdb.DuckDBPyConnection) -> None:
    line = b'{"kode_tps": "1", "data": {"chart": {"1": ' + b"9" * 5000 + b"}}}\n"
    assert error_of(con, jsonl(wrapper()) + line).message.startswith(
        "input.jsonl baris 2: JSON tidak sah (Exceeds the limit (4300 digits) for integer string conversion"
    )
    assert error_of(con, line + jsonl(wrapper())).message.startswith("input.jsonl baris 1: JSON tidak sah (Exceeds")
    array = b"[\n" + line.replace(b"}}}", b"}}},") + b"{}]"
    # Inside a multi-line document the parser gives no position, so no line is named.
    assert error_of(con, array).message.startswith("input.jsonl: JSON tidak sah (Exceeds")


@pytest.mark.parametrize(
    ("data", "start"),
    [
        (b'{"foo": 1}', "input.jsonl baris 1: bukan rekaman TPS Sirekap (ditemukan objek dengan kunci foo)"),
        (b'{\n"foo": 1}', "input.jsonl: bukan rekaman TPS Sirekap (ditemukan objek dengan kunci foo)"),
        (b"[1, 2, 3]", "input.jsonl elemen 1: bukan rekaman TPS Sirekap (ditemukan angka)"),
        (b"42", "input.jsonl: bukan rekaman TPS Sirekap (ditemukan angka)"),
        (b'{"data": null, "url": "x"}', "input.jsonl baris 1: bukan rekaman TPS Sirekap"),
        (b'{"data": {"foo": 1}}\n{"data": {"foo": 1}}', "input.jsonl baris 1: bukan rekaman TPS Sirekap"),
        (jsonl(wrapper()) + b"[1]\n", "input.jsonl baris 2: bukan rekaman TPS Sirekap (ditemukan array)"),
    ],
)
def test_not_sirekap(con: duckdb.DuckDBPyConnection, data: bytes, start: str) -> None:
    err = error_of(con, data)
    assert err.message.startswith(start) and err.hint is not None


def test_region_recap_is_not_a_tps_record(con: duckdb.DuckDBPyConnection) -> None:
    recap = {"mode": "hhcw", "chart": {"100025": 5}, "table": {"3101": {"100025": 5}}, "ts": "x"}
    assert "rekap wilayah" in error_of(con, json.dumps(recap).encode(), filename_hint="31.json").message


@pytest.mark.parametrize("field", ["chart", "administrasi"])
def test_chart_or_administrasi_of_the_wrong_type(con: duckdb.DuckDBPyConnection, field: str) -> None:
    odd: dict[str, Any] = {field: [1, 2]}
    err = error_of(con, jsonl(wrapper(**odd), wrapper()))
    assert err.message == f"input.jsonl baris 1: `{field}` berisi array, diharapkan objek atau null"


@pytest.mark.parametrize(
    "data",
    [
        b"[" * 100_000,
        b"[" * 100_000 + b"]" * 100_000,
        jsonl(wrapper()) + b'{"data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n",
        b'{"data": {"chart": ' + b'{"a":' * 100_000 + b"1" + b"}" * 100_000 + b"}}",
    ],
    ids=["open-brackets", "balanced", "jsonl-line", "object"],
)
def test_deeply_nested_json_is_an_input_error(con: duckdb.DuckDBPyConnection, data: bytes) -> None:
    err = error_of(con, data, filename_hint="3101011001001.json")
    assert "input.jsonl" in err.message


@pytest.mark.parametrize("line", [1, 2])
def test_jsonl_deep_line_is_named(con: duckdb.DuckDBPyConnection, line: int) -> None:
    deep = b'{"data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n"
    data = deep + jsonl(wrapper()) if line == 1 else jsonl(wrapper()) + deep
    assert error_of(con, data).message == f"input.jsonl baris {line}: JSON bersarang terlalu dalam untuk sebuah rekaman TPS Sirekap"


def test_odd_keys_stay_on_one_line_in_messages(con: duckdb.DuckDBPyConnection) -> None:
    data = jsonl(wrapper(chart={"100025": 1, "bad\nkey" + "x" * 100: 2}), wrapper())
    assert "id paslon 'bad\\nkey" in error_of(con, data, paslon=PPWP).message
    assert "kunci chart 'bad\\nkey" in error_of(con, data, paslon=None).message


@pytest.mark.parametrize("data", [b"\xff\xfe{\x00}\x00", b'{"kode_tps": "\xe9"}'])
def test_undecodable_bytes(con: duckdb.DuckDBPyConnection, data: bytes) -> None:
    err = error_of(con, data)
    assert err.message.startswith("input.jsonl: bukan teks UTF-8 (byte 0x")


@pytest.mark.parametrize("data", [b"", b" \n\n", b"[]"])
def test_empty_input(con: duckdb.DuckDBPyConnection, data: bytes) -> None:
    assert "tidak ada rekaman TPS Sirekap" in error_of(con, data).message


# --- load_paslon ----------------------------------------------------------------------------------------


def write(tmp_path: Path, text: str, name: str = "paslon.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode())
    return path


def test_load_paslon_ppwp_format(tmp_path: Path) -> None:
    path = write(tmp_path, 'paslon_id,nomor_urut,nama,column\n100025,1,"A, B",suara_paslon_1\n100026,02,C,x\n')
    assert load_paslon(path) == {"100025": 1, "100026": 2}


def test_load_paslon_pilkada_format_and_semicolons(tmp_path: Path) -> None:
    text = "\ufeffelection;kode_wilayah;paslon_id;nomor_urut;nama\npkwkk;1101;1000105;1;X\n\npkwkk;1101;1000105;1;X\n"
    assert load_paslon(write(tmp_path, text)) == {"1000105": 1}


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("id,nomor\n1,1\n", "baris 1: tabel paslon memerlukan kolom paslon_id dan nomor_urut (ditemukan: id, nomor)"),
        ("paslon_id,nomor_urut\n100025,1\n100026,dua\n", "baris 3: nomor_urut 'dua' dari paslon_id 100026"),
        ("paslon_id,nomor_urut\n100025,1.0\n", "baris 2: nomor_urut '1.0' dari paslon_id 100025 bukan bilangan bulat"),
        ("paslon_id,nomor_urut\n100025,21\n", "baris 2: nomor_urut 21 dari paslon_id 100025 di luar 1..20"),
        ("paslon_id,nomor_urut\n100025,1\n100025,2\n", "baris 3: paslon_id 100025 bernomor urut 2 di sini tetapi 1 di baris 2"),
        ("paslon_id,nomor_urut\n,1\n", "baris 2: paslon_id kosong"),
        ("paslon_id,nomor_urut\n", ": tabel paslon tidak berisi pasangan calon"),
        ("", ": tabel paslon kosong"),
    ],
)
def test_load_paslon_errors_name_file_row_and_value(tmp_path: Path, text: str, start: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as caught:
        load_paslon(path)
    assert caught.value.message.startswith(f"{path}{'' if start.startswith(':') else ' '}{start}")


def test_load_paslon_unreadable(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="tabel paslon tidak dapat dibaca"):
        load_paslon(tmp_path / "missing.csv")
    path = tmp_path / "latin1.csv"
    path.write_bytes("paslon_id,nomor_urut,nama\n1,1,Jos\xe9\n".encode("latin-1"))
    with pytest.raises(InputError, match="bukan teks UTF-8"):
        load_paslon(path)


# --- real data -----------------------------------------------------------------------------------------


def independent_parse(line: str, paslon: dict[str, int]) -> dict[str, Any]:
    record = json.loads(line)
    data = record["data"]
    expected: dict[str, Any] = {"kode_tps": record["kode_tps"], "sumber": "sirekap", "ts": data["ts"]}
    for key, value in (data["administrasi"] or {}).items():
        expected[key] = None if value is None else str(value)
    for key, value in (data["chart"] or {}).items():
        if key in paslon:
            expected[f"suara_paslon_{paslon[key]}"] = None if value is None else str(value)
    return expected


@pytest.mark.real
def test_real_dki_sample_matches_an_independent_parse(con: duckdb.DuckDBPyConnection) -> None:
    if not REAL.is_dir():
        pytest.skip("shared/data/real is absent")
    paslon = load_paslon(REAL / "ppwp2024_paslon.csv")
    assert paslon == PPWP
    path = REAL / "raw" / "sirekap_ppwp_tps_raw_dki_sample.jsonl"
    raw, rows = read(con, path.read_bytes(), paslon=paslon)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert raw.rows == len(rows) == len(lines) == 1053
    assert len({r["kode_tps"] for r in rows}) == 1000
    assert {r["jenis_pemilihan"] for r in rows} == {"ppwp"}
    for row, line in zip(rows, lines, strict=True):
        expected = independent_parse(line, paslon)
        got = {k: v for k, v in row.items() if k not in ("_row", "jenis_pemilihan") and v is not None}
        assert got == {k: v for k, v in expected.items() if v is not None}, row["_row"]
    # Spot check of the mapping itself: chart id 100026 is Prabowo-Gibran, nomor urut 2.
    charts = [json.loads(line)["data"]["chart"] for line in lines]
    picked = [(r["suara_paslon_2"], c.get("100026")) for r, c in zip(rows, charts, strict=True) if c]
    assert len(picked) > 400 and all(got == (None if v is None else str(v)) for got, v in picked)
    # One real chart is just {"null": null}: present, yet no votes.
    assert sum(r["suara_paslon_1"] is None for r in rows) == sum(not c or c.get("100025") is None for c in charts)

    con.execute("DROP TABLE t")
    raw_ranked, ranked = read(con, path.read_bytes(), paslon=None)
    assert ranked == rows
    assert raw_ranked.notes[1] == (
        "id paslon dinomori menurut urutan id dari kecil ke besar: 100025→1, 100026→2, 100027→3 (berikan --paslon agar pasti)"
    )


@pytest.mark.real
def test_real_zakiego_pdpd_line_is_refused_and_ppwp_lines_read(con: duckdb.DuckDBPyConnection) -> None:
    if not REAL.is_dir():
        pytest.skip("shared/data/real is absent")
    path = REAL / "raw" / "sirekap_pemilu_tps_raw_examples_zakiego.jsonl"
    data = path.read_bytes()
    err = error_of(con, data, paslon=load_paslon(REAL / "ppwp2024_paslon.csv"))
    assert err.message.startswith("input.jsonl baris 3: id paslon 695637 tidak ada di tabel --paslon")
    assert "rekaman pdpd ini ada di berkas yang mencampur beberapa pemilihan (ppwp 2, pdpd 1)" in err.message
    assert "mencampur beberapa pemilihan" in error_of(con, data, paslon=None).message

    ppwp_lines = b"".join(line for line in data.splitlines(keepends=True) if b"/hhcw/ppwp/" in line)
    _, rows = read(con, ppwp_lines)
    assert [(r["kode_tps"], r["suara_paslon_2"], r["pemilih_dpt_j"]) for r in rows] == [
        ("3501012001001", "139", "185"), ("3501012009007", "116", "226"),
    ]


@pytest.mark.real
def test_real_pilkada_table_loads(con: duckdb.DuckDBPyConnection) -> None:
    if not REAL.is_dir():
        pytest.skip("shared/data/real is absent")
    table = load_paslon(REAL / "pilkada2024_paslon.csv")
    assert len(table) == 1594 and table["1000105"] == 1
    # Why the ascending-id fallback says "give --paslon": in some races ids are not in ballot order.
    assert (table["1000243"], table["1000244"]) == (2, 1)
    data = jsonl(wrapper("1223011001001", race="pkwkk", chart={"1000243": 50, "1000244": 70}))
    _, rows = read(con, data, paslon=table)
    assert (rows[0]["suara_paslon_1"], rows[0]["suara_paslon_2"]) == ("70", "50")


# --- read from a file, line by line ---------------------------------------------------------------------

W1, W2 = json.dumps(wrapper()), json.dumps(wrapper("3101011001002"))
STREAM_CASES: dict[str, tuple[bytes, dict[str, int] | None]] = {
    "plain": (jsonl(wrapper(), wrapper("3101011001002")), PPWP),
    "blank lines, CRLF, BOM": (b"\xef\xbb\xbf\r\n" + W1.encode() + b"\r\n\r\n  \n" + W2.encode() + b"\r\n", PPWP),
    "no final newline": ((W1 + "\n" + W2).encode(), PPWP),
    "by rank": (jsonl(wrapper(), wrapper("3101011001002")), None),
    "invalid JSON on line 3": ((W1 + "\n" + W2 + "\n{oops\n").encode(), PPWP),
    "encoding error after a JSON error": (b"{oops\n" + W1.encode() + b"\n\xff\n", PPWP),
    "encoding error after a BOM": (b"\xef\xbb\xbf" + W1.encode() + b"\n\xe9\n", PPWP),
    "first line an array": (b"[1]\n" + W1.encode() + b"\n", PPWP),
    "first value over two lines": (b'{"kode_tps":\n"3101011001001"}\n' + W1.encode() + b"\n", PPWP),
    "a record that is not Sirekap after a numbering problem": (
        jsonl(wrapper(chart={"999": 5}), wrapper("3101011001002"), {"x": 1}), PPWP),
    "numbering problem in a mixed file": (jsonl(wrapper(chart={"999": 5}), wrapper("3101011001002", race="pkwkp")), PPWP),
    "one line": (jsonl(wrapper()), PPWP),
}


@pytest.mark.parametrize("case", list(STREAM_CASES))
def test_a_file_read_line_by_line_gives_what_its_bytes_give(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, case: str
) -> None:
    """Large JSON Lines files are parsed from the file a line at a time; the table, the notes and the
    error (which one, and its text) must be those of reading the same bytes at once."""
    data, paslon = STREAM_CASES[case]
    path = tmp_path / "input.jsonl"
    path.write_bytes(data)

    def outcome(source: bytes | Path, table: str) -> object:
        try:
            raw = read_sirekap(con, source, table, "input.jsonl", paslon=paslon)
        except InputError as exc:
            return ("error", exc.message, exc.hint)
        return (raw.headers, raw.rows, raw.notes, text_rows(con, table))

    assert outcome(path, "from_file") == outcome(data, "from_bytes")


def test_encoding_error_names_the_byte_and_its_offset_in_the_file(con: duckdb.DuckDBPyConnection) -> None:
    # With a byte-order mark the offset still counts from the file's first byte.
    assert "byte 0xe9 pada posisi 5" in error_of(con, b"\xef\xbb\xbf{\"\xe9\"}").message
    assert "byte 0xe9 pada posisi 2" in error_of(con, b"{\"\xe9\"}").message


# --- JSON Lines read by DuckDB's JSON reader --------------------------------------------------------------

W3 = json.dumps(wrapper("3101011001003", chart={"null": None, "100025": 1, "100027": None}, administrasi=None))
FAST_CASES: dict[str, tuple[bytes, dict[str, int] | None]] = {
    **STREAM_CASES,
    "values of every kind": (jsonl(
        wrapper(administrasi={"suara_sah": "12", "suara_total": "1.5", "pemilih_dpt_j": -3, "pemilih_dpt_l": 2 ** 63}),
        wrapper("3101011001002", administrasi={"suara_sah": 1.0, "suara_total": True, "pemilih_dpt_j": [1]}),
    ), PPWP),
    "strings with escapes": (jsonl(
        wrapper(administrasi={"suara_sah": "1\n2", "suara_total": "é\"/", "pemilih_dpt_j": ""}),
        wrapper("3101011001002", ts=None)), PPWP),
    "unknown administrasi keys and late columns": (jsonl(
        wrapper(administrasi={"suara_sah": 5, "foo": 1}), wrapper("3101011001002", administrasi={"bar": 2}),
        wrapper("3101011001003", administrasi={"ss_rusak": 3}), json.loads(W3)), None),
    "bare records, kode from url, path or source_file": (jsonl(
        {"url": URL.format(race="ppwp", kode="3101011001001"), **tps_data()},
        {"path": "x/hhcw/ppwp/31/3101011001002.json?x=1", **tps_data(ts=5)},
        {"source_file": "a\\3101011001003.json", "kode_tps": "", **tps_data(chart=None)},
        {"kode_tps": 3101011001004, **tps_data(chart={})}), PPWP),
    "kode_tps of an odd type": (jsonl(wrapper(), {"kode_tps": 1.5, "data": tps_data()}), PPWP),
    "url with a final newline": (jsonl({"url": "u/3101011001001.json\n", **tps_data()}, wrapper()), PPWP),
    "duplicate keys": (b'{"kode_tps": "3101011001001", "kode_tps": "3101011001009", "data": {"chart": null}}\n'
                       + W1.encode() + b"\n", PPWP),
    "duplicate chart key": (W1.encode() + b'\n{"kode_tps": "3101011001002", "data": {"chart": {"100025": 1, '
                            b'"100025": 2}}}\n', PPWP),
    "duplicate administrasi key": (W1.encode() + b'\n{"kode_tps": "3101011001002", "data": {"administrasi": '
                                   b'{"suara_sah": 1, "suara_sah": 2}}}\n', PPWP),
    "escaped key": (W1.encode() + b'\n{"kode_tps": "3101011001002", "d\\u0061ta": {"chart": null}, "chart": {}}\n',
                    PPWP),
    "trailing comma": (W1.encode() + b'\n{"kode_tps": "3101011001002", "chart": {},}\n', PPWP),
    "NaN and Infinity": (W1.encode() + b'\n{"kode_tps": "3101011001002", "chart": {"100025": NaN}, "x": Infinity}\n',
                         PPWP),
    "deep value in an ignored key": (W1.encode() + b'\n{"kode_tps": "3101011001002", "chart": {}, "x": '
                                     + b"[" * 3000 + b"]" * 3000 + b"}\n", PPWP),
    "two values on a line": (W1.encode() + b"\n" + W2.encode() + b" " + W2.encode() + b"\n", PPWP),
    "blank line in the middle": (W1.encode() + b"\n\n" + W2.encode() + b"\n", PPWP),
    "spaces line": (W1.encode() + b"\n   \n" + W2.encode() + b"\n", PPWP),
    "region recap": (W1.encode() + b'\n{"kode_tps": "3101011001002", "data": {"chart": {}, "table": {}}}\n', PPWP),
    "data without body keys": (W1.encode() + b'\n{"kode_tps": "3101011001002", "data": {"x": 1}, "chart": null}\n',
                               PPWP),
    "not a record": (W1.encode() + b'\n{"hello": 1}\n', PPWP),
    "chart of the wrong type": (W1.encode() + b'\n{"kode_tps": "3101011001002", "chart": [1]}\n', PPWP),
    "administrasi of the wrong type": (W1.encode() + b'\n{"kode_tps": "3101011001002", "administrasi": 5}\n', PPWP),
    "no kode_tps": (W1.encode() + b'\n{"url": "x", "chart": null}\n', PPWP),
    "unknown id with a table": (jsonl(wrapper(), wrapper("3101011001002", chart={"999": 5})), PPWP),
    "null-valued unknown id with a table": (jsonl(wrapper(), wrapper("3101011001002", chart={"999": None})), PPWP),
    "non-id chart key": (jsonl(wrapper(), wrapper("3101011001002", chart={"abc": 5})), None),
    "mixed races numbered": (jsonl(wrapper(), wrapper("3101011001002", race="pkwkp", chart=None),
                                   wrapper("3101011001003", race="pkwkp", chart=None)), PPWP),
    "mixed races by rank": (jsonl(wrapper(), wrapper("3101011001002", race="pdpd")), None),
    "pilkada by rank": (jsonl(wrapper(race="pkwkk"), wrapper("3101011001002", race="pkwkk")), None),
    "disjoint ids by rank": (jsonl(wrapper(), wrapper("3101011001002", chart={"7": 1, "8": 2})), None),
    "two ids one number": (jsonl(wrapper(), wrapper("3101011001002", chart={"100025": 1, "200025": 2})),
                           {**PPWP, "200025": 1}),
    "control character": (W1.encode() + b'\n{"kode_tps": "3101011001002", "chart": {"100025": "a\tb"}}\n', PPWP),
    "invalid UTF-8 in a string": (W1.encode() + b'\n{"kode_tps": "3101011001002", "ts": "\xff"}\n', PPWP),
    "huge integer": (W1.encode() + b'\n{"kode_tps": "3101011001002", "chart": {"100025": ' + b"9" * 30 + b"}}\n", PPWP),
    "minus zero": (W1.encode() + b'\n{"kode_tps": "3101011001002", "chart": {"100025": -0}}\n', PPWP),
}


@pytest.mark.parametrize("case", list(FAST_CASES))
def test_duckdb_reads_json_lines_as_the_python_path_does(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    """Files read by DuckDB's JSON reader (any size here) give the table, notes and error of the Python
    path, or leave the file to it."""
    monkeypatch.setattr(sirekap, "_FAST_MIN_BYTES", 0)
    data, paslon = FAST_CASES[case]
    path = tmp_path / "input.jsonl"
    path.write_bytes(data)

    def outcome(source: bytes | Path, table: str) -> object:
        try:
            raw = read_sirekap(con, source, table, "input.jsonl", paslon=paslon)
        except InputError as exc:
            return ("error", exc.message, exc.hint)
        return (raw.headers, raw.rows, raw.notes, *text_rows(con, table))

    assert outcome(path, "from_file") == outcome(data, "from_bytes")


@pytest.mark.parametrize("case", ["plain", "by rank", "values of every kind",
                                  "unknown administrasi keys and late columns",
                                  "bare records, kode from url, path or source_file", "mixed races numbered",
                                  "null-valued unknown id with a table", "minus zero"])
def test_plain_json_lines_take_the_duckdb_path(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    monkeypatch.setattr(sirekap, "_FAST_MIN_BYTES", 0)
    data, paslon = FAST_CASES[case]
    path = tmp_path / "input.jsonl"
    path.write_bytes(data)
    if case in ("values of every kind",):
        assert sirekap._fast_json_lines(con, path, "t", "input.jsonl", paslon) is None
    else:
        assert sirekap._fast_json_lines(con, path, "t", "input.jsonl", paslon) is not None


def test_half_a_surrogate_pair_is_an_input_error_naming_line_and_column(con: duckdb.DuckDBPyConnection) -> None:
    """`"\\ud800"` is valid JSON but no UTF-8 text: one line naming where, not an internal error."""
    data = jsonl(wrapper(), wrapper(kode="3101011001002", ts="2024\ud800x"))
    err = error_of(con, data, paslon=PPWP)
    assert err.message == "input.jsonl baris 2: ts berisi escape Unicode yang tidak sah (2024\\ud800x)"
    assert err.hint is not None and "berpasangan" in err.hint


# --- JSON Lines of one layout: RE2 over the lines, then DuckDB's typed read -------------------------------

TYPED_CASES = ["plain", "by rank", "no final newline", "mixed races numbered", "compact", "bare records",
               "unknown administrasi key", "chart null everywhere", "kode from url", "negative and null counts"]


def _compact(*records: Any) -> bytes:
    return "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in records).encode()


FAST_CASES.update({
    "compact": (_compact(wrapper(), wrapper("3101011001002", chart=None), wrapper("3101011001003", administrasi=None)),
                PPWP),
    "bare records": (jsonl(*({"url": URL.format(race="ppwp", kode=f"310101100100{i}"), **tps_data()} for i in range(3))),
                     None),
    "unknown administrasi key": (jsonl(wrapper(administrasi={"suara_sah": 1, "foo": 2}),
                                       wrapper("3101011001002", administrasi={"suara_sah": 3, "foo": None})), None),
    "chart null everywhere": (jsonl(wrapper(chart=None), wrapper("3101011001002", chart=None)), PPWP),
    "kode from url": (jsonl(*({"url": URL.format(race="ppwp", kode=f"310101100100{i}"), "data": tps_data()}
                              for i in range(3))), PPWP),
    "negative and null counts": (jsonl(wrapper(chart={"null": None, "100025": -5, "100026": None, "100027": 0}),
                                       wrapper("3101011001002", administrasi={"suara_sah": None, "pemilih_dpt_j": -1,
                                                                              "pemilih_dpt_l": 0, "pemilih_dpt_p": 9})),
                                 None),
    # one layout, but something the typed read must not accept
    "one layout, a string count": (jsonl(wrapper(), wrapper("3101011001002", chart={"null": None, "100025": "7",
                                                                                    "100026": 1, "100027": 2})), PPWP),
    "one layout, a float count": (jsonl(wrapper(), wrapper("3101011001002", chart={"null": None, "100025": 7.0,
                                                                                   "100026": 1, "100027": 2})), PPWP),
    "one layout, a ten-digit count": (jsonl(wrapper(), wrapper("3101011001002", administrasi={
        "suara_sah": 1234567890, "pemilih_dpt_j": 1, "pemilih_dpt_l": 1, "pemilih_dpt_p": 1})), PPWP),
    "one layout, a null id with a value": (jsonl(wrapper(), wrapper("3101011001002", chart={
        "null": 5, "100025": 1, "100026": 1, "100027": 2})), None),
    "one layout, an empty kode_tps": (jsonl(wrapper(), wrapper("")), PPWP),
    "one layout, a duplicate key": (W1.encode() + b"\n" + W1.replace('"kode_tps": "3101011001001"', '"kode_tps": "3101011001001", "kode_tps": "3101011001009"').encode() + b"\n", PPWP),
    "one layout, an escape": (W1.encode() + b"\n" + W1.replace("2024-", "2024\\u002d").encode() + b"\n", PPWP),
    "one layout, a trailing comma": (W1.encode() + b"\n" + W1.replace('"psu": null', '"psu": [1,]').encode() + b"\n", PPWP),
    "one layout, a tab": (W1.encode() + b"\n" + W1.replace('"psu": null', '"psu":\tnull').encode() + b"\n", PPWP),
    "one layout, keys in another order": (jsonl(wrapper(), {"url": URL.format(race="ppwp", kode="3101011001002"),
                                                             "kode_tps": "3101011001002", "data": tps_data()}), PPWP),
    "one layout, an empty chart": (jsonl(wrapper(), wrapper("3101011001002", chart={})), None),
})


@pytest.mark.parametrize("case", [c for c in FAST_CASES if c.startswith("one layout") or c in TYPED_CASES])
def test_typed_read_gives_what_the_python_path_gives(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    """A file whose lines all have the first record's layout is read by RE2 + read_ndjson; anything that
    could read differently leaves it to the paths after it, which give the Python path's answer."""
    monkeypatch.setattr(sirekap, "_FAST_MIN_BYTES", 0)
    data, paslon = FAST_CASES[case]
    path = tmp_path / "input.jsonl"
    path.write_bytes(data)
    lines = sirekap._plain_lines(path)
    assert lines is not None
    typed = sirekap._typed_json_lines(con, path, "typed", "input.jsonl", paslon, lines)
    assert (typed is not None) == (case in TYPED_CASES)
    try:
        raw = read_sirekap(con, data, "from_bytes", "input.jsonl", paslon=paslon)
    except InputError:
        assert typed is None
        return
    assert typed is None or (typed.headers, typed.rows, typed.notes) == (raw.headers, raw.rows, raw.notes)
    if typed is not None:
        assert text_rows(con, "typed") == text_rows(con, "from_bytes")
        types = dict(con.execute('SELECT column_name, column_type FROM (DESCRIBE "typed")').fetchall())
        assert {types[h] for h in typed.headers if h not in ("kode_tps", "jenis_pemilihan", "sumber", "ts")} <= {
            "INTEGER"}


def test_without_the_typed_read_the_json_reader_still_gives_the_python_answer(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sirekap, "_FAST_MIN_BYTES", 0)
    monkeypatch.setattr(sirekap, "_TYPED", False)
    for case in TYPED_CASES:
        data, paslon = FAST_CASES[case]
        path = tmp_path / "input.jsonl"
        path.write_bytes(data)
        fast = sirekap._fast_json_lines(con, path, "fast", "input.jsonl", paslon)
        raw = read_sirekap(con, data, "from_bytes", "input.jsonl", paslon=paslon)
        if fast is not None:
            assert (fast.headers, fast.rows, fast.notes) == (raw.headers, raw.rows, raw.notes)
            assert text_rows(con, "fast") == text_rows(con, "from_bytes")


_clean_counts = st.one_of(st.none(), st.integers(-5, 999), st.integers(-(10**9), 10**9))
_any_counts = st.one_of(_clean_counts, st.integers(-(10**11), 10**11), st.booleans(),
                        st.floats(allow_nan=False, allow_infinity=False), st.sampled_from(["7", "", "1.5", "x"]))


def _records(counts: st.SearchStrategy[Any]) -> st.SearchStrategy[list[tuple[Any, Any, Any]]]:
    return st.lists(st.tuples(
        st.one_of(st.none(), st.fixed_dictionaries({k: counts for k in ("null", "100025", "100026")})),
        st.one_of(st.none(), st.fixed_dictionaries({k: counts for k in ("suara_sah", "pemilih_dpt_j", "x")})),
        st.one_of(st.none(), st.text(max_size=3), st.integers(-5, 5)),
    ), min_size=2, max_size=4)


@settings(max_examples=int(os.environ.get("REKAP_FUZZ_EXAMPLES", "60")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    records=st.one_of(_records(_clean_counts), _records(_any_counts)),
    compact=st.booleans(),
    paslon=st.sampled_from([None, PPWP]),
)
def test_typed_read_agrees_with_the_python_path_on_any_values(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    records: list[tuple[Any, Any, Any]], compact: bool, paslon: dict[str, int] | None,
) -> None:
    monkeypatch.setattr(sirekap, "_FAST_MIN_BYTES", 0)
    made = [wrapper(f"31010110010{i:02d}", chart=c, administrasi=a, ts=ts) for i, (c, a, ts) in enumerate(records)]
    data = _compact(*made) if compact else jsonl(*made)
    path = tmp_path / "input.jsonl"
    path.write_bytes(data)
    typed = sirekap._typed_json_lines(con, path, "typed", "input.jsonl", paslon, lambda: len(records))
    try:
        raw = read_sirekap(con, data, "from_bytes", "input.jsonl", paslon=paslon)
    except InputError:
        assert typed is None
        return
    if typed is not None:
        assert (typed.headers, typed.rows, typed.notes) == (raw.headers, raw.rows, raw.notes)
        assert text_rows(con, "typed") == text_rows(con, "from_bytes")


@pytest.mark.parametrize("case", ["CRLF line ends", "a CR inside a line", "a CR alone"])
def test_carriage_returns_with_the_line_count_of_the_scan(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    """With `scan_file`'s line count (as `rekap validate` reads) the typed read does not search for CR
    first: a CRLF line end reads as an LF one everywhere, any other CR fails its check or its count."""
    from rekap.io.base import scan_file

    monkeypatch.setattr(sirekap, "_FAST_MIN_BYTES", 0)
    data = jsonl(wrapper(), wrapper("3101011001002"), wrapper("3101011001003", chart=None))
    data = {"CRLF line ends": data.replace(b"\n", b"\r\n"),
            "a CR inside a line": data.replace(b'"psu": null', b'"psu":\rnull', 1),
            "a CR alone": data.replace(b"\n", b"\r", 1)}[case]
    path = tmp_path / "input.jsonl"
    path.write_bytes(data)
    lines = scan_file(path, sha256=False)[1]
    spy: list[RawTable | None] = []
    typed = sirekap._typed_json_lines
    monkeypatch.setattr(sirekap, "_typed_json_lines", lambda *a: spy.append(typed(*a)) or spy[-1])

    def outcome(source: bytes | Path, table: str) -> object:
        try:
            raw = read_sirekap(con, source, table, "input.jsonl", paslon=PPWP, lines=lambda: lines)
        except InputError as exc:
            return ("error", exc.message, exc.hint)
        return (raw.headers, raw.rows, raw.notes, *text_rows(con, table))

    assert outcome(path, "from_file") == outcome(data, "from_bytes")
    assert (spy[0] is not None) == (case == "CRLF line ends")
