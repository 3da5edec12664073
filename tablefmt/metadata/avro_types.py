"""Iceberg primitive types as Avro types (spec Appendix A "Avro"), and conversion of the
values fastavro decodes back to tablefmt's internal representation."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from tablefmt import types as T
from tablefmt.metadata.conversions import decimal_from_unscaled, decimal_unscaled
from tablefmt.types import IcebergType, decimal_required_bytes

_EPOCH_DATE = dt.date(1970, 1, 1)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def avro_type(t: IcebergType, name_hint: str) -> Any:
    if t == T.BOOLEAN:
        return "boolean"
    if t == T.INT:
        return "int"
    if t == T.LONG:
        return "long"
    if t == T.FLOAT:
        return "float"
    if t == T.DOUBLE:
        return "double"
    if t == T.DATE:
        return {"type": "int", "logicalType": "date"}
    if t == T.TIME:
        return {"type": "long", "logicalType": "time-micros"}
    if t == T.TIMESTAMP:
        return {"type": "long", "logicalType": "timestamp-micros", "adjust-to-utc": False}
    if t == T.TIMESTAMPTZ:
        return {"type": "long", "logicalType": "timestamp-micros", "adjust-to-utc": True}
    if t == T.STRING:
        return "string"
    if t == T.BINARY:
        return "bytes"
    if t == T.UUID:
        return {"type": "fixed", "name": f"uuid_fixed_{name_hint}", "size": 16,
                "logicalType": "uuid"}
    if isinstance(t, T.FixedType):
        return {"type": "fixed", "name": f"fixed_{name_hint}", "size": t.length}
    if isinstance(t, T.DecimalType):
        return {"type": "fixed", "name": f"decimal_{name_hint}",
                "size": decimal_required_bytes(t.precision), "logicalType": "decimal",
                "precision": t.precision, "scale": t.scale}
    raise TypeError(f"No Avro type for partition type {t}")


def to_avro_value(t: IcebergType, value: Any) -> Any:
    """Internal representation -> what fastavro writes for `avro_type(t)`."""
    if value is None:
        return None
    if t == T.DATE:
        return _EPOCH_DATE + dt.timedelta(days=value)
    if t == T.TIME:
        return value  # fastavro writes ints as they are for time-micros
    if t in (T.TIMESTAMP, T.TIMESTAMPTZ):
        return value
    if t == T.UUID:
        return value.bytes if isinstance(value, uuid.UUID) else bytes(value)
    if isinstance(t, T.DecimalType):
        return decimal_from_unscaled(decimal_unscaled(value, t.scale), t.scale)
    return value


def from_avro_value(t: IcebergType, value: Any) -> Any:
    """What fastavro decodes -> internal representation."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return (aware - _EPOCH) // dt.timedelta(microseconds=1)
    if isinstance(value, dt.date):
        return (value - _EPOCH_DATE).days
    if isinstance(value, dt.time):
        return ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 \
            + value.microsecond
    if t == T.UUID:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(bytes=bytes(value))
    if isinstance(t, T.DecimalType) and not isinstance(value, Decimal):
        return decimal_from_unscaled(int.from_bytes(value, "big", signed=True), t.scale)
    return value
