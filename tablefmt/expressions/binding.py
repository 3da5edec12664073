"""Binding: resolve column names to schema fields and convert literals to their types.

The result is NOT-free and simplified (see `rewrite.py`); every later stage reads it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from tablefmt.errors import FilterError
from tablefmt.expressions.bound import BoundExpression, BoundPredicate
from tablefmt.expressions.literals import FLOATING, CoercionError, coerce_literal
from tablefmt.expressions.parser import to_expression
from tablefmt.expressions.rewrite import rebalance, rewrite_not, simplify
from tablefmt.expressions.tree import (
    COMPARISON_OPS,
    PREFIX_OPS,
    SET_OPS,
    AlwaysFalse,
    AlwaysTrue,
    And,
    Expression,
    Op,
    Or,
    Predicate,
    Reference,
    format_literal,
    format_name,
)
from tablefmt.schema import Schema
from tablefmt.types import STRING, NestedField, StructType


def bind(expr: Expression | str | None, schema: Schema) -> BoundExpression:
    """Resolve `expr` against `schema`: fields by dotted name, literals to field types.

    Raises:
        FilterError: unknown column, a struct/list/map column in a predicate, or a
            literal that does not fit the column's type.

    Example:
        >>> from tablefmt.types import LONG, NestedField
        >>> from tablefmt.expressions.tree import col
        >>> schema = Schema((NestedField(1, "a", LONG),))
        >>> print(bind(~(col("a") > 5), schema))
        a <= 5
    """
    # Balanced before the recursive passes, and again after simplify so equal filters
    # bind to equal trees however their AND/OR chains were grouped.
    return rebalance(simplify(_bind(rewrite_not(rebalance(to_expression(expr))), schema)))


def _bind(expr: Expression, schema: Schema) -> Expression:
    if isinstance(expr, And):
        return And(_bind(expr.left, schema), _bind(expr.right, schema))
    if isinstance(expr, Or):
        return Or(_bind(expr.left, schema), _bind(expr.right, schema))
    if isinstance(expr, Predicate):
        return bind_predicate(expr, schema)
    if isinstance(expr, AlwaysTrue | AlwaysFalse | BoundPredicate):
        return expr
    raise FilterError(f"Cannot bind {expr!r}")


def bind_predicate(pred: Predicate, schema: Schema) -> Expression:
    """Bind one predicate; IS NAN on a non-float column is AlwaysFalse (NOT NAN: True)."""
    field, path = resolve(pred.term, schema)
    op = pred.op
    if op in (Op.IS_NAN, Op.NOT_NAN) and field.field_type not in FLOATING:
        return AlwaysFalse() if op is Op.IS_NAN else AlwaysTrue()
    if op in PREFIX_OPS:
        return _bind_prefix(pred, field, path)
    values = tuple(_coerce(pred, field, v) for v in pred.literals)
    if op in SET_OPS:
        return _bind_set(op, field, path, values)
    return BoundPredicate(op, field, values, path)


def _bind_prefix(pred: Predicate, field: NestedField, path: tuple[str, ...]) -> Expression:
    if field.field_type != STRING:
        raise _error(pred, f"LIKE / starts_with needs a string column, but {pred.term.name!r} "
                           f"is {field.field_type}")
    prefix = _coerce(pred, field, pred.literal)
    if prefix == "":
        # Every non-null string starts with "": a null row still matches neither form.
        return (BoundPredicate(Op.NOT_NULL, field, (), path) if pred.op is Op.STARTS_WITH
                else AlwaysFalse())
    return BoundPredicate(pred.op, field, (prefix,), path)


def _bind_set(op: Op, field: NestedField, path: tuple[str, ...],
              values: tuple[Any, ...]) -> Expression:
    distinct = tuple(dict.fromkeys(values))
    if not distinct:
        # a IN () matches nothing; a NOT IN () matches every non-null row.
        return AlwaysFalse() if op is Op.IN else BoundPredicate(Op.NOT_NULL, field, (), path)
    if len(distinct) == 1:
        return BoundPredicate(Op.EQ if op is Op.IN else Op.NE, field, distinct, path)
    return BoundPredicate(op, field, distinct, path)


def _coerce(pred: Predicate, field: NestedField, value: Any) -> Any:
    name = pred.term.name
    if value is None:
        test = "IS NOT NULL" if pred.op in (Op.NE, Op.NOT_IN) else "IS NULL"
        raise _error(pred, f"Cannot compare {name!r} with NULL; use {format_name(name)} {test}")
    if isinstance(value, Reference):
        raise _error(pred, f"Comparing two columns ({name!r} and {value.name!r}) is not "
                           "supported; strings take single quotes")
    if isinstance(value, float) and math.isnan(value) and pred.op in COMPARISON_OPS | SET_OPS:
        raise _error(pred, f"NaN never compares equal; use is_nan() on {name!r}")
    try:
        return coerce_literal(field.field_type, value)
    except CoercionError as exc:
        shown = format_literal(value)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        raise _error(pred, f"Cannot compare column {name!r} of type {field.field_type} "
                           f"with {shown}: {exc}") from None


def resolve(ref: Reference, schema: Schema) -> tuple[NestedField, tuple[str, ...]]:
    """The primitive field a reference names, and its name path through structs."""
    name = ref.name
    if not schema.has_field(name):
        raise _unknown_column(ref, schema)
    field = schema.find_field(name)
    path = struct_paths(schema.as_struct).get(field.field_id)
    if path is None:
        raise FilterError(f"Cannot filter on {name!r}: it is inside a list or map",
                          position=ref.position, text=name)
    if not field.field_type.is_primitive:
        kind = type(field.field_type).__name__.replace("Type", "").lower()
        raise FilterError(f"Cannot filter on {name!r}: it is a {kind} column; name one "
                          f"of its primitive fields, e.g. {name}.<field>",
                          position=ref.position, text=name)
    return field, path


def struct_paths(struct: StructType,
                 prefix: tuple[str, ...] = ()) -> dict[int, tuple[str, ...]]:
    """Field id -> name path of every field reachable through structs only."""
    return dict(_struct_paths(struct, prefix))


def _struct_paths(struct: StructType,
                  prefix: tuple[str, ...]) -> Iterator[tuple[int, tuple[str, ...]]]:
    for f in struct.fields:
        path = (*prefix, f.name)
        yield f.field_id, path
        if isinstance(f.field_type, StructType):
            yield from _struct_paths(f.field_type, path)


def _unknown_column(ref: Reference, schema: Schema) -> FilterError:
    names = [".".join(p) for p in struct_paths(schema.as_struct).values()]
    close = [n for n in names if n.lower() == ref.name.lower()]
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return FilterError(f"Unknown column {ref.name!r} in filter{hint}; columns are "
                       f"{', '.join(names)}", position=ref.position, text=ref.name)


def _error(pred: Predicate, message: str) -> FilterError:
    return FilterError(message, position=pred.term.position,
                       text=pred.term.name if pred.term.position is not None else None)
