"""Structure rules (S): file and row shape, before any arithmetic.

They run over the tables the engine prepares: `rk_raw` (the input as read), `rk_dup_extra`
(exact duplicate rows beyond the first), `rk_tps` (typed, one row per distinct record),
`rk_rejected` (rows the reader could not parse) and `rk_master` (the region list, with `--master`).
"""

from __future__ import annotations

from rekap.schema import NUMERIC_COLUMNS, quote_ident
from rekap.validate.registry import Check, Context, NotApplicable, Rule, rule
from rekap.validate.sql import c


@rule("S001", "error", "Kolom kunci tidak ada", "Required column missing",
      "{0}: {4}", "{0}: {4}")
def s001(ctx: Context) -> list[Check] | NotApplicable:
    """The input has no column that identifies the TPS (`kode_tps`, or a header rekap maps to it,
    such as "Kode TPS"). The file is unusable: rekap stops with exit code 2 and names the file.

    Why: without the TPS code no number can be placed in the recap. Fix: rename the column or map it
    with `--columns map.toml`.
    """
    return NotApplicable("diperiksa saat membaca berkas", "checked while reading the file")


@rule("S002", "error", "Isi sel bukan bilangan bulat ≥ 0", "Count cell is not a whole number ≥ 0",
      "{0}: nilai {4} bukan bilangan bulat tidak negatif", "{0}: value {4} is not a non-negative whole number")
def s002(ctx: Context) -> list[Check] | NotApplicable:
    """A count cell holds text, a decimal, a negative number, a number too large for 64 bits, or (in
    Parquet) NaN or infinity.
    The raw value is quoted; the cell is left out of every sum and rule (the rest of the row is used).

    Accepted as whole numbers: `123`, `+123`, thousand separators `1.234` / `1,234`, and `12.0`.
    Empty cells and `-` are empty, not errors. Example: `12a`, `1,5`, `-3`, `#REF!`.
    """
    if ctx.has_reported:
        # Cells of reported recaps that are not counts (collected by rekap.io.reported).
        level = "CASE length(b.kode_wilayah) WHEN 2 THEN 'provinsi' WHEN 4 THEN 'kabkota' WHEN 6 THEN 'kecamatan' WHEN 10 THEN 'desa' ELSE 'nasional' END"
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
        return NotApplicable("tidak ada kolom angka", "no count columns")
    if not ctx.bad_cells:
        # Every count cell typed (or was empty): nothing to read again (a scan of the raw input saved).
        return []
    # The engine flags rows with a bad cell while typing them (`_s002`); only those rows are read
    # again here, once, and split per column.
    parts = []
    for name in names:
        col = f"r.{quote_ident(name)}"
        if name in ctx.text_numeric:
            bad = f"NOT rk_blank({col}) AND rk_count({col}) IS NULL"
        else:
            # Native numbers: negative, fractional, NaN/infinite or beyond 64 bits.
            bad = f"({col} IS NOT NULL AND ({col} < 0 OR {col} <> floor({col}) OR TRY_CAST({col} AS BIGINT) IS NULL))"
        parts.append(
            f"""SELECT rk_code(r.kode_tps) AS kode_wilayah, '{name}' AS field, NULL::BIGINT AS expected,
                       NULL::BIGINT AS actual, '"' || {col}::VARCHAR || '"' AS detail, r._file, r._row
                FROM bad r WHERE {bad}"""
        )
    sql = (
        "WITH bad AS MATERIALIZED (SELECT r.* FROM rk_raw r SEMI JOIN (SELECT _file, _row FROM rk_tps_base WHERE _s002) b "
        "ON r._file = b._file AND r._row = b._row)\n" + "\nUNION ALL\n".join(parts)
    )
    checks = [Check(field="*", sql=sql)]
    return checks or NotApplicable("tidak ada kolom angka", "no count columns")


@rule("S003", "error", "TPS ganda dengan angka berbeda", "Same TPS twice with different values",
      "{0}: TPS ini muncul lagi dengan angka berbeda{4}", "{0}: this TPS appears again with different values{4}")
def s003(ctx: Context) -> list[Check] | NotApplicable:
    """The same `kode_tps` appears more than once in one source (the `sumber` column, or the whole
    input when there is none) and one election type with different values. Every copy is still checked and reported; the
    finding on each later copy names the first field that differs, with the first copy's value as
    `expected`.

    Why: two different forms for one TPS means one of them is wrong; the recap must not count both
    silently. Example: rows 12 and 340 both 3101011001001, suara_paslon_2 107 vs 170.
    """
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
    sql = f"""
        WITH k AS (SELECT t.*, {sumber} AS _sb,
                          row_number() OVER (PARTITION BY {sumber}, t.jenis_pemilihan, t.kode_tps ORDER BY t._file, t._row) AS _k
                   FROM rk_tps t
                   WHERE t.kode_tps IN (SELECT kode_tps FROM rk_tps GROUP BY kode_tps HAVING count(*) > 1))
        SELECT b.kode_tps AS kode_wilayah, {diff_field} AS field, ({exp})::BIGINT AS expected,
               ({act})::BIGINT AS actual, ' (' || (SELECT source FROM rk_source_order o WHERE o.idx = a._file) || '{" baris " if ctx.lang == "id" else " row "}' || a._row || ')' AS detail,
               b._file, b._row
        FROM k a JOIN k b ON a._sb = b._sb AND a.jenis_pemilihan = b.jenis_pemilihan AND a.kode_tps = b.kode_tps
                      AND a._k = 1 AND b._k > 1"""
    return [Check(field="kode_tps", sql=sql)]


