"""The bundle's workbook for staff (`rekap.xlsx` of `rekap run`) and the one-sheet record workbook of
`-f xlsx` (validate, compare, progress).

`write_bundle_xlsx(con, path, meta=...)`: a summary sheet (tool version, what the bundle covers, inputs
with SHA-256 and rows, sheets not read, row accounting, findings per severity and per rule with the rule's
title, number of discrepancies), the D.Hasil sheets of the recap (`rekap.report.dhasil`), then the lists:
every finding (errors on light red, warnings on light yellow), with `rekap run --accept` the accepted findings
with their reasons (sheet "Diterima", from `rk_findings_accepted`; the summary counts them and the stale
entries, and lists the accept files among the inputs), the discrepancies and the coverage. A list
sheet has a frozen header row and an autofilter; one longer than Excel's sheet allows is cut with a note
naming the CSV that holds every row.

`write_list_xlsx(con, table, path_or_stream)`: the records of one table as one sheet, the CSV's columns
and rows; more records than a sheet holds is a `UsageError`.

Rule titles come from the rules table the pipeline writes before rendering (`rekap.db.RULES_TABLE`,
written by `rekap.validate.catalogue.write_rules_table`); without that table the titles are left empty.
The cells, the bytes and the speed are the sheet writer's (`rekap.report.sheets`): the list rows are
written by DuckDB.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import duckdb

from rekap.db import table_exists
from rekap.form import BUNDLE_SHEETS
from rekap.i18n import C_, NC_, _, level_name, num
from rekap.regions import LEVELS, rank_sql
from rekap.report.dhasil import WIDE_MAX_UNITS, write_recap_sheets
from rekap.report.files import _write_all, write_atomic
from rekap.report.printing import DEFAULT_PAPER, Printing, workbook_printing
from rekap.report.rules import rule_titles
from rekap.report.sheets import (
    EXCEL_MAX_ROWS,
    INTEGER_TYPES,
    Styles,
    check_lang,
    finish,
    sql_str,
    text_lengths,
)
from rekap.schema import quote_ident
from rekap.version import __version__

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

BUNDLE_TEXTS: dict[str, tuple[str, str]] = {
    **BUNDLE_SHEETS,
    "summary_title": NC_("workbook", "RINGKASAN PEMERIKSAAN DAN REKAPITULASI"),
    "findings_title": NC_("workbook", "TEMUAN PEMERIKSAAN"),
    "discrepancies_title": NC_("workbook", "SELISIH REKAP YANG DILAPORKAN DAN HASIL PENJUMLAHAN"),
    "coverage_title": NC_("workbook", "KELENGKAPAN TPS"),
    "changes_title": NC_("workbook", "PERUBAHAN ANTARA DUA VERSI DATA TPS"),
    "changes_units_title": NC_("workbook", "PERUBAHAN JUMLAH PER WILAYAH"),
    "version": NC_("workbook", "Versi rekap"),
    "ruleset": NC_("workbook", "Versi aturan"),
    "inputs": NC_("workbook", "Berkas masukan"),
    "kind": NC_("workbook", "Jenis"),
    "file": NC_("workbook", "Berkas"),
    "format": NC_("workbook", "Format"),
    "rows": NC_("workbook", "Baris"),
    "kind_tps": NC_("workbook", "Data TPS"),
    "kind_reported": NC_("workbook", "Rekap yang dilaporkan"),
    "kind_master": NC_("workbook", "Daftar wilayah"),
    "skipped_sheets": NC_("workbook", "Lembar tidak dibaca"),
    "reason": NC_("workbook", "Alasan"),
    "accounting": NC_("workbook", "Penghitungan baris"),
    "by_severity": NC_("workbook", "Temuan per keparahan"),
    "by_rule": NC_("workbook", "Temuan per aturan"),
    "rule": NC_("workbook", "Aturan"),
    "severity": NC_("workbook", "Keparahan"),
    "rule_title": NC_("workbook", "Judul aturan"),
    "count": NC_("workbook column", "Jumlah"),
    "total": NC_("workbook", "Jumlah"),
    "discrepancy_count": NC_("workbook", "Selisih rekap"),
    "partial_count": NC_("workbook", "Angka tidak dibandingkan (data TPS belum lengkap)"),
    "covered": NC_("workbook", "Yang dicakup"),
    "not_compared": NC_("workbook", "Tidak ada rekap yang dilaporkan untuk dibandingkan."),
    "no_findings": NC_("workbook", "Tidak ada temuan."),
    "legend": NC_("workbook", "Merah: galat. Kuning: peringatan. Kode ditulis sebagai teks."),
    "capped": NC_("workbook", "Hanya {shown} dari {total} baris yang muat (batas baris Excel); semuanya ada di {file}."),
    "yes": NC_("workbook", "ya"),
    "no": NC_("workbook", "tidak"),
    "kind_previous": NC_("workbook", "Data TPS sebelumnya"),
    "changes_summary": NC_("workbook", "Perubahan sejak data TPS sebelumnya"),
    "tps_both": NC_("workbook", "TPS di kedua data"),
    "tps_changed": NC_("workbook", "TPS dengan angka berubah"),
    "change": NC_("workbook", "Perubahan"),
    "change_rules": NC_("workbook", "Temuan aturan D (tidak mengubah kode keluar)"),
    "fields_compared": NC_("workbook", "Kolom dibandingkan"),
    "only_previous": NC_("workbook", "Hanya di data sebelumnya, tidak dibandingkan"),
    "only_current": NC_("workbook", "Hanya di data sekarang, tidak dibandingkan"),
    "no_changes": NC_("workbook", "Tidak ada yang berubah."),
    "accepted_title": NC_("workbook", "TEMUAN YANG DITERIMA"),
    "accepted_legend": NC_("workbook", "Temuan yang cocok dengan daftar terima (--accept), dengan alasannya: tidak "
                                       "dihitung untuk kode keluar. Merah: galat. Kuning: peringatan. Kode ditulis "
                                       "sebagai teks."),
    "kind_accept": NC_("workbook", "Daftar terima"),
    "accepted_summary": NC_("workbook", "Temuan diterima"),
    "accepted_count": NC_("workbook", "Temuan diterima (tidak dihitung untuk kode keluar)"),
    "stale_count": NC_("workbook", "Entri daftar terima yang usang (tidak cocok lagi dengan temuan mana pun)"),
    "changes_legend": NC_("workbook", "Merah: koreksi yang membuat formulir salah (D003). Kuning: angka atau TPS "
                                      "ditarik, suara berpindah antarpaslon, DPT berubah (D002, D004, D005). Kode "
                                      "ditulis sebagai teks."),
}
SEVERITY_NAMES: dict[str, tuple[str, str]] = {
    "error": NC_("severity", "galat"),
    "warning": NC_("severity", "peringatan"),
    "info": NC_("severity", "info"),
}
ACCOUNTING_LABELS: dict[str, tuple[str, str]] = {
    "rows_read": NC_("workbook", "Baris dibaca"),
    "tps_checked": NC_("workbook", "TPS diperiksa"),
    "rows_summed": NC_("workbook", "Baris dijumlahkan"),
    "rows_rejected": NC_("workbook", "Baris tidak dijumlahkan"),
    "rejected_exact_duplicates": NC_("workbook", "ganda persis"),
    "rejected_unreadable": NC_("workbook", "tidak terbaca"),
    "rejected_differing_copies": NC_("workbook", "salinan berbeda"),
    "rejected_unplaceable_codes": NC_("workbook", "kode TPS tidak lengkap"),
    "rows_outside_wilayah": NC_("workbook", "Baris di luar --wilayah"),
}
# (column, header, kind); a column missing from the table is skipped.
# Kinds: code (text, '@'), text, wrap (long text), num, signed (a difference), bool, severity, level.
FINDINGS_SHEET: tuple[tuple[str, tuple[str, str], str], ...] = (
    ("rule", NC_("workbook column", "Aturan"), "code"),
    ("severity", NC_("workbook column", "Keparahan"), "severity"),
    ("rule_title", NC_("workbook column", "Judul aturan"), "text"),
    ("level", NC_("workbook column", "Tingkat wilayah"), "level"),
    ("kode_wilayah", NC_("workbook column", "Kode wilayah"), "code"),
    ("field", NC_("workbook column", "Kolom"), "code"),
    ("expected", NC_("workbook column", "Seharusnya"), "num"),
    ("actual", NC_("workbook column", "Tercatat"), "num"),
    ("selisih", NC_("workbook column", "Selisih"), "signed"),
    ("message", NC_("workbook column", "Pesan"), "wrap"),
    ("source", NC_("workbook column", "Berkas"), "text"),
    ("row", NC_("workbook column", "Baris"), "num"),
)
ACCEPTED_SHEET: tuple[tuple[str, tuple[str, str], str], ...] = (
    *FINDINGS_SHEET,
    ("reason", NC_("workbook column", "Alasan diterima"), "wrap"),
    ("by", NC_("workbook column", "Diterima oleh"), "text"),
    ("date", NC_("workbook column", "Tanggal diterima"), "text"),
)
ACCEPTED_TABLE = "rk_findings_accepted"
"""The accepted findings of `rekap run --accept` (`rekap.Session.ACCEPTED`)."""
STALE_TABLE = "rk_accept_stale"
"""The stale entries of its accept files (`rekap.Session.ACCEPT_STALE`)."""
DISCREPANCIES_SHEET: tuple[tuple[str, tuple[str, str], str], ...] = (
    ("jenis_pemilihan", NC_("workbook column", "Jenis pemilihan"), "code"),
    ("level", NC_("workbook column", "Tingkat wilayah"), "level"),
    ("kode_wilayah", NC_("workbook column", "Kode wilayah"), "code"),
    ("nama_wilayah", NC_("workbook column", "Nama wilayah"), "text"),
    ("field", NC_("workbook column", "Kolom"), "code"),
    ("reported", NC_("workbook column", "Dilaporkan"), "num"),
    ("computed", NC_("workbook column", "Hasil penjumlahan"), "num"),
    ("selisih", NC_("workbook column", "Selisih"), "signed"),
    ("computed_from", NC_("workbook column", "Dijumlahkan dari"), "level"),
    ("n_tps", NC_("workbook column", "TPS"), "num"),
    ("n_tps_expected", NC_("workbook column", "TPS diharapkan"), "num"),
    ("n_tps_with_data", NC_("workbook column", "TPS dengan data"), "num"),
    ("first_level", NC_("workbook column", "Tingkat pertama selisih"), "level"),
    ("trace", NC_("workbook column", "Jejak"), "wrap"),
    ("source", NC_("workbook column", "Berkas"), "text"),
    ("row", NC_("workbook column", "Baris"), "num"),
)
COVERAGE_SHEET: tuple[tuple[str, tuple[str, str], str], ...] = (
    ("level", NC_("workbook column", "Tingkat wilayah"), "level"),
    ("kode_wilayah", NC_("workbook column", "Kode wilayah"), "code"),
    ("nama_wilayah", NC_("workbook column", "Nama wilayah"), "text"),
    ("n_tps_expected", NC_("workbook column", "TPS diharapkan"), "num"),
    ("n_tps", NC_("workbook column", "TPS masuk"), "num"),
    ("n_tps_missing", NC_("workbook column", "TPS belum masuk"), "num"),
    ("n_tps_unexpected", NC_("workbook column", "TPS di luar daftar"), "num"),
    ("persen", NC_("workbook column", "Persen"), "pct"),
)
CHANGES_SHEET: tuple[tuple[str, tuple[str, str], str], ...] = (
    ("kode_wilayah", NC_("workbook column", "Kode TPS"), "code"),
    ("field", NC_("workbook column", "Kolom"), "code"),
    ("old", NC_("workbook column", "Lama"), "num"),
    ("new", NC_("workbook column", "Baru"), "num"),
    ("selisih", NC_("workbook column", "Selisih"), "signed"),
    ("change_word", NC_("workbook column", "Perubahan"), "text"),
    ("rules", NC_("workbook column", "Aturan"), "code"),
    ("old_source", NC_("workbook column", "Berkas lama"), "text"),
    ("new_source", NC_("workbook column", "Berkas baru"), "text"),
)
CHANGES_TABLE = "rk_bundle_changes"
"""The change records of `rekap run --previous` (`rekap.bundle.CHANGES_TABLE`)."""
CHANGE_FINDINGS_TABLE = "rk_bundle_change_findings"
"""Their D findings (`rekap.bundle.CHANGE_FINDINGS_TABLE`)."""
TEXT_CAP = {"code": 24, "text": 40, "wrap": 70, "level": 24, "severity": 14, "bool": 10}


def write_bundle_xlsx(
    con: duckdb.DuckDBPyConnection,
    path: str | os.PathLike[str] | BinaryIO,
    *,
    lang: str = "id",
    meta: Mapping[str, object],
    recap_table: str = "rk_recap",
    max_rows: int = EXCEL_MAX_ROWS,
    paper: str = DEFAULT_PAPER,
) -> None:
    """Write the bundle's workbook for staff (`rekap.xlsx` of `rekap run`), atomically to a path or to a
    binary stream: a summary sheet (tool version, inputs with SHA-256 and rows, row accounting, findings
    per severity and per rule, number of discrepancies), the D.Hasil sheets of `recap_table` as
    `write_recap_xlsx` writes them (when the table exists), every finding (`rk_findings_out`; errors on
    light red, warnings on light yellow), the discrepancies (`rk_discrepancies`, partial ones in grey
    italic) and the coverage (`rk_coverage`), the last two when their tables exist. List sheets have a
    frozen header row and an autofilter; a list longer than `max_rows` (Excel's sheet limit) is cut with
    a note. Same guarantees as `write_recap_xlsx`: the bytes depend on the tables and `meta` only, counts
    are numbers, codes are text and no cell is a formula. Every sheet prints on `paper` (`f4` or `a4`) as
    rekap.report.printing sets it up."""
    data = bundle_xlsx_bytes(con, lang=lang, meta=meta, recap_table=recap_table, max_rows=max_rows, paper=paper)
    if isinstance(path, str | os.PathLike):
        write_atomic(Path(path), data)
    else:
        _write_all(path, data)


def bundle_xlsx_bytes(
    con: duckdb.DuckDBPyConnection,
    *,
    lang: str = "id",
    meta: Mapping[str, object],
    recap_table: str = "rk_recap",
    max_rows: int = EXCEL_MAX_ROWS,
    paper: str = DEFAULT_PAPER,
) -> bytes:
    """The workbook `write_bundle_xlsx` writes, as bytes."""
    from openpyxl import Workbook

    check_lang(lang)
    wb = Workbook(write_only=True)
    st = Styles(wb, tables=True)
    taken: set[str] = set()
    printing = workbook_printing(meta, lang, paper)

    def sheet(key: str) -> WriteOnlyWorksheet:
        name = _text(key, lang)
        taken.add(name.lower())
        return wb.create_sheet(name)

    _write_summary(sheet("summary"), st, con, lang, meta, printing)
    # The D.Hasil sheets' names never clash with the list sheets' ("Ringkasan" is not a level).
    if table_exists(con, recap_table):
        write_recap_sheets(wb, st, con, recap_table, lang, None, WIDE_MAX_UNITS, taken, _statement_notes(meta, lang),
                           printing=printing)
    _write_list(sheet("findings"), st, con, lang, _findings_with_titles(con, lang), FINDINGS_SHEET, "findings_title",
                order="CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, rule, kode_wilayah",
                tone="CASE severity WHEN 'error' THEN 'error' WHEN 'warning' THEN 'warning' ELSE '' END",
                notes=[_text("legend", lang)], full_file="findings.csv", max_rows=max_rows, printing=printing)
    if table_exists(con, ACCEPTED_TABLE):
        _write_list(sheet("accepted"), st, con, lang, _findings_with_titles(con, lang, ACCEPTED_TABLE), ACCEPTED_SHEET,
                    "accepted_title",
                    order="CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, rule, kode_wilayah",
                    tone="CASE severity WHEN 'error' THEN 'error' WHEN 'warning' THEN 'warning' ELSE '' END",
                    notes=[_text("accepted_legend", lang)], full_file="findings_accepted.csv", max_rows=max_rows,
                    printing=printing)
    if table_exists(con, "rk_discrepancies"):
        _write_list(sheet("discrepancies"), st, con, lang, "rk_discrepancies", DISCREPANCIES_SHEET,
                    "discrepancies_title", order=f"jenis_pemilihan NULLS FIRST, {rank_sql(quote_ident('level'))}, kode_wilayah",
                    tone="''", notes=[], full_file="discrepancies.csv", max_rows=max_rows, printing=printing)
    if table_exists(con, "rk_coverage"):
        _write_list(sheet("coverage"), st, con, lang, "rk_coverage", COVERAGE_SHEET, "coverage_title",
                    order=f"{rank_sql(quote_ident('level'))}, kode_wilayah", tone="''", notes=[],
                    full_file="coverage.csv", max_rows=max_rows, printing=printing)
    if table_exists(con, CHANGES_TABLE):
        _write_list(sheet("changes"), st, con, lang, _changes_with_words(lang), CHANGES_SHEET, "changes_title",
                    order="rk_pos",
                    tone="CASE WHEN contains(rules, 'D003') THEN 'error' "
                         "WHEN regexp_matches(rules, 'D00[245]') THEN 'warning' ELSE '' END",
                    notes=[_text("changes_legend", lang)], full_file="changes.csv", max_rows=max_rows,
                    printing=printing)
    return finish(wb, st, con, _text("summary_title", lang))


def _changes_with_words(lang: str) -> str:
    """The change records with their change as a word for people (`change_word`) and their place in the table
    (`rk_pos`: by TPS, fields in canonical order), as a parenthesised SELECT."""
    from rekap.report.text import CHANGE_WORDS, change_word

    whens = " ".join(f"WHEN {sql_str(code)} THEN {sql_str(change_word(code, lang))}" for code in CHANGE_WORDS)
    return (f"(SELECT c.*, CASE c.change {whens} ELSE c.change END AS change_word, c.rowid AS rk_pos "
            f"FROM {CHANGES_TABLE} c)")


def _text(key: str, lang: str, **kw: object) -> str:
    """A text of the workbook (`BUNDLE_TEXTS`) in `lang`."""
    return C_(*BUNDLE_TEXTS[key], lang, **kw)


def _severity_name(severity: str, lang: str) -> str:
    """galat, peringatan, info in `lang`; an unknown code as it is."""
    return C_(*SEVERITY_NAMES[severity], lang) if severity in SEVERITY_NAMES else severity


def _statement_notes(meta: Mapping[str, object], lang: str) -> list[str]:
    """What the bundle covers (rekap.statement), for the notes under every D.Hasil sheet."""
    statement = meta.get("statement")
    if not isinstance(statement, Mapping):
        return []
    from rekap.statement import lines

    return lines(dict(statement), lang, num)


def _findings_with_titles(con: duckdb.DuckDBPyConnection, lang: str, table: str = "rk_findings_out") -> str:
    """The findings of `table` with their rule's title in `lang` (`rule_title`, from the rules table the
    session writes: `rule_titles`), as a parenthesised SELECT; the titles stay empty without that table. Its
    rows are read in `finish`."""
    titles = {rule: title for rule, title in rule_titles(con, lang).items() if title}
    if not titles:
        return f"(SELECT f.*, NULL::VARCHAR AS rule_title FROM {quote_ident(table)} f)"
    values = ", ".join(f"({sql_str(rule)}, {sql_str(title)})" for rule, title in sorted(titles.items()))
    return (f"(SELECT f.*, t.rk_title AS rule_title FROM {quote_ident(table)} f "
            f"LEFT JOIN (VALUES {values}) t(rk_rule, rk_title) ON t.rk_rule = f.rule)")


def _level_label(level: str, lang: str) -> str:
    return level_name(level, lang)


def _write_summary(
    ws: WriteOnlyWorksheet, st: Styles, con: duckdb.DuckDBPyConnection, lang: str, meta: Mapping[str, object],
    printing: Printing | None = None,
) -> None:
    t = {k: C_(*v, lang) for k, v in BUNDLE_TEXTS.items()}
    (printing or Printing(lang=lang)).apply(ws, area=None, fit_width=True)
    for letter, width in zip("ABCDE", (30, 44, 14, 70, 12), strict=True):
        ws.column_dimensions[letter].width = width
    ws.append([st.text(ws, t["summary_title"], "title")])
    ws.append([])
    ws.append([st.text(ws, t["version"], "t_key"), st.text(ws, str(meta.get("version", __version__)), "plain")])
    if meta.get("ruleset") is not None:
        ws.append([st.text(ws, t["ruleset"], "t_key"), st.text(ws, str(meta["ruleset"]), "plain")])

    def head(*labels: str) -> None:
        ws.append([st.text(ws, label, "t_head") for label in labels])

    def section(key: str) -> None:
        ws.append([])
        ws.append([st.text(ws, t[key], "subtitle")])

    statement = meta.get("statement")
    if isinstance(statement, Mapping):
        # Scope, election type and where it came from, levels left out, partial sums (rekap.statement).
        from rekap.statement import lines

        section("covered")
        for line in lines(dict(statement), lang, num):
            ws.append([st.text(ws, line, "plain")])

    # Inputs: the TPS files, the reported recaps, the region list. Names only: where they lay is not the point.
    files: list[tuple[str, Mapping[str, object]]] = []
    for kind, key in (("kind_tps", "inputs"), ("kind_previous", "previous"), ("kind_reported", "reported")):
        entries = meta.get(key)
        if isinstance(entries, Sequence) and not isinstance(entries, str):
            files += [(kind, e) for e in entries if isinstance(e, Mapping)]
    master = meta.get("master")
    if isinstance(master, Mapping):
        files.append(("kind_master", master))
    accept = meta.get("accept")
    accept_files = accept.get("files") if isinstance(accept, Mapping) else None
    if isinstance(accept_files, Sequence) and not isinstance(accept_files, str):
        files += [("kind_accept", e) for e in accept_files if isinstance(e, Mapping)]
    if files:
        section("inputs")
        head(t["kind"], t["file"], t["format"], "SHA-256", t["rows"])
        for kind, entry in files:
            name = entry.get("name") or (Path(str(entry["path"])).name if entry.get("path") else "")
            rows = entry.get("rows")
            ws.append([st.text(ws, t[kind], "t_text"), st.text(ws, str(name), "t_text"),
                       st.text(ws, str(entry.get("format") or ""), "t_code"),
                       st.text(ws, str(entry.get("sha256") or ""), "t_code"),
                       st.value(ws, rows if isinstance(rows, int) else None, "t_num")])
    skipped = meta.get("skipped_sheets")
    if isinstance(skipped, Sequence) and not isinstance(skipped, str) and skipped:
        section("skipped_sheets")
        head(t["file"], t["reason"])
        for entry in skipped:
            if isinstance(entry, Mapping):
                ws.append([st.text(ws, str(entry.get("name") or ""), "t_text"),
                           st.text(ws, str(entry.get("message") or entry.get("reason") or ""), "t_text")])

    accounting = meta.get("accounting")
    if isinstance(accounting, Mapping) and accounting:
        section("accounting")
        for key, value in accounting.items():
            label = C_(*ACCOUNTING_LABELS[str(key)], lang) if str(key) in ACCOUNTING_LABELS else str(key)
            if str(key).startswith("rejected_"):
                label = "  " + label
            ws.append([st.text(ws, label, "t_text"), st.value(ws, value if isinstance(value, int) else None, "t_num")])

    section("by_severity")
    by_sev = dict(con.execute("SELECT severity, count(*) FROM rk_findings_out GROUP BY 1").fetchall())
    head(t["severity"], t["count"])
    for sev in ("error", "warning", "info"):
        tone = f"_{sev}" if sev in ("error", "warning") else ""
        ws.append([st.text(ws, _severity_name(sev, lang), f"t_text{tone}"),
                   st.value(ws, int(by_sev.get(sev, 0)), f"t_num{tone}")])
    others = sorted(str(s) for s in by_sev if s not in SEVERITY_NAMES)
    for sev in others:
        ws.append([st.text(ws, sev, "t_text"), st.value(ws, int(by_sev[sev]), "t_num")])
    ws.append([st.text(ws, t["total"], "label_bold"), st.value(ws, sum(int(v) for v in by_sev.values()), "num_bold")])

    section("by_rule")
    rule_rows = con.execute(
        """SELECT rule, severity, count(*) FROM rk_findings_out GROUP BY 1, 2
           ORDER BY 1, CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END"""
    ).fetchall()
    if rule_rows:
        titles = rule_titles(con, lang)
        head(t["rule"], t["rule_title"], t["severity"], "", t["count"])
        for rule_id, sev, n in rule_rows:
            tone = f"_{sev}" if sev in ("error", "warning") else ""
            ws.append([st.text(ws, str(rule_id), f"t_code{tone}"),
                       st.text(ws, titles.get(str(rule_id), ""), f"t_text{tone}"),
                       st.text(ws, _severity_name(str(sev), lang), f"t_text{tone}"),
                       st.blank(ws, f"t_text{tone}"), st.value(ws, int(n), f"t_num{tone}")])
    else:
        ws.append([st.text(ws, t["no_findings"], "plain")])

    if table_exists(con, ACCEPTED_TABLE):
        section("accepted_summary")
        n_accepted = con.execute(f"SELECT count(*) FROM {ACCEPTED_TABLE}").fetchall()[0][0]
        n_stale = con.execute(f"SELECT count(*) FROM {STALE_TABLE}").fetchall()[0][0] if table_exists(
            con, STALE_TABLE) else 0
        ws.append([st.text(ws, t["accepted_count"], "t_text"), st.value(ws, int(n_accepted), "t_num")])
        ws.append([st.text(ws, t["stale_count"], "t_text"), st.value(ws, int(n_stale), "t_num")])

    section("discrepancy_count")
    if table_exists(con, "rk_discrepancies"):
        n = con.execute("SELECT count(*) FROM rk_discrepancies").fetchall()[0][0]
        partial = (con.execute("SELECT count(*) FROM rk_not_compared").fetchall()[0][0]
                   if table_exists(con, "rk_not_compared") else 0)
        ws.append([st.text(ws, t["discrepancy_count"], "t_text"), st.value(ws, int(n), "t_num")])
        ws.append([st.text(ws, t["partial_count"], "t_text_partial"), st.value(ws, int(partial), "t_num_partial")])
    else:
        ws.append([st.text(ws, t["not_compared"], "plain")])

    changes = meta.get("changes")
    if isinstance(changes, Mapping):
        _write_changes_summary(ws, st, con, lang, t, changes)


def _write_changes_summary(
    ws: WriteOnlyWorksheet, st: Styles, con: duckdb.DuckDBPyConnection, lang: str, t: Mapping[str, str],
    changes: Mapping[str, object],
) -> None:
    """The summary sheet's lines on the changes since the --previous data (its inputs are listed with the others)."""
    from rekap.report.text import CHANGE_WORDS, change_word

    ws.append([])
    ws.append([st.text(ws, t["changes_summary"], "subtitle")])

    def line(label: str, value: object) -> None:
        ws.append([st.text(ws, label, "t_text"), st.value(ws, value if isinstance(value, int) else None, "t_num")])

    line(t["tps_both"], changes.get("tps_both"))
    line(t["tps_changed"], changes.get("tps_changed"))
    records = changes.get("records")
    if isinstance(records, Mapping):
        ws.append([st.text(ws, t["change"], "t_head"), st.text(ws, t["count"], "t_head")])
        for code in CHANGE_WORDS:
            line(change_word(code, lang), records.get(code, 0))
        if not any(records.values()):
            ws.append([st.text(ws, t["no_changes"], "plain")])
    rule_rows = con.execute(
        f"SELECT rule, any_value(severity), count(*) FROM {CHANGE_FINDINGS_TABLE} GROUP BY 1 ORDER BY 1"
    ).fetchall() if table_exists(con, CHANGE_FINDINGS_TABLE) else []
    if rule_rows:
        titles = rule_titles(con, lang)
        ws.append([st.text(ws, t["change_rules"], "plain")])
        ws.append([st.text(ws, label, "t_head") for label in (t["rule"], t["rule_title"], t["severity"], "", t["count"])])
        for rule_id, sev, n in rule_rows:
            tone = f"_{sev}" if sev in ("error", "warning") else ""
            ws.append([st.text(ws, str(rule_id), f"t_code{tone}"),
                       st.text(ws, titles.get(str(rule_id), ""), f"t_text{tone}"),
                       st.text(ws, _severity_name(str(sev), lang), f"t_text{tone}"),
                       st.blank(ws, f"t_text{tone}"), st.value(ws, int(n), f"t_num{tone}")])
    fields = changes.get("fields_compared")
    if isinstance(fields, Sequence):
        line(t["fields_compared"], len(fields))
    not_compared = changes.get("fields_not_compared")
    if isinstance(not_compared, Mapping):
        for key, label in (("previous_only", "only_previous"), ("current_only", "only_current")):
            names = not_compared.get(key)
            if isinstance(names, Sequence) and not isinstance(names, str) and names:
                ws.append([st.text(ws, t[label], "t_text"), st.text(ws, ", ".join(str(n) for n in names), "t_code")])


