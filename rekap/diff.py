"""What changed between two versions of the same TPS (`rekap diff`; domain.md §3 D and X, §5, §7).

The session loads and types each side with the readers and the structure rules, then hands the typed rows
to this module (`capture`), which keeps them as `rk_diff_old` / `rk_diff_new`: the first copy of every TPS
(a TPS twice in one side is S003/S004 there, and only its first copy is compared), with the cells that did
not read as counts (S002) set apart so that an unreadable cell is never taken for a withdrawn value.

`compare_sides` joins the two sides once (a full outer join on election type and `kode_tps`), keeps only the
TPS that differ, and unnests the fields that differ:

- `rk_diff_cells`: every (TPS, field) whose value differs, TPS on one side only included (for `--level`);
- `rk_diff_records`: the change records (§5) with their place in each side (file, row) and, for a value
  corrected in place, the misread signature (D006 / X001: one look-alike digit replaced, or one digit
  inserted or dropped).

The A-rules of both forms of each changed TPS (evaluated by the session over those TPS only) come back as
`rk_diff_afail_old` / `rk_diff_afail_new`; `finish` derives what the D and X rules read from them (forms
broken by a correction: D003; vote shifts: D004; whether a correction made the form pass what it failed) and
the public table `rk_changes`. `units` adds Σ new − Σ old per unit and field (`--level`). Python never
loops over rows: every step is one set-based query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import duckdb

from rekap.db import CHANGES_TABLE, UNITS_TABLE, count, literal, replace_relation, table_exists
from rekap.regions import LEVELS, PREFIX, TOP_LEVEL
from rekap.schema import PASLON_COLUMNS, quote_ident

if TYPE_CHECKING:
    from rekap.dataset import SkippedSheet
    from rekap.election import InputElection
    from rekap.scope import Scope
    from rekap.validate import ValidationReport

CHANGE_FIELDS: tuple[str, ...] = (
    "kode_wilayah", "field", "old", "new", "selisih", "change", "rules", "old_source", "new_source",
)
UNIT_FIELDS: tuple[str, ...] = ("level", "kode_wilayah", "nama_wilayah", "field", "old", "new", "selisih",
                                 "n_tps_changed")
CHANGES = ("added", "removed", "changed", "tps_added", "tps_removed")
"""The `change` codes: stable data, never translated."""
MODES = ("time", "sources")
"""`time`: OLD → NEW snapshots (D rules); `sources`: two sources of the same TPS at one time (X rules)."""

LOOKALIKE: tuple[tuple[str, str], ...] = (
    ("1", "7"), ("3", "8"), ("5", "6"), ("0", "8"), ("6", "8"), ("9", "8"), ("4", "9"), ("2", "7"),
)
"""Digits that OCR and hurried copying take for each other (domain.md §3, D006)."""
SIDES = ("old", "new")


@dataclass
class Side:
    """One side of a diff as read: its files, what they held and how the rows were accounted for."""

    label: str
    """How the side is named to people: LAMA/BARU (OLD/NEW), or the `--sources` name."""
    paths: list[str]
    sources: list[dict[str, object]] = field(default_factory=list)
    """Every input: path, name, format, sha256, rows_read, rows_rejected, notes."""
    columns: tuple[str, ...] = ()
    """Count columns the side has (canonical order)."""
    elections: list[InputElection] = field(default_factory=list)
    """Each input's election type and where it came from (`rekap.election.InputElection`)."""
    scope: Scope | None = None
    """The data's root unit (`rekap.scope.Scope`)."""
    rows_read: int = 0
    rows_rejected: int = 0
    rows_duplicate: int = 0
    rows_outside: int = 0
    tps: int = 0
    """TPS compared: the first copy of each distinct TPS code."""
    skipped: list[SkippedSheet] = field(default_factory=list)
    """Workbook sheets not read (`rekap.dataset.SkippedSheet`)."""
    notes: list[str] = field(default_factory=list)


@dataclass
class DiffCounts:
    added: int = 0
    removed: int = 0
    changed: int = 0
    tps_added: int = 0
    tps_removed: int = 0
    tps_both: int = 0
    """TPS present on both sides."""
    tps_changed: int = 0
    """TPS present on both sides with at least one field that differs."""
    unreadable: int = 0
    """Cells not compared because one side's cell did not read as a count (S002 there)."""

    @property
    def records(self) -> int:
        return self.added + self.removed + self.changed + self.tps_added + self.tps_removed


