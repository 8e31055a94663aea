"""Reader for Sirekap TPS JSON: one record per TPS, as KPU publishes it or wrapped by a scraper.

Accepted layouts: JSON Lines (one record per line, blank lines skipped; a one-line file counts as
JSON Lines), a JSON array of records, or one JSON object over several lines (a single TPS file such as
`3101011001001.json`). A record is either a wrapper with a `data` object (`{kode_tps, url, path,
source_file, ..., data}`) or a bare Sirekap TPS JSON (`chart` and/or `administrasi` at the top level).
Refused, each with one line naming the place: undecodable bytes (UTF-8 with or without BOM only),
invalid or too deeply nested JSON, an empty file or array, anything that is not a TPS record
(including Sirekap's region-level JSON, which has a `table`), a record without a derivable `kode_tps`.

What the reader produces (text, canonical names, plus `_row`):
- `kode_tps` from the wrapper's `kode_tps`, else the 13-digit file name in `url`, `path` or
  `source_file`, else (only when the file holds one record) the 13-digit stem of the file name.
- `jenis_pemilihan` from `/hhcw/<type>/` in `url`, `path` or `source_file`, else NULL; `sumber` =
  `sirekap`; `ts` = the record's `ts`.
- every `administrasi` key that is a canonical count column (Sirekap already uses rekap's names);
  other keys are ignored and named in a note.
- `suara_paslon_<n>` from `chart`, numbered through the candidate table (id -> nomor urut).
- Values are never judged here: ints become their digits, null stays NULL, anything else (floats,
  strings, booleans, nested values) is kept as text so that rule S002 reports it. (The typed read
  below keeps counts it has proven whole numbers as INTEGER: the same digits, typed already.)
- Every record is kept, exact duplicate lines included (rule S004 handles them). `_row` is the line
  number (JSON Lines), the 1-based element index (array) or 1 (single object).

Speed: a JSON Lines file of 1 MB or more without a BOM is read by DuckDB, in one of two ways, each giving
the same table (as text) and notes as the Python path:
- `_typed_json_lines`, when every line has the layout of the file's first record (the same keys in
  the same order at the top, in the body and in `chart`/`administrasi`; `json.dumps`'s spacing or
  none; strings without escapes; counts whole numbers of up to 9 digits or null): one pass of RE2
  over the lines proves it (`_layout` builds the expression from the first lines), and DuckDB's
  typed `read_ndjson` then parses each line once. Its answer is a view over a compact table (counts
  INTEGER). A key twice, null for a missing key, a non-object line, a trailing comma or deep
  nesting cannot match the expression, so the typed read never has to tell them apart.
- otherwise, with LF line ends only and no blank lines, `read_json_objects` + `json_extract`, set-based
  (`_fast_read`). Every record is checked in SQL first; a file with anything whose answer might differ
  (a value that is not an integer, a string or null; duplicate or escaped keys; trailing commas or deep
  nesting, which DuckDB accepts and Python refuses; a record the Python path refuses; a
  candidate-numbering problem) is read by the Python path below instead, which names the problem
  exactly as before.

The typed read's stage (~70 MB for 443,968 records) lives as long as the view over it; the peak of
`rekap validate` on that file is ~390 MB (benchmarks/README.md, "Issue 15: Sirekap JSON").

Memory: otherwise, a JSON Lines file is read one line at a time (after a first pass checking it is UTF-8), and each
record's values go into per-column lists as it passes, so the reader holds about 1.4× the file's size
(a JSON array or a single object is parsed whole). Candidate ids are numbered once every record is read
(numbering by rank needs them all); a numbering problem is raised then, after any record that cannot be
read at all, as if every record had been read first.

Candidate ids:
- The `"null"` chart key Sirekap emits, and any other null-valued key that is not a candidate id,
  is ignored. A non-null value under a key that cannot be numbered is an error, never dropped.
- With a paslon table, every other id must be in it; two ids of one record must not share a nomor urut.
- Without one, the all-digit ids of the whole file (null-valued ones included, so a candidate left
  empty keeps its place) are numbered 1..N in ascending order and the mapping is reported as a note.
  Sirekap usually allots ids in ballot order, but not always: in 14 of the 545 Pilkada 2024 races of
  `pilkada2024_paslon.csv` ascending id != nomor urut, hence "give --paslon". The numbering is only
  sound when all records belong to one race, so the reader refuses files whose records carry
  candidate ids of more than one election type, or whose id sets share no id at all (two
  kab/kota races of one Pilkada, say): numbering those by rank would silently give votes to the
  wrong candidate. More than MAX_PASLON ids (a DPD or legislative race) are refused too.

Files that mix races (e.g. PPWP records plus one DPD record, `hhcw/pdpd/...`): a file may hold
several election types as long as every candidate id can be numbered, because rekap keeps races
apart by `jenis_pemilihan`. When a record's ids cannot be numbered and the file mixes types, the
reader raises an InputError that names the record, its race and the races found, and tells the user
to split the file by race. Dropping the odd record would break "every input row is accounted for"
(the reader has no way to list rejected rows), and keeping it with empty votes would invent a
partial record (P008) that is not in the source. Records with `chart: null` have no ids to number,
so they never trigger this.
"""

from __future__ import annotations

import codecs
import json
import re
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from rekap.errors import InputError
from rekap.i18n import C_, N_, _, n_, num
from rekap.io.base import RawTable
from rekap.io.paslon import NotInTable, SameNumber, json_reason, json_text, number_chart
from rekap.schema import (
    CANONICAL_SET,
    MAX_PASLON,
    PASLON_COLUMNS,
    canonical_order,
    paslon_column,
    quote_ident,
)

if TYPE_CHECKING:
    import pyarrow as pa

FORMAT = "sirekap-json"
SUMBER = "sirekap"

_OWN_COLUMNS: tuple[str, ...] = ("kode_tps", "jenis_pemilihan", "sumber", "ts")
# `administrasi` may not overwrite what the reader derives itself, nor the votes that `chart` owns.
_ADMIN_COLUMNS: frozenset[str] = CANONICAL_SET - frozenset(_OWN_COLUMNS) - frozenset(PASLON_COLUMNS)
# File name of a TPS JSON: 13 digits, optional extension, optional query string.
_KODE_TPS_RE = re.compile(r"(?:^|[/\\])([0-9]{13})(?:\.[A-Za-z0-9]+)?(?:[?#].*)?$")
_RACE_RE = re.compile(r"hhcw/([a-z]+)/")
_LOCATION_KEYS: tuple[str, ...] = ("url", "path", "source_file")
_NOT_SIREKAP_HINT = N_(
    "diharapkan JSON TPS Sirekap: objek dengan `chart` dan/atau `administrasi`, atau pembungkus yang objek "
    "`data`-nya memuat keduanya"
)
_MAX_NOTE_IDS = 12


# --- records ------------------------------------------------------------------------------------------


@dataclass
class _Record:
    row: int
    where: str
    """' baris 3' / ' elemen 3' ('line 3' / 'element 3') / '' (single object): inserted after the file name
    in messages, in the process language."""
    kode_tps: str
    race: str | None
    ts: str | None
    admin: dict[str, Any] | None
    """Raw JSON values of the canonical `administrasi` keys (turned into text column by column)."""
    chart: dict[str, Any] | None
    kode_from_file_name: bool = False


def _race_of(location: str) -> str | None:
    """`ppwp` from `.../hhcw/ppwp/31/...`; `path` values from repo dumps have no leading slash."""
    # str.find first: a regex search over every url costs more than parsing the rest of the record.
    at = location.find("hhcw/")
    while at >= 0:
        if at == 0 or location[at - 1] == "/":
            match = _RACE_RE.match(location, at)
            if match:
                return match.group(1)
        at = location.find("hhcw/", at + 1)
    return None


