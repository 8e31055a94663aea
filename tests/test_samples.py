"""The bundled sample (data/samples/jatim_kecil) is reproducible and plants exactly what it says.

The checks below recompute everything with pandas from the files as written, independently of the
generator's own bookkeeping: headers through rekap.schema, counts through a regex, the rules of
domain.md §3 as vectorised equations.
"""

from __future__ import annotations

import importlib.util
import io
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

from rekap.schema import resolve_header

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
SMALL = SAMPLES / "jatim_kecil"

LPJ = ("l", "p", "j")
GROUPS = ("pemilih_dpt", "pemilih_dpph", "pemilih_dptb", "pemilih_total", "pengguna_dpt", "pengguna_dpph",
          "pengguna_dptb", "pengguna_total", "pemilih_disabilitas", "pengguna_disabilitas")
ADMIN = [f"{g}_{s}" for g in GROUPS for s in LPJ]
BALLOTS = ["ss_diterima", "ss_digunakan", "ss_rusak", "ss_sisa"]
PASLON = ["suara_paslon_1", "suara_paslon_2", "suara_paslon_3"]
VOTES = [*PASLON, "suara_sah", "suara_tidak_sah", "suara_total"]
NUMERIC = [*ADMIN, *BALLOTS, *VOTES]
TPS_RULES = {f"A{n:03d}" for n in range(1, 13)} | {f"P{n:03d}" for n in range(1, 9)}
LEVEL_OF_LENGTH = {2: "provinsi", 4: "kabkota", 6: "kecamatan"}


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_samples", ROOT / "scripts" / "make_samples.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_samples"] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def files_under(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- reading the sample as a user would ------------------------------------------------------------------


def read_tps_file(path: Path) -> pd.DataFrame:
    """One TPS file as text cells under canonical names, plus `_file` and `_row` (spreadsheet row)."""
    if path.suffix == ".xlsx":
        df = pd.read_excel(path, header=2, dtype=str, engine="openpyxl").fillna("")  # two title rows, header in row 3
        first_row = 4
    else:
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("cp1252")
        sep = ";" if ";" in text.splitlines()[0] else ","
        df = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False,
                         encoding="utf-8" if text.encode("utf-8") == raw else "cp1252")
        first_row = 2
    mapping = {h: resolve_header(h) for h in df.columns}
    assert None not in mapping.values(), f"{path.name}: unresolved headers {mapping}"
    assert len(set(mapping.values())) == len(mapping), f"{path.name}: two headers map to one column"
    df = df.rename(columns=mapping)
    df["_file"] = path.name
    df["_row"] = range(first_row, first_row + len(df))
    return df


def read_tps(folder: Path) -> pd.DataFrame:
    files = sorted((folder / "tps").glob("tps_*"))
    assert files, f"no TPS files in {folder}"
    return pd.concat([read_tps_file(p) for p in files], ignore_index=True)


def counts(text: pd.DataFrame) -> pd.DataFrame:
    """Whole non-negative numbers as Int64; anything else (empty, '12a', '1,5') becomes <NA>."""
    return pd.DataFrame({c: pd.to_numeric(text[c].where(text[c].str.fullmatch(r"\d+")), errors="coerce")
                         .astype("Int64") for c in NUMERIC})


def wellformed(codes: pd.Series) -> pd.Series:
    kab = pd.to_numeric(codes.str[2:4], errors="coerce")
    return (codes.str.fullmatch(r"35\d{11}") & (kab.between(1, 69) | kab.between(71, 99))
            & codes.str[6].isin(list("123")) & (codes.str[10:] != "000")).fillna(False)


def distinct_forms(tps: pd.DataFrame) -> pd.DataFrame:
    """What a recap adds up: an exact duplicate once, and the first of two rows with the same code."""
    data_cols = [c for c in tps.columns if not c.startswith("_")]
    return tps.drop_duplicates(subset=data_cols).drop_duplicates(subset=["kode_tps"], keep="first")