@dataclass
class DiffResult:
    """What `Session.diff` found: the change records are the table `CHANGES_TABLE` (and `UNITS_TABLE` with
    `--level`) on the session's connection, the D/X findings (and the S findings of reading each side) are
    `report`'s (a `rekap.validate.ValidationReport`)."""

    mode: str
    old: Side
    new: Side
    fields: list[str]
    """Count columns compared (present on both sides), canonical order."""
    only_old: list[str]
    only_new: list[str]
    """Count columns one side has and the other not: not compared, named in every summary."""
    counts: DiffCounts
    report: ValidationReport
    misread: dict[str, int] = field(default_factory=dict)
    """Corrections with the misread signature by what they did to the form (`misread_classes`)."""
    levels: list[str] = field(default_factory=list)
    """Levels of `UNITS_TABLE` (`--level`)."""
    levels_left_out: list[str] = field(default_factory=list)
    """Requested levels above a race's own area (a regent race is not summed over a province), or above the
    data's scope: not in `UNITS_TABLE`, said in the summary."""
    table: str = CHANGES_TABLE
    units_table: str | None = None


def side_table(key: str) -> str:
    if key not in SIDES:
        raise ValueError(key)
    return f"rk_diff_{key}"


def capture(con: duckdb.DuckDBPyConnection, key: str, offset: int, *, duplicates: bool, bad_cells: bool) -> None:
    """Keep the typed rows of the side just validated (`rk_tps`, findings in `rk_findings_out`) as
    `rk_diff_<key>`: the first copy of each TPS, its file numbered after `offset`, and `_bad`, the fields
    whose cell did not read as a count (from its S002 findings). Rows without a usable code are left to
    their S005 finding.

    Only what the diff reads is kept: the typed columns (`rk_tps_base`) and the row's election type, not the
    region prefixes and thresholds that the rules' view `rk_tps` adds (the A-rules of the changed TPS read
    the counts only). When every TPS occurs once, every cell was read and the side is of one election type
    (the usual case), nothing is copied: the typed table itself is kept as `rk_diff_<key>_typed` and
    `rk_diff_<key>` is a view of it."""
    table = side_table(key)
    base = [str(r[0]) for r in con.execute("DESCRIBE rk_tps_base").fetchall()]
    cols = ", ".join(f"t.{quote_ident(c)}" for c in base if c != "_file")
    if not duplicates and not bad_cells and "jenis_pemilihan" not in base:
        # Without a jenis_pemilihan column of its own the election type is one constant for the whole side.
        row = con.execute("SELECT min(jenis_pemilihan), max(jenis_pemilihan) FROM rk_tps").fetchone()
        if row is not None and row[0] is not None and row[0] == row[1]:
            typed = f"{table}_typed"
            con.execute(f"ALTER TABLE rk_tps_base RENAME TO {typed}")  # prepare() makes a new one for the next side
            con.execute(
                f"""CREATE OR REPLACE VIEW {table} AS
                    SELECT {cols}, {literal(str(row[0]))} AS jenis_pemilihan, (t._file + {int(offset)})::INTEGER AS _file,
                           NULL::VARCHAR[] AS _bad
                    FROM {typed} t WHERE t.kode_tps <> ''"""
            )
            return
    election = "" if "jenis_pemilihan" in base else ", t.jenis_pemilihan"
    bad = "NULL::VARCHAR[] AS _bad"
    join = ""
    if bad_cells:
        bad = "b._bad"
        join = """LEFT JOIN (SELECT o.idx AS _file, f.row AS _row, list(DISTINCT f.field ORDER BY f.field) AS _bad
                             FROM rk_findings_out f JOIN rk_source_order o ON o.source = f.source
                             WHERE f.rule = 'S002' AND f.level = 'tps' GROUP BY ALL) b
                  ON b._file = t._file AND b._row = t._row"""
    first = ("QUALIFY row_number() OVER (PARTITION BY t.jenis_pemilihan, t.kode_tps ORDER BY t._file, t._row) = 1"
             if duplicates else "")
    con.execute(
        f"""CREATE OR REPLACE TABLE {table} AS
            SELECT {cols}{election}, (t._file + {int(offset)})::INTEGER AS _file, {bad}
            FROM rk_tps t {join}
            WHERE t.kode_tps <> '' {first}"""
    )


