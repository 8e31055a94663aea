"""Lazy findings (`Session.validate(lazy=True)`, what `rekap aggregate` and the recap's own validation use):
`s.FINDINGS` is a view that words and orders the findings when read. It must hold the same rows in the same
order as the table an eager validation writes, and become that table before anything changes it in place."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import real_file

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "samples" / "jatim_kecil"


def _findings(tps: list[Path], tmp_path: Path, *, lazy: bool, **validate: object) -> tuple[object, dict, object]:
    from rekap import Session
    from rekap.session import data_rules

    errors = [r for r in data_rules() if r.severity == "error"]
    with Session(tmpdir=tmp_path) as s:
        s.load(tps)
        report = s.validate(rules=errors, lazy=lazy, **validate)  # type: ignore[arg-type]
        findings = report.findings
        recap = s.aggregate()
        n_error = s.error_tps()
        sums = s.con.execute(f"SELECT * FROM {recap.table}").fetchall()
        return findings, dict(report.counts), (n_error, sums)


@pytest.mark.real
def test_lazy_findings_are_the_eager_ones_row_for_row(tmp_path: Path) -> None:
    # Real DKI Jakarta forms with their real OCR errors: thousands of findings of many rules.
    tps = [real_file("ppwp2024_tps_dki_jakarta.csv")]
    eager, eager_counts, eager_recap = _findings(tps, tmp_path / "a", lazy=False)
    lazy, lazy_counts, lazy_recap = _findings(tps, tmp_path / "b", lazy=True)
    assert eager.num_rows > 1000 and len(eager_counts) >= 3  # type: ignore[attr-defined]
    assert lazy.equals(eager)  # type: ignore[attr-defined]  # the same rows, words and order
    assert lazy_counts == eager_counts
    assert lazy_recap == eager_recap  # n_tps_error from the lean rows is the one from the worded findings


def test_lazy_findings_on_the_sample_then_compared_and_accepted(tmp_path: Path) -> None:
    """A lazy validation followed by what changes the findings in place: the H rules of a comparison are
    added (the view becomes a table first) and an accept file moves findings out."""
    from rekap import Session
    from rekap.validate import FINDINGS_TABLE, LEAN_TABLE

    tps = sorted((SAMPLE / "tps").iterdir())
    results = []
    for lazy in (False, True):
        with Session(tmpdir=tmp_path / str(lazy)) as s:
            s.load(tps)
            s.validate(election="pkwkp", master=SAMPLE / "wilayah.csv", lazy=lazy)
            kind = s.con.execute("SELECT count(*) FROM duckdb_views() WHERE view_name = $n",
                                 {"n": FINDINGS_TABLE}).fetchall()[0][0]
            assert kind == (1 if lazy else 0)
            compared = s.compare([SAMPLE / "dhasil_kecamatan.csv"])
            assert compared.discrepancies >= 1
            # After the comparison the findings are a table again, and the lean rows are gone.
            assert s.con.execute("SELECT count(*) FROM duckdb_views() WHERE view_name = $n",
                                 {"n": FINDINGS_TABLE}).fetchall()[0][0] == 0
            assert s.con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = $n",
                                 {"n": LEAN_TABLE}).fetchall()[0][0] == 0
            first = s.con.execute(f"SELECT rule, kode_wilayah, field, actual FROM {FINDINGS_TABLE} "
                                  "WHERE rule LIKE 'A%' LIMIT 1").fetchall()[0]
            accept = tmp_path / f"accept_{lazy}.csv"
            accept.write_text("rule,kode_wilayah,field,actual,reason,by,date\n"
                              f"{first[0]},{first[1]},{first[2]},{first[3]},diperiksa,PPK,2024-02-20\n", encoding="utf-8")
            report = s.accept([accept])
            results.append((report.findings, dict(report.counts), dict(report.accepted)))
    assert results[0][2] and results[0][2] == results[1][2]
    assert results[0][1] == results[1][1]
    assert results[0][0].equals(results[1][0])


def test_lazy_validation_with_no_applicable_rule_has_an_empty_view(tmp_path: Path) -> None:
    from rekap import Session

    tps = sorted((SAMPLE / "tps").iterdir())
    with Session(tmpdir=tmp_path) as s:
        s.load(tps)
        report = s.validate(select=["K001"], lazy=True)  # needs a region list: not applicable, no rule runs
        assert report.findings.num_rows == 0 and report.counts == {}
        assert report.findings.column_names[-3:] == ["message", "source", "row"]
