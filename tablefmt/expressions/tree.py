"""Unbound filter expressions: `col("a") > 5`, combined with `&`, `|`, `~`.

The nodes mirror Iceberg's expression API (spec "Scan Planning"); binding to a schema is
in `binding.py`. `str()` of any node is SQL-style text that `parse_filter` reads back.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tablefmt.errors import FilterError


class Op(enum.Enum):
    """A predicate operator."""

    EQ = "="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    IN = "IN"
    NOT_IN = "NOT IN"
    IS_NULL = "IS NULL"
    NOT_NULL = "IS NOT NULL"
    IS_NAN = "IS NAN"
    NOT_NAN = "IS NOT NAN"
    STARTS_WITH = "LIKE"
    NOT_STARTS_WITH = "NOT LIKE"


UNARY_OPS = frozenset({Op.IS_NULL, Op.NOT_NULL, Op.IS_NAN, Op.NOT_NAN})
SET_OPS = frozenset({Op.IN, Op.NOT_IN})
COMPARISON_OPS = frozenset({Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE})
PREFIX_OPS = frozenset({Op.STARTS_WITH, Op.NOT_STARTS_WITH})

# NOT pushed into a predicate (Iceberg's `negate()`): NOT(a < 5) is a >= 5, and so on.
NEGATED: dict[Op, Op] = {
    Op.EQ: Op.NE, Op.NE: Op.EQ, Op.LT: Op.GE, Op.GE: Op.LT, Op.GT: Op.LE, Op.LE: Op.GT,
    Op.IN: Op.NOT_IN, Op.NOT_IN: Op.IN, Op.IS_NULL: Op.NOT_NULL, Op.NOT_NULL: Op.IS_NULL,
    Op.IS_NAN: Op.NOT_NAN, Op.NOT_NAN: Op.IS_NAN,
    Op.STARTS_WITH: Op.NOT_STARTS_WITH, Op.NOT_STARTS_WITH: Op.STARTS_WITH,
}

# `5 < a` means `a > 5`: the operator seen from the other side.
FLIPPED: dict[Op, Op] = {
    Op.EQ: Op.EQ, Op.NE: Op.NE, Op.LT: Op.GT, Op.GT: Op.LT, Op.LE: Op.GE, Op.GE: Op.LE,
}

KEYWORDS = frozenset({"AND", "OR", "NOT", "IN", "IS", "NULL", "LIKE", "TRUE", "FALSE",
                      "BETWEEN"})
_BARE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class Expression:
    """Base of every filter node. Combine with `&`, `|` and `~`."""

    __slots__ = ()

    def __and__(self, other: Expression) -> Expression:
        return And(self, _check_operand(other, "&"))

    def __or__(self, other: Expression) -> Expression:
        return Or(self, _check_operand(other, "|"))

    def __invert__(self) -> Expression:
        return Not(self)

    def __bool__(self) -> bool:
        # `a and b` / `if expr:` would silently drop a filter; pandas and numpy refuse too.
        raise TypeError("A filter has no truth value: combine filters with & | ~, "
                        "not with and / or / not")


def _check_operand(other: object, symbol: str) -> Expression:
    if isinstance(other, Expression):
        return other
    raise FilterError(f"Cannot combine a filter with {other!r} using {symbol}; "
                      "both sides must be filters (parenthesize comparisons: "
                      "(col('a') > 1) & (col('b') < 2))")


@dataclass(frozen=True, slots=True)
class AlwaysTrue(Expression):
    """Selects every row."""

    def __str__(self) -> str:
        return "TRUE"


@dataclass(frozen=True, slots=True)
class AlwaysFalse(Expression):
    """Selects no row."""

    def __str__(self) -> str:
        return "FALSE"


@dataclass(frozen=True, slots=True)
class And(Expression):
    left: Expression
    right: Expression

    def __str__(self) -> str:
        return f"{_wrap(self.left, Or)} AND {_wrap(self.right, Or)}"


@dataclass(frozen=True, slots=True)
class Or(Expression):
    left: Expression
    right: Expression

    def __str__(self) -> str:
        return f"{self.left} OR {self.right}"


@dataclass(frozen=True, slots=True)
class Not(Expression):
    child: Expression

    def __str__(self) -> str:
        return f"NOT {_wrap(self.child, And, Or)}"


def balanced(node: type[And] | type[Or], parts: list[Expression]) -> Expression:
    """`parts` joined by `node` as a balanced tree (depth log2(n), so a filter listing
    thousands of terms stays within Python's recursion limit); left-deep for n <= 3."""
    if len(parts) == 1:
        return parts[0]
    mid = (len(parts) + 1) // 2
    return node(balanced(node, parts[:mid]), balanced(node, parts[mid:]))


def _wrap(expr: Expression, *needs_parens: type[Expression]) -> str:
    return f"({expr})" if isinstance(expr, needs_parens) else str(expr)


@dataclass(frozen=True, slots=True, eq=False)
class Reference:
    """A column by (dotted) name. Comparing it with a value makes a `Predicate`.

    `position` is where the name appeared in parsed text (for error messages); it takes
    no part in equality.
    """

    name: str
    position: int | None = field(default=None, repr=False)

    # `==` builds a predicate, as in PyIceberg and polars, so trees never compare
    # references directly: `Predicate` equality compares the referenced names.
    def __eq__(self, other: object) -> Predicate:  # type: ignore[override]
        return Predicate(Op.EQ, self, (other,))

    def __ne__(self, other: object) -> Predicate:  # type: ignore[override]
        return Predicate(Op.NE, self, (other,))

    def __lt__(self, other: object) -> Predicate:
        return Predicate(Op.LT, self, (other,))

    def __le__(self, other: object) -> Predicate:
        return Predicate(Op.LE, self, (other,))

    def __gt__(self, other: object) -> Predicate:
        return Predicate(Op.GT, self, (other,))

    def __ge__(self, other: object) -> Predicate:
        return Predicate(Op.GE, self, (other,))

    def __hash__(self) -> int:
        return hash(("Reference", self.name))

    def is_in(self, values: Iterable[Any]) -> Predicate:
        return Predicate(Op.IN, self, _value_list(values, "is_in"))

    def not_in(self, values: Iterable[Any]) -> Predicate:
        return Predicate(Op.NOT_IN, self, _value_list(values, "not_in"))

    def is_null(self) -> Predicate:
        return Predicate(Op.IS_NULL, self)

    def not_null(self) -> Predicate:
        return Predicate(Op.NOT_NULL, self)

    def is_nan(self) -> Predicate:
        return Predicate(Op.IS_NAN, self)

    def not_nan(self) -> Predicate:
        return Predicate(Op.NOT_NAN, self)

    def starts_with(self, prefix: str) -> Predicate:
        return Predicate(Op.STARTS_WITH, self, (prefix,))

    def not_starts_with(self, prefix: str) -> Predicate:
        return Predicate(Op.NOT_STARTS_WITH, self, (prefix,))

    # Arithmetic makes a value expression (for update(set=...) and merge).
    def __add__(self, other: Any) -> Any:
        from tablefmt.expressions.values import Col
        return Col(self.name) + other

    def __radd__(self, other: Any) -> Any:
        from tablefmt.expressions.values import Col
        return other + Col(self.name)

    def __sub__(self, other: Any) -> Any:
        from tablefmt.expressions.values import Col
        return Col(self.name) - other

    def __rsub__(self, other: Any) -> Any:
        from tablefmt.expressions.values import Col
        return other - Col(self.name)

    def __mul__(self, other: Any) -> Any:
        from tablefmt.expressions.values import Col
        return Col(self.name) * other

    def __rmul__(self, other: Any) -> Any:
        from tablefmt.expressions.values import Col
        return other * Col(self.name)

    def __truediv__(self, other: Any) -> Any:
        from tablefmt.expressions.values import Col
        return Col(self.name) / other

    def __neg__(self) -> Any:
        from tablefmt.expressions.values import Col
        return -Col(self.name)

    def __bool__(self) -> bool:
        raise TypeError(f"col({self.name!r}) alone is not a filter; compare it, "
                        f"e.g. col({self.name!r}) > 5")

    def __str__(self) -> str:
        return format_name(self.name)


def _value_list(values: Iterable[Any], method: str) -> tuple[Any, ...]:
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise FilterError(f"{method}() takes a list of values, got {values!r}")
    return tuple(values)


def col(name: str) -> Reference:
    """A column reference; dotted names (`"a.b"`) reach fields of structs.

    Example:
        >>> str((col("a") > 5) & col("b").is_in([1, 2]))
        'a > 5 AND b IN (1, 2)'
    """
    if not isinstance(name, str) or not name:
        raise FilterError(f"A column name must be a non-empty string, got {name!r}")
    return Reference(name)


@dataclass(frozen=True, slots=True, eq=False)
class Predicate(Expression):
    """`term op literals`: no literal for IS [NOT] NULL/NAN, one for comparisons and
    LIKE (a prefix), any number for [NOT] IN. Literals are Python values until bound."""

    op: Op
    term: Reference
    literals: tuple[Any, ...] = ()

    def __post_init__(self) -> None:
        if self.op in UNARY_OPS and self.literals:
            raise FilterError(f"{self.op.value} takes no value")
        if self.op not in UNARY_OPS | SET_OPS and len(self.literals) != 1:
            raise FilterError(f"{self.op.value} takes exactly one value")

    @property
    def literal(self) -> Any:
        return self.literals[0]

    def _key(self) -> tuple[Any, ...]:
        return (self.op, self.term.name, self.literals)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Predicate) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"Predicate({self.op.name}, col({self.term.name!r}), {self.literals!r})"

    def __str__(self) -> str:
        return format_predicate(self.op, self.term.name, self.literals)


