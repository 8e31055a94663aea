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


def resolve_lang(lang: str | None) -> str:
    value = (lang or os.environ.get("REKAP_LANG") or "id").lower()
    return "en" if value.startswith("en") else "id"


def t(key: str, lang: str, **kw: object) -> str:
    return TEXTS[key][lang].format(**kw)


def num(n: int, lang: str) -> str:
    """Numbers for people: 1.234.567 in Indonesian, 1,234,567 in English."""
    s = f"{n:,}"
    return s.replace(",", ".") if lang == "id" else s
