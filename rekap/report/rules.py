"""Rule titles for the renderers, from the `rk_rules` table the session writes (no renderer imports the
rule catalogue)."""

from __future__ import annotations

import duckdb

from rekap.db import RULES_TABLE, table_exists
from rekap.i18n import SOURCE_LANG
from rekap.schema import quote_ident


def rule_titles(con: duckdb.DuckDBPyConnection, lang: str = SOURCE_LANG) -> dict[str, str]:
    """The title of every rule in `lang`, by rule id, from the rules table the pipeline writes before
    rendering (`rekap.db.RULES_TABLE`: a `title_<lang>` column for every language rekap has; a table
    without the language's column gives the Indonesian titles); empty without that table (tables a caller
    built by hand), and a finding's rule then shows without its title."""
    if not table_exists(con, RULES_TABLE):
        return {}
    columns = {str(row[0]) for row in con.execute(f"DESCRIBE {quote_ident(RULES_TABLE)}").fetchall()}
    title = f"title_{lang}" if f"title_{lang}" in columns else f"title_{SOURCE_LANG}"
    rows = con.execute(f"SELECT id, {quote_ident(title)} FROM {quote_ident(RULES_TABLE)} ORDER BY id").fetchall()
    return {str(rule_id): str(text or "") for rule_id, text in rows}
