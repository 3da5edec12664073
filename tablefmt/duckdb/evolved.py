"""Reading files whose nested columns cannot be matched by name (spec "Column Projection"):
each group of files with one footer schema is read by its own column names, and every
table column is rebuilt from the file column with the same field id, in SQL — structs
member by member, lists and maps through lambdas — so renames, additions, drops and
promotions at any depth read right. Files without field ids get them from the table's
name mapping (`schema.name-mapping.default`); columns still without an id read null."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pyarrow as pa

from tablefmt.duckdb.sqltext import duck_path, duck_type, ident, string, typed_null
from tablefmt.io import FileIO
from tablefmt.scan.evolution import field_id, file_schema, signature, with_name_mapping
from tablefmt.scan.planner import FileTask
from tablefmt.schema import Schema
from tablefmt.types import IcebergType, ListType, MapType, NestedField, StructType

_FOOTER_READERS = 8


def remapped_select(io: FileIO, tasks: list[FileTask], schema: Schema,
                    name_mapping: str | None) -> str:
    """One SELECT per footer schema, joined by UNION ALL, each yielding `schema`'s columns."""
    with ThreadPoolExecutor(max_workers=_FOOTER_READERS) as pool:
        footers = list(pool.map(lambda t: file_schema(io, t.file_path), tasks))
    groups: dict[object, tuple[pa.Schema, list[str]]] = {}
    for task, physical in zip(tasks, footers, strict=True):
        physical = with_name_mapping(physical, name_mapping)
        groups.setdefault(signature(physical), (physical, []))[1].append(task.file_path)
    selects = []
    for physical, paths in groups.values():
        by_id = {field_id(f): f for f in physical}
        cols = ", ".join(
            f"{_project(f.field_type, ident(by_id[f.field_id].name), by_id[f.field_id].type, 0)}"
            f" AS {ident(f.name)}" if f.field_id in by_id
            else f"{typed_null(f.field_type)} AS {ident(f.name)}"
            for f in schema.fields)
        files = ", ".join(string(duck_path(p)) for p in paths)
        selects.append(f"SELECT {cols} FROM read_parquet([{files}], hive_partitioning=false)")
    return " UNION ALL ".join(selects)


def _project(t: IcebergType, src: str, src_type: pa.DataType, depth: int) -> str:
    """SQL for the value of type `t` held in the file column expression `src`."""
    if isinstance(t, StructType) and pa.types.is_struct(src_type):
        return _struct(t, src, src_type, depth)
    if isinstance(t, ListType) and (pa.types.is_list(src_type) or
                                    pa.types.is_large_list(src_type)):
        var = f"e{depth}"
        inner = _member(t.element_field, var, src_type.value_field, depth + 1)
        return f"CAST(list_transform({src}, lambda {var}: {inner}) AS {duck_type(t)})"
    if isinstance(t, MapType) and pa.types.is_map(src_type):
        var = f"e{depth}"
        key = _member(t.key_field, f"{var}.key", src_type.key_field, depth + 1)
        value = _member(t.value_field, f"{var}.value", src_type.item_field, depth + 1)
        return (f"CAST(map_from_entries(list_transform(map_entries({src}), lambda {var}: "
                f"{{'key': {key}, 'value': {value}}})) AS {duck_type(t)})")
    return f"CAST({src} AS {duck_type(t)})"


def _member(target: NestedField, src: str, src_field: pa.Field, depth: int) -> str:
    if field_id(src_field) not in (None, target.field_id):
        return typed_null(target.field_type)
    return _project(target.field_type, src, src_field.type, depth)


def _struct(t: StructType, src: str, src_type: pa.StructType, depth: int) -> str:
    children = {field_id(src_type.field(i)): src_type.field(i) for i in range(src_type.num_fields)}
    members = []
    for f in t.fields:
        child = children.get(f.field_id)
        value = typed_null(f.field_type) if child is None else _project(
            f.field_type, f"struct_extract({src}, {string(child.name)})", child.type, depth)
        members.append(f"{string(f.name)}: {value}")
    return (f"CASE WHEN {src} IS NULL THEN NULL ELSE "
            f"CAST({{{', '.join(members)}}} AS {duck_type(t)}) END")
