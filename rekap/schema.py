"""Canonical columns and header aliases (domain.md §2).

Everything that names a column lives here: loaders map input headers onto these names, rules and
SQL builders only ever use names from these allow-lists.
"""

from __future__ import annotations

import re
import unicodedata

from rekap.regions import CODE_COLUMN, NAME_COLUMN, TPS, UNIT_LEVELS

# The region code and name columns, in level order (the levels themselves live in rekap.regions).
CODE_COLUMNS: tuple[str, ...] = tuple(CODE_COLUMN[level] for level in (*UNIT_LEVELS, TPS))
NAME_COLUMNS: tuple[str, ...] = tuple(NAME_COLUMN[level] for level in (*UNIT_LEVELS, TPS))
META_COLUMNS: tuple[str, ...] = ("jenis_pemilihan", "sumber", "ts")
TEXT_COLUMNS: tuple[str, ...] = CODE_COLUMNS + NAME_COLUMNS + META_COLUMNS

ELECTIONS: tuple[str, ...] = ("ppwp", "pkwkp", "pkwkk", "pdpr", "pdpd", "pdprdp", "pdprdk")
PILKADA: frozenset[str] = frozenset({"pkwkp", "pkwkk"})

LPJ = ("l", "p", "j")

# Voter/administration groups that come as L/P/J triples.
TRIPLE_GROUPS: tuple[str, ...] = (
    "pemilih_dpt",
    "pemilih_dpph",
    "pemilih_dptb",
    "pemilih_total",
    "pengguna_dpt",
    "pengguna_dptb",
    "pengguna_non_dpt",
    "pengguna_dpph",
    "pengguna_total",
    "pemilih_disabilitas",
    "pengguna_disabilitas",
)
BALLOT_COLUMNS: tuple[str, ...] = ("ss_diterima", "ss_digunakan", "ss_rusak", "ss_sisa")
VOTE_TOTAL_COLUMNS: tuple[str, ...] = ("suara_sah", "suara_tidak_sah", "suara_total")
MAX_PASLON = 20
PASLON_RE = re.compile(r"^suara_paslon_([1-9][0-9]?)$")


def paslon_column(n: int) -> str:
    return f"suara_paslon_{n}"


ADMIN_COLUMNS: tuple[str, ...] = tuple(f"{g}_{s}" for g in TRIPLE_GROUPS for s in LPJ)
NUMERIC_BASE: tuple[str, ...] = ADMIN_COLUMNS + BALLOT_COLUMNS + VOTE_TOTAL_COLUMNS
PASLON_COLUMNS: tuple[str, ...] = tuple(paslon_column(n) for n in range(1, MAX_PASLON + 1))
NUMERIC_COLUMNS: tuple[str, ...] = NUMERIC_BASE + PASLON_COLUMNS
CANONICAL_COLUMNS: tuple[str, ...] = TEXT_COLUMNS + NUMERIC_COLUMNS
CANONICAL_SET: frozenset[str] = frozenset(CANONICAL_COLUMNS)

# Columns that identify voter data (administrasi) vs vote data (chart) on a form.
VOTER_DATA_COLUMNS: tuple[str, ...] = ADMIN_COLUMNS
VOTE_DATA_COLUMNS: tuple[str, ...] = VOTE_TOTAL_COLUMNS + PASLON_COLUMNS


def canonical_order(columns: set[str] | frozenset[str]) -> list[str]:
    """Canonical columns present in `columns`, in the contract's order."""
    return [c for c in CANONICAL_COLUMNS if c in columns]


def quote_ident(name: str) -> str:
    """Quote an identifier for DuckDB; only names from the allow-list may be used unquoted elsewhere."""
    return '"' + name.replace('"', '""') + '"'


# --- header aliases -------------------------------------------------------------------------------


_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def normalize_header(text: str) -> str:
    """Fold a header as staff type it into a comparable key: 'Jumlah DPT (L)' -> 'jumlah dpt l'."""
    text = str(text)
    if not text.isascii():  # NFKC leaves ASCII as it is (the ~4,000 aliases built at import are ASCII)
        text = unicodedata.normalize("NFKC", text)
    # Every run of other characters (spaces, newlines, punctuation) becomes one space: no doubled spaces remain.
    return _NOT_ALNUM.sub(" ", text.strip().lower()).strip()


