"""Structure rules (S): file and row shape, before any arithmetic.

They run over the tables the engine prepares: `rk_raw` (the input as read), `rk_dup_extra`
(exact duplicate rows beyond the first), `rk_tps` (typed, one row per distinct record),
`rk_rejected` (rows the reader could not parse) and `rk_master` (the region list, with `--master`).
"""

from __future__ import annotations

from rekap.db import text_sql
from rekap.i18n import N_, _
from rekap.regions import CODE_COLUMN, PREFIX, level_of_code_sql
from rekap.schema import NUMERIC_COLUMNS, quote_ident
from rekap.validate.registry import Check, Context, NotApplicable, Rule, rule
from rekap.validate.sql import c, coded, is_tps_code


@rule(
    "S001", "error",
    title=N_("Kolom kunci tidak ada"),
    message=N_("{0}: {4}"),
    explanation=N_(
        "Masukan tidak memiliki kolom yang mengenali TPS (`kode_tps`, atau judul kolom yang dipetakan"
        " rekap ke sana, seperti \"Kode TPS\"). Berkas itu tidak dapat dipakai: rekap berhenti dengan "
        "kode keluar 2 dan menyebut nama berkasnya.\n\n"
        "Mengapa: tanpa kode TPS tidak ada angka yang bisa ditempatkan dalam rekap.\n\n"
        "Perbaikan: ganti nama kolomnya, atau petakan dengan `--columns map.toml`."
    ),
)
def s001(ctx: Context) -> list[Check] | NotApplicable:
    return NotApplicable(N_("diperiksa saat membaca berkas"))


@rule(
    "S002", "error",
    title=N_("Isi sel bukan bilangan bulat ≥ 0"),
    message=N_("{0}: nilai {4} bukan bilangan bulat tidak negatif"),
    explanation=N_(
        "Sel angka berisi teks, bilangan desimal, bilangan negatif, bilangan yang terlalu besar untuk"
        " 64 bit, atau (dalam Parquet) NaN atau tak hingga. Nilai aslinya dikutip; sel itu tidak ikut"
        " dalam penjumlahan dan aturan mana pun (bagian lain barisnya tetap dipakai).\n\n"
        "Diterima sebagai bilangan bulat: `123`, `+123`, pemisah ribuan `1.234` / `1,234`, dan "
        "`12.0`. Sel kosong dan `-` dianggap kosong, bukan galat.\n\n"
        "Contoh: `12a`, `1,5`, `-3`, `#REF!`."
    ),
)
def s002(ctx: Context) -> list[Check] | NotApplicable:
    if ctx.has_reported:
        # Cells of reported recaps that are not counts (collected by rekap.io.reported).
        level = f"coalesce({level_of_code_sql('b.kode_wilayah')}, 'nasional')"
        return [
            Check(
                sql=f"""SELECT b.kode_wilayah, b.field, NULL::BIGINT AS expected, NULL::BIGINT AS actual,
                               '"' || coalesce(b.raw, '') || '"' || coalesce(' (' || b.reason || ')', '') AS detail,
                               b._file, b._row, {level} AS level
                        FROM rk_reported_bad b""",
                level="*",
            )
        ]
    names = [n for n in NUMERIC_COLUMNS if n in ctx.columns]
    if not names:
        return NotApplicable(N_("tidak ada kolom angka"))
    if not ctx.bad_cells:
        # Every count cell typed (or was empty): nothing to read again (a scan of the raw input saved).
        return []
    # The engine flags rows with a bad cell while typing them (`_s002`); only those rows are read
    # again here, once: per column the raw text when the cell is bad (else NULL), then UNPIVOT (which
    # drops the NULLs) gives one row per bad cell. One expression per column rather than one UNION
    # part per column: DuckDB plans 40 parts over a shared scan in ~0.25 s, the UNPIVOT in a few ms.
    # A text cell is bad when it is not blank and typing gave no count: `rk_tps_base` holds what
    # `rk_count` gives (the typing's fast path is rk_count's), so no macro is expanded again per column.
    cells = []
    for name in names:
        col = f"r.{quote_ident(name)}"
        if name in ctx.text_numeric:
            bad = f"b.{quote_ident(name)} IS NULL AND NOT rk_blank({col})"
        else:
            # Native numbers: negative, fractional, NaN/infinite or beyond 64 bits.
            bad = f"({col} IS NOT NULL AND ({col} < 0 OR {col} <> floor({col}) OR TRY_CAST({col} AS BIGINT) IS NULL))"
        cells.append(f"CASE WHEN {bad} THEN {col}::VARCHAR END AS {quote_ident(name)}")
    sql = f"""SELECT rk_code(u.kode_tps) AS kode_wilayah, u.field, NULL::BIGINT AS expected, NULL::BIGINT AS actual,
                     '"' || u.raw || '"' AS detail, u._file, u._row
              FROM (SELECT r.kode_tps, r._file, r._row, {', '.join(cells)}
                    FROM rk_raw r JOIN (SELECT * FROM rk_tps_base WHERE _s002) b
                    ON r._file = b._file AND r._row = b._row)
              UNPIVOT (raw FOR field IN ({', '.join(quote_ident(n) for n in names)})) u"""
    checks = [Check(field="*", sql=sql)]
    return checks or NotApplicable(N_("tidak ada kolom angka"))


