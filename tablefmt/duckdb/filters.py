"""Bound row filters as DuckDB SQL, so a view registered with `where=` selects exactly the
rows `Scan.to_arrow()` returns (the semantics of `tablefmt.expressions.arrow`): a null
never satisfies a comparison, IN, NOT IN or prefix test, and NaN compares false (DuckDB
orders NaN above every number, so float comparisons exclude it explicitly)."""

from __future__ import annotations

from typing import Any

from tablefmt import types as T
from tablefmt.duckdb.sqltext import ident, literal, string
from tablefmt.expressions import AlwaysFalse, AlwaysTrue, And, BoundPredicate, Op, Or, bind
from tablefmt.expressions.binding import struct_paths
from tablefmt.expressions.literals import FLOATING
from tablefmt.expressions.tree import Expression
from tablefmt.schema import Schema

_COMPARE = {Op.EQ: "=", Op.NE: "<>", Op.LT: "<", Op.LE: "<=", Op.GT: ">", Op.GE: ">="}


def filter_sql(where: Any, schema: Schema) -> str | None:
    """The SQL condition for a filter (a `tf.col` expression or filter string) bound to
    `schema`; None when it selects every row.

    Example:
        >>> from tablefmt.types import LONG, NestedField
        >>> filter_sql("a > 5", Schema((NestedField(1, "a", LONG),)))
        '("a" > CAST(5 AS BIGINT))'
    """
    if where is None:
        return None
    bound = bind(where, schema)
    if isinstance(bound, AlwaysTrue):
        return None
    return _Writer(schema).convert(bound)


class _Writer:
    def __init__(self, schema: Schema) -> None:
        self.paths = struct_paths(schema.as_struct)

    def convert(self, expr: Expression) -> str:
        if isinstance(expr, BoundPredicate):
            return self.predicate(expr)
        if isinstance(expr, And):
            return f"({self.convert(expr.left)} AND {self.convert(expr.right)})"
        if isinstance(expr, Or):
            return f"({self.convert(expr.left)} OR {self.convert(expr.right)})"
        if isinstance(expr, AlwaysTrue):
            return "TRUE"
        if isinstance(expr, AlwaysFalse):
            return "FALSE"
        raise TypeError(f"Not a bound expression: {expr!r}")

    def column(self, pred: BoundPredicate) -> str:
        path = self.paths.get(pred.field_id, pred.path)
        text = ident(path[0])
        for part in path[1:]:
            text = f"struct_extract({text}, {string(part)})"
        return text

    def predicate(self, pred: BoundPredicate) -> str:
        c, t, op = self.column(pred), pred.field_type, pred.op
        if op is Op.IS_NULL:
            return f"({c} IS NULL)"
        if op is Op.NOT_NULL:
            return f"({c} IS NOT NULL)"
        if op is Op.IS_NAN:
            return f"isnan({c})"
        if op is Op.NOT_NAN:
            return f"({c} IS NULL OR NOT isnan({c}))"
        if op is Op.STARTS_WITH:
            return f"starts_with({c}, {string(pred.literal)})"
        if op is Op.NOT_STARTS_WITH:
            return f"(NOT starts_with({c}, {string(pred.literal)}))"
        if op in (Op.IN, Op.NOT_IN):
            values = ", ".join(literal(t, v) for v in pred.literals)
            if op is Op.NOT_IN:  # NaN is unequal to every value: it stays
                return f"({c} NOT IN ({values}))"
            return self._not_nan(c, t, f"({c} IN ({values}))")
        test = f"({c} {_COMPARE[op]} {literal(t, pred.literal)})"
        return test if op is Op.NE else self._not_nan(c, t, test)

    @staticmethod
    def _not_nan(column: str, t: T.IcebergType, test: str) -> str:
        # IEEE: NaN is neither equal to, below nor above anything; DuckDB sorts it last.
        return f"({test} AND NOT isnan({column}))" if t in FLOATING else test
