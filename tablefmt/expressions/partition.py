"""Partition-level pruning: a file's partition tuple, a manifest's partition field
summaries (spec "Manifest Lists": `field_summary`), and per-file residual filters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pyarrow as pa

from tablefmt.errors import ValidationError
from tablefmt.expressions.bound import BoundExpression, BoundPredicate, fold, transform_leaves
from tablefmt.expressions.bounds import decode_bounds
from tablefmt.expressions.evaluate import matches
from tablefmt.expressions.fact_columns import (
    NO,
    UNKNOWN,
    FactColumns,
    fold_masks,
    might_match_many,
)
from tablefmt.expressions.facts import ColumnFacts, decode_bound, might_match
from tablefmt.expressions.literals import FLOATING, CoercionError, internal_value
from tablefmt.expressions.projection import (
    PartitionFieldLike,
    project_inclusive,
    project_strict,
)
from tablefmt.expressions.rewrite import rewrite_not, simplify
from tablefmt.expressions.tree import AlwaysFalse, AlwaysTrue, Expression
from tablefmt.types import IcebergType


class FieldSummaryLike(Protocol):
    """One partition field's summary in a manifest-list entry."""

    @property
    def contains_null(self) -> bool: ...
    @property
    def contains_nan(self) -> bool | None: ...
    @property
    def lower_bound(self) -> bytes | None: ...
    @property
    def upper_bound(self) -> bytes | None: ...


class PartitionEvaluator:
    """Evaluates a projected filter (`project_inclusive` or `project_strict`) exactly on a
    file's partition tuple.

    `eval` takes partition field id -> value in internal representation (None = null);
    with `partition_types`, readable values (dates, datetimes, UUID strings) are accepted
    too. A tuple lacking a projected field raises `ValidationError` rather than guessing,
    since a guess would be wrong for one of the two projections.
    """

    def __init__(self, projected: BoundExpression,
                 partition_types: Mapping[int, IcebergType] | None = None) -> None:
        self.expr = rewrite_not(projected)
        self.types = dict(partition_types or {})

    def matches(self, partition_values: Mapping[int, Any]) -> bool:
        def leaf(pred: BoundPredicate) -> bool:
            if pred.field_id not in partition_values:
                raise ValidationError(f"Partition tuple {dict(partition_values)} has no value "
                                      f"for partition field {pred.field_id} ({pred.name})")
            t = self.types.get(pred.field_id, pred.field_type)
            try:
                value = internal_value(t, partition_values[pred.field_id])
            except CoercionError as exc:
                raise ValidationError(f"Partition value of {pred.name} does not fit {t}: "
                                      f"{exc}") from None
            return matches(pred, value)

        return fold(self.expr, leaf)


@dataclass(frozen=True, slots=True)
class FieldSummaryColumns:
    """One partition field's summaries in n manifests: `present` is False for a manifest
    without a summary at this position; `contains_nan` is an int8 tri-state."""

    present: np.ndarray
    contains_null: np.ndarray
    contains_nan: np.ndarray
    lower_bound: pa.Array  # serialized, null when absent
    upper_bound: pa.Array


class SummaryColumns(Protocol):
    """The partition field summaries of n manifests, by position in their spec, and what
    they prove: `field_facts` is `summary_fact_columns(t, field_summaries(position))`,
    which an implementation may keep."""

    def __len__(self) -> int: ...
    def field_summaries(self, position: int) -> FieldSummaryColumns: ...
    def field_facts(self, position: int, t: IcebergType) -> FactColumns: ...


def _decided(expr: BoundExpression, values: Mapping[int, Any]) -> bool | None:
    """`expr` on the tuple, or None when the tuple cannot decide it."""
    try:
        return PartitionEvaluator(expr).matches(values)
    except (ValidationError, TypeError):
        return None


