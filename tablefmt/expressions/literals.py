"""Filter literals converted to a column's Iceberg type, in the internal representation of
`tablefmt.metadata.conversions` (days, microseconds, Decimal at the column's scale, ...).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import struct
import uuid
from collections.abc import Callable
from decimal import Decimal, InvalidOperation, localcontext
from typing import Any

from tablefmt import types as T
from tablefmt.types import IcebergType

EPOCH_DATE = dt.date(1970, 1, 1)
EPOCH = dt.datetime(1970, 1, 1)
EPOCH_UTC = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICRO = dt.timedelta(microseconds=1)
_INT_RANGES: dict[IcebergType, tuple[int, int]] = {
    T.INT: (-(2**31), 2**31 - 1), T.LONG: (-(2**63), 2**63 - 1)}
_FLOAT32_MAX = 3.4028234663852886e38
_SUB_MICROSECOND = re.compile(r":\d\d[.,]\d{7,}")
FLOATING = frozenset({T.FLOAT, T.DOUBLE})
TEMPORAL = frozenset({T.DATE, T.TIME, T.TIMESTAMP, T.TIMESTAMPTZ})


class CoercionError(ValueError):
    """A literal does not fit a column type; the message says why (binding adds context)."""


def coerce_literal(t: IcebergType, value: Any) -> Any:
    """Convert a Python literal to type `t`'s internal representation, exactly or not at all.

    Example:
        >>> coerce_literal(T.DATE, "1970-01-11")
        10
    """
    if isinstance(t, T.DecimalType):
        return _to_decimal(t, value)
    if isinstance(t, T.FixedType):
        return _to_fixed(t, value)
    convert = _CONVERTERS.get(t)
    if convert is None:
        raise CoercionError(f"a {t} column cannot be compared with a value")
    return convert(t, value)


def internal_value(t: IcebergType, value: Any) -> Any:
    """`value` if it already is in `t`'s internal representation, else `coerce_literal`."""
    if value is None:
        return None
    expected = _INTERNAL_CLASS.get(t)
    if isinstance(t, T.DecimalType):
        expected = Decimal
    elif isinstance(t, T.FixedType):
        expected = bytes
    if expected is not None and isinstance(value, expected) and not (
            expected is int and isinstance(value, bool)):
        return value
    return coerce_literal(t, value)


def to_python(t: IcebergType, value: Any) -> Any:
    """The readable Python value for an internal one (days -> date, microseconds -> ...)."""
    try:
        if t == T.DATE:
            return EPOCH_DATE + dt.timedelta(days=value)
        if t == T.TIME:
            return (EPOCH + value * _MICRO).time()
        if t == T.TIMESTAMP:
            return EPOCH + value * _MICRO
        if t == T.TIMESTAMPTZ:
            return EPOCH_UTC + value * _MICRO
    except OverflowError:
        return value
    return value


def order_key(t: IcebergType, value: Any) -> Any:
    """A value that sorts like Iceberg orders `t`: strings by their UTF-8 bytes (which also
    keeps bounds truncated mid-character, decoded with surrogateescape, comparable)."""
    if t == T.STRING and isinstance(value, str):
        return value.encode("utf-8", "surrogateescape")
    return value


# -- converters ----------------------------------------------------------------------------

def _describe(value: Any) -> str:
    return f"a {type(value).__name__}" if not isinstance(value, str) else "a string"


