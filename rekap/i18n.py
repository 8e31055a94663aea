"""Human-facing texts of the CLI in Indonesian (default) and English. Data never changes with the language."""

from __future__ import annotations

import os

TEXTS: dict[str, dict[str, str]] = {
    "summary": {"id": "Ringkasan pemeriksaan", "en": "Validation summary"},
    "files": {"id": "Berkas", "en": "Files"},
    "reported_rows": {
        "id": "rekap dilaporkan: baris dibaca {read}, dimuat {used}, ditolak {rejected}",
        "en": "reported recaps: rows read {read}, loaded {used}, rejected {rejected}",
    },
    "rows": {
        "id": "baris dibaca {read}, dipakai {used}, ditolak {rejected} (ganda persis {dup}, tak terbaca {bad})",
        "en": "rows read {read}, used {used}, rejected {rejected} (exact duplicates {dup}, unreadable {bad})",
    },
    "rows_outside": {"id": "; di luar --wilayah {n}", "en": "; outside --wilayah {n}"},
    "tps": {"id": "TPS diperiksa: {n}", "en": "TPS checked: {n}"},
    "mapping": {"id": "kolom dipetakan", "en": "columns mapped"},
    "ignored": {"id": "kolom diabaikan", "en": "columns ignored"},
    "sheet_skipped": {"id": "lembar tidak dibaca", "en": "sheet not read"},
    "rule": {"id": "Aturan", "en": "Rule"},
    "severity": {"id": "Tingkat", "en": "Severity"},
    "count": {"id": "Jumlah", "en": "Count"},
    "title": {"id": "Keterangan", "en": "Description"},
    "not_applicable": {"id": "Aturan tidak berlaku", "en": "Rules not applicable"},
    "no_findings": {"id": "Tidak ada temuan.", "en": "No findings."},
    "totals": {
        "id": "{error} galat, {warning} peringatan, {info} info",
        "en": "{error} errors, {warning} warnings, {info} info",
    },
    "error": {"id": "galat", "en": "error"},
    "warning": {"id": "peringatan", "en": "warning"},
    "info": {"id": "info", "en": "info"},
    "written": {"id": "ditulis ke {path}", "en": "written to {path}"},
}


# --- names of levels and elections: the one home of every bilingual name of a region level or race ---

LEVEL_NAMES: dict[str, dict[str, str]] = {
    "nasional": {"id": "Nasional", "en": "National"},
    "provinsi": {"id": "Provinsi", "en": "Province"},
    "kabkota": {"id": "Kabupaten/Kota", "en": "Regency/City"},
    "kecamatan": {"id": "Kecamatan", "en": "District (kecamatan)"},
    "desa": {"id": "Desa/Kelurahan", "en": "Village (desa/kelurahan)"},
    "tps": {"id": "TPS", "en": "Polling station (TPS)"},
}
"""A level as a heading or label (the page, the workbook)."""
LEVEL_WORDS: dict[str, dict[str, str]] = {
    "nasional": {"id": "nasional", "en": "national"},
    "provinsi": {"id": "provinsi", "en": "province"},
    "kabkota": {"id": "kab/kota", "en": "regency/city"},
    "kecamatan": {"id": "kecamatan", "en": "district"},
    "desa": {"id": "desa/kelurahan", "en": "village"},
}
"""A level in running text ("cakupan: kab/kota 3171 …")."""
SHEET_NAMES: dict[str, dict[str, str]] = {
    "nasional": {"id": "Nasional", "en": "National"},
    "provinsi": {"id": "Provinsi", "en": "Province"},
    "kabkota": {"id": "Kabupaten-Kota", "en": "Regency-City"},
    "kecamatan": {"id": "Kecamatan", "en": "District"},
    "desa": {"id": "Desa-Kelurahan", "en": "Village"},
}
"""A level as a workbook sheet's name (Excel forbids '/' there)."""
ELECTION_NAMES: dict[str, dict[str, str]] = {
    "ppwp": {"id": "Pemilihan Presiden dan Wakil Presiden", "en": "Presidential election"},
    "pkwkp": {"id": "Pemilihan Gubernur dan Wakil Gubernur", "en": "Governor election"},
    "pkwkk": {"id": "Pemilihan Bupati/Wali Kota", "en": "Regent/mayor election"},
    "pdpr": {"id": "Pemilihan DPR", "en": "DPR election"},
    "pdpd": {"id": "Pemilihan DPD", "en": "DPD election"},
    "pdprdp": {"id": "Pemilihan DPRD Provinsi", "en": "Provincial DPRD election"},
    "pdprdk": {"id": "Pemilihan DPRD Kabupaten/Kota", "en": "Regency/city DPRD election"},
}
"""A race in running text and headings (the page)."""
ELECTION_TITLES: dict[str, dict[str, str]] = {
    "ppwp": {"id": "PEMILIHAN UMUM PRESIDEN DAN WAKIL PRESIDEN", "en": "PRESIDENTIAL ELECTION"},
    "pkwkp": {"id": "PEMILIHAN GUBERNUR DAN WAKIL GUBERNUR", "en": "GOVERNOR ELECTION"},
    "pkwkk": {"id": "PEMILIHAN BUPATI DAN WAKIL BUPATI / WALI KOTA DAN WAKIL WALI KOTA",
              "en": "REGENT / MAYOR ELECTION"},
    "pdpr": {"id": "PEMILIHAN UMUM ANGGOTA DPR", "en": "DPR ELECTION"},
    "pdpd": {"id": "PEMILIHAN UMUM ANGGOTA DPD", "en": "DPD ELECTION"},
    "pdprdp": {"id": "PEMILIHAN UMUM ANGGOTA DPRD PROVINSI", "en": "PROVINCIAL DPRD ELECTION"},
    "pdprdk": {"id": "PEMILIHAN UMUM ANGGOTA DPRD KABUPATEN/KOTA", "en": "REGENCY/CITY DPRD ELECTION"},
}
"""A race as a D.Hasil form's title line (written on, and read back from, the workbook)."""


