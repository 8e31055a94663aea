"""Write canonical-column tables as .xlsx files laid out the way KPU/PPK staff export them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pyarrow as pa
from openpyxl import Workbook
from openpyxl.cell.cell import Cell, WriteOnlyCell

from rekap.schema import (
    BALLOT_COLUMNS,
    CANONICAL_SET,
    LPJ,
    MAX_PASLON,
    TEXT_COLUMNS,
    TRIPLE_GROUPS,
    paslon_column,
    resolve_header,
)

TITLE_LINES = (
    "REKAPITULASI HASIL PEMILU 2024",
    "PROVINSI DKI JAKARTA",
    "PEMILIHAN PRESIDEN DAN WAKIL PRESIDEN",
)

GROUP_LABELS: dict[str, str] = {
    "pemilih_dpt": "Jumlah DPT",
    "pemilih_dpph": "Jumlah DPPh",
    "pemilih_dptb": "Jumlah DPTb",
    "pemilih_total": "Jumlah Pemilih",
    "pengguna_dpt": "Pengguna Hak Pilih DPT",
    "pengguna_dptb": "Pengguna Hak Pilih DPTb",
    "pengguna_non_dpt": "Pengguna Hak Pilih DPK",
    "pengguna_dpph": "Pengguna Hak Pilih DPPh",
    "pengguna_total": "Jumlah Pengguna Hak Pilih",
    "pemilih_disabilitas": "Pemilih Disabilitas",
    "pengguna_disabilitas": "Pengguna Disabilitas",
}
SUB_LABELS: dict[str, str] = {"l": "L", "p": "P", "j": "JML"}

STAFF_HEADERS: dict[str, str] = {
    "kode_prov": "Kode Provinsi",
    "kode_kabkota": "Kode Kabupaten/Kota",
    "kode_kec": "Kode Kecamatan",
    "kode_desa": "Kode Desa",
    "kode_tps": "Kode TPS",
    "nama_prov": "Nama Provinsi",
    "nama_kabkota": "Nama Kabupaten/Kota",
    "nama_kec": "Nama Kecamatan",
    "nama_desa": "Nama Desa/Kelurahan",
    "nama_tps": "Nama TPS",
    "jenis_pemilihan": "Jenis Pemilihan",
    "sumber": "Sumber",
    "ts": "Waktu",
    "ss_diterima": "Surat Suara Diterima",
    "ss_digunakan": "Surat Suara Digunakan",
    "ss_rusak": "Surat Suara Rusak",
    "ss_sisa": "Surat Suara Sisa",
    "suara_sah": "Suara Sah",
    "suara_tidak_sah": "Suara Tidak Sah",
    "suara_total": "Jumlah Suara Sah dan Tidak Sah",
}
for _g, _label in GROUP_LABELS.items():
    # Single-row exports write the jumlah column under the bare group label.
    STAFF_HEADERS.update({f"{_g}_l": f"{_label} L", f"{_g}_p": f"{_label} P", f"{_g}_j": _label})
for _n in range(1, MAX_PASLON + 1):
    STAFF_HEADERS[paslon_column(_n)] = f"Paslon {_n:02d}"
assert set(BALLOT_COLUMNS) <= STAFF_HEADERS.keys() and set(TEXT_COLUMNS) <= STAFF_HEADERS.keys()

_TRIPLE_OF: dict[str, tuple[str, str]] = {f"{g}_{s}": (g, s) for g in TRIPLE_GROUPS for s in LPJ}
_WHOLE = re.compile(r"-?[0-9]+")


def write_staff_xlsx(
    table: pa.Table,
    path: Path,
    *,
    title_rows: int = 2,
    sheet: str = "Rekap TPS",
    merged_groups: bool = False,
) -> None:
    """Write `table` (canonical column names, any value types) as a staff-style .xlsx.

    Region codes and names go in as text cells, counts as integers when whole (empty when null,
    left as text otherwise so junk survives), other columns as they are. With `merged_groups` the
    header is two rows: each L/P/J group's label merged over 'L', 'P', 'JML', every other header
    merged down over both rows; group columns are then written next to each other in L, P, J order.
    """
    order = _column_order(table.column_names, merged_groups)
    values = {name: table.column(name).to_pylist() for name in order}

    wb = Workbook(write_only=not merged_groups)
    if merged_groups:
        ws = wb.active
        assert ws is not None
        ws.title = sheet
    else:
        ws = wb.create_sheet(sheet)

    for i in range(title_rows):
        ws.append([TITLE_LINES[i]] if i < len(TITLE_LINES) else [])

    header_row = title_rows + 1
    if merged_groups:
        upper, lower = _two_row_header(order)
        ws.append(upper)
        ws.append(lower)
        _merge_header(ws, order, header_row)
    else:
        ws.append([_single_header(name) for name in order])

    kinds = [_kind(name) for name in order]
    columns = [values[name] for name in order]
    for r in range(table.num_rows):
        ws.append([_cell(ws, kind, col[r], merged_groups) for kind, col in zip(kinds, columns, strict=True)])
    wb.save(path)


def _column_order(names: list[str], merged_groups: bool) -> list[str]:
    if not merged_groups:
        return list(names)
    # Merging needs a group's columns side by side; staff sheets put them in L, P, J order.
    present = set(names)
    order: list[str] = []
    for name in names:
        if name in order:
            continue
        if name in _TRIPLE_OF:
            group = _TRIPLE_OF[name][0]
            order.extend(f"{group}_{s}" for s in LPJ if f"{group}_{s}" in present)
        else:
            order.append(name)
    return order


def _single_header(name: str) -> str:
    if name not in CANONICAL_SET:
        assert resolve_header(name) is None, f"non-canonical column {name!r} would map to a canonical one"
        return name
    header = STAFF_HEADERS[name]
    assert resolve_header(header) == name, f"{header!r} does not resolve to {name!r}"
    return header


def _two_row_header(order: list[str]) -> tuple[list[str | None], list[str | None]]:
    upper: list[str | None] = []
    lower: list[str | None] = []
    prev_group = None
    for name in order:
        if name in _TRIPLE_OF:
            group, s = _TRIPLE_OF[name]
            label = GROUP_LABELS[group]
            combined = f"{label} {SUB_LABELS[s]}"
            assert resolve_header(combined) == name, f"{combined!r} does not resolve to {name!r}"
            upper.append(label if group != prev_group else None)
            lower.append(SUB_LABELS[s])
            prev_group = group
        else:
            upper.append(_single_header(name))
            lower.append(None)
            prev_group = None
    return upper, lower


def _merge_header(ws: Any, order: list[str], row: int) -> None:
    c = 0
    while c < len(order):
        name = order[c]
        if name in _TRIPLE_OF:
            group = _TRIPLE_OF[name][0]
            end = c
            while end + 1 < len(order) and _TRIPLE_OF.get(order[end + 1], ("",))[0] == group:
                end += 1
            if end > c:
                ws.merge_cells(start_row=row, start_column=c + 1, end_row=row, end_column=end + 1)
            c = end + 1
        else:
            ws.merge_cells(start_row=row, start_column=c + 1, end_row=row + 1, end_column=c + 1)
            c += 1


def _kind(name: str) -> str:
    if name in TEXT_COLUMNS:
        return "text"
    if name in CANONICAL_SET:
        return "count"
    return "other"


def _cell(ws: Any, kind: str, v: Any, merged_groups: bool) -> Any:
    if v is None:
        return None
    if kind == "count":
        if isinstance(v, str):
            s = v.strip()
            if not s:
                return None
            if _WHOLE.fullmatch(s):
                return int(s)
            return _text(ws, v, merged_groups)
        if isinstance(v, float) and v.is_integer():
            return int(v)
        return v
    if kind == "text":
        return _text(ws, str(v), merged_groups)
    return _text(ws, v, merged_groups) if isinstance(v, str) else v


def _text(ws: Any, s: str, merged_groups: bool) -> Any:
    """A text cell; openpyxl would otherwise store '=...' as a formula and '#REF!' as an error."""
    if not (s.startswith("=") or s.startswith("#")):
        return s
    cell = Cell(ws, value=s) if merged_groups else WriteOnlyCell(ws, value=s)
    cell.data_type = "s"
    return cell