@rule(
    "S003", "error",
    title=N_("TPS ganda dengan angka berbeda"),
    message=N_("{0}: TPS ini muncul lagi dengan angka berbeda{4}"),
    explanation=N_(
        "`kode_tps` yang sama muncul lebih dari sekali dalam satu sumber (kolom `sumber`, atau "
        "seluruh masukan bila kolom itu tidak ada) dan satu jenis pemilihan, dengan angka yang "
        "berbeda. Setiap salinan tetap diperiksa dan dilaporkan; temuan pada setiap salinan "
        "berikutnya menyebut kolom pertama yang berbeda, dengan nilai salinan pertama sebagai "
        "`expected`.\n\n"
        "Mengapa: dua formulir berbeda untuk satu TPS berarti salah satunya keliru; rekap tidak boleh"
        " diam-diam menghitung keduanya.\n\n"
        "Contoh: baris 12 dan 340 sama-sama 3101011001001, suara_paslon_2 107 dan 170."
    ),
)
def s003(ctx: Context) -> list[Check] | NotApplicable:
    if not ctx.duplicate_codes:
        return []
    numeric = [n for n in NUMERIC_COLUMNS if n in ctx.columns]
    diff_field = "CASE " + " ".join(
        f"WHEN a.{quote_ident(n)} IS DISTINCT FROM b.{quote_ident(n)} THEN '{n}'" for n in numeric
    ) + " ELSE 'kode_tps' END" if numeric else "'kode_tps'"
    exp = "CASE " + " ".join(
        f"WHEN a.{quote_ident(n)} IS DISTINCT FROM b.{quote_ident(n)} THEN a.{quote_ident(n)}" for n in numeric
    ) + " END" if numeric else "NULL"
    act = exp.replace("THEN a.", "THEN b.")
    sumber = "coalesce(t.sumber, '')" if "sumber" in ctx.columns else "''"
    first = text_sql(_(" ({source} baris {row})", ctx.lang),
                     source="(SELECT source FROM rk_source_order o WHERE o.idx = a._file)", row="a._row")
    sql = f"""
        WITH k AS (SELECT t.*, {sumber} AS _sb,
                          row_number() OVER (PARTITION BY {sumber}, t.jenis_pemilihan, t.kode_tps ORDER BY t._file, t._row) AS _k
                   FROM rk_tps t
                   WHERE t.kode_tps IN (SELECT kode_tps FROM rk_tps GROUP BY kode_tps HAVING count(*) > 1))
        SELECT b.kode_tps AS kode_wilayah, {diff_field} AS field, ({exp})::BIGINT AS expected,
               ({act})::BIGINT AS actual, {first} AS detail,
               b._file, b._row
        FROM k a JOIN k b ON a._sb = b._sb AND a.jenis_pemilihan = b.jenis_pemilihan AND a.kode_tps = b.kode_tps
                      AND a._k = 1 AND b._k > 1"""
    return [Check(field="kode_tps", sql=sql)]