class ManifestEvaluator:
    """Decides whether a manifest *might* hold a file matching a projected filter, from
    its partition field summaries (one per partition field, in spec order).

    `partition_fields` lists the spec's fields in order, as `(field_id, result_type)`
    pairs or as partition-field objects (then the projected predicates give the types).
    """

    def __init__(self, projected: BoundExpression,
                 partition_fields: Sequence[tuple[int, IcebergType] | PartitionFieldLike]
                 ) -> None:
        self.expr = rewrite_not(projected)
        self.positions: dict[int, tuple[int, IcebergType | None]] = {}
        for i, f in enumerate(partition_fields):
            if isinstance(f, tuple):
                self.positions[f[0]] = (i, f[1])
            else:
                self.positions[f.field_id] = (i, None)

    def can_match(self, summaries: Sequence[FieldSummaryLike] | None) -> bool:
        def leaf(pred: BoundPredicate) -> bool:
            i, t = self.positions.get(pred.field_id, (-1, None))
            if summaries is None or not 0 <= i < len(summaries):
                return True
            return might_match(pred, summary_facts(t or pred.field_type, summaries[i]))

        return fold(self.expr, leaf)

    def can_match_many(self, manifests: SummaryColumns) -> np.ndarray:
        """`can_match` of n manifests at once, as a boolean array."""
        def leaf(pred: BoundPredicate) -> np.ndarray:
            i, t = self.positions.get(pred.field_id, (-1, None))
            if i < 0:
                return np.ones(len(manifests), bool)
            return might_match_many(pred, manifests.field_facts(i, t or pred.field_type))

        return fold_masks(self.expr, leaf, len(manifests))


def summary_facts(t: IcebergType, summary: FieldSummaryLike) -> ColumnFacts:
    """What a partition field summary proves. Per the spec, the bounds are null exactly
    when every value is null or NaN."""
    no_bounds = summary.lower_bound is None and summary.upper_bound is None
    return ColumnFacts(
        has_null=bool(summary.contains_null),
        has_nan=summary.contains_nan if t in FLOATING else False,
        has_value=False if no_bounds else None,
        lower=decode_bound(t, summary.lower_bound),
        upper=decode_bound(t, summary.upper_bound),
    )


def summary_fact_columns(t: IcebergType, s: FieldSummaryColumns) -> FactColumns:
    """`summary_facts` of n manifests; a missing summary proves nothing."""
    no_bounds = s.present & s.lower_bound.is_null().to_numpy(zero_copy_only=False) \
        & s.upper_bound.is_null().to_numpy(zero_copy_only=False)
    unknown = np.int8(UNKNOWN)
    has_nan = s.contains_nan if t in FLOATING else np.full(len(s.present), NO, np.int8)
    return FactColumns(
        has_null=np.where(s.present, s.contains_null.astype(np.int8), unknown),
        has_nan=np.where(s.present, has_nan, unknown),
        has_value=np.where(no_bounds, np.int8(NO), unknown),
        lower=decode_bounds(t, s.lower_bound),
        upper=decode_bounds(t, s.upper_bound),
    )


def residual_for(bound: BoundExpression, partition_fields: Sequence[PartitionFieldLike],
                 partition_values: Mapping[int, Any]) -> BoundExpression:
    """The part of `bound` left to apply to the rows of a file with this partition tuple.

    A predicate that the tuple decides (through a strict or inclusive projection, e.g. on
    an identity-partitioned column) becomes AlwaysTrue or AlwaysFalse; the rest remain.

    Example:
        >>> from types import SimpleNamespace
        >>> from tablefmt.types import LONG, NestedField
        >>> from tablefmt.schema import Schema
        >>> from tablefmt.expressions.binding import bind
        >>> bound = bind("a = 1 AND b > 2", Schema((NestedField(1, "a", LONG),
        ...                                         NestedField(2, "b", LONG))))
        >>> pf = SimpleNamespace(source_id=1, field_id=1000, name="a", transform="identity")
        >>> print(residual_for(bound, [pf], {1000: 1}))
        b > 2
        >>> print(residual_for(bound, [pf], {1000: 7}))
        FALSE
    """
    def leaf(pred: BoundPredicate) -> Expression:
        strict = project_strict(pred, partition_fields)
        if not isinstance(strict, AlwaysFalse) and _decided(strict, partition_values):
            return AlwaysTrue()
        if _decided(project_inclusive(pred, partition_fields), partition_values) is False:
            return AlwaysFalse()
        return pred

    return simplify(transform_leaves(rewrite_not(bound), leaf))
