"""A small, generic codec for the Apache Thrift compact protocol, enough for Parquet footers.

A Parquet file ends with its FileMetaData struct (see the format's parquet.thrift) written in
the compact protocol, then a 4-byte little-endian length and b"PAR1". `decode_struct` reads such
a struct into a generic tree without any schema: a `Struct` maps field ids to `Field`s (id,
compact type code, value). The caller changes fields by id and `encode_struct` writes the tree
back. Fields go out in ascending id order with the short delta header whenever it fits, as the
C++ writer used by Arrow does, so decode -> encode of a pyarrow footer is byte-exact.
Spec: https://github.com/apache/thrift/blob/master/doc/specs/thrift-compact-protocol.md

Example:
    >>> s, end = decode_struct(b"\\x16\\x04\\x11\\x00")
    >>> s.get(1), s.get(2), end
    (2, True, 4)
    >>> s.set_i64(20, -1)
    >>> encode_struct(s)
    b'\\x16\\x04\\x11\\x06(\\x01\\x00'
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import TypeAlias

__all__ = ["BINARY", "BOOL_FALSE", "BOOL_TRUE", "BYTE", "DOUBLE", "I16", "I32", "I64", "LIST",
           "MAP", "SET", "STRUCT", "Field", "Struct", "ThriftList", "ThriftMap", "Value",
           "decode_struct", "encode_struct"]

BOOL_TRUE, BOOL_FALSE, BYTE, I16, I32, I64, DOUBLE, BINARY, LIST, SET, MAP, STRUCT = range(1, 13)
_BOOLS = (BOOL_TRUE, BOOL_FALSE)
_INT_RANGE = {I16: 1 << 15, I32: 1 << 31, I64: 1 << 63}
_MAX_DEPTH = 64

# A bool struct field holds a bool; a bool inside a list/set/map holds its raw byte (an int).
Value: TypeAlias = "int | float | bytes | ThriftList | ThriftMap | Struct"


@dataclass
class ThriftList:
    """A LIST or SET value (the enclosing type code says which)."""
    elem_type: int
    values: list[Value] = field(default_factory=list)


@dataclass
class ThriftMap:
    """A MAP value; an empty map decodes with key_type == value_type == 0."""
    key_type: int
    value_type: int
    pairs: list[tuple[Value, Value]] = field(default_factory=list)


@dataclass
class Field:
    fid: int
    type: int
    value: Value


@dataclass
class Struct:
    fields: dict[int, Field] = field(default_factory=dict)

    def get(self, fid: int, default: Value | None = None) -> Value | None:
        f = self.fields.get(fid)
        return default if f is None else f.value

    def get_int(self, fid: int) -> int | None:
        """The integer (BYTE/I16/I32/I64) value of `fid`, None when absent."""
        v = self.get(fid)
        if v is None or (isinstance(v, int) and self.fields[fid].type in (BYTE, *_INT_RANGE)):
            return v
        raise ValueError(f"thrift field {fid} is not an integer")

    def get_struct(self, fid: int) -> Struct:
        v = self.get(fid)
        if not isinstance(v, Struct):
            raise ValueError(f"thrift field {fid} is not a struct")
        return v

    def get_list(self, fid: int) -> list[Value]:
        """The elements of LIST/SET field `fid` (the list itself: changes stick)."""
        v = self.get(fid)
        if not isinstance(v, ThriftList):
            raise ValueError(f"thrift field {fid} is not a list")
        return v.values

    def has(self, fid: int) -> bool:
        return fid in self.fields

    def set(self, fid: int, type_code: int, value: Value) -> None:
        """Add or replace field `fid`; fields stay sorted by id."""
        if not BOOL_TRUE <= type_code <= STRUCT:
            raise ValueError(f"unknown thrift type code {type_code}")
        if type_code in _BOOLS:
            type_code = BOOL_TRUE if value else BOOL_FALSE
        self.fields[fid] = Field(fid, type_code, value)
        self.fields = dict(sorted(self.fields.items()))

    def set_i64(self, fid: int, value: int) -> None:
        self.set(fid, I64, value)

    def remove(self, fid: int) -> None:
        self.fields.pop(fid, None)


class _Reader:
    def __init__(self, data: bytes | memoryview, pos: int) -> None:
        self.buf = memoryview(data)
        self.pos = pos

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.buf):
            raise ValueError(f"truncated thrift data at byte {self.pos}")
        self.pos += n
        return bytes(self.buf[self.pos - n:self.pos])

    def byte(self) -> int:
        return self.take(1)[0]

    def varint(self) -> int:
        n = 0
        for shift in range(0, 70, 7):
            b = self.byte()
            n |= (b & 0x7F) << shift
            if not b & 0x80:
                return n
        raise ValueError(f"varint too long at byte {self.pos}")


def _unzigzag(n: int) -> int:
    return (n >> 1) ^ -(n & 1)


def _check_type(t: int) -> int:
    if not BOOL_TRUE <= t <= STRUCT:
        raise ValueError(f"unknown thrift type code {t}")
    return t


def _read_value(r: _Reader, t: int, depth: int) -> Value:
    if t in _BOOLS:  # only reached for container elements: keep the raw byte
        return r.byte()
    if t == BYTE:
        b = r.byte()
        return b - 256 if b > 127 else b
    if t in _INT_RANGE:
        return _unzigzag(r.varint())
    if t == DOUBLE:
        return float(struct.unpack("<d", r.take(8))[0])
    if t == BINARY:
        return r.take(r.varint())
    if t in (LIST, SET):
        head = r.byte()
        size, et = head >> 4, _check_type(head & 0x0F)
        if size == 15:
            size = r.varint()
        return ThriftList(et, [_read_value(r, et, depth + 1) for _ in range(size)])
    if t == MAP:
        size = r.varint()
        kt = vt = 0
        if size:
            head = r.byte()
            kt, vt = _check_type(head >> 4), _check_type(head & 0x0F)
        return ThriftMap(kt, vt, [(_read_value(r, kt, depth + 1), _read_value(r, vt, depth + 1))
                                  for _ in range(size)])
    if t == STRUCT:
        return _read_struct(r, depth + 1)
    raise ValueError(f"unknown thrift type code {t} at byte {r.pos - 1}")


def _read_struct(r: _Reader, depth: int) -> Struct:
    if depth > _MAX_DEPTH:
        raise ValueError("thrift data nested too deeply")
    s, last = Struct(), 0
    while (head := r.byte()) != 0:
        t, delta = head & 0x0F, head >> 4
        fid = last + delta if delta else _unzigzag(r.varint())
        if not -(1 << 15) <= fid < (1 << 15):
            raise ValueError(f"thrift field id {fid} out of range")
        value: Value = t == BOOL_TRUE if t in _BOOLS else _read_value(r, t, depth)
        s.fields[fid] = Field(fid, t, value)
        last = fid
    return s


def decode_struct(data: bytes | memoryview, pos: int = 0) -> tuple[Struct, int]:
    """Decode the struct starting at `pos`; return it and the position after its STOP byte."""
    r = _Reader(data, pos)
    return _read_struct(r, 0), r.pos


def _write_varint(out: bytearray, n: int) -> None:
    while n > 0x7F:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)


def _int(v: Value, lo: int, hi: int) -> int:
    if not isinstance(v, int) or not lo <= v < hi:
        raise ValueError(f"expected an int in [{lo}, {hi}), got {v!r}")
    return v


def _write_value(out: bytearray, t: int, v: Value) -> None:
    if t in _BOOLS:
        out.append(_int(v, 0, 256))
    elif t == BYTE:
        out.append(_int(v, -128, 128) & 0xFF)
    elif t in _INT_RANGE:
        n = _int(v, -_INT_RANGE[t], _INT_RANGE[t])
        _write_varint(out, (n << 1) ^ (n >> 63))
    elif t == DOUBLE and isinstance(v, float | int):
        out += struct.pack("<d", v)
    elif t == BINARY and isinstance(v, bytes):
        _write_varint(out, len(v))
        out += v
    elif t in (LIST, SET) and isinstance(v, ThriftList):
        et, size = _check_type(v.elem_type), len(v.values)
        if size < 15:
            out.append(size << 4 | et)
        else:
            out.append(0xF0 | et)
            _write_varint(out, size)
        for item in v.values:
            _write_value(out, et, item)
    elif t == MAP and isinstance(v, ThriftMap):
        _write_varint(out, len(v.pairs))
        if v.pairs:
            out.append(_check_type(v.key_type) << 4 | _check_type(v.value_type))
        for key, val in v.pairs:
            _write_value(out, v.key_type, key)
            _write_value(out, v.value_type, val)
    elif t == STRUCT and isinstance(v, Struct):
        _write_struct(out, v)
    else:
        raise ValueError(f"cannot encode {type(v).__name__} as thrift type code {t}")


def _write_struct(out: bytearray, s: Struct) -> None:
    last = 0
    for fid in sorted(s.fields):
        f = s.fields[fid]
        _int(fid, -(1 << 15), 1 << 15)
        t = (BOOL_TRUE if f.value else BOOL_FALSE) if f.type in _BOOLS else _check_type(f.type)
        if 0 < fid - last <= 15:
            out.append((fid - last) << 4 | t)
        else:
            out.append(t)
            _write_varint(out, (fid << 1) ^ (fid >> 63))
        if t not in _BOOLS:
            _write_value(out, t, f.value)
        last = fid
    out.append(0)


def encode_struct(s: Struct) -> bytes:
    """Encode `s` (fields in ascending id order, short headers where they fit)."""
    out = bytearray()
    _write_struct(out, s)
    return bytes(out)
