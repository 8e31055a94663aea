"""Every text rekap shows a person, in one message catalogue; numbers for people per locale.

Indonesian is the source language: the texts in the code are Indonesian, marked for the catalogue
(`_`, `C_` with a context, `n_` with a count, `N_`/`NC_` to mark a text translated later), and every
other language is one gettext catalogue, `rekap/locale/<lang>/LC_MESSAGES/rekap.po`, compiled to
`rekap.mo` beside it by `make messages` (Babel). Adding a language is adding that file: the language
list is the folders found there (`languages()`).

The language of a process is chosen once (`set_lang`, from `--lang` or `REKAP_LANG`; the CLI does it
before Click prints any help); every function also takes an explicit `lang`. Data never changes with
the language: column names, codes (`error|warning|info`, rule ids, level codes) and the numbers of
CSV/JSON/Parquet stay as they are; `num` and `percent` are for human outputs only.
"""

from __future__ import annotations

import functools
import gettext as _gettext
import os
from decimal import Decimal
from functools import cache
from pathlib import Path

SOURCE_LANG = "id"
"""The language the texts in the code are written in (no catalogue needed)."""
LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "rekap"
BABEL_LOCALES = {"id": "id_ID", "en": "en_US"}
"""The CLDR locale of a language's numbers (a language not listed uses its own code)."""
PERCENT_PATTERNS = {"id": "#,##0.0 %", "en": "#,##0.0%"}
"""One decimal everywhere: `98,9 %` in Indonesian (as KPU's own reports print it), `98.9%` in English;
a language not listed uses its CLDR percent sign, attached."""

_active = SOURCE_LANG


@cache
def languages() -> tuple[str, ...]:
    """Indonesian and every language with a compiled catalogue in rekap/locale."""
    found = sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))
    return (SOURCE_LANG, *(lang for lang in found if lang != SOURCE_LANG))


@cache
def _catalogue(lang: str) -> _gettext.NullTranslations:
    if lang == SOURCE_LANG:
        return _gettext.NullTranslations()
    return _gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


def set_lang(lang: str) -> None:
    """The language of this process's texts (errors raised deep in a reader use it)."""
    global _active
    _active = lang


def current_lang() -> str:
    return _active


def _(msgid: str, lang: str | None = None, /, **kw: object) -> str:
    """The text in `lang` (default: the process's language), formatted with `kw` when given."""
    text = _catalogue(lang or _active).gettext(msgid)
    return text.format(**kw) if kw else text


def C_(context: str, msgid: str, lang: str | None = None, /, **kw: object) -> str:
    """`_` for a text whose translation depends on where it stands (msgctxt)."""
    text = _catalogue(lang or _active).pgettext(context, msgid)
    return text.format(**kw) if kw else text


def n_(singular: str, plural: str, n: int, lang: str | None = None, /, **kw: object) -> str:
    """`_` for a text that changes with a count (English "1 file", "2 files"); `n` is passed as `{n}`
    already written for people unless `kw` gives it."""
    text = _catalogue(lang or _active).ngettext(singular, plural, n)
    kw.setdefault("n", num(n, lang))
    return text.format(**kw)


def N_(msgid: str) -> str:
    """Marks a text for the catalogue where it is defined; `_` translates it where it is shown."""
    return msgid


def NC_(context: str, msgid: str) -> tuple[str, str]:
    """Marks a text with a context; `C_(*pair, lang)` translates it."""
    return (context, msgid)


def in_every_language(context: str, msgid: str) -> tuple[str, ...]:
    """The text in every language rekap has (readers recognise a label whatever language wrote it)."""
    return tuple(dict.fromkeys(C_(context, msgid, lang) for lang in languages()))


# --- names of levels and elections: the one home of every name of a region level or race ---