def _cells_sql(fields: Sequence[str]) -> str:
    """The list of (field, old, new) structs of a joined row, in canonical order."""
    return "[" + ", ".join(
        f"{{'field': {literal(f)}, 'pos': {i}, 'old': {quote_ident('o_' + f)}, 'new': {quote_ident('n_' + f)}}}"
        for i, f in enumerate(fields)
    ) + "]"


def compare_sides(con: duckdb.DuckDBPyConnection, fields: Sequence[str], mode: str) -> DiffCounts:
    """Join the two sides and write `rk_diff_pairs` (the TPS that differ, both sides' values),
    `rk_diff_cells` and `rk_diff_records` (see the module). `fields`: the count columns both sides have."""
    if mode not in MODES:
        raise ValueError(mode)
    old, new = side_table("old"), side_table("new")
    values = ", ".join(f"o.{quote_ident(f)} AS {quote_ident('o_' + f)}, n.{quote_ident(f)} AS {quote_ident('n_' + f)}"
                       for f in fields)
    differs = " OR ".join(f"o.{quote_ident(f)} IS DISTINCT FROM n.{quote_ident(f)}" for f in fields) or "false"
    con.execute(
        f"""CREATE OR REPLACE TABLE rk_diff_pairs AS
            SELECT coalesce(o.jenis_pemilihan, n.jenis_pemilihan) AS jenis_pemilihan,
                   coalesce(o.kode_tps, n.kode_tps) AS kode_tps,
                   o._file AS o_file, o._row AS o_row, n._file AS n_file, n._row AS n_row,
                   o._bad AS o_bad, n._bad AS n_bad{', ' + values if values else ''}
            FROM {old} o FULL OUTER JOIN {new} n
                 ON o.jenis_pemilihan = n.jenis_pemilihan AND o.kode_tps = n.kode_tps
            WHERE o.kode_tps IS NULL OR n.kode_tps IS NULL OR {differs}"""
    )
    cells = _cells_sql(fields) if fields else "[]::STRUCT(field VARCHAR, pos INTEGER, old BIGINT, new BIGINT)[]"
    con.execute(
        f"""CREATE OR REPLACE TABLE rk_diff_cells AS
            SELECT p.jenis_pemilihan, p.kode_tps, p.o_file, p.o_row, p.n_file, p.n_row,
                   c.field, c.pos, c.old::BIGINT AS old, c.new::BIGINT AS new
            FROM (SELECT *, unnest({cells}) AS c FROM rk_diff_pairs) p
            WHERE c.old IS DISTINCT FROM c.new
              AND NOT list_contains(coalesce(p.o_bad, []), c.field)
              AND NOT list_contains(coalesce(p.n_bad, []), c.field)"""
    )
    subst = ", ".join(literal(a + b) + ", " + literal(b + a) for a, b in LOOKALIKE)
    con.execute(
        f"""CREATE OR REPLACE TABLE rk_diff_records AS
            WITH c AS (
                SELECT *, old::VARCHAR AS x, new::VARCHAR AS y FROM rk_diff_cells
                WHERE o_file IS NOT NULL AND n_file IS NOT NULL),
            s AS (
                SELECT *,
                       CASE WHEN old IS NOT NULL AND new IS NOT NULL AND length(x) = length(y)
                            THEN list_filter(range(1, length(x) + 1), lambda i: substr(x, i, 1) <> substr(y, i, 1)) END AS d,
                       CASE WHEN old IS NOT NULL AND new IS NOT NULL AND length(y) = length(x) + 1
                            THEN list_filter(range(1, length(y) + 1), lambda i: substr(y, 1, i - 1) || substr(y, i + 1) = x)[1] END AS ins,
                       CASE WHEN old IS NOT NULL AND new IS NOT NULL AND length(x) = length(y) + 1
                            THEN list_filter(range(1, length(x) + 1), lambda i: substr(x, 1, i - 1) || substr(x, i + 1) = y)[1] END AS del
                FROM c)
            SELECT jenis_pemilihan, kode_tps AS kode_wilayah, field, pos, old, new, new - old AS selisih,
                   CASE WHEN old IS NULL THEN 'added' WHEN new IS NULL THEN 'removed' ELSE 'changed' END AS change,
                   o_file, o_row, n_file, n_row,
                   CASE WHEN len(d) = 1 AND substr(x, d[1], 1) || substr(y, d[1], 1) IN ({subst}) THEN 'sub'
                        WHEN ins IS NOT NULL THEN 'ins' WHEN del IS NOT NULL THEN 'del' END AS sig,
                   CASE WHEN len(d) = 1 THEN substr(x, d[1], 1) WHEN del IS NOT NULL THEN substr(x, del, 1) END AS sig_from,
                   CASE WHEN len(d) = 1 THEN substr(y, d[1], 1) WHEN ins IS NOT NULL THEN substr(y, ins, 1) END AS sig_to,
                   CASE WHEN len(d) = 1 THEN d[1] ELSE coalesce(ins, del) END AS sig_pos
            FROM s
            UNION ALL
            SELECT jenis_pemilihan, kode_tps, NULL, -1, NULL, NULL, NULL,
                   CASE WHEN o_file IS NULL THEN 'tps_added' ELSE 'tps_removed' END,
                   o_file, o_row, n_file, n_row, NULL, NULL, NULL, NULL
            FROM rk_diff_pairs WHERE o_file IS NULL OR n_file IS NULL"""
    )
    counts = DiffCounts()
    for change, n in con.execute("SELECT change, count(*) FROM rk_diff_records GROUP BY 1").fetchall():
        setattr(counts, str(change), int(n))
    # Every OLD row without a partner in NEW is one tps_removed record (the full outer join keeps each once),
    # so the rows with a partner are the others: no second join of the two sides.
    row = con.execute(
        f"""SELECT (SELECT count(*) FROM {old}),
                   (SELECT count(DISTINCT (jenis_pemilihan, kode_wilayah)) FROM rk_diff_records
                    WHERE change IN ('added', 'removed', 'changed'))"""
    ).fetchall()[0]
    counts.tps_both, counts.tps_changed = int(row[0]) - counts.tps_removed, int(row[1])
    # Cells set apart as unreadable exist only where a side had S002 findings; most data has none, and then
    # the join below is skipped.
    if fields and count(con, f"""SELECT (SELECT count(*) FROM (SELECT 1 FROM {old} WHERE _bad IS NOT NULL LIMIT 1))
                                      + (SELECT count(*) FROM (SELECT 1 FROM {new} WHERE _bad IS NOT NULL LIMIT 1))"""):
        wanted = ", ".join(literal(f) for f in fields)
        counts.unreadable = count(
            con,
            f"""SELECT count(*) FROM (
                    SELECT unnest(list_distinct(list_concat(coalesce(o._bad, []), coalesce(n._bad, [])))) AS f
                    FROM {old} o JOIN {new} n ON o.jenis_pemilihan = n.jenis_pemilihan AND o.kode_tps = n.kode_tps
                    WHERE o._bad IS NOT NULL OR n._bad IS NOT NULL) WHERE f IN ({wanted})""",
        )
    return counts


