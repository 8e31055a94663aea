"""Write the corpus of broken inputs under tests/corpus/inputs/ (issue #5), byte for byte the same on
every run. What rekap must do with each file is in tests/corpus/cases.toml, which tests/test_corpus.py
asserts and which `--readme` renders into the README's table.

    python scripts/make_corpus.py            # (re)write the inputs
    python scripts/make_corpus.py --readme   # also refresh the table in README.md

Every file starts from the same five clean TPS of Kabupaten Ciamis (3207) and breaks one thing.
Large cases (a 2 GB file) are not kept here: benchmarks/bench_hostile.py makes them in a temp dir.
"""

from __future__ import annotations

import argparse
import io
import json
import struct
import sys
import tomllib
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus"
INPUTS = CORPUS / "inputs"
CASES = CORPUS / "cases.toml"
README = ROOT / "README.md"
BEGIN, END = "<!-- corpus-table:begin -->", "<!-- corpus-table:end -->"

HEADER = [
    "Kode TPS", "Nama Desa/Kelurahan", "Jumlah DPT L", "Jumlah DPT P", "Jumlah DPT",
    "Jumlah Pengguna Hak Pilih L", "Jumlah Pengguna Hak Pilih P", "Jumlah Pengguna Hak Pilih",
    "Paslon 01", "Paslon 02", "Paslon 03", "Suara Sah", "Suara Tidak Sah", "Jumlah Suara Sah dan Tidak Sah",
]
# Five clean forms: every A-rule holds (L + P = J, votes = users, sah + tidak sah = total, ...).
ROWS = [
    ["3207012001001", "CIAMIS", "150", "160", "310", "120", "130", "250", "100", "90", "50", "240", "10", "250"],
    ["3207012001002", "CIAMIS", "140", "150", "290", "110", "120", "230", "80", "70", "72", "222", "8", "230"],
    ["3207012001003", "CIAMIS", "120", "130", "250", "100", "100", "200", "60", "90", "45", "195", "5", "200"],
    ["3207012002001", "PASAR MINGGU", "200", "210", "410", "160", "170", "330", "110", "120", "90", "320", "10", "330"],
    ["3207012002002", "PASAR MINGGU", "180", "190", "370", "150", "150", "300", "100", "100", "91", "291", "9", "300"],
]
COL = {h: i for i, h in enumerate(HEADER)}


def csv_text(rows: list[list[str]], header: list[str] = HEADER, delimiter: str = ",", newline: str = "\n") -> str:
    def cell(v: str) -> str:
        return '"' + v.replace('"', '""') + '"' if any(c in v for c in (delimiter, '"', "\n", "\r")) else v

    return "".join(delimiter.join(cell(v) for v in r) + newline for r in [header, *rows])


def changed(row: int, column: str, value: str) -> list[list[str]]:
    rows = [r[:] for r in ROWS]
    rows[row][COL[column]] = value
    return rows


def xlsx_bytes(build: Callable[[object], None]) -> bytes:
    """An XLSX from openpyxl with fixed document times and zip entry times (reproducible bytes)."""
    import datetime as dt

    from openpyxl import Workbook

    wb = Workbook()
    build(wb)
    wb.properties.created = wb.properties.modified = dt.datetime(2024, 2, 14)
    from openpyxl.writer.excel import ExcelWriter

    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).write_data()
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(2024, 2, 14, 0, 0, 0))
            entry.create_system = 3
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


def staff_sheet(rows: list[list[object]], title_rows: int = 2, merged: bool = False) -> Callable[[object], None]:
    def build(wb: object) -> None:
        ws = wb.active  # type: ignore[attr-defined]
        ws.title = "D"
        for i in range(title_rows):
            ws.append(["REKAPITULASI HASIL PENGHITUNGAN SUARA" if i == 0 else "KABUPATEN CIAMIS"])
        if merged:  # a two-row header: "Jumlah DPT" over L / P / Jumlah, merged across
            top = ["Kode TPS", "Nama Desa/Kelurahan", "Jumlah DPT", None, None, *HEADER[5:]]
            sub = [None, None, "L", "P", "Jumlah", *[None] * (len(HEADER) - 5)]
            ws.append(top)
            ws.append(sub)
            r = title_rows + 1
            ws.merge_cells(start_row=r, start_column=3, end_row=r, end_column=5)
            for c in (1, 2, *range(6, len(HEADER) + 1)):
                ws.merge_cells(start_row=r, start_column=c, end_row=r + 1, end_column=c)
        else:
            ws.append(HEADER)
        for row in rows:
            ws.append(row)

    return build


