"""Manifest lists (spec "Manifest Lists"): the `manifest_file` Avro schema v2, write and read."""

from __future__ import annotations

import io
from typing import Any

import fastavro

from tablefmt.errors import CorruptMetadataError
from tablefmt.metadata.avro_container import container, encode_record
from tablefmt.metadata.data_file import Content, FieldSummary, ManifestFile


def _opt(name: str, avro: Any, field_id: int) -> dict[str, Any]:
    return {"name": name, "type": ["null", avro], "default": None, "field-id": field_id}


_SUMMARY = {"type": "record", "name": "r508", "fields": [
    {"name": "contains_null", "type": "boolean", "field-id": 509},
    _opt("contains_nan", "boolean", 518),
    _opt("lower_bound", "bytes", 510),
    _opt("upper_bound", "bytes", 511),
]}

_SCHEMA: dict[str, Any] = {"type": "record", "name": "manifest_file", "fields": [
    {"name": "manifest_path", "type": "string", "field-id": 500},
    {"name": "manifest_length", "type": "long", "field-id": 501},
    {"name": "partition_spec_id", "type": "int", "field-id": 502},
    {"name": "content", "type": "int", "field-id": 517},
    {"name": "sequence_number", "type": "long", "field-id": 515},
    {"name": "min_sequence_number", "type": "long", "field-id": 516},
    {"name": "added_snapshot_id", "type": "long", "field-id": 503},
    {"name": "added_files_count", "type": "int", "field-id": 504},
    {"name": "existing_files_count", "type": "int", "field-id": 505},
    {"name": "deleted_files_count", "type": "int", "field-id": 506},
    {"name": "added_rows_count", "type": "long", "field-id": 512},
    {"name": "existing_rows_count", "type": "long", "field-id": 513},
    {"name": "deleted_rows_count", "type": "long", "field-id": 514},
    _opt("partitions", {"type": "array", "items": _SUMMARY, "element-id": 508}, 507),
    _opt("key_metadata", "bytes", 519),
]}
MANIFEST_FILE_SCHEMA = fastavro.parse_schema(_SCHEMA)


def _record(m: ManifestFile) -> dict[str, Any]:
    return {
        "manifest_path": m.manifest_path, "manifest_length": m.manifest_length,
        "partition_spec_id": m.partition_spec_id, "content": int(m.content),
        "sequence_number": m.sequence_number, "min_sequence_number": m.min_sequence_number,
        "added_snapshot_id": m.added_snapshot_id,
        "added_files_count": m.added_files_count, "existing_files_count": m.existing_files_count,
        "deleted_files_count": m.deleted_files_count, "added_rows_count": m.added_rows_count,
        "existing_rows_count": m.existing_rows_count, "deleted_rows_count": m.deleted_rows_count,
        "partitions": None if m.partitions is None else [
            {"contains_null": s.contains_null, "contains_nan": s.contains_nan,
             "lower_bound": s.lower_bound, "upper_bound": s.upper_bound} for s in m.partitions],
        "key_metadata": m.key_metadata,
    }


def write_manifest_list(manifests: list[ManifestFile], snapshot_id: int,
                        parent_snapshot_id: int | None, sequence_number: int) -> bytes:
    meta = {"snapshot-id": str(snapshot_id),
            "parent-snapshot-id": str(parent_snapshot_id) if parent_snapshot_id else "null",
            "sequence-number": str(sequence_number), "format-version": "2"}
    return container(_SCHEMA, meta, [_encoded(m) for m in manifests])


def _encoded(m: ManifestFile) -> bytes:
    """The record's Avro bytes, cached on the manifest: a commit carries its parent's
    manifests forward as the same objects. The cache names the object it was made for,
    since `extra` may be copied onto a changed manifest."""
    cached = m.extra.get("avro")
    if cached is None or cached[0] != id(m):
        cached = (id(m), encode_record(MANIFEST_FILE_SCHEMA, _record(m)))
        m.extra["avro"] = cached
    data: bytes = cached[1]
    return data


def read_manifest_list(data: bytes, path: str = "") -> list[ManifestFile]:
    try:
        records: list[dict[str, Any]] = list(fastavro.reader(io.BytesIO(data)))  # type: ignore[arg-type]
    except Exception as exc:  # fastavro raises many kinds
        raise CorruptMetadataError(f"Cannot read manifest list {path}: {exc}") from exc
    out = []
    for r in records:
        parts = r.get("partitions")
        out.append(ManifestFile(
            manifest_path=r["manifest_path"], manifest_length=r["manifest_length"],
            partition_spec_id=r["partition_spec_id"], content=Content(r.get("content", 0)),
            # v1 lists have no sequence numbers: they read as 0 (spec "Sequence Numbers").
            sequence_number=r.get("sequence_number", 0) or 0,
            min_sequence_number=r.get("min_sequence_number", 0) or 0,
            added_snapshot_id=r["added_snapshot_id"],
            added_files_count=r.get("added_files_count") or r.get("added_data_files_count") or 0,
            existing_files_count=r.get("existing_files_count")
            or r.get("existing_data_files_count") or 0,
            deleted_files_count=r.get("deleted_files_count")
            or r.get("deleted_data_files_count") or 0,
            added_rows_count=r.get("added_rows_count") or 0,
            existing_rows_count=r.get("existing_rows_count") or 0,
            deleted_rows_count=r.get("deleted_rows_count") or 0,
            partitions=None if parts is None else tuple(
                FieldSummary(p["contains_null"], p.get("contains_nan"), p.get("lower_bound"),
                             p.get("upper_bound")) for p in parts),
            key_metadata=r.get("key_metadata"),
        ))
    return out
