"""Where Java's int/long arithmetic makes `truncate[W]` wrap (Iceberg spec "Truncate
Transform Details": `v - (((v % W) + W) % W)`), and how projections stay sound there.

Near the type's minimum, `v - r` falls below it and wraps to the top: under truncate[10]
the ints -2147483648 and -2147483647 are filed in partition 2147483646. tablefmt writes
what Java writes, so projections compute their literals exactly (unwrapped), and treat
that one partition apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from tablefmt import types as T
from tablefmt.expressions.bound import BoundExpression, BoundPredicate
from tablefmt.expressions.evaluate import matches
from tablefmt.expressions.partition import PartitionEvaluator
from tablefmt.expressions.tree import AlwaysFalse, And, Op, Or
from tablefmt.transforms.rules import Bounds
from tablefmt.types import IcebergType


@dataclass(frozen=True, slots=True)
class WrapZone:
    """Source values `first..last` (the lowest of the type) all land in `partition`."""

    first: int
    last: int
    partition: int

    def some_and_all_match(self, pred: BoundPredicate) -> tuple[bool, bool]:
        """Whether some, and whether all, values of the zone satisfy `pred`."""
        op, first, last = pred.op, self.first, self.last
        if op in (Op.LT, Op.LE, Op.GT, Op.GE):  # monotone: the ends decide
            ends = matches(pred, first), matches(pred, last)
            return any(ends), all(ends)
        inside = {v for v in pred.literals if first <= v <= last}
        whole = len(inside) == last - first + 1
        if op in (Op.EQ, Op.IN):
            return bool(inside), whole
        if op in (Op.NE, Op.NOT_IN):
            return not whole, not inside
        return op is Op.NOT_NULL, op is Op.NOT_NULL


_BITS: dict[IcebergType, int] = {T.INT: 32, T.LONG: 64}


def wrap_zone(source_type: IcebergType, width: int) -> WrapZone | None:
    """The values whose truncation wraps, or None (W divides the minimum, or no ints)."""
    bits = _BITS.get(source_type)
    if bits is None:
        return None
    low = -(2 ** (bits - 1))
    remainder = low % width
    if remainder == 0:
        return None
    return WrapZone(low, low + width - remainder - 1, low - remainder + 2**bits)


def clamp(bounds: Bounds | AlwaysFalse | None, low: int) -> Bounds | AlwaysFalse | None:
    """Bounds computed with exact (unwrapped) truncations, some of which may fall below
    the type's minimum `low`, restated against the partitions that exist: apart from the
    wrapped one, none lies below `low`."""
    if not isinstance(bounds, tuple) or all(v >= low for v in bounds[1]):
        return bounds
    op, values = bounds
    kept = tuple(v for v in values if v >= low)
    if op in (Op.EQ, Op.LT, Op.LE) or (op is Op.IN and not kept):
        return AlwaysFalse()
    if op in (Op.GT, Op.GE, Op.NE) or (op is Op.NOT_IN and not kept):
        return Op.NOT_NULL, ()
    return op, kept


def guard_inclusive(projected: BoundExpression | None, pred: BoundPredicate,
                    zone: WrapZone, partition: BoundPredicate) -> BoundExpression | None:
    """`projected`, also admitting the wrapped partition when a zone value may match.
    `partition` is `p = <wrapped partition>`."""
    if projected is None or not zone.some_and_all_match(pred)[0] \
            or _accepts(projected, zone.partition, partition):
        return projected
    return partition if isinstance(projected, AlwaysFalse) else Or(projected, partition)


def guard_strict(projected: BoundExpression | None, pred: BoundPredicate,
                 zone: WrapZone, not_partition: BoundPredicate) -> BoundExpression | None:
    """`projected`, refusing the wrapped partition unless every zone value matches.
    `not_partition` is `p != <wrapped partition>`."""
    if projected is None or zone.some_and_all_match(pred)[1] \
            or not _accepts(projected, zone.partition, not_partition):
        return projected
    return And(projected, not_partition)


def _accepts(projected: BoundExpression, value: int, on_field: BoundPredicate) -> bool:
    return PartitionEvaluator(projected).matches({on_field.field_id: value})
