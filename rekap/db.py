"""Small DuckDB helpers shared by the readers and the engine."""

from __future__ import annotations

from typing import Any

import duckdb

RULES_TABLE = "rk_rules"
"""The rule catalogue as a table, `(id VARCHAR, severity VARCHAR, title_id VARCHAR, title_en VARCHAR)`,
one row per rule: written by the pipeline (`rekap.validate.registry.write_rules_table`) before the
renderers run, which take rule titles from it instead of importing the registry."""


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
