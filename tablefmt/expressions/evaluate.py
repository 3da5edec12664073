"""Row-level evaluation of bound predicates on Python values (internal representation).

Same semantics as `arrow.py`: null satisfies only IS NULL and IS NOT NAN; NaN compares
unequal to everything (IEEE), so it satisfies `!=` and NOT IN but no ordering.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from tablefmt.expressions.bound import BoundExpression, BoundPredicate, fold
from tablefmt.expressions.literals import order_key
from tablefmt.expressions.tree import Op


def evaluate(expr: BoundExpression, values: Mapping[int, Any]) -> bool:
    """Whether a row, given as field id -> value (None = null), matches `expr`.

    A field id missing from `values` is treated as null.
    """
    return fold(expr, lambda pred: matches(pred, values.get(pred.field_id)))


def matches(pred: BoundPredicate, value: Any) -> bool:
    """Whether one value satisfies one predicate."""
    op = pred.op
    if op is Op.IS_NULL:
        return value is None
    if op is Op.NOT_NULL:
        return value is not None
    is_nan = isinstance(value, float) and math.isnan(value)
    if op is Op.IS_NAN:
        return is_nan
    if op is Op.NOT_NAN:
        return not is_nan
    if value is None:
        return False
    t = pred.field_type
    key = order_key(t, value)
    literals = tuple(order_key(t, v) for v in pred.literals)
    return _LEAF[op](key, literals)


def _starts_with(key: Any, literals: tuple[Any, ...]) -> bool:
    return isinstance(key, bytes) and key.startswith(literals[0])


_LEAF: dict[Op, Callable[[Any, tuple[Any, ...]], bool]] = {
    Op.EQ: lambda v, lits: bool(v == lits[0]),
    Op.NE: lambda v, lits: bool(v != lits[0]),
    Op.LT: lambda v, lits: bool(v < lits[0]),
    Op.LE: lambda v, lits: bool(v <= lits[0]),
    Op.GT: lambda v, lits: bool(v > lits[0]),
    Op.GE: lambda v, lits: bool(v >= lits[0]),
    Op.IN: lambda v, lits: any(v == lit for lit in lits),
    Op.NOT_IN: lambda v, lits: all(v != lit for lit in lits),
    Op.STARTS_WITH: _starts_with,
    Op.NOT_STARTS_WITH: lambda v, lits: not _starts_with(v, lits),
}
