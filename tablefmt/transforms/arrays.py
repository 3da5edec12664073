"""Arrow arrays <-> numpy views for the partition transforms (spec "Partition Transforms"):
values in Iceberg's physical form (ints; days; microseconds; raw bytes) read straight
from Arrow buffers, and results rebuilt with the input's nulls.

Buffer views ignore validity: slots under a null hold arbitrary values, so every
computation on them must be total (no errors, no warnings), and the result takes its
nulls from the input.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from tablefmt import types as T
from tablefmt.errors import ValidationError
from tablefmt.types import IcebergType

ArrayLike: TypeAlias = pa.Array | pa.ChunkedArray

_MICROS_PER: dict[str, int] = {"s": 1_000_000, "ms": 1_000, "us": 1, "ns": 1}
_INTEGER_SOURCES = frozenset({T.INT, T.LONG})
_TEMPORAL_SOURCES = frozenset({T.DATE, T.TIME, T.TIMESTAMP, T.TIMESTAMPTZ})


def chunks(values: ArrayLike) -> list[pa.Array]:
    """The arrays of `values`: at least one (an empty one for an empty ChunkedArray)."""
    if isinstance(values, pa.ChunkedArray):
        return list(values.chunks) or [pa.array([], type=values.type)]
    if isinstance(values, pa.Array):
        return [values]
    raise ValidationError(f"Expected a pyarrow Array or ChunkedArray, got "
                          f"{type(values).__name__}")


def storage(arr: pa.Array) -> pa.Array:
    """`arr` without dictionary encoding or extension type (a uuid's fixed-size bytes)."""
    if isinstance(arr, pa.ExtensionArray):
        arr = arr.storage
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    if pa.types.is_string_view(arr.type):
        arr = arr.cast(pa.large_string())
    elif pa.types.is_binary_view(arr.type):
        arr = arr.cast(pa.large_binary())
    return arr


def buffer_values(arr: pa.Array, dtype: npt.DTypeLike) -> npt.NDArray[Any]:
    """Zero-copy view of a fixed-width array's values (garbage under nulls)."""
    return buffer_values_n(arr.buffers()[1], dtype, arr.offset, len(arr))


def integer_values(arr: pa.Array, source_type: IcebergType) -> npt.NDArray[np.int64]:
    """int/long values as int64, from any Arrow integer array."""
    arr = storage(arr)
    if source_type not in _INTEGER_SOURCES or not pa.types.is_integer(arr.type):
        raise _mismatch(arr, source_type)
    return buffer_values(arr, arr.type.to_pandas_dtype()).astype(np.int64, copy=False)


def temporal_values(arr: pa.Array, source_type: IcebergType) -> npt.NDArray[np.int64]:
    """Days (date) or microseconds (time, timestamp, timestamptz: UTC) as int64.

    Arrow dates, times and timestamps of any unit are converted, flooring finer units;
    plain integer arrays are taken to hold days or microseconds already.
    """
    arr = storage(arr)
    t = arr.type
    if source_type not in _TEMPORAL_SOURCES:
        raise _mismatch(arr, source_type)
    if pa.types.is_integer(t):
        return buffer_values(arr, t.to_pandas_dtype()).astype(np.int64, copy=False)
    if source_type == T.DATE and pa.types.is_date32(t):
        return buffer_values(arr, np.int32).astype(np.int64)
    if source_type == T.DATE and pa.types.is_date64(t):
        days: npt.NDArray[np.int64] = np.floor_divide(buffer_values(arr, np.int64), 86_400_000)
        return days
    if source_type == T.TIME and pa.types.is_time(t):
        raw = buffer_values(arr, np.int32 if pa.types.is_time32(t) else np.int64)
        return _to_micros(raw.astype(np.int64), t.unit)
    if source_type in (T.TIMESTAMP, T.TIMESTAMPTZ) and pa.types.is_timestamp(t):
        # Arrow stores instants in UTC whatever the zone, as Iceberg's timestamptz does.
        return _to_micros(buffer_values(arr, np.int64), t.unit)
    raise _mismatch(arr, source_type)


def _to_micros(raw: npt.NDArray[np.int64], unit: str) -> npt.NDArray[np.int64]:
    if unit == "ns":
        return np.floor_divide(raw, 1000)  # spec: timestamp_ns is converted to µs first
    factor = _MICROS_PER[unit]
    return raw * factor if factor != 1 else raw


def binary_parts(arr: pa.Array) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64]]:
    """A string/binary array's data bytes and its n + 1 offsets into them (zero-copy)."""
    t = arr.type
    large = pa.types.is_large_string(t) or pa.types.is_large_binary(t)
    offsets = buffer_values_n(arr.buffers()[1], np.int64 if large else np.int32,
                              arr.offset, len(arr) + 1).astype(np.int64, copy=False)
    data_buffer = arr.buffers()[2]
    data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None \
        else np.zeros(0, dtype=np.uint8)
    return data, offsets


