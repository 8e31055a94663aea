"""Reported recaps in the D.Hasil layout: the level sheets of rekap's own workbook, and forms typed by staff.

    book = read_dhasil_workbook(path, "rekap.xlsx")
    # -> book.sheets: one DHasilSheet per sheet in the layout (its rows as an Arrow table of text)
    #    book.skipped: (sheet, reason) for every other sheet

Two layouts, both written by `rekap.report.dhasil` and recognised by the same labels (`rekap.form`):

- **wide** (the form's own): the items down the side (No., Uraian, with L/P/Jumlah sub-rows for the
  voter groups), one column per unit with the units' codes in a header row (names in another), maybe
  a JUMLAH column and title rows above. The items are found by their labels in one column ("Pemilih
  terdaftar dalam DPT", "Jumlah pengguna hak pilih", "Suara Sah", "Paslon 01" / "Pasangan calon 01",
  or the header aliases of TPS files); candidate rows under "PEROLEHAN SUARA" whose label is a name
  ("KHOFIFAH - EMIL") are numbered by their order. The code row is the header row above the first item
  with the most region codes in it; a column headed JUMLAH/TOTAL is a total, never a unit. Each unit
  keeps its cells' positions: `_row` is the code row, `_row__<column>` the item's row and
  `_cell__<column>` the cell ("F45").
- **long** (rekap's layout for levels with more than 60 units): one row per unit under a header row
  with a "Kode" column and the items as columns (group labels over L/P/Jumlah); a JUMLAH row at the
  end. Its rows go straight from the sheet into an Arrow table of text (as the XLSX reader does), so a
  desa sheet of 83,000 units is typed and checked by DuckDB, not by Python.

rekap's TPS counters (the KELENGKAPAN TPS block: Jumlah TPS, TPS dengan data …, TPS dengan galat) are
facts about the data rekap summed, not counts on a form, and are not read; "TPS diharapkan" (the
units' expected TPS, from a region list) is read as `n_tps_total`, the reported TPS count of a unit.

The level of a unit follows from its code's length (2/4/6/10; `00` = nasional); a level named in the
title ("TINGKAT KECAMATAN") or the sheet name that the codes contradict is said in a note. The election
type comes from the title when it names one (`rekap.i18n.ELECTION_TITLES`, or "GUBERNUR", "BUPATI" …).
"""

from __future__ import annotations

import re
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

from rekap.errors import InputError
from rekap.form import (
    BUNDLE_SHEETS,
    COUNTER_COLUMNS,
    FORMER_SHEET_NAMES,
    LPJ_LABELS,
    PASLON_LABEL,
    SECTIONS,
    SINGLE_LABELS,
    TEXTS,
    VOTER_GROUPS,
    every_language,
    form_text,
)
from rekap.i18n import ELECTION_TITLES, N_, SHEET_NAMES, _, in_every_language, languages, level_name, num
from rekap.io.excel import (
    HEADER_SCAN_ROWS,
    _cell_text,
    _fill_uncomputed_formulas,
    _guarded_rows,
    _with_workbook,
)
from rekap.regions import PREFIX, level_of_word
from rekap.schema import (
    ADMIN_COLUMNS,
    MAX_PASLON,
    NUMERIC_COLUMNS,
    normalize_header,
    resolve_header,
)

EXPECTED_TPS = "n_tps_expected"
"""The one counter that is read: the units' expected TPS, as `n_tps_total`."""
_CODE_LENGTHS = frozenset(PREFIX.values())
_TOTAL_WORDS = frozenset({"jumlah", "total", "jml", "jumlah total", "grand total", "total keseluruhan",
                          *(normalize_header(t) for t in every_language(TEXTS["total"]))})