def _write_list(
    ws: WriteOnlyWorksheet,
    st: Styles,
    con: duckdb.DuckDBPyConnection,
    lang: str,
    source: str,
    spec: Sequence[tuple[str, tuple[str, str], str]],
    title_key: str,
    *,
    order: str,
    tone: str,
    notes: list[str],
    full_file: str,
    max_rows: int,
    printing: Printing | None = None,
) -> None:
    """One list sheet: title, notes, a header row (frozen, with an autofilter, repeated on every printed page) and
    one row per record of `source` (a table name or a parenthesised SELECT), coloured by the SQL expression `tone`;
    printed fitted to the page's width, the long texts wrapped."""
    from openpyxl.utils import get_column_letter

    relation = source if source.startswith("(") else quote_ident(source)
    present = {str(r[0]): str(r[1]) for r in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()}
    cols = [c for c in spec if c[0] in present]
    total = int(con.execute(f"SELECT count(*) FROM {relation}").fetchall()[0][0])
    header_row = 3
    room = max(0, max_rows - header_row)
    shown = min(total, room)
    if shown < total:
        notes = [_text("capped", lang, shown=num(shown, lang), total=num(total, lang), file=full_file), *notes]

    # Widths from the data (write-only sheets take them before the first row).
    lengths = text_lengths(con, relation, [(c, present[c]) for c, *_rest in cols])
    for i, ((_column, head, kind), n) in enumerate(zip(cols, lengths, strict=True)):
        header = C_(*head, lang)
        if kind in ("num", "signed"):
            width = n + (n - 1) // 3 + 3
        elif kind == "pct":
            width = 8
        elif kind == "severity":
            width = max(len(_severity_name(v, lang)) for v in SEVERITY_NAMES) + 2
        else:
            width = min(TEXT_CAP.get(kind, 40), n + 2)
        ws.column_dimensions[get_column_letter(i + 1)].width = max(width, min(len(header), 16) + 2, 6)

    ws.freeze_panes = f"A{header_row + 1}"
    last_letter = get_column_letter(max(len(cols), 1))
    (printing or Printing(lang=lang)).apply(
        ws, area=f"A1:{last_letter}{header_row + max(shown, 1)}", title_rows=f"{header_row}:{header_row}",
        fit_width=True)
    if notes and len(cols) > 1:
        # The notes line wraps inside the table's width instead of running off the printed page.
        span = sum(float(ws.column_dimensions[get_column_letter(i + 1)].width or 8.43) for i in range(len(cols)))
        ws.row_dimensions[2].height = 12 * max(1, -(-len(" ".join(notes)) * 0.85 // max(span, 20)))
        ws.merged_cells.add(f"A2:{last_letter}2")
    ws.append([st.text(ws, _text(title_key, lang), "title")])
    ws.append([st.text(ws, " ".join(notes), "note_wrap" if len(cols) > 1 else "note")] if notes else [])
    ws.append([st.text(ws, C_(*head, lang), "t_head") for _column, head, _kind in cols])
    if cols:
        last = header_row + max(shown, 1) if shown else header_row
        ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(cols))}{last}"
    if not shown or not cols:
        return

    # A total order: the given keys, then every shown column (ties are identical rows). The rows are
    # written by DuckDB (`Styles.splice`), each column as Styles.text / value would write it.
    tones = ("", "error", "warning", "partial")
    every = ", ".join(f"{quote_ident(c)} NULLS FIRST" for c, *_rest in cols)
    yes, no = sql_str(_text("yes", lang)), sql_str(_text("no", lang))
    values, sql_cells = [], []
    for i, (column, _head, kind) in enumerate(cols):
        v, letter, alias = quote_ident(column), get_column_letter(i + 1), f"rk_v{i}"
        text = f"CAST({v} AS VARCHAR)"
        if kind in ("num", "signed"):
            whole = v if present[column] in INTEGER_TYPES else f"CAST(trunc({v}) AS HUGEINT)"  # as int() would
            values.append(f"{whole} AS {alias}")
            sql_cells.append(st.sql_number(letter, alias, st.toned("t_num" if kind == "num" else "t_signed", tones)))
        elif kind == "pct":
            values.append(f"CASE WHEN isfinite(CAST({v} AS DOUBLE)) THEN CAST({v} AS DOUBLE) END AS {alias}")
            sql_cells.append(st.sql_number(letter, alias, "t_pct"))
        else:
            if kind == "bool":
                values.append(f"CASE WHEN {v} IS NULL THEN NULL WHEN CAST({v} AS BOOLEAN) THEN {yes} ELSE {no} END AS {alias}")
            elif kind == "severity":
                whens = " ".join(f"WHEN {sql_str(k)} THEN {sql_str(_severity_name(k, lang))}" for k in SEVERITY_NAMES)
                values.append(f"CASE {text} {whens} ELSE {text} END AS {alias}")
            elif kind == "level":
                whens = " ".join(f"WHEN {sql_str(lv)} THEN {sql_str(_level_label(lv, lang))}"
                                 for lv in (*LEVELS, "tps"))
                values.append(f"CASE {text} {whens} ELSE {text} END AS {alias}")
            else:
                values.append(f"{text} AS {alias}")
            base = {"code": "t_code", "wrap": "t_wrap"}.get(kind, "t_text")
            sql_cells.append(st.sql_text(letter, alias, st.toned(base, tones)))
    rows = f"SELECT {tone} AS rk_tone, {', '.join(values)} FROM {relation}"
    st.splice(ws, header_row + 1, shown, rows, f"{order}, {every}", sql_cells)


