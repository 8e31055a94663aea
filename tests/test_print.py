"""The workbook prints as staff hand it to a recap meeting (issue 16): printed by LibreOffice headless, every page
has text, a page number ("Halaman x dari y") and, on the D.Hasil sheets, the item labels; the sample prints in a
small number of pages; the real DKI workbook prints its desa per kecamatan, headed on every page.

LibreOffice (soffice) and pdftotext are Debian packages that `.ci/run` installs; without them these tests skip,
unless REKAP_REQUIRE_LIBREOFFICE is set (CI sets it), when they fail. The paper options need neither.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from rekap.report.pdf import soffice

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "data" / "real"
LIST_SHEETS = {"Ringkasan", "Temuan", "Selisih", "Kelengkapan"}
SAMPLE_MAX_PAGES = 40
"""The sample's workbook printed: 37 pages in LibreOffice 7.4 (README, "Printing the workbook"); 83 before."""


def _need_printer() -> None:
    if soffice() is None or shutil.which("pdftotext") is None:
        if os.environ.get("REKAP_REQUIRE_LIBREOFFICE"):
            pytest.fail("LibreOffice (soffice) and pdftotext are required here (REKAP_REQUIRE_LIBREOFFICE)")
        pytest.skip("LibreOffice or pdftotext not installed")


def rekap(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(ROOT / ".venv" / "bin" / "rekap"), *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, cwd=ROOT)


def pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    out = text.split("\f")
    return out[:-1] if out and not out[-1].strip() else out


def sheet_of(page: str) -> str:
    """The sheet a page belongs to: the footer's left part, before 'Halaman'."""
    m = re.search(r"^\s*(\S.*?)\s{2,}Halaman \d+ dari \d+", page, re.M)
    assert m, f"no footer on page: {page[-300:]!r}"
    return m.group(1).strip()


def check_every_page(texts: list[str]) -> None:
    """Every page has text, its number out of the total, and, on a D.Hasil sheet with numbers, the item labels."""
    for i, page in enumerate(texts, 1):
        assert page.strip(), f"page {i} is empty"
        assert f"Halaman {i} dari {len(texts)}" in page, f"page {i} is not numbered"
        sheet = sheet_of(page)
        if sheet in LIST_SHEETS:
            continue
        if re.search(r"\d[\d.,]{2,}", page.split("Halaman")[0]) and "Untuk dicetak" not in page:
            assert "Uraian" in page, f"page {i} ({sheet}) shows numbers without the item labels"


@pytest.fixture(scope="module")
def sample_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _need_printer()
    out = tmp_path_factory.mktemp("print") / "hasil"
    run = rekap("run", "-o", str(out), "-q", "--pdf")
    assert run.returncode in (0, 1), run.stderr
    assert "rekap.pdf" not in run.stderr, run.stderr  # no note: it was made
    return out


def test_sample_workbook_prints_numbered_labelled_and_short(sample_pdf: Path) -> None:
    pdf = sample_pdf / "rekap.pdf"
    manifest = json.loads((sample_pdf / "manifest.json").read_text(encoding="utf-8"))
    assert "rekap.pdf" in manifest["outputs"]
    texts = pages(pdf)
    assert 10 <= len(texts) <= SAMPLE_MAX_PAGES
    check_every_page(texts)
    sheets = [sheet_of(p) for p in texts]
    # The desa of the sample print per kecamatan (its print view), two pages each, each page headed.
    view = [p for p, s in zip(texts, sheets, strict=True) if s == "Desa-Kelurahan (cetak)"]
    kecamatan = re.findall(r"DESA/KELURAHAN DI KECAMATAN .+? \((\d{6})\)", "\n".join(view))
    assert len(view) == 2 * len(kecamatan) and len(set(kecamatan)) == len(kecamatan) > 1
    assert all(re.search(r"\b35\d{8}\b", p) for p in view)  # the desa codes head every page
    # The signature block of the form, on the second page of each block, left blank.
    assert sum("PANITIA PEMILIHAN KECAMATAN (PPK)" in p for p in view) == len(kecamatan)
    # The header names the election and the region; the footer the inputs' fingerprint.
    assert all("PEMILIHAN GUBERNUR DAN WAKIL GUBERNUR — PROVINSI JAWA TIMUR (35)" in p for p in texts)
    assert len({m for p in texts for m in re.findall(r"SHA-256 masukan ([0-9a-f]{12})", p)}) == 1
    # F4 landscape: 330 × 215.9 mm.
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "936 x 612" in info