@rule(
    "S004", "warning",
    title=N_("Baris ganda persis"),
    message=N_("{0}: baris ganda persis{4}; dihitung sekali"),
    explanation=N_(
        "Baris yang persis mengulang baris lain (semua kolom sama, mis. rekaman yang diunggah dua "
        "kali atau baris ganda dalam dump JSONL). Baris itu dipakai sekali: salinannya dilaporkan, "
        "tidak dijumlahkan.\n\n"
        "Mengapa: menghitungnya dua kali akan menggelembungkan rekap.\n\n"
        "Contoh: baris Sirekap yang sama dua kali dalam satu dump."
    ),
)
def s004(ctx: Context) -> list[Check] | NotApplicable:
    if not ctx.duplicate_codes:
        return []  # no TPS code twice, so no exact duplicate (`rk_dup_extra` is empty): a statement saved
    first = text_sql(_(" (sama dengan {source} baris {row})", ctx.lang),
                     source="(SELECT source FROM rk_source_order o WHERE o.idx = x.first_file)", row="x.first_row")
    sql = f"""SELECT x.kode_wilayah, 'kode_tps' AS field, NULL::BIGINT AS expected, NULL::BIGINT AS actual,
                    {first} AS detail,
                    x._file, x._row
             FROM rk_dup_extra x"""
    return [Check(field="kode_tps", sql=sql)]