# --- one list as a workbook: `-f xlsx` of validate, compare and progress ----------------------------------

LIST_SHEETS = {"rk_findings_out": "findings", "rk_discrepancies": "discrepancies", "rk_coverage": "coverage",
               "rk_changes": "changes", "rk_diff_units": "changes_units"}
"""The sheet (a BUNDLE_TEXTS key) of each record table the commands write; any other table is 'Data'."""
EXACT_INTEGER = 2**53
"""Excel holds numbers as doubles: a whole number beyond this would come back changed, so it is text."""
FLOAT_TYPES = frozenset({"FLOAT", "DOUBLE", "REAL"})


def write_list_xlsx(
    con: duckdb.DuckDBPyConnection,
    table: str,
    path_or_stream: str | os.PathLike[str] | BinaryIO,
    *,
    lang: str = "id",
) -> None:
    """Write the records of `table` (findings, discrepancies, coverage, any table) as a workbook of one
    sheet, atomically to a path or to a binary stream: row 1 the column names (those of the CSV), then
    one row per record in the table's order. Text columns are text cells (codes keep their zeros; text
    starting like a formula is an inline string with the quote prefix, never a formula), whole numbers and
    finite decimals number cells (a whole number beyond 2**53, which Excel cannot hold, and NaN or
    infinity are text), booleans TRUE/FALSE, anything else its text. `lang` names the sheet.

    The rows are built by DuckDB as XML (`Styles.splice`, as the bundle's lists), so 300,000 findings take
    seconds, and the bytes depend on the table only. More records than one Excel sheet holds
    (1,048,575) is a `UsageError`: cutting the list would drop records silently."""
    data = list_xlsx_bytes(con, table, lang=lang)
    if isinstance(path_or_stream, str | os.PathLike):
        write_atomic(Path(path_or_stream), data)
    else:
        _write_all(path_or_stream, data)


