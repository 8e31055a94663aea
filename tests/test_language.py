"""Indonesian throughout, English on request (issue 12).

The catalogue is complete and compiled; every command and error path of the suite's corpus, run with
the default language, prints and writes for people no English word from a list and no `1,234`-style
number; the same with `--lang en` in reverse (no Indonesian word, no `1.234`-style number). Column
names, codes, option names and values, file names, quoted values and the data's own names are not
language and are left out of the check, as are the words of Click's own usage lines.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import run_cli

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "samples" / "jatim_kecil"
SAMPLE_TPS = sorted(str(p) for p in (SAMPLE / "tps").iterdir())
REPORTED = [str(SAMPLE / f"dhasil_{lv}.csv") for lv in ("kecamatan", "kabkota", "provinsi")]
CORPUS = ROOT / "tests" / "corpus"
CASES = tomllib.loads((CORPUS / "cases.toml").read_text(encoding="utf-8"))["case"]


def test_every_text_is_in_every_catalogue_and_compiled() -> None:
    """Every marked text of the code is translated in every language's .po (none missing, none
    untranslated, none obsolete) and the committed .mo is the compiled .po (`make messages`)."""
    got = subprocess.run([sys.executable, str(ROOT / "scripts" / "messages.py"), "--check"],
                         capture_output=True, text=True, check=False)
    assert got.returncode == 0, got.stdout + got.stderr


ENGLISH = frozenset("""
the and of not is are was were be been with without from into onto by for to in on at as or but if then than
this that these those which when where who what each every any none only must should could would can cannot
instead also both either neither other same more less than after before above below under over here there
row rows read file files column columns sheet sheets error errors warning warnings hint found unknown
expected missing summary written write wrote record records level levels value values given see use used
header headers delimiter encoding units unit votes valid invalid sum sums summed checked rule rules
candidate candidates number numbered recap recaps discrepancy discrepancies coverage scope region regions
done open show shows exit interrupted internal report reports option options folders empty
received voters voted election elections type types guessed guess ignored mapped skipped rejected loaded
duplicates duplicate unreadable differing copies copy compared comparison progress total totals
""".split())
"""Words that are English and not Indonesian (nor a domain term both languages use, like TPS or data)."""
INDONESIAN = frozenset("""
dan dari yang untuk dengan tanpa atau tetapi jika maka ini itu setiap semua hanya harus tidak bukan
belum sudah sama lebih kurang di ke pada oleh sebagai dalam atas bawah
baris berkas kolom lembar galat peringatan saran dibaca dipakai ditolak dijumlahkan dibandingkan
diharapkan masuk ringkasan ditulis temuan aturan cakupan kelengkapan jumlah pemilih pengguna
bukan keparahan nilai diberikan pakai lihat tingkat rekapitulasi dilaporkan daftar wilayah
ganda persis terbaca salinan berbeda kode tebakan jenis pemilihan diabaikan dipetakan kosong selesai
buka laporan buku kerja hasil dihentikan
""".split())
"""Words that are Indonesian and not English. Domain terms both languages use are not here: kecamatan,
and the form's words that English text quotes as terms (suara sah, selisih, as the data's columns)."""

CLICK_LINES = re.compile(
    r"^\s*(Usage:.*|Options:?|Arguments:?|Commands:?|Try '.*|Error: .*|--help\s+Show this message and exit\.|"
    r"--install-completion.*|--show-completion.*|to copy it or customize the installation\.|"
    r"Install completion for the current shell\.|Show completion for the current shell,.*)$"
)
"""Click's and Typer's own words (usage line, section headings, completion options)."""
COMMAND_WORDS = re.compile(
    r"(?m)\brekap(?:\s+--?[\w-]+(?:\s+\w+)?)*\s+(?:validate|aggregate|compare|progress|run|rules|diff|store)\b|"
    r"^\s+(?:validate|aggregate|compare|progress|run|rules|diff|store|add|list|log|accept)(?=\s{2})|"
    r"(?:--fail-on|--format|-f|--level|--lang|--election|--input-format|--kertas)[ =][\w,|/-]+|"
    r"\[(?:default|bawaan): [^\]]*\]|\b(?:error|warning|info|never)\|[\w|]+"
)
"""Command names, option values and Click's `[default: …]`: codes, the same in every language."""
QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"|`[^`\n]*`|«[^»\n]*»")
NOT_WORDS = re.compile(r"(?<![\w-])--?[A-Za-z][\w-]*|\S*[\w*][_/\\.@:=][\w*]\S*|(?<!\S)[_/\\]\S+|\S*\d\S*")
"""Options, identifiers and paths (a `_ / \\ . @ : =` between word characters: kode_wilayah, a.csv, C:\\x,
/tmp/x), numbers; a word that merely ends a sentence or a label (`selesai.`, `error:`) stays a word."""
WORD = re.compile(r"[^\W\d_]+")
EN_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?![\d,])")
ID_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}(?:\.\d{3})+(?![\d.])")
EN_DECIMAL_PERCENT = re.compile(r"\d\.\d+\s?%")
ID_DECIMAL_PERCENT = re.compile(r"\d,\d+\s?%")


