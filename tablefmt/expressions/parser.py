"""Recursive-descent parser for SQL-style filter strings (`"a > 5 AND b IN (1, 2)"`).

Strings are parsed, never evaluated. Precedence: NOT binds tighter than AND, AND than OR.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, NoReturn

from tablefmt.errors import FilterError
from tablefmt.expressions.lexer import Kind, Token, tokenize
from tablefmt.expressions.tree import (
    FLIPPED,
    AlwaysFalse,
    AlwaysTrue,
    And,
    Expression,
    Not,
    Op,
    Or,
    Predicate,
    Reference,
    balanced,
)

_MAX_DEPTH = 100
_COMPARISONS = {"=": Op.EQ, "!=": Op.NE, "<": Op.LT, "<=": Op.LE, ">": Op.GT, ">=": Op.GE}
_TYPED_LITERALS: dict[str, Callable[[str], Any]] = {
    "DATE": dt.date.fromisoformat,
    "TIME": dt.time.fromisoformat,
    "TIMESTAMP": dt.datetime.fromisoformat,
    "TIMESTAMPTZ": dt.datetime.fromisoformat,
}


def parse_filter(text: str) -> Expression:
    """Parse a SQL-style filter into an unbound expression.

    Grammar (keywords case-insensitive)::

        filter    := or ; or := and (OR and)* ; and := not (AND not)*
        not       := NOT not | '(' or ')' | TRUE | FALSE | predicate
        predicate := operand cmp operand            -- one side a column, = == != <> < <= > >=
                   | column [NOT] IN '(' [value (',' value)*] ')'
                   | column IS [NOT] NULL | column IS [NOT] NAN
                   | column [NOT] LIKE 'prefix%' | column [NOT] BETWEEN value AND value
        value     := number | 'string' | TRUE | FALSE | X'hex' | DATE|TIME|TIMESTAMP 'iso'

    Raises:
        FilterError: with the 0-based `position` of the offending token.

    Example:
        >>> str(parse_filter("a > 5 and b in (1, 2) or not c is null"))
        'a > 5 AND b IN (1, 2) OR NOT c IS NULL'
    """
    if not isinstance(text, str):
        raise FilterError(f"A filter string must be str, got {type(text).__name__}")
    if not text.strip():
        raise FilterError("Empty filter; pass None (or 'true') to select every row",
                          position=0, text=text)
    return _Parser(text).parse()


def to_expression(where: str | Expression | None) -> Expression:
    """Normalize a `where=` argument: None selects all rows, a string is parsed.

    Example:
        >>> to_expression(None)
        AlwaysTrue()
    """
    if where is None:
        return AlwaysTrue()
    if isinstance(where, Expression):
        return where
    if isinstance(where, str):
        return parse_filter(where)
    if isinstance(where, Reference):
        raise FilterError(f"col({where.name!r}) alone is not a filter; compare it, "
                          f"e.g. col({where.name!r}) > 5")
    raise FilterError("A filter must be a string, an expression such as col('a') > 5, "
                      f"or None; got {type(where).__name__}")


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0

    # -- token helpers -------------------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def peek(self, ahead: int = 1) -> Token:
        return self.tokens[min(self.i + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.tok
        if token.kind is not Kind.END:
            self.i += 1
        return token

    def at(self, kind: Kind) -> bool:
        return self.tok.kind is kind

    def is_keyword(self, *words: str, token: Token | None = None) -> bool:
        t = token or self.tok
        return t.kind is Kind.KEYWORD and t.value in words

    def expect_keyword(self, word: str, context: str) -> Token:
        if not self.is_keyword(word):
            self.fail(f"Expected {word} {context}")
        return self.advance()

    def fail(self, message: str, token: Token | None = None) -> NoReturn:
        t = token or self.tok
        if t.kind is Kind.END:
            raise FilterError(f"{message}, but the filter ended", position=t.pos)
        raise FilterError(message, position=t.pos, text=t.text)

    # -- grammar -------------------------------------------------------------------------
    def parse(self) -> Expression:
        expr = self.or_expr()
        if self.tok.kind is Kind.RPAREN:
            raise FilterError("Unexpected ')' without a matching '('", position=self.tok.pos,
                              text=")")
        if self.tok.kind is not Kind.END:
            self.fail("Expected AND, OR or the end of the filter")
        return expr

    def or_expr(self) -> Expression:
        parts = [self.and_expr()]
        while self.is_keyword("OR"):
            self.advance()
            parts.append(self.and_expr())
        return balanced(Or, parts)

    def and_expr(self) -> Expression:
        parts = [self.not_expr()]
        while self.is_keyword("AND"):
            self.advance()
            parts.append(self.not_expr())
        return balanced(And, parts)

    def not_expr(self) -> Expression:
        negations = 0
        while self.is_keyword("NOT"):
            first = self.advance()
            negations += 1
            if negations > _MAX_DEPTH:
                raise FilterError("Filter nests NOT too deeply", position=first.pos,
                                  text=first.text)
        expr = self.primary()
        for _ in range(negations):
            expr = Not(expr)
        return expr

    def primary(self) -> Expression:
        token = self.tok
        if token.kind is Kind.LPAREN:
            return self.parenthesized()
        if self.is_keyword("TRUE", "FALSE") and self.peek().kind is not Kind.OP:
            self.advance()
            return AlwaysTrue() if token.value == "TRUE" else AlwaysFalse()
        return self.predicate()

    def parenthesized(self) -> Expression:
        opening = self.advance()
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise FilterError("Filter nests parentheses too deeply", position=opening.pos,
                              text="(")
        expr = self.or_expr()
        self.depth -= 1
        if self.tok.kind is not Kind.RPAREN:
            self.fail(f"Expected ')' to close the '(' opened at position {opening.pos}")
        self.advance()
        return expr

    def predicate(self) -> Expression:
        left_token = self.tok
        left = self.operand("Expected a column name or a value")
        op_token = self.tok
        if op_token.kind is Kind.OP:
            self.advance()
            return self.comparison(left, left_token, _COMPARISONS[op_token.value], op_token)
        ref = self.column_of(left, left_token)
        if self.is_keyword("IS"):
            return self.is_test(ref)
        negated = self.is_keyword("NOT") and self.is_keyword(
            "IN", "LIKE", "BETWEEN", token=self.peek())
        if negated:
            self.advance()
        if self.is_keyword("IN"):
            self.advance()
            return Predicate(Op.NOT_IN if negated else Op.IN, ref, self.value_list())
        if self.is_keyword("LIKE"):
            like = self.advance()
            return self.like(ref, negated, like)
        if self.is_keyword("BETWEEN"):
            self.advance()
            return self.between(ref, negated)
        return self.fail(f"Expected an operator after {left_token.text!r}")

    def comparison(self, left: Any, left_token: Token, op: Op, op_token: Token) -> Expression:
        right_token = self.tok
        right = self.operand(f"Expected a value after {op_token.text!r}")
        if isinstance(left, Reference) and isinstance(right, Reference):
            hint = " (strings take single quotes)" if right_token.quoted else ""
            self.fail(f"Comparing two columns is not supported{hint}", right_token)
        if not isinstance(left, Reference) and not isinstance(right, Reference):
            self.fail("A comparison needs a column on one side", left_token)
        if isinstance(left, Reference):
            ref, value, value_token = left, right, right_token
        else:
            ref, value, value_token, op = right, left, left_token, FLIPPED[op]
        if value is None:
            self.fail("Use IS NULL or IS NOT NULL to test for NULL", value_token)
        return Predicate(op, ref, (value,))

    def column_of(self, operand: Any, token: Token) -> Reference:
        if not isinstance(operand, Reference):
            self.fail(f"Expected a comparison operator after the value {token.text!r}",
                      self.tok)
        return operand

    def is_test(self, ref: Reference) -> Expression:
        self.advance()
        negated = self.is_keyword("NOT")
        if negated:
            self.advance()
        token = self.tok
        if self.is_keyword("NULL"):
            self.advance()
            return Predicate(Op.NOT_NULL if negated else Op.IS_NULL, ref)
        if token.kind is Kind.NAME and not token.quoted and token.value.upper() == "NAN":
            self.advance()
            return Predicate(Op.NOT_NAN if negated else Op.IS_NAN, ref)
        return self.fail(f"Expected NULL or NAN after IS{' NOT' if negated else ''}")

    def value_list(self) -> tuple[Any, ...]:
        if not self.at(Kind.LPAREN):
            self.fail("Expected '(' after IN")
        self.advance()
        values: list[Any] = []
        if self.at(Kind.RPAREN):
            self.advance()
            return ()
        while True:
            token = self.tok
            values.append(self.value("Expected a value in the IN list"))
            if values[-1] is None:
                self.fail("NULL never matches in an IN list; use IS NULL", token)
            if self.at(Kind.RPAREN):
                self.advance()
                return tuple(values)
            if not self.at(Kind.COMMA):
                self.fail("Expected ',' or ')' in the IN list")
            self.advance()

    def like(self, ref: Reference, negated: bool, like: Token) -> Expression:
        token = self.tok
        if token.kind is not Kind.STRING:
            self.fail("Expected a quoted pattern after LIKE")
        self.advance()
        prefix, exact = _like_prefix(token)
        if exact:
            return Predicate(Op.NE if negated else Op.EQ, ref, (prefix,))
        return Predicate(Op.NOT_STARTS_WITH if negated else Op.STARTS_WITH, ref, (prefix,))

    def between(self, ref: Reference, negated: bool) -> Expression:
        low = self.value("Expected a value after BETWEEN")
        self.expect_keyword("AND", "between the two BETWEEN values")
        high = self.value("Expected a value after AND")
        if negated:
            return Or(Predicate(Op.LT, ref, (low,)), Predicate(Op.GT, ref, (high,)))
        return And(Predicate(Op.GE, ref, (low,)), Predicate(Op.LE, ref, (high,)))

    # -- operands ------------------------------------------------------------------------
    def operand(self, message: str) -> Any:
        token = self.tok
        if token.kind is Kind.NAME and not self.starts_typed_literal():
            self.advance()
            return Reference(token.value, position=token.pos)
        return self.value(message)

    def value(self, message: str) -> Any:
        token = self.tok
        if token.kind in (Kind.NUMBER, Kind.STRING, Kind.BYTES):
            self.advance()
            return token.value
        if self.is_keyword("TRUE", "FALSE", "NULL"):
            self.advance()
            return {"TRUE": True, "FALSE": False, "NULL": None}[token.value]
        if self.starts_typed_literal():
            return self.typed_literal()
        return self.fail(message)

    def starts_typed_literal(self) -> bool:
        token = self.tok
        return (token.kind is Kind.NAME and not token.quoted
                and token.value.upper() in _TYPED_LITERALS
                and self.peek().kind is Kind.STRING)

    def typed_literal(self) -> Any:
        kind_token = self.advance()
        literal = self.advance()
        kind = kind_token.value.upper()
        try:
            return _TYPED_LITERALS[kind](literal.value)
        except ValueError:
            raise FilterError(f"Invalid {kind} literal", position=literal.pos,
                              text=literal.text) from None


def _like_prefix(token: Token) -> tuple[str, bool]:
    """The literal prefix of a LIKE pattern, and whether the pattern has no wildcard.

    Only `'prefix%'` (and wildcard-free patterns) can be pruned with bounds, so other
    patterns are rejected rather than silently evaluated differently. `\\` escapes.
    """
    pattern: str = token.value
    chars: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            chars.append(pattern[i + 1])
            i += 2
            continue
        if ch == "%" and i == len(pattern) - 1:
            return "".join(chars), False
        if ch in "%_":
            raise FilterError("LIKE supports only prefix patterns such as 'abc%' (a wildcard "
                              f"appears at offset {i} of the pattern)",
                              position=token.pos, text=token.text)
        chars.append(ch)
        i += 1
    return "".join(chars), True