@rule("S004", "warning", "Baris ganda persis", "Exact duplicate row",
      "{0}: baris ganda persis{4}; dihitung sekali", "{0}: exact duplicate row{4}; counted once")
def s004(ctx: Context) -> list[Check] | NotApplicable:
    """A row that repeats another row exactly (every column equal, e.g. a record uploaded twice or
    a duplicate line in a JSONL dump). It is kept once: the copy is reported, not counted.

    Why: counting it twice would inflate the recap. Example: the same Sirekap line twice in a dump.
    """
    same, row = ("sama dengan", "baris") if ctx.lang == "id" else ("same as", "row")
    sql = f"""SELECT x.kode_wilayah, 'kode_tps' AS field, NULL::BIGINT AS expected, NULL::BIGINT AS actual,
                    ' ({same} ' || (SELECT source FROM rk_source_order o WHERE o.idx = x.first_file) || ' {row} ' || x.first_row || ')' AS detail,
                    x._file, x._row
             FROM rk_dup_extra x"""
    return [Check(field="kode_tps", sql=sql)]


@rule("S005", "error", "Kode wilayah tidak sah", "Malformed region code",
      "{0}: kode {4}", "{0}: code {4}")
def s005(ctx: Context) -> list[Check] | NotApplicable:
    """A region code is malformed or inconsistent: `kode_tps` not 13 digits after removing dots and
    spaces; province outside 11–99; kab/kota part 00 or 70 (kabupaten are 01–69, kota 71–99); a
    kecamatan part 00; a desa suffix not starting with 1, 2 or 3; TPS number 000; or a given
    kode_prov/kode_kabkota/kode_kec/kode_desa that is not the prefix of `kode_tps`. Overseas codes
    (province 99) are only checked for length and digits.

    Why: a TPS with a bad code lands in the wrong unit or in none. Example: `310101100101` (12 digits).
    """
    id_ = ctx.lang == "id"
    problems = [
        ("NOT regexp_full_match(t.kode_tps, '[0-9]{13}')",
         "'\"' || coalesce(t._kode_raw, t.kode_tps) || '\"' || " + ("' bukan 13 angka'" if id_ else "' is not 13 digits'")),
        ("t.kode_prov < '11'", "t.kode_prov || " + ("' bukan kode provinsi'" if id_ else "' is not a province code'")),
        ("NOT t._ln AND (substr(t.kode_tps, 3, 2) IN ('00', '70'))",
         "t.kode_kabkota || " + ("' bukan kode kabupaten/kota (01–69, 71–99)'" if id_ else "' is not a kabupaten/kota code (01–69, 71–99)'")),
        ("NOT t._ln AND substr(t.kode_tps, 5, 2) = '00'",
         "t.kode_kec || " + ("' bukan kode kecamatan'" if id_ else "' is not a kecamatan code'")),
        ("NOT t._ln AND substr(t.kode_tps, 7, 1) NOT IN ('1', '2', '3')",
         "t.kode_desa || " + ("' bukan kode desa/kelurahan (akhiran 1xxx, 2xxx, 3xxx)'" if id_ else "' is not a desa/kelurahan code (suffix 1xxx, 2xxx, 3xxx)'")),
        ("right(t.kode_tps, 3) = '000'", "t.kode_tps || " + ("' nomor TPS 000'" if id_ else "' TPS number 000'")),
    ]
    valid = "regexp_full_match(t.kode_tps, '[0-9]{13}')"
    # One finding per TPS for the code itself, naming the first problem found.
    any_problem = f"({problems[0][0]}) OR ({valid} AND (" + " OR ".join(f"({p})" for p, _ in problems[1:]) + "))"
    detail = "CASE " + " ".join(f"WHEN {p} THEN {d}" for p, d in problems) + " END"
    checks: list[Check] = [Check(field="kode_tps", violated=any_problem, detail=detail)]
    # Given region columns are compared with the code they should prefix, from the input as read,
    # in one scan.
    given = [(col, n) for col, n in (("kode_prov", 2), ("kode_kabkota", 4), ("kode_kec", 6), ("kode_desa", 10))
             if col in ctx.columns]
    if given:
        mismatch = "' tidak cocok dengan kode TPS ('" if id_ else "' does not match the TPS code ('"
        codes = ", ".join(f"rk_code(r.{col}) AS {col}" for col, _ in given)
        differs = " OR ".join(f"(g.{col} IS NOT NULL AND g.{col} <> left(g.k, {n}))" for col, n in given)
        parts = [
            f"""SELECT k AS kode_wilayah, '{col}' AS field, NULL::BIGINT AS expected, NULL::BIGINT AS actual,
                       {col} || {mismatch} || left(k, {n}) || ')' AS detail, _file, _row
                FROM odd WHERE {col} IS NOT NULL AND {col} <> left(k, {n})"""
            for col, n in given
        ]
        checks.append(
            Check(
                field="*",
                sql=f"""WITH odd AS MATERIALIZED (
                            SELECT * FROM (SELECT coalesce(rk_code(r.kode_tps), '') AS k, {codes}, r._file, r._row
                                           FROM rk_raw r ANTI JOIN rk_dup_extra x ON r._file = x._file AND r._row = x._row) g
                            WHERE regexp_full_match(g.k, '[0-9]{{13}}') AND ({differs}))
                        """ + "\nUNION ALL\n".join(parts),
            )
        )
    return checks


