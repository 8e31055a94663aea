"""Arithmetic rules (A): the equations and bounds printed on the C.Hasil form itself.

Conventions for every A rule: `field` is the box being checked, `expected` is what the other boxes
say it must be (or its upper bound), `actual` is what the form says, `selisih = actual - expected`.
A column absent from the whole input counts as 0 inside a sum; a present but empty cell makes the
row not applicable for that check (SQL NULL propagation does exactly that).
"""

from __future__ import annotations

from rekap.schema import LPJ, TRIPLE_GROUPS
from rekap.validate.registry import Check, Context, NotApplicable, Rule, rule
from rekap.validate.sql import c, equality, not_applicable, term, upper_bound

EQ_ID = "{0}: tercatat {2}, seharusnya {1} (selisih {3}){4}"
EQ_EN = "{0}: recorded {2}, should be {1} (difference {3}){4}"
LE_ID = "{0}: tercatat {2}, melebihi batas {1} (lebih {3}){4}"
LE_EN = "{0}: recorded {2}, exceeds the limit {1} (by {3}){4}"


@rule("A001", "error", "L + P = Jumlah", "L + P = total",
      EQ_ID + " (L + P)", EQ_EN + " (L + P)")
def a001(ctx: Context) -> list[Check] | NotApplicable:
    """Checks that the men (L) and women (P) counts add up to the total (J) for every voter group
    present (DPT, DPTb, DPK, DPPh, users, disability).

    Why: a J box that does not equal L + P is the most common OCR/copying slip (the 2024 Sirekap data
    has thousands, e.g. `DPTb L 11 / P 803`). Example: pemilih_dpt_l 147, _p 145, _j 293 → selisih +1.
    """
    checks = [
        equality(f"{g}_j", f"{c(g + '_l')} + {c(g + '_p')}")
        for g in TRIPLE_GROUPS
        if ctx.has(f"{g}_l", f"{g}_p", f"{g}_j")
    ]
    return checks or NotApplicable("tidak ada kolom L/P/J yang lengkap", "no complete L/P/J column triple")


@rule("A002", "error", "Jumlah pemilih = DPT + DPPh + DPTb", "Total voters = DPT + DPPh + DPTb",
      EQ_ID + " (DPT + DPPh + DPTb)", EQ_EN + " (DPT + DPPh + DPTb)")
def a002(ctx: Context) -> list[Check] | NotApplicable:
    """Pilkada forms: the total of registered voters equals DPT + DPPh + DPTb (for L, P and J).

    Why: the total drives ballot allocation and turnout. Example: DPT 250 + DPPh 2 + DPTb 3 but
    pemilih_total_j 260 → selisih +5.
    """
    checks = [
        equality(f"pemilih_total_{s}", " + ".join(term(ctx, f"{g}_{s}") for g in ("pemilih_dpt", "pemilih_dpph", "pemilih_dptb")))
        for s in LPJ
        if ctx.has(f"pemilih_total_{s}", f"pemilih_dpt_{s}")
    ]
    return checks or not_applicable(ctx, "pemilih_total_j", "pemilih_dpt_j")


@rule("A003", "error", "Pengguna hak pilih = DPT + DPPh + DPTb + DPK", "Voters who voted = DPT + DPPh + DPTb + DPK",
      EQ_ID + " (jumlah pengguna hak pilih per daftar)", EQ_EN + " (sum of voters per list)")
def a003(ctx: Context) -> list[Check] | NotApplicable:
    """The voters who used their right add up over the lists: DPT + DPPh + DPTb + DPK (non-DPT) users.

    Why: the total of users is what the ballots and votes must match; a wrong component hides
    voters who should not exist. Example: pengguna_dpt_j 232 + dptb 1 + dpk 0 but pengguna_total_j 240.
    """
    parts = ("pengguna_dpt", "pengguna_dpph", "pengguna_dptb", "pengguna_non_dpt")
    checks = [
        equality(f"pengguna_total_{s}", " + ".join(term(ctx, f"{g}_{s}") for g in parts))
        for s in LPJ
        if ctx.has(f"pengguna_total_{s}", f"pengguna_dpt_{s}")
    ]
    return checks or not_applicable(ctx, "pengguna_total_j", "pengguna_dpt_j")


@rule("A004", "error", "Pengguna DPT ≤ pemilih DPT", "DPT voters who voted ≤ DPT",
      LE_ID, LE_EN)
