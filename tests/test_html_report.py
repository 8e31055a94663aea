"""The HTML report (`rekap.report.html`): one offline page from the tables of one DuckDB session.

Built on the bundled sample with every part present (validation with the region list, recap,
comparison with the planted D.Hasil errors, coverage), then on data whose names and cells are markup.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import duckdb
import pytest

from rekap import RULESET_VERSION, Session, __version__
from rekap.aggregate.rollup import aggregate
from rekap.io import load_dataset
from rekap.regions import LEVELS as LEVELS_UP
from rekap.report.html import render_html_report, write_html_report
from rekap.validate import validate

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "samples" / "jatim_kecil"
HEADINGS = {
    "id": ("Ringkasan", "Hasil per tingkat", "Temuan per aturan dan wilayah", "Selisih rekap", "Kelengkapan"),
    "en": ("Summary", "Results by level", "Findings by rule and region", "Recap discrepancies", "Coverage"),
}
EXTERNAL = re.compile(r"""\b(?:src|href|xlink:href|action|data|poster)\s*=\s*["']?\s*(?:https?:)?//""", re.I)


def sample_session(tmp: str, *, compare: bool = True, master: bool = True) -> tuple[duckdb.DuckDBPyConnection, dict[str, object]]:
    """What `rekap run` leaves in its session for the sample, and the meta it passes."""
    session = Session(tmpdir=tmp)
    con = session.con
    ds = session.load(sorted(str(p) for p in (SAMPLE / "tps").iterdir()))
    report = session.validate(election="pkwkp", master=SAMPLE / "wilayah.csv" if master else None)
    recap = session.aggregate(LEVELS_UP)
    if compare:
        session.compare([SAMPLE / f"dhasil_{lv}.csv" for lv in ("kecamatan", "kabkota", "provinsi")], election="pkwkp")
    if master:
        session.coverage()
    meta: dict[str, object] = {
        "version": __version__,
        "ruleset": RULESET_VERSION,
        "inputs": [{"name": s.name, "format": s.format, "sha256": s.sha256, "rows": s.rows_read} for s in ds.sources],
        "accounting": {
            "rows_read": report.rows_read,
            "tps_checked": report.tps_checked,
            "rows_summed": recap.tps_summed,
            "rows_rejected": report.rows_rejected + recap.not_summed_duplicate + recap.not_summed_unplaced,
            "rejected_exact_duplicates": report.rows_duplicate,
            "rejected_differing_copies": recap.not_summed_duplicate,
        },
    }
    return con, meta


@pytest.fixture(scope="module")
def session() -> Iterator[tuple[duckdb.DuckDBPyConnection, dict[str, object], bytes]]:
    with tempfile.TemporaryDirectory(prefix="rekap-test-") as tmp:
        con, meta = sample_session(tmp)
        write_html_report(con, Path(tmp), meta=meta)  # a folder gets laporan.html
        yield con, meta, (Path(tmp) / "laporan.html").read_bytes()
        con.close()


@pytest.fixture(scope="module")
def page_id(session: tuple[duckdb.DuckDBPyConnection, dict[str, object], bytes]) -> bytes:
    return session[2]


def test_sections_and_the_planted_trace(session: tuple[duckdb.DuckDBPyConnection, dict[str, object], bytes]) -> None:
    con, _, page_bytes = session
    page = page_bytes.decode("utf-8")
    for heading in HEADINGS["id"]:
        assert f". {heading}</h2>" in page
    assert "kecamatan 350303: +120" in page
    assert page.count("<svg") >= 3  # votes per paslon, turnout, findings per kab/kota
    # Every discrepancy is listed; what could not be compared (a unit with missing TPS and no usable
    # children) is a coverage fact of its own, never a line of the list of selisih.
    counted = con.execute("SELECT count(*) FROM rk_discrepancies").fetchall()[0][0]
    units, values = con.execute(
        "SELECT count(DISTINCT (level, kode_wilayah)), count(*) FROM rk_not_compared").fetchall()[0]
    assert counted == 5  # the sample's planted H001 (data/samples/jatim_kecil/planted.csv)
    assert f"{counted} selisih (H001)." in page
    # The sample's units with missing TPS report exactly their partial sums: compared, and equal.
    assert (units, values) == (0, 0) and "tidak dibandingkan" not in page


def test_offline_and_without_script(page_id: bytes) -> None:
    page = page_id.decode("utf-8")
    assert not EXTERNAL.search(page)
    assert "<script" not in page.lower()
    assert "@import" not in page and "url(http" not in page and "@font-face" not in page
    assert "default-src 'none'" in page  # the browser refuses to fetch anything, should anything slip in


