"""Hierarchy rules (H): reported recaps against their children. H001 and H002 read the tables the
comparison builds (`rk_h001`, `rk_h001_trace`, `rk_h002`: `rekap.aggregate.compare`); H003 is the A-rules
run over the reported rows (`rk_reported`). They run only when reported recaps are given."""

from __future__ import annotations

from rekap.schema import PASLON_COLUMNS
from rekap.validate.registry import Check, Context, NotApplicable, Rule, rule
from rekap.validate.rules_a import RULES as ARITHMETIC

NO_REPORTED = NotApplicable("rekap yang dilaporkan tidak diberikan (--reported)", "no reported recap given (--reported)")


@rule("H001", "error", "Rekap ≠ jumlah di bawahnya", "Recap ≠ sum beneath it",
      "{0}: dilaporkan {2}, jumlah di bawahnya {1} (selisih {3}){4}",
      "{0}: reported {2}, sum beneath it {1} (difference {3}){4}")
def h001(ctx: Context) -> list[Check] | NotApplicable:
    """A reported value (a D.Hasil row, a Sirekap aggregate) differs from the sum of what lies beneath it:
    the TPS data when given, otherwise the reported recap one level down; or two sources report the same
    unit with different numbers. `expected` is the computed sum, `actual` the reported value, and the
    message traces the difference to the lowest units that carry it.

    Why: this is where a number changes on its way up. Example: kecamatan 350303 reports suara_paslon_2
    4,620 while its TPS add up to 4,500 → selisih +120, carried up to the kabupaten and the province.
    """
    if not ctx.has_reported:
        return NO_REPORTED
    trace = "coalesce(' [dari ' || h.computed_from || '; pertama di ' || t.first_level || ': ' || t.trace || ']', '')"
    if ctx.lang != "id":
        trace = "coalesce(' [from ' || h.computed_from || '; first at ' || t.first_level || ': ' || t.trace || ']', '')"
    return [
        Check(
            sql=f"""SELECT h.kode_wilayah, h.field, h.computed AS expected, h.reported AS actual, {trace} AS detail,
                           h._file, h._row, h.level
                    FROM rk_h001 h LEFT JOIN rk_h001_trace t USING (jenis_pemilihan, level, kode_wilayah, field)""",
            level="*",
        )
    ]


@rule("H002", "warning", "Wilayah bawahan tidak lengkap", "Children missing",
      "{0}: {4}", "{0}: {4}")
def h002(ctx: Context) -> list[Check] | NotApplicable:
    """Where the level below a reported unit is given at all (TPS data or a lower recap), the unit has
    no children there, or one of its children (known from the TPS data or another recap) is missing from
    the reported recap. The lowest level given has nothing below it and is not flagged.

    Why: a missing kecamatan makes a kab/kota total look complete when it is not. Example: kecamatan
    357403 has TPS data but no D.Hasil row.
    """
    if not ctx.has_reported:
        return NO_REPORTED
    if ctx.lang == "id":
        detail = "CASE WHEN h.child_kode IS NULL THEN 'tidak ada wilayah bawahan' ELSE 'wilayah bawahan ' || h.child_kode || ' tidak ada dalam rekap' END"
    else:
        detail = "CASE WHEN h.child_kode IS NULL THEN 'no children below it' ELSE 'child ' || h.child_kode || ' is missing from the recap' END"
    return [
        Check(
            sql=f"""SELECT h.kode_wilayah, 'kode_wilayah' AS field, NULL::BIGINT AS expected, NULL::BIGINT AS actual,
                           {detail} AS detail, h._file, h._row, h.level
                    FROM rk_h002 h""",
            level="*",
        )
    ]


@rule("H003", "error", "Baris rekap melanggar aturan A", "Recap row breaks an A-rule",
      "{0}: tercatat {2}, seharusnya {1} (selisih {3}){4}", "{0}: recorded {2}, should be {1} (difference {3}){4}")
def h003(ctx: Context) -> list[Check] | NotApplicable:
    """A reported recap row breaks one of the form's own equations (the A-rules apply to every recap level:
    Σ paslon = suara sah, sah + tidak sah = total, L + P = J …).

    Why: a recap form that does not add up on its own was copied or typed wrong. Example: a kecamatan row
    with suara_sah 20,100 but candidates adding up to 20,220.
    """
    if not ctx.has_reported:
        return NO_REPORTED
    # The A-rules' own checks, built for the columns the reported recaps have and run over their rows
    # (`rk_reported`, aliased `t` as the TPS table is); a check with its own SQL or a join (A013's DPT
    # list) is the TPS form's only.
    present = frozenset(ctx.reported_columns)
    over = Context(columns=present, paslon=tuple(p for p in PASLON_COLUMNS if p in present))
    parts = []
    for a_rule in ARITHMETIC:
        if a_rule.id == "A013":
            continue
        built = a_rule.build(over)
        if isinstance(built, NotApplicable):
            continue
        for check in built:
            if check.sql is not None or check.joins:
                continue
            parts.append(
                f"""SELECT t.kode_wilayah, '{check.field}' AS field, ({check.expected})::BIGINT AS expected,
                           ({check.actual})::BIGINT AS actual, ' ({a_rule.id})' AS detail, t._file, t._row, t.level
                    FROM rk_reported t WHERE {check.violated}"""
            )
    if not parts:
        return NotApplicable("rekap yang dilaporkan tidak memuat kolom aturan A", "the reported recaps have no A-rule columns")
    return [Check(sql=" UNION ALL ".join(parts), level="*")]


RULES: tuple[Rule, ...] = (h001, h002, h003,)
