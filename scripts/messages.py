#!/usr/bin/env python3
"""The message catalogues: extract rekap's texts, update every language's catalogue, compile it.

    python scripts/messages.py            # extract, update every rekap/locale/<lang>/LC_MESSAGES/rekap.po, compile .mo
    python scripts/messages.py --compile  # only compile the .po files as they are (no reordering)
    python scripts/messages.py --check    # exit 1 when a text is missing, untranslated or obsolete, or a .mo is stale

Indonesian is the source language (the texts in the code); every other language is one `.po` file.
Adding a language: copy `rekap/locale/en/LC_MESSAGES/rekap.po` to `rekap/locale/<lang>/LC_MESSAGES/`,
translate every `msgstr`, and run `make messages`. The outputs are deterministic (fixed header dates),
so the compiled `.mo` files are committed and a test checks they match their `.po`.
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "rekap"
LOCALE_DIR = PACKAGE / "locale"
DOMAIN = "rekap"
KEYWORDS = {"_": None, "N_": None, "C_": ((1, "c"), 2), "NC_": ((1, "c"), 2), "n_": (1, 2)}
"""The marking functions of rekap.i18n and where their texts stand."""
FIXED_DATE = datetime(2024, 2, 14, tzinfo=UTC)
"""Header dates of every catalogue: the same texts give the same bytes (Pemilu 2024's polling day)."""


def extract() -> Catalog:
    """Every marked text of the package, with the places it is used."""
    template = Catalog(project="rekap", domain=DOMAIN, locale="id", creation_date=FIXED_DATE,
                       revision_date=FIXED_DATE, fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(PACKAGE), keywords=KEYWORDS, comment_tags=("TRANSLATORS:",), strip_comment_tags=True
    ):
        path = f"rekap/{filename}"
        template.add(message, None, [(path, lineno)], auto_comments=comments, context=context,
                     flags=("python-brace-format",) if _braced(message) else ())
    return template


def _braced(message: str | tuple[str, ...]) -> bool:
    texts = message if isinstance(message, tuple) else (message,)
    return any("{" in t for t in texts)


def catalogues() -> Iterator[Path]:
    yield from sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def read(po: Path) -> Catalog:
    with po.open("rb") as f:
        return read_po(f, locale=po.parent.parent.name, domain=DOMAIN)


HEADER = """# {language} translation of rekap's texts (source language: Indonesian).
# This file is distributed under the same license as rekap (MIT).
# Edit the msgstr lines; `make messages` adds new texts, drops old ones and compiles the .mo beside it."""


def po_bytes(catalog: Catalog) -> bytes:
    catalog.header_comment = HEADER.format(language=catalog.locale.english_name if catalog.locale else "A")
    catalog.fuzzy = False
    catalog.project, catalog.version = "rekap", "1"
    catalog.msgid_bugs_address = ""
    catalog.creation_date = FIXED_DATE
    catalog.revision_date = FIXED_DATE
    buf = io.BytesIO()
    # No line numbers: a text's entry changes only when the text or the file it is in changes, so two
    # people editing different modules touch different parts of the catalogue.
    write_po(buf, catalog, width=110, sort_output=False, sort_by_file=True, ignore_obsolete=True,
             include_previous=False, include_lineno=False)
    return buf.getvalue()


def mo_bytes(catalog: Catalog) -> bytes:
    catalog.creation_date = FIXED_DATE
    catalog.revision_date = FIXED_DATE
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    return buf.getvalue()


def problems(template: Catalog) -> list[str]:
    """What keeps the catalogues from being complete and current, one line each."""
    found = []
    wanted = {(m.id if isinstance(m.id, str) else m.id[0], m.context) for m in template if m.id}
    for po in catalogues():
        lang = po.parent.parent.name
        catalog = read(po)
        have = {(m.id if isinstance(m.id, str) else m.id[0], m.context): m for m in catalog if m.id}
        for key in sorted(wanted - have.keys(), key=str):
            found.append(f"{lang}: missing {key[1] + ' | ' if key[1] else ''}{key[0]!r}")
        for key in sorted(have.keys() - wanted, key=str):
            found.append(f"{lang}: obsolete {key[1] + ' | ' if key[1] else ''}{key[0]!r}")
        for key, m in have.items():
            strings = m.string if isinstance(m.string, tuple) else (m.string,)
            if key in wanted and (not all(strings) or m.fuzzy):
                found.append(f"{lang}: untranslated {key[1] + ' | ' if key[1] else ''}{key[0]!r}")
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.read_bytes() != mo_bytes(catalog):
            found.append(f"{lang}: {mo.relative_to(ROOT)} does not match its .po (run: make messages)")
    return found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = ap.add_mutually_exclusive_group()
    group.add_argument("--compile", action="store_true", help="only compile the .po files as they are")
    group.add_argument("--check", action="store_true", help="exit 1 unless every catalogue is complete and compiled")
    args = ap.parse_args(argv)
    if args.check:
        found = problems(extract())
        for line in found:
            print(line)
        print(f"{len(found)} problem(s)" if found else "catalogues complete")
        return 1 if found else 0
    template = None if args.compile else extract()
    for po in catalogues():
        catalog = read(po)
        if template is not None:
            catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
            po.write_bytes(po_bytes(catalog))
            catalog = read(po)
        po.with_suffix(".mo").write_bytes(mo_bytes(catalog))
        untranslated = sum(1 for m in catalog if m.id and not (m.string if isinstance(m.string, str) else all(m.string)))
        print(f"{po.relative_to(ROOT)}: {len(catalog)} texts, {untranslated} untranslated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
