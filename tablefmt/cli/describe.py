"""`tablefmt describe TABLE`: identity, schema, partition specs, sort order, current
snapshot, refs and properties of one table (spec "Table Metadata"), as JSON and text."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from tablefmt.cli.output import Column, format_fields, format_table, indent_block
from tablefmt.cli.rows import snapshot_row
from tablefmt.partitioning import PartitionSpec
from tablefmt.schema import Schema
from tablefmt.sorting import SortOrder
from tablefmt.table import Table
from tablefmt.types import ListType, MapType, NestedField, StructType

# Property keys that may carry credentials (e.g. PyIceberg's `s3.secret-access-key`).
_SECRET = re.compile(r"secret|password|token|credential|access[-_.]?key", re.I)
REDACTED = "***"


def describe_table(table: Table) -> dict[str, Any]:
    meta = table.metadata
    schema = table.schema
    current = meta.current_snapshot
    return {
        "identifier": table.name,
        "table_uuid": meta.table_uuid,
        "format_version": meta.format_version,
        "location": table.location,
        "metadata_location": table.metadata_location,
        "last_updated": datetime.fromtimestamp(meta.last_updated_ms / 1000, tz=UTC),
        "last_sequence_number": meta.last_sequence_number,
        "schema": {"schema_id": schema.schema_id,
                   "identifier_field_ids": list(schema.identifier_field_ids),
                   "fields": [_field(f) for f in schema.fields]},
        "partition_specs": [_spec(s, schema, s.spec_id == meta.default_spec_id)
                            for s in meta.partition_specs],
        "sort_order": _sort_order(meta.sort_order, schema),
        "current_snapshot": None if current is None else snapshot_row(current, current.snapshot_id),
        "refs": [{"name": name, "type": ref.type, "snapshot_id": ref.snapshot_id}
                 for name, ref in sorted(table.refs().items())],
        "properties": {k: REDACTED if _SECRET.search(k) else v
                       for k, v in sorted(table.properties.items())},
    }


def _field(f: NestedField) -> dict[str, Any]:
    t = f.field_type
    if isinstance(t, StructType):
        kind, children = "struct", t.fields
    elif isinstance(t, ListType):
        kind, children = "list", (t.element_field,)
    elif isinstance(t, MapType):
        kind, children = "map", (t.key_field, t.value_field)
    else:
        kind, children = str(t), ()
    return {"id": f.field_id, "name": f.name, "type": kind, "required": f.required,
            "doc": f.doc, "fields": [_field(c) for c in children]}


def _column(schema: Schema, field_id: int) -> str | None:
    """The source column's dotted name, or None when a schema change dropped it."""
    return schema.column_name(field_id) if schema.has_field(field_id) else None


def _spec(spec: PartitionSpec, schema: Schema, is_default: bool) -> dict[str, Any]:
    return {"spec_id": spec.spec_id, "is_default": is_default,
            "fields": [{"field_id": f.field_id, "name": f.name, "transform": f.transform,
                        "source_id": f.source_id, "source_column": _column(schema, f.source_id)}
                       for f in spec.fields]}


def _sort_order(order: SortOrder, schema: Schema) -> dict[str, Any]:
    return {"order_id": order.order_id,
            "fields": [{"source_id": f.source_id, "source_column": _column(schema, f.source_id),
                        "transform": f.transform, "direction": f.direction,
                        "null_order": f.null_order} for f in order.fields]}


# -- text --------------------------------------------------------------------------------

def describe_text(doc: dict[str, Any]) -> str:
    identity = {"Table": doc["identifier"], "UUID": doc["table_uuid"],
                "Format version": doc["format_version"], "Location": doc["location"],
                "Metadata file": doc["metadata_location"], "Last updated": doc["last_updated"]}
    sections = [format_fields(identity),
                f"Schema (id {doc['schema']['schema_id']}):\n"
                + indent_block("\n".join(_field_lines(doc["schema"]["fields"], 0)))]
    sections += [_spec_text(s) for s in doc["partition_specs"]]
    sections += [_sort_text(doc["sort_order"]), _snapshot_text(doc["current_snapshot"]),
                 "Refs:\n" + indent_block(_refs_text(doc["refs"])),
                 "Properties:\n" + format_fields(doc["properties"], indent=2)]
    return "\n\n".join(sections)


def _field_lines(fields: list[dict[str, Any]], depth: int) -> list[str]:
    lines = []
    for f in fields:
        req = "required" if f["required"] else "optional"
        doc = f"  -- {f['doc']}" if f["doc"] else ""
        lines.append(f"{'  ' * depth}{f['id']}: {f['name']}: {req} {f['type']}{doc}")
        lines += _field_lines(f["fields"], depth + 1)
    return lines


def _spec_text(spec: dict[str, Any]) -> str:
    head = f"Partition spec (id {spec['spec_id']}{', default' if spec['is_default'] else ''}):"
    lines = [f"{f['field_id']}: {f['name']}: {f['transform']}"
             f"({f['source_column'] or 'source id ' + str(f['source_id'])})"
             for f in spec["fields"]]
    return head + "\n" + indent_block("\n".join(lines) or "unpartitioned")


def _sort_text(order: dict[str, Any]) -> str:
    lines = [f"{f['transform']}({f['source_column'] or 'source id ' + str(f['source_id'])}) "
             f"{f['direction']} {f['null_order']}" for f in order["fields"]]
    return f"Sort order (id {order['order_id']}):\n" + indent_block("\n".join(lines) or "unsorted")


def _snapshot_text(snap: dict[str, Any] | None) -> str:
    if snap is None:
        return "Current snapshot:\n  none (the table is empty)"
    keys = ("snapshot_id", "timestamp", "operation", "parent_snapshot_id", "sequence_number",
            "total_records", "total_files", "total_bytes", "manifest_list")
    return "Current snapshot:\n" + format_fields({k: snap[k] for k in keys}, indent=2)


def _refs_text(refs: list[dict[str, Any]]) -> str:
    if not refs:
        return "(none)"
    return format_table(refs, [Column("name"), Column("type"), Column("snapshot_id")])