def read_master(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / "wilayah.csv", dtype=str, keep_default_na=False)


def expected_tps(master: pd.DataFrame) -> set[str]:
    codes: set[str] = set()
    for row in master[master["level_name"] == "desa"].to_dict("records"):
        numbers = list(range(1, int(row["tps_max_no"]) + 1))
        if row["tps_ext_from"]:
            numbers += list(range(int(row["tps_ext_from"]), int(row["tps_ext_to"]) + 1))
        assert len(numbers) == int(row["n_tps"]), row["kode"]
        codes |= {f"{row['kode']}{n:03d}" for n in numbers}
    return codes


def read_planted(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / "planted.csv", dtype=str, keep_default_na=False)


def planted_set(planted: pd.DataFrame, rules: set[str] | str) -> set[tuple[str, str, str]]:
    wanted = {rules} if isinstance(rules, str) else rules
    sel = planted[planted["rule"].isin(wanted)]
    return set(zip(sel["rule"], sel["level"], sel["kode_wilayah"], strict=True))


# --- the rules, recomputed -------------------------------------------------------------------------------


def ceil_reserve(dpt: pd.Series) -> pd.Series:
    return (dpt * 25 + 999) // 1000  # ceil(2.5 %) in integers


def arithmetic(v: pd.DataFrame) -> dict[str, pd.Series]:
    """A001-A012 per row (True = violated; an empty input makes the check not applicable)."""

    def any_of(parts: Iterator[pd.Series]) -> pd.Series:
        return pd.concat(list(parts), axis=1).fillna(False).any(axis=1)

    def total(cols: list[str]) -> pd.Series:
        return v[cols].sum(axis=1, skipna=False)

    return {
        "A001": any_of(v[f"{g}_l"] + v[f"{g}_p"] != v[f"{g}_j"] for g in GROUPS),
        "A002": any_of(v[f"pemilih_total_{s}"] != total([f"pemilih_{x}_{s}" for x in ("dpt", "dpph", "dptb")])
                       for s in LPJ),
        "A003": any_of(v[f"pengguna_total_{s}"] != total([f"pengguna_{x}_{s}" for x in ("dpt", "dpph", "dptb")])
                       for s in LPJ),
        "A004": any_of(v[f"pengguna_dpt_{s}"] > v[f"pemilih_dpt_{s}"] for s in LPJ),
        "A005": any_of(v[f"pengguna_{x}_{s}"] > v[f"pemilih_{x}_{s}"] for s in LPJ for x in ("dpph", "dptb")),
        "A006": (total(PASLON) != v["suara_sah"]).fillna(False),
        "A007": (v["suara_sah"] + v["suara_tidak_sah"] != v["suara_total"]).fillna(False),
        "A008": (v["ss_digunakan"] != v["pengguna_total_j"]).fillna(False),
        "A009": (v["suara_total"] != v["pengguna_total_j"]).fillna(False),
        "A010": (v["ss_diterima"] != total(["ss_digunakan", "ss_rusak", "ss_sisa"])).fillna(False),
        "A011": any_of(cond for s in LPJ for cond in (
            v[f"pemilih_disabilitas_{s}"] > v[f"pemilih_total_{s}"],
            v[f"pengguna_disabilitas_{s}"] > v[f"pengguna_total_{s}"],
            v[f"pengguna_disabilitas_{s}"] > v[f"pemilih_disabilitas_{s}"])),
        "A012": (v["suara_total"] > total(["pemilih_dpt_j", "pengguna_dptb_j", "pengguna_dpph_j"])).fillna(False),
    }


def robust_z(values: pd.Series, groups: pd.Series) -> pd.Series:
    median = values.groupby(groups).transform("median")
    mad = (values - median).abs().groupby(groups).transform("median")
    return (0.6745 * (values - median).abs() / mad.where(mad > 0)).astype(float)


