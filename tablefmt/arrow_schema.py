"""Arrow <-> Iceberg schema conversion (spec Appendix A, Parquet: field ids as
`PARQUET:field_id`, timestamps in microseconds, 3-level lists)."""

from __future__ import annotations

import pyarrow as pa

from tablefmt import types as T
from tablefmt.errors import SchemaMismatchError
from tablefmt.schema import Schema
from tablefmt.types import IcebergType, ListType, MapType, NestedField, StructType

FIELD_ID_KEY = b"PARQUET:field_id"
DOC_KEY = b"doc"

_PRIMITIVE_TO_ARROW: dict[IcebergType, pa.DataType] = {
    T.BOOLEAN: pa.bool_(), T.INT: pa.int32(), T.LONG: pa.int64(), T.FLOAT: pa.float32(),
    T.DOUBLE: pa.float64(), T.DATE: pa.date32(), T.TIME: pa.time64("us"),
    T.TIMESTAMP: pa.timestamp("us"), T.TIMESTAMPTZ: pa.timestamp("us", tz="UTC"),
    T.STRING: pa.string(), T.UUID: pa.uuid(), T.BINARY: pa.binary(),
}


def to_arrow_type(t: IcebergType) -> pa.DataType:
    if t in _PRIMITIVE_TO_ARROW:
        return _PRIMITIVE_TO_ARROW[t]
    if isinstance(t, T.DecimalType):
        return pa.decimal128(t.precision, t.scale)
    if isinstance(t, T.FixedType):
        return pa.binary(t.length)
    if isinstance(t, StructType):
        return pa.struct([to_arrow_field(f) for f in t.fields])
    if isinstance(t, ListType):
        return pa.list_(to_arrow_field(t.element_field))
    if isinstance(t, MapType):
        return pa.map_(to_arrow_field(t.key_field), to_arrow_field(t.value_field))
    raise TypeError(f"No Arrow type for {t}")


def to_arrow_field(f: NestedField) -> pa.Field:
    meta = {FIELD_ID_KEY: str(f.field_id).encode()}
    if f.doc:
        meta[DOC_KEY] = f.doc.encode()
    return pa.field(f.name, to_arrow_type(f.field_type), nullable=not f.required, metadata=meta)


def to_arrow_schema(schema: Schema) -> pa.Schema:
    return pa.schema([to_arrow_field(f) for f in schema.fields])


def from_arrow_type(t: pa.DataType, next_id: _IdCounter, where: str) -> IcebergType:
    """The Iceberg type for an Arrow type, assigning fresh ids to nested fields."""
    if pa.types.is_boolean(t):
        return T.BOOLEAN
    if pa.types.is_int8(t) or pa.types.is_int16(t) or pa.types.is_int32(t) \
            or pa.types.is_uint8(t) or pa.types.is_uint16(t):
        return T.INT
    if pa.types.is_int64(t) or pa.types.is_uint32(t):
        return T.LONG
    if pa.types.is_float16(t) or pa.types.is_float32(t):
        return T.FLOAT
    if pa.types.is_float64(t):
        return T.DOUBLE
    if pa.types.is_decimal(t) and t.precision <= 38:
        return T.DecimalType(t.precision, t.scale)
    if pa.types.is_date(t):
        return T.DATE
    if pa.types.is_time(t):
        return T.TIME
    if pa.types.is_timestamp(t):
        return T.TIMESTAMPTZ if t.tz is not None else T.TIMESTAMP
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t) \
            or (pa.types.is_dictionary(t) and pa.types.is_string(t.value_type)):
        return T.STRING
    if isinstance(t, pa.UuidType):
        return T.UUID
    if pa.types.is_fixed_size_binary(t):
        return T.FixedType(t.byte_width)
    if pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_binary_view(t):
        return T.BINARY
    if pa.types.is_struct(t):
        return _struct_from_arrow([t.field(i) for i in range(t.num_fields)], next_id, where)
    if pa.types.is_map(t):
        key_id, value_id = next_id(), next_id()
        key = from_arrow_type(t.key_type, next_id, where + ".key")
        value = from_arrow_type(t.item_type, next_id, where + ".value")
        return MapType(key_id, key, value_id, value, not t.item_field.nullable)
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t) \
            or pa.types.is_list_view(t):
        element_id = next_id()
        element = from_arrow_type(t.value_type, next_id, where + ".element")
        return ListType(element_id, element, not t.value_field.nullable)
    raise SchemaMismatchError(f"Column {where!r} has Arrow type {t}, which has no Iceberg type")


class _IdCounter:
    def __init__(self, start: int = 0) -> None:
        self.last = start

    def __call__(self) -> int:
        self.last += 1
        return self.last


def _struct_from_arrow(fields: list[pa.Field], next_id: _IdCounter, prefix: str) -> StructType:
    # Iceberg assigns ids level by level: a struct's own fields first, then their children.
    ids = [next_id() for _ in fields]
    out = []
    for fid, f in zip(ids, fields):
        where = f"{prefix}.{f.name}" if prefix else f.name
        doc = (f.metadata or {}).get(DOC_KEY)
        out.append(NestedField(fid, f.name, from_arrow_type(f.type, next_id, where),
                               required=not f.nullable, doc=doc.decode() if doc else None))
    return StructType(tuple(out))


def schema_from_arrow(arrow_schema: pa.Schema, start_id: int = 0) -> Schema:
    """A new Iceberg schema for an Arrow schema, with fresh ids from `start_id + 1`."""
    names = [f.name for f in arrow_schema]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise SchemaMismatchError(f"Duplicate column names: {', '.join(sorted(dup))}")
    struct = _struct_from_arrow(list(arrow_schema), _IdCounter(start_id), "")
    return Schema(struct.fields)


def arrow_field_id(f: pa.Field) -> int | None:
    raw = (f.metadata or {}).get(FIELD_ID_KEY)
    return int(raw) if raw is not None else None