def words(text: str) -> Iterator[str]:
    """The words of running text: without Click's lines, quoted values, options, identifiers, paths,
    numbers, and words in capitals (the data's own names: KABUPATEN MALANG, DKI JAKARTA)."""
    for line in text.splitlines():
        if CLICK_LINES.match(line):
            continue
        line = NOT_WORDS.sub(" ", QUOTED.sub(" ", COMMAND_WORDS.sub(" ", line)))
        for word in WORD.findall(line):
            if not word.isupper():
                yield word.lower()


def leaks(text: str, lang: str) -> list[str]:
    """English words and number styles in Indonesian text, or the reverse."""
    other = ENGLISH if lang == "id" else INDONESIAN
    found = sorted({w for w in words(text) if w in other})
    plain = QUOTED.sub(" ", COMMAND_WORDS.sub(" ", text))
    if lang == "id":
        found += EN_THOUSANDS.findall(plain) + EN_DECIMAL_PERCENT.findall(plain)
    else:
        found += ID_THOUSANDS.findall(plain) + ID_DECIMAL_PERCENT.findall(plain)
    return found


def assert_in_language(text: str, lang: str, what: str) -> None:
    found = leaks(text, lang)
    assert not found, f"{what} ({lang}): {found}\n{text[:3000]}"


# --- the detector itself -------------------------------------------------------------------------


def test_the_detector_finds_what_it_must() -> None:
    assert leaks("rekap: error: unknown level 'kabupaten'", "id") == ["error", "level", "unknown"]
    assert leaks("baris dibaca 1,053; dipakai 98.9%", "id") == ["1,053", "8.9%"]
    assert leaks("rows read 1.234.567, used 3", "en") == ["1.234.567"]
    assert leaks("baris dibaca 1.234.567 di kolom `suara_sah` (--wilayah 35)", "id") == []
    assert leaks("rows read 1,234,567 in column suara_sah of KABUPATEN MALANG", "en") == []
    assert leaks("galat di baris 3", "en") == ["baris", "di", "galat"]
    assert leaks("rekap validate --fail-on error [default: error]", "id") == []
    assert leaks("98,9 % dari 1.234", "en") == ["1.234", "9,9 %"] or leaks("98,9 % dari 1.234", "en")


# --- what rekap prints and writes -----------------------------------------------------------------


def _cli(args: list[str], lang: str) -> tuple[int, str, str]:
    got = run_cli([*args, *(["--lang", "en"] if lang == "en" else [])])
    return got.code, got.stdout.decode("utf-8", "replace"), got.stderr


