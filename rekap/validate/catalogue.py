"""The rule catalogue: every rule of every family, listed explicitly (as ruff lists its codes), in the
order `rekap rules` shows them. Nothing registers itself on import; a rule exists when it is here.

    all_rules()                          # S…, A…, P…, K…, H…, D…, X…
    select_rules(["A", "S002"], ["A013"])  # ruff-style ID or prefix selection
    markdown("en")                       # the catalogue as a page (docs/rules.md, docs/rules.en.md)
"""

from __future__ import annotations

import duckdb

from rekap.db import RULES_TABLE
from rekap.errors import UsageError
from rekap.i18n import C_, NC_, SOURCE_LANG, _, languages, severity_word
from rekap.schema import quote_ident
from rekap.validate import rules_a, rules_d, rules_h, rules_k, rules_p, rules_s
from rekap.validate.registry import Rule

FAMILIES: tuple[tuple[Rule, ...], ...] = (
    rules_s.RULES, rules_a.RULES, rules_p.RULES, rules_k.RULES, rules_h.RULES, rules_d.RULES_D, rules_d.RULES_X,
)
"""Structure, arithmetic, plausibility, completeness, hierarchy, snapshots, sources (domain.md §3)."""
DIFF_FAMILIES = ("D", "X")
"""Rules about two versions of the same TPS: they run in `rekap diff` only, and a selection that does not
name them (the default of every other command) leaves them out."""
RULES: tuple[Rule, ...] = tuple(r for family in FAMILIES for r in family)
REGISTRY: dict[str, Rule] = {r.id: r for r in RULES}
if len(REGISTRY) != len(RULES):
    raise ValueError("a rule id is listed twice in the catalogue")


def all_rules() -> list[Rule]:
    return list(RULES)


def data_rules() -> list[Rule]:
    """The rules about one set of data (every family but D and X): what `validate`, `run` and the rest run
    by default."""
    return [r for r in RULES if r.family not in DIFF_FAMILIES]


def select_rules(select: list[str] | None, ignore: list[str] | None) -> list[Rule]:
    """Rules chosen by ID or prefix (`A`, `A00`, `P006`), ruff-style."""
    known = set(REGISTRY)

    def matches(rule_id: str, patterns: list[str]) -> bool:
        return any(rule_id.startswith(p) for p in patterns)

    for pat in (select or []) + (ignore or []):
        if not any(k.startswith(pat) for k in known):
            raise UsageError(_("aturan atau awalan tidak dikenal: {pattern!r}", pattern=pat),
                             hint=_("lihat daftar aturan dengan: rekap rules"))
    chosen = [r for r in RULES if matches(r.id, select)] if select else data_rules()
    return [r for r in chosen if not ignore or not matches(r.id, ignore)]


def write_rules_table(con: duckdb.DuckDBPyConnection) -> str:
    """Write every rule of the catalogue as the table `rekap.db.RULES_TABLE`, ordered by id, and return
    its name: `id`, `severity` (the code) and the title in every language rekap has, one column each
    (`title_id`, `title_en`, … from the message catalogue), so that a renderer shows the titles in its
    output language without importing the catalogue. The session writes it whenever its findings change."""
    table = quote_ident(RULES_TABLE)
    langs = languages()
    titles = ", ".join(f"{quote_ident('title_' + lang)} VARCHAR" for lang in langs)
    con.execute(f"CREATE OR REPLACE TABLE {table} (id VARCHAR, severity VARCHAR, {titles})")
    rules = sorted(RULES, key=lambda r: r.id)
    columns = [[r.id for r in rules], [r.severity for r in rules], *([r.title(lang) for r in rules] for lang in langs)]
    # One column list per parameter, unnested side by side (one statement: executemany costs ~0.3 ms a row).
    con.execute(f"INSERT INTO {table} SELECT {', '.join(f'unnest(${i + 1})' for i in range(len(columns)))}", columns)
    return RULES_TABLE


def split_patterns(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for v in values or []:
        out.extend(p.strip().upper() for p in v.split(",") if p.strip())
    return out


LANGUAGE_NAME = NC_("the name of this language, in this language", "Bahasa Indonesia")
"""A language's own name (English: "English"), for links between the pages of the catalogue."""


def doc_name(lang: str) -> str:
    """The file name of the catalogue's page in `lang`: rules.md in Indonesian, rules.<lang>.md otherwise."""
    return "rules.md" if lang == SOURCE_LANG else f"rules.{lang}.md"


def markdown(lang: str) -> str:
    """The whole catalogue as a Markdown page in `lang`: every rule's ID, severity, title and explanation
    (`scripts/gen_rules_doc.py` writes it to docs/; `rekap rules ID` shows the same texts)."""
    others = " · ".join(f"[{C_(*LANGUAGE_NAME, other)}]({doc_name(other)})" for other in languages() if other != lang)
    lines = [
        "# " + _("Katalog aturan", lang),
        "",
        _("Dibuat dari katalog aturan oleh `python scripts/gen_rules_doc.py`; `rekap rules ID` menampilkan teks "
          "yang sama.", lang) + (f" {others}" if others else ""),
        "",
        _("ID aturan tidak pernah berubah (domain.md §3). Keparahan: {error} = formulir tidak mungkin benar; "
          "{warning} = mungkin saja, tetapi mencurigakan; {info} = keterangan (kelengkapan TPS).", lang,
          error=severity_word("error", lang), warning=severity_word("warning", lang),
          info=severity_word("info", lang)),
        "",
        _("`rekap rules -f json` memberi data yang sama untuk skrip: `id`, `severity` (kodenya: `error`, "
          "`warning`, `info`), judul dan penjelasan dalam setiap bahasa (`title_id`, `title_en`, `explanation_id`, "
          "`explanation_en`), dan `description` (penjelasan dalam bahasa Inggris, seperti dulu).", lang),
        "",
        "| ID | " + _("Keparahan", lang) + " | " + _("Judul", lang) + " |",
        "|---|---|---|",
    ]
    lines += [f"| {r.id} | {severity_word(r.severity, lang)} | {_cell(r.title(lang))} |" for r in RULES]
    for r in RULES:
        lines += ["", f"## {r.id}: {r.title(lang)}", "", f"*{severity_word(r.severity, lang)}*", "", r.explanation(lang)]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")
