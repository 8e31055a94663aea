"""Thresholds per election type, overridable from a TOML config file.

```toml
[thresholds]            # applies to every election type
outlier_z = 4.0

[thresholds.pkwkp]      # only to governor elections
tps_cap = 600

[cetak]                 # how the workbook prints (rekap.report.printing)
kertas = "a4"           # f4 (default: folio 215 × 330 mm) or a4
```
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from rekap.errors import UsageError
from rekap.i18n import _
from rekap.schema import ELECTIONS


@dataclass(frozen=True)
class Thresholds:
    tps_cap: int = 300
    """P001/P005: most voters (and most votes for one candidate) a TPS can have."""
    reserve_rate: float = 0.02
    """P002: reserve ballots as a share of the DPT (rounded up)."""
    reserve_tolerance: int = 0
    """P002: ballots received may differ from DPT + reserve by this many."""
    outlier_z: float = 3.5
    """P006: robust z-score (0.6745·|x − median| / MAD) above which a TPS is an outlier in its kecamatan."""
    outlier_min_delta: float = 0.05
    """P006: and at least this far from the median (as a share: 0.05 = 5 percentage points), so that a
    kecamatan where every TPS is alike does not turn tiny differences into outliers."""
    outlier_min_tps: int = 10
    """P006: a kecamatan needs at least this many TPS with data for the comparison to mean anything."""
    max_box: int = 999
    """S007: the C.Hasil form has 3-digit boxes."""


DEFAULTS: dict[str, Thresholds] = {
    "ppwp": Thresholds(tps_cap=300, reserve_rate=0.02),
    "pkwkp": Thresholds(tps_cap=600, reserve_rate=0.025),
    "pkwkk": Thresholds(tps_cap=600, reserve_rate=0.025),
    "pdpr": Thresholds(tps_cap=300, reserve_rate=0.02),
    "pdpd": Thresholds(tps_cap=300, reserve_rate=0.02),
    "pdprdp": Thresholds(tps_cap=300, reserve_rate=0.02),
    "pdprdk": Thresholds(tps_cap=300, reserve_rate=0.02),
}


def _coerce(name: str, value: object, where: str) -> object:
    kinds = {f.name: f.type for f in fields(Thresholds)}
    if name not in kinds:
        raise UsageError(_("{where}: ambang batas tidak dikenal {name!r}", where=where, name=name),
                         hint=_("yang dikenal: {known}", known=", ".join(kinds)))
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UsageError(_("{where}: ambang batas {name} harus berupa angka, bukan {value!r}", where=where, name=name,
                           value=value))
    if kinds[name] in (int, "int"):
        if float(value) != int(value):
            raise UsageError(_("{where}: ambang batas {name} harus bilangan bulat, bukan {value!r}", where=where,
                               name=name, value=value))
        return int(value)
    return float(value)


def _read(path: Path) -> dict[str, object]:
    """The configuration file as a TOML document; a missing or broken file is a UsageError naming it."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise UsageError(_("{path}: berkas konfigurasi tidak ditemukan", path=path)) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(_("{path}: bukan konfigurasi TOML yang sah ({error})", path=path, error=exc)) from None


def _section(path: Path, name: str) -> dict[str, object]:
    """The table `[name]` of the configuration file `path` (empty when it has none); anything else there is a
    UsageError naming the file and the section."""
    section = _read(path).get(name, {})
    if not isinstance(section, dict):
        raise UsageError(_("{path}: [{section}] harus berupa tabel", path=path, section=name))
    return section


def load_thresholds(path: Path | None) -> dict[str, Thresholds]:
    """Thresholds per election type: defaults, then `[thresholds]`, then `[thresholds.<type>]`."""
    result = dict(DEFAULTS)
    if path is None:
        return result
    section = _section(path, "thresholds")
    common = {k: _coerce(k, v, str(path)) for k, v in section.items() if not isinstance(v, dict)}
    for election in ELECTIONS:
        result[election] = replace(result[election], **common)  # type: ignore[arg-type]
    for key, sub in section.items():
        if isinstance(sub, dict):
            if key not in ELECTIONS:
                raise UsageError(_("{path}: jenis pemilihan tidak dikenal [thresholds.{key}]", path=path, key=key),
                                 hint=_("yang dikenal: {known}", known=", ".join(ELECTIONS)))
            vals = {k: _coerce(k, v, f"{path} [thresholds.{key}]") for k, v in sub.items()}
            result[key] = replace(result[key], **vals)  # type: ignore[arg-type]
    return result


def thresholds_rows(th: dict[str, Thresholds]) -> list[dict[str, object]]:
    return [{"jenis_pemilihan": k, **asdict(v)} for k, v in sorted(th.items())]


PAPERS = ("f4", "a4")


def load_paper(path: Path | None) -> str | None:
    """The paper of `[cetak] kertas` in the configuration file (f4 or a4), or None when it does not say."""
    if path is None:
        return None
    section = _section(path, "cetak")
    value = section.get("kertas")
    if value is None:
        return None
    if not isinstance(value, str) or value.strip().lower() not in PAPERS:
        raise UsageError(_("{path}: [cetak] kertas = {value!r} tidak dikenal", path=path, value=value),
                         hint=_("pilih salah satu: {known}", known=", ".join(PAPERS)))
    return value.strip().lower()
