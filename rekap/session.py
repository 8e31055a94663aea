"""The library's one entry point: a `Session` owns the DuckDB connection and runs the pipeline.

    from rekap import Session

    with Session() as s:
        s.load(["tps_3578.csv"])                       # every input, as one dataset
        report = s.validate(master="wilayah.csv")      # every rule (or select=["A"], ignore=["P006"])
        recap = s.aggregate()                          # desa … nasional (the scope's levels)
        compared = s.compare(["dhasil_kec.csv"])       # H001–H003 added to the report's findings
        s.coverage()                                   # received / expected TPS per unit
        report.findings                                # a pyarrow.Table of finding records

        s.accept(["diterima.csv"])                     # accepted findings leave the findings that count
        s.accept_template()                            # the findings that count, as an accept file's rows

    with Session() as s:
        d = s.diff(["snapshot_0220.parquet"], ["tps_0317.csv"])   # two versions of the same TPS (rekap diff)
        s.con.sql(f"SELECT * FROM {s.CHANGES}")        # change records; d.report.findings: D/X and S findings

The engine's tables stay on `s.con` under the names given as attributes (`s.FINDINGS`, `s.RECAP`, …);
the CLI renders them (`rekap.report`), `rekap.bundle` writes them as a folder. Each step checks that
the steps it needs ran first. Errors are `rekap.errors.RekapError` (one line and a hint), never a
traceback of DuckDB's.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import duckdb

from rekap.aggregate.completeness import ensure_scope
from rekap.aggregate.coverage import COVERAGE_TABLE
from rekap.aggregate.coverage import coverage as run_coverage
from rekap.aggregate.rollup import RECAP_TABLE, RecapResult, unit_names
from rekap.aggregate.rollup import aggregate as run_aggregate
from rekap.config import Thresholds, load_thresholds
from rekap.dataset import Dataset
from rekap.db import (
    CHANGES_TABLE,
    DISCREPANCY_TABLE,
    NOT_COMPARED_TABLE,
    RULES_TABLE,
    UNITS_TABLE,
    count,
    create_macros,
    replace_relation,
    table_exists,
)
from rekap.election import check_flag, check_match
from rekap.errors import UsageError
from rekap.i18n import _
from rekap.io import LoadOptions, expand_set, file_sha256, load_dataset
from rekap.io.columns import load_column_map
from rekap.regions import LEVELS
from rekap.schema import NUMERIC_COLUMNS, PASLON_COLUMNS
from rekap.scope import Scope, data_root, parse_wilayah, store
from rekap.validate import (
    ACCEPTED_TABLE,
    FINDING_TYPES,
    FINDINGS_TABLE,
    STALE_TABLE,
    ValidationReport,
    add_findings,
    check,
    evaluate,
)
from rekap.validate import accept as accepting
from rekap.validate.catalogue import (
    REGISTRY,
    all_rules,
    data_rules,
    select_rules,
    split_patterns,
    write_rules_table,
)
from rekap.validate.registry import Context, Rule
from rekap.validate.typing import prepare, tps_elections

# What only some steps need (comparison, diff, the store, the lists, the statement) is imported by those
# steps: a `rekap validate` of one small file does not pay for the readers of reported recaps (~25 ms).
if TYPE_CHECKING:
    from rekap.aggregate.compare import CompareResult
    from rekap.diff import DiffResult
    from rekap.diff import Side as DiffSide
    from rekap.io.accept import AcceptFile
    from rekap.io.master import MasterInfo
    from rekap.io.paslon import load_paslon
    from rekap.store import Snapshot, Stored

_LAZY = {"DiffResult": "rekap.diff", "Stored": "rekap.store", "load_paslon": "rekap.io.paslon"}


def __getattr__(name: str) -> Any:
    # The public names (`__all__`) that live in modules imported on demand.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


PathLike = str | os.PathLike[str]

ONE_THREAD_ROWS = 10_000
"""Inputs of at most this many rows are checked on one DuckDB thread (unless `threads` is given): a kab/kota."""


@dataclass
class StoreAdd:
    """What `Session.store_add` did: the snapshot added (or, `added` False, the stored one with the same files)."""

    snapshot: Snapshot
    added: bool
    previous: Snapshot | None = None
    diff: DiffResult | None = None


def default_memory_limit() -> str:
    """Half the machine's memory, at most 4 GB (DuckDB would take 80 %): a 2 GB CSV validates within
    1.3 GB of RSS at a 1 GB limit (spilling to TMPDIR), so more only starves the rest of the machine
    (benchmarks/bench_hostile.py)."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return "2GiB"
    return f"{max(1024, min(total // 2, 4 << 30) // (1 << 20))}MiB"


