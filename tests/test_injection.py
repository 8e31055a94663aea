"""Hostile text in the input (issue #5 item 5): spreadsheet formulas, SQL, markup.

1. Names, codes and file names that start like a formula (= + - @ tab CR) come out of every CSV as text
   (a leading apostrophe) and into every workbook as text cells (data type 's', the text unchanged).
2. Quotes, semicolons, `--`, SQL, backslashes and unicode in headers, sheet names, file names and cells
   never change what DuckDB runs: the data is read as data (or the run stops with one clean line).
3. The HTML report escapes everything it embeds.

Most checks read one `rekap run` bundle (and one `rekap aggregate -f xlsx`, `-f csv`, `rekap validate
-f csv`/`-f json`) of a small dataset holding every hostile string, built once for the module.
"""

from __future__ import annotations

import csv
import io
import json
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import CliResult, run_cli
from openpyxl import Workbook, load_workbook

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PREFIX_IDS = {"=": "equals", "+": "plus", "-": "minus", "@": "at", "\t": "tab", "\r": "cr"}
FORMULA_NAMES = {p: f'{p}HYPERLINK("http://x/{i}";"klik")' for i, p in enumerate(FORMULA_START)}
HTML_NAMES = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' onmouseover='alert(1)' x='",
    "</td></tr></table><iframe src=//x.example></iframe>",
    "&amp; &lt;b&gt; <!-- ]]>",
]
SQL_NAMES = [
    "'); DROP TABLE rk_raw; --",
    "Desa \"Kutip\" 'Tunggal'; SELECT 1;",
    "C:\\Windows\\system32\\ \\' \\\"",
    "Ünïcödé 日本語 — Kelurahan Ærø",
]
NAMES = [*FORMULA_NAMES.values(), *HTML_NAMES, *SQL_NAMES]
# Count cells that are not numbers: S002 findings that quote them.
BAD_CELLS = ["1; DROP TABLE rk_raw", "<b>12</b>", "'); DROP TABLE rk_raw; --"]
HTML_FILE = "<img src=x onerror=alert(2)>.csv"
# 61 more desa than the 60 a sheet shows side by side: the desa sheets are written in the long layout.
FILLER_DESA = 61

def starts_like_formula(text: str) -> bool:
    return text[:1] in FORMULA_START


def prefix_params() -> list[Any]:
    return [pytest.param(p, id=PREFIX_IDS[p]) for p in FORMULA_START]


def write_rows(path: Path, rows: list[dict[str, Any]]) -> Path:
    fields: list[str] = []
    for r in rows:
        fields += [k for k in r if k not in fields]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=fields, quoting=csv.QUOTE_ALL)
        w.writeheader()
        w.writerows(rows)
    return path


def form(kode: str, name: str | None, seed: int) -> dict[str, Any]:
    """A consistent Pemilu form (no A rule fires) with every name level set to `name`."""
    row: dict[str, Any] = {"kode_tps": kode}
    if name is not None:
        row.update(nama_prov=name, nama_kabkota=name, nama_kec=name, nama_desa=name, nama_tps=name)
    p1, p2 = 60 + seed % 50, 70 + seed % 40
    row.update(pemilih_dpt_l=100 + seed % 40, pemilih_dpt_p=110, suara_paslon_1=p1, suara_paslon_2=p2,
               suara_sah=p1 + p2, suara_tidak_sah=3, suara_total=p1 + p2 + 3)
    row["pemilih_dpt_j"] = row["pemilih_dpt_l"] + row["pemilih_dpt_p"]
    return row


def assert_clean(result: CliResult, codes: tuple[int, ...] = (0, 1)) -> None:
    assert result.code in codes, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr


def assert_clean_failure(result: CliResult) -> None:
    """Exit 2, one `rekap: galat:` line (`rekap: error:` in English) and at most a `saran:` (`hint:`)
    line, no traceback."""
    assert result.code == 2 and result.stdout == b"", result.stderr
    lines = result.stderr.splitlines()
    assert 1 <= len(lines) <= 2 and lines[0].startswith(("rekap: galat: ", "rekap: error: ")), result.stderr
    assert all(line.startswith(("saran: ", "hint: ")) for line in lines[1:]) and "Traceback" not in result.stderr


# --- the shared dataset and its outputs -----------------------------------------------------------------


