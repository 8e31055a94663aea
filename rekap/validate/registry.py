"""The rule registry: every rule is registered once with its permanent ID, severity and messages.

A rule is a small function that, given what the data holds (`Context`), returns the checks it
runs as SQL fragments over the typed TPS table `rk_tps`, or a `NotApplicable` reason. The engine
puts all checks of all selected rules into one set-based query; no rule loops over rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

SEVERITIES = ("error", "warning", "info")
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


@dataclass(frozen=True)
class Check:
    """One equation or bound of a rule, as SQL over `rk_tps` (aliased `t`).

    `expected`/`actual` are BIGINT expressions; `violated` is the condition that raises a finding
    (NULL counts as not violated, which is how empty cells make a row not applicable).
    Alternatively `sql` is a complete SELECT yielding the finding columns
    (kode_wilayah, field, expected, actual, detail, _file, _row).
    """

    field: str = ""
    expected: str = "NULL"
    actual: str = "NULL"
    violated: str = "false"
    detail: str = "''"
    joins: str = ""
    sql: str | None = None
    level: str = "tps"


@dataclass(frozen=True)
class NotApplicable:
    reason_id: str
    reason_en: str


@dataclass(frozen=True)
class Context:
    columns: frozenset[str]
    """Canonical columns present in the data."""
    has_master: bool = False
    has_master_tps: bool = False
    """The region list numbers the TPS of each desa (`rk_expected_tps`, KPU format)."""
    has_dpt: bool = False
    paslon: tuple[str, ...] = ()
    """suara_paslon_n columns present, in order."""
    text_numeric: frozenset[str] = frozenset()
    """Numeric columns that arrived as text (CSV, XLSX, JSON) and must be parsed (S002)."""
    lang: str = "id"
    has_reported: bool = False
    """Reported recaps were compared (`rekap.aggregate.compare`): the H rules can run."""
    duplicate_codes: bool = True
    """Some kode_tps occurs more than once (S003 has something to compare)."""
    bad_cells: bool = True
    """Some count cell failed typing (`_s002`): S002 has raw rows to read again."""

    def has(self, *names: str) -> bool:
        return all(n in self.columns for n in names)

    def missing(self, *names: str) -> list[str]:
        return [n for n in names if n not in self.columns]


RuleBuilder = Callable[[Context], "list[Check] | NotApplicable"]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    title_id: str
    title_en: str
    message_id: str
    """fmt template for DuckDB's format(): {0}=field {1}=expected {2}=actual {3}=selisih {4}=detail."""
    message_en: str
    description: str
    build: RuleBuilder = field(compare=False)

    @property
    def family(self) -> str:
        return self.id[0]

    def title(self, lang: str) -> str:
        return self.title_id if lang == "id" else self.title_en

    def message(self, lang: str) -> str:
        return self.message_id if lang == "id" else self.message_en


REGISTRY: dict[str, Rule] = {}


def rule(
    id: str,
    severity: str,
    title_id: str,
    title_en: str,
    message_id: str,
    message_en: str,
) -> Callable[[RuleBuilder], RuleBuilder]:
    """Register a rule; the decorated function's docstring is its description."""

    def wrap(fn: RuleBuilder) -> RuleBuilder:
        if id in REGISTRY:
            raise ValueError(f"rule {id} registered twice")
        if severity not in SEVERITIES:
            raise ValueError(f"rule {id}: unknown severity {severity}")
        REGISTRY[id] = Rule(
            id=id,
            severity=severity,
            title_id=title_id,
            title_en=title_en,
            message_id=message_id,
            message_en=message_en,
            description=(fn.__doc__ or "").strip(),
            build=fn,
        )
        return fn

    return wrap


def all_rules() -> list[Rule]:
    # Importing the families registers them.
    from rekap.validate import rules_a, rules_h, rules_k, rules_p, rules_s  # noqa: F401

    return [REGISTRY[k] for k in sorted(REGISTRY, key=_rule_sort_key)]


def write_rules_table(con: duckdb.DuckDBPyConnection) -> str:
    """Write every rule of the catalogue as the table `rekap.db.RULES_TABLE` (id, severity, title_id,
    title_en), ordered by id, and return its name. The renderers take rule titles from it, so that no
    renderer imports the registry; the pipeline writes it before rendering."""
    from rekap.db import RULES_TABLE
    from rekap.schema import quote_ident

    table = quote_ident(RULES_TABLE)
    con.execute(f"CREATE OR REPLACE TABLE {table} (id VARCHAR, severity VARCHAR, title_id VARCHAR, title_en VARCHAR)")
    rows = [[r.id, r.severity, r.title_id, r.title_en] for r in sorted(all_rules(), key=lambda r: r.id)]
    con.executemany(f"INSERT INTO {table} VALUES (?, ?, ?, ?)", rows)
    return RULES_TABLE


def _rule_sort_key(rule_id: str) -> tuple[int, str]:
    order = "SAPKHXD"
    return (order.index(rule_id[0]) if rule_id[0] in order else 99, rule_id)


def select_rules(select: list[str] | None, ignore: list[str] | None) -> list[Rule]:
    """Rules chosen by ID or prefix (`A`, `A00`, `P006`), ruff-style."""
    from rekap.errors import UsageError

    rules = all_rules()
    known = {r.id for r in rules}

    def matches(rule_id: str, patterns: list[str]) -> bool:
        return any(rule_id.startswith(p) for p in patterns)

    for pat in (select or []) + (ignore or []):
        if not any(k.startswith(pat) for k in known):
            raise UsageError(f"unknown rule or prefix {pat!r}", hint="list the rules with: rekap rules")
    chosen = [r for r in rules if not select or matches(r.id, select)]
    return [r for r in chosen if not ignore or not matches(r.id, ignore)]


def split_patterns(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for v in values or []:
        out.extend(p.strip().upper() for p in v.split(",") if p.strip())
    return out