@rule(
    "S005", "error",
    title=N_("Kode wilayah tidak sah"),
    message=N_("{0}: kode {4}"),
    explanation=N_(
        "Kode wilayah yang tidak sah atau tidak konsisten: `kode_tps` bukan 13 angka setelah titik "
        "dan spasi dibuang; kode provinsi di luar 11–99; bagian kab/kota 00 atau 70 (kabupaten 01–69,"
        " kota 71–99); bagian kecamatan 00; akhiran desa yang tidak diawali 1, 2 atau 3; nomor TPS "
        "000; atau kode_prov/kode_kabkota/kode_kec/kode_desa yang diberikan tetapi bukan awalan "
        "`kode_tps`. Kode luar negeri (provinsi 99) hanya diperiksa panjang dan angkanya.\n\n"
        "Mengapa: TPS dengan kode yang salah masuk ke wilayah yang keliru, atau tidak masuk ke "
        "wilayah mana pun.\n\n"
        "Contoh: `310101100101` (12 angka)."
    ),
)
def s005(ctx: Context) -> list[Check] | NotApplicable:
    lang = ctx.lang
    # The unit codes as prefixes of the TPS code itself, not the view's columns of the same values: naming those
    # makes DuckDB compute them for every row before the filter (half this check's time on 822,607 TPS).
    unit = {level: f"left(t.kode_tps, {n})" for level, n in PREFIX.items()}
    problems = [
        (f"NOT {is_tps_code('t.kode_tps')}",
         text_sql(_('"{code}" bukan 13 angka', lang), code="coalesce(t._kode_raw, t.kode_tps)")),
        (f"{unit['provinsi']} < '11'", text_sql(_("{code} bukan kode provinsi", lang), code=unit["provinsi"])),
        ("NOT t._ln AND (substr(t.kode_tps, 3, 2) IN ('00', '70'))",
         text_sql(_("{code} bukan kode kabupaten/kota (01–69, 71–99)", lang), code=unit["kabkota"])),
        ("NOT t._ln AND substr(t.kode_tps, 5, 2) = '00'",
         text_sql(_("{code} bukan kode kecamatan", lang), code=unit["kecamatan"])),
        ("NOT t._ln AND substr(t.kode_tps, 7, 1) NOT IN ('1', '2', '3')",
         text_sql(_("{code} bukan kode desa/kelurahan (akhiran 1xxx, 2xxx, 3xxx)", lang), code=unit["desa"])),
        ("right(t.kode_tps, 3) = '000'", text_sql(_("{code} nomor TPS 000", lang), code="t.kode_tps")),
    ]
    # One finding per TPS for the code itself, naming the first problem found. A CASE runs the pattern once
    # per row and the part checks only on the codes it lets through (all of them, without the pattern, when
    # prepare counted every code 13 digits: `ctx.odd_codes` false).
    part_checks = " OR ".join(f"({p})" for p, _detail in problems[1:])
    any_problem = (f"CASE WHEN {is_tps_code('t.kode_tps')} THEN {part_checks} ELSE true END" if ctx.odd_codes
                   else part_checks)
    detail = "CASE " + " ".join(f"WHEN {p} THEN {d}" for p, d in problems) + " END"
    checks: list[Check] = [Check(field="kode_tps", violated=any_problem, detail=detail)]
    # Given region columns are compared with the code they should prefix, from the input as read,
    # in one scan. Only rows where the text as read differs are normalised (`rk_code`) and compared: when
    # the code's text is already plain and each given column's text is its prefix, the normalised values
    # are the same texts and cannot differ (most rows of most files; 5 normalisations a row cost ~0.15 s
    # on 822,607 TPS).
    given = [(CODE_COLUMN[level], n) for level, n in PREFIX.items() if CODE_COLUMN[level] in ctx.columns]
    if given:
        mismatch = _("{code} tidak cocok dengan kode TPS ({prefix})", lang)
        codes = ", ".join(f"rk_code(r.{col}) AS {col}" for col, _n in given)
        differs = " OR ".join(f"(g.{col} IS NOT NULL AND g.{col} <> left(g.k, {n}))" for col, n in given)
        same = " AND ".join(["coalesce(rk_code_plain(r.kode_tps), true)", *(
            f"(r.{col} IS NULL OR r.{col}::VARCHAR = left(r.kode_tps::VARCHAR, {n}))" for col, n in given)])
        parts = [
            f"""SELECT k AS kode_wilayah, '{col}' AS field, NULL::BIGINT AS expected, NULL::BIGINT AS actual,
                       {text_sql(mismatch, code=col, prefix=f"left(k, {n})")} AS detail, _file, _row
                FROM odd WHERE {col} IS NOT NULL AND {col} <> left(k, {n})"""
            for col, n in given
        ]
        checks.append(
            Check(
                field="*",
                sql=f"""WITH odd AS MATERIALIZED (
                            SELECT * FROM (SELECT coalesce(rk_code(r.kode_tps), '') AS k, {codes}, r._file, r._row
                                           FROM rk_raw r ANTI JOIN rk_dup_extra x ON r._file = x._file AND r._row = x._row
                                           WHERE NOT ({same})) g
                            WHERE {is_tps_code('g.k')} AND ({differs}))
                        """ + "\nUNION ALL\n".join(parts),
            )
        )
    return checks


@rule(
    "S006", "warning",
    title=N_("Kode wilayah tidak dikenal"),
    message=N_("{0}: {4} tidak ada dalam daftar wilayah"),
    explanation=N_(
        "Kode wilayah yang bentuknya benar tetapi tidak dikenal daftar wilayah (`--master`, mis. "
        "daftar KPU atau daftar Kemendagri). Temuan menyebut tingkat tertinggi yang tidak dikenal "
        "(provinsi, kab/kota, kecamatan, desa).\n\n"
        "Mengapa: kode yang tidak dikenal daftar bisa berupa salah ketik, wilayah baru atau yang "
        "berganti nama, atau perbedaan kode KPU dan Kemendagri.\n\n"
        "Contoh: kode_kec 317101 tidak ada dalam daftar."
    ),
)
def s006(ctx: Context) -> list[Check] | NotApplicable:
    if not ctx.has_master:
        return NotApplicable(N_("daftar wilayah tidak diberikan (--master)"))
    # The unit codes as prefixes of the TPS code (not the view's unit columns, which DuckDB would compute for
    # every row before the filter; see S005).
    levels = [(CODE_COLUMN[level], f"left(t.kode_tps, {n})") for level, n in PREFIX.items()]
    field = "CASE " + " ".join(f"WHEN {code} NOT IN (SELECT kode FROM rk_master) THEN '{col}'"
                               for col, code in levels) + " END"
    detail = "CASE " + " ".join(f"WHEN {code} NOT IN (SELECT kode FROM rk_master) THEN {code}"
                                for _col, code in levels) + " END"
    sql = f"""
        SELECT t.kode_tps AS kode_wilayah, {field} AS field, NULL::BIGINT AS expected, NULL::BIGINT AS actual,
               {detail} AS detail, t._file, t._row
        FROM rk_tps t
        WHERE {coded(ctx)}
          AND {levels[-1][1]} NOT IN (SELECT kode FROM rk_master)"""
    return [Check(field="kode_desa", sql=sql)]


