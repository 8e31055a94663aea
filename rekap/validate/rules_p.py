"""Plausibility rules (P): legal but suspicious records. Warnings; thresholds come from the
election type (`rekap.config`), joined onto each TPS as `_cap`, `_reserve`, `_tol`, `_z`, `_minn`.
"""

from __future__ import annotations

from rekap.db import literal, text_sql
from rekap.i18n import N_, _
from rekap.schema import NUMERIC_COLUMNS, VOTE_DATA_COLUMNS, VOTER_DATA_COLUMNS
from rekap.validate.registry import Check, Context, NotApplicable, Rule, rule
from rekap.validate.sql import c, decimal_mark, decimal_sql, not_applicable


@rule(
    "P001", "warning",
    title=N_("DPT di atas batas TPS"),
    message=N_("{0}: {2} pemilih, di atas batas {1} per TPS{4}"),
    explanation=N_(
        "DPT sebuah TPS di atas batas yang ditetapkan (Pemilu 2024: 300, Pilkada 2024: 600). Wilayah "
        "luar negeri (kode provinsi 99: TPSLN, POS, KSK) dikecualikan.\n\n"
        "Mengapa: sebuah TPS tidak mungkin sebesar itu; biasanya salah baca (192 terbaca 792).\n\n"
        "Contoh: pemilih_dpt_j 892."
    ),
)
def p001(ctx: Context) -> list[Check] | NotApplicable:
    if not ctx.has("pemilih_dpt_j"):
        return not_applicable(ctx, "pemilih_dpt_j")
    f = c("pemilih_dpt_j")
    return [Check(field="pemilih_dpt_j", expected="t._cap", actual=f, violated=f"NOT t._ln AND {f} > t._cap")]


@rule(
    "P002", "warning",
    title=N_("Surat suara diterima ≠ DPT + cadangan"),
    message=N_("{0}: diterima {2}, seharusnya {1} (DPT + cadangan; selisih {3})"),
    explanation=N_(
        "Surat suara yang diterima seharusnya DPT ditambah cadangan (Pilkada 2,5 %, Pemilu 2 %, "
        "dibulatkan ke atas), dalam batas toleransi (`reserve_tolerance`).\n\n"
        "Mengapa: surat suara berlebih di TPS dapat disalahgunakan.\n\n"
        "Contoh: DPT 400 → diharapkan 400 + 10 = 410, diterima 450."
    ),
)
def p002(ctx: Context) -> list[Check] | NotApplicable:
    if not ctx.has("ss_diterima", "pemilih_dpt_j"):
        return not_applicable(ctx, "ss_diterima", "pemilih_dpt_j")
    dpt = c("pemilih_dpt_j")
    # The reserve rate is a decimal fraction; round before ceil so that 0.025 × 400 is 10, not 10.000000001.
    expected = f"({dpt} + ceil(round({dpt} * t._reserve, 6)))::BIGINT"
    return [
        Check(
            field="ss_diterima",
            expected=expected,
            actual=c("ss_diterima"),
            violated=f"abs({c('ss_diterima')} - {expected}) > t._tol",
        )
    ]


@rule(
    "P003", "warning",
    title=N_("DPT nol tetapi ada suara"),
    message=N_("{0}: DPT 0 tetapi tercatat {2} suara"),
    explanation=N_(
        "Kotak DPT berisi 0 padahal ada suara yang tercatat (suara_total, suara_sah, atau suara "
        "paslon mana pun).\n\n"
        "Mengapa: biasanya halaman administrasi tidak terbaca atau tidak diunggah.\n\n"
        "Contoh: pemilih_dpt_j 0, suara_total 233."
    ),
)
def p003(ctx: Context) -> list[Check] | NotApplicable:
    votes = [n for n in ("suara_total", "suara_sah") if n in ctx.columns] + list(ctx.paslon)
    if not ctx.has("pemilih_dpt_j") or not votes:
        return not_applicable(ctx, "pemilih_dpt_j", "suara_total")
    paslon_sum = " + ".join(f"coalesce({c(p)}, 0)" for p in ctx.paslon)
    total = ", ".join([c(n) for n in ("suara_total", "suara_sah") if n in ctx.columns] + ([f"({paslon_sum})"] if ctx.paslon else []))
    vote_expr = f"coalesce({total})" if "," in total else total
    return [Check(field="pemilih_dpt_j", expected="0", actual=vote_expr, violated=f"{c('pemilih_dpt_j')} = 0 AND {vote_expr} > 0")]


