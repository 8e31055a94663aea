"""Shared fixtures: the real data folder (tests skip when it is absent) and an in-process CLI runner."""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests and the fuzzer run the same examples on every machine (CI stays reproducible);
# HYPOTHESIS_PROFILE=explore draws new ones, to look for bugs by hand.
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"


def real_file(name: str) -> Path:
    path = REAL / name
    if not path.exists():
        pytest.skip(f"real data not available: {path}")
    return path


@dataclass
class CliResult:
    code: int
    stdout: bytes
    stderr: str

    @property
    def text(self) -> str:
        return self.stdout.decode("utf-8")


def run_cli(args: list[str], stdin: bytes = b"") -> CliResult:
    """Run `rekap` in-process through its real entry point (error handling and exit codes included);
    the process language is restored afterwards, as a new process would start in its own."""
    from rekap.cli import main
    from rekap.i18n import current_lang, set_lang

    lang = current_lang()  # the CLI sets the process language (--lang): give the next test its own back
    out_buf, err = io.BytesIO(), io.StringIO()
    out = io.TextIOWrapper(out_buf, encoding="utf-8")
    old = sys.argv, sys.stdin, sys.stdout, sys.stderr
    sys.argv = ["rekap", *args]
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    sys.stdout, sys.stderr = out, err
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        out.flush()
        sys.argv, sys.stdin, sys.stdout, sys.stderr = old
        set_lang(lang)
    return CliResult(code, out_buf.getvalue(), err.getvalue())


@pytest.fixture
def cli() -> Callable[..., CliResult]:
    return run_cli
