"""Bound filters as `pyarrow.compute` expressions, for filtering rows read from data files.

A row is selected when the NOT-free predicate is true; a null value never satisfies a
comparison, IN, NOT IN or LIKE (SQL), and `x IS NOT NAN` holds for nulls (Iceberg).
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from tablefmt import types as T
from tablefmt.arrow_schema import to_arrow_type
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
    converted = _Converter(schema).convert(bind(bound, schema))
    if negate:
        return pc.invert(pc.coalesce(converted, pa.scalar(False)))
    return converted


class _Converter:
    def __init__(self, schema: Schema) -> None:
        self.paths = struct_paths(schema.as_struct)

    def convert(self, expr: Expression) -> pc.Expression:
        if isinstance(expr, BoundPredicate):
            return self.predicate(expr)
        if isinstance(expr, And):
            return self.convert(expr.left) & self.convert(expr.right)
        if isinstance(expr, Or):
            return self.convert(expr.left) | self.convert(expr.right)
        if isinstance(expr, AlwaysTrue):
            return pc.scalar(True)
        if isinstance(expr, AlwaysFalse):
            return pc.scalar(False)
        raise TypeError(f"Not a bound expression: {expr!r}")

    def predicate(self, pred: BoundPredicate) -> pc.Expression:
        t = pred.field_type
        column = pc.field(*self.paths.get(pred.field_id, pred.path))
        if t == T.UUID:
            column = column.cast(_UUID_STORAGE)
        op = pred.op
        if op is Op.IS_NULL:
            return column.is_null()
        if op is Op.NOT_NULL:
            return column.is_valid()
        if op is Op.IS_NAN:
            return pc.is_nan(column)
        if op is Op.NOT_NAN:
            return column.is_null() | pc.invert(pc.is_nan(column))
        if op is Op.STARTS_WITH:
            return pc.starts_with(column, pattern=pred.literal)
        if op is Op.NOT_STARTS_WITH:
            return pc.invert(pc.starts_with(column, pattern=pred.literal))
        if op in (Op.IN, Op.NOT_IN):
            values = _arrow_array(t, _with_both_zeros(t, pred.literals))
            if op is Op.IN:
                return column.isin(values)
            # Arrow's is_in is false (not null) for a null input: keep nulls out explicitly.
            return column.is_valid() & pc.invert(column.isin(values))
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


def _storage_type(t: IcebergType) -> pa.DataType:
    return _UUID_STORAGE if t == T.UUID else to_arrow_type(t)


def _arrow_array(t: IcebergType, values: tuple[Any, ...]) -> pa.Array:
    """Internal values as an Arrow array of the column's (storage) type."""
    target = _storage_type(t)
    if t == T.UUID:
        return pa.array([v.bytes for v in values], target)
    if t == T.DATE:
        return pa.array(values, pa.int32()).cast(target)
    if t in (T.TIME, T.TIMESTAMP, T.TIMESTAMPTZ):
        return pa.array(values, pa.int64()).cast(target)
    return pa.array(values, target)


def _arrow_scalar(t: IcebergType, value: Any) -> pa.Scalar:
    return _arrow_array(t, (value,))[0]
