"""What column statistics prove about a column, and what that proves about a predicate.

Shared by the data-file metrics evaluators and the manifest evaluator (Iceberg spec
"Scan Planning"). Every "unknown" answers "might match" and never "must match".
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from typing import Any

from tablefmt.expressions.bound import BoundPredicate
from tablefmt.expressions.literals import order_key
from tablefmt.expressions.tree import Op
from tablefmt.metadata.conversions import from_bytes
from tablefmt.types import IcebergType


@dataclass(frozen=True, slots=True)
class ColumnFacts:
    """Proven facts about one column's values; None means unknown.

    `lower`/`upper` bound the non-null, non-NaN values (in `order_key` form); they may be
    loose (truncated string bounds) but never wrong.
    """

    has_null: bool | None
    has_nan: bool | None
    has_value: bool | None  # some value that is neither null nor NaN
    lower: Any = None
    upper: Any = None


def decode_bound(t: IcebergType, data: bytes | None) -> Any:
    """A serialized bound as an `order_key`, or None when absent, unreadable or NaN."""
    if data is None:
        return None
    try:
        value = from_bytes(t, data)
    except (ValueError, TypeError, struct.error):
        return None
    if isinstance(value, float) and math.isnan(value):
        return None  # a NaN bound says nothing (some writers put NaN in float bounds)
    return order_key(t, value)


def might_match(pred: BoundPredicate, facts: ColumnFacts) -> bool:
    """False only if no value described by `facts` can satisfy `pred`."""
    try:
        return _might_match(pred, facts)
    except TypeError:  # a bound of an unexpected type: cannot tell
        return True


def must_match(pred: BoundPredicate, facts: ColumnFacts) -> bool:
    """True only if every value described by `facts` satisfies `pred`."""
    try:
        return _must_match(pred, facts)
    except TypeError:
        return False


def _literals(pred: BoundPredicate) -> tuple[Any, ...]:
    return tuple(order_key(pred.field_type, v) for v in pred.literals)


def _might_match(pred: BoundPredicate, f: ColumnFacts) -> bool:
    op = pred.op
    if op is Op.IS_NULL:
        return f.has_null is not False
    if op is Op.NOT_NULL:
        return not (f.has_value is False and f.has_nan is False)
    if op is Op.IS_NAN:
        return f.has_nan is not False
    if op is Op.NOT_NAN:
        return not (f.has_value is False and f.has_null is False)
    lits = _literals(pred)
    if op in (Op.NE, Op.NOT_IN):
        if f.has_nan is not False:
            return True  # NaN != x holds
        if f.has_value is False:
            return False
        # Every non-null value equals lower == upper: a listed value cannot match.
        return not (f.lower is not None and f.lower == f.upper
                    and any(f.lower == lit for lit in lits))
    if f.has_value is False:
        return False  # only nulls and NaNs, which satisfy no comparison or LIKE
    lo, hi = f.lower, f.upper
    if op is Op.NOT_STARTS_WITH:
        prefix = lits[0]
        return not (lo is not None and hi is not None
                    and lo.startswith(prefix) and hi.startswith(prefix))
    if op is Op.STARTS_WITH:
        prefix = lits[0]
        return ((lo is None or lo[:len(prefix)] <= prefix)
                and (hi is None or hi[:len(prefix)] >= prefix))
    return any(_in_range(op, lit, lo, hi) for lit in lits)


def _in_range(op: Op, lit: Any, lo: Any, hi: Any) -> bool:
    """Whether some v in [lo, hi] (None: unbounded) can satisfy `v op lit`."""
    if op is Op.LT:
        return lo is None or lo < lit
    if op is Op.LE:
        return lo is None or lo <= lit
    if op is Op.GT:
        return hi is None or hi > lit
    if op is Op.GE:
        return hi is None or hi >= lit
    # EQ and each value of IN
    return (lo is None or lo <= lit) and (hi is None or lit <= hi)


def _must_match(pred: BoundPredicate, f: ColumnFacts) -> bool:
    op = pred.op
    if op is Op.IS_NULL:
        return f.has_value is False and f.has_nan is False
    if op is Op.NOT_NULL:
        return f.has_null is False
    if op is Op.IS_NAN:
        return f.has_value is False and f.has_null is False
    if op is Op.NOT_NAN:
        return f.has_nan is False
    if f.has_null is not False:
        return False  # a null row satisfies no comparison, IN, NOT IN or LIKE
    lits = _literals(pred)
    lo, hi = f.lower, f.upper
    if op in (Op.NE, Op.NOT_IN):
        if f.has_value is False:
            return True  # only NaNs: NaN != x holds for every x
        return all((lo is not None and lit < lo) or (hi is not None and lit > hi)
                   for lit in lits)
    if f.has_nan is not False or lo is None or hi is None:
        return False
    if op is Op.STARTS_WITH:
        return bool(lo.startswith(lits[0]) and hi.startswith(lits[0]))
    if op is Op.NOT_STARTS_WITH:
        n = len(lits[0])
        return bool(lo[:n] > lits[0] or hi[:n] < lits[0])
    if op is Op.LT:
        return bool(hi < lits[0])
    if op is Op.LE:
        return bool(hi <= lits[0])
    if op is Op.GT:
        return bool(lo > lits[0])
    if op is Op.GE:
        return bool(lo >= lits[0])
    # EQ, IN: every value lies in [lo, hi] = {lo}
    return bool(lo == hi and any(lo == lit for lit in lits))
