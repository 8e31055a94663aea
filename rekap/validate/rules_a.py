"""Arithmetic rules (A): the equations and bounds printed on the C.Hasil form itself.

Conventions for every A rule: `field` is the box being checked, `expected` is what the other boxes
say it must be (or its upper bound), `actual` is what the form says, `selisih = actual - expected`.
A column absent from the whole input counts as 0 inside a sum; a present but empty cell makes the
row not applicable for that check (SQL NULL propagation does exactly that).
"""

from __future__ import annotations

from rekap.db import literal
from rekap.i18n import N_, _
from rekap.schema import LPJ, TRIPLE_GROUPS
from rekap.validate.registry import Check, Context, NotApplicable, Rule, rule
from rekap.validate.sql import c, equality, not_applicable, term, upper_bound


@rule(
    "A001", "error",
    title=N_("L + P = Jumlah"),
    message=N_("{0}: tercatat {2}, seharusnya {1} (selisih {3}){4} (L + P)"),
    explanation=N_(
        "Jumlah laki-laki (L) dan perempuan (P) sama dengan jumlahnya (J) untuk setiap kelompok "
        "pemilih yang ada (DPT, DPTb, DPK, DPPh, pengguna hak pilih, disabilitas).\n\n"
        "Mengapa: kotak J yang tidak sama dengan L + P adalah salah baca OCR atau salah salin yang "
        "paling sering (data Sirekap 2024 memuat ribuan, mis. `DPTb L 11 / P 803`).\n\n"
        "Contoh: pemilih_dpt_l 147, _p 145, _j 293 → selisih +1."
    ),
)
def a001(ctx: Context) -> list[Check] | NotApplicable:
    checks = [
        equality(f"{g}_j", f"{c(g + '_l')} + {c(g + '_p')}")
        for g in TRIPLE_GROUPS
        if ctx.has(f"{g}_l", f"{g}_p", f"{g}_j")
    ]
    return checks or NotApplicable(N_("tidak ada kolom L/P/J yang lengkap"))


@rule(
    "A002", "error",
    title=N_("Jumlah pemilih = DPT + DPPh + DPTb"),
    message=N_("{0}: tercatat {2}, seharusnya {1} (selisih {3}){4} (DPT + DPPh + DPTb)"),
    explanation=N_(
        "Formulir Pilkada: jumlah pemilih terdaftar sama dengan DPT + DPPh + DPTb (untuk L, P dan J).\n\n"
        "Mengapa: jumlah ini menjadi dasar pembagian surat suara dan angka partisipasi.\n\n"
        "Contoh: DPT 250 + DPPh 2 + DPTb 3 tetapi pemilih_total_j 260 → selisih +5."
    ),
)
def a002(ctx: Context) -> list[Check] | NotApplicable:
    checks = [
        equality(f"pemilih_total_{s}", " + ".join(term(ctx, f"{g}_{s}") for g in ("pemilih_dpt", "pemilih_dpph", "pemilih_dptb")))
        for s in LPJ
        if ctx.has(f"pemilih_total_{s}", f"pemilih_dpt_{s}")
    ]
    return checks or not_applicable(ctx, "pemilih_total_j", "pemilih_dpt_j")


@rule(
    "A003", "error",
    title=N_("Pengguna hak pilih = DPT + DPPh + DPTb + DPK"),
    message=N_("{0}: tercatat {2}, seharusnya {1} (selisih {3}){4} (jumlah pengguna hak pilih per daftar)"),
    explanation=N_(
        "Pengguna hak pilih dijumlahkan dari setiap daftar: pengguna DPT + DPPh + DPTb + DPK (bukan "
        "DPT).\n\n"
        "Mengapa: jumlah pengguna hak pilih adalah angka yang harus cocok dengan surat suara dan "
        "suara; komponen yang salah menyembunyikan pemilih yang seharusnya tidak ada.\n\n"
        "Contoh: pengguna_dpt_j 232 + dptb 1 + dpk 0 tetapi pengguna_total_j 240."
    ),
)
def a003(ctx: Context) -> list[Check] | NotApplicable:
    parts = ("pengguna_dpt", "pengguna_dpph", "pengguna_dptb", "pengguna_non_dpt")
    checks = [
        equality(f"pengguna_total_{s}", " + ".join(term(ctx, f"{g}_{s}") for g in parts))
        for s in LPJ
        if ctx.has(f"pengguna_total_{s}", f"pengguna_dpt_{s}")
    ]
    return checks or not_applicable(ctx, "pengguna_total_j", "pengguna_dpt_j")