class Session:
    """One DuckDB connection and everything rekap computes on it.

    `tmpdir`: a folder for DuckDB's spill files and the readers' scratch files (default: a private folder
    under TMPDIR, removed on close). `memory_limit` (e.g. "2GB", default half the memory, at most 4 GB) and
    `threads` bound DuckDB. `lang` is the language of the finding messages and of the session's own errors
    (id, en; the readers' errors are in the process's language, `rekap.i18n.set_lang`)."""

    FINDINGS = FINDINGS_TABLE
    RECAP = RECAP_TABLE
    DISCREPANCIES = DISCREPANCY_TABLE
    NOT_COMPARED = NOT_COMPARED_TABLE
    COVERAGE = COVERAGE_TABLE
    RULES = RULES_TABLE
    CHANGES = CHANGES_TABLE
    DIFF_UNITS = UNITS_TABLE
    ACCEPTED = ACCEPTED_TABLE
    ACCEPT_STALE = STALE_TABLE

    def __init__(
        self,
        *,
        tmpdir: PathLike | None = None,
        lang: str = "id",
        memory_limit: str | None = None,
        threads: int | None = None,
    ) -> None:
        self._own_tmp = tmpdir is None
        self.tmpdir = tempfile.mkdtemp(prefix="rekap-") if tmpdir is None else str(tmpdir)
        # A scratch folder that is not there yet is made: else the first spooled input's error names the input.
        os.makedirs(self.tmpdir, exist_ok=True)
        self.lang = lang
        self.con = duckdb.connect(config={"temp_directory": self.tmpdir})
        self.con.execute("SET enable_progress_bar = false")
        limit = memory_limit or default_memory_limit()
        try:
            self.con.execute("SET memory_limit = $l", {"l": limit})
        except duckdb.Error:
            self.close()
            raise UsageError(_("batas memori {value!r} bukan ukuran memori", lang, value=limit),
                             hint=_("mis. 2GB", lang)) from None
        if threads is not None:
            if threads < 1:
                self.close()
                raise UsageError(_("threads {value!r} bukan jumlah thread", lang, value=threads), hint=_("mis. 2", lang))
            self.con.execute("SET threads = $t", {"t": int(threads)})
        self._threads_given = threads is not None
        self._one_thread = False
        self.dataset: Dataset | None = None
        self.report: ValidationReport | None = None
        self.recap: RecapResult | None = None
        self.compared: CompareResult | None = None
        self.master: MasterInfo | None = None
        self.master_path: Path | None = None
        self.election: str | None = None
        self.wilayah: Scope | None = None
        self.diffed: DiffResult | None = None
        self.accept_files: list[AcceptFile] | None = None
        """The accept files of `accept` (None: nothing accepted in this validation)."""

    # --- lifetime ---------------------------------------------------------------------------------

    def __enter__(self) -> Session:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        try:
            self.con.close()
        finally:
            if self._own_tmp:
                shutil.rmtree(self.tmpdir, ignore_errors=True)

    # --- the pipeline -----------------------------------------------------------------------------

    def load(
        self,
        paths: Sequence[PathLike],
        *,
        options: LoadOptions | None = None,
        stdin: bytes | None = None,
    ) -> Dataset:
        """Read every input (CSV/TSV, XLSX, Parquet, Sirekap JSON; '-' is `stdin`) as one dataset."""
        self.dataset = load_dataset(self.con, [str(p) for p in paths], self.tmpdir, options, stdin=stdin)
        if not self._threads_given and (self.dataset.rows_read <= ONE_THREAD_ROWS) != self._one_thread:
            # A small input is checked on one thread: on a 100-TPS file the statements are a few ms each and
            # handing their tasks between threads costs ~10 % of the validation, for nothing.
            self._one_thread = not self._one_thread
            self.con.execute("SET threads = 1" if self._one_thread else "RESET threads")
        self.report = self.recap = self.compared = None
        return self.dataset

    def validate(
        self,
        *,
        select: list[str] | None = None,
        ignore: list[str] | None = None,
        rules: list[Rule] | None = None,
        election: str | None = None,
        thresholds: dict[str, Thresholds] | None = None,
        config: PathLike | None = None,
        master: PathLike | None = None,
        dpt: PathLike | None = None,
        wilayah: Sequence[str] | Scope | None = None,
    ) -> ValidationReport:
        """Type the data and run the rules (`select`/`ignore` by ID or prefix, or `rules`) against it, the
        region list (`master`: S006, K001–K003) and the official DPT (`dpt`: A013). `election` settles
        the election type; `wilayah` (codes, or a Scope) limits everything to those regions. Stops
        (UsageError) when the inputs' election types do not match."""
        ds = self._need_dataset()
        check_flag(election)
        accepting.drop(self.con)  # a new validation: its own findings, nothing accepted yet
        self.accept_files = None
        chosen = rules if rules is not None else select_rules(select, ignore)
        if thresholds is None:
            thresholds = load_thresholds(Path(config) if config is not None else None)
        scope = wilayah if isinstance(wilayah, Scope) or wilayah is None else parse_wilayah(list(wilayah))
        notes: list[str] = []
        types = prepare(ds, election=election, thresholds=thresholds, notes=notes, lang=self.lang, wilayah=scope)
        election_inputs = tps_elections(ds, election)
        check_match(election_inputs, election)
        root = scope or data_root(self.con, ds.code_range)
        store(self.con, root)
        if master is not None:
            from rekap.io.master import load_master
        if dpt is not None:
            from rekap.io.dpt import load_dpt
        self.master = load_master(self.con, Path(master), self.tmpdir) if master is not None else None
        self.master_path = Path(master) if master is not None else None
        has_dpt = dpt is not None and load_dpt(self.con, Path(dpt), self.tmpdir) >= 0
        if self.master is not None and self.master.has_tps and any(r.family == "K" for r in chosen):
            ensure_scope(self.con)  # what the K rules read: expected, received, in scope
        self.report = check(
            ds, types, rules=chosen, election=election, election_inputs=election_inputs, scope=root,
            has_master=self.master is not None, has_master_tps=self.master is not None and self.master.has_tps,
            has_dpt=has_dpt, notes=notes, lang=self.lang,
        )
        self.election, self.wilayah = election, scope
        self.write_rules_table()
        return self.report

    def aggregate(self, levels: Sequence[str] = LEVELS) -> RecapResult:
        """The recap rows (`s.RECAP`) of the given levels, within the scope; validates first (the error
        rules, for `n_tps_error`) when `validate` has not run."""
        self._need_dataset()
        if self.report is None:
            self.validate(rules=[r for r in data_rules() if r.severity == "error"])
        # n_tps_error counts every error finding, accepted or not: accepting explains a form, it does not fix it.
        restored = accepting.restore(self.con)
        self.recap = run_aggregate(self.con, list(levels))
        if restored:
            accepting.apply_accept(self.con, self._need_report())
        return self.recap

    def compare(
        self,
        reported: Sequence[PathLike],
        *,
        paslon: PathLike | dict[str, int] | None = None,
        election: str | None = None,
        only: set[str] | None = None,
        wilayah: Sequence[str] | Scope | None = None,
    ) -> CompareResult:
        """Reported recaps (D.Hasil at any level, rekap's own workbook or recap rows, Sirekap region JSON,
        long Sirekap tables) against the sums beneath them: `s.DISCREPANCIES`, and H001–H003 (or those of
        `only`) added to the report's findings. With TPS data loaded, against its recap (built here when
        `aggregate` has not run); without, against the reported level below."""
        from rekap.aggregate.compare import compare as run_compare
        from rekap.io.paslon import load_paslon
        from rekap.io.reported import load_reported, reported_elections

        if election is None:
            election = self.election
        check_flag(election)
        paslon_map = load_paslon(Path(paslon)) if isinstance(paslon, str | os.PathLike) else paslon
        if self.dataset is not None:
            if self.report is None:
                self.validate(rules=[r for r in data_rules() if r.severity == "error"], election=election)
            if self.recap is None:
                self.aggregate(LEVELS)
            report = self._need_report()
        else:
            report = self._empty_report()
        sources = load_reported(self.con, [str(p) for p in reported], self.tmpdir, paslon=paslon_map,
                                election=election)
        rep_elections = reported_elections(self.con, sources, election)
        check_match([*report.election_inputs, *rep_elections], election)
        report.election_inputs = [*report.election_inputs, *rep_elections]
        report.election_flag = election
        self.con.executemany("INSERT INTO rk_source_order VALUES (?, ?)", [[src.name, src.index] for src in sources])
        report.reported_sources = [
            {"path": src.path, "name": src.name, "format": src.format, "sha256": src.sha256, "rows": src.rows,
             "rows_read": src.rows + src.rows_rejected, "rows_rejected": src.rows_rejected, "notes": list(src.notes)}
            for src in sources
        ]
        if wilayah is not None and report.scope is None:
            report.scope = wilayah if isinstance(wilayah, Scope) else parse_wilayah(list(wilayah))
        self.compared = run_compare(self.con, default_election=election, scope=report.scope)
        reported_cols = {str(r[0]) for r in self.con.execute("DESCRIBE rk_reported").fetchall()}
        ctx = Context(columns=frozenset(), has_reported=True, lang=self.lang,
                      reported_columns=frozenset(c for c in NUMERIC_COLUMNS if c in reported_cols))
        # S002 here reads only the reported recaps' bad cells (the TPS cells were checked already).
        restored = accepting.restore(self.con)  # accepted earlier: the new findings are matched with the rest
        add_findings(report, [REGISTRY[r] for r in ("S002", "H001", "H002", "H003") if only is None or r in only],
                     ctx, self.lang)
        if restored:
            accepting.apply_accept(self.con, report)
        self.write_rules_table()
        return self.compared

    def diff(
        self,
        old: Sequence[PathLike] | Stored,
        new: Sequence[PathLike] | Stored,
        *,
        sources: Sequence[str] | None = None,
        levels: Sequence[str] = (),
        select: list[str] | None = None,
        ignore: list[str] | None = None,
        election: str | None = None,
        options: LoadOptions | None = None,
        thresholds: dict[str, Thresholds] | None = None,
        wilayah: Sequence[str] | Scope | None = None,
        stdin: bytes | None = None,
    ) -> DiffResult:
        """What changed between two versions of the same TPS (domain.md §3 D/X, §5): OLD and NEW are each one
        or more TPS files. The change records are `s.CHANGES` (and `s.DIFF_UNITS` per unit of `levels`); the D
        rules (or, with `sources=(name_a, name_b)`, the X rules) and the S findings of reading each side are the
        report's findings (`select`/`ignore` as everywhere). A side may be a stored snapshot (`rekap.store.Stored`,
        with the store open: `open_store`). Stops (UsageError) when the sides are of different election types or
        share no TPS at all."""
        from rekap import diff as d
        from rekap.i18n import num
        from rekap.regions import level_of_code
        from rekap.store import Stored

        mode = "sources" if sources else "time"
        if sources is not None and len(sources) != 2:
            raise UsageError(_("--sources butuh dua nama, dipisah koma, bukan {value!r}", self.lang,
                               value=",".join(sources)), hint=_("mis. --sources sirekap,saksi", self.lang))
        labels = (str(sources[0]), str(sources[1])) if sources else (_("LAMA", self.lang), _("BARU", self.lang))
        default = ["S", "X"] if mode == "sources" else ["S", "D"]
        chosen = select_rules(select or default, ignore)
        a_rules = [r for r in REGISTRY.values() if r.family == "A" and r.id != "A013"]
        s_rules = [r for r in REGISTRY.values() if r.family == "S"]
        scope = wilayah if isinstance(wilayah, Scope) or wilayah is None else parse_wilayah(list(wilayah))
        d.drop(self.con)
        sides: list[d.Side] = []
        present: list[frozenset[str]] = []
        s_run: set[str] = set()
        offset = 0
        for key, paths, label in (("old", old, labels[0]), ("new", new, labels[1])):
            if isinstance(paths, Stored):
                sides.append(self._stored_side(key, paths, label, offset, levels=bool(levels)))
                present.append(frozenset(sides[-1].columns) | {"kode_tps"})
                offset += 1
                continue
            ds = self.load(paths, options=options, stdin=stdin)
            report = self.validate(rules=s_rules, election=election, thresholds=thresholds, wilayah=scope)
            d.capture(self.con, key, offset, duplicates=ds.duplicate_codes, bad_cells=ds.bad_cells)
            if levels and key == "new":
                unit_names(self.con)  # the names of the units, from the NEW side's own name columns
            self.con.execute(f"CREATE OR REPLACE TABLE rk_diff_{key}_findings AS SELECT * FROM {FINDINGS_TABLE}")
            self.con.execute(f"CREATE OR REPLACE TABLE rk_diff_{key}_sources AS "
                             f"SELECT source, idx + {offset} AS idx FROM rk_source_order")
            sides.append(d.Side(
                label=label, paths=[str(p) for p in paths],
                sources=[{"path": src.path, "name": src.name, "format": src.format, "sha256": src.sha256,
                          "rows_read": src.rows_read, "rows_rejected": src.rows_rejected, "notes": list(src.notes)}
                         for src in ds.sources],
                columns=tuple(c for c in ds.columns if c in NUMERIC_COLUMNS), elections=list(report.election_inputs),
                scope=report.scope, rows_read=report.rows_read, rows_rejected=report.rows_rejected,
                rows_duplicate=report.rows_duplicate, rows_outside=report.rows_outside,
                tps=count(self.con, f"SELECT count(*) FROM {d.side_table(key)}"), skipped=list(ds.skipped),
                notes=list(report.notes),
            ))
            present.append(frozenset(ds.columns))
            s_run.update(report.rules_run)
            offset += len(ds.sources)
        old_side, new_side = sides
        self._diff_sources(old_side, new_side)
        self.con.execute("CREATE OR REPLACE TABLE rk_source_order AS SELECT * FROM rk_diff_old_sources UNION ALL "
                         "SELECT * FROM rk_diff_new_sources")
        types = [sorted({e for i in side.elections for e in i.elections}) for side in sides]
        if types[0] and types[1] and types[0] != types[1]:
            raise UsageError(
                _("{old} dan {new} bukan pemilihan yang sama: {old} {old_types} ({old_inputs}), {new} {new_types} "
                  "({new_inputs})", self.lang, old=labels[0], new=labels[1], old_types="+".join(types[0]),
                  new_types="+".join(types[1]),
                  old_inputs="; ".join(i.describe(self.lang) for i in old_side.elections),
                  new_inputs="; ".join(i.describe(self.lang) for i in new_side.elections)),
                hint=_("perubahan hanya dibandingkan antara data pemilihan yang sama; bila jenisnya salah ditebak, "
                       "sebutkan dengan --election", self.lang),
            )
        fields = [c for c in NUMERIC_COLUMNS if c in old_side.columns and c in new_side.columns]
        counts = d.compare_sides(self.con, fields, mode)
        if old_side.tps and new_side.tps and not counts.tps_both:
            raise UsageError(
                _("{old} dan {new} tidak punya satu TPS pun yang sama ({old}: {n_old} TPS di {old_scope}; {new}: "
                  "{n_new} TPS di {new_scope}): tidak ada yang dapat dibandingkan", self.lang, old=labels[0],
                  new=labels[1], n_old=num(old_side.tps, self.lang), n_new=num(new_side.tps, self.lang),
                  old_scope=", ".join(old_side.scope.units if old_side.scope else ()),
                  new_scope=", ".join(new_side.scope.units if new_side.scope else ())),
                hint=_("periksa bahwa kedua sisi adalah data wilayah yang sama", self.lang),
            )
        for key, side_present in zip(d.SIDES, present, strict=True):
            d.restrict_view(self.con, key)
            paslon = tuple(p for p in PASLON_COLUMNS if p in side_present)
            evaluate(self.con, a_rules, Context(columns=side_present, paslon=paslon, lang=self.lang,
                                                duplicate_codes=False, bad_cells=False), self.lang)
            d.keep_afail(self.con, key)
        d.finish(self.con, fields, mode)
        wanted = ", ".join(f"'{r.id}'" for r in chosen if r.family == "S") or "NULL"
        self.con.execute(
            f"""CREATE OR REPLACE TABLE {FINDINGS_TABLE} AS
                SELECT * FROM rk_diff_old_findings WHERE rule IN ({wanted})
                UNION ALL SELECT * FROM rk_diff_new_findings WHERE rule IN ({wanted})"""
        )
        report = self._empty_report(keep_findings=True)
        report.rows_read = old_side.rows_read + new_side.rows_read
        report.rows_rejected = old_side.rows_rejected + new_side.rows_rejected
        report.rows_duplicate = old_side.rows_duplicate + new_side.rows_duplicate
        report.tps_checked = new_side.tps
        report.election_flag = election
        report.election_inputs = [*old_side.elections, *new_side.elections]
        report.scope = new_side.scope
        ctx = Context(columns=frozenset(), lang=self.lang, diff=mode, diff_labels=labels)
        report.rules_run = [r.id for r in chosen if r.id in s_run]  # the S rules ran on each side as it was read
        add_findings(report, [r for r in chosen if r.family in ("D", "X")], ctx, self.lang)
        result = d.DiffResult(mode=mode, old=old_side, new=new_side, fields=fields,
                              only_old=[c for c in old_side.columns if c not in new_side.columns],
                              only_new=[c for c in new_side.columns if c not in old_side.columns],
                              counts=counts, report=report, misread=d.misread_classes(self.con))
        if levels:
            root = (new_side.scope or old_side.scope or Scope(units=("00",), given=False)).units
            rank = {lv: i for i, lv in enumerate(LEVELS)}
            top = min((rank[level_of_code(u) or "nasional"] for u in root), default=0)
            inside = [lv for lv in levels if rank[lv] >= top]
            above = [lv for lv in levels if rank[lv] < top]
            if not inside:
                raise UsageError(
                    _("tingkat {levels} berada di atas cakupan data ({scope}): jumlahnya akan tampak lengkap "
                      "padahal tidak", self.lang, levels=", ".join(above), scope=", ".join(root)),
                    hint=_("minta --level yang lebih rendah", self.lang))
            result.levels = inside
            result.levels_left_out = above + d.units(self.con, inside, fields)
            result.units_table = d.UNITS_TABLE
        # The rules' view now shows the changed TPS of one side: nothing after this may read it as the data.
        self.dataset, self.report, self.recap, self.compared, self.diffed = None, None, None, None, result
        self.write_rules_table()
        return result

    def _stored_side(self, key: str, side: Stored, label: str, offset: int, *, levels: bool) -> DiffSide:
        """One diff side from the store: the snapshot's TPS as they stood then, named by its label."""
        from rekap import store as store_mod
        from rekap.diff import Side as DiffSide
        from rekap.diff import side_table
        from rekap.election import InputElection

        snap = side.snapshot
        name = snap.label if snap is not None else label
        n_tps = store_mod.side_table(self.con, side_table(key), snap, offset)
        self.con.execute(f"CREATE OR REPLACE TABLE rk_diff_{key}_findings ("
                         + ", ".join(f"{n} {t}" for n, t in FINDING_TYPES.items()) + ")")
        self.con.execute(f"CREATE OR REPLACE TABLE rk_diff_{key}_sources AS SELECT $n::VARCHAR AS source, "
                         f"{int(offset)}::INTEGER AS idx", {"n": name})
        replace_relation(self.con, "rk_tps", f"SELECT * FROM {side_table(key)}")
        self.con.execute("DROP TABLE IF EXISTS rk_stats")  # prepare's counts are not about these rows
        root = data_root(self.con)
        if levels and key == "new":
            self.con.execute("CREATE OR REPLACE TABLE rk_unit_names AS SELECT * FROM (SELECT 'nasional' AS level, "
                             "'00' AS kode, 'NASIONAL' AS nama) WHERE false")
        return DiffSide(
            label=label, paths=[f"@{name}"],
            sources=[{"path": f"@{name}", "name": name, "format": "store",
                      "sha256": snap.fingerprint if snap else "", "rows_read": snap.rows_read if snap else 0,
                      "rows_rejected": snap.rows_rejected if snap else 0, "notes": []}],
            columns=tuple(snap.columns) if snap else (),
            elections=[InputElection(name, "tps", tuple(snap.elections), snap.origin)] if snap else [],
            scope=root, rows_read=snap.rows_read if snap else 0, rows_rejected=snap.rows_rejected if snap else 0,
            rows_duplicate=snap.rows_duplicate if snap else 0, tps=n_tps,
        )

    # --- the store ----------------------------------------------------------------------------------

    def open_store(self, path: PathLike | None = None, *, create: bool = False) -> Path:
        """Attach the store (`--store`, else REKAP_STORE, else rekap.duckdb) to the session (`rekap.store`)."""
        from rekap import store as store_mod

        target = store_mod.store_path(path)
        store_mod.open_store(self.con, target, create=create)
        return target

    def close_store(self) -> None:
        from rekap import store as store_mod

        store_mod.close_store(self.con)

    def store_add(
        self,
        paths: Sequence[PathLike],
        *,
        label: str,
        at: Any = None,
        election: str | None = None,
        options: LoadOptions | None = None,
        thresholds: dict[str, Thresholds] | None = None,
        before_commit: Any = None,
    ) -> StoreAdd:
        """Add one snapshot of TPS files to the open store (`open_store(create=True)`): validated as it is read
        (the S rules), compared with the last snapshot (the D rules; the change records are kept), its TPS versions
        written in one transaction. Files already stored (the same SHA-256) are a no-op."""
        from datetime import datetime

        from rekap import store as store_mod
        from rekap.store import Stored
        from rekap.version import __version__

        files = [str(p) for p in paths]
        if "-" in files:
            raise UsageError(_("store add membaca berkas, bukan stdin ('-')", self.lang),
                             hint=_("simpan dulu datanya sebagai berkas", self.lang))
        if not label or label.startswith(("@", "-")) or label in ("first", "last"):
            raise UsageError(_("label snapshot {label!r} tidak dapat dipakai", self.lang, label=label),
                             hint=_("pakai nama pendek tanpa @ di depannya, mis. 0220-pagi", self.lang))
        for f in files:
            if not Path(f).is_file():
                raise UsageError(_("{path}: berkas tidak ada", self.lang, path=f))
        if at is None:
            at_value = datetime.now().replace(microsecond=0)
        elif isinstance(at, datetime):
            at_value = at
        else:
            try:
                at_value = datetime.fromisoformat(str(at))
            except ValueError:
                raise UsageError(_("--at {value!r} bukan waktu", self.lang, value=at),
                                 hint=_("mis. 2024-02-20T14:00", self.lang)) from None
        existing = store_mod.by_fingerprint(self.con, store_mod.fingerprint([file_sha256(Path(f)) for f in files]))
        if existing is not None:
            return StoreAdd(snapshot=existing, added=False)
        every = store_mod.snapshots(self.con)
        if any(s.label == label for s in every):
            raise UsageError(_("label {label!r} sudah dipakai snapshot lain dalam store", self.lang, label=label),
                             hint=_("pilih label lain; lihat: rekap store list", self.lang))
        previous = every[-1] if every else None
        result = self.diff(Stored(previous), files, election=election, options=options, thresholds=thresholds)
        new = result.new
        if previous is None:
            # Against no snapshot every TPS is one 'tps_added' record: the diff's working copies of them (pairs,
            # cells, records: ~170 MB at national scale) are not kept, so the write can use that memory.
            # The change records themselves stay (`s.CHANGES`).
            for table in ("rk_diff_pairs", "rk_diff_cells", "rk_diff_records"):
                self.con.execute(f"DROP TABLE IF EXISTS {table}")
        sid = store_mod.write_snapshot(
            self.con, label=label, at=at_value, rekap_version=__version__,
            elections=sorted({e for i in new.elections for e in i.elections}),
            origin=new.elections[0].origin if new.elections else "guess", columns=new.columns, files=new.sources,
            accounting={"rows_read": new.rows_read, "rows_rejected": new.rows_rejected,
                        "rows_duplicate": new.rows_duplicate, "tps": new.tps},
            new_table="rk_diff_new", changes_table=CHANGES_TABLE if previous is not None else None,
            before_commit=before_commit,
        )
        snap = next(s for s in store_mod.snapshots(self.con) if s.id == sid)
        return StoreAdd(snapshot=snap, added=True, previous=previous, diff=result)

    def _diff_sources(self, old: DiffSide, new: DiffSide) -> None:
        """A file on both sides under the same name (`rekap diff a.csv a.csv`, or two folders' `tps.csv`) is
        named with its side, so that every finding and change record says which one it is."""
        names_old = {str(s["name"]) for s in old.sources}
        both = names_old & {str(s["name"]) for s in new.sources}
        for key, side in (("old", old), ("new", new)):
            for src in side.sources:
                if src["name"] in both:
                    renamed = f"{src['name']} ({side.label})"
                    for table in (f"rk_diff_{key}_findings", f"rk_diff_{key}_sources"):
                        self.con.execute(f"UPDATE {table} SET source = $new WHERE source = $old",
                                         {"new": renamed, "old": src["name"]})
                    src["name"] = renamed

    def accept(self, paths: Sequence[PathLike], *, stored: bool = False) -> ValidationReport:
        """Accepted findings (domain.md §5): read the accept files (CSV: rule, kode_wilayah, field, actual,
        reason, by, date; `rekap.io.accept`) and move every finding an entry names out of `s.FINDINGS` into
        `s.ACCEPTED` (with the entry's reason, by, date); entries that match nothing any more are
        `s.ACCEPT_STALE`. The report then counts only the findings that count (`counts`, `severity_counts`,
        `fails()`), and says `accepted` per rule, `accept_stale`, `accept_not_run`. Call it after `validate`
        (and `compare`); a later `compare` matches its new findings too. Several calls: the last one's files."""
        from rekap import store as store_mod
        from rekap.io.accept import load_accept

        report = self._need_report()
        files = load_accept(self.con, [Path(p) for p in paths], known_rules=frozenset(REGISTRY), tmpdir=self.tmpdir)
        records = [f.record() for f in files]
        if stored and table_exists(self.con, store_mod.STORED_ACCEPT_TABLE):
            # The store's decisions (`rekap store accept`, copied by `store_accepted_copy`) count as one more file.
            self.con.execute(f"INSERT INTO rk_accept SELECT * FROM {store_mod.STORED_ACCEPT_TABLE}")
            n = count(self.con, f"SELECT count(*) FROM {store_mod.STORED_ACCEPT_TABLE}")
            digest = self.con.execute(
                "SELECT sha256(string_agg(concat_ws('|', file, line, rule, kode_wilayah, field, actual, reason, \"by\", "
                f"date), chr(10) ORDER BY file, line)) FROM {store_mod.STORED_ACCEPT_TABLE}").fetchall()[0][0]
            records.append({"path": "@store", "name": "@store", "sha256": digest, "rows": n})
        accepting.apply_accept(self.con, report)
        report.accept_files = records
        self.accept_files = files
        return report

    def store_accept(self, paths: Sequence[PathLike], *, by: str | None = None) -> list[tuple[str, bool]]:
        """Keep the decisions of accept files in the open store (`rekap store accept`), with who stored them
        (`by`, default the login name) and when; a file stored already is skipped. Return (file, stored)."""
        import getpass

        from rekap import store as store_mod
        from rekap.io.accept import load_accept

        files = load_accept(self.con, [Path(p) for p in paths], known_rules=frozenset(REGISTRY), tmpdir=self.tmpdir)
        try:
            who = by or getpass.getuser()
        except (KeyError, OSError):
            who = ""
        return store_mod.store_accepted(self.con, files, who)

    def accept_template(self) -> str:
        """The findings that count now as the rows of an accept file (`--write-accept`): table name of
        rule, kode_wilayah, field, actual and empty reason, by, date, each entry once, in the findings' order."""
        self._need_report()
        return accepting.write_template(self.con)

    def coverage(self) -> str:
        """TPS received / expected per unit of the scope (`s.COVERAGE`); needs `validate(master=…)` with a
        region list that numbers the TPS of each desa (KPU's)."""
        self._need_report()
        return run_coverage(self.con)

    def statement(self) -> dict[str, Any]:
        """What the answer covers (scope, election types and where they came from, levels left out,
        partial sums, what was not compared): `rekap.statement`."""
        from rekap.statement import statement

        report = self._need_report()
        return statement(self.con, report, levels_above_scope=self.recap.levels_above_scope if self.recap else None,
                         compared=self.compared)

    def accounting(self) -> dict[str, int]:
        """Rows read = summed + rejected (+ outside --wilayah), with the reasons (the manifest's)."""
        report = self._need_report()
        recap = self.recap
        not_summed = (recap.not_summed_duplicate + recap.not_summed_unplaced) if recap else 0
        return {
            "rows_read": report.rows_read,
            "tps_checked": report.tps_checked,
            "rows_summed": recap.tps_summed if recap else report.rows_used,
            "rows_rejected": report.rows_rejected + not_summed,
            **({"rows_outside_wilayah": report.rows_outside} if report.rows_outside else {}),
            "rejected_exact_duplicates": report.rows_duplicate,
            "rejected_unreadable": report.rows_rejected - report.rows_duplicate,
            "rejected_differing_copies": recap.not_summed_duplicate if recap else 0,
            "rejected_unplaceable_codes": recap.not_summed_unplaced if recap else 0,
        }

    def error_tps(self) -> int:
        """TPS rows with at least one error finding (after `aggregate`)."""
        return count(self.con, "SELECT count(*) FROM rk_error_rows") if table_exists(self.con, "rk_error_rows") else 0

    def write_rules_table(self) -> None:
        """`s.RULES`: every rule of the catalogue (id, severity, titles), for the renderers."""
        write_rules_table(self.con)

    # --- helpers ----------------------------------------------------------------------------------

    def _need_dataset(self) -> Dataset:
        if self.dataset is None:
            raise UsageError(_("belum ada data TPS yang dimuat", self.lang),
                             hint=_("panggil Session.load(paths) lebih dulu", self.lang))
        return self.dataset

    def _need_report(self) -> ValidationReport:
        if self.report is None:
            raise UsageError(_("data belum diperiksa", self.lang), hint=_("panggil Session.validate() lebih dulu", self.lang))
        return self.report

    def _empty_report(self, keep_findings: bool = False) -> ValidationReport:
        """A report with no TPS data (compare between reported recaps only; a diff's, whose findings are
        already in the findings table with `keep_findings`)."""
        create_macros(self.con)
        accepting.drop(self.con)
        self.accept_files = None
        if not keep_findings:
            self.con.execute("CREATE OR REPLACE TABLE rk_source_order (source VARCHAR, idx INTEGER)")
            self.con.execute(
                f"CREATE OR REPLACE TABLE {FINDINGS_TABLE} ("
                + ", ".join(f"{n} {t}" for n, t in FINDING_TYPES.items())
                + ")"
            )
        self.report = ValidationReport(
            con=self.con, rules_run=[], not_applicable={}, counts={},
            severity_counts={"error": 0, "warning": 0, "info": 0}, tps_checked=0, rows_read=0, rows_used=0,
            rows_rejected=0, rows_duplicate=0, elections={},
        )
        return self.report


__all__ = [
    # the public surface of the library: the session, and what a caller needs to prepare its arguments
    "DiffResult", "LoadOptions", "Rule", "Session", "Thresholds", "ValidationReport", "all_rules", "data_rules",
    "default_memory_limit", "expand_set", "Stored", "StoreAdd",
    "file_sha256", "load_column_map", "load_paslon", "load_thresholds", "select_rules", "split_patterns",
]
