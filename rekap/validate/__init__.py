"""Validation engine: typed TPS table, then every selected rule as one set-based DuckDB query.

    ds = load_dataset(con, ["tps.csv"], tmpdir)
    report = validate(ds, rules=select_rules(None, None))
    report.findings  # pyarrow.Table of finding records (domain.md §5)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

if TYPE_CHECKING:
    import pyarrow as pa

from rekap.config import DEFAULTS, Thresholds, thresholds_rows
from rekap.db import count
from rekap.election import InputElection, check_match
from rekap.io import RAW_ALL, Dataset
from rekap.regions import LEVEL_OF_LENGTH
from rekap.schema import (
    ELECTIONS,
    NUMERIC_COLUMNS,
    PASLON_COLUMNS,
    PILKADA,
    quote_ident,
)
from rekap.scope import Scope, data_root, store
from rekap.validate.completeness import drop_scope, ensure_scope
from rekap.validate.registry import (
    SEVERITY_RANK,
    Check,
    Context,
    NotApplicable,
    Rule,
    all_rules,
    select_rules,
)

FINDING_FIELDS: tuple[str, ...] = (
    "rule", "severity", "level", "kode_wilayah", "field", "expected", "actual", "selisih", "message", "source", "row",
)
FINDING_TYPES: dict[str, str] = {
    "rule": "VARCHAR", "severity": "VARCHAR", "level": "VARCHAR", "kode_wilayah": "VARCHAR", "field": "VARCHAR",
    "expected": "BIGINT", "actual": "BIGINT", "selisih": "BIGINT", "message": "VARCHAR", "source": "VARCHAR",
    "row": "BIGINT",
}
FINDINGS_TABLE = "rk_findings_out"

MACROS = r"""
CREATE OR REPLACE MACRO rk_blank(x) AS x IS NULL OR trim(replace(x, chr(160), ' ')) IN ('', '-');
CREATE OR REPLACE MACRO rk_count_slow(s) AS CASE
    WHEN s IN ('', '-') THEN NULL
    WHEN regexp_full_match(s, '\+?[0-9]{1,19}') THEN TRY_CAST(s AS BIGINT)
    WHEN regexp_full_match(s, '[0-9]{1,3}(\.[0-9]{3})+|[0-9]{1,3}(,[0-9]{3})+')
        THEN TRY_CAST(replace(replace(s, '.', ''), ',', '') AS BIGINT)
    WHEN regexp_full_match(s, '[0-9]+[.,]0{1,2}') THEN TRY_CAST(regexp_extract(s, '^[0-9]+') AS BIGINT)
    ELSE NULL END;
CREATE OR REPLACE MACRO rk_count(x) AS CASE
    WHEN x IS NULL THEN NULL
    WHEN TRY_CAST(x AS BIGINT)::VARCHAR = x AND NOT starts_with(x, '-') THEN TRY_CAST(x AS BIGINT)
    ELSE rk_count_slow(trim(replace(x, chr(160), ' '))) END;
CREATE OR REPLACE MACRO rk_code_slow(x) AS nullif(regexp_replace(trim(x), '[.\s]', '', 'g'), '');
CREATE OR REPLACE MACRO rk_code(x) AS CASE
    WHEN contains(x::VARCHAR, '.') OR contains(x::VARCHAR, ' ') OR contains(x::VARCHAR, chr(9))
      OR contains(x::VARCHAR, chr(10)) OR contains(x::VARCHAR, chr(13)) OR contains(x::VARCHAR, chr(160))
      OR x::VARCHAR = '' THEN rk_code_slow(x::VARCHAR)
    ELSE x::VARCHAR END;
