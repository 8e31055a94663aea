"""Completeness rules (K): the TPS in the data against the TPS a region list expects.

They need a region list that numbers the TPS of each desa (`--master` in KPU format, table
`rk_expected_tps`); the definitions of expected, received, root and scope are in
`rekap.aggregate.completeness`.
"""

from __future__ import annotations

from rekap.regions import PREFIX
from rekap.validate.registry import Check, Context, NotApplicable, Rule, rule

NO_SOURCE = "NULL::INTEGER AS _file, NULL::BIGINT AS _row"


def _not_applicable(ctx: Context) -> NotApplicable | None:
    if not ctx.has_master:
        return NotApplicable("daftar wilayah tidak diberikan (--master)", "no region list given (--master)")
    if not ctx.has_master_tps:
        return NotApplicable(
            "daftar wilayah tidak memuat nomor TPS per desa (mis. daftar Kemendagri); pakai daftar KPU",
            "the region list has no TPS numbers per desa (e.g. the Kemendagri list); use KPU's list",
        )
    return None


@rule("K001", "warning", "TPS yang diharapkan tidak ada", "Expected TPS missing",
      "{0}: TPS diharapkan oleh daftar wilayah{4} tetapi tidak ada dalam data",
      "{0}: TPS expected by the region list{4} but absent from the data")
def k001(ctx: Context) -> list[Check] | NotApplicable:
    """A TPS that the region list expects (KPU's list numbers the TPS of each desa 001..n, plus
    special TPS 9xx) has no row in the data. One finding per missing TPS, on the expected `kode_tps`,
    with no source row.

    Scope: only the kecamatan the data touches (those with at least one expected TPS received), so
    that a PPK's kecamatan file checked against the national list lists the gaps of that kecamatan,
    not every other TPS of the country. A kecamatan, kab/kota or province with no TPS at all in the
    data is reported once by K003 (when it lies inside the unit the data recaps), not TPS by TPS.
    Overseas TPS (province 99) are not checked: lists and Sirekap number them differently.
    A row counts as received whatever its numbers (an empty row is P008's business), for any election
    type in the data. The list must be for the same election as the data: Pilkada 2024 TPS are not
    Pemilu 2024 TPS (Jawa Timur: 60,751 vs 120,666), so Pilkada data against KPU's Pemilu list is
    mostly "missing".

    Why: a TPS absent from a recap is a form that did not arrive or was left out; the recap total is
    short by its votes. Example: 3101011001005 listed (desa PULAU PANGGANG has TPS 001–018) but absent.
    """
    na = _not_applicable(ctx)
    if na is not None:
        return na
    sql = f"""
        SELECT e.kode_tps AS kode_wilayah, 'kode_tps' AS field, NULL::BIGINT AS expected, NULL::BIGINT AS actual,
               ' (desa ' || coalesce(m.nama, e.kode_desa) || ')' AS detail, {NO_SOURCE}
        FROM rk_k_expected e
        LEFT JOIN rk_master_units m ON m.kode = e.kode_desa
        WHERE NOT e.received
          AND left(e.kode_tps, 6) IN (SELECT kode FROM rk_k_units WHERE level = 'kecamatan' AND n_recv > 0)"""
    return [Check(field="kode_tps", sql=sql)]


@rule("K002", "warning", "TPS tidak diharapkan daftar wilayah", "TPS not expected by the region list",
      "{0}: TPS tidak diharapkan oleh daftar wilayah{4}", "{0}: TPS not expected by the region list{4}")
