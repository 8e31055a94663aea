"""Completeness rules (K): the TPS in the data against the TPS a region list expects.

They need a region list that numbers the TPS of each desa (`--master` in KPU format, table
`rk_expected_tps`); the definitions of expected, received, root and scope are in
`rekap.aggregate.completeness`.
"""

from __future__ import annotations

from rekap.db import literal, text_sql
from rekap.i18n import N_, _
from rekap.regions import PREFIX
from rekap.validate.registry import Check, Context, NotApplicable, Rule, rule
from rekap.validate.sql import coded, decimal_mark

NO_SOURCE = "NULL::INTEGER AS _file, NULL::BIGINT AS _row"


def _not_applicable(ctx: Context) -> NotApplicable | None:
    if not ctx.has_master:
        return NotApplicable(N_("daftar wilayah tidak diberikan (--master)"))
    if not ctx.has_master_tps:
        return NotApplicable(N_("daftar wilayah tidak memuat nomor TPS per desa (mis. daftar Kemendagri); pakai daftar KPU"))
    return None


@rule(
    "K001", "warning",
    title=N_("TPS yang diharapkan tidak ada"),
    message=N_("{0}: TPS diharapkan oleh daftar wilayah{4} tetapi tidak ada dalam data"),
    explanation=N_(
        "TPS yang diharapkan daftar wilayah (daftar KPU menomori TPS setiap desa 001..n, ditambah TPS"
        " khusus 9xx) tidak memiliki baris dalam data. Satu temuan untuk setiap TPS yang belum masuk,"
        " pada `kode_tps` yang diharapkan, tanpa baris sumber.\n\n"
        "Cakupan: hanya kecamatan yang tersentuh data (yang paling sedikit satu TPS-nya yang "
        "diharapkan sudah masuk), sehingga berkas kecamatan milik PPK yang diperiksa dengan daftar "
        "nasional hanya menyebut kekurangan kecamatan itu, bukan semua TPS lain di seluruh negeri. "
        "Kecamatan, kab/kota atau provinsi yang sama sekali tidak punya TPS dalam data dilaporkan "
        "sekali oleh K003 (bila berada di dalam wilayah yang direkap data), bukan TPS demi TPS. TPS "
        "luar negeri (provinsi 99) tidak diperiksa: daftar dan Sirekap menomorinya secara berbeda. "
        "Sebuah baris dihitung masuk berapa pun angkanya (baris kosong adalah urusan P008), untuk "
        "jenis pemilihan apa pun dalam data. Daftar harus untuk pemilihan yang sama dengan data: TPS "
        "Pilkada 2024 bukan TPS Pemilu 2024 (Jawa Timur: 60.751 dibanding 120.666), sehingga data "
        "Pilkada yang diperiksa dengan daftar Pemilu KPU sebagian besar \"belum masuk\".\n\n"
        "Mengapa: TPS yang tidak ada dalam rekap adalah formulir yang belum tiba atau tertinggal; "
        "jumlah rekap kurang sebanyak suaranya.\n\n"
        "Contoh: 3101011001005 ada dalam daftar (desa PULAU PANGGANG punya TPS 001–018) tetapi tidak "
        "ada dalam data."
    ),
)
def k001(ctx: Context) -> list[Check] | NotApplicable:
    na = _not_applicable(ctx)
    if na is not None:
        return na
    desa = text_sql(_(" (desa {name})", ctx.lang), name="coalesce(m.nama, e.kode_desa)")
    sql = f"""
        SELECT e.kode_tps AS kode_wilayah, 'kode_tps' AS field, NULL::BIGINT AS expected, NULL::BIGINT AS actual,
               {desa} AS detail, {NO_SOURCE}
        FROM rk_k_expected e
        LEFT JOIN rk_master_units m ON m.kode = e.kode_desa
        WHERE NOT e.received
          AND left(e.kode_tps, 6) IN (SELECT kode FROM rk_k_units WHERE level = 'kecamatan' AND n_recv > 0)"""
    return [Check(field="kode_tps", sql=sql)]