def a004(ctx: Context) -> list[Check] | NotApplicable:
    """No more DPT voters can have voted than are registered in the DPT (L, P and J); with an official
    DPT list (`--dpt`) the bound is checked against that list too.

    Why: more users than registered voters means a misread box or ballots cast in someone's name.
    Example: pemilih_dpt_j 292, pengguna_dpt_j 302 → lebih 10.
    """
    checks = [upper_bound(f"pengguna_dpt_{s}", c(f"pemilih_dpt_{s}")) for s in LPJ if ctx.has(f"pengguna_dpt_{s}", f"pemilih_dpt_{s}")]
    if ctx.has_dpt:
        checks += [
            Check(
                field=f"pengguna_dpt_{s}",
                expected=f"d.dpt_{s}",
                actual=c(f"pengguna_dpt_{s}"),
                violated=f"{c(f'pengguna_dpt_{s}')} > d.dpt_{s}",
                detail="' [DPT resmi]'",
                joins="JOIN rk_dpt d ON d.kode_tps = t.kode_tps",
            )
            for s in LPJ
            if ctx.has(f"pengguna_dpt_{s}")
        ]
    return checks or not_applicable(ctx, "pengguna_dpt_j", "pemilih_dpt_j")


@rule("A005", "error", "Pengguna DPPh/DPTb ≤ pemilih DPPh/DPTb", "DPPh/DPTb voters who voted ≤ registered",
      LE_ID, LE_EN)
def a005(ctx: Context) -> list[Check] | NotApplicable:
    """Pilkada forms: users from the DPPh and DPTb lists cannot exceed the voters on those lists.

    Why: as A004, for the moved (DPPh) and added (DPTb) voters. Example: pemilih_dptb_j 3, pengguna_dptb_j 5.
    """
    checks = [
        upper_bound(f"pengguna_{g}_{s}", c(f"pemilih_{g}_{s}"))
        for g in ("dpph", "dptb")
        for s in LPJ
        if ctx.has(f"pengguna_{g}_{s}", f"pemilih_{g}_{s}")
    ]
    return checks or not_applicable(ctx, "pemilih_dpph_j", "pemilih_dptb_j")


@rule("A006", "error", "Jumlah suara paslon = suara sah", "Sum of candidate votes = valid votes",
      EQ_ID + " (jumlah suara semua paslon)", EQ_EN + " (sum of all candidates' votes)")
def a006(ctx: Context) -> list[Check] | NotApplicable:
    """The candidates' votes add up to the valid votes (suara sah).

    Why: the classic OCR misread (74 read as 748) shows here first. Example: 83 + 107 + 38 = 228 but
    suara_sah 229 → selisih +1.
    """
    if not ctx.paslon or not ctx.has("suara_sah"):
        return not_applicable(ctx, "suara_paslon_1", "suara_sah")
    return [equality("suara_sah", " + ".join(c(p) for p in ctx.paslon))]


@rule("A007", "error", "Suara sah + tidak sah = jumlah suara", "Valid + invalid = total votes",
      EQ_ID + " (sah + tidak sah)", EQ_EN + " (valid + invalid)")
def a007(ctx: Context) -> list[Check] | NotApplicable:
    """Valid plus invalid votes equal all votes cast.

    Why: the three boxes at the bottom of the form must agree. Example: sah 228 + tidak sah 5 but
    suara_total 234.
    """
    if not ctx.has("suara_sah", "suara_tidak_sah", "suara_total"):
        return not_applicable(ctx, "suara_sah", "suara_tidak_sah", "suara_total")
    return [equality("suara_total", f"{c('suara_sah')} + {c('suara_tidak_sah')}")]


@rule("A008", "error", "Surat suara digunakan = pengguna hak pilih", "Ballots used = voters who voted",
      EQ_ID + " (jumlah pengguna hak pilih)", EQ_EN + " (voters who voted)")
def a008(ctx: Context) -> list[Check] | NotApplicable:
    """Every voter who voted used exactly one ballot: ss_digunakan = pengguna_total_j.

    Why: more ballots used than voters is ballot stuffing or a misread. Example: 233 voters, 240 ballots used.
    """
    if not ctx.has("ss_digunakan", "pengguna_total_j"):
        return not_applicable(ctx, "ss_digunakan", "pengguna_total_j")
    return [equality("ss_digunakan", c("pengguna_total_j"))]


@rule("A009", "error", "Jumlah suara = pengguna hak pilih", "Total votes = voters who voted",
      EQ_ID + " (jumlah pengguna hak pilih)", EQ_EN + " (voters who voted)")
def a009(ctx: Context) -> list[Check] | NotApplicable:
    """All votes cast (valid + invalid) equal the number of voters who voted.

    Why: one voter, one ballot in the box. Example: pengguna_total_j 233, suara_total 240 → selisih +7.
    """
    if not ctx.has("suara_total", "pengguna_total_j"):
        return not_applicable(ctx, "suara_total", "pengguna_total_j")
    return [equality("suara_total", c("pengguna_total_j"))]