def k002(ctx: Context) -> list[Check] | NotApplicable:
    """A row whose TPS the region list does not expect: its desa is in the list, but its TPS number
    is above the desa's last TPS and outside its special range (9xx). One finding per row; the
    message quotes the numbers the list has for that desa.

    A TPS whose desa (or kecamatan, kab/kota, province) is not in the list at all is S006's finding
    and is not repeated here: the cause is the region code, not the TPS number. Malformed codes are
    S005's. Overseas TPS (province 99) are not checked.

    Why: a TPS number the list does not know is a typo in the code, a TPS added after the list was
    made, or a form booked to the wrong desa. Example: 3101011001019 where the list gives desa PULAU PANGGANG TPS 001–018.
    """
    na = _not_applicable(ctx)
    if na is not None:
        return na
    has = "daftar memuat TPS" if ctx.lang == "id" else "the list has TPS"
    none = "daftar tidak memuat TPS" if ctx.lang == "id" else "the list has no TPS"
    sql = f"""
        WITH rk_k_bad AS MATERIALIZED (
            SELECT t.kode_tps, t.kode_desa, t._file, t._row
            FROM rk_tps t
            WHERE NOT t._ln AND regexp_full_match(t.kode_tps, '[0-9]{{13}}') AND right(t.kode_tps, 3) <> '000'
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
               ' (desa ' || coalesce(m.nama, b.kode_desa) || ': '
                   || CASE WHEN r.r IS NULL THEN '{none}' ELSE '{has} ' || r.r END || ')' AS detail,
               b._file, b._row
        FROM rk_k_bad b
        LEFT JOIN rk_k_ranges r ON r.kode_desa = b.kode_desa
        LEFT JOIN rk_master_units m ON m.kode = b.kode_desa"""
    return [Check(field="kode_tps", sql=sql)]


@rule("K003", "info", "Kelengkapan TPS per wilayah", "TPS coverage per unit",
      "{0}: {2} dari {1} TPS yang diharapkan sudah masuk{4}", "{0}: {2} of {1} expected TPS received{4}")
def k003(ctx: Context) -> list[Check] | NotApplicable:
    """Per unit (desa, kecamatan, kab/kota, provinsi): TPS received / TPS expected by the region
    list, as context. `expected` = expected TPS, `actual` = TPS of the data in the unit (the TPS the
    recap sums there: the same count everywhere), `selisih` = actual − expected (the TPS still missing,
    negative); it fires when fewer arrived than expected; the message gives the
    percentage (rounded down, so an incomplete unit never shows 100 %) and the unit's name.

    Scope: `--wilayah`, else the data read as the recap of the smallest unit holding all of it (its
    *root*: the one kecamatan of a PPK's file, the kab/kota of a KPU Kab/Kota file, the province, or the
    country). Every unit of the scope is checked and fires only when it is incomplete, so a complete
    recap has no K003 at all. Of a unit with nothing received, only the highest such unit is reported
    (a missing kecamatan once, not each of its desa). Units above the scope are not reported (a
    kecamatan file does not claim to cover its kab/kota).
    Overseas units (province 99) are not checked.

    Why: a recap over an incomplete set of forms is not the unit's result. Example: kecamatan 110706
    (GLUMPANG TIGA) has 66 of 68 expected TPS (97.0 %).
    """
    na = _not_applicable(ctx)
    if na is not None:
        return na
    sep = "," if ctx.lang == "id" else "."
    pct = f"replace(printf('%.1f', ((1000 * s.n_dom) // s.n_exp)::DOUBLE / 10), '.', '{sep}')"
    # One statement for every level, over the scope built once (`ensure_scope`).
    sql = f"""
        SELECT s.kode AS kode_wilayah, 'n_tps' AS field, s.n_exp AS expected, s.n_dom AS actual,
               ' (' || {pct} || ' %' || coalesce('; ' || m.nama, '') || ')' AS detail, {NO_SOURCE}, s.level AS level
        FROM rk_k_scope s
        LEFT JOIN rk_k_units p ON p.kode = s.parent
        LEFT JOIN rk_master_units m ON m.kode = s.kode
        WHERE s.level IN ({', '.join(repr(lv) for lv in PREFIX)}) AND s.n_dom < s.n_exp
          AND (s.n_dom > 0 OR p.n_dom > 0 OR p.kode IS NULL OR s._top)"""
    checks = [Check(field="n_tps", sql=sql, level="*")]
    return checks


RULES: tuple[Rule, ...] = (k001, k002, k003,)