@rule("S006", "warning", "Kode wilayah tidak dikenal", "Region code unknown",
      "{0}: {4} tidak ada dalam daftar wilayah", "{0}: {4} is not in the region list")
def s006(ctx: Context) -> list[Check] | NotApplicable:
    """A well-formed region code that the master region list (`--master`, e.g. KPU's list or
    Kemendagri's) does not know. Names the highest unknown level (province, kab/kota, kecamatan, desa).

    Why: a code the list does not know may be a typo, a new/renamed unit or KPU-vs-Kemendagri drift.
    Example: kode_kec 317101 absent from the list.
    """
    if not ctx.has_master:
        return NotApplicable("daftar wilayah tidak diberikan (--master)", "no region list given (--master)")
    levels = ("kode_prov", "kode_kabkota", "kode_kec", "kode_desa")
    field = "CASE " + " ".join(f"WHEN t.{lv} NOT IN (SELECT kode FROM rk_master) THEN '{lv}'" for lv in levels) + " END"
    detail = "CASE " + " ".join(f"WHEN t.{lv} NOT IN (SELECT kode FROM rk_master) THEN t.{lv}" for lv in levels) + " END"
    sql = f"""
        SELECT t.kode_tps AS kode_wilayah, {field} AS field, NULL::BIGINT AS expected, NULL::BIGINT AS actual,
               {detail} AS detail, t._file, t._row
        FROM rk_tps t
        WHERE regexp_full_match(t.kode_tps, '[0-9]{{13}}')
          AND t.kode_desa NOT IN (SELECT kode FROM rk_master)"""
    return [Check(field="kode_desa", sql=sql)]


@rule("S007", "error", "Angka TPS di atas 999", "TPS count above 999",
      "{0}: {2} tidak muat di kotak 3 angka formulir (maks. {1})", "{0}: {2} does not fit the form's 3-digit boxes (max {1})")
def s007(ctx: Context) -> list[Check] | NotApplicable:
    """A TPS-level count above 999: the C.Hasil form has 3-digit boxes, so the number was misread or
    mistyped. Overseas units (province 99: POS, KSK) are exempt.

    Example: suara_paslon_1 1748.
    """
    numeric = [n for n in NUMERIC_COLUMNS if n in ctx.columns]
    if not numeric:
        return NotApplicable("tidak ada kolom angka", "no count columns")
    # One scan finds the forms with any box above 999 (greatest() skips empty cells); only those
    # are split per box.
    greatest = f"greatest({', '.join(c(n) for n in numeric)})"
    parts = [
        f"""SELECT t.kode_tps AS kode_wilayah, '{n}' AS field, t._maxbox::BIGINT AS expected, {c(n)} AS actual,
                   '' AS detail, t._file, t._row
            FROM big t WHERE {c(n)} > t._maxbox"""
        for n in numeric
    ]
    sql = (
        f"WITH big AS MATERIALIZED (SELECT * FROM rk_tps t WHERE NOT t._ln AND {greatest} > t._maxbox)\n"
        + "\nUNION ALL\n".join(parts)
    )
    return [Check(field="*", sql=sql)]


@rule("S008", "error", "Baris tidak terbaca", "Row cannot be read",
      "baris tidak terbaca: {4}", "row cannot be read: {4}")
def s008(ctx: Context) -> list[Check] | NotApplicable:
    """A row the reader could not split into the file's columns (too many or too few cells, an
    unterminated quote). It is not in any total; its text is quoted so it can be repaired.

    Why: a row that silently disappears is a TPS missing from the recap. Example: `3101011001001,83,107`
    in a file with 30 columns.
    """
    sql = """SELECT NULL AS kode_wilayah, 'baris' AS field, NULL::BIGINT AS expected, NULL::BIGINT AS actual,
                    reason || ': ' || left(replace(replace(text, chr(13), ' '), chr(10), ' '), 120) AS detail,
                    _file, _row
             FROM rk_rejected"""
    return [Check(field="baris", sql=sql)]


RULES: tuple[Rule, ...] = (s001, s002, s003, s004, s005, s006, s007, s008,)