def _show(text: str | None, limit: int = 40) -> str:
    """A key or value fit for a one-line message."""
    if text is None:
        return "null"
    if text.isprintable() and len(text) <= limit:
        return text
    return repr(text[:limit]) + ("…" if len(text) > limit else "")


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        keys = ", ".join(_show(k) for k in list(value)[:5]) or C_("empty list", "tidak ada")
        return C_("json value", "objek dengan kunci {keys}", keys=keys)
    if isinstance(value, list):
        return C_("json value", "array")
    if isinstance(value, str):
        return C_("json value", "teks")
    if isinstance(value, bool):
        return C_("json value", "nilai boolean")
    if isinstance(value, int | float):
        return C_("json value", "angka")
    return "null"


def _line(line_no: int) -> str:
    """' baris 3': where a record is, after the file name in messages."""
    return " " + _("baris {line}", line=line_no)


def _lines_where() -> Callable[[int], str]:
    """`_line` for every record of a file: the text looked up once (a national dump has ~820,000 lines)."""
    head, _sep, tail = (" " + _("baris {line}")).partition("{line}")
    return lambda line_no: f"{head}{line_no}{tail}"


def _not_sirekap(display: str, where: str, value: Any) -> InputError:
    return InputError(_("{path}{where}: bukan rekaman TPS Sirekap (ditemukan {kind})", path=display, where=where,
                        kind=_kind(value)), hint=_(_NOT_SIREKAP_HINT))


def _record(
    obj: Any,
    row: int,
    where: str,
    display: str,
    filename_hint: str | None,
    unknown_admin: Counter[str],
) -> _Record:
    """One record; `filename_hint` is None unless the file holds this record alone."""
    if not isinstance(obj, dict):
        raise _not_sirekap(display, where, obj)
    inner = obj.get("data")
    if isinstance(inner, dict) and ("chart" in inner or "administrasi" in inner or "table" in inner):
        body = inner
    elif "chart" in obj or "administrasi" in obj or "table" in obj:
        body = obj
    else:
        raise _not_sirekap(display, where, obj)
    if "table" in body:
        # Region-level Sirekap JSON has a `chart` too, but its numbers are sums over many TPS.
        raise InputError(
            _("{path}{where}: rekap wilayah Sirekap (ada `table`), bukan rekaman TPS", path=display, where=where),
            hint=_("rekap validate membaca rekaman TPS; rekap wilayah dibandingkan dengannya secara terpisah"),
        )

    kode_tps = json_text(obj.get("kode_tps"))
    locations = [v for k in _LOCATION_KEYS if isinstance(v := obj.get(k), str)]
    if not kode_tps:
        kode_tps = next((m.group(1) for v in locations if (m := _KODE_TPS_RE.search(v))), None)
    from_file_name = False
    if not kode_tps and filename_hint:
        match = _KODE_TPS_RE.search(filename_hint)
        kode_tps, from_file_name = (match.group(1), True) if match else (None, False)
    if not kode_tps:
        if filename_hint is None:
            raise InputError(
                _("{path}{where}: tidak ada kode_tps (tidak ada kunci `kode_tps` dan tidak ada nama berkas 13 digit "
                  "di `url`, `path`, atau `source_file`)", path=display, where=where),
                hint=_('bungkus setiap rekaman sebagai {"kode_tps": "3101011001001", "data": {...}}'),
            )
        raise InputError(
            _("{path}{where}: tidak ada kode_tps untuk rekaman TPS tunggal ini (tidak ada `kode_tps`, `url`, atau "
              "`path`, dan nama berkasnya bukan kode TPS 13 digit)", path=display, where=where),
            hint=_("namai berkas dengan kode TPS-nya, mis. 3101011001001.json"),
        )
    race = next((r for v in locations if (r := _race_of(v))), None)

    admin_raw = body.get("administrasi")
    admin: dict[str, Any] | None = None
    if isinstance(admin_raw, dict):
        admin = admin_raw
        if not _ADMIN_COLUMNS.issuperset(admin_raw):
            admin = {}
            for key, value in admin_raw.items():
                if key in _ADMIN_COLUMNS:
                    admin[key] = value
                else:
                    unknown_admin[key] += 1
    elif admin_raw is not None:
        raise InputError(_("{path}{where}: `administrasi` berisi {kind}, diharapkan objek atau null", path=display,
                           where=where, kind=_kind(admin_raw)))

    chart = body.get("chart")
    if chart is not None and not isinstance(chart, dict):
        raise InputError(_("{path}{where}: `chart` berisi {kind}, diharapkan objek atau null", path=display,
                           where=where, kind=_kind(chart)))
    return _Record(row, where, kode_tps, race, json_text(body.get("ts")), admin, chart, from_file_name)


def _not_utf8(display: str, byte: int, offset: int) -> InputError:
    return InputError(
        _("{path}: bukan teks UTF-8 (byte 0x{byte:02x} pada posisi {offset})", path=display, byte=byte, offset=offset),
        hint=_("JSON Sirekap berpengodean UTF-8; simpan ulang berkas sebagai UTF-8"),
    )