@rule(
    "A004", "error",
    title=N_("Pengguna DPT ≤ pemilih DPT"),
    message=N_("{0}: tercatat {2}, melebihi batas {1} (lebih {3}){4}"),
    explanation=N_(
        "Pengguna hak pilih dari DPT tidak boleh lebih banyak daripada pemilih yang terdaftar dalam "
        "DPT (L, P dan J); bila daftar DPT resmi diberikan (`--dpt`), batas ini juga diperiksa "
        "terhadap daftar itu.\n\n"
        "Mengapa: pengguna hak pilih yang lebih banyak daripada pemilih terdaftar berarti kotak yang "
        "salah baca, atau surat suara yang dipakai atas nama orang lain.\n\n"
        "Contoh: pemilih_dpt_j 292, pengguna_dpt_j 302 → lebih 10."
    ),
)
def a004(ctx: Context) -> list[Check] | NotApplicable:
    official = literal(_(" [DPT resmi]", ctx.lang))
    checks = [upper_bound(f"pengguna_dpt_{s}", c(f"pemilih_dpt_{s}")) for s in LPJ if ctx.has(f"pengguna_dpt_{s}", f"pemilih_dpt_{s}")]
    if ctx.has_dpt:
        checks += [
            Check(
                field=f"pengguna_dpt_{s}",
                expected=f"d.dpt_{s}",
                actual=c(f"pengguna_dpt_{s}"),
                violated=f"{c(f'pengguna_dpt_{s}')} > d.dpt_{s}",
                detail=official,
                joins="JOIN rk_dpt d ON d.kode_tps = t.kode_tps",
            )
            for s in LPJ
            if ctx.has(f"pengguna_dpt_{s}")
        ]
    return checks or not_applicable(ctx, "pengguna_dpt_j", "pemilih_dpt_j")


@rule(
    "A005", "error",
    title=N_("Pengguna DPPh/DPTb ≤ pemilih DPPh/DPTb"),
    message=N_("{0}: tercatat {2}, melebihi batas {1} (lebih {3}){4}"),
    explanation=N_(
        "Formulir Pilkada: pengguna hak pilih dari DPPh dan DPTb tidak boleh lebih banyak daripada "
        "pemilih dalam daftar itu.\n\n"
        "Mengapa: sama seperti A004, untuk pemilih pindahan (DPPh) dan pemilih tambahan (DPTb).\n\n"
        "Contoh: pemilih_dptb_j 3, pengguna_dptb_j 5."
    ),
)
def a005(ctx: Context) -> list[Check] | NotApplicable:
    checks = [
        upper_bound(f"pengguna_{g}_{s}", c(f"pemilih_{g}_{s}"))
        for g in ("dpph", "dptb")
        for s in LPJ
        if ctx.has(f"pengguna_{g}_{s}", f"pemilih_{g}_{s}")
    ]
    return checks or not_applicable(ctx, "pemilih_dpph_j", "pemilih_dptb_j")


@rule(
    "A006", "error",
    title=N_("Jumlah suara paslon = suara sah"),
    message=N_("{0}: tercatat {2}, seharusnya {1} (selisih {3}){4} (jumlah suara semua paslon)"),
    explanation=N_(
        "Suara semua pasangan calon dijumlahkan sama dengan suara sah.\n\n"
        "Mengapa: salah baca OCR yang klasik (74 terbaca 748) pertama kali tampak di sini.\n\n"
        "Contoh: 83 + 107 + 38 = 228 tetapi suara_sah 229 → selisih +1."
    ),
)
def a006(ctx: Context) -> list[Check] | NotApplicable:
    if not ctx.paslon or not ctx.has("suara_sah"):
        return not_applicable(ctx, "suara_paslon_1", "suara_sah")
    return [equality("suara_sah", " + ".join(c(p) for p in ctx.paslon))]