_CODE_HEADERS = frozenset({normalize_header(t) for t in every_language(TEXTS["code"])})
_PARENT_CODE_HEADERS: dict[str, str] = {
    normalize_header(form_text(TEXTS["parent_code"], lang, level=level_name(lv, lang))): lv
    for lv in ("provinsi", "kabkota", "kecamatan", "desa") for lang in languages()
}
"""The parent code columns of a long sheet as rekap writes them in every language ("Kode Kecamatan")."""
_NAME_HEADERS = frozenset(normalize_header(level_name(lv, lang)) for lv in SHEET_NAMES for lang in languages())
"""A long sheet's name columns, headed by their level as rekap writes it in every language ("Kecamatan")."""
_SUB_WORDS: dict[str, str] = {
    normalize_header(w): s
    for s, words in {
        "l": ("L", "Lk", "Laki-laki", "Laki", "Pria", *every_language(LPJ_LABELS["l"])),
        "p": ("P", "Pr", "Perempuan", "Wanita", *every_language(LPJ_LABELS["p"])),
        "j": ("J", "Jml", "Jumlah", "Total", "L+P", "Jumlah L+P", *every_language(LPJ_LABELS["j"])),
    }.items()
    for w in words
}
# Item labels as the writer prints them (every language); header aliases of TPS files come after.
_LABELS: dict[str, tuple[str, str]] = {
    **{normalize_header(t): ("group", g) for g, text in VOTER_GROUPS.items() for t in every_language(text)},
    **{normalize_header(t): ("counter" if c in COUNTER_COLUMNS else "column", c)
       for c, text in SINGLE_LABELS.items() for t in every_language(text)},
    **{normalize_header(t): ("column", f"suara_paslon_{n}")
       for n in range(1, MAX_PASLON + 1) for t in every_language(PASLON_LABEL, n=n)},
}
# How KPU's own D.Hasil forms word some items (after dropping the filler words "yang" and "seluruh").
_FORM_WORDING: dict[str, tuple[str, str]] = {
    normalize_header(t): item
    for item, texts in {
        ("group", "pemilih_dpt"): ("Jumlah pemilih dalam DPT", "Jumlah pemilih dalam Daftar Pemilih Tetap",
                                   "Jumlah pemilih terdaftar dalam DPT", "Pemilih dalam DPT"),
        ("group", "pengguna_dpt"): ("Jumlah pengguna hak pilih dalam DPT",
                                    "Jumlah pengguna hak pilih dalam Daftar Pemilih Tetap"),
        ("column", "ss_diterima"): ("Jumlah surat suara diterima termasuk surat suara cadangan",
                                    "Surat suara diterima termasuk cadangan"),
        ("column", "ss_rusak"): ("Jumlah surat suara rusak atau keliru coblos", "Jumlah surat suara rusak/keliru coblos",
                                 "Jumlah surat suara dikembalikan oleh pemilih karena rusak atau keliru coblos"),
        ("column", "ss_sisa"): ("Jumlah surat suara tidak digunakan", "Jumlah surat suara tidak digunakan/tidak terpakai",
                                "Jumlah surat suara tidak digunakan termasuk sisa surat suara cadangan"),
        ("column", "suara_sah"): ("Jumlah suara sah", "Jumlah suara sah seluruh pasangan calon"),
        ("column", "suara_total"): ("Jumlah suara sah dan suara tidak sah",),
    }.items()
    for t in texts
}
_FILLER = re.compile(r"\b(?:yang|seluruh)\b")
_SECTION_OF: dict[str, str] = {
    normalize_header(t): ("votes" if numeral == "IV" else "counters" if not numeral else numeral)
    for numeral, heading, _entries in SECTIONS
    for t in every_language(heading)
}
_PASLON_RE = re.compile(
    r"^(?:suara )?(?:paslon|pasangan calon|pasangan|calon|candidate pair|pair)"
    r"(?: (?:no|nomor))?(?: urut)?(?: (?:no|nomor))? 0*([1-9][0-9]?)$"
    r"|^(?:no|nomor) urut 0*([1-9][0-9]?)$"
)
_NUMBERING = re.compile(r"^\s*(?:[0-9]{1,2}|[IVXivx]{1,4}|[A-Za-z])\s*[.)]\s*(?=\S)")
_LEVEL_IN_TITLE = [
    (re.compile(r"\bTINGKAT\s+(NASIONAL|PROVINSI|KABUPATEN\s*/\s*KOTA|KABUPATEN|KOTA|KECAMATAN|"
                r"DESA\s*/\s*KELURAHAN|DESA|KELURAHAN)\b"), 1),
    (re.compile(r"\b(NATIONAL|PROVINCE|REGENCY\s*/\s*CITY|DISTRICT|VILLAGE)\b[^\n]*?\bLEVEL\b"), 1),
]
# The level line as rekap writes it in every language ("TINGKAT KECAMATAN", "DISTRICT (KECAMATAN) LEVEL"),
# longest first.
_LEVEL_LINES: tuple[tuple[str, str], ...] = tuple(sorted(
    {(" ".join(form_text(TEXTS["level"], lang, level=level_name(lv, lang).upper()).split()), lv)
     for lv in SHEET_NAMES for lang in languages()},
    key=lambda p: (-len(p[0]), p),
))
_ELECTION_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ppwp", re.compile(r"\bPRESIDEN\b|\bPRESIDENTIAL\b")),
    ("pkwkp", re.compile(r"\bGUBERNUR\b|\bGOVERNOR\b")),
    ("pkwkk", re.compile(r"\bBUPATI\b|\bWALI ?KOTA\b|\bREGENT\b|\bMAYOR\b")),
    ("pdprdp", re.compile(r"\bDPRD PROVINSI\b|\bPROVINCIAL DPRD\b")),
    ("pdprdk", re.compile(r"\bDPRD KAB")),
    ("pdpd", re.compile(r"\bDPD\b")),
    ("pdpr", re.compile(r"\bDPR\b")),
)

