"""SQL pieces the rule families share: a column of the TPS table, a summand, an equation, a bound, a
text of the catalogue inside a finding's detail, and the reason a rule does not apply. Names come from
the schema's allow-list only."""

from __future__ import annotations

from rekap.db import literal
from rekap.i18n import N_, decimal_mark
from rekap.validate.registry import Check, Context, NotApplicable


def c(name: str) -> str:
    """Column reference on the TPS table; names come from the schema's allow-list only."""
    return f't."{name}"'


def is_tps_code(code: str) -> str:
    """SQL: `code` is a whole TPS code, 13 digits (the one pattern: prepare's count, S005, S006, K002)."""
    return f"regexp_full_match({code}, '[0-9]{{13}}')"


def coded(ctx: Context, code: str = "t.kode_tps") -> str:
    """`code` (a TPS code of `rk_tps`) has 13 digits: the pattern, or `true` when prepare counted every code
    13 digits (`ctx.odd_codes` false: matching it again on every row would pass them all)."""
    return is_tps_code(code) if ctx.odd_codes else "true"


def term(ctx: Context, name: str) -> str:
    """A summand: the column if the input has it, 0 if the whole input lacks it."""
    return c(name) if name in ctx.columns else "0"


def equality(field: str, expected: str, detail: str = "''") -> Check:
    return Check(field=field, expected=expected, actual=c(field), violated=f"{c(field)} <> ({expected})", detail=detail)


def upper_bound(field: str, bound: str, detail: str = "''") -> Check:
    return Check(field=field, expected=bound, actual=c(field), violated=f"{c(field)} > ({bound})", detail=detail)


def decimal_sql(expr: str, digits: int, lang: str) -> str:
    """A DOUBLE expression as text with `digits` decimals and the language's decimal mark (58,5 in
    Indonesian, 58.5 in English): a measured value inside a finding message."""
    return f"replace(format('{{:.{digits}f}}', {expr}), '.', {literal(decimal_mark(lang))})"


def not_applicable(ctx: Context, *names: str) -> NotApplicable:
    miss = ", ".join(ctx.missing(*names)) or ", ".join(names)
    return NotApplicable(N_("kolom tidak ada: {columns}"), (("columns", miss),))
