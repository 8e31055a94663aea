"""The store: one DuckDB database file keeping every snapshot of the TPS data with its provenance
(domain.md §7).

    rekap store add tps_0220.parquet --label 0220 --at 2024-02-20T14:00
    rekap store add unduhan/0317/ --label 0317
    rekap diff @first @last            # the same records as diffing the files
    rekap store log 3101011001001      # every version of one TPS, with the D rules its changes triggered

A snapshot is one set of TPS files as exported at one time: its label, time, files (path, SHA-256, rows) and row
accounting are kept in `snapshots` / `snapshot_files`. A TPS's values are kept once per distinct version in
`tps_versions` (valid from snapshot `valid_from` until, not including, `valid_to`; NULL = still current), so the
file grows with the changes, not with the number of snapshots; the change records of each add (against the
snapshot before it) are kept in `changes` with the D rules they triggered. Adding files whose SHA-256 are those of
a stored snapshot is a no-op.

What keeps the store whole: every add is one transaction (an interrupted add leaves the store as it was); a
second process adding at the same time waits for the file lock (`REKAP_STORE_WAIT` seconds, default 30) and then
fails with one line; the schema carries a format name and a version (`rk_store_meta`): a store written by a newer
rekap, a DuckDB file that is not a rekap store, and a file that is not DuckDB's are refused with one line.

The store is attached to the session's connection as `rk_store` (`open_store`); the session drives the adds and
diffs (`rekap.session.Session.store_add`, `Session.diff` with a `Stored` side); this module owns the schema, the
references (`@label`, `@first`, `@last`, `@-2`) and the queries.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from rekap.db import literal, table_exists
from rekap.errors import InputError, UsageError
from rekap.i18n import _
from rekap.regions import PREFIX
from rekap.schema import NUMERIC_COLUMNS, quote_ident

ALIAS = "rk_store"
FORMAT = "rekap-store"
SCHEMA_VERSION = 1
DEFAULT_NAME = "rekap.duckdb"
ENV_STORE = "REKAP_STORE"
ENV_WAIT = "REKAP_STORE_WAIT"
LOG_TABLE = "rk_store_log"
PROGRESS_TABLE = "rk_store_progress"
LIST_TABLE = "rk_store_list"

_COUNTS = ", ".join(f"{quote_ident(c)} BIGINT" for c in NUMERIC_COLUMNS)
SCHEMA = f"""
CREATE TABLE {ALIAS}.rk_store_meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE {ALIAS}.snapshots (id INTEGER PRIMARY KEY, label VARCHAR UNIQUE NOT NULL, taken_at TIMESTAMP NOT NULL,
    added TIMESTAMP NOT NULL, rekap_version VARCHAR, elections VARCHAR[], origin VARCHAR, columns VARCHAR[],
    fingerprint VARCHAR NOT NULL, rows_read BIGINT, rows_rejected BIGINT, rows_duplicate BIGINT, tps BIGINT);
CREATE TABLE {ALIAS}.snapshot_files (snapshot_id INTEGER NOT NULL, idx INTEGER NOT NULL, path VARCHAR,
    name VARCHAR, format VARCHAR, sha256 VARCHAR, rows_read BIGINT, rows_rejected BIGINT);
CREATE TABLE {ALIAS}.tps_versions (jenis_pemilihan VARCHAR NOT NULL, kode_tps VARCHAR NOT NULL,
    valid_from INTEGER NOT NULL, valid_to INTEGER, source VARCHAR, "row" BIGINT, bad VARCHAR[], {_COUNTS});
CREATE TABLE {ALIAS}.version_rules (snapshot_id INTEGER NOT NULL, jenis_pemilihan VARCHAR, kode_tps VARCHAR,
    rules VARCHAR, records INTEGER);
"""


@dataclass
class Snapshot:
    id: int
    label: str
    at: Any
    added: Any
    rekap_version: str
    elections: list[str]
    origin: str
    columns: list[str]
    fingerprint: str
    rows_read: int
    rows_rejected: int
    rows_duplicate: int
    tps: int
    files: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Stored:
    """A diff side read from the store: one snapshot's TPS as they stood then (None: an empty side)."""

    snapshot: Snapshot | None