Row = Sequence[Any]
_BUNDLE_LISTS: dict[str, str] = {
    "summary": N_("ringkasan buatan rekap"),
    "findings": N_("daftar temuan buatan rekap"),
    "accepted": N_("daftar temuan diterima buatan rekap"),
    "discrepancies": N_("daftar selisih buatan rekap"),
    "coverage": N_("daftar kelengkapan buatan rekap"),
    "changes": N_("daftar perubahan buatan rekap"),
    "changes_units": N_("daftar perubahan per wilayah buatan rekap"),
}
"""Why a list sheet of rekap's own workbook (`BUNDLE_SHEETS`) is not read as a recap."""


@dataclass
class DHasilSheet:
    sheet: str
    layout: str
    """'wide' (units as columns) or 'long' (units as rows)."""
    table: pa.Table
    """All text: `_row`, `_kode`, `_nama`, `_anc_<level>` (a parent code column, long layout), the count
    columns, and for the wide layout `_row__<column>` (int) and `_cell__<column>` per count column."""
    counts: list[str]
    """Canonical count columns in `table` (and `n_tps_total` when the sheet has the expected TPS)."""
    ancestors: list[tuple[str, str]] = field(default_factory=list)
    """(level, header) of the parent code columns the long layout has, to check against each code."""
    letters: dict[str, str] = field(default_factory=dict)
    """Long layout: the column letter of each count column (with `_row`, the cell)."""
    code_letter: str = ""
    """Long layout: the letter of the code column."""
    jenis: str | None = None
    level: str | None = None
    """The level the title or sheet name names (the codes decide; a contradiction is a note)."""
    describe: str = ""
    notes: list[str] = field(default_factory=list)


@dataclass
class DHasilWorkbook:
    sheets: list[DHasilSheet]
    skipped: list[tuple[str, str]]
    """(sheet name, why it is not read) for every other sheet, in workbook order."""


# --- labels ------------------------------------------------------------------------------------------


def _text(v: Any) -> str:
    """A cell as one line of text ('' for empty)."""
    t = _cell_text(v)
    return " ".join(t.split()) if t else ""


def _strip_numbering(text: str) -> str:
    return _NUMBERING.sub("", text, count=1)


def item_of(label: str) -> tuple[str, str] | None:
    """What a row (wide) or column (long) label names: ('group', 'pemilih_dpt') for an L/P/J group,
    ('column', 'suara_sah'), ('counter', 'n_tps'), or None. Snake-case names are field names in rekap's
    list sheets (findings, discrepancies), not the form's labels, and name nothing here."""
    if not label or "_" in label:
        return None
    for text in (label, _strip_numbering(label)):
        key = normalize_header(text)
        if not key:
            continue
        if key in _LABELS:
            return _LABELS[key]
        plain = " ".join(_FILLER.sub(" ", key).split())
        if plain in _FORM_WORDING:
            return _FORM_WORDING[plain]
        m = _PASLON_RE.match(key)
        if m:
            n = int(m.group(1) or m.group(2))
            return ("column", f"suara_paslon_{n}") if n <= MAX_PASLON else None
        for name in (text, plain):
            canon = resolve_header(name)
            if canon in NUMERIC_COLUMNS:
                assert canon is not None
                # A bare group name ("Jumlah DPT") resolves to its jumlah column; with L/P sub-rows it is the group.
                if canon in ADMIN_COLUMNS and canon.endswith("_j") and resolve_header(name + " L") == canon[:-2] + "_l":
                    return "group", canon[:-2]
                return "column", canon
    return None