@dataclass
class Outputs:
    root: Path
    bundle: Path
    expected_codes: dict[str, str]
    """Formula prefix → the code its S005 finding names (codes lose their white space: `\\t=33` → `=33`)."""
    source_names: dict[str, str]
    """Formula prefix → the input file whose name starts with it."""
    validate_csv: bytes
    validate_json: bytes
    aggregate_csv: bytes
    aggregate_json: bytes


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outputs]:
    root = tmp_path_factory.mktemp("hostile")
    rows = [form(f"{11 + i:02d}01011001001", name, i) for i, name in enumerate(NAMES)]
    rows += [form(f"{40 + i:02d}01011001001", f"Sel {i}", i) | {"suara_paslon_1": bad} for i, bad in enumerate(BAD_CELLS)]
    rows += [form(f"500101{1001 + i:04d}001", f"Desa isi {i}", i) for i in range(FILLER_DESA)]
    files = [write_rows(root / "data.csv", rows).name]
    expected_codes, source_names = {}, {}
    for i, p in enumerate(FORMULA_START):
        # One file per prefix, named with it, holding one TPS whose code starts with it too.
        code = f"{p}{31 + i}" if p.strip() else f"{p}={31 + i}"
        name = f"{p}sumber {i}.csv"
        write_rows(root / name, [form(code, None, i)])
        expected_codes[p], source_names[p] = code.strip(), name
        files.append(name)
    write_rows(root / HTML_FILE, [form("<script>alert(3)</script>", None, 0)])
    files.append(HTML_FILE)
    with pytest.MonkeyPatch.context() as mp, warnings.catch_warnings():
        # Relative names: a finding's `source` is the name as given, so it starts with the prefix.
        mp.chdir(root)
        warnings.simplefilter("ignore")  # matplotlib: no glyph for a tab or a CR in a chart label
        common = ["--election", "ppwp", "--"]
        run = run_cli(["run", "-o", "bundle", "-q", *common, *files])
        assert_clean(run, (1,))
        results = {}
        for key, args in {
            "validate_csv": ["validate", "-q", "-f", "csv"],
            "validate_json": ["validate", "-q", "-f", "json"],
            "aggregate_csv": ["aggregate", "-q", "-f", "csv"],
            "aggregate_json": ["aggregate", "-q", "-f", "json"],
        }.items():
            res = run_cli([*args, *common, *files])
            assert_clean(res)
            results[key] = res.stdout
        agg = run_cli(["aggregate", "-q", "-f", "xlsx", "-o", "agg.xlsx", *common, *files])
        assert_clean(agg, (0,))
    yield Outputs(root, root / "bundle", expected_codes, source_names, **results)


