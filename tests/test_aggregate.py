"""rekap aggregate: sums per level, against independent computations, on synthetic and real data."""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
from conftest import real_file, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rekap.aggregate.rollup import aggregate
from rekap.io import load_dataset
from rekap.regions import parse_levels
from rekap.validate import validate

LEVEL_PREFIX = {"provinsi": 2, "kabkota": 4, "kecamatan": 6, "desa": 10}


def recap_of(path: Path, tmp: Path, levels: str = "all", election: str | None = None) -> pd.DataFrame:
    con = duckdb.connect()
    ds = load_dataset(con, [str(path)], str(tmp))
    validate(ds, election=election)
    result = aggregate(con, parse_levels(levels))
    return con.sql(f"SELECT * FROM {result.table}").df()


def write_rows(path: Path, rows: list[dict[str, Any]]) -> Path:
    fields = sorted({k for r in rows for k in r}, key=lambda k: (k != "kode_tps", k))
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
    return path


def test_empty_cells_are_skipped_not_zero(tmp_path: Path) -> None:
    rows = [
        {"kode_tps": "3101011001001", "suara_paslon_1": 10, "suara_paslon_2": ""},
        {"kode_tps": "3101011001002", "suara_paslon_1": "", "suara_paslon_2": ""},
    ]
    df = recap_of(write_rows(tmp_path / "t.csv", rows), tmp_path, "desa")
    desa = df[df.level == "desa"].iloc[0]
    assert desa.suara_paslon_1 == 10 and pd.isna(desa.suara_paslon_2) and desa.n_tps == 2 and desa.n_tps_suara == 1


def test_duplicates_and_unplaceable_codes_are_not_summed(tmp_path: Path) -> None:
    rows = [
        {"kode_tps": "3101011001001", "suara_paslon_1": 10},
        {"kode_tps": "3101011001001", "suara_paslon_1": 10},  # exact duplicate: once
        {"kode_tps": "3101011001002", "suara_paslon_1": 5},
        {"kode_tps": "3101011001002", "suara_paslon_1": 7},  # differing copy: first one counts
        {"kode_tps": "31010", "suara_paslon_1": 1000},  # no desa in the code
        {"kode_tps": "310101100103", "suara_paslon_1": 3},  # 12 digits but a valid desa: summed there
    ]
    con = duckdb.connect()
    ds = load_dataset(con, [str(write_rows(tmp_path / "t.csv", rows))], str(tmp_path))
    report = validate(ds)
    result = aggregate(con, ["nasional", "kecamatan", "desa"])
    df = con.sql(f"SELECT * FROM {result.table}").df()
    assert df[df.level == "kecamatan"].suara_paslon_1.item() == 18
    assert (result.tps_summed, result.not_summed_duplicate, result.not_summed_unplaced) == (3, 1, 1)
    # The data is one kecamatan's: nasional would be a partial sum that looks complete, so it is left out.
    assert "nasional" not in set(df.level) and result.levels_above_scope == ["nasional"]
    # Row accounting: read = summed + exact duplicates + differing copies + unplaceable.
    assert report.rows_read == result.tps_summed + report.rows_duplicate + result.not_summed_duplicate + result.not_summed_unplaced


def test_unplaceable_code_without_repeats_is_counted_from_the_statistics(tmp_path: Path) -> None:
    """No code repeats: the recap's record counts come from prepare's statistics (`rk_stats`), and the desa
    pattern still keeps an unplaceable code out of every sum; with every code placeable the pattern is skipped
    and the sums are the same."""
    rows = [
        {"kode_tps": "3101011001001", "suara_paslon_1": 10},
        {"kode_tps": "3101011001002", "suara_paslon_1": 5},
        {"kode_tps": "31010", "suara_paslon_1": 1000},  # no desa in the code
    ]
    for data, summed, unplaced in ((rows, 2, 1), (rows[:2], 2, 0)):
        con = duckdb.connect()
        ds = load_dataset(con, [str(write_rows(tmp_path / f"t{len(data)}.csv", data))], str(tmp_path))
        report = validate(ds)
        result = aggregate(con, ["kecamatan", "desa"])
        df = con.sql(f"SELECT * FROM {result.table}").df()
        assert df[df.level == "kecamatan"].suara_paslon_1.item() == 15
        assert (result.tps_summed, result.not_summed_duplicate, result.not_summed_unplaced) == (summed, 0, unplaced)
        assert report.rows_read == result.tps_summed + result.not_summed_unplaced


def test_pilkada_levels_stop_where_the_election_stops(tmp_path: Path) -> None:
    rows = [
        {"kode_tps": "3578011001001", "jenis_pemilihan": "pkwkk", "suara_paslon_1": 5},
        {"kode_tps": "3578011001001", "jenis_pemilihan": "pkwkp", "suara_paslon_1": 7},
        # a second kab/kota, so that the data covers the province (its root) and every level up to it
        {"kode_tps": "3501011001001", "jenis_pemilihan": "pkwkp", "suara_paslon_1": 0},
    ]
    df = recap_of(write_rows(tmp_path / "t.csv", rows), tmp_path)
    levels = {(j, lv) for j, lv in zip(df.jenis_pemilihan, df.level, strict=True)}
    assert ("pkwkk", "kabkota") in levels and ("pkwkk", "provinsi") not in levels
    assert ("pkwkp", "provinsi") in levels and ("pkwkp", "nasional") not in levels
    assert df[(df.jenis_pemilihan == "pkwkp") & (df.level == "provinsi")].suara_paslon_1.item() == 7


