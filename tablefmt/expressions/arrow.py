"""Bound filters as `pyarrow.compute` expressions, for filtering rows read from data files.

A row is selected when the NOT-free predicate is true; a null value never satisfies a
comparison, IN, NOT IN or LIKE (SQL), and `x IS NOT NAN` holds for nulls (Iceberg).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tablefmt import types as T
from tablefmt.arrow_schema import to_arrow_type
from tablefmt.errors import ValidationError
from tablefmt.expressions.binding import bind, struct_paths
from tablefmt.expressions.bound import BoundExpression, BoundPredicate
from tablefmt.expressions.literals import FLOATING
from tablefmt.expressions.tree import AlwaysFalse, AlwaysTrue, And, Expression, Op, Or
from tablefmt.schema import Schema
from tablefmt.types import IcebergType

# Arrow's comparisons on the uuid extension type have no kernels; its storage compares
# bytewise, which is Iceberg's UUID order.
_UUID_STORAGE = pa.binary(16)


def to_arrow_expr(bound: BoundExpression | str | None, schema: Schema, *,
                  negate: bool = False) -> pc.Expression:
    """The Arrow expression selecting the rows that `bound` matches.

    With `negate=True`, it selects exactly the other rows (rows whose predicate is false
    *or null*): what a copy-on-write delete keeps. `~to_arrow_expr(...)` would lose the
    null rows instead.

    Example:
        >>> import pyarrow as pa
        >>> from tablefmt.types import LONG, NestedField
        >>> schema = Schema((NestedField(1, "a", LONG),))
        >>> table = pa.table({"a": [1, 7, None]})
        >>> table.filter(to_arrow_expr("a > 5", schema)).column("a").to_pylist()
        [7]
        >>> table.filter(to_arrow_expr("a > 5", schema, negate=True)).column("a").to_pylist()
        [1, None]
    """
    converted: pc.Expression = _Converter(schema).convert(bind(bound, schema))
    if negate:
        return pc.invert(pc.coalesce(converted, pa.scalar(False)))
    return converted


def arrow_mask(bound: BoundExpression, table: pa.Table, schema: Schema) -> np.ndarray:
    """Which rows of `table` (columns named as `schema`'s top-level fields) a NOT-free
    bound tree selects, as a boolean array: `to_arrow_expr`'s answer, computed eagerly
    (no query engine round trip, which costs more than a small table's work).

    Example:
        >>> from tablefmt.types import LONG, NestedField
        >>> schema = Schema((NestedField(1, "a", LONG),))
        >>> arrow_mask(bind("a > 5", schema), pa.table({"a": [1, 7, None]}), schema)
        array([False,  True, False])
    """
    result = _Converter(schema, table).convert(bound)
    if isinstance(result, pa.ChunkedArray):
        result = result.combine_chunks()
    mask: np.ndarray = result.fill_null(False).to_numpy(zero_copy_only=False)
    return mask


class _Converter:
    """A bound tree in Arrow: an expression on `pc.field`s, or with `table` the result on
    its columns. Both use the same compute functions, so they cannot disagree."""

    def __init__(self, schema: Schema, table: pa.Table | None = None) -> None:
        self.paths = struct_paths(schema.as_struct)
        self.table = table

    def convert(self, expr: Expression) -> Any:
        if isinstance(expr, BoundPredicate):
            return self.predicate(expr)
        if isinstance(expr, And):
            return pc.and_kleene(self.convert(expr.left), self.convert(expr.right))
        if isinstance(expr, Or):
            return pc.or_kleene(self.convert(expr.left), self.convert(expr.right))
        if isinstance(expr, AlwaysTrue | AlwaysFalse):
            value = isinstance(expr, AlwaysTrue)
            if self.table is None:
                return pc.scalar(value)
            return pa.array(np.full(self.table.num_rows, value))
        raise TypeError(f"Not a bound expression: {expr!r}")

    def column(self, pred: BoundPredicate) -> Any:
        path = self.paths.get(pred.field_id, pred.path)
        if self.table is None:
            return pc.field(*path)
        if len(path) != 1 or path[0] not in self.table.column_names:
            raise ValidationError(f"No column {pred.name!r} to evaluate {pred} on")
        return self.table.column(path[0])

    def predicate(self, pred: BoundPredicate) -> Any:
        t = pred.field_type
        column = self.column(pred)
        if t == T.UUID:
            column = column.cast(_UUID_STORAGE)
        op = pred.op
        if op is Op.IS_NULL:
            return pc.is_null(column)
        if op is Op.NOT_NULL:
            return pc.is_valid(column)
        if op is Op.IS_NAN:
            return pc.is_nan(column)
        if op is Op.NOT_NAN:
            return pc.or_kleene(pc.is_null(column), pc.invert(pc.is_nan(column)))
        if op is Op.STARTS_WITH:
            return pc.starts_with(column, pattern=pred.literal)
        if op is Op.NOT_STARTS_WITH:
            return pc.invert(pc.starts_with(column, pattern=pred.literal))
        if op in (Op.IN, Op.NOT_IN):
            values = _literal_array(t, pred.literals)
            if op is Op.IN:
                return pc.is_in(column, value_set=values)
            # Arrow's is_in is false (not null) for a null input: keep nulls out explicitly.
            return pc.and_kleene(pc.is_valid(column),
                                 pc.invert(pc.is_in(column, value_set=values)))
        return _COMPARE[op](column, _arrow_scalar(t, pred.literal))


_COMPARE: dict[Op, Any] = {
    Op.EQ: pc.equal, Op.NE: pc.not_equal, Op.LT: pc.less, Op.LE: pc.less_equal,
    Op.GT: pc.greater, Op.GE: pc.greater_equal,
}


def _with_both_zeros(t: IcebergType, values: tuple[Any, ...]) -> tuple[Any, ...]:
    """Arrow's is_in tells 0.0 from -0.0 (it hashes bits); IEEE equality, which `=` and the
    pruning evaluators use, does not. Listing both zeros keeps IN consistent with `=`."""
    if t in FLOATING and any(v == 0.0 for v in values):
        return (*values, 0.0, -0.0)
    return values


def storage_type(t: IcebergType) -> pa.DataType:
    """The Arrow type filters compare `t` in (a UUID's 16 bytes, else `to_arrow_type`)."""
    return _UUID_STORAGE if t == T.UUID else to_arrow_type(t)


def arrow_array(t: IcebergType, values: Sequence[Any]) -> pa.Array:
    """Internal values (None: null) as an Arrow array of the column's storage type."""
    target = storage_type(t)
    if t == T.UUID:
        return pa.array([None if v is None else v.bytes for v in values], target)
    if t == T.DATE:
        return pa.array(values, pa.int32()).cast(target)
    if t in (T.TIME, T.TIMESTAMP, T.TIMESTAMPTZ):
        return pa.array(values, pa.int64()).cast(target)
    return pa.array(values, target)


@lru_cache(maxsize=1024)
def _literal_array(t: IcebergType, literals: tuple[Any, ...]) -> pa.Array:
    """A predicate's set literals in Arrow, converted once (filters are evaluated again
    and again on partition tuples)."""
    return arrow_array(t, _with_both_zeros(t, literals))


@lru_cache(maxsize=1024)
def _arrow_scalar(t: IcebergType, value: Any) -> pa.Scalar:
    return arrow_array(t, (value,))[0]
