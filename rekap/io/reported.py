"""Reported recaps (D.Hasil at any level, Sirekap region aggregates) as one canonical table.

    sources = load_reported(con, ["d_hasil_kec.csv", "hhcw_pkwkp_35.json"], tmpdir, paslon=table)
    # -> table rk_reported (one row per reported unit) and rk_reported_bad (cells/rows not loaded)

Each input's shape is recognised from the file itself and said in a note:

1. recap rows (rekap's own `aggregate` output): a `kode_wilayah` column, optional `level`,
   `nama_wilayah`, `parent_kode`, `jenis_pemilihan`; rekap's counters (`n_tps`…) are ignored.
   Without `level`, the code length decides (2/4/6/10; `00` or empty = nasional).
2. region code columns (`kode_prov`/`kode_kabkota`/`kode_kec`/`kode_desa`, headers resolved as
   for TPS files): the most specific one present decides the level, `kode_prov` `00` = nasional;
   the less specific ones must be prefixes of it (else an error row, field `kode_wilayah`).
3. Sirekap region JSON (`hhcw/<type>/<code>.json`, Pilkada `tungsura.chart`/`table` or Pemilu top-level
   `chart`/`table`): one row for the unit itself and one per child. The unit's code comes from the
   file name (`…_pkwkp_35_3578.json`, `…/pkwkp/35/3578.json`) and from the children's common prefix;
   the two must agree.
4. long Sirekap tables (`kode_wilayah`, `paslon_id`, `suara`, optional `parent_kode`, `row_kind`
   total|child, `election`, `source_file`, `snapshot_commit`): pivoted to `suara_paslon_<n>`. A
   `total` row is the file's own chart, so its unit is `kode_wilayah` (= `parent_kode` there);
   a `child` row is a unit below `parent_kode`.
5. the D.Hasil layout (XLSX, read by `rekap.io.dhasil`): every level sheet of rekap's own workbook and
   staff-typed forms in it, items as rows and units as columns (or rekap's long layout, one row per
   unit under a "Kode" column). Each sheet read is its own source, `file.xlsx [Sheet]`, with its own
   `_file`; the workbook's other sheets are named in the first one's notes. A workbook with no sheet in
   this layout is read as shapes 1, 2 or 4 (its first sheet with a header).

Decisions worth knowing:
- Nasional rows get `kode_wilayah` NATIONAL_CODE (`00`), whatever the input wrote (`00`, `0`, empty).
  `parent_kode` is the code's prefix (provinsi -> `00`, nasional -> NULL): Kemendagri codes start
  with their parent's code, so the hierarchy is the same one the TPS rollup derives from kode_tps.
  A parent column that disagrees is reported and the prefix is kept.
- Counts are typed strictly (rk_count for text, integral and >= 0 for native numbers; an integral
  decimal such as `6460911.0` is accepted). A cell that does not type is NULL in rk_reported and
  listed in rk_reported_bad; it is never silently empty.
- A row whose identity cannot be established (unknown level word, a code of the wrong length or
  with letters, no code where one is required) is not loaded and is listed in rk_reported_bad
  (field `kode_wilayah` or `level`); so are CSV rows the reader could not parse (field `row`).
  Every input row is thus in rk_reported, in rk_reported_bad, or counted in a note (blank rows,
  rows of another snapshot).
- Several `snapshot_commit` values in one file are refused unless `snapshot` names one (a full
  commit or a prefix of at least 4 characters): two snapshots of one unit are two different
  truths, and loading both would double every unit.
- The same (level, kode_wilayah, jenis_pemilihan) reported twice is kept twice; when two copies
  differ in a number both have, the sources get a note (the compare step reports the conflict).
  In the long Sirekap tables this is normal: a kab/kota is a child row of its province's file and
  the total row of its own file.
- `_row` is the spreadsheet row (header = 1) for CSV/XLSX/Parquet, the first row of the unit in a
  long table (per-cell rows in rk_reported_bad), and the record number in a JSON file (1 = the
  unit's own chart, 2… = the `table` entries in file order). A D.Hasil unit is a column: its `_row`
  is the row of the units' codes, and rk_reported gets `_row__<column>` (the item's row) for each
  value, which the comparison reports; a bad cell's reason names the cell ("cell G46").
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from rekap.db import BAD_TABLE, REPORTED_TABLE, count, create_macros, literal, text_sql
from rekap.election import InputElection

if TYPE_CHECKING:
    pass

from rekap.errors import InputError, UsageError
from rekap.i18n import C_, _, level_word, n_, num
from rekap.io import LoadOptions, file_sha256, read_one, sniff_format
from rekap.io.columns import map_headers
from rekap.io.dhasil import DHasilSheet, read_dhasil_workbook
from rekap.io.paslon import NotInTable, SameNumber, json_reason, json_text, number_chart
from rekap.regions import (
    CODE_COLUMN,
    CODE_LENGTH,
    LEVEL_WORDS,
    NAME_COLUMN,
    NATIONAL_CODE,
    PREFIX,
    UNIT_LEVELS,
    parent_level,
)
from rekap.schema import (
    ELECTIONS,
    MAX_PASLON,
    NUMERIC_COLUMNS,
    canonical_order,
    normalize_header,
    paslon_column,
    quote_ident,
)

TPS_COUNT_COLUMNS: tuple[str, ...] = ("n_tps_total", "n_tps_progres")
_PARENT_LENGTH: dict[str, int] = {lv: PREFIX[str(parent_level(lv))] for lv in UNIT_LEVELS[1:]}
# Most specific first: the first one a file has decides the level of its rows (shape 2).
_CODE_LEVELS: tuple[str, ...] = tuple(reversed(UNIT_LEVELS))

# Columns that are not canonical TPS columns but mean something in a recap file. The CSV reader
# stores only the columns it can name, so these are passed to it as an extra header map too.
_ROLE_NAMES: dict[str, tuple[str, ...]] = {
    "level": ("level",),
    "kode_wilayah": ("kode_wilayah", "kode wilayah"),
    "nama_wilayah": ("nama_wilayah", "nama wilayah"),
    "parent_kode": ("parent_kode", "kode_induk", "kode induk", "parent"),
    "n_tps_total": ("tps_total", "total_tps", "n_tps_total", "jumlah tps"),
    "n_tps_progres": ("tps_progres", "progress_tps", "tps_progress", "progres_tps", "n_tps_progres"),
    "paslon_id": ("paslon_id", "id paslon", "candidate_id"),
    "suara": ("suara",),
    "row_kind": ("row_kind",),
    "snapshot_commit": ("snapshot_commit", "snapshot"),
    "source_file": ("source_file",),
}
_ROLE_OF: dict[str, str] = {normalize_header(n): role for role, names in _ROLE_NAMES.items() for n in names}
_EXTRA_MAP: dict[str, str] = {n: n for names in _ROLE_NAMES.values() for n in names}
_REKAP_COUNTERS: frozenset[str] = frozenset(
    {"n_tps", "n_tps_expected", "n_tps_suara", "n_tps_administrasi", "n_tps_error"}
)
# JSON keys that describe a unit rather than name a candidate.
_JSON_META_KEYS: frozenset[str] = frozenset(
    {"psu", "progres", "persen", "status_progress", "status_suara", "status_adm", "ts", "null"}
)
_JSON_PATH_RE = re.compile(
    r"(?:^|[^a-z0-9])(" + "|".join(sorted(ELECTIONS, key=len, reverse=True)) + r")((?:[_/\\-][0-9]+)*)\.json$"
)


@dataclass
class ReportedSource:
    index: int
    """The `_file` value of this input's rows (first_file_index + position)."""
    path: str
    name: str
    """Shown in findings' `source` field."""
    format: str
    """What was read: file format and recognised shape."""
    rows: int
    """Rows loaded into rk_reported."""
    sha256: str
    notes: list[str] = field(default_factory=list)
    rows_rejected: int = 0
    """Input rows not loaded (identity errors, unparseable CSV rows), listed in rk_reported_bad."""
    shape: str = ""
    """recap-rows | code-columns | sirekap-json | long"""
    election_origin: str = "column"
    """Where the rows' own jenis_pemilihan comes from: `column` (a column of the file), `file` (a Sirekap
    file's name or address, a form's title)."""
    election_stated: int = 0
    """Rows whose jenis_pemilihan the file itself gives (the others took --election, or are guessed)."""
    numeric: list[str] = field(default_factory=list)
    """The count columns the file has (what a guess of its election type rests on)."""