def _sub_of(label: str) -> str | None:
    """'l', 'p' or 'j' for a sub-label (L, P, Jumlah, Laki-laki, a. Perempuan …)."""
    if not label:
        return None
    return _SUB_WORDS.get(normalize_header(label)) or _SUB_WORDS.get(normalize_header(_strip_numbering(label)))


def _section_of(label: str) -> str | None:
    key = normalize_header(_strip_numbering(label)) if label else ""
    if key in _SECTION_OF:
        return _SECTION_OF[key]
    # Staff write the votes block as "PEROLEHAN SUARA PASANGAN CALON", "RINCIAN PEROLEHAN SUARA" …
    return "votes" if key.startswith(("perolehan suara", "rincian perolehan suara")) else None


def _is_total(text: str) -> bool:
    return normalize_header(text) in _TOTAL_WORDS


def _code_like(v: Any) -> bool:
    """A region code as typed: digits (dots and spaces allowed) of 2, 4, 6 or 10, or a number."""
    if v is None or isinstance(v, bool):
        return False
    if isinstance(v, int | float):
        if isinstance(v, float) and not v.is_integer():
            return False
        return int(v) == 0 or (int(v) > 0 and len(str(int(v))) in _CODE_LENGTHS)
    s = re.sub(r"[.\s]", "", str(v))
    return s.isdigit() and (len(s) in _CODE_LENGTHS or s == "0")


def _election(texts: list[str], sheet: str) -> tuple[str | None, str]:
    """(jenis, the note saying where it came from) from title lines and the sheet name; (None, the note saying
    why not, or '') when they say nothing."""
    title = " ".join(" ".join(t.upper().split()) for t in texts)
    # Longest first: "… ANGGOTA DPRD PROVINSI" also contains "… ANGGOTA DPR".
    for name, jenis in sorted(((n, j) for j, pair in ELECTION_TITLES.items() for n in in_every_language(*pair)),
                              key=lambda p: -len(p[0])):
        if name in title:
            return jenis, _("jenis {jenis} dari judul", jenis=jenis)
    found = sorted({jenis for jenis, pattern in _ELECTION_WORDS if pattern.search(title)})
    if len(found) == 1:
        return found[0], _("jenis {jenis} dari judul", jenis=found[0])
    words = {w.lower() for w in re.split(r"[^A-Za-z]+", sheet)}
    by_name = [e for e in ELECTION_TITLES if e in words]
    if len(by_name) == 1:
        return by_name[0], _("jenis {jenis} dari nama lembar", jenis=by_name[0])
    if len(found) > 1:
        return None, _("jenis tidak diambil dari judul: judul menyebut beberapa ({found})", found=", ".join(found))
    return None, ""


def _declared_level(texts: list[str], sheet: str) -> str | None:
    for t in texts:
        upper = " ".join(t.upper().split())
        for line, level in _LEVEL_LINES:
            if line in upper:
                return level
        for pattern, group in _LEVEL_IN_TITLE:
            m = pattern.search(upper)
            if m:
                return level_of_word(m.group(group))
    name = sheet.strip().casefold()
    for level, pair in SHEET_NAMES.items():
        for text in in_every_language(*pair):
            if name == text.casefold() or name.startswith(text.casefold() + " "):
                return level
    return None


# --- the workbook ------------------------------------------------------------------------------------


def read_dhasil_workbook(path: Path, display: str) -> DHasilWorkbook:
    """Every sheet of the workbook in one of the two D.Hasil layouts, and the others with the reason."""

    def read(wb: Any) -> DHasilWorkbook:
        sheets: list[DHasilSheet] = []
        skipped: list[tuple[str, str]] = []
        for ws in wb.worksheets:
            found = _read_sheet(ws, display)
            if isinstance(found, DHasilSheet):
                sheets.append(found)
            else:
                skipped.append((ws.title, found))
        return DHasilWorkbook(sheets, skipped)

    return _with_workbook(path, display, read)


def _bundle_sheet(title: str) -> str | None:
    for key, name in BUNDLE_SHEETS.items():
        if title.strip().casefold() in (n.casefold() for n in (*every_language(name), *FORMER_SHEET_NAMES.get(key, ()))):
            return key
    return None


