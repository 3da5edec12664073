"""Value expressions for `update(set=...)` and merge: literals, column references and
+ - * / arithmetic, built with `tf.col("n") + 1` or parsed from SQL-style text
(`"n + 1"`, `"'closed'"`, `"source.amount * 2"`). Parsed, never evaluated as code;
computed over Arrow arrays with pyarrow.compute."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from tablefmt.errors import FilterError, SchemaMismatchError


class Term:
    """A value computed per row."""

    def __add__(self, other: Any) -> Term:
        return Arith("+", self, as_term(other))

    def __radd__(self, other: Any) -> Term:
        return Arith("+", as_term(other), self)

    def __sub__(self, other: Any) -> Term:
        return Arith("-", self, as_term(other))

    def __rsub__(self, other: Any) -> Term:
        return Arith("-", as_term(other), self)

    def __mul__(self, other: Any) -> Term:
        return Arith("*", self, as_term(other))

    def __rmul__(self, other: Any) -> Term:
        return Arith("*", as_term(other), self)

    def __truediv__(self, other: Any) -> Term:
        return Arith("/", self, as_term(other))

    def __rtruediv__(self, other: Any) -> Term:
        return Arith("/", as_term(other), self)

    def __neg__(self) -> Term:
        return Arith("-", Lit(0), self)


@dataclass(frozen=True, eq=False)
class Col(Term):
    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, eq=False)
class Lit(Term):
    value: Any

    def __str__(self) -> str:
        return repr(self.value)


@dataclass(frozen=True, eq=False)
class Arith(Term):
    op: str
    left: Term
    right: Term

    def __str__(self) -> str:
        return f"({self.left} {self.op} {self.right})"


def as_term(value: Any) -> Term:
    """A Term from a Term, a `tf.col(...)` reference, SQL-style text, or a Python value."""
    from tablefmt.expressions.tree import Reference

    if isinstance(value, Term):
        return value
    if isinstance(value, Reference):
        return Col(value.name)
    if isinstance(value, str):
        return parse_value(value)
    return Lit(value)


_TOKEN = re.compile(r"""\s*(?:
    (?P<number>\d+\.\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|\d+(?:[eE][+-]?\d+)?)
  | (?P<string>'(?:[^']|'')*')
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*|"(?:[^"]|"")+")
  | (?P<op>[-+*/()])
)""", re.VERBOSE)
_KEYWORDS = {"NULL": None, "TRUE": True, "FALSE": False}


def parse_value(text: str) -> Term:
    """Parse a value expression: literals ('text', 12, 1.5, TRUE, NULL, DATE '2024-01-01'),
    column names (dotted, or "double-quoted"), + - * / and parentheses."""
    tokens: list[tuple[str, str, int]] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            if text[pos:].strip() == "":
                break
            at = pos + (len(text[pos:]) - len(text[pos:].lstrip()))
            raise FilterError("Unexpected character in value expression", at, text[at:at + 10])
        kind = m.lastgroup or ""
        tokens.append((kind, m.group(kind), m.start(kind)))
        pos = m.end()
    parser = _ValueParser(tokens, text)
    term = parser.expr()
    if parser.i != len(tokens):
        kind, tok, at = tokens[parser.i]
        raise FilterError("Unexpected token in value expression", at, tok)
    return term


class _ValueParser:
    def __init__(self, tokens: list[tuple[str, str, int]], text: str) -> None:
        self.tokens, self.text, self.i = tokens, text, 0

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def expr(self) -> Term:
        left = self.product()
        while (t := self.peek()) and t[1] in "+-" and t[0] == "op":
            self.i += 1
            left = Arith(t[1], left, self.product())
        return left

    def product(self) -> Term:
        left = self.unary()
        while (t := self.peek()) and t[1] in "*/" and t[0] == "op":
            self.i += 1
            left = Arith(t[1], left, self.unary())
        return left

    def unary(self) -> Term:
        t = self.peek()
        if t and t[0] == "op" and t[1] == "-":
            self.i += 1
            return Arith("-", Lit(0), self.unary())
        return self.atom()

    def atom(self) -> Term:
        t = self.peek()
        if t is None:
            raise FilterError("Expected a value", len(self.text), "")
        kind, tok, at = t
        self.i += 1
        if kind == "number":
            return Lit(int(tok) if tok.isdigit() else Decimal(tok))
        if kind == "string":
            return Lit(tok[1:-1].replace("''", "'"))
        if kind == "op" and tok == "(":
            inner = self.expr()
            close = self.peek()
            if not close or close[1] != ")":
                raise FilterError("Expected ')'", close[2] if close else len(self.text),
                                  close[1] if close else "")
            self.i += 1
            return inner
        if kind == "name":
            upper = tok.upper()
            if upper in _KEYWORDS:
                return Lit(_KEYWORDS[upper])
            nxt = self.peek()
            if upper in ("DATE", "TIMESTAMP", "TIME") and nxt and nxt[0] == "string":
                self.i += 1
                return Lit(nxt[1][1:-1])  # cast to the column's type on evaluation
            if tok.startswith('"'):
                return Col(tok[1:-1].replace('""', '"'))
            return Col(tok)
        raise FilterError("Unexpected token in value expression", at, tok)


_ARROW_OPS = {"+": "add_checked", "-": "subtract_checked", "*": "multiply_checked",
              "/": "divide_checked"}


def term_columns(*terms: Term) -> set[str]:
    """Column names the terms read.

    Example:
        >>> sorted(term_columns(parse_value("price * qty + 1"), Lit(2)))
        ['price', 'qty']
    """
    out: set[str] = set()
    for term in terms:
        if isinstance(term, Col):
            out.add(term.name)
        elif isinstance(term, Arith):
            out |= term_columns(term.left, term.right)
    return out


def evaluate(term: Term, columns: Mapping[str, pa.Array], length: int, target: pa.DataType,
             where: str) -> pa.Array:
    """The term over `columns` (name -> array), cast to `target`."""
    result = _compute(term, columns, length, where)
    try:
        if isinstance(result, pa.Scalar):
            result = pa.repeat(result, length) if result.is_valid else pa.nulls(length, target)
        return result if result.type == target else result.cast(target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as exc:
        raise SchemaMismatchError(f"Cannot set {where} to {term}: {exc}") from exc


def _compute(term: Term, columns: Mapping[str, pa.Array], length: int, where: str) -> Any:
    if isinstance(term, Lit):
        return pa.scalar(term.value)
    if isinstance(term, Col):
        if term.name not in columns:
            raise FilterError(f"Unknown column {term.name!r} in the value for {where}; "
                              f"columns are {', '.join(sorted(columns))}")
        return columns[term.name]
    assert isinstance(term, Arith)
    left = _compute(term.left, columns, length, where)
    right = _compute(term.right, columns, length, where)
    try:
        return getattr(pc, _ARROW_OPS[term.op])(left, right)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as exc:
        raise SchemaMismatchError(f"Cannot compute {term} for {where}: {exc}") from exc
