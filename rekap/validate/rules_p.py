"""Plausibility rules (P): legal but suspicious records. Warnings; thresholds come from the
election type (`rekap.config`), joined onto each TPS as `_cap`, `_reserve`, `_tol`, `_z`, `_minn`.
"""

from __future__ import annotations

from rekap.schema import NUMERIC_COLUMNS, VOTE_DATA_COLUMNS, VOTER_DATA_COLUMNS
from rekap.validate.registry import Check, Context, NotApplicable, Rule, rule
from rekap.validate.sql import c, not_applicable


@rule("P001", "warning", "DPT di atas batas TPS", "DPT above the TPS cap",
      "{0}: {2} pemilih, di atas batas {1} per TPS{4}", "{0}: {2} voters, above the cap of {1} per TPS{4}")
def p001(ctx: Context) -> list[Check] | NotApplicable:
    """The DPT of a TPS is above the legal cap (Pemilu 2024: 300, Pilkada 2024: 600). Overseas units
    (province code 99: TPSLN, POS, KSK) are exempt.

    Why: a TPS cannot be that large; usually a misread (192 read as 792). Example: pemilih_dpt_j 892.
    """
    if not ctx.has("pemilih_dpt_j"):
        return not_applicable(ctx, "pemilih_dpt_j")
    f = c("pemilih_dpt_j")
    return [Check(field="pemilih_dpt_j", expected="t._cap", actual=f, violated=f"NOT t._ln AND {f} > t._cap")]


@rule("P002", "warning", "Surat suara diterima ≠ DPT + cadangan", "Ballots received ≠ DPT + reserve",
      "{0}: diterima {2}, seharusnya {1} (DPT + cadangan; selisih {3})",
      "{0}: received {2}, should be {1} (DPT + reserve; difference {3})")
def p002(ctx: Context) -> list[Check] | NotApplicable:
    """Ballots received should be the DPT plus the reserve (Pilkada 2.5 %, Pemilu 2 %, rounded up),
    within a tolerance (`reserve_tolerance`).

    Why: extra ballots at a TPS are ballots that can be misused. Example: DPT 400 → 400 + 10 = 410 expected, 450 received.
    """
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


@rule("P003", "warning", "DPT nol tetapi ada suara", "DPT zero but votes recorded",
      "{0}: DPT 0 tetapi tercatat {2} suara", "{0}: DPT is 0 but {2} votes are recorded")
def p003(ctx: Context) -> list[Check] | NotApplicable:
    """The DPT box is 0 while votes are recorded (suara_total, or suara_sah, or any candidate).

    Why: usually the administration page was not read or not uploaded. Example: pemilih_dpt_j 0, suara_total 233.
    """
    votes = [n for n in ("suara_total", "suara_sah") if n in ctx.columns] + list(ctx.paslon)
    if not ctx.has("pemilih_dpt_j") or not votes:
        return not_applicable(ctx, "pemilih_dpt_j", "suara_total")
    paslon_sum = " + ".join(f"coalesce({c(p)}, 0)" for p in ctx.paslon)
    total = ", ".join([c(n) for n in ("suara_total", "suara_sah") if n in ctx.columns] + ([f"({paslon_sum})"] if ctx.paslon else []))
    vote_expr = f"coalesce({total})" if "," in total else total
    return [Check(field="pemilih_dpt_j", expected="0", actual=vote_expr, violated=f"{c('pemilih_dpt_j')} = 0 AND {vote_expr} > 0")]


@rule("P004", "warning", "Jumlah suara melebihi DPT", "More votes than DPT",
      "{0}: {2} suara, DPT {1} (lebih {3})", "{0}: {2} votes, DPT {1} (by {3})")
def p004(ctx: Context) -> list[Check] | NotApplicable:
    """More votes than registered DPT voters. Possible with DPTb/DPK voters, but worth a look.

    Why: together with A012 it separates explainable excess from impossible excess. Example: DPT 280, suara_total 285.
    """
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


@rule("P005", "warning", "Suara paslon di atas batas TPS", "Candidate votes above the TPS cap",
      "{0}: {2} suara untuk satu paslon, di atas batas {1} per TPS (tanda salah baca OCR)",
      "{0}: {2} votes for one candidate, above the cap of {1} per TPS (OCR misread signature)")
def p005(ctx: Context) -> list[Check] | NotApplicable:
    """A single candidate's count is above the TPS cap: the classic OCR misread (74 read as 748).
    Overseas units are exempt.

    Why: no candidate can get more votes than a TPS has voters. Example: suara_paslon_2 748 at a 300-voter TPS.
    """
    if not ctx.paslon:
        return not_applicable(ctx, "suara_paslon_1")
    return [Check(field=p, expected="t._cap", actual=c(p), violated=f"NOT t._ln AND {c(p)} > t._cap") for p in ctx.paslon]


@rule("P006", "warning", "Partisipasi/suara tidak sah pencilan", "Turnout/invalid share outlier",
      "{0}: {2} tercatat, median kecamatan memberi {1}{4}", "{0}: {2} recorded, the kecamatan median gives {1}{4}")