@dataclass
class _Check:
    """A parent column that must agree with the row's own code."""

    column: str
    """Stage column holding the raw value."""
    label: str
    """The input's header, for messages."""
    kind: str
    """'parent' (= the code's parent), 'prefix' (= the code's first `length` digits), 'self' (= the code)."""
    length: int = 0


@dataclass
class _Stage:
    index: int
    name: str
    shape: str
    format: str
    view: str
    numeric: list[str]
    checks: list[_Check]
    empty_is_nasional: bool
    notes: list[str]
    rejects: list[tuple[int, str, str]] = field(default_factory=list)
    cell_rows: bool = False
    """True when the stage has `_row__<column>`: the input row of each count (long tables, D.Hasil wide)."""
    value_rows: bool = False
    """True when those rows go on into rk_reported (`_row__<column>`): a D.Hasil unit is a column, so
    `_row` (its code row) does not say where each of its values is."""
    cell_refs: bool = False
    """True when the stage has `_cell__<column>` ('F45'), named in the reason of a bad cell."""
    declared_level: str | None = None
    """The level a D.Hasil sheet's title or name states (the codes decide; a contradiction is a note)."""
    rows: int = 0
    rejected: int = 0
    jenis_origin: str = "column"
    jenis_stated: int = 0


def _show(value: Any, limit: int = 40) -> str:
    text = str(value)
    return text if len(text) <= limit and text.isprintable() else repr(text[:limit]) + ("…" if len(text) > limit else "")


# --- entry point -------------------------------------------------------------------------------------


def load_reported(
    con: duckdb.DuckDBPyConnection,
    paths: list[str],
    tmpdir: str,
    *,
    paslon: dict[str, int] | None = None,
    election: str | None = None,
    first_file_index: int = 1000,
    snapshot: str | None = None,
) -> list[ReportedSource]:
    """Load reported recaps into `rk_reported` (+ `rk_reported_bad`); one ReportedSource per path, or per
    sheet read of a workbook in the D.Hasil layout (named `file.xlsx [Sheet]`), indexes from first_file_index.

    `paslon` numbers candidate ids (Sirekap JSON and long tables need it); `election` is the
    jenis_pemilihan of rows that do not say theirs; `snapshot` picks one `snapshot_commit` of a
    long table that holds several. Raises InputError (one line) for a file that is not a recap.
    """
    if election is not None and election not in ELECTIONS:
        raise UsageError(_("jenis pemilihan tidak dikenal {election!r}", election=election),
                         hint=_("pakai salah satu dari: {choices}", choices=", ".join(ELECTIONS)))
    if snapshot is not None and len(snapshot.strip()) < 4:
        raise UsageError(_("snapshot {snapshot!r} terlalu pendek", snapshot=snapshot),
                         hint=_("berikan commit-nya atau paling sedikit 4 karakter pertamanya"))
    create_macros(con)
    paslon_table = _register_paslon(con, paslon)
    stages: list[_Stage] = []
    hashes: list[str] = []
    paths_shown: list[str] = []
    # One index per stage: a workbook in the D.Hasil layout gives one source per sheet it reads.
    taken: list[int] = []

    def take() -> int:
        taken.append(first_file_index + len(taken))
        return taken[-1]

    try:
        for given in paths:
            path = _check_path(given)
            sha = file_sha256(path)
            for stage in _stage(con, path, given, take, tmpdir, paslon, paslon_table, snapshot):
                stages.append(stage)
                hashes.append(sha)
                paths_shown.append(given)
        numeric = canonical_order(frozenset(c for s in stages for c in s.numeric))
        _create_outputs(con, numeric, any(s.value_rows for s in stages))
        for stage in stages:
            _type_stage(con, stage, numeric, election)
        _store(con)
        sources = [
            ReportedSource(
                index=s.index, path=p, name=s.name, format=s.format, rows=s.rows, sha256=h, notes=s.notes,
                rows_rejected=s.rejected, shape=s.shape, election_origin=s.jenis_origin,
                election_stated=s.jenis_stated, numeric=list(s.numeric),
            )
            for s, p, h in zip(stages, paths_shown, hashes, strict=True)
        ]
        _note_conflicts(con, sources, numeric)
    finally:
        # Also after a refusal: the caller's connection keeps only rk_reported and rk_reported_bad.
        scratch = [name for i in taken for name in _scratch_names(i)]
        scratch += ["rk_rep_t", "rk_rep_acc", "rk_rep_bad_acc", *([paslon_table] if paslon_table else [])]
        _drop(con, scratch)
    return sources


def _scratch_names(index: int) -> list[str]:
    """Every relation the staging of input `index` may create (the CSV reader adds two of its own)."""
    table = f"rk_rep_in_{index}"
    return [f"rk_rep_stage_{index}", table, f"{table}__load", f"{table}__rejpos", f"rk_rep_json_{index}"]


def _check_path(given: str) -> Path:
    if given == "-":
        raise InputError(_("-: rekap yang dilaporkan dibaca dari berkas, bukan dari stdin"),
                         hint=_("simpan rekapnya ke berkas lebih dulu"))
    path = Path(given)
    if not path.exists():
        raise InputError(_("{path}: berkas tidak ada", path=given))
    if path.is_dir():
        raise InputError(_("{path}: ini folder, bukan berkas", path=given), hint=_("berikan berkas-berkas di dalamnya"))
    return path


def _register_paslon(con: duckdb.DuckDBPyConnection, paslon: dict[str, int] | None) -> str | None:
    if paslon is None:
        return None
    name = f"rk_rep_paslon_{uuid.uuid4().hex[:8]}"
    # Bound as two lists (values never reach the SQL text), without pyarrow: a comparison needs no numpy.
    con.execute(
        f"CREATE TEMP TABLE {quote_ident(name)} AS "
        "SELECT unnest($ids::VARCHAR[]) AS paslon_id, unnest($nos::INTEGER[]) AS nomor_urut",
        {"ids": list(paslon), "nos": list(paslon.values())},
    )
    return name


def _drop(con: duckdb.DuckDBPyConnection, names: list[str]) -> None:
    kinds = {
        str(r[0]): str(r[1])
        for r in con.execute(
            "SELECT table_name, table_type FROM information_schema.tables WHERE table_name IN (SELECT unnest($n))",
            {"n": names},
        ).fetchall()
    }
    for name in names:
        kind = kinds.get(name)
        if kind is not None:
            con.execute(f"DROP {'VIEW' if kind == 'VIEW' else 'TABLE'} IF EXISTS {quote_ident(name)}")


# --- staging: every shape becomes the same columns ----------------------------------------------------
#
# A stage view has `_row`, `_level`, `_kode`, `_nama`, `_jenis`, the check columns, the canonical count
# columns the input has (as read: text or native numbers), and n_tps_total / n_tps_progres. Typing and
# checking is then one code path for all shapes (`_type_stage`).


def _stage(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    display: str,
    take: Callable[[], int],
    tmpdir: str,
    paslon: dict[str, int] | None,
    paslon_table: str | None,
    snapshot: str | None,
) -> list[_Stage]:
    """The stages of one input: one, or one per sheet of a workbook in the D.Hasil layout."""
    with open(path, "rb") as fh:
        head = fh.read(8192)
    if not head:
        raise InputError(_("{path}: berkas kosong", path=display))
    fmt = sniff_format(head, display)
    if fmt == "json":
        return [_stage_json(con, path, display, take(), paslon)]
    if fmt != "xlsx":
        return [_stage_table(con, path, display, take(), tmpdir, paslon, paslon_table, snapshot)]
    book = read_dhasil_workbook(path, display)
    if not book.sheets:
        # No sheet in the D.Hasil layout: a table with one row per unit (shapes 1, 2, 4), first sheet with a header.
        try:
            return [_stage_table(con, path, display, take(), tmpdir, paslon, paslon_table, snapshot)]
        except InputError as exc:
            why = "; ".join(f"'{name}': {reason}" for name, reason in book.skipped)
            raise InputError(
                _("{message} — dan tidak ada lembar yang berupa rekap dalam tata letak D.Hasil ({why})",
                  message=exc.message, why=why),
                hint=exc.hint or _("rekap yang dilaporkan memuat satu baris per wilayah dengan kodenya (kode_wilayah, "
                                   "kode_kec …), atau tata letak D.Hasil: uraian menurun di sisi kiri, satu kolom per "
                                   "wilayah dengan kode-kodenya di satu baris judul kolom"),
            ) from None
    stages = [_stage_dhasil(con, sheet, display, take()) for sheet in book.sheets]
    if book.skipped:
        stages[0].notes.append(
            _("lembar yang tidak dibaca: {sheets}", sheets="; ".join(f"'{name}' ({reason})" for name, reason in book.skipped))
        )
    return stages


