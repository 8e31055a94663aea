"""Snapshot rules (D) and source rules (X): two versions of the same TPS (`rekap diff`, domain.md §3).

They read the tables the comparison builds (`rekap.diff`): `rk_diff_records` (one record per TPS and field
that differs, with the misread signature), `rk_diff_tps` (the A-rules each form fails), `rk_diff_broken`
(D003) and `rk_diff_shift` (D004). They run only inside a diff: D rules when OLD and NEW are two snapshots in
time, X rules when they are two sources (`--sources`). `expected` is always the OLD (first source's) value,
`actual` the NEW (second source's), `selisih` = new − old; `source`/`row` point at the NEW row (the OLD one for
what NEW lacks).
"""

from __future__ import annotations

from rekap.db import literal, text_sql
from rekap.i18n import N_, _
from rekap.validate.registry import Check, Context, NotApplicable, Rule, rule

ONLY_TIME = NotApplicable(N_("hanya dalam rekap diff antara dua snapshot"))
ONLY_SOURCES = NotApplicable(N_("hanya dalam rekap diff --sources"))

_RECORDS = """FROM rk_diff_records r
              LEFT JOIN rk_diff_tps t ON t.jenis_pemilihan = r.jenis_pemilihan AND t.kode_tps = r.kode_wilayah"""


def signature_sql(lang: str) -> str:
    """The misread signature of a record `r` as words (NULL when it has none): which digit became which."""
    sub = text_sql(_("angka ke-{pos}: {old} → {new}", lang), pos="r.sig_pos::VARCHAR", old="r.sig_from",
                   new="r.sig_to")
    ins = text_sql(_("angka {digit} tersisip", lang), digit="r.sig_to")
    dropped = text_sql(_("angka {digit} hilang", lang), digit="r.sig_from")
    return f"CASE r.sig WHEN 'sub' THEN {sub} WHEN 'ins' THEN {ins} WHEN 'del' THEN {dropped} END"


def classification_sql(lang: str, mode: str, old_label: str = "", new_label: str = "") -> str:
    """Whether the other value makes the form pass the A-rules it failed (SQL over `t`, a `rk_diff_tps` row):
    for a correction, whether it repaired the form; between sources, which source's form holds."""
    rules = "array_to_string({}, ', ')"
    if mode == "sources":
        fixed = text_sql(_("; {b} lolos {rules} yang gagal pada {a}", lang), b=literal(new_label),
                         a=literal(old_label), rules=rules.format("t.fixed"))
        broke = text_sql(_("; {a} lolos {rules} yang gagal pada {b}", lang), a=literal(old_label),
                         b=literal(new_label), rules=rules.format("t.broke"))
        still = text_sql(_("; keduanya gagal {rules}", lang), rules=rules.format("t.still"))
    else:
        fixed = text_sql(_("; koreksi membuat formulir lolos {rules} yang sebelumnya gagal", lang),
                         rules=rules.format("t.fixed"))
        broke = "''"
        still = text_sql(_("; formulir masih gagal {rules}", lang), rules=rules.format("t.still"))
    return (f"(CASE WHEN len(t.fixed) > 0 THEN {fixed} ELSE '' END || CASE WHEN len(t.broke) > 0 THEN {broke} "
            f"ELSE '' END || CASE WHEN len(t.still) > 0 THEN {still} ELSE '' END)")



def _signature(ctx: Context) -> str:
    return signature_sql(ctx.lang)


def _records(where: str, detail: str = "''", file: str = "r.n_file", row: str = "r.n_row") -> Check:
    return Check(sql=f"""SELECT r.kode_wilayah, r.field, r.old AS expected, r.new AS actual, {detail} AS detail,
                                {file} AS _file, {row} AS _row
                         {_RECORDS} WHERE {where}""")


@rule(
    "D001", "info",
    title=N_("Angka dikoreksi"),
    message=N_("{0}: {1} → {2} (selisih {3})"),
    explanation=N_(
        "Angka yang sudah diterbitkan diganti dengan angka lain antara dua snapshot data yang sama (LAMA → BARU). "
        "Catatan perubahannya memuat nilai lama, nilai baru dan selisihnya.\n\n"
        "Mengapa: setiap koreksi adalah bukti; publik harus bisa melihat apa yang berubah, dari berapa menjadi "
        "berapa, dan kapan.\n\n"
        "Contoh: TPS 3101011001001 pengguna_dpt_j 292 pada 20 Februari, 232 pada 17 Maret → selisih -60."
    ),
)
def d001(ctx: Context) -> list[Check] | NotApplicable:
    if ctx.diff != "time":
        return ONLY_TIME
    return [_records("r.change = 'changed'")]