def test_numbers_for_people_codes_as_text(page_id: bytes) -> None:
    page = page_id.decode("utf-8")
    assert ">103.193<" in page  # the province's DPT
    assert ">350303<" in page and "350.303" not in page
    # coverage of the province: 287 of 289 TPS, cut (not rounded) to one decimal, as everywhere
    assert "287 TPS masuk dari 289 TPS yang diharapkan daftar wilayah (99,3 %)" in page
    assert "30da8a973addc06846a1024f4dc5a1f43f133c2b49deb08ecd5110eb8b0fcadf" in page  # SHA-256 of tps_3503.csv


def test_same_inputs_same_bytes(page_id: bytes, tmp_path: Path) -> None:
    con, meta = sample_session(str(tmp_path))
    out = tmp_path / "again.html"
    write_html_report(con, out, meta=meta)
    assert out.read_bytes() == page_id


def test_english(session: tuple[duckdb.DuckDBPyConnection, dict[str, object], bytes]) -> None:
    con, meta, _ = session
    page = render_html_report(con, lang="en", meta=meta)
    for heading in HEADINGS["en"]:
        assert f". {heading}</h2>" in page
    assert ">103,193<" in page and '<html lang="en">' in page
    assert "287 TPS received of the 289 the region list expects (99.3%)" in page
    assert "<th>Severity</th>" in page and "5 discrepancies (H001)." in page


def test_one_word_per_concept(page_id: bytes) -> None:
    """Severity is "Keparahan", a region level "Tingkat"; coverage (TPS received of those expected) is
    "Kelengkapan" (the scope is "Cakupan"); findings counted with their severity's name."""
    page = page_id.decode("utf-8")
    assert "<th>Keparahan</th>" in page and "<th>Tingkat</th>" in page and "Tingkat keparahan" not in page
    assert "<dt>Kelengkapan</dt>" in page and "Cakupan" not in page  # the session's meta names no scope
    assert re.search(r"<dt>Temuan</dt><dd>[0-9.]+ galat, [0-9.]+ peringatan, [0-9.]+ info</dd>", page)


def test_only_the_sections_whose_tables_exist(tmp_path: Path) -> None:
    con, meta = sample_session(str(tmp_path), compare=False, master=False)
    page = render_html_report(con, meta=meta)
    assert "Hasil per tingkat</h2>" in page and "Temuan per aturan dan wilayah</h2>" in page
    assert "Selisih rekap</h2>" not in page and "Kelengkapan</h2>" not in page
    bare = duckdb.connect()
    page = render_html_report(bare, meta={})
    assert "Ringkasan</h2>" in page and "<svg" not in page


def test_data_never_becomes_markup(tmp_path: Path) -> None:
    evil = "<script>alert(1)</script>"
    img = '<img src="http://x/y.png" onerror=alert(2)>'
    data = tmp_path / "<b>tps&.csv"
    data.write_text(
        "kode_tps,nama_kec,nama_desa,pemilih_dpt_j,suara_paslon_1,suara_paslon_2,suara_sah,suara_tidak_sah,suara_total\n"
        f'3578010001001,"{evil}",$\\frac$ "&amp;",200,"{img.replace(chr(34), chr(34) * 2)}",50,90,2,92\n'
        f'3578010001002,"{evil}",$\\frac$ "&amp;",210,60,70,130,3,133\n'
        f'3578020001001,B,C,190,70,40,110,1,111\n',
        encoding="utf-8",
    )
    con = duckdb.connect()
    ds = load_dataset(con, [str(data)], str(tmp_path))
    validate(ds, election="ppwp")
    aggregate(con, list(LEVELS_UP))
    meta: dict[str, object] = {"version": __version__, "title": evil, "notes": [img],
                               "inputs": [{"name": s.name, "sha256": s.sha256, "rows": s.rows_read} for s in ds.sources]}
    page = render_html_report(con, meta=meta)
    assert evil not in page and "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the kecamatan name, the title
    assert "<img" not in page and "<b>" not in page
    assert "&lt;b&gt;tps&amp;.csv" in page  # the file name
    assert "&lt;img src=&quot;http://x/y.png&quot; onerror=alert(2)&gt;" in page  # the S002 cell, the note
    assert not EXTERNAL.search(page)
    assert page.count("<svg") >= 2  # a name that looks like TeX is drawn as text, not parsed


_NO_CHROMIUM = shutil.which("chromium") is None and not Path("/usr/bin/chromium").exists()
# CI installs Chromium (.ci/run) and sets REKAP_REQUIRE_BROWSER=1: there a missing browser fails these
# tests instead of skipping them, so a fresh machine always renders the page.
needs_chromium = pytest.mark.skipif(
    _NO_CHROMIUM and os.environ.get("REKAP_REQUIRE_BROWSER") != "1",
    reason="chromium not installed (apt-get install chromium)",
)


