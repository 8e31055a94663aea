"""Readable text tables: what `-f table` (the default on a terminal) prints for each kind of record.

`findings_text` (validate), `recap_text` (aggregate), `discrepancy_text` (compare) and `progress_text`
(progress) each take the column names and rows of their table and return UTF-8 bytes; `write_records`
calls them for the `table` format, so every other format of the same rows comes from the same table.
They are for people: words in the output language (`lang`), numbers written as the language writes
them (1.234.567 / 1,234,567); codes (rule ids, level codes, column names) stay as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rekap.i18n import C_, NC_, SEVERITY_WORDS, num, percent, severity_word


def findings_text(columns: Sequence[str], rows: list[tuple[Any, ...]], lang: str = "id") -> bytes:
    """One finding per line, ruff-style: `source:row  kode  RULE severity message`."""
    if not rows:
        return b""
    idx = {c: i for i, c in enumerate(columns)}
    recs = [
        (
            f"{r[idx['source']] or ''}:{r[idx['row']]}" if r[idx["row"]] is not None else str(r[idx["source"]] or ""),
            r[idx["kode_wilayah"]] or "-",
            r[idx["rule"]],
            severity_word(r[idx["severity"]], lang),
            r[idx["message"]],
        )
        for r in rows
    ]
    width = max(len(loc) for loc, *_rest in recs)
    sev_width = max(len(severity_word(s, lang)) for s in SEVERITY_WORDS)
    out = [f"{loc:<{width}}  {kode:<13}  {rule}  {sev:<{sev_width}}  {msg}" for loc, kode, rule, sev, msg in recs]
    return ("\n".join(out) + "\n").encode("utf-8")


TEXT_COLUMNS = ("jenis_pemilihan", "level", "kode_wilayah", "nama_wilayah")
"""The recap's columns that hold codes and names (every other column shown is a count)."""


