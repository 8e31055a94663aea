#!/usr/bin/env python3
"""Write rekap's bundled synthetic sample: a Pilkada governor race (pkwkp) shaped like Jawa Timur 2024.

    python scripts/make_samples.py                      # small variant -> data/samples/jatim_kecil/
    python scripts/make_samples.py --full --out DIR     # full variant (60,751 TPS) -> DIR

Every name and number is invented; only the shape follows the real province: KPU code structure,
38 kab/kota, 666 kecamatan, 60,751 TPS, a TPS cap of 600 voters, ballots = DPT + 2.5 % reserve.
A fixed seed, separate random streams and sorted iteration make the output byte-identical across runs,
so the committed small sample doubles as a golden file (tests/test_samples.py regenerates it).

Problems are planted on purpose and listed, one row per expected finding, in planted.csv. Before
writing anything the script evaluates its own rows against the rule catalogue (docs: domain.md §3)
and stops if the findings differ from that list, so the list cannot silently drift from the data.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import io
import math
import random
import statistics
import sys
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
DEFAULT_SEED = 20241127

PROV_KODE = "35"
PROV_NAMA = "JAWA TIMUR"
ELECTION = "pkwkp"
N_PASLON = 3
TPS_CAP = 600
RESERVE_PERMILLE = 25  # 2.5 %; integer maths so that no float rounding can move a ceiling
FULL_KABKOTA = 38
FULL_KECAMATAN = 666
FULL_DESA = 8494
FULL_TPS = 60751

# The band clean forms are drawn from. Narrow on purpose: P006 uses robust z-scores, and a uniform draw
# has |x - median| <= 2 MAD, i.e. z <= 1.35, far from the 3.5 threshold.
DPT_RANGE = (150, 580)
TURNOUT_RANGE = (0.68, 0.80)
INVALID_RANGE = (0.01, 0.03)
ROBUST_Z_MAX = 3.5

TS = "2024-11-27 12:00:00"
XLSX_TIME = datetime(2024, 11, 27, 12, 0)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
XLSX_TITLE = "REKAPITULASI HASIL PENGHITUNGAN SUARA PEMILIHAN GUBERNUR DAN WAKIL GUBERNUR JAWA TIMUR 2024"

LPJ = ("l", "p", "j")
# C.Hasil-KWK order of the voter blocks (the form's order, not the canonical one).
GROUPS = (
    "pemilih_dpt",
    "pemilih_dpph",
    "pemilih_dptb",
    "pemilih_total",
    "pengguna_dpt",
    "pengguna_dpph",
    "pengguna_dptb",
    "pengguna_total",
    "pemilih_disabilitas",
    "pengguna_disabilitas",
)
ADMIN = tuple(f"{g}_{s}" for g in GROUPS for s in LPJ)
BALLOTS = ("ss_diterima", "ss_digunakan", "ss_rusak", "ss_sisa")
PASLON = tuple(f"suara_paslon_{n}" for n in range(1, N_PASLON + 1))
VOTES = (*PASLON, "suara_sah", "suara_tidak_sah", "suara_total")
NUMERIC = (*ADMIN, *BALLOTS, *VOTES)
NAMES = ("nama_prov", "nama_kabkota", "nama_kec", "nama_desa", "nama_tps")

LEVEL_RANK = {"tps": 0, "desa": 1, "kecamatan": 2, "kabkota": 3, "provinsi": 4}

Value = int | str | None
"""A cell as written: a count, a raw text that is not a count (planted S002), or empty."""


def reserve(dpt: int) -> int:
    """ceil(2.5 % x DPT) in integers."""
    return -(-dpt * RESERVE_PERMILLE // 1000)


# --- rekap.schema: every header written must resolve to the intended canonical column ----------------


def load_schema() -> ModuleType:
    try:
        return importlib.import_module("rekap.schema")
    except ModuleNotFoundError:
        # A checkout without `pip install -e .`: the package sits next to scripts/.
        sys.path.insert(0, str(ROOT))
        return importlib.import_module("rekap.schema")


# (prefix for the L/P columns, header of the J column). "Jumlah Pengguna Hak Pilih Disabilitas" is what
# staff would type, but rekap's alias table does not know it, so the J header uses the bare group name.
_GROUP_LABEL: dict[str, tuple[str, str]] = {
    "pemilih_dpt": ("Jumlah DPT", "Jumlah DPT"),
    "pemilih_dpph": ("DPPh", "Jumlah DPPh"),
    "pemilih_dptb": ("DPTb", "Jumlah DPTb"),
    "pemilih_total": ("Jumlah Pemilih", "Jumlah Pemilih"),
    "pengguna_dpt": ("Pengguna Hak Pilih DPT", "Pengguna Hak Pilih DPT"),
    "pengguna_dpph": ("Pengguna Hak Pilih DPPh", "Pengguna Hak Pilih DPPh"),
    "pengguna_dptb": ("Pengguna Hak Pilih DPTb", "Pengguna Hak Pilih DPTb"),
    "pengguna_total": ("Jumlah Pengguna Hak Pilih", "Jumlah Pengguna Hak Pilih"),
    "pemilih_disabilitas": ("Pemilih Disabilitas", "Jumlah Pemilih Disabilitas"),
    "pengguna_disabilitas": ("Pengguna Hak Pilih Disabilitas", "Pengguna Hak Pilih Disabilitas"),
}


def headers_for(style: str) -> list[tuple[str, str]]:
    """(canonical, header) pairs in file order. `plain` = "Jumlah DPT L"; `paren` = "Jumlah DPT (L)"."""
    if style == "paren":
        names = [("Kode TPS", "kode_tps"), ("Provinsi", "nama_prov"), ("Kabupaten", "nama_kabkota"),
                 ("Kecamatan", "nama_kec"), ("Desa/Kelurahan", "nama_desa"), ("Nama TPS", "nama_tps")]
    else:
        names = [("Kode TPS", "kode_tps"), ("Provinsi", "nama_prov"), ("Kabupaten/Kota", "nama_kabkota"),
                 ("Nama Kecamatan", "nama_kec"), ("Nama Desa/Kelurahan", "nama_desa"), ("TPS", "nama_tps")]
    out = [(canon, header) for header, canon in names]
    for group in GROUPS:
        prefix, jumlah = _GROUP_LABEL[group]
        if style == "paren":
            out += [(f"{group}_l", f"{prefix} (L)"), (f"{group}_p", f"{prefix} (P)"), (f"{group}_j", f"{prefix} (L+P)")]
        else:
            out += [(f"{group}_l", f"{prefix} L"), (f"{group}_p", f"{prefix} P"), (f"{group}_j", jumlah)]
    if style == "paren":
        out += [("ss_diterima", "Jumlah Surat Suara Diterima"), ("ss_digunakan", "Surat Suara Digunakan"),
                ("ss_rusak", "Surat Suara Rusak/Keliru"), ("ss_sisa", "Surat Suara Tidak Digunakan")]
        out += [(col, f"Suara Paslon {n:02d}") for n, col in enumerate(PASLON, 1)]
    else:
        out += [("ss_diterima", "Surat Suara Diterima"), ("ss_digunakan", "Surat Suara Digunakan"),
                ("ss_rusak", "Surat Suara Rusak"), ("ss_sisa", "Surat Suara Sisa")]
        out += [(col, f"Paslon {n:02d}") for n, col in enumerate(PASLON, 1)]
    out += [("suara_sah", "Suara Sah"), ("suara_tidak_sah", "Suara Tidak Sah"),
            ("suara_total", "Jumlah Suara Sah dan Tidak Sah")]
    return out


def check_headers(schema: ModuleType) -> None:
    for style in ("plain", "paren"):
        pairs = headers_for(style)
        for canon, header in pairs:
            got = schema.resolve_header(header)
            if got != canon:
                raise SystemExit(f"make_samples: header {header!r} resolves to {got!r}, expected {canon!r}")
        if [c for c, _ in pairs] != ["kode_tps", *NAMES, *NUMERIC]:
            raise SystemExit(f"make_samples: header style {style!r} does not cover the columns in order")
    missing = [c for c in ("kode_tps", *NAMES, *NUMERIC) if c not in schema.CANONICAL_SET]
    if missing:
        raise SystemExit(f"make_samples: not canonical columns: {missing}")


# --- names --------------------------------------------------------------------------------------------

# Sundanese-sounding kab/kota names, so that none can be mistaken for a real Jawa Timur kab/kota.
KAB_HEADS = ("SUKA", "WANA", "MEKAR", "GIRI", "TIRTA", "PURWA", "SEKAR", "ARGA", "BUMI", "CAHAYA",
             "LOKA", "KENCANA", "SEGARA", "NUSA", "ARUM")
KAB_TAILS = ("MAJU", "JAYA", "MULYA", "ASRI", "LESTARI", "MAKMUR", "RAHARJA", "SENTOSA", "WANGI",
             "KERTA", "NEGARA", "PURA", "LAYA", "PADMA")
PLACE_HEADS = ("KARANG", "SUMBER", "WONO", "TANJUNG", "BANYU", "GUNUNG", "SIDO", "TEGAL", "PURWO",
               "KEDUNG", "WATU", "TAMAN", "KALI", "JATI", "DUKUH", "SEMPU", "PANDAN", "GEDANG", "LEMAH",
               "BRINGIN", "KEMBANG", "SONO", "NGRAMBE", "TELOGO", "SELO")
PLACE_TAILS = ("REJO", "SARI", "AGUNG", "MULYO", "KERTO", "WARU", "ANYAR", "JAYA", "ASRI", "MAKMUR",
               "DADI", "MUKTI", "LUHUR", "PURNO", "ARUM", "WUNGU", "LEGI", "GEDE", "SALAM", "UTOMO")
PLACE_QUALIFIERS = (" LOR", " KIDUL", " WETAN", " KULON", " TENGAH", " BARU")


def name_pool(rng: random.Random, n: int, heads: Sequence[str], tails: Sequence[str],
              qualifiers: Sequence[str] = ()) -> list[str]:
    """n distinct invented names; with `qualifiers`, some become two words ("KALIREJO LOR")."""
    plain = sorted({h + t for h in heads for t in tails if h != t and h[-1] != t[0]})  # no "LOKAASRI"
    rng.shuffle(plain)
    if n > len(plain):
        raise SystemExit(f"make_samples: cannot invent {n} distinct names")
    # A qualifier keeps names distinct: it only ever extends an already distinct compound.
    return [name + rng.choice(qualifiers) if qualifiers and rng.random() < 0.15 else name for name in plain[:n]]


# --- region structure ---------------------------------------------------------------------------------


@dataclass(eq=False)
class Desa:
    kode: str
    nama: str
    nama_raw: str
    tps_max_no: int
    tps_ext: tuple[int, int] | None = None  # KPU's special range (TPS 9xx, e.g. a TPS lokasi khusus)

    def tps_numbers(self) -> list[int]:
        numbers = list(range(1, self.tps_max_no + 1))
        if self.tps_ext:
            numbers += list(range(self.tps_ext[0], self.tps_ext[1] + 1))
        return numbers

    def tps_code(self, number: int) -> str:
        return f"{self.kode}{number:03d}"


@dataclass(eq=False)
class Kecamatan:
    kode: str
    nama: str
    desa: list[Desa]


@dataclass(eq=False)
class KabKota:
    kode: str
    nama: str
    kecamatan: list[Kecamatan]
    fmt: str = "csv"  # csv (comma, UTF-8), csv_id (semicolon, cp1252, CRLF), xlsx
    shares: tuple[float, ...] = ()

    @property
    def is_kota(self) -> bool:
        return int(self.kode[2:]) >= 71

    @property
    def title(self) -> str:
        return self.nama if self.is_kota else f"KABUPATEN {self.nama}"

    def all_desa(self) -> Iterator[tuple[Kecamatan, Desa]]:
        for kec in self.kecamatan:
            for desa in kec.desa:
                yield kec, desa


def allocate(total: int, weights: Sequence[float], minimum: int) -> list[int]:
    """Split `total` into integers proportional to `weights`, each >= minimum (largest remainder)."""
    spare = total - minimum * len(weights)
    if spare < 0:
        raise SystemExit(f"make_samples: cannot split {total} into {len(weights)} parts of >= {minimum}")
    quotas = [spare * w / sum(weights) for w in weights]
    parts = [minimum + math.floor(q) for q in quotas]
    order = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - math.floor(quotas[i])), i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def assemble(rng: random.Random, kode: str, nama: str, shape: Sequence[Sequence[int]],
             accent: bool) -> KabKota:
    """A kab/kota from its shape: one list of TPS counts per kecamatan, one count per desa.

    `accent` gives the first desa of each kecamatan a name with "É", so that the file that has to
    carry it (the cp1252 export) really needs a non-ASCII code page.
    """
    kab = KabKota(kode=kode, nama=nama, kecamatan=[])
    kec_names = name_pool(rng, len(shape), PLACE_HEADS, PLACE_TAILS)
    desa_names = name_pool(rng, sum(len(k) for k in shape), PLACE_HEADS, PLACE_TAILS, PLACE_QUALIFIERS)
    for k, (kec_nama, tps_counts) in enumerate(zip(kec_names, shape, strict=True), start=1):
        kec = Kecamatan(kode=f"{kode}{k:02d}", nama=kec_nama, desa=[])
        # Kota consist of kelurahan (suffix 1xxx); a kabupaten has a few around the kecamatan seat.
        n_kel = len(tps_counts) if kab.is_kota else min(len(tps_counts), rng.choice((0, 0, 0, 1, 2)))
        for i, n_tps in enumerate(tps_counts):
            suffix = 1001 + i if i < n_kel else 2001 + i - n_kel
            nama_desa = desa_names.pop()
            if accent and i == 0 and "E" in nama_desa:
                nama_desa = nama_desa.replace("E", "É", 1)
            # KPU's list keeps names as published: a few carry a double space (nama_raw vs nama).
            nama_raw = nama_desa.replace(" ", "  ") if " " in nama_desa and rng.random() < 0.2 else nama_desa
            kec.desa.append(Desa(kode=f"{kec.kode}{suffix}", nama=nama_desa, nama_raw=nama_raw,
                                 tps_max_no=n_tps))
        kab.kecamatan.append(kec)
    return kab


def _roomy(shape: Sequence[Sequence[int]]) -> bool:
    """Room for 8 planted desa outside the kecamatan reserved for a recap problem."""
    per_kec = sorted(len(k) for k in shape)
    return sum(per_kec[:-1]) >= 10 and sum(1 for k in shape for n in k if n >= 3) >= 6


def build_small(rng: random.Random) -> list[KabKota]:
    kab_numbers = sorted(rng.sample(range(1, 30), 2))
    codes = [f"{PROV_KODE}{n:02d}" for n in (*kab_numbers, rng.randint(71, 79))]
    for _ in range(10_000):
        shapes = [[[rng.randint(2, 8) for _ in range(rng.randint(3, 6))] for _ in range(rng.randint(3, 4))]
                  for _ in codes]
        total = sum(n for shape in shapes for kec in shape for n in kec)
        if 250 <= total <= 400 and all(_roomy(s) for s in shapes):
            break
    else:
        raise SystemExit("make_samples: no small layout fits; try another --seed")
    names = name_pool(rng, len(codes), KAB_HEADS, KAB_TAILS)
    fmts = ("csv", "csv_id", "xlsx")
    prov = []
    for code, shape, nama, fmt in zip(codes, shapes, names, fmts, strict=True):
        nama = f"KOTA {nama}" if int(code[2:]) >= 71 else nama
        kab = assemble(rng, code, nama, shape, accent=fmt == "csv_id")
        kab.fmt = fmt
        prov.append(kab)
    return prov


def build_full(rng: random.Random, xlsx: bool) -> list[KabKota]:
    codes = [f"{PROV_KODE}{n:02d}" for n in (*range(1, 30), *range(71, 80))]
    assert len(codes) == FULL_KABKOTA
    is_kota = [int(c[2:]) >= 71 for c in codes]
    kec_weights = [rng.uniform(3, 8) if k else rng.uniform(14, 30) for k in is_kota]
    kec_weights[rng.choice([i for i, k in enumerate(is_kota) if k])] = 28.0  # one metropolis
    n_kec = allocate(FULL_KECAMATAN, kec_weights, minimum=3)
    kec_kota = [k for k, n in zip(is_kota, n_kec, strict=True) for _ in range(n)]
    n_desa = allocate(FULL_DESA, [rng.uniform(4, 12) if k else rng.uniform(6, 22) for k in kec_kota], 3)
    desa_kota = [k for k, n in zip(kec_kota, n_desa, strict=True) for _ in range(n)]
    # One TPS is added later as a TPS lokasi khusus (number 901), hence FULL_TPS - 1 regular ones.
    n_tps = iter(allocate(FULL_TPS - 1, [rng.uniform(10, 30) if k else rng.uniform(3, 11) for k in desa_kota], 2))
    desa_per_kec = iter(n_desa)
    names = name_pool(rng, len(codes), KAB_HEADS, KAB_TAILS)
    prov = []
    for code, kota, kecs, nama in zip(codes, is_kota, n_kec, names, strict=True):
        shape = [[next(n_tps) for _ in range(next(desa_per_kec))] for _ in range(kecs)]
        prov.append(assemble(rng, code, f"KOTA {nama}" if kota else nama, shape, accent=False))
    # Roles as in the small variant: a comma CSV kabupaten, a cp1252 kabupaten, an XLSX kota.
    kab_a, kab_b = rng.sample([k for k in prov if not k.is_kota], 2)
    kota_c = rng.choice([k for k in prov if k.is_kota])
    kab_b.fmt = "csv_id"
    kota_c.fmt = "xlsx" if xlsx else "csv"
    for kec in kab_b.kecamatan:
        desa = kec.desa[0]
        if "E" in desa.nama:
            desa.nama = desa.nama.replace("E", "É", 1)
            desa.nama_raw = desa.nama_raw.replace("E", "É", 1)
    ordered = [kab_a, kab_b, kota_c] + [k for k in prov if k not in (kab_a, kab_b, kota_c)]
    # The first three are the roles A, B, C; files are still written in code order.
    return ordered


# --- forms --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FormSpec:
    """The free choices behind one C.Hasil form; `compose` derives every other box from them."""

    dpt: tuple[int, int]
    dpph: tuple[int, int]
    dptb: tuple[int, int]
    pengguna_dpt: tuple[int, int]
    pengguna_dpph: tuple[int, int]
    disabilitas: tuple[int, int]
    pengguna_disabilitas: tuple[int, int]
    rusak: int
    tidak_sah: int
    weights: tuple[float, ...]
    ballot_base: int | None = None  # voters the ballots were sent for; None = the DPT, as P002 assumes


def split(total: int, weights: Sequence[float]) -> list[int]:
    """`total` votes split by `weights`, largest remainder, so the parts add up exactly."""
    return allocate(total, weights, 0)


def draw_spec(rng: random.Random, shares: Sequence[float], *, dpt_j: int | None = None,
              l_share: float | None = None, turnout: float | None = None,
              invalid: float | None = None) -> FormSpec:
    # Every draw happens whatever the overrides, so that one override never shifts the stream.
    drawn_dpt = rng.randint(*DPT_RANGE)
    drawn_l = rng.uniform(0.47, 0.53)
    drawn_turnout = rng.uniform(*TURNOUT_RANGE)
    drawn_invalid = rng.uniform(*INVALID_RANGE)
    dpph = (rng.choice((0, 0, 0, 1, 1, 2)), rng.choice((0, 0, 0, 1, 1, 2)))
    dptb = (rng.randint(0, 2), rng.randint(0, 2))
    pengguna_dpph = (rng.randint(0, dpph[0]), rng.randint(0, dpph[1]))
    disabilitas = (rng.randint(0, 5), rng.randint(0, 5))
    pengguna_disabilitas = (rng.randint(0, disabilitas[0]), rng.randint(0, disabilitas[1]))
    rusak = rng.randint(0, 3)
    weights = tuple(s * math.exp(rng.gauss(0, 0.15)) for s in shares)

    dj = drawn_dpt if dpt_j is None else dpt_j
    dl = round(dj * (drawn_l if l_share is None else l_share))
    dp = dj - dl
    pj = round(dj * (drawn_turnout if turnout is None else turnout))
    pl = min(dl, round(pj * dl / dj)) if dj else 0
    pp = pj - pl
    if pp > dp:
        pl, pp = pj - dp, dp
    votes = pj + sum(pengguna_dpph) + sum(dptb)
    tidak_sah = round(votes * (drawn_invalid if invalid is None else invalid))
    return FormSpec(dpt=(dl, dp), dpph=dpph, dptb=dptb, pengguna_dpt=(pl, pp), pengguna_dpph=pengguna_dpph,
                    disabilitas=disabilitas, pengguna_disabilitas=pengguna_disabilitas, rusak=rusak,
                    tidak_sah=tidak_sah, weights=weights)


def compose(spec: FormSpec) -> dict[str, Value]:
    """A form where every equation of domain.md §3 holds."""
    v: dict[str, Value] = {}

    def put(group: str, l: int, p: int) -> None:
        v[f"{group}_l"], v[f"{group}_p"], v[f"{group}_j"] = l, p, l + p

    (dl, dp), (hl, hp), (bl, bp) = spec.dpt, spec.dpph, spec.dptb
    (ul, up), (uhl, uhp) = spec.pengguna_dpt, spec.pengguna_dpph
    put("pemilih_dpt", dl, dp)
    put("pemilih_dpph", hl, hp)
    put("pemilih_dptb", bl, bp)
    put("pemilih_total", dl + hl + bl, dp + hp + bp)
    put("pengguna_dpt", ul, up)
    put("pengguna_dpph", uhl, uhp)
    # DPTb voters are entered on the list when they come to vote, so all of them are users.
    put("pengguna_dptb", bl, bp)
    put("pengguna_total", ul + uhl + bl, up + uhp + bp)
    put("pemilih_disabilitas", *spec.disabilitas)
    put("pengguna_disabilitas", *spec.pengguna_disabilitas)
    voters = ul + uhl + bl + up + uhp + bp
    base = dl + dp if spec.ballot_base is None else spec.ballot_base
    received = base + reserve(base)
    if received < voters + spec.rusak:
        raise AssertionError("a composed form uses more ballots than it received")
    v.update(ss_diterima=received, ss_digunakan=voters, ss_rusak=spec.rusak,
             ss_sisa=received - voters - spec.rusak)
    sah = voters - spec.tidak_sah
    v.update(zip(PASLON, split(sah, spec.weights), strict=True))
    v.update(suara_sah=sah, suara_tidak_sah=spec.tidak_sah, suara_total=voters)
    return v


def count(row_values: Mapping[str, Value], col: str) -> int:
    """A cell the generator itself wrote as a number (planting edits only ever touch those)."""
    value = row_values[col]
    if not isinstance(value, int):
        raise AssertionError(f"{col} is not a number: {value!r}")
    return value


def bump(row_values: dict[str, Value], col: str, delta: int) -> None:
    row_values[col] = count(row_values, col) + delta


# --- rule evaluation (the script's own check of its planted list) ---------------------------------------


def as_count(value: Value) -> int | None:
    """A cell as rekap reads it: a whole non-negative number, else not applicable (S002 reports it)."""
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None


def is_bad_cell(value: Value) -> bool:
    return type(value) is str and value != "" and as_count(value) is None


Check = tuple[str, str, str, tuple[str, ...], tuple[str, ...]]
"""(rule, field, 'eq' | 'le', left, right): the box `field` is checked by sum(left) = / <= sum(right)."""


def _tps_checks() -> list[Check]:
    """Every box A001-A012 check on one TPS form, one entry per (rule, checked box).

    A TPS-level finding is one per TPS, rule and checked box, so a form can break a rule on several
    boxes at once (A002 on pemilih_total_l, _p and _j). A001 checks each L/P/J triple and names its J box.
    """
    checks: list[Check] = [("A001", f"{g}_j", "eq", (f"{g}_l", f"{g}_p"), (f"{g}_j",)) for g in GROUPS]
    for s in LPJ:
        # No pengguna_non_dpt (DPK) column in a Pilkada file: it is 0 inside the A003 sum.
        checks += [(rule, f"{group}_total_{s}", "eq", (f"{group}_total_{s}",),
                    tuple(f"{group}_{x}_{s}" for x in ("dpt", "dpph", "dptb")))
                   for rule, group in (("A002", "pemilih"), ("A003", "pengguna"))]
        checks += [("A004", f"pengguna_dpt_{s}", "le", (f"pengguna_dpt_{s}",), (f"pemilih_dpt_{s}",))]
        checks += [("A005", f"pengguna_{x}_{s}", "le", (f"pengguna_{x}_{s}",), (f"pemilih_{x}_{s}",))
                   for x in ("dpph", "dptb")]
        # Registered disabled voters <= all registered voters, disabled voters who voted <= all who voted.
        checks += [("A011", f"{sub}_{s}", "le", (f"{sub}_{s}",), (f"{whole}_{s}",))
                   for sub, whole in (("pemilih_disabilitas", "pemilih_total"),
                                      ("pengguna_disabilitas", "pengguna_total"))]
    checks += [
        ("A006", "suara_sah", "eq", PASLON, ("suara_sah",)),
        ("A007", "suara_total", "eq", ("suara_sah", "suara_tidak_sah"), ("suara_total",)),
        ("A008", "ss_digunakan", "eq", ("ss_digunakan",), ("pengguna_total_j",)),
        ("A009", "suara_total", "eq", ("suara_total",), ("pengguna_total_j",)),
        ("A010", "ss_diterima", "eq", ("ss_diterima",), ("ss_digunakan", "ss_rusak", "ss_sisa")),
        ("A012", "suara_total", "le", ("suara_total",), ("pemilih_dpt_j", "pengguna_dptb_j", "pengguna_dpph_j")),
    ]
    return checks


def _recap_checks() -> list[Check]:
    """A001-A012 as the recap rows (H003 notes) read them: the first broken box of each rule is named.

    Within a rule the order decides which field a note names: J before L and P.
    """
    checks: list[Check] = [("A001", f"{g}_j", "eq", (f"{g}_l", f"{g}_p"), (f"{g}_j",)) for g in GROUPS]
    for rule, group in (("A002", "pemilih"), ("A003", "pengguna")):
        checks += [(rule, f"{group}_total_{s}", "eq", (f"{group}_total_{s}",),
                    tuple(f"{group}_{x}_{s}" for x in ("dpt", "dpph", "dptb"))) for s in ("j", "l", "p")]
    for rule, pairs in (("A004", [("pengguna_dpt", "pemilih_dpt")]),
                        ("A005", [("pengguna_dpph", "pemilih_dpph"), ("pengguna_dptb", "pemilih_dptb")]),
                        ("A011", [("pemilih_disabilitas", "pemilih_total"),
                                  ("pengguna_disabilitas", "pengguna_total"),
                                  ("pengguna_disabilitas", "pemilih_disabilitas")])):
        checks += [(rule, f"{used}_{s}", "le", (f"{used}_{s}",), (f"{limit}_{s}",))
                   for s in ("j", "l", "p") for used, limit in pairs]
    checks += [
        ("A006", "suara_sah", "eq", PASLON, ("suara_sah",)),
        ("A007", "suara_total", "eq", ("suara_sah", "suara_tidak_sah"), ("suara_total",)),
        ("A008", "ss_digunakan", "eq", ("ss_digunakan",), ("pengguna_total_j",)),
        ("A009", "suara_total", "eq", ("suara_total",), ("pengguna_total_j",)),
        ("A010", "ss_diterima", "eq", ("ss_diterima",), ("ss_digunakan", "ss_rusak", "ss_sisa")),
        ("A012", "suara_total", "le", ("suara_total",), ("pemilih_dpt_j", "pengguna_dptb_j", "pengguna_dpph_j")),
    ]
    return sorted(checks, key=lambda c: c[0])  # stable: keeps the J-first order within a rule


TPS_CHECKS = _tps_checks()
RECAP_CHECKS = _recap_checks()


def broken(check: Check, v: Mapping[str, int | None]) -> bool:
    """Whether `check` fails on `v`; a check with an empty input does not apply."""
    _, _, kind, left, right = check
    try:
        a, b = sum(map(v.__getitem__, left)), sum(map(v.__getitem__, right))  # type: ignore[arg-type]
    except TypeError:  # an empty cell: not applicable
        return False
    return a != b if kind == "eq" else a > b


def arithmetic_findings(v: Mapping[str, int | None]) -> dict[str, str]:
    """A001-A012 on one recap row: rule -> the first broken field (the H003 notes)."""
    out: dict[str, str] = {}
    for check in RECAP_CHECKS:
        if check[0] not in out and broken(check, v):
            out[check[0]] = check[1]
    return out


def form_findings(v: Mapping[str, int | None]) -> set[tuple[str, str]]:
    """(rule, checked box) of every rule that looks at one TPS form alone: A001-A012, S007, P001-P005, P008."""
    out = {(check[0], check[1]) for check in TPS_CHECKS if broken(check, v)}
    dpt, total = v.get("pemilih_dpt_j"), v.get("suara_total")
    out |= {("S007", c) for c in NUMERIC if (v.get(c) or 0) > 999}
    if dpt is not None and dpt > TPS_CAP:
        out.add(("P001", "pemilih_dpt_j"))
    if dpt is not None and v.get("ss_diterima") is not None and v["ss_diterima"] != dpt + reserve(dpt):
        out.add(("P002", "ss_diterima"))
    # Votes recorded: suara_total, else suara_sah, else the paslon (empty ones as 0).
    votes = next((x for c in ("suara_total", "suara_sah") if (x := v.get(c)) is not None),
                 sum(v.get(c) or 0 for c in PASLON))
    if dpt == 0 and votes > 0:
        out.add(("P003", "pemilih_dpt_j"))
    if dpt is not None and total is not None and total > dpt:
        out.add(("P004", "suara_total"))
    out |= {("P005", c) for c in PASLON if (v.get(c) or 0) > TPS_CAP}
    has_admin = any(v.get(c) is not None for c in ADMIN)
    has_votes = any(v.get(c) is not None for c in VOTES)
    if has_votes and not has_admin:
        out.add(("P008", "administrasi"))
    if has_admin and not has_votes:
        out.add(("P008", "suara"))
    return out


def _ratio(num: int | None, den: int | None) -> float | None:
    return None if num is None or not den else num / den


# P006's two shares: (field named, numerator, denominator, whether a share >= 1 is flagged by itself).
P006_SHARES = (("suara_total", "suara_total", "pemilih_dpt_j", True),  # turnout
               ("suara_tidak_sah", "suara_tidak_sah", "suara_total", False))  # invalid-vote share
OUTLIER_MIN_DELTA = 0.05  # 5 percentage points from the kecamatan median
OUTLIER_MIN_TPS = 10  # TPS with that share in the kecamatan


def p006_findings(forms: Sequence[tuple[str, Mapping[str, int | None]]]) -> set[tuple[str, str]]:
    """(kode_tps, field) P006 flags among `forms`: every form checked (an exact duplicate once, both rows
    of a conflicting pair), compared within its kecamatan (the code's first 6 digits)."""
    by_kec: dict[str, list[tuple[str, Mapping[str, int | None]]]] = defaultdict(list)
    for kode, v in forms:
        by_kec[kode[:6]].append((kode, v))
    found: set[tuple[str, str]] = set()
    for members in by_kec.values():
        for col, num, den, at_most_one in P006_SHARES:
            shares = [(kode, x) for kode, v in members if (x := _ratio(v.get(num), v.get(den))) is not None]
            if not shares:
                continue
            med = statistics.median(x for _, x in shares)
            mad = statistics.median(abs(x - med) for _, x in shares)
            for kode, x in shares:
                outlier = (len(shares) >= OUTLIER_MIN_TPS and mad > 0 and abs(x - med) >= OUTLIER_MIN_DELTA
                           and 0.6745 * abs(x - med) / mad > ROBUST_Z_MAX)
                if outlier or (at_most_one and x >= 1):
                    found.add((kode, col))
    return found


# For redrawing clean forms only: stricter than P006 on purpose (three turnout readings, no minimum
# distance from the median, no minimum kecamatan size), so that a clean form stays clean under any of them.
TURNOUT_DEFINITIONS = {
    "pengguna_total_j / pemilih_dpt_j": lambda v: _ratio(v.get("pengguna_total_j"), v.get("pemilih_dpt_j")),
    "pengguna_total_j / pemilih_total_j": lambda v: _ratio(v.get("pengguna_total_j"), v.get("pemilih_total_j")),
    "suara_total / pemilih_dpt_j": lambda v: _ratio(v.get("suara_total"), v.get("pemilih_dpt_j")),
}


def invalid_share(v: Mapping[str, int | None]) -> float | None:
    return _ratio(v.get("suara_tidak_sah"), v.get("suara_total"))


def robust_outliers(values: Mapping[str, float]) -> set[str]:
    """Keys whose robust z-score 0.6745 |x - median| / MAD exceeds 3.5 (MAD = 0: nothing to say)."""
    if len(values) < 3:
        return set()
    med = statistics.median(values.values())
    mad = statistics.median(abs(x - med) for x in values.values())
    if mad == 0:
        return set()
    return {k for k, x in values.items() if 0.6745 * abs(x - med) / mad > ROBUST_Z_MAX}


def suspicious_turnout(records: Mapping[str, Mapping[str, int | None]]) -> set[str]:
    """kode_tps that look like outliers under any turnout reading (records: one per kode_tps)."""
    by_kec: dict[str, list[str]] = defaultdict(list)
    for kode in sorted(records):
        by_kec[kode[:6]].append(kode)
    flagged: set[str] = set()
    for turnout in TURNOUT_DEFINITIONS.values():
        for kodes in by_kec.values():
            for measure in (turnout, invalid_share):
                values = {k: x for k in kodes if (x := measure(records[k])) is not None}
                flagged |= robust_outliers(values)
            flagged |= {k for k in kodes if (t := turnout(records[k])) is not None and t >= 1}
    return flagged


def code_is_wellformed(code: str) -> bool:
    """S005's checks: 13 digits, the province, kab 01-29 / kota 71-99, desa suffix 1-3, TPS number > 0."""
    if len(code) != 13 or not code.isascii() or not code.isdigit() or code[:2] != PROV_KODE:
        return False
    kab = int(code[2:4])
    return (1 <= kab <= 69 or 71 <= kab <= 99) and code[6] in "123" and code[10:] != "000"


# --- the sample ---------------------------------------------------------------------------------------


@dataclass(eq=False)  # identity: rows and regions are looked up by object
class Row:
    kode_tps: str
    nama_tps: str
    kab: KabKota
    kec: Kecamatan
    desa: Desa
    values: dict[str, Value]
    planted: bool = False

    def cells(self) -> list[Value]:
        return [self.kode_tps, PROV_NAMA, self.kab.nama, self.kec.nama, self.desa.nama, self.nama_tps,
                *(self.values[c] for c in NUMERIC)]

    def counts(self) -> dict[str, int | None]:
        return {c: x if type(x) is int else as_count(x) for c, x in self.values.items()}


@dataclass(frozen=True)
class Finding:
    rule: str
    level: str
    kode_wilayah: str
    field: str
    note: str


@dataclass
class Sample:
    seed: int
    full: bool
    prov: list[KabKota]  # roles A, B, C first
    rows: dict[str, list[Row]] = field(default_factory=dict)  # per kab/kota, in file order
    expected: list[Finding] = field(default_factory=list)
    dhasil: dict[str, list[dict[str, Value]]] = field(default_factory=dict)

    @property
    def kab_a(self) -> KabKota:
        return self.prov[0]

    @property
    def kab_b(self) -> KabKota:
        return self.prov[1]

    @property
    def kota_c(self) -> KabKota:
        return self.prov[2]

    def in_code_order(self) -> list[KabKota]:
        return sorted(self.prov, key=lambda k: k.kode)

    def expect(self, rule: str, level: str, kode: str, col: str, note: str) -> None:
        self.expected.append(Finding(rule, level, kode, col, note))


PLANT_SITES = {  # plant -> kab/kota role; one distinct desa each
    "S002_letter": "A", "S003": "A", "S005": "A", "A001": "A", "A006": "A", "A010": "A", "K001_middle": "A",
    "S002_decimal": "B", "A002": "B", "A004": "B", "A007": "B", "A011": "B", "P001": "B", "K001_last": "B",
    "S004": "C", "A003": "C", "A005": "C", "A008": "C", "A009": "C", "A012": "C", "P003": "C", "P008": "C",
}


def choose_sites(sample: Sample, rng: random.Random) -> tuple[dict[str, tuple[Desa, int]], Kecamatan, Kecamatan]:
    """Desa and TPS number of every plant, plus the two kecamatan reserved for recap problems."""
    roles = {"A": sample.kab_a, "B": sample.kab_b, "C": sample.kota_c}
    kec_h001 = rng.choice(sample.kab_a.kecamatan)
    kec_missing = rng.choice(sample.kota_c.kecamatan)
    pools: dict[str, list[Desa]] = {}
    for role, kab in roles.items():
        # Round robin over the kecamatan, so that planted TPS are spread out and each sits among clean ones.
        kecs = [k for k in kab.kecamatan if k not in (kec_h001, kec_missing)]
        rng.shuffle(kecs)
        columns = [rng.sample(k.desa, len(k.desa)) for k in kecs]
        pools[role] = [c[i] for i in range(max(map(len, columns))) for c in columns if i < len(c)]
    sites: dict[str, tuple[Desa, int]] = {}
    for plant, role in PLANT_SITES.items():
        minimum = 3 if plant == "K001_middle" else 2
        desa = next(d for d in pools[role] if d.tps_max_no >= minimum)
        pools[role].remove(desa)
        if plant == "K001_middle":
            number = rng.randint(2, desa.tps_max_no - 1)
        elif plant == "K001_last":
            number = desa.tps_max_no
        elif plant == "S005":
            number = rng.randint(1, min(desa.tps_max_no, 9))  # so that the 2-digit slip is plausible
        elif plant == "P003":
            desa.tps_ext = (901, 901)  # the TPS lokasi khusus comes on top of the regular ones
            number = 901
        else:
            number = rng.randint(1, desa.tps_max_no)
        sites[plant] = (desa, number)
    return sites, kec_h001, kec_missing


def build_rows(sample: Sample, rng: random.Random) -> None:
    """A clean form for every TPS the master list expects, in code order."""
    for kab in sample.in_code_order():
        sample.rows[kab.kode] = [
            Row(desa.tps_code(n), f"TPS {n:03d}", kab, kec, desa, compose(draw_spec(rng, kab.shares)))
            for kec, desa in kab.all_desa() for n in desa.tps_numbers()
        ]


def plant(sample: Sample, sites: Mapping[str, tuple[Desa, int]], rng: random.Random) -> None:
    """Apply every planted problem and record every finding it must cause (and only those)."""
    by_code = {r.kode_tps: r for rows in sample.rows.values() for r in rows}

    def site(name: str) -> Row:
        desa, number = sites[name]
        row = by_code[desa.tps_code(number)]
        row.planted = True
        return row

    def tps(rule: str, row: Row, col: str, note: str) -> None:
        """One expected finding: `col` is the box the rule checks and finds wrong (one per box)."""
        sample.expect(rule, "tps", row.kode_tps, col, note)

    def box(row: Row, col: str) -> int:
        return count(row.values, col)

    def fresh(row: Row, *, dpt_j: int | None = None, turnout: float | None = None,
              invalid: float | None = None) -> FormSpec:
        """Redraw the planted TPS's form from the planting stream (with the overrides it needs)."""
        spec = draw_spec(rng, row.kab.shares, dpt_j=dpt_j, turnout=turnout, invalid=invalid)
        row.values = compose(spec)
        return spec

    # S002: a count written with a letter.
    row = site("S002_letter")
    spec = fresh(row)
    row.values = compose(replace(spec, disabilitas=(12, spec.disabilitas[1]),
                                 pengguna_disabilitas=(min(12, spec.pengguna_disabilitas[0] + 6),
                                                       spec.pengguna_disabilitas[1])))
    row.values["pemilih_disabilitas_l"] = "12a"
    tps("S002", row, "pemilih_disabilitas_l", 'cell "12a" (meant 12); left out, so A001 on the pemilih_disabilitas '
        "triple and A011 on pemilih_disabilitas_l cannot apply")

    # S002: a decimal in Indonesian notation, in the semicolon file.
    row = site("S002_decimal")
    spec = fresh(row)
    row.values = compose(replace(spec, disabilitas=(spec.disabilitas[0], max(2, spec.disabilitas[1])),
                                 pengguna_disabilitas=(spec.pengguna_disabilitas[0], 1)))
    row.values["pengguna_disabilitas_p"] = "1,5"
    tps("S002", row, "pengguna_disabilitas_p", 'cell "1,5" (a decimal comma; meant 1); left out, so A001 on the '
        "pengguna_disabilitas triple and A011 on pengguna_disabilitas_p cannot apply")

    # S003: the same TPS typed again at the end of the file with paslon 1 and 2 swapped.
    row = site("S003")
    fresh(row, invalid=0.02)
    second = Row(row.kode_tps, row.nama_tps, row.kab, row.kec, row.desa, dict(row.values), planted=True)
    second.values["suara_paslon_1"], second.values["suara_paslon_2"] = (row.values["suara_paslon_2"],
                                                                        row.values["suara_paslon_1"])
    # The two paslon boxes are the only ones that differ; suara_paslon_1 comes first in the canonical order.
    assert [c for c in NUMERIC if second.values[c] != row.values[c]] == ["suara_paslon_1", "suara_paslon_2"]
    sample.rows[row.kab.kode].append(second)
    tps("S003", row, "suara_paslon_1", f"typed twice in the same file; the last row has suara_paslon_1 and "
        f"suara_paslon_2 swapped ({box(second, 'suara_paslon_1')}/{box(second, 'suara_paslon_2')} instead of "
        f"{box(row, 'suara_paslon_1')}/{box(row, 'suara_paslon_2')}), reported on that row; each row adds up on its "
        "own, recaps use the first")

    # S004: an exact duplicate row (pasted twice).
    row = site("S004")
    fresh(row)
    rows = sample.rows[row.kab.kode]
    rows.insert(rows.index(row) + 1, Row(row.kode_tps, row.nama_tps, row.kab, row.kec, row.desa,
                                         dict(row.values), planted=True))
    tps("S004", row, "kode_tps", "exact duplicate row right below the first; reported on the copy, kept once")

    # S005: the TPS number typed with two digits, so the code has 12 digits.
    row = site("S005")
    fresh(row)
    intended = row.kode_tps
    row.kode_tps = f"{row.desa.kode}{int(intended[10:]):02d}"
    tps("S005", row, "kode_tps", f"12-digit code (TPS number typed as 2 digits; meant {intended}); "
        "its first 10 digits are a valid desa, so the form still belongs to that desa/kecamatan")
    sample.expect("K001", "tps", intended, "", f"consequence of the S005 row {row.kode_tps}: no record "
                  "carries the expected code")

    # A001: DPT L typed 10 too high; the clerk then added Jumlah Pemilih L from it.
    row = site("A001")
    fresh(row)
    for col in ("pemilih_dpt_l", "pemilih_total_l"):
        bump(row.values, col, 10)
    tps("A001", row, "pemilih_dpt_j", f"pemilih_dpt_l typed +10: L + P = {box(row, 'pemilih_dpt_j') + 10}, "
        f"pemilih_dpt_j {box(row, 'pemilih_dpt_j')}")
    tps("A001", row, "pemilih_total_j", f"pemilih_total_l carries the same +10 (added up from the wrong DPT L): "
        f"L + P = {box(row, 'pemilih_total_j') + 10}, pemilih_total_j {box(row, 'pemilih_total_j')}; A002 still holds")

    # A002: DPTb counted twice in Jumlah Pemilih.
    row = site("A002")
    spec = fresh(row)
    spec = replace(spec, dptb=(2, 1))
    row.values = compose(spec)
    for s, extra in (("l", 2), ("p", 1), ("j", 3)):
        bump(row.values, f"pemilih_total_{s}", extra)
    for s, extra in (("l", 2), ("p", 1), ("j", 3)):
        tps("A002", row, f"pemilih_total_{s}", f"Jumlah Pemilih counts DPTb twice: pemilih_total_{s} "
            f"{box(row, f'pemilih_total_{s}')} = DPT + DPPh + DPTb + {extra}")

    # A003: the DPPh users left at 0 while Jumlah Pengguna still includes them.
    row = site("A003")
    spec = replace(fresh(row), dpph=(1, 1), pengguna_dpph=(1, 1))
    row.values = compose(spec)
    for s in LPJ:
        row.values[f"pengguna_dpph_{s}"] = 0
    for s, lost in (("l", 1), ("p", 1), ("j", 2)):
        tps("A003", row, f"pengguna_total_{s}", f"pengguna_dpph_{s} written as 0 (should be {lost}) but "
            f"pengguna_total_{s} {box(row, f'pengguna_total_{s}')} still includes it: selisih +{lost}")

    # A004: L and P swapped in the DPT and Jumlah Pemilih rows of a TPS with few men on the list.
    row = site("A004")
    spec = draw_spec(rng, row.kab.shares, l_share=0.38, turnout=0.76)
    spec = replace(spec, dpph=(1, 1), pengguna_dpph=(1, 1), dptb=(1, 1))  # symmetric, so a swap keeps A002
    row.values = compose(spec)
    for group in ("pemilih_dpt", "pemilih_total"):
        row.values[f"{group}_l"], row.values[f"{group}_p"] = row.values[f"{group}_p"], row.values[f"{group}_l"]
    tps("A004", row, "pengguna_dpt_p", f"L/P swapped in the pemilih_dpt and pemilih_total rows: pengguna_dpt_p "
        f"{box(row, 'pengguna_dpt_p')} exceeds the swapped pemilih_dpt_p {box(row, 'pemilih_dpt_p')}; L gains room, "
        "J is untouched")

    # A005: the DPTb list left empty (and left out of Jumlah Pemilih) although 3 DPTb voters voted.
    row = site("A005")
    spec = replace(fresh(row), dptb=(2, 1))
    row.values = compose(spec)
    for s, n in (("l", 2), ("p", 1), ("j", 3)):
        row.values[f"pemilih_dptb_{s}"] = 0
        bump(row.values, f"pemilih_total_{s}", -n)
    for s in LPJ:
        tps("A005", row, f"pengguna_dptb_{s}", f"pemilih_dptb_{s} written as 0 although pengguna_dptb_{s} is "
            f"{box(row, f'pengguna_dptb_{s}')}; Jumlah Pemilih left it out too, so A002 holds")

    # A006: the OCR misread of the Sirekap era, 74 read as 748.
    row = site("A006")
    spec = fresh(row, dpt_j=480, turnout=0.75)
    row.values = compose(spec)
    counts = [count(row.values, c) for c in PASLON]
    biggest = max(range(1, N_PASLON), key=lambda i: (counts[i], -i))
    counts[biggest] += counts[0] - 74
    counts[0] = 74
    for col, n in zip(PASLON, counts, strict=True):
        row.values[col] = n
    row.values["suara_paslon_1"] = 748
    tps("A006", row, "suara_sah", "OCR misread: suara_paslon_1 74 written as 748 (sum of paslon = suara_sah + 674)")
    tps("P005", row, "suara_paslon_1", "same misread: 748 is above the TPS cap of 600")

    # A007: suara tidak sah 3 read as 8.
    row = site("A007")
    spec = replace(fresh(row, dpt_j=380, turnout=0.74), tidak_sah=3)
    row.values = compose(spec)
    row.values["suara_tidak_sah"] = 8
    tps("A007", row, "suara_total", "suara_tidak_sah 3 written as 8 (sah + tidak sah = suara_total + 5); "
        "the invalid share stays inside the kecamatan's range")

    # A008: ballots used counted 10 too high, and the unused ones 10 too low to match.
    row = site("A008")
    fresh(row)
    bump(row.values, "ss_digunakan", 10)
    bump(row.values, "ss_sisa", -10)
    tps("A008", row, "ss_digunakan", "ss_digunakan +10 and ss_sisa -10, so A010 still holds")

    # A009: two invalid ballots too many in the vote section (sah + tidak sah = total still holds).
    row = site("A009")
    fresh(row, invalid=0.012)
    for col in ("suara_tidak_sah", "suara_total"):
        bump(row.values, col, 2)
    tps("A009", row, "suara_total", "suara_tidak_sah and suara_total both +2: suara_total = pengguna_total_j + 2")

    # A010: unused ballots miscounted.
    row = site("A010")
    fresh(row)
    bump(row.values, "ss_sisa", 10)
    tps("A010", row, "ss_diterima", "ss_sisa +10: diterima = digunakan + rusak + sisa - 10")

    # A011: the Jumlah Pemilih row copied into the disabled-voters-who-voted row.
    row = site("A011")
    fresh(row)
    for s in LPJ:
        row.values[f"pengguna_disabilitas_{s}"] = row.values[f"pemilih_total_{s}"]
    for s in LPJ:
        tps("A011", row, f"pengguna_disabilitas_{s}", f"pemilih_total row copied into pengguna_disabilitas: "
            f"pengguna_disabilitas_{s} {box(row, f'pengguna_disabilitas_{s}')} above pengguna_total_{s} "
            f"{box(row, f'pengguna_total_{s}')}")

    # A012: the DPT box shows a neighbouring TPS's smaller DPT; Jumlah Pemilih was added up from it.
    row = site("A012")
    spec = fresh(row, dpt_j=520, turnout=0.78)
    spec = replace(spec, pengguna_dpph=spec.dpph)  # everyone registered voted: turnout > 100 % in any reading
    row.values = compose(spec)
    used = count(row.values, "pengguna_dpt_j")
    wrong_j = round(used * 0.85)
    wrong_l = round(wrong_j * spec.dpt[0] / sum(spec.dpt))
    for s, n in (("l", wrong_l), ("p", wrong_j - wrong_l), ("j", wrong_j)):
        row.values[f"pemilih_dpt_{s}"] = n
        row.values[f"pemilih_total_{s}"] = n + count(row.values, f"pemilih_dpph_{s}") + count(
            row.values, f"pemilih_dptb_{s}")
    note = f"pemilih_dpt_j written as {wrong_j} (ballots were sent for {sum(spec.dpt)})"
    for s in LPJ:  # the wrong DPT is about 85 % of the DPT voters in L, P and J alike
        tps("A004", row, f"pengguna_dpt_{s}", f"{note}: pengguna_dpt_{s} {box(row, f'pengguna_dpt_{s}')} above "
            f"pemilih_dpt_{s} {box(row, f'pemilih_dpt_{s}')}")
    total = box(row, "suara_total")
    tps("A012", row, "suara_total", f"{note}: suara_total {total} above DPT + DPTb + DPPh voters "
        f"{wrong_j + box(row, 'pengguna_dptb_j') + box(row, 'pengguna_dpph_j')}")
    tps("P002", row, "ss_diterima", f"{note}: ss_diterima {box(row, 'ss_diterima')} no longer matches DPT + 2.5 % "
        f"({wrong_j + reserve(wrong_j)})")
    tps("P004", row, "suara_total", f"{note}: suara_total {total} above pemilih_dpt_j")
    tps("P006", row, "suara_total", f"{note}: turnout suara_total / pemilih_dpt_j = {100 * total / wrong_j:.1f} %, "
        "100 % or more")

    # P001: a TPS above the 600-voter cap, with a consistent form.
    row = site("P001")
    fresh(row, dpt_j=640)
    tps("P001", row, "pemilih_dpt_j", "DPT 640 above the Pilkada TPS cap of 600; the form is otherwise consistent")

    # P003: a TPS lokasi khusus (TPS 901, e.g. a prison): no DPT, all voters moved in (DPPh).
    row = site("P003")
    spec = draw_spec(rng, row.kab.shares)
    dpph = (rng.randint(140, 170), rng.randint(25, 45))
    used_dpph = (round(dpph[0] * 0.74), round(dpph[1] * 0.72))
    spec = replace(spec, dpt=(0, 0), pengguna_dpt=(0, 0), dptb=(0, 0), dpph=dpph, pengguna_dpph=used_dpph,
                   tidak_sah=round(sum(used_dpph) * 0.02), ballot_base=sum(dpph))
    row.values = compose(spec)
    row.nama_tps = "TPS 901"
    tps("P003", row, "pemilih_dpt_j", f"TPS lokasi khusus 901: pemilih_dpt 0, every voter is DPPh "
        f"({box(row, 'suara_total')} votes)")
    tps("P002", row, "ss_diterima", f"TPS lokasi khusus 901: ss_diterima {box(row, 'ss_diterima')}, sent for the "
        "DPPh voters, not for DPT 0")
    tps("P004", row, "suara_total", f"TPS lokasi khusus 901: suara_total {box(row, 'suara_total')} above "
        "pemilih_dpt_j = 0 (no P006: turnout over DPT 0 is undefined, the invalid share is ordinary)")

    # P008: votes without voter data (page 1 of the form never came in).
    row = site("P008")
    fresh(row)
    for col in (*ADMIN, *BALLOTS):
        row.values[col] = None
    tps("P008", row, "administrasi", "votes without voter data: every voter and ballot cell is empty")

    # K001: two expected TPS that no file carries.
    for name in ("K001_middle", "K001_last"):
        desa, number = sites[name]
        kode = desa.tps_code(number)
        sample.rows[by_code[kode].kab.kode].remove(by_code[kode])
        where = "the last TPS" if name == "K001_last" else "a TPS in the middle"
        sample.expect("K001", "tps", kode, "", f"{where} of its desa is in the master list but in no TPS file")


def distinct_records(sample: Sample) -> dict[str, dict[str, int | None]]:
    """One record per kode_tps, first occurrence first, as recaps and per-kecamatan statistics see them."""
    records: dict[str, dict[str, int | None]] = {}
    for kab in sample.in_code_order():
        for row in sample.rows[kab.kode]:
            records.setdefault(row.kode_tps, row.counts())
    return records


def settle_clean_rows(sample: Sample, rng: random.Random) -> None:
    """Redraw clean forms that P006 or P007 might flag (rare: the bands are narrow), until none is.

    Deliberately stricter than the rules (see `suspicious_turnout`); `evaluate_tps` then checks the
    written rows against the rules themselves.
    """
    rows = {r.kode_tps: r for rs in sample.rows.values() for r in rs if not r.planted}
    records = distinct_records(sample)
    for _ in range(100):
        suspects = suspicious_turnout(records)
        seen: dict[tuple[str, tuple[int | None, ...]], str] = {}
        for kode in sorted(records):
            key = (kode[:10], tuple(records[kode].values()))
            if key in seen:
                suspects.add(kode)
            seen.setdefault(key, kode)
        suspects &= rows.keys()
        if not suspects:
            return
        for kode in sorted(suspects):
            rows[kode].values = compose(draw_spec(rng, rows[kode].kab.shares))
            records[kode] = rows[kode].counts()  # a clean row is its code's only row
    raise SystemExit("make_samples: clean forms keep tripping P006/P007; try another --seed")


def checked_forms(sample: Sample) -> list[tuple[Row, Row | None]]:
    """Every row in file order except exact duplicates, with the first row of its code when it is a later one.

    A duplicate code is looked for across the whole input (the files have no `sumber` column); the
    files are read in code order, which is also their sorted name order.
    """
    forms: list[tuple[Row, Row | None]] = []
    first: dict[str, Row] = {}
    for kab in sample.in_code_order():
        for row in sample.rows[kab.kode]:
            earlier = first.get(row.kode_tps)
            if earlier is None:
                first[row.kode_tps] = row
                forms.append((row, None))
            elif not any(r.cells() == row.cells() for r, _ in forms if r.kode_tps == row.kode_tps):
                forms.append((row, earlier))
    return forms


def evaluate_tps(sample: Sample, records: Mapping[str, Mapping[str, int | None]],
                 numeric_order: Sequence[str]) -> set[tuple[str, str, str]]:
    """(rule, kode, field) of every TPS-level finding the written rows produce, one per checked box.

    `records` (one per code) only decide K001/K002; S, A and P look at every row as written:
    `numeric_order` is rekap.schema.NUMERIC_COLUMNS, the order S003 names the first differing box in.
    """
    found: set[tuple[str, str, str]] = set()
    forms = checked_forms(sample)
    kept = {id(row) for row, _ in forms}
    for kab in sample.in_code_order():
        for row in sample.rows[kab.kode]:
            if id(row) not in kept:
                found.add(("S004", row.kode_tps, "kode_tps"))
    for row, earlier in forms:
        found |= {("S002", row.kode_tps, c) for c, x in row.values.items() if is_bad_cell(x)}
        if not code_is_wellformed(row.kode_tps):
            found.add(("S005", row.kode_tps, "kode_tps"))
        if earlier is not None:
            mine, theirs = row.counts(), earlier.counts()
            col = next((c for c in numeric_order if c in mine and mine[c] != theirs[c]), "kode_tps")
            found.add(("S003", row.kode_tps, col))
        found |= {(rule, row.kode_tps, col) for rule, col in form_findings(row.counts())}
    found |= {("P006", kode, col) for kode, col in p006_findings([(r.kode_tps, r.counts()) for r, _ in forms])}
    by_desa: dict[tuple[str, tuple[int | None, ...]], set[str]] = defaultdict(set)
    for row, _ in forms:
        record = row.counts()
        if all(record[c] is not None for c in NUMERIC):  # only full records can be copies
            by_desa[(row.kode_tps[:10], tuple(record[c] for c in NUMERIC))].add(row.kode_tps)
    found |= {("P007", k, "kode_tps") for kodes in by_desa.values() if len(kodes) > 1 for k in kodes}
    expected = {d.tps_code(n) for kab in sample.prov for _, d in kab.all_desa() for n in d.tps_numbers()}
    found |= {("K001", kode, "") for kode in expected - records.keys()}
    found |= {("K002", kode, "") for kode in records.keys() - expected if code_is_wellformed(kode)}
    return found


# --- recaps (D.Hasil) ---------------------------------------------------------------------------------


def sum_records(records: Iterable[Mapping[str, int | None]]) -> dict[str, int]:
    """Field sums as a recap meeting adds them up: empty or unreadable cells are skipped, never 0."""
    total = dict.fromkeys(NUMERIC, 0)
    for record in records:
        for col in NUMERIC:
            value = record[col]
            if value is not None:
                total[col] += value
    return total


def transpose_digits(value: int) -> int:
    """The same number with two adjacent digits swapped (the classic copying slip)."""
    digits = list(str(value))
    for i in range(len(digits) - 3, -1, -1):
        if digits[i] != digits[i + 1]:
            digits[i], digits[i + 1] = digits[i + 1], digits[i]
            return int("".join(digits))
    return value + 1000


def build_dhasil(sample: Sample, records: Mapping[str, Mapping[str, int | None]], kec_h001: Kecamatan,
                 kec_missing: Kecamatan) -> None:
    by_unit: dict[str, list[Mapping[str, int | None]]] = defaultdict(list)
    for kode, record in records.items():
        for n in (2, 4, 6):
            by_unit[kode[:n]].append(record)
    computed = {unit: sum_records(rs) for unit, rs in by_unit.items()}
    names = {PROV_KODE: PROV_NAMA}
    for kab in sample.prov:
        names[kab.kode] = kab.nama
        names.update({kec.kode: kec.nama for kec in kab.kecamatan})
    reported: dict[str, dict[str, int]] = {unit: dict(sums) for unit, sums in computed.items()}

    # +120 on paslon 2 in one kecamatan, carried unchanged into its kab/kota and the provinsi.
    chain = (kec_h001.kode, kec_h001.kode[:4], PROV_KODE)
    for unit in chain:
        reported[unit]["suara_paslon_2"] += 120
    # A transposed suara_sah in one kab/kota (its kecamatan rows are right); the provinsi adds it up.
    kab_b = sample.kab_b.kode
    wrong = transpose_digits(reported[kab_b]["suara_sah"])
    delta = wrong - reported[kab_b]["suara_sah"]
    for unit in (kab_b, PROV_KODE):
        reported[unit]["suara_sah"] += delta
    origins = {("suara_paslon_2", u): f"kecamatan {kec_h001.kode} ({kec_h001.nama}): its D.Hasil carries "
               "suara_paslon_2 +120, copied upward unchanged" for u in chain}
    origins |= {("suara_sah", u): f"kabkota {kab_b} ({sample.kab_b.nama}): suara_sah "
                f"{computed[kab_b]['suara_sah']} copied as {wrong} (digits transposed), carried into the provinsi"
                for u in (kab_b, PROV_KODE)}

    levels = {2: "provinsi", 4: "kabkota", 6: "kecamatan"}
    for n, level in levels.items():
        units = sorted(u for u in reported if len(u) == n and u != kec_missing.kode)
        sample.dhasil[level] = [{"level": level, "kode_wilayah": u, "nama_wilayah": names[u], **reported[u]}
                                for u in units]
        for u in units:
            for col in NUMERIC:
                if reported[u][col] != computed[u][col]:
                    selisih = reported[u][col] - computed[u][col]
                    sample.expect("H001", level, u, col, f"reported {reported[u][col]}, computed "
                                  f"{computed[u][col]}, selisih {selisih:+d}; first diverges at "
                                  f"{origins[(col, u)]}")
            broken = arithmetic_findings(reported[u])
            if broken:
                rules = ", ".join(f"{rule} ({col})" for rule, col in sorted(broken.items()))
                sample.expect("H003", level, u, "", f"the reported row breaks {rules} on its own")
    sample.expect("H002", "kabkota", kec_missing.kode[:4], "", f"kecamatan {kec_missing.kode} "
                  f"({kec_missing.nama}) has TPS data but no row in dhasil_kecamatan.csv")


# --- writers ------------------------------------------------------------------------------------------


def cell_text(value: Value) -> str:
    return "" if value is None else str(value)


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Value]], *, delimiter: str = ",",
              encoding: str = "utf-8", newline: str = "\n") -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell_text(v) for v in row])
    path.write_bytes(buffer.getvalue().encode(encoding))