def _screenshot_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("screenshot_report", ROOT / "scripts" / "screenshot_report.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@needs_chromium
def test_the_page_renders_in_a_browser(page_id: bytes, tmp_path: Path) -> None:
    from PIL import Image

    html_file = tmp_path / "laporan.html"
    html_file.write_bytes(page_id)
    png = _render_logging_network(html_file, tmp_path / "laporan.png", tmp_path / "net.json")
    # Offline: the page asks for nothing over the network (Chromium's own background requests, made
    # with no page as initiator, are not the page's doing).
    assert _page_requests(tmp_path / "net.json") == []
    with Image.open(png) as im:
        assert im.size == (1280, 2400)
        colours = im.convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 50  # text, tables and charts, not a blank or error page


def _render_logging_network(html_file: Path, png: Path, net_log: Path) -> Path:
    """scripts/screenshot_report.py's screenshot, with Chromium's network log written to `net_log`."""
    import subprocess
    from types import SimpleNamespace

    module = _screenshot_module()

    def run(cmd: list[str], **kwargs: object) -> object:
        cmd = [*cmd[:-1], f"--log-net-log={net_log}", "--net-log-capture-mode=Default", cmd[-1]]
        return subprocess.run(cmd, **kwargs)  # type: ignore[call-overload]

    module.subprocess = SimpleNamespace(run=run, DEVNULL=subprocess.DEVNULL, PIPE=subprocess.PIPE)
    screenshot: Callable[..., Path] = module.screenshot
    return screenshot(html_file, png, 1280, 2400)


def _page_requests(net_log: Path) -> list[str]:
    """URLs (other than file://) that a page asked for: network jobs started with a page as initiator
    or on behalf of a file:// page."""
    import json

    log = json.loads(net_log.read_text(encoding="utf-8"))
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    out = []
    for event in log["events"]:
        params = event.get("params") or {}
        if event["type"] != start_job or "url" not in params:
            continue
        from_page = params.get("initiator") not in (None, "not an origin") or "file://" in str(
            params.get("network_isolation_key", "")) + str(params.get("site_for_cookies", ""))
        if from_page and not str(params["url"]).startswith("file:"):
            out.append(str(params["url"]))
    return out


@needs_chromium
def test_the_network_log_catches_a_page_request(tmp_path: Path) -> None:
    """The check above can fail: a page that loads an image from the web is caught."""
    html_file = tmp_path / "canary.html"
    html_file.write_text('<html><body><img src="http://rekap-canary.invalid/x.png"><p>x</p></body></html>',
                         encoding="utf-8")
    _render_logging_network(html_file, tmp_path / "canary.png", tmp_path / "net.json")
    assert _page_requests(tmp_path / "net.json") == ["http://rekap-canary.invalid/x.png"]


def test_first_findings_of_each_rule_follow_the_findings_order(
    session: tuple[duckdb.DuckDBPyConnection, dict[str, object], bytes],
) -> None:
    """Each rule's first findings on the page are that rule's first in the findings' total order (the order of
    findings.csv), read here with that order spelled out rather than from the table's storage order."""
    import html as html_lib

    from rekap.report.html import FIRST_FINDINGS

    con, _, page_bytes = session
    page = page_bytes.decode("utf-8")
    rules = [str(r[0]) for r in con.execute("SELECT DISTINCT rule FROM rk_findings_out ORDER BY 1").fetchall()]
    assert rules
    longest = 0
    for rule in rules:
        expected = [str(r[0]) for r in con.execute(
            f"""SELECT f.message FROM rk_findings_out f LEFT JOIN rk_source_order o ON o.source = f.source
                WHERE f.rule = $r
                ORDER BY o.idx NULLS LAST, f.row NULLS FIRST, f.field, f.kode_wilayah, f.level,
                         f.expected NULLS FIRST, f.actual NULLS FIRST, f.message LIMIT {FIRST_FINDINGS}""",
            {"r": rule}).fetchall()]
        longest = max(longest, int(con.execute("SELECT count(*) FROM rk_findings_out WHERE rule = $r",
                                                {"r": rule}).fetchall()[0][0]))
        start = page.index(f'<h4 id="rule-{rule}">')
        end = page.find("<h4 ", start + 1)
        section = page[start:end if end > 0 else len(page)]
        shown = [html_lib.unescape(m) for m in re.findall(r'<td class="wrap">(.*?)</td>', section)]
        assert shown == expected, rule
    assert longest > FIRST_FINDINGS  # some rule has more findings than the page shows: the cut is tested
