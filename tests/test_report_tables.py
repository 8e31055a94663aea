"""Renderers take tables, not the pipeline's modules: rule titles come from the rules table
(`rekap.db.RULES_TABLE`, written by `rekap.validate.catalogue.write_rules_table`), and nothing under
`rekap/report/` imports the rule registry, the recap, the readers, the CLI or the bundle."""

from __future__ import annotations

import ast
import io
from pathlib import Path

import duckdb
from openpyxl import load_workbook

from rekap.db import RULES_TABLE
from rekap.report.html import render_html_report
from rekap.report.workbook import bundle_xlsx_bytes
from rekap.validate.catalogue import all_rules, write_rules_table

REPORT = Path(__file__).resolve().parents[1] / "rekap" / "report"
ALLOWED = {"rekap.version", "rekap.errors", "rekap.schema", "rekap.regions", "rekap.i18n", "rekap.db", "rekap.form",
           "rekap.statement", "rekap.election", "rekap.scope"}
"""What the report package may import of rekap, besides itself."""


def findings_of(con: duckdb.DuckDBPyConnection, rule: str) -> None:
    con.execute(
        """CREATE TABLE rk_findings_out (rule VARCHAR, severity VARCHAR, level VARCHAR, kode_wilayah VARCHAR,
               field VARCHAR, expected BIGINT, actual BIGINT, selisih BIGINT, message VARCHAR, source VARCHAR,
               "row" BIGINT)"""
    )
    con.execute("INSERT INTO rk_findings_out VALUES ($r, 'error', 'tps', '3503012001001', 'suara_sah', 10, 9, -1, "
                "'pesan', 'tps.csv', 2)", {"r": rule})


def test_write_rules_table_holds_the_catalogue_ordered_by_id() -> None:
    con = duckdb.connect()
    assert write_rules_table(con) == RULES_TABLE
    rows = con.execute(f"SELECT id, severity, title_id, title_en FROM {RULES_TABLE}").fetchall()
    assert rows == sorted((r.id, r.severity, r.title("id"), r.title("en")) for r in all_rules())
    assert [str(c[0]) for c in con.execute(f"DESCRIBE {RULES_TABLE}").fetchall()] == [
        "id", "severity", "title_id", "title_en"]
    write_rules_table(con)  # written again (a second render in one session): replaced, not doubled
    assert con.execute(f"SELECT count(*) FROM {RULES_TABLE}").fetchall()[0][0] == len(rows)


def test_titles_come_from_the_rules_table() -> None:
    """A title only the rules table knows shows on the workbook's summary and findings sheets and on the page."""
    con = duckdb.connect()
    findings_of(con, "A006")
    con.execute(f"CREATE TABLE {RULES_TABLE} (id VARCHAR, severity VARCHAR, title_id VARCHAR, title_en VARCHAR)")
    con.execute(f"INSERT INTO {RULES_TABLE} VALUES ('A006', 'error', 'Judul dari tabel', 'Title from the table')")
    for lang, title in (("id", "Judul dari tabel"), ("en", "Title from the table")):
        wb = load_workbook(io.BytesIO(bundle_xlsx_bytes(con, lang=lang, meta={"version": "x"})))
        summary, findings = wb.worksheets[0], wb.worksheets[1]
        assert title in [c.value for row in summary.iter_rows() for c in row]
        header = [c.value for c in findings[3]]
        assert findings.cell(4, header.index("Judul aturan" if lang == "id" else "Rule title") + 1).value == title
        assert title in render_html_report(con, lang=lang, meta={})


def test_without_the_rules_table_titles_are_empty() -> None:
    """Tables built by hand, without the rules table: the workbook and the page still render, titles empty."""
    con = duckdb.connect()
    findings_of(con, "A006")
    wb = load_workbook(io.BytesIO(bundle_xlsx_bytes(con, lang="en", meta={"version": "x"})))
    findings = wb["Findings"]
    header = [c.value for c in findings[3]]
    assert findings.cell(4, header.index("Rule") + 1).value == "A006"
    assert findings.cell(4, header.index("Rule title") + 1).value is None
    a006 = next(r for r in all_rules() if r.id == "A006")
    page = render_html_report(con, lang="en", meta={})
    assert "A006" in page and a006.title("en") not in page and a006.title("id") not in page


def test_the_report_package_imports_no_pipeline_module() -> None:
    """Every import under rekap/report/, also those inside functions and under TYPE_CHECKING."""
    wrong = []
    for path in sorted(REPORT.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                if name.split(".")[0] == "rekap" and name not in ALLOWED and not name.startswith("rekap.report"):
                    wrong.append(f"{path.name}: {name}")
    assert not wrong