def store_path(given: str | os.PathLike[str] | None) -> Path:
    """`--store FILE`, else `REKAP_STORE`, else rekap.duckdb in the working folder."""
    return Path(given) if given else Path(os.environ.get(ENV_STORE) or DEFAULT_NAME)


def open_store(con: duckdb.DuckDBPyConnection, path: Path, *, create: bool, wait: float | None = None) -> None:
    """Attach the store at `path` as `rk_store` (creating it when `create` and it does not exist), after
    checking that it is a rekap store of a schema this rekap knows. Waits up to `wait` seconds
    (`REKAP_STORE_WAIT`, default 30) for another process's lock."""
    if not path.exists():
        if not create:
            raise UsageError(_("{path}: store tidak ada", path=path),
                             hint=_("buat dengan: rekap store add BERKAS... --label LABEL --store {path}", path=path))
        if not path.parent.exists():
            raise UsageError(_("{path}: folder untuk store tidak ada", path=path))
    elif path.is_dir():
        raise UsageError(_("{path}: ini folder, bukan berkas store", path=path))
    if wait is None:
        try:
            wait = float(os.environ.get(ENV_WAIT) or "30")
        except ValueError:
            raise UsageError(_("{env}={value!r} bukan jumlah detik", env=ENV_WAIT, value=os.environ.get(ENV_WAIT)),
                             hint=_("mis. {env}=60", env=ENV_WAIT)) from None
    limit = wait
    fresh = not path.exists()
    deadline = time.monotonic() + limit
    while True:
        try:
            # Smaller blocks than DuckDB's 256 KiB for a new store: it grows with the changes in steps of 64 KiB.
            # Not smaller: below 64 KiB DuckDB 2.0 leaves the counts without bit-packing (RLE or uncompressed),
            # and the national store is 4.7x larger (127 MB, not 27) and its first write needs ~140 MB more.
            con.execute(f"ATTACH $p AS {ALIAS}" + (" (BLOCK_SIZE 65536)" if fresh else ""), {"p": str(path)})
            break
        except duckdb.Error as exc:
            text = str(exc)
            if "lock" in text.lower() and time.monotonic() < deadline:
                time.sleep(0.2)
                continue
            if "lock" in text.lower():
                raise UsageError(
                    _("{path}: store sedang dipakai proses rekap lain (sudah ditunggu {seconds} detik)", path=path,
                      seconds=int(limit)),
                    hint=_("coba lagi setelah proses itu selesai, atau tunggu lebih lama dengan {env}=DETIK",
                           env=ENV_WAIT)) from None
            if "not a valid DuckDB database" in text:
                raise InputError(_("{path}: bukan store rekap (bukan berkas DuckDB)", path=path),
                                 hint=_("berikan berkas store yang dibuat rekap store add, atau nama berkas baru")
                                 ) from None
            raise InputError(_("{path}: store tidak dapat dibuka ({error})", path=path,
                               error=text.splitlines()[0])) from None
    try:
        if fresh:
            con.execute("BEGIN TRANSACTION")
            con.execute(SCHEMA)
            con.executemany(f"INSERT INTO {ALIAS}.rk_store_meta VALUES (?, ?)",
                            [["format", FORMAT], ["schema_version", str(SCHEMA_VERSION)]])
            con.execute("COMMIT")
        else:
            _check_schema(con, path)
    except BaseException:
        close_store(con)
        if fresh:
            path.unlink(missing_ok=True)
        raise


