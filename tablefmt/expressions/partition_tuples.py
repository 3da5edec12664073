"""The partition tuples of many files as one Arrow table (a column per partition field,
named after it), and the vectorized forms of `PartitionEvaluator.matches` and
`residual_for` on it: a projected filter runs once on all tuples, in Arrow, as rows are
filtered (`arrow.arrow_mask`), instead of once per file."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from tablefmt.expressions.arrow import arrow_array, arrow_mask
from tablefmt.expressions.bound import BoundExpression, BoundPredicate, transform_leaves
from tablefmt.expressions.projection import (
    PartitionFieldLike,
    project_inclusive,
    project_strict,
)
from tablefmt.expressions.rewrite import rewrite_not, simplify
from tablefmt.expressions.tree import AlwaysFalse, AlwaysTrue, Expression
from tablefmt.schema import Schema
from tablefmt.types import IcebergType, NestedField


def partition_schema(fields: Sequence[tuple[int, str, IcebergType]]) -> Schema:
    """The partition fields `(field_id, name, result type)` as a schema to bind against."""
    return Schema(tuple(NestedField(fid, name, t) for fid, name, t in fields))


def tuple_table(schema: Schema, tuples: Sequence[Sequence[Any]]) -> pa.Table:
    """Partition tuples (internal values, in the schema's field order) as an Arrow table.

    A field whose values do not fit its type is left out: its source column was dropped
    (its type is then unknown), so no filter can name it.

    Example:
        >>> from tablefmt import types as T
        >>> schema = partition_schema([(1000, "day", T.DATE)])
        >>> tuple_table(schema, [(0,), (None,)]).column("day").to_pylist()
        [datetime.date(1970, 1, 1), None]
    """
    columns, names = [], []
    for i, f in enumerate(schema.fields):
        try:
            columns.append(arrow_array(f.field_type,
                                       [t[i] if i < len(t) else None for t in tuples]))
        except (pa.ArrowException, TypeError, ValueError, OverflowError):
            continue
        names.append(f.name)
    if not columns:  # unpartitioned: no columns, but still one row per tuple
        no_fields = pa.array([{}] * len(tuples), pa.struct([]))
        return pa.Table.from_batches([pa.RecordBatch.from_struct_array(no_fields)])
    return pa.Table.from_arrays(columns, names=names)


class TupleFilter:
    """A projected filter (`project_inclusive` or `project_strict`) on partition tuples."""

    def __init__(self, projected: BoundExpression, schema: Schema) -> None:
        self.expr = simplify(rewrite_not(projected))
        self.schema = schema

    @property
    def always_true(self) -> bool:
        return isinstance(self.expr, AlwaysTrue)

    def matches(self, table: pa.Table) -> np.ndarray:
        """Which rows match, as a boolean array (a null answer does not match)."""
        if isinstance(self.expr, AlwaysTrue | AlwaysFalse):
            return np.full(table.num_rows, isinstance(self.expr, AlwaysTrue))
        return arrow_mask(self.expr, table, self.schema)


class Residuals:
    """`residual_for(bound, fields, tuple)` for every row of a tuple table: each predicate
    that a tuple decides through its strict or inclusive projection becomes TRUE or FALSE.
    Rows deciding the same predicates share one residual expression."""

    def __init__(self, bound: BoundExpression, fields: Sequence[PartitionFieldLike],
                 schema: Schema) -> None:
        self.expr = rewrite_not(bound)
        leaves: list[BoundPredicate] = []

        def collect(pred: BoundPredicate) -> Expression:
            leaves.append(pred)
            return pred

        transform_leaves(self.expr, collect)  # the order `_residual` visits them in
        self.tests = [(_strict_filter(pred, fields, schema),
                       TupleFilter(project_inclusive(pred, fields), schema)) for pred in leaves]

    def of(self, table: pa.Table, rows: np.ndarray) -> list[BoundExpression]:
        """The residual of each of `rows` (indices into `table`)."""
        if not self.tests or len(rows) == 0:
            return [simplify(self.expr)] * len(rows)
        n = table.num_rows
        codes = np.zeros((n, len(self.tests)), np.int8)  # 0 kept, 1 TRUE, 2 FALSE
        for j, (strict, inclusive) in enumerate(self.tests):
            true = strict.matches(table) if strict is not None else np.zeros(n, bool)
            false = ~inclusive.matches(table) if not inclusive.always_true \
                else np.zeros(n, bool)
            codes[:, j] = np.where(true, 1, np.where(false, 2, 0))
        codes = codes[rows]
        # One number per row (base 3), so rows deciding alike group in a 1-d unique.
        packed = codes.astype(np.int64) @ (3 ** np.arange(len(self.tests), dtype=np.int64)) \
            if len(self.tests) < 40 else np.unique(codes, axis=0, return_inverse=True)[1]
        _, first, which = np.unique(packed, return_index=True, return_inverse=True)
        built = [self._residual(codes[i].tolist()) for i in first.tolist()]
        return [built[i] for i in which.reshape(-1).tolist()]

    def _residual(self, pattern: list[int]) -> BoundExpression:
        decisions = iter(pattern)

        def leaf(pred: BoundPredicate) -> Expression:
            code = next(decisions)
            return pred if code == 0 else AlwaysTrue() if code == 1 else AlwaysFalse()

        return simplify(transform_leaves(self.expr, leaf))


def _strict_filter(pred: BoundPredicate, fields: Sequence[PartitionFieldLike],
                   schema: Schema) -> TupleFilter | None:
    strict = project_strict(pred, fields)
    return None if isinstance(strict, AlwaysFalse) else TupleFilter(strict, schema)
