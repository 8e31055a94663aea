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
        raise InputError(f"{path}: cannot read the paslon table ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: the paslon table is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
            hint="save the paslon table as UTF-8 CSV",
        ) from None
    try:
        rows = _csv_rows(text)
    except csv.Error as exc:
        raise InputError(f"{path}: the paslon table is not a readable CSV ({exc})") from None
    if not rows:
        raise InputError(f"{path}: the paslon table is empty", hint="columns paslon_id,nomor_urut")
    header = [h.strip().lower() for h in rows[0]]
    if "paslon_id" not in header or "nomor_urut" not in header:
        found = ", ".join(h for h in header if h) or "none"
        raise InputError(
            f"{path} row 1: the paslon table needs the columns paslon_id and nomor_urut (found: {found})",
            hint="columns paslon_id,nomor_urut (e.g. 100025,1)",
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
            raise InputError(f"{path} row {row_no}: empty paslon_id")
        if not (number_text.isascii() and number_text.isdigit()):
            raise InputError(
                f"{path} row {row_no}: nomor_urut {number_text!r} of paslon_id {paslon_id} is not a whole number"
            )
        number = int(number_text)
        if not 1 <= number <= MAX_PASLON:
            raise InputError(
                f"{path} row {row_no}: nomor_urut {number} of paslon_id {paslon_id} is outside 1..{MAX_PASLON}",
                hint=f"rekap numbers at most {MAX_PASLON} candidate pairs per race",
            )
        previous = table.get(paslon_id)
        if previous is not None and previous != number:
            raise InputError(
                f"{path} row {row_no}: paslon_id {paslon_id} has nomor_urut {number} here "
                f"but {previous} in row {first_row[paslon_id]}"
            )
        table[paslon_id] = number
        first_row.setdefault(paslon_id, row_no)
    if not table:
        raise InputError(f"{path}: the paslon table has no candidates", hint="columns paslon_id,nomor_urut")
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