@st.composite
def tps_tables(draw: st.DrawFn) -> list[dict[str, Any]]:
    n_paslon = draw(st.integers(1, 4))
    n = draw(st.integers(1, 40))
    rows = []
    for i in range(n):
        kab = draw(st.sampled_from(["3101", "3171", "3578", "1101"]))
        kec = kab + draw(st.sampled_from(["01", "02"]))
        desa = kec + draw(st.sampled_from(["1001", "2001", "2002"]))
        row: dict[str, Any] = {"kode_tps": f"{desa}{i + 1:03d}"}
        for p in range(1, n_paslon + 1):
            row[f"suara_paslon_{p}"] = draw(st.one_of(st.integers(0, 999), st.just("")))
        row["pemilih_dpt_j"] = draw(st.integers(0, 999))
        rows.append(row)
    return rows


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=tps_tables(), seed=st.integers(0, 1000))
def test_every_level_sums_to_the_same_total_in_any_order(tmp_path: Path, rows: list[dict[str, Any]], seed: int) -> None:
    shuffled = rows[:]
    random.Random(seed).shuffle(shuffled)
    a = recap_of(write_rows(tmp_path / "a.csv", rows), tmp_path, election="ppwp")
    b = recap_of(write_rows(tmp_path / "b.csv", shuffled), tmp_path, election="ppwp")
    pd.testing.assert_frame_equal(a, b)
    cols = [c for c in a.columns if c.startswith(("suara_", "pemilih_")) or c == "n_tps"]
    # The top row is the data's scope (its root): nasional when the TPS span provinces, else the one
    # province, kab/kota or kecamatan they all lie in; nothing above it is listed (a partial sum).
    levels = [lv for lv in ("nasional", "provinsi", "kabkota", "kecamatan", "desa") if lv in set(a.level)]
    assert len(a[a.level == levels[0]]) == 1 and levels == ["nasional", "provinsi", "kabkota", "kecamatan", "desa"][-len(levels):]
    totals = a[a.level == levels[0]][cols].iloc[0]
    for level in levels[1:]:
        per_level = a[a.level == level][cols].sum(min_count=1)
        for c in cols:
            assert (pd.isna(totals[c]) and pd.isna(per_level[c])) or totals[c] == per_level[c], (level, c)
    assert totals["n_tps"] == len(rows)  # no row lost


@pytest.mark.real
def test_sums_equal_an_independent_pandas_computation_on_the_real_parquet(tmp_path: Path) -> None:
    src = real_file("ppwp2024_tps_36prov.parquet")
    res = run_cli(["aggregate", str(src), "--level", "kecamatan,kabkota,provinsi", "-f", "parquet", "-o", str(tmp_path / "r.parquet"), "-q"])
    assert res.code == 0, res.stderr
    got = pd.read_parquet(tmp_path / "r.parquet")
    df = pd.read_parquet(src)
    numeric = [c for c in df.columns if c.startswith(("pemilih_", "pengguna_", "suara_"))]
    for level in ("kecamatan", "kabkota", "provinsi"):
        key = df["kode_tps"].str[: LEVEL_PREFIX[level]]
        want = df[numeric].groupby(key).sum(min_count=1)
        want["n_tps"] = df.groupby(key).size()
        mine = got[got.level == level].set_index("kode_wilayah")[[*numeric, "n_tps"]]
        assert len(mine) == len(want) and len(mine) > 30
        for c in [*numeric, "n_tps"]:
            a = mine[c].astype("Float64").sort_index()
            b = want[c].astype("Float64").sort_index()
            assert a.index.equals(b.index)
            assert a.fillna(-1).equals(b.fillna(-1)), f"{level} {c}"


@pytest.mark.real
def test_dki_province_sums_equal_the_sirekap_aggregate_row() -> None:
    src = real_file("ppwp2024_tps_dki_jakarta.csv")
    res = run_cli(["aggregate", str(src), "--level", "provinsi", "-f", "csv", "-q"])
    assert res.code == 0
    prov = list(csv.DictReader(io.StringIO(res.text)))
    assert len(prov) == 1 and prov[0]["kode_wilayah"] == "31"
    agg = {r["kode_prov"]: r for r in csv.DictReader(open(real_file("ppwp2024_sirekap_prov_aggregate_2024-03-21.csv"), encoding="utf-8"))}
    for p in ("suara_paslon_1", "suara_paslon_2", "suara_paslon_3"):
        assert int(prov[0][p]) == int(agg["31"][p])
    assert (prov[0]["suara_paslon_1"], prov[0]["suara_paslon_2"], prov[0]["suara_paslon_3"]) == ("1936408", "1956503", "824937")


def test_recap_output_is_byte_identical_across_runs(tmp_path: Path) -> None:
    sample = sorted(str(p) for p in (Path(__file__).resolve().parents[1] / "data" / "samples" / "jatim_kecil" / "tps").iterdir())
    first = run_cli(["aggregate", *sample, "--election", "pkwkp", "-f", "csv", "-q"])
    second = run_cli(["aggregate", *sample, "--election", "pkwkp", "-f", "csv", "-q"])
    assert first.code == 0 and first.stdout == second.stdout and first.stdout.count(b"\n") > 50


def test_level_of_a_code_in_sql_is_the_python_one() -> None:
    """`regions.level_of_code_sql` (S002 on reported recaps, the region list) agrees with `level_of_code`,
    the national code included (a 2-digit `00` is nasional, not a province)."""
    import duckdb

    from rekap.regions import level_of_code, level_of_code_sql

    codes = ["00", "35", "3501", "350101", "3501012001", "3501012001001", "351", "", "99"]
    con = duckdb.connect()
    got = con.execute(f"SELECT c, {level_of_code_sql('c')} FROM unnest($codes) AS t(c)", {"codes": codes}).fetchall()
    assert {c: lv for c, lv in got} == {c: level_of_code(c) for c in codes}