LEVEL_NAMES: dict[str, tuple[str, str]] = {
    "nasional": NC_("level", "Nasional"),
    "provinsi": NC_("level", "Provinsi"),
    "kabkota": NC_("level", "Kabupaten/Kota"),
    "kecamatan": NC_("level", "Kecamatan"),
    "desa": NC_("level", "Desa/Kelurahan"),
    "tps": NC_("level", "TPS"),
}
"""A level as a heading or label (the page, the workbook)."""
LEVEL_WORDS: dict[str, tuple[str, str]] = {
    "nasional": NC_("level in text", "nasional"),
    "provinsi": NC_("level in text", "provinsi"),
    "kabkota": NC_("level in text", "kab/kota"),
    "kecamatan": NC_("level in text", "kecamatan"),
    "desa": NC_("level in text", "desa/kelurahan"),
}
"""A level in running text ("cakupan: kab/kota 3171 …")."""
SHEET_NAMES: dict[str, tuple[str, str]] = {
    "nasional": NC_("sheet", "Nasional"),
    "provinsi": NC_("sheet", "Provinsi"),
    "kabkota": NC_("sheet", "Kabupaten-Kota"),
    "kecamatan": NC_("sheet", "Kecamatan"),
    "desa": NC_("sheet", "Desa-Kelurahan"),
}
"""A level as a workbook sheet's name (Excel forbids '/' there)."""
ELECTION_NAMES: dict[str, tuple[str, str]] = {
    "ppwp": NC_("election", "Pemilihan Presiden dan Wakil Presiden"),
    "pkwkp": NC_("election", "Pemilihan Gubernur dan Wakil Gubernur"),
    "pkwkk": NC_("election", "Pemilihan Bupati/Wali Kota"),
    "pdpr": NC_("election", "Pemilihan DPR"),
    "pdpd": NC_("election", "Pemilihan DPD"),
    "pdprdp": NC_("election", "Pemilihan DPRD Provinsi"),
    "pdprdk": NC_("election", "Pemilihan DPRD Kabupaten/Kota"),
}
"""A race in running text and headings (the page)."""
ELECTION_TITLES: dict[str, tuple[str, str]] = {
    "ppwp": NC_("form title", "PEMILIHAN UMUM PRESIDEN DAN WAKIL PRESIDEN"),
    "pkwkp": NC_("form title", "PEMILIHAN GUBERNUR DAN WAKIL GUBERNUR"),
    "pkwkk": NC_("form title", "PEMILIHAN BUPATI DAN WAKIL BUPATI / WALI KOTA DAN WAKIL WALI KOTA"),
    "pdpr": NC_("form title", "PEMILIHAN UMUM ANGGOTA DPR"),
    "pdpd": NC_("form title", "PEMILIHAN UMUM ANGGOTA DPD"),
    "pdprdp": NC_("form title", "PEMILIHAN UMUM ANGGOTA DPRD PROVINSI"),
    "pdprdk": NC_("form title", "PEMILIHAN UMUM ANGGOTA DPRD KABUPATEN/KOTA"),
}
"""A race as a D.Hasil form's title line (written on, and read back from, the workbook)."""
SEVERITY_WORDS: dict[str, tuple[str, str]] = {
    "error": NC_("severity", "galat"),
    "warning": NC_("severity", "peringatan"),
    "info": NC_("severity", "info"),
}
"""A severity (`error|warning|info`, the stable codes of data outputs) as a word for people."""


def level_name(level: str, lang: str | None = None) -> str:
    return C_(*LEVEL_NAMES[level], lang) if level in LEVEL_NAMES else level


def level_word(level: str, lang: str | None = None) -> str:
    return C_(*LEVEL_WORDS[level], lang) if level in LEVEL_WORDS else level


def sheet_name(level: str, lang: str | None = None) -> str:
    return C_(*SHEET_NAMES[level], lang) if level in SHEET_NAMES else level


def severity_word(severity: str, lang: str | None = None) -> str:
    return C_(*SEVERITY_WORDS[severity], lang) if severity in SEVERITY_WORDS else severity


def election_name(code: str, lang: str | None = None) -> str:
    return f"{C_(*ELECTION_NAMES[code], lang)} ({code})" if code in ELECTION_NAMES else code


def election_title(code: str, lang: str | None = None) -> str:
    return C_(*ELECTION_TITLES[code], lang) if code in ELECTION_TITLES else ""


def resolve_lang(lang: str | None) -> str:
    """`--lang`, else REKAP_LANG, else Indonesian. A language rekap has no texts for is a usage error,
    not a silent fallback (`--lang fr` would otherwise look accepted)."""
    from rekap.errors import UsageError

    given = lang if lang is not None else os.environ.get("REKAP_LANG")
    value = (given or SOURCE_LANG).strip().lower().replace("_", "-")
    # Locale spellings: id-ID, en_US.UTF-8, in (the old code of Indonesian).
    base = value.split(".")[0].split("-")[0]
    base = {"in": "id", "ind": "id", "eng": "en"}.get(base, base)
    if base not in languages():
        where = "--lang" if lang is not None else "REKAP_LANG"
        raise UsageError(_("{where}: bahasa tidak dikenal {given!r}", where=where, given=given),
                         hint=_("pakai salah satu dari: {choices}", choices=", ".join(languages())))
    return base