"""


@dataclass
class ValidationReport:
    con: duckdb.DuckDBPyConnection
    """The connection holding the findings (table `rk_findings_out`, in output order)."""
    rules_run: list[str]
    not_applicable: dict[str, NotApplicable]
    counts: dict[str, int]
    """Findings per rule."""
    severity_counts: dict[str, int]
    tps_checked: int
    rows_read: int
    rows_used: int
    rows_rejected: int
    rows_duplicate: int
    elections: dict[str, int]
    notes: list[str] = field(default_factory=list)

    @property
    def findings(self) -> pa.Table:
        """The finding records (domain.md §5) as an Arrow table, in output order."""
        if self._arrow is None:
            self._arrow = self.con.sql(f"SELECT * FROM {FINDINGS_TABLE}").to_arrow_table()
        return self._arrow

    _arrow: pa.Table | None = field(default=None, repr=False)
    reported_sources: list[dict[str, object]] = field(default_factory=list)
    """Reported recaps compared into this report (rekap compare / run)."""
    rows_outside: int = 0
    """Rows left out because their TPS lies outside `--wilayah`: read = used + rejected + outside."""
    scope: Scope | None = None
    """What the answer is about: `--wilayah`, or the data's root unit (rekap.scope)."""
    election_flag: str | None = None
    election_inputs: list[InputElection] = field(default_factory=list)
    """Each input's election type(s) and where they came from (TPS files, then reported recaps)."""

    def worst(self) -> str | None:
        present = [s for s, n in self.severity_counts.items() if n]
        return max(present, key=lambda s: SEVERITY_RANK[s]) if present else None

    def fails(self, fail_on: str) -> bool:
        if fail_on == "never":
            return False
        limit = SEVERITY_RANK[fail_on]
        return any(n and SEVERITY_RANK[s] >= limit for s, n in self.severity_counts.items())


