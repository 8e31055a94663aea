"""What a rule is: its permanent ID, severity, messages and the checks it builds.

A rule is a small function that, given what the data holds (`Context`), returns the checks it
runs as SQL fragments over the typed TPS table `rk_tps`, or a `NotApplicable` reason. The engine
puts all checks of all selected rules into one set-based query; no rule loops over rows. Which rules
exist is the catalogue's business (`rekap.validate.catalogue`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass

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
    reported_columns: frozenset[str] = frozenset()
    """Count columns the reported recaps have (`rk_reported`): what H003 checks."""
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


def rule(
    id: str,
    severity: str,
    title_id: str,
    title_en: str,
    message_id: str,
    message_en: str,
) -> Callable[[RuleBuilder], Rule]:
    """Make a rule of the decorated function (its docstring is the rule's description). The catalogue
    (`rekap.validate.catalogue`) lists every rule of every family explicitly."""
    if severity not in SEVERITIES:
        raise ValueError(f"rule {id}: unknown severity {severity}")

    def wrap(fn: RuleBuilder) -> Rule:
        return Rule(
            id=id,
            severity=severity,
            title_id=title_id,
            title_en=title_en,
            message_id=message_id,
            message_en=message_en,
            description=(fn.__doc__ or "").strip(),
            build=fn,
        )

    return wrap