def format_predicate(op: Op, name: str, literals: tuple[Any, ...]) -> str:
    """SQL-style text for one predicate, shared by bound and unbound nodes."""
    column = format_name(name)
    if op in UNARY_OPS:
        return f"{column} {op.value}"
    if op in SET_OPS:
        return f"{column} {op.value} ({', '.join(format_literal(v) for v in literals)})"
    if op in PREFIX_OPS:
        pattern = re.sub(r"([\\%_])", r"\\\1", str(literals[0])) + "%"
        return f"{column} {op.value} {format_literal(pattern)}"
    return f"{column} {op.value} {format_literal(literals[0])}"


def format_name(name: str) -> str:
    """A column name as filter text: bare when possible, else each part double-quoted."""
    parts = name.split(".")
    return ".".join(
        p if _BARE_NAME.fullmatch(p) and p.upper() not in KEYWORDS
        else '"' + p.replace('"', '""') + '"'
        for p in parts
    )


def format_literal(value: Any) -> str:
    """A Python value as filter text that `parse_filter` reads back."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, bytes | bytearray | memoryview):
        return f"X'{bytes(value).hex().upper()}'"
    if isinstance(value, dt.datetime):
        return f"TIMESTAMP '{value.isoformat()}'"
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, dt.time):
        return f"TIME '{value.isoformat()}'"
    if isinstance(value, uuid.UUID):
        return f"'{value}'"
    if isinstance(value, Reference):
        return str(value)
    return repr(value)
