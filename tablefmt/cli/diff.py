"""`tablefmt diff TABLE FROM TO`: what changed between two snapshots (ids or ref names) —
data files and records added and removed (the two snapshots' live file sets compared),
schema changes by field id, partition spec changes, and table property changes.

Properties, and the partition spec when a snapshot does not say, are table-level: they
come from the metadata versions (the current file and those in `metadata-log`, spec
"Table Metadata") where the snapshots were current — the older one as committed, the
newer one as last current — so a change made between the two is reported. When such a
version is no longer logged they are reported as unknown (`null`, "n/a").
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tablefmt.catalog import Catalog
from tablefmt.cli.commands import Result
from tablefmt.cli.describe import _SECRET, REDACTED
from tablefmt.cli.diff_text import diff_text
from tablefmt.cli.options import Add
from tablefmt.cli.rows import file_row
from tablefmt.cli.terminal import progress
from tablefmt.errors import CorruptMetadataError, StorageError, ValidationError
from tablefmt.metadata.snapshot import Snapshot
from tablefmt.metadata.table_metadata import TableMetadata
from tablefmt.partitioning import PartitionSpec
from tablefmt.scan.manifests import manifest_list
from tablefmt.schema import Schema, walk
from tablefmt.table import Table
from tablefmt.types import ListType, MapType, NestedField, StructType


def register(add: Add) -> None:
    p = add("diff", diff, "files, records, schema, partitioning and properties changed "
                          "between two snapshots or refs")
    p.add_argument("table", metavar="TABLE")
    p.add_argument("from_", metavar="FROM", help="snapshot id or branch/tag name")
    p.add_argument("to", metavar="TO", help="snapshot id or branch/tag name")


@dataclass
class Side:
    """One end of a diff: the snapshot and the metadata version it was current in."""

    given: str
    ref: str | None
    snapshot: Snapshot
    metadata: TableMetadata | None = None  # None: no logged version has it current
    metadata_file: str | None = None


def diff(cat: Catalog, args: argparse.Namespace) -> Result:
    table = cat.load_table(args.table)
    with progress(f"Comparing snapshots of {table.name}"):
        doc = diff_document(table, args.from_, args.to)
    return Result(doc, diff_text(doc, table.location))


def diff_document(table: Table, given_from: str, given_to: str) -> dict[str, Any]:
    old, new = resolve_side(table, given_from), resolve_side(table, given_to)
    find_versions(table, [old, new])
    before = {t.file_path: t for t in table.scan(snapshot_id=old.snapshot.snapshot_id).plan_files()}
    after = {t.file_path: t for t in table.scan(snapshot_id=new.snapshot.snapshot_id).plan_files()}
    added = [file_row(after[p]) for p in sorted(after.keys() - before.keys())]
    removed = [file_row(before[p]) for p in sorted(before.keys() - after.keys())]
    old_schema, new_schema = side_schema(table, old), side_schema(table, new)
    old_spec, new_spec = side_spec(table, old), side_spec(table, new)
    return {
        "table": table.name,
        "from": _side_json(old, old_schema, old_spec),
        "to": _side_json(new, new_schema, new_spec),
        "summary": {
            "added_files": len(added), "removed_files": len(removed),
            "added_records": sum(f["record_count"] for f in added),
            "removed_records": sum(f["record_count"] for f in removed),
            "added_bytes": sum(f["file_size_in_bytes"] for f in added),
            "removed_bytes": sum(f["file_size_in_bytes"] for f in removed)},
        "added_files": added,
        "removed_files": removed,
        "schema_changes": None if old_schema is None or new_schema is None
        else schema_changes(old_schema, new_schema),
        "partition_spec_changes": None if old_spec is None or new_spec is None
        else spec_changes(old_spec, new_spec, old_schema, new_schema),
        "property_changes": None if old.metadata is None or new.metadata is None
        else property_changes(old.metadata.properties, new.metadata.properties),
    }


def _side_json(side: Side, schema: Schema | None, spec: PartitionSpec | None) -> dict[str, Any]:
    snap = side.snapshot
    return {"given": side.given, "ref": side.ref, "snapshot_id": snap.snapshot_id,
            "timestamp": snap.timestamp, "operation": snap.operation,
            "schema_id": schema.schema_id if schema else None,
            "spec_id": spec.spec_id if spec else None, "metadata_file": side.metadata_file}


# -- resolving the two ends ---------------------------------------------------------------

def resolve_side(table: Table, given: str) -> Side:
    """A ref name (preferred when a ref has that name) or a snapshot id."""
    meta = table.metadata
    if given in meta.refs:
        snap = meta.ref_snapshot(given)
        if snap is None:
            raise ValidationError(f"Ref {given!r} of {table.name} points at snapshot "
                                  f"{meta.refs[given].snapshot_id}, which does not exist")
        return Side(given, given, snap)
    try:
        snapshot_id = int(given)
    except ValueError:
        raise ValidationError(f"Table {table.name} has no snapshot or ref {given!r}; refs are "
                              f"{', '.join(sorted(meta.refs)) or 'none'}") from None
    return Side(given, None, table.snapshot(snapshot_id))


def metadata_versions(table: Table) -> Iterator[tuple[str, TableMetadata]]:
    """The current metadata, then the logged versions newest first; a logged file that
    is gone or unreadable is skipped."""
    yield table.metadata_location, table.metadata
    for _, path in reversed(table.metadata.metadata_log):
        try:
            yield path, TableMetadata.from_json_text(table.io.read(path), f"at {path}")
        except (StorageError, CorruptMetadataError):
            continue


@dataclass
class _Span:
    """The logged metadata versions in which one snapshot was current (or its branch
    pointed at it): the newest and the oldest seen, reading newest first."""

    newest: tuple[str, TableMetadata] | None = None
    oldest: tuple[str, TableMetadata] | None = None
    done: bool = False

    def see(self, path: str, meta: TableMetadata, matches: bool, exists: bool) -> None:
        if matches:
            self.newest = self.newest or (path, meta)
            self.oldest = (path, meta)
        elif self.oldest is not None and not exists:
            self.done = True  # older versions predate the snapshot's commit


def find_versions(table: Table, sides: list[Side]) -> None:
    """Give each side the metadata version it is compared in. The older snapshot is taken
    at the version that committed it, the newer one at the last version in which it was
    current, so every table-level change made in between is reported, in either order.
    A snapshot never current on main is looked up on the named branch (tags are not
    followed: one created later points at its snapshot in every newer version)."""
    current = [_Span() for _ in sides]
    on_branch = [_Span() for _ in sides]
    for path, meta in metadata_versions(table):
        for side, cur, br in zip(sides, current, on_branch, strict=True):
            sid = side.snapshot.snapshot_id
            exists = meta.snapshot_by_id(sid) is not None
            cur.see(path, meta, meta.current_snapshot_id == sid, exists)
            ref = meta.refs.get(side.ref) if side.ref else None
            br.see(path, meta, ref is not None and ref.type == "branch"
                   and ref.snapshot_id == sid, exists)
        if all(c.done for c in current):
            break
    order = sorted(range(len(sides)), key=lambda i: (sides[i].snapshot.sequence_number,
                                                     sides[i].snapshot.timestamp_ms, i))
    for rank, i in enumerate(order):
        span = current[i] if current[i].newest else on_branch[i]
        chosen = span.oldest if rank == 0 else span.newest
        if chosen is not None:
            sides[i].metadata_file, sides[i].metadata = chosen


def side_schema(table: Table, side: Side) -> Schema | None:
    """The snapshot's own schema id, else the schema current in its metadata version."""
    schema_id = side.snapshot.schema_id
    if schema_id is not None:
        for meta in (table.metadata, side.metadata):
            if meta is not None and any(s.schema_id == schema_id for s in meta.schemas):
                return meta.schema_by_id(schema_id)
    return side.metadata.schema if side.metadata is not None else None


