"""Read-only inspection commands: `refs`, `manifests`, `partitions` and `metadata`
(spec "Snapshot References", "Manifest Lists", "Manifests", "Table Metadata")."""

from __future__ import annotations

import argparse
import json
from typing import Any

from tablefmt.catalog import Catalog
from tablefmt.cli.commands import Result
from tablefmt.cli.describe import _SECRET, REDACTED
from tablefmt.cli.options import Add, add_snapshot_or_ref
from tablefmt.cli.output import Column, format_table, to_json
from tablefmt.errors import CorruptMetadataError, StorageError
from tablefmt.metadata.conversions import from_bytes
from tablefmt.metadata.data_file import Content, ManifestFile
from tablefmt.metadata.snapshot import Snapshot
from tablefmt.metadata.table_metadata import TableMetadata
from tablefmt.scan.manifests import live_entries, manifest_list
from tablefmt.scan.planner import FileTask
from tablefmt.scan.scan import resolve_snapshot
from tablefmt.table import Table
from tablefmt.values import internal_to_python


def register(add: Add) -> None:
    add("refs", refs, "list a table's branches and tags").add_argument("table", metavar="TABLE")
    p = add("manifests", manifests, "list the manifests of a snapshot (default: the current)")
    p.add_argument("table", metavar="TABLE")
    add_snapshot_or_ref(p)
    p = add("partitions", partitions, "records, files, bytes and last update per partition")
    p.add_argument("table", metavar="TABLE")
    add_snapshot_or_ref(p)
    add("metadata", metadata, "print the current metadata file (JSON)") \
        .add_argument("table", metavar="TABLE")


def selected_snapshot(table: Table, args: argparse.Namespace) -> Snapshot | None:
    """The snapshot `--snapshot ID` / `--ref NAME` names, else the current one."""
    return resolve_snapshot(table.metadata, table.name, snapshot_id=args.snapshot, ref=args.ref)


# -- refs ---------------------------------------------------------------------------------

REF_COLUMNS = [Column("name"), Column("type"), Column("snapshot_id"), Column("timestamp"),
               Column("min_snapshots_to_keep", "min_keep"),
               Column("max_snapshot_age_ms", "max_snapshot_age"),
               Column("max_ref_age_ms", "max_ref_age")]


def refs(cat: Catalog, args: argparse.Namespace) -> Result:
    table = cat.load_table(args.table)
    rows = []
    for name, ref in sorted(table.refs().items()):
        snap = table.metadata.snapshot_by_id(ref.snapshot_id)
        rows.append({"name": name, "type": ref.type, "snapshot_id": ref.snapshot_id,
                     "timestamp": snap.timestamp if snap else None,
                     "min_snapshots_to_keep": ref.min_snapshots_to_keep,
                     "max_snapshot_age_ms": ref.max_snapshot_age_ms,
                     "max_ref_age_ms": ref.max_ref_age_ms})
    return Result(rows, format_table(rows, REF_COLUMNS))


# -- manifests ----------------------------------------------------------------------------

MANIFEST_COLUMNS = [
    Column("manifest_path"), Column("content"), Column("partition_spec_id", "spec_id"),
    Column("added_snapshot_id"), Column("sequence_number", "seq"),
    Column("added_files_count", "added_files"), Column("existing_files_count", "existing_files"),
    Column("deleted_files_count", "deleted_files"), Column("added_rows_count", "added_rows"),
    Column("existing_rows_count", "existing_rows"), Column("manifest_length", "bytes"),
]


def manifests(cat: Catalog, args: argparse.Namespace) -> Result:
    table = cat.load_table(args.table)
    snap = selected_snapshot(table, args)
    found = [] if snap is None else manifest_list(table.io, snap.manifest_list)
    rows = [manifest_row(m, table.metadata) for m in found]
    return Result(rows, format_table(rows, MANIFEST_COLUMNS))


def manifest_row(m: ManifestFile, meta: TableMetadata) -> dict[str, Any]:
    return {
        "manifest_path": m.manifest_path,
        "manifest_length": m.manifest_length,
        "content": "data" if m.content == Content.DATA else "deletes",
        "partition_spec_id": m.partition_spec_id,
        "sequence_number": m.sequence_number,
        "min_sequence_number": m.min_sequence_number,
        "added_snapshot_id": m.added_snapshot_id,
        "added_files_count": m.added_files_count,
        "existing_files_count": m.existing_files_count,
        "deleted_files_count": m.deleted_files_count,
        "added_rows_count": m.added_rows_count,
        "existing_rows_count": m.existing_rows_count,
        "deleted_rows_count": m.deleted_rows_count,
        "partitions": _summaries(m, meta),
    }


