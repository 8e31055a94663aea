"""The D.Hasil form's vocabulary: its items, labels, sections, level and election names.

One table for both directions: `rekap.report.dhasil` writes recap workbooks with these labels, and
`rekap.io.dhasil` reads them back (and staff-typed forms in the same layout) by the same labels. Every
text is Indonesian, marked for the message catalogue with the context "form" (`NC_`): the writer shows
it in the output language (`form_text(X, lang)`), the reader recognises it in every language rekap has
(`every_language(X)`), so a workbook written with `--lang en` is still read back as a reported recap.
"""

from __future__ import annotations

from rekap.i18n import C_, NC_, in_every_language, languages

Text = tuple[str, str]
"""(context, Indonesian text), as `NC_` marks it."""

TEXTS: dict[str, Text] = {
    "title": NC_("form", "REKAPITULASI HASIL PENGHITUNGAN SUARA"),
    "title_election": NC_("form", "REKAPITULASI HASIL PENGHITUNGAN SUARA {election}"),
    "level": NC_("form", "TINGKAT {level}"),
    "kabupaten": NC_("form", "KABUPATEN"),
    "kota": NC_("form", "KOTA"),
    "no": NC_("form", "No."),
    "item": NC_("form", "Uraian"),
    "code": NC_("form", "Kode"),
    "parent_code": NC_("form", "Kode {level}"),
    "name": NC_("form", "Nama"),
    "area": NC_("form", "WILAYAH"),
    "total": NC_("form", "JUMLAH"),
    "empty": NC_("form", "Tidak ada baris rekap."),
    "no_total": NC_("form", "Tanpa JUMLAH: setiap {area} memilih pasangan calonnya sendiri."),
    "note": NC_("form", "Sel kosong berarti tidak ada data (bukan nol). Dibuat dengan rekap {version}."),
    # Printing (rekap.report.printing): the print view of a level with many units, and the signature block at
    # the end of every D.Hasil sheet, as on the paper form.
    "print_sheet": NC_("form", "{sheet} (cetak)"),
    "print_pointer": NC_("form", "Untuk dicetak: lembar \"{sheet}\", satu blok per {parent}."),
    "print_block": NC_("form", "{level} DI {area}"),
    "sign_place": NC_("form", "Dibuat di ............................................, "
                              "tanggal ............................................"),
    "sign_no": NC_("form", "No."),
    "sign_name": NC_("form", "Nama"),
    "sign_role": NC_("form", "Jabatan"),
    "sign_signature": NC_("form", "Tanda tangan"),
    "sign_chair": NC_("form", "Ketua"),
    "sign_member": NC_("form", "Anggota"),
    "body_kecamatan": NC_("form", "PANITIA PEMILIHAN KECAMATAN (PPK) {area}"),
    "body_kpu_area": NC_("form", "KOMISI PEMILIHAN UMUM {area}"),
    "body_kpu": NC_("form", "KOMISI PEMILIHAN UMUM REPUBLIK INDONESIA"),
}
LPJ_LABELS: dict[str, Text] = {"l": NC_("form", "L"), "p": NC_("form", "P"), "j": NC_("form", "Jumlah")}
PASLON_LABEL: Text = NC_("form", "Paslon {n:02d}")
"""The label of suara_paslon_N on the form (`form_text(PASLON_LABEL, lang, n=N)`)."""

