"""Make incoming Arrow batches fit the table schema: match columns by name, cast safe
widenings, attach field ids, reject what does not fit (SchemaMismatchError)."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from tablefmt import types as T
from tablefmt.arrow_schema import _IdCounter, from_arrow_type, to_arrow_schema
from tablefmt.errors import SchemaMismatchError
from tablefmt.schema import Schema
from tablefmt.types import IcebergType, ListType, MapType, NestedField, StructType

# Iceberg type promotions a write may apply on the fly (spec "Schema Evolution").
_WIDENS = {(T.INT, T.LONG), (T.FLOAT, T.DOUBLE)}


class Conformer:
    """Checks an incoming Arrow schema once, then converts each batch cheaply."""

    def __init__(self, schema: Schema, incoming: pa.Schema, table_name: str,
                 allow_missing: bool = False) -> None:
        self.target = to_arrow_schema(schema)
        self.table_name = table_name
        names = [f.name for f in schema.fields]
        given = incoming.names
        missing = [n for n in names if n not in given]
        if allow_missing:  # schema_mode="merge": absent optional columns read as null
            missing = [n for n in missing if schema.find_field(n).required]
        extra = [n for n in given if n not in names]
        problems = []
        if missing:
            problems.append("missing column(s) " + ", ".join(f'"{n}"' for n in missing))
        if extra:
            problems.append("unexpected column(s) " + ", ".join(f'"{n}"' for n in extra)
                            + ' (append with schema_mode="merge" to add them)')
        for f in schema.fields:
            if f.name in given:
                _check_type(f, incoming.field(f.name).type, f.name, problems)
        if problems:
            raise SchemaMismatchError(f"Cannot write to {table_name}: " + "; ".join(problems))
        self.required = [f.name for f in schema.fields if f.required]
        self.identity = incoming.remove_metadata() == self.target.remove_metadata()

    def __call__(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        for name in self.required:
            if batch.column(name).null_count:
                raise SchemaMismatchError(
                    f"Cannot write to {self.table_name}: column \"{name}\" is required but "
                    f"has {batch.column(name).null_count} null value(s)")
        columns = []
        for field in self.target:
            if field.name not in batch.schema.names:
                columns.append(pa.nulls(batch.num_rows, field.type))
                continue
            col = batch.column(field.name)
            if col.type != field.type:
                col = _cast(col, field.type, field.name, self.table_name)
            columns.append(col)
        return pa.RecordBatch.from_arrays(columns, schema=self.target)


def _cast(col: pa.Array, target: pa.DataType, name: str, table: str) -> pa.Array:
    try:
        if pa.types.is_dictionary(col.type):
            col = col.dictionary_decode()
        if pa.types.is_timestamp(col.type) and pa.types.is_timestamp(target) \
                and col.type.tz is not None and target.tz is not None:
            col = col.cast(pa.timestamp(col.type.unit, tz=target.tz))
        return col.cast(target, safe=True)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise SchemaMismatchError(
            f"Cannot write to {table}: column \"{name}\" cannot be converted from "
            f"{col.type} to {target}: {exc}") from exc


def _check_type(f: NestedField, arrow_type: pa.DataType, where: str, problems: list[str]) -> None:
    try:
        got = from_arrow_type(arrow_type, _IdCounter(), where)
    except SchemaMismatchError as exc:
        problems.append(str(exc))
        return
    if not _compatible(got, f.field_type):
        problems.append(f'column "{where}" is {got}, expected {f.field_type}')


def _compatible(got: IcebergType, want: IcebergType) -> bool:
    if isinstance(want, StructType):
        if not isinstance(got, StructType):
            return False
        by_name = {g.name: g for g in got.fields}
        return set(by_name) == {w.name for w in want.fields} and all(
            _compatible(by_name[w.name].field_type, w.field_type) for w in want.fields)
    if isinstance(want, ListType):
        return isinstance(got, ListType) and _compatible(got.element_type, want.element_type)
    if isinstance(want, MapType):
        return isinstance(got, MapType) and _compatible(got.key_type, want.key_type) \
            and _compatible(got.value_type, want.value_type)
    if isinstance(want, T.DecimalType) and isinstance(got, T.DecimalType):
        return got.scale == want.scale and got.precision <= want.precision
    if isinstance(want, T.FixedType) and want.length == 16 and got == T.UUID:
        return True
    if want == T.UUID and isinstance(got, T.FixedType) and got.length == 16:
        return True
    return got == want or (got, want) in _WIDENS


def has_nulls(col: pa.Array) -> bool:
    return bool(pc.any(pc.is_null(col)).as_py())