def normalize_zip(data: bytes) -> bytes:
    """Rewrite an XLSX with fixed entry times and no compression, so its bytes depend on nothing else.

    Stored (not deflated) entries keep the bytes independent of the zlib build, too.
    """
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.create_system = 3  # else it follows the OS the script runs on
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


def write_xlsx(path: Path, kab: KabKota, header: Sequence[str], rows: Iterable[Sequence[Value]]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.writer.excel import ExcelWriter

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Rekap TPS"
    ws.append([XLSX_TITLE])
    ws.append([kab.title])
    ws.append(list(header))
    for row in rows:
        # Codes go in as text cells: a number cell would lose nothing here, but staff sheets that keep
        # codes as text are what rekap must read without turning them into numbers.
        ws.append(list(row))
    bold = Font(bold=True)
    ws["A1"].font = ws["A2"].font = bold
    for cell in ws[3]:
        cell.font = bold
    ws.column_dimensions["A"].width = 16
    ws.freeze_panes = "B4"
    wb.properties.creator = "rekap scripts/make_samples.py"
    wb.properties.created = wb.properties.modified = XLSX_TIME
    buffer = io.BytesIO()
    # openpyxl's save() stamps `modified` with the current time; its writer used directly does not.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).write_data()
    path.write_bytes(normalize_zip(buffer.getvalue()))


def tps_file_name(kab: KabKota) -> str:
    return f"tps_{kab.kode}.{'xlsx' if kab.fmt == 'xlsx' else 'csv'}"


def write_tps_files(sample: Sample, out: Path) -> None:
    tps_dir = out / "tps"
    tps_dir.mkdir(parents=True, exist_ok=True)
    for stale in sorted(tps_dir.glob("tps_*")):  # files of an earlier run with other kab/kota codes
        stale.unlink()
    for kab in sample.in_code_order():
        rows = [r.cells() for r in sample.rows[kab.kode]]
        path = tps_dir / tps_file_name(kab)
        if kab.fmt == "xlsx":
            write_xlsx(path, kab, [h for _, h in headers_for("plain")], rows)
        elif kab.fmt == "csv_id":
            # Excel in an Indonesian locale: ';' because ',' is the decimal mark, Windows code page, CRLF.
            write_csv(path, [h for _, h in headers_for("paren")], rows, delimiter=";", encoding="cp1252",
                      newline="\r\n")
        else:
            write_csv(path, [h for _, h in headers_for("plain")], rows)


WILAYAH_HEADER = ("kode", "level", "level_name", "nama", "nama_raw", "parent_kode", "tps_max_no",
                  "tps_ext_from", "tps_ext_to", "n_tps")


def write_wilayah(sample: Sample, out: Path) -> None:
    rows: list[list[Value]] = []
    kabs = sample.in_code_order()
    prov_tps = sum(len(d.tps_numbers()) for kab in kabs for _, d in kab.all_desa())
    rows.append([PROV_KODE, 1, "provinsi", PROV_NAMA, PROV_NAMA, "", None, None, None, prov_tps])
    for kab in kabs:
        kab_tps = sum(len(d.tps_numbers()) for _, d in kab.all_desa())
        rows.append([kab.kode, 2, "kabkota", kab.nama, kab.nama, PROV_KODE, None, None, None, kab_tps])
        for kec in kab.kecamatan:
            kec_tps = sum(len(d.tps_numbers()) for d in kec.desa)
            rows.append([kec.kode, 3, "kecamatan", kec.nama, kec.nama, kab.kode, None, None, None, kec_tps])
            for d in kec.desa:
                ext = d.tps_ext or (None, None)
                rows.append([d.kode, 4, "desa", d.nama, d.nama_raw, kec.kode, d.tps_max_no, ext[0], ext[1],
                             len(d.tps_numbers())])
    write_csv(out / "wilayah.csv", WILAYAH_HEADER, rows)


PASLON_NAMES = (
    "Dr. H. ARJUNA WICAKSANA, S.E., M.M. - Hj. LARASATI PUSPITANINGRUM, S.H.",
    "Ir. BAYU SETYAKI NUGRAHA, M.T. - Dra. KINANTI MAHESWARI, M.Si.",
    "H. DANANG PRAMUDYA ADIGUNA, S.Sos. - Dr. RATNA KUSUMAWARDANI, M.Pd.",
)
PASLON_COLOURS = ("#C0392B", "#2E86C1", "#F1C40F")


def write_paslon(out: Path) -> None:
    rows: list[list[Value]] = [[ELECTION, PROV_KODE, 9000000 + n, n, PASLON_NAMES[n - 1], PASLON_COLOURS[n - 1], TS]
                               for n in range(1, N_PASLON + 1)]
    write_csv(out / "paslon.csv", ("election", "kode_wilayah", "paslon_id", "nomor_urut", "nama", "warna", "ts"),
              rows)


def dhasil_columns(schema: ModuleType) -> list[str]:
    return ["level", "kode_wilayah", "nama_wilayah", *schema.canonical_order(frozenset(NUMERIC))]


def write_dhasil(sample: Sample, out: Path, schema: ModuleType) -> None:
    columns = dhasil_columns(schema)
    for level in ("kecamatan", "kabkota", "provinsi"):
        write_csv(out / f"dhasil_{level}.csv", columns, [[row[c] for c in columns] for row in sample.dhasil[level]])


PLANTED_HEADER = ("rule", "level", "kode_wilayah", "field", "note")


def sorted_findings(sample: Sample) -> list[Finding]:
    return sorted(sample.expected, key=lambda f: (f.rule, LEVEL_RANK[f.level], f.kode_wilayah, f.field))


def write_planted(sample: Sample, out: Path) -> None:
    write_csv(out / "planted.csv", PLANTED_HEADER,
              [[f.rule, f.level, f.kode_wilayah, f.field, f.note] for f in sorted_findings(sample)])


def md_cell(text: str) -> str:
    return text.replace("|", "\\|") if text else "–"


def readme_text(sample: Sample, out: Path, readme: Path) -> str:
    kabs = sample.in_code_order()
    n_kec = sum(len(k.kecamatan) for k in kabs)
    n_desa = sum(1 for k in kabs for _ in k.all_desa())
    n_tps = sum(len(d.tps_numbers()) for k in kabs for _, d in k.all_desa())
    n_rows = sum(len(sample.rows[k.kode]) for k in kabs)
    # Relative, so that the text does not depend on where the sample was written.
    rel = out.name if out == readme.parent or not out.is_relative_to(readme.parent) else out.relative_to(readme.parent)
    variant = "full" if sample.full else "small"
    command = "python scripts/make_samples.py" + (" --full" if sample.full else "")
    if sample.seed != DEFAULT_SEED:
        command += f" --seed {sample.seed}"
    fmt_text = {"csv": "comma-delimited UTF-8 CSV (LF)",
                "csv_id": "semicolon-delimited CP1252 CSV with CRLF, as Excel writes it in an Indonesian "
                          "locale; some desa names contain \"É\"",
                "xlsx": "XLSX, two title rows above the header row (header in row 3); codes are text cells"}
    listed = [k for k in kabs if k.fmt != "csv" or not sample.full]
    tps_lines = "\n".join(f"  - `tps/{tps_file_name(k)}` — {k.title} ({k.kode}): {fmt_text[k.fmt]}" for k in listed)
    if sample.full:
        tps_lines = "  - `tps/tps_<kode_kabkota>.csv` — comma-delimited UTF-8 unless listed here:\n" + tps_lines
    table = "\n".join(f"| {f.rule} | {f.level} | {f.kode_wilayah} | {md_cell(f.field)} | {md_cell(f.note)} |"
                      for f in sorted_findings(sample))
    counts = Counter(f.rule for f in sample.expected)
    summary = ", ".join(f"{rule} ×{n}" if n > 1 else rule for rule, n in sorted(counts.items()))
    return f"""# Sample data: Pilkada Gubernur, a synthetic province shaped like Jawa Timur 2024

`{rel}/` is the **{variant}** variant of a synthetic governor election (`pkwkp`) for one province
with the code structure of Jawa Timur (35): {len(kabs)} kab/kota, {n_kec} kecamatan, {n_desa} desa/kelurahan,
{n_tps} TPS expected by the master list ({n_rows} data rows in the TPS files). Three paslon, a TPS
cap of 600 voters, ballots received = DPT + ceil(2.5 % × DPT). **Every name and number is invented**;
nothing is copied from real election data. The problems listed below are planted on purpose; every
other TPS is clean under all rules of the rule catalogue with default thresholds.

*Bahasa Indonesia.* Data contoh ini sepenuhnya sintetis (nama dan angka karangan): Pemilihan Gubernur
dan Wakil Gubernur untuk satu provinsi dengan struktur kode seperti Jawa Timur 2024. Berkas TPS meniru
ekspor dari staf (CSV koma, CSV titik koma dari Excel berlokal Indonesia, dan XLSX dengan baris judul).
Kesalahan yang sengaja ditanam tercantum di `planted.csv` dan pada tabel di bawah; TPS lainnya bersih.

## How it was made

    {command}

(seed {sample.seed}; `--out DIR` writes elsewhere). The full variant (38 kab/kota, 666 kecamatan,
{FULL_DESA:,} desa, {FULL_TPS:,} TPS) is not committed: `python scripts/make_samples.py --full` writes it to
`data/samples/jatim_penuh/` (git-ignored) in well under a minute; `--xlsx` writes its XLSX kab/kota as XLSX.
Output is byte-identical across runs; `tests/test_samples.py` regenerates the small variant and compares.

## Files

- `tps/` — one TPS file per kab/kota, Indonesian headers as staff type them ("Kode TPS", "Jumlah DPT L",
  "Paslon 01", …, all known to `rekap.schema.resolve_header`):
{tps_lines}
- `wilayah.csv` — master region list in KPU's format (`{",".join(WILAYAH_HEADER)}`): provinsi,
  kab/kota, kecamatan and desa rows; desa rows carry `tps_max_no` (TPS 001…N expected) and, for one TPS
  lokasi khusus, `tps_ext_from`/`tps_ext_to` = 901. `n_tps` counts the expected TPS of every node,
  including the ones missing from the TPS files.
- `paslon.csv` — the three candidate pairs (`election,kode_wilayah,paslon_id,nomor_urut,nama,warna,ts`).
- `dhasil_kecamatan.csv`, `dhasil_kabkota.csv`, `dhasil_provinsi.csv` — reported recaps (D.Hasil) in
  rekap's recap-row shape (`level,kode_wilayah,nama_wilayah` + canonical numeric columns): the sums of the
  TPS forms as written (forms with errors included, unreadable or empty cells skipped, an exact duplicate
  counted once, the first of two conflicting rows used), except the planted H001 discrepancies; one
  kecamatan has no row (H002).
- `planted.csv` — every expected finding (`{",".join(PLANTED_HEADER)}`), the same as the table below.

## Planted problems ({summary})

| rule | level | kode_wilayah | field | note |
|---|---|---|---|---|
{table}

## Readings the list relies on

- A TPS-level finding is one per TPS, rule and checked box (`field`): A001 names the J box of each
  L/P/J triple that does not add up; A002/A003/A004/A005/A011 name each of the L, P and J boxes that
  fail; A006 `suara_sah`; A007/A009/A012 `suara_total`; A008 `ss_digunakan`; A010 `ss_diterima`;
  P001/P003 `pemilih_dpt_j`; P002 `ss_diterima`; P004 `suara_total`; P005 the paslon box.
- S002: an unreadable cell is not applicable for the rules that use it; the recap skips it.
- S003: reported on the later row, naming the first box (in `rekap.schema.NUMERIC_COLUMNS` order) that
  differs from the first row; every row is checked, and the first one is the one summed. S004: reported
  on the copy (`kode_tps`); an exact duplicate counts once and is not checked again.
- S005: the malformed code keeps a valid 10-digit desa prefix, so its form is summed into that
  kecamatan; its expected 13-digit code is reported missing (K001). S006/K002 are not expected for a code
  that is malformed in the first place.
- P006: turnout is `suara_total / pemilih_dpt_j` (field `suara_total`), the invalid share
  `suara_tidak_sah / suara_total` (field `suara_tidak_sah`); an outlier has a robust z-score above 3.5, is
  at least 5 percentage points from its kecamatan's median and sits in a kecamatan with at least 10 such
  TPS; a turnout of 100 % or more is flagged anyway. A zero denominator makes it not applicable.
- P007 names `kode_tps`; P008 names `administrasi` (votes without voter data) or `suara` (the reverse).
- H001: one finding per reported row and field that differs from the sum of the TPS data, with the
  level where the difference first appears in the note. H002: reported on the kab/kota whose kecamatan
  row is missing. H003: one finding per reported row that breaks any A-rule on its own (rules listed in
  the note); planted TPS errors are summed into the recaps, so they show up there as well.
"""


def write_readme(sample: Sample, out: Path, readme: Path) -> None:
    readme.parent.mkdir(parents=True, exist_ok=True)
    readme.write_text(readme_text(sample, out, readme), encoding="utf-8")


# --- driver -------------------------------------------------------------------------------------------


def generate(seed: int, full: bool, xlsx: bool, schema: ModuleType) -> Sample:
    # Separate streams: changing one planted problem must not reshuffle the whole province.
    rng_struct = random.Random(f"{seed}:struktur")
    rng_forms = random.Random(f"{seed}:formulir")
    rng_plants = random.Random(f"{seed}:tanam")
    prov = build_full(rng_struct, xlsx) if full else build_small(rng_struct)
    base = (1.0, 5.0, 3.0)  # province-wide strength of paslon 1..3, varied per kab/kota
    for kab in sorted(prov, key=lambda k: k.kode):
        kab.shares = tuple(b * math.exp(rng_struct.gauss(0, 0.3)) for b in base)
    sample = Sample(seed=seed, full=full, prov=prov)
    sites, kec_h001, kec_missing = choose_sites(sample, rng_plants)
    build_rows(sample, rng_forms)
    plant(sample, sites, rng_plants)
    settle_clean_rows(sample, rng_forms)

    records = distinct_records(sample)
    found = evaluate_tps(sample, records, schema.NUMERIC_COLUMNS)
    declared = {(f.rule, f.kode_wilayah, f.field) for f in sample.expected}
    if found != declared:
        raise SystemExit("make_samples: planted list and data disagree\n"
                         f"  found, not declared: {sorted(found - declared)}\n"
                         f"  declared, not found: {sorted(declared - found)}")
    build_dhasil(sample, records, kec_h001, kec_missing)
    return sample


def write_sample(sample: Sample, out: Path, readme: Path, schema: ModuleType) -> None:
    out.mkdir(parents=True, exist_ok=True)
    write_tps_files(sample, out)
    write_wilayah(sample, out)
    write_paslon(out)
    write_dhasil(sample, out, schema)
    write_planted(sample, out)
    write_readme(sample, out, readme)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--full", action="store_true", help="write the full province (60,751 TPS)")
    parser.add_argument("--out", type=Path, help="output folder (default: data/samples/jatim_kecil or "
                        "data/samples/jatim_penuh with --full)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument("--xlsx", action="store_true", help="with --full: write the XLSX kab/kota as XLSX "
                        "(the small variant always does)")
    parser.add_argument("--readme", type=Path, help="where README.md goes (default: next to the small "
                        "variant's folder, inside the full variant's folder)")
    args = parser.parse_args(argv)
    if args.xlsx and not args.full:
        parser.error("--xlsx only applies to --full")
    out: Path = args.out or SAMPLES / ("jatim_penuh" if args.full else "jatim_kecil")
    readme: Path = args.readme or (out / "README.md" if args.full else out.parent / "README.md")
    schema = load_schema()
    check_headers(schema)
    sample = generate(args.seed, args.full, args.xlsx, schema)
    write_sample(sample, out, readme, schema)
    print(f"make_samples: wrote {out} ({sum(len(r) for r in sample.rows.values())} TPS rows, "
          f"{len(sample.expected)} planted findings)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