def _print_view_of(title: str) -> str | None:
    """The sheet a print view sheet of rekap's workbook copies ("Desa-Kelurahan (cetak)" → "Desa-Kelurahan"), or
    None: its blocks repeat that sheet's numbers, one parent unit at a time, for paper."""
    for text in every_language(TEXTS["print_sheet"], sheet="\x00"):
        before, _mark, after = text.partition("\x00")
        if title.startswith(before) and title.endswith(after) and len(title) > len(before) + len(after):
            return title[len(before): len(title) - len(after)]
    return None


SIGN_PLACE = frozenset(t.strip().casefold() for t in every_language(TEXTS["sign_place"]))


def _until_signature(rows: Generator[Row, None, None]) -> Generator[Row, None, None]:
    """The rows of a sheet up to the form's signature block (rekap writes one under every D.Hasil table: place and
    date, the body, a line per member), which holds no counts."""
    try:
        for row in rows:
            if any(isinstance(v, str) and v.strip().casefold() in SIGN_PLACE for v in row):
                return
            yield row
    finally:
        rows.close()


def _read_sheet(ws: Any, display: str) -> DHasilSheet | str:
    """The sheet's recap, or the reason it is none."""
    view = _print_view_of(ws.title)
    if view is not None:
        return _("lembar cetak dari lembar \"{sheet}\": angkanya dibaca dari lembar itu", sheet=view)
    rows = _until_signature(_guarded_rows(ws, f"{display} [{ws.title}]"))
    head = [tuple(r) for r in islice(rows, HEADER_SCAN_ROWS)]
    kind = _bundle_sheet(ws.title)
    if not any(any(_text(v) for v in r) for r in head):
        rows.close()
        return _("kosong (tidak ada isi di {rows} baris pertamanya)", rows=HEADER_SCAN_ROWS)
    col_hits: dict[int, int] = {}
    row_hits: dict[int, int] = {}
    for r, row in enumerate(head):
        for c, v in enumerate(row):
            if isinstance(v, str) and item_of(_text(v)) is not None:
                col_hits[c] = col_hits.get(c, 0) + 1
                row_hits[r] = row_hits.get(r, 0) + 1
    best_col = max(col_hits.values(), default=0)
    best_row = max(row_hits.values(), default=0)
    not_a_recap = _(_BUNDLE_LISTS[kind]) if kind in _BUNDLE_LISTS else None
    if best_col >= 2 and best_col >= best_row:
        label_col = min(c for c, n in col_hits.items() if n == best_col)
        rest = [tuple(r) for r in rows]
        found = _wide(ws, [*head, *rest], label_col, display)
        return (not_a_recap or found) if isinstance(found, str) else found
    if best_row >= 2:
        found = _long(ws, head, rows, display)
        return (not_a_recap or found) if isinstance(found, str) else found
    rows.close()
    return not_a_recap or _(
        "tidak ada uraian formulir (label seperti '{first}', '{second}', '{third}') di {rows} baris pertamanya",
        first=form_text(VOTER_GROUPS["pemilih_dpt"]), second=form_text(SINGLE_LABELS["suara_sah"]),
        third=form_text(PASLON_LABEL, n=1), rows=HEADER_SCAN_ROWS,
    )


def _letter(c: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(c + 1))


def _cell(rows: Sequence[Row], r: int, c: int) -> Any:
    row = rows[r]
    return row[c] if c < len(row) else None


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


# --- wide: items as rows, units as columns -------------------------------------------------------------


