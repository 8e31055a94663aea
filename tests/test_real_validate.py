"""Acceptance on the real Pilpres 2024 data: rule results equal an independent pandas computation,
and the same rows give the same findings whatever the format (CSV, staff XLSX, Sirekap JSONL).

These tests skip when ../shared/data/real is absent.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import real_file, run_cli

pytestmark = pytest.mark.real

TRIPLES = ["pemilih_dpt", "pengguna_dpt", "pengguna_dptb", "pengguna_non_dpt", "pengguna_total"]


def independent_a_rules(df: pd.DataFrame) -> dict[str, set[tuple[str, str]]]:
    """The formulas of domain.md §3 written again, separately from rekap's SQL: (kode_tps, field) per rule.

    An empty cell makes the equation not applicable for that TPS; columns absent from the file
    (pengguna_dpph in Pemilu data) count as 0.
    """
    out: dict[str, set[tuple[str, str]]] = {}
    kode = df["kode_tps"]

    def flagged(mask: pd.Series, field: str) -> set[tuple[str, str]]:
        return {(k, field) for k in kode[mask.fillna(False).astype(bool)]}

    def ok(*cols: str) -> pd.Series:
        return df[list(cols)].notna().all(axis=1)

    a001: set[tuple[str, str]] = set()
    for g in TRIPLES:
        l, p, j = f"{g}_l", f"{g}_p", f"{g}_j"
        a001 |= flagged(ok(l, p, j) & (df[l] + df[p] != df[j]), j)
    out["A001"] = a001
    a003: set[tuple[str, str]] = set()
    a004: set[tuple[str, str]] = set()
    for s in "lpj":
        parts = [f"pengguna_dpt_{s}", f"pengguna_dptb_{s}", f"pengguna_non_dpt_{s}"]
        total = f"pengguna_total_{s}"
        a003 |= flagged(ok(total, *parts) & (df[parts].sum(axis=1) != df[total]), total)
        a004 |= flagged(ok(f"pengguna_dpt_{s}", f"pemilih_dpt_{s}") & (df[f"pengguna_dpt_{s}"] > df[f"pemilih_dpt_{s}"]), f"pengguna_dpt_{s}")
    out["A003"], out["A004"] = a003, a004
    paslon = ["suara_paslon_1", "suara_paslon_2", "suara_paslon_3"]
    out["A006"] = flagged(ok(*paslon, "suara_sah") & (df[paslon].sum(axis=1) != df["suara_sah"]), "suara_sah")
    out["A007"] = flagged(
        ok("suara_sah", "suara_tidak_sah", "suara_total") & (df["suara_sah"] + df["suara_tidak_sah"] != df["suara_total"]),
        "suara_total",
    )
    out["A009"] = flagged(ok("suara_total", "pengguna_total_j") & (df["suara_total"] != df["pengguna_total_j"]), "suara_total")
    bound = ["pemilih_dpt_j", "pengguna_dptb_j", "pengguna_non_dpt_j"]
    out["A012"] = flagged(ok("suara_total", *bound) & (df["suara_total"] > df[bound].sum(axis=1)), "suara_total")
    return out


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, pa.Table]:
    src = real_file("ppwp2024_tps_36prov.parquet")
    out = tmp_path_factory.mktemp("nat") / "findings.parquet"
    res = run_cli(["validate", str(src), "--select", "A", "-f", "parquet", "-o", str(out), "-q"])
    return res.code, pq.read_table(out)


def test_a_rules_equal_independent_pandas_computation(national: tuple[int, pa.Table]) -> None:
    code, findings = national
    assert code == 1
    df = pd.read_parquet(real_file("ppwp2024_tps_36prov.parquet"))
    assert len(df) == 443_968
    expected = independent_a_rules(df)
    got = findings.to_pandas()
    for rule, want in expected.items():
        have = set(zip(got.loc[got["rule"] == rule, "kode_wilayah"], got.loc[got["rule"] == rule, "field"], strict=True))
        assert have == want, f"{rule}: {len(have ^ want)} differences, e.g. {sorted(have ^ want)[:5]}"
        assert want, f"{rule} flags nothing on the real data; the comparison would prove nothing"
    # The README's counts of the real data's known quirks.
    assert len({k for k, _ in expected["A006"]}) == 12_801
    assert len({k for k, _ in expected["A009"]}) == 20_502


def test_findings_carry_exact_numbers(national: tuple[int, pa.Table]) -> None:
    _, findings = national
    t = findings.to_pandas()
    assert (t["selisih"] == t["actual"] - t["expected"]).all()
    assert t["row"].min() >= 2 and t["source"].str.endswith("ppwp2024_tps_36prov.parquet").all()


def _comparable(rows: list[dict[str, Any]], drop_rules: tuple[str, ...] = ()) -> list[tuple[Any, ...]]:
    return sorted(
        (r["rule"], r["kode_wilayah"] or "", r["field"] or "", r["expected"], r["actual"], r["message"])
        for r in rows
        if r["rule"] not in drop_rules
    )


def _findings(args: list[str]) -> tuple[int, list[dict[str, Any]], str]:
    res = run_cli(["validate", *args, "-f", "json"])
    assert res.code in (0, 1), res.stderr
    return res.code, json.loads(res.stdout), res.stderr


def test_dki_csv_and_staff_xlsx_give_the_same_findings(tmp_path: Path) -> None:
    from xlsx_fixtures import write_staff_xlsx

    src = real_file("ppwp2024_tps_dki_jakarta.csv")
    code_csv, from_csv, _ = _findings([str(src), "--election", "ppwp"])
    table = pa.Table.from_pandas(pd.read_csv(src, dtype=str, keep_default_na=False, na_values=[""]), preserve_index=False)
    xlsx = tmp_path / "dki_staff.xlsx"
    write_staff_xlsx(table, xlsx, title_rows=2)
    code_xlsx, from_xlsx, stderr = _findings([str(xlsx), "--election", "ppwp"])
    assert "baris judul kolom di baris 3" in stderr
    assert code_csv == code_xlsx == 1
    assert len(from_csv) > 10_000
    assert _comparable(from_csv) == _comparable(from_xlsx)
    # Row numbers follow each file's own layout: two title rows push every record down by two.
    csv_rows = {(r["rule"], r["kode_wilayah"], r["field"]): r["row"] for r in from_csv}
    assert all(csv_rows[(r["rule"], r["kode_wilayah"], r["field"])] + 2 == r["row"] for r in from_xlsx)


def test_sirekap_jsonl_gives_the_same_findings_as_its_rows_as_csv(tmp_path: Path) -> None:
    raw = real_file("raw/sirekap_ppwp_tps_raw_dki_sample.jsonl")
    paslon = real_file("ppwp2024_paslon.csv")
    ids = {r["paslon_id"]: r["column"] for r in csv.DictReader(open(paslon, encoding="utf-8"))}
    # Independent conversion: de-duplicate the lines, then flatten chart/administrasi by hand.
    seen: set[str] = set()
    rows: list[dict[str, Any]] = []
    for line in raw.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        data = rec["data"]
        # The dump repeats records under other file names: the Sirekap record itself is what repeats.
        key = rec["kode_tps"] + json.dumps(data, sort_keys=True)
        if key in seen:
            continue
        seen.add(key)
        row: dict[str, Any] = {"kode_tps": rec["kode_tps"]}
        for key, value in (data.get("chart") or {}).items():
            if key in ids:
                row[ids[key]] = value
        row.update(data.get("administrasi") or {})
        rows.append(row)
    assert len(rows) == 1_000
    fields = sorted({k for r in rows for k in r}, key=lambda k: (k != "kode_tps", k))
    flat = tmp_path / "flat.csv"
    with open(flat, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
    _, from_jsonl, _ = _findings([str(raw), "--paslon", str(paslon), "--election", "ppwp"])
    _, from_csv, _ = _findings([str(flat), "--election", "ppwp"])
    dupes = [r for r in from_jsonl if r["rule"] == "S004"]
    assert len(dupes) == 53
    assert _comparable(from_jsonl, drop_rules=("S004",)) == _comparable(from_csv)
    assert any(r["rule"].startswith("A") for r in from_csv)
