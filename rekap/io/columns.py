"""Map an input's own headers onto canonical columns (domain.md §2) and say which mapping was used."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from rekap.dataset import ColumnMapping
from rekap.errors import InputError, UsageError
from rekap.i18n import _
from rekap.schema import CANONICAL_SET, resolve_header

DUPLICATE_SUFFIX = re.compile(r"^(.*)__\d+$")


def load_column_map(path: Path) -> dict[str, str]:
    """Read a user mapping file: `[columns]` table of "input header" = "canonical name"."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise UsageError(_("{path}: berkas peta kolom tidak ditemukan", path=path)) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(_("{path}: bukan peta kolom TOML yang sah ({error})", path=path, error=exc)) from None
    table = data.get("columns", data)
    if not isinstance(table, dict):
        raise UsageError(_('{path}: diharapkan tabel [columns] berisi "judul kolom masukan" = "nama kanonik"', path=path))
    result: dict[str, str] = {}
    for src, dst in table.items():
        if not isinstance(dst, str) or dst not in CANONICAL_SET:
            raise UsageError(
                _("{path}: '{src}' dipetakan ke {dst!r}, yang bukan kolom kanonik", path=path, src=src, dst=dst),
                hint=_("lihat daftar kolom dengan: rekap columns"),
            )
        result[str(src)] = dst
    return result


def map_headers(headers: list[str], display: str, extra: dict[str, str] | None = None) -> ColumnMapping:
    """Resolve each header; two headers for the same canonical column make the file ambiguous."""
    cm = ColumnMapping()
    position = {h: i + 1 for i, h in enumerate(headers)}
    for h in headers:
        twin = DUPLICATE_SUFFIX.match(h)
        if twin and twin.group(1) in position and resolve_header(twin.group(1), extra) is not None:
            # The readers rename a repeated header `X` to `X__2`: two columns claim the same count.
            base = twin.group(1)
            raise InputError(
                _("{path}: kolom {first} dan {second} sama-sama berjudul '{header}' ({canon}); rekap tidak dapat "
                  "menentukan mana yang berisi angkanya", path=display, first=position[base], second=position[h],
                  header=base, canon=resolve_header(base, extra)),
                hint=_("ganti nama atau hapus salah satunya, atau petakan secara eksplisit dengan --columns map.toml"),
            )
        canon = resolve_header(h, extra)
        if canon is None:
            cm.unmapped.append(h)
            continue
        if canon in cm.mapping:
            raise InputError(
                _("{path}: kolom '{first}' dan '{second}' sama-sama berarti {meaning}", path=display,
                  first=cm.mapping[canon], second=h, meaning=canon),
                hint=_("ganti nama atau hapus salah satunya, atau petakan secara eksplisit dengan --columns map.toml"),
            )
        cm.mapping[canon] = h
        if h != canon:
            cm.renamed.append((h, canon))
    return cm