def _stage_table(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    display: str,
    index: int,
    tmpdir: str,
    paslon: dict[str, int] | None,
    paslon_table: str | None,
    snapshot: str | None,
) -> _Stage:
    """Shapes 1, 2 and 4: a table (CSV, XLSX, Parquet) read by `rekap.io`."""
    table = f"rk_rep_in_{index}"
    try:
        raw, rejects = read_one(con, path, display, table, tmpdir, LoadOptions(column_map=_EXTRA_MAP))
    except OSError as exc:
        raise InputError(_("{path}: tidak dapat dibaca ({error})", path=display, error=exc.strerror or exc)) from None
    types = {str(r[0]): str(r[1]) for r in con.execute(f"DESCRIBE {quote_ident(table)}").fetchall()}
    # The CSV reader stores only the columns it can name; the others still count as ignored.
    headers = [h for h in raw.headers if h != "_row"]
    roles, canon, ignored = _roles(headers, display)
    notes = list(raw.notes)
    if "kode_tps" in canon:
        raise InputError(
            _("{path}: ada kolom kode TPS ('{column}'): ini data TPS, bukan rekap yang dilaporkan", path=display,
              column=canon["kode_tps"]),
            hint=_("berikan berkas TPS sebagai masukan utama; rekap yang dilaporkan adalah D.Hasil atau total "
                   "wilayah Sirekap"),
        )
    filt, snap_note = _snapshot_filter(con, table, roles.get("snapshot_commit"), snapshot, display)
    if snap_note:
        notes.append(snap_note)
    if "paslon_id" in roles and "suara" in roles and "kode_wilayah" in roles:
        stage = _stage_long(con, table, display, index, raw.format, roles, canon, filt, paslon, paslon_table)
    else:
        stage = _stage_wide(con, table, display, index, raw.format, roles, canon, types, filt)
    stage.notes = notes + stage.notes
    counters = sorted(h for h in ignored if normalize_header(h).replace(" ", "_") in _REKAP_COUNTERS)
    others = [h for h in ignored if h not in counters]
    if counters:
        stage.notes.append(_("penghitung rekap diabaikan: {names}", names=", ".join(counters)))
    if others:
        stage.notes.append(_("kolom diabaikan: {names}", names=", ".join(others)))
    stage.rejects = rejects
    return stage


def _roles(headers: list[str], display: str) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """(recap role -> header, canonical column -> header, headers used for nothing)."""
    roles: dict[str, str] = {}
    rest: list[str] = []
    for h in headers:
        role = _ROLE_OF.get(normalize_header(h))
        if role is None:
            rest.append(h)
            continue
        if role in roles:
            raise InputError(
                _("{path}: kolom '{first}' dan '{second}' sama-sama berarti {meaning}", path=display,
                  first=roles[role], second=h, meaning=role),
                hint=_("ganti nama atau hapus salah satunya"),
            )
        roles[role] = h
    mapping = map_headers(rest, display)
    return roles, mapping.mapping, mapping.unmapped


def _snapshot_filter(
    con: duckdb.DuckDBPyConnection, table: str, column: str | None, snapshot: str | None, display: str
) -> tuple[str, str | None]:
    """WHERE clause keeping one snapshot, and a note; refuses a file with several and no choice."""
    if column is None:
        return "TRUE", None
    col = quote_ident(column)
    found = [
        (str(r[0]) if r[0] is not None else None, int(r[1]))
        for r in con.execute(
            f"SELECT {col}::VARCHAR, count(*) FROM {quote_ident(table)} GROUP BY 1 ORDER BY 1 NULLS LAST"
        ).fetchall()
    ]
    total = sum(n for _s, n in found)
    if snapshot is None:
        if len(found) <= 1:
            return "TRUE", (_("snapshot {commit}", commit=found[0][0]) if found and found[0][0] else None)
        listed = ", ".join(n_("{snapshot} ({n} baris)", "{snapshot} ({n} baris)", n, snapshot=s or C_("value", "kosong"))
                           for s, n in found)
        raise InputError(
            _("{path}: {n} snapshot di kolom '{column}' ({listed}); satu rekap adalah satu snapshot", path=display,
              n=num(len(found)), column=column, listed=listed),
            hint=_("pilih satu dengan --snapshot COMMIT, atau saring berkasnya lebih dulu, mis. duckdb -c "
                   "\"COPY (FROM 'file.parquet' WHERE snapshot_commit = '…') TO 'one.parquet'\""),
        )
    want = snapshot.strip()
    chosen = [s for s, _n in found if s is not None and (s == want or s.startswith(want))]
    if len(chosen) != 1:
        listed = ", ".join(s or C_("value", "kosong") for s, _n in found)
        if not chosen:
            raise InputError(_("{path}: snapshot {snapshot!r} tidak cocok dengan satu pun snapshot berkas ini ({listed})",
                               path=display, snapshot=want, listed=listed))
        raise InputError(_("{path}: snapshot {snapshot!r} cocok dengan beberapa snapshot berkas ini ({listed})",
                           path=display, snapshot=want, listed=listed))
    kept = dict(found)[chosen[0]]
    note = _("snapshot {commit}: {kept} dari {total} baris (snapshot lain dilewati)", commit=chosen[0], kept=num(kept),
             total=num(total))
    return f"{col}::VARCHAR = {literal(chosen[0])}", note