def _check_schema(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    has_meta = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = $d AND table_name = 'rk_store_meta'",
        {"d": ALIAS}).fetchall()[0][0]
    meta = dict(con.execute(f"SELECT key, value FROM {ALIAS}.rk_store_meta").fetchall()) if has_meta else {}
    if meta.get("format") != FORMAT:
        raise InputError(_("{path}: berkas DuckDB ini bukan store rekap", path=path),
                         hint=_("berikan berkas store yang dibuat rekap store add, atau nama berkas baru"))
    version = meta.get("schema_version", "")
    if not version.isdigit() or int(version) > SCHEMA_VERSION:
        raise InputError(
            _("{path}: store ini ditulis rekap yang lebih baru (skema {found}; rekap ini mengenal skema {known})",
              path=path, found=version or "-", known=SCHEMA_VERSION),
            hint=_("perbarui rekap untuk membuka store ini"))
    if int(version) < SCHEMA_VERSION:  # no older schema exists yet: a migration goes here when one does
        raise InputError(_("{path}: skema store {found} tidak dikenal", path=path, found=version))


def close_store(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.execute(f"DETACH {ALIAS}")
    except duckdb.Error:
        pass


def fingerprint(sha256s: Sequence[str]) -> str:
    """One hash for a set of input files (order does not matter): what makes a second add a no-op."""
    return hashlib.sha256("\n".join(sorted(sha256s)).encode()).hexdigest()


def snapshots(con: duckdb.DuckDBPyConnection) -> list[Snapshot]:
    rows = con.execute(
        f"""SELECT id, label, taken_at, added, rekap_version, elections, origin, columns, fingerprint, rows_read,
                   rows_rejected, rows_duplicate, tps FROM {ALIAS}.snapshots ORDER BY id"""
    ).fetchall()
    out = [Snapshot(*[r[0], r[1], r[2], r[3], r[4], list(r[5] or []), r[6], list(r[7] or []), r[8], *r[9:]])
           for r in rows]
    files: dict[int, list[dict[str, Any]]] = {}
    for r in con.execute(f"""SELECT snapshot_id, path, name, format, sha256, rows_read, rows_rejected
                             FROM {ALIAS}.snapshot_files ORDER BY snapshot_id, idx""").fetchall():
        files.setdefault(int(r[0]), []).append({"path": r[1], "name": r[2], "format": r[3], "sha256": r[4],
                                                "rows_read": r[5], "rows_rejected": r[6]})
    for s in out:
        s.files = files.get(s.id, [])
    return out


def resolve(con: duckdb.DuckDBPyConnection, ref: str) -> Snapshot:
    """A snapshot by reference: `@LABEL`, `@first`, `@last`, `@-N` (N-th from the end: @-1 = @last)."""
    name = ref[1:] if ref.startswith("@") else ref
    every = snapshots(con)
    if not every:
        raise UsageError(_("store masih kosong: tidak ada snapshot {ref}", ref=ref),
                         hint=_("tambahkan dengan: rekap store add BERKAS... --label LABEL"))
    by_label = {s.label: s for s in every}
    if name in by_label:
        return by_label[name]
    if name == "first":
        return every[0]
    if name == "last":
        return every[-1]
    if name.startswith("-") and name[1:].isdigit() and 1 <= int(name[1:]) <= len(every):
        return every[-int(name[1:])]
    labels = ", ".join(s.label for s in every[-10:])
    raise UsageError(_("tidak ada snapshot {ref} dalam store", ref=ref),
                     hint=_("label yang ada: {labels} (juga @first, @last, @-2)", labels=labels))


def by_fingerprint(con: duckdb.DuckDBPyConnection, value: str) -> Snapshot | None:
    return next((s for s in snapshots(con) if s.fingerprint == value), None)


def side_table(con: duckdb.DuckDBPyConnection, table: str, snapshot: Snapshot | None, offset: int) -> int:
    """Write one snapshot's TPS as they stood then, in the layout of a diff side (`rekap.diff.capture`): the
    snapshot's count columns, `_file` = `offset` (the snapshot is one source, named by its label), `_row` the row of
    the file the version came from, `_bad` its unreadable cells. Return the number of TPS."""
    columns = [c for c in NUMERIC_COLUMNS if snapshot is not None and c in snapshot.columns]
    values = "".join(f", v.{quote_ident(c)}" for c in columns)
    where = "false" if snapshot is None else f"v.valid_from <= {int(snapshot.id)} AND (v.valid_to IS NULL OR v.valid_to > {int(snapshot.id)})"
    con.execute(
        f"""CREATE OR REPLACE TABLE {quote_ident(table)} AS
            SELECT v.jenis_pemilihan, v.kode_tps{values}, {int(offset)}::INTEGER AS _file, v."row" AS _row,
                   v.bad AS _bad
            FROM {ALIAS}.tps_versions v WHERE {where}"""
    )
    return int(con.execute(f"SELECT count(*) FROM {quote_ident(table)}").fetchall()[0][0])


def write_snapshot(
    con: duckdb.DuckDBPyConnection,
    *,
    label: str,
    at: Any,
    rekap_version: str,
    elections: Sequence[str],
    origin: str,
    columns: Sequence[str],
    files: Sequence[dict[str, Any]],
    accounting: dict[str, int],
    new_table: str,
    changes_table: str | None,
    before_commit: Any = None,
) -> int:
    """Add one snapshot in one transaction: its row and files, the versions of the TPS of `new_table` (a diff
    side: the first copy of each TPS, typed) that differ from the current ones, the end of the versions of TPS
    that changed or are gone, and the change records of `changes_table` (against the snapshot before)."""
    counts = [c for c in NUMERIC_COLUMNS if c in columns]
    # Only the snapshot's own count columns are read, sorted and inserted; the store's others are left to their
    # default, NULL (at national scale 21 of 60: the sort of a first snapshot carried ~250 MB of NULLs).
    cols = "".join(f", {quote_ident(c)}" for c in counts)
    n_cols = "".join(f", n.{quote_ident(c)}" for c in counts)
    con.execute("BEGIN TRANSACTION")
    try:
        sid = int(con.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {ALIAS}.snapshots").fetchall()[0][0])
        con.execute(
            f"INSERT INTO {ALIAS}.snapshots VALUES ($id, $label, $at, now()::TIMESTAMP, $v, $e, $o, $c, $f, $rr, $rj, "
            "$rd, $tps)",
            {"id": sid, "label": label, "at": at, "v": rekap_version, "e": list(elections), "o": origin,
             "c": list(counts), "f": fingerprint([str(f["sha256"]) for f in files]),
             "rr": accounting.get("rows_read", 0), "rj": accounting.get("rows_rejected", 0),
             "rd": accounting.get("rows_duplicate", 0), "tps": accounting.get("tps", 0)},
        )
        con.executemany(
            f"INSERT INTO {ALIAS}.snapshot_files VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [[sid, i, f["path"], f["name"], f["format"], f["sha256"], f["rows_read"], f["rows_rejected"]]
             for i, f in enumerate(files)],
        )
        # The new versions are read from `new_table` itself, not from a copy: at national scale a copy of every
        # TPS's 60-odd columns is ~400 MB, and for a first snapshot every TPS is new (a second copy as "changed").
        # Each file's name is looked up in a list, not joined: a scan of one table keeps its row order (below).
        names = dict(con.execute("SELECT idx, source FROM rk_source_order").fetchall())
        lo = min(names, default=0)
        source = ("[" + ", ".join(literal(str(names[i])) if names.get(i) is not None else "NULL"
                                  for i in range(lo, max(names, default=0) + 1)) + f"][n._file - {lo} + 1]")
        next_sql = f"""SELECT n.jenis_pemilihan, n.kode_tps, {source} AS source, n._row AS "row", n._bad AS bad{n_cols}
                       FROM {quote_ident(new_table)} n"""
        has_current = bool(con.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {ALIAS}.tps_versions WHERE valid_to IS NULL LIMIT 1)").fetchall()[0][0])
        if has_current:
            # A stored version has values only in the columns of the snapshot that wrote it: the columns of no
            # snapshot are NULL on both sides and need no comparison (nor a place in the join's hash table).
            stored = {str(r[0]) for r in con.execute(
                f"SELECT DISTINCT unnest(columns) FROM {ALIAS}.snapshots").fetchall()}
            compared = [c for c in NUMERIC_COLUMNS if c in counts or c in stored]
            differs = " OR ".join(
                [f"{'n.' + quote_ident(c) if c in counts else 'NULL'} IS DISTINCT FROM c.{quote_ident(c)}"
                 for c in compared] + ["n.bad IS DISTINCT FROM c.bad"])
            current = ("SELECT jenis_pemilihan, kode_tps, bad" + "".join(f", {quote_ident(c)}" for c in compared)
                       + f" FROM {ALIAS}.tps_versions WHERE valid_to IS NULL")
            # Only the keys are kept: of the TPS that are new, differ from their current version, or are gone (one
            # join; the versions to end are then found by key among ~1 % of the TPS, not by a second join of all).
            con.execute(
                f"""CREATE OR REPLACE TEMP TABLE rk_store_changed AS
                    SELECT coalesce(n.jenis_pemilihan, c.jenis_pemilihan) AS jenis_pemilihan,
                           coalesce(n.kode_tps, c.kode_tps) AS kode_tps, n.kode_tps IS NOT NULL AS present
                    FROM ({next_sql}) n
                    FULL OUTER JOIN ({current}) c
                         ON c.jenis_pemilihan = n.jenis_pemilihan AND c.kode_tps = n.kode_tps
                    WHERE c.kode_tps IS NULL OR n.kode_tps IS NULL OR {differs}"""
            )
            con.execute(
                f"""UPDATE {ALIAS}.tps_versions v SET valid_to = {sid}
                    WHERE v.valid_to IS NULL AND EXISTS (
                        SELECT 1 FROM rk_store_changed n
                        WHERE n.jenis_pemilihan = v.jenis_pemilihan AND n.kode_tps = v.kode_tps)"""
            )
            changed = (f"({next_sql}) n SEMI JOIN (SELECT jenis_pemilihan, kode_tps FROM rk_store_changed WHERE present) c "
                       "USING (jenis_pemilihan, kode_tps)")
            order = "ORDER BY n.kode_tps, n.jenis_pemilihan"
        else:  # the first snapshot (or one after every TPS was gone): every TPS is a new version
            changed = f"({next_sql}) n"
            # Versions are stored by TPS code (compression, and the zone maps of `log_table`'s lookups). Files
            # mostly come sorted already; then sorting them again (at national scale ~1 s and ~150 MB) is
            # skipped: the scan of one table and the insert keep the row order (DuckDB's order preservation),
            # and the check reads the rows in that same order.
            unsorted = con.execute(
                f"""SELECT count(*) FROM (
                        SELECT kode_tps AS k, jenis_pemilihan AS j, lag(kode_tps) OVER () AS pk,
                               lag(jenis_pemilihan) OVER () AS pj
                        FROM {quote_ident(new_table)})
                    WHERE pk IS NOT NULL AND NOT (k > pk OR (k = pk AND j > pj))"""
            ).fetchall()[0][0]
            order = "ORDER BY n.kode_tps, n.jenis_pemilihan" if unsorted else ""
        con.execute(
            f"""INSERT INTO {ALIAS}.tps_versions (jenis_pemilihan, kode_tps, valid_from, valid_to, source, "row", bad{cols})
                SELECT n.jenis_pemilihan, n.kode_tps, {sid}, NULL, n.source, n."row", n.bad{n_cols} FROM {changed}
                {order}"""
        )
        if changes_table is not None:
            # The change records themselves are the difference of two versions (recomputed by any diff); what
            # is kept is which D rules each TPS's change triggered, for its history (`log_table`).
            con.execute(
                f"""INSERT INTO {ALIAS}.version_rules
                    SELECT {sid}, r.jenis_pemilihan, r.kode_wilayah, rl.rules, r.n::INTEGER
                    FROM (SELECT jenis_pemilihan, kode_wilayah, count(*) AS n FROM rk_diff_records GROUP BY ALL) r
                    LEFT JOIN (SELECT kode_wilayah, string_agg(DISTINCT x, ',' ORDER BY x) AS rules
                               FROM (SELECT kode_wilayah, unnest(string_split(rules, ',')) AS x
                                     FROM {quote_ident(changes_table)} WHERE rules <> '')
                               GROUP BY 1) rl USING (kode_wilayah)
                    ORDER BY r.kode_wilayah, r.jenis_pemilihan"""
            )
        if before_commit is not None:
            before_commit()  # tests: an add interrupted at its last step
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        con.execute("DROP TABLE IF EXISTS temp.rk_store_changed")
    con.execute(f"CHECKPOINT {ALIAS}")
    return sid


ACCEPTED_DDL = f"""CREATE TABLE IF NOT EXISTS {ALIAS}.accepted (file VARCHAR, sha256 VARCHAR, line BIGINT, rule VARCHAR,
    kode_wilayah VARCHAR, field VARCHAR, actual BIGINT, reason VARCHAR, "by" VARCHAR, date VARCHAR,
    stored_at TIMESTAMP, stored_by VARCHAR)"""
"""Accepted findings kept in the store (`rekap store accept`): each accept file's entries, with who stored them
and when (the table is made on the first accept; a store without it has no decisions)."""
STORED_ACCEPT_TABLE = "rk_store_accepted"


def store_accepted(con: duckdb.DuckDBPyConnection, files: Sequence[Any], by: str) -> list[tuple[str, bool]]:
    """Keep the entries of the accept files just read (`rk_accept`, `rekap.io.accept.load_accept`) in the store,
    one transaction; a file whose SHA-256 is stored already is skipped. Return (file, stored) per file."""
    out: list[tuple[str, bool]] = []
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(ACCEPTED_DDL)
        for f in files:
            known = con.execute(f"SELECT count(*) FROM {ALIAS}.accepted WHERE sha256 = $s", {"s": f.sha256}
                                ).fetchall()[0][0]
            if known:
                out.append((f.path, False))
                continue
            con.execute(
                f"""INSERT INTO {ALIAS}.accepted
                    SELECT $name, $sha, line, rule, kode_wilayah, field, actual, reason, "by", date,
                           now()::TIMESTAMP, $by
                    FROM rk_accept WHERE file = $file ORDER BY line""",
                {"name": Path(f.path).name, "sha": f.sha256, "by": by, "file": f.path},
            )
            out.append((f.path, True))
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return out


def copy_accepted(con: duckdb.DuckDBPyConnection) -> int:
    """The store's accepted findings as `rk_store_accepted` (the columns of `rk_accept`; `file` is the accept
    file's name and `@store`), in the order they were stored; return how many (0: none, or no table)."""
    has = con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = $d AND table_name = 'accepted'",
                      {"d": ALIAS}).fetchall()[0][0]
    if not has:
        return 0
    con.execute(
        f"""CREATE OR REPLACE TABLE {STORED_ACCEPT_TABLE} AS
            SELECT file || ' @store' AS file, line, rule, kode_wilayah, field, actual, reason, "by", date
            FROM {ALIAS}.accepted ORDER BY stored_at, file, line"""
    )
    return int(con.execute(f"SELECT count(*) FROM {STORED_ACCEPT_TABLE}").fetchall()[0][0])


