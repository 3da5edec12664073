"""SQL text for DuckDB: quoted identifiers and string literals, Iceberg types as DuckDB type
strings (spec Appendix A, Parquet column), filter literals, and data file paths. Everything user-supplied
that reaches SQL goes through `ident` or `string`; nothing is interpolated raw."""

from __future__ import annotations

import math
from typing import Any

from tablefmt import types as T
from tablefmt.expressions.literals import to_python
from tablefmt.types import IcebergType, ListType, MapType, StructType

_SIMPLE: dict[IcebergType, str] = {
    T.BOOLEAN: "BOOLEAN", T.INT: "INTEGER", T.LONG: "BIGINT", T.FLOAT: "FLOAT",
    T.DOUBLE: "DOUBLE", T.DATE: "DATE", T.TIME: "TIME", T.TIMESTAMP: "TIMESTAMP",
    T.TIMESTAMPTZ: "TIMESTAMP WITH TIME ZONE", T.STRING: "VARCHAR", T.UUID: "UUID",
    T.BINARY: "BLOB",
}


def ident(name: str) -> str:
    """A double-quoted identifier: `a"b` -> `"a""b"`.

    Example:
        >>> ident('we"ird')
        '"we""ird"'
    """
    if "\x00" in name:
        raise ValueError("identifiers cannot contain NUL characters")
    return '"' + name.replace('"', '""') + '"'


def string(value: str) -> str:
    """A single-quoted string literal: `it's` -> `'it''s'`.

    Example:
        >>> string("it's")
        "'it''s'"
    """
    if "\x00" in value:
        raise ValueError("string literals cannot contain NUL characters")
    return "'" + value.replace("'", "''") + "'"


def duck_type(t: IcebergType) -> str:
    """The DuckDB type an Iceberg type reads as.

    Example:
        >>> duck_type(T.ListType(2, T.DecimalType(9, 2)))
        'DECIMAL(9, 2)[]'
    """
    if t in _SIMPLE:
        return _SIMPLE[t]
    if isinstance(t, T.DecimalType):
        return f"DECIMAL({t.precision}, {t.scale})"
    if isinstance(t, T.FixedType):
        return "BLOB"
    if isinstance(t, StructType):
        return "STRUCT(" + ", ".join(f"{ident(f.name)} {duck_type(f.field_type)}"
                                     for f in t.fields) + ")"
    if isinstance(t, ListType):
        return f"{duck_type(t.element_type)}[]"
    if isinstance(t, MapType):
        return f"MAP({duck_type(t.key_type)}, {duck_type(t.value_type)})"
    raise TypeError(f"No DuckDB type for Iceberg type {t}")


def typed_null(t: IcebergType) -> str:
    return f"CAST(NULL AS {duck_type(t)})"


def literal(t: IcebergType, value: Any) -> str:
    """A filter literal (in tablefmt's internal representation) as typed SQL.

    Example:
        >>> literal(T.STRING, "it's")
        "'it''s'"
    """
    if value is None:
        return typed_null(t)
    if t == T.BOOLEAN:
        return "TRUE" if value else "FALSE"
    if t in (T.INT, T.LONG):
        return f"CAST({int(value)} AS {duck_type(t)})"
    if t in (T.FLOAT, T.DOUBLE):
        number = float(value)
        text = repr(number) if math.isfinite(number) else string(str(number))
        return f"CAST({text} AS {duck_type(t)})"
    if isinstance(t, T.DecimalType):
        return f"CAST({string(str(value))} AS {duck_type(t)})"
    if t == T.DATE:
        return f"CAST('1970-01-01' AS DATE) + CAST({int(value)} AS INTEGER)"
    if t == T.TIME:
        return f"CAST({string(to_python(t, value).isoformat())} AS TIME)"
    if t == T.TIMESTAMP:
        return f"make_timestamp(CAST({int(value)} AS BIGINT))"
    if t == T.TIMESTAMPTZ:
        # Microseconds since the epoch, read as UTC: independent of the session TimeZone.
        return f"timezone('UTC', make_timestamp(CAST({int(value)} AS BIGINT)))"
    if t == T.STRING:
        return string(str(value))
    if t == T.UUID:
        return f"CAST({string(str(value))} AS UUID)"
    if t == T.BINARY or isinstance(t, T.FixedType):
        return f"unhex({string(bytes(value).hex())})"
    raise TypeError(f"No DuckDB literal for Iceberg type {t}")


def duck_path(uri: str) -> str:
    """The path DuckDB opens for a data file URI (`file://` stripped; `s3a://` as `s3://`)."""
    if uri.startswith("file://"):
        return uri[len("file://"):]
    if uri.startswith("s3a://"):
        return "s3://" + uri[len("s3a://"):]
    return uri