def _summaries(m: ManifestFile, meta: TableMetadata) -> list[dict[str, Any]]:
    """Partition field summaries with their bounds decoded (spec "Manifest Lists",
    `field_summary`); a bound that cannot be decoded is shown as hex."""
    try:
        fields = meta.spec_by_id(m.partition_spec_id).partition_type(meta.schema)
    except CorruptMetadataError:
        fields = []
    out = []
    for i, summary in enumerate(m.partitions or ()):
        field, ptype = fields[i] if i < len(fields) else (None, None)
        out.append({"name": field.name if field else None,
                    "contains_null": summary.contains_null,
                    "contains_nan": summary.contains_nan,
                    "lower_bound": _bound(summary.lower_bound, ptype),
                    "upper_bound": _bound(summary.upper_bound, ptype)})
    return out


def _bound(data: bytes | None, ptype: Any) -> Any:
    if data is None:
        return None
    try:
        return internal_to_python(from_bytes(ptype, data), ptype)
    except (TypeError, ValueError, KeyError, UnicodeDecodeError):
        return data


# -- partitions ---------------------------------------------------------------------------

PARTITION_COLUMNS = [Column("partition"), Column("spec_id"), Column("record_count"),
                     Column("file_count"), Column("total_bytes"),
                     Column("last_updated_snapshot_id"), Column("last_updated_at")]


def partitions(cat: Catalog, args: argparse.Namespace) -> Result:
    table = cat.load_table(args.table)
    snap = selected_snapshot(table, args)
    rows = [] if snap is None else partition_rows(table, snap)
    return Result(rows, format_table(rows, PARTITION_COLUMNS))


def partition_rows(table: Table, snap: Snapshot) -> list[dict[str, Any]]:
    """One row per partition of the live data files of `snap`; "last updated" is the
    newest snapshot that added one of its files (PyIceberg's `partitions` table)."""
    tasks = table.scan(snapshot_id=snap.snapshot_id).plan_files()
    added_by = added_snapshots(table, snap)
    groups: dict[tuple[int, tuple[Any, ...]], list[FileTask]] = {}
    for task in tasks:
        groups.setdefault((task.spec_id, tuple(task.partition.items())), []).append(task)
    rows = []
    for (spec_id, _), group in sorted(groups.items(), key=lambda kv: _partition_key(kv[0])):
        last = _newest_snapshot(table, [added_by.get(t.file_path) for t in group])
        rows.append({"partition": dict(group[0].partition), "spec_id": spec_id,
                     "record_count": sum(t.record_count for t in group),
                     "file_count": len(group),
                     "total_bytes": sum(t.file_size_in_bytes for t in group),
                     "last_updated_snapshot_id": last.snapshot_id if last else None,
                     "last_updated_at": last.timestamp if last else None})
    return rows


def added_snapshots(table: Table, snap: Snapshot) -> dict[str, int | None]:
    """The id of the snapshot that added each live data file of `snap`, by path."""
    found = [m for m in manifest_list(table.io, snap.manifest_list) if m.content == Content.DATA]
    return {e.data_file.file_path: e.snapshot_id
            for group in live_entries(table.io, found, table.metadata) for e in group}


def _newest_snapshot(table: Table, ids: list[int | None]) -> Snapshot | None:
    snaps = [s for i in ids if i is not None and (s := table.metadata.snapshot_by_id(i))]
    return max(snaps, key=lambda s: (s.sequence_number, s.timestamp_ms), default=None)


def _partition_key(key: tuple[int, tuple[Any, ...]]) -> tuple[Any, ...]:
    spec_id, items = key
    # Nulls last; values of one field share a type, so they compare.
    return (spec_id, tuple((v is None, str(type(v)), "" if v is None else v) for _, v in items))


# -- metadata -----------------------------------------------------------------------------

def metadata(cat: Catalog, args: argparse.Namespace) -> Result:
    table = cat.load_table(args.table)
    doc = read_metadata_json(table)
    return Result(doc, to_json(doc))


def read_metadata_json(table: Table) -> dict[str, Any]:
    """The current metadata file as written, with secret-looking property values
    replaced by "***" (as `describe` shows them)."""
    try:
        doc: dict[str, Any] = json.loads(table.io.read(table.metadata_location))
    except (StorageError, ValueError) as exc:
        raise CorruptMetadataError(f"Cannot read the metadata file of {table.name} at "
                                   f"{table.metadata_location}: {exc}") from exc
    props = doc.get("properties")
    if isinstance(props, dict):
        doc["properties"] = {k: REDACTED if _SECRET.search(k) else v for k, v in props.items()}
    return doc