@rule(
    "A007", "error",
    title=N_("Suara sah + tidak sah = jumlah suara"),
    message=N_("{0}: tercatat {2}, seharusnya {1} (selisih {3}){4} (sah + tidak sah)"),
    explanation=N_(
        "Suara sah ditambah suara tidak sah sama dengan jumlah seluruh suara.\n\n"
        "Mengapa: tiga kotak di bagian bawah formulir harus cocok.\n\n"
        "Contoh: sah 228 + tidak sah 5 tetapi suara_total 234."
    ),
)
def a007(ctx: Context) -> list[Check] | NotApplicable:
    if not ctx.has("suara_sah", "suara_tidak_sah", "suara_total"):
        return not_applicable(ctx, "suara_sah", "suara_tidak_sah", "suara_total")
    return [equality("suara_total", f"{c('suara_sah')} + {c('suara_tidak_sah')}")]


@rule(
    "A008", "error",
    title=N_("Surat suara digunakan = pengguna hak pilih"),
    message=N_("{0}: tercatat {2}, seharusnya {1} (selisih {3}){4} (jumlah pengguna hak pilih)"),
    explanation=N_(
        "Setiap pemilih yang menggunakan hak pilihnya memakai tepat satu surat suara: ss_digunakan = "
        "pengguna_total_j.\n\n"
        "Mengapa: surat suara digunakan yang lebih banyak daripada pengguna hak pilih berarti "
        "penggelembungan suara atau salah baca.\n\n"
        "Contoh: 233 pengguna hak pilih, 240 surat suara digunakan."
    ),
)
def a008(ctx: Context) -> list[Check] | NotApplicable:
    if not ctx.has("ss_digunakan", "pengguna_total_j"):
        return not_applicable(ctx, "ss_digunakan", "pengguna_total_j")
    return [equality("ss_digunakan", c("pengguna_total_j"))]


@rule(
    "A009", "error",
    title=N_("Jumlah suara = pengguna hak pilih"),
    message=N_("{0}: tercatat {2}, seharusnya {1} (selisih {3}){4} (jumlah pengguna hak pilih)"),
    explanation=N_(
        "Jumlah seluruh suara (sah + tidak sah) sama dengan jumlah pengguna hak pilih.\n\n"
        "Mengapa: satu pemilih, satu surat suara di kotak suara.\n\n"
        "Contoh: pengguna_total_j 233, suara_total 240 → selisih +7."
    ),
)
def a009(ctx: Context) -> list[Check] | NotApplicable:
    if not ctx.has("suara_total", "pengguna_total_j"):
        return not_applicable(ctx, "suara_total", "pengguna_total_j")
    return [equality("suara_total", c("pengguna_total_j"))]


@rule(
    "A010", "error",
    title=N_("Surat suara diterima = digunakan + rusak + sisa"),
    message=N_("{0}: tercatat {2}, seharusnya {1} (selisih {3}){4} (digunakan + rusak + sisa)"),
    explanation=N_(
        "Semua surat suara yang diterima (termasuk cadangan) tercatat: digunakan, dikembalikan karena"
        " rusak atau keliru coblos, atau tidak digunakan (sisa).\n\n"
        "Mengapa: surat suara yang hilang bisa jadi dipakai di tempat lain.\n\n"
        "Contoh: 300 diterima, 233 digunakan + 1 rusak + 60 sisa = 294 → selisih +6."
    ),
)
def a010(ctx: Context) -> list[Check] | NotApplicable:
    if not ctx.has("ss_diterima", "ss_digunakan", "ss_rusak", "ss_sisa"):
        return not_applicable(ctx, "ss_diterima", "ss_digunakan", "ss_rusak", "ss_sisa")
    return [equality("ss_diterima", f"{c('ss_digunakan')} + {c('ss_rusak')} + {c('ss_sisa')}")]