def _wide(ws: Any, rows: Sequence[Row], label_col: int, display: str) -> DHasilSheet | str:
    import pyarrow as pa  # lazily: validating alone never needs it (numpy + pyarrow ~0.3 s)

    where = f"{display} [{ws.title}]"
    width = max((len(r) for r in rows), default=0)
    labels = [_text(_cell(rows, r, label_col)) for r in range(len(rows))]
    first = next(
        (r for r, t in enumerate(labels) if item_of(t) is not None or _section_of(t) is not None), None
    )
    if first is None:
        return _("tidak ada uraian formulir")
    # Sub-label columns (L / P / Jumlah) right of the labels; the units start after them.
    first_unit = label_col + 1
    while first_unit < width:
        cells = [_text(_cell(rows, r, first_unit)) for r in range(first, len(rows))]
        filled = [t for t in cells if t]
        if filled and all(_sub_of(t) for t in filled):
            first_unit += 1
        else:
            break
    sub_cols = list(range(label_col + 1, first_unit))

    codes_per_row = [
        sum(_code_like(_cell(rows, r, c)) for c in range(first_unit, width)) for r in range(first)
    ]
    if not codes_per_row or max(codes_per_row) == 0:
        return _(
            "ada uraian formulir di kolom {column} tetapi tidak ada baris kode wilayah (2, 4, 6, atau 10 digit) di "
            "atasnya (baris {row})", column=_letter(label_col), row=first + 1,
        )
    code_row = max(r for r, n in enumerate(codes_per_row) if n == max(codes_per_row))
    totals = [c for c in range(first_unit, width)
              if any(_is_total(_text(_cell(rows, r, c))) for r in range(first))]
    units = [
        c for c in range(first_unit, width)
        if c not in totals
        and (not _blank(_cell(rows, code_row, c)) or any(not _blank(_cell(rows, r, c)) for r in range(first, len(rows))))
    ]
    names_per_row = {
        r: sum(1 for c in units if _text(_cell(rows, r, c)) and not _code_like(_cell(rows, r, c)))
        for r in range(first) if r != code_row
    }
    best = max(names_per_row.values(), default=0)
    name_row = (
        min((r for r, n in names_per_row.items() if n == best), key=lambda r: (abs(r - code_row), -r))
        if best else None
    )
    title_texts = [_text(v) for r in range(min(code_row, name_row if name_row is not None else code_row))
                   for v in rows[r] if isinstance(v, str)]
    notes: list[str] = []

    # Formulas that were never calculated (a workbook written by a script) would read as empty cells.
    data = [[_cell_text(v) for v in row] for row in rows]
    _fill_uncomputed_formulas(ws, data, list(range(1, len(rows) + 1)))

    mapping: dict[str, int] = {}
    unread: list[str] = []
    ignored_counters: list[str] = []
    named: list[str] = []
    section: str | None = None
    group: str | None = None
    candidates = 0
    votes_closed = False

    def put(column: str, r: int) -> None:
        if column in mapping:
            raise InputError(
                _("{where} baris {first} dan {second}: keduanya {column}", where=where, first=mapping[column] + 1,
                  second=r + 1, column=column),
                hint=_("sisakan satu baris per uraian (labelnya menamai uraian: kolom Uraian)"),
            )
        mapping[column] = r

    for r in range(first, len(rows)):
        label = labels[r]
        sub = next((s for c in sub_cols if (s := _sub_of(_text(_cell(rows, r, c))))), None)
        has_values = any(not _blank(data[r][c]) if c < len(data[r]) else False for c in units)
        if not label and sub is None:
            if has_values:
                unread.append(_("baris {row} (tanpa label)", row=r + 1))
            continue
        heading = _section_of(label) if not has_values and sub is None else None
        if heading is not None:
            section, group, candidates, votes_closed = heading, None, 0, False
            continue
        item = item_of(label)
        if item is None and label and _sub_of(label) and group:
            put(f"{group}_{_sub_of(label)}", r)
            continue
        if item is None and not label and group and sub:
            put(f"{group}_{sub}", r)
            continue
        if item is None:
            if section == "votes" and not votes_closed and label and has_values:
                candidates += 1
                column = f"suara_paslon_{candidates}"
                if candidates > MAX_PASLON:
                    raise InputError(_("{where} baris {row}: lebih dari {max} baris paslon", where=where, row=r + 1,
                                       max=MAX_PASLON))
                named.append(f"'{label}' = {column}")
                put(column, r)
            elif has_values:
                unread.append(_("baris {row} '{label}'", row=r + 1, label=label))
            continue
        kind, name = item
        if kind == "group":
            group = name
            if sub or has_values:
                put(f"{name}_{sub or 'j'}", r)
            continue
        group = name[: -2] if name in ADMIN_COLUMNS else None
        if kind == "counter":
            if name == EXPECTED_TPS:
                put("n_tps_total", r)
            else:
                ignored_counters.append(label)
            continue
        if name.startswith("suara_paslon_"):
            candidates += 1
        elif section == "votes":
            votes_closed = True  # after the candidates come the totals: no more names to number
        put(name, r)

    if not mapping:
        return _("ada uraian formulir di kolom {column} tetapi tidak satu pun yang angkanya terbaca",
                 column=_letter(label_col))
    if named:
        notes.append(_("baris paslon dinomori menurut urutannya: {items}", items=", ".join(named)))
    if ignored_counters:
        notes.append(_("penghitung TPS tidak dibandingkan: {labels}", labels=", ".join(ignored_counters)))
    if "n_tps_total" in mapping:
        notes.append(_("'{label}' dibaca sebagai n_tps_total (TPS wilayah)", label=labels[mapping["n_tps_total"]]))
    if unread:
        notes.append(_("baris yang tidak dibaca (labelnya bukan uraian formulir): {rows}",
                       rows=", ".join(unread[:10]) + (f" (+{num(len(unread) - 10)})" if len(unread) > 10 else "")))
    for c in totals:
        heading = next(t for r in range(first) if _is_total(t := _text(_cell(rows, r, c))))
        notes.append(_("kolom {column} ({heading}) adalah total, tidak dibaca", column=_letter(c), heading=heading))

    counts = [c for c in [*NUMERIC_COLUMNS, "n_tps_total"] if c in mapping]
    letters = [_letter(c) for c in units]

    def at(r: int, c: int) -> str | None:
        row = data[r]
        return row[c] if c < len(row) else None

    arrays: dict[str, pa.Array] = {
        "_row": pa.array([code_row + 1] * len(units), type=pa.int64()),
        "_kode": pa.array([_code_text(_cell(rows, code_row, c)) for c in units], type=pa.string()),
        "_nama": pa.array([at(name_row, c) if name_row is not None else None for c in units], type=pa.string()),
    }
    for column in counts:
        r = mapping[column]
        arrays[column] = pa.array([at(r, c) for c in units], type=pa.string())
        arrays[f"_row__{column}"] = pa.array([r + 1] * len(units), type=pa.int64())
        arrays[f"_cell__{column}"] = pa.array([f"{letter}{r + 1}" for letter in letters], type=pa.string())
    jenis, jenis_note = _election(title_texts, ws.title)
    if jenis_note:
        notes.append(jenis_note)
    if name_row is not None:
        describe = _("xlsx, lembar '{sheet}', formulir D.Hasil: uraian menurun di kolom {column}, wilayah mendatar "
                     "(kode di baris {row}, nama di baris {name_row})", sheet=ws.title, column=_letter(label_col),
                     row=code_row + 1, name_row=name_row + 1)
    else:
        describe = _("xlsx, lembar '{sheet}', formulir D.Hasil: uraian menurun di kolom {column}, wilayah mendatar "
                     "(kode di baris {row})", sheet=ws.title, column=_letter(label_col), row=code_row + 1)
    return DHasilSheet(
        sheet=ws.title, layout="wide", table=pa.table(arrays), counts=counts, jenis=jenis,
        level=_declared_level(title_texts, ws.title), describe=describe, notes=notes,
    )