def list_table(con: duckdb.DuckDBPyConnection) -> str:
    """`rk_store_list`: one row per snapshot: label, time, files, rows, TPS, TPS versions it added, change records."""
    con.execute(
        f"""CREATE OR REPLACE TABLE {LIST_TABLE} AS
            SELECT s.label, strftime(s.taken_at, '%Y-%m-%dT%H:%M:%S') AS taken_at,
                   array_to_string(s.elections, '+') AS jenis_pemilihan,
                   (SELECT count(*) FROM {ALIAS}.snapshot_files f WHERE f.snapshot_id = s.id) AS n_files,
                   s.rows_read, s.rows_rejected, s.tps AS n_tps,
                   (SELECT count(*) FROM {ALIAS}.tps_versions v WHERE v.valid_from = s.id) AS versions_added,
                   (SELECT coalesce(sum(records), 0) FROM {ALIAS}.version_rules c WHERE c.snapshot_id = s.id) AS n_changes,
                   s.rekap_version, s.fingerprint
            FROM {ALIAS}.snapshots s ORDER BY s.id"""
    )
    return LIST_TABLE


def log_table(con: duckdb.DuckDBPyConnection, kode_tps: str) -> str:
    """`rk_store_log`: every version of one TPS (all election types), oldest first: the snapshot it first appeared
    in and the one that replaced it, where it came from (file, row), the D rules of the change that made it, the
    fields that differ from the version before (`old→new`), and its counts (the columns any of its versions has)."""
    present = [c for c in NUMERIC_COLUMNS if con.execute(
        f"SELECT count({quote_ident(c)}) FROM {ALIAS}.tps_versions WHERE kode_tps = $k", {"k": kode_tps}
    ).fetchall()[0][0]]
    values = "".join(f", v.{quote_ident(c)}" for c in present)
    lagged = "".join(f", lag(v.{quote_ident(c)}) OVER w AS {quote_ident('_p_' + c)}" for c in present)
    parts = [f"CASE WHEN n > 1 AND {quote_ident('_p_' + c)} IS DISTINCT FROM {quote_ident(c)} THEN "
             f"'{c} ' || coalesce({quote_ident('_p_' + c)}::VARCHAR, '-') || '→' || coalesce({quote_ident(c)}::VARCHAR, '-') END"
             for c in present]
    changed = ("array_to_string(list_filter([" + ", ".join(parts) + "], lambda x: x IS NOT NULL), '; ')") if parts else "''"
    con.execute(
        f"""CREATE OR REPLACE TABLE {LOG_TABLE} AS
            WITH v AS (
                SELECT v.*, s.label AS snapshot, strftime(s.taken_at, '%Y-%m-%dT%H:%M:%S') AS taken_at,
                       e.label AS replaced_by,
                       r.rules, row_number() OVER w AS n{lagged}
                FROM {ALIAS}.tps_versions v JOIN {ALIAS}.snapshots s ON s.id = v.valid_from
                     LEFT JOIN {ALIAS}.snapshots e ON e.id = v.valid_to
                     LEFT JOIN {ALIAS}.version_rules r ON r.snapshot_id = v.valid_from AND r.kode_tps = v.kode_tps
                          AND r.jenis_pemilihan = v.jenis_pemilihan
                WHERE v.kode_tps = $k
                WINDOW w AS (PARTITION BY v.jenis_pemilihan ORDER BY v.valid_from))
            SELECT v.kode_tps, v.jenis_pemilihan, v.snapshot, v.taken_at, v.replaced_by, v.source, v."row",
                   coalesce(v.rules, '') AS rules, {changed} AS changed_fields{values}
            FROM v ORDER BY v.jenis_pemilihan, v.valid_from""",
        {"k": kode_tps},
    )
    return LOG_TABLE


def progress_table(con: duckdb.DuckDBPyConnection, level: str) -> str:
    """`rk_store_progress`: TPS received per unit of `level` in each snapshot (coverage over time)."""
    n = PREFIX.get(level, 0)
    key = f"left(v.kode_tps, {n})" if n else "'00'"
    con.execute(
        f"""CREATE OR REPLACE TABLE {PROGRESS_TABLE} AS
            SELECT s.label AS snapshot, strftime(s.taken_at, '%Y-%m-%dT%H:%M:%S') AS taken_at, '{level}' AS level,
                   {key} AS kode_wilayah, count(*) AS n_tps
            FROM {ALIAS}.snapshots s JOIN {ALIAS}.tps_versions v
                 ON v.valid_from <= s.id AND (v.valid_to IS NULL OR v.valid_to > s.id)
            GROUP BY s.id, s.label, s.taken_at, {key} ORDER BY s.id, kode_wilayah"""
    )
    return PROGRESS_TABLE


def exists(con: duckdb.DuckDBPyConnection) -> bool:
    return table_exists(con, f"{ALIAS}.snapshots")
