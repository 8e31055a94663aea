"""The scope of a command: which regions its answer is about (domain.md §4).

The scope is `--wilayah CODE` (repeatable, any level: provinsi 2, kab/kota 4, kecamatan 6, desa 10
digits), else the data's own *root*: the smallest recap unit holding every TPS that can be placed (one
kecamatan for a PPK's file, a kab/kota, a province, or the whole country). Everything rekap reports is
about the scope units and the units under them:

- with `--wilayah`, TPS rows outside it are left out (and counted as such), as are the region list's units
  and the reported recaps' rows outside it;
- a unit above the scope (nasional for one province's data, the province for one kab/kota) is only partly
  covered: its sum would look complete and is not, so it is left out of every recap output, and a reported
  recap of it is listed as not compared;
- coverage and expected counts are computed for the scope units and the units under them.

Codes are checked here and inlined into SQL as literals only after that check (digits only).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import duckdb

from rekap.errors import UsageError
from rekap.i18n import _
from rekap.regions import LEVEL_OF_LENGTH, NATIONAL_CODE


@dataclass(frozen=True)
class Scope:
    units: tuple[str, ...]
    """Scope unit codes, sorted, none under another; `("00",)` is the whole country."""
    given: bool
    """True when the user gave them (`--wilayah`), False when they are the data's root."""

    @property
    def national(self) -> bool:
        return self.units == (NATIONAL_CODE,)

    def levels(self) -> list[str]:
        return ["nasional" if u == NATIONAL_CODE else LEVEL_OF_LENGTH[len(u)] for u in self.units]

    def under_sql(self, code: str, level: str | None = None) -> str:
        """SQL: the unit (`code`, and `level` when given) is a scope unit or lies under one."""
        if self.national:
            return "true"
        tests = " OR ".join(f"starts_with({code}, '{u}')" for u in self.units)
        not_nas = f"{level} <> 'nasional' AND " if level is not None else f"{code} <> '{NATIONAL_CODE}' AND "
        return f"({not_nas}({tests}))"

    def tps_sql(self, code: str) -> str:
        """SQL: a TPS code lies in the scope (used to filter rows by `--wilayah`)."""
        if self.national:
            return "true"
        return "(" + " OR ".join(f"starts_with({code}, '{u}')" for u in self.units) + ")"

    def to_json(self) -> dict[str, object]:
        return {"units": [{"level": lv, "kode_wilayah": u} for lv, u in zip(self.levels(), self.units, strict=True)],
                "from": "--wilayah" if self.given else "data"}


def parse_wilayah(codes: Sequence[str] | None) -> Scope | None:
    """`--wilayah` values: region codes of any level, dots and spaces allowed (`35.78`). None when none given."""
    if not codes:
        return None
    clean: list[str] = []
    for given in codes:
        for part in str(given).split(","):
            code = "".join(ch for ch in part if ch not in ". \t")
            if not code:
                continue
            if code in ("0", "00"):
                clean.append(NATIONAL_CODE)
                continue
            if not code.isdigit() or len(code) not in LEVEL_OF_LENGTH:
                raise UsageError(
                    _("--wilayah {value!r}: bukan kode wilayah", value=part.strip()),
                    hint=_("berikan kode provinsi (2 angka), kab/kota (4), kecamatan (6) atau desa (10), "
                           "mis. --wilayah 3171"),
                )
            clean.append(code)
    if not clean:
        raise UsageError(_("--wilayah: tidak ada kode wilayah yang diberikan"), hint=_("mis. --wilayah 3171"))
    return Scope(units=_outermost(clean), given=True)


def _outermost(codes: Iterable[str]) -> tuple[str, ...]:
    """Drop codes that lie under another one given (31 and 3171 → 31)."""
    ordered = sorted(set(codes), key=lambda c: (len(c), c))
    if NATIONAL_CODE in ordered:
        return (NATIONAL_CODE,)
    kept: list[str] = []
    for c in ordered:
        if not any(c.startswith(k) for k in kept):
            kept.append(c)
    return tuple(sorted(kept))


def data_root(con: duckdb.DuckDBPyConnection, code_range: tuple[int, str | None, str | None] | None = None) -> Scope:
    """The smallest recap unit holding every placeable TPS of `rk_tps` (its code names a desa): a kecamatan,
    kab/kota, provinsi or the country. A desa is never the root (it has no recap step). `code_range` (count,
    smallest, largest placeable code), when the caller already has it from a scan of the same rows, saves the
    scan here."""
    # The codes are digits, so a prefix of the smallest code is the smallest prefix: all codes share a prefix
    # exactly when the smallest and the largest do (no count of distinct prefixes per level).
    row = code_range or con.execute(
        """SELECT count(*), min(kode_tps), max(kode_tps)
           FROM rk_tps WHERE regexp_full_match(left(kode_tps, 10), '[0-9]{10}')"""
    ).fetchall()[0]
    if not row[0]:
        return Scope(units=(NATIONAL_CODE,), given=False)
    low, high = str(row[1]), str(row[2])
    for n in (6, 4, 2):
        if low[:n] == high[:n]:
            return Scope(units=(low[:n],), given=False)
    return Scope(units=(NATIONAL_CODE,), given=False)


SCOPE_TABLE = "rk_scope"


def store(con: duckdb.DuckDBPyConnection, scope: Scope) -> None:
    """Keep the scope in the session (`rk_scope(level, kode)`) for every step after loading."""
    con.execute(f"CREATE OR REPLACE TABLE {SCOPE_TABLE} (level VARCHAR, kode VARCHAR, given BOOLEAN)")
    con.executemany(
        f"INSERT INTO {SCOPE_TABLE} VALUES (?, ?, ?)",
        [[lv, u, scope.given] for lv, u in zip(scope.levels(), scope.units, strict=True)],
    )


def load(con: duckdb.DuckDBPyConnection) -> Scope | None:
    """The scope stored by `store`, or None."""
    from rekap.db import table_exists

    if not table_exists(con, SCOPE_TABLE):
        return None
    rows = con.execute(f"SELECT kode, given FROM {SCOPE_TABLE} ORDER BY kode").fetchall()
    if not rows:
        return None
    return Scope(units=tuple(str(r[0]) for r in rows), given=bool(rows[0][1]))
