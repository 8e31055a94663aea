"""Accepted findings (domain.md §5): the findings an accept file names leave the findings that count.

    load_accept(con, paths, known_rules=REGISTRY)   # rekap.io.accept: the entries, table rk_accept
    apply_accept(con, report)                       # after validate (and compare): the tables below

A finding is accepted by an entry with the same rule, unit (`kode_wilayah`), field and value: an entry whose
`actual` is empty accepts any value, and a finding whose own `actual` is NULL is accepted only by such an
entry. All of it is set-based SQL over the whole findings table:

    rk_findings_out        the findings that count (the accepted ones moved out; columns and order unchanged)
    rk_findings_accepted   the accepted findings, same columns and order, then the entry's reason, by, date
    rk_accept_stale        entries of rules that ran which match no finding any more (stale): file, line,
                           rule, kode_wilayah, field, actual, reason, in the order of the files and lines

An entry of a rule that did not run in this session (not selected, not applicable) is neither: it is
counted per rule in `report.accept_not_run`. A finding matched by several entries takes the reason of the
first with its exact value, else the first that accepts any value (file order, then line order).

The complete findings are kept in `rk_findings_all` (with their position), so that a later step that adds
findings (`Session.compare`) puts them back first (`restore`) and accepts again after.
"""

from __future__ import annotations

import duckdb

from rekap.db import table_exists
from rekap.schema import quote_ident
from rekap.validate import ACCEPTED_TABLE, FINDING_FIELDS, FINDINGS_TABLE, STALE_TABLE, ValidationReport

ACCEPT_TABLE = "rk_accept"
"""The entries (`rekap.io.accept.ACCEPT_TABLE`)."""
ALL_TABLE = "rk_findings_all"
TEMPLATE_TABLE = "rk_accept_template"
ACCEPTED_EXTRA: tuple[str, ...] = ("reason", "by", "date")
"""The entry's columns an accepted finding carries after the finding's own."""
STALE_FIELDS: tuple[str, ...] = ("file", "line", "rule", "kode_wilayah", "field", "actual", "reason")
TEMPLATE_FIELDS: tuple[str, ...] = ("rule", "kode_wilayah", "field", "actual", "reason", "by", "date")
"""The columns of an accept file (`rekap.io.accept.ACCEPT_COLUMNS`), as `--write-accept` writes them."""


def _cols(prefix: str, names: tuple[str, ...]) -> str:
    return ", ".join(f"{prefix}{quote_ident(n)}" for n in names)


def restore(con: duckdb.DuckDBPyConnection) -> bool:
    """Put the accepted findings back among the findings that count, in their places; True when there were
    accepted findings to put back (`apply_accept` must then run again once the findings are complete)."""
    if not table_exists(con, ALL_TABLE):
        return False
    con.execute(f"CREATE OR REPLACE TABLE {FINDINGS_TABLE} AS SELECT {_cols('', FINDING_FIELDS)} "
                f"FROM {ALL_TABLE} ORDER BY rk_pos")
    con.execute(f"DROP TABLE {ALL_TABLE}")
    return True


def drop(con: duckdb.DuckDBPyConnection) -> None:
    """Forget every accept table (a new validation starts from its own findings)."""
    for table in (ALL_TABLE, ACCEPTED_TABLE, STALE_TABLE, TEMPLATE_TABLE, ACCEPT_TABLE):
        con.execute(f"DROP TABLE IF EXISTS {table}")