def _stage_wide(
    con: duckdb.DuckDBPyConnection,
    table: str,
    display: str,
    index: int,
    fmt: str,
    roles: dict[str, str],
    canon: dict[str, str],
    types: dict[str, str],
    where: str,
) -> _Stage:
    """Shapes 1 (recap rows) and 2 (region code columns)."""
    q = quote_ident
    numeric = [c for c in NUMERIC_COLUMNS if c in canon]
    select: dict[str, str] = {"_row": "_row"}
    checks: list[_Check] = []
    notes: list[str] = []
    row_kind = roles.get("row_kind")
    if "kode_wilayah" in roles:
        shape = "recap-rows"
        select["_kode"] = _code_text(q(roles["kode_wilayah"]), types[roles["kode_wilayah"]])
        select["_level"] = f"{q(roles['level'])}::VARCHAR" if "level" in roles else "NULL::VARCHAR"
        select["_nama"] = f"{q(roles['nama_wilayah'])}::VARCHAR" if "nama_wilayah" in roles else "NULL::VARCHAR"
        if "level" in roles:
            desc = _("baris rekap menurut {column} (tingkat dari kolom `level`)", column=roles["kode_wilayah"])
        else:
            desc = _("baris rekap menurut {column} (tingkat dari panjang kode)", column=roles["kode_wilayah"])
        empty_is_nasional = True
    else:
        code_level = next((lv for lv in _CODE_LEVELS if CODE_COLUMN[lv] in canon), None)
        if code_level is None:
            seen = ", ".join(f"'{h}'" for h in [*roles.values(), *canon.values()][:8]) or C_("empty list", "tidak ada")
            raise InputError(
                _("{path}: tidak ada kolom kode wilayah (kode_wilayah, kode_prov, kode_kabkota, kode_kec, atau "
                  "kode_desa) di antara judul kolom {seen}", path=display, seen=seen),
                hint=_("rekap yang dilaporkan menamai setiap wilayah dengan kode Kemendagri-nya"),
            )
        shape = "code-columns"
        col = canon[CODE_COLUMN[code_level]]
        code = _code_text(q(col), types[col])
        select["_kode"] = code
        if code_level == "provinsi":
            # Recap tables of provinces put the national total in the same column as code 00.
            select["_level"] = f"CASE WHEN rk_code({code}) IN ('0', '00') THEN 'nasional' ELSE 'provinsi' END"
        else:
            select["_level"] = literal(code_level)
        name_col = canon.get(NAME_COLUMN[code_level])
        select["_nama"] = f"{q(name_col)}::VARCHAR" if name_col else "NULL::VARCHAR"
        for upper in _CODE_LEVELS[_CODE_LEVELS.index(code_level) + 1 :]:
            up = canon.get(CODE_COLUMN[upper])
            if up is not None:
                stage_col = f"_anc_{upper}"
                select[stage_col] = _code_text(q(up), types[up])
                checks.append(_Check(stage_col, up, "prefix", CODE_LENGTH[upper]))
        desc = _("baris {level} menurut {column}", level=level_word(code_level), column=col)
        if "level" in roles:
            notes.append(_("kolom '{column}' diabaikan: tingkat ditentukan oleh {code_column}", column=roles["level"],
                           code_column=col))
        if "nama_wilayah" in roles and not name_col:
            select["_nama"] = f"{q(roles['nama_wilayah'])}::VARCHAR"
        empty_is_nasional = False
    select["_jenis"] = f"{q(canon['jenis_pemilihan'])}::VARCHAR" if "jenis_pemilihan" in canon else "NULL::VARCHAR"
    if "parent_kode" in roles:
        parent = _code_text(q(roles["parent_kode"]), types[roles["parent_kode"]])
        if row_kind is not None:
            # In Sirekap-derived tables a `total` row is the parent file's own chart: its
            # parent_kode is the unit itself, not the unit's parent.
            kind = f"lower(trim({q(row_kind)}::VARCHAR))"
            select["_parent"] = f"CASE WHEN {kind} = 'total' THEN NULL ELSE {parent} END"
            select["_self"] = f"CASE WHEN {kind} = 'total' THEN {parent} END"
            checks.append(_Check("_self", roles["parent_kode"], "self"))
        else:
            select["_parent"] = parent
        checks.append(_Check("_parent", roles["parent_kode"], "parent"))
    for c in numeric:
        select[c] = q(canon[c])
    for c in TPS_COUNT_COLUMNS:
        if c in roles:
            select[c] = q(roles[c])
    sql_used = " ".join([*select.values(), where])
    unused = [h for h in [*canon.values(), *roles.values()] if q(h) not in sql_used]
    if unused:
        notes.append(_("kolom yang tidak dipakai untuk rekap: {names}", names=", ".join(unused)))
    if not numeric and not any(c in roles for c in TPS_COUNT_COLUMNS):
        raise InputError(
            _("{path}: tidak ada kolom angka (suara_paslon_N, suara_sah, pemilih_dpt_j, …): ini daftar wilayah, "
              "bukan rekap", path=display),
            hint=_("rekap yang dilaporkan memuat total wilayahnya; berikan daftar wilayah itu sebagai --master"),
        )
    view = f"rk_rep_stage_{index}"
    body = ", ".join(f"{expr} AS {q(name)}" for name, expr in select.items())
    con.execute(f"CREATE OR REPLACE TEMP VIEW {q(view)} AS SELECT {body} FROM {q(table)} WHERE {where}")
    return _Stage(index, display, shape, f"{fmt}; {desc}", view, numeric, checks, empty_is_nasional, notes)


def _code_text(col: str, dtype: str) -> str:
    """A code column as text; a numeric column has lost leading zeros, so 0 is read as 00."""
    if dtype == "VARCHAR":
        return col
    if "INT" in dtype:
        return f"CASE WHEN {col} = 0 THEN '00' ELSE {col}::VARCHAR END"
    if any(k in dtype for k in ("DECIMAL", "DOUBLE", "FLOAT")):
        # A fractional "code" keeps its digits and fails the length check instead of being rounded.
        return f"CASE WHEN {col} = 0 THEN '00' WHEN {col} = floor({col}) THEN {col}::BIGINT::VARCHAR ELSE {col}::VARCHAR END"
    return f"{col}::VARCHAR"


def _stage_long(
    con: duckdb.DuckDBPyConnection,
    table: str,
    display: str,
    index: int,
    fmt: str,
    roles: dict[str, str],
    canon: dict[str, str],
    where: str,
    paslon: dict[str, int] | None,
    paslon_table: str | None,
) -> _Stage:
    """Shape 4: one row per (unit, candidate id), pivoted to one row per unit."""
    q = quote_ident
    pid, suara, kode = q(roles["paslon_id"]), q(roles["suara"]), q(roles["kode_wilayah"])
    kind = f"lower(trim({q(roles['row_kind'])}::VARCHAR))" if "row_kind" in roles else "'child'"
    src = f"(SELECT * FROM {q(table)} WHERE {where})"
    if "row_kind" in roles:
        odd = con.execute(
            f"SELECT _row, {q(roles['row_kind'])}::VARCHAR FROM {src} WHERE {kind} IS NULL "
            f"OR {kind} NOT IN ('total', 'child') ORDER BY _row LIMIT 1"
        ).fetchall()
        if odd:
            raise InputError(
                _("{path} baris {row}: {column} {value} bukan 'total' maupun 'child'", path=display, row=odd[0][0],
                  column=roles["row_kind"], value=_show(odd[0][1]))
            )
    n_ids = count(con, f"SELECT count(*) FROM {src} WHERE {pid} IS NOT NULL")
    if n_ids and paslon is None:
        raise InputError(
            _("{path}: id paslon di kolom '{column}' memerlukan tabel paslon untuk dinomori", path=display,
              column=roles["paslon_id"]),
            hint=_("berikan --paslon pilkada2024_paslon.csv (Pilpres: ppwp2024_paslon.csv)"),
        )
    table_sql = q(paslon_table) if paslon_table else "(SELECT NULL::VARCHAR AS paslon_id, NULL::INTEGER AS nomor_urut)"
    numbered = (
        f"(SELECT s.*, p.nomor_urut AS _n FROM {src} s "
        f"LEFT JOIN {table_sql} p ON p.paslon_id = trim(s.{pid}::VARCHAR))"
    )
    unknown = con.execute(
        f"SELECT _row, {pid}::VARCHAR FROM {numbered} WHERE _n IS NULL AND {pid} IS NOT NULL "
        f"AND {suara} IS NOT NULL ORDER BY _row LIMIT 1"
    ).fetchall()
    if unknown:
        raise InputError(
            _("{path} baris {row}: id paslon {id} tidak ada di tabel --paslon", path=display, row=unknown[0][0],
              id=_show(unknown[0][1])),
            hint=_("berikan tabel paslon pemilihan ini (pilkada2024_paslon.csv, ppwp2024_paslon.csv)"),
        )
    keys = [kind, kode]
    for role in ("parent_kode", "source_file"):
        if role in roles:
            keys.append(q(roles[role]))
    if "jenis_pemilihan" in canon:
        keys.append(q(canon["jenis_pemilihan"]))
    group = ", ".join(keys)
    dup = con.execute(
        f"SELECT min(_row), max(_row), {kode}::VARCHAR, _n FROM {numbered} WHERE _n IS NOT NULL "
        f"GROUP BY {group}, _n HAVING count(*) > 1 ORDER BY 1 LIMIT 1"
    ).fetchall()
    if dup:
        a, b, unit, n = dup[0]
        raise InputError(
            _("{path} baris {first} dan {second}: wilayah {unit} punya dua nilai untuk nomor urut {number} (id paslon "
              "yang sama dua kali, atau dua id dengan satu nomor urut)", path=display, first=a, second=b, unit=unit,
              number=n),
            hint=_("simpan satu rekaman per wilayah dan paslon; periksa bahwa --paslon adalah tabel pemilihan ini"),
        )
    numbers = [
        int(r[0]) for r in con.execute(f"SELECT DISTINCT _n FROM {numbered} WHERE _n IS NOT NULL ORDER BY 1").fetchall()
    ]
    numeric = [paslon_column(n) for n in numbers]
    select: dict[str, str] = {
        "_row": "min(_row)",
        "_level": "NULL::VARCHAR",
        "_kode": f"any_value({kode})::VARCHAR",
        "_nama": "NULL::VARCHAR",
        "_jenis": f"any_value({q(canon['jenis_pemilihan'])})::VARCHAR" if "jenis_pemilihan" in canon else "NULL::VARCHAR",
    }
    checks: list[_Check] = []
    if "parent_kode" in roles:
        parent = f"any_value({q(roles['parent_kode'])})::VARCHAR"
        select["_parent"] = f"CASE WHEN any_value({kind}) = 'total' THEN NULL ELSE {parent} END"
        select["_self"] = f"CASE WHEN any_value({kind}) = 'total' THEN {parent} END"
        checks += [_Check("_parent", roles["parent_kode"], "parent"), _Check("_self", roles["parent_kode"], "self")]
    for n, col in zip(numbers, numeric, strict=True):
        select[col] = f"max({suara}) FILTER (WHERE _n = {n})"
        select[f"_row__{col}"] = f"min(_row) FILTER (WHERE _n = {n})"
    view = f"rk_rep_stage_{index}"
    body = ", ".join(f"{expr} AS {q(name)}" for name, expr in select.items())
    con.execute(f"CREATE OR REPLACE TEMP VIEW {q(view)} AS SELECT {body} FROM {numbered} GROUP BY {group}")
    units = count(con, f"SELECT count(*) FROM {q(view)}")
    notes = [n_("tabel panjang: id paslon diputar menjadi {columns} untuk {n} wilayah",
                "tabel panjang: id paslon diputar menjadi {columns} untuk {n} wilayah", units,
                columns=", ".join(numeric) or _("tanpa paslon"))]
    desc = _("suara Sirekap format panjang menurut {code} dan {id}", code=roles["kode_wilayah"], id=roles["paslon_id"])
    return _Stage(
        index, display, "long", f"{fmt}; {desc}",
        view, numeric, checks, False, notes, cell_rows=True,
    )


