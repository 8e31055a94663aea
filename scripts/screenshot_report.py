"""Render an HTML file (e.g. rekap's laporan.html) to a PNG with headless Chromium, offline.

    python scripts/screenshot_report.py laporan.html laporan.png [--width 1280] [--height 2400]

For looking at the report without a desktop. Chromium runs with a throwaway profile and every
background network feature off, so the picture shows what an offline laptop shows. Exit 2 when no
Chromium is installed (Debian: apt-get install chromium).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


def find_chromium() -> str | None:
    for candidate in CANDIDATES:
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


def screenshot(html: Path, png: Path, width: int = 1280, height: int = 2400, timeout: float = 120.0) -> Path:
    """Write `png`, a screenshot of the top `width`×`height` pixels of `html`; return its path."""
    chromium = find_chromium()
    if chromium is None:
        raise FileNotFoundError("chromium not found (apt-get install chromium)")
    png = png.resolve()
    with tempfile.TemporaryDirectory(prefix="rekap-chromium-") as profile:
        cmd = [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            f"--screenshot={png}",
            f"--window-size={width},{height}",
            html.resolve().as_uri(),
        ]
        subprocess.run(cmd, check=True, timeout=timeout, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if not png.exists():
        raise RuntimeError(f"chromium wrote no screenshot to {png}")
    return png


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", type=Path)
    parser.add_argument("png", type=Path, nargs="?", help="default: the HTML file's name with .png")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=2400)
    args = parser.parse_args(argv)
    if not args.html.is_file():
        sys.stderr.write(f"screenshot_report: error: {args.html}: no such file\n")
        return 2
    try:
        out = screenshot(args.html, args.png or args.html.with_suffix(".png"), args.width, args.height)
    except FileNotFoundError as exc:
        sys.stderr.write(f"screenshot_report: error: {exc}\n")
        return 2
    except subprocess.CalledProcessError as exc:
        sys.stderr.write(f"screenshot_report: error: chromium failed ({exc.returncode}): {exc.stderr.decode(errors='replace')[-500:]}\n")
        return 2
    sys.stderr.write(f"{out}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
