"""Indonesian throughout, English on request: the catalogue is complete and compiled, and what rekap
prints or writes for people is in the chosen language, numbers included."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_text_is_in_every_catalogue_and_compiled() -> None:
    """Every marked text of the code is translated in every language's .po (none missing, none
    untranslated, none obsolete) and the committed .mo is the compiled .po (`make messages`)."""
    got = subprocess.run([sys.executable, str(ROOT / "scripts" / "messages.py"), "--check"],
                         capture_output=True, text=True, check=False)
    assert got.returncode == 0, got.stdout + got.stderr
