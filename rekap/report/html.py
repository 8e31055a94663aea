"""The HTML report: one self-contained page (`laporan.html`) for people who read rather than query.

    write_html_report(con, Path("hasil/laporan.html"), lang="id", meta={...})

Reads what one DuckDB session of `rekap run` left behind, each part only when its table exists:
`rk_findings_out` (validation), `rk_recap` (the recap), `rk_discrepancies` (comparison with reported
recaps), `rk_coverage` (TPS received against the region list), the view `rk_tps` (turnout chart),
`rk_rules` (the rule titles, `rekap.db.RULES_TABLE`; without it the titles are left empty) and, with
`rekap run --previous`, `rk_bundle_changes`, `rk_bundle_change_units` and `rk_bundle_change_findings` (the
section "Perubahan": the change records, their sums per kab/kota and their D findings; `rekap.bundle`) and,
with `rekap run --accept`, `rk_findings_accepted` and `rk_accept_stale` (the section "Temuan diterima": the
accepted findings by rule with their reasons, and the stale entries of the accept files).

The page has to open from a USB stick on an offline laptop and be handed to a meeting on paper, so:
no script at all, no external URL (CSS inline, charts as inline SVG with their glyphs as paths, a
Content-Security-Policy that forbids fetching anything), a small print stylesheet, numbers written
for people (1.234.567 in Indonesian) and codes kept as text. Everything that comes from the data
(names, messages, file names) is escaped; chart labels are drawn by matplotlib as glyph outlines with
math parsing off, so no data string becomes markup anywhere. The same inputs give the same bytes:
fixed SVG hash salt, no dates in the SVG, every query ordered, and nothing time-dependent unless the
caller puts it in `meta`.

`meta` keys (all optional; what is absent is not shown; the shape `rekap run`'s manifest uses):
    version     str   rekap's version, shown in the title, the summary and the footer
    ruleset     str   the rule catalogue's version
    title       str   a line under the heading (e.g. the election and the region)
    inputs      list of dicts for the TPS files: name (or path), sha256, rows, format, role (optional)
    reported    list of dicts of the same shape for reported recaps (D.Hasil, Sirekap aggregates)
    master      one dict of that shape for the region list
    skipped_sheets  list of dicts for the workbook sheets not read: name ("file.xlsx [Sheet]"), message
    accounting  dict: rows_read, tps_checked, rows_summed, rows_rejected and its breakdown
                rejected_exact_duplicates, rejected_unreadable, rejected_differing_copies,
                rejected_unplaceable_codes (top-level tps_checked / tps_summed / tps_rejected also work)
    notes       list of str: notes of the run (e.g. "election type guessed from the columns")
    previous    list of dicts of the inputs' shape for the --previous TPS files (the section "Perubahan")
    changes     dict: what changed since them (`rekap.bundle.changes_since`): tps_both, tps_changed,
                cells_unreadable, misread, fields_compared, fields_not_compared
    accept      dict: with --accept, `files` (list of dicts of the inputs' shape: the accept files)
Other keys (the manifest's counts, options) are ignored: the page reads counts from the tables.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from rekap.db import table_exists
from rekap.i18n import (
    C_,
    NC_,
    SOURCE_LANG,
    election_name,
    languages,
    level_name,
    n_,
    num,
    percent,
    percent_of,
)
from rekap.regions import PREFIX, rank_sql

if TYPE_CHECKING:
    from matplotlib.figure import Figure

REPORT_NAME = "laporan.html"
CHANGES_TABLE = "rk_bundle_changes"
"""The change records of `rekap run --previous` (`rekap.bundle.CHANGES_TABLE`); the section is there when it is."""
CHANGE_UNITS_TABLE = "rk_bundle_change_units"
CHANGE_FINDINGS_TABLE = "rk_bundle_change_findings"
ACCEPTED_TABLE = "rk_findings_accepted"
"""The accepted findings of `rekap run --accept` (`rekap.Session.ACCEPTED`); the section is there when it is."""
STALE_TABLE = "rk_accept_stale"
"""The stale entries of its accept files (`rekap.Session.ACCEPT_STALE`)."""
FIRST_FINDINGS = 20
"""Findings listed per rule with their numbers (the full list is in the workbook / `rekap validate`)."""
MAX_TABLE_ROWS = 1000
"""Rows per recap level and coverage table; a national desa level (83,000 rows) belongs in the workbook."""
MAX_BARS = 40
"""Bars per chart: beyond that a chart is a texture, not a picture."""
SEVERITIES: tuple[str, ...] = ("error", "warning", "info")
SEVERITY_COLOURS = {"error": "#b42318", "warning": "#dc8a00", "info": "#3b6fb6"}
# Colour-blind-safe qualitative palette (Okabe & Ito), then matplotlib's tab10 for paslon 9+.
PASLON_COLOURS = (
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000",
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#aec7e8", "#ffbb78",
)
REJECT_REASONS = ("rejected_exact_duplicates", "rejected_unreadable", "rejected_differing_copies",
                  "rejected_unplaceable_codes")
"""Keys of `meta["accounting"]` that break down the rows not summed."""
HIST_STEP = 2.5
"""Turnout histogram bin width in percentage points (40 bins over 0–100 %, one bar above 100 %)."""

TEXTS: dict[str, tuple[str, str]] = {
    "doc_title": NC_("page", "Laporan rekapitulasi"),
    "contents": NC_("page", "Isi"),
    "summary": NC_("page", "Ringkasan"),
    "results": NC_("page", "Hasil per tingkat"),
    "findings": NC_("page", "Temuan per aturan dan wilayah"),
    "discrepancies": NC_("page", "Selisih rekap"),
    "coverage": NC_("page", "Kelengkapan"),
    "tool": NC_("page", "Perangkat"),
    "ruleset": NC_("page", "katalog aturan"),
    "inputs": NC_("page", "Berkas masukan"),
    "file": NC_("page", "Berkas"),
    "role": NC_("page", "Peran"),
    "format": NC_("page", "Format"),
    "rows": NC_("page", "Baris"),
    "sha_note": NC_("page", "Siapa pun dapat memeriksa bahwa berkasnya sama: sha256sum BERKAS (Linux), "
                            "certutil -hashfile BERKAS SHA256 (Windows)."),
    "role_tps": NC_("page", "data TPS"),
    "role_reported": NC_("page", "rekap yang dilaporkan"),
    "role_master": NC_("page", "daftar wilayah"),
    "skipped_sheets": NC_("page", "Lembar tidak dibaca"),
    "reason": NC_("page", "Alasan"),
    "rows_read": NC_("page", "Baris dibaca"),
    "rejected_exact_duplicates": NC_("page", "ganda persis (S004)"),
    "rejected_unreadable": NC_("page", "tidak terbaca (S008)"),
    "rejected_differing_copies": NC_("page", "salinan TPS berbeda (S003)"),
    "rejected_unplaceable_codes": NC_("page", "kode TPS tidak lengkap (S005)"),
    "tps_checked": NC_("page", "TPS diperiksa"),
    "tps_summed": NC_("page", "TPS dijumlahkan"),
    "rows_outside_wilayah": NC_("page", "Di luar --wilayah"),
    "tps_rejected": NC_("page", "Tidak dijumlahkan"),
    "findings_total": NC_("page", "Temuan"),
    "sev_error": NC_("severity", "galat"),
    "sev_warning": NC_("severity", "peringatan"),
    "sev_info": NC_("severity", "info"),
    "notes": NC_("page", "Catatan"),
    "elections": NC_("page", "Jenis pemilihan"),
    "level": NC_("page", "Tingkat"),
    "kode": NC_("page", "Kode"),
    "nama": NC_("page", "Nama wilayah"),
    "n_tps": NC_("page", "TPS"),
    "n_tps_error": NC_("page", "TPS dengan galat"),
    "n_tps_suara": NC_("page", "TPS berisi suara"),
    "n_tps_administrasi": NC_("page", "TPS berisi data pemilih"),
    "partial_sums_note": NC_(
        "page",
        "Tidak semua TPS berisi data: DPT dijumlahkan dari TPS berisi data pemilih saja, suara dari TPS berisi "
        "suara saja; partisipasi hanya untuk wilayah yang semua TPS-nya berisi keduanya."),
    "dpt": NC_("page", "DPT"),
    "paslon": NC_("page", "Paslon {n}"),
    "suara_sah": NC_("page", "Suara sah"),
    "suara_tidak_sah": NC_("page", "Tidak sah"),
    "suara_total": NC_("page", "Jumlah suara"),
    "turnout": NC_("page", "Partisipasi"),
    "more_rows": NC_("page", "Ditampilkan {shown} dari {total} baris; daftar lengkap ada di buku kerja (xlsx) atau "
                             "keluaran CSV."),
    "rule": NC_("page", "Aturan"),
    "severity": NC_("page", "Keparahan"),
    "title": NC_("page", "Keterangan"),
    "count": NC_("page", "Jumlah"),
    "by_rule": NC_("page", "Per aturan"),
    "by_kabkota": NC_("page", "Per kabupaten/kota"),
    "no_kabkota": NC_("page", "(di atas kab/kota atau tanpa kode)"),
    "first_findings": NC_("page", "Temuan pertama per aturan"),
    "first_n": NC_("page", "{shown} dari {total} temuan"),
    "field": NC_("page", "Kolom"),
    "expected": NC_("page", "Seharusnya"),
    "actual": NC_("page", "Tercatat"),
    "selisih": NC_("page", "Selisih"),
    "message": NC_("page", "Pesan"),
    "where": NC_("page", "Berkas:baris"),
    "no_findings": NC_("page", "Tidak ada temuan."),
    "reported": NC_("page", "Dilaporkan"),
    "computed": NC_("page", "Dihitung"),
    "computed_from": NC_("page", "Dihitung dari"),
    "trace": NC_("page", "Muncul pertama di"),
    "not_compared_summary": NC_(
        "page",
        "{values} angka di {units} wilayah tidak dibandingkan: data TPS-nya belum lengkap dan tidak ada wilayah "
        "bawahan yang dapat dipakai (fakta kelengkapan, bukan selisih)."),
    "not_compared": NC_("page", "Tidak dibandingkan: data TPS belum lengkap"),
    "not_compared_note": NC_(
        "page",
        "Jumlah TPS di wilayah ini kurang dari yang diharapkan (atau sebagian TPS tanpa angka), dan rekap wilayah "
        "bawahannya tidak diberikan: angka yang dilaporkan tidak dapat diperiksa. Angka yang lebih kecil dari "
        "jumlah TPS yang ada tetap dihitung sebagai selisih."),
    "values": NC_("page", "Angka"),
    "n_tps_with_data": NC_("page", "TPS berisi data"),
    "scope": NC_("page", "Cakupan"),
    "covered": NC_("page", "Yang dicakup jawaban ini"),
    "cov_overseas": NC_("page", "Ditambah {n} TPS luar negeri (tidak ada pembandingnya dalam daftar)."),
    "no_discrepancies": NC_("page", "Setiap angka yang dilaporkan sama dengan jumlah di bawahnya."),
    "cov_summary": NC_("page", "{got} TPS masuk dari {want} TPS yang diharapkan daftar wilayah ({pct})."),
    "expected_tps": NC_("page", "TPS diharapkan"),
    "received_tps": NC_("page", "TPS masuk"),
    "unexpected_tps": NC_("page", "Kode TPS di luar daftar"),
    "percent": NC_("page", "Persen"),
    "incomplete_desa": NC_("page", "Desa/kelurahan yang belum lengkap"),
    "all_desa_complete": NC_("page", "Semua desa/kelurahan lengkap."),
    "chart_votes": NC_("page", "Perolehan suara per paslon, {level}"),
    "chart_votes_more": NC_("page", "{shown} wilayah pertama menurut kode dari {total}; angka lengkap ada di tabel."),
    "chart_turnout": NC_("page", "Sebaran partisipasi per TPS (jumlah suara ÷ DPT), {n} TPS; median {median}"),
    "axis_turnout": NC_("page", "partisipasi (%)"),
    "axis_tps": NC_("page", "jumlah TPS"),
    "axis_votes": NC_("page", "suara"),
    "axis_findings": NC_("page", "temuan"),
    "over_100": NC_("page", "> 100 %"),
    "chart_findings": NC_("page", "Temuan per kabupaten/kota"),
    "chart_findings_more": NC_("page", "{shown} kab/kota dengan temuan terbanyak dari {total}."),
    "changes": NC_("page", "Perubahan sejak data sebelumnya"),
    "changes_compared": NC_("page", "Data TPS ini dibandingkan dengan data TPS sebelumnya, TPS demi TPS dan kolom demi "
                                    "kolom (seperti rekap diff). Temuan aturan D tidak mengubah kode keluar."),
    "role_previous": NC_("page", "sebelumnya"),
    "role_current": NC_("page", "sekarang"),
    "sha_short": NC_("page", "SHA-256 (awal)"),
    "tps_both": NC_("page", "TPS di kedua data"),
    "tps_changed": NC_("page", "TPS dengan angka berubah"),
    "change_counts": NC_("page", "Catatan perubahan"),
    "over_time": NC_("page", "Kelengkapan dari waktu ke waktu"),
    "over_time_intro": NC_("page", "TPS yang masuk per kab/kota pada setiap snapshot dalam store ({n} snapshot)."),
    "over_time_chart": NC_("page", "TPS masuk per kab/kota, per snapshot."),
    "tps_received": NC_("page", "TPS masuk"),
    "unit": NC_("page", "Wilayah"),
    "fields_compared": NC_("page", "Kolom dibandingkan"),
    "only_previous": NC_("page", "Hanya di data sebelumnya (tidak dibandingkan)"),
    "only_current": NC_("page", "Hanya di data sekarang (tidak dibandingkan)"),
    "unreadable": NC_("page", "Sel tidak dibandingkan (tidak terbaca sebagai angka, S002)"),
    "misread": NC_("page", "Koreksi bertanda salah baca"),
    "misread_text": NC_("page", "{repaired} membuat formulir lolos aturan A yang gagal, {still} formulir masih gagal, "
                                "{passing} formulir sudah lolos sebelumnya"),
    "no_changes": NC_("page", "Tidak ada yang berubah sejak data sebelumnya."),
    "changes_by_rule": NC_("page", "Perubahan per aturan D"),
    "changes_by_unit": NC_("page", "Perubahan per {level}"),
    "changes_by_unit_note": NC_("page", "Selisih = jumlah baru − jumlah lama atas semua TPS wilayah itu (TPS baru dan "
                                        "hilang ikut); kosong: tidak ada TPS yang berubah pada kolom itu."),
    "tps_added": NC_("page", "TPS baru"),
    "tps_removed": NC_("page", "TPS hilang"),
    "largest": NC_("page", "Koreksi terbesar"),
    "largest_n": NC_("page", "{shown} dari {total} angka yang dikoreksi, menurut besarnya selisih"),
    "old": NC_("page", "Lama"),
    "new": NC_("page", "Baru"),
    "rules": NC_("page", "Aturan"),
    "chart_changes": NC_("page", "Jumlah angka yang berubah per kolom"),
    "chart_changes_more": NC_("page", "{shown} kolom dengan perubahan terbanyak dari {total}."),
    "axis_changes": NC_("page", "angka berubah"),
    "accepted": NC_("page", "Temuan diterima"),
    "accepted_intro": NC_("page", "Temuan ini cocok dengan entri daftar terima (--accept): aturan, kode wilayah, "
                                  "kolom dan nilai yang sama (nilai kosong dalam daftar: nilai berapa pun). Temuan "
                                  "itu dicatat di sini dengan alasannya dan tidak dihitung untuk kode keluar."),
    "accept_files": NC_("page", "Daftar terima"),
    "entries": NC_("page", "Entri"),
    "reason_accepted": NC_("page", "Alasan"),
    "accepted_by": NC_("page", "Oleh"),
    "accepted_date": NC_("page", "Tanggal"),
    "first_accepted_n": NC_("page", "{shown} dari {total} temuan diterima"),
    "no_accepted": NC_("page", "Tidak ada temuan yang cocok dengan daftar terima."),
    "stale": NC_("page", "Entri usang"),
    "stale_intro": NC_("page", "Entri daftar terima yang tidak cocok lagi dengan temuan mana pun: angkanya sudah "
                               "dikoreksi, atau temuannya hilang. Hapus entri ini dari daftar terima, atau periksa "
                               "angkanya lagi."),
    "stale_n": NC_("page", "Ditampilkan {shown} dari {total} entri usang; semuanya ada di accept_stale.csv."),
    "no_stale": NC_("page", "Tidak ada entri usang."),
    "any_value": NC_("page", "(nilai apa pun)"),
    "entry": NC_("page", "Berkas:baris"),
    "generated_by": NC_("page", "Dibuat oleh rekap {version}. Jalankan ulang dengan berkas yang sama untuk "
                                "mendapatkan berkas yang sama persis."),
}
"""Every text of the page (context "page"; severity names share the context "severity" with the workbook)."""


def _severity_count(severity: str, n: int, lang: str) -> str:
    """'3 galat', '1 error', '2 warnings': a count of findings of one severity."""
    if severity == "error":
        return n_("{n} galat", "{n} galat", n, lang)
    if severity == "warning":
        return n_("{n} peringatan", "{n} peringatan", n, lang)
    return n_("{n} info", "{n} info", n, lang)


CSS = """
:root{--ink:#1b1f24;--muted:#5b6470;--line:#d0d5db;--head:#eef1f4;--accent:#8a1c1c;
--err:#b42318;--warn:#9a5b00;--info:#2f5f9e}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,"Segoe UI",Roboto,"Helvetica Neue",Arial,"DejaVu Sans",sans-serif;
color:var(--ink);background:#fff;margin:0 auto;max-width:1240px;padding:24px 28px 48px}
header{border-bottom:3px solid var(--accent);margin-bottom:16px;padding-bottom:8px}
h1{font-size:1.7em;margin:0}
header p{margin:.2em 0;color:var(--muted)}
h2{font-size:1.35em;margin:2em 0 .6em;border-bottom:1px solid var(--line);padding-bottom:.2em;color:var(--accent)}
h3{font-size:1.1em;margin:1.6em 0 .4em}
h4{font-size:1em;margin:1.2em 0 .3em}
nav.toc ol{margin:.3em 0;padding-left:1.4em;columns:2}
a{color:#1d4f91}
table{border-collapse:collapse;margin:.4em 0 1em;font-variant-numeric:tabular-nums}
th,td{border:1px solid var(--line);padding:3px 8px;vertical-align:top;text-align:left}
thead th{background:var(--head);font-weight:600}
td.n,th.n{text-align:right;white-space:nowrap}
td.wrap{max-width:34em}
td.trace{min-width:16em}
.kode,.mono{font-family:ui-monospace,"Cascadia Mono",Consolas,"DejaVu Sans Mono",monospace;font-size:.95em}
.kode{white-space:nowrap}
.hash{word-break:break-all;font-size:.85em}
.muted,.share{color:var(--muted)}
.share{font-size:.85em;display:block}
.name{white-space:nowrap}
.scroll{overflow-x:auto}
dl.facts{display:grid;grid-template-columns:max-content auto;gap:2px 16px;margin:.5em 0 1em}
dl.facts dt{color:var(--muted)}
dl.facts dd{margin:0;font-variant-numeric:tabular-nums}
.sev-error{color:var(--err);font-weight:600}
.sev-warning{color:var(--warn);font-weight:600}
.sev-info{color:var(--info)}
.pos{color:var(--err)}
.neg{color:var(--info)}
tr.partial td{color:var(--muted);background:#f7f7f7}
.badge{display:inline-block;border:1px solid currentColor;border-radius:3px;padding:0 4px;font-size:.8em;
white-space:nowrap}
.bar{display:block;height:100%;background:#2f7d4f}
.bar.low{background:#c2410c}
.bartrack{display:inline-block;width:80px;height:.7em;background:#e5e7eb;margin-right:6px;text-align:left}
figure{margin:1em 0 1.4em;break-inside:avoid}
figure svg{max-width:100%;height:auto;display:block}
figcaption{color:var(--muted);font-size:.9em;margin-top:.2em}
footer{margin-top:3em;border-top:1px solid var(--line);padding-top:.5em;color:var(--muted);font-size:.9em}
@media print{
@page{size:A4;margin:12mm 10mm}
body{max-width:none;padding:0;font-size:8.5pt}
nav.toc{display:none}
h2{break-after:avoid;page-break-after:avoid}
h3,h4{break-after:avoid;page-break-after:avoid}
section{break-before:auto}
.scroll{overflow:visible}
table{font-size:8pt}
th,td{padding:1px 4px}
tr{break-inside:avoid;page-break-inside:avoid}
thead{display:table-header-group}
a{color:inherit;text-decoration:none}
figure svg{max-height:24cm;width:auto}
.bartrack,.bar{print-color-adjust:exact;-webkit-print-color-adjust:exact}
}
"""


class Markup(str):
    """HTML this module built itself; every other string is escaped on its way into the page."""


def _e(value: object) -> Markup:
    if isinstance(value, Markup):
        return value
    return Markup(html.escape("" if value is None else str(value), quote=True))


def _t(key: str, lang: str, **kw: object) -> str:
    return C_(*TEXTS[key], lang, **kw)


@dataclass(frozen=True)
class Cell:
    """One table cell: content (escaped unless Markup) and a CSS class."""

    content: object
    cls: str = ""


def _n(value: object, lang: str, signed: bool = False) -> Cell:
    """A count, formatted for people and right-aligned; empty for NULL (never 0)."""
    if value is None:
        return Cell("", "n")
    n = int(value)  # type: ignore[call-overload]
    text = num(abs(n), lang) if signed else num(n, lang)
    if signed:
        text = ("+" if n > 0 else "−" if n < 0 else "") + text
        return Cell(text, "n " + ("pos" if n > 0 else "neg" if n < 0 else ""))
    return Cell(text, "n")


def _pct(value: float | None, lang: str, digits: int = 1) -> str:
    """Every percentage of the page: one decimal, truncated (rekap.i18n.percent)."""
    return percent(value, lang)


def _kode(value: object) -> Cell:
    return Cell("" if value is None else str(value), "kode")


def _table(headers: Sequence[str | Cell], rows: Iterable[Sequence[Cell | object]], cls: str = "") -> str:
    out = [f'<div class="scroll"><table{f" class={_q(cls)}" if cls else ""}><thead><tr>']
    for h in headers:
        if isinstance(h, Cell):
            out.append(f"<th{_cls(h.cls)}>{_e(h.content)}</th>")
        else:
            out.append(f"<th>{_e(h)}</th>")
    out.append("</tr></thead><tbody>")
    for row in rows:
        row_cls = ""
        if isinstance(row, _Row):
            row_cls = _cls(row.cls)
        out.append(f"<tr{row_cls}>")
        for c in row:
            cell = c if isinstance(c, Cell) else Cell(c)
            out.append(f"<td{_cls(cell.cls)}>{_e(cell.content)}</td>")
        out.append("</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


class _Row(list[Cell | object]):
    """A table row with its own CSS class (e.g. a partial discrepancy)."""

    def __init__(self, cells: Iterable[Cell | object], cls: str = "") -> None:
        super().__init__(cells)
        self.cls = cls


def _q(value: str) -> str:
    return '"' + html.escape(value, quote=True) + '"'


def _cls(value: str) -> str:
    value = value.strip()
    return f" class={_q(value)}" if value else ""


def _num_header(text: str) -> Cell:
    return Cell(text, "n")




def _columns(con: duckdb.DuckDBPyConnection, name: str) -> list[str]:
    return [str(r[0]) for r in con.execute(f'DESCRIBE "{name}"').fetchall()]


def _level_rank_sql(column: str) -> str:
    return rank_sql(column)


def _short_names(sources: Iterable[str]) -> dict[str, str]:
    """File names without their folders when that stays unambiguous (the summary lists the full paths)."""
    full = sorted(set(sources))
    short = {name: re.split(r"[\\/]", name)[-1] or name for name in full}
    return short if len(set(short.values())) == len(full) else {name: name for name in full}


# --------------------------------------------------------------------------- charts


def _svg(fig: Figure, chart_id: str) -> Markup:
    """The figure as an inline <svg> element whose ids cannot clash with another chart's."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    # Comments carry the label texts; the glyph outlines already draw them.
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{chart_id}-{m.group(1)}"', svg)
    svg = re.sub(r'(xlink:href|href)="#([^"]+)"', lambda m: f'{m.group(1)}="#{chart_id}-{m.group(2)}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{chart_id}-{m.group(1)})", svg)
    svg = re.sub(r"\n\s*\n", "\n", svg)
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1).strip())


class _Charts:
    """matplotlib, imported only when a chart is drawn, with settings that make the SVG reproducible
    (fixed hash salt for the ids, glyphs as paths from the bundled DejaVu Sans, no math parsing)."""

    RC: Any = {
        "svg.hashsalt": "rekap",
        "svg.fonttype": "path",
        "text.parse_math": False,
        "text.usetex": False,
        "font.family": "DejaVu Sans",
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 10,
        "path.simplify": False,
    }

    def __init__(self, lang: str) -> None:
        # Figures are made without pyplot, so no backend is chosen and a caller's own plots are untouched.
        import matplotlib

        self.mpl = matplotlib
        self.lang = lang
        self.count = 0

    def _new_id(self) -> str:
        self.count += 1
        return f"chart{self.count}"

    def _thousands(self, ax: Any, axis: str = "x") -> None:
        from matplotlib.ticker import FuncFormatter, MaxNLocator

        lang = self.lang
        fmt = FuncFormatter(lambda v, _pos: num(int(round(v)), lang))
        target = ax.xaxis if axis == "x" else ax.yaxis
        target.set_major_formatter(fmt)
        target.set_major_locator(MaxNLocator(nbins=6, integer=True))

    def stacked_bars(
        self, labels: Sequence[str], series: Sequence[tuple[str, Sequence[int], str]], axis_label: str,
        shares: bool = False,
    ) -> Markup:
        """Horizontal stacked bars, one per label (top to bottom in the given order)."""
        from matplotlib.figure import Figure

        with self.mpl.rc_context(self.RC):
            height = 1.3 + 0.28 * len(labels)
            fig = Figure(figsize=(9.0, height), dpi=72)
            ax = fig.add_subplot()
            ys = list(range(len(labels)))
            left = [0] * len(labels)
            totals = [sum(vs) for vs in zip(*(v for _, v, _ in series), strict=True)] if series else []
            widest = max([*totals, 1])
            for name, values, colour in series:
                ax.barh(ys, values, left=left, color=colour, label=name, height=0.72, edgecolor="white", linewidth=0.4)
                if shares:
                    for y, x0, v, total in zip(ys, left, values, totals, strict=True):
                        # The share inside its segment, where it fits.
                        if total and v / widest >= 0.07:
                            ax.text(x0 + v / 2, y, percent_of(int(v), int(total), self.lang), ha="center",
                                    va="center", color=_ink_on(colour), fontsize=7.5)
                left = [a + b for a, b in zip(left, values, strict=True)]
            ax.set_yticks(ys, labels=list(labels))
            ax.invert_yaxis()
            ax.set_xlabel(axis_label)
            self._thousands(ax, "x")
            ax.grid(axis="x", color="#dddddd", linewidth=0.6)
            ax.set_axisbelow(True)
            ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=min(len(series), 6), frameon=False)
            ax.margins(y=0.01)
            fig.tight_layout()
            return _svg(fig, self._new_id())

    def lines(self, xs: Sequence[str], series: Sequence[tuple[str, Sequence[int]]], axis_label: str) -> Markup:
        """One line per series over the points `xs` (in order): e.g. TPS received per kab/kota per snapshot."""
        from matplotlib.figure import Figure

        with self.mpl.rc_context(self.RC):
            fig = Figure(figsize=(9.0, 4.2), dpi=72)
            ax = fig.add_subplot()
            pos = list(range(len(xs)))
            for name, values in series:
                ax.plot(pos, list(values), marker="o", markersize=3, linewidth=1.2, label=name)
            ax.set_xticks(pos, labels=list(xs))
            ax.set_ylabel(axis_label)
            self._thousands(ax, "y")
            ax.grid(axis="y", color="#dddddd", linewidth=0.6)
            ax.set_axisbelow(True)
            if len(series) <= 12:
                ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=7.5)
            fig.tight_layout()
            return _svg(fig, self._new_id())

    def histogram(self, counts: Mapping[int, int], over: int, median_pct: float | None) -> Markup:
        """Turnout bins of HIST_STEP points from 0 to 100 %, and one bar for TPS above 100 %."""
        from matplotlib.figure import Figure

        nbins = int(100 / HIST_STEP)
        with self.mpl.rc_context(self.RC):
            fig = Figure(figsize=(9.0, 3.4), dpi=72)
            ax = fig.add_subplot()
            xs = [i * HIST_STEP for i in range(nbins)]
            ax.bar(xs, [counts.get(i, 0) for i in range(nbins)], width=HIST_STEP, align="edge",
                   color="#2f6f9f", edgecolor="white", linewidth=0.4)
            if over:
                ax.bar([100 + HIST_STEP], [over], width=HIST_STEP * 2, align="edge", color="#b42318",
                       edgecolor="white", linewidth=0.4)
                top = max([*counts.values(), over])
                ax.annotate(f"{_t('over_100', self.lang)}: {num(over, self.lang)}", (100 + 2 * HIST_STEP, over), xytext=(0, 3),
                            textcoords="offset points", ha="center", va="bottom", color="#b42318")
                ax.set_ylim(0, top * 1.12)
            if median_pct is not None:
                ax.axvline(median_pct, color="#444444", linewidth=1, linestyle="--")
            # From the lowest ten holding data: a turnout of 5 % still shows, an empty 0–60 % does not.
            low = min([*(k for k, v in counts.items() if v), nbins - 1])
            start = int(low * HIST_STEP // 10 * 10)
            ax.set_xlim(start, 100 + (3 * HIST_STEP if over else 0))
            ax.set_xticks(list(range(start, 101, 10 if start < 50 else 5)))
            ax.set_xlabel(_t("axis_turnout", self.lang))
            ax.set_ylabel(_t("axis_tps", self.lang))
            self._thousands(ax, "y")
            ax.grid(axis="y", color="#dddddd", linewidth=0.6)
            ax.set_axisbelow(True)
            fig.tight_layout()
            return _svg(fig, self._new_id())


def _ink_on(colour: str) -> str:
    """Black or white text, whichever reads better on the colour (#rrggbb)."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return "#000000" if 0.299 * r + 0.587 * g + 0.114 * b > 150 else "#ffffff"


def _figure(svg: Markup, caption: str) -> str:
    return f"<figure>{svg}<figcaption>{_e(caption)}</figcaption></figure>"


# --------------------------------------------------------------------------- sections


@dataclass
class _Page:
    con: duckdb.DuckDBPyConnection
    lang: str
    meta: Mapping[str, object]
    charts: _Charts | None = None
    sources: dict[str, str] | None = None

    def chart(self) -> _Charts:
        if self.charts is None:
            self.charts = _Charts(self.lang)
        return self.charts

    def t(self, key: str, **kw: object) -> str:
        return _t(key, self.lang, **kw)

    def n(self, value: object) -> str:
        return "" if value is None else num(int(value), self.lang)  # type: ignore[call-overload]

    def where(self, source: object, row: object) -> Cell:
        """`file:row` of a finding, with the full path as a tooltip."""
        if source is None:
            return Cell("", "mono")
        if self.sources is None:
            found: list[str] = []
            for table in ("rk_source_order", "rk_findings_out", "rk_discrepancies"):
                if table_exists(self.con, table):
                    found += [str(r[0]) for r in self.con.execute(
                        f"SELECT DISTINCT source FROM {table} WHERE source IS NOT NULL").fetchall()]
            self.sources = _short_names(found)
        name = self.sources.get(str(source), str(source))
        text = f"{name}:{row}" if row is not None else name
        return Cell(Markup(f"<span title={_q(str(source))}>{_e(text)}</span>"), "mono")

    def names(self, level: str) -> dict[str, str]:
        """Names of the units of one level by code, from the region list (coverage) and the recap (the
        data's names)."""
        names: dict[str, str] = {}
        for table in ("rk_coverage", "rk_recap"):
            if table_exists(self.con, table):
                for kode, nama in self.con.execute(
                    f"SELECT DISTINCT kode_wilayah, nama_wilayah FROM {table} "
                    "WHERE level = $level AND nama_wilayah IS NOT NULL ORDER BY 1, 2", {"level": level}
                ).fetchall():
                    names.setdefault(str(kode), str(nama))
        return names


def _records(value: object) -> list[Mapping[str, object]]:
    """The dicts of a meta list (or a single dict); anything else is ignored."""
    if isinstance(value, Mapping):
        return [value]
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [v for v in value if isinstance(v, Mapping)]
    return []


def _summary(page: _Page) -> str:
    meta, lang, con = page.meta, page.lang, page.con
    out = []
    facts: list[tuple[str, str]] = []
    version = meta.get("version")
    if version is not None:
        tool = f"rekap {version}"
        if meta.get("ruleset") is not None:
            tool += f" ({page.t('ruleset')} {meta['ruleset']})"
        facts.append((page.t("tool"), tool))
    st = meta.get("statement")
    statement_lines: list[str] = []
    if isinstance(st, Mapping):
        from rekap.statement import lines, scope_text

        if st.get("scope"):
            facts.append((page.t("scope"), scope_text(dict(st), lang)))
        statement_lines = lines(dict(st), lang, num)
        # The first line is the scope (when there is one), a fact of its own above.
        if "scope" in st:
            statement_lines = statement_lines[1:]
    if table_exists(con, "rk_recap"):
        elections = [str(r[0]) for r in con.execute(
            "SELECT DISTINCT jenis_pemilihan FROM rk_recap WHERE jenis_pemilihan IS NOT NULL ORDER BY 1").fetchall()]
        if elections:
            facts.append((page.t("elections"), ", ".join(election_name(e, lang) for e in elections)))
    given = meta.get("accounting")
    accounting: dict[str, object] = dict(given) if isinstance(given, Mapping) else {}
    for key, alias in (("tps_checked", "tps_checked"), ("tps_summed", "rows_summed"), ("tps_rejected", "rows_rejected")):
        if meta.get(key) is not None:
            accounting.setdefault(alias, meta[key])
    if accounting.get("rows_read") is not None:
        facts.append((page.t("rows_read"), page.n(accounting["rows_read"])))
    for key, label in (("tps_checked", "tps_checked"), ("rows_summed", "tps_summed"), ("rows_rejected", "tps_rejected"),
                       ("rows_outside_wilayah", "rows_outside_wilayah")):
        if accounting.get(key) is not None:
            value = page.n(accounting[key])
            if key == "rows_rejected":
                reasons = [f"{page.t(k)} {page.n(accounting[k])}" for k in REJECT_REASONS if accounting.get(k)]
                value += f" ({', '.join(reasons)})" if reasons else ""
            facts.append((page.t(label), value))
    if table_exists(con, "rk_findings_out"):
        sev = dict(con.execute("SELECT severity, count(*) FROM rk_findings_out GROUP BY 1 ORDER BY 1").fetchall())
        parts = [_severity_count(s, int(sev.get(s, 0)), lang) for s in SEVERITIES]
        facts.append((page.t("findings_total"), ", ".join(parts)))
    if table_exists(con, ACCEPTED_TABLE):
        facts.append((page.t("accepted"),
                      page.n(con.execute(f"SELECT count(*) FROM {ACCEPTED_TABLE}").fetchall()[0][0])))
    if table_exists(con, "rk_discrepancies"):
        facts.append((page.t("discrepancies"), _discrepancy_summary(page)))
    coverage = _coverage_summary(page)
    if coverage:
        facts.append((page.t("coverage"), coverage))
    if facts:
        out.append('<dl class="facts">')
        out += [f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in facts]
        out.append("</dl>")
    if statement_lines:
        out.append(f"<h3>{_e(page.t('covered'))}</h3><ul>")
        out += [f"<li>{_e(line)}</li>" for line in statement_lines]
        out.append("</ul>")

    files = [(rec, rec.get("role") or page.t(role)) for key, role in (("inputs", "role_tps"), ("reported", "role_reported"),
                                                                     ("master", "role_master"))
             for rec in _records(meta.get(key))]
    if files:
        out.append(f"<h3>{_e(page.t('inputs'))}</h3>")
        has_role = len({role for _, role in files}) > 1
        has_format = any(rec.get("format") for rec, _ in files)
        headers: list[str | Cell] = [page.t("file")]
        if has_role:
            headers.append(page.t("role"))
        if has_format:
            headers.append(page.t("format"))
        headers += [_num_header(page.t("rows")), "SHA-256"]
        rows = []
        for rec, role in files:
            row: list[Cell | object] = [Cell(rec.get("name") or rec.get("path") or "", "mono")]
            if has_role:
                row.append(Cell(role, "name"))
            if has_format:
                row.append(rec.get("format") or "")
            row += [_n(rec.get("rows"), lang), Cell(rec.get("sha256") or "", "kode hash")]
            rows.append(row)
        out.append(_table(headers, rows))
        out.append(f'<p class="muted">{_e(page.t("sha_note"))}</p>')
    skipped = _records(meta.get("skipped_sheets"))
    if skipped:
        out.append(f"<h3>{_e(page.t('skipped_sheets'))}</h3>")
        out.append(_table([page.t("file"), page.t("reason")],
                          [[Cell(rec.get("name") or rec.get("path") or "", "mono"), rec.get("message") or rec.get("reason") or ""]
                           for rec in skipped]))

    given_notes = meta.get("notes")
    notes = [str(n) for n in given_notes if n] if isinstance(given_notes, list | tuple) else []
    if notes:
        out.append(f"<h3>{_e(page.t('notes'))}</h3><ul>")
        out += [f"<li>{_e(n)}</li>" for n in notes]
        out.append("</ul>")
    return "".join(out)


def _results(page: _Page) -> str:
    con, lang = page.con, page.lang
    cols = _columns(con, "rk_recap")
    paslon_all = sorted((c for c in cols if re.fullmatch(r"suara_paslon_\d+", c)), key=lambda c: int(c.rsplit("_", 1)[1]))
    out = []
    elections = [r[0] for r in con.execute(
        "SELECT DISTINCT jenis_pemilihan FROM rk_recap ORDER BY 1 NULLS LAST").fetchall()]
    turnout = _turnout_charts(page) if table_exists(con, "rk_tps") else {}
    for election in elections:
        where = "jenis_pemilihan IS NOT DISTINCT FROM $e"
        params = {"e": election}
        # Only the paslon columns this election has numbers for.
        paslon = []
        if paslon_all:
            present = con.execute(
                "SELECT " + ", ".join(f"count({c})" for c in paslon_all) + f" FROM rk_recap WHERE {where}", params
            ).fetchall()[0]
            paslon = [c for c, k in zip(paslon_all, present, strict=True) if k]
        levels = [str(r[0]) for r in con.execute(
            f"SELECT level, count(*) FROM rk_recap WHERE {where} GROUP BY 1 ORDER BY {_level_rank_sql('level')}",
            params).fetchall()]
        counts = dict(con.execute(f"SELECT level, count(*) FROM rk_recap WHERE {where} GROUP BY 1", params).fetchall())
        if len(elections) > 1 or election is not None:
            out.append(f"<h3>{_e(election_name(str(election), lang) if election else '–')}</h3>")
        chart_level = _chart_level(levels, counts)
        if paslon and chart_level is not None:
            out.append(_votes_chart(page, where, params, chart_level, paslon, counts[chart_level]))
        if turnout:
            out.append(turnout.pop(election, ""))
        for level in levels:
            out.append(_recap_level(page, where, params, level, cols, paslon, counts[level]))
    out += turnout.values()  # TPS of an election type the recap does not have
    return "".join(out)


def _chart_level(levels: Sequence[str], counts: Mapping[str, int]) -> str | None:
    """The level below the top, or the first one further down that has more than one unit."""
    if not levels:
        return None
    # A bupati/wali kota recap stops at kab/kota: when its top holds several races, chart the top.
    start = 0 if counts[levels[0]] > 1 else 1
    for level in levels[start:]:
        if counts[level] > 1:
            return level
    return levels[min(start, len(levels) - 1)]


def _votes_chart(page: _Page, where: str, params: dict[str, object], level: str, paslon: Sequence[str],
                 total: int) -> str:
    rows = page.con.execute(
        f"SELECT kode_wilayah, nama_wilayah, {', '.join(paslon)} FROM rk_recap WHERE {where} AND level = $l "
        f"ORDER BY kode_wilayah LIMIT {MAX_BARS}",
        {**params, "l": level},
    ).fetchall()
    labels = [f"{r[0]}  {r[1] or ''}".strip() for r in rows]
    series = [
        (page.t("paslon", n=c.rsplit("_", 1)[1]), [int(r[i + 2] or 0) for r in rows],
         PASLON_COLOURS[(int(c.rsplit("_", 1)[1]) - 1) % len(PASLON_COLOURS)])
        for i, c in enumerate(paslon)
    ]
    svg = page.chart().stacked_bars(labels, series, page.t("axis_votes"), shares=True)
    caption = page.t("chart_votes", level=level_name(level, page.lang))
    if total > len(rows):
        caption += ". " + page.t("chart_votes_more", shown=page.n(len(rows)), total=page.n(total))
    return _figure(svg, caption)


def _recap_level(page: _Page, where: str, params: dict[str, object], level: str, cols: Sequence[str],
                 paslon: Sequence[str], total: int) -> str:
    lang = page.lang
    extra = [c for c in ("suara_sah", "suara_tidak_sah", "suara_total") if c in cols]
    has_dpt = "pemilih_dpt_j" in cols
    has_expected = "n_tps_expected" in cols
    select = ["kode_wilayah", "nama_wilayah", "n_tps",
              "n_tps_expected" if has_expected else "NULL",
              "n_tps_error" if "n_tps_error" in cols else "NULL",
              "n_tps_suara" if "n_tps_suara" in cols else "n_tps",
              "n_tps_administrasi" if "n_tps_administrasi" in cols else "n_tps",
              "pemilih_dpt_j" if has_dpt else "NULL", *paslon, *extra]
    rows = page.con.execute(
        f"SELECT {', '.join(select)} FROM rk_recap WHERE {where} AND level = $l ORDER BY kode_wilayah "
        f"LIMIT {MAX_TABLE_ROWS}",
        {**params, "l": level},
    ).fetchall()
    # A sum over fewer TPS than the unit has is shown beside the number of TPS it covers (issue 10: a DPT
    # summed over 45 % of the TPS must not look like the unit's DPT).
    partial_votes = any(r[5] is not None and r[5] < r[2] for r in rows)
    partial_voters = has_dpt and any(r[6] is not None and r[6] < r[2] for r in rows)
    headers: list[str | Cell] = [page.t("kode"), page.t("nama"),
                                 _num_header(page.t("n_tps")),
                                 _num_header(page.t("n_tps_error"))]
    if partial_voters:
        headers.append(_num_header(page.t("n_tps_administrasi")))
    if has_dpt:
        headers.append(_num_header(page.t("dpt")))
    if partial_votes:
        headers.append(_num_header(page.t("n_tps_suara")))
    headers += [_num_header(page.t("paslon", n=c.rsplit("_", 1)[1])) for c in paslon]
    headers += [_num_header(page.t(c)) for c in extra]
    can_turnout = has_dpt and "suara_total" in extra
    if can_turnout:
        headers.append(_num_header(page.t("turnout")))
    body = []
    np_ = len(paslon)
    for r in rows:
        kode, nama, n_tps, n_exp, n_err, n_votes, n_voters, dpt = r[:8]
        votes = r[8:8 + np_]
        rest = r[8 + np_:]
        # Received / expected, as the coverage section counts them.
        tps = page.n(n_tps) + (f" / {page.n(n_exp)}" if n_exp is not None else "")
        cells: list[Cell | object] = [_kode(kode), Cell(nama or "", "name"), Cell(tps, "n"), _n(n_err, lang)]
        if partial_voters:
            cells.append(_n(n_voters, lang))
        if has_dpt:
            cells.append(_n(dpt, lang))
        if partial_votes:
            cells.append(_n(n_votes, lang))
        valid = sum(int(v) for v in votes if v is not None)
        for v in votes:
            if v is None:
                cells.append(Cell("", "n"))
                continue
            share = f'<span class="share">({percent_of(int(v), valid, lang)})</span>' if valid else ""
            cells.append(Cell(Markup(_e(page.n(v)) + share), "n"))
        cells += [_n(v, lang) for v in rest]
        if can_turnout:
            total_votes = rest[extra.index("suara_total")]
            # Votes over DPT only where both cover every TPS of the unit: two partial sums over
            # different TPS make no turnout.
            whole = n_votes == n_tps and n_voters == n_tps
            cells.append(Cell(percent_of(total_votes, dpt, lang) if whole and total_votes is not None and dpt else "",
                              "n"))
        body.append(cells)
    more = (f'<p class="muted">{_e(page.t("more_rows", shown=page.n(len(rows)), total=page.n(total)))}</p>'
            if total > len(rows) else "")
    note = (f'<p class="muted">{_e(page.t("partial_sums_note"))}</p>' if partial_votes or partial_voters else "")
    return f"<h4>{_e(level_name(level, lang))}</h4>{_table(headers, body)}{note}{more}"


def _turnout_charts(page: _Page) -> dict[object, str]:
    """One turnout histogram per election type in `rk_tps`, by election type."""
    con = page.con
    cols = set(_columns(con, "rk_tps"))
    if not {"suara_total", "pemilih_dpt_j"} <= cols:
        return {}
    election = "jenis_pemilihan" if "jenis_pemilihan" in cols else "NULL"
    nbins = int(100 / HIST_STEP)
    # Exactly 100 % belongs to the last ordinary bin; only above 100 % is impossible (bin -1).
    rows = con.execute(
        f"""WITH t AS (SELECT {election} AS e, 100.0 * suara_total / pemilih_dpt_j AS p FROM rk_tps
                       WHERE pemilih_dpt_j > 0 AND suara_total IS NOT NULL),
            m AS (SELECT e, quantile_cont(p, 0.5) AS median FROM t GROUP BY 1)
            SELECT t.e, CASE WHEN p > 100 THEN -1 ELSE least(floor(p / {HIST_STEP}), {nbins - 1}) END::INTEGER,
                   count(*), any_value(m.median)
            FROM t JOIN m ON m.e IS NOT DISTINCT FROM t.e
            GROUP BY ALL ORDER BY 1 NULLS LAST, 2"""
    ).fetchall()
    by_election: dict[object, tuple[dict[int, int], float | None]] = {}
    for e, b, k, median in rows:
        bins, _ = by_election.setdefault(e, ({}, None if median is None else float(median)))
        bins[int(b)] = int(k)
    out: dict[object, str] = {}
    for e, (bins, median) in by_election.items():
        over = bins.pop(-1, 0)
        n = sum(bins.values()) + over
        svg = page.chart().histogram(bins, over, median)
        caption = page.t("chart_turnout", n=page.n(n), median=_pct(median, page.lang, 1))
        if len(by_election) > 1 and e is not None:
            caption = f"{election_name(str(e), page.lang)}: {caption}"
        out[e] = _figure(svg, caption)
    return out


def _findings(page: _Page) -> str:
    from rekap.report.rules import rule_titles

    con, lang = page.con, page.lang
    total = con.execute("SELECT count(*) FROM rk_findings_out").fetchall()[0][0]
    if not total:
        return f"<p>{_e(page.t('no_findings'))}</p>"
    out = []
    names = page.names("kabkota")

    # Per kab/kota: codes of TPS, desa, kecamatan and kab/kota findings start with the kab/kota code.
    kab = con.execute(
        """SELECT CASE WHEN length(kode_wilayah) >= 4 AND level IN ('tps', 'desa', 'kecamatan', 'kabkota')
                       THEN left(kode_wilayah, 4) END AS kab,
                  count(*) FILTER (severity = 'error'), count(*) FILTER (severity = 'warning'),
                  count(*) FILTER (severity = 'info'), count(*)
           FROM rk_findings_out GROUP BY 1 ORDER BY 5 DESC, 1 NULLS LAST"""
    ).fetchall()
    placed = [r for r in kab if r[0] is not None]
    if placed:
        shown = placed[:MAX_BARS]
        labels = [f"{r[0]}  {names.get(str(r[0]), '')}".strip() for r in shown]
        series = [(page.t(f"sev_{s}"), [int(r[i + 1]) for r in shown], SEVERITY_COLOURS[s])
                  for i, s in enumerate(SEVERITIES)]
        series = [s for s in series if any(s[1])]
        caption = page.t("chart_findings")
        if len(placed) > len(shown):
            caption += ". " + page.t("chart_findings_more", shown=page.n(len(shown)), total=page.n(len(placed)))
        out.append(_figure(page.chart().stacked_bars(labels, series, page.t("axis_findings")), caption))

    rule_rows = con.execute(
        "SELECT rule, any_value(severity), count(*) FROM rk_findings_out GROUP BY 1 ORDER BY 1").fetchall()
    titles = rule_titles(con, lang)
    out.append(f"<h3>{_e(page.t('by_rule'))}</h3>")
    out.append(_table(
        [page.t("rule"), page.t("severity"), page.t("title"), _num_header(page.t("count"))],
        [[Cell(Markup(f'<a href="#rule-{_e(r)}">{_e(r)}</a>'), "kode"), _severity(sev, lang),
          titles.get(str(r), ""), _n(k, lang)] for r, sev, k in rule_rows],
    ))

    out.append(f"<h3>{_e(page.t('by_kabkota'))}</h3>")
    out.append(_table(
        [page.t("kode"), page.t("nama"), *(_num_header(page.t(f"sev_{s}")) for s in SEVERITIES), _num_header(page.t("count"))],
        [[_kode(k) if k is not None else Cell(page.t("no_kabkota"), "muted"),
          names.get(str(k), "") if k is not None else "", *(_n(v, lang) for v in rest)]
         for k, *rest in sorted(kab, key=lambda r: (r[0] is None, r[0] or ""))],
    ))

    # The first findings of each rule in the findings table's own order: `rk_findings_out` is stored in its
    # total order (source, row, rule, field, …; `rekap.validate`), so its rowids are that order, and the first
    # of each rule are the rowids `min_by` keeps, with no second sort of every finding.
    first = con.execute(
        f"""SELECT rule, severity, level, kode_wilayah, field, expected, actual, selisih, message, source, row
            FROM rk_findings_out
            WHERE rowid IN (SELECT unnest(min_by(rowid, rowid, {FIRST_FINDINGS})) FROM rk_findings_out GROUP BY rule)
            ORDER BY rule, rowid"""
    ).fetchall()
    counts = {str(r): int(k) for r, _, k in rule_rows}
    out.append(f"<h3>{_e(page.t('first_findings'))}</h3>")
    by_rule: dict[str, list[tuple[Any, ...]]] = {}
    for rec in first:
        by_rule.setdefault(str(rec[0]), []).append(rec)
    for rule_id, recs in by_rule.items():
        title = titles.get(rule_id, "")
        how_many = page.t("first_n", shown=page.n(len(recs)), total=page.n(counts[rule_id]))
        out.append(f'<h4 id="rule-{_e(rule_id)}"><span class="kode">{_e(rule_id)}</span> — {_e(title)} '
                   f'<span class="muted">({_e(how_many)})</span></h4>')
        out.append(_table(
            [page.t("level"), page.t("kode"), page.t("field"), _num_header(page.t("expected")),
             _num_header(page.t("actual")), _num_header(page.t("selisih")), page.t("message"), page.t("where")],
            [[level_name(str(lv), lang) if lv else "", _kode(kode), Cell(field or "", "mono"), _n(exp, lang),
              _n(act, lang), _n(sel, lang, signed=True), Cell(msg or "", "wrap"), page.where(src, row)]
             for _, _, lv, kode, field, exp, act, sel, msg, src, row in recs],
        ))
    return "".join(out)


def _severity(sev: object, lang: str) -> Cell:
    key = str(sev)
    return Cell(_t(f"sev_{key}", lang) if key in SEVERITIES else key, f"sev-{key}" if key in SEVERITIES else "")


def _discrepancy_summary(page: _Page) -> str:
    con = page.con
    n_h001 = con.execute("SELECT count(*) FROM rk_discrepancies").fetchall()[0][0]
    n_units, n_values = (con.execute(
        "SELECT count(DISTINCT (jenis_pemilihan, level, kode_wilayah)), count(*) FROM rk_not_compared"
    ).fetchall()[0] if table_exists(con, "rk_not_compared") else (0, 0))
    text = n_("{n} selisih (H001).", "{n} selisih (H001).", int(n_h001), page.lang)
    if n_values:
        text += " " + page.t("not_compared_summary", units=page.n(n_units), values=page.n(n_values))
    return text


def _discrepancies(page: _Page) -> str:
    con, lang = page.con, page.lang
    rows = con.execute(
        f"""SELECT jenis_pemilihan, level, kode_wilayah, nama_wilayah, field, reported, computed, selisih,
                   computed_from, trace, source, row
            FROM rk_discrepancies
            ORDER BY jenis_pemilihan NULLS LAST, {_level_rank_sql('level')}, kode_wilayah, field,
                     source NULLS LAST, row NULLS LAST, computed_from, computed"""
    ).fetchall()
    out = [f"<p>{_e(_discrepancy_summary(page))}</p>"]
    if not rows:
        out.append(f"<p>{_e(page.t('no_discrepancies'))}</p>")
    else:
        many_elections = len({r[0] for r in rows}) > 1
        headers: list[str | Cell] = [page.t("level"), page.t("kode"), page.t("nama"), page.t("field"),
                                     _num_header(page.t("reported")), _num_header(page.t("computed")),
                                     _num_header(page.t("selisih")), page.t("computed_from"), page.t("trace"),
                                     page.t("where")]
        if many_elections:
            headers.insert(0, page.t("elections"))
        body: list[_Row] = []
        for (e, lv, kode, nama, field, rep, comp, sel, frm, trace, src, row) in rows:
            cells: list[Cell | object] = [level_name(str(lv), lang), _kode(kode), nama or "", Cell(field, "mono"),
                                          _n(rep, lang), _n(comp, lang), _n(sel, lang, signed=True),
                                          Cell(frm or "", "mono"), Cell(trace or "", "mono wrap trace"),
                                          page.where(src, row)]
            if many_elections:
                cells.insert(0, e or "")
            body.append(_Row(cells, ""))
        out.append(_table(headers, body))
    if table_exists(con, "rk_not_compared"):
        # Coverage facts, never lines of the list of selisih: one line per unit, its fields together.
        units = con.execute(
            f"""SELECT level, kode_wilayah, any_value(nama_wilayah), count(*), any_value(n_tps),
                       any_value(n_tps_expected), min(n_tps_with_data), any_value(reason)
                FROM rk_not_compared GROUP BY level, kode_wilayah
                ORDER BY {_level_rank_sql('level')}, kode_wilayah LIMIT {MAX_TABLE_ROWS}"""
        ).fetchall()
        if units:
            out.append(f"<h3>{_e(page.t('not_compared'))}</h3>")
            out.append(f'<p class="muted">{_e(page.t("not_compared_note"))}</p>')
            headers = [page.t("level"), page.t("kode"), page.t("nama"), _num_header(page.t("values")),
                       _num_header(page.t("received_tps")), _num_header(page.t("expected_tps")),
                       _num_header(page.t("n_tps_with_data"))]
            out.append(_table(headers, [
                [level_name(str(lv), lang), _kode(kode), nama or "", _n(n, lang), _n(n_tps, lang), _n(n_exp, lang),
                 _n(n_data, lang)]
                for lv, kode, nama, n, n_tps, n_exp, n_data, _reason in units
            ]))
    return "".join(out)


def _scope_codes(page: _Page) -> list[str]:
    st = page.meta.get("statement")
    scope = st.get("scope") if isinstance(st, Mapping) else None
    if not isinstance(scope, Mapping):
        return []
    return [str(u.get("kode_wilayah")) for u in _records(scope.get("units"))]


def _coverage_summary(page: _Page) -> str:
    """Received / expected over the scope units (the same numbers as the coverage table's top rows)."""
    from rekap.statement import coverage_headline

    got = coverage_headline(page.con, _scope_codes(page))
    if got is None:
        return ""
    domestic, expected, overseas = got
    text = page.t("cov_summary", got=page.n(domestic), want=page.n(expected), pct=percent_of(domestic, expected, page.lang))
    if overseas:
        text += " " + page.t("cov_overseas", n=page.n(overseas))
    return text


def _coverage(page: _Page) -> str:
    con, lang = page.con, page.lang
    out = []
    summary = _coverage_summary(page)
    if summary:
        out.append(f"<p>{_e(summary)}</p>")
    # "TPS masuk" is what the results' TPS column counts (every TPS summed in the unit); TPS whose code the
    # list does not have (overseas, K002, S006, a malformed TPS number) get their own column when there are any.
    unexpected = con.execute("SELECT count(*) FROM rk_coverage WHERE n_tps_unexpected > 0").fetchall()[0][0] > 0
    headers: list[str | Cell] = [page.t("level"), page.t("kode"), page.t("nama"), _num_header(page.t("received_tps")),
                                 _num_header(page.t("expected_tps")), _num_header(page.t("percent"))]
    if unexpected:
        headers.append(_num_header(page.t("unexpected_tps")))
    columns = "level, kode_wilayah, nama_wilayah, n_tps_expected, n_tps, persen, n_tps_unexpected"

    def rows_of(sql: str) -> list[list[Cell | object]]:
        body: list[list[Cell | object]] = []
        for lv, kode, nama, n_exp, n_recv, pct, n_other in con.execute(sql).fetchall():
            if pct is None:
                bar = Markup("")
            else:
                width = max(0.0, min(100.0, float(pct)))
                low = " low" if pct < 100 else ""
                bar = Markup(f'<span class="bartrack"><span class="bar{low}" style="width:{width:.0f}%"></span></span>')
            row: list[Cell | object] = [level_name(str(lv), lang), _kode(kode), nama or "", _n(n_recv, lang),
                                        _n(n_exp, lang), Cell(Markup(bar + _e(_pct(pct, lang))), "n")]
            if unexpected:
                row.append(_n(n_other or None, lang))
            body.append(row)
        return body

    order = f"ORDER BY {_level_rank_sql('level')}, kode_wilayah"
    units = rows_of(
        f"SELECT {columns} FROM rk_coverage WHERE level NOT IN ('desa', 'tps') {order} LIMIT {MAX_TABLE_ROWS}"
    )
    total_units = con.execute("SELECT count(*) FROM rk_coverage WHERE level NOT IN ('desa', 'tps')").fetchall()[0][0]
    out.append(_table(headers, units))
    if total_units > len(units):
        out.append(f'<p class="muted">{_e(page.t("more_rows", shown=page.n(len(units)), total=page.n(total_units)))}</p>')
    out.append(f"<h3>{_e(page.t('incomplete_desa'))}</h3>")
    desa = rows_of(
        f"SELECT {columns} FROM rk_coverage WHERE level = 'desa' AND n_tps_missing > 0 {order} LIMIT {MAX_TABLE_ROWS}"
    )
    total_desa = con.execute(
        "SELECT count(*) FROM rk_coverage WHERE level = 'desa' AND n_tps_missing > 0").fetchall()[0][0]
    if desa:
        out.append(_table(headers, desa))
        if total_desa > len(desa):
            out.append(f'<p class="muted">{_e(page.t("more_rows", shown=page.n(len(desa)), total=page.n(total_desa)))}</p>')
    else:
        out.append(f"<p>{_e(page.t('all_desa_complete'))}</p>")
    return "".join(out)


def _changes(page: _Page) -> str:
    """What changed since the --previous data: what was compared with what, the counts, the changes by D rule
    and by unit, the largest corrections and a chart of the changes per field."""
    from rekap.report.rules import rule_titles
    from rekap.report.text import CHANGE_WORDS, change_word

    con, lang, meta = page.con, page.lang, page.meta
    got = meta.get("changes")
    changes: Mapping[str, object] = got if isinstance(got, Mapping) else {}
    out = [f"<p>{_e(page.t('changes_compared'))}</p>"]

    files = [(page.t("role_previous"), rec) for rec in _records(meta.get("previous"))]
    files += [(page.t("role_current"), rec) for rec in _records(meta.get("inputs"))]
    if files:
        out.append(_table(
            [page.t("role"), page.t("file"), _num_header(page.t("rows")), page.t("sha_short")],
            [[Cell(role, "name"), Cell(rec.get("name") or rec.get("path") or "", "mono"), _n(rec.get("rows"), lang),
              Cell(Markup(f"<span title={_q(str(rec.get('sha256') or ''))}>{_e(str(rec.get('sha256') or '')[:12])}"
                          "</span>"), "kode")]
             for role, rec in files],
        ))

    counts = dict(con.execute(f"SELECT change, count(*) FROM {CHANGES_TABLE} GROUP BY 1").fetchall())
    facts: list[tuple[str, str]] = []
    for key in ("tps_both", "tps_changed"):
        if isinstance(changes.get(key), int):
            facts.append((page.t(key), page.n(changes[key])))
    facts.append((page.t("change_counts"), ", ".join(f"{change_word(code, lang)} {page.n(counts.get(code, 0))}"
                                                      for code in CHANGE_WORDS)))
    fields = changes.get("fields_compared")
    if isinstance(fields, Sequence) and not isinstance(fields, str):
        facts.append((page.t("fields_compared"), page.n(len(fields))))
    not_compared = changes.get("fields_not_compared")
    if isinstance(not_compared, Mapping):
        for key, label in (("previous_only", "only_previous"), ("current_only", "only_current")):
            names = not_compared.get(key)
            if isinstance(names, Sequence) and not isinstance(names, str) and names:
                facts.append((page.t(label), ", ".join(str(n) for n in names)))
    if changes.get("cells_unreadable"):
        facts.append((page.t("unreadable"), page.n(changes["cells_unreadable"])))
    misread = changes.get("misread")
    if isinstance(misread, Mapping) and any(misread.values()):
        facts.append((page.t("misread"), page.t("misread_text", repaired=page.n(misread.get("repaired", 0)),
                                                still=page.n(misread.get("still_failing", 0)),
                                                passing=page.n(misread.get("already_passing", 0)))))
    out.append('<dl class="facts">')
    out += [f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in facts]
    out.append("</dl>")
    if not counts:
        out.append(f"<p>{_e(page.t('no_changes'))}</p>")
        return "".join(out)

    # The number of values changed per field, by change type.
    per_field = con.execute(
        f"""SELECT field, count(*) FILTER (change = 'changed'), count(*) FILTER (change = 'added'),
                   count(*) FILTER (change = 'removed'), count(*)
            FROM {CHANGES_TABLE} WHERE field IS NOT NULL GROUP BY 1 ORDER BY 5 DESC, 1"""
    ).fetchall()
    if per_field:
        shown = per_field[:MAX_BARS]
        series = [(change_word(code, lang), [int(r[i + 1]) for r in shown], colour)
                  for i, (code, colour) in enumerate((("changed", "#3b6fb6"), ("added", "#2f7d4f"),
                                                      ("removed", "#b42318")))]
        series = [x for x in series if any(x[1])]
        caption = page.t("chart_changes")
        if len(per_field) > len(shown):
            caption += ". " + page.t("chart_changes_more", shown=page.n(len(shown)), total=page.n(len(per_field)))
        out.append(_figure(page.chart().stacked_bars([str(r[0]) for r in shown], series, page.t("axis_changes")),
                           caption))

    if table_exists(con, CHANGE_FINDINGS_TABLE):
        rule_rows = con.execute(
            f"SELECT rule, any_value(severity), count(*) FROM {CHANGE_FINDINGS_TABLE} GROUP BY 1 ORDER BY 1"
        ).fetchall()
        if rule_rows:
            titles = rule_titles(con, lang)
            out.append(f"<h3>{_e(page.t('changes_by_rule'))}</h3>")
            out.append(_table(
                [page.t("rule"), page.t("severity"), page.t("title"), _num_header(page.t("count"))],
                [[Cell(r, "kode"), _severity(sev, lang), titles.get(str(r), ""), _n(k, lang)] for r, sev, k in rule_rows],
            ))

    if table_exists(con, CHANGE_UNITS_TABLE):
        out.append(_changes_by_unit(page))

    total = int(counts.get("changed", 0))
    if total:
        rows = con.execute(
            f"""SELECT kode_wilayah, field, old, new, selisih, rules, new_source
                FROM (SELECT *, rowid AS rk_pos FROM {CHANGES_TABLE}) WHERE change = 'changed'
                ORDER BY abs(selisih) DESC, rk_pos LIMIT {FIRST_FINDINGS}"""
        ).fetchall()
        out.append(f"<h3>{_e(page.t('largest'))}</h3>")
        out.append(f'<p class="muted">{_e(page.t("largest_n", shown=page.n(len(rows)), total=page.n(total)))}</p>')
        out.append(_table(
            [page.t("kode"), page.t("field"), _num_header(page.t("old")), _num_header(page.t("new")),
             _num_header(page.t("selisih")), page.t("rules"), page.t("file")],
            [[_kode(kode), Cell(field, "mono"), _n(old, lang), _n(new, lang), _n(sel, lang, signed=True),
              Cell(rules or "", "kode"), page.where(src, None)]
             for kode, field, old, new, sel, rules, src in rows],
        ))
    return "".join(out)


def _changes_by_unit(page: _Page) -> str:
    """Per unit of the units table: TPS changed, new and gone (from the change records), and the net selisih of
    the votes (Σ new − Σ old per paslon and of the valid votes)."""
    con, lang = page.con, page.lang
    level = con.execute(f"SELECT any_value(level) FROM {CHANGE_UNITS_TABLE}").fetchall()[0][0]
    if level is None:
        return ""
    n = PREFIX.get(str(level))
    if not n:
        return ""
    fields = [str(r[0]) for r in con.execute(
        f"SELECT DISTINCT field FROM {CHANGE_UNITS_TABLE} WHERE field LIKE 'suara_paslon_%' OR field = 'suara_sah'"
    ).fetchall()]
    paslon = sorted((f for f in fields if f.startswith("suara_paslon_")), key=lambda f: int(f.rsplit("_", 1)[1]))
    votes = [*paslon, *(["suara_sah"] if "suara_sah" in fields else [])]
    tps = con.execute(
        f"""SELECT left(kode_wilayah, {n}) AS kode,
                   count(DISTINCT kode_wilayah) FILTER (change IN ('added', 'removed', 'changed')),
                   count(*) FILTER (change = 'tps_added'), count(*) FILTER (change = 'tps_removed')
            FROM {CHANGES_TABLE} GROUP BY 1"""
    ).fetchall()
    tps_of: dict[str, tuple[int, int, int]] = {str(k): (int(a), int(b), int(c)) for k, a, b, c in tps}
    selisih: dict[str, dict[str, int | None]] = {}
    for kode, field, sel in con.execute(f"SELECT kode_wilayah, field, selisih FROM {CHANGE_UNITS_TABLE}").fetchall():
        selisih.setdefault(str(kode), {})[str(field)] = sel
    names = page.names(str(level))
    headers: list[str | Cell] = [page.t("kode"), page.t("nama"), _num_header(page.t("tps_changed")),
                                 _num_header(page.t("tps_added")), _num_header(page.t("tps_removed"))]
    headers += [_num_header(page.t("paslon", n=f.rsplit("_", 1)[1]) if f != "suara_sah" else page.t("suara_sah"))
                for f in votes]
    body = []
    for kode in sorted(tps_of.keys() | selisih.keys())[:MAX_TABLE_ROWS]:
        changed, added, removed = tps_of.get(kode, (0, 0, 0))
        sums = selisih.get(kode, {})
        body.append([_kode(kode), Cell(names.get(kode, ""), "name"), _n(changed, lang), _n(added, lang),
                     _n(removed, lang), *(_n(sums.get(f), lang, signed=True) for f in votes)])
    return (f"<h3>{_e(page.t('changes_by_unit', level=level_name(str(level), lang)))}</h3>"
            f"{_table(headers, body)}<p class=\"muted\">{_e(page.t('changes_by_unit_note'))}</p>")


def _accepted(page: _Page) -> str:
    """The accepted findings: the accept files, the findings per rule with the first ones and their reasons,
    and the stale entries."""
    from rekap.report.rules import rule_titles

    con, lang, meta = page.con, page.lang, page.meta
    out = [f"<p>{_e(page.t('accepted_intro'))}</p>"]
    accept = meta.get("accept")
    files = _records(accept.get("files")) if isinstance(accept, Mapping) else []
    if files:
        out.append(_table(
            [page.t("accept_files"), _num_header(page.t("entries")), page.t("sha_short")],
            [[Cell(rec.get("name") or rec.get("path") or "", "mono"), _n(rec.get("rows"), lang),
              Cell(Markup(f"<span title={_q(str(rec.get('sha256') or ''))}>{_e(str(rec.get('sha256') or '')[:12])}"
                          "</span>"), "kode")]
             for rec in files],
        ))
    rule_rows = con.execute(
        f"SELECT rule, any_value(severity), count(*) FROM {ACCEPTED_TABLE} GROUP BY 1 ORDER BY 1").fetchall()
    if not rule_rows:
        out.append(f"<p>{_e(page.t('no_accepted'))}</p>")
    else:
        titles = rule_titles(con, lang)
        out.append(f"<h3>{_e(page.t('by_rule'))}</h3>")
        out.append(_table(
            [page.t("rule"), page.t("severity"), page.t("title"), _num_header(page.t("count"))],
            [[Cell(Markup(f'<a href="#accepted-{_e(r)}">{_e(r)}</a>'), "kode"), _severity(sev, lang),
              titles.get(str(r), ""), _n(k, lang)] for r, sev, k in rule_rows],
        ))
        # The table's own order is the findings' order (rk_findings_out's, before they were moved).
        first = con.execute(
            f"""SELECT rule, level, kode_wilayah, field, actual, reason, "by", date, source, row
                FROM (SELECT *, row_number() OVER (PARTITION BY rule ORDER BY rk_pos) AS k
                      FROM (SELECT *, rowid AS rk_pos FROM {ACCEPTED_TABLE}))
                WHERE k <= {FIRST_FINDINGS} ORDER BY rule, k"""
        ).fetchall()
        counts = {str(r): int(k) for r, _, k in rule_rows}
        by_rule: dict[str, list[tuple[Any, ...]]] = {}
        for rec in first:
            by_rule.setdefault(str(rec[0]), []).append(rec)
        for rule_id, recs in by_rule.items():
            how_many = page.t("first_accepted_n", shown=page.n(len(recs)), total=page.n(counts[rule_id]))
            out.append(f'<h4 id="accepted-{_e(rule_id)}"><span class="kode">{_e(rule_id)}</span> — '
                       f'{_e(titles.get(rule_id, ""))} <span class="muted">({_e(how_many)})</span></h4>')
            out.append(_table(
                [page.t("level"), page.t("kode"), page.t("field"), _num_header(page.t("actual")),
                 page.t("reason_accepted"), page.t("accepted_by"), page.t("accepted_date"), page.t("where")],
                [[level_name(str(lv), lang) if lv else "", _kode(kode), Cell(field or "", "mono"), _n(act, lang),
                  Cell(reason or "", "wrap"), Cell(by or "", "name"), Cell(date or "", "mono"), page.where(src, row)]
                 for _, lv, kode, field, act, reason, by, date, src, row in recs],
            ))
    out.append(f"<h3>{_e(page.t('stale'))}</h3>")
    total = con.execute(f"SELECT count(*) FROM {STALE_TABLE}").fetchall()[0][0] if table_exists(con, STALE_TABLE) else 0
    if not total:
        out.append(f"<p>{_e(page.t('no_stale'))}</p>")
        return "".join(out)
    out.append(f"<p>{_e(page.t('stale_intro'))}</p>")
    stale = con.execute(
        f"""SELECT file, line, rule, kode_wilayah, field, actual, reason FROM {STALE_TABLE}
            ORDER BY rowid LIMIT {MAX_TABLE_ROWS}"""
    ).fetchall()
    names = _short_names(str(r[0]) for r in stale)
    out.append(_table(
        [page.t("entry"), page.t("rule"), page.t("kode"), page.t("field"), _num_header(page.t("actual")),
         page.t("reason_accepted")],
        [[Cell(Markup(f"<span title={_q(str(file))}>{_e(f'{names.get(str(file), file)}:{line}')}</span>"), "mono"),
          Cell(rule, "kode"), _kode(kode or ""), Cell(field or "", "mono"),
          _n(act, lang) if act is not None else Cell(page.t("any_value"), "muted"), Cell(reason or "", "wrap")]
         for file, line, rule, kode, field, act, reason in stale],
    ))
    if total > len(stale):
        out.append(f'<p class="muted">{_e(page.t("stale_n", shown=page.n(len(stale)), total=page.n(total)))}</p>')
    return "".join(out)


# --------------------------------------------------------------------------- the page


STORE_PROGRESS_TABLE = "rk_store_progress"
"""TPS received per kab/kota in each snapshot of the store (`rekap run --store`; rekap.store.progress_table)."""


def _over_time(page: _Page) -> str:
    """Coverage over time (`rekap run --store`): TPS received per kab/kota in each stored snapshot, as a chart
    and a table (units as rows, snapshots as columns)."""
    con, lang = page.con, page.lang
    snaps = [str(r[0]) for r in con.execute(
        f"SELECT snapshot FROM {STORE_PROGRESS_TABLE} GROUP BY snapshot, taken_at ORDER BY taken_at, snapshot"
    ).fetchall()]
    units = [str(r[0]) for r in con.execute(
        f"SELECT DISTINCT kode_wilayah FROM {STORE_PROGRESS_TABLE} ORDER BY 1").fetchall()]
    got = {(str(a), str(b)): int(n) for a, b, n in con.execute(
        f"SELECT kode_wilayah, snapshot, n_tps FROM {STORE_PROGRESS_TABLE}").fetchall()}
    names = page.names("kabkota")
    series = [(f"{u} {names.get(u, '')}".strip(), [got.get((u, sn), 0) for sn in snaps]) for u in units]
    out = [f"<p>{_e(page.t('over_time_intro', n=num(len(snaps), lang)))}</p>"]
    if len(snaps) > 1:
        out.append(_figure(page.chart().lines(snaps, series, page.t("tps_received")), page.t("over_time_chart")))
    out.append(_table(
        [page.t("unit"), *[_num_header(sn) for sn in snaps]],
        [[Cell(name, "name"), *[_n(v, lang) for v in values]] for name, values in series],
    ))
    return "\n".join(out)


def render_html_report(con: duckdb.DuckDBPyConnection, *, lang: str = "id", meta: Mapping[str, object]) -> str:
    """The page as text (what `write_html_report` writes)."""
    lang = lang.lower().replace("_", "-").split("-")[0]
    lang = lang if lang in languages() else SOURCE_LANG
    page = _Page(con, lang, meta)
    sections: list[tuple[str, str, str]] = [("ringkasan", page.t("summary"), _summary(page))]
    if table_exists(con, "rk_recap"):
        sections.append(("hasil", page.t("results"), _results(page)))
    if table_exists(con, "rk_findings_out"):
        sections.append(("temuan", page.t("findings"), _findings(page)))
    if table_exists(con, ACCEPTED_TABLE):
        sections.append(("diterima", page.t("accepted"), _accepted(page)))
    if table_exists(con, "rk_discrepancies"):
        sections.append(("selisih", page.t("discrepancies"), _discrepancies(page)))
    if table_exists(con, "rk_coverage"):
        sections.append(("kelengkapan", page.t("coverage"), _coverage(page)))
    if table_exists(con, CHANGES_TABLE):
        sections.append(("perubahan", page.t("changes"), _changes(page)))
    if table_exists(con, STORE_PROGRESS_TABLE):
        sections.append(("dari-waktu-ke-waktu", page.t("over_time"), _over_time(page)))

    version = meta.get("version")
    doc_title = page.t("doc_title") + (f" — rekap {version}" if version is not None else "")
    subtitle = meta.get("title")
    parts = [
        "<!DOCTYPE html>\n",
        f'<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n',
        # Nothing may be fetched or run: the page must open offline and data must never become script.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "img-src data:\">\n",
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        f'<meta name="generator" content={_q(f"rekap {version}" if version is not None else "rekap")}>\n',
        f"<title>{_e(doc_title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        f"<header><h1>{_e(doc_title)}</h1>",
        f"<p>{_e(subtitle)}</p>" if subtitle else "",
        "</header>\n",
        f'<nav class="toc"><strong>{_e(page.t("contents"))}</strong><ol>',
        *(f'<li><a href="#{sid}">{_e(title)}</a></li>' for sid, title, _ in sections),
        "</ol></nav>\n",
    ]
    for i, (sid, title, body) in enumerate(sections, start=1):
        parts.append(f'<section id="{sid}">\n<h2>{i}. {_e(title)}</h2>\n{body}\n</section>\n')
    if version is not None:
        parts.append(f"<footer>{_e(page.t('generated_by', version=version))}</footer>\n")
    parts.append("</body>\n</html>\n")
    return "".join(parts)


def write_html_report(
    con: duckdb.DuckDBPyConnection, path: Path, *, lang: str = "id", meta: Mapping[str, object]
) -> None:
    """Write the report to `path` (a directory gets `laporan.html` inside it), through a temporary
    file beside it and a rename, so a half-written page never looks complete."""
    from rekap.report.files import write_atomic

    path = Path(path)
    if path.is_dir():
        path = path / REPORT_NAME
    write_atomic(path, render_html_report(con, lang=lang, meta=meta).encode("utf-8"))

__all__ = ["REPORT_NAME", "render_html_report", "write_html_report"]