@rule(
    "D002", "warning",
    title=N_("Angka atau TPS ditarik"),
    message=N_("{0}: {4}"),
    explanation=N_(
        "Angka yang sudah diterbitkan menjadi kosong pada snapshot BARU, atau TPS yang ada pada snapshot LAMA "
        "tidak ada lagi pada snapshot BARU.\n\n"
        "Mengapa: angka yang menghilang sama pentingnya dengan angka yang berubah; hasil yang ditarik tanpa "
        "keterangan menimbulkan pertanyaan.\n\n"
        "Contoh: suara_paslon_2 sebuah TPS 118 pada 20 Februari, kosong pada 17 Maret."
    ),
)
def d002(ctx: Context) -> list[Check] | NotApplicable:
    if ctx.diff != "time":
        return ONLY_TIME
    value = text_sql(_("{old} menjadi kosong", ctx.lang), old="r.old::VARCHAR")
    gone = literal(_("TPS tidak ada lagi pada snapshot BARU", ctx.lang))
    return [
        _records("r.change = 'removed'", detail=value),
        Check(sql=f"""SELECT r.kode_wilayah, 'kode_tps' AS field, NULL::BIGINT AS expected, NULL::BIGINT AS actual,
                             {gone} AS detail, r.o_file AS _file, r.o_row AS _row
                      FROM rk_diff_records r WHERE r.change = 'tps_removed'"""),
    ]


@rule(
    "D003", "error",
    title=N_("Koreksi membuat formulir salah"),
    message=N_("{0}: setelah koreksi tercatat {2}, seharusnya {1} (selisih {3}): {4}, yang lolos sebelum koreksi"),
    explanation=N_(
        "Setelah sebuah angka TPS dikoreksi, formulir BARU melanggar aturan A (persamaan pada formulir) yang "
        "dipenuhi formulir LAMA. `expected` dan `actual` adalah nilai aturan A itu pada formulir BARU; pesannya "
        "menyebut aturannya.\n\n"
        "Mengapa: koreksi seharusnya memperbaiki; koreksi yang membuat formulir tidak mungkin benar adalah salah "
        "ketik atau salah baca baru.\n\n"
        "Contoh: suara_paslon_1 dikoreksi dari 83 menjadi 88 sedangkan suara_sah tetap 228 → A006 gagal "
        "(seharusnya 233), padahal sebelum koreksi lolos."
    ),
)
def d003(ctx: Context) -> list[Check] | NotApplicable:
    if ctx.diff != "time":
        return ONLY_TIME
    return [Check(sql="""SELECT b.kode_tps AS kode_wilayah, b.field, b.expected, b.actual, b.rule AS detail,
                                b.n_file AS _file, b.n_row AS _row
                         FROM rk_diff_broken b""")]


@rule(
    "D004", "warning",
    title=N_("Suara berpindah antarpaslon"),
    message=N_("{0}: jumlah suara paslon tetap {2}, tetapi {4}"),
    explanation=N_(
        "Dalam satu TPS suara beberapa paslon berubah sementara jumlahnya tetap: yang hilang dari satu paslon "
        "muncul pada paslon lain. `expected` dan `actual` adalah jumlah suara semua paslon sebelum dan sesudah "
        "(sama); pesannya menyebut perubahan setiap paslon.\n\n"
        "Mengapa: salah baca OCR mengubah jumlahnya; perpindahan suara dengan jumlah tetap lebih mirip "
        "perubahan yang disengaja dan perlu diperiksa dengan formulir C.Hasil.\n\n"
        "Contoh: suara_paslon_1 120 → 100 dan suara_paslon_2 80 → 100; jumlah tetap 200."
    ),
)
def d004(ctx: Context) -> list[Check] | NotApplicable:
    if ctx.diff != "time":
        return ONLY_TIME
    moves = ("(SELECT string_agg(r.field || ' ' || CASE WHEN r.selisih > 0 THEN '+' ELSE '' END || r.selisih::VARCHAR, "
             "', ' ORDER BY r.pos) FROM rk_diff_records r WHERE r.jenis_pemilihan = s.jenis_pemilihan "
             "AND r.kode_wilayah = s.kode_tps AND r.change = 'changed' AND r.field LIKE 'suara_paslon_%')")
    return [Check(sql=f"""SELECT s.kode_tps AS kode_wilayah, 'suara_paslon' AS field, s.old_sum AS expected,
                                 s.new_sum AS actual, {moves} AS detail, s.n_file AS _file, s.n_row AS _row
                          FROM rk_diff_shift s""")]


@rule(
    "D005", "warning",
    title=N_("DPT berubah setelah diterbitkan"),
    message=N_("{0}: {1} → {4}"),
    explanation=N_(
        "Jumlah pemilih DPT (`pemilih_dpt_*`) sebuah TPS berubah atau ditarik setelah diterbitkan. DPT ditetapkan "
        "sebelum hari pemungutan suara; angka pada formulir hanya bisa berubah karena salah baca atau salah "
        "ketik.\n\n"
        "Mengapa: DPT adalah batas atas semua angka lain di formulir (A004, A012); bila DPT-nya bergeser, batas "
        "itu ikut bergeser.\n\n"
        "Contoh: pemilih_dpt_j 292 pada 20 Februari, 297 pada 17 Maret."
    ),
)
def d005(ctx: Context) -> list[Check] | NotApplicable:
    if ctx.diff != "time":
        return ONLY_TIME
    new = f"coalesce(r.new::VARCHAR, {literal(_('kosong', ctx.lang))})"
    return [_records("r.change IN ('changed', 'removed') AND r.field LIKE 'pemilih_dpt_%'", detail=new)]