# --- the D.Hasil layout (rekap's own workbook, staff-typed forms) -------------------------------------


def _stage_dhasil(con: duckdb.DuckDBPyConnection, sheet: DHasilSheet, display: str, index: int) -> _Stage:
    """One sheet read by `rekap.io.dhasil`: its units with their cells' positions, typed like every shape.

    Wide layout: `_row` is the row of the units' codes, `_row__<column>` the item's row, `_cell__<column>`
    the cell. Long layout: `_row` is the unit's row, the cell is the column's letter and that row; its
    JUMLAH row and the text lines around the table (notes) are not units and are only counted in notes."""
    q = quote_ident
    table, view = f"rk_rep_in_{index}", f"rk_rep_stage_{index}"
    tmp = f"_{table}_{uuid.uuid4().hex[:8]}"
    con.register(tmp, sheet.table)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {q(table)} AS SELECT * FROM {q(tmp)}")
    finally:
        con.unregister(tmp)
    name = f"{display} [{sheet.sheet}]"
    counts = list(sheet.counts)
    numeric = [c for c in counts if c in NUMERIC_COLUMNS]
    jenis = literal(sheet.jenis) if sheet.jenis else "NULL::VARCHAR"
    select = [
        "_row", "NULL::VARCHAR AS _level", "_kode", "_nama", f"{jenis} AS _jenis",
        *(q(f"_anc_{lv}") for lv, _ in sheet.ancestors),
        *(q(c) for c in counts),
    ]
    checks = [_Check(f"_anc_{lv}", label, "prefix", CODE_LENGTH[lv]) for lv, label in sheet.ancestors]
    notes = list(sheet.notes)
    where = "TRUE"
    if sheet.layout == "wide":
        select += [q(f"_row__{c}") for c in counts] + [q(f"_cell__{c}") for c in counts]
    else:
        select += [f"{literal(sheet.letters[c])} || _row AS {q('_cell__' + c)}" for c in counts]
        # The JUMLAH row: its word in the code column, or in the name column beside an empty code.
        word = "coalesce(regexp_replace(lower(trim({})), '[^a-z]', '', 'g') IN ('jumlah', 'total', 'jml'), false)"
        totals = f"({word.format('_kode')} OR (rk_blank(_kode) AND {word.format('_nama')}))"
        empty = " AND ".join(
            ["rk_blank(_nama)", *(f"rk_blank({q('_anc_' + lv)})" for lv, _ in sheet.ancestors),
             *(f"rk_blank({q(c)})" for c in counts)]
        )
        # A line of text in the code column with nothing else on the row: a note below the table.
        text = f"{empty} AND NOT rk_blank(_kode) AND NOT regexp_full_match(trim(_kode), '[0-9. ]+')"
        total_rows, text_lines = con.execute(
            f"SELECT list(_row ORDER BY _row) FILTER (WHERE {totals}), count(*) FILTER (WHERE {text} AND NOT {totals}) "
            f"FROM {q(table)}"
        ).fetchall()[0]
        where = f"NOT ({totals}) AND NOT ({text})"
        if total_rows:
            listed = ", ".join(str(r) for r in total_rows)
            notes.append(n_("baris JUMLAH {rows} adalah total, tidak dibaca", "baris JUMLAH {rows} adalah total, tidak dibaca",
                            len(total_rows), rows=listed))
        if text_lines:
            notes.append(n_("{n} baris teks (catatan) tidak dibaca", "{n} baris teks (catatan) tidak dibaca", text_lines))
    con.execute(f"CREATE OR REPLACE TEMP VIEW {q(view)} AS SELECT {', '.join(select)} FROM {q(table)} WHERE {where}")
    return _Stage(
        index, name, f"dhasil-{sheet.layout}", sheet.describe, view, numeric, checks, False, notes,
        cell_rows=sheet.layout == "wide", value_rows=sheet.layout == "wide", cell_refs=True,
        declared_level=sheet.level, jenis_origin="file",
    )


# --- Sirekap region JSON ----------------------------------------------------------------------------