@pytest.mark.skipif(not (REAL / "ppwp2024_tps_dki_jakarta.csv").is_file(), reason="real data not present")
def test_real_dki_desa_print_per_kecamatan_with_headers_on_every_page(tmp_path: Path) -> None:
    _need_printer()
    out = tmp_path / "dki"
    run = rekap("run", str(REAL / "ppwp2024_tps_dki_jakarta.csv"), "--master", str(REAL / "wilayah_kpu_pemilu2024.csv"),
                "-o", str(out), "-q", "--pdf")
    assert run.returncode in (0, 1), run.stderr
    texts = pages(out / "rekap.pdf")
    check_every_page(texts)
    view = [p for p in texts if sheet_of(p) == "Desa-Kelurahan (cetak)"]
    recap = {str(r["kode_wilayah"]) for r in map(json.loads, (out / "recap.jsonl").read_text().splitlines())
             if r["level"] == "kecamatan"}
    assert len(recap) == 44
    found = set(re.findall(r"DESA/KELURAHAN DI KECAMATAN .+? \((31\d{4})\)", "\n".join(view)))
    assert found == recap
    assert len(view) == 2 * len(recap)
    # Each page carries its desa's codes in its own header and the item labels.
    assert all(re.search(r"\b31\d{8}\b", p) and "Uraian" in p for p in view)
    # The desa sheet itself prints only its title and the pointer to the print view.
    own = [p for p in texts if sheet_of(p) == "Desa-Kelurahan"]
    assert len(own) == 1 and "Untuk dicetak" in own[0]


def test_pdf_without_libreoffice_is_a_note_not_an_error(tmp_path: Path) -> None:
    out = tmp_path / "hasil"
    run = rekap("run", "-o", str(out), "-q", "--pdf", env={"REKAP_SOFFICE": str(tmp_path / "no-soffice")})
    assert run.returncode == 1  # the sample has findings: the same code as without --pdf
    assert run.stderr.strip() == ("catatan: rekap.pdf tidak dibuat: LibreOffice tidak terpasang (soffice tidak "
                                  "ditemukan); rekap.xlsx siap dicetak")
    assert not (out / "rekap.pdf").exists() and (out / "rekap.xlsx").is_file()
    assert "rekap.pdf" not in json.loads((out / "manifest.json").read_text(encoding="utf-8"))["outputs"]


def _paper_sizes(xlsx: Path) -> set[str]:
    with zipfile.ZipFile(xlsx) as z:
        return {m for name in z.namelist() if name.startswith("xl/worksheets/sheet")
                for m in re.findall(r'paperSize="(\d+)"', z.read(name).decode())}


def test_paper_is_f4_unless_a4_is_asked_for(tmp_path: Path) -> None:
    assert rekap("run", "-o", str(tmp_path / "f4"), "-q").returncode == 1
    assert _paper_sizes(tmp_path / "f4" / "rekap.xlsx") == {"14"}  # Excel's Folio 8½ × 13 in: F4
    assert rekap("run", "-o", str(tmp_path / "a4"), "-q", "--kertas", "A4").returncode == 1
    assert _paper_sizes(tmp_path / "a4" / "rekap.xlsx") == {"9"}
    config = tmp_path / "rekap.toml"
    config.write_text('[cetak]\nkertas = "a4"\n', encoding="utf-8")
    agg = tmp_path / "agg.xlsx"
    files = sorted(str(p) for p in (ROOT / "data" / "samples" / "jatim_kecil" / "tps").iterdir())
    assert rekap("aggregate", *files, "--election", "pkwkp", "--config", str(config), "-o", str(agg),
                 "-q").returncode == 0
    assert _paper_sizes(agg) == {"9"}
    bad = rekap("run", "-o", str(tmp_path / "bad"), "--kertas", "legal")
    assert bad.returncode == 2 and "--kertas harus f4 atau a4, bukan 'legal'" in bad.stderr
    config.write_text('[cetak]\nkertas = "letter"\n', encoding="utf-8")
    bad = rekap("run", "-o", str(tmp_path / "bad"), "--config", str(config))
    assert bad.returncode == 2 and "[cetak] kertas = 'letter' tidak dikenal" in bad.stderr
