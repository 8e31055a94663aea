"""The store (issue 14): snapshots with provenance, versions kept once, diffs from the store equal to diffs of the
files, and a store that cannot be broken (one transaction per add, a lock held by another process, a schema from a
newer rekap, a file that is not a store)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import real_file, run_cli
from test_diff import CLEAN, tps
from test_rules import write_csv

from rekap import store as store_mod
from rekap.errors import RekapError
from rekap.session import Session

CORE = "kode_wilayah, field, old, new, selisih, change, rules"


def add(store: Path, files: list[Path], label: str, **kw: Any) -> Any:
    with Session() as s:
        s.open_store(store, create=True)
        try:
            return s.store_add(files, label=label, **kw)
        finally:
            s.close_store()


def records_of_store(store: Path, a: str, b: str) -> list[tuple[Any, ...]]:
    with Session() as s:
        s.open_store(store)
        try:
            s.diff(store_mod.Stored(store_mod.resolve(s.con, a)), store_mod.Stored(store_mod.resolve(s.con, b)))
        finally:
            s.close_store()
        return s.con.execute(f"SELECT {CORE} FROM rk_changes").fetchall()


def records_of_files(a: list[Path], b: list[Path]) -> list[tuple[Any, ...]]:
    with Session() as s:
        s.diff(a, b)
        return s.con.execute(f"SELECT {CORE} FROM rk_changes").fetchall()


@pytest.fixture
def three(tmp_path: Path) -> tuple[Path, list[Path]]:
    """Three snapshots of the same three TPS: a correction, a value withdrawn, a TPS gone and one new."""
    snaps = [
        CLEAN,
        [tps(1, suara_paslon_1=85), *CLEAN[1:]],
        [tps(1, suara_paslon_1=85), tps(2, suara_tidak_sah=None), tps(4)],
    ]
    files = [write_csv(tmp_path / f"snap{i}.csv", rows) for i, rows in enumerate(snaps)]
    return tmp_path / "rekap.duckdb", files


def test_adds_keep_versions_once_and_diffs_equal_the_files(three: tuple[Path, list[Path]]) -> None:
    store, files = three
    for i, f in enumerate(files):
        assert add(store, [f], f"s{i}", at=f"2024-02-2{i}T10:00").added
    with duckdb.connect(str(store), read_only=True) as con:
        versions = con.execute("SELECT kode_tps, valid_from, valid_to FROM tps_versions ORDER BY kode_tps, valid_from"
                               ).fetchall()
    # TPS 1: two versions; TPS 2: two; TPS 3 until snapshot 3; TPS 4 from snapshot 3. Unchanged TPS are not copied.
    assert versions == [("3101011001001", 1, 2), ("3101011001001", 2, None), ("3101011001002", 1, 3),
                        ("3101011001002", 3, None), ("3101011001003", 1, 3), ("3101011001004", 3, None)]
    for a, b in ((0, 1), (1, 2), (0, 2), (2, 0)):
        assert records_of_store(store, f"@s{a}", f"@s{b}") == records_of_files([files[a]], [files[b]]), (a, b)
    assert records_of_store(store, "@first", "@last") == records_of_store(store, "@s0", "@-1")
    assert records_of_store(store, "@-2", "@last") == records_of_files([files[1]], [files[2]])


def test_adding_the_same_files_again_is_a_no_op(three: tuple[Path, list[Path]]) -> None:
    store, files = three
    add(store, [files[0]], "pagi")
    size = store.stat().st_size
    again = add(store, [files[0]], "lagi")
    assert not again.added and again.snapshot.label == "pagi"
    assert store.stat().st_size == size
    res = run_cli(["store", "add", str(files[0]), "--label", "lagi", "--store", str(store)])
    assert res.code == 0 and "sudah tersimpan sebagai snapshot pagi" in res.stderr


def test_cli_add_list_log_progress_and_diff(three: tuple[Path, list[Path]]) -> None:
    store, files = three
    for i, f in enumerate(files):
        res = run_cli(["store", "add", str(f), "--label", f"s{i}", "--at", f"2024-02-2{i}T10:00", "--store", str(store)])
        assert res.code == 0, res.stderr
    listed = run_cli(["store", "list", "--store", str(store), "-f", "csv"]).text.splitlines()
    assert listed[0].startswith("label,taken_at,jenis_pemilihan,n_files,rows_read,rows_rejected,n_tps,versions_added,"
                                "n_changes")
    assert [line.split(",")[0] for line in listed[1:]] == ["s0", "s1", "s2"]
    log = run_cli(["store", "log", "3101011001001", "--store", str(store), "-f", "csv"]).text.splitlines()
    assert len(log) == 3  # header + two versions
    assert ",s1,2024-02-21T10:00:00,," in log[2] and "D001,D003" in log[2] and "suara_paslon_1 83→85" in log[2]
    res = run_cli(["store", "log", "3101011001999", "--store", str(store)])
    assert res.code == 2 and "tidak ada dalam store" in res.stderr
    prog = run_cli(["store", "progress", "--level", "kecamatan", "--store", str(store), "-f", "csv"]).text
    assert run_cli(["progress", "--store", str(store), "--level", "kecamatan", "-f", "csv"]).text == prog
    assert prog.splitlines()[1:] == ["s0,2024-02-20T10:00:00,kecamatan,310101,3",
                                     "s1,2024-02-21T10:00:00,kecamatan,310101,3",
                                     "s2,2024-02-22T10:00:00,kecamatan,310101,3"]
    res = run_cli(["diff", "@s0", "@last", "--store", str(store), "-f", "csv", "-q"])
    assert res.code == 1  # D003
    assert res.text.splitlines()[1] == "3101011001001,suara_paslon_1,83,85,2,changed,\"D001,D003\",s0,s2"
    # A stored side against files.
    res = run_cli(["diff", "@s2", str(files[2]), "--store", str(store), "-q"])
    assert res.code == 0 and res.stdout == b""
    for bad in (["diff", "@nope", "@last", "--store", str(store)], ["store", "add", str(files[0]), "--label", "x",
                                                                     "--at", "kemarin", "--store", str(store)]):
        res = run_cli(bad)
        assert res.code == 2 and "Traceback" not in res.stderr, res.stderr


def test_labels_are_unique(three: tuple[Path, list[Path]]) -> None:
    store, files = three
    add(store, [files[0]], "pagi")
    with pytest.raises(RekapError, match="sudah dipakai"):
        add(store, [files[1]], "pagi")
    for bad in ("@x", "last", "-1", ""):
        with pytest.raises(RekapError):
            add(store, [files[1]], bad)


def test_an_interrupted_add_leaves_the_store_as_it_was(three: tuple[Path, list[Path]]) -> None:
    store, files = three
    add(store, [files[0]], "s0")
    with duckdb.connect(str(store), read_only=True) as con:
        before = [con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in
                  ("snapshots", "snapshot_files", "tps_versions", "version_rules")]

    def boom() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        add(store, [files[1]], "s1", before_commit=boom)
    with duckdb.connect(str(store), read_only=True) as con:
        after = [con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in
                 ("snapshots", "snapshot_files", "tps_versions", "version_rules")]
    assert after == before
    assert add(store, [files[1]], "s1").added  # and the store still works


def test_a_second_process_waits_or_fails_with_one_line(three: tuple[Path, list[Path]], tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    store, files = three
    add(store, [files[0]], "s0")
    holder = subprocess.Popen([sys.executable, "-c",
                               "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ok', flush=True); "
                               "time.sleep(float(sys.argv[2]))", str(store), "3"], stdout=subprocess.PIPE)
    assert holder.stdout is not None and holder.stdout.readline().strip() == b"ok"
    try:
        monkeypatch.setenv("REKAP_STORE_WAIT", "0.5")
        res = run_cli(["store", "add", str(files[1]), "--label", "s1", "--store", str(store)])
        assert res.code == 2 and len(res.stderr.splitlines()) == 2, res.stderr  # the error and its hint
        assert "sedang dipakai proses rekap lain" in res.stderr
        monkeypatch.setenv("REKAP_STORE_WAIT", "30")
        started = time.monotonic()
        res = run_cli(["store", "add", str(files[1]), "--label", "s1", "--store", str(store)])
        assert res.code == 0, res.stderr  # waited for the lock to go
        assert time.monotonic() - started < 30
    finally:
        holder.wait(timeout=30)
    assert [s.label for s in _snapshots(store)] == ["s0", "s1"]


def _snapshots(store: Path) -> list[Any]:
    with Session() as s:
        s.open_store(store)
        try:
            return store_mod.snapshots(s.con)
        finally:
            s.close_store()


def test_what_is_not_a_store_is_refused(three: tuple[Path, list[Path]], tmp_path: Path) -> None:
    store, files = three
    text = tmp_path / "catatan.duckdb"
    text.write_text("bukan basis data")
    other = tmp_path / "lain.duckdb"
    with duckdb.connect(str(other)) as con:
        con.execute("CREATE TABLE t (a INTEGER)")
    newer = tmp_path / "baru.duckdb"
    add(newer, [files[0]], "s0")
    with duckdb.connect(str(newer)) as con:
        con.execute("UPDATE rk_store_meta SET value = '99' WHERE key = 'schema_version'")
    for path, words in ((text, "bukan berkas DuckDB"), (other, "bukan store rekap"), (newer, "rekap yang lebih baru")):
        before = path.read_bytes()
        res = run_cli(["store", "add", str(files[1]), "--label", "s1", "--store", str(path)])
        assert res.code == 2 and words in res.stderr and "Traceback" not in res.stderr, res.stderr
        assert path.read_bytes() == before
    res = run_cli(["store", "list", "--store", str(tmp_path / "tidak-ada.duckdb")])
    assert res.code == 2 and "store tidak ada" in res.stderr
    assert not (tmp_path / "tidak-ada.duckdb").exists()


def test_the_default_store_and_the_environment(three: tuple[Path, list[Path]], tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    _store, files = three
    monkeypatch.chdir(tmp_path)
    assert run_cli(["store", "add", str(files[0]), "--label", "s0"]).code == 0
    assert (tmp_path / "rekap.duckdb").exists()
    monkeypatch.setenv("REKAP_STORE", str(tmp_path / "lain.duckdb"))
    assert run_cli(["store", "add", str(files[0]), "--label", "s0"]).code == 0
    assert (tmp_path / "lain.duckdb").exists()


def test_real_dki_snapshots_in_a_store(tmp_path: Path) -> None:
    """20 Feb and 17 Mar 2024: the store's diff is the files' diff (and so the revisions file, tests/test_diff.py),
    the second snapshot grows the file by at most half, and a revised TPS's log shows both versions."""
    old = real_file("ppwp2024_tps_dki_jakarta_snapshot_2024-02-20.parquet")
    new = real_file("ppwp2024_tps_dki_jakarta.csv")
    store = tmp_path / "dki.duckdb"
    add(store, [old], "0220", at="2024-02-20T14:00")
    first = store.stat().st_size
    add(store, [new], "0317", at="2024-03-17T00:00")
    assert store.stat().st_size <= 1.5 * first
    assert sorted(records_of_store(store, "@first", "@last")) == sorted(records_of_files([old], [new]))
    log = run_cli(["store", "log", "3101011001001", "--store", str(store), "-f", "jsonl"]).text.splitlines()
    import json

    versions = [json.loads(line) for line in log]
    assert [(v["snapshot"], v["replaced_by"]) for v in versions] == [("0220", "0317"), ("0317", None)]
    assert versions[0]["pengguna_dpt_j"] == 292 and versions[1]["pengguna_dpt_j"] == 232
    assert "pengguna_dpt_j 292→232" in versions[1]["changed_fields"]


