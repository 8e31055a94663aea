"""What an answer covered, said the same way in every output (summary, page, workbook, manifest).

A partial result must never look complete (issue 10): every output says its scope (`--wilayah`, or the
data's root unit), the election type and where it came from, the levels left out because the scope only
partly covers them, and how many of the summed TPS carry votes and voter data, so that a DPT sum over 45 %
of the TPS is read as such.

    st = statement(con, report, levels_above_scope=recap.levels_above_scope)   # a dict, also in the manifest
    for line in lines(st, "id"): print(line)          # in the output language, numbers as it writes them
"""

from __future__ import annotations

from typing import Any, Protocol

import duckdb

from rekap.db import table_exists
from rekap.election import InputElection, describe_all
from rekap.i18n import _, level_word, num
from rekap.regions import NAME_COLUMN, NATIONAL_CODE, rank_sql
from rekap.schema import quote_ident
from rekap.scope import Scope


class Covered(Protocol):
    """What a validation report says of its coverage (rekap.validate.ValidationReport)."""

    scope: Scope | None
    election_flag: str | None
    election_inputs: list[InputElection]
    rows_outside: int


class Compared(Protocol):
    """What a comparison left uncompared (rekap.aggregate.compare.CompareResult)."""

    units_compared: int
    discrepancies: int
    partial: int
    not_compared: int
    outside_scope: int
    outside_levels: list[str]

def unit_names(con: duckdb.DuckDBPyConnection, units: list[tuple[str, str]]) -> dict[str, str]:
    """Names of a few units (level, code): the recap's names, else the region list's, else the input's."""
    codes = [c for _level, c in units if c != NATIONAL_CODE]
    names: dict[str, str] = {NATIONAL_CODE: "NASIONAL"}
    if not codes:
        return names
    for table, kode in (("rk_unit_names", "kode"), ("rk_master_units", "kode")):
        if table_exists(con, table):
            for k, n in con.execute(
                f"SELECT {kode}, min(nama) FROM {table} WHERE {kode} IN (SELECT unnest($c)) AND nama IS NOT NULL "
                "GROUP BY 1", {"c": codes}
            ).fetchall():
                names.setdefault(str(k), str(n))
    missing = [(lv, c) for lv, c in units if c not in names]
    if missing and table_exists(con, "rk_raw"):
        cols = {str(r[0]) for r in con.execute("DESCRIBE rk_raw").fetchall()}
        for lv, c in missing:
            col = NAME_COLUMN.get(lv)
            if col in cols:
                got = con.execute(
                    f"SELECT min(trim({quote_ident(col)})) FROM rk_raw WHERE starts_with(rk_code(kode_tps), $c)",
                    {"c": c},
                ).fetchall()
                if got and got[0][0]:
                    names[c] = str(got[0][0])
    return names


def coverage_headline(con: duckdb.DuckDBPyConnection, codes: list[str]) -> tuple[int, int, int] | None:
    """(TPS received, TPS expected, overseas TPS received) over the scope units, from `rk_coverage`: the
    same numbers as the coverage table's top rows. Overseas TPS are summed but the list cannot say which
    to expect, so they are counted apart. None without a coverage table or expected TPS."""
    if not table_exists(con, "rk_coverage"):
        return None
    where = ("WHERE kode_wilayah IN (SELECT unnest($c))" if codes else
             "WHERE level = (SELECT level FROM rk_coverage LIMIT 1)")
    received, expected, overseas = con.execute(
        f"""SELECT sum(n_tps)::BIGINT, sum(n_tps_expected)::BIGINT,
                   (SELECT sum(o.n_tps) FROM rk_coverage o WHERE o.level = 'provinsi' AND o.kode_wilayah = '99'
                      AND EXISTS (SELECT 1 FROM rk_coverage n {where} AND n.level = 'nasional'))::BIGINT
            FROM rk_coverage {where}""",
        {"c": codes} if codes else {},
    ).fetchall()[0]
    if not expected:
        return None
    return int(received or 0) - int(overseas or 0), int(expected), int(overseas or 0)