def plausibility(v: pd.DataFrame, codes: pd.Series) -> dict[str, pd.Series]:
    """P001-P008 per row for one record per kode_tps."""
    dpt = v["pemilih_dpt_j"]
    kec, desa = codes.str[:6], codes.str[:10]
    out = {
        "P001": (dpt > 600).fillna(False),
        "P002": (v["ss_diterima"] != dpt + ceil_reserve(dpt)).fillna(False),
        "P003": ((dpt == 0) & (v[VOTES].fillna(0) > 0).any(axis=1)).fillna(False),
        "P004": (v["suara_total"] > dpt).fillna(False),
        "P005": (v[PASLON] > 600).fillna(False).any(axis=1),
        "P008": v[ADMIN].isna().all(axis=1) != v[VOTES].isna().all(axis=1),
        "P007": pd.concat([desa, v], axis=1).duplicated(keep=False),
    }
    invalid = v["suara_tidak_sah"].astype(float) / v["suara_total"].astype(float)
    readings = {
        "pengguna_total_j / pemilih_dpt_j": v["pengguna_total_j"] / dpt.where(dpt > 0),
        "pengguna_total_j / pemilih_total_j": v["pengguna_total_j"] / v["pemilih_total_j"].where(v["pemilih_total_j"] > 0),
        "suara_total / pemilih_dpt_j": v["suara_total"] / dpt.where(dpt > 0),
    }
    p006 = {name: ((turnout >= 1) | (robust_z(turnout.astype(float), kec) > 3.5)
                   | (robust_z(invalid, kec) > 3.5)).fillna(False) for name, turnout in readings.items()}
    flagged = list(p006.values())
    for name, flags in p006.items():
        assert flags.equals(flagged[0]), f"P006 under {name} differs from the other readings"
    out["P006"] = flagged[0]
    return out


# --- fixtures ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("samples")
    assert load_generator().main(["--out", str(out / "jatim_kecil")]) == 0
    return out


@pytest.fixture(scope="module")
def tps() -> pd.DataFrame:
    return read_tps(SMALL)


@pytest.fixture(scope="module")
def planted() -> pd.DataFrame:
    return read_planted(SMALL)


@pytest.fixture(scope="module")
def master() -> pd.DataFrame:
    return read_master(SMALL)


# --- (1) reproducible --------------------------------------------------------------------------------------


def test_regenerated_sample_is_byte_identical(regenerated: Path) -> None:
    committed, fresh = files_under(SMALL), files_under(regenerated / "jatim_kecil")
    assert sorted(fresh) == sorted(committed)
    assert [name for name in committed if committed[name] != fresh[name]] == []
    assert (regenerated / "README.md").read_bytes() == (SAMPLES / "README.md").read_bytes()


def test_file_formats_are_as_staff_export_them() -> None:
    files = {p.suffix for p in (SMALL / "tps").iterdir()}
    assert files == {".csv", ".xlsx"}
    raw = {p.name: p.read_bytes() for p in (SMALL / "tps").glob("*.csv")}
    semicolon = [name for name, data in raw.items() if data.split(b"\r\n", 1)[0].count(b";") > 40]
    assert len(semicolon) == 1
    data = raw[semicolon[0]]
    assert b"\r\n" in data and b"\xc9" in data  # CRLF, and "É" in cp1252
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    (xlsx,) = (SMALL / "tps").glob("*.xlsx")
    titles = pd.read_excel(xlsx, header=None, nrows=2, dtype=str, engine="openpyxl")
    assert str(titles.iloc[0, 0]).startswith("REKAPITULASI HASIL PENGHITUNGAN SUARA PEMILIHAN GUBERNUR")
    assert str(titles.iloc[1, 0]).startswith(("KABUPATEN ", "KOTA "))


# --- (2) consistent with what planted.csv says ---------------------------------------------------------------


