"""Single-value binary serialization (Iceberg spec Appendix D), used for column bounds
and partition summaries.

Values use tablefmt's internal representation, which is Iceberg's physical one:
bool, int (int/long; date = days; time/timestamp/timestamptz = microseconds),
float, Decimal, str, bytes (binary/fixed), uuid.UUID.
"""

from __future__ import annotations

import struct
import uuid
from decimal import Context, Decimal
from typing import Any

from tablefmt import types as T
from tablefmt.types import IcebergType

_STRUCT = {
    T.BOOLEAN: struct.Struct("<?"), T.INT: struct.Struct("<i"), T.DATE: struct.Struct("<i"),
    T.LONG: struct.Struct("<q"), T.TIME: struct.Struct("<q"), T.TIMESTAMP: struct.Struct("<q"),
    T.TIMESTAMPTZ: struct.Struct("<q"), T.FLOAT: struct.Struct("<f"),
    T.DOUBLE: struct.Struct("<d"),
}


def to_bytes(t: IcebergType, value: Any) -> bytes:
    """Serialize one value of type `t`."""
    if t in _STRUCT:
        return _STRUCT[t].pack(value)
    if t == T.STRING:
        return str(value).encode("utf-8")
    if t == T.UUID:
        return value.bytes if isinstance(value, uuid.UUID) else bytes(value)
    if isinstance(t, T.DecimalType):
        unscaled = decimal_unscaled(value, t.scale)
        # Minimal two's complement: -128 is one byte (0x80), 128 two (0x0080).
        width = (unscaled if unscaled >= 0 else ~unscaled).bit_length() // 8 + 1
        return unscaled.to_bytes(width, "big", signed=True)
    if isinstance(t, T.FixedType) or t == T.BINARY:
        return bytes(value)
    raise TypeError(f"Type {t} has no single-value serialization")


def from_bytes(t: IcebergType, data: bytes) -> Any:
    """Deserialize one value of type `t`. Promoted types are read by width: a 4-byte bound
    of a `long` column was written as `int`, of a `double` as `float` (spec Appendix D)."""
    if t == T.LONG and len(data) == 4:
        t = T.INT
    elif t == T.DOUBLE and len(data) == 4:
        t = T.FLOAT
    if t in _STRUCT:
        return _STRUCT[t].unpack(data)[0]
    if t == T.STRING:
        return data.decode("utf-8", errors="surrogateescape")
    if t == T.UUID:
        return uuid.UUID(bytes=bytes(data))
    if isinstance(t, T.DecimalType):
        return decimal_from_unscaled(int.from_bytes(data, "big", signed=True), t.scale)
    if isinstance(t, T.FixedType) or t == T.BINARY:
        return bytes(data)
    raise TypeError(f"Type {t} has no single-value serialization")


# Decimal's default context keeps 28 digits; Iceberg decimals have up to 38.
_EXACT = Context(prec=80)


def decimal_unscaled(value: Decimal | int, scale: int) -> int:
    if isinstance(value, int):
        factor: int = 10**scale
        return value * factor
    scaled = value.scaleb(scale, context=_EXACT).to_integral_value(context=_EXACT)
    result: int = int(scaled)
    return result


def decimal_from_unscaled(unscaled: int, scale: int) -> Decimal:
    return Decimal(unscaled).scaleb(-scale, context=_EXACT)
