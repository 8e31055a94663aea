"""The recap bundle of `rekap run`: every result of one DuckDB session, written for staff and analysts.

    findings.csv / .jsonl / .parquet       every finding (domain.md §5)
    recap_<level>.csv, recap.jsonl/.parquet recap rows per level
    discrepancies.csv / .jsonl / .parquet  reported recaps vs the sums beneath them (with --reported)
    coverage.csv                           TPS received / expected per unit (with a KPU --master)
    changes.csv / .jsonl / .parquet        the change records since the --previous data (domain.md §5)
    findings_accepted.csv                  with --accept: the accepted findings (the finding records, then
                                           the entry's reason, by, date), which findings.csv leaves out
    accept_stale.csv                       with --accept: the entries that match no finding any more
    rekap.xlsx                             workbook for staff (when there is a recap), print-ready (F4 or A4)
    laporan.html                           one offline page
    rekap.pdf                              with --pdf and LibreOffice installed: the workbook printed
    manifest.json                          version, options, SHA-256 and rows of every input (one entry per
                                           sheet read) and output, the workbook sheets not read and why,
                                           what it covers (scope, election types and where they came
                                           from, levels left out, TPS with data), row accounting, counts
                                           per rule; with --previous, the previous inputs (SHA-256,
                                           rows) and what changed (records per change type, TPS
                                           changed, D findings per rule, misreads, fields compared and
                                           not); with --accept, the accept files (SHA-256, entries)
                                           and what they did (`accept`: accepted per rule, stale);
                                           seconds per step (changes, validate, aggregate, compare,
                                           coverage, bundle) in their own field

With `--previous`, `changes_since` runs the diff (`Session.diff`, domain.md §3 D) before the pipeline and keeps
what the bundle shows in tables the pipeline does not replace: `CHANGES_TABLE`, `CHANGE_UNITS_TABLE`,
`CHANGE_FINDINGS_TABLE`. The workbook and the page show them when they exist; without them every file is as it
was. The D findings are shown and counted apart: they are not in findings.csv and do not set the exit code.

With `--accept`, `Session.accept` has moved the accepted findings into `ACCEPTED_TABLE` and listed the stale entries
in `STALE_TABLE`; findings.csv and the manifest's `findings_per_rule` are the findings that count, and the two
tables are written beside them, shown on the workbook's sheet "Diterima" and in the page's section. Without it no
file changes by a byte.

Same inputs → the same bytes in every file (the manifest's `timings_s` excepted). The folder is new, empty,
or holds an earlier bundle, which the new one replaces whole (`check_output_folder`, `write_bundle`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from rekap.aggregate.rollup import RECAP_TABLE
from rekap.db import table_exists
from rekap.i18n import _, num
from rekap.io import file_sha256
from rekap.regions import LEVELS
from rekap.report import write_records
from rekap.report.files import write_atomic
from rekap.schema import quote_ident
from rekap.version import RULESET_VERSION, __version__

if TYPE_CHECKING:
    from rekap.config import Thresholds
    from rekap.session import LoadOptions, Session
    from rekap.store import Stored

MANIFEST = "manifest.json"
CHANGES_TABLE = "rk_bundle_changes"
"""The change records since the `--previous` data (the diff's `rk_changes`, domain.md §5), in their order."""
CHANGE_UNITS_TABLE = "rk_bundle_change_units"
"""Σ new − Σ old per unit and field (the diff's unit sums) at one level: kab/kota, or kecamatan when the data
lies within one kab/kota."""
CHANGE_FINDINGS_TABLE = "rk_bundle_change_findings"
"""The D findings of the diff (D001–D006): counted on the page and in the manifest, never in findings.csv."""
ACCEPTED_TABLE = "rk_findings_accepted"
"""The accepted findings (`rekap.Session.ACCEPTED`); the file findings_accepted.csv is there when it is."""
STALE_TABLE = "rk_accept_stale"
"""The stale entries of the accept files (`rekap.Session.ACCEPT_STALE`): accept_stale.csv."""
CHANGE_LEVELS = ("kabkota", "kecamatan")
"""The unit levels the changes are summed at, the first inside the data's scope kept."""


@dataclass
class BundleInputs:
    sources: list[dict[str, Any]]
    reported: list[dict[str, Any]] = field(default_factory=list)
    master: dict[str, Any] | None = None
    options: dict[str, Any] = field(default_factory=dict)
    statement: dict[str, Any] = field(default_factory=dict)
    """What the bundle covers (rekap.statement): scope, election types and their origin, levels left out,
    TPS with votes and voter data; shown on the page and the workbook, kept in the manifest."""
    skipped_sheets: list[dict[str, Any]] = field(default_factory=list)
    """Sheets of the input workbooks that were not read (`SkippedSheet.record`)."""
    previous: list[dict[str, Any]] | None = None
    """The `--previous` inputs (path, name, format, sha256, rows, rows_rejected), with `changes`."""
    changes: dict[str, Any] | None = None
    """What changed since them (`changes_since`); the change records are `CHANGES_TABLE`."""
    accept: dict[str, Any] | None = None
    """With --accept: the manifest's `accept` (files with their SHA-256 and entries, accepted, accepted_per_rule,
    stale, without_reason, rules_not_run)."""


def changes_since(
    s: Session,
    previous: Sequence[str] | Stored,
    current: Sequence[str],
    *,
    election: str | None = None,
    options: LoadOptions | None = None,
    thresholds: dict[str, Thresholds] | None = None,
    wilayah: Sequence[str] | None = None,
    stdin: bytes | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The changes from the `previous` TPS files to the `current` ones (`Session.diff`, D rules), kept for the
    bundle in `CHANGES_TABLE`, `CHANGE_UNITS_TABLE` and `CHANGE_FINDINGS_TABLE`; the diff's own tables are
    dropped (the pipeline that follows reloads the current files and needs the memory). Return the manifest's
    `previous` (every previous input with its SHA-256) and `changes` entries.

    Run it before `load`: the diff loads each side and so replaces what a load left on the connection."""
    from rekap.db import literal
    from rekap.scope import parse_wilayah

    rank = {lv: i for i, lv in enumerate(LEVELS)}
    given = parse_wilayah(list(wilayah)) if wilayah else None
    top = min((rank[lv] for lv in given.levels()), default=0) if given else 0
    # A kab/kota above a --wilayah kecamatan would be a partial sum looking whole: Session.diff refuses it.
    levels = [lv for lv in CHANGE_LEVELS if rank[lv] >= top]
    result = s.diff(previous, current, levels=levels, election=election, options=options, thresholds=thresholds,
                    wilayah=wilayah, stdin=stdin)
    con = s.con
    con.execute(f"CREATE OR REPLACE TABLE {CHANGES_TABLE} AS SELECT * FROM {result.table}")
    con.execute(f"CREATE OR REPLACE TABLE {CHANGE_FINDINGS_TABLE} AS SELECT * FROM {s.FINDINGS} WHERE rule LIKE 'D%'")
    level = result.levels[0] if result.units_table and result.levels else None
    if level is not None:
        con.execute(f"CREATE OR REPLACE TABLE {CHANGE_UNITS_TABLE} AS "
                    f"SELECT * FROM {result.units_table} WHERE level = {literal(level)}")
    for (name,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE starts_with(table_name, 'rk_diff_') OR table_name = $t "
        "ORDER BY 1", {"t": result.table}
    ).fetchall():
        con.execute(f"DROP TABLE {quote_ident(str(name))}")
    s.diffed = None  # its tables are gone
    c = result.counts
    per_rule = {str(r): int(n) for r, n in con.execute(
        f"SELECT rule, count(*) FROM {CHANGE_FINDINGS_TABLE} GROUP BY 1 ORDER BY 1").fetchall()}
    inputs = [{"path": src["path"], "name": src["name"], "format": src["format"], "sha256": src["sha256"],
               "rows": src["rows_read"], "rows_rejected": src["rows_rejected"]} for src in result.old.sources]
    changes = {
        "records": {"added": c.added, "removed": c.removed, "changed": c.changed, "tps_added": c.tps_added,
                    "tps_removed": c.tps_removed},
        "tps_both": c.tps_both,
        "tps_changed": c.tps_changed,
        "cells_unreadable": c.unreadable,
        "findings_per_rule": per_rule,
        "misread": dict(result.misread),
        "fields_compared": list(result.fields),
        "fields_not_compared": {"previous_only": list(result.only_old), "current_only": list(result.only_new)},
        "units_level": level,
    }
    return inputs, changes

def _write_set(con: duckdb.DuckDBPyConnection, table: str, outdir: Path, stem: str, tmpdir: str) -> list[str]:
    names = []
    for fmt, ext in (("csv", "csv"), ("jsonl", "jsonl"), ("parquet", "parquet")):
        name = f"{stem}.{ext}"
        write_records(con, table, fmt, str(outdir / name), None, tmpdir)
        names.append(name)
    return names


def check_output_folder(outdir: Path) -> list[str] | None:
    """What `write_bundle` may do with `outdir`, checked before any work and again before writing.

    None: the folder does not exist or is empty; the bundle is moved into it. A list of names: the folder
    holds an earlier rekap bundle (its `manifest.json` parses and has the `rekap` key) and nothing but
    the files that manifest lists (and the manifest, and the litter file browsers leave: `OS_LITTER`);
    the bundle replaces it whole. Anything else is a `UsageError`: a file, a folder that is not a bundle,
    a bundle beside the user's own files (named), or an earlier bundle in the current folder (which
    cannot be swapped out from under the shell that stands in it)."""
    from rekap.errors import UsageError
    from rekap.report.files import reason

    if not outdir.exists():
        return None
    if not outdir.is_dir():
        raise UsageError(_("{path}: ini berkas, bukan folder", path=outdir),
                         hint=_("berikan -o nama folder untuk folder hasil"))
    try:
        entries = sorted((e.name, e.is_dir(follow_symlinks=False)) for e in os.scandir(outdir))
    except OSError as exc:
        raise UsageError(_("{path}: folder tidak dapat dibaca ({reason})", path=outdir, reason=reason(exc))) from None
    if not entries:
        return None
    listed = _bundle_files(outdir / MANIFEST)
    names = [name for name, _is_dir in entries]
    if listed is None:
        raise UsageError(
            _("{path}: folder ini tidak kosong dan tidak berisi folder hasil rekap ({files})", path=outdir,
              files=_some(names)),
            hint=_("pilih folder lain dengan -o, atau kosongkan folder ini"),
        )
    foreign = [name for name, is_dir in entries if name not in OS_LITTER and (is_dir or name not in listed)]
    if foreign:
        raise UsageError(
            _("{path}: berisi berkas yang bukan bagian dari folder hasil rekap ({files}); folder hasil yang baru "
              "mengganti folder ini seluruhnya", path=outdir, files=_some(foreign)),
            hint=_("pindahkan berkas-berkas itu ke tempat lain, atau pilih folder lain dengan -o"),
        )
    target = outdir.resolve()
    try:
        here = Path.cwd().resolve()
    except OSError:
        here = None
    if here is not None and (here == target or target in here.parents):
        raise UsageError(_("{path}: berisi folder hasil sebelumnya dan merupakan folder saat ini, yang tidak dapat "
                           "diganti rekap", path=outdir),
                         hint=_("jalankan rekap dari folder lain, atau pilih folder lain dengan -o"))
    return names


OS_LITTER = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
"""Files a file browser leaves in a folder it showed (macOS Finder, Windows Explorer); a bundle folder
with them is still a bundle folder, and they go with it."""


def _bundle_files(manifest: Path) -> set[str] | None:
    """The files of the bundle whose manifest this is (itself included), or None when it is no rekap manifest."""
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or "rekap" not in data or not isinstance(data.get("outputs", {}), dict):
        return None
    return {str(name) for name in data.get("outputs", {})} | {MANIFEST}


def _some(names: list[str], shown: int = 3) -> str:
    if len(names) > shown:
        return _("{names} dan {n} lainnya", names=", ".join(names[:shown]), n=num(len(names) - shown))
    return ", ".join(names)


def write_bundle(
    con: duckdb.DuckDBPyConnection,
    outdir: Path,
    tmpdir: str,
    *,
    inputs: BundleInputs,
    accounting: dict[str, int],
    counts: dict[str, int],
    timings: dict[str, float],
    lang: str = "id",
    paper: str = "f4",
    pdf: list[str] | None = None,
) -> list[str]:
    """Write the bundle into a fresh folder beside `outdir`, then move it into place: a run that
    fails halfway leaves no half-written bundle that looks complete. The workbook prints on `paper`
    (rekap.report.printing); with `pdf` (a list) it is also printed to `rekap.pdf` by LibreOffice
    (rekap.report.pdf), and why it was not, when it was not, is appended to that list.

    `outdir` new or empty: the files are moved into it. `outdir` holding an earlier bundle (see
    `check_output_folder`): the folder is replaced whole, so that no file of the earlier bundle stays
    beside the new one: the old folder is renamed aside, the staged one renamed into its place (with
    the old folder's permissions), then the old bundle's files are deleted. At every moment `outdir` is
    the whole old bundle, absent, or the whole new one."""
    import shutil
    import tempfile

    from rekap.errors import UsageError, WriteError
    from rekap.report.files import reason

    earlier = check_output_folder(outdir)
    target = outdir.resolve()
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=parent))
    except OSError as exc:
        raise UsageError(_("{path}: folder hasil tidak dapat dibuat ({reason})", path=outdir, reason=reason(exc))) from None
    try:
        written = _write_bundle(con, staging, tmpdir, inputs=inputs, accounting=accounting, counts=counts,
                                timings=timings, lang=lang, paper=paper, pdf=pdf)
        if earlier is None:
            target.mkdir(exist_ok=True)
            for name in written:
                (staging / name).replace(target / name)
        else:
            _replace_folder(target, staging, earlier)
    except WriteError as exc:
        # A file of the staged bundle could not be written (disk full, ...): name the bundle, not the
        # hidden staging folder, which is removed below; nothing half-written is left behind.
        raise UsageError(_("{path}: folder hasil tidak dapat ditulis ({reason}); tidak ada yang ditulis", path=outdir,
                           reason=exc.reason)) from None
    except OSError as exc:
        raise UsageError(_("{path}: folder hasil tidak dapat ditulis ({reason}); tidak ada yang ditulis", path=outdir,
                           reason=reason(exc))) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return written


def _replace_folder(target: Path, staging: Path, earlier: list[str]) -> None:
    """Put the folder `staging` in the place of the folder `target`, which holds the files `earlier`."""
    import stat
    import tempfile

    os.chmod(staging, stat.S_IMODE(target.stat().st_mode))
    aside = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
    old = aside / "old"
    try:
        os.rename(target, old)
    except OSError:
        aside.rmdir()
        raise
    try:
        os.rename(staging, target)
    except OSError:
        os.rename(old, target)  # the earlier bundle goes back where it was
        aside.rmdir()
        raise
    # Only the earlier bundle's own files: a file put into the folder since it was checked stays, aside.
    for name in earlier:
        try:
            (old / name).unlink()
        except OSError:
            pass
    try:
        old.rmdir()
        aside.rmdir()
    except OSError:
        pass


def _write_bundle(
    con: duckdb.DuckDBPyConnection,
    outdir: Path,
    tmpdir: str,
    *,
    inputs: BundleInputs,
    accounting: dict[str, int],
    counts: dict[str, int],
    timings: dict[str, float],
    lang: str = "id",
    paper: str = "f4",
    pdf: list[str] | None = None,
) -> list[str]:
    """Write every file of the bundle into `outdir`; return the file names written (manifest last).

    The workbook is built in a second thread on its own DuckDB cursor while this thread writes the data
    files and the HTML page, and every finished file is hashed in a third: DuckDB, zlib and hashlib let
    go of the GIL, so the workbook's SQL and compression overlap the page's charts (Python). Each file
    depends on the tables only, never on which thread finished first, so the bytes stay the same."""
    import time
    from concurrent.futures import Future, ThreadPoolExecutor

    started = time.perf_counter()
    outdir.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    hashes: dict[str, Future[str]] = {}
    meta = {
        "version": __version__,
        "ruleset": RULESET_VERSION,
        "inputs": inputs.sources,
        "skipped_sheets": inputs.skipped_sheets,
        "reported": inputs.reported,
        "master": inputs.master,
        "accounting": accounting,
        "counts": counts,
        "statement": inputs.statement,
    }
    if inputs.changes is not None:
        meta["previous"] = inputs.previous or []
        meta["changes"] = inputs.changes
    if inputs.accept is not None:
        meta["accept"] = inputs.accept
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="rekap-xlsx") as book_pool, \
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="rekap-sha") as hash_pool:

        def done(names: list[str]) -> None:
            for name in names:
                written.append(name)
                hashes[name] = hash_pool.submit(file_sha256, outdir / name)

        book: Future[None] | None = None
        cursor = con.cursor() if table_exists(con, RECAP_TABLE) else None
        try:
            if cursor is not None:
                from rekap.report.workbook import write_bundle_xlsx

                book = book_pool.submit(write_bundle_xlsx, cursor, outdir / "rekap.xlsx", lang=lang, meta=meta,
                                        paper=paper)
            done(_write_set(con, "rk_findings_out", outdir, "findings", tmpdir))
            for table, name in ((ACCEPTED_TABLE, "findings_accepted.csv"), (STALE_TABLE, "accept_stale.csv")):
                if table_exists(con, table):
                    write_records(con, table, "csv", str(outdir / name), None, tmpdir)
                    done([name])
            if table_exists(con, RECAP_TABLE):
                levels = [str(r[0]) for r in con.execute(f"SELECT DISTINCT level FROM {RECAP_TABLE}").fetchall()]
                for level in [lv for lv in LEVELS if lv in levels]:
                    table = f"rk_out_recap_{level}"
                    # A view, not a copy: a filtered scan keeps the recap's order. `level` is one of
                    # LEVELS, never input text.
                    con.execute(
                        f"CREATE OR REPLACE TEMP VIEW {quote_ident(table)} AS "
                        f"SELECT * FROM {RECAP_TABLE} WHERE level = '{level}'"
                    )
                    name = f"recap_{level}.csv"
                    write_records(con, table, "csv", str(outdir / name), None, tmpdir)
                    done([name])
                for fmt in ("jsonl", "parquet"):
                    name = f"recap.{fmt}"
                    write_records(con, RECAP_TABLE, fmt, str(outdir / name), None, tmpdir)
                    done([name])
            if table_exists(con, "rk_discrepancies"):
                done(_write_set(con, "rk_discrepancies", outdir, "discrepancies", tmpdir))
            if table_exists(con, "rk_coverage"):
                name = "coverage.csv"
                write_records(con, "rk_coverage", "csv", str(outdir / name), None, tmpdir)
                done([name])
            if table_exists(con, CHANGES_TABLE):
                done(_write_set(con, CHANGES_TABLE, outdir, "changes", tmpdir))
            from rekap.report.html import write_html_report

            write_html_report(con, outdir / "laporan.html", lang=lang, meta=meta)
            if book is not None:
                book.result()
                done(["rekap.xlsx"])  # listed where it always was: after the data files, before the page
            done(["laporan.html"])
            if pdf is not None:
                if book is None:
                    pdf.append("no workbook")
                else:
                    from rekap.report.pdf import workbook_pdf

                    why = workbook_pdf(outdir / "rekap.xlsx", outdir / "rekap.pdf")
                    if why is None:
                        done(["rekap.pdf"])
                    else:
                        pdf.append(why)
        except BaseException:
            if cursor is not None:
                cursor.interrupt()  # a failed bundle does not wait for a workbook nobody will see
            raise
        finally:
            if book is not None:
                book.exception()  # joined before its cursor is closed, whatever happened here
            if cursor is not None:
                cursor.close()
        outputs = {name: {"sha256": hashes[name].result(), "bytes": (outdir / name).stat().st_size} for name in written}
    manifest = {
        "rekap": __version__,
        "ruleset": RULESET_VERSION,
        "options": inputs.options,
        "inputs": inputs.sources,
        "skipped_sheets": inputs.skipped_sheets,
        "reported": inputs.reported,
        "master": inputs.master,
        **({"previous": inputs.previous or []} if inputs.changes is not None else {}),
        "covered": inputs.statement,
        "accounting": accounting,
        "findings_per_rule": dict(sorted(counts.items())),
        **({"changes": inputs.changes} if inputs.changes is not None else {}),
        **({"accept": inputs.accept} if inputs.accept is not None else {}),
        "outputs": {name: outputs[name] for name in written},
        # The only field that changes between two runs on the same inputs.
        # Seconds per step; "bundle" is every file of the bundle but this one.
        "timings_s": {k: round(v, 3) for k, v in {**timings, "bundle": time.perf_counter() - started}.items()},
    }
    write_atomic(outdir / MANIFEST, (json.dumps(manifest, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
    return [*written, MANIFEST]
