"""The D.Hasil form's vocabulary: its items, labels, sections, level and election names.

One table for both directions: `rekap.report.dhasil` writes recap workbooks with these labels, and
`rekap.io.dhasil` reads them back (and staff-typed forms in the same layout) by the same labels. Every
text is a pair (Indonesian, English), in that order, as the workbook is written in either language.
"""

from __future__ import annotations

TEXTS = {
    "title": ("REKAPITULASI HASIL PENGHITUNGAN SUARA", "RECAPITULATION OF VOTE COUNT RESULTS"),
    "level": ("TINGKAT {level}", "{level} LEVEL"),
    "no": ("No.", "No."),
    "item": ("Uraian", "Item"),
    "code": ("Kode", "Code"),
    "name": ("Nama", "Name"),
    "area": ("WILAYAH", "AREA"),
    "total": ("JUMLAH", "TOTAL"),
    "empty": ("Tidak ada baris rekap.", "No recap rows."),
    "no_total": (
        "Tanpa JUMLAH: setiap {area} memilih pasangan calonnya sendiri.",
        "No TOTAL: each {area} elects its own candidate pairs.",
    ),
    "note": (
        "Sel kosong berarti tidak ada data (bukan nol). Dibuat dengan rekap {version}.",
        "An empty cell means no data (not zero). Made with rekap {version}.",
    ),
}
LPJ_LABELS = {"l": ("L", "Male"), "p": ("P", "Female"), "j": ("Jumlah", "Total")}
PASLON_LABEL = ("Paslon {n:02d}", "Candidate pair {n:02d}")
"""The label of suara_paslon_N on the form."""

# The form's blocks, in the form's order: (numeral, heading, entries). An entry is an L/P/J group
# (three rows or columns) or a single column; only the columns present in the table are shown.
VOTER_GROUPS = {
    "pemilih_dpt": ("Pemilih terdaftar dalam DPT", "Voters on the DPT"),
    "pemilih_dpph": ("Pemilih pindahan (DPPh)", "Transferred voters (DPPh)"),
    "pemilih_dptb": ("Pemilih tambahan (DPTb)", "Additional voters (DPTb)"),
    "pemilih_total": ("Jumlah pemilih", "Total voters"),
    "pemilih_disabilitas": ("Pemilih disabilitas", "Voters with a disability"),
    "pengguna_dpt": ("Pengguna hak pilih dalam DPT", "DPT voters who voted"),
    "pengguna_dpph": ("Pengguna hak pilih pindahan (DPPh)", "DPPh voters who voted"),
    "pengguna_dptb": ("Pengguna hak pilih tambahan (DPTb)", "DPTb voters who voted"),
    "pengguna_non_dpt": ("Pengguna hak pilih khusus (DPK)", "DPK voters who voted"),
    "pengguna_total": ("Jumlah pengguna hak pilih", "Total voters who voted"),
    "pengguna_disabilitas": ("Pengguna hak pilih disabilitas", "Voters with a disability who voted"),
}
SINGLE_LABELS = {
    "ss_diterima": ("Surat suara diterima (termasuk cadangan)", "Ballots received (incl. reserve)"),
    "ss_digunakan": ("Surat suara digunakan", "Ballots used"),
    "ss_rusak": ("Surat suara rusak/keliru coblos", "Ballots damaged or spoiled"),
    "ss_sisa": ("Surat suara tidak digunakan (sisa)", "Ballots not used"),
    "suara_sah": ("Suara Sah", "Valid votes"),
    "suara_tidak_sah": ("Suara Tidak Sah", "Invalid votes"),
    "suara_total": ("Jumlah Suara Sah dan Tidak Sah", "Total valid and invalid votes"),
    "n_tps": ("Jumlah TPS", "Number of TPS"),
    "n_tps_expected": ("TPS diharapkan", "TPS expected"),
    "n_tps_suara": ("TPS dengan data suara", "TPS with vote data"),
    "n_tps_administrasi": ("TPS dengan data pemilih", "TPS with voter data"),
    "n_tps_error": ("TPS dengan galat", "TPS with errors"),
}
PASLON = "paslon"
"""Placeholder in SECTIONS for every suara_paslon_N column present, by nomor urut."""
SECTIONS: tuple[tuple[str, tuple[str, str], tuple[str, ...]], ...] = (
    ("I", ("DATA PEMILIH", "VOTERS"),
     ("pemilih_dpt", "pemilih_dpph", "pemilih_dptb", "pemilih_total", "pemilih_disabilitas")),
    ("II", ("PENGGUNA HAK PILIH", "VOTERS WHO VOTED"),
     ("pengguna_dpt", "pengguna_dpph", "pengguna_dptb", "pengguna_non_dpt", "pengguna_total",
      "pengguna_disabilitas")),
    ("III", ("SURAT SUARA", "BALLOTS"), ("ss_diterima", "ss_digunakan", "ss_rusak", "ss_sisa")),
    ("IV", ("PEROLEHAN SUARA", "VOTES"), (PASLON, "suara_sah", "suara_tidak_sah", "suara_total")),
    ("", ("KELENGKAPAN TPS", "TPS COVERAGE"),
     ("n_tps", "n_tps_expected", "n_tps_suara", "n_tps_administrasi", "n_tps_error")),
)
COUNTER_COLUMNS = frozenset(SECTIONS[-1][2])
"""rekap's own TPS counters (recap rows, the form's last block): facts about the data, not counts on a form."""

BUNDLE_SHEETS = {
    "summary": ("Ringkasan", "Summary"),
    "findings": ("Temuan", "Findings"),
    "discrepancies": ("Selisih", "Discrepancies"),
    "coverage": ("Cakupan", "Coverage"),
}
"""The list sheets of the bundle's workbook (`rekap run`'s rekap.xlsx) besides the D.Hasil sheets."""