def _column_types(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    return {str(r[0]): str(r[1]) for r in con.execute(f"DESCRIBE {quote_ident(table)}").fetchall()}


def _typed_count(name: str, dtype: str) -> str:
    col = f"r.{quote_ident(name)}"
    if dtype == "VARCHAR":
        # The lax cast is computed once in the inner query (`_v_<name>`); only a cell whose cast does
        # not print back as the same text (" 12", "1.234", "12.5", "+7") takes the strict slow path.
        v = f"r.{quote_ident('_v_' + name)}"
        return (
            f"CASE WHEN {v}::VARCHAR = {col} AND {v} >= 0 THEN {v} WHEN {col} IS NULL THEN NULL "
            f"ELSE rk_count_slow(trim(replace({col}, chr(160), ' '))) END"
        )
    # TRY_CAST: a native value beyond 64 bits (UBIGINT, HUGEINT, DECIMAL(38)) is S002, not a crash.
    if any(k in dtype for k in ("INT", "HUGEINT")):
        return f"CASE WHEN {col} >= 0 THEN TRY_CAST({col} AS BIGINT) END"
    if any(k in dtype for k in ("DOUBLE", "FLOAT", "DECIMAL", "REAL")):
        return f"CASE WHEN {col} >= 0 AND {col} = floor({col}) AND {col} < 9.2e18 THEN TRY_CAST({col} AS BIGINT) END"
    return f"rk_count({col}::VARCHAR)"


def _election_expr(ds: Dataset, columns: list[str], election: str | None) -> str:
    """The SQL of a row's election type: its own `jenis_pemilihan` when valid, else `--election`, else the
    type guessed from the columns of its own file (two files of one command can hold different races)."""
    from rekap.election import check_flag, guess_from_columns

    check_flag(election)
    fallbacks = {s.index: election or guess_from_columns(s.mapping.mapping).election for s in ds.sources}
    distinct = set(fallbacks.values())
    if len(distinct) <= 1:
        fallback = f"'{distinct.pop() if distinct else election or 'ppwp'}'"
    else:
        fallback = "CASE r._file " + " ".join(f"WHEN {i} THEN '{e}'" for i, e in fallbacks.items()) + " END"
    if "jenis_pemilihan" in columns:
        # A row's own type wins; unknown or empty ones fall back to --election or the guess.
        return (
            "CASE WHEN lower(trim(r.jenis_pemilihan)) IN ("
            + ", ".join(f"'{e}'" for e in ELECTIONS)
            + f") THEN lower(trim(r.jenis_pemilihan)) ELSE {fallback} END"
        )
    return fallback


def tps_elections(ds: Dataset, election: str | None) -> list[InputElection]:
    """Each TPS input's election types and where they came from (after `prepare`)."""
    from rekap.election import guess_from_columns

    per_file: dict[int, list[str]] = {}
    for f, e in ds.con.execute("SELECT DISTINCT _file, jenis_pemilihan FROM rk_tps ORDER BY 1, 2").fetchall():
        per_file.setdefault(int(f), []).append(str(e))
    out = []
    for s in ds.sources:
        types = tuple(per_file.get(s.index, ()))
        guess = guess_from_columns(s.mapping.mapping)
        evidence: tuple[str, ...] = ()
        if election is not None and types in ((), (election,)):
            origin = "flag"
        elif "jenis_pemilihan" in s.mapping.mapping and _stated(ds, s.index):
            # Sirekap records carry the type of their own address (`/hhcw/ppwp/…`).
            origin = "file" if s.format == "sirekap-json" else "column"
        else:
            origin, evidence = "guess", guess.evidence
        out.append(InputElection(s.name, "tps", types or (election or guess.election,), origin, evidence))
    return out


def _stated(ds: Dataset, index: int) -> bool:
    """Whether a file's own jenis_pemilihan cells name a known type (in at least one row)."""
    if "jenis_pemilihan" not in ds.columns:
        return False
    return count(
        ds.con,
        "SELECT count(*) FROM (SELECT 1 FROM rk_raw WHERE _file = $f AND lower(trim(jenis_pemilihan)) IN ("
        + ", ".join(f"'{e}'" for e in ELECTIONS) + ") LIMIT 1)",
        {"f": index},
    ) > 0


def prepare(
    ds: Dataset,
    *,
    election: str | None = None,
    thresholds: dict[str, Thresholds] | None = None,
    notes: list[str] | None = None,
    lang: str = "en",
    wilayah: Scope | None = None,
) -> dict[str, str]:
    """Build the typed table `rk_tps_base` (one row per distinct record), `rk_dup_extra` (exact
    duplicates beyond the first) and the view `rk_tps` the rules read; return the raw column types."""
    con = ds.con
    notes = notes if notes is not None else []
    con.execute(MACROS)
    drop_scope(con)  # what was received is about the data replaced here
    if wilayah is not None and not wilayah.national:
        # Rows outside --wilayah are left out before anything is checked or summed, and counted.
        inside = wilayah.tps_sql("coalesce(rk_code(kode_tps), '')")
        con.execute(f"CREATE OR REPLACE VIEW rk_raw AS SELECT * FROM {RAW_ALL} WHERE {inside}")
        ds.rows_outside = count(con, f"SELECT (SELECT count(*) FROM {RAW_ALL}) - (SELECT count(*) FROM rk_raw)")
    else:
        con.execute(f"CREATE OR REPLACE VIEW rk_raw AS SELECT * FROM {RAW_ALL}")
        ds.rows_outside = 0
    types = _column_types(con, "rk_raw")
    th = thresholds or DEFAULTS
    canon = [c for c in ds.columns if c in types]
    jenis = _election_expr(ds, canon, election)

    # Only what the rules need is materialised: the code, the counts (typed once), the row's place.
    # Three levels so that every expensive expression runs once and only where it has to: the lax
    # cast (inner), the strict typing (middle, slow path only for odd cells), the S002 flag (outer,
    # looking at the raw text only where typing gave nothing).
    numeric = [c for c in NUMERIC_COLUMNS if c in canon]
    # Per row when a column holds the type or when files of one command fall back to different guesses.
    per_row_election = "jenis_pemilihan" in canon or jenis.startswith("CASE")
    lax = "".join(
        f", TRY_CAST({quote_ident(c)} AS BIGINT) AS {quote_ident('_v_' + c)}" for c in numeric if types[c] == "VARCHAR"
    )
    middle = ["r._k", "r.kode_tps", "r._row", "r._file"]
    outer = [
        "m._k AS kode_tps",
        "CASE WHEN m.kode_tps::VARCHAR IS DISTINCT FROM m._k THEN m.kode_tps::VARCHAR END AS _kode_raw",
    ]
    if "sumber" in canon:
        # S003 compares copies of a TPS within one source.
        middle.append("r.sumber::VARCHAR AS sumber")
        outer.append("m.sumber")
    if per_row_election:
        middle.append(f"{jenis} AS jenis_pemilihan")
        outer.append("m.jenis_pemilihan")
    bad = []
    for c in numeric:
        typed, raw = quote_ident("_t_" + c), quote_ident(c)
        middle += [f"{_typed_count(c, types[c])} AS {typed}", f"r.{raw}"]
        outer.append(f"m.{typed} AS {raw}")
        bad.append(f"CASE WHEN m.{typed} IS NOT NULL OR m.{raw} IS NULL THEN false ELSE NOT rk_blank(m.{raw}::VARCHAR) END")
    outer.append(f"({' OR '.join(bad) if bad else 'false'}) AS _s002")
    outer += ["m._row", "m._file"]
    con.execute(
        f"""CREATE OR REPLACE TABLE rk_tps_base AS
            SELECT {', '.join(outer)}
            FROM (SELECT {', '.join(middle)}
                  FROM (SELECT *, coalesce(rk_code(kode_tps), '') AS _k{lax} FROM rk_raw) r) m"""
    )
    stats = con.execute("SELECT count(*), count(DISTINCT kode_tps), count(*) FILTER (_s002) FROM rk_tps_base").fetchall()[0]
    con.execute("CREATE OR REPLACE TABLE rk_stats AS SELECT $d::BIGINT AS distinct_tps", {"d": stats[1]})
    ds.duplicate_codes = stats[0] != stats[1]
    ds.bad_cells = stats[2] > 0
    if stats[0] != stats[1]:
        # Exact duplicates: only rows whose TPS code occurs more than once need a full-row comparison.
        row_hash = "hash(" + ", ".join(f"r.{quote_ident(c)}" for c in canon) + ")"
        con.execute(
            f"""CREATE OR REPLACE TABLE rk_dup_extra AS
                WITH d AS (SELECT kode_tps FROM rk_tps_base GROUP BY 1 HAVING count(*) > 1),
                h AS (SELECT coalesce(rk_code(r.kode_tps), '') AS kode_wilayah, r._row, r._file, {row_hash} AS h
                      FROM rk_raw r WHERE coalesce(rk_code(r.kode_tps), '') IN (SELECT kode_tps FROM d)),
                ranked AS (SELECT *, row_number() OVER w AS n, first(_file) OVER w AS first_file,
                                  first(_row) OVER w AS first_row
                           FROM h WINDOW w AS (PARTITION BY kode_wilayah, h ORDER BY _file, _row))
                SELECT kode_wilayah, _file, _row, first_file, first_row FROM ranked WHERE n > 1"""
        )
        con.execute(
            "DELETE FROM rk_tps_base b USING rk_dup_extra x WHERE b._file = x._file AND b._row = x._row"
        )
    else:
        con.execute(
            "CREATE OR REPLACE TABLE rk_dup_extra (kode_wilayah VARCHAR, _file INTEGER, _row BIGINT, "
            "first_file INTEGER, first_row BIGINT)"
        )
    derived = ", ".join(f"left(b.kode_tps, {n}) AS {col}" for col, n in
                        (("kode_prov", 2), ("kode_kabkota", 4), ("kode_kec", 6), ("kode_desa", 10)))
    fields = ("tps_cap", "reserve_rate", "reserve_tolerance", "outlier_z", "outlier_min_delta", "outlier_min_tps", "max_box")
    alias = ("_cap", "_reserve", "_tol", "_z", "_mind", "_minn", "_maxbox")
    if per_row_election:
        rows = thresholds_rows(th)
        con.execute(
            "CREATE OR REPLACE TABLE rk_params (jenis_pemilihan VARCHAR, "
            + ", ".join(f"{f} DOUBLE" for f in fields) + ")"
        )
        con.executemany(
            f"INSERT INTO rk_params VALUES ({', '.join('?' * (len(fields) + 1))})",
            [[r["jenis_pemilihan"], *[r[f] for f in fields]] for r in rows],
        )
        params = ", ".join(f"p.{f} AS {a}" for f, a in zip(fields, alias, strict=True))
        join = "JOIN rk_params p USING (jenis_pemilihan)"
        election_col = ""
    else:
        # One election type for the whole input: the thresholds are constants, no join per check.
        chosen = th[jenis.strip("'")]
        params = ", ".join(f"{float(getattr(chosen, f))!r}::DOUBLE AS {a}" for f, a in zip(fields, alias, strict=True))
        join = ""
        election_col = f", {jenis} AS jenis_pemilihan"
    con.execute(
        f"""CREATE OR REPLACE VIEW rk_tps AS
            SELECT b.*{election_col}, {derived}, left(b.kode_tps, 2) = '99' AS _ln, {params}
            FROM rk_tps_base b {join}"""
    )
    return types


@dataclass(frozen=True)
class MasterInfo:
    """What `load_master` found in a region list."""

    codes: int
    """Distinct region codes (table `rk_master`)."""
    expected_tps: int = 0
    """Expected TPS (table `rk_expected_tps`); 0 when the list has no TPS numbers (Kemendagri list)."""

    @property
    def has_tps(self) -> bool:
        return self.expected_tps > 0




def load_master(con: duckdb.DuckDBPyConnection, path: Path, tmpdir: str | None = None) -> MasterInfo:
    """Region list (KPU or Kemendagri format): a `kode` column of region codes at any level.

    Builds `rk_master(kode)` (every code) and `rk_master_units(kode, level, nama, parent_kode)`
    (level from the code length: provinsi/kabkota/kecamatan/desa; duplicate rows kept once). When the
    list numbers the TPS of each desa (KPU format: `tps_max_no`, optional `tps_ext_from`..`tps_ext_to`),
    also `rk_expected_tps(kode_tps, kode_desa)`: one row per expected TPS, numbers 001..tps_max_no plus
    the special range (9xx), zero-padded to 3 digits. A negative `tps_max_no` -n is the KPU list's way
    of writing a unit with one TPS numbered n (overseas POS/KSK). Without TPS numbers any earlier
    `rk_expected_tps` is dropped, so that nothing downstream mistakes it for this list's.
    """
    from rekap.errors import InputError

    if not path.is_file():
        raise InputError(f"{path}: region list not found")
    from rekap.io.base import literal_path

    shown, path = path, literal_path(path, tmpdir)
    con.execute(MACROS)
    drop_scope(con)  # what is expected is about the list replaced here
    try:
        cols = [r[0] for r in con.execute("DESCRIBE SELECT * FROM read_csv($p, all_varchar = true)", {"p": str(path)}).fetchall()]
    except duckdb.Error as exc:
        raise InputError(f"{shown}: cannot read the region list ({str(exc).splitlines()[0]})") from None
    key = next((c for c in ("kode", "kode_wilayah", "kode_desa") if c in cols), None)
    if key is None:
        raise InputError(f"{shown}: the region list has no 'kode' column", hint="expected the format of wilayah_kpu_pemilu2024.csv")
    wanted = [c for c in ("nama", "tps_max_no", "tps_ext_from", "tps_ext_to") if c in cols]
    try:
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE rk_master_raw AS
                SELECT rk_code({quote_ident(key)}) AS kode{''.join(f', {quote_ident(c)}' for c in wanted)}
                FROM read_csv($p, all_varchar = true, quote = '"')""",
            {"p": str(path)},
        )
    except duckdb.Error as exc:
        raise InputError(f"{shown}: cannot read the region list ({str(exc).splitlines()[0]})") from None
    con.execute("CREATE OR REPLACE TABLE rk_master AS SELECT DISTINCT kode FROM rk_master_raw WHERE kode IS NOT NULL")
    level = "CASE length(kode) " + " ".join(f"WHEN {n} THEN '{lv}'" for n, lv in LEVEL_OF_LENGTH.items()) + " END"
    nama = "min(trim(nama))" if "nama" in cols else "NULL::VARCHAR"
    con.execute(
        f"""CREATE OR REPLACE TABLE rk_master_units AS
            SELECT kode, {level} AS level, {nama} AS nama,
                   CASE length(kode) WHEN 10 THEN left(kode, 6) WHEN 2 THEN NULL ELSE left(kode, length(kode) - 2) END
                       AS parent_kode
            FROM rk_master_raw
            WHERE kode IS NOT NULL AND length(kode) IN ({', '.join(str(n) for n in LEVEL_OF_LENGTH)})
              AND regexp_full_match(kode, '[0-9]+')
            GROUP BY kode ORDER BY kode"""
    )
    expected = 0
    if "tps_max_no" in cols:
        ext = ("TRY_CAST(tps_ext_from AS INTEGER)", "TRY_CAST(tps_ext_to AS INTEGER)") if {
            "tps_ext_from", "tps_ext_to"} <= set(cols) else ("NULL::INTEGER", "NULL::INTEGER")
        # Set-based: each desa row unnests its range of numbers; a desa listed twice gives the same
        # numbers twice, which DISTINCT keeps once.
        con.execute(
            f"""CREATE OR REPLACE TABLE rk_expected_tps AS
                WITH d AS (SELECT DISTINCT kode, TRY_CAST(tps_max_no AS INTEGER) AS m, {ext[0]} AS a, {ext[1]} AS b
                           FROM rk_master_raw WHERE length(kode) = 10 AND regexp_full_match(kode, '[0-9]{{10}}')),
                n AS (SELECT kode, unnest(CASE WHEN m < 0 THEN [-m] ELSE range(1, coalesce(m, 0) + 1) END) AS no FROM d
                      UNION ALL
                      SELECT kode, unnest(range(a, b + 1)) FROM d WHERE a IS NOT NULL AND b IS NOT NULL)
                SELECT DISTINCT (kode || lpad(no::VARCHAR, 3, '0'))::VARCHAR AS kode_tps, kode::VARCHAR AS kode_desa
                FROM n WHERE no BETWEEN 1 AND 999
                ORDER BY kode_tps"""
        )
        expected = count(con, "SELECT count(*) FROM rk_expected_tps")
    if expected == 0:
        con.execute("DROP TABLE IF EXISTS rk_expected_tps")
    con.execute("DROP TABLE IF EXISTS rk_master_raw")
    return MasterInfo(codes=count(con, "SELECT count(*) FROM rk_master"), expected_tps=expected)


def load_dpt(con: duckdb.DuckDBPyConnection, path: Path, tmpdir: str) -> int:
    """Official DPT per TPS (`kode_tps`, `dpt_l`, `dpt_p`, `dpt_j`), CSV or XLSX."""
    from rekap.errors import InputError
    from rekap.io import LoadOptions, read_one
    from rekap.schema import resolve_header

    if not path.is_file():
        raise InputError(f"{path}: DPT list not found")
    raw, _ = read_one(con, path, str(path), "rk_dpt_raw", tmpdir, LoadOptions())
    found: dict[str, str] = {}
    for h in raw.headers:
        key = h.strip().lower()
        canon = {"dpt_l": "l", "dpt_p": "p", "dpt_j": "j"}.get(key)
        res = resolve_header(h)
        if canon is None and res in ("pemilih_dpt_l", "pemilih_dpt_p", "pemilih_dpt_j"):
            canon = res[-1]
        if res == "kode_tps" or key == "kode_tps":
            found["kode_tps"] = h
        elif canon:
            found[f"dpt_{canon}"] = h
    if "kode_tps" not in found or "dpt_j" not in found:
        raise InputError(f"{path}: the DPT list needs columns kode_tps and dpt_j (dpt_l, dpt_p optional)")
    parts = ["rk_code(" + quote_ident(found["kode_tps"]) + ") AS kode_tps"]
    for s in ("l", "p", "j"):
        src = found.get(f"dpt_{s}")
        parts.append(f"rk_count({quote_ident(src)}::VARCHAR) AS dpt_{s}" if src else f"NULL::BIGINT AS dpt_{s}")
    con.execute(f"CREATE OR REPLACE TABLE rk_dpt AS SELECT {', '.join(parts)} FROM rk_dpt_raw")
    n = count(con, "SELECT count(*) FROM rk_dpt")
    return n


def _check_sql(check: Check) -> str:
    if check.sql is not None:
        return check.sql
    return (
        f"SELECT t.kode_tps AS kode_wilayah, '{check.field}' AS field, ({check.expected})::BIGINT AS expected, "
        f"({check.actual})::BIGINT AS actual, {check.detail} AS detail, t._file, t._row "
        f"FROM rk_tps t {check.joins} WHERE {check.violated}"
    )


def _run_rules(
    con: duckdb.DuckDBPyConnection, rules: list[Rule], ctx: Context, lang: str, *, append: bool
) -> tuple[list[str], dict[str, NotApplicable]]:
    """Evaluate `rules` into the ordered findings table (replacing it, or adding to it)."""
    parts: list[tuple[str, str, bool]] = []
    not_applicable: dict[str, NotApplicable] = {}
    rules_run: list[str] = []
    for r in rules:
        built = r.build(ctx)
        if isinstance(built, NotApplicable):
            not_applicable[r.id] = built
            continue
        rules_run.append(r.id)
        # The template is the registry's own text (never input data), inlined as a constant so that
        # DuckDB parses it once rather than per finding.
        template = "'" + r.message(lang).replace("'", "''") + "'"
        for check in built:
            level = "f.level" if check.level == "*" else f"'{check.level}'"
            parts.append((r.id,
                f"""SELECT '{r.id}' AS rule, '{r.severity}' AS severity, {level} AS level,
                           f.kode_wilayah::VARCHAR AS kode_wilayah, f.field::VARCHAR AS field, f.expected, f.actual,
                           (f.actual - f.expected) AS selisih,
                           format({template}, coalesce(f.field, ''), coalesce(f.expected::VARCHAR, ''),
                                  coalesce(f.actual::VARCHAR, ''), coalesce(CASE WHEN f.actual - f.expected > 0 THEN '+' ELSE '' END
                                  || (f.actual - f.expected)::VARCHAR, ''), coalesce(f.detail::VARCHAR, '')) AS message,
                           f._file AS source, f._row AS row
                    FROM ({_check_sql(check)}) f""",
                check.sql is None,
            ))
    con.execute(
        "CREATE OR REPLACE TABLE rk_findings (rule VARCHAR, severity VARCHAR, level VARCHAR, kode_wilayah VARCHAR, "
        "field VARCHAR, expected BIGINT, actual BIGINT, selisih BIGINT, message VARCHAR, source INTEGER, row BIGINT)"
    )
    # Checks with their own CTEs (medians, hashes) run alone, where DuckDB plans them best; the
    # simple ones (one filtered scan each) are scanned, ordered and stored in one statement.
    simple = [part for _, part, is_simple in parts if is_simple]
    for _, part, is_simple in parts:
        if not is_simple:
            con.execute(f"INSERT INTO rk_findings {part}")
    union = "\nUNION ALL\n".join(["SELECT * FROM rk_findings", *simple])
    if append:
        # Earlier findings carry their source's name; map it back to the input order for sorting.
        union += (
            f"\nUNION ALL\nSELECT {', '.join('o.idx' if n == 'source' else 'e.' + quote_ident(n) for n in FINDING_FIELDS)} "
            f"FROM {FINDINGS_TABLE} e LEFT JOIN rk_source_order o ON o.source = e.source"
        )
    con.execute(
        f"""CREATE OR REPLACE TABLE {FINDINGS_TABLE} AS
            SELECT {', '.join('o.source' if n == 'source' else 'f.' + quote_ident(n) for n in FINDING_FIELDS)}
            FROM ({union}) f LEFT JOIN rk_source_order o ON o.idx = f.source
            ORDER BY f.source NULLS LAST, f.row NULLS FIRST, f.rule, f.field, f.kode_wilayah,
                     -- a total order (ties only between identical findings), so the same input gives the
                     -- same bytes: one rule can name one field of one row twice (H003 with two checks)
                     f.level, f.expected NULLS FIRST, f.actual NULLS FIRST, f.message"""
    )
    return rules_run, not_applicable


def add_findings(report: ValidationReport, rules: list[Rule], ctx: Context, lang: str) -> None:
    """Evaluate more rules (e.g. the H rules once reported recaps are compared) into the same report."""
    rules_run, not_applicable = _run_rules(report.con, rules, ctx, lang, append=True)
    report.rules_run += rules_run
    for rule_id in rules_run:
        report.not_applicable.pop(rule_id, None)
    report.not_applicable.update(not_applicable)
    report._arrow = None
    report.counts = {
        str(k): int(v)
        for k, v in report.con.execute(f"SELECT rule, count(*) FROM {FINDINGS_TABLE} GROUP BY rule ORDER BY rule").fetchall()
    }
    report.severity_counts = {s: 0 for s in ("error", "warning", "info")}
    for sev, n in report.con.execute(f"SELECT severity, count(*) FROM {FINDINGS_TABLE} GROUP BY severity").fetchall():
        report.severity_counts[str(sev)] = int(n)


def validate(
    ds: Dataset,
    *,
    rules: list[Rule] | None = None,
    election: str | None = None,
    thresholds: dict[str, Thresholds] | None = None,
    master: Path | None = None,
    dpt: Path | None = None,
    lang: str = "id",
    tmpdir: str = ".",
    wilayah: Scope | None = None,
) -> ValidationReport:
    con = ds.con
    notes: list[str] = []
    types = prepare(ds, election=election, thresholds=thresholds, notes=notes, lang=lang, wilayah=wilayah)
    election_inputs = tps_elections(ds, election)
    check_match(election_inputs, election)
    scope = wilayah or data_root(con)
    store(con, scope)
    rules = rules if rules is not None else all_rules()
    master_info = load_master(con, master, tmpdir) if master is not None else None
    has_master = master_info is not None
    has_dpt = dpt is not None and load_dpt(con, dpt, tmpdir) >= 0
    present = frozenset(c for c in ds.columns if c in types)
    ctx = Context(
        columns=present,
        has_master=has_master,
        has_master_tps=master_info is not None and master_info.has_tps,
        has_dpt=has_dpt,
        paslon=tuple(p for p in PASLON_COLUMNS if p in present),
        text_numeric=frozenset(c for c in present if c in NUMERIC_COLUMNS and types[c] == "VARCHAR"),
        duplicate_codes=ds.duplicate_codes,
        bad_cells=ds.bad_cells,
        lang=lang,
    )
    if ctx.has_master_tps and any(r.family == "K" for r in rules):
        ensure_scope(con)
    rules_run, not_applicable = _run_rules(con, rules, ctx, lang, append=False)
    counts = dict(
        con.execute(f"SELECT rule, count(*) FROM {FINDINGS_TABLE} GROUP BY rule ORDER BY rule").fetchall()
    )
    sev_counts = {s: 0 for s in ("error", "warning", "info")}
    for sev, n in con.execute(f"SELECT severity, count(*) FROM {FINDINGS_TABLE} GROUP BY severity").fetchall():
        sev_counts[sev] = n
    row = count(con, "SELECT count(*) FROM rk_tps_base")
    used = row
    dup = count(con, "SELECT count(*) FROM rk_dup_extra")
    n_dup = dup
    tps = count(con, "SELECT distinct_tps FROM rk_stats")
    elections = dict(con.execute("SELECT jenis_pemilihan, count(*) FROM rk_tps GROUP BY 1 ORDER BY 1").fetchall())
    if any(e in PILKADA for e in elections) and "pengguna_non_dpt_j" in present:
        notes.append("pengguna_non_dpt (DPK) is a Pemilu column but the election type is Pilkada")
    return ValidationReport(
        con=con,
        rules_run=rules_run,
        not_applicable=not_applicable,
        counts={str(k): int(v) for k, v in counts.items()},
        severity_counts=sev_counts,
        tps_checked=tps,
        rows_read=ds.rows_read,
        rows_used=used,
        rows_rejected=ds.rows_rejected + n_dup,
        rows_duplicate=n_dup,
        elections={str(k): int(v) for k, v in elections.items()},
        notes=notes,
        rows_outside=ds.rows_outside,
        scope=scope,
        election_flag=election,
        election_inputs=election_inputs,
    )


__all__ = ["FINDING_FIELDS", "FINDING_TYPES", "FINDINGS_TABLE", "MasterInfo", "ValidationReport", "add_findings", "load_master", "prepare", "select_rules", "validate"]
