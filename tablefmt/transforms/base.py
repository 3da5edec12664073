"""The partition transform abstraction (Iceberg spec "Partition Transforms"): what a
transform accepts, what it produces, how it maps Arrow arrays, and how its values read
in partition paths.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from abc import ABC, abstractmethod
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pyarrow as pa

from tablefmt import types as T
from tablefmt.errors import ValidationError
from tablefmt.transforms.arrays import ArrayLike, chunks, literal_array
from tablefmt.types import IcebergType
from tablefmt.values import arrow_to_internal

MAX_WIDTH = 2**31 - 1  # Java holds bucket's N and truncate's W in an int
_EPOCH = dt.datetime(1970, 1, 1)
_EPOCH_UTC = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_EPOCH_DATE = dt.date(1970, 1, 1)


class Transform(ABC):
    """One Iceberg partition transform; `str()` is its spec string (`bucket[16]`).

    Subclasses are immutable and compare by value.
    """

    __slots__ = ()

    @abstractmethod
    def __str__(self) -> str: ...

    @abstractmethod
    def can_transform(self, source_type: IcebergType) -> bool:
        """Whether the spec allows this transform on `source_type`."""

    @abstractmethod
    def result_type(self, source_type: IcebergType) -> IcebergType:
        """The partition value's type for a source column of `source_type`."""

    def apply(self, values: ArrayLike, source_type: IcebergType) -> pa.Array:
        """The partition value of each element of `values` (a source column of
        `source_type`), vectorized; null maps to null.

        Raises:
            ValidationError: the transform does not apply to `source_type`, or the Arrow
                type does not hold `source_type` values.
        """
        if not self.can_transform(source_type):
            raise ValidationError(f"Cannot apply partition transform {self} to a "
                                  f"{source_type} column")
        parts = [self._apply_array(chunk, source_type) for chunk in chunks(values)]
        return parts[0] if len(parts) == 1 else pa.concat_arrays(parts)

    @abstractmethod
    def _apply_array(self, arr: pa.Array, source_type: IcebergType) -> pa.Array: ...

    def apply_values(self, values: Sequence[Any], source_type: IcebergType) -> list[Any]:
        """`apply` on values in internal representation (days, microseconds, Decimal,
        str, bytes, uuid.UUID), e.g. a filter's literals; results likewise.

        Example:
            >>> from tablefmt.transforms import parse_transform
            >>> parse_transform("truncate[10]").apply_values([1, -1, None], T.INT)
            [0, -10, None]
        """
        result = self.apply(literal_array(values, source_type), source_type)
        return [arrow_to_internal(v) for v in result]

    def to_human_string(self, value: Any, result_type: IcebergType) -> str:
        """A partition value (internal representation) as text for partition paths."""
        return human_string(value, result_type)

    def __repr__(self) -> str:
        return f"parse_transform({str(self)!r})"


def human_string(value: Any, t: IcebergType) -> str:
    """A value of type `t` as PyIceberg writes it in partition paths.

    Example:
        >>> human_string(17486, T.DATE), human_string(b"\\x00\\x01", T.BINARY)
        ('2017-11-16', 'AAE=')
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, int) and t in _TEMPORAL_TEXT:
        return _TEMPORAL_TEXT[t](value)
    if isinstance(value, dt.date | dt.time | uuid.UUID | Decimal):
        return value.isoformat() if isinstance(value, dt.date | dt.time) else str(value)
    return str(value)


_TEMPORAL_TEXT = {
    T.DATE: lambda v: (_EPOCH_DATE + dt.timedelta(days=v)).isoformat(),
    T.TIME: lambda v: (_EPOCH + dt.timedelta(microseconds=v)).time().isoformat(),
    T.TIMESTAMP: lambda v: (_EPOCH + dt.timedelta(microseconds=v)).isoformat(),
    T.TIMESTAMPTZ: lambda v: (_EPOCH_UTC + dt.timedelta(microseconds=v)).isoformat(),
}
