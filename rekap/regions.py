"""The vocabulary of regions: the levels of the recap ladder and their codes (domain.md §1).

The one home of the level list (top-down), the code length of each level, the national code, the
parent of a level and the SQL rank of a level; every other module takes them from here. Level names
for people (Indonesian and English) live with the other texts in `rekap.i18n`.

Codes are Kemendagri codes without dots; each starts with its parent's code: provinsi 2 digits,
kab/kota 4, kecamatan 6, desa 10, TPS 13 (the desa code and a 3-digit TPS number). The one nasional
unit has the code `00`.
"""

from __future__ import annotations

import re

LEVELS: tuple[str, ...] = ("nasional", "provinsi", "kabkota", "kecamatan", "desa")
"""The recap levels, top-down: the order of every output (recap rows, sheets, coverage)."""
UNIT_LEVELS: tuple[str, ...] = LEVELS[1:]
"""The levels with a code of their own (all but nasional)."""
TPS = "tps"
"""The level of a TPS finding (below desa; not a recap level)."""
NATIONAL_CODE = "00"
"""The code of the one nasional unit in recap rows (Sirekap and the KPU list write `00` or nothing)."""

PREFIX: dict[str, int] = {"provinsi": 2, "kabkota": 4, "kecamatan": 6, "desa": 10}
"""The code length of each unit level: a TPS code's first PREFIX[level] digits are its unit's code."""
CODE_LENGTH: dict[str, int] = {**PREFIX, TPS: 13}
LEVEL_OF_LENGTH: dict[int, str] = {n: level for level, n in PREFIX.items()}
DEPTH: dict[str, int] = {level: i for i, level in enumerate(LEVELS)}
"""0 for nasional … 4 for desa."""

CODE_COLUMN: dict[str, str] = {
    "provinsi": "kode_prov",
    "kabkota": "kode_kabkota",
    "kecamatan": "kode_kec",
    "desa": "kode_desa",
    TPS: "kode_tps",
}
NAME_COLUMN: dict[str, str] = {
    "provinsi": "nama_prov",
    "kabkota": "nama_kabkota",
    "kecamatan": "nama_kec",
    "desa": "nama_desa",
    TPS: "nama_tps",
}

TOP_LEVEL: dict[str, str] = {"pkwkp": "provinsi", "pkwkk": "kabkota"}
"""Highest level each election type is recapped to (governors to the province, regents and mayors to
their kab/kota); the others go to nasional."""

LEVEL_WORDS: dict[str, str] = {
    "nasional": "nasional", "national": "nasional", "nas": "nasional", "pusat": "nasional",
    "provinsi": "provinsi", "propinsi": "provinsi", "prov": "provinsi", "province": "provinsi",
    "kabkota": "kabkota", "kabupatenkota": "kabkota", "kabupaten": "kabkota", "kota": "kabkota",
    "kab": "kabkota", "kabkot": "kabkota", "regency": "kabkota", "city": "kabkota", "regencycity": "kabkota",
    "kecamatan": "kecamatan", "kec": "kecamatan", "district": "kecamatan",
    "desa": "desa", "kelurahan": "desa", "desakelurahan": "desa", "kel": "desa", "deskel": "desa",
    "desakel": "desa", "village": "desa", "tps": TPS,
}
"""Level names as people write them, folded to lower-case letters only (`Kab/Kota` → `kabkota`,
`Desa/Kelurahan` → `desakelurahan`), onto the levels."""


def level_of_word(text: str) -> str | None:
    """The level a word names ("Kabupaten", "kab/kota", "KELURAHAN", "prov"), or None."""
    return LEVEL_WORDS.get(re.sub(r"[^a-z]", "", str(text).lower()))


def parse_levels(text: str) -> list[str]:
    """Recap levels from `--level`: `all`, or a comma list of level names as people write them
    (kabupaten, kota, kab/kota, kelurahan, desa/kelurahan, prov …, any case); top-down.

    Raises ValueError carrying the word that names no recap level ('' when no level is given); the caller
    says so in the user's language (this module holds no texts)."""
    if text.strip().lower() in ("all", "semua"):
        return list(LEVELS)
    chosen = []
    for p in (p.strip() for p in text.split(",")):
        if not p:
            continue
        level = level_of_word(p)
        if level not in LEVELS:
            raise ValueError(p)
        chosen.append(level)
    if not chosen:
        raise ValueError("")
    return [level for level in LEVELS if level in chosen]


def parent_level(level: str) -> str | None:
    """The level above (desa → kecamatan … provinsi → nasional); None for nasional and unknown levels."""
    if level == TPS:
        return "desa"
    depth = DEPTH.get(level)
    return LEVELS[depth - 1] if depth else None


def level_of_code(code: str) -> str | None:
    """The level of a unit code by its length (`00` is nasional), or None."""
    if code == NATIONAL_CODE:
        return "nasional"
    return LEVEL_OF_LENGTH.get(len(code)) if code.isdigit() else None


def level_of_code_sql(code: str) -> str:
    """SQL: the level of a unit code by its length (`00` is nasional), NULL for any other length; the SQL
    twin of `level_of_code`. `code` is an SQL expression, never input text."""
    whens = " ".join(f"WHEN {n} THEN '{lv}'" for n, lv in LEVEL_OF_LENGTH.items())
    return f"CASE WHEN {code} = '{NATIONAL_CODE}' THEN 'nasional' ELSE CASE length({code}) {whens} END END"


def rank_sql(column: str) -> str:
    """SQL: a sort key putting levels top-down (nasional 0 … desa 4, tps 5, anything else last).
    `column` is an SQL expression (a quoted identifier or a qualified column), never input text."""
    whens = " ".join(f"WHEN '{level}' THEN {i}" for i, level in enumerate((*LEVELS, TPS)))
    return f"CASE {column} {whens} ELSE {len(LEVELS) + 1} END"


def depth_sql(column: str) -> str:
    """SQL: the depth of a recap level (nasional 0 … desa 4; NULL for anything else)."""
    return "CASE " + " ".join(f"WHEN {column} = '{level}' THEN {d}" for level, d in DEPTH.items()) + " END"


def ancestor_sql(code: str, depth: str) -> str:
    """SQL: the code of the ancestor at `depth` (0 = nasional) of a unit whose code is `code`."""
    parts = [f"WHEN {depth} = 0 THEN '{NATIONAL_CODE}'"]
    parts += [f"WHEN {depth} = {DEPTH[level]} THEN left({code}, {n})" for level, n in PREFIX.items()]
    return "CASE " + " ".join(parts) + " END"


def levels_sql(levels: tuple[str, ...] = LEVELS) -> str:
    """SQL list literal of level names (`['nasional', 'provinsi', …]`), e.g. to index by depth + 1."""
    return "[" + ", ".join(f"'{level}'" for level in levels) + "]"