def recap_text(columns: Sequence[str], rows: list[tuple[Any, ...]], lang: str = "id") -> bytes:
    """A readable table of recap rows: unit, counters and the vote columns, headed by the column names
    (as in every other format of the recap)."""
    show = [c for c in columns if c in (*TEXT_COLUMNS, "n_tps", "n_tps_expected")
            or c.startswith("suara_") or c == "pemilih_dpt_j"]
    idx = [columns.index(c) for c in show]
    numeric = [columns[i] not in TEXT_COLUMNS for i in idx]
    # Column names head the table, as in every other format, but for `level`, a word for people.
    head = [C_("recap table", "tingkat", lang) if c == "level" else c for c in show]
    table = [head] + [
        ["" if r[i] is None else num(r[i], lang) if is_num else str(r[i]) for i, is_num in zip(idx, numeric, strict=True)]
        for r in rows
    ]
    widths = [max(len(row[j]) for row in table) for j in range(len(show))]
    lines = [
        "  ".join(cell.rjust(w) if is_num else cell.ljust(w)
                  for cell, w, is_num in zip(row, widths, numeric, strict=True)).rstrip()
        for row in table
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def discrepancy_text(columns: Sequence[str], rows: list[tuple[Any, ...]], lang: str = "id") -> bytes:
    """One discrepancy per line under a header: where, which field, reported vs computed, selisih, the
    basis it was computed from, and the trace. Nothing at all when there is no discrepancy."""
    if not rows:
        return b""
    idx = {c: i for i, c in enumerate(columns)}
    head = [C_("discrepancy table", "tingkat", lang), C_("discrepancy table", "kode", lang),
            C_("discrepancy table", "nama", lang), C_("discrepancy table", "kolom", lang),
            C_("discrepancy table", "dilaporkan", lang), C_("discrepancy table", "dihitung", lang),
            C_("discrepancy table", "selisih", lang), C_("discrepancy table", "dasar", lang),
            C_("discrepancy table", "jejak", lang)]
    w = [max(len(h), n) for h, n in zip(head, (9, 10, 24, 22, 12, 12, 10), strict=False)]
    out = [f"{head[0]:<{w[0]}} {head[1]:<{w[1]}} {head[2]:<{w[2]}} {head[3]:<{w[3]}} {head[4]:>{w[4]}} "
           f"{head[5]:>{w[5]}} {head[6]:>{w[6]}}  {head[7]}  {head[8]}"]
    for r in rows:
        sel = r[idx["selisih"]]
        signed = ("+" if sel is not None and sel > 0 else "") + _blank(sel, lang)
        trace = f"  ← {r[idx['trace']]}" if r[idx["trace"]] else ""
        out.append(
            f"{r[idx['level']]:<{w[0]}} {r[idx['kode_wilayah']]:<{w[1]}} {(r[idx['nama_wilayah']] or '')[:24]:<{w[2]}} "
            f"{r[idx['field']]:<{w[3]}} {_blank(r[idx['reported']], lang):>{w[4]}} "
            f"{_blank(r[idx['computed']], lang):>{w[5]}} {signed:>{w[6]}}  ({r[idx['computed_from']]}){trace}"
        )
    return ("\n".join(out) + "\n").encode("utf-8")


def progress_text(columns: Sequence[str], rows: list[tuple[Any, ...]], lang: str = "id") -> bytes:
    """One unit per line under a header: TPS received, expected, percent."""
    idx = {c: i for i, c in enumerate(columns)}
    head = [C_("progress table", "tingkat", lang), C_("progress table", "kode", lang),
            C_("progress table", "nama", lang), C_("progress table", "masuk", lang),
            C_("progress table", "diharapkan", lang), C_("progress table", "persen", lang)]
    w = [max(len(h), n) for h, n in zip(head, (9, 10, 28, 8, 8, 7), strict=True)]
    out = [f"{head[0]:<{w[0]}} {head[1]:<{w[1]}} {head[2]:<{w[2]}} {head[3]:>{w[3]}} {head[4]:>{w[4]}} {head[5]:>{w[5]}}"]
    for r in rows:
        out.append(
            f"{r[idx['level']]:<{w[0]}} {r[idx['kode_wilayah']]:<{w[1]}} {(r[idx['nama_wilayah']] or '')[:28]:<{w[2]}} "
            f"{_blank(r[idx['n_tps']], lang):>{w[3]}} {_blank(r[idx['n_tps_expected']], lang):>{w[4]}} "
            f"{percent(r[idx['persen']], lang):>{w[5]}}"
        )
    return ("\n".join(out) + "\n").encode("utf-8")


def _blank(value: Any, lang: str) -> str:
    """A count for people, '' when there is none."""
    return "" if value is None else num(value, lang)


CHANGE_WORDS: dict[str, tuple[str, str]] = {
    "added": NC_("change", "ditambahkan"),
    "removed": NC_("change", "ditarik"),
    "changed": NC_("change", "dikoreksi"),
    "tps_added": NC_("change", "TPS baru"),
    "tps_removed": NC_("change", "TPS hilang"),
}
"""The `change` codes of the change records (stable data) as words for people."""


def change_word(code: str, lang: str | None = None) -> str:
    return C_(*CHANGE_WORDS[code], lang) if code in CHANGE_WORDS else code


def _aligned(head: list[str], body: list[list[str]], numeric: list[bool]) -> bytes:
    table = [head, *body]
    widths = [max(len(row[j]) for row in table) for j in range(len(head))]
    lines = ["  ".join(cell.rjust(w) if is_num else cell.ljust(w)
                       for cell, w, is_num in zip(row, widths, numeric, strict=True)).rstrip() for row in table]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _signed(value: Any, lang: str) -> str:
    return "" if value is None else ("+" if value > 0 else "") + num(value, lang)


def changes_text(columns: Sequence[str], rows: list[tuple[Any, ...]], lang: str = "id") -> bytes:
    """One change record per line under a header: TPS, field, old → new, selisih, what happened, the rules.
    Nothing at all when nothing changed."""
    if not rows:
        return b""
    idx = {c: i for i, c in enumerate(columns)}
    head = [C_("change table", "kode TPS", lang), C_("change table", "kolom", lang), C_("change table", "lama", lang),
            C_("change table", "baru", lang), C_("change table", "selisih", lang),
            C_("change table", "perubahan", lang), C_("change table", "aturan", lang)]
    body = [[str(r[idx["kode_wilayah"]]), r[idx["field"]] or "", _blank(r[idx["old"]], lang), _blank(r[idx["new"]], lang),
             _signed(r[idx["selisih"]], lang), change_word(r[idx["change"]], lang), r[idx["rules"]] or ""]
            for r in rows]
    return _aligned(head, body, [False, False, True, True, True, False, False])


def diff_units_text(columns: Sequence[str], rows: list[tuple[Any, ...]], lang: str = "id") -> bytes:
    """Per unit and field: Σ old, Σ new, selisih and the TPS whose value changed (`rekap diff --level`)."""
    if not rows:
        return b""
    idx = {c: i for i, c in enumerate(columns)}
    head = [C_("change table", "tingkat", lang), C_("change table", "kode", lang), C_("change table", "nama", lang),
            C_("change table", "kolom", lang), C_("change table", "jumlah lama", lang),
            C_("change table", "jumlah baru", lang), C_("change table", "selisih", lang),
            C_("change table", "TPS berubah", lang)]
    body = [[str(r[idx["level"]]), str(r[idx["kode_wilayah"]]), (r[idx["nama_wilayah"]] or "")[:24], str(r[idx["field"]]),
             _blank(r[idx["old"]], lang), _blank(r[idx["new"]], lang), _signed(r[idx["selisih"]], lang),
             _blank(r[idx["n_tps_changed"]], lang)]
            for r in rows]
    return _aligned(head, body, [False, False, False, False, True, True, True, True])


RECORD_HEADERS: dict[str, tuple[str, str]] = {
    "row": NC_("record table", "baris"),
    "rules": NC_("record table", "aturan"),
    "source": NC_("record table", "berkas"),
    "level": NC_("record table", "tingkat"),
}
"""Column names that are words, shown to people in their language (the other columns are codes)."""


def records_text(columns: Sequence[str], rows: list[tuple[Any, ...]], lang: str = "id") -> bytes:
    """Any records as a readable table headed by their column names (words among them in the language):
    numbers as the language writes them and right-aligned, empty cells empty (the store's lists; every other
    format has the same columns)."""
    if not rows:
        return b""
    numeric = [all(isinstance(r[j], int | float) or r[j] is None for r in rows) and any(r[j] is not None for r in rows)
               and not columns[j].startswith("kode") and columns[j] != "row" for j in range(len(columns))]
    body = [["" if v is None else num(v, lang) if is_num else str(v) for v, is_num in zip(r, numeric, strict=True)]
            for r in rows]
    head = [C_(*RECORD_HEADERS[c], lang) if c in RECORD_HEADERS else c for c in columns]
    return _aligned(head, body, numeric)
