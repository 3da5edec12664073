"""`ColumnFacts` of many files (or manifests) at once, and `might_match` over all of them
in a few Arrow/numpy operations: the vectorized form of `facts.py`, with the same answers
(the property tests compare the two)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tablefmt.errors import FilterError
from tablefmt.expressions.bound import BoundExpression, BoundPredicate
from tablefmt.expressions.bounds import key_scalar
from tablefmt.expressions.tree import AlwaysFalse, AlwaysTrue, And, Op, Or

# Tri-state facts: proven false, proven true, or unknown (ColumnFacts' None).
NO, YES, UNKNOWN = 0, 1, -1


def tri(known: np.ndarray, value: np.ndarray) -> np.ndarray:
    """An int8 tri-state array: `value` where `known`, else UNKNOWN."""
    out: np.ndarray = np.where(known, value.astype(np.int8), np.int8(UNKNOWN)).astype(np.int8)
    return out


@dataclass(frozen=True, slots=True)
class FactColumns:
    """One column's facts for n files: int8 tri-states, and bounds as Arrow arrays of order
    keys (`bounds.order_key_type`), null where unknown."""

    has_null: np.ndarray
    has_nan: np.ndarray
    has_value: np.ndarray
    lower: pa.Array
    upper: pa.Array


def fold_masks(expr: BoundExpression, leaf: Callable[[BoundPredicate], np.ndarray],
               n: int) -> np.ndarray:
    """`bound.fold` for n rows at once: And/Or become elementwise &/|."""
    if isinstance(expr, BoundPredicate):
        return leaf(expr)
    if isinstance(expr, And | Or):
        left, right = fold_masks(expr.left, leaf, n), fold_masks(expr.right, leaf, n)
        both: np.ndarray = left & right if isinstance(expr, And) else left | right
        return both
    if isinstance(expr, AlwaysTrue | AlwaysFalse):
        return np.full(n, isinstance(expr, AlwaysTrue))
    raise FilterError(f"Expected a NOT-free bound expression, got {expr!r}")


def might_match_many(pred: BoundPredicate, f: FactColumns) -> np.ndarray:
    """`facts.might_match` of each file: False only where no value can satisfy `pred`."""
    return np.asarray(_might_match(pred, f), dtype=bool)


def _might_match(pred: BoundPredicate, f: FactColumns) -> Any:
    op = pred.op
    if op is Op.IS_NULL:
        return f.has_null != NO
    if op is Op.NOT_NULL:
        return ~((f.has_value == NO) & (f.has_nan == NO))
    if op is Op.IS_NAN:
        return f.has_nan != NO
    if op is Op.NOT_NAN:
        return ~((f.has_value == NO) & (f.has_null == NO))
    lits = [key_scalar(pred.field_type, v) for v in pred.literals]
    if op in (Op.NE, Op.NOT_IN):
        # Every non-null value equals lower == upper: a listed value cannot match.
        single = _true(pc.equal(f.lower, f.upper)) & _any(
            [_true(pc.equal(f.lower, lit)) for lit in lits], len(f.lower))
        return np.where(f.has_nan != NO, True, np.where(f.has_value == NO, False, ~single))
    some_value = f.has_value != NO  # only nulls and NaNs satisfy no comparison or LIKE
    if op is Op.NOT_STARTS_WITH:
        prefix = lits[0]
        return some_value & ~(_true(_starts(f.lower, prefix)) & _true(_starts(f.upper, prefix)))
    if op is Op.STARTS_WITH:
        prefix, n = lits[0], len(lits[0].as_py())
        low = pc.less_equal(pc.binary_slice(f.lower, 0, n), prefix)
        high = pc.greater_equal(pc.binary_slice(f.upper, 0, n), prefix)
        return some_value & _maybe(low) & _maybe(high)
    return some_value & _any([_in_range(op, lit, f.lower, f.upper) for lit in lits],
                             len(f.lower))


def _in_range(op: Op, lit: pa.Scalar, lo: pa.Array, hi: pa.Array) -> Any:
    """Whether some v in [lo, hi] (null: unbounded) can satisfy `v op lit`."""
    if op is Op.LT:
        return _maybe(pc.less(lo, lit))
    if op is Op.LE:
        return _maybe(pc.less_equal(lo, lit))
    if op is Op.GT:
        return _maybe(pc.greater(hi, lit))
    if op is Op.GE:
        return _maybe(pc.greater_equal(hi, lit))
    return _maybe(pc.less_equal(lo, lit)) & _maybe(pc.greater_equal(hi, lit))  # EQ, IN


def _starts(keys: pa.Array, prefix: pa.Scalar) -> pa.Array:
    return pc.equal(pc.binary_slice(keys, 0, len(prefix.as_py())), prefix)


def _true(result: Any) -> np.ndarray:
    """Null (an unknown bound) counts as false."""
    out: np.ndarray = result.fill_null(False).to_numpy(zero_copy_only=False)
    return out


def _maybe(result: Any) -> np.ndarray:
    """Null (an unknown bound) counts as true: the bound does not exclude anything."""
    out: np.ndarray = result.fill_null(True).to_numpy(zero_copy_only=False)
    return out


def _any(masks: list[np.ndarray], n: int) -> np.ndarray:
    out = np.zeros(n, bool)
    for mask in masks:
        out |= mask
    return out