def _to_boolean(t: IcebergType, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise CoercionError(f"{_describe(value)} is not a boolean; use TRUE or FALSE")


def _to_integer(t: IcebergType, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        hint = " (remove the quotes)" if isinstance(value, str) else ""
        raise CoercionError(f"{_describe(value)} is not a number{hint}")
    if isinstance(value, float) and not value.is_integer():
        raise CoercionError("it is not a whole number")
    if isinstance(value, Decimal) and not (value.is_finite()
                                           and value == value.to_integral_value()):
        raise CoercionError("it is not a whole number")
    value = int(value)
    low, high = _INT_RANGES[t]
    if not low <= value <= high:
        raise CoercionError(f"it is out of range for {t} ({low} to {high})")
    return int(value)


def _to_floating(t: IcebergType, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        hint = " (remove the quotes)" if isinstance(value, str) else ""
        raise CoercionError(f"{_describe(value)} is not a number{hint}")
    try:
        result = float(value)
    except OverflowError:
        raise CoercionError(f"it is out of range for {t}") from None
    if math.isnan(result):
        raise CoercionError("NaN never compares equal; use is_nan() / IS NAN")
    if t == T.FLOAT and math.isfinite(result):
        if abs(result) > _FLOAT32_MAX:
            raise CoercionError("it is out of range for float")
        # The column holds 32-bit floats: compare with the value the column can hold.
        result = struct.unpack("<f", struct.pack("<f", result))[0]
    elif math.isinf(result) and not (isinstance(value, float) and math.isinf(value)):
        raise CoercionError(f"it is out of range for {t}")
    return result


def _to_decimal(t: T.DecimalType, value: Any) -> Decimal:
    if isinstance(value, bool):
        raise CoercionError("a bool is not a number")
    try:
        if isinstance(value, float):
            value = Decimal(repr(value))  # the literal as written, not its binary expansion
        elif isinstance(value, int | str):
            value = Decimal(value)
    except InvalidOperation:
        raise CoercionError(f"{value!r} is not a decimal number") from None
    if not isinstance(value, Decimal):
        raise CoercionError(f"{_describe(value)} is not a number")
    if not value.is_finite():
        raise CoercionError("it is not a finite number")
    with localcontext() as ctx:
        ctx.prec = max(100, t.precision + 2)
        try:
            exact = value.quantize(Decimal(1).scaleb(-t.scale))
        except InvalidOperation:
            raise CoercionError(f"it has more than {t.precision} digits") from None
    if exact != value:
        raise CoercionError(f"it has more than {t.scale} digits after the decimal point")
    if abs(exact.scaleb(t.scale)) >= 10**t.precision:
        raise CoercionError(f"it has more than {t.precision} digits")
    return exact


def _to_date(t: IcebergType, value: Any) -> int:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None or value.time() != dt.time():
            raise CoercionError("a datetime with a time of day is not a date")
        value = value.date()
    if isinstance(value, str):
        value = _parse(dt.date.fromisoformat, value, "a date 'YYYY-MM-DD'")
    if not isinstance(value, dt.date):
        raise CoercionError(f"{_describe(value)} is not a date; use 'YYYY-MM-DD'")
    return (value - EPOCH_DATE).days


def _to_time(t: IcebergType, value: Any) -> int:
    if isinstance(value, str):
        value = _parse(dt.time.fromisoformat, value, "a time 'HH:MM:SS[.ffffff]'")
    if not isinstance(value, dt.time) or value.tzinfo is not None:
        raise CoercionError(f"{_describe(value)} is not a time of day without zone")
    return ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 \
        + value.microsecond


def _to_datetime(value: Any) -> dt.datetime:
    if isinstance(value, str):
        value = _parse(dt.datetime.fromisoformat, value, "an ISO timestamp")
    elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    if not isinstance(value, dt.datetime):
        raise CoercionError(f"{_describe(value)} is not a timestamp; use an ISO string "
                            "such as '2024-01-01T12:00:00'")
    return value


def _to_timestamp(t: IcebergType, value: Any) -> int:
    stamp = _to_datetime(value)
    if stamp.tzinfo is not None:
        raise CoercionError("the column is a timestamp without time zone, but the value has "
                            "a UTC offset; drop the offset")
    return (stamp - EPOCH) // _MICRO


def _to_timestamptz(t: IcebergType, value: Any) -> int:
    stamp = _to_datetime(value)
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)  # no offset given: the value is in UTC
    return (stamp - EPOCH_UTC) // _MICRO


def _to_string(t: IcebergType, value: Any) -> str:
    if not isinstance(value, str):
        raise CoercionError(f"{_describe(value)} is not a string; quote it: '{value}'")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise CoercionError("the string is not valid Unicode") from None
    return value


def _to_uuid(t: IcebergType, value: Any) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    if isinstance(value, str):
        parsed: uuid.UUID = _parse(uuid.UUID, value, "a UUID")
        return parsed
    if isinstance(value, bytes) and len(value) == 16:
        return uuid.UUID(bytes=value)
    raise CoercionError(f"{_describe(value)} is not a UUID")


def _to_binary(t: IcebergType, value: Any) -> bytes:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    raise CoercionError(f"{_describe(value)} is not bytes; write binary literals as X'0A1B'")


def _to_fixed(t: T.FixedType, value: Any) -> bytes:
    data = _to_binary(t, value)
    if len(data) != t.length:
        raise CoercionError(f"it has {len(data)} bytes, the column holds {t.length}")
    return data


def _parse(parse: Callable[[str], Any], text: str, what: str) -> Any:
    if _SUB_MICROSECOND.search(text):
        # Python would silently drop the extra digits, turning `=` and `<` wrong.
        raise CoercionError(f"{text!r} is more precise than the microseconds Iceberg stores")
    try:
        return parse(text)
    except ValueError:
        raise CoercionError(f"{text!r} is not {what}") from None


_CONVERTERS: dict[IcebergType, Callable[[IcebergType, Any], Any]] = {
    T.BOOLEAN: _to_boolean, T.INT: _to_integer, T.LONG: _to_integer,
    T.FLOAT: _to_floating, T.DOUBLE: _to_floating, T.DATE: _to_date, T.TIME: _to_time,
    T.TIMESTAMP: _to_timestamp, T.TIMESTAMPTZ: _to_timestamptz, T.STRING: _to_string,
    T.UUID: _to_uuid, T.BINARY: _to_binary,
}

_INTERNAL_CLASS: dict[IcebergType, type] = {
    T.BOOLEAN: bool, T.INT: int, T.LONG: int, T.FLOAT: float, T.DOUBLE: float, T.DATE: int,
    T.TIME: int, T.TIMESTAMP: int, T.TIMESTAMPTZ: int, T.STRING: str, T.UUID: uuid.UUID,
    T.BINARY: bytes,
}
