"""Append: write data files, then commit them as one snapshot (spec "Commit Conflict
Resolution and Retry": appends always apply). Overwrites and row operations are
`tablefmt.transaction.transaction`'s."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyarrow as pa

from tablefmt.arrow_schema import _IdCounter, from_arrow_type
from tablefmt.errors import CommitConflictError, SchemaMismatchError
from tablefmt.metadata.data_file import DataFile
from tablefmt.metadata.snapshot import Snapshot
from tablefmt.metadata.table_metadata import TableMetadata
from tablefmt.schema import Schema
from tablefmt.schema_evolution import SchemaChanges, can_promote
from tablefmt.transaction.commit import commit
from tablefmt.transaction.fault import checkpoint
from tablefmt.transaction.producer import SnapshotProducer
from tablefmt.transaction.update_schema import evolve
from tablefmt.transaction.validation import check_writable_branch
from tablefmt.types import NestedField, StructType
from tablefmt.write.conform import Conformer
from tablefmt.write.data import to_reader
from tablefmt.write.writer import DataWriter

if TYPE_CHECKING:
    from tablefmt.table import Table


class AppendOperation:
    """One append: write the data files, then commit them as one snapshot. On a retry the
    files are re-committed on the new base as they are (appends never conflict), unless
    `schema_mode="merge"` widened the schema and another commit changed it meanwhile."""

    def __init__(self, table: Table, data: Any, branch: str, schema_mode: str | None) -> None:
        self.table, self.data, self.branch = table, data, branch
        self.schema_mode = schema_mode
        check_writable_branch(table.metadata, table.name, branch)
        self.producer = SnapshotProducer(table.io, "append", branch)
        self.writer: DataWriter | None = None
        self.schema_change: tuple[int, Schema, int] | None = None

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
        # Appended rows are written as they come: the files claim no sort order.
        self.writer = DataWriter(self.table.io, meta.location, schema, meta.spec,
                                 meta.properties)
        try:
            return self.writer.write(conform(b) for b in reader)
        except BaseException:
            self.table.io.delete_quietly(self.writer.written)
            raise

    def written(self) -> list[str]:
        return (self.writer.written if self.writer else []) + self.producer.written

    def run(self) -> Snapshot:
        self.producer.added_files = self.write_files()
        try:
            checkpoint("data_files")
        except BaseException:
            self.table.io.delete_quietly(self.written())
            raise
        meta = commit(self.table, self.build, written=self.written,
                      snapshot_id=self.producer.snapshot_id)
        snap = meta.snapshot_by_id(self.producer.snapshot_id)
        assert snap is not None
        return snap

    def build(self, base: TableMetadata) -> TableMetadata:
        if self.schema_change is not None:
            start_id, schema, last_id = self.schema_change
            if base.current_schema_id != start_id:
                raise CommitConflictError(
                    f"Cannot append to {self.table.name} with schema_mode='merge': another "
                    "commit changed the schema concurrently; nothing was committed")
            base = evolve(base, schema, last_id)
        return self.producer.build(base)


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


__all__ = ["AppendOperation"]
