"""Bound expressions: predicates resolved to a schema field, literals in the field's type.

A bound tree holds only `AlwaysTrue`, `AlwaysFalse`, `And`, `Or` and `BoundPredicate`:
binding pushes every NOT into the predicates (see `rewrite.rewrite_not`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeAlias

from tablefmt.errors import FilterError
from tablefmt.expressions.literals import to_python
from tablefmt.expressions.tree import (
    AlwaysFalse,
    AlwaysTrue,
    And,
    Expression,
    Not,
    Op,
    Or,
    format_predicate,
)
from tablefmt.types import IcebergType, NestedField

#: An expression whose leaves are `BoundPredicate`s (and which holds no `Not`).
BoundExpression: TypeAlias = Expression


@dataclass(frozen=True, slots=True)
class BoundPredicate(Expression):
    """`field op literals` with the field resolved and literals in internal representation.

    `path` is the field's name path from the schema root (`("a", "b")` for `a.b`);
    set predicates hold their distinct literals in first-seen order.
    """

    op: Op
    field: NestedField
    literals: tuple[Any, ...]
    path: tuple[str, ...]

    @property
    def field_id(self) -> int:
        return self.field.field_id

    @property
    def field_type(self) -> IcebergType:
        return self.field.field_type

    @property
    def literal(self) -> Any:
        return self.literals[0]

    @property
    def name(self) -> str:
        return ".".join(self.path)

    def __str__(self) -> str:
        readable = tuple(to_python(self.field_type, v) for v in self.literals)
        return format_predicate(self.op, self.name, readable)


def fold(expr: Expression, leaf: Callable[[BoundPredicate], bool]) -> bool:
    """Evaluate a bound tree to a bool, with `leaf` deciding each predicate."""
    if isinstance(expr, BoundPredicate):
        return leaf(expr)
    if isinstance(expr, And):
        return fold(expr.left, leaf) and fold(expr.right, leaf)
    if isinstance(expr, Or):
        return fold(expr.left, leaf) or fold(expr.right, leaf)
    if isinstance(expr, AlwaysTrue):
        return True
    if isinstance(expr, AlwaysFalse):
        return False
    raise _unbound(expr)


def transform_leaves(expr: Expression,
                     leaf: Callable[[BoundPredicate], Expression]) -> Expression:
    """The same tree with each `BoundPredicate` replaced by `leaf(predicate)`."""
    if isinstance(expr, BoundPredicate):
        return leaf(expr)
    if isinstance(expr, And):
        return And(transform_leaves(expr.left, leaf), transform_leaves(expr.right, leaf))
    if isinstance(expr, Or):
        return Or(transform_leaves(expr.left, leaf), transform_leaves(expr.right, leaf))
    if isinstance(expr, AlwaysTrue | AlwaysFalse):
        return expr
    raise _unbound(expr)


def _unbound(expr: Expression) -> FilterError:
    if isinstance(expr, Not):
        return FilterError(f"NOT must be pushed into predicates before evaluation: {expr}")
    return FilterError(f"Expected a bound expression (use bind(expr, schema)), got {expr!r}")


def referenced_columns(expr: Expression) -> set[str]:
    """Top-level column names a bound expression reads."""
    if isinstance(expr, BoundPredicate):
        return {expr.path[0]}
    out: set[str] = set()
    for child in (getattr(expr, "left", None), getattr(expr, "right", None),
                  getattr(expr, "child", None)):
        if child is not None:
            out |= referenced_columns(child)
    return out
