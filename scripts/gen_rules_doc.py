"""Write the rule catalogue's pages from the rule registry and the message catalogue (the single source of
truth): docs/rules.md in Indonesian, docs/rules.<lang>.md in every other language rekap has.

Usage: python scripts/gen_rules_doc.py [--check]   (--check: exit 1 when a page is missing or stale)
"""

from __future__ import annotations

import sys
from pathlib import Path

from rekap.i18n import languages
from rekap.validate.catalogue import doc_name, markdown

DOCS = Path(__file__).resolve().parents[1] / "docs"


def pages() -> dict[Path, str]:
    """Every language's page and its text."""
    return {DOCS / doc_name(lang): markdown(lang) for lang in languages()}


def main() -> int:
    wanted = pages()
    if "--check" in sys.argv:
        stale = [path.name for path, text in wanted.items()
                 if not path.exists() or path.read_text(encoding="utf-8") != text]
        for name in stale:
            print(f"docs/{name} is stale: run python scripts/gen_rules_doc.py")
        return 1 if stale else 0
    for path, text in wanted.items():
        path.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
