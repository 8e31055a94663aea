"""A bounded fuzzer over the loaders (issue #5): random and mutated bytes, as CSV, XLSX, JSON and
Parquet, must give either a clean RekapError (the CLI's one-line exit-2 error) or a dataset whose every
row is accounted for (read = used + rejected after validation) — never another exception, never a hang.

Runs in CI with a fixed budget and fixed examples (REKAP_FUZZ_EXAMPLES, default 60 per target; fuzz
longer with new examples: REKAP_FUZZ_EXAMPLES=1000 HYPOTHESIS_PROFILE=explore pytest tests/test_fuzz.py).
An input that breaks a target is saved under tests/corpus/crashes/ (commit it: it is replayed by
`test_saved_crashes_stay_fixed` on every run from then on).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rekap.errors import RekapError
from rekap.io import LoadOptions, load_dataset
from rekap.validate import validate

CORPUS = Path(__file__).resolve().parent / "corpus"
CRASHES = CORPUS / "crashes"
EXAMPLES = int(os.environ.get("REKAP_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
# Bytes that matter to a CSV parser, a number parser and a spreadsheet.
SPECIAL = [b'"', b",", b";", b"\t", b"|", b"\n", b"\r\n", b"\r", b"\x00", b"\xff", b"\xef\xbb\xbf", b"=",
           b"-", b".", b"e", b"9" * 25, b"#REF!", b" ", b"\xe9", b"\\"]
CSV_BASE = (CORPUS / "inputs" / "clean.csv").read_bytes()
XLSX_BASE = (CORPUS / "inputs" / "staff_title_rows.xlsx").read_bytes()
SIREKAP = {"chart": {"100025": 120, "100026": 95, "100027": 40, "null": None},
           "administrasi": {"suara_sah": 255, "suara_tidak_sah": 5, "suara_total": 260, "pengguna_dpt_j": 250,
                            "pengguna_dptb_j": 5, "pengguna_non_dpt_j": 5, "pengguna_total_j": 260},
           "psu": None, "ts": "2024-02-15 10:00:00", "status_suara": True, "status_adm": True}


def save_crash(data: bytes, suffix: str, prefix: str = "") -> None:
    """Keep an input that broke a target (small ones, a bounded number) for the replay test."""
    CRASHES.mkdir(exist_ok=True)
    if len(data) <= 64_000 and len(list(CRASHES.iterdir())) < 50:
        (CRASHES / (prefix + hashlib.sha256(data).hexdigest()[:16] + suffix)).write_bytes(data)


def check(data: bytes, suffix: str, tmp: Path) -> None:
    """The fuzz target: load (+ validate) one input; save it when anything but a RekapError escapes."""
    path = tmp / f"input{suffix}"
    path.write_bytes(data)
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    try:
        try:
            ds = load_dataset(con, [str(path)], str(tmp), LoadOptions())
        except RekapError as exc:
            assert exc.message and "\n" not in exc.message
            return
        report = validate(ds, election="pkwkp")
        assert report.rows_read == report.rows_used + report.rows_rejected
        assert report.rows_read == ds.rows_read
    except RekapError:
        return  # a clean error from the checks (e.g. no usable column): exit 2, fine
    except BaseException:
        save_crash(data, suffix)
        raise
    finally:
        con.close()


def mutate(base: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    data = bytearray(base)
    for pos, cut, insert in edits:
        at = pos % (len(data) + 1)
        data[at : at + cut] = insert
    return bytes(data)


edits = st.lists(
    st.tuples(st.integers(0, 1 << 16), st.integers(0, 8), st.one_of(st.sampled_from(SPECIAL), st.binary(max_size=6))),
    min_size=1, max_size=12,
)


@FUZZ
@given(edits=edits)
def test_mutated_csv(tmp_path_factory: pytest.TempPathFactory, edits: list[tuple[int, int, bytes]]) -> None:
    check(mutate(CSV_BASE, edits), ".csv", tmp_path_factory.mktemp("fz"))


@FUZZ
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".csv", ".json", ".xlsx", ".parquet", ".txt"]))
def test_random_bytes(tmp_path_factory: pytest.TempPathFactory, data: bytes, suffix: str) -> None:
    check(data, suffix, tmp_path_factory.mktemp("fz"))


@FUZZ
@given(edits=st.lists(st.tuples(st.integers(0, 1 << 16), st.integers(0, 4), st.binary(max_size=4)), min_size=1, max_size=4))
def test_mutated_xlsx(tmp_path_factory: pytest.TempPathFactory, edits: list[tuple[int, int, bytes]]) -> None:
    check(mutate(XLSX_BASE, edits), ".xlsx", tmp_path_factory.mktemp("fz"))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@FUZZ
@given(
    patch=st.dictionaries(st.sampled_from(["chart", "administrasi", "psu", "ts", "mode", "100025", "null", "data"]), json_values, max_size=3),
    inner=st.dictionaries(st.sampled_from(["100025", "100026", "suara_sah", "pengguna_total_j", "null"]), json_values, max_size=3),
    lines=st.integers(1, 3),
)
def test_mutated_sirekap_json(tmp_path_factory: pytest.TempPathFactory, patch: dict[str, object], inner: dict[str, object], lines: int) -> None:
    record: dict[str, object] = json.loads(json.dumps(SIREKAP))
    record.update(patch)
    for key in ("chart", "administrasi"):
        if isinstance(record.get(key), dict):
            record[key].update(inner)  # type: ignore[union-attr]
    wrapped = {"kode_tps": "3207012001001", "data": record}
    text = "".join(json.dumps(wrapped) + "\n" for _ in range(lines))
    check(text.encode(), ".jsonl", tmp_path_factory.mktemp("fz"))


REPORTED_BASE = "".join(
    (Path(__file__).resolve().parents[1] / "data" / "samples" / "jatim_kecil" / "dhasil_kecamatan.csv")
    .read_text(encoding="utf-8").splitlines(keepends=True)[:8]
).encode()


def check_reported(data: bytes, suffix: str, tmp: Path) -> None:
    """The same target for the reported-recap loader (D.Hasil tables)."""
    from rekap.io.reported import load_reported

    path = tmp / f"dhasil{suffix}"
    path.write_bytes(data)
    con = duckdb.connect()
    try:
        try:
            sources = load_reported(con, [str(path)], str(tmp))
        except RekapError as exc:
            assert exc.message and "\n" not in exc.message
            return
        loaded = con.execute("SELECT count(*) FROM rk_reported").fetchall()[0][0]
        assert all(s.rows >= 0 and s.rows_rejected >= 0 for s in sources)
        assert loaded >= 0
    except BaseException:
        save_crash(data, suffix, prefix="reported-")
        raise
    finally:
        con.close()


@FUZZ
@given(edits=edits)
def test_mutated_reported_recap(tmp_path_factory: pytest.TempPathFactory, edits: list[tuple[int, int, bytes]]) -> None:
    check_reported(mutate(REPORTED_BASE, edits), ".csv", tmp_path_factory.mktemp("fz"))


def test_saved_crashes_stay_fixed(tmp_path: Path) -> None:
    saved = sorted(p for p in CRASHES.glob("*.*") if p.name != "README.md") if CRASHES.exists() else []
    for i, path in enumerate(saved):
        where = tmp_path / str(i)
        where.mkdir()
        (check_reported if path.name.startswith("reported-") else check)(path.read_bytes(), path.suffix, where)