COMMANDS: dict[str, list[str]] = {
    "validate": ["validate", *SAMPLE_TPS, "--master", str(SAMPLE / "wilayah.csv"), "-f", "table"],
    "aggregate": ["aggregate", *SAMPLE_TPS, "--level", "kecamatan", "-f", "table"],
    "compare": ["compare", *SAMPLE_TPS, *sum((["-r", r] for r in REPORTED), []), "--election", "pkwkp", "-f", "table"],
    "progress": ["progress", *SAMPLE_TPS, "--master", str(SAMPLE / "wilayah.csv"), "-f", "table"],
    "rules": ["rules"],
    "rule": ["rules", "A006"],
    "rules-p": ["rules", "P"],
}
ERRORS: dict[str, list[str]] = {
    "unknown level": ["aggregate", *SAMPLE_TPS, "--level", "kabupatenn"],
    "bad fail-on": ["validate", *SAMPLE_TPS, "--fail-on", "sometimes"],
    "compare without recap": ["compare", *SAMPLE_TPS],
    "unknown rule": ["rules", "Z9"],
    "unknown rule select": ["validate", *SAMPLE_TPS, "--select", "Z9"],
    "bad wilayah": ["validate", *SAMPLE_TPS, "--wilayah", "3x"],
    "bad extension": ["validate", *SAMPLE_TPS, "-o", "temuan.docx"],
    "missing file": ["validate", "tidak-ada.csv"],
    "a folder": ["validate", str(SAMPLE)],
    "bad election": ["validate", *SAMPLE_TPS, "--election", "pilkades"],
    "bad delimiter": ["validate", *SAMPLE_TPS, "--delimiter", "ab"],
    "bad sheet": ["validate", *SAMPLE_TPS, "--sheet", "x:y:z"],
    "wilayah outside the data": ["validate", *SAMPLE_TPS, "--wilayah", "11"],
    "level the election has not": ["aggregate", *SAMPLE_TPS, "--level", "nasional"],
    "diff with one side": ["diff", SAMPLE_TPS[0]],
    "diff without TPS in common": ["diff", SAMPLE_TPS[0], SAMPLE_TPS[1], "--election", "pkwkp"],
    "diff bad sources": ["diff", SAMPLE_TPS[0], SAMPLE_TPS[0], "--sources", "sirekap"],
    "diff no match": ["diff", "tidak-ada/*.csv", SAMPLE_TPS[0]],
}


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("name", list(COMMANDS))
def test_commands_speak_one_language(name: str, lang: str) -> None:
    code, out, err = _cli(COMMANDS[name], lang)
    assert code in (0, 1), err
    assert_in_language(out, lang, f"{name} stdout")
    assert_in_language(err, lang, f"{name} stderr")


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_speak_one_language(name: str, lang: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = _cli(ERRORS[name], lang)
    assert code == 2, err
    assert err.startswith("rekap: galat: " if lang == "id" else "rekap: error: "), err
    assert_in_language(err, lang, name)


def _changed_copy(tmp_path: Path) -> tuple[str, str]:
    """The sample's tps_3503.csv and a copy with a correction (a misread repaired), a withdrawn value, a vote
    shift and one TPS dropped: every D rule has something to say."""
    import csv

    src = SAMPLE / "tps" / "tps_3503.csv"
    with src.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    head, body = rows[0], [list(r) for r in rows[1:]]
    first, second, third = body[0], body[1], body[2]
    first[head.index("Jumlah DPT")] = str(int(first[head.index("Jumlah DPT")]) + 10)
    p1, p2 = head.index("Paslon 01"), head.index("Paslon 02")
    third[p1], third[p2] = str(int(third[p1]) - 5), str(int(third[p2]) + 5)
    second[p1] = ""
    new = tmp_path / "tps_3503_baru.csv"
    with new.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([head, *body[:-1]])
    return str(src), str(new)


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("extra", [[], ["--level", "kecamatan"], ["--sources", "sirekap,saksi"]],
                         ids=["changes", "level", "sources"])
def test_diff_speaks_one_language(lang: str, extra: list[str], tmp_path: Path) -> None:
    old, new = _changed_copy(tmp_path)
    code, out, err = _cli(["diff", old, new, "--election", "pkwkp", "-f", "table", *extra], lang)
    assert code in (0, 1), err
    assert out.strip()
    assert ("X001" if extra[:1] == ["--sources"] else "D004") in err
    assert_in_language(out, lang, "diff stdout")
    assert_in_language(err, lang, "diff stderr")


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_store_speaks_one_language(lang: str, tmp_path: Path) -> None:
    old, new = _changed_copy(tmp_path)
    store = str(tmp_path / "rekap.duckdb")
    for args in (["store", "add", old, "--label", "pagi", "--election", "pkwkp", "--store", store],
                 ["store", "add", new, "--label", "sore", "--election", "pkwkp", "--store", store],
                 ["store", "add", new, "--label", "lagi", "--store", store],
                 ["store", "list", "--store", store], ["store", "log", "3503012001001", "--store", store],
                 ["store", "progress", "--store", store], ["diff", "@first", "@last", "--store", store]):
        code, out, err = _cli(args, lang)
        assert code in (0, 1), err
        assert_in_language(out, lang, " ".join(args[:2]))
        assert_in_language(err, lang, " ".join(args[:2]))
    code, _out, err = _cli(["store", "log", "3503012001999", "--store", store], lang)
    assert code == 2 and err.startswith("rekap: galat: " if lang == "id" else "rekap: error: ")
    assert_in_language(err, lang, "store log")


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_corpus_speaks_one_language(case: dict[str, object], lang: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every broken input of the corpus: its error, or its summary and findings table."""
    monkeypatch.chdir(CORPUS / "inputs")
    code, out, err = _cli(["validate", str(case["file"]), "--election", "pkwkp", "-f", "table"], lang)
    assert code == case["exit"], err
    assert_in_language(err, lang, str(case["file"]))
    assert_in_language(out, lang, str(case["file"]))


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("command", [[], ["validate"], ["aggregate"], ["compare"], ["progress"], ["run"], ["rules"],
                                     ["diff"], ["store"], ["store", "add"], ["store", "log"], ["store", "list"],
                                     ["store", "progress"], ["store", "accept"]])
def test_help_speaks_one_language(command: list[str], lang: str) -> None:
    env_lang = {"REKAP_LANG": lang}
    got = subprocess.run([sys.executable, "-m", "rekap", *command, "--help"], capture_output=True, text=True,
                         env={**_env(), **env_lang}, check=False)
    assert got.returncode == 0, got.stderr
    assert_in_language(got.stdout, lang, f"rekap {' '.join(command)} --help")


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "REKAP_LANG"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "svg", "code"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "svg", "code") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _workbook_texts(path: Path) -> str:
    """Every text of the workbook: sheet names and string cells (inline or shared)."""
    with zipfile.ZipFile(path) as z:
        texts = re.findall(r'<sheet [^>]*name="([^"]*)"', z.read("xl/workbook.xml").decode())
        for name in z.namelist():
            if name.startswith("xl/worksheets/") or name == "xl/sharedStrings.xml":
                texts += re.findall(r"<t(?: [^>]*)?>([^<]*)</t>", z.read(name).decode())
    return "\n".join(html.unescape(t) for t in texts)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_bundle_speaks_one_language(lang: str, tmp_path: Path) -> None:
    """`rekap run` on the sample: its summary, the workbook's texts and the page's text."""
    out = tmp_path / "hasil"
    code, stdout, err = _cli(["run", "-o", str(out)], lang)
    assert code in (0, 1), err
    assert_in_language(err, lang, "run stderr")
    assert_in_language(_workbook_texts(out / "rekap.xlsx"), lang, "rekap.xlsx")
    page = _Text()
    page.feed((out / "laporan.html").read_text(encoding="utf-8"))
    assert_in_language("\n".join(page.parts), lang, "laporan.html")


@pytest.mark.parametrize("lang", ["id", "en"])
def test_written_out_marks_are_babels(lang: str) -> None:
    """The decimal mark and group symbol written out for the shipped languages (no locale data loaded for
    them) are CLDR's, and CLDR groups their whole numbers by threes."""
    from babel import Locale
    from babel.numbers import get_decimal_symbol, get_group_symbol

    from rekap.i18n import BABEL_LOCALES, CLDR_MARKS, languages

    assert set(CLDR_MARKS) == set(languages())
    locale = Locale.parse(BABEL_LOCALES[lang])
    pattern = locale.decimal_formats.get(None)
    assert pattern is not None and pattern.grouping == (3, 3)
    assert pattern.prefix == ("", "-") and pattern.suffix == ("", "")
    assert CLDR_MARKS[lang] == (get_decimal_symbol(locale), get_group_symbol(locale))


@pytest.mark.parametrize("lang", ["id", "en"])
def test_whole_numbers_are_babels_text(lang: str) -> None:
    """`num` writes whole numbers with Python's grouping and the locale's symbol (fast); the text must be
    exactly Babel's (CLDR) for every size and sign."""
    from babel.numbers import format_decimal

    from rekap.i18n import BABEL_LOCALES, num

    values = [0, 7, -7, 999, 1000, -1000, 1234567, -1234567, 10**15 + 1, -(2**63), 2**64]
    values += [int(v) for v in (3 ** k for k in range(40))]
    for v in values:
        assert num(v, lang) == format_decimal(v, locale=BABEL_LOCALES.get(lang, lang)), v
    assert num(1234567, "id") == "1.234.567" and num(1234567, "en") == "1,234,567"
