"""Projections of row filters onto bucket, truncate, year/month/day/hour and void
partition fields (Iceberg spec "Scan Planning"), following Java's `ProjectionUtil`.

Inclusive: every row matching the predicate has a partition value matching the
projection (None: nothing can be said, AlwaysTrue). Strict: every row whose partition
value matches the projection matches the predicate (None: AlwaysFalse).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tablefmt import types as T
from tablefmt.errors import ValidationError
from tablefmt.expressions.bound import BoundExpression, BoundPredicate
from tablefmt.expressions.projection import PartitionFieldLike, register_projection
from tablefmt.expressions.tree import SET_OPS, AlwaysFalse, Op
from tablefmt.metadata.conversions import decimal_unscaled
from tablefmt.transforms import rules, wrap
from tablefmt.transforms.base import Transform
from tablefmt.transforms.parse import parse_transform
from tablefmt.transforms.temporal import DayTransform
from tablefmt.transforms.truncate import TruncateTransform
from tablefmt.types import IcebergType, NestedField

_NULL_OPS = frozenset({Op.IS_NULL, Op.NOT_NULL})
_RANGES: dict[IcebergType, tuple[int, int]] = {
    T.INT: (-(2**31), 2**31 - 1), T.DATE: (-(2**31), 2**31 - 1),
    T.LONG: (-(2**63), 2**63 - 1), T.TIME: (-(2**63), 2**63 - 1),
    T.TIMESTAMP: (-(2**63), 2**63 - 1), T.TIMESTAMPTZ: (-(2**63), 2**63 - 1),
}


@dataclass(frozen=True, slots=True)
class Target:
    """A partition field, its transform, and the type of the column it reads."""

    field: PartitionFieldLike
    transform: Transform
    source_type: IcebergType
    #: Truncate ints to this width exactly, without Java's wrap (see `wrap.py`); 0: no.
    exact_width: int = 0

    def apply(self, values: tuple[Any, ...]) -> tuple[Any, ...]:
        """The partition values of source values (a filter's literals)."""
        if self.exact_width:
            return tuple(v - v % self.exact_width for v in values)
        return tuple(self.transform.apply_values(list(values), self.source_type))

    def predicate(self, op: Op, literals: tuple[Any, ...] = ()) -> BoundPredicate:
        """`op` on the partition field; sets are deduplicated, one-element sets become
        `=` / `!=` as binding makes them."""
        if op in SET_OPS:
            literals = tuple(dict.fromkeys(literals))
            if len(literals) == 1:
                op = Op.EQ if op is Op.IN else Op.NE
        result = NestedField(self.field.field_id, self.field.name,
                             self.transform.result_type(self.source_type))
        return BoundPredicate(op, result, literals, (self.field.name,))

    def neighbor(self, value: Any, delta: int) -> Any:
        """The source value one unit (1, a day, a microsecond, 10^-scale) away, or None
        past the type's range."""
        if isinstance(self.source_type, T.DecimalType):
            scale = self.source_type.scale
            moved = value + Decimal(delta).scaleb(-scale)
            return moved if abs(decimal_unscaled(moved, scale)) < 10**38 else None
        low, high = _RANGES[self.source_type]
        return value + delta if low <= value + delta <= high else None


class _Projection:
    """The steps every transform shares: find the field's transform, carry IS [NOT] NULL
    over (these transforms map null, and only null, to null), then its own rules."""

    def inclusive(self, pred: BoundPredicate,
                  field: PartitionFieldLike) -> BoundExpression | None:
        target = _target(pred, field)
        if target is None:
            return None
        if pred.op in _NULL_OPS:
            return target.predicate(pred.op)
        return self.project_inclusive(target, pred)

    def strict(self, pred: BoundPredicate,
               field: PartitionFieldLike) -> BoundExpression | None:
        target = _target(pred, field)
        if target is None:
            return None
        if pred.op in _NULL_OPS:
            return target.predicate(pred.op)
        return self.project_strict(target, pred)

    def project_inclusive(self, target: Target,
                          pred: BoundPredicate) -> BoundExpression | None:
        raise NotImplementedError

    def project_strict(self, target: Target, pred: BoundPredicate) -> BoundExpression | None:
        raise NotImplementedError


def _target(pred: BoundPredicate, field: PartitionFieldLike) -> Target | None:
    try:
        transform = parse_transform(field.transform)
    except ValidationError:
        return None  # e.g. "bucket[0]": readers ignore what they cannot evaluate
    if not transform.can_transform(pred.field_type):
        return None
    exact_width = 0
    if isinstance(transform, TruncateTransform) and \
            wrap.wrap_zone(pred.field_type, transform.width) is not None:
        exact_width = transform.width
    return Target(field, transform, pred.field_type, exact_width)


class BucketProjection(_Projection):
    """Hashes keep only equality: `=`/IN project inclusively, `!=`/NOT IN strictly."""

    def project_inclusive(self, target: Target, pred: BoundPredicate) -> BoundExpression | None:
        if pred.op in (Op.EQ, Op.IN):
            return target.predicate(pred.op, target.apply(pred.literals))
        return None

    def project_strict(self, target: Target, pred: BoundPredicate) -> BoundExpression | None:
        if pred.op in (Op.NE, Op.NOT_IN):
            return target.predicate(pred.op, target.apply(pred.literals))
        return None


class TruncateProjection(_Projection):
    """Truncation keeps order: ranges project with their bounds adjusted, and prefixes
    project by their length relative to W. Ints and longs also mind the one partition
    Java's arithmetic wraps to (see `wrap.py`)."""

    def project_inclusive(self, target: Target, pred: BoundPredicate) -> BoundExpression | None:
        if target.source_type in (T.STRING, T.BINARY):
            return _build(target, rules.text_inclusive(target, pred))
        zone = _wrap_zone(target)
        if zone is None:
            return _build(target, rules.inclusive_bounds(target, pred))
        projected = _build(target, wrap.clamp(rules.inclusive_bounds(target, pred), zone.first))
        return wrap.guard_inclusive(projected, pred, zone,
                                    target.predicate(Op.EQ, (zone.partition,)))

    def project_strict(self, target: Target, pred: BoundPredicate) -> BoundExpression | None:
        if target.source_type in (T.STRING, T.BINARY):
            return _build(target, rules.text_strict(target, pred))
        zone = _wrap_zone(target)
        if zone is None:
            return _build(target, rules.strict_bounds(target, pred))
        projected = _build(target, wrap.clamp(rules.strict_bounds(target, pred), zone.first))
        return wrap.guard_strict(projected, pred, zone,
                                 target.predicate(Op.NE, (zone.partition,)))


def _wrap_zone(target: Target) -> wrap.WrapZone | None:
    return wrap.wrap_zone(target.source_type, target.exact_width) \
        if target.exact_width else None


class TimeProjection(_Projection):
    """Periods keep order: ranges project as for truncate, then widen (inclusive) or
    narrow (strict) for partition values old Java writers computed one too large before
    1970 (Java's `fixInclusiveTimeProjection` / `fixStrictTimeProjection`)."""

    def project_inclusive(self, target: Target, pred: BoundPredicate) -> BoundExpression | None:
        bounds = rules.inclusive_bounds(target, pred)
        if isinstance(bounds, tuple) and _had_pre_epoch_bug(target):
            bounds = rules.fix_inclusive(*bounds)
        return _build(target, bounds)

    def project_strict(self, target: Target, pred: BoundPredicate) -> BoundExpression | None:
        bounds = rules.strict_bounds(target, pred)
        if bounds is not None and _had_pre_epoch_bug(target):
            bounds = rules.fix_strict(*bounds)
        return _build(target, bounds)


class VoidProjection:
    """A void partition value is always null: it says nothing about any row."""

    def inclusive(self, pred: BoundPredicate, field: PartitionFieldLike) -> None:
        return None

    def strict(self, pred: BoundPredicate, field: PartitionFieldLike) -> None:
        return None


def _build(target: Target, bounds: rules.Bounds | AlwaysFalse | None
           ) -> BoundExpression | None:
    if bounds is None or isinstance(bounds, AlwaysFalse):
        return bounds
    return target.predicate(*bounds)


def _had_pre_epoch_bug(target: Target) -> bool:
    # Old writers truncated toward zero; `day` of a date never divided, so it was right.
    return not (isinstance(target.transform, DayTransform) and target.source_type == T.DATE)


def register_projections() -> None:
    """Register these projections with `tablefmt.expressions` (identity is built in)."""
    ordered = TimeProjection()
    for name, projection in (("bucket", BucketProjection()), ("truncate", TruncateProjection()),
                             ("year", ordered), ("month", ordered), ("day", ordered),
                             ("hour", ordered), ("void", VoidProjection())):
        register_projection(name, projection)