def _alias_table() -> dict[str, str]:
    aliases: dict[str, str] = {}

    def add(canon: str, *names: str) -> None:
        for n in (canon, *names):
            aliases[normalize_header(n)] = canon

    add("kode_prov", "kode provinsi", "kd prov", "kode propinsi", "id provinsi", "provinsi kode")
    add("kode_kabkota", "kode kabupaten", "kode kab", "kode kota", "kode kabupaten kota", "kode kab kota",
        "kd kab", "kode kabkot")
    add("kode_kec", "kode kecamatan", "kd kec")
    add("kode_desa", "kode kelurahan", "kode desa kelurahan", "kode kel", "kd desa", "kode desa kel")
    add("kode_tps", "kode tps", "kd tps", "id tps", "tps kode", "kode_tps_13")
    add("nama_prov", "provinsi", "nama provinsi", "propinsi")
    add("nama_kabkota", "kabupaten", "kabupaten kota", "kab kota", "nama kabupaten", "nama kabupaten kota",
        "kota", "kabkota", "nama kab kota")
    add("nama_kec", "kecamatan", "nama kecamatan")
    add("nama_desa", "desa", "kelurahan", "desa kelurahan", "nama desa", "nama kelurahan",
        "nama desa kelurahan", "desa kel")
    add("nama_tps", "tps", "nama tps")
    add("jenis_pemilihan", "jenis pemilihan", "pemilihan", "election")
    add("sumber", "source")
    add("ts", "timestamp", "waktu")
    groups = {
        "pemilih_dpt": ["jumlah dpt", "dpt", "pemilih dpt", "jumlah pemilih dpt", "pemilih terdaftar dpt"],
        "pemilih_dpph": ["jumlah dpph", "dpph", "pemilih dpph"],
        "pemilih_dptb": ["jumlah dptb", "dptb", "pemilih dptb"],
        "pemilih_total": ["jumlah pemilih", "total pemilih", "pemilih total", "jumlah pemilih total"],
        "pengguna_dpt": ["pengguna hak pilih dpt", "pengguna dpt", "pemilih dpt yang menggunakan hak pilih",
                         "jumlah pengguna dpt"],
        "pengguna_dptb": ["pengguna hak pilih dptb", "pengguna dptb", "jumlah pengguna dptb"],
        "pengguna_non_dpt": ["pengguna hak pilih dpk", "pengguna dpk", "dpk", "pengguna non dpt",
                             "jumlah pengguna dpk"],
        "pengguna_dpph": ["pengguna hak pilih dpph", "pengguna dpph", "jumlah pengguna dpph"],
        "pengguna_total": ["jumlah pengguna hak pilih", "pengguna hak pilih", "total pengguna hak pilih",
                           "pengguna total", "jumlah pengguna", "total pengguna"],
        "pemilih_disabilitas": ["pemilih disabilitas", "jumlah pemilih disabilitas", "disabilitas"],
        "pengguna_disabilitas": ["pengguna disabilitas", "pengguna hak pilih disabilitas",
                                 "jumlah pengguna disabilitas", "jumlah pengguna hak pilih disabilitas"],
    }
    suffix_words = {
        "l": ["l", "lk", "laki laki", "laki"],
        "p": ["p", "pr", "perempuan"],
        "j": ["j", "jml", "jumlah", "total", "l p"],
    }
    for group, names in groups.items():
        for s, words in suffix_words.items():
            canon = f"{group}_{s}"
            add(canon, canon.replace("_", " "))
            for n in names:
                for w in words:
                    add(canon, f"{n} {w}", f"{n} ({w})")
        # A bare group name ("Jumlah DPT") means the jumlah column.
        for n in names:
            aliases.setdefault(normalize_header(n), f"{group}_j")
    add("ss_diterima", "surat suara diterima", "jumlah surat suara diterima", "ss diterima",
        "surat suara yang diterima")
    add("ss_digunakan", "surat suara digunakan", "jumlah surat suara digunakan", "surat suara yang digunakan")
    add("ss_rusak", "surat suara rusak", "surat suara dikembalikan", "surat suara rusak keliru",
        "surat suara yang dikembalikan")
    add("ss_sisa", "surat suara sisa", "surat suara tidak digunakan", "sisa surat suara",
        "surat suara tidak terpakai")
    add("suara_sah", "suara sah", "jumlah suara sah", "total suara sah", "sah")
    add("suara_tidak_sah", "suara tidak sah", "jumlah suara tidak sah", "tidak sah")
    add("suara_total", "jumlah suara sah dan tidak sah", "total suara", "jumlah suara", "suara total",
        "jumlah seluruh suara", "jumlah suara sah dan suara tidak sah")
    for k in range(1, MAX_PASLON + 1):
        canon = paslon_column(k)
        add(canon, f"paslon {k}", f"paslon {k:02d}", f"paslon {k:03d}", f"suara paslon {k}",
            f"suara paslon {k:02d}", f"no urut {k}", f"nomor urut {k}", f"paslon no {k}",
            f"pasangan calon {k}", f"pasangan calon {k:02d}", f"suara paslon no urut {k}",
            f"calon {k:02d}", f"suara {k:02d}", f"suara_{k}")
    return aliases


HEADER_ALIASES: dict[str, str] = _alias_table()


def resolve_header(header: str, extra: dict[str, str] | None = None) -> str | None:
    """Canonical name for an input header, or None when it is not one rekap knows."""
    if extra:
        if header in extra:
            return extra[header]
        key = normalize_header(header)
        for k, v in extra.items():
            if normalize_header(k) == key:
                return v
    return HEADER_ALIASES.get(normalize_header(header))
