"""Readable text tables: what `-f table` (the default on a terminal) prints for each kind of record.

`findings_text` (validate), `recap_text` (aggregate), `discrepancy_text` (compare) and `progress_text`
(progress) each take the column names and rows of their table and return UTF-8 bytes; `write_records`
calls them for the `table` format, so every other format of the same rows comes from the same table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rekap.i18n import percent


def findings_text(columns: Sequence[str], rows: list[tuple[Any, ...]]) -> bytes:
    """One finding per line, ruff-style: `source:row  kode  RULE severity message`."""
    if not rows:
        return b""
    idx = {c: i for i, c in enumerate(columns)}
    recs = [
        (
            f"{r[idx['source']] or ''}:{r[idx['row']]}" if r[idx["row"]] is not None else str(r[idx["source"]] or ""),
            r[idx["kode_wilayah"]] or "-",
            r[idx["rule"]],
            r[idx["severity"]],
            r[idx["message"]],
        )
        for r in rows
    ]
    width = max(len(loc) for loc, *_ in recs)
    out = [f"{loc:<{width}}  {kode:<13}  {rule}  {sev:<7}  {msg}" for loc, kode, rule, sev, msg in recs]
    return ("\n".join(out) + "\n").encode("utf-8")


def recap_text(columns: Sequence[str], rows: list[tuple[Any, ...]]) -> bytes:
    """A readable table of recap rows: unit, counters and the vote columns."""
    show = [c for c in columns if c in ("jenis_pemilihan", "level", "kode_wilayah", "nama_wilayah", "n_tps", "n_tps_expected")
            or c.startswith("suara_") or c == "pemilih_dpt_j"]
    idx = [columns.index(c) for c in show]
    table = [show] + [["" if r[i] is None else str(r[i]) for i in idx] for r in rows]
    widths = [max(len(row[j]) for row in table) for j in range(len(show))]
    numeric = [columns[i] not in ("jenis_pemilihan", "level", "kode_wilayah", "nama_wilayah") for i in idx]
    lines = [
        "  ".join(cell.rjust(w) if num else cell.ljust(w) for cell, w, num in zip(row, widths, numeric, strict=True)).rstrip()
        for row in table
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def discrepancy_text(columns: Sequence[str], rows: list[tuple[Any, ...]], lang: str = "id") -> bytes:
    """One discrepancy per line under a header: where, which field, reported vs computed, selisih, the
    basis it was computed from, and the trace. Nothing at all when there is no discrepancy."""
    idx = {c: i for i, c in enumerate(columns)}
    reported, computed, basis = ("dilaporkan", "dihitung", "dasar") if lang == "id" else ("reported", "computed", "basis")
    out = [f"{'level':<9} {'kode':<10} {'nama':<24} {'field':<22} {reported:>12} {computed:>12} {'selisih':>10}  "
           f"{basis}  trace"]
    for r in rows:
        sel = r[idx["selisih"]]
        trace = f"  ← {r[idx['trace']]}" if r[idx["trace"]] else ""
        out.append(
            f"{r[idx['level']]:<9} {r[idx['kode_wilayah']]:<10} {(r[idx['nama_wilayah']] or '')[:24]:<24} "
            f"{r[idx['field']]:<22} {r[idx['reported']]:>12} {r[idx['computed']]:>12} {sel:>+10}  "
            f"({r[idx['computed_from']]}){trace}"
        )
    return ("\n".join(out) + "\n").encode("utf-8") if rows else b""


def progress_text(columns: Sequence[str], rows: list[tuple[Any, ...]], lang: str = "id") -> bytes:
    """One unit per line under a header: TPS received, expected, percent."""
    idx = {c: i for i, c in enumerate(columns)}
    received, expected, pct = ("masuk", "harapan", "persen") if lang == "id" else ("received", "expected", "percent")
    out = [f"{'level':<9} {'kode':<10} {'nama':<28} {received:>8} {expected:>8} {pct:>7}"]
    for r in rows:
        out.append(
            f"{r[idx['level']]:<9} {r[idx['kode_wilayah']]:<10} {(r[idx['nama_wilayah']] or '')[:28]:<28} "
            f"{_blank(r[idx['n_tps']]):>8} {_blank(r[idx['n_tps_expected']]):>8} {percent(r[idx['persen']], lang):>7}"
        )
    return ("\n".join(out) + "\n").encode("utf-8")


def _blank(value: object) -> str:
    return "" if value is None else str(value)
