"""The rule documentation is generated from the registry and must not drift from it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_rules_doc_is_up_to_date() -> None:
    res = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_rules_doc.py"), "--check"], cwd=ROOT)
    assert res.returncode == 0, "docs/rules.md is stale: run python scripts/gen_rules_doc.py"


def test_domain_rule_ids_are_all_registered() -> None:
    from rekap.validate.catalogue import all_rules

    ids = {r.id for r in all_rules()}
    expected = {f"S{i:03d}" for i in range(1, 9)} | {f"A{i:03d}" for i in range(1, 14)} | {f"P{i:03d}" for i in range(1, 9)}
    expected |= {f"K{i:03d}" for i in range(1, 4)} | {f"H{i:03d}" for i in range(1, 4)} | {f"D{i:03d}" for i in range(1, 7)}
    expected |= {"X001", "X002"}
    assert ids == expected
