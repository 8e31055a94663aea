"""SQL pieces the rule families share: a column of the TPS table, a summand, an equation, a bound, and
the reason a rule does not apply. Names come from the schema's allow-list only."""

from __future__ import annotations

from rekap.validate.registry import Check, Context, NotApplicable


def c(name: str) -> str:
    """Column reference on the TPS table; names come from the schema's allow-list only."""
    return f't."{name}"'


def term(ctx: Context, name: str) -> str:
    """A summand: the column if the input has it, 0 if the whole input lacks it."""
    return c(name) if name in ctx.columns else "0"


def equality(field: str, expected: str, detail: str = "''") -> Check:
    return Check(field=field, expected=expected, actual=c(field), violated=f"{c(field)} <> ({expected})", detail=detail)


def upper_bound(field: str, bound: str, detail: str = "''") -> Check:
    return Check(field=field, expected=bound, actual=c(field), violated=f"{c(field)} > ({bound})", detail=detail)



def not_applicable(ctx: Context, *names: str) -> NotApplicable:
    miss = ", ".join(ctx.missing(*names)) or ", ".join(names)
    return NotApplicable(f"kolom tidak ada: {miss}", f"columns absent: {miss}")