@rule("A010", "error", "Surat suara diterima = digunakan + rusak + sisa", "Ballots received = used + damaged + unused",
      EQ_ID + " (digunakan + rusak + sisa)", EQ_EN + " (used + damaged + unused)")
def a010(ctx: Context) -> list[Check] | NotApplicable:
    """Ballots received (including the reserve) are all accounted for: used, returned damaged or
    mis-marked, or left unused.

    Why: a missing ballot is a ballot that may have been used elsewhere. Example: 300 received,
    233 used + 1 damaged + 60 unused = 294 → selisih +6.
    """
    if not ctx.has("ss_diterima", "ss_digunakan", "ss_rusak", "ss_sisa"):
        return not_applicable(ctx, "ss_diterima", "ss_digunakan", "ss_rusak", "ss_sisa")
    return [equality("ss_diterima", f"{c('ss_digunakan')} + {c('ss_rusak')} + {c('ss_sisa')}")]


@rule("A011", "error", "Disabilitas ≤ jumlahnya", "Disability counts ≤ their totals",
      LE_ID, LE_EN)
def a011(ctx: Context) -> list[Check] | NotApplicable:
    """Voters with a disability are a subset: registered ones ≤ all registered voters (pemilih_total,
    or the DPT where there is no total), those who voted ≤ all who voted (L, P, J).

    Why: a subset larger than its set is a misread box. Example: pemilih_disabilitas_j 12 with pemilih_dpt_j 10.
    """
    checks: list[Check] = []
    for s in LPJ:
        base = f"pemilih_total_{s}" if ctx.has(f"pemilih_total_{s}") else f"pemilih_dpt_{s}"
        if ctx.has(f"pemilih_disabilitas_{s}", base):
            checks.append(upper_bound(f"pemilih_disabilitas_{s}", c(base)))
        if ctx.has(f"pengguna_disabilitas_{s}", f"pengguna_total_{s}"):
            checks.append(upper_bound(f"pengguna_disabilitas_{s}", c(f"pengguna_total_{s}")))
    return checks or not_applicable(ctx, "pemilih_disabilitas_j", "pengguna_disabilitas_j")


@rule("A012", "error", "Jumlah suara ≤ yang berhak memilih", "Total votes ≤ those entitled to vote",
      LE_ID + " (DPT + DPTb + DPK + DPPh)", LE_EN + " (DPT + DPTb + DPK + DPPh)")
def a012(ctx: Context) -> list[Check] | NotApplicable:
    """More votes than anyone could have cast: suara_total ≤ pemilih_dpt_j + pengguna_dptb_j +
    pengguna_non_dpt_j + pengguna_dpph_j; with `--dpt`, also with the official DPT in place of the form's.

    Why: votes beyond the registered and added voters cannot be legitimate. Example: DPT 285 + DPTb 0 +
    DPK 4 = 289 but suara_total 748.
    """
    if not ctx.has("suara_total", "pemilih_dpt_j"):
        return not_applicable(ctx, "suara_total", "pemilih_dpt_j")
    others = " + ".join(term(ctx, n) for n in ("pengguna_dptb_j", "pengguna_non_dpt_j", "pengguna_dpph_j"))
    checks = [upper_bound("suara_total", f"{c('pemilih_dpt_j')} + {others}")]
    if ctx.has_dpt:
        checks.append(
            Check(
                field="suara_total",
                expected=f"d.dpt_j + {others}",
                actual=c("suara_total"),
                violated=f"{c('suara_total')} > d.dpt_j + {others}",
                detail="' [DPT resmi]'",
                joins="JOIN rk_dpt d ON d.kode_tps = t.kode_tps",
            )
        )
    return checks


@rule("A013", "error", "DPT formulir = DPT resmi", "DPT on the form = official DPT",
      "{0}: formulir {2}, DPT resmi {1} (selisih {3})", "{0}: form says {2}, official DPT {1} (difference {3})")
def a013(ctx: Context) -> list[Check] | NotApplicable:
    """The DPT written on the form equals the official DPT list for that TPS (given with `--dpt FILE`:
    `kode_tps`, `dpt_l`, `dpt_p`, `dpt_j`).

    Why: the DPT on the form is the base of every other bound; a changed DPT can make room for
    extra votes. Example: official DPT 292, form 392 → selisih +100.
    """
    if not ctx.has_dpt:
        return NotApplicable("daftar DPT resmi tidak diberikan (--dpt)", "no official DPT list given (--dpt)")
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
