"""Arrow scalars <-> tablefmt's internal value representation (Iceberg's physical one:
days, microseconds, unscaled-aware Decimal, str, bytes, uuid.UUID)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pyarrow as pa

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_EPOCH_DATE = dt.date(1970, 1, 1)


def arrow_to_internal(scalar: pa.Scalar) -> Any:
    if not scalar.is_valid:
        return None
    t = scalar.type
    if pa.types.is_date(t):
        return scalar.cast(pa.int32()).as_py()
    if pa.types.is_timestamp(t):
        return scalar.cast(pa.timestamp("us", tz=t.tz)).cast(pa.int64()).as_py()
    if pa.types.is_time(t):
        return scalar.cast(pa.time64("us")).cast(pa.int64()).as_py()
    if isinstance(t, pa.UuidType):
        return uuid.UUID(bytes=scalar.value.as_py()) if hasattr(scalar, "value") \
            else scalar.as_py()
    return scalar.as_py()


def internal_to_python(value: Any, iceberg_type: Any) -> Any:
    """Internal representation -> a friendly Python value (dates, datetimes)."""
    from tablefmt import types as T

    if value is None:
        return None
    if iceberg_type == T.DATE:
        return _EPOCH_DATE + dt.timedelta(days=value)
    if iceberg_type == T.TIMESTAMPTZ:
        return _EPOCH + dt.timedelta(microseconds=value)
    if iceberg_type == T.TIMESTAMP:
        return (_EPOCH + dt.timedelta(microseconds=value)).replace(tzinfo=None)
    if iceberg_type == T.TIME:
        return (dt.datetime.min + dt.timedelta(microseconds=value)).time()
    return value