def read_csv_text(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def assert_csv_neutralised(csv_rows: list[dict[str, str]], raw_rows: list[dict[str, Any]]) -> None:
    """The CSV equals the raw records cell by cell, except that text starting like a formula has a
    leading apostrophe; numbers (a negative selisih) stay numbers."""
    assert len(csv_rows) == len(raw_rows) > 0
    for got, raw in zip(csv_rows, raw_rows, strict=True):
        assert list(got) == list(raw)
        for key, value in raw.items():
            if isinstance(value, str):
                want = "'" + value if starts_like_formula(value) else value
            else:
                want = "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
            assert got[key] == want, (key, value, got[key])


def cells(path: Path) -> list[tuple[str, str, Any, str]]:
    wb = load_workbook(path)
    return [(ws.title, c.coordinate, c.value, c.data_type) for ws in wb.worksheets for row in ws.iter_rows() for c in row]


@pytest.fixture(scope="module")
def workbooks(outputs: Outputs) -> dict[str, list[tuple[str, str, Any, str]]]:
    return {"aggregate": cells(outputs.root / "agg.xlsx"), "run": cells(outputs.bundle / "rekap.xlsx")}


# --- 1. formulas: CSV --------------------------------------------------------------------------------------


def test_validate_csv_neutralises_codes_and_file_names(outputs: Outputs) -> None:
    raw = json.loads(outputs.validate_json)
    assert_csv_neutralised(read_csv_text(outputs.validate_csv), raw)
    s005 = {(f["kode_wilayah"], f["source"]) for f in raw if f["rule"] == "S005"}
    for p in FORMULA_START:
        assert (outputs.expected_codes[p], outputs.source_names[p]) in s005
    rows = read_csv_text(outputs.validate_csv)
    assert {r["source"] for r in rows} >= {"'" + n for n in outputs.source_names.values()}


def test_aggregate_csv_neutralises_names(outputs: Outputs) -> None:
    raw = json.loads(outputs.aggregate_json)
    assert_csv_neutralised(read_csv_text(outputs.aggregate_csv), raw)
    by_name = {(r["level"], r["nama_wilayah"]) for r in read_csv_text(outputs.aggregate_csv)}
    for name in FORMULA_NAMES.values():
        for level in ("provinsi", "kabkota", "kecamatan", "desa"):
            assert (level, "'" + name) in by_name


def test_bundle_csv_files_neutralise_like_the_commands(outputs: Outputs) -> None:
    findings = [json.loads(line) for line in (outputs.bundle / "findings.jsonl").read_bytes().splitlines()]
    assert_csv_neutralised(read_csv_text((outputs.bundle / "findings.csv").read_bytes()), findings)
    # The bundle's findings are those of rekap validate, its recap files those of rekap aggregate.
    assert (outputs.bundle / "findings.csv").read_bytes() == outputs.validate_csv
    recap = [json.loads(line) for line in (outputs.bundle / "recap.jsonl").read_bytes().splitlines()]
    joined = b""
    for level in ("nasional", "provinsi", "kabkota", "kecamatan", "desa"):
        data = (outputs.bundle / f"recap_{level}.csv").read_bytes()
        assert_csv_neutralised(read_csv_text(data), [r for r in recap if r["level"] == level])
        joined += data if not joined else data.split(b"\n", 1)[1]
    assert joined == outputs.aggregate_csv


# --- 1. formulas: XLSX -------------------------------------------------------------------------------------


@pytest.mark.parametrize("book", ["aggregate", "run"])
def test_no_workbook_cell_is_a_formula(workbooks: dict[str, list[tuple[str, str, Any, str]]], book: str) -> None:
    for sheet, ref, value, kind in workbooks[book]:
        assert kind != "f", (sheet, ref, value)
        if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r", "\n"):
            assert kind == "s", (sheet, ref, value)


@pytest.mark.parametrize("book", ["aggregate", "run"])
@pytest.mark.parametrize("prefix", prefix_params())
def test_workbook_keeps_formula_names_as_unchanged_text(
    workbooks: dict[str, list[tuple[str, str, Any, str]]], outputs: Outputs, book: str, prefix: str
) -> None:
    name = FORMULA_NAMES[prefix]
    found = {sheet for sheet, _, value, kind in workbooks[book] if value == name and kind == "s"}
    # Every D.Hasil level shows the unit's name (the wide sheets head their columns with it).
    assert {"Provinsi", "Kabupaten-Kota", "Kecamatan", "Desa-Kelurahan"} <= found, found
    if book == "run":
        # The input file's name: in the summary sheet's list of inputs and on its findings.
        found = {sheet for sheet, _, value, kind in workbooks[book] if value == outputs.source_names[prefix] and kind == "s"}
        assert {"Ringkasan", "Temuan"} <= found, found


@pytest.mark.parametrize("prefix", prefix_params())
def test_long_sheets_and_the_findings_list_keep_every_character(
    workbooks: dict[str, list[tuple[str, str, Any, str]]], outputs: Outputs, prefix: str
) -> None:
    # These sheets are written by DuckDB (rk_xml_text), a CR included.
    for book in ("aggregate", "run"):
        # The desa's own name, and its kecamatan's (the same name here) beside it.
        kinds = [k for s, _, v, k in workbooks[book] if s == "Desa-Kelurahan" and v == FORMULA_NAMES[prefix]]
        assert kinds == ["s", "s"], book
    listed = {v: k for s, _, v, k in workbooks["run"] if s == "Temuan"}
    assert listed.get(outputs.expected_codes[prefix]) == "s"
    assert listed.get(outputs.source_names[prefix]) == "s"


# --- 2. SQL and friends: names and cells are data -----------------------------------------------------------


def test_hostile_names_and_cells_come_out_unchanged(outputs: Outputs) -> None:
    recap = json.loads(outputs.aggregate_json)
    names = {(r["level"], r["kode_wilayah"]): r["nama_wilayah"] for r in recap}
    for i, name in enumerate(NAMES):
        prov = f"{11 + i:02d}"
        for level, code in (("provinsi", prov), ("kabkota", prov + "01"), ("kecamatan", prov + "0101"), ("desa", prov + "01011001")):
            assert names[(level, code)] == name
    # Every TPS was read and summed: the filler desa, the hostile ones and the bad-cell ones.
    nasional = next(r for r in recap if r["level"] == "nasional")
    assert nasional["n_tps"] == len(NAMES) + len(BAD_CELLS) + FILLER_DESA
    s002 = {f["kode_wilayah"]: f["message"] for f in json.loads(outputs.validate_json) if f["rule"] == "S002"}
    for i, bad in enumerate(BAD_CELLS):
        assert f'"{bad}"' in s002[f"{40 + i:02d}01011001001"]


def test_odd_file_names_are_read_as_files(tmp_path: Path) -> None:
    stems = ["x'); DROP TABLE t; --", 'a"b', "back\\slash", "semi;colon", "ünï 日本", "$(echo hi)", "100%_", "--dash",
             "SELECT * FROM rk_raw"]
    paslon = tmp_path / "paslon'); DROP TABLE rk_raw; --.csv"
    paslon.write_text("paslon_id,nomor_urut\n100025,1\n100026,2\n", encoding="utf-8")
    files, want = [], set()
    for i, stem in enumerate(stems):
        for j, (ext, writer) in enumerate(WRITERS.items()):
            kode = f"3101011{i + 1:03d}{j + 1:03d}"
            path = writer(tmp_path / f"{stem}.{ext}", kode)
            files.append(str(path))
            want.add(("A006", kode, "suara_sah", 30, 31, str(path), 1 if ext == "jsonl" else 2))  # JSON: the line
    # Glob characters in names that rekap reads itself (openpyxl, json) are no patterns.
    for j, ext in enumerate(("xlsx", "jsonl")):
        path = WRITERS[ext](tmp_path / f"g*?[1].{ext}", f"3101012001{j + 1:03d}")
        files.append(str(path))
        want.add(("A006", f"3101012001{j + 1:03d}", "suara_sah", 30, 31, str(path), 1 if ext == "jsonl" else 2))
    out = tmp_path / "out'); DROP TABLE x; --.jsonl"
    res = run_cli(["validate", "-q", "--select", "A006", "--paslon", str(paslon), "-o", str(out), "--fail-on", "never",
                   "--election", "ppwp", "--", *files])
    assert_clean(res, (0,))
    got = {(f["rule"], f["kode_wilayah"], f["field"], f["expected"], f["actual"], f["source"], f["row"])
           for f in map(json.loads, out.read_bytes().splitlines())}
    assert got == want


def _tps_csv(path: Path, kode: str) -> Path:
    path.write_text(f"kode_tps,suara_paslon_1,suara_paslon_2,suara_sah\n{kode},10,20,31\n", encoding="utf-8")
    return path


def _tps_parquet(path: Path, kode: str) -> Path:
    pq.write_table(pa.table({"kode_tps": [kode], "suara_paslon_1": [10], "suara_paslon_2": [20], "suara_sah": [31]}), path)
    return path


def _tps_xlsx(path: Path, kode: str) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Kode TPS", "Paslon 01", "Paslon 02", "Suara Sah"])
    ws.append([kode, 10, 20, 31])
    wb.save(path)
    return path


def _tps_json(path: Path, kode: str) -> Path:
    record = {"kode_tps": kode, "data": {"chart": {"null": None, "100025": 10, "100026": 20}, "administrasi": {"suara_sah": 31}}}
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    return path


WRITERS = {"csv": _tps_csv, "parquet": _tps_parquet, "xlsx": _tps_xlsx, "jsonl": _tps_json}


@pytest.mark.parametrize("ext", ["csv", "parquet"])
def test_glob_characters_in_file_names_are_not_patterns(tmp_path: Path, ext: str) -> None:
    writer = WRITERS[ext]
    files, want = [], set()
    for i, (name, decoy) in enumerate((("t*", "tX"), ("q?", "qZ"), ("br[1]", "br1"))):
        files.append(str(writer(tmp_path / f"{name}.{ext}", f"3101011001{i + 1:03d}")))
        writer(tmp_path / f"{decoy}.{ext}", f"3101011009{i + 1:03d}")  # must never be read
        want.add((f"3101011001{i + 1:03d}", files[-1]))
    res = run_cli(["validate", "-q", "-f", "jsonl", "--select", "A006", "--fail-on", "never", *files])
    assert_clean(res, (0,))
    assert {(f["kode_wilayah"], f["source"]) for f in map(json.loads, res.stdout.splitlines())} == want


WEIRD_HEADERS = ['kode_tps"; DROP', "x'); DROP TABLE rk_raw; --", "a\\b", "SELECT * FROM rk_raw", "日本語", "--",
                 "[bold]x[/bold]"]
MAPPED = {'Suara "01"; DROP TABLE rk_raw; --': "suara_paslon_1", "a\\'b\"c": "suara_sah"}


def _weird_table() -> list[dict[str, Any]]:
    rows = []
    for i in range(2):
        row: dict[str, Any] = {"kode_tps": f"310101100100{i + 1}"}
        row.update({h: f"{h} {i}" for h in WEIRD_HEADERS})
        row.update({'Suara "01"; DROP TABLE rk_raw; --': 10, "suara_paslon_2": 20, "a\\'b\"c": 30 + i})
        rows.append(row)
    return rows


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_odd_headers_are_unmapped_columns_or_mapped_by_name(tmp_path: Path, fmt: str) -> None:
    rows = _weird_table()
    path = tmp_path / f"t.{fmt}"
    if fmt == "csv":
        write_rows(path, rows)
    elif fmt == "xlsx":
        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.append(list(rows[0]))
        for r in rows:
            ws.append(list(r.values()))
        wb.save(path)
    else:
        pq.write_table(pa.table({k: [r[k] for r in rows] for k in rows[0]}), path)
    columns = tmp_path / "map.toml"
    columns.write_text("[columns]\n" + "".join(f"{json.dumps(k, ensure_ascii=False)} = {json.dumps(v)}\n" for k, v in MAPPED.items()),
                       encoding="utf-8")
    res = run_cli(["validate", str(path), "--columns", str(columns), "-f", "jsonl", "--select", "A006", "--election", "ppwp"])
    assert_clean(res)
    summary = res.stderr
    # The file's own headers are quoted in the summary (they are the input's words).
    assert "kolom diabaikan: " + ", ".join(f"'{h}'" for h in WEIRD_HEADERS) in summary, summary
    assert "kolom dipetakan: " + ", ".join(f"'{k}'→{v}" for k, v in MAPPED.items()) in summary, summary
    got = [(f["kode_wilayah"], f["expected"], f["actual"]) for f in map(json.loads, res.stdout.splitlines())]
    assert got == [("3101011001002", 30, 31)]


SHEETS = ["x'); DROP TABLE rk_raw; --", '"q" ; -- DROP', "Ünï ' 日本 \" %s"]


@pytest.fixture(scope="module")
def hostile_workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Lain"
    ws.append(["bukan data"])
    for i, title in enumerate(SHEETS):
        sheet = wb.create_sheet(title)
        sheet.append(["Kode TPS", "Nama Desa", "Paslon 01", "Paslon 02", "Suara Sah"])
        sheet.append([f"310101100100{i + 1}", title, 10, 20, 31 + i])
    path = tmp_path_factory.mktemp("sheets") / "hostile'; --.xlsx"
    wb.save(path)
    return path


@pytest.mark.parametrize("sheet", SHEETS, ids=["drop", "quotes", "unicode"])
def test_sheet_names_choose_a_sheet_and_nothing_else(hostile_workbook: Path, sheet: str) -> None:
    i = SHEETS.index(sheet)
    res = run_cli(["aggregate", str(hostile_workbook), "--sheet", sheet, "-f", "json", "-q", "--level", "desa"])
    assert_clean(res, (0,))
    assert [(r["kode_wilayah"], r["nama_wilayah"], r["suara_sah"]) for r in json.loads(res.stdout)] == [
        ("3101011001", sheet, 31 + i)
    ]


def test_unknown_odd_sheet_name_is_a_clean_error(hostile_workbook: Path) -> None:
    res = run_cli(["validate", str(hostile_workbook), "--sheet", "'); DROP TABLE rk_raw; --"])
    assert_clean_failure(res)
    assert "'); DROP TABLE rk_raw; --" in res.stderr


def test_odd_region_list_and_dpt_list(tmp_path: Path) -> None:
    master = tmp_path / "wil'); DROP TABLE t; --.csv"
    master.write_text('kode,nama\n31,"DKI \'); DROP TABLE rk_master; --"\n3101,"K ""q"""\n310101,C\\\n3101011001,日本\n',
                      encoding="utf-8")
    dpt = tmp_path / 'dpt"; --.csv'
    dpt.write_text("kode_tps,dpt_l,dpt_p,dpt_j\n3101011001001,100,110,210\n3101011001002,100,100,200\n", encoding="utf-8")
    data = write_rows(tmp_path / "t.csv", [form("3101011001001", None, 0), form("3101011001002", None, 0),
                                           form("3101011002001", None, 1)])
    res = run_cli(["validate", str(data), "--master", str(master), "--dpt", str(dpt), "-f", "jsonl", "-q",
                   "--select", "S006,A013", "--fail-on", "never", "--election", "ppwp"])
    assert_clean(res, (0,))
    got = sorted((f["rule"], f["kode_wilayah"], f["field"]) for f in map(json.loads, res.stdout.splitlines()))
    assert got == [("A013", "3101011001002", "pemilih_dpt_j"), ("A013", "3101011001002", "pemilih_dpt_p"),
                   ("S006", "3101011002001", "kode_desa")]
    # --wilayah 31: the recap is the province's (the data alone lies in one kecamatan, its root)
    agg = run_cli(["aggregate", str(data), "--master", str(master), "-f", "json", "-q", "--election", "ppwp",
                   "--wilayah", "31"])
    assert_clean(agg, (0,))
    names = {r["kode_wilayah"]: r["nama_wilayah"] for r in json.loads(agg.stdout)}
    assert names["31"] == "DKI '); DROP TABLE rk_master; --" and names["3101"] == 'K "q"'
    assert names["310101"] == "C\\" and names["3101011001"] == "日本"


def _parquet_with(path: Path, extra: dict[str, list[Any]]) -> Path:
    columns: dict[str, list[Any]] = {"kode_tps": ["3101011001001", "3101011001002"], "suara_paslon_1": [10, 10],
                                     "suara_paslon_2": [20, 20], "suara_sah": [30, 31]}
    pq.write_table(pa.table({**columns, **extra}), path)
    return path


def test_odd_parquet_column_names_are_data(tmp_path: Path) -> None:
    odd = ["_file", "rowid", "", '"', "'", 'kode_tps"; DROP TABLE rk_raw; --', "_s002", "_k"]
    path = _parquet_with(tmp_path / "t.parquet", {name: [901, 902] for name in odd})
    res = run_cli(["validate", str(path), "-f", "jsonl", "-q", "--select", "A006"])
    assert_clean(res)
    assert [(f["kode_wilayah"], f["row"], f["source"]) for f in map(json.loads, res.stdout.splitlines())] == [
        ("3101011001002", 3, str(path))
    ]


def test_a_parquet_column_named_row_does_not_move_the_findings(tmp_path: Path) -> None:
    path = _parquet_with(tmp_path / "t.parquet", {"_row": [901, 902]})
    res = run_cli(["validate", str(path), "-f", "jsonl", "-q", "--select", "A006"])
    assert_clean(res)
    assert [(f["kode_wilayah"], f["row"]) for f in map(json.loads, res.stdout.splitlines())] == [("3101011001002", 3)]


def test_a_parquet_column_named_like_duckdbs_row_number_runs_or_fails_cleanly(tmp_path: Path) -> None:
    path = _parquet_with(tmp_path / "t.parquet", {"file_row_number": [901, 902]})
    res = run_cli(["validate", str(path), "-f", "jsonl", "-q", "--select", "A006"])
    if res.code == 2:
        assert_clean_failure(res)
        assert str(path) in res.stderr
    else:
        assert_clean(res)
        assert [(f["kode_wilayah"], f["row"]) for f in map(json.loads, res.stdout.splitlines())] == [("3101011001002", 3)]


# --- 3. the HTML report --------------------------------------------------------------------------------------


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes += [(tag, k, v) for k, v in attrs]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_report_escapes_every_name_code_cell_and_file_name(outputs: Outputs) -> None:
    page = (outputs.bundle / "laporan.html").read_text(encoding="utf-8")
    assert "<script" not in page.lower()  # the report has no script of its own
    parsed = _Page()
    parsed.feed(page)
    assert not parsed.tags & {"script", "img", "iframe", "object", "embed", "frame", "base", "form"}, parsed.tags
    assert not [a for a in parsed.attributes if a[1].startswith("on")], "event handler attribute"
    assert not [a for a in parsed.attributes if a[2] and re.match(r"\s*javascript:", a[2], re.I)]
    text = "".join(parsed.text)
    # What was data is still there, as text: the names, the S005 code, the S002 cell, the file name.
    for needle in [*HTML_NAMES, "<script>alert(3)</script>", "<b>12</b>", HTML_FILE, *SQL_NAMES]:
        assert needle in text, needle
    for name in HTML_NAMES:
        assert name not in page, name