@rule(
    "S007", "error",
    title=N_("Angka TPS di atas 999"),
    message=N_("{0}: {2} tidak muat di kotak 3 angka formulir (maks. {1})"),
    explanation=N_(
        "Angka tingkat TPS di atas 999: formulir C.Hasil memiliki kotak 3 angka, jadi angka itu salah"
        " baca atau salah ketik. Wilayah luar negeri (provinsi 99: POS, KSK) dikecualikan.\n\n"
        "Contoh: suara_paslon_1 1748."
    ),
)
def s007(ctx: Context) -> list[Check] | NotApplicable:
    numeric = [n for n in NUMERIC_COLUMNS if n in ctx.columns]
    if not numeric:
        return NotApplicable(N_("tidak ada kolom angka"))
    # One scan finds the forms with any box above 999 (greatest() skips empty cells); only those
    # are split per box: per column the count when it is above, else NULL, and UNPIVOT (which drops
    # the NULLs) gives one row per box (one expression per column: a UNION part per column cost ~10 ms
    # of planning on a small file).
    greatest = f"greatest({', '.join(c(n) for n in numeric)})"
    over = ", ".join(f"CASE WHEN {c(n)} > t._maxbox THEN {c(n)} END AS {quote_ident(n)}" for n in numeric)
    sql = f"""SELECT u.kode_tps AS kode_wilayah, u.field, u._maxbox::BIGINT AS expected, u.actual,
                     '' AS detail, u._file, u._row
              FROM (SELECT t.kode_tps, t._maxbox, t._file, t._row, {over}
                    FROM rk_tps t WHERE NOT t._ln AND {greatest} > t._maxbox)
              UNPIVOT (actual FOR field IN ({', '.join(quote_ident(n) for n in numeric)})) u"""
    return [Check(field="*", sql=sql)]


@rule(
    "S008", "error",
    title=N_("Baris tidak terbaca"),
    message=N_("baris tidak terbaca: {4}"),
    explanation=N_(
        "Baris yang tidak dapat dipisah pembaca menjadi kolom-kolom berkasnya (sel terlalu banyak "
        "atau terlalu sedikit, tanda kutip yang tidak ditutup). Baris itu tidak masuk jumlah mana "
        "pun; teksnya dikutip agar dapat diperbaiki.\n\n"
        "Mengapa: baris yang hilang diam-diam adalah TPS yang hilang dari rekap.\n\n"
        "Contoh: `3101011001001,83,107` dalam berkas dengan 30 kolom."
    ),
)
def s008(ctx: Context) -> list[Check] | NotApplicable:
    if not ctx.rejected_rows:
        return []  # every row was read (`rk_rejected` is empty): a statement saved
    sql = """SELECT NULL AS kode_wilayah, 'baris' AS field, NULL::BIGINT AS expected, NULL::BIGINT AS actual,
                    reason || ': ' || left(replace(replace(text, chr(13), ' '), chr(10), ' '), 120) AS detail,
                    _file, _row
             FROM rk_rejected"""
    return [Check(field="baris", sql=sql)]


RULES: tuple[Rule, ...] = (s001, s002, s003, s004, s005, s006, s007, s008,)
