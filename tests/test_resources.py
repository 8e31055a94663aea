"""Resource limits and failed writes (issue #5 item 6): a full disk (simulated with RLIMIT_FSIZE, which
makes every write past the limit fail with EFBIG just as a full disk fails with ENOSPC), an output path
that cannot be written, bad limit settings: each gives one error line and exit 2, and leaves no file
that could pass for a complete result."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_cli

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "samples" / "jatim_kecil"
TPS = str(SAMPLE / "tps" / "tps_3503.csv")


def rekap_with_file_limit(args: list[str], limit: int, cwd: Path) -> subprocess.CompletedProcess[str]:
    def preexec() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # else the kernel kills the process outright
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = {**os.environ, "TMPDIR": str(cwd)}
    return subprocess.run([sys.executable, "-m", "rekap", *args], preexec_fn=preexec, capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=300)


def one_error(stderr: str, start: str) -> None:
    """One `rekap: galat:` line starting with `start` (the default language is Indonesian), at most a hint."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert lines and lines[0].startswith(f"rekap: galat: {start}"), stderr
    assert all(line.startswith("saran: ") for line in lines[1:]), stderr
    assert "Traceback" not in stderr


@pytest.mark.parametrize(
    ("args", "limit", "start"),
    [
        (["validate", TPS, "-f", "csv", "-o", "out/findings.csv", "-q"], 1000, "out/findings.csv: tidak dapat menulis (File too large)"),
        (["aggregate", TPS, "-f", "parquet", "-o", "out/recap.parquet", "-q"], 500, "out/recap.parquet: tidak dapat menulis"),
        (["aggregate", TPS, "-f", "xlsx", "-o", "out/recap.xlsx", "-q"], 1000, "out/recap.xlsx: tidak dapat menulis (File too large)"),
        (["run", "-o", "out/bundle", "-q"], 30_000, "out/bundle: folder hasil tidak dapat ditulis (File too large); tidak ada yang ditulis"),
    ],
    ids=["validate-csv", "aggregate-parquet", "aggregate-xlsx", "run-bundle"],
)
def test_disk_full_leaves_nothing_that_looks_complete(tmp_path: Path, args: list[str], limit: int, start: str) -> None:
    (tmp_path / "out").mkdir()
    got = rekap_with_file_limit(args, limit, tmp_path)
    assert got.returncode == 2, got.stderr
    one_error(got.stderr, start)
    assert "File too large" in got.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == []


def test_output_under_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("x")
    got = run_cli(["validate", TPS, "-o", str(tmp_path / "plain" / "out.csv"), "-q"])
    assert got.code == 2
    one_error(got.stderr, f"{tmp_path / 'plain' / 'out.csv'}: {tmp_path / 'plain'} bukan folder")
    got = run_cli(["run", "-o", str(tmp_path / "plain" / "bundle"), "-q"])
    assert got.code == 2
    one_error(got.stderr, f"{tmp_path / 'plain' / 'bundle'}: folder hasil tidak dapat dibuat")


@pytest.mark.parametrize(("var", "value"), [("REKAP_MEMORY_LIMIT", "lots"), ("REKAP_THREADS", "x"), ("REKAP_THREADS", "0")])
def test_bad_limits_are_usage_errors(monkeypatch: pytest.MonkeyPatch, var: str, value: str) -> None:
    monkeypatch.setenv(var, value)
    got = run_cli(["validate", TPS, "-q"])
    assert got.code == 2
    one_error(got.stderr, f"{var}={value!r} bukan ")


def test_duckdb_gets_half_the_memory_at_most_4gb_and_the_private_temp_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rekap import Session
    from rekap.session import default_memory_limit

    monkeypatch.delenv("REKAP_MEMORY_LIMIT", raising=False)
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    mb = int(default_memory_limit().removesuffix("MiB"))
    assert 1024 <= mb and (mb << 20) <= max(min(total // 2, 4 << 30), 1 << 30)
    with Session(tmpdir=tmp_path) as s:
        limit = s.con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
        temp = s.con.execute("SELECT current_setting('temp_directory')").fetchall()[0][0]
    assert temp == str(tmp_path)
    # DuckDB reports the limit in its own units (GiB/MiB); it must be the half we set, not its 80 %.
    value, unit = limit.split()
    got_mb = float(value) * {"GiB": 1024, "MiB": 1, "GB": 1000**3 / 2**20, "MB": 1000**2 / 2**20}[unit]
    assert abs(got_mb - mb) / mb < 0.05, limit
    with Session(tmpdir=tmp_path, memory_limit="1GB") as s:
        assert s.con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0] in ("953.6 MiB", "1.0 GB", "953.6MiB")
