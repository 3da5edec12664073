"""`Table.update_schema()`: collect schema changes, commit them as one new schema
(spec "Schema Evolution"; retry rule: the schema must not have changed since the base)."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from tablefmt.errors import CommitConflictError
from tablefmt.metadata.table_metadata import TableMetadata
from tablefmt.schema import Schema
from tablefmt.schema_evolution import SchemaChanges
from tablefmt.transaction.commit import commit
from tablefmt.types import IcebergType

if TYPE_CHECKING:
    from tablefmt.table import Table


def protected_fields(meta: TableMetadata) -> dict[int, str]:
    """Field ids that cannot be dropped, with the reason."""
    out = {f.source_id: f"it is the source of partition field {f.name!r}"
           for f in meta.spec.fields}
    out.update({f.source_id: "the table's sort order uses it" for f in meta.sort_order.fields})
    return out


def evolve(meta: TableMetadata, schema: Schema, last_column_id: int) -> TableMetadata:
    """Metadata whose current schema is `schema` (an equal existing schema is reused)."""
    same = next((s for s in meta.schemas if s.fields == schema.fields
                 and s.identifier_field_ids == schema.identifier_field_ids), None)
    if same is not None:
        return meta.evolve(current_schema_id=same.schema_id,
                           last_column_id=max(meta.last_column_id, last_column_id))
    new_id = max(s.schema_id for s in meta.schemas) + 1
    new = Schema(schema.fields, new_id, schema.identifier_field_ids)
    return meta.evolve(schemas=meta.schemas + (new,), current_schema_id=new_id,
                       last_column_id=max(meta.last_column_id, last_column_id))


class UpdateSchema:
    """Schema changes applied in order and committed together on exit:

        with t.update_schema() as u:
            u.add_column("score", pa.float64())
            u.rename_column("name", "full_name")
    """

    def __init__(self, table: Table) -> None:
        self.table = table
        self._calls: list[tuple[str, tuple[Any, ...]]] = []
        # Validate each call as it is made, against the table as loaded.
        meta = table.metadata
        self._preview = SchemaChanges(meta.schema, meta.last_column_id, protected_fields(meta))

    def _record(self, name: str, *args: Any) -> UpdateSchema:
        getattr(self._preview, name)(*args)
        self._calls.append((name, args))
        return self

    def add_column(self, path: str, field_type: pa.DataType | IcebergType, doc: str | None = None,
                   required: bool = False) -> UpdateSchema:
        return self._record("add_column", path, field_type, doc, required)

    def rename_column(self, path: str, new_name: str) -> UpdateSchema:
        return self._record("rename_column", path, new_name)

    def drop_column(self, path: str) -> UpdateSchema:
        return self._record("drop_column", path)

    def promote(self, path: str, new_type: pa.DataType | IcebergType) -> UpdateSchema:
        return self._record("promote", path, new_type)

    update_column_type = promote

    def make_optional(self, path: str) -> UpdateSchema:
        return self._record("make_optional", path)

    def update_doc(self, path: str, doc: str | None) -> UpdateSchema:
        return self._record("update_doc", path, doc)

    def move_first(self, path: str) -> UpdateSchema:
        return self._record("move", path, "first", None)

    def move_after(self, path: str, other: str) -> UpdateSchema:
        return self._record("move", path, "after", other)

    def move_before(self, path: str, other: str) -> UpdateSchema:
        return self._record("move", path, "before", other)

    def set_identifier_fields(self, *paths: str) -> UpdateSchema:
        return self._record("set_identifier_fields", list(paths))

    @property
    def schema(self) -> Schema:
        """The schema these changes produce (not yet committed)."""
        return self._preview.schema

    def commit(self) -> Schema:
        start_schema_id = self.table.metadata.current_schema_id

        def build(base: TableMetadata) -> TableMetadata:
            if base.current_schema_id != start_schema_id:
                raise CommitConflictError(
                    f"Cannot update the schema of {self.table.name}: another commit changed "
                    "it concurrently; reload the table and retry")
            changes = SchemaChanges(base.schema, base.last_column_id, protected_fields(base))
            for name, args in self._calls:
                getattr(changes, name)(*args)
            return evolve(base, changes.schema, changes.last_column_id)

        return commit(self.table, build).schema

    def __enter__(self) -> UpdateSchema:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is None and self._calls:
            self.commit()
