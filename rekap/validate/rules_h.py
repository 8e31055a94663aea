"""Hierarchy rules (H): reported recaps against their children. H001 and H002 read the tables the
comparison builds (`rk_h001`, `rk_h001_trace`, `rk_h002`: `rekap.aggregate.compare`); H003 is the A-rules
run over the reported rows (`rk_reported`). They run only when reported recaps are given."""

from __future__ import annotations

from rekap.db import literal, text_sql
from rekap.i18n import N_, _
from rekap.schema import PASLON_COLUMNS
from rekap.validate.registry import Check, Context, NotApplicable, Rule, rule
from rekap.validate.rules_a import RULES as ARITHMETIC

NO_REPORTED = NotApplicable(N_("rekap yang dilaporkan tidak diberikan (--reported)"))


@rule(
    "H001", "error",
    title=N_("Rekap ≠ jumlah di bawahnya"),
    message=N_("{0}: dilaporkan {2}, jumlah di bawahnya {1} (selisih {3}){4}"),
    explanation=N_(
        "Angka yang dilaporkan (baris D.Hasil, agregat Sirekap) berbeda dari jumlah yang ada di "
        "bawahnya: data TPS bila diberikan, jika tidak, rekap yang dilaporkan satu tingkat di "
        "bawahnya; atau dua sumber melaporkan wilayah yang sama dengan angka berbeda. `expected` "
        "adalah jumlah hasil hitungan, `actual` angka yang dilaporkan, dan pesannya menelusuri "
        "selisih sampai ke wilayah terendah yang memuatnya.\n\n"
        "Mengapa: di sinilah sebuah angka berubah dalam perjalanannya ke atas.\n\n"
        "Contoh: kecamatan 350303 melaporkan suara_paslon_2 4.620 sedangkan TPS-nya berjumlah 4.500 →"
        " selisih +120, terbawa sampai ke kabupaten dan provinsi."
    ),
)
def h001(ctx: Context) -> list[Check] | NotApplicable:
    if not ctx.has_reported:
        return NO_REPORTED
    trace = text_sql(_(" [dari {source}; pertama di {level}: {trace}]", ctx.lang),
                     source="h.computed_from", level="t.first_level", trace="t.trace")
    return [
        Check(
            sql=f"""SELECT h.kode_wilayah, h.field, h.computed AS expected, h.reported AS actual, coalesce({trace}, '') AS detail,
                           h._file, h._row, h.level
                    FROM rk_h001 h LEFT JOIN rk_h001_trace t USING (jenis_pemilihan, level, kode_wilayah, field)""",
            level="*",
        )
    ]


@rule(
    "H002", "warning",
    title=N_("Wilayah bawahan tidak lengkap"),
    message=N_("{0}: {4}"),
    explanation=N_(
        "Bila tingkat di bawah sebuah wilayah yang dilaporkan diberikan (data TPS atau rekap yang "
        "lebih rendah), wilayah itu tidak punya wilayah bawahan di sana, atau salah satu wilayah "
        "bawahannya (diketahui dari data TPS atau rekap lain) tidak ada dalam rekap yang dilaporkan. "
        "Tingkat terendah yang diberikan tidak punya apa pun di bawahnya dan tidak ditandai.\n\n"
        "Mengapa: kecamatan yang hilang membuat jumlah kab/kota tampak lengkap padahal tidak.\n\n"
        "Contoh: kecamatan 357403 punya data TPS tetapi tidak punya baris D.Hasil."
    ),
)
def h002(ctx: Context) -> list[Check] | NotApplicable:
    if not ctx.has_reported:
        return NO_REPORTED
    missing = text_sql(_("wilayah bawahan {code} tidak ada dalam rekap", ctx.lang), code="h.child_kode")
    alone = literal(_("tidak ada wilayah bawahan", ctx.lang))
    detail = f"CASE WHEN h.child_kode IS NULL THEN {alone} ELSE {missing} END"
    return [
        Check(
            sql=f"""SELECT h.kode_wilayah, 'kode_wilayah' AS field, NULL::BIGINT AS expected, NULL::BIGINT AS actual,
                           {detail} AS detail, h._file, h._row, h.level
                    FROM rk_h002 h""",
            level="*",
        )
    ]


@rule(
    "H003", "error",
    title=N_("Baris rekap melanggar aturan A"),
    message=N_("{0}: tercatat {2}, seharusnya {1} (selisih {3}){4}"),
    explanation=N_(
        "Baris rekap yang dilaporkan melanggar salah satu persamaan formulirnya sendiri (aturan A "
        "berlaku di setiap tingkat rekap: Σ paslon = suara sah, sah + tidak sah = jumlah, L + P = J "
        "…).\n\n"
        "Mengapa: formulir rekap yang tidak cocok dengan dirinya sendiri salah salin atau salah "
        "ketik.\n\n"
        "Contoh: baris kecamatan dengan suara_sah 20.100 tetapi suara paslon berjumlah 20.220."
    ),
)
def h003(ctx: Context) -> list[Check] | NotApplicable:
    if not ctx.has_reported:
        return NO_REPORTED
    # The A-rules' own checks, built for the columns the reported recaps have and run over their rows
    # (`rk_reported`, aliased `t` as the TPS table is); a check with its own SQL or a join (A013's DPT
    # list) is the TPS form's only.
    present = frozenset(ctx.reported_columns)
    over = Context(columns=present, paslon=tuple(p for p in PASLON_COLUMNS if p in present), lang=ctx.lang)
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
        return NotApplicable(N_("rekap yang dilaporkan tidak memuat kolom aturan A"))
    return [Check(sql=" UNION ALL ".join(parts), level="*")]


RULES: tuple[Rule, ...] = (h001, h002, h003,)
