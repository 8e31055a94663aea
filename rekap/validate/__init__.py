"""Validation engine: every selected rule as one set-based DuckDB query over the typed TPS table.

    ds = load_dataset(con, ["tps.csv"], tmpdir)
    report = validate(ds, rules=select_rules(None, None))   # the rules that need nothing but the data
    report.findings  # pyarrow.Table of finding records (domain.md §5)

With a region list or a DPT list, use `rekap.Session`: it loads the lists, builds what the K rules read
and runs `check` over the prepared data (`rekap.validate.typing.prepare`).

Accepted findings (`--accept`, `rekap.validate.accept`) are moved out of the findings table into
`ACCEPTED_TABLE`; the report's `counts`, `severity_counts` and `fails()` then count only the findings that count,
and `accepted`, `accept_stale` say what the accept files did.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import duckdb

if TYPE_CHECKING:
    import pyarrow as pa

from rekap.config import Thresholds
from rekap.dataset import Dataset
from rekap.db import literal
from rekap.election import InputElection, check_match
from rekap.i18n import _
from rekap.schema import NUMERIC_COLUMNS, PASLON_COLUMNS, PILKADA, quote_ident
from rekap.scope import Scope, data_root, store
from rekap.validate.catalogue import data_rules, select_rules
from rekap.validate.registry import (
    SEVERITY_RANK,
    Check,
    Context,
    NotApplicable,
    Rule,
)
from rekap.validate.typing import prepare, tps_elections

FINDING_FIELDS: tuple[str, ...] = (
    "rule", "severity", "level", "kode_wilayah", "field", "expected", "actual", "selisih", "message", "source", "row",
)
FINDING_TYPES: dict[str, str] = {
    "rule": "VARCHAR", "severity": "VARCHAR", "level": "VARCHAR", "kode_wilayah": "VARCHAR", "field": "VARCHAR",
    "expected": "BIGINT", "actual": "BIGINT", "selisih": "BIGINT", "message": "VARCHAR", "source": "VARCHAR",
    "row": "BIGINT",
}
FINDINGS_TABLE = "rk_findings_out"
ACCEPTED_TABLE = "rk_findings_accepted"
"""The accepted findings (`rekap.validate.accept`): the finding records, then the entry's reason, by, date."""
STALE_TABLE = "rk_accept_stale"
"""The accept files' entries that match no finding any more (`rekap.validate.accept`)."""