# The form's blocks, in the form's order: (numeral, heading, entries). An entry is an L/P/J group
# (three rows or columns) or a single column; only the columns present in the table are shown.
VOTER_GROUPS: dict[str, Text] = {
    "pemilih_dpt": NC_("form", "Pemilih terdaftar dalam DPT"),
    "pemilih_dpph": NC_("form", "Pemilih pindahan (DPPh)"),
    "pemilih_dptb": NC_("form", "Pemilih tambahan (DPTb)"),
    "pemilih_total": NC_("form", "Jumlah pemilih"),
    "pemilih_disabilitas": NC_("form", "Pemilih disabilitas"),
    "pengguna_dpt": NC_("form", "Pengguna hak pilih dalam DPT"),
    "pengguna_dpph": NC_("form", "Pengguna hak pilih pindahan (DPPh)"),
    "pengguna_dptb": NC_("form", "Pengguna hak pilih tambahan (DPTb)"),
    "pengguna_non_dpt": NC_("form", "Pengguna hak pilih khusus (DPK)"),
    "pengguna_total": NC_("form", "Jumlah pengguna hak pilih"),
    "pengguna_disabilitas": NC_("form", "Pengguna hak pilih disabilitas"),
}
SINGLE_LABELS: dict[str, Text] = {
    "ss_diterima": NC_("form", "Surat suara diterima (termasuk cadangan)"),
    "ss_digunakan": NC_("form", "Surat suara digunakan"),
    "ss_rusak": NC_("form", "Surat suara rusak/keliru coblos"),
    "ss_sisa": NC_("form", "Surat suara tidak digunakan (sisa)"),
    "suara_sah": NC_("form", "Suara Sah"),
    "suara_tidak_sah": NC_("form", "Suara Tidak Sah"),
    "suara_total": NC_("form", "Jumlah Suara Sah dan Tidak Sah"),
    "n_tps": NC_("form", "Jumlah TPS"),
    "n_tps_expected": NC_("form", "TPS diharapkan"),
    "n_tps_suara": NC_("form", "TPS dengan data suara"),
    "n_tps_administrasi": NC_("form", "TPS dengan data pemilih"),
    "n_tps_error": NC_("form", "TPS dengan galat"),
}
PASLON = "paslon"
"""Placeholder in SECTIONS for every suara_paslon_N column present, by nomor urut."""
SECTIONS: tuple[tuple[str, Text, tuple[str, ...]], ...] = (
    ("I", NC_("form", "DATA PEMILIH"),
     ("pemilih_dpt", "pemilih_dpph", "pemilih_dptb", "pemilih_total", "pemilih_disabilitas")),
    ("II", NC_("form", "PENGGUNA HAK PILIH"),
     ("pengguna_dpt", "pengguna_dpph", "pengguna_dptb", "pengguna_non_dpt", "pengguna_total",
      "pengguna_disabilitas")),
    ("III", NC_("form", "SURAT SUARA"), ("ss_diterima", "ss_digunakan", "ss_rusak", "ss_sisa")),
    ("IV", NC_("form", "PEROLEHAN SUARA"), (PASLON, "suara_sah", "suara_tidak_sah", "suara_total")),
    ("", NC_("form", "KELENGKAPAN TPS"),
     ("n_tps", "n_tps_expected", "n_tps_suara", "n_tps_administrasi", "n_tps_error")),
)
COUNTER_COLUMNS = frozenset(SECTIONS[-1][2])
"""rekap's own TPS counters (recap rows, the form's last block): facts about the data, not counts on a form."""

BUNDLE_SHEETS: dict[str, Text] = {
    "summary": NC_("sheet", "Ringkasan"),
    "findings": NC_("sheet", "Temuan"),
    "accepted": NC_("sheet", "Diterima"),
    "discrepancies": NC_("sheet", "Selisih"),
    "coverage": NC_("sheet", "Kelengkapan"),
    "changes": NC_("sheet", "Perubahan"),
    "changes_units": NC_("sheet", "Perubahan per wilayah"),
}
"""The list sheets of the bundle's workbook (`rekap run`'s rekap.xlsx) besides the D.Hasil sheets."""
FORMER_SHEET_NAMES: dict[str, tuple[str, ...]] = {"coverage": ("Cakupan",)}
"""Names rekap gave a list sheet before (workbooks of older bundles are still recognised)."""


def form_text(text: Text, lang: str | None = None, /, **kw: object) -> str:
    """A text of the form in `lang` (default: the process's language), formatted with `kw` when given."""
    return C_(*text, lang, **kw)


def every_language(text: Text, /, **kw: object) -> tuple[str, ...]:
    """A text of the form as every language rekap has writes it (for the reader)."""
    if not kw:
        return in_every_language(*text)
    return tuple(dict.fromkeys(C_(*text, lang, **kw) for lang in languages()))