def side_spec(table: Table, side: Side) -> PartitionSpec | None:
    """The default spec of the snapshot's metadata version; else the newest spec its
    data manifests use (specs only grow), looked up in the current metadata."""
    if side.metadata is not None:
        return side.metadata.spec
    manifests = manifest_list(table.io, side.snapshot.manifest_list)
    ids = [m.partition_spec_id for m in manifests]
    if not ids:
        return None
    try:
        return table.metadata.spec_by_id(max(ids))
    except CorruptMetadataError:
        return None


# -- changes ------------------------------------------------------------------------------

def _kind(f: NestedField) -> str:
    t = f.field_type
    if isinstance(t, StructType):
        return "struct"
    if isinstance(t, ListType):
        return "list"
    if isinstance(t, MapType):
        return "map"
    return str(t)


def _describe_field(f: NestedField) -> str:
    return f"{'required' if f.required else 'optional'} {_kind(f)}"


def schema_changes(old: Schema, new: Schema) -> list[dict[str, Any]]:
    """Fields added, removed, renamed, retyped or made optional/required, by field id."""
    before = {f.field_id: (path, f) for path, f in walk(old.as_struct)}
    after = {f.field_id: (path, f) for path, f in walk(new.as_struct)}
    out: list[dict[str, Any]] = []
    for fid in sorted(before.keys() | after.keys()):
        if fid not in before:
            path, f = after[fid]
            out.append(_change("added", fid, path, None, _describe_field(f)))
            continue
        if fid not in after:
            path, f = before[fid]
            out.append(_change("removed", fid, path, _describe_field(f), None))
            continue
        (old_path, a), (path, b) = before[fid], after[fid]
        if a.name != b.name:
            out.append(_change("renamed", fid, path, old_path, path))
        if _kind(a) != _kind(b):
            out.append(_change("type_changed", fid, path, _kind(a), _kind(b)))
        if a.required != b.required:
            out.append(_change("nullability_changed", fid, path,
                               "required" if a.required else "optional",
                               "required" if b.required else "optional"))
    return out