def changed_tps_sql() -> str:
    """The TPS whose forms the A-rules are evaluated on (both sides): those with a value corrected or withdrawn
    or added while present on both sides."""
    return ("SELECT DISTINCT jenis_pemilihan, kode_wilayah AS kode_tps FROM rk_diff_records "
            "WHERE change IN ('added', 'removed', 'changed')")


def restrict_view(con: duckdb.DuckDBPyConnection, key: str) -> None:
    """Point the rules' view `rk_tps` at the changed TPS of one side (for their A-rules). They are copied out
    once (`rk_diff_changed_<key>`, ~1 % of the side): a view with the semi-join would scan the whole side
    again for every check of every A-rule (1.3 s of a national diff)."""
    con.execute(
        f"""CREATE OR REPLACE TABLE rk_diff_changed_{key} AS
            SELECT t.* FROM {side_table(key)} t SEMI JOIN ({changed_tps_sql()}) c
            ON c.jenis_pemilihan = t.jenis_pemilihan AND c.kode_tps = t.kode_tps"""
    )
    replace_relation(con, "rk_tps", f"SELECT * FROM rk_diff_changed_{key}")
    con.execute("DROP TABLE IF EXISTS rk_stats")  # prepare's counts are not about these rows


def keep_afail(con: duckdb.DuckDBPyConnection, key: str) -> None:
    """Keep the A findings just evaluated on one side's changed TPS (`rk_findings_out`) as `rk_diff_afail_<key>`."""
    con.execute(
        f"""CREATE OR REPLACE TABLE rk_diff_afail_{key} AS
            SELECT t.jenis_pemilihan, f.kode_wilayah AS kode_tps, f.rule, f.field, f.expected, f.actual, f.selisih,
                   f.message
            FROM rk_findings_out f JOIN rk_source_order o ON o.source = f.source
                 JOIN {side_table(key)} t ON t._file = o.idx AND t._row = f.row AND t.kode_tps = f.kode_wilayah
            WHERE f.rule LIKE 'A%'"""
    )