def test_master_expects_the_tps_in_the_files_plus_the_missing_ones(
        tps: pd.DataFrame, master: pd.DataFrame, planted: pd.DataFrame) -> None:
    expected = expected_tps(master)
    in_files = set(tps.loc[wellformed(tps["kode_tps"]), "kode_tps"])
    missing = {kode for _, _, kode in planted_set(planted, "K001")}
    assert in_files <= expected
    assert missing == expected - in_files
    assert len(expected) == len(in_files) + len(missing)
    # n_tps adds up at every level of the master list.
    n_tps = master.set_index("kode")["n_tps"].astype(int)
    for kode, n in n_tps.items():
        children = master.loc[master["parent_kode"] == kode, "n_tps"].astype(int)
        if len(children):
            assert children.sum() == n, kode
    assert n_tps["35"] == len(expected)
    assert 250 <= len(expected) <= 400


def test_structure_problems_are_the_planted_ones(tps: pd.DataFrame, planted: pd.DataFrame) -> None:
    text = tps[NUMERIC]
    bad = (text != "") & ~text.apply(lambda s: s.str.fullmatch(r"\d+"))
    cells = {("S002", "tps", tps.at[i, "kode_tps"]) for i, c in bad.stack()[lambda s: s].index}
    raw = {tps.at[i, c] for i, c in bad.stack()[lambda s: s].index}
    assert cells == planted_set(planted, "S002")
    assert raw == {"12a", "1,5"}
    data_cols = [c for c in tps.columns if not c.startswith("_")]
    exact = tps[tps.duplicated(subset=data_cols)]
    assert {("S004", "tps", k) for k in exact["kode_tps"]} == planted_set(planted, "S004")
    conflicting = tps.drop_duplicates(subset=data_cols)
    conflicting = conflicting[conflicting.duplicated(subset=["_file", "kode_tps"])]
    assert {("S003", "tps", k) for k in conflicting["kode_tps"]} == planted_set(planted, "S003")
    malformed = tps.loc[~wellformed(tps["kode_tps"]), "kode_tps"]
    assert {("S005", "tps", k) for k in malformed} == planted_set(planted, "S005")
    assert all(len(k) == 12 and k.isdigit() for k in malformed)


def test_clean_tps_satisfy_every_equation(tps: pd.DataFrame, planted: pd.DataFrame) -> None:
    dirty = set(planted.loc[planted["level"] == "tps", "kode_wilayah"])
    clean = tps[~tps["kode_tps"].isin(dirty)].reset_index(drop=True)
    assert len(clean) > 200
    v = counts(clean)
    assert not v.isna().any().any(), "clean rows have every cell filled with a whole number"
    for rule, violated in arithmetic(v).items():
        assert not violated.any(), f"{rule} fails on clean TPS {list(clean.loc[violated, 'kode_tps'])}"
    for g in GROUPS:
        assert (v[f"{g}_l"] + v[f"{g}_p"] == v[f"{g}_j"]).all(), g
    assert (v["ss_diterima"] == v["pemilih_dpt_j"] + ceil_reserve(v["pemilih_dpt_j"])).all()  # P002
    assert v["pemilih_dpt_j"].between(150, 580).all()
    assert (v["suara_total"] <= v["pemilih_dpt_j"]).all()  # no P004
    assert (v[PASLON] <= 600).all().all()


def test_tps_findings_are_exactly_the_planted_ones(tps: pd.DataFrame, planted: pd.DataFrame) -> None:
    forms = distinct_forms(tps).reset_index(drop=True)
    v = counts(forms)
    rules = arithmetic(v) | plausibility(v, forms["kode_tps"])
    found = {(rule, "tps", kode) for rule, hit in rules.items() for kode in forms.loc[hit, "kode_tps"]}
    assert found == planted_set(planted, TPS_RULES)


def computed_recaps(tps: pd.DataFrame) -> pd.DataFrame:
    forms = distinct_forms(tps).reset_index(drop=True)
    v = counts(forms)
    parts = []
    for n, level in LEVEL_OF_LENGTH.items():
        sums = v.groupby(forms["kode_tps"].str[:n]).sum(min_count=0)
        parts.append(sums.assign(level=level).rename_axis("kode_wilayah").reset_index())
    return pd.concat(parts).set_index(["level", "kode_wilayah"])