def buffer_values_n(buffer: pa.Buffer | None, dtype: npt.DTypeLike, offset: int,
                    count: int) -> npt.NDArray[Any]:
    """`count` values of `dtype` from `buffer`, starting at element `offset`."""
    dtype = np.dtype(dtype)
    if buffer is None or count == 0:
        return np.zeros(count, dtype=dtype)
    return np.frombuffer(buffer, dtype=dtype, count=count, offset=offset * dtype.itemsize)


def fixed_rows(arr: pa.Array) -> npt.NDArray[np.uint8]:
    """A fixed-size binary array as an `(n, width)` byte matrix (zero-copy)."""
    width = arr.type.byte_width
    raw = buffer_values_n(arr.buffers()[1], np.uint8, arr.offset * width, len(arr) * width)
    return raw.reshape(len(arr), width)


def decimal_bytes(arr: pa.Array, source_type: T.DecimalType) -> npt.NDArray[np.uint8]:
    """Each decimal's unscaled value as 16 little-endian two's-complement bytes."""
    t = arr.type
    if not pa.types.is_decimal(t) or t.scale != source_type.scale or t.precision > 38:
        raise _mismatch(arr, source_type)
    if not pa.types.is_decimal128(t):
        arr = arr.cast(pa.decimal128(38, t.scale))
    return buffer_values_n(arr.buffers()[1], np.uint8, arr.offset * 16,
                           len(arr) * 16).reshape(len(arr), 16)


def with_nulls_of(values: npt.NDArray[Any], like: pa.Array, arrow_type: pa.DataType
                  ) -> pa.Array:
    """An array of `arrow_type` with `values` as its data buffer (one value per element
    of `like`, or its bytes), null exactly where `like` is."""
    values = np.ascontiguousarray(values)
    validity = None
    if like.null_count:
        valid = like.is_valid()
        if valid.offset != 0:
            valid = pa.concat_arrays([valid])
        validity = valid.buffers()[1]
    return pa.Array.from_buffers(arrow_type, len(like), [validity, pa.py_buffer(values)],
                                 null_count=like.null_count)


def literal_array(values: Sequence[Any], source_type: IcebergType) -> pa.Array:
    """Values in internal representation as an Arrow array the transforms accept."""
    if isinstance(source_type, T.DecimalType):
        # Full precision: a boundary one unit past the column's precision still converts.
        return pa.array(values, pa.decimal128(38, source_type.scale))
    if isinstance(source_type, T.FixedType):
        return pa.array(values, pa.binary(source_type.length))
    if source_type == T.UUID:
        return pa.array([None if v is None else v.bytes for v in values], pa.binary(16))
    arrow_type = _LITERAL_TYPES.get(source_type)
    if arrow_type is None:
        raise ValidationError(f"No partition transform takes {source_type} values")
    return pa.array(values, arrow_type)


_LITERAL_TYPES: dict[IcebergType, pa.DataType] = {
    T.INT: pa.int32(), T.LONG: pa.int64(), T.DATE: pa.int32(), T.TIME: pa.int64(),
    T.TIMESTAMP: pa.int64(), T.TIMESTAMPTZ: pa.int64(), T.STRING: pa.string(),
    T.BINARY: pa.binary(), T.BOOLEAN: pa.bool_(), T.FLOAT: pa.float32(),
    T.DOUBLE: pa.float64(),
}


def check_kind(arr: pa.Array, source_type: IcebergType, ok: bool) -> None:
    if not ok:
        raise _mismatch(arr, source_type)


def _mismatch(arr: pa.Array, source_type: IcebergType) -> ValidationError:
    return ValidationError(f"Arrow {arr.type} values do not fit Iceberg type {source_type}")