def no_afail(con: duckdb.DuckDBPyConnection, key: str) -> None:
    con.execute(
        f"CREATE OR REPLACE TABLE rk_diff_afail_{key} (jenis_pemilihan VARCHAR, kode_tps VARCHAR, rule VARCHAR, "
        "field VARCHAR, expected BIGINT, actual BIGINT, selisih BIGINT, message VARCHAR)"
    )


def finish(con: duckdb.DuckDBPyConnection, fields: Sequence[str], mode: str) -> None:
    """What the D and X rules read, from the records and both forms' A findings:

    - `rk_diff_tps`: per changed TPS, the A-rules each form fails (`old_fail`, `new_fail`), those the new form
      passes that the old failed (`fixed`), those both fail (`still`);
    - `rk_diff_broken`: D003, each (TPS, rule, field) the new form fails and the old did not, for a TPS with a
      value corrected in place;
    - `rk_diff_shift`: D004, TPS whose paslon counts changed while their sum stayed.
    """
    con.execute(
        f"""CREATE OR REPLACE TABLE rk_diff_tps AS
            WITH c AS ({changed_tps_sql()}),
            o AS (SELECT jenis_pemilihan, kode_tps, list(DISTINCT rule ORDER BY rule) AS f FROM rk_diff_afail_old GROUP BY ALL),
            n AS (SELECT jenis_pemilihan, kode_tps, list(DISTINCT rule ORDER BY rule) AS f FROM rk_diff_afail_new GROUP BY ALL)
            SELECT c.jenis_pemilihan, c.kode_tps, coalesce(o.f, []) AS old_fail, coalesce(n.f, []) AS new_fail,
                   list_filter(coalesce(o.f, []), lambda r: NOT list_contains(coalesce(n.f, []), r)) AS fixed,
                   list_filter(coalesce(o.f, []), lambda r: list_contains(coalesce(n.f, []), r)) AS still,
                   list_filter(coalesce(n.f, []), lambda r: NOT list_contains(coalesce(o.f, []), r)) AS broke
            FROM c LEFT JOIN o USING (jenis_pemilihan, kode_tps) LEFT JOIN n USING (jenis_pemilihan, kode_tps)"""
    )
    con.execute(
        """CREATE OR REPLACE TABLE rk_diff_broken AS
           SELECT a.*, r.n_file, r.n_row
           FROM rk_diff_afail_new a
           JOIN (SELECT jenis_pemilihan, kode_wilayah AS kode_tps, min(n_file) AS n_file, min(n_row) AS n_row
                 FROM rk_diff_records WHERE change = 'changed' GROUP BY ALL) r USING (jenis_pemilihan, kode_tps)
           ANTI JOIN rk_diff_afail_old o USING (jenis_pemilihan, kode_tps, rule, field)"""
    )
    paslon = [f for f in PASLON_COLUMNS if f in fields]
    if len(paslon) >= 2:
        old_sum = " + ".join(quote_ident("o_" + f) for f in paslon)
        new_sum = " + ".join(quote_ident("n_" + f) for f in paslon)
        moved = " + ".join(f"({quote_ident('o_' + f)} <> {quote_ident('n_' + f)})::INTEGER" for f in paslon)
        con.execute(
            f"""CREATE OR REPLACE TABLE rk_diff_shift AS
                SELECT jenis_pemilihan, kode_tps, {old_sum} AS old_sum, {new_sum} AS new_sum, n_file, n_row
                FROM rk_diff_pairs
                WHERE o_file IS NOT NULL AND n_file IS NOT NULL AND {old_sum} = {new_sum} AND {moved} >= 2"""
        )
    else:
        con.execute(
            "CREATE OR REPLACE TABLE rk_diff_shift (jenis_pemilihan VARCHAR, kode_tps VARCHAR, old_sum BIGINT, "
            "new_sum BIGINT, n_file INTEGER, n_row BIGINT)"
        )
    _write_changes(con, mode)


