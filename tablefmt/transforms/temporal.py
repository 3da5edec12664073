"""The `year`, `month`, `day` and `hour` transforms (Iceberg spec "Partition Transforms"):
whole periods since 1970-01-01T00:00 UTC, floored, so 1969-12-31 is day -1, month -1
and year -1.

year, month, hour: int; day: date (days since the epoch, Arrow `date32`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from tablefmt import types as T
from tablefmt.transforms.arrays import storage, temporal_values, with_nulls_of
from tablefmt.transforms.base import Transform
from tablefmt.types import IcebergType

Ints = npt.NDArray[np.int64]

_DATE_OR_TIMESTAMP = frozenset({T.DATE, T.TIMESTAMP, T.TIMESTAMPTZ})
_TIMESTAMP = frozenset({T.TIMESTAMP, T.TIMESTAMPTZ})
_MICROS_PER_HOUR = 3_600_000_000
_MICROS_PER_DAY = 24 * _MICROS_PER_HOUR
_EPOCH = dt.datetime(1970, 1, 1)
_CHUNK = 1 << 16


class TimeTransform(Transform):
    """A transform to whole periods since the epoch, floored (before 1970 too)."""

    __slots__ = ()

    name: ClassVar[str]
    sources: ClassVar[frozenset[IcebergType]] = _DATE_OR_TIMESTAMP

    def __str__(self) -> str:
        return self.name

    def can_transform(self, source_type: IcebergType) -> bool:
        return source_type in self.sources

    def result_type(self, source_type: IcebergType) -> IcebergType:
        return T.INT

    def _apply_array(self, arr: pa.Array, source_type: IcebergType) -> pa.Array:
        arr = storage(arr)
        values = temporal_values(arr, source_type)
        convert = self.from_days if source_type == T.DATE else self.from_micros
        periods = np.empty(len(values), dtype=np.int32)
        for lo in range(0, len(values), _CHUNK):  # steps over data that stays in cache
            periods[lo:lo + _CHUNK] = convert(values[lo:lo + _CHUNK])
        arrow_type = pa.date32() if self.result_type(source_type) == T.DATE else pa.int32()
        return with_nulls_of(periods, arr, arrow_type)

    def from_days(self, days: Ints) -> Ints:
        """Periods of the days since the epoch."""
        return self.from_micros(days * _MICROS_PER_DAY)

    def from_micros(self, micros: Ints) -> Ints:
        """Periods of the microseconds since the epoch."""
        raise NotImplementedError


@dataclass(frozen=True, slots=True, repr=False)
class YearTransform(TimeTransform):
    """`year`: years since 1970."""

    name: ClassVar[str] = "year"

    def from_days(self, days: Ints) -> Ints:
        return _cast(days, "datetime64[D]", "datetime64[Y]")

    def from_micros(self, micros: Ints) -> Ints:
        return _cast(micros, "datetime64[us]", "datetime64[Y]")

    def to_human_string(self, value: Any, result_type: IcebergType) -> str:
        return "null" if value is None else f"{1970 + value:04d}"


@dataclass(frozen=True, slots=True, repr=False)
class MonthTransform(TimeTransform):
    """`month`: months since 1970-01."""

    name: ClassVar[str] = "month"

    def from_days(self, days: Ints) -> Ints:
        return _cast(days, "datetime64[D]", "datetime64[M]")

    def from_micros(self, micros: Ints) -> Ints:
        return _cast(micros, "datetime64[us]", "datetime64[M]")

    def to_human_string(self, value: Any, result_type: IcebergType) -> str:
        if value is None:
            return "null"
        return f"{1970 + value // 12:04d}-{value % 12 + 1:02d}"


@dataclass(frozen=True, slots=True, repr=False)
class DayTransform(TimeTransform):
    """`day`: the date (days since 1970-01-01)."""

    name: ClassVar[str] = "day"

    def result_type(self, source_type: IcebergType) -> IcebergType:
        return T.DATE

    def from_days(self, days: Ints) -> Ints:
        return days

    def from_micros(self, micros: Ints) -> Ints:
        return np.floor_divide(micros, _MICROS_PER_DAY)

    def to_human_string(self, value: Any, result_type: IcebergType) -> str:
        if isinstance(value, dt.date):
            return value.isoformat()
        return "null" if value is None else \
            (_EPOCH + dt.timedelta(days=value)).date().isoformat()


@dataclass(frozen=True, slots=True, repr=False)
class HourTransform(TimeTransform):
    """`hour`: hours since 1970-01-01T00:00 (timestamps only)."""

    name: ClassVar[str] = "hour"
    sources: ClassVar[frozenset[IcebergType]] = _TIMESTAMP

    def from_micros(self, micros: Ints) -> Ints:
        return np.floor_divide(micros, _MICROS_PER_HOUR)

    def to_human_string(self, value: Any, result_type: IcebergType) -> str:
        if value is None:
            return "null"
        return (_EPOCH + dt.timedelta(hours=value)).isoformat("-", "hours")


def _cast(values: Ints, unit: str, period: str) -> Ints:
    """Periods since the epoch of `values` counted in `unit`: numpy's datetime64 unit
    casts floor, the spec's rule before 1970 too."""
    return values.astype(unit).astype(period).astype(np.int64)