def read_dhasil(folder: Path) -> pd.DataFrame:
    frames = [pd.read_csv(folder / f"dhasil_{level}.csv", dtype={"kode_wilayah": str})
              for level in ("kecamatan", "kabkota", "provinsi")]
    df = pd.concat(frames).set_index(["level", "kode_wilayah"])
    assert set(df.columns) == {"nama_wilayah", *NUMERIC}
    return df


def test_dhasil_equals_tps_sums_except_the_planted_discrepancies(tps: pd.DataFrame, planted: pd.DataFrame) -> None:
    reported = read_dhasil(SMALL)
    computed = computed_recaps(tps).loc[reported.index, NUMERIC]
    diff = reported[NUMERIC].astype("Int64") - computed
    found = {(level, kode, col): int(d) for (level, kode), row in zip(diff.index.tolist(), diff.to_dict("records"),
                                                                      strict=True)
             for col, d in row.items() if d}
    rows = planted[planted["rule"] == "H001"]
    assert set(found) == set(zip(rows["level"], rows["kode_wilayah"], rows["field"], strict=True))
    for row in rows.to_dict("records"):
        key = (row["level"], row["kode_wilayah"])
        numbers = re.search(r"reported (\d+), computed (\d+), selisih ([+-]\d+)", row["note"])
        assert numbers, row["note"]
        assert int(numbers[1]) == reported.at[key, row["field"]]
        assert int(numbers[2]) == computed.at[key, row["field"]]
        assert int(numbers[3]) == found[(*key, row["field"])]
    # The +120 of one kecamatan travels up unchanged; one kab/kota row is wrong on its own.
    paslon2 = {lvl: d for (lvl, _, col), d in found.items() if col == "suara_paslon_2"}
    assert paslon2 == {"kecamatan": 120, "kabkota": 120, "provinsi": 120}
    assert {lvl for lvl, _, col in found if col == "suara_sah"} == {"kabkota", "provinsi"}


def test_one_kecamatan_is_missing_from_the_reported_recap(tps: pd.DataFrame, planted: pd.DataFrame) -> None:
    reported = read_dhasil(SMALL)
    in_data = set(tps.loc[wellformed(tps["kode_tps"]), "kode_tps"].str[:6])
    in_recap = set(reported.loc["kecamatan"].index)
    missing = in_data - in_recap
    assert len(missing) == 1 and in_recap <= in_data
    assert {("H002", "kabkota", k[:4]) for k in missing} == planted_set(planted, "H002")
    assert set(reported.loc["kabkota"].index) == {k[:4] for k in in_data}
    assert list(reported.loc["provinsi"].index) == ["35"]


def test_reported_rows_breaking_a_rule_are_the_planted_ones(planted: pd.DataFrame) -> None:
    reported = read_dhasil(SMALL)
    v = reported[NUMERIC].astype("Int64").reset_index(drop=True)
    broken = pd.concat(list(arithmetic(v).values()), axis=1).any(axis=1)
    found = {("H003", lvl, kode) for (lvl, kode), hit in zip(reported.index, broken, strict=True) if hit}
    assert found == planted_set(planted, "H003")


def test_readme_lists_every_planted_row(planted: pd.DataFrame) -> None:
    readme = (SAMPLES / "README.md").read_text(encoding="utf-8")
    for row in planted.to_dict("records"):
        assert f"| {row['rule']} | {row['level']} | {row['kode_wilayah']} |" in readme