@rule(
    "D006", "info",
    title=N_("Koreksi bertanda salah baca"),
    message=N_("{0}: {1} → {2}, tanda salah baca ({4})"),
    explanation=N_(
        "Koreksi yang hanya mengganti satu angka dengan angka yang mirip bentuknya (1↔7, 3↔8, 5↔6, 0↔8, 6↔8, "
        "9↔8, 4↔9, 2↔7), atau yang menambah atau menghapus satu angka (74 ↔ 748): kemungkinan besar memperbaiki "
        "hasil baca OCR. Pesannya menyebut angkanya, dan apakah koreksi itu membuat formulir lolos aturan A yang "
        "sebelumnya gagal (hal yang biasa) atau formulir masih gagal.\n\n"
        "Mengapa: koreksi salah baca itu wajar; yang tidak bertanda ini lebih perlu diperiksa.\n\n"
        "Contoh: suara_paslon_2 187 → 107 (angka ke-2: 8 → 0); formulir kini lolos A006 yang sebelumnya gagal."
    ),
)
def d006(ctx: Context) -> list[Check] | NotApplicable:
    if ctx.diff != "time":
        return ONLY_TIME
    detail = f"{_signature(ctx)} || coalesce({classification_sql(ctx.lang, 'time')}, '')"
    return [_records("r.change = 'changed' AND r.sig IS NOT NULL", detail=detail)]


@rule(
    "X001", "error",
    title=N_("Sumber berbeda"),
    message=N_("{0}: {4}"),
    explanation=N_(
        "Dua sumber untuk TPS yang sama (mis. Sirekap dan salinan C.Hasil saksi yang diketik petugas) mencatat "
        "angka yang berbeda. `expected` adalah angka sumber pertama, `actual` angka sumber kedua; pesannya "
        "menyebut tanda salah baca bila ada, dan formulir sumber mana yang lolos aturan A.\n\n"
        "Mengapa: angka yang sama harus tercatat sama di mana pun; selisih menunjuk TPS yang formulirnya perlu "
        "dilihat.\n\n"
        "Contoh: suara_paslon_1 Sirekap 781, saksi 181 (angka ke-1: 7 → 1); saksi lolos A006 yang gagal pada "
        "Sirekap."
    ),
)
def x001(ctx: Context) -> list[Check] | NotApplicable:
    if ctx.diff != "sources":
        return ONLY_SOURCES
    a, b = ctx.diff_labels or ("A", "B")
    values = text_sql(_("{a} {old}, {b} {new} (selisih {selisih})", ctx.lang), a=literal(a), b=literal(b),
                      old="r.old::VARCHAR", new="r.new::VARCHAR",
                      selisih="CASE WHEN r.selisih > 0 THEN '+' ELSE '' END || r.selisih::VARCHAR")
    sig = text_sql(_("; tanda salah baca: {signature}", ctx.lang), signature=_signature(ctx))
    detail = f"{values} || coalesce({sig}, '') || coalesce({classification_sql(ctx.lang, 'sources', a, b)}, '')"
    return [_records("r.change = 'changed'", detail=detail)]


@rule(
    "X002", "info",
    title=N_("TPS hanya dalam satu sumber"),
    message=N_("{0}: {4}"),
    explanation=N_(
        "TPS ini ada dalam salah satu sumber saja.\n\n"
        "Mengapa: dua sumber hanya bisa dibandingkan pada TPS yang ada di keduanya; TPS yang hanya ada di satu "
        "sumber disebutkan, bukan dianggap sama.\n\n"
        "Contoh: salinan saksi memuat 412 TPS, Sirekap 415: tiga TPS hanya dalam Sirekap."
    ),
)
def x002(ctx: Context) -> list[Check] | NotApplicable:
    if ctx.diff != "sources":
        return ONLY_SOURCES
    a, b = ctx.diff_labels or ("A", "B")
    only = text_sql(_("hanya dalam {source}", ctx.lang), source=f"CASE WHEN r.change = 'tps_added' THEN {literal(b)} "
                                                                  f"ELSE {literal(a)} END")
    return [Check(sql=f"""SELECT r.kode_wilayah, 'kode_tps' AS field, NULL::BIGINT AS expected, NULL::BIGINT AS actual,
                                 {only} AS detail, coalesce(r.n_file, r.o_file) AS _file, coalesce(r.n_row, r.o_row) AS _row
                          FROM rk_diff_records r WHERE r.change IN ('tps_added', 'tps_removed')""")]


RULES_D: tuple[Rule, ...] = (d001, d002, d003, d004, d005, d006)
RULES_X: tuple[Rule, ...] = (x001, x002)
RULES: tuple[Rule, ...] = RULES_D + RULES_X
