"""The house (issue 11): one library entry point, one home per concept, no import cycle.

The import directions themselves are import-linter's contracts (`[tool.importlinter]` in pyproject.toml,
checked by `make lint`); here: the library's door, the cycles, and the literals that must have one home."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from conftest import real_file, run_cli

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "rekap"


def test_session_is_the_library_door(tmp_path: Path) -> None:
    from rekap import Session

    sample = sorted((ROOT / "data" / "samples" / "jatim_kecil" / "tps").iterdir())
    with Session(tmpdir=tmp_path) as s:
        s.load(sample)
        report = s.validate(election="pkwkp", master=ROOT / "data" / "samples" / "jatim_kecil" / "wilayah.csv")
        recap = s.aggregate()
        compared = s.compare([ROOT / "data" / "samples" / "jatim_kecil" / "dhasil_kecamatan.csv"])
        table = s.coverage()
        assert table == s.COVERAGE and recap.table == s.RECAP
        assert compared.discrepancies >= 1 and "H001" in report.counts
        assert report.findings.num_rows == sum(report.counts.values())
        assert s.con.execute(f"SELECT count(*) FROM {s.RULES}").fetchall()[0][0] > 30


def test_session_needs_its_steps_in_order(tmp_path: Path) -> None:
    from rekap import Session
    from rekap.errors import UsageError

    with Session(tmpdir=tmp_path) as s:
        with pytest.raises(UsageError, match="belum ada data TPS yang dimuat"):
            s.validate()
        with pytest.raises(UsageError, match="data belum diperiksa"):
            s.coverage()
    # The session's own errors follow its language.
    with Session(tmpdir=tmp_path, lang="en") as s:
        with pytest.raises(UsageError, match="no TPS data loaded"):
            s.validate()
        with pytest.raises(UsageError, match="not validated"):
            s.coverage()


@pytest.mark.real
def test_the_same_findings_through_session_as_through_rekap_validate(tmp_path: Path) -> None:
    from rekap import Session
    from rekap.report import render

    tps = real_file("ppwp2024_tps_dki_jakarta.csv")
    cli = run_cli(["validate", str(tps), "-f", "csv", "-q", "--fail-on", "never"])
    assert cli.code == 0
    with Session(tmpdir=tmp_path) as s:
        s.load([tps])
        report = s.validate()
        data = render(report.findings, "csv")
    assert data == cli.stdout
    assert len(list(csv.DictReader(io.StringIO(data.decode("utf-8"))))) == sum(report.counts.values()) > 1000


def test_the_package_has_no_import_cycle() -> None:
    import grimp

    graph = grimp.build_graph("rekap")
    modules = sorted(graph.modules)
    for module in modules:
        for other in graph.find_modules_directly_imported_by(module):
            # a cycle exists when the imported module reaches back to the importer
            chain = graph.find_shortest_chain(importer=other, imported=module)
            assert chain is None, f"import cycle: {module} -> {' -> '.join(chain or ())}"


# One home per concept: these literals may appear in their home only (code, not comments or docs).
HOMES = [
    (re.compile(r"""["']nasional["'],\s*["']provinsi["'],\s*["']kabkota["']"""), {"regions.py"}, "the level list"),
    # regions.rank_sql builds it from the level list; nowhere is a rank written out by hand
    (re.compile(r"""WHEN ['"]?nasional['"]? THEN 0|WHEN ['"]?provinsi['"]? THEN 1"""), set(), "the SQL rank of a level"),
    (re.compile(r"""["']kabkota["']:\s*4\b"""), {"regions.py"}, "the code length of a level"),
    (re.compile(r"""["'](Kabupaten/Kota|Regency/City|Kabupaten-Kota|Regency-City|Desa/Kelurahan|District \(kecamatan\))["']"""),
     {"i18n.py"}, "a level's name in two languages"),
    (re.compile(r"""NATIONAL_CODE\s*=|NASIONAL_KODE"""), {"regions.py"}, "the national code"),
]


@pytest.mark.parametrize(("pattern", "home", "what"), HOMES, ids=[w for _, _, w in HOMES])
def test_every_concept_has_one_home(pattern: re.Pattern[str], home: set[str], what: str) -> None:
    found = set()
    for path in PACKAGE.rglob("*.py"):
        code = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines()
                         if not line.lstrip().startswith("#"))
        if pattern.search(code):
            found.add(path.relative_to(PACKAGE).as_posix())
    assert found == home, f"{what} is defined in {sorted(found)}; its one home is {sorted(home)}"


def test_the_home_test_can_fail(tmp_path: Path) -> None:
    pattern, _, _ = HOMES[0]
    assert pattern.search('LEVELS = ("nasional", "provinsi", "kabkota")')
    assert not pattern.search("LEVELS_UP = LEVELS")


def test_a_scratch_folder_that_is_not_there_is_made(tmp_path: Path) -> None:
    # Before, the first input read through the scratch folder failed as "tps_3511.csv: tidak dapat dibaca".
    from rekap import Session

    sample = sorted((ROOT / "data" / "samples" / "jatim_kecil" / "tps").iterdir())
    scratch = tmp_path / "belum" / "ada"
    with Session(tmpdir=scratch) as s:
        s.load(sample)
        assert s.validate(election="pkwkp").tps_checked > 0
    assert scratch.is_dir()
