"""Manifest files (spec "Manifests"): Avro schema v2 with field ids, write and read.

Written with fastavro, deflate-compressed, with the spec's key-value metadata
(`schema`, `schema-id`, `partition-spec`, `partition-spec-id`, `format-version`, `content`).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import fastavro

from tablefmt.errors import CorruptMetadataError
from tablefmt.metadata.avro_types import avro_type, from_avro_value, to_avro_value
from tablefmt.metadata.data_file import Content, DataFile, ManifestEntry, Status
from tablefmt.partitioning import PartitionSpec
from tablefmt.schema import Schema
from tablefmt.types import IcebergType


def _opt(name: str, avro: Any, field_id: int) -> dict[str, Any]:
    return {"name": name, "type": ["null", avro], "default": None, "field-id": field_id}


def _int_map(name: str, field_id: int, key_id: int, value_id: int, value: str) -> dict[str, Any]:
    # Spec Appendix A: maps with non-string keys are arrays of key/value records.
    items = {"type": "record", "name": f"k{key_id}_v{value_id}", "fields": [
        {"name": "key", "type": "int", "field-id": key_id},
        {"name": "value", "type": value, "field-id": value_id}]}
    return _opt(name, {"type": "array", "logicalType": "map", "items": items}, field_id)


def _list(name: str, field_id: int, element_id: int, element: str) -> dict[str, Any]:
    return _opt(name, {"type": "array", "items": element, "element-id": element_id}, field_id)


def _partition_record(partition_type: tuple[tuple[str, int, IcebergType], ...]) -> dict[str, Any]:
    return {"type": "record", "name": "r102", "fields": [
        _opt(name, avro_type(t, str(fid)), fid) for name, fid, t in partition_type]}


@lru_cache(maxsize=64)
def manifest_avro_schema(partition_type: tuple[tuple[str, int, IcebergType], ...]) -> Any:
    data_file = {"type": "record", "name": "r2", "fields": [
        {"name": "content", "type": "int", "field-id": 134},
        {"name": "file_path", "type": "string", "field-id": 100},
        {"name": "file_format", "type": "string", "field-id": 101},
        {"name": "partition", "type": _partition_record(partition_type), "field-id": 102},
        {"name": "record_count", "type": "long", "field-id": 103},
        {"name": "file_size_in_bytes", "type": "long", "field-id": 104},
        _int_map("column_sizes", 108, 117, 118, "long"),
        _int_map("value_counts", 109, 119, 120, "long"),
        _int_map("null_value_counts", 110, 121, 122, "long"),
        _int_map("nan_value_counts", 137, 138, 139, "long"),
        _int_map("lower_bounds", 125, 126, 127, "bytes"),
        _int_map("upper_bounds", 128, 129, 130, "bytes"),
        _opt("key_metadata", "bytes", 131),
        _list("split_offsets", 132, 133, "long"),
        _list("equality_ids", 135, 136, "int"),
        _opt("sort_order_id", "int", 140),
        _opt("referenced_data_file", "string", 143),
    ]}
    entry = {"type": "record", "name": "manifest_entry", "fields": [
        {"name": "status", "type": "int", "field-id": 0},
        _opt("snapshot_id", "long", 1),
        _opt("sequence_number", "long", 3),
        _opt("file_sequence_number", "long", 4),
        {"name": "data_file", "type": data_file, "field-id": 2},
    ]}
    return fastavro.parse_schema(entry)


def partition_type_of(spec: PartitionSpec, schema: Schema) -> tuple[tuple[str, int, IcebergType], ...]:
    return tuple((f.name, f.field_id, t) for f, t in spec.partition_type(schema))


# Enum members by value through dicts: calling `Status(v)` is several times slower, and
# a manifest of thousands of entries does it for each.
_STATUS = {s.value: s for s in Status}
_CONTENT = {c.value: c for c in Content}


def _enum(members: dict[int, Any], kind: Any, value: int) -> Any:
    return members[value] if value in members else kind(value)  # kind() raises ValueError


def _map_out(d: dict[int, Any] | None) -> list[dict[str, Any]] | None:
    return None if d is None else [{"key": k, "value": v} for k, v in d.items()]


def _map_in(items: list[dict[str, Any]] | None) -> dict[int, Any] | None:
    return None if items is None else {i["key"]: i["value"] for i in items}


def _entry_record(e: ManifestEntry, ptype: tuple[tuple[str, int, IcebergType], ...]) -> dict[str, Any]:
    f = e.data_file
    # Spec "Sequence Number Inheritance": ADDED entries leave sequence numbers null.
    added = e.status == Status.ADDED
    return {
        "status": int(e.status), "snapshot_id": e.snapshot_id,
        "sequence_number": None if added else e.sequence_number,
        "file_sequence_number": None if added else e.file_sequence_number,
        "data_file": {
            "content": int(f.content), "file_path": f.file_path, "file_format": f.file_format,
            "partition": {name: to_avro_value(t, v) for (name, _, t), v in zip(ptype, f.partition)},
            "record_count": f.record_count, "file_size_in_bytes": f.file_size_in_bytes,
            "column_sizes": _map_out(f.column_sizes), "value_counts": _map_out(f.value_counts),
            "null_value_counts": _map_out(f.null_value_counts),
            "nan_value_counts": _map_out(f.nan_value_counts),
            "lower_bounds": _map_out(f.lower_bounds), "upper_bounds": _map_out(f.upper_bounds),
            "key_metadata": f.key_metadata,
            "split_offsets": list(f.split_offsets) if f.split_offsets is not None else None,
            "equality_ids": list(f.equality_ids) if f.equality_ids is not None else None,
            "sort_order_id": f.sort_order_id,
            "referenced_data_file": f.referenced_data_file,
        },
    }


def write_manifest(entries: Iterable[ManifestEntry], spec: PartitionSpec, schema: Schema,
                   content: Content = Content.DATA) -> bytes:
    """Encode a manifest; the caller stores the bytes."""
    ptype = partition_type_of(spec, schema)
    meta = {
        "schema": json.dumps(schema.to_json(), separators=(",", ":")),
        "schema-id": str(schema.schema_id),
        "partition-spec": json.dumps([f.to_json() for f in spec.fields], separators=(",", ":")),
        "partition-spec-id": str(spec.spec_id),
        "format-version": "2",
        "content": "data" if content == Content.DATA else "deletes",
    }
    buf = io.BytesIO()
    fastavro.writer(buf, manifest_avro_schema(ptype), (_entry_record(e, ptype) for e in entries),
                    codec="deflate", metadata=meta)
    return buf.getvalue()


def read_manifest(data: bytes, spec: PartitionSpec, schema: Schema, path: str = "") -> list[ManifestEntry]:
    """Decode a manifest written by any v1/v2 writer. Partition values are matched to the
    spec's fields by name (the Avro record carries the spec's field names)."""
    ptype = partition_type_of(spec, schema)
    try:
        records: list[dict[str, Any]] = list(fastavro.reader(io.BytesIO(data)))  # type: ignore[arg-type]
    except Exception as exc:  # fastavro raises many kinds
        raise CorruptMetadataError(f"Cannot read manifest {path}: {exc}") from exc
    out = []
    for r in records:
        f = r["data_file"]
        part = f.get("partition") or {}
        out.append(ManifestEntry(
            status=_enum(_STATUS, Status, r["status"]), snapshot_id=r.get("snapshot_id"),
            sequence_number=r.get("sequence_number"),
            file_sequence_number=r.get("file_sequence_number"),
            data_file=DataFile(
                file_path=f["file_path"], file_format=f["file_format"].upper(),
                partition=tuple(from_avro_value(t, part.get(name)) for name, _, t in ptype),
                record_count=f["record_count"], file_size_in_bytes=f["file_size_in_bytes"],
                spec_id=spec.spec_id, content=_enum(_CONTENT, Content, f.get("content", 0)),
                column_sizes=_map_in(f.get("column_sizes")),
                value_counts=_map_in(f.get("value_counts")),
                null_value_counts=_map_in(f.get("null_value_counts")),
                nan_value_counts=_map_in(f.get("nan_value_counts")),
                lower_bounds=_map_in(f.get("lower_bounds")),
                upper_bounds=_map_in(f.get("upper_bounds")),
                key_metadata=f.get("key_metadata"),
                split_offsets=tuple(f["split_offsets"]) if f.get("split_offsets") else None,
                equality_ids=tuple(f["equality_ids"]) if f.get("equality_ids") else None,
                sort_order_id=f.get("sort_order_id"),
                referenced_data_file=f.get("referenced_data_file"),
            )))
    return out
