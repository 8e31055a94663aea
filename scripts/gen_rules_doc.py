"""Write docs/rules.md from the rule registry (the registry is the single source of truth).

Usage: python scripts/gen_rules_doc.py [--check]
"""

from __future__ import annotations

import sys
from pathlib import Path

from rekap.validate.catalogue import all_rules

OUT = Path(__file__).resolve().parents[1] / "docs" / "rules.md"


def render() -> str:
    lines = [
        "# Rule catalogue",
        "",
        "Generated from the rule registry by `python scripts/gen_rules_doc.py`; `rekap rules ID` shows the same text.",
        "IDs are permanent (domain.md §3). Severity: error = the form cannot be right; warning = legal but suspicious.",
        "",
        "| ID | severity | Indonesian | English |",
        "|---|---|---|---|",
    ]
    rules = all_rules()
    lines += [f"| {r.id} | {r.severity} | {r.title_id} | {r.title_en} |" for r in rules]
    for r in rules:
        lines += ["", f"## {r.id}: {r.title_en}", "", f"*{r.severity}* — {r.title_id}", "", r.description]
    return "\n".join(lines) + "\n"


def main() -> int:
    text = render()
    if "--check" in sys.argv:
        return 0 if OUT.exists() and OUT.read_text(encoding="utf-8") == text else 1
    OUT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
