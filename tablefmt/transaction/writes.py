"""Append and overwrite: write data files, then commit them as one snapshot
(spec "Commit Conflict Resolution and Retry": appends always apply; an overwrite with a
filter is re-validated against files committed concurrently)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyarrow as pa

from tablefmt.arrow_schema import _IdCounter, from_arrow_type
from tablefmt.errors import CommitConflictError, SchemaMismatchError, ValidationError
from tablefmt.expressions import (
    AlwaysTrue,
    PartitionEvaluator,
    StrictMetricsEvaluator,
    bind,
    project_inclusive,
    project_strict,
    to_expression,
    InclusiveMetricsEvaluator,
)
from tablefmt.metadata.data_file import DataFile, ManifestEntry
from tablefmt.metadata.snapshot import MAIN_BRANCH, Snapshot
from tablefmt.metadata.table_metadata import TableMetadata
from tablefmt.scan.manifests import live_entries, manifest_list
from tablefmt.schema import Schema
from tablefmt.schema_evolution import SchemaChanges, can_promote
from tablefmt.transaction.commit import commit
from tablefmt.transaction.update_schema import evolve
from tablefmt.types import NestedField, StructType
from tablefmt.transaction.fault import checkpoint
from tablefmt.transaction.producer import SnapshotProducer
from tablefmt.write.conform import Conformer
from tablefmt.write.data import to_reader
from tablefmt.write.writer import DataWriter

if TYPE_CHECKING:
    from tablefmt.table import Table


class _WriteOperation:
    operation = "append"

    def __init__(self, table: Table, data: Any, branch: str) -> None:
        self.table, self.data, self.branch = table, data, branch
        if branch != MAIN_BRANCH and branch not in table.metadata.refs:
            raise ValidationError(f"Table {table.name} has no branch {branch!r}; "
                                  "create it with create_branch()")
        if branch in table.metadata.refs and table.metadata.refs[branch].type != "branch":
            raise ValidationError(f"{branch!r} is a tag of {table.name}; tags cannot be written")
        self.producer = SnapshotProducer(table.io, self.operation, branch)
        self.writer: DataWriter | None = None

    schema_mode: str | None = None

    def write_files(self) -> list[DataFile]:
        meta = self.table.metadata
        reader = to_reader(self.data)
        schema = meta.schema
        if self.schema_mode == "merge":
            merged = merge_schema(meta, reader.schema)
            if merged is not None:
                schema, last_id = merged
                self.schema_change = (meta.current_schema_id, schema, last_id)
        conform = Conformer(schema, reader.schema, self.table.name,
                            allow_missing=self.schema_mode == "merge")
        self.writer = DataWriter(self.table.io, meta.location, schema, meta.spec,
                                 meta.properties, meta.default_sort_order_id or None)
        try:
            return self.writer.write(conform(b) for b in reader)
        except BaseException:
            self.table.io.delete_quietly(self.writer.written)
            raise

    def written(self) -> list[str]:
        return (self.writer.written if self.writer else []) + self.producer.written

    def validate(self, start: TableMetadata, current: TableMetadata) -> None:
        return None

    def run(self) -> Snapshot:
        self.producer.added_files = self.write_files()
        try:
            self.prepare()
            checkpoint("data_files")
        except BaseException:
            self.table.io.delete_quietly(self.written())
            raise
        meta = commit(self.table, self.build, validate=self.validate,
                      written=self.written, snapshot_id=self.producer.snapshot_id)
        snap = meta.snapshot_by_id(self.producer.snapshot_id)
        assert snap is not None
        return snap

    def prepare(self) -> None:
        return None

    schema_change: tuple[int, Schema, int] | None = None

    def build(self, base: TableMetadata) -> TableMetadata:
        if self.schema_change is not None:
            start_id, schema, last_id = self.schema_change
            if base.current_schema_id != start_id:
                raise CommitConflictError(
                    f"Cannot append to {self.table.name} with schema_mode='merge': another "
                    "commit changed the schema concurrently; nothing was committed")
            base = evolve(base, schema, last_id)
        return self.producer.build(base)


class AppendOperation(_WriteOperation):
    operation = "append"

    def __init__(self, table: Table, data: Any, branch: str, schema_mode: str | None) -> None:
        super().__init__(table, data, branch)
        self.schema_mode = schema_mode


def merge_schema(meta: TableMetadata, incoming: pa.Schema) -> tuple[Schema, int] | None:
    """The table schema with the incoming data's new columns added (union by name) and
    allowed promotions applied; None when nothing changes."""
    changes = SchemaChanges(meta.schema, meta.last_column_id, {})
    _union(changes, "", meta.schema.fields, list(incoming))
    if changes.schema.fields == meta.schema.fields:
        return None
    return changes.schema, changes.last_column_id


def _union(changes: SchemaChanges, prefix: str, fields: tuple[NestedField, ...],
           incoming: list[pa.Field]) -> None:
    by_name = {f.name: f for f in fields}
    for f in incoming:
        path = prefix + f.name
        existing = by_name.get(f.name)
        if existing is None:
            changes.add_column(path, f.type)
            continue
        if isinstance(existing.field_type, StructType) and pa.types.is_struct(f.type):
            _union(changes, path + ".", existing.field_type.fields,
                   [f.type.field(i) for i in range(f.type.num_fields)])
            continue
        try:
            wanted = from_arrow_type(f.type, _IdCounter(), path)
        except SchemaMismatchError:
            continue
        if wanted != existing.field_type and can_promote(existing.field_type, wanted):
            changes.promote(path, wanted)


class OverwriteOperation(_WriteOperation):
    operation = "overwrite"

    def __init__(self, table: Table, data: Any, where: Any, mode: str | None,
                 branch: str) -> None:
        if mode not in (None, "static", "dynamic"):
            raise ValidationError(f"overwrite mode must be 'static' or 'dynamic', got {mode!r}")
        if mode == "dynamic" and where is not None:
            raise ValidationError("overwrite(mode='dynamic') replaces the partitions present "
                                  "in the data; it takes no where=")
        if mode == "dynamic" and table.metadata.spec.is_unpartitioned:
            raise ValidationError(f"Table {table.name} is not partitioned; "
                                  "overwrite(mode='dynamic') needs partitions")
        super().__init__(table, data, branch)
        self.mode = mode
        meta = table.metadata
        self.bound = bind(to_expression(where), meta.schema)
        self.filtered = where is not None

    def prepare(self) -> None:
        meta = self.table.metadata
        if self.mode == "dynamic":
            present = {(f.spec_id, f.partition) for f in self.producer.added_files}
            self.producer.remove = lambda e: (e.data_file.spec_id, e.data_file.partition) in present
            return
        if not self.filtered:
            self.producer.remove = lambda e: True
            return
        self.producer.remove = _WholeFileFilter(meta, self.bound, self.table.name)

    def validate(self, start: TableMetadata, current: TableMetadata) -> None:
        """Serializable isolation: a concurrent commit that added files this overwrite's
        filter could match makes it conflict (Iceberg's validateNoConflictingData)."""
        if not self.filtered and self.mode != "dynamic":
            return
        since = _added_since(self.table, start, current, self.branch)
        if self.mode == "dynamic":
            present = {(f.spec_id, f.partition) for f in self.producer.added_files}
            clash = [f for f in since if (f.spec_id, f.partition) in present]
        else:
            check = _MatchFilter(current, self.bound)
            clash = [f for f in since if check(f)]
        if clash:
            raise CommitConflictError(
                f"Cannot overwrite {self.table.name}: a concurrent commit added "
                f"{len(clash)} file(s) that the overwrite filter may match, e.g. "
                f"{clash[0].file_path}; nothing was committed")


class _MatchFilter:
    """Could this file hold rows matching the filter (partition + metrics)?"""

    def __init__(self, meta: TableMetadata, bound: Any) -> None:
        self.meta, self.bound = meta, bound
        self.metrics = InclusiveMetricsEvaluator(bound)
        self.partition: dict[int, PartitionEvaluator] = {}

    def __call__(self, f: DataFile) -> bool:
        spec = self.meta.spec_by_id(f.spec_id)
        ptypes = spec.partition_type(self.meta.schema)
        ev = self.partition.get(f.spec_id)
        if ev is None:
            ev = self.partition[f.spec_id] = PartitionEvaluator(
                project_inclusive(self.bound, spec.fields), {p.field_id: t for p, t in ptypes})
        values = {p.field_id: v for (p, _), v in zip(ptypes, f.partition)}
        return ev.eval(values) and self.metrics.can_match(f)


class _WholeFileFilter:
    """Removes files whose every row matches; refuses files that match only in part
    (row-level rewrites are the copy-on-write delete path)."""

    def __init__(self, meta: TableMetadata, bound: Any, name: str) -> None:
        self.meta, self.bound, self.name = meta, bound, name
        self.may = _MatchFilter(meta, bound)
        self.strict_metrics = StrictMetricsEvaluator(bound)
        self.strict: dict[int, PartitionEvaluator] = {}

    def __call__(self, e: ManifestEntry) -> bool:
        f = e.data_file
        if not self.may(f):
            return False
        spec = self.meta.spec_by_id(f.spec_id)
        ptypes = spec.partition_type(self.meta.schema)
        ev = self.strict.get(f.spec_id)
        if ev is None:
            ev = self.strict[f.spec_id] = PartitionEvaluator(
                project_strict(self.bound, spec.fields), {p.field_id: t for p, t in ptypes})
        values = {p.field_id: v for (p, _), v in zip(ptypes, f.partition)}
        if ev.eval(values) or self.strict_metrics.must_match(f):
            return True
        raise ValidationError(
            f"Cannot overwrite {self.name} where {self.bound}: file {f.file_path} holds rows "
            "on both sides of the filter; overwrite filters must select whole identity "
            "partitions (or whole files)")


def _added_since(table: Table, start: TableMetadata, current: TableMetadata,
                 branch: str) -> list[DataFile]:
    start_snap = start.ref_snapshot(branch)
    start_id = start_snap.snapshot_id if start_snap else None
    out: list[DataFile] = []
    for snap in current.ancestors(current.refs[branch].snapshot_id if branch in current.refs
                                  else None):
        if snap.snapshot_id == start_id:
            break
        mans = [m for m in manifest_list(table.io, snap.manifest_list)
                if m.added_snapshot_id == snap.snapshot_id and m.added_files_count]
        for entries in live_entries(table.io, mans, current):
            out.extend(e.data_file for e in entries if e.snapshot_id == snap.snapshot_id
                       and e.status == 1)
    return out


__all__ = ["AppendOperation", "OverwriteOperation", "AlwaysTrue"]
