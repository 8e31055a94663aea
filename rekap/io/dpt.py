"""The official DPT per TPS (`--dpt`): `kode_tps`, `dpt_l`, `dpt_p`, `dpt_j`, CSV or XLSX (A013)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from rekap.db import count
from rekap.schema import quote_ident


def load_dpt(con: duckdb.DuckDBPyConnection, path: Path, tmpdir: str) -> int:
    """Official DPT per TPS (`kode_tps`, `dpt_l`, `dpt_p`, `dpt_j`), CSV or XLSX."""
    from rekap.errors import InputError
    from rekap.i18n import _
    from rekap.io import LoadOptions, read_one
    from rekap.schema import resolve_header

    if not path.is_file():
        raise InputError(_("{path}: daftar DPT tidak ditemukan", path=path))
    raw, _rejects = read_one(con, path, str(path), "rk_dpt_raw", tmpdir, LoadOptions())
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
        raise InputError(_("{path}: daftar DPT memerlukan kolom kode_tps dan dpt_j (dpt_l, dpt_p boleh ada)", path=path))
    parts = ["rk_code(" + quote_ident(found["kode_tps"]) + ") AS kode_tps"]
    for s in ("l", "p", "j"):
        src = found.get(f"dpt_{s}")
        parts.append(f"rk_count({quote_ident(src)}::VARCHAR) AS dpt_{s}" if src else f"NULL::BIGINT AS dpt_{s}")
    con.execute(f"CREATE OR REPLACE TABLE rk_dpt AS SELECT {', '.join(parts)} FROM rk_dpt_raw")
    n = count(con, "SELECT count(*) FROM rk_dpt")
    return n
