"""Operator rules for projecting a predicate through an order-preserving transform
(Iceberg spec "Scan Planning"; Java's `ProjectionUtil`): range bounds, string prefixes,
and the fix-ups for partition values old Java writers computed wrongly before 1970.

Each rule returns `(operator, partition literals)`, AlwaysFalse, or None (no projection).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

from tablefmt.expressions.bound import BoundPredicate
from tablefmt.expressions.tree import AlwaysFalse, Op

if TYPE_CHECKING:
    from tablefmt.transforms.projection import Target

#: A projection before it becomes a predicate: an operator and partition-value literals.
Bounds: TypeAlias = tuple[Op, tuple[Any, ...]]


# -- ordered transforms: Java's truncateLong / truncateLongStrict ------------------------

def inclusive_bounds(target: Target, pred: BoundPredicate) -> Bounds | AlwaysFalse | None:
    """`a < v` becomes `p <= f(v - 1)`, `a > v` becomes `p >= f(v + 1)`, and so on."""
    op, values = pred.op, pred.literals
    if op in (Op.EQ, Op.LE, Op.GE, Op.IN):
        return op, target.apply(values)
    if op in (Op.LT, Op.GT):
        closed = target.neighbor(values[0], -1 if op is Op.LT else 1)
        if closed is None:
            return AlwaysFalse()  # `a < MIN` or `a > MAX`: no row matches
        return (Op.LE if op is Op.LT else Op.GE), target.apply((closed,))
    return None


def strict_bounds(target: Target, pred: BoundPredicate) -> Bounds | None:
    """`a <= v` becomes `p < f(v + 1)`, `a >= v` becomes `p > f(v - 1)`, and so on;
    `=` and IN have none, since neighbouring values share a partition."""
    op, values = pred.op, pred.literals
    if op in (Op.LT, Op.GT, Op.NE, Op.NOT_IN):
        return op, target.apply(values)
    if op in (Op.LE, Op.GE):
        opened = target.neighbor(values[0], 1 if op is Op.LE else -1)
        if opened is None:
            return Op.NOT_NULL, ()  # `a <= MAX` or `a >= MIN`: every non-null row
        return (Op.LT if op is Op.LE else Op.GT), target.apply((opened,))
    return None


# -- strings and binary: Java's truncateArray / truncateArrayStrict and prefixes ----------

def text_inclusive(target: Target, pred: BoundPredicate) -> Bounds | None:
    op, values = pred.op, pred.literals
    if op in (Op.EQ, Op.IN, Op.STARTS_WITH):
        return op, target.apply(values)
    if op in (Op.LT, Op.LE, Op.GT, Op.GE):
        return (Op.LE if op in (Op.LT, Op.LE) else Op.GE), target.apply(values)
    if op is Op.NOT_STARTS_WITH:
        # A partition value is a prefix of its rows, so it decides prefixes of <= W.
        shorter = _prefix_vs_width(target, values[0])
        if shorter < 0:
            return op, values
        return (Op.NE, values) if shorter == 0 else None
    return None


def text_strict(target: Target, pred: BoundPredicate) -> Bounds | None:
    op, values = pred.op, pred.literals
    if op in (Op.LT, Op.LE, Op.GT, Op.GE):
        return (Op.LT if op in (Op.LT, Op.LE) else Op.GT), target.apply(values)
    if op in (Op.NE, Op.NOT_IN):
        return op, target.apply(values)
    if op in (Op.STARTS_WITH, Op.NOT_STARTS_WITH):
        shorter = _prefix_vs_width(target, values[0])
        if shorter < 0:
            return op, values
        if shorter == 0:
            return (Op.EQ if op is Op.STARTS_WITH else Op.NE), values
        # Rows starting with the prefix all share the partition value `truncate(prefix)`.
        return (op, target.apply(values)) if op is Op.NOT_STARTS_WITH else None
    return None


def _prefix_vs_width(target: Target, prefix: str | bytes) -> int:
    """-1, 0 or 1 as the prefix is shorter than, as long as, or longer than W (code
    points for strings, bytes for binary)."""
    width = getattr(target.transform, "width", 0)
    return (len(prefix) > width) - (len(prefix) < width)


# -- pre-1970 fix-ups (Java ProjectionUtil, for files of Iceberg Java 0.10.0 and earlier) --

def fix_inclusive(op: Op, values: tuple[Any, ...]) -> Bounds:
    """Also admit each negative period's (wrong) successor."""
    if op in (Op.LT, Op.LE) and values[0] < 0:
        return op, (values[0] + 1,)
    if op is Op.EQ and values[0] < 0:
        return Op.IN, (values[0], values[0] + 1)
    if op is Op.IN:
        return op, _with_successors(values)
    return op, values


def fix_strict(op: Op, values: tuple[Any, ...]) -> Bounds:
    """Also exclude each negative period's (wrong) successor."""
    if op in (Op.GT, Op.GE) and values[0] <= 0:
        return op, (values[0] + 1,)
    if op is Op.NE and values[0] < 0:
        return Op.NOT_IN, (values[0], values[0] + 1)
    if op is Op.NOT_IN:
        return op, _with_successors(values)
    return op, values


def _with_successors(values: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(dict.fromkeys(
        v for value in values for v in ((value, value + 1) if value < 0 else (value,))))