@rule(
    "K002", "warning",
    title=N_("TPS tidak diharapkan daftar wilayah"),
    message=N_("{0}: TPS tidak diharapkan oleh daftar wilayah{4}"),
    explanation=N_(
        "Baris yang TPS-nya tidak diharapkan daftar wilayah: desanya ada dalam daftar, tetapi nomor "
        "TPS-nya di atas TPS terakhir desa itu dan di luar rentang TPS khususnya (9xx). Satu temuan "
        "per baris; pesannya menyebut nomor-nomor TPS yang dimuat daftar untuk desa itu.\n\n"
        "TPS yang desanya (atau kecamatan, kab/kota, provinsinya) sama sekali tidak ada dalam daftar "
        "adalah temuan S006 dan tidak diulang di sini: penyebabnya kode wilayah, bukan nomor TPS. "
        "Kode yang tidak sah adalah urusan S005. TPS luar negeri (provinsi 99) tidak diperiksa.\n\n"
        "Mengapa: nomor TPS yang tidak dikenal daftar adalah salah ketik pada kode, TPS yang "
        "ditambahkan setelah daftar dibuat, atau formulir yang dicatat ke desa yang salah.\n\n"
        "Contoh: 3101011001019 padahal daftar memberi desa PULAU PANGGANG TPS 001–018."
    ),
)
def k002(ctx: Context) -> list[Check] | NotApplicable:
    na = _not_applicable(ctx)
    if na is not None:
        return na
    name = "coalesce(m.nama, b.kode_desa)"
    has = text_sql(_(" (desa {name}: daftar memuat TPS {numbers})", ctx.lang), name=name, numbers="r.r")
    none = text_sql(_(" (desa {name}: daftar tidak memuat TPS)", ctx.lang), name=name)
    sql = f"""
        WITH rk_k_bad AS MATERIALIZED (
            SELECT t.kode_tps, t.kode_desa, t._file, t._row
            FROM rk_tps t
            WHERE NOT t._ln AND {coded(ctx)} AND right(t.kode_tps, 3) <> '000'
              AND t.kode_desa IN (SELECT kode FROM rk_master_units WHERE level = 'desa')
              AND t.kode_tps NOT IN (SELECT kode_tps FROM rk_expected_tps)),
        rk_k_no AS (SELECT kode_desa, right(kode_tps, 3)::INTEGER AS no FROM rk_expected_tps
                    WHERE kode_desa IN (SELECT kode_desa FROM rk_k_bad)),
        rk_k_runs AS (SELECT kode_desa, min(no) AS lo, max(no) AS hi
                      FROM (SELECT kode_desa, no, no - row_number() OVER (PARTITION BY kode_desa ORDER BY no) AS g
                            FROM rk_k_no)
                      GROUP BY kode_desa, g),
        rk_k_ranges AS (SELECT kode_desa,
                               string_agg(CASE WHEN lo = hi THEN lpad(lo::VARCHAR, 3, '0')
                                               ELSE lpad(lo::VARCHAR, 3, '0') || '–' || lpad(hi::VARCHAR, 3, '0') END,
                                          ', ' ORDER BY lo) AS r
                        FROM rk_k_runs GROUP BY kode_desa)
        SELECT b.kode_tps AS kode_wilayah, 'kode_tps' AS field, NULL::BIGINT AS expected, NULL::BIGINT AS actual,
               CASE WHEN r.r IS NULL THEN {none} ELSE {has} END AS detail,
               b._file, b._row
        FROM rk_k_bad b
        LEFT JOIN rk_k_ranges r ON r.kode_desa = b.kode_desa
        LEFT JOIN rk_master_units m ON m.kode = b.kode_desa"""
    return [Check(field="kode_tps", sql=sql)]


@rule(
    "K003", "info",
    title=N_("Kelengkapan TPS per wilayah"),
    message=N_("{0}: {2} dari {1} TPS yang diharapkan sudah masuk{4}"),
    explanation=N_(
        "Untuk setiap wilayah (desa, kecamatan, kab/kota, provinsi): TPS yang masuk dari TPS yang "
        "diharapkan daftar wilayah, sebagai keterangan. `expected` = TPS yang diharapkan, `actual` = "
        "TPS dalam data di wilayah itu (TPS yang dijumlahkan rekap di sana: angka yang sama di mana "
        "pun), `selisih` = actual − expected (TPS yang belum masuk, negatif). Temuan muncul bila TPS "
        "yang masuk lebih sedikit daripada yang diharapkan; pesannya memberi persentase (dibulatkan "
        "ke bawah, sehingga wilayah yang belum lengkap tidak pernah menunjukkan 100 %) dan nama "
        "wilayahnya.\n\n"
        "Cakupan: `--wilayah`, atau bila tidak diberikan, data dibaca sebagai rekap wilayah terkecil "
        "yang memuat seluruhnya (*akarnya*: satu kecamatan untuk berkas PPK, kab/kota untuk berkas "
        "KPU Kabupaten/Kota, provinsi, atau nasional). Setiap wilayah dalam cakupan diperiksa dan "
        "hanya muncul bila belum lengkap, sehingga rekap yang lengkap sama sekali tidak memiliki "
        "temuan K003. Dari wilayah yang belum satu TPS pun masuk, hanya wilayah tertinggi yang "
        "dilaporkan (kecamatan yang belum masuk disebut sekali, bukan setiap desanya). Wilayah di "
        "atas cakupan tidak dilaporkan (berkas kecamatan tidak mengaku mencakup kab/kotanya). Wilayah"
        " luar negeri (provinsi 99) tidak diperiksa.\n\n"
        "Mengapa: rekap atas formulir yang belum lengkap bukanlah hasil wilayah itu.\n\n"
        "Contoh: kecamatan 110706 (GLUMPANG TIGA) memiliki 66 dari 68 TPS yang diharapkan (97,0 %)."
    ),
)
def k003(ctx: Context) -> list[Check] | NotApplicable:
    na = _not_applicable(ctx)
    if na is not None:
        return na
    # Rounded down to one decimal in integers (an incomplete unit never shows 100 %), written with the
    # language's decimal mark.
    pct = f"replace(printf('%.1f', ((1000 * s.n_dom) // s.n_exp)::DOUBLE / 10), '.', {literal(decimal_mark(ctx.lang))})"
    named = text_sql(_(" ({percent} %; {name})", ctx.lang), percent=pct, name="m.nama")
    unnamed = text_sql(_(" ({percent} %)", ctx.lang), percent=pct)
    # One statement for every level, over the scope built once (`ensure_scope`).
    sql = f"""
        SELECT s.kode AS kode_wilayah, 'n_tps' AS field, s.n_exp AS expected, s.n_dom AS actual,
               coalesce({named}, {unnamed}) AS detail, {NO_SOURCE}, s.level AS level
        FROM rk_k_scope s
        LEFT JOIN rk_k_units p ON p.kode = s.parent
        LEFT JOIN rk_master_units m ON m.kode = s.kode
        WHERE s.level IN ({', '.join(repr(lv) for lv in PREFIX)}) AND s.n_dom < s.n_exp
          AND (s.n_dom > 0 OR p.n_dom > 0 OR p.kode IS NULL OR s._top)"""
    checks = [Check(field="n_tps", sql=sql, level="*")]
    return checks


RULES: tuple[Rule, ...] = (k001, k002, k003,)