def num(n: int | float | Decimal, lang: str | None = None) -> str:
    """Numbers for people: 1.234.567 in Indonesian, 1,234,567 in English (Babel, CLDR)."""
    lang = lang or _active
    if isinstance(n, int) and not isinstance(n, bool):
        # Whole numbers are most of what rekap shows (tens of thousands of cells on a national page and
        # workbook): Babel's general formatter costs ~0.1 ms a call; a locale whose CLDR pattern groups by
        # threes takes Python's grouping with its own symbol, the same text (checked in the tests).
        group = _int_group(lang)
        if group is not None:
            text = format(n, ",")
            return text if group == "," else text.replace(",", group)
    from babel.numbers import format_decimal

    return format_decimal(n, locale=_locale(lang))


CLDR_MARKS: dict[str, tuple[str, str]] = {"id": (",", "."), "en": (".", ",")}
"""(decimal mark, group symbol) of the shipped languages, whose CLDR decimal pattern groups whole numbers by
threes: what Babel gives (tests/test_language.py), written out because loading Babel's locale data costs
~20 ms of a small file's run. Other languages are asked of Babel."""


def decimal_mark(lang: str) -> str:
    """The decimal mark of a language's numbers (CLDR, as `decimal` writes them): 58,5 / 58.5."""
    if lang in CLDR_MARKS:
        return CLDR_MARKS[lang][0]
    from babel.numbers import get_decimal_symbol

    return str(get_decimal_symbol(_locale(lang)))


@functools.cache
def _int_group(lang: str) -> str | None:
    """The group symbol of `lang` when its decimal pattern groups whole numbers by threes (id, en), else
    None (Babel formats those: e.g. Indian grouping)."""
    if lang in CLDR_MARKS:
        return CLDR_MARKS[lang][1]
    from babel import Locale
    from babel.numbers import get_group_symbol

    locale = Locale.parse(_locale(lang))
    pattern = locale.decimal_formats.get(None)
    if pattern is None or pattern.grouping != (3, 3) or pattern.prefix != ("", "-") or pattern.suffix != ("", ""):
        return None
    return str(get_group_symbol(locale))


def decimal(value: float, digits: int, lang: str | None = None) -> str:
    """A measured value for people with a fixed number of decimals: 58,5 / 58.5."""
    from babel.numbers import format_decimal

    pattern = "#,##0." + "0" * digits if digits else "#,##0"
    return format_decimal(value, format=pattern, locale=_locale(lang or _active), decimal_quantization=True)


def percent(value: float | None, lang: str | None = None) -> str:
    """A percentage for people, the one way every output shows it: one decimal, truncated (98.96 → 98.9,
    99.96 → 99.9: only a complete unit shows 100), `98,9 %` in Indonesian, `98.9%` in English."""
    if value is None:
        return ""
    import math

    tenths = math.floor(float(value) * 10 + 1e-9)
    return _percent_text(tenths, lang)


def percent_of(part: int | None, whole: int | None, lang: str | None = None) -> str:
    """`part` of `whole` as a percentage (integer arithmetic, truncated to one decimal); '' without a whole."""
    if part is None or not whole:
        return ""
    return _percent_text((1000 * int(part)) // int(whole), lang)


def _percent_text(tenths: int, lang: str | None) -> str:
    return _percent_cached(tenths, lang or _active)


@functools.lru_cache(maxsize=8192)
def _percent_cached(tenths: int, lang: str) -> str:
    """Percentages repeat (0,0 %–100,0 % are 1,001 texts): each is formatted by Babel once."""
    from babel.numbers import format_percent

    pattern = PERCENT_PATTERNS.get(lang, "#,##0.0%")
    # Decimal keeps the truncated tenths exact (no float rounding back up).
    return format_percent(Decimal(tenths) / 1000, format=pattern, locale=_locale(lang), decimal_quantization=True)


def _locale(lang: str) -> str:
    return BABEL_LOCALES.get(lang, lang)