def _change(change: str, field_id: int, name: str, old: Any, new: Any) -> dict[str, Any]:
    return {"change": change, "field_id": field_id, "name": name, "from": old, "to": new}


def _transform_text(f: Any, schema: Schema | None) -> str:
    source = schema.column_name(f.source_id) if schema is not None and \
        schema.has_field(f.source_id) else f"source id {f.source_id}"
    return f"{f.transform}({source})"


def spec_changes(old: PartitionSpec, new: PartitionSpec, old_schema: Schema | None,
                 new_schema: Schema | None) -> list[dict[str, Any]]:
    """Partition fields added, removed, renamed or given another transform/source,
    matched by partition field id (spec "Partition Evolution")."""
    before = {f.field_id: f for f in old.fields}
    after = {f.field_id: f for f in new.fields}
    out: list[dict[str, Any]] = []
    for fid in sorted(before.keys() | after.keys()):
        a, b = before.get(fid), after.get(fid)
        if a is None and b is not None:
            out.append(_change("added", fid, b.name, None, _transform_text(b, new_schema)))
        elif b is None and a is not None:
            out.append(_change("removed", fid, a.name, _transform_text(a, old_schema), None))
        elif a is not None and b is not None:
            if a.name != b.name:
                out.append(_change("renamed", fid, b.name, a.name, b.name))
            if (a.transform, a.source_id) != (b.transform, b.source_id):
                out.append(_change("changed", fid, b.name, _transform_text(a, old_schema),
                                   _transform_text(b, new_schema)))
    return out


def _shown(key: str, value: str | None) -> str | None:
    return REDACTED if value is not None and _SECRET.search(key) else value


def property_changes(old: dict[str, str], new: dict[str, str]) -> list[dict[str, Any]]:
    """Keys added, removed or changed, sorted by key; secret-looking values are "***"."""
    out = []
    for key in sorted(old.keys() | new.keys()):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        change = "added" if a is None else "removed" if b is None else "changed"
        out.append({"change": change, "key": key, "from": _shown(key, a), "to": _shown(key, b)})
    return out