def numeric(rows: list[list[str]]) -> list[list[object]]:
    return [[v if i < 2 else int(v) for i, v in enumerate(r)] for r in rows]


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b""))


def sirekap_records() -> str:
    return "".join(json.dumps(r) + "\n" for r in [{"hello": "world", "items": [1, 2, 3]}])


def files() -> dict[str, bytes]:
    base = csv_text(ROWS)
    rows = [r[:] for r in ROWS]
    out: dict[str, bytes] = {}

    def text(name: str, value: str, encoding: str = "utf-8") -> None:
        out[name] = value.encode(encoding)

    text("clean.csv", base)
    out["empty.csv"] = b""
    text("header_only.csv", csv_text([]))
    out["binary_garbage.csv"] = bytes((i * 37 + 11) % 256 for i in range(4096))
    out["png_renamed.csv"] = png()
    out["xlsx_renamed.csv"] = xlsx_bytes(staff_sheet(numeric(ROWS)))
    text("csv_renamed.xlsx", base)
    text("truncated_last_line.csv", base + "3207012002003,PASAR MINGGU,190,2")
    ragged = [r[:] for r in rows]
    ragged[1] = ragged[1] + ["7", "8"]
    ragged[3] = ragged[3][:6]
    text("ragged_rows.csv", csv_text(ragged).replace('"', ""))
    quote = base.splitlines(keepends=True)
    quote[3] = quote[3].replace("CIAMIS", '"CIAMIS')
    text("unbalanced_quote.csv", "".join(quote))
    mixed = base.splitlines(keepends=True)
    mixed[4] = mixed[4].replace(",", ";")
    text("mixed_delimiters.csv", "".join(mixed))
    out["utf16.csv"] = base.encode("utf-16")
    text("latin1_names.csv", csv_text(changed(3, "Nama Desa/Kelurahan", "PASAR MINGGU É")).replace("CIAMIS", "CIAMIS é"), "latin-1")
    out["utf8_bom.csv"] = b"\xef\xbb\xbf" + base.encode()
    text("crlf.csv", csv_text(ROWS, newline="\r\n"))
    text("semicolon_crlf_bom.csv", "\ufeff" + csv_text(ROWS, delimiter=";", newline="\r\n"))
    dup = HEADER[:]
    dup[9] = "Paslon 01"
    text("duplicate_header.csv", csv_text(ROWS, header=dup))
    text("title_rows.csv", "REKAPITULASI HASIL\nKabupaten Ciamis\n\nDicetak 14-02-2024\n" + base)
    text("thousands_dot.csv", csv_text(changed(0, "Paslon 01", "1.234")))
    text("thousands_comma.csv", csv_text(changed(0, "Paslon 01", "1,234")))
    text("decimal.csv", csv_text(changed(0, "Paslon 01", "12.5")))
    text("negative.csv", csv_text(changed(0, "Paslon 01", "-3")))
    text("scientific.csv", csv_text(changed(0, "Jumlah DPT", "3.1e2")))
    text("beyond_64bit.csv", csv_text(changed(0, "Paslon 01", "99999999999999999999999")))
    text("excel_error_text.csv", csv_text(changed(0, "Paslon 01", "#REF!")))
    text("lost_leading_zero.csv", csv_text(changed(0, "Kode TPS", "207012001001")))
    text("dotted_codes.csv", csv_text(changed(0, "Kode TPS", "32.07.01.2001.001")))
    twice = [r[:] for r in ROWS] + [ROWS[0][:]]
    twice[-1][COL["Paslon 01"]] = "101"
    twice[-1][COL["Suara Sah"]] = "241"
    twice[-1][COL["Jumlah Suara Sah dan Tidak Sah"]] = "251"
    twice[-1][COL["Jumlah Pengguna Hak Pilih"]] = "251"
    twice[-1][COL["Jumlah Pengguna Hak Pilih P"]] = "131"
    text("tps_twice_different.csv", csv_text(twice))
    text("tps_twice_same.csv", csv_text([*ROWS, ROWS[2]]))
    text("formula_names.csv", csv_text(changed(0, "Nama Desa/Kelurahan", '=HYPERLINK("http://x","klik")')))
    wide_header = HEADER + [f"Kolom {i}" for i in range(10_000)]
    text("ten_thousand_columns.csv", csv_text([r + [""] * 10_000 for r in ROWS], header=wide_header))
    text("not_sirekap.json", json.dumps({"hello": "world", "items": [1, 2, 3]}))
    text("deeply_nested.json", "[" * 50_000 + "]" * 50_000)
    text("json_garbage.json", '{"chart": {"100025": 12, "null": ')
    out["staff_title_rows.xlsx"] = xlsx_bytes(staff_sheet(numeric(ROWS), title_rows=4))
    out["merged_header.xlsx"] = xlsx_bytes(staff_sheet(numeric(ROWS), merged=True))
    formulas = numeric(ROWS)
    formulas[0][COL["Suara Sah"]] = "=I4+J4+K4"
    formulas[1][COL["Paslon 01"]] = "#REF!"
    formulas[2][COL["Nama Desa/Kelurahan"]] = "=1+1"
    out["formulas_and_errors.xlsx"] = xlsx_bytes(staff_sheet(formulas))
    as_text = [[*r[:2], *r[2:]] for r in ROWS]  # every number stored as text, as some exports do
    as_text[0][COL["Paslon 01"]] = "1.000"
    out["numbers_as_text.xlsx"] = xlsx_bytes(staff_sheet(as_text))
    out["native_numbers.parquet"] = native_parquet()
    return out


