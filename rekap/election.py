"""Which election each input holds, where that came from, and whether the inputs of one command match.

domain.md §4: the election type is `--election`, else a `jenis_pemilihan` column, else a Sirekap file's
own type (the `/hhcw/<type>/` of its address or file name, or the title of a D.Hasil workbook), else a guess
from the columns that is said. Results are kept apart per type, so two inputs of one command whose types
differ never meet: a recap of the governor race checked against TPS data taken for the presidential race
compares nothing and would report "no discrepancy". When a guess is involved and the types differ, the
command stops (exit 2) naming every input and its type, unless `--election` settles it; inputs that all
state their types may hold several races (kept apart), but reported recaps must share a type with the TPS
data they are checked against.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rekap.errors import UsageError
from rekap.i18n import _, num
from rekap.schema import ELECTIONS

ORIGINS: tuple[str, ...] = ("flag", "column", "file", "guess")
"""How an input's type was decided, strongest first: `--election`, a `jenis_pemilihan` column, the file's
own type (Sirekap address or file name, workbook title), a guess from the columns."""

# Columns only Pilkada forms have (DPPh voters, KTP-el DPTb voters on the voter list, a total of both).
PILKADA_EVIDENCE: tuple[str, ...] = ("pemilih_dpph", "pengguna_dpph", "pemilih_total", "pemilih_dptb")
# Columns only Pemilu forms have (DPK voters, Sirekap's `pengguna_non_dpt`).
PEMILU_EVIDENCE: tuple[str, ...] = ("pengguna_non_dpt",)


@dataclass(frozen=True)
class Guess:
    election: str
    evidence: tuple[str, ...]
    """The columns the guess rests on; empty when nothing in the file points either way."""


def guess_from_columns(columns: Iterable[str]) -> Guess:
    """pkwkp for a form with Pilkada-only columns, ppwp otherwise (with the columns that say so)."""
    cols = sorted(set(columns))
    pilkada = tuple(c for c in cols if c.startswith(PILKADA_EVIDENCE))
    if pilkada:
        return Guess("pkwkp", pilkada)
    return Guess("ppwp", tuple(c for c in cols if c.startswith(PEMILU_EVIDENCE)))


@dataclass(frozen=True)
class InputElection:
    """The election type(s) of one input as rekap decided them."""

    name: str
    """The input as shown in findings (file, or `file.xlsx [Sheet]`)."""
    role: str
    """`tps` (TPS data) or `reported` (a reported recap)."""
    elections: tuple[str, ...]
    """Distinct types of its rows, sorted."""
    origin: str
    """One of ORIGINS."""
    evidence: tuple[str, ...] = ()
    """For a guess: the columns it rests on (empty: nothing pointed either way)."""

    def describe(self, lang: str | None = None) -> str:
        types = "+".join(self.elections) or "-"
        return f"{self.name}: {types} ({origin_text(self, lang)})"

    def to_json(self) -> dict[str, object]:
        return {"input": self.name, "role": self.role, "elections": list(self.elections), "origin": self.origin,
                "evidence": list(self.evidence)}


def origin_text(item: InputElection, lang: str | None = None) -> str:
    if item.origin == "flag":
        return _("dari --election", lang)
    if item.origin == "column":
        return _("dari kolom jenis_pemilihan", lang)
    if item.origin == "file":
        return _("dari berkasnya (alamat atau nama berkas Sirekap, atau judul formulir)", lang)
    if item.evidence:
        cols = ", ".join(item.evidence[:3]) + (" …" if len(item.evidence) > 3 else "")
        return _("ditebak dari kolom {columns}", lang, columns=cols)
    return _("ditebak: berkas tidak menyebut jenis pemilihan", lang)


def check_flag(election: str | None) -> None:
    if election is not None and election not in ELECTIONS:
        raise UsageError(_("jenis pemilihan tidak dikenal {value!r}", value=election),
                         hint=_("pakai salah satu dari: {choices}", choices=", ".join(ELECTIONS)))


def check_match(inputs: Sequence[InputElection], flag: str | None) -> None:
    """Stop (UsageError, exit 2) when the inputs' types cannot be matched; `--election` settles a guess.

    - A guessed input whose type differs from another input's: the guess may be wrong, so nothing is
      compared or summed on it (domain.md §4: "a pkwkp aggregate and a recap guessed as ppwp").
    - Reported recaps none of whose types is among the TPS data's: nothing would be compared.
    """
    if flag is not None or not inputs:
        return
    all_types = sorted({e for i in inputs for e in i.elections})
    guessed = [i for i in inputs if i.origin == "guess"]
    if guessed and len(all_types) > 1:
        _refuse(inputs, all_types)
    tps = {e for i in inputs if i.role == "tps" for e in i.elections}
    reported = {e for i in inputs if i.role == "reported" for e in i.elections}
    if tps and reported and not (tps & reported):
        _refuse(inputs, all_types)


def _refuse(inputs: Sequence[InputElection], all_types: list[str]) -> None:
    listed = "; ".join(i.describe() for i in inputs)
    stated = sorted({e for i in inputs if i.origin != "guess" for e in i.elections})
    suggestion = stated[0] if len(stated) == 1 else "JENIS"
    raise UsageError(
        _("jenis pemilihan tidak cocok ({types}): {inputs}", types=", ".join(all_types), inputs=listed),
        hint=_("sebutkan jenis pemilihan berkas-berkas ini dengan --election {suggestion}", suggestion=suggestion),
    )


def describe_all(inputs: Sequence[InputElection], flag: str | None, lang: str | None = None) -> str:
    """One line for summaries, pages and workbooks: the types and where each came from."""
    if flag is not None:
        return _("jenis pemilihan: {election} (dari --election)", lang, election=flag)
    if not inputs:
        return _("jenis pemilihan: -", lang)
    groups: dict[tuple[tuple[str, ...], str], list[InputElection]] = {}
    for i in inputs:
        groups.setdefault((i.elections, origin_text(i, lang)), []).append(i)
    parts = []
    for (types, origin), members in groups.items():
        names = ", ".join(m.name for m in members[:3]) + (f" +{num(len(members) - 3, lang)}" if len(members) > 3 else "")
        parts.append(f"{'+'.join(types) or '-'}, {origin} ({names})")
    if any(i.origin == "guess" for i in inputs):
        parts.append(_("pakai --election bila tebakan ini salah", lang))
    return _("jenis pemilihan: {inputs}", lang, inputs="; ".join(parts))