def _code_text(v: Any) -> str | None:
    """A code cell as text; a code typed as a number keeps every digit (0 is the nasional 00)."""
    if v is None:
        return None
    if isinstance(v, int | float) and not isinstance(v, bool) and float(v).is_integer() and int(v) == 0:
        return "00"
    return _cell_text(v)


# --- long: units as rows, items as columns ---------------------------------------------------------------


def _long(ws: Any, head: Sequence[Row], rest: Generator[Row, None, None], display: str) -> DHasilSheet | str:
    import pyarrow as pa  # lazily: validating alone never needs it (numpy + pyarrow ~0.3 s)

    where = f"{display} [{ws.title}]"
    found = next(
        ((r, c) for r, row in enumerate(head) for c, v in enumerate(row)
         if isinstance(v, str) and normalize_header(v) in _CODE_HEADERS),
        None,
    )
    if found is None:
        rest.close()
        return _("uraian formulir sebagai kolom tetapi tidak ada kolom '{code}' (kode wilayah)", code=form_text(TEXTS["code"]))
    label_row, code_col = found
    labels = [_text(v) for v in head[label_row]]
    groups = [_text(v) for v in head[label_row - 1]] if label_row > 0 else []
    mapping: dict[str, int] = {}
    ancestors: list[tuple[str, str, int]] = []
    name_col: int | None = None
    unused: list[str] = []
    ignored_counters: list[str] = []
    carry: tuple[str, str] | None = None
    for c, label in enumerate(labels):
        above = groups[c] if c < len(groups) else ""
        if above:
            carry = item_of(above)
        elif not _sub_of(label):
            carry = None
        column: str | None = None
        sub = _sub_of(label)
        if sub and carry is not None and carry[0] == "group":
            column = f"{carry[1]}_{sub}"
        elif c != code_col and (item := item_of(label)) is not None:
            kind, name = item
            if kind == "counter":
                if name == EXPECTED_TPS:
                    column = "n_tps_total"
                else:
                    ignored_counters.append(_strip_numbering(label))
                    continue
            else:
                column = f"{name}_j" if kind == "group" else name
        if column is not None:
            if column in mapping:
                raise InputError(
                    _("{where} kolom {first} dan {second}: keduanya {column}", where=where,
                      first=_letter(mapping[column]), second=_letter(c), column=column),
                    hint=_("sisakan satu kolom per uraian"),
                )
            mapping[column] = c
            continue
        if c == code_col or not label:
            continue
        if normalize_header(label) in _PARENT_CODE_HEADERS:
            ancestors.append((_PARENT_CODE_HEADERS[normalize_header(label)], label, c))
            continue
        canon = resolve_header(label)
        if canon is None and normalize_header(label) in _NAME_HEADERS:
            canon = "nama_wilayah"
        if canon is not None and canon.startswith("nama_") and name_col is None and c > code_col:
            name_col = c
        elif canon is not None and canon.startswith("kode_") and canon != "kode_tps":
            level = next(lv for lv, col in (("provinsi", "kode_prov"), ("kabkota", "kode_kabkota"),
                                            ("kecamatan", "kode_kec"), ("desa", "kode_desa")) if col == canon)
            ancestors.append((level, label, c))
        else:
            unused.append(f"'{label}'")
    if not mapping:
        rest.close()
        return _("ada kolom 'Kode' tetapi tidak ada uraian formulir sebagai kolom")

    # The units' rows, straight into columns of text (as the XLSX reader does); DuckDB types them.
    data: list[list[str | None]] = []
    rownums: list[int] = []
    rownum = label_row + 2
    for row in chain(head[label_row + 1 :], rest):
        if any(v is not None for v in row):
            data.append([v if v is None or v.__class__ is str else _cell_text(v) for v in row])
            rownums.append(rownum)
        rownum += 1
    _fill_uncomputed_formulas(ws, data, rownums)

    def column_of(c: int) -> pa.Array:
        return pa.array([r[c] if c < len(r) else None for r in data], type=pa.string())

    counts = [c for c in [*NUMERIC_COLUMNS, "n_tps_total"] if c in mapping]
    arrays: dict[str, pa.Array] = {
        "_row": pa.array(rownums, type=pa.int64()),
        "_kode": column_of(code_col),
        "_nama": column_of(name_col) if name_col is not None else pa.nulls(len(data), type=pa.string()),
    }
    for level, _label, c in ancestors:
        arrays[f"_anc_{level}"] = column_of(c)
    for column in counts:
        arrays[column] = column_of(mapping[column])
    notes: list[str] = []
    if ignored_counters:
        notes.append(_("penghitung TPS tidak dibandingkan: {labels}", labels=", ".join(ignored_counters)))
    if "n_tps_total" in mapping:
        notes.append(_("'{label}' dibaca sebagai n_tps_total (TPS wilayah)",
                       label=_strip_numbering(labels[mapping["n_tps_total"]])))
    if unused:
        notes.append(_("kolom yang tidak dipakai: {names}", names=", ".join(unused)))
    title_texts = [_text(v) for r in range(label_row) for v in head[r] if isinstance(v, str)]
    jenis, jenis_note = _election(title_texts, ws.title)
    if jenis_note:
        notes.append(jenis_note)
    return DHasilSheet(
        sheet=ws.title, layout="long", table=pa.table(arrays), counts=counts,
        ancestors=[(lv, label) for lv, label, _c in ancestors],
        letters={column: _letter(c) for column, c in mapping.items()}, code_letter=_letter(code_col),
        jenis=jenis, level=_declared_level(title_texts, ws.title),
        describe=_("xlsx, lembar '{sheet}', tata letak panjang D.Hasil: satu baris per wilayah (kode di kolom {column}, "
                   "baris judul kolom di baris {row})", sheet=ws.title, column=_letter(code_col), row=label_row + 1),
        notes=notes,
    )


__all__ = ["DHasilSheet", "DHasilWorkbook", "item_of", "read_dhasil_workbook"]