def test_environment_wait_is_a_number(three: tuple[Path, list[Path]], monkeypatch: pytest.MonkeyPatch) -> None:
    store, files = three
    monkeypatch.setenv("REKAP_STORE_WAIT", "sebentar")
    res = run_cli(["store", "add", str(files[0]), "--label", "s0", "--store", str(store)])
    assert res.code == 2 and "REKAP_STORE_WAIT" in res.stderr


def test_run_builds_the_bundle_of_the_last_snapshot(three: tuple[Path, list[Path]], tmp_path: Path) -> None:
    import json

    store, files = three
    for i, f in enumerate(files):
        add(store, [f], f"s{i}", at=f"2024-02-2{i}T10:00")
    out = tmp_path / "hasil"
    res = run_cli(["run", "--store", str(store), "-o", str(out)])
    assert res.code in (0, 1), res.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert [p["name"] for p in manifest["previous"]] == ["s1"]
    assert manifest["options"]["store"] == {"path": str(store), "previous_snapshot": "s1"}
    assert [i["path"] for i in manifest["inputs"]] == [str(files[2])]
    changes = (out / "changes.csv").read_text().splitlines()
    # s1 → s2: TPS 2 lost suara_tidak_sah (and its row is PEMILU's, not CLEAN's), TPS 3 gone, TPS 4 new.
    assert sorted(line.split(",")[5] for line in changes[1:]) == ["changed", "changed", "removed", "tps_added",
                                                                  "tps_removed"]
    page = (out / "laporan.html").read_text()
    assert 'id="dari-waktu-ke-waktu"' in page and 'id="perubahan"' in page
    # The files of the last snapshot are read again: one that changed since is refused.
    files[2].write_text(files[2].read_text().replace("228", "229", 1))
    res = run_cli(["run", "--store", str(store), "-o", str(tmp_path / "hasil2")])
    assert res.code == 2 and "sudah berubah sejak disimpan" in res.stderr
    res = run_cli(["run", str(files[0]), "--store", str(store), "-o", str(tmp_path / "hasil3")])
    assert res.code == 2 and "tanpa BERKAS" in res.stderr


