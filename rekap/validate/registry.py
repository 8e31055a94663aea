"""What a rule is: its permanent ID, severity, texts and the checks it builds.

A rule is a small function that, given what the data holds (`Context`), returns the checks it
runs as SQL fragments over the typed TPS table `rk_tps`, or a `NotApplicable` reason. The engine
puts all checks of all selected rules into one set-based query; no rule loops over rows. Which rules
exist is the catalogue's business (`rekap.validate.catalogue`).

A rule's title, finding message and explanation are Indonesian texts marked for the message
catalogue (`rekap.i18n`); `Rule.title(lang)`, `Rule.message(lang)` and `Rule.explanation(lang)` give
them in a language, and the other languages live only in their catalogues.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rekap.i18n import _

SEVERITIES = ("error", "warning", "info")
"""The severity codes: stable data (finding records, `rk_rules`, `rekap rules -f json`), never translated."""
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
    """Why a rule does not run on this input: an Indonesian text marked with `N_`, its `{name}` places
    filled from `values` (`kolom tidak ada: {columns}`), translated where it is shown (`text`)."""

    reason: str
    values: tuple[tuple[str, str], ...] = ()

    def text(self, lang: str | None = None) -> str:
        return _(self.reason, lang, **dict(self.values))


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
    odd_codes: bool = True
    """Some kode_tps in `rk_tps` is not 13 digits: the rules match the pattern (`rekap.validate.sql.coded`; else
    every code passes it)."""
    rejected_rows: bool = True
    """Some input row could not be read (`rk_rejected` has rows): S008 has something to report."""
    diff: str | None = None
    """Inside `rekap diff`: `time` (two snapshots: the D rules run) or `sources` (two sources: the X rules)."""
    diff_labels: tuple[str, str] | None = None
    """The two sides' names (`--sources A,B`), for the X rules' messages."""

    def has(self, *names: str) -> bool:
        return all(n in self.columns for n in names)

    def missing(self, *names: str) -> list[str]:
        return [n for n in names if n not in self.columns]


RuleBuilder = Callable[[Context], "list[Check] | NotApplicable"]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    title_msgid: str
    """The title, Indonesian (the catalogue's message id): `title(lang)` translates it."""
    message_msgid: str
    """The finding message, Indonesian: a template for DuckDB's format(), {0}=field {1}=expected
    {2}=actual {3}=selisih {4}=detail; `message(lang)` translates it."""
    explanation_msgid: str
    """What the rule checks, why it matters, an example: Indonesian paragraphs separated by a blank line
    (no line breaks inside a paragraph); `explanation(lang)` translates it."""
    build: RuleBuilder = field(compare=False)

    @property
    def family(self) -> str:
        return self.id[0]

    def title(self, lang: str | None = None) -> str:
        return _(self.title_msgid, lang)

    def message(self, lang: str | None = None) -> str:
        return _(self.message_msgid, lang)

    def explanation(self, lang: str | None = None) -> str:
        return _(self.explanation_msgid, lang)


def rule(id: str, severity: str, *, title: str, message: str, explanation: str) -> Callable[[RuleBuilder], Rule]:
    """Make a rule of the decorated function. `title`, `message` and `explanation` are Indonesian texts
    marked with `N_` (the catalogue holds their translations). The catalogue (`rekap.validate.catalogue`)
    lists every rule of every family explicitly."""
    if severity not in SEVERITIES:
        raise ValueError(f"rule {id}: unknown severity {severity}")

    def wrap(fn: RuleBuilder) -> Rule:
        return Rule(id=id, severity=severity, title_msgid=title, message_msgid=message,
                    explanation_msgid=explanation.strip(), build=fn)

    return wrap