@dataclass
class ValidationReport:
    con: duckdb.DuckDBPyConnection
    """The connection holding the findings (table `rk_findings_out`, in output order)."""
    rules_run: list[str]
    not_applicable: dict[str, NotApplicable]
    counts: dict[str, int]
    """Findings per rule."""
    severity_counts: dict[str, int]
    tps_checked: int
    rows_read: int
    rows_used: int
    rows_rejected: int
    rows_duplicate: int
    elections: dict[str, int]
    notes: list[str] = field(default_factory=list)

    @property
    def findings(self) -> pa.Table:
        """The finding records (domain.md §5) as an Arrow table, in output order."""
        if self._arrow is None:
            self._arrow = self.con.sql(f"SELECT * FROM {FINDINGS_TABLE}").to_arrow_table()
        return self._arrow

    _arrow: pa.Table | None = field(default=None, repr=False)
    reported_sources: list[dict[str, object]] = field(default_factory=list)
    """Reported recaps compared into this report (rekap compare / run)."""
    rows_outside: int = 0
    """Rows left out because their TPS lies outside `--wilayah`: read = used + rejected + outside."""
    scope: Scope | None = None
    """What the answer is about: `--wilayah`, or the data's root unit (rekap.scope)."""
    election_flag: str | None = None
    election_inputs: list[InputElection] = field(default_factory=list)
    """Each input's election type(s) and where they came from (TPS files, then reported recaps)."""
    accepted: dict[str, int] = field(default_factory=dict)
    """Accepted findings per rule (`rekap.Session.accept`, domain.md §5): moved out of the findings table into
    `rk_findings_accepted`, so `counts`, `severity_counts` and `fails()` leave them out."""
    accept_stale: int = 0
    """Entries of the accept files that match no finding any more (table `rk_accept_stale`)."""
    accept_not_run: dict[str, int] = field(default_factory=dict)
    """Entries per rule whose rule did not run here (neither matched nor stale)."""
    accept_without_reason: int = 0
    """Accepted findings whose entry gives no reason."""
    accept_files: list[dict[str, object]] = field(default_factory=list)
    """The accept files read: path, name, sha256, rows (entries)."""

    @property
    def accepted_findings(self) -> pa.Table:
        """The accepted findings (the finding records, then reason, by, date) as an Arrow table, in output order."""
        return self.con.sql(f"SELECT * FROM {ACCEPTED_TABLE}").to_arrow_table()

    @property
    def stale_entries(self) -> pa.Table:
        """The stale entries (file, line, rule, kode_wilayah, field, actual, reason) as an Arrow table."""
        return self.con.sql(f"SELECT * FROM {STALE_TABLE}").to_arrow_table()

    def first_stale(self, n: int) -> list[tuple[str, int, str, str | None, str | None, int | None]]:
        """The first `n` stale entries as (file, line, rule, kode_wilayah, field, actual), in file and line order."""
        if not self.accept_stale:
            return []
        return [(str(f), int(ln), str(r), k, fd, a) for f, ln, r, k, fd, a in self.con.execute(
            f"SELECT file, line, rule, kode_wilayah, field, actual FROM {STALE_TABLE} ORDER BY rowid LIMIT $n",
            {"n": n}).fetchall()]

    def worst(self) -> str | None:
        present = [s for s, n in self.severity_counts.items() if n]
        return max(present, key=lambda s: SEVERITY_RANK[s]) if present else None

    def fails(self, fail_on: str) -> bool:
        if fail_on == "never":
            return False
        limit = SEVERITY_RANK[fail_on]
        return any(n and SEVERITY_RANK[s] >= limit for s, n in self.severity_counts.items())


def _check_sql(check: Check) -> str:
    if check.sql is not None:
        return check.sql
    return (
        f"SELECT t.kode_tps AS kode_wilayah, '{check.field}' AS field, ({check.expected})::BIGINT AS expected, "
        f"({check.actual})::BIGINT AS actual, {check.detail} AS detail, t._file, t._row "
        f"FROM rk_tps t {check.joins} WHERE {check.violated}"
    )