@rule(
    "P004", "warning",
    title=N_("Jumlah suara melebihi DPT"),
    message=N_("{0}: {2} suara, DPT {1} (lebih {3})"),
    explanation=N_(
        "Suara lebih banyak daripada pemilih DPT. Mungkin saja karena pemilih DPTb/DPK, tetapi perlu "
        "diperiksa.\n\n"
        "Mengapa: bersama A012, aturan ini memisahkan kelebihan yang dapat dijelaskan dari kelebihan "
        "yang mustahil.\n\n"
        "Contoh: DPT 280, suara_total 285."
    ),
)
def p004(ctx: Context) -> list[Check] | NotApplicable:
    if not ctx.has("suara_total", "pemilih_dpt_j"):
        return not_applicable(ctx, "suara_total", "pemilih_dpt_j")
    return [
        Check(
            field="suara_total",
            expected=c("pemilih_dpt_j"),
            actual=c("suara_total"),
            violated=f"{c('suara_total')} > {c('pemilih_dpt_j')}",
        )
    ]


@rule(
    "P005", "warning",
    title=N_("Suara paslon di atas batas TPS"),
    message=N_("{0}: {2} suara untuk satu paslon, di atas batas {1} per TPS (tanda salah baca OCR)"),
    explanation=N_(
        "Suara satu paslon di atas batas TPS: salah baca OCR yang klasik (74 terbaca 748). Wilayah "
        "luar negeri dikecualikan.\n\n"
        "Mengapa: tidak ada paslon yang bisa mendapat suara lebih banyak daripada jumlah pemilih "
        "sebuah TPS.\n\n"
        "Contoh: suara_paslon_2 748 di TPS dengan 300 pemilih."
    ),
)
def p005(ctx: Context) -> list[Check] | NotApplicable:
    if not ctx.paslon:
        return not_applicable(ctx, "suara_paslon_1")
    return [Check(field=p, expected="t._cap", actual=c(p), violated=f"NOT t._ln AND {c(p)} > t._cap") for p in ctx.paslon]


@rule(
    "P006", "warning",
    title=N_("Partisipasi/suara tidak sah pencilan"),
    message=N_("{0}: {2} tercatat, median kecamatan memberi {1}{4}"),
    explanation=N_(
        "Partisipasi (suara_total / pemilih_dpt_j) atau bagian suara tidak sah (suara_tidak_sah / "
        "suara_total) menjadi pencilan di kecamatannya menurut skor-z robust (0,6745·|x − median| / "
        "MAD > `outlier_z`, paling sedikit `outlier_min_delta` dari median, di kecamatan dengan "
        "paling sedikit `outlier_min_tps` TPS), atau partisipasi 100 % atau lebih.\n\n"
        "`expected` adalah angka yang diberikan bagian median kecamatan untuk TPS ini, `actual` angka"
        " yang tercatat.\n\n"
        "Mengapa: TPS yang jauh berbeda dari tetangganya adalah tempat pertama untuk diperiksa.\n\n"
        "Contoh: partisipasi 99 % di kecamatan yang mediannya 72 %."
    ),
)
def p006(ctx: Context) -> list[Check] | NotApplicable:
    checks: list[Check] = []
    if ctx.has("suara_total", "pemilih_dpt_j"):
        checks.append(_outlier("suara_total", c("suara_total"), c("pemilih_dpt_j"), turnout=True, lang=ctx.lang))
    if ctx.has("suara_tidak_sah", "suara_total"):
        checks.append(_outlier("suara_tidak_sah", c("suara_tidak_sah"), c("suara_total"), turnout=False, lang=ctx.lang))
    return checks or not_applicable(ctx, "suara_total", "pemilih_dpt_j")


def _outlier(field: str, num: str, den: str, turnout: bool, lang: str) -> Check:
    always = "OR s.x >= 1" if turnout else ""
    # Shares and the z-score are measured values: one decimal, the language's decimal mark
    # (58,5 % in Indonesian, 58.5% in English).
    z = "CASE WHEN d.mad > 0 THEN round(0.6745 * abs(s.x - d.med) / d.mad, 1)::VARCHAR ELSE '-' END"
    detail = text_sql(
        _(" ({share} % dibanding median {median} %, z {z})", lang),
        share=decimal_sql("100 * s.x", 1, lang),
        median=decimal_sql("100 * d.med", 1, lang),
        z=f"replace({z}, '.', {literal(decimal_mark(lang))})",
    )
    # `d` carries the kecamatan's median and count along with its MAD, so the TPS are joined with their
    # kecamatan once (two joins of every TPS were ~40 % of this check's time on 822,607 TPS).
    sql = f"""
        WITH s AS (
            SELECT t.kode_tps, t._file, t._row, t.kode_kec, t._z, t._minn, t._mind, t._ln,
                   {num} AS num, {den} AS den, {num} / {den} AS x
            FROM rk_tps t WHERE {den} > 0 AND {num} IS NOT NULL),
        m AS (SELECT kode_kec, median(x) AS med, count(*) AS n FROM s GROUP BY kode_kec),
        d AS (SELECT s.kode_kec, any_value(m.med) AS med, any_value(m.n) AS n, median(abs(s.x - m.med)) AS mad
              FROM s JOIN m USING (kode_kec) GROUP BY s.kode_kec)
        SELECT s.kode_tps AS kode_wilayah, '{field}' AS field,
               round(d.med * s.den)::BIGINT AS expected, s.num::BIGINT AS actual,
               {detail} AS detail,
               s._file, s._row
        FROM s JOIN d USING (kode_kec)
        WHERE NOT s._ln AND (
            (d.n >= s._minn AND d.mad > 0 AND abs(s.x - d.med) >= s._mind
                 AND 0.6745 * abs(s.x - d.med) / d.mad > s._z) {always})"""
    return Check(field=field, sql=sql)