def _decode(data: bytes, display: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # utf-8-sig counts from after a byte-order mark; the offset named is the file's.
        at = exc.start + (len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0)
        raise _not_utf8(display, data[at], at) from None


def _file_lines(path: Path, display: str) -> Iterator[tuple[int, str]]:
    """(line number, text) of every line of a UTF-8 file, read one line at a time (a byte-order mark
    at the start dropped). Lines end at LF only, as in `_json_lines`; an LF byte never occurs inside a
    multi-byte UTF-8 character, so decoding line by line fails exactly where decoding the whole file does."""
    offset = 0
    with open(path, "rb") as fh:
        for line_no, raw in enumerate(fh, start=1):
            start = len(codecs.BOM_UTF8) if line_no == 1 and raw.startswith(codecs.BOM_UTF8) else 0
            try:
                text = raw[start:].decode("utf-8")
            except UnicodeDecodeError as exc:
                raise _not_utf8(display, raw[start + exc.start], offset + start + exc.start) from None
            offset += len(raw)
            yield line_no, text[:-1] if text.endswith("\n") else text


def _streamed_json_lines(path: Path, display: str) -> Iterator[tuple[int, str, Any]] | None:
    """The records of a JSON Lines file, parsed from the file one line at a time, so that not even its
    text is kept whole; None when the file is not plainly JSON Lines (its first non-blank line one
    JSON object and another non-blank line after it), for `_documents` to read as a whole.

    The whole file is checked to be UTF-8 first, so that an encoding error is reported before any
    record, as when the file is decoded at once."""
    first: str | None = None
    more = False
    for _line_no, line in _file_lines(path, display):
        if not line.strip():
            continue
        if first is None:
            first = line
        else:
            more = True
    if first is None or not more:
        return None
    try:
        if not isinstance(json.loads(first), dict):
            return None
    except (ValueError, RecursionError):
        return None

    return _parsed_lines(_file_lines(path, display), display)


class _UnparsableValue(InputError):
    """JSON the parser gives up on without a position (too deep, or an over-long integer)."""


def _json_error(display: str, line: int | None, exc: ValueError) -> InputError:
    at = _line(line) if line is not None else ""
    if isinstance(exc, json.JSONDecodeError):
        return InputError(_("{path}{where}: JSON tidak sah ({error}, kolom {column})", path=display, where=at,
                            error=json_reason(exc.msg), column=exc.colno))
    # e.g. an integer literal longer than Python's int-conversion limit; the advice after ';' is
    # about Python, not about the file.
    return _UnparsableValue(_("{path}{where}: JSON tidak sah ({error})", path=display, where=at,
                              error=str(exc).split(";")[0]))


def _too_deep(display: str, where: str) -> InputError:
    return _UnparsableValue(_("{path}{where}: JSON bersarang terlalu dalam untuk sebuah rekaman TPS Sirekap",
                              path=display, where=where))


def _documents(text: str, display: str) -> tuple[Iterable[tuple[int, str, Any]], str]:
    """(row, where, parsed value) per record, and a word on the layout found. JSON Lines come as an
    iterator (two or more records: one record alone parses as a whole file)."""
    if not text.strip():
        raise InputError(_("{path}: berkas kosong, tidak ada rekaman TPS Sirekap", path=display))
    try:
        whole = json.loads(text)
    except json.JSONDecodeError as exc:
        # A valid first value followed by more text is how JSON Lines looks to a whole-file parse;
        # it costs one record, since the parser stops right after the first value.
        if exc.msg != "Extra data":
            raise _json_error(display, exc.lineno, exc) from None
    except (ValueError, RecursionError) as exc:
        # No position comes with these; when the file is JSON Lines, parsing it line by line
        # names the line. When it is not, that parse fails differently and says nothing useful.
        whole_error = _json_error(display, None, exc) if isinstance(exc, ValueError) else _too_deep(display, "")
        try:
            for _record_read in _json_lines(text, display):
                pass
        except _UnparsableValue as line_error:
            raise line_error from None
        except InputError:
            pass
        raise whole_error from None
    else:
        if isinstance(whole, list):
            if not whole:
                raise InputError(_("{path}: array JSON kosong, tidak ada rekaman TPS Sirekap", path=display))
            head, _sep, tail = (" " + _("elemen {n}")).partition("{n}")
            return [(i, f"{head}{i}{tail}", v) for i, v in enumerate(whole, start=1)], N_("array JSON")
        if isinstance(whole, dict):
            content = text.strip()
            if "\n" in content:
                return [(1, "", whole)], N_("satu objek TPS")
            # A one-line file is JSON Lines with one record: keep its line number in messages.
            line_no = text.count("\n", 0, text.index(content[0])) + 1
            return [(line_no, _line(line_no), whole)], N_("JSON Lines")
        raise _not_sirekap(display, "", whole)
    return _json_lines(text, display), N_("JSON Lines")


def _json_lines(text: str, display: str) -> Iterator[tuple[int, str, Any]]:
    """The records of a JSON Lines text, one at a time: a national dump is ~1 GB of JSON, and its
    parsed objects (image lists and all) would take many times that if they were all kept at once."""
    return _parsed_lines(_text_lines(text), display)


def _text_lines(text: str) -> Iterator[tuple[int, str]]:
    """(line number, text) of every line; lines end at LF only. Not splitlines(): U+2028 and friends
    are legal unescaped inside JSON strings."""
    start, line_no = 0, 0
    while start <= len(text):
        end = text.find("\n", start)
        if end < 0:
            end = len(text)
        line_no += 1
        yield line_no, text[start:end]
        start = end + 1


def _parsed_lines(lines: Iterable[tuple[int, str]], display: str) -> Iterator[tuple[int, str, Any]]:
    """(line number, where, parsed value) of every non-blank line."""
    where = _lines_where()
    for line_no, line in lines:
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError as exc:
            raise _json_error(display, line_no, exc) from None
        except RecursionError:
            raise _too_deep(display, where(line_no)) from None
        yield line_no, where(line_no), value


# --- candidate numbering -----------------------------------------------------------------------------


def _is_candidate_id(key: str) -> bool:
    return key.isascii() and key.isdigit()


def _format_counts(counts: Counter[str]) -> str:
    return ", ".join(f"{race} {num(n)}" for race, n in counts.most_common())


def _mixed_race_error(display: str, record: _Record, reason: str, counts: Counter[str]) -> InputError:
    other = next(race for race, _ in counts.most_common() if race != record.race)
    return InputError(
        _("{path}{where}: {reason}; rekaman {race} ini ada di berkas yang mencampur beberapa pemilihan ({counts})",
          path=display, where=record.where, reason=reason, race=record.race, counts=_format_counts(counts)),
        hint=_("rekap membaca satu pemilihan per berkas: pisahkan berkas per pemilihan (mis. grep -F '/hhcw/{other}/' "
               "FILE > {other}.jsonl) dan berikan tabel --paslon untuk setiap bagian", other=other),
    )


def _light(record: _Record) -> _Record:
    """The record without its values: what an error message needs, kept past the record itself."""
    return replace(record, admin=None, chart=None)


class _Numbering:
    """Numbers the candidate ids of `chart` while the records stream past (`observe`), and gives the
    mapping id -> nomor urut at the end (`finish`). The first problem found is kept and raised by
    `finish`, after every record has been read: a record that is not readable at all is reported
    before any numbering problem, and messages can count the races of the whole file, as when all
    records were kept."""

    def __init__(self, display: str) -> None:
        self.display = display
        self.error: Callable[[Counter[str]], InputError] | None = None
        """The first problem, made once the races of the whole file are counted."""

    def fail(self, error: InputError) -> None:
        """Keep a problem whose message does not depend on the other records."""
        self.error = lambda _counts: error


class _ByTable(_Numbering):
    def __init__(self, display: str, paslon: dict[str, int]) -> None:
        super().__init__(display)
        self.paslon = paslon
        self.used: dict[str, int] = {}

    def observe(self, record: _Record) -> None:
        if not record.chart or self.error is not None:
            return
        display = self.display
        numbered = number_chart(record.chart.items(), self.paslon)
        if isinstance(numbered, NotInTable):
            reason = _("id paslon {id} tidak ada di tabel --paslon", id=_show(numbered.key))
            light = _light(record)

            def not_in_table(counts: Counter[str], light: _Record = light, reason: str = reason) -> InputError:
                if light.race is not None and len(counts) > 1:
                    return _mixed_race_error(display, light, reason, counts)
                return InputError(
                    f"{display}{light.where}: {reason}",
                    hint=_("rekaman ini dari pemilihan lain (mis. pdpd) atau tabel --paslon belum lengkap"),
                )

            self.error = not_in_table
            return
        if isinstance(numbered, SameNumber):
            self.fail(InputError(
                _("{path}{where}: id paslon {first} dan {second} sama-sama bernomor urut {number} di tabel --paslon",
                  path=display, where=record.where, first=_show(numbered.first), second=_show(numbered.second),
                  number=numbered.number),
                hint=_("tabel --paslon mencampur beberapa pemilihan; berikan tabel pemilihan ini saja"),
            ))
            return
        for number, key in numbered.items():
            self.used[key] = number

    def finish(self, counts: Counter[str]) -> tuple[dict[str, int], list[str]]:
        if self.error is not None:
            raise self.error(counts)
        if not self.used:
            return self.used, []
        return self.used, [_("id paslon dinomori menurut tabel --paslon: {mapping}", mapping=_format_mapping(self.used))]


class _ByRank(_Numbering):
    def __init__(self, display: str) -> None:
        super().__init__(display)
        self.ids: set[str] = set()
        self.id_sets: dict[frozenset[str], _Record] = {}
        self.race_first: dict[str, _Record] = {}
        self.race_counts: Counter[str] = Counter()

    def observe(self, record: _Record) -> None:
        if not record.chart or self.error is not None:
            return
        own: set[str] = set()
        for key, value in record.chart.items():
            if _is_candidate_id(key):
                own.add(key)
            elif value is not None:
                error = InputError(
                    _("{path}{where}: kunci chart {key!r:.40} (nilai {value}) bukan id paslon", path=self.display,
                      where=record.where, key=key, value=_show(json_text(value))),
                    hint=_("berikan --paslon dengan tabel yang memuatnya, atau perbaiki rekamannya"),
                )
                self.fail(error)
                return
        if own:
            self.ids |= own
            ids = frozenset(own)
            if ids not in self.id_sets:
                self.id_sets[ids] = _light(record)
            if record.race is not None:
                if record.race not in self.race_first:
                    self.race_first[record.race] = _light(record)
                self.race_counts[record.race] += 1

    def finish(self, counts: Counter[str]) -> tuple[dict[str, int], list[str]]:
        display, ids, race_first, race_counts = self.display, self.ids, self.race_first, self.race_counts
        if self.error is not None:
            raise self.error(counts)
        if not ids:
            return {}, []
        if len(race_first) > 1:
            lines = ", ".join(_("{where} adalah {race}", where=r.where.strip(), race=race) for race, r in race_first.items())
            raise InputError(
                _("{path}: berkas ini mencampur beberapa pemilihan ({counts}; {lines}), jadi id paslon tidak dapat "
                  "dinomori menurut urutan", path=display, counts=_format_counts(race_counts), lines=lines),
                hint=_("pisahkan berkas per pemilihan (mis. grep -F '/hhcw/ppwp/' FILE > ppwp.jsonl) atau berikan "
                       "--paslon"),
            )
        if set(race_first) & {"pkwkp", "pkwkk"}:
            # Pilkada candidate ids are not always in ballot order (14 of 545 races in 2024), so ranking
            # them could silently swap two candidates' votes.
            raise InputError(
                _("{path}: rekaman Pilkada ({counts}) memerlukan tabel paslon untuk menomori id-nya", path=display,
                  counts=_format_counts(race_counts)),
                hint=_("berikan --paslon pilkada2024_paslon.csv (kolom paslon_id, nomor_urut)"),
            )
        _require_one_race(self.id_sets, display)
        if len(ids) > MAX_PASLON:
            raise InputError(
                _("{path}: {n} id paslon di `chart`, lebih dari {max} pasangan calon yang dapat dinomori rekap "
                  "(apakah ini pemilihan DPD atau legislatif?)", path=display, n=num(len(ids)), max=MAX_PASLON),
                hint=_("rekap membaca pemilihan presiden dan Pilkada (ppwp, pkwkp, pkwkk)"),
            )
        mapping = {key: n for n, key in enumerate(sorted(ids, key=lambda k: (int(k), k)), start=1)}
        note = _("id paslon dinomori menurut urutan id dari kecil ke besar: {mapping} (berikan --paslon agar pasti)",
                 mapping=_format_mapping(mapping))
        return mapping, [note]


def _require_one_race(id_sets: dict[frozenset[str], _Record], display: str) -> None:
    """Refuse records whose candidate ids never overlap: they come from different races."""
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for id_set in id_sets:
        first, *rest = sorted(id_set)
        for key in rest:
            parent[root(key)] = root(first)
    groups: dict[str, tuple[frozenset[str], _Record]] = {}
    for id_set, record in id_sets.items():
        groups.setdefault(root(next(iter(id_set))), (id_set, record))
    if len(groups) > 1:
        (set_a, rec_a), (set_b, rec_b) = sorted(groups.values(), key=lambda g: g[1].row)[:2]
        raise InputError(
            _("{path}: {first} (id {first_ids}) dan {second} (id {second_ids}) tidak memiliki id paslon yang sama, "
              "jadi keduanya dari pemilihan atau wilayah yang berbeda dan tidak dapat dinomori menurut urutan",
              path=display, first=rec_a.where.strip() or _("rekaman itu"), first_ids=_format_ids(set_a),
              second=rec_b.where.strip(), second_ids=_format_ids(set_b)),
            hint=_("berikan --paslon dengan tabel paslon (paslon_id,nomor_urut), atau pisahkan berkas per pemilihan"),
        )


def _format_ids(ids: frozenset[str]) -> str:
    ordered = sorted(ids, key=lambda k: (int(k), k))
    shown = ", ".join(ordered[:3])
    return shown + (", …" if len(ordered) > 3 else "")


def _format_mapping(mapping: dict[str, int]) -> str:
    ordered = sorted(mapping.items(), key=lambda kv: (kv[1], kv[0]))
    shown = ", ".join(f"{key}→{n}" for key, n in ordered[:_MAX_NOTE_IDS])
    if len(ordered) > _MAX_NOTE_IDS:
        shown += ", " + _("… ({n} id)", n=num(len(ordered)))
    return shown


# --- reader -------------------------------------------------------------------------------------------


def read_sirekap(
    con: duckdb.DuckDBPyConnection,
    data: bytes | Path,
    table: str,
    display: str,
    paslon: dict[str, int] | None = None,
    filename_hint: str | None = None,
    lines: Callable[[], int] | None = None,
) -> RawTable:
    """Read Sirekap TPS JSON (`data`: its bytes or its path) into DuckDB table (or view) `table` with
    canonical text columns + `_row`.

    `display` names the input in messages; `paslon` numbers the candidate ids (see `load_paslon`);
    `filename_hint` is the input's file name, the last resort for a single TPS object's `kode_tps`;
    `lines` gives the file's line count when a pass over it already makes one (`scan_file`).
    Raises InputError (one line, with a hint) for anything that is not readable Sirekap TPS JSON.
    """
    if isinstance(data, Path):
        fast = _fast_json_lines(con, data, table, display, paslon, lines)
        if fast is not None:
            return fast
    streamed = _streamed_json_lines(data, display) if isinstance(data, Path) else None
    unknown_admin: Counter[str] = Counter()
    numbering: _ByTable | _ByRank = _ByRank(display) if paslon is None else _ByTable(display, paslon)
    columns = _Columns()
    try:
        documents: Iterable[tuple[int, str, Any]]
        if streamed is not None:
            documents, layout = streamed, N_("JSON Lines")
        else:
            # Read here, so that the bytes can go as soon as they are decoded (a caller's argument could not).
            text = _decode(data.read_bytes() if isinstance(data, Path) else data, display)
            documents, layout = _documents(text, display)
            del text  # JSON Lines: the iterator holds what it still needs
        # The file name can only stand for the TPS code when the file holds one TPS.
        name_for_code = (filename_hint or "") if isinstance(documents, list) and len(documents) == 1 else None
        # Each record is checked, numbered and added to the columns, then dropped: a national dump has
        # ~820,000 records, and keeping their parsed objects took ~4x the file's size.
        for row, where, obj in documents:
            record = _record(obj, row, where, display, name_for_code, unknown_admin)
            numbering.observe(record)
            columns.add(record)
        del documents
        import pyarrow as pa  # lazily: DuckDB's paths never need it (numpy + pyarrow ~0.4 s)

        races = columns.races
        mapping, notes = numbering.finish(races)
        values = columns.finish(mapping)
        headers = canonical_order(frozenset(values))
        built: dict[str, pa.Array] = {}
        for name in headers:
            column = values.pop(name)
            try:
                built[name] = _string_array(column)
            except UnicodeEncodeError:
                # A JSON escape of half a UTF-16 pair ("\ud800") parses into a text no file can hold.
                at = next(i for i, v in enumerate(column) if isinstance(v, str) and _surrogate(v))
                raise InputError(
                    _("{path}{where}: {column} berisi escape Unicode yang tidak sah ({value})", path=display,
                      where=_line(columns.rows[at]), column=name,
                      value=column[at].encode("utf-8", "backslashreplace").decode("ascii")),
                    hint=_("escape \\uD800–\\uDFFF hanya sah berpasangan; perbaiki teks itu di berkasnya"),
                ) from None
        arrow = pa.table(built | {"_row": pa.array(columns.rows, type=pa.int64())})
    except RecursionError:
        # json.dumps of a nested value the parser only just accepted
        raise _too_deep(display, "") from None

    n = columns.n
    notes.insert(0, n_("{layout}, {n} rekaman", "{layout}, {n} rekaman", n, layout=_(layout)))
    if columns.first_from_file_name is not None:
        notes.insert(1, _("kode_tps {code} diambil dari nama berkas", code=columns.first_from_file_name))
    if len(races) > 1:
        notes.append(_("pemilihan dalam berkas ini: {counts} (dipisahkan menurut jenis_pemilihan)",
                       counts=_format_counts(races)))
    if unknown_admin:
        names = ", ".join(sorted(unknown_admin))
        notes.append(_("kunci administrasi yang bukan kolom rekap diabaikan: {names}", names=names))

    view = f"_rekap_sirekap_{uuid.uuid4().hex}"
    con.register(view, arrow)
    try:
        # Both names are quoted identifiers, the only thing interpolated here.
        con.execute(f"CREATE OR REPLACE TABLE {quote_ident(table)} AS SELECT * FROM {quote_ident(view)}")  # noqa: S608
    finally:
        con.unregister(view)
    return RawTable(table, headers=headers, rows=n, format=FORMAT, notes=notes, canonical=True)


_ABSENT = object()
"""A chart key the record does not have (unlike a key whose value is null)."""


class _Columns:
    """The records' values column by column (raw JSON values; text for the reader's own columns), added
    one record at a time. A column that appears late is padded: None for `administrasi` keys, `_ABSENT`
    for `chart` keys (numbered into suara_paslon_<n> only at the end, when the numbering is known)."""

    def __init__(self) -> None:
        self.n = 0
        self.rows: list[int] = []
        self.own: dict[str, list[Any]] = {"kode_tps": [], "jenis_pemilihan": [], "sumber": [], "ts": []}
        self.admin: dict[str, list[Any]] = {}
        self.chart: dict[str, list[Any]] = {}
        self.races: Counter[str] = Counter()
        self.first_from_file_name: str | None = None

    def add(self, record: _Record) -> None:
        i = self.n
        if i == 0 and record.kode_from_file_name:
            self.first_from_file_name = record.kode_tps
        self.n += 1
        self.rows.append(record.row)
        own = self.own
        own["kode_tps"].append(record.kode_tps)
        own["jenis_pemilihan"].append(record.race)
        own["sumber"].append(SUMBER)
        own["ts"].append(record.ts)
        if record.race is not None:
            self.races[record.race] += 1
        for values, pad, columns in ((record.admin, None, self.admin), (record.chart, _ABSENT, self.chart)):
            if not values:
                continue
            for key, value in values.items():
                column = columns.get(key)
                if column is None:
                    column = columns[key] = [pad] * i
                elif len(column) < i:
                    column.extend([pad] * (i - len(column)))
                column.append(value)

    def finish(self, mapping: dict[str, int]) -> dict[str, list[Any]]:
        """Column name -> values, every column as long as the records; the chart's ids numbered by
        `mapping` (ids it does not number are left out)."""
        n = self.n
        out = dict(self.own)
        for name, column in self.admin.items():
            out[name] = column + [None] * (n - len(column))
        for number in sorted(set(mapping.values())):
            keys = [key for key, k in mapping.items() if k == number and key in self.chart]
            votes: list[Any] = [None] * n
            for key in keys:
                # A record has at most one id per nomor urut (the numbering refuses two).
                for i, value in enumerate(self.chart[key]):
                    if value is not _ABSENT:
                        votes[i] = value
            out[paslon_column(number)] = votes
        return out


def _surrogate(text: str) -> bool:
    """Whether a text holds half of a UTF-16 surrogate pair (which UTF-8 cannot encode)."""
    return any("\ud800" <= ch <= "\udfff" for ch in text)


def _string_array(values: list[Any]) -> pa.Array:
    """A string column from raw JSON values, spelled as `_text` spells them."""
    # Nearly every column is all ints (or all strings); letting Arrow infer and cast those is several
    # times faster than str() per cell. Inference refuses bools mixed with ints and turns [1, 2.5]
    # into double, so only an exact int64/string/null result takes the fast path.
    import pyarrow as pa

    try:
        inferred = pa.array(values)
    except (pa.ArrowException, OverflowError):
        inferred = None
    if inferred is not None:
        if inferred.type == pa.string():
            return inferred
        if inferred.type == pa.int64() or inferred.type == pa.null():
            return inferred.cast(pa.string())
    return pa.array([json_text(v) for v in values], type=pa.string())


# --- JSON Lines through DuckDB's own JSON reader ------------------------------------------------------

_FAST_MIN_BYTES = 1 << 20
"""Smaller files take the Python path: DuckDB's start-up costs more than it saves there."""
_CHUNK = 1 << 24
_SQL_KODE_RE = r"(?:^|[/\\])([0-9]{13})(?:\.[A-Za-z0-9]+)?(?:[?#].*)?$"
_SQL_RACE_RE = r"(?:^|/)hhcw/([a-z]+)/"
_SCALAR_TYPES = "('VARCHAR', 'BIGINT', 'UBIGINT', 'NULL')"
"""JSON values whose text DuckDB spells as `json_text` does (digits, the string itself, NULL)."""


def _plain_lines(path: Path, counted: Callable[[], int] | None = None) -> Callable[[], int] | None:
    """The number of lines of a file that DuckDB may read for `read_sirekap` (a callable: `counted`,
    when another pass makes the count, is asked only when the count is needed), or None: LF only (no
    CR anywhere, so DuckDB and rekap split lines alike), not starting with a BOM, not empty. Fewer
    than two lines and blank lines are found later (DuckDB skips blank lines, so its row count comes
    out short). Searching for a CR costs a fraction of counting the lines."""
    lines, first, last = 0, True, 0
    buffer = bytearray(_CHUNK)
    with open(path, "rb") as fh:
        while size := fh.readinto(buffer):
            chunk = buffer if size == _CHUNK else buffer[:size]  # one buffer, refilled: no 16 MB per chunk
            if first and chunk.startswith(codecs.BOM_UTF8):
                return None
            if b"\r" in chunk:
                return None
            if counted is None:
                lines += chunk.count(b"\n")
            last, first = chunk[size - 1], False
    if first:
        return None
    if counted is not None:
        return counted
    lines += last != ord("\n")
    return lambda: lines


def _sql_text(value: str) -> str:
    """SQL text of a JSON value checked by `_sql_scalar` (NULL for JSON null)."""
    return f"CASE WHEN starts_with({value}, '\"') THEN {value} ->> '$' WHEN {value} <> 'null' THEN {value}::VARCHAR END"


def _fast_json_lines(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    table: str,
    display: str,
    paslon: dict[str, int] | None,
    counted: Callable[[], int] | None = None,
) -> RawTable | None:
    """`read_sirekap` of a plain JSON Lines file by DuckDB's JSON reader, set-based; None whenever the
    answer might differ from the Python path's (any record that is odd, broken or refused there, any
    value other than an integer, a string or null, duplicate keys, blank lines, CR, a BOM, trailing
    commas, deep nesting): the caller then reads the file the Python way, which names the problem."""
    if path.stat().st_size < _FAST_MIN_BYTES:
        return None
    if _TYPED:
        # No search for CR first: a CR outside a line end fails the check (or splits the line, and the
        # count differs), and a CRLF line end reads as an LF one in Python, RE2's lines and read_ndjson.
        with open(path, "rb") as fh:
            bom = fh.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8
        count = counted or (None if bom else _plain_lines(path))
        if not bom and count is not None:
            typed = _typed_json_lines(con, path, table, display, paslon, count)
            if typed is not None:
                return typed
    count = _plain_lines(path, counted)
    if count is None:
        return None
    lines = count()
    if lines < 2:
        return None
    stage = f"_rekap_sirekap_{uuid.uuid4().hex}"
    try:
        return _fast_read(con, path, table, display, paslon, lines, stage)
    except duckdb.Error:
        return None
    finally:
        con.execute(f"DROP TABLE IF EXISTS {quote_ident(stage)}")


def _fast_read(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    table: str,
    display: str,
    paslon: dict[str, int] | None,
    lines: int,
    stage: str,
) -> RawTable | None:
    kode, url, path_, source, data, chart, admin, table_key, ts, d_chart, d_admin, d_table, d_ts = (
        f"v[{i}]" for i in range(1, 14))
    # `data` is the record's body when it is an object with one of the body keys (json_extract finds keys in
    # objects only); else the record itself.
    in_data = f"({d_chart} IS NOT NULL OR {d_admin} IS NOT NULL OR {d_table} IS NOT NULL)"
    body = {key: f"CASE WHEN {in_data} THEN {inner} ELSE {outer} END"
            for key, inner, outer in (("chart", d_chart, chart), ("admin", d_admin, admin),
                                      ("table", d_table, table_key), ("ts", d_ts, ts))}
    locations = [f"CASE WHEN starts_with({v}, '\"') THEN {v} ->> '$' END" for v in (url, path_, source)]
    own_kode = f"nullif({_sql_text(kode)}, '')"
    kode_sql = "coalesce(" + ", ".join(
        [own_kode] + [f"nullif(regexp_extract({loc}, '{_SQL_KODE_RE}', 1), '')" for loc in locations]) + ")"
    race_sql = "coalesce(" + ", ".join(
        f"nullif(regexp_extract({loc}, '{_SQL_RACE_RE}', 1), '')" for loc in locations) + ")"
    repeated = "|".join(f'"{key}"[ \\t]*:.*"{key}"[ \\t]*:' for key in (
        "kode_tps", "url", "path", "source_file", "data", "chart", "administrasi", "table", "ts"))
    bad = " OR ".join([
        "NOT regexp_matches(j, '^[ \\t]*\\{')",  # an object (JSON Lines has no line breaks before it)
        # No key read here twice (the Python parser keeps the last value, DuckDB the first), and no
        # key spelled with an escape that the count could miss.
        f"regexp_matches(j, '{repeated}')",
        "contains(j, '\\u00')",
        # what the Python parser refuses and DuckDB's accepts: trailing commas, nesting too deep for it
        r"regexp_matches(j, ',[ \t\n]*[\]}]')",
        "(strlen(j) > 1500 AND strlen(j) - strlen(regexp_replace(j, '[\\[{]', '', 'g')) > 700)",
        f"NOT ({in_data} OR {chart} IS NOT NULL OR {admin} IS NOT NULL OR {table_key} IS NOT NULL)",
        "tbl IS NOT NULL",
        f"NOT {_sql_scalar(kode)}",
        "kode IS NULL",
        # Python's `$` also matches before a final newline
        *[f"contains(coalesce({loc}, ''), chr(10))" for loc in locations],
        f"NOT {_sql_scalar('ts_j')}",
        "NOT (adm_j IS NULL OR adm_j = 'null' OR starts_with(adm_j, '{'))",
        "NOT (chart_j IS NULL OR chart_j = 'null' OR starts_with(chart_j, '{'))",
    ])
    stage_q = quote_ident(stage)
    con.execute(f"""
        CREATE TEMP TABLE {stage_q} AS
        SELECT kode, race, ts_j, CASE WHEN starts_with(adm_j, '{{') THEN adm_j END AS adm, ak,
               CASE WHEN starts_with(chart_j, '{{') THEN chart_j END AS chart, ck, ({bad}) AS bad
        FROM (
          SELECT *, json_keys(adm_j) AS ak, json_keys(chart_j) AS ck
          FROM (
            SELECT j, v, {body['table']} AS tbl, {body['ts']} AS ts_j, {body['admin']} AS adm_j,
                   {body['chart']} AS chart_j, {kode_sql} AS kode, {race_sql} AS race
            FROM (
                SELECT json AS j,
                       json_extract(json, ['$.kode_tps', '$.url', '$.path', '$.source_file', '$.data', '$.chart',
                                           '$.administrasi', '$.table', '$.ts', '$.data.chart', '$.data.administrasi',
                                           '$.data.table', '$.data.ts']) AS v
                FROM read_json_objects(?, format = 'newline_delimited')
            )
          )
        )""", [str(path)])  # noqa: S608 (identifiers quoted, the rest constant)
    n, n_bad = con.execute(f"SELECT count(*), count(*) FILTER (WHERE bad) FROM {stage_q}").fetchone() or (0, 0)  # noqa: S608
    if n != lines or n_bad:
        return None
    # The distinct key lists of `administrasi` and `chart` (few): a key twice in one object leaves the file
    # to the Python path (which keeps the last value, DuckDB the first).
    key_sets = con.execute(f"SELECT DISTINCT ak, ck FROM {stage_q}").fetchall()  # noqa: S608
    if any(len(set(keys)) != len(keys) for pair in key_sets for keys in pair if keys):
        return None
    admin_keys = sorted({k for ak, _ck in key_sets for k in ak or ()})
    chart_keys = sorted({k for _ak, ck in key_sets for k in ck or ()})
    if any(not (_is_candidate_id(k) or k == "null") for k in chart_keys):
        return None
    if any(not k.isidentifier() for k in admin_keys):
        return None
    kept_admin = [k for k in admin_keys if k in _ADMIN_COLUMNS]

    # Candidate numbering: the Python path's, replayed on each distinct (race, chart keys) in file order.
    numbering: _ByTable | _ByRank = _ByRank(display) if paslon is None else _ByTable(display, paslon)
    signatures = con.execute(f"""
        SELECT race, keys, list_transform(keys, lambda k: json_type(chart, '$."' || k || '"') = 'NULL') AS nulls,
               min(rowid) AS first
        FROM (SELECT race, ck AS keys, chart, rowid FROM {stage_q})
        WHERE len(keys) > 0 GROUP BY race, keys, nulls ORDER BY first
    """).fetchall()  # noqa: S608
    where = _lines_where()
    for race, keys, nulls, first in signatures:
        row = int(first) + 1
        chart_light: dict[str, Any] = {k: (None if is_null else 0) for k, is_null in zip(keys, nulls, strict=True)}
        numbering.observe(_Record(row, where(row), "", race, None, None, chart_light))
    finished = _finish_staged(con, stage_q, numbering)
    if finished is None:
        return None
    mapping, notes, races = finished

    def paths(keys: list[str]) -> str:
        return "[" + ", ".join(_sql_literal(f'$."{k}"') for k in keys) + "]"

    columns: dict[str, str] = {"kode_tps": "kode", "jenis_pemilihan": "race", "sumber": f"'{SUMBER}'",
                               "ts": _sql_text("ts_j")}
    for i, key in enumerate(kept_admin, start=1):
        columns[key] = f"a[{i}]"
    chart_used = [k for k in chart_keys if k in mapping]
    for number in sorted(set(mapping.values())):
        values = [f"c[{chart_used.index(key) + 1}]" for key, k in mapping.items() if k == number and key in chart_used]
        columns[paslon_column(number)] = f"coalesce({', '.join(values)})" if values else "NULL"
    # Values other than integers, strings and null (a float, a boolean, an integer too large for DuckDB)
    # leave the file to the Python path.
    scalar = f"lambda x: coalesce(x, 'NULL') NOT IN {_SCALAR_TYPES}"
    checks = ["false"]
    if kept_admin:
        checks.append(f"list_bool_or(list_transform(json_type(adm, {paths(kept_admin)}), {scalar}))")
    if chart_used:
        checks.append(f"list_bool_or(list_transform(json_type(chart, {paths(chart_used)}), {scalar}))")
    headers = canonical_order(frozenset(columns))
    select = ", ".join(f"({columns[h]})::VARCHAR AS {quote_ident(h)}" for h in headers)
    a_list = f"json_extract_string(adm, {paths(kept_admin)})" if kept_admin else "NULL"
    c_list = f"json_extract_string(chart, {paths(chart_used)})" if chart_used else "NULL"
    con.execute(f"""
        CREATE OR REPLACE TABLE {quote_ident(table)} AS
        SELECT {select}, (r + 1)::BIGINT AS _row, coalesce({' OR '.join(checks)}, false) AS _odd
        FROM (SELECT *, rowid AS r, {a_list} AS a, {c_list} AS c FROM {stage_q}) ORDER BY r
    """)  # noqa: S608
    odd = con.execute(f"SELECT count(*) FROM {quote_ident(table)} WHERE _odd").fetchone()  # noqa: S608
    if odd is None or odd[0]:
        con.execute(f"DROP TABLE {quote_ident(table)}")
        return None
    con.execute(f"ALTER TABLE {quote_ident(table)} DROP COLUMN _odd")

    return RawTable(table, headers=headers, rows=n, format=FORMAT, canonical=True,
                    notes=_staged_notes(notes, n, races, admin_keys))


def _sql_scalar(value: str) -> str:
    """SQL: the JSON text `value` (as json_extract writes it) is absent, null, a string or an integer that
    Python reads (its digits are then `json_text`'s)."""
    return (f"({value} IS NULL OR {value} = 'null' OR starts_with({value}, '\"') "
            f"OR (regexp_full_match({value}, '-?[0-9]+') AND strlen({value}) < 4000))")


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# --- JSON Lines of one layout: a regular expression per line, then DuckDB's typed reader ---------------

_TYPED = True
"""Whether `_fast_json_lines` tries `_typed_json_lines` first (tests turn it off to reach the path after it)."""
_SAMPLE_LINES = 1000
"""Lines parsed in Python to learn the file's layout (the key order of `chart` and `administrasi`
comes from the first record that has a non-empty one)."""
_BODY_KEYS = ("chart", "administrasi", "table")
_LAYOUT_KEY = re.compile(r"[A-Za-z0-9_]{1,64}")
# RE2 pieces (DuckDB's regexp_full_match). Text of this shape is JSON that Python's parser and DuckDB's
# read alike and give the same values: no escapes and no control characters in strings, every count a
# whole number of at most 9 digits (an INTEGER) or null, no trailing commas, nesting two levels deep
# at most in ignored keys, each key of the layout once, in its order.
_RX_STR = r'"[^"\\\x00-\x1f]*"'
_RX_TEXT = r'"[^"\\\x00-\x1f]+"'
_RX_INT = r"(?:0|-?[1-9][0-9]{0,8})"
_RX_COUNT = f"(?:null|{_RX_INT})"
_RX_NUM = r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?"
_RX_SCALAR = f"(?:null|true|false|{_RX_STR}|{_RX_NUM})"
_RX_ANY = (f"(?:{_RX_SCALAR}|\\[(?:{_RX_SCALAR}(?:, ?{_RX_SCALAR})*)?\\]"
           f"|\\{{(?:{_RX_STR}: ?{_RX_SCALAR}(?:, ?{_RX_STR}: ?{_RX_SCALAR})*)?\\}})")


def _rx_object(slots: list[tuple[str, str]]) -> str:
    """An object with exactly these keys in this order (`json.dumps`'s spacing or none)."""
    return r"\{" + ", ?".join(f'"{key}": ?{slot}' for key, slot in slots) + r"\}"


@dataclass
class _Layout:
    """What every line of a JSON Lines file holds, learnt from its first lines: `regex` matches a line
    of this layout only, `columns` are read_ndjson's typed columns for it."""

    regex: str
    columns: dict[str, str]
    body: str | None
    """`data` (a wrapper) or None (the record is the body)."""
    kode: bool
    locations: list[str]
    chart: list[str]
    admin: list[str]
    ts: bool


def _layout(path: Path) -> _Layout | None:
    """The layout of the file's first record, or None when it is not one `_typed_json_lines` reads."""
    samples: list[Any] = []
    with open(path, "rb") as fh:
        for _i in range(_SAMPLE_LINES):
            line = fh.readline()
            if not line:
                break
            try:
                samples.append(json.loads(line))
            except (ValueError, RecursionError):
                return None
    if not samples or not isinstance(samples[0], dict):
        return None
    first: dict[str, Any] = samples[0]
    inner = first.get("data")
    body_key: str | None
    if isinstance(inner, dict) and any(k in inner for k in _BODY_KEYS):
        body_key, body = "data", inner
    elif any(k in first for k in _BODY_KEYS) and "data" not in first:
        body_key, body = None, first
    else:
        return None
    if "table" in body or not all(_LAYOUT_KEY.fullmatch(k) for k in [*first, *body]):
        return None
    top_keys, body_keys = list(first), list(body)
    chart: list[str] | None = None
    admin: list[str] | None = None
    for record in samples:
        b = record.get(body_key) if body_key is not None and isinstance(record, dict) else record
        if not isinstance(record, dict) or list(record) != top_keys or not isinstance(b, dict) or list(b) != body_keys:
            continue
        if chart is None and isinstance(b.get("chart"), dict) and b["chart"]:
            chart = list(b["chart"])
        if admin is None and isinstance(b.get("administrasi"), dict) and b["administrasi"]:
            admin = list(b["administrasi"])
    if not all(_LAYOUT_KEY.fullmatch(k) for k in [*(chart or ()), *(admin or ())]):
        return None
    chart, admin = chart or [], admin or []

    def body_slot(key: str) -> str:
        if key == "chart":
            return f"(?:null|{_rx_object([(k, _RX_COUNT) for k in chart])})" if chart else "null"
        if key == "administrasi":
            return f"(?:null|{_rx_object([(k, _RX_COUNT) for k in admin])})" if admin else "null"
        if key == "ts":
            return f"(?:null|{_RX_STR}|{_RX_INT})"
        return _RX_ANY

    slots: list[tuple[str, str]] = []
    for key, value in first.items():
        if body_key is None and key in ("chart", "administrasi", "ts"):
            slots.append((key, body_slot(key)))
        elif key == body_key:
            slots.append((key, _rx_object([(k, body_slot(k)) for k in body_keys])))
        elif key == "kode_tps":
            if not (isinstance(value, str) and value):
                return None
            slots.append((key, _RX_TEXT))
        elif key in _LOCATION_KEYS:
            if not isinstance(value, str):
                return None
            slots.append((key, _RX_STR))
        else:
            slots.append((key, _RX_ANY))

    kept = [k for k in admin if k in _ADMIN_COLUMNS]
    fields: dict[str, str] = {}
    if "chart" in body_keys and chart:
        fields["chart"] = "STRUCT(" + ", ".join(f"{quote_ident(k)} INTEGER" for k in chart) + ")"
    if "administrasi" in body_keys and kept:
        fields["administrasi"] = "STRUCT(" + ", ".join(f"{quote_ident(k)} INTEGER" for k in kept) + ")"
    if "ts" in body_keys:
        fields["ts"] = "VARCHAR"
    columns = {k: "VARCHAR" for k in top_keys if k == "kode_tps" or k in _LOCATION_KEYS}
    if body_key is None:
        columns.update(fields)
    elif fields:
        columns[body_key] = "STRUCT(" + ", ".join(f"{quote_ident(k)} {t}" for k, t in fields.items()) + ")"
    return _Layout(
        regex=_rx_object(slots), columns=columns, body=body_key, kode="kode_tps" in top_keys,
        locations=[k for k in _LOCATION_KEYS if k in top_keys], chart=chart if "chart" in fields else [],
        admin=admin if "administrasi" in body_keys else [], ts="ts" in body_keys,
    )


def _finish_staged(
    con: duckdb.DuckDBPyConnection, stage_q: str, numbering: _ByTable | _ByRank
) -> tuple[dict[str, int], list[str], Counter[str]] | None:
    """The candidate numbering of a staged read (both DuckDB paths): the races counted in the stage (`stage_q`,
    a quoted table with `race`) in file order, then `finish`; (mapping, notes, races), or None where the Python
    path must read the file, which names the problem (any numbering problem)."""
    if numbering.error is not None:
        return None
    races: Counter[str] = Counter()
    for race, count in con.execute(
        f"SELECT race, count(*) FROM {stage_q} WHERE race IS NOT NULL GROUP BY race ORDER BY min(rowid)"  # noqa: S608
    ).fetchall():
        races[race] = count
    try:
        mapping, notes = numbering.finish(races)
    except InputError:
        return None
    return mapping, notes, races


def _staged_notes(notes: list[str], n: int, races: Counter[str], admin_keys: Iterable[str]) -> list[str]:
    """The notes of a staged read, as the Python path words them: layout and records first, then the races
    when several, then the `administrasi` keys that are no rekap column."""
    notes.insert(0, n_("{layout}, {n} rekaman", "{layout}, {n} rekaman", n, layout=_(N_("JSON Lines"))))
    if len(races) > 1:
        notes.append(_("pemilihan dalam berkas ini: {counts} (dipisahkan menurut jenis_pemilihan)",
                       counts=_format_counts(races)))
    unknown = sorted(k for k in admin_keys if k not in _ADMIN_COLUMNS)
    if unknown:
        notes.append(_("kunci administrasi yang bukan kolom rekap diabaikan: {names}", names=", ".join(unknown)))
    return notes


def _typed_json_lines(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    table: str,
    display: str,
    paslon: dict[str, int] | None,
    count: Callable[[], int],
) -> RawTable | None:
    """`read_sirekap` of a plain JSON Lines file whose lines all have the layout of its first record
    (`_layout`): one pass of RE2 over the lines proves it, and DuckDB's typed `read_ndjson` then reads
    the values (each once, in C++). The table is a view over a compact stage (counts as INTEGER,
    shown as their digits); None whenever any line differs, for the caller's other paths."""
    layout = _layout(path)
    if layout is None:
        return None
    source = _sql_literal(str(path))
    try:
        checked = con.execute(
            f"""SELECT count(*), count(*) FILTER (WHERE NOT coalesce(regexp_full_match(j, $re), false))
                FROM read_csv({source}, columns = {{'j': 'VARCHAR'}}, delim = '\\x01', quote = '', escape = '',
                              header = false, auto_detect = false)""",  # noqa: S608 (a quoted literal)
            {"re": layout.regex},
        ).fetchall()[0]
    except duckdb.Error:
        return None
    if checked[0] < 2 or checked[1]:
        return None
    # Named after the table, so that reading into the same name again (the second side of `rekap diff`)
    # replaces the stage of the first read instead of keeping it.
    stage = f"_rekap_sirekap_stage_{table}"
    try:
        raw = _typed_read(con, path, table, display, paslon, layout, stage, checked[0])
    except duckdb.Error:
        raw = None
    # The file's own line count is asked last: `scan_file` hashes the file beside both passes.
    if raw is not None and count() != raw.rows:
        con.execute(f"DROP VIEW {quote_ident(table)}")
        raw = None
    if raw is None:
        con.execute(f"DROP TABLE IF EXISTS {quote_ident(stage)}")
    return raw


def _typed_read(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    table: str,
    display: str,
    paslon: dict[str, int] | None,
    layout: _Layout,
    stage: str,
    lines: int,
) -> RawTable | None:
    def body(key: str) -> str:
        return f"struct_extract({quote_ident(layout.body)}, '{key}')" if layout.body else quote_ident(key)

    locations = [quote_ident(k) for k in layout.locations]
    kode = ("kode_tps" if layout.kode else
            "coalesce(" + ", ".join([f"nullif(regexp_extract({v}, '{_SQL_KODE_RE}', 1), '')" for v in locations]
                                    + ["NULL"]) + ")")
    race = "coalesce(" + ", ".join(
        [f"nullif(regexp_extract({v}, '{_SQL_RACE_RE}', 1), '')" for v in locations] + ["NULL::VARCHAR"]) + ")"
    select = [f"{kode} AS kode", f"{race} AS race", f"{body('ts') if layout.ts else 'NULL::VARCHAR'} AS ts"]
    kept = [k for k in layout.admin if k in _ADMIN_COLUMNS]
    select += [f"struct_extract({body('administrasi')}, '{k}') AS a{i}" for i, k in enumerate(kept)]
    if layout.chart:
        select += [f"struct_extract({body('chart')}, '{k}') AS c{i}" for i, k in enumerate(layout.chart)]
        select.append(f"{body('chart')} IS NULL AS nochart")
    spec = "{" + ", ".join(f"{_sql_literal(k)}: {_sql_literal(t)}" for k, t in layout.columns.items()) + "}"
    stage_q = quote_ident(stage)
    con.execute(
        f"CREATE OR REPLACE TABLE {stage_q} AS SELECT {', '.join(select)} "  # noqa: S608 (identifiers quoted, literals escaped)
        f"FROM read_ndjson({_sql_literal(str(path))}, columns = {spec}, records = true)"
    )
    n, no_kode = con.execute(f"SELECT count(*), count(*) FILTER (WHERE kode IS NULL) FROM {stage_q}").fetchall()[0]  # noqa: S608
    if n != lines or no_kode:
        return None

    # Candidate numbering: the Python path's, replayed on each distinct (race, null-valued ids) in file order.
    numbering: _ByTable | _ByRank = _ByRank(display) if paslon is None else _ByTable(display, paslon)
    where = _lines_where()
    if layout.chart:
        flags = ", ".join(f"c{i} IS NULL" for i in range(len(layout.chart)))
        for race_, *nulls, first in con.execute(
            f"SELECT race, {flags}, min(rowid) AS first FROM {stage_q} WHERE NOT nochart GROUP BY ALL ORDER BY first"  # noqa: S608
        ).fetchall():
            row = int(first) + 1
            light: dict[str, Any] = {k: (None if null else 0) for k, null in zip(layout.chart, nulls, strict=True)}
            numbering.observe(_Record(row, where(row), "", race_, None, None, light))
    finished = _finish_staged(con, stage_q, numbering)
    if finished is None:
        return None
    mapping, notes, races = finished

    columns: dict[str, str] = {"kode_tps": "kode", "jenis_pemilihan": "race", "sumber": f"'{SUMBER}'", "ts": "ts"}
    for i, key in enumerate(kept):
        columns[key] = f"a{i}"
    for number in sorted(set(mapping.values())):
        values = [f"c{layout.chart.index(key)}" for key, k in mapping.items() if k == number and key in layout.chart]
        columns[paslon_column(number)] = f"coalesce({', '.join(values)})" if values else "NULL::INTEGER"
    headers = canonical_order(frozenset(columns))
    # The counts stay INTEGER (every one a whole number of the file, as `_RX_INT` proved; typing takes
    # them as they are, and their text is the digits the Python path gives); the rest is text.
    shown = ", ".join(f"({columns[h]}){'::VARCHAR' if h in _OWN_COLUMNS else ''} AS {quote_ident(h)}" for h in headers)
    view = f"CREATE OR REPLACE VIEW {quote_ident(table)} AS SELECT {shown}, (rowid + 1)::BIGINT AS _row FROM {stage_q}"  # noqa: S608
    try:
        con.execute(view)
    except duckdb.CatalogException:
        con.execute(f"DROP TABLE {quote_ident(table)}")
        con.execute(view)

    return RawTable(table, headers=headers, rows=n, format=FORMAT, canonical=True,
                    notes=_staged_notes(notes, n, races, layout.admin))
