"""The rule catalogue: every rule of every family, listed explicitly (as ruff lists its codes), in the
order `rekap rules` shows them. Nothing registers itself on import; a rule exists when it is here.

    all_rules()                          # S…, A…, P…, K…, H…
    select_rules(["A", "S002"], ["A013"])  # ruff-style ID or prefix selection
"""

from __future__ import annotations

from rekap.errors import UsageError
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


def split_patterns(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for v in values or []:
        out.extend(p.strip().upper() for p in v.split(",") if p.strip())
    return out
