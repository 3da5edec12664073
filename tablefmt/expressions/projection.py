"""Projecting row filters onto partition fields (Iceberg spec "Scan Planning"), with one
registry of per-transform projections: `identity` here, others registered later.

Inclusive: every row matching the filter has a partition tuple matching the projection.
Strict: every row whose partition tuple matches the projection matches the filter.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from tablefmt.expressions.bound import BoundExpression, BoundPredicate, transform_leaves
from tablefmt.expressions.rewrite import rewrite_not, simplify
from tablefmt.expressions.tree import AlwaysFalse, AlwaysTrue, And, Expression, Or
from tablefmt.types import NestedField


class PartitionFieldLike(Protocol):
    """A partition spec field: `transform` is Iceberg's string, e.g. "bucket[16]"."""

    @property
    def source_id(self) -> int: ...
    @property
    def field_id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def transform(self) -> str: ...


class TransformProjection(Protocol):
    """How one transform projects a predicate on its source column to its partition field.

    Either method may return None when it cannot project the predicate.
    """

    def inclusive(self, pred: BoundPredicate,
                  field: PartitionFieldLike) -> BoundExpression | None: ...

    def strict(self, pred: BoundPredicate,
               field: PartitionFieldLike) -> BoundExpression | None: ...


class IdentityProjection:
    """The partition value is the source value: the predicate carries over exactly."""

    def inclusive(self, pred: BoundPredicate, field: PartitionFieldLike) -> BoundExpression:
        return _on_partition_field(pred, field)

    def strict(self, pred: BoundPredicate, field: PartitionFieldLike) -> BoundExpression:
        return _on_partition_field(pred, field)


def _on_partition_field(pred: BoundPredicate, field: PartitionFieldLike) -> BoundPredicate:
    partition_field = NestedField(field.field_id, field.name, pred.field_type)
    return BoundPredicate(pred.op, partition_field, pred.literals, (field.name,))


_PROJECTIONS: dict[str, TransformProjection] = {"identity": IdentityProjection()}


def transform_name(transform: str) -> str:
    """The transform's name without its argument: "bucket[16]" -> "bucket"."""
    return transform.split("[", 1)[0].strip().lower()


def projection_for(transform: str) -> TransformProjection | None:
    """The registered projection for a transform string, or None (unknown transforms are
    ignored when filtering, as the spec requires of readers)."""
    return _PROJECTIONS.get(transform_name(transform))


def register_projection(name: str, projection: TransformProjection) -> None:
    """Register (or replace) the projection of transform `name` ("bucket", "day", ...)."""
    _PROJECTIONS[name.lower()] = projection


def project_inclusive(bound: BoundExpression,
                      partition_fields: Sequence[PartitionFieldLike]) -> BoundExpression:
    """A filter on partition fields implied by `bound`: a partition tuple failing it holds
    no matching row. Predicates without a projecting partition field become AlwaysTrue.

    Example:
        >>> from types import SimpleNamespace
        >>> from tablefmt.types import LONG, NestedField
        >>> from tablefmt.schema import Schema
        >>> from tablefmt.expressions.binding import bind
        >>> bound = bind("a = 1 AND b > 2", Schema((NestedField(1, "a", LONG),
        ...                                         NestedField(2, "b", LONG))))
        >>> pf = SimpleNamespace(source_id=1, field_id=1000, name="a", transform="identity")
        >>> print(project_inclusive(bound, [pf]))
        a = 1
    """
    def project(pred: BoundPredicate) -> Expression:
        parts = [p.inclusive(pred, f) for f, p in _projections(pred, partition_fields)]
        # Each projection is implied by the predicate, so all of them hold together.
        return _combine(And, [p for p in parts if p is not None], AlwaysTrue())

    return simplify(transform_leaves(rewrite_not(bound), project))


def project_strict(bound: BoundExpression,
                   partition_fields: Sequence[PartitionFieldLike]) -> BoundExpression:
    """A filter on partition fields that implies `bound`: every row of a partition tuple
    passing it matches. Predicates without a projecting partition field become AlwaysFalse.
    """
    def project(pred: BoundPredicate) -> Expression:
        parts = [p.strict(pred, f) for f, p in _projections(pred, partition_fields)]
        # Each projection implies the predicate, so any one of them is enough.
        return _combine(Or, [p for p in parts if p is not None], AlwaysFalse())

    return simplify(transform_leaves(rewrite_not(bound), project))


def _projections(pred: BoundPredicate, partition_fields: Sequence[PartitionFieldLike]
                 ) -> list[tuple[PartitionFieldLike, TransformProjection]]:
    found = []
    for field in partition_fields:
        if field.source_id == pred.field_id:
            projection = projection_for(field.transform)
            if projection is not None:
                found.append((field, projection))
    return found


def _combine(node: Callable[[Expression, Expression], Expression],
             parts: list[BoundExpression], empty: Expression) -> Expression:
    if not parts:
        return empty
    result = parts[0]
    for part in parts[1:]:
        result = node(result, part)
    return result