def level_name(level: str, lang: str) -> str:
    return LEVEL_NAMES.get(level, {}).get(lang, level)


def level_word(level: str, lang: str) -> str:
    return LEVEL_WORDS.get(level, {}).get(lang, level)


def election_name(code: str, lang: str) -> str:
    name = ELECTION_NAMES.get(code, {}).get(lang)
    return f"{name} ({code})" if name else code


LANGS: tuple[str, ...] = ("id", "en")


def resolve_lang(lang: str | None) -> str:
    """`--lang`, else REKAP_LANG, else Indonesian. A language rekap has no texts for is a usage error,
    not a silent fallback (`--lang fr` would otherwise look accepted)."""
    from rekap.errors import UsageError

    given = lang if lang is not None else os.environ.get("REKAP_LANG")
    value = (given or "id").strip().lower().replace("_", "-")
    # Locale spellings: id-ID, en_US.UTF-8, in (the old code of Indonesian).
    base = value.split(".")[0].split("-")[0]
    base = {"in": "id", "ind": "id", "eng": "en"}.get(base, base)
    if base not in LANGS:
        where = "--lang" if lang is not None else "REKAP_LANG"
        raise UsageError(f"{where}: unknown language {given!r}", hint="use id (Bahasa Indonesia) or en (English)")
    return base


def t(key: str, lang: str, **kw: object) -> str:
    return TEXTS[key][lang].format(**kw)


def num(n: int, lang: str) -> str:
    """Numbers for people: 1.234.567 in Indonesian, 1,234,567 in English."""
    s = f"{n:,}"
    return s.replace(",", ".") if lang == "id" else s


def percent(value: float | None, lang: str) -> str:
    """A percentage for people, the one way every output shows it: one decimal, truncated (98.96 → 98.9,
    99.96 → 99.9: only a complete unit shows 100), `98,9 %` in Indonesian, `98.9%` in English."""
    if value is None:
        return ""
    import math

    tenths = math.floor(float(value) * 10 + 1e-9)
    return _percent_text(tenths, lang)


def percent_of(part: int | None, whole: int | None, lang: str) -> str:
    """`part` of `whole` as a percentage (integer arithmetic, truncated to one decimal); '' without a whole."""
    if part is None or not whole:
        return ""
    return _percent_text((1000 * int(part)) // int(whole), lang)


def _percent_text(tenths: int, lang: str) -> str:
    sign = "-" if tenths < 0 else ""
    whole, frac = divmod(abs(tenths), 10)
    if lang == "id":
        return f"{sign}{num(whole, lang)},{frac} %"
    return f"{sign}{num(whole, lang)}.{frac}%"