@rule(
    "A011", "error",
    title=N_("Disabilitas ≤ jumlahnya"),
    message=N_("{0}: tercatat {2}, melebihi batas {1} (lebih {3}){4}"),
    explanation=N_(
        "Pemilih penyandang disabilitas adalah bagian dari seluruh pemilih: yang terdaftar ≤ seluruh "
        "pemilih terdaftar (pemilih_total, atau DPT bila tidak ada jumlahnya), yang menggunakan hak "
        "pilih ≤ seluruh pengguna hak pilih (L, P, J).\n\n"
        "Mengapa: bagian yang lebih besar daripada keseluruhannya adalah kotak yang salah baca.\n\n"
        "Contoh: pemilih_disabilitas_j 12 dengan pemilih_dpt_j 10."
    ),
)
def a011(ctx: Context) -> list[Check] | NotApplicable:
    checks: list[Check] = []
    for s in LPJ:
        base = f"pemilih_total_{s}" if ctx.has(f"pemilih_total_{s}") else f"pemilih_dpt_{s}"
        if ctx.has(f"pemilih_disabilitas_{s}", base):
            checks.append(upper_bound(f"pemilih_disabilitas_{s}", c(base)))
        if ctx.has(f"pengguna_disabilitas_{s}", f"pengguna_total_{s}"):
            checks.append(upper_bound(f"pengguna_disabilitas_{s}", c(f"pengguna_total_{s}")))
    return checks or not_applicable(ctx, "pemilih_disabilitas_j", "pengguna_disabilitas_j")


@rule(
    "A012", "error",
    title=N_("Jumlah suara ≤ yang berhak memilih"),
    message=N_("{0}: tercatat {2}, melebihi batas {1} (lebih {3}){4} (DPT + DPTb + DPK + DPPh)"),
    explanation=N_(
        "Suara lebih banyak daripada yang mungkin diberikan: suara_total ≤ pemilih_dpt_j + "
        "pengguna_dptb_j + pengguna_non_dpt_j + pengguna_dpph_j; bila `--dpt` diberikan, diperiksa "
        "juga dengan DPT resmi sebagai ganti DPT formulir.\n\n"
        "Mengapa: suara di luar pemilih terdaftar dan pemilih tambahan tidak mungkin sah.\n\n"
        "Contoh: DPT 285 + DPTb 0 + DPK 4 = 289 tetapi suara_total 748."
    ),
)
def a012(ctx: Context) -> list[Check] | NotApplicable:
    if not ctx.has("suara_total", "pemilih_dpt_j"):
        return not_applicable(ctx, "suara_total", "pemilih_dpt_j")
    others = " + ".join(term(ctx, n) for n in ("pengguna_dptb_j", "pengguna_non_dpt_j", "pengguna_dpph_j"))
    official = literal(_(" [DPT resmi]", ctx.lang))
    checks = [upper_bound("suara_total", f"{c('pemilih_dpt_j')} + {others}")]
    if ctx.has_dpt:
        checks.append(
            Check(
                field="suara_total",
                expected=f"d.dpt_j + {others}",
                actual=c("suara_total"),
                violated=f"{c('suara_total')} > d.dpt_j + {others}",
                detail=official,
                joins="JOIN rk_dpt d ON d.kode_tps = t.kode_tps",
            )
        )
    return checks


@rule(
    "A013", "error",
    title=N_("DPT formulir = DPT resmi"),
    message=N_("{0}: formulir {2}, DPT resmi {1} (selisih {3})"),
    explanation=N_(
        "DPT yang tertulis di formulir sama dengan daftar DPT resmi untuk TPS itu (diberikan dengan "
        "`--dpt BERKAS`: `kode_tps`, `dpt_l`, `dpt_p`, `dpt_j`).\n\n"
        "Mengapa: DPT di formulir adalah dasar semua batas lain; DPT yang diubah dapat memberi ruang "
        "bagi suara tambahan.\n\n"
        "Contoh: DPT resmi 292, formulir 392 → selisih +100."
    ),
)
def a013(ctx: Context) -> list[Check] | NotApplicable:
    if not ctx.has_dpt:
        return NotApplicable(N_("daftar DPT resmi tidak diberikan (--dpt)"))
    checks = [
        Check(
            field=f"pemilih_dpt_{s}",
            expected=f"d.dpt_{s}",
            actual=c(f"pemilih_dpt_{s}"),
            violated=f"{c(f'pemilih_dpt_{s}')} <> d.dpt_{s}",
            joins="JOIN rk_dpt d ON d.kode_tps = t.kode_tps",
        )
        for s in LPJ
        if ctx.has(f"pemilih_dpt_{s}")
    ]
    return checks or not_applicable(ctx, "pemilih_dpt_j")


RULES: tuple[Rule, ...] = (a001, a002, a003, a004, a005, a006, a007, a008, a009, a010, a011, a012, a013,)
