"""The `bucket[N]` transform (Iceberg spec "Bucket Transform Details", Appendix B):
`(murmur3_x86_32(bytes(v)) & Integer.MAX_VALUE) % N`, hashed over whole arrays.

Hash input per type: int, long, date, time, timestamp(tz) as an 8-byte little-endian
long (days; microseconds, UTC); string as UTF-8; binary and fixed as their bytes; uuid
as its 16 big-endian bytes; decimal as the minimal big-endian two's-complement bytes of
its unscaled value (Java's `BigInteger.toByteArray()`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from tablefmt import types as T
from tablefmt.errors import ValidationError
from tablefmt.transforms import murmur3
from tablefmt.transforms.arrays import (
    ArrayLike,
    binary_parts,
    check_kind,
    chunks,
    decimal_bytes,
    fixed_rows,
    integer_values,
    storage,
    temporal_values,
    with_nulls_of,
)
from tablefmt.transforms.base import MAX_WIDTH, Transform
from tablefmt.types import IcebergType

_LONG_HASHED = frozenset({T.INT, T.LONG, T.DATE, T.TIME, T.TIMESTAMP, T.TIMESTAMPTZ})
_BYTES_HASHED = frozenset({T.STRING, T.BINARY, T.UUID})


@dataclass(frozen=True, slots=True, repr=False)
class BucketTransform(Transform):
    """`bucket[N]`: a hash of the value modulo N, as an int in [0, N).

    Example:
        >>> import pyarrow as pa
        >>> BucketTransform(16).apply(pa.array([34, None]), T.LONG).to_pylist()
        [3, None]
    """

    num_buckets: int

    def __post_init__(self) -> None:
        if not 0 < self.num_buckets <= MAX_WIDTH:
            raise ValidationError(f"bucket needs 1 to {MAX_WIDTH} buckets, got "
                                  f"{self.num_buckets}")

    def __str__(self) -> str:
        return f"bucket[{self.num_buckets}]"

    def can_transform(self, source_type: IcebergType) -> bool:
        return (source_type in _LONG_HASHED or source_type in _BYTES_HASHED
                or isinstance(source_type, T.DecimalType | T.FixedType))

    def result_type(self, source_type: IcebergType) -> IcebergType:
        return T.INT

    def _apply_array(self, arr: pa.Array, source_type: IcebergType) -> pa.Array:
        arr = storage(arr)  # nulls of a dictionary's values count after decoding
        hashes = hash_values(arr, source_type)
        buckets = (hashes & np.int32(0x7FFFFFFF)) % np.int32(self.num_buckets)
        return with_nulls_of(buckets.astype(np.int32, copy=False), arr, pa.int32())

    def hash(self, values: ArrayLike, source_type: IcebergType) -> pa.Array:
        """The signed 32-bit murmur3 hash of each value, before `& MAX_VALUE % N` (the
        numbers in the spec's test vectors)."""
        if not self.can_transform(source_type):
            raise ValidationError(f"Cannot hash a {source_type} column for {self}")
        parts = [with_nulls_of(hash_values(c, source_type), c, pa.int32())
                 for c in map(storage, chunks(values))]
        return parts[0] if len(parts) == 1 else pa.concat_arrays(parts)


def hash_values(arr: pa.Array, source_type: IcebergType) -> npt.NDArray[np.int32]:
    """Murmur3 of each slot of `arr` (arbitrary under nulls), per the spec's rules."""
    if source_type in (T.INT, T.LONG):
        return murmur3.hash_longs(integer_values(arr, source_type))
    if source_type in _LONG_HASHED:
        return murmur3.hash_longs(temporal_values(arr, source_type))
    arr = storage(arr)
    t = arr.type
    if isinstance(source_type, T.DecimalType):
        return _hash_decimals(decimal_bytes(arr, source_type))
    if source_type == T.UUID or isinstance(source_type, T.FixedType):
        check_kind(arr, source_type, pa.types.is_fixed_size_binary(t))
        return murmur3.hash_rows(fixed_rows(arr))
    check_kind(arr, source_type, pa.types.is_string(t) or pa.types.is_large_string(t)
               or pa.types.is_binary(t) or pa.types.is_large_binary(t))
    data, offsets = binary_parts(arr)
    return murmur3.hash_binary(data, offsets)


def _hash_decimals(little_endian: npt.NDArray[np.uint8]) -> npt.NDArray[np.int32]:
    """Hash 16-byte two's-complement values by their minimal big-endian bytes: the
    fewest that still hold the sign bit, as Java's `BigInteger.toByteArray()`."""
    words = little_endian.view("<u8")
    high = words[:, 1].view(np.int64)
    sign = high >> 63  # 0, or -1 for negatives: m = x ^ sign is x, or ~x
    magnitude_low = words[:, 0] ^ sign.view(np.uint64)
    magnitude_high = (high ^ sign).view(np.uint64)
    # n bytes hold m when m < 2**(8n - 1): count the thresholds m reaches.
    lengths = np.ones(len(high), dtype=np.int64)
    for n in range(2, 17):
        bit = 8 * n - 9  # m >= 2**bit needs n bytes
        reached = (magnitude_high >= np.uint64(1 << (bit - 64))) if bit >= 64 else \
            (magnitude_high > 0) | (magnitude_low >= np.uint64(1 << bit))
        lengths += reached
    big_endian = np.ascontiguousarray(little_endian[:, ::-1]).reshape(-1)
    starts = np.arange(16, 16 * len(lengths) + 1, 16, dtype=np.int64) - lengths
    return murmur3.hash_slices(big_endian, starts, lengths)
