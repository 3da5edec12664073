"""The `truncate[W]` transform (Iceberg spec "Truncate Transform Details").

int/long: `v - (((v % W) + W) % W)`, in the column's width (wrapping at the type's
ends as Java's int/long arithmetic does); decimal: the same on the unscaled value;
string: the first W code points; binary: the first W bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tablefmt import types as T
from tablefmt.errors import ValidationError
from tablefmt.transforms.arrays import (
    check_kind,
    decimal_bytes,
    integer_values,
    storage,
    with_nulls_of,
)
from tablefmt.transforms.base import MAX_WIDTH, Transform
from tablefmt.types import IcebergType

_SOURCES = frozenset({T.INT, T.LONG, T.STRING, T.BINARY})


@dataclass(frozen=True, slots=True, repr=False)
class TruncateTransform(Transform):
    """`truncate[W]`: values rounded down to a multiple of W, or cut to W characters.

    Example:
        >>> import pyarrow as pa
        >>> TruncateTransform(3).apply(pa.array(["iceberg", None]), T.STRING).to_pylist()
        ['ice', None]
    """

    width: int

    def __post_init__(self) -> None:
        if not 0 < self.width <= MAX_WIDTH:
            raise ValidationError(f"truncate needs a width of 1 to {MAX_WIDTH}, got "
                                  f"{self.width}")

    def __str__(self) -> str:
        return f"truncate[{self.width}]"

    def can_transform(self, source_type: IcebergType) -> bool:
        return source_type in _SOURCES or isinstance(source_type, T.DecimalType)

    def result_type(self, source_type: IcebergType) -> IcebergType:
        return source_type

    def _apply_array(self, arr: pa.Array, source_type: IcebergType) -> pa.Array:
        arr = storage(arr)
        if source_type in (T.INT, T.LONG):
            return self._integers(arr, source_type)
        t = arr.type
        if isinstance(source_type, T.DecimalType):
            return self._decimals(arr, source_type)
        if source_type == T.STRING:
            check_kind(arr, source_type, pa.types.is_string(t) or pa.types.is_large_string(t))
            # Arrow's "codeunits" slice counts code points, the spec's unit for strings.
            return pc.utf8_slice_codeunits(arr, 0, self.width)
        check_kind(arr, source_type, pa.types.is_binary(t) or pa.types.is_large_binary(t)
                   or pa.types.is_fixed_size_binary(t))
        return pc.binary_slice(arr, 0, self.width)

    def _integers(self, arr: pa.Array, source_type: IcebergType) -> pa.Array:
        dtype, arrow_type = (np.int32, pa.int32()) if source_type == T.INT \
            else (np.int64, pa.int64())
        values = integer_values(arr, source_type).astype(dtype)
        # numpy's % takes the divisor's sign, so `v % W` is already the positive remainder.
        truncated = values - np.mod(values, dtype(self.width))
        return with_nulls_of(truncated, arr, arrow_type)

    def _decimals(self, arr: pa.Array, source_type: T.DecimalType) -> pa.Array:
        """128-bit `v - v mod W` on each unscaled value, as (low, high) 64-bit words."""
        words = decimal_bytes(arr, source_type).view("<u8")
        low, high = words[:, 0], words[:, 1].view(np.int64)
        width = self.width
        # v mod W = (high * 2**64 + low) mod W, from parts below 2**62 (W < 2**31).
        remainder = (np.mod(high, width).astype(np.uint64) * np.uint64(2**64 % width)
                     + np.mod(low, np.uint64(width))) % np.uint64(width)
        out = np.empty((len(arr), 2), dtype=np.uint64)
        out[:, 0] = low - remainder
        out[:, 1] = (high - (low < remainder)).view(np.uint64)
        arrow_type = arr.type if pa.types.is_decimal128(arr.type) \
            else pa.decimal128(arr.type.precision, arr.type.scale)
        return with_nulls_of(out.reshape(-1), arr, arrow_type)