def apply_accept(con: duckdb.DuckDBPyConnection, report: ValidationReport) -> None:
    """Match the entries of `rk_accept` against every finding of `report` (the tables of the module's
    docstring) and count again: `report.counts` and `severity_counts` (so `fails()`) are the findings that
    count; `accepted` per rule, `accept_stale`, `accept_not_run` and `accept_without_reason` are set."""
    fields = FINDING_FIELDS
    restore(con)
    con.execute(f"CREATE OR REPLACE TABLE {ALL_TABLE} AS SELECT *, rowid AS rk_pos FROM {FINDINGS_TABLE}")
    ran = sorted(set(report.rules_run))
    con.execute(f"CREATE OR REPLACE TEMP TABLE rk_accept_entries AS SELECT rowid AS rk_entry, * FROM {ACCEPT_TABLE}")
    # Every (finding, entry) pair that matches; an entry's actual NULL accepts any value, a finding's NULL
    # only that (NULL = x is never true).
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE rk_accept_hits AS
            SELECT f.rk_pos, a.rk_entry, a.actual IS NULL AS any_value
            FROM {ALL_TABLE} f JOIN rk_accept_entries a
              ON a.rule = f.rule AND a.kode_wilayah IS NOT DISTINCT FROM f.kode_wilayah
             AND a.field IS NOT DISTINCT FROM f.field AND (a.actual IS NULL OR a.actual = f.actual)"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE rk_accept_chosen AS
           SELECT rk_pos, rk_entry FROM rk_accept_hits
           QUALIFY row_number() OVER (PARTITION BY rk_pos ORDER BY any_value, rk_entry) = 1"""
    )
    con.execute(
        f"""CREATE OR REPLACE TABLE {ACCEPTED_TABLE} AS
            SELECT {_cols('f.', fields)}, {_cols('a.', ACCEPTED_EXTRA)}
            FROM {ALL_TABLE} f JOIN rk_accept_chosen c USING (rk_pos) JOIN rk_accept_entries a USING (rk_entry)
            ORDER BY f.rk_pos"""
    )
    con.execute(
        f"""CREATE OR REPLACE TABLE {FINDINGS_TABLE} AS
            SELECT {_cols('f.', fields)} FROM {ALL_TABLE} f ANTI JOIN rk_accept_chosen c USING (rk_pos)
            ORDER BY f.rk_pos"""
    )
    con.execute(
        f"""CREATE OR REPLACE TABLE {STALE_TABLE} AS
            SELECT {_cols('a.', STALE_FIELDS)} FROM rk_accept_entries a ANTI JOIN rk_accept_hits h USING (rk_entry)
            WHERE list_contains($ran, a.rule)
            ORDER BY a.rk_entry""",
        {"ran": ran},
    )
    report.accept_not_run = {str(r): int(n) for r, n in con.execute(
        "SELECT rule, count(*) FROM rk_accept_entries WHERE NOT list_contains($ran, rule) GROUP BY 1 ORDER BY 1",
        {"ran": ran}).fetchall()}
    report.accepted = {str(r): int(n) for r, n in con.execute(
        f"SELECT rule, count(*) FROM {ACCEPTED_TABLE} GROUP BY 1 ORDER BY 1").fetchall()}
    report.accept_stale = int(con.execute(f"SELECT count(*) FROM {STALE_TABLE}").fetchall()[0][0])
    report.accept_without_reason = int(con.execute(
        f"SELECT count(*) FROM {ACCEPTED_TABLE} WHERE reason IS NULL").fetchall()[0][0])
    for scratch in ("rk_accept_entries", "rk_accept_hits", "rk_accept_chosen"):
        con.execute(f"DROP TABLE IF EXISTS {scratch}")
    recount(con, report)


def recount(con: duckdb.DuckDBPyConnection, report: ValidationReport) -> None:
    """The report's counts per rule and per severity from the findings that count now."""
    report._arrow = None
    report.counts = {str(k): int(v) for k, v in con.execute(
        f"SELECT rule, count(*) FROM {FINDINGS_TABLE} GROUP BY rule ORDER BY rule").fetchall()}
    report.severity_counts = {s: 0 for s in ("error", "warning", "info")}
    for sev, n in con.execute(f"SELECT severity, count(*) FROM {FINDINGS_TABLE} GROUP BY severity").fetchall():
        report.severity_counts[str(sev)] = int(n)


def write_template(con: duckdb.DuckDBPyConnection) -> str:
    """`rk_accept_template`: the findings that count now as the rows of an accept file (rule, kode_wilayah,
    field, actual; reason, by, date empty), each distinct entry once, in the findings' order. Return its name."""
    con.execute(
        f"""CREATE OR REPLACE TABLE {TEMPLATE_TABLE} AS
            SELECT rule, kode_wilayah, field, actual, NULL::VARCHAR AS reason, NULL::VARCHAR AS "by",
                   NULL::VARCHAR AS date
            FROM (SELECT rule, kode_wilayah, field, actual, min(rowid) AS rk_first FROM {FINDINGS_TABLE}
                  GROUP BY rule, kode_wilayah, field, actual)
            ORDER BY rk_first"""
    )
    return TEMPLATE_TABLE


__all__ = ["ACCEPTED_EXTRA", "ACCEPTED_TABLE", "ALL_TABLE", "STALE_FIELDS", "STALE_TABLE", "TEMPLATE_FIELDS",
           "TEMPLATE_TABLE", "apply_accept", "drop", "recount", "restore", "write_template"]