@rule(
    "P007", "warning",
    title=N_("Catatan angka kembar dalam satu desa"),
    message=N_("{0}: semua angka sama persis dengan TPS lain di desa ini{4}"),
    explanation=N_(
        "Dua TPS atau lebih di desa yang sama memiliki catatan angka yang persis sama (semua angka "
        "terisi dan sama): unggahan ganda atau formulir yang disalin.\n\n"
        "Mengapa: dua TPS sungguhan hampir tidak pernah sama di setiap kotak.\n\n"
        "Contoh: TPS 003 dan 004 sama-sama 83/107/38, DPT 292 …."
    ),
)
def p007(ctx: Context) -> list[Check] | NotApplicable:
    numeric = [n for n in NUMERIC_COLUMNS if n in ctx.columns]
    if not numeric:
        return not_applicable(ctx, "suara_sah")
    cols = ", ".join(c(n) for n in numeric)
    # A "full" record has every numeric column of the input filled; empty uploads are P008, not copies.
    full = " AND ".join(f"{c(n)} IS NOT NULL" for n in numeric)
    # Groups are counted first and only the few repeated ones get their TPS list: building a list for
    # every one of ~800,000 (desa, record) groups to keep a handful cost 3-4x the whole rule.
    sql = f"""
        WITH f AS MATERIALIZED (SELECT t.kode_tps, t.kode_desa, t._file, t._row, hash({cols}) AS h
                                FROM rk_tps t WHERE {full}),
        k AS (SELECT kode_desa, h FROM f GROUP BY kode_desa, h HAVING count(*) > 1),
        d AS (SELECT f.* FROM f SEMI JOIN k USING (kode_desa, h)),
        g AS (SELECT kode_desa, h, count(*) AS n,
                     array_to_string(list_slice(list(right(kode_tps, 3) ORDER BY kode_tps), 1, 10), ', ')
                     || CASE WHEN count(*) > 10 THEN ', …' ELSE '' END AS tpss
              FROM d GROUP BY kode_desa, h)
        SELECT d.kode_tps AS kode_wilayah, 'kode_tps' AS field, NULL::BIGINT AS expected, g.n::BIGINT AS actual,
               ' (TPS ' || g.tpss || ')' AS detail, d._file, d._row
        FROM d JOIN g USING (kode_desa, h)"""
    return [Check(field="kode_tps", sql=sql)]


@rule(
    "P008", "warning",
    title=N_("Catatan tidak lengkap"),
    message=N_("{0}: {4}"),
    explanation=N_(
        "Ada suara tanpa data pemilih sama sekali, atau ada data pemilih tanpa suara (unggahan "
        "sebagian: satu halaman formulir terbaca, halaman lainnya tidak ada).\n\n"
        "Mengapa: TPS dengan setengah formulir tidak dapat diperiksa dan mudah terlewat dalam jumlah.\n\n"
        "Contoh: bagan suara ada, administrasi kosong."
    ),
)
def p008(ctx: Context) -> list[Check] | NotApplicable:
    voter = [n for n in ctx.columns if n in VOTER_DATA_COLUMNS]
    votes = [n for n in ctx.columns if n in VOTE_DATA_COLUMNS]
    if not voter or not votes:
        return NotApplicable(N_("data pemilih dan data suara tidak keduanya ada"))
    has_voter = " OR ".join(f"{c(n)} IS NOT NULL" for n in voter)
    has_votes = " OR ".join(f"{c(n)} IS NOT NULL" for n in votes)
    return [
        Check(
            field="administrasi",
            violated=f"({has_votes}) AND NOT ({has_voter})",
            detail=literal(_("ada suara tetapi tanpa data pemilih", ctx.lang)),
        ),
        Check(
            field="suara",
            violated=f"({has_voter}) AND NOT ({has_votes})",
            detail=literal(_("ada data pemilih tetapi tanpa suara", ctx.lang)),
        ),
    ]


RULES: tuple[Rule, ...] = (p001, p002, p003, p004, p005, p006, p007, p008,)