def _stage_json(
    con: duckdb.DuckDBPyConnection, path: Path, display: str, index: int, paslon: dict[str, int] | None
) -> _Stage:
    import pyarrow as pa  # lazily: validating alone never needs it (numpy + pyarrow ~0.3 s)

    try:
        doc = json.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InputError(_("{path}: bukan teks UTF-8 (posisi {offset})", path=display, offset=exc.start),
                         hint=_("JSON Sirekap berpengodean UTF-8")) from None
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data":
            raise InputError(_("{path}: JSON tidak sah ({error}, baris {line} kolom {column}) (JSON Lines? itu rekaman "
                               "TPS, bukan rekap wilayah)", path=display, error=json_reason(exc.msg), line=exc.lineno,
                               column=exc.colno)) from None
        raise InputError(_("{path}: JSON tidak sah ({error}, baris {line} kolom {column})", path=display,
                           error=json_reason(exc.msg), line=exc.lineno, column=exc.colno)) from None
    except RecursionError:
        raise InputError(_("{path}: JSON bersarang terlalu dalam untuk sebuah rekap wilayah Sirekap",
                           path=display)) from None
    if isinstance(doc, list):
        if doc and all(isinstance(e, dict) and "kode" in e and ("tingkat" in e or "nama" in e) for e in doc[:50]):
            raise InputError(
                _("{path}: ini daftar wilayah Sirekap (wilayah: kode, nama, tingkat), bukan rekap", path=display),
                hint=_("berikan JSON rekap hhcw wilayah tersebut (mis. sirekap_pilkada_hhcw_pkwkp_35.json)"),
            )
        raise InputError(_("{path}: ini array JSON, bukan rekap wilayah Sirekap (satu objek dengan `chart` dan `table`)",
                           path=display))
    if not isinstance(doc, dict):
        raise InputError(_("{path}: bukan rekap wilayah Sirekap (JSON {kind})", path=display, kind=type(doc).__name__))
    if isinstance(doc.get("data"), dict):
        doc = doc["data"]
    body = doc["tungsura"] if isinstance(doc.get("tungsura"), dict) else doc
    if "administrasi" in body or "administrasi" in doc:
        raise InputError(
            _("{path}: ini rekaman TPS Sirekap (ada `administrasi`), bukan rekap wilayah", path=display),
            hint=_("berikan rekaman TPS sebagai masukan utama; rekap yang dilaporkan adalah total wilayah"),
        )
    if "table" not in body and "chart" not in body:
        keys = ", ".join(_show(k) for k in list(doc)[:6]) or C_("empty list", "tidak ada")
        raise InputError(_("{path}: bukan rekap wilayah Sirekap (tidak ada `chart` atau `table`; kunci: {keys})",
                           path=display, keys=keys))
    chart = body.get("chart")
    table = body.get("table") or {}
    if chart is not None and not isinstance(chart, dict):
        raise InputError(_("{path}: `chart` bukan objek", path=display))
    if not isinstance(table, dict):
        raise InputError(_("{path}: `table` bukan objek berisi kode anak wilayah", path=display))

    notes: list[str] = []
    match = _JSON_PATH_RE.search(str(path).lower().replace("\\", "/"))
    jenis = match.group(1) if match else None
    name_code: str | None = None
    if match:
        codes = [c for c in re.split(r"[_/\\-]", match.group(2)) if c]
        name_code = codes[-1] if codes else NATIONAL_CODE
    child_codes = [str(k).strip() for k in table]
    prefix_code = _common_parent(child_codes)
    if name_code is not None and prefix_code is not None and name_code != prefix_code:
        raise InputError(
            _("{path}: nama berkas menyebut wilayah {unit} tetapi `table`-nya memuat anak wilayah dari {parent}",
              path=display, unit=name_code, parent=prefix_code),
            hint=_("ganti nama berkas sesuai wilayahnya (…_<jenis>_<kode>.json) atau periksa apakah ini berkas yang benar"),
        )
    unit = name_code or prefix_code
    if unit is None:
        raise InputError(
            _("{path}: tidak dapat ditentukan rekap ini untuk wilayah mana (tidak ada kode di nama berkas, dan anak "
              "wilayah di `table` tidak memiliki kode induk yang sama)", path=display),
            hint=_("namai berkas sesuai wilayahnya, mis. sirekap_pilkada_hhcw_pkwkp_35.json"),
        )
    if name_code:
        note = n_("JSON wilayah Sirekap: wilayah {unit} (kode dari nama berkas), {n} anak wilayah",
                  "JSON wilayah Sirekap: wilayah {unit} (kode dari nama berkas), {n} anak wilayah", len(table), unit=unit)
    else:
        note = n_("JSON wilayah Sirekap: wilayah {unit} (kode dari anak wilayah), {n} anak wilayah",
                  "JSON wilayah Sirekap: wilayah {unit} (kode dari anak wilayah), {n} anak wilayah", len(table), unit=unit)
    notes.append(_("{note}, jenis {jenis} dari nama berkas", note=note, jenis=jenis) if jenis else note)

    records: list[tuple[int, str, str | None, Any, dict[str, Any]]] = []
    if chart:
        records.append((1, unit, None, chart.get("progres") or doc.get("progres"), chart))
    else:
        notes.append(_("tidak ada `chart`: total wilayah itu sendiri tidak ada di berkas, hanya anak wilayahnya"))
    for i, (code, entry) in enumerate(table.items(), start=2):
        if entry is None:
            entry = {}
        if not isinstance(entry, dict):
            raise InputError(_("{path}: entri table {code} bukan objek", path=display, code=_show(code)))
        records.append((i, str(code).strip(), unit, entry.get("progres"), entry))

    ignored: set[str] = set()
    columns = _json_votes(records, paslon, display, jenis, ignored)
    if ignored:
        notes.append(_("kunci JSON diabaikan: {names}", names=", ".join(sorted(ignored))))
    numeric = canonical_order(frozenset(columns))

    def progress(rec: tuple[int, str, str | None, Any, dict[str, Any]], key: str) -> str | None:
        prog = rec[3]
        return json_text(prog.get(key)) if isinstance(prog, dict) else None

    arrow = pa.table(
        {
            "_row": pa.array([r[0] for r in records], type=pa.int64()),
            "_kode": pa.array([r[1] for r in records], type=pa.string()),
            "_parent": pa.array([r[2] for r in records], type=pa.string()),
            **{c: pa.array(columns[c], type=pa.string()) for c in numeric},
            "n_tps_total": pa.array([progress(r, "total") for r in records], type=pa.string()),
            "n_tps_progres": pa.array([progress(r, "progres") for r in records], type=pa.string()),
        }
    )
    raw_table = f"rk_rep_json_{index}"
    view = f"rk_rep_stage_{index}"
    tmp = f"_{raw_table}_{uuid.uuid4().hex[:8]}"
    con.register(tmp, arrow)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {quote_ident(raw_table)} AS SELECT * FROM {quote_ident(tmp)}")
    finally:
        con.unregister(tmp)
    jenis_sql = literal(jenis) if jenis else "NULL::VARCHAR"
    con.execute(
        f"""CREATE OR REPLACE TEMP VIEW {quote_ident(view)} AS
            SELECT _row, NULL::VARCHAR AS _level, _kode, NULL::VARCHAR AS _nama, {jenis_sql} AS _jenis,
                   * EXCLUDE (_row, _kode) FROM {quote_ident(raw_table)}"""
    )
    return _Stage(
        index, display, "sirekap-json", "json; " + _("rekap wilayah Sirekap, wilayah {unit}", unit=unit), view, numeric,
        [_Check("_parent", "file unit", "parent")], False, notes, jenis_origin="file",
    )


def _common_parent(codes: list[str]) -> str | None:
    """The unit whose children these codes are, when they all agree."""
    parents: set[str] = set()
    for code in codes:
        length = len(code)
        if not code.isdigit():
            return None
        if length == CODE_LENGTH["provinsi"]:
            parents.add(NATIONAL_CODE)
        elif length in (4, 6, 10):
            parents.add(code[: {4: 2, 6: 4, 10: 6}[length]])
        else:
            return None
    return parents.pop() if len(parents) == 1 else None


def _json_votes(
    records: list[tuple[int, str, str | None, Any, dict[str, Any]]],
    paslon: dict[str, int] | None,
    display: str,
    jenis: str | None,
    ignored: set[str],
) -> dict[str, list[str | None]]:
    """suara_paslon_<n> text per record, numbered through the candidate table."""
    per_record: list[dict[int, str | None]] = []
    for row, code, _parent, _prog, entry in records:
        where = "chart" if row == 1 else _("entri table {code}", code=_show(code))
        ids: list[tuple[str, Any]] = []
        for key, value in entry.items():
            key_text = str(key)
            if not (key_text.isascii() and key_text.isdigit()):
                if key_text not in _JSON_META_KEYS and value is not None:
                    ignored.add(key_text)
                continue
            ids.append((key_text, value))
        if ids and paslon is None:
            hint = "ppwp2024_paslon.csv" if jenis == "ppwp" else "pilkada2024_paslon.csv"
            raise InputError(
                _("{path}: id paslon ({id}, …) memerlukan tabel paslon untuk dinomori", path=display, id=ids[0][0]),
                hint=_("berikan --paslon {file}", file=hint),
            )
        seen = number_chart(ids, paslon or {})
        if isinstance(seen, NotInTable):
            raise InputError(
                _("{path} {where}: id paslon {id} tidak ada di tabel --paslon", path=display, where=where, id=seen.key),
                hint=_("berikan tabel paslon pemilihan ini (pilkada2024_paslon.csv, ppwp2024_paslon.csv)"),
            )
        if isinstance(seen, SameNumber):
            raise InputError(
                _("{path} {where}: id paslon {first} dan {second} sama-sama bernomor urut {number}", path=display,
                  where=where, first=seen.first, second=seen.second, number=seen.number),
                hint=_("tabel --paslon mencampur beberapa pemilihan; berikan tabel pemilihan ini"),
            )
        per_record.append({n: json_text(entry[k]) for n, k in seen.items()})
    numbers = sorted({n for r in per_record for n in r})
    if numbers and max(numbers) > MAX_PASLON:
        raise InputError(_("{path}: nomor urut {number} melebihi {max}", path=display, number=max(numbers),
                           max=MAX_PASLON))
    return {paslon_column(n): [r.get(n) for r in per_record] for n in numbers}


# --- typing and checking: one path for every shape --------------------------------------------------


def _typed(col: str, dtype: str) -> str:
    """Strict count: text through rk_count; native numbers must be whole and >= 0."""
    if dtype == "VARCHAR":
        return f"rk_count({col})"
    if "INT" in dtype:
        return f"CASE WHEN {col} >= 0 THEN {col}::BIGINT END"
    if any(k in dtype for k in ("DOUBLE", "FLOAT", "DECIMAL", "REAL")):
        return f"CASE WHEN {col} >= 0 AND {col} = floor({col}) AND {col} < 9.2e18 THEN {col}::BIGINT END"
    return f"rk_count({col}::VARCHAR)"