def rules_of_record_sql(mode: str) -> str:
    """The D or X rules a change record triggers, as a comma-separated list (SQL over `r`, `t`, `sh`)."""
    if mode == "sources":
        parts = ["CASE WHEN r.change = 'changed' THEN 'X001' END",
                 "CASE WHEN r.change IN ('tps_added', 'tps_removed') THEN 'X002' END"]
    else:
        parts = [
            "CASE WHEN r.change = 'changed' THEN 'D001' END",
            "CASE WHEN r.change IN ('removed', 'tps_removed') THEN 'D002' END",
            "CASE WHEN r.change = 'changed' AND len(t.broke) > 0 AND EXISTS (SELECT 1 FROM rk_diff_broken b "
            "WHERE b.jenis_pemilihan = r.jenis_pemilihan AND b.kode_tps = r.kode_wilayah) THEN 'D003' END",
            "CASE WHEN r.change = 'changed' AND sh.kode_tps IS NOT NULL AND r.field LIKE 'suara_paslon_%' THEN 'D004' END",
            "CASE WHEN r.change IN ('changed', 'removed') AND r.field LIKE 'pemilih_dpt_%' THEN 'D005' END",
            "CASE WHEN r.change = 'changed' AND r.sig IS NOT NULL THEN 'D006' END",
        ]
    return "array_to_string(list_filter([" + ", ".join(parts) + "], lambda x: x IS NOT NULL), ',')"


def _write_changes(con: duckdb.DuckDBPyConnection, mode: str) -> None:
    """The public change records (`rk_changes`, domain.md §5) in output order: by TPS, then the TPS-level record,
    then fields in canonical order."""
    con.execute(
        f"""CREATE OR REPLACE TABLE {CHANGES_TABLE} AS
            SELECT r.kode_wilayah, r.field, r.old, r.new, r.selisih, r.change, {rules_of_record_sql(mode)} AS rules,
                   so.source AS old_source, sn.source AS new_source
            FROM rk_diff_records r
            LEFT JOIN rk_diff_tps t ON t.jenis_pemilihan = r.jenis_pemilihan AND t.kode_tps = r.kode_wilayah
            LEFT JOIN rk_diff_shift sh ON sh.jenis_pemilihan = r.jenis_pemilihan AND sh.kode_tps = r.kode_wilayah
            LEFT JOIN rk_source_order so ON so.idx = r.o_file
            LEFT JOIN rk_source_order sn ON sn.idx = r.n_file
            ORDER BY r.kode_wilayah, r.jenis_pemilihan, r.pos"""
    )


