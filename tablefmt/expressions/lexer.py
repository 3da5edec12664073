"""Tokenizer for SQL-style filter strings: names, numbers, quoted strings, operators.

Every token keeps its 0-based start offset so that errors can point at it.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tablefmt.errors import FilterError
from tablefmt.expressions.tree import KEYWORDS


class Kind(enum.Enum):
    NAME = "name"          # value: the (dotted) column name
    KEYWORD = "keyword"    # value: upper-cased keyword
    NUMBER = "number"      # value: int or Decimal
    STRING = "string"      # value: str
    BYTES = "bytes"        # value: bytes, from X'0A1B'
    OP = "operator"        # value: canonical operator text
    LPAREN = "("
    RPAREN = ")"
    COMMA = ","
    END = "end"


@dataclass(frozen=True, slots=True)
class Token:
    kind: Kind
    value: Any
    text: str          # the source text of the token
    pos: int
    quoted: bool = False  # a NAME with a double-quoted part


_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_BARE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPERATORS = {"==": "=", "!=": "!=", "<>": "!=", "<=": "<=", ">=": ">=",
              "=": "=", "<": "<", ">": ">"}
_PUNCT = {"(": Kind.LPAREN, ")": Kind.RPAREN, ",": Kind.COMMA}


def tokenize(text: str) -> list[Token]:
    """Split `text` into tokens, ending with one END token at `len(text)`."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        ch = text[pos]
        if ch.isspace():
            pos += 1
            continue
        token = _next_token(text, pos)
        tokens.append(token)
        pos = token.pos + len(token.text)
    tokens.append(Token(Kind.END, None, "", len(text)))
    return tokens


def _next_token(text: str, pos: int) -> Token:
    ch = text[pos]
    if ch in _PUNCT:
        return Token(_PUNCT[ch], ch, ch, pos)
    if ch == "'":
        value, end = _quoted(text, pos, "'", "string literal")
        return Token(Kind.STRING, value, text[pos:end], pos)
    if ch in "xX" and text[pos + 1:pos + 2] == "'":
        return _bytes_literal(text, pos)
    if ch == '"' or _BARE.match(text, pos):
        return _name(text, pos)
    if number := _NUMBER.match(text, pos):
        raw = number.group()
        is_int = not any(c in raw for c in ".eE")
        return Token(Kind.NUMBER, int(raw) if is_int else Decimal(raw), raw, pos)
    for op_text, canonical in _OPERATORS.items():
        if text.startswith(op_text, pos):
            return Token(Kind.OP, canonical, op_text, pos)
    raise FilterError(f"Unexpected character {ch!r} in filter", position=pos, text=ch)


def _quoted(text: str, pos: int, quote: str, what: str) -> tuple[str, int]:
    """The content of a quoted run starting at `pos` (doubled quotes escape) and its end."""
    parts: list[str] = []
    i = pos + 1
    while True:
        j = text.find(quote, i)
        if j < 0:
            raise FilterError(f"Unterminated {what}: missing closing {quote}",
                              position=pos, text=text[pos:])
        parts.append(text[i:j])
        if text.startswith(quote * 2, j):
            parts.append(quote)
            i = j + 2
            continue
        return "".join(parts), j + 1


def _bytes_literal(text: str, pos: int) -> Token:
    hex_text, end = _quoted(text, pos + 1, "'", "binary literal")
    try:
        value = bytes.fromhex(hex_text)
    except ValueError:
        raise FilterError("A binary literal X'..' holds hex digits only",
                          position=pos, text=text[pos:end]) from None
    return Token(Kind.BYTES, value, text[pos:end], pos)


def _name(text: str, pos: int) -> Token:
    """A column name of one or more dot-separated parts, each bare or double-quoted."""
    parts: list[str] = []
    quoted = False
    i = pos
    while True:
        if text.startswith('"', i):
            part, i = _quoted(text, i, '"', "quoted name")
            if not part:
                raise FilterError("A quoted column name cannot be empty", position=i - 2,
                                  text='""')
            quoted = True
        elif bare := _BARE.match(text, i):
            part, i = bare.group(), bare.end()
        else:
            raise FilterError("Expected a column name after '.'", position=i,
                              text=text[i:i + 1] or None)
        parts.append(part)
        if not text.startswith(".", i):
            break
        i += 1
    raw = text[pos:i]
    if not quoted and len(parts) == 1 and parts[0].upper() in KEYWORDS:
        return Token(Kind.KEYWORD, parts[0].upper(), raw, pos)
    return Token(Kind.NAME, ".".join(parts), raw, pos, quoted)