def _is_blank(col: str, dtype: str) -> str:
    return f"rk_blank({col}::VARCHAR)" if dtype == "VARCHAR" else f"{col} IS NULL"


def _level_word(col: str) -> str:
    cases = " ".join(f"WHEN {literal(k)} THEN {literal(v)}" for k, v in LEVEL_WORDS.items())
    return (
        f"CASE WHEN rk_blank({col}) THEN NULL ELSE CASE regexp_replace(lower(trim({col})), '[^a-z]', '', 'g') "
        f"{cases} ELSE '?' END END"
    )


def _create_outputs(con: duckdb.DuckDBPyConnection, numeric: list[str], value_rows: bool) -> None:
    counts = "".join(f", {quote_ident(c)} BIGINT" for c in [*numeric, *TPS_COUNT_COLUMNS])
    if value_rows:
        counts += "".join(f", {quote_ident('_row__' + c)} BIGINT" for c in numeric)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE rk_rep_acc (_file INTEGER, _row BIGINT, jenis_pemilihan VARCHAR,
                level VARCHAR, kode_wilayah VARCHAR, nama_wilayah VARCHAR, parent_kode VARCHAR{counts})"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE rk_rep_bad_acc (_file INTEGER, _row BIGINT, kode_wilayah VARCHAR,
               field VARCHAR, raw VARCHAR, reason VARCHAR, _ord INTEGER)"""
    )


def _type_stage(con: duckdb.DuckDBPyConnection, stage: _Stage, numeric: list[str], election: str | None) -> None:
    q = quote_ident
    types = {str(r[0]): str(r[1]) for r in con.execute(f"DESCRIBE {q(stage.view)}").fetchall()}
    counted = [c for c in [*numeric, *TPS_COUNT_COLUMNS] if c in types]
    fallback = literal(election) if election else "NULL::VARCHAR"
    electionsql = ", ".join(literal(e) for e in ELECTIONS)
    lengths = " ".join(f"WHEN {literal(lv)} THEN {n}" for lv, n in CODE_LENGTH.items() if lv != "tps")
    by_length = " ".join(f"WHEN {n} THEN {literal(lv)}" for lv, n in CODE_LENGTH.items() if lv != "tps")
    blank_row = " AND ".join(
        ["rk_blank(s._kode)", "rk_blank(s._level)"] + [_is_blank(f"s.{q(c)}", types[c]) for c in counted]
    )
    empty_level = "'nasional'" if stage.empty_is_nasional else "NULL"
    parent_of = (
        f"CASE _level_final WHEN 'nasional' THEN NULL WHEN 'provinsi' THEN {literal(NATIONAL_CODE)} "
        + " ".join(f"WHEN {literal(lv)} THEN left(_k, {n})" for lv, n in _PARENT_LENGTH.items())
        + " END"
    )
    typed_cols = "".join(f", {_typed('s.' + q(c), types[c])} AS {q(c)}, s.{q(c)} AS {q('_raw__' + c)}" for c in counted)
    cell_rows = "".join(
        f", s.{q('_row__' + c)}" for c in counted if stage.cell_rows and f"_row__{c}" in types
    ) + "".join(f", s.{q('_cell__' + c)}" for c in counted if stage.cell_refs and f"_cell__{c}" in types)
    check_cols = "".join(f", s.{q(ch.column)}" for ch in stage.checks)
    # Why a row is not loaded: texts of the catalogue (the reason ends up in S002's message).
    why_level = text_sql(_("tingkat tidak dikenal {level}"), level="_level")
    why_tps = literal(_("baris TPS: data TPS bukan rekap wilayah"))
    why_digits = literal(_("bukan kode wilayah (hanya angka)"))
    why_no_code = literal(_("tidak ada kode wilayah"))
    why_length = text_sql(
        _("kode {digits} angka bukan kode provinsi (2), kab/kota (4), kecamatan (6) atau desa (10)"),
        digits="length(_k)::VARCHAR",
    )
    why_national = text_sql(_("tingkat nasional tetapi kodenya {code}"), code="_k")
    why_00 = literal(_("00 adalah kode nasional, bukan provinsi"))
    why_digits_of = text_sql(
        _("kode {level} terdiri dari {expected} angka, kode ini {digits}"), level="_level_final",
        expected=f"(CASE _level_final {lengths} END)::VARCHAR", digits="length(_k)::VARCHAR",
    )
    # Three steps: normalise code and level word; decide the level; say what is wrong, if anything.
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE rk_rep_t AS
        WITH a AS (
            SELECT s._row, s._level, s._kode, s._nama, s._jenis{check_cols}{typed_cols}{cell_rows},
                   coalesce(rk_code(s._kode), '') AS _k, {_level_word('s._level')} AS _lv,
                   {blank_row} AS _skip
            FROM {q(stage.view)} s),
        b AS (
            SELECT *, CASE
                WHEN _lv IS NOT NULL THEN _lv
                WHEN _k = '' THEN {empty_level}
                WHEN _k IN ('00', '0') THEN 'nasional'
                ELSE CASE length(_k) {by_length} END END AS _level_final
            FROM a),
        c AS (
            SELECT *, CASE
                WHEN _lv = '?' THEN {why_level}
                WHEN _lv = 'tps' THEN {why_tps}
                WHEN NOT regexp_full_match(_k, '[0-9]*') THEN {why_digits}
                WHEN _k = '' AND _level_final IS DISTINCT FROM 'nasional' THEN {why_no_code}
                WHEN _level_final IS NULL THEN {why_length}
                WHEN _level_final = 'nasional' AND _k NOT IN ('', '0', '00') THEN {why_national}
                WHEN _level_final = 'provinsi' AND _k = '00' THEN {why_00}
                WHEN _level_final <> 'nasional' AND length(_k) <> CASE _level_final {lengths} END THEN {why_digits_of}
                END AS _why
            FROM b)
        SELECT *, CASE WHEN _lv IN ('?', 'tps') THEN 'level' ELSE 'kode_wilayah' END AS _why_field,
               CASE WHEN _level_final = 'nasional' THEN '{NATIONAL_CODE}' ELSE _k END AS _kode_final,
               {parent_of} AS _parent_final,
               CASE WHEN lower(trim(_jenis)) IN ({electionsql}) THEN lower(trim(_jenis)) ELSE {fallback} END
                   AS _jenis_final,
               NOT rk_blank(_jenis) AND lower(trim(_jenis)) NOT IN ({electionsql}) AS _jenis_bad
        FROM c"""
    )
    file = f"{stage.index}::INTEGER"
    outs = "".join(f", {q(c)}" for c in [*numeric, *TPS_COUNT_COLUMNS] if c in counted)
    if stage.value_rows:
        outs += "".join(f", {q('_row__' + c)}" for c in numeric if c in counted and f"_row__{c}" in types)
    con.execute(
        f"""INSERT INTO rk_rep_acc BY NAME
            SELECT {file} AS _file, _row, _jenis_final AS jenis_pemilihan, _level_final AS level,
                   _kode_final AS kode_wilayah, _nama AS nama_wilayah, _parent_final AS parent_kode{outs}
            FROM rk_rep_t WHERE NOT _skip AND _why IS NULL"""
    )
    bad: list[str] = [
        f"""SELECT {file}, _row, coalesce(nullif(_k, ''), _kode), _why_field,
                   CASE WHEN _why_field = 'level' THEN _level ELSE _kode END, _why, 0
            FROM rk_rep_t WHERE NOT _skip AND _why IS NOT NULL""",
        f"""SELECT {file}, _row, _kode_final, 'jenis_pemilihan', _jenis,
                   {literal(_("jenis pemilihan tidak dikenal (salah satu dari {types})", types=", ".join(ELECTIONS)))}, 1
            FROM rk_rep_t WHERE NOT _skip AND _why IS NULL AND _jenis_bad""",
    ]
    for ch in stage.checks:
        given = f"coalesce(rk_code({q(ch.column)}), '')"
        if ch.kind == "parent":
            differs = (
                f"CASE WHEN _level_final = 'provinsi' THEN {given} NOT IN ('0', '00') "
                f"WHEN _level_final = 'nasional' THEN FALSE ELSE {given} IS DISTINCT FROM _parent_final END"
            )
            why = text_sql(_("{label} {given} bukan induk dari {code}"), label=literal(ch.label), given=given,
                           code="_kode_final")
        elif ch.kind == "self":
            differs = f"{given} <> _kode_final"
            why = text_sql(_("baris jumlah: {label} {given} bukan kodenya sendiri {code}"), label=literal(ch.label),
                           given=given, code="_kode_final")
        else:
            differs = f"length(_k) > {ch.length} AND {given} <> left(_k, {ch.length})"
            why = text_sql(_("{label} {given} bukan awalan dari {code}"), label=literal(ch.label), given=given,
                           code="_kode_final")
        bad.append(
            f"""SELECT {file}, _row, _kode_final, 'kode_wilayah', {q(ch.column)}::VARCHAR, {why}, 2
                FROM rk_rep_t WHERE NOT _skip AND _why IS NULL AND {given} <> '' AND ({differs})"""
        )
    bad_count = _("bukan bilangan bulat >= 0")
    for ord_, c in enumerate(counted, start=3):
        raw = q("_raw__" + c)
        row = f"coalesce({q('_row__' + c)}, _row)" if stage.cell_rows and f"_row__{c}" in types else "_row"
        reason = literal(bad_count)
        if stage.cell_refs and f"_cell__{c}" in types:
            reason = text_sql(_("{reason}, sel {cell}"), reason=reason, cell=q("_cell__" + c))
            reason = f"coalesce({reason}, {literal(bad_count)})"
        bad.append(
            f"""SELECT {file}, {row}, _kode_final, {literal(c)}, {raw}::VARCHAR, {reason}, {ord_}
                FROM rk_rep_t WHERE NOT _skip AND _why IS NULL AND {q(c)} IS NULL
                AND NOT {_is_blank(raw, types[c])}"""
        )
    con.execute("INSERT INTO rk_rep_bad_acc " + " UNION ALL ".join(bad))
    if stage.rejects:
        con.executemany(
            "INSERT INTO rk_rep_bad_acc VALUES (?, ?, NULL, 'row', ?, ?, -1)",
            [[stage.index, r, text, _("baris tidak terbaca ({why})", why=why)]
             for r, why, text in stage.rejects],
        )
    skipped, stage.rows, identity, stage.jenis_stated = con.execute(
        "SELECT count(*) FILTER (WHERE _skip), count(*) FILTER (WHERE NOT _skip AND _why IS NULL), "
        "count(*) FILTER (WHERE NOT _skip AND _why IS NOT NULL), "
        f"count(*) FILTER (WHERE NOT _skip AND _why IS NULL AND lower(trim(_jenis)) IN ({electionsql})) FROM rk_rep_t"
    ).fetchall()[0]
    stage.rejected = int(identity) + len(stage.rejects)
    if stage.rejected:
        stage.notes.append(n_("{n} baris tidak dimuat (tercantum di {table})", "{n} baris tidak dimuat (tercantum di {table})",
                              stage.rejected, table=BAD_TABLE))
    if skipped:
        stage.notes.append(n_("{n} baris kosong dilewati", "{n} baris kosong dilewati", skipped))
    if any(ch.kind == "prefix" for ch in stage.checks):
        stage.notes.append(
            _("kode induk diperiksa terhadap {columns}",
              columns=", ".join(ch.label for ch in stage.checks if ch.kind == "prefix"))
        )
    if stage.declared_level:
        found = sorted(
            str(r[0]) for r in con.execute(
                "SELECT DISTINCT level FROM rk_rep_acc WHERE _file = $f AND level <> $l", {"f": stage.index, "l": stage.declared_level}
            ).fetchall()
        )
        if found:
            # The codes decide: a kecamatan-level meeting's form lists desa, and a title is easily copied.
            stage.notes.append(
                _("lembar ini menyebut tingkat {declared}, tetapi kodenya dari tingkat {found}: tingkat setiap wilayah "
                  "ditentukan oleh kodenya", declared=level_word(stage.declared_level),
                  found=", ".join(level_word(lv) for lv in found))
            )
    con.execute("DROP TABLE rk_rep_t")


