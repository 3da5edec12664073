"""Data-file pruning from column metrics (Iceberg spec "Scan Planning", manifest
`data_file` value/null/NaN counts and lower/upper bounds)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import numpy as np
import pyarrow as pa

from tablefmt.expressions.bound import BoundExpression, BoundPredicate, fold
from tablefmt.expressions.fact_columns import (
    NO,
    UNKNOWN,
    YES,
    FactColumns,
    fold_masks,
    might_match_many,
    tri,
)
from tablefmt.expressions.facts import ColumnFacts, decode_bound, might_match, must_match
from tablefmt.expressions.literals import FLOATING
from tablefmt.expressions.rewrite import rewrite_not
from tablefmt.types import IcebergType


class FileStats(Protocol):
    """The metrics of one data file, keyed by field id (a `DataFile` satisfies this)."""

    @property
    def record_count(self) -> int: ...
    @property
    def value_counts(self) -> Mapping[int, int] | None: ...
    @property
    def null_value_counts(self) -> Mapping[int, int] | None: ...
    @property
    def nan_value_counts(self) -> Mapping[int, int] | None: ...
    @property
    def lower_bounds(self) -> Mapping[int, bytes] | None: ...
    @property
    def upper_bounds(self) -> Mapping[int, bytes] | None: ...


class MetricColumns(Protocol):
    """The metrics of n data files as arrays (a manifest's columnar form satisfies this).

    `counts` gives a count map's value for one field id in each file, and which files have
    it; `bounds` gives `lower_bounds`/`upper_bounds` decoded as order keys
    (`bounds.decode_bounds`), null where absent or unreadable; `facts` is
    `file_fact_columns(field_id, t, self)`, which an implementation may keep.
    """

    @property
    def record_count(self) -> np.ndarray: ...
    def counts(self, name: str, field_id: int) -> tuple[np.ndarray, np.ndarray]: ...
    def bounds(self, name: str, field_id: int, t: IcebergType) -> pa.Array: ...
    def facts(self, field_id: int, t: IcebergType) -> FactColumns: ...


class InclusiveMetricsEvaluator:
    """Decides whether a data file *might* hold a row matching the filter.

    `can_match` returns False only when the metrics prove no row matches; missing or
    unreadable metrics, NaN bounds and truncated string bounds all keep the file.

    Example:
        >>> from types import SimpleNamespace
        >>> from tablefmt.types import LONG, NestedField
        >>> from tablefmt.schema import Schema
        >>> from tablefmt.expressions.binding import bind
        >>> from tablefmt.metadata.conversions import to_bytes
        >>> bound = bind("a > 10", Schema((NestedField(1, "a", LONG),)))
        >>> stats = SimpleNamespace(record_count=3, value_counts={1: 3},
        ...     null_value_counts={1: 0}, nan_value_counts=None,
        ...     lower_bounds={1: to_bytes(LONG, 1)}, upper_bounds={1: to_bytes(LONG, 5)})
        >>> InclusiveMetricsEvaluator(bound).can_match(stats)
        False
    """

    def __init__(self, bound: BoundExpression) -> None:
        self.expr = rewrite_not(bound)

    def can_match(self, stats: FileStats) -> bool:
        if stats.record_count == 0:
            return False
        if stats.record_count < 0:  # some importers write -1: unknown
            return True
        return fold(self.expr, lambda pred: might_match(pred, file_facts(pred, stats)))

    def can_match_many(self, files: MetricColumns) -> np.ndarray:
        """`can_match` of every file at once, as a boolean array."""
        counts = files.record_count
        result = fold_masks(self.expr, lambda pred: might_match_many(
            pred, files.facts(pred.field_id, pred.field_type)), len(counts))
        out: np.ndarray = np.where(counts == 0, False, np.where(counts < 0, True, result))
        return out


class StrictMetricsEvaluator:
    """Decides whether *every* row of a data file matches the filter (so a delete can drop
    the whole file). `must_match` returns True only when the metrics prove it."""

    def __init__(self, bound: BoundExpression) -> None:
        self.expr = rewrite_not(bound)

    def must_match(self, stats: FileStats) -> bool:
        if stats.record_count == 0:
            return True
        if stats.record_count < 0:
            return False
        return fold(self.expr, lambda pred: must_match(pred, file_facts(pred, stats)))


def file_facts(pred: BoundPredicate, stats: FileStats) -> ColumnFacts:
    """What a data file's metrics prove about the predicate's column."""
    fid, t = pred.field_id, pred.field_type
    # Bound fields are never inside a list or map, so each row holds one value: a missing
    # value count is the record count.
    values = (stats.value_counts or {}).get(fid, stats.record_count)
    nulls = (stats.null_value_counts or {}).get(fid)
    nans = (stats.nan_value_counts or {}).get(fid) if t in FLOATING else 0
    has_nan: bool | None = None if nans is None else nans > 0
    has_value: bool | None = None
    if nulls is not None:
        non_null = values - nulls
        if non_null <= 0:
            has_nan, has_value = False, False
        elif nans is not None:
            has_value = non_null - nans > 0
    return ColumnFacts(
        has_null=None if nulls is None else nulls > 0,
        has_nan=has_nan,
        has_value=has_value,
        lower=decode_bound(t, (stats.lower_bounds or {}).get(fid)),
        upper=decode_bound(t, (stats.upper_bounds or {}).get(fid)),
    )


def file_fact_columns(fid: int, t: IcebergType, files: MetricColumns) -> FactColumns:
    """`file_facts` of n files at once, for field `fid` of type `t`."""
    counts = files.record_count
    values, has_values = files.counts("value_counts", fid)
    values = np.where(has_values, values, counts)
    nulls, known_nulls = files.counts("null_value_counts", fid)
    if t in FLOATING:
        nans, known_nans = files.counts("nan_value_counts", fid)
    else:
        nans, known_nans = np.zeros(len(counts), np.int64), np.ones(len(counts), bool)
    has_nan = tri(known_nans, nans > 0)
    has_value = np.full(len(counts), UNKNOWN, np.int8)
    non_null = values - nulls
    empty = known_nulls & (non_null <= 0)
    has_nan[empty] = NO
    has_value[empty] = NO
    decided = known_nulls & ~empty & known_nans
    has_value[decided] = np.where(non_null - nans > 0, YES, NO)[decided]
    return FactColumns(has_null=tri(known_nulls, nulls > 0), has_nan=has_nan,
                       has_value=has_value, lower=files.bounds("lower_bounds", fid, t),
                       upper=files.bounds("upper_bounds", fid, t))