def misread_classes(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Corrections with the misread signature by what they did to the form: `repaired` (the form now passes
    A-rules it failed), `still_failing`, `already_passing` (the old form failed no A-rule)."""
    rows = con.execute(
        """SELECT CASE WHEN len(t.fixed) > 0 AND len(t.still) = 0 THEN 'repaired'
                       WHEN len(t.old_fail) > 0 THEN 'still_failing' ELSE 'already_passing' END AS k, count(*)
           FROM rk_diff_records r JOIN rk_diff_tps t ON t.jenis_pemilihan = r.jenis_pemilihan AND t.kode_tps = r.kode_wilayah
           WHERE r.change = 'changed' AND r.sig IS NOT NULL GROUP BY 1"""
    ).fetchall()
    out = {"repaired": 0, "still_failing": 0, "already_passing": 0}
    out.update({str(k): int(n) for k, n in rows})
    return out


def units(con: duckdb.DuckDBPyConnection, levels: Sequence[str], fields: Sequence[str]) -> list[str]:
    """`rk_diff_units`: per unit of each level and per field whose value differs in at least one of its TPS,
    its name (`rk_unit_names` when the session built it, from the NEW side), Σ old, Σ new (over every TPS of each side, empty cells skipped), selisih = Σ new − Σ old and the number of
    TPS whose value differs. Bupati/wali kota races (and governor races) are not summed above their own area
    (`rekap.regions.TOP_LEVEL`); return the levels left out for that reason."""
    parts: list[str] = []
    left_out: list[str] = []
    elections = [str(r[0]) for r in con.execute(
        f"SELECT DISTINCT jenis_pemilihan FROM {side_table('old')} UNION SELECT DISTINCT jenis_pemilihan FROM "
        f"{side_table('new')}").fetchall()]
    order = {lv: i for i, lv in enumerate(LEVELS)}
    sums = ", ".join(f"sum({quote_ident(f)})::BIGINT AS {quote_ident(f)}" for f in fields)
    cells = "[" + ", ".join(f"{{'field': {literal(f)}, 'pos': {i}, 'v': {quote_ident(f)}}}"
                            for i, f in enumerate(fields)) + "]"
    for level in levels:
        allowed = [e for e in elections if e not in TOP_LEVEL or order[level] >= order[TOP_LEVEL[e]]]
        if len(allowed) < len(elections):
            left_out.append(level)
        if not allowed or not fields:
            continue
        n = PREFIX.get(level, 0)
        key = f"left(kode_tps, {n})" if n else "'00'"
        which = "jenis_pemilihan IN (" + ", ".join(literal(e) for e in allowed) + ")"
        parts.append(
            f"""SELECT {order[level]} AS _lv, {literal(level)} AS level, s.jenis_pemilihan, s.kode_wilayah, s.side,
                       {', '.join(quote_ident(f) for f in fields)}
                FROM (SELECT 'old' AS side, jenis_pemilihan, {key} AS kode_wilayah, {sums}
                      FROM {side_table('old')} WHERE {which} GROUP BY ALL
                      UNION ALL
                      SELECT 'new' AS side, jenis_pemilihan, {key} AS kode_wilayah, {sums}
                      FROM {side_table('new')} WHERE {which} GROUP BY ALL) s"""
        )
    if not parts:
        con.execute(
            f"CREATE OR REPLACE TABLE {UNITS_TABLE} (level VARCHAR, kode_wilayah VARCHAR, nama_wilayah VARCHAR, "
            "field VARCHAR, old BIGINT, new BIGINT, selisih BIGINT, n_tps_changed BIGINT)"
        )
        return left_out
    changed = []
    for level in levels:
        n = PREFIX.get(level, 0)
        key = f"left(kode_tps, {n})" if n else "'00'"
        changed.append(f"SELECT {literal(level)} AS level, jenis_pemilihan, {key} AS kode_wilayah, field, "
                       f"count(DISTINCT kode_tps) AS n FROM rk_diff_cells GROUP BY ALL")
    names, names_join = "NULL::VARCHAR", ""
    if table_exists(con, "rk_unit_names"):
        names = "un.nama"
        names_join = "LEFT JOIN rk_unit_names un ON un.level = w.level AND un.kode = w.kode_wilayah"
    con.execute(
        f"""CREATE OR REPLACE TABLE {UNITS_TABLE} AS
            WITH s AS ({' UNION ALL '.join(parts)}),
            long AS (SELECT _lv, level, jenis_pemilihan, kode_wilayah, side, c.field, c.pos, c.v
                     FROM (SELECT *, unnest({cells}) AS c FROM s)),
            w AS (SELECT _lv, level, jenis_pemilihan, kode_wilayah, field, pos,
                         max(v) FILTER (side = 'old') AS old, max(v) FILTER (side = 'new') AS new
                  FROM long GROUP BY ALL),
            ch AS ({' UNION ALL '.join(changed)})
            SELECT w.level, w.kode_wilayah, {names} AS nama_wilayah, w.field, w.old, w.new, w.new - w.old AS selisih,
                   ch.n AS n_tps_changed
            FROM w JOIN ch USING (level, jenis_pemilihan, kode_wilayah, field) {names_join}
            ORDER BY w._lv, w.kode_wilayah, w.jenis_pemilihan, w.pos"""
    )
    return left_out


def drop(con: duckdb.DuckDBPyConnection) -> None:
    """Forget an earlier diff on this connection."""
    views = {str(r[0]) for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    for name in ("rk_diff_old", "rk_diff_new", "rk_diff_old_typed", "rk_diff_new_typed", "rk_diff_changed_old",
                 "rk_diff_changed_new", "rk_diff_pairs", "rk_diff_cells", "rk_diff_records", "rk_diff_tps",
                 "rk_diff_broken", "rk_diff_shift", "rk_diff_afail_old", "rk_diff_afail_new", CHANGES_TABLE,
                 UNITS_TABLE):
        if name in views:
            con.execute(f"DROP VIEW {name}")
        elif table_exists(con, name):
            con.execute(f"DROP TABLE {name}")
