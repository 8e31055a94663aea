"""Candidate tables (`--paslon`): Sirekap's candidate ids onto nomor urut, for the Sirekap TPS reader and
the reported-recap reader alike, and the one way a JSON value becomes cell text.

    table = load_paslon(Path("ppwp2024_paslon.csv"))        # {"100025": 1, "100026": 2, "100027": 3}
    numbered = number_chart([("100025", 51), ("100026", 120)], table)   # {1: "100025", 2: "100026"}
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rekap.errors import InputError
from rekap.i18n import C_, N_, _
from rekap.schema import MAX_PASLON


def json_text(value: Any) -> str | None:
    """Cell text for a JSON value: ints as digits, strings as they are, anything else in its JSON spelling,
    so that a float or a string that is not a count reaches the checks with the value the file holds."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


JSON_ERRORS: dict[str, str] = {
    "Expecting value": N_("diharapkan sebuah nilai"),
    "Expecting property name enclosed in double quotes": N_("diharapkan nama kunci dalam tanda kutip ganda"),
    "Expecting ':' delimiter": N_("diharapkan pemisah ':'"),
    "Expecting ',' delimiter": N_("diharapkan pemisah ','"),
    "Unterminated string starting at": N_("teks tanpa tanda kutip penutup"),
    "Invalid control character at": N_("karakter kendali tidak sah"),
    "Invalid \\escape": N_("escape \\ tidak sah"),
    "Invalid \\uXXXX escape": N_("escape \\uXXXX tidak sah"),
    "Extra data": N_("ada data tambahan"),
    "Illegal trailing comma before end of object": N_("koma berlebih sebelum akhir objek"),
    "Illegal trailing comma before end of array": N_("koma berlebih sebelum akhir array"),
}
"""The JSON parser's reasons (`JSONDecodeError.msg`), for people; the English is the parser's own."""


def json_reason(msg: str) -> str:
    """Why the JSON parser stopped, in the process language (a reason it does not list: its own words)."""
    text = JSON_ERRORS.get(msg)
    return _(text) if text is not None else msg


@dataclass(frozen=True)
class NotInTable:
    """A candidate id with a value that the table does not number."""

    key: str


@dataclass(frozen=True)
class SameNumber:
    """Two candidate ids of one chart with the same nomor urut (the table mixes races)."""

    first: str
    second: str
    number: int


def number_chart(items: Iterable[tuple[str, Any]], paslon: dict[str, int]) -> dict[int, str] | NotInTable | SameNumber:
    """The nomor urut of every candidate id of one chart (number -> id), or its first problem. An id the
    table does not know is skipped when its value is empty (Sirekap writes `"null": null`)."""
    seen: dict[int, str] = {}
    for key, value in items:
        number = paslon.get(key)
        if number is None:
            if value is None:
                continue
            return NotInTable(key)
        if number in seen:
            return SameNumber(seen[number], key, number)
        seen[number] = key
    return seen


def load_paslon(path: Path) -> dict[str, int]:
    """Candidate id (text) -> nomor urut, from a CSV with `paslon_id` and `nomor_urut` columns.

    Both shipped formats qualify (`ppwp2024_paslon.csv`, `pilkada2024_paslon.csv`); other columns are
    ignored. Row numbers in messages count the header as row 1, like a spreadsheet.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(_("{path}: tabel paslon tidak dapat dibaca ({error})", path=path,
                           error=exc.strerror or exc)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            _("{path}: tabel paslon bukan teks UTF-8 (byte 0x{byte:02x} pada posisi {offset})", path=path,
              byte=raw[exc.start], offset=exc.start),
            hint=_("simpan tabel paslon sebagai CSV UTF-8"),
        ) from None
    try:
        rows = _csv_rows(text)
    except csv.Error as exc:
        raise InputError(_("{path}: tabel paslon bukan CSV yang dapat dibaca ({error})", path=path, error=exc)) from None
    if not rows:
        raise InputError(_("{path}: tabel paslon kosong", path=path), hint=_("kolom paslon_id,nomor_urut"))
    header = [h.strip().lower() for h in rows[0]]
    if "paslon_id" not in header or "nomor_urut" not in header:
        found = ", ".join(h for h in header if h) or C_("empty list", "tidak ada")
        raise InputError(
            _("{path} baris 1: tabel paslon memerlukan kolom paslon_id dan nomor_urut (ditemukan: {found})",
              path=path, found=found),
            hint=_("kolom paslon_id,nomor_urut (mis. 100025,1)"),
        )
    id_at, number_at = header.index("paslon_id"), header.index("nomor_urut")
    table: dict[str, int] = {}
    first_row: dict[str, int] = {}
    for row_no, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        paslon_id = row[id_at].strip() if id_at < len(row) else ""
        number_text = row[number_at].strip() if number_at < len(row) else ""
        if not paslon_id:
            raise InputError(_("{path} baris {row}: paslon_id kosong", path=path, row=row_no))
        if not (number_text.isascii() and number_text.isdigit()):
            raise InputError(
                _("{path} baris {row}: nomor_urut {value!r} dari paslon_id {paslon_id} bukan bilangan bulat",
                  path=path, row=row_no, value=number_text, paslon_id=paslon_id)
            )
        number = int(number_text)
        if not 1 <= number <= MAX_PASLON:
            raise InputError(
                _("{path} baris {row}: nomor_urut {number} dari paslon_id {paslon_id} di luar 1..{max}",
                  path=path, row=row_no, number=number, paslon_id=paslon_id, max=MAX_PASLON),
                hint=_("rekap menomori paling banyak {max} pasangan calon per pemilihan", max=MAX_PASLON),
            )
        previous = table.get(paslon_id)
        if previous is not None and previous != number:
            raise InputError(
                _("{path} baris {row}: paslon_id {paslon_id} bernomor urut {number} di sini tetapi {previous} "
                  "di baris {first}", path=path, row=row_no, paslon_id=paslon_id, number=number,
                  previous=previous, first=first_row[paslon_id])
            )
        table[paslon_id] = number
        first_row.setdefault(paslon_id, row_no)
    if not table:
        raise InputError(_("{path}: tabel paslon tidak berisi pasangan calon", path=path),
                         hint=_("kolom paslon_id,nomor_urut"))
    return table


def _csv_rows(text: str) -> list[list[str]]:
    """Rows of a small CSV; Excel in Indonesian locales saves `;`-separated CSV, so try that too."""
    first_line = text.split("\n", 1)[0]
    delimiter = ","
    for candidate in (",", ";", "\t"):
        cells = [c.strip().strip('"').lower() for c in first_line.split(candidate)]
        if "paslon_id" in cells and "nomor_urut" in cells:
            delimiter = candidate
            break
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