def p006(ctx: Context) -> list[Check] | NotApplicable:
    """Turnout (suara_total / pemilih_dpt_j) or the invalid-vote share (suara_tidak_sah / suara_total)
    is an outlier within its kecamatan by robust z-score (0.6745·|x − median| / MAD > `outlier_z`,
    at least `outlier_min_delta` away from the median, kecamatan with at least `outlier_min_tps` TPS),
    or turnout is 100 % or more.

    `expected` is the count the kecamatan's median share would give for this TPS, `actual` the count
    recorded. Why: a TPS far from its neighbours is where to look first. Example: turnout 99 % where
    the kecamatan's median is 72 %.
    """
    checks: list[Check] = []
    if ctx.has("suara_total", "pemilih_dpt_j"):
        checks.append(_outlier("suara_total", c("suara_total"), c("pemilih_dpt_j"), turnout=True))
    if ctx.has("suara_tidak_sah", "suara_total"):
        checks.append(_outlier("suara_tidak_sah", c("suara_tidak_sah"), c("suara_total"), turnout=False))
    return checks or not_applicable(ctx, "suara_total", "pemilih_dpt_j")


def _outlier(field: str, num: str, den: str, turnout: bool) -> Check:
    always = "OR s.x >= 1" if turnout else ""
    sql = f"""
        WITH s AS (
            SELECT t.kode_tps, t._file, t._row, t.kode_kec, t._z, t._minn, t._mind, t._ln,
                   {num} AS num, {den} AS den, {num} / {den} AS x
            FROM rk_tps t WHERE {den} > 0 AND {num} IS NOT NULL),
        m AS (SELECT kode_kec, median(x) AS med, count(*) AS n FROM s GROUP BY kode_kec),
        d AS (SELECT s.kode_kec, median(abs(s.x - m.med)) AS mad
              FROM s JOIN m USING (kode_kec) GROUP BY s.kode_kec)
        SELECT s.kode_tps AS kode_wilayah, '{field}' AS field,
               round(m.med * s.den)::BIGINT AS expected, s.num::BIGINT AS actual,
               format(' ({{:.1f}}% vs median {{:.1f}}%, z {{}})', 100 * s.x, 100 * m.med,
                      CASE WHEN d.mad > 0 THEN round(0.6745 * abs(s.x - m.med) / d.mad, 1)::VARCHAR ELSE '-' END) AS detail,
               s._file, s._row
        FROM s JOIN m USING (kode_kec) JOIN d USING (kode_kec)
        WHERE NOT s._ln AND (
            (m.n >= s._minn AND d.mad > 0 AND abs(s.x - m.med) >= s._mind
                 AND 0.6745 * abs(s.x - m.med) / d.mad > s._z) {always})"""
    return Check(field=field, sql=sql)


@rule("P007", "warning", "Catatan angka kembar dalam satu desa", "Identical numeric record in one desa",
      "{0}: semua angka sama persis dengan TPS lain di desa ini{4}", "{0}: every number equals another TPS of this desa{4}")
def p007(ctx: Context) -> list[Check] | NotApplicable:
    """Two or more TPS of the same desa carry exactly the same full numeric record (every count present
    and equal): a double upload or a copied form.

    Why: two real TPS practically never agree on every box. Example: TPS 003 and 004 both 83/107/38, DPT 292 ….
    """
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


@rule("P008", "warning", "Catatan tidak lengkap", "Partial record",
      "{0}: {4}", "{0}: {4}")
def p008(ctx: Context) -> list[Check] | NotApplicable:
    """Votes without any voter data, or voter data without any votes (a partial upload: one page of
    the form read, the other missing).

    Why: a TPS with half a form cannot be checked and is easy to overlook in a total. Example:
    chart present, administrasi empty.
    """
    voter = [n for n in ctx.columns if n in VOTER_DATA_COLUMNS]
    votes = [n for n in ctx.columns if n in VOTE_DATA_COLUMNS]
    if not voter or not votes:
        return NotApplicable("data pemilih dan data suara tidak keduanya ada", "the input lacks either voter or vote columns")
    has_voter = " OR ".join(f"{c(n)} IS NOT NULL" for n in voter)
    has_votes = " OR ".join(f"{c(n)} IS NOT NULL" for n in votes)
    id_ = ctx.lang == "id"
    return [
        Check(
            field="administrasi",
            violated=f"({has_votes}) AND NOT ({has_voter})",
            detail="'ada suara tetapi tanpa data pemilih'" if id_ else "'votes but no voter data'",
        ),
        Check(
            field="suara",
            violated=f"({has_voter}) AND NOT ({has_votes})",
            detail="'ada data pemilih tetapi tanpa suara'" if id_ else "'voter data but no votes'",
        ),
    ]


RULES: tuple[Rule, ...] = (p001, p002, p003, p004, p005, p006, p007, p008,)