def _store(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"CREATE OR REPLACE TABLE {REPORTED_TABLE} AS SELECT * FROM rk_rep_acc ORDER BY _file, _row")
    con.execute(
        f"""CREATE OR REPLACE TABLE {BAD_TABLE} AS
            SELECT * EXCLUDE (_ord) FROM rk_rep_bad_acc ORDER BY _file, _row, _ord, field"""
    )
    con.execute("DROP TABLE rk_rep_acc")
    con.execute("DROP TABLE rk_rep_bad_acc")


def _note_conflicts(con: duckdb.DuckDBPyConnection, sources: list[ReportedSource], numeric: list[str]) -> None:
    """Say where one unit is reported twice with different numbers; both rows stay."""
    if not numeric:
        return
    differs = " OR ".join(f"coalesce(a.{quote_ident(c)} <> b.{quote_ident(c)}, false)" for c in numeric)
    rows = con.execute(
        f"""SELECT a._file, b._file, count(*), min(a.level || ' ' || a.kode_wilayah)
            FROM {REPORTED_TABLE} a JOIN {REPORTED_TABLE} b
              ON a.level = b.level AND a.kode_wilayah = b.kode_wilayah
             AND a.jenis_pemilihan IS NOT DISTINCT FROM b.jenis_pemilihan
             AND (a._file, a._row) < (b._file, b._row)
            WHERE {differs}
            GROUP BY 1, 2 ORDER BY 1, 2"""
    ).fetchall()
    by_index = {s.index: s for s in sources}
    for fa, fb, n, example in rows:
        a, b = by_index[int(fa)], by_index[int(fb)]
        if fa == fb:
            a.notes.append(n_("{n} wilayah dilaporkan dua kali di berkas ini dengan angka berbeda (mis. {example})",
                              "{n} wilayah dilaporkan dua kali di berkas ini dengan angka berbeda (mis. {example})",
                              n, example=example))
        else:
            for here, other in ((a, b), (b, a)):
                here.notes.append(n_("{n} wilayah juga ada di {other} dengan angka berbeda (mis. {example})",
                                     "{n} wilayah juga ada di {other} dengan angka berbeda (mis. {example})",
                                     n, other=other.name, example=example))


def reported_elections(
    con: duckdb.DuckDBPyConnection, sources: list[ReportedSource], election: str | None
) -> list[InputElection]:
    """Each reported recap's election type(s) and where they came from. Rows that do not say theirs (and
    took no --election) get the type guessed from their file's columns, written into `rk_reported`: the
    guess is stated and checked against the other inputs (rekap.election.check_match), never adopted
    silently from them."""
    from rekap.election import guess_from_columns

    types: dict[int, list[str]] = {}
    for f, e in con.execute(
        f"SELECT DISTINCT _file, jenis_pemilihan FROM {REPORTED_TABLE} WHERE jenis_pemilihan IS NOT NULL ORDER BY 1, 2"
    ).fetchall():
        types.setdefault(int(f), []).append(str(e))
    unknown = {int(f) for (f,) in con.execute(
        f"SELECT DISTINCT _file FROM {REPORTED_TABLE} WHERE jenis_pemilihan IS NULL").fetchall()}
    out = []
    for s in sources:
        guess = guess_from_columns(s.numeric)
        if s.index in unknown:
            con.execute(
                f"UPDATE {REPORTED_TABLE} SET jenis_pemilihan = $e WHERE _file = $f AND jenis_pemilihan IS NULL",
                {"e": guess.election, "f": s.index},
            )
        found = tuple(sorted(set(types.get(s.index, [])) | ({guess.election} if s.index in unknown else set())))
        evidence: tuple[str, ...] = ()
        if s.election_stated:
            origin = s.election_origin
        elif election is not None:
            origin = "flag"
        else:
            origin, evidence = "guess", guess.evidence
        out.append(InputElection(s.name, "reported", found or (election or guess.election,), origin, evidence))
    return out


__all__ = ["BAD_TABLE", "NATIONAL_CODE", "REPORTED_TABLE", "ReportedSource", "load_reported"]