def statement(
    con: duckdb.DuckDBPyConnection,
    report: Covered,
    *,
    levels_above_scope: list[str] | None = None,
    compared: Compared | None = None,
) -> dict[str, Any]:
    """The coverage statement of a command's answer, as plain data (JSON-ready). `compared`: what a
    comparison of reported recaps left uncompared, and why."""
    scope: Scope | None = report.scope
    out: dict[str, Any] = {}
    if scope is not None:
        units = list(zip(scope.levels(), scope.units, strict=True))
        names = unit_names(con, units)
        out["scope"] = {
            "from": "--wilayah" if scope.given else "data",
            "units": [{"level": lv, "kode_wilayah": c, "nama_wilayah": names.get(c)} for lv, c in units],
        }
    out["election"] = {
        "flag": report.election_flag,
        "inputs": [i.to_json() for i in report.election_inputs],
    }
    out["levels_above_scope"] = list(levels_above_scope or [])
    out["rows_outside_scope"] = report.rows_outside
    if table_exists(con, "rk_recap"):
        # Per election type, over the scope units' own rows (each TPS is in exactly one of them).
        top = con.execute(
            f"""SELECT jenis_pemilihan, sum(n_tps)::BIGINT, sum(n_tps_suara)::BIGINT, sum(n_tps_administrasi)::BIGINT,
                      sum(n_tps_expected)::BIGINT
               FROM rk_recap r WHERE level = (SELECT level FROM rk_recap x WHERE x.jenis_pemilihan = r.jenis_pemilihan
                                              ORDER BY {rank_sql('level')} LIMIT 1)
               GROUP BY 1 ORDER BY 1"""
        ).fetchall()
        out["tps"] = [
            {"jenis_pemilihan": str(j), "n_tps": int(n or 0), "n_tps_suara": int(v or 0),
             "n_tps_administrasi": int(a or 0), "n_tps_expected": None if e is None else int(e)}
            for j, n, v, a, e in top
        ]
    if compared is not None:
        out["compare"] = {
            "reported_units": compared.units_compared,
            "discrepancies": compared.discrepancies,
            "not_compared_partial_values": compared.partial,
            "not_compared_nothing_beneath_units": compared.not_compared,
            "outside_scope_rows": compared.outside_scope,
            "outside_scope_levels": list(compared.outside_levels),
        }
    if table_exists(con, "rk_k_units"):
        overseas = con.execute(
            "SELECT coalesce(sum(n_data), 0)::BIGINT FROM rk_k_units WHERE level = 'provinsi' AND kode = '99'"
        ).fetchall()[0][0]
        out["overseas_tps_not_expected"] = int(overseas or 0)
    return out


def scope_text(st: dict[str, Any], lang: str) -> str:
    scope = st.get("scope")
    if not scope:
        return "-"
    parts = []
    for u in scope["units"]:
        if u["level"] == "nasional":
            parts.append(_("seluruh Indonesia", lang))
            continue
        name = f" {u['nama_wilayah']}" if u.get("nama_wilayah") else ""
        parts.append(f"{level_word(u['level'], lang)} {u['kode_wilayah']}{name}")
    return ", ".join(parts)


def lines(st: dict[str, Any], lang: str, fmt: Any = None) -> list[str]:
    """Human lines of the statement (no leading spaces), in the output language; numbers by `fmt(n, lang)`
    (default `rekap.i18n.num`: 1.234 in Indonesian, 1,234 in English)."""
    fmt = fmt or num
    out = []
    if "scope" in st:
        if st["scope"]["from"] == "--wilayah":
            out.append(_("cakupan: {scope} (dari --wilayah)", lang, scope=scope_text(st, lang)))
        else:
            out.append(_("cakupan: {scope} (wilayah terkecil yang memuat semua TPS dalam data)", lang,
                         scope=scope_text(st, lang)))
    inputs = [InputElection(i["input"], i["role"], tuple(i["elections"]), i["origin"], tuple(i["evidence"]))
              for i in st.get("election", {}).get("inputs", [])]
    out.append(describe_all(inputs, st.get("election", {}).get("flag"), lang))
    if st.get("rows_outside_scope"):
        out.append(_("{n} baris di luar --wilayah tidak dipakai", lang, n=fmt(st["rows_outside_scope"], lang)))
    above = st.get("levels_above_scope") or []
    if above:
        out.append(_("tingkat {levels} tidak ditampilkan: data hanya mencakup sebagian wilayahnya (jumlahnya akan "
                     "tampak lengkap padahal tidak)", lang, levels=", ".join(level_word(lv, lang) for lv in above)))
    for t in st.get("tps", []):
        n, v, a = t["n_tps"], t["n_tps_suara"], t["n_tps_administrasi"]
        if v < n or a < n:
            out.append(_("{election}: dari {n} TPS yang dijumlahkan, {votes} berisi data suara dan {voters} berisi "
                         "data pemilih (DPT, pengguna hak pilih): jumlah itu hanya mencakup TPS tersebut", lang,
                         election=t["jenis_pemilihan"], n=fmt(n, lang), votes=fmt(v, lang), voters=fmt(a, lang)))
    cmp = st.get("compare") or {}
    if cmp.get("not_compared_partial_values"):
        out.append(_("{n} angka rekap tidak dibandingkan: data TPS wilayahnya belum lengkap dan wilayah bawahannya "
                     "tidak dapat dipakai (fakta kelengkapan, bukan selisih)", lang,
                     n=fmt(cmp["not_compared_partial_values"], lang)))
    if cmp.get("outside_scope_rows"):
        out.append(_("{n} baris rekap di luar cakupan ({scope}) tidak dibandingkan: {levels}", lang,
                     n=fmt(cmp["outside_scope_rows"], lang), scope=scope_text(st, lang),
                     levels=", ".join(level_word(lv, lang) for lv in cmp.get("outside_scope_levels", []))))
    if cmp.get("not_compared_nothing_beneath_units"):
        out.append(_("{n} wilayah dilaporkan tanpa data di bawahnya (tidak dibandingkan)", lang,
                     n=fmt(cmp["not_compared_nothing_beneath_units"], lang)))
    if st.get("overseas_tps_not_expected"):
        out.append(_("{n} TPS luar negeri (kode 99) dijumlahkan tetapi tidak dihitung dalam TPS yang diharapkan: kode "
                     "luar negeri di daftar wilayah KPU tidak sama dengan kode Sirekap", lang,
                     n=fmt(st["overseas_tps_not_expected"], lang)))
    return out
