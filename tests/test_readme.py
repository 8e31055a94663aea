"""The README's console examples run as printed.

Every ```console block of README.md is run, command by command, in a shell whose working folder looks
like the project's (`data/` of the project, `../shared` beside it) with `rekap` on the PATH, and what it
prints (stdout, then stderr) must be what the README shows: line for line, where a line that is only
`...` (or `…`) stands for any number of lines and `...`/`…` inside a line for any text. `$ echo $?`
shows the previous command's exit code. Blocks that only illustrate (a folder of someone's documents)
are ```text, not ```console. Examples that need the real data skip when it is absent."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
BLOCK = re.compile(r"^```console\n(.*?)^```", re.S | re.M)


def blocks() -> list[tuple[int, list[tuple[str, list[str]]]]]:
    """(line number, [(command, expected output lines)]) per console block."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    out = []
    for m in BLOCK.finditer(text):
        line_no = text.count("\n", 0, m.start()) + 1
        steps: list[tuple[str, list[str]]] = []
        for line in m.group(1).splitlines():
            if line.startswith("$ "):
                steps.append((line[2:], []))
            else:
                assert steps, f"README.md:{line_no}: output before the first command"
                steps[-1][1].append(line)
        out.append((line_no, steps))
    return out


def _pattern(line: str) -> re.Pattern[str]:
    parts = re.split(r"\.\.\.|…", line.rstrip())
    return re.compile(".*".join(re.escape(p) for p in parts))


def matches(expected: list[str], actual: list[str]) -> bool:
    """Expected lines, split at `...` lines into runs that must appear in order, each run contiguous; the
    first run starts the output and the last one ends it unless `...` stands there."""
    runs: list[list[str]] = [[]]
    for line in expected:
        if line.strip() in ("...", "…"):
            runs.append([])
        else:
            runs[-1].append(line)
    if runs == [[]]:
        return not actual  # a command shown without output prints nothing
    open_start, open_end = not runs[0], not runs[-1]
    runs = [r for r in runs if r]
    actual = [a.rstrip() for a in actual]
    pos = 0
    for i, run in enumerate(runs):
        pats = [_pattern(x) for x in run]
        anchored = i == 0 and not open_start
        starts = [pos] if anchored else range(pos, len(actual) - len(run) + 1)
        for start in starts:
            if start + len(run) <= len(actual) and all(p.fullmatch(actual[start + k]) for k, p in enumerate(pats)):
                pos = start + len(run)
                break
        else:
            return False
    return open_end or pos == len(actual)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("readme")
    main = base / "main"
    main.mkdir()
    (main / "data").symlink_to(ROOT / "data")
    if SHARED.exists():
        (base / "shared").symlink_to(SHARED)
    return main


CASES = blocks()


@pytest.mark.parametrize(("line_no", "steps"), CASES, ids=[f"README.md:{n}" for n, _ in CASES])
def test_console_examples_run_as_printed(workdir: Path, line_no: int, steps: list[tuple[str, list[str]]]) -> None:
    if any("../shared/" in cmd for cmd, _ in steps) and not SHARED.exists():
        pytest.skip("real data not available")
    env = {k: v for k, v in os.environ.items() if not k.startswith("REKAP_")}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["COLUMNS"] = "160"
    last = 0
    for cmd, expected in steps:
        if cmd.strip() == "echo $?":
            assert expected == [str(last)], f"README.md:{line_no}: `{cmd}` shows {expected}, the exit code was {last}"
            continue
        done = subprocess.run(cmd, shell=True, cwd=workdir, env=env, capture_output=True, timeout=600)
        last = done.returncode
        actual = (done.stdout.decode("utf-8") + done.stderr.decode("utf-8")).splitlines()
        assert matches(expected, actual), (
            f"README.md:{line_no}: `{cmd}` printed:\n" + "\n".join(actual[:60]) + "\n--- the README shows:\n"
            + "\n".join(expected)
        )


def test_the_matcher_can_fail() -> None:
    assert matches(["a", "...", "c"], ["a", "b", "b", "c"])
    assert matches(["x…z"], ["xyyz"])
    assert not matches(["a", "c"], ["a", "b", "c"])  # no gap without `...`
    assert not matches(["a"], ["a", "b"])  # nothing after the last line without `...`
    assert not matches(["b"], ["a", "b"])  # nor before the first
    assert matches(["...", "b"], ["a", "b"])
    assert matches([], []) and not matches([], ["something"])