def native_parquet() -> bytes:
    """The clean rows as a Parquet file with native number types, broken the ways only native types
    can be: an unsigned 64-bit value beyond BIGINT, NaN, infinity, a fraction, a negative."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    names = ["kode_tps", "nama_desa", "pemilih_dpt_l", "pemilih_dpt_p", "pemilih_dpt_j", "pengguna_total_l",
             "pengguna_total_p", "pengguna_total_j", "suara_paslon_1", "suara_paslon_2", "suara_paslon_3",
             "suara_sah", "suara_tidak_sah", "suara_total"]
    columns: dict[str, list[object]] = {n: [r[i] if i < 2 else int(r[i]) for r in ROWS] for i, n in enumerate(names)}
    columns["suara_paslon_1"][0] = 2**64 - 1
    columns["suara_paslon_2"] = [float(v) for v in columns["suara_paslon_2"]]  # type: ignore[arg-type]
    columns["suara_paslon_2"][1] = float("nan")
    columns["suara_paslon_2"][2] = 12.5
    columns["suara_paslon_2"][3] = float("inf")
    columns["suara_paslon_3"][4] = -3
    types = {"suara_paslon_1": pa.uint64(), "suara_paslon_2": pa.float64()}
    table = pa.table({n: pa.array(v, type=types.get(n, pa.string() if n in ("kode_tps", "nama_desa") else pa.int64()))
                      for n, v in columns.items()})
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd")
    return buffer.getvalue()


def table_markdown() -> str:
    cases = tomllib.loads(CASES.read_text(encoding="utf-8"))["case"]
    lines = ["| input | what rekap does | exit |", "|---|---|---|"]
    for c in cases:
        lines.append(f"| {c['kind']} (`{c['file']}`) | {c['does']} | {c['exit']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--readme", action="store_true", help="also refresh the corpus table in README.md")
    args = ap.parse_args(argv)
    INPUTS.mkdir(parents=True, exist_ok=True)
    wanted = files()
    for name, data in sorted(wanted.items()):
        path = INPUTS / name
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
    for stale in INPUTS.iterdir():
        if stale.name not in wanted:
            stale.unlink()
    print(f"{len(wanted)} corpus inputs in {INPUTS.relative_to(ROOT)}")
    if args.readme:
        text = README.read_text(encoding="utf-8")
        start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
        README.write_text(text[:start] + "\n" + table_markdown() + "\n" + text[end:], encoding="utf-8")
        print("README.md corpus table refreshed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