def _run_rules(
    con: duckdb.DuckDBPyConnection, rules: list[Rule], ctx: Context, lang: str, *, append: bool
) -> tuple[list[str], dict[str, NotApplicable]]:
    """Evaluate `rules` into the ordered findings table (replacing it, or adding to it)."""
    parts: list[tuple[str, str, bool]] = []
    not_applicable: dict[str, NotApplicable] = {}
    rules_run: list[str] = []
    for r in rules:
        built = r.build(ctx)
        if isinstance(built, NotApplicable):
            not_applicable[r.id] = built
            continue
        rules_run.append(r.id)
        # The template is the registry's own text (never input data), inlined as a constant so that
        # DuckDB parses it once rather than per finding.
        template = literal(r.message(lang))

        def finding(level: str, checks_sql: str, rule: Rule = r, template: str = template) -> str:
            return f"""SELECT '{rule.id}' AS rule, '{rule.severity}' AS severity, {level} AS level,
                           f.kode_wilayah::VARCHAR AS kode_wilayah, f.field::VARCHAR AS field, f.expected, f.actual,
                           (f.actual - f.expected) AS selisih,
                           format({template}, coalesce(f.field, ''), coalesce(f.expected::VARCHAR, ''),
                                  coalesce(f.actual::VARCHAR, ''), coalesce(CASE WHEN f.actual - f.expected > 0 THEN '+' ELSE '' END
                                  || (f.actual - f.expected)::VARCHAR, ''), coalesce(f.detail::VARCHAR, '')) AS message,
                           f._file AS source, f._row AS row
                    FROM ({checks_sql}) f"""

        # The simple checks of one rule (same level; one filtered scan each, the same columns) share one
        # message expression: DuckDB plans each format() call, so one per rule rather than one per check.
        simple_by_level: dict[str, list[str]] = {}
        for check in built:
            level = "f.level" if check.level == "*" else f"'{check.level}'"
            if check.sql is None:
                simple_by_level.setdefault(level, []).append(_check_sql(check))
            else:
                parts.append((r.id, finding(level, _check_sql(check)), False))
        for level, sqls in simple_by_level.items():
            parts.append((r.id, finding(level, "\nUNION ALL\n".join(sqls)), True))
    con.execute(
        "CREATE OR REPLACE TABLE rk_findings (rule VARCHAR, severity VARCHAR, level VARCHAR, kode_wilayah VARCHAR, "
        "field VARCHAR, expected BIGINT, actual BIGINT, selisih BIGINT, message VARCHAR, source INTEGER, row BIGINT)"
    )
    # Checks with their own CTEs (medians, hashes) run alone, where DuckDB plans them best; the
    # simple ones (one filtered scan each) are scanned, ordered and stored in one statement.
    simple = [part for _rule_id, part, is_simple in parts if is_simple]
    for _rule_id, part, is_simple in parts:
        if not is_simple:
            con.execute(f"INSERT INTO rk_findings {part}")
    union = "\nUNION ALL\n".join(["SELECT * FROM rk_findings", *simple])
    if append:
        # Earlier findings carry their source's name; map it back to the input order for sorting.
        union += (
            f"\nUNION ALL\nSELECT {', '.join('o.idx' if n == 'source' else 'e.' + quote_ident(n) for n in FINDING_FIELDS)} "
            f"FROM {FINDINGS_TABLE} e LEFT JOIN rk_source_order o ON o.source = e.source"
        )
    con.execute(
        f"""CREATE OR REPLACE TABLE {FINDINGS_TABLE} AS
            SELECT {', '.join('o.source' if n == 'source' else 'f.' + quote_ident(n) for n in FINDING_FIELDS)}
            FROM ({union}) f LEFT JOIN rk_source_order o ON o.idx = f.source
            ORDER BY f.source NULLS LAST, f.row NULLS FIRST, f.rule, f.field, f.kode_wilayah,
                     -- a total order (ties only between identical findings), so the same input gives the
                     -- same bytes: one rule can name one field of one row twice (H003 with two checks)
                     f.level, f.expected NULLS FIRST, f.actual NULLS FIRST, f.message"""
    )
    return rules_run, not_applicable


def evaluate(con: duckdb.DuckDBPyConnection, rules: list[Rule], ctx: Context, lang: str) -> list[str]:
    """Evaluate `rules` over whatever `rk_tps` is now into a fresh findings table (`rk_findings_out`, replaced);
    return the rules that ran. `rekap diff` uses it for the A-rules of both forms of each changed TPS."""
    return _run_rules(con, rules, ctx, lang, append=False)[0]


def add_findings(report: ValidationReport, rules: list[Rule], ctx: Context, lang: str) -> None:
    """Evaluate more rules (e.g. the H rules once reported recaps are compared) into the same report."""
    rules_run, not_applicable = _run_rules(report.con, rules, ctx, lang, append=True)
    report.rules_run += rules_run
    for rule_id in rules_run:
        report.not_applicable.pop(rule_id, None)
    report.not_applicable.update(not_applicable)
    report._arrow = None
    report.counts = {
        str(k): int(v)
        for k, v in report.con.execute(f"SELECT rule, count(*) FROM {FINDINGS_TABLE} GROUP BY rule ORDER BY rule").fetchall()
    }
    report.severity_counts = {s: 0 for s in ("error", "warning", "info")}
    for sev, n in report.con.execute(f"SELECT severity, count(*) FROM {FINDINGS_TABLE} GROUP BY severity").fetchall():
        report.severity_counts[str(sev)] = int(n)


