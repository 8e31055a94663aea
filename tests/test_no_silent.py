"""Issue 10, "no silent wrongness": inputs that do not match never give a quiet answer.

Each test here failed on the main branch the issue was filed against (see the issue's "What was seen")."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from conftest import run_cli
from test_cli import assert_clean_failure

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "samples" / "jatim_kecil"
SAMPLE_TPS = sorted(str(p) for p in (SAMPLE / "tps").iterdir())


@pytest.fixture(autouse=True)
def _default_language(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REKAP_LANG", raising=False)
    monkeypatch.delenv("REKAP_DEBUG", raising=False)


def _csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


# --- 9. level names as people write them; unknown languages -------------------------------------------------


@pytest.mark.parametrize(
    ("given", "level"),
    [("kabupaten", "kabkota"), ("kota", "kabkota"), ("kab/kota", "kabkota"), ("Kab", "kabkota"),
     ("KELURAHAN", "desa"), ("desa/kelurahan", "desa"), ("prov", "provinsi"), ("Kecamatan", "kecamatan")],
)
def test_level_names_as_people_write_them(given: str, level: str) -> None:
    result = run_cli(["aggregate", *SAMPLE_TPS, "--election", "pkwkp", "--level", given, "-f", "csv", "-q"])
    assert result.code == 0, result.stderr
    levels = {r["level"] for r in _csv_rows(result.stdout)}
    assert levels == {level}


def test_an_unknown_level_is_refused() -> None:
    assert_clean_failure(run_cli(["aggregate", *SAMPLE_TPS, "--level", "rt"]), "unknown level 'rt'")


@pytest.mark.parametrize("args", [["--lang", "fr"], ["--lang", "english please"]])
def test_an_unknown_language_is_a_usage_error(args: list[str]) -> None:
    assert_clean_failure(run_cli(["validate", SAMPLE_TPS[0], *args]), "unknown language")


def test_an_unknown_rekap_lang_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REKAP_LANG", "fr")
    assert_clean_failure(run_cli(["validate", SAMPLE_TPS[0]]), "REKAP_LANG")


@pytest.mark.parametrize("spelling", ["en", "EN", "en_US.UTF-8", "en-GB"])
def test_locale_spellings_of_english(spelling: str) -> None:
    result = run_cli(["validate", SAMPLE_TPS[0], "--lang", spelling, "--fail-on", "never"])
    assert result.code == 0, result.stderr
    assert "Validation summary" in result.stderr
