"""Small DuckDB helpers shared by the readers and the engine: the SQL macros every step uses, and the
names of engine tables that more than one package builds or drops."""

from __future__ import annotations

from string import Formatter
from typing import Any

import duckdb

RULES_TABLE = "rk_rules"
"""The rule catalogue as a table, `(id VARCHAR, severity VARCHAR, title_id VARCHAR, title_en VARCHAR)`,
one row per rule: written by the pipeline (`rekap.validate.catalogue.write_rules_table`, by the session) before the
renderers run, which take rule titles from it instead of importing the registry."""

REPORTED_TABLE = "rk_reported"
"""The reported recaps' cells (`rekap.io.reported`), read by the comparison (`rekap.aggregate.compare`)."""
BAD_TABLE = "rk_reported_bad"
"""Cells of the reported recaps that are not counts (`rekap.io.reported`; S002 of the reported files)."""
DISCREPANCY_TABLE = "rk_discrepancies"
"""The comparison's discrepancies (`rekap.aggregate.compare`)."""
NOT_COMPARED_TABLE = "rk_not_compared"
"""Reported units the comparison could not compare (`rekap.aggregate.compare`)."""
CHANGES_TABLE = "rk_changes"
"""The change records of `rekap diff` (domain.md §5), in output order (`rekap.diff`)."""
UNITS_TABLE = "rk_diff_units"
"""Per unit and field of `rekap diff --level`: Σ old, Σ new, selisih, TPS changed (`rekap.diff`)."""
# These names live here rather than in their modules so that the session can name its tables without
# importing the readers and engines of the steps a command does not run (a small file's start-up).


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None = None) -> Any:
    """The single value of a one-row query.

    Uses fetchall(): with DuckDB 2.x a fetchone() that does not drain the result leaves the
    connection busy ("unfinished result") for the next statement.
    """
    rows = con.execute(sql, params or {}).fetchall()
    return rows[0][0] if rows else None


def count(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None = None) -> int:
    value = scalar(con, sql, params)
    return int(value) if value is not None else 0


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether a table or view of that name exists on the connection."""
    return count(
        con,
        "SELECT count(*) FROM (SELECT table_name AS n FROM duckdb_tables() UNION ALL "
        "SELECT view_name FROM duckdb_views()) WHERE n = $n",
        {"n": name},
    ) > 0


# SQL macros: strict parsing of counts and codes, used by the readers (reported recaps, lists) and the
# rule engine alike. Created once per connection (CREATE OR REPLACE: idempotent).
MACROS = r"""
CREATE OR REPLACE MACRO rk_blank(x) AS x IS NULL OR trim(replace(x, chr(160), ' ')) IN ('', '-');
CREATE OR REPLACE MACRO rk_count_slow(s) AS CASE
    WHEN s IN ('', '-') THEN NULL
    WHEN regexp_full_match(s, '\+?[0-9]{1,19}') THEN TRY_CAST(s AS BIGINT)
    WHEN regexp_full_match(s, '[0-9]{1,3}(\.[0-9]{3})+|[0-9]{1,3}(,[0-9]{3})+')
        THEN TRY_CAST(replace(replace(s, '.', ''), ',', '') AS BIGINT)
    WHEN regexp_full_match(s, '[0-9]+[.,]0{1,2}') THEN TRY_CAST(regexp_extract(s, '^[0-9]+') AS BIGINT)
    ELSE NULL END;
CREATE OR REPLACE MACRO rk_count(x) AS CASE
    WHEN x IS NULL THEN NULL
    WHEN TRY_CAST(x AS BIGINT)::VARCHAR = x AND NOT starts_with(x, '-') THEN TRY_CAST(x AS BIGINT)
    ELSE rk_count_slow(trim(replace(x, chr(160), ' '))) END;
CREATE OR REPLACE MACRO rk_code_slow(x) AS nullif(regexp_replace(trim(x), '[.\s]', '', 'g'), '');
CREATE OR REPLACE MACRO rk_code_plain(x) AS NOT (
    contains(x::VARCHAR, '.') OR contains(x::VARCHAR, ' ') OR contains(x::VARCHAR, chr(9))
    OR contains(x::VARCHAR, chr(10)) OR contains(x::VARCHAR, chr(13)) OR contains(x::VARCHAR, chr(160))
    OR x::VARCHAR = '');
CREATE OR REPLACE MACRO rk_code(x) AS CASE WHEN NOT rk_code_plain(x) THEN rk_code_slow(x::VARCHAR) ELSE x::VARCHAR END;
"""


def create_macros(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(MACROS)


SCOPE_TABLES: tuple[str, ...] = ("rk_k_expected", "rk_k_units", "rk_k_scope")
"""What is expected, received and in scope (built by rekap.aggregate.completeness.ensure_scope from the TPS
data and the region list); stale as soon as either is replaced, so their loaders drop them."""


def drop_tables(con: duckdb.DuckDBPyConnection, names: tuple[str, ...]) -> None:
    for name in reversed(names):
        con.execute(f"DROP TABLE IF EXISTS {name}")


def replace_relation(con: duckdb.DuckDBPyConnection, name: str, select_sql: str, *, table: bool = False) -> None:
    """`name` as a view of `select_sql`, or with `table` as a table holding its rows now, whichever of the two
    `name` was before (DuckDB replaces a view only with a view and a table only with a table)."""
    for kind in ("VIEW", "TABLE"):
        try:
            con.execute(f"DROP {kind} IF EXISTS {name}")
        except duckdb.CatalogException:
            continue  # `name` is of the other kind: dropped by the next round
    con.execute(f"CREATE {'TABLE' if table else 'VIEW'} {name} AS {select_sql}")


def literal(text: str) -> str:
    """A text as a quoted SQL string literal (quotes doubled)."""
    return "'" + text.replace("'", "''") + "'"


def text_sql(text: str, **exprs: str) -> str:
    """A text already translated (`_(msgid, lang)`, not formatted) as one SQL string expression: its
    `{name}` places become the SQL expressions `exprs` and everything else quoted literals, joined with
    `||` (so a NULL expression makes the whole text NULL, as a hand-written concatenation would). The
    text is never spliced into SQL unquoted, whatever a catalogue holds."""
    parts: list[str] = []
    pending = ""
    for text_part, name, spec, conversion in Formatter().parse(text):
        pending += text_part
        if name is not None:
            if spec or conversion or name not in exprs:
                raise ValueError(f"text {text!r}: place {{{name}}} has no SQL expression")
            if pending:
                parts.append(literal(pending))
            parts.append(exprs[name])
            pending = ""
    if pending:
        parts.append(literal(pending))
    return " || ".join(parts) or "''"