def test_accepted_findings_kept_in_the_store_count_in_run(three: tuple[Path, list[Path]], tmp_path: Path) -> None:
    """`rekap store accept` keeps the decisions with who and when; `rekap run --store` lists those findings as
    accepted (and they no longer decide the exit code)."""
    import csv
    import json

    store, files = three
    for i, f in enumerate(files[:2]):
        add(store, [f], f"s{i}", at=f"2024-02-2{i}T10:00")
    accept = tmp_path / "diterima.csv"
    res = run_cli(["validate", str(files[1]), "--write-accept", str(accept), "-q"])
    assert res.code == 1  # A006 on TPS 1 (85 + 107 + 38 ≠ 228)
    with accept.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and {r["rule"] for r in rows} == {"A006"}
    for r in rows:
        r.update(reason="dicocokkan dengan C.Hasil", by="PPK", date="2024-02-22")
    with accept.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    res = run_cli(["store", "accept", str(accept), "--store", str(store)])
    assert res.code == 0 and "keputusan tersimpan" in res.stderr
    res = run_cli(["store", "accept", str(accept), "--store", str(store)])
    assert res.code == 0 and "sudah tersimpan sebelumnya" in res.stderr
    with duckdb.connect(str(store), read_only=True) as con:
        kept = con.execute('SELECT rule, kode_wilayah, reason, "by", stored_by IS NOT NULL, stored_at IS NOT NULL '
                           "FROM accepted").fetchall()
    assert kept == [("A006", "3101011001001", "dicocokkan dengan C.Hasil", "PPK", True, True)]
    out = tmp_path / "hasil"
    res = run_cli(["run", "--store", str(store), "-o", str(out)])
    assert res.code == 0, res.stderr  # the only error finding is accepted (D003 does not decide run's exit code)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["accept"]["accepted"] == len(rows)
    assert "dicocokkan dengan C.Hasil" in (out / "findings_accepted.csv").read_text()
