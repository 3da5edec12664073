"""Serialized bounds (Iceberg spec Appendix D) decoded in bulk: one bound per file (or per
manifest) becomes one Arrow array of order keys, null where `facts.decode_bound` gives
None for that bound (absent, unreadable or NaN). Used by the vectorized evaluators."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tablefmt import types as T
from tablefmt.expressions.literals import order_key
from tablefmt.types import IcebergType

# Integers of every width and the temporal types (days, microseconds) compare as int64.
_INTEGRAL = {T.INT: ("<i4",), T.DATE: ("<i4",), T.LONG: ("<i8", "<i4"), T.TIME: ("<i8",),
             T.TIMESTAMP: ("<i8",), T.TIMESTAMPTZ: ("<i8",)}
# A 4-byte bound of a double column was written as float (type promotion).
_FLOATING = {T.FLOAT: ("<f4",), T.DOUBLE: ("<f8", "<f4")}
_BYTES = {T.STRING, T.BINARY}


def order_key_type(t: IcebergType) -> pa.DataType:
    """The Arrow type holding `t`'s order keys (`literals.order_key`)."""
    if t in _INTEGRAL:
        return pa.int64()
    if t in _FLOATING:
        return pa.float64()
    if t == T.BOOLEAN:
        return pa.bool_()
    if isinstance(t, T.DecimalType):
        return pa.decimal128(38, t.scale)
    return pa.binary()  # string (UTF-8 bytes), binary, fixed, uuid


def key_scalar(t: IcebergType, value: Any) -> pa.Scalar:
    """A literal (internal representation) as an Arrow scalar of `order_key_type(t)`."""
    key = order_key(t, value)
    if t == T.UUID:
        key = key.bytes
    return pa.scalar(key, order_key_type(t))


def decode_bounds(t: IcebergType, data: pa.Array) -> pa.Array:
    """Decode a binary array of serialized single values of type `t` into order keys.

    Example:
        >>> from tablefmt.metadata.conversions import to_bytes
        >>> data = pa.array([to_bytes(T.LONG, 7), None, b"bad"], pa.binary())
        >>> decode_bounds(T.LONG, data).to_pylist()
        [7, None, None]
    """
    if data.type != pa.binary():
        data = data.cast(pa.binary())
    if t in _INTEGRAL:
        values, ok = _fixed_width(data, _INTEGRAL[t], np.int64)
        return pa.array(values, pa.int64(), mask=~ok)
    if t in _FLOATING:
        values, ok = _fixed_width(data, _FLOATING[t], np.float64)
        # A NaN bound says nothing (some writers put NaN in float bounds).
        return pa.array(values, pa.float64(), mask=~ok | np.isnan(values))
    if t == T.BOOLEAN:
        values, ok = _fixed_width(data, ("<u1",), np.int64)
        return pa.array(values != 0, pa.bool_(), mask=~ok)
    if t == T.UUID:
        return _with_nulls(data, _lengths(data) != 16)
    if isinstance(t, T.DecimalType):
        return _decimals(data, t.scale)
    if t in _BYTES or isinstance(t, T.FixedType):
        return data
    return pa.nulls(len(data), pa.binary())


def _offsets(data: pa.Array) -> np.ndarray:
    offsets: np.ndarray = np.frombuffer(data.buffers()[1], dtype=np.int32,
                                        count=len(data) + 1, offset=data.offset * 4)
    return offsets


def _lengths(data: pa.Array) -> np.ndarray:
    lengths: np.ndarray = np.diff(_offsets(data))
    return lengths


def _valid(data: pa.Array) -> np.ndarray:
    valid: np.ndarray = data.is_valid().to_numpy(zero_copy_only=False)
    return valid


def _with_nulls(data: pa.Array, invalid: np.ndarray) -> pa.Array:
    if not invalid.any():
        return data
    return pc.if_else(pa.array(invalid), pa.scalar(None, data.type), data)


def _fixed_bytes(data: pa.Array, width: int, rows: np.ndarray) -> np.ndarray:
    """The `width` bytes of each selected row, as a (rows, width) uint8 array."""
    buffer = data.buffers()[2]
    raw = np.frombuffer(buffer, dtype=np.uint8) if buffer is not None else np.zeros(0, np.uint8)
    picked: np.ndarray = raw[_offsets(data)[rows][:, None] + np.arange(width)]
    return picked


def _fixed_width(data: pa.Array, layouts: tuple[str, ...],
                 out: type[np.generic]) -> tuple[np.ndarray, np.ndarray]:
    """Rows whose length is one of `layouts`' (numpy dtypes) widths, decoded, and which
    rows were; the others cannot be read (`from_bytes` raises)."""
    lengths, valid = _lengths(data), _valid(data)
    values = np.zeros(len(data), out)
    ok = np.zeros(len(data), bool)
    for layout in layouts:
        dtype = np.dtype(layout)
        rows = np.flatnonzero(valid & (lengths == dtype.itemsize))
        if len(rows):
            values[rows] = _fixed_bytes(data, dtype.itemsize, rows).copy().view(dtype)[:, 0]
            ok[rows] = True
    return values, ok


def _decimals(data: pa.Array, scale: int) -> pa.Array:
    """Big-endian two's-complement unscaled values of up to 16 bytes as decimal128(38,
    scale); longer ones, which no 38-digit decimal needs, are null (unknown)."""
    n = len(data)
    lengths = _lengths(data)
    rows = np.flatnonzero(_valid(data) & (lengths <= 16))
    little = np.zeros((n, 16), np.uint8)
    for width in np.unique(lengths[rows]).tolist():
        if width == 0:
            continue  # int.from_bytes(b"", "big") == 0
        picked = rows[lengths[rows] == width]
        big = _fixed_bytes(data, width, picked)
        little[picked, :width] = big[:, ::-1]
        little[picked[big[:, 0] >= 0x80], width:] = 0xFF  # sign extension
    valid = np.zeros(n, bool)
    valid[rows] = True
    return pa.Array.from_buffers(pa.decimal128(38, scale), n,
                                 [pa.array(valid).buffers()[1], pa.py_buffer(little.tobytes())])