@pytest.fixture(scope="module")
def validated() -> pd.DataFrame:
    """rekap itself, run as a user would on the sample (TPS files and the sample's region list)."""
    files = sorted((SMALL / "tps").glob("*"))
    proc = subprocess.run(
        [sys.executable, "-m", "rekap", "validate", *(str(p.relative_to(ROOT)) for p in files),
         "--master", str((SMALL / "wilayah.csv").relative_to(ROOT)), "--election", "pkwkp", "-f", "csv", "-q"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 1, proc.stderr
    return pd.read_csv(io.StringIO(proc.stdout), dtype=str, keep_default_na=False)


def test_rekap_validate_finds_exactly_the_planted_s_a_p_findings(planted: pd.DataFrame, validated: pd.DataFrame) -> None:
    """rekap reports every planted S/A/P finding and no other S/A/P finding.

    planted.csv lists one row per TPS, rule and checked box, the granularity of rekap's findings.
    """
    findings = validated[validated["rule"].str[0].isin(["S", "A", "P"])]
    found = set(zip(findings["rule"], findings["kode_wilayah"], findings["field"], strict=True))
    rows = planted[planted["rule"].str[0].isin(["S", "A", "P"])]
    listed = list(zip(rows["rule"], rows["kode_wilayah"], rows["field"], strict=True))
    assert len(listed) == len(set(listed)), "planted.csv repeats a (rule, kode_wilayah, field)"
    assert {"S", "A", "P"} <= {rule[0] for rule, _, _ in listed}
    missing, extra = sorted(set(listed) - found), sorted(found - set(listed))
    assert (missing, extra) == ([], []), f"planted but not found: {missing}; found but not planted: {extra}"


def test_rekap_validate_finds_exactly_the_planted_k_findings(planted: pd.DataFrame, validated: pd.DataFrame) -> None:
    """K001 lists exactly the planted missing TPS, nothing is unexpected (K002), and K003 reports exactly
    the units holding a missing TPS (the sample spans two kab/kota, so its recap unit is the province)."""
    k = validated[validated["rule"].str[0] == "K"]
    missing = set(planted.loc[planted["rule"] == "K001", "kode_wilayah"])
    assert len(missing) == 3
    assert set(k.loc[k["rule"] == "K001", "kode_wilayah"]) == missing
    assert set(k.loc[k["rule"] == "K001", "field"]) == {"kode_tps"}
    assert "K002" not in set(k["rule"])
    k003 = k[k["rule"] == "K003"]
    # A unit is short when it has fewer TPS in the data than expected. A form whose code lost a digit
    # (S005, 12 digits) still names its desa: it is summed there and counts as received there, so it
    # makes up for the expected TPS that K001 names as missing in the same desa.
    malformed = [kode for kode in planted.loc[planted["rule"] == "S005", "kode_wilayah"] if len(kode) == 12]
    short: set[tuple[str, str]] = set()
    for level, n in (("provinsi", 2), ("kabkota", 4), ("kecamatan", 6), ("desa", 10)):
        units = {kode[:n] for kode in missing}
        for unit in units:
            if sum(kode.startswith(unit) for kode in missing) > sum(kode.startswith(unit) for kode in malformed):
                short.add((level, unit))
    assert malformed and len(short) < 4 * len(missing)
    assert set(zip(k003["level"], k003["kode_wilayah"], strict=True)) == short


@pytest.mark.slow
def test_full_variant_has_the_shape_of_the_province(tmp_path: Path) -> None:
    out = tmp_path / "jatim_penuh"
    assert load_generator().main(["--full", "--out", str(out)]) == 0
    master = read_master(out)
    levels = master["level_name"].value_counts()
    kabkota = master.loc[master["level_name"] == "kabkota", "kode"]
    assert sorted(kabkota) == [f"35{n:02d}" for n in (*range(1, 30), *range(71, 80))]
    assert levels["kecamatan"] == 666
    assert levels["desa"] == 8494
    expected = expected_tps(master)
    assert len(expected) == 60751 == int(master.loc[master["kode"] == "35", "n_tps"].iloc[0])
    assert len(list((out / "tps").glob("tps_*.csv"))) == 38
    tps = read_tps(out)
    in_files = set(tps.loc[wellformed(tps["kode_tps"]), "kode_tps"])
    missing = {kode for _, _, kode in planted_set(read_planted(out), "K001")}
    assert in_files | missing == expected and not in_files & missing
