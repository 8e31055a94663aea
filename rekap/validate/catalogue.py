"""The rule catalogue: every rule of every family, listed explicitly (as ruff lists its codes), in the
order `rekap rules` shows them. Nothing registers itself on import; a rule exists when it is here.

    all_rules()                          # S…, A…, P…, K…, H…
    select_rules(["A", "S002"], ["A013"])  # ruff-style ID or prefix selection
"""

from __future__ import annotations

import duckdb

from rekap.db import RULES_TABLE
from rekap.errors import UsageError
from rekap.schema import quote_ident
from rekap.validate import rules_a, rules_h, rules_k, rules_p, rules_s
from rekap.validate.registry import Rule

FAMILIES: tuple[tuple[Rule, ...], ...] = (rules_s.RULES, rules_a.RULES, rules_p.RULES, rules_k.RULES, rules_h.RULES)
"""Structure, arithmetic, plausibility, completeness, hierarchy (domain.md §3)."""
RULES: tuple[Rule, ...] = tuple(r for family in FAMILIES for r in family)
REGISTRY: dict[str, Rule] = {r.id: r for r in RULES}
if len(REGISTRY) != len(RULES):
    raise ValueError("a rule id is listed twice in the catalogue")


def all_rules() -> list[Rule]:
    return list(RULES)


def select_rules(select: list[str] | None, ignore: list[str] | None) -> list[Rule]:
    """Rules chosen by ID or prefix (`A`, `A00`, `P006`), ruff-style."""
    known = set(REGISTRY)

    def matches(rule_id: str, patterns: list[str]) -> bool:
        return any(rule_id.startswith(p) for p in patterns)

    for pat in (select or []) + (ignore or []):
        if not any(k.startswith(pat) for k in known):
            raise UsageError(f"unknown rule or prefix {pat!r}", hint="list the rules with: rekap rules")
    chosen = [r for r in RULES if not select or matches(r.id, select)]
    return [r for r in chosen if not ignore or not matches(r.id, ignore)]


def write_rules_table(con: duckdb.DuckDBPyConnection) -> str:
    """Write every rule of the catalogue as the table `rekap.db.RULES_TABLE` (id, severity, title_id,
    title_en), ordered by id, and return its name. The renderers take rule titles from it, so that no
    renderer imports the catalogue; the session writes it whenever its findings change."""
    table = quote_ident(RULES_TABLE)
    con.execute(f"CREATE OR REPLACE TABLE {table} (id VARCHAR, severity VARCHAR, title_id VARCHAR, title_en VARCHAR)")
    rows = [[r.id, r.severity, r.title_id, r.title_en] for r in sorted(RULES, key=lambda r: r.id)]
    con.executemany(f"INSERT INTO {table} VALUES (?, ?, ?, ?)", rows)
    return RULES_TABLE


def split_patterns(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for v in values or []:
        out.extend(p.strip().upper() for p in v.split(",") if p.strip())
    return out