def list_xlsx_bytes(con: duckdb.DuckDBPyConnection, table: str, *, lang: str = "id") -> bytes:
    """The workbook `write_list_xlsx` writes, as bytes."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    from rekap.errors import UsageError

    check_lang(lang)
    relation = quote_ident(table)
    columns = [(str(r[0]), str(r[1])) for r in con.execute(f"DESCRIBE {relation}").fetchall()]
    n_rows = int(con.execute(f"SELECT count(*) FROM {relation}").fetchall()[0][0])
    if n_rows > EXCEL_MAX_ROWS - 1:
        raise UsageError(
            _("{n} rekaman tidak muat dalam satu lembar Excel (paling banyak {most})", lang,
              n=num(n_rows, lang), most=num(EXCEL_MAX_ROWS - 1, lang)),
            hint=_("tulis dengan -f csv atau -f parquet", lang),
        )
    key = LIST_SHEETS.get(table)
    wb = Workbook(write_only=True)
    st = Styles(wb, tables=True, records=True)
    ws = wb.create_sheet(_text(key, lang) if key else "Data")

    # Widths from the data (a write-only sheet takes them before its first row).
    for i, ((name, _dtype), n) in enumerate(zip(columns, text_lengths(con, relation, columns), strict=True)):
        ws.column_dimensions[get_column_letter(i + 1)].width = min(60, max(len(name), n) + 2)
    ws.freeze_panes = "A2"
    ws.append([st.text(ws, name, "t_head") for name, _dtype in columns])
    if not columns:
        return finish(wb, st, con, _list_title(key, lang))
    last = get_column_letter(len(columns))
    ws.auto_filter.ref = f"A1:{last}{n_rows + 1}"
    if n_rows:
        # In the table's own order, as CSV and JSON list them: rowid is a table's scan order; a view
        # is copied into a table first (a plain scan keeps its order).
        ordered = table
        if not _is_table(con, table):
            ordered = "rk_xlsx_list"
            con.execute(f"CREATE OR REPLACE TEMP TABLE rk_xlsx_list AS SELECT * FROM {relation}")
        values, cells = [], []
        for i, (name, dtype) in enumerate(columns):
            v, letter, alias = quote_ident(name), get_column_letter(i + 1), f"rk_v{i}"
            base = dtype.split("(")[0]
            if base in INTEGER_TYPES:
                values += [f"{v} AS {alias}", f"CAST({v} AS VARCHAR) AS {alias}_t"]
                cells.append(f"CASE WHEN abs({alias}) >= {EXACT_INTEGER} THEN {st.sql_text(letter, alias + '_t', 't_code')} "
                             f"ELSE {st.sql_number(letter, alias, 't_general')} END")
            elif base in FLOAT_TYPES or base == "DECIMAL":
                values += [f"{v} AS {alias}", f"CAST({v} AS VARCHAR) AS {alias}_t"]
                finite = f"isfinite(CAST({alias} AS DOUBLE))"
                cells.append(f"CASE WHEN {alias} IS NOT NULL AND NOT {finite} THEN {st.sql_text(letter, alias + '_t', 't_code')} "
                             f"ELSE {st.sql_number(letter, alias, 't_general')} END")
            elif base == "BOOLEAN":
                values.append(f"{v} AS {alias}")
                cells.append(st.sql_bool(letter, alias, "t_text"))
            else:
                values.append(f"CAST({v} AS VARCHAR) AS {alias}")
                cells.append(st.sql_text(letter, alias, "t_code"))
        rows = f"SELECT rowid AS rk_ord, {', '.join(values)} FROM {quote_ident(ordered)}"
        st.splice(ws, 2, n_rows, rows, "rk_ord", cells)
    try:
        return finish(wb, st, con, _list_title(key, lang))
    finally:
        con.execute("DROP TABLE IF EXISTS temp.rk_xlsx_list")


def _list_title(key: str | None, lang: str) -> str:
    return _text(f"{key}_title", lang) if key else "rekap"


def _is_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    rows = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = $n", {"n": name}).fetchall()
    return bool(rows[0][0])
