"""The workbook as a PDF (`rekap run --pdf`), printed by LibreOffice headless as the print settings of
rekap.report.printing lay it out.

LibreOffice is optional and not a Python package: rekap looks for `soffice` (or `libreoffice`) on PATH, or the
program named by REKAP_SOFFICE. Without it the PDF is not made and the caller says so in one line; it is never an
error. The conversion runs with a LibreOffice profile of its own in a temporary folder (so that a LibreOffice the
user has open does not take the job over), reads nothing but the workbook and writes nothing but the PDF.

A PDF made this way is not byte for byte reproducible: LibreOffice writes the time of the conversion into it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

TIMEOUT_S = 900


def soffice() -> str | None:
    """The LibreOffice program to print with, or None."""
    named = os.environ.get("REKAP_SOFFICE")
    if named:
        return shutil.which(named) or (named if Path(named).is_file() else None)
    return shutil.which("soffice") or shutil.which("libreoffice")


def workbook_pdf(xlsx: Path, pdf: Path) -> str | None:
    """Print `xlsx` to `pdf` with LibreOffice headless. None when done, else why not (English, for the caller to
    say in its own words: 'missing' when LibreOffice is not installed, else LibreOffice's own message)."""
    program = soffice()
    if program is None:
        return "missing"
    with tempfile.TemporaryDirectory(prefix="rekap-pdf-") as tmp:
        profile = Path(tmp) / "profile"
        out = Path(tmp) / "out"
        out.mkdir()
        try:
            proc = subprocess.run(
                [program, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                 "--convert-to", "pdf", "--outdir", str(out), str(xlsx)],
                capture_output=True, text=True, timeout=TIMEOUT_S, check=False,
                env={**os.environ, "HOME": tmp},
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return str(exc)
        made = out / (xlsx.stem + ".pdf")
        if proc.returncode != 0 or not made.is_file():
            return (proc.stderr or proc.stdout or f"exit {proc.returncode}").strip().splitlines()[-1]
        shutil.move(str(made), str(pdf))
    return None
