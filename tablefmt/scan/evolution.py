"""Reading files written under other schemas (spec "Column Projection"): columns are
matched by field id, never by name or position. Renamed columns keep their values, added
ones read null, dropped ones vanish, promoted ones are cast. Files without field ids are
resolved through `schema.name-mapping.default`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from tablefmt.arrow_schema import FIELD_ID_KEY
from tablefmt.errors import CorruptMetadataError, StorageError
from tablefmt.io import FileIO
from tablefmt.scan.manifests import _LRU

_FOOTERS = _LRU(4096)

Signature = tuple[Any, ...]


def field_id(f: pa.Field) -> int | None:
    raw = (f.metadata or {}).get(FIELD_ID_KEY)
    return int(raw) if raw is not None else None


def signature(fields: Any) -> Signature:
    """Names, ids and types of every field, recursively: equal signatures read alike."""
    return tuple((f.name, field_id(f), _type_sig(f.type), f.nullable) for f in fields)


def read_signature(fields: Any) -> Signature:
    """`signature` without the top-level columns' nullability: a file that stores an
    optional column as required (it held no null) reads as the table's schema says."""
    return tuple(sig[:3] for sig in signature(fields))


def _type_sig(t: pa.DataType) -> Any:
    if pa.types.is_struct(t):
        return ("struct", signature([t.field(i) for i in range(t.num_fields)]))
    if pa.types.is_map(t):
        return ("map", signature([t.key_field, t.item_field]))
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return ("list", signature([t.value_field]))
    return str(t)


def file_schema(io: FileIO, path: str) -> pa.Schema:
    """The Arrow schema of a data file, from its footer (cached: files are immutable)."""
    cached = _FOOTERS.get(path)
    if cached is None:
        fs, _ = io.arrow_fs()
        try:
            cached = pq.read_schema(io.arrow_path(path), filesystem=fs)
        except (OSError, pa.ArrowInvalid) as exc:
            raise StorageError(f"Cannot read the footer of {path}: {exc}") from exc
        _FOOTERS.put(path, cached)
    return cached


def with_name_mapping(schema: pa.Schema, mapping_json: str | None) -> pa.Schema:
    """Attach field ids to a file schema that has none, by name (Iceberg name mapping)."""
    if all(field_id(f) is not None for f in schema) or not mapping_json:
        return schema
    try:
        mapping = json.loads(mapping_json)
    except ValueError as exc:
        raise CorruptMetadataError(f"schema.name-mapping.default is not JSON: {exc}") from exc
    return pa.schema([_map_field(f, mapping) for f in schema])


def _map_field(f: pa.Field, mapping: list[dict[str, Any]]) -> pa.Field:
    entry = next((m for m in mapping if f.name in m.get("names", [])), None)
    if entry is None:
        return f
    children = entry.get("fields") or []
    t = f.type
    if pa.types.is_struct(t):
        t = pa.struct([_map_field(t.field(i), children) for i in range(t.num_fields)])
    elif pa.types.is_list(t) or pa.types.is_large_list(t):
        t = pa.list_(_map_field(t.value_field.with_name("element"), children))
    elif pa.types.is_map(t):
        t = pa.map_(_map_field(t.key_field.with_name("key"), children),
                    _map_field(t.item_field.with_name("value"), children))
    meta = dict(f.metadata or {})
    if "field-id" in entry:
        meta[FIELD_ID_KEY] = str(entry["field-id"]).encode()
    return pa.field(f.name, t, f.nullable, meta)


def project(batch: pa.RecordBatch, target: pa.Schema) -> pa.RecordBatch:
    """`batch` (a file's columns, with field ids) as `target`'s columns, by field id."""
    by_id = {field_id(f): (i, f) for i, f in enumerate(batch.schema)}
    cols = [_project_array(batch.column(by_id[fid][0]) if (fid := field_id(t)) in by_id else None,
                           by_id[fid][1] if fid in by_id else None, t, len(batch))
            for t in target]
    return pa.RecordBatch.from_arrays(cols, schema=target)


def _project_array(arr: pa.Array | None, src: pa.Field | None, dst: pa.Field,
                   length: int) -> pa.Array:
    if arr is None or src is None:
        return pa.nulls(length, dst.type)
    t = dst.type
    if pa.types.is_struct(t):
        children = {field_id(arr.type.field(i)): i for i in range(arr.type.num_fields)}
        fields = [t.field(i) for i in range(t.num_fields)]
        sub = [_project_array(pc.struct_field(arr, [children[field_id(f)]])
                              if field_id(f) in children else None,
                              arr.type.field(children[field_id(f)]) if field_id(f) in children
                              else None, f, length) for f in fields]
        return pa.StructArray.from_arrays(sub, fields=fields, mask=arr.is_null())
    if pa.types.is_list(t) and (pa.types.is_list(arr.type) or pa.types.is_large_list(arr.type)):
        values = _project_array(arr.values, arr.type.value_field, t.value_field, len(arr.values))
        offsets = arr.offsets.cast(pa.int32())
        return pa.ListArray.from_arrays(offsets, values, type=t, mask=arr.is_null())
    if pa.types.is_map(t) and pa.types.is_map(arr.type):
        keys = _project_array(arr.keys, arr.type.key_field, t.key_field, len(arr.keys))
        items = _project_array(arr.items, arr.type.item_field, t.item_field, len(arr.items))
        return pa.MapArray.from_arrays(arr.offsets, keys, items, type=t, mask=arr.is_null())
    return arr if arr.type == t else arr.cast(t)


def needed_columns(physical: pa.Schema, target: pa.Schema) -> list[str]:
    """The file's top-level columns that some target column maps to."""
    wanted = {field_id(f) for f in target}
    return [f.name for f in physical if field_id(f) in wanted]


def project_batches(batches: Iterator[pa.RecordBatch], target: pa.Schema
                    ) -> Iterator[pa.RecordBatch]:
    for b in batches:
        yield project(b, target)