def check(
    ds: Dataset,
    types: dict[str, str],
    *,
    rules: list[Rule] | None = None,
    election: str | None = None,
    election_inputs: list[InputElection] | None = None,
    scope: Scope | None = None,
    has_master: bool = False,
    has_master_tps: bool = False,
    has_dpt: bool = False,
    notes: list[str] | None = None,
    lang: str = "id",
) -> ValidationReport:
    """Run the rules over the prepared data (`prepare`): the findings table and the report.

    The lists the K, S006 and A013 rules read (`rk_master`, the scope tables, `rk_dpt`) are loaded and
    built by the caller (`rekap.Session.validate`), which says so with `has_master`, `has_master_tps` and
    `has_dpt`."""
    con = ds.con
    notes = notes if notes is not None else []
    rules = rules if rules is not None else data_rules()
    present = frozenset(c for c in ds.columns if c in types)
    ctx = Context(
        columns=present,
        has_master=has_master,
        has_master_tps=has_master_tps,
        has_dpt=has_dpt,
        paslon=tuple(p for p in PASLON_COLUMNS if p in present),
        text_numeric=frozenset(c for c in present if c in NUMERIC_COLUMNS and types[c] == "VARCHAR"),
        duplicate_codes=ds.duplicate_codes,
        bad_cells=ds.bad_cells,
        odd_codes=ds.odd_codes,
        rejected_rows=ds.rows_rejected > 0,
        lang=lang,
    )
    rules_run, not_applicable = _run_rules(con, rules, ctx, lang, append=False)
    # Few statements: on a small file each costs about as much to plan as to run.
    counts: dict[str, int] = {}
    sev_counts = {s: 0 for s in ("error", "warning", "info")}
    for rule_id, sev, n in con.execute(
        f"SELECT rule, severity, count(*) FROM {FINDINGS_TABLE} GROUP BY rule, severity ORDER BY rule, severity"
    ).fetchall():
        counts[rule_id] = counts.get(rule_id, 0) + n
        sev_counts[sev] = sev_counts.get(sev, 0) + n
    used, n_dup, tps = (int(v) for v in con.execute(
        "SELECT (SELECT count(*) FROM rk_tps_base), (SELECT count(*) FROM rk_dup_extra), "
        "(SELECT distinct_tps FROM rk_stats)").fetchall()[0])
    elections = dict(con.execute("SELECT jenis_pemilihan, count(*) FROM rk_tps GROUP BY 1 ORDER BY 1").fetchall())
    if any(e in PILKADA for e in elections) and "pengguna_non_dpt_j" in present:
        notes.append(_("pengguna_non_dpt (DPK) adalah kolom Pemilu, tetapi jenis pemilihannya Pilkada", lang))
    return ValidationReport(
        con=con,
        rules_run=rules_run,
        not_applicable=not_applicable,
        counts={str(k): int(v) for k, v in counts.items()},
        severity_counts=sev_counts,
        tps_checked=tps,
        rows_read=ds.rows_read,
        rows_used=used,
        rows_rejected=ds.rows_rejected + n_dup,
        rows_duplicate=n_dup,
        elections={str(k): int(v) for k, v in elections.items()},
        notes=notes,
        rows_outside=ds.rows_outside,
        scope=scope,
        election_flag=election,
        election_inputs=election_inputs or [],
    )


def validate(
    ds: Dataset,
    *,
    rules: list[Rule] | None = None,
    election: str | None = None,
    thresholds: dict[str, Thresholds] | None = None,
    lang: str = "id",
    wilayah: Scope | None = None,
) -> ValidationReport:
    """Type the data and run the rules that need nothing but the data (no region list, no DPT list: those
    are the session's, `rekap.Session.validate`). Stops (UsageError) when the inputs' election types do not
    match."""
    con = ds.con
    notes: list[str] = []
    types = prepare(ds, election=election, thresholds=thresholds, notes=notes, lang=lang, wilayah=wilayah)
    election_inputs = tps_elections(ds, election)
    check_match(election_inputs, election)
    scope = wilayah or data_root(con, ds.code_range)
    store(con, scope)
    return check(ds, types, rules=rules, election=election, election_inputs=election_inputs, scope=scope,
                 notes=notes, lang=lang)


__all__ = ["ACCEPTED_TABLE", "FINDING_FIELDS", "FINDING_TYPES", "FINDINGS_TABLE", "STALE_TABLE", "ValidationReport",
           "add_findings", "check", "evaluate", "prepare", "select_rules", "tps_elections", "validate"]
