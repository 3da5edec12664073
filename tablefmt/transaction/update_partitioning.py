"""`Table.update_partitioning()`: partition evolution (spec "Partition Evolution"). The new
spec gets the next spec id (or an equivalent existing spec is reused), field ids continue
from `last-partition-id` (an equivalent field of any earlier spec keeps its id), old files
keep their spec, and planning evaluates each file against its own spec."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING

from tablefmt.errors import CommitConflictError, ValidationError
from tablefmt.metadata.table_metadata import TableMetadata
from tablefmt.partitioning import (
    PartitionField,
    PartitionSpec,
    check_transform,
    default_field_name,
    parse_partition_by,
)
from tablefmt.transaction.commit import commit

if TYPE_CHECKING:
    from tablefmt.table import Table


class UpdatePartitioning:
    """Changes to the default partition spec, committed together on exit:

        with t.update_partitioning() as p:
            p.add("hour(ts)")
            p.remove("day(ts)")
    """

    def __init__(self, table: Table) -> None:
        self.table = table
        self._ops: list[tuple[str, str, str | None]] = []
        self.spec_preview = self._apply(table.metadata)  # validates nothing yet

    def add(self, text: str, name: str | None = None) -> UpdatePartitioning:
        self._ops.append(("add", text, name))
        self.spec_preview = self._apply(self.table.metadata)
        return self

    def remove(self, text_or_name: str) -> UpdatePartitioning:
        self._ops.append(("remove", text_or_name, None))
        self.spec_preview = self._apply(self.table.metadata)
        return self

    def rename(self, old_name: str, new_name: str) -> UpdatePartitioning:
        self._ops.append(("rename", old_name, new_name))
        self.spec_preview = self._apply(self.table.metadata)
        return self

    def _apply(self, meta: TableMetadata) -> tuple[PartitionField, ...]:
        schema = meta.schema
        fields = list(meta.spec.fields)
        for op, text, extra in self._ops:
            if op == "add":
                transform, column = parse_partition_by(text)
                source = schema.find_field(column)
                if not source.field_type.is_primitive:
                    raise ValidationError(f"Cannot partition by {column!r}: it is a "
                                          f"{source.field_type}")
                check_transform(transform, source.field_type, text)
                if any(f.source_id == source.field_id and f.transform == transform
                       for f in fields):
                    raise ValidationError(f"The table is already partitioned by {text!r}")
                name = extra or default_field_name(transform, column)
                if any(f.name == name for f in fields):
                    raise ValidationError(f"A partition field named {name!r} exists")
                fields.append(PartitionField(source.field_id, -1, name, transform))
            elif op == "remove":
                match = [f for f in fields if f.name == text]
                if not match:
                    try:
                        transform, column = parse_partition_by(text)
                        sid = schema.find_field(column).field_id
                        match = [f for f in fields if f.source_id == sid
                                 and f.transform == transform]
                    except ValidationError:
                        match = []
                if not match:
                    raise ValidationError(f"The table has no partition field {text!r}; fields "
                                          f"are {', '.join(f.name for f in fields) or 'none'}")
                fields = [f for f in fields if f is not match[0]]
            else:
                assert extra is not None
                if not any(f.name == text for f in fields):
                    raise ValidationError(f"The table has no partition field {text!r}")
                if any(f.name == extra for f in fields):
                    raise ValidationError(f"A partition field named {extra!r} exists")
                fields = [PartitionField(f.source_id, f.field_id, extra, f.transform)
                          if f.name == text else f for f in fields]
        return tuple(fields)

    def commit(self) -> PartitionSpec:
        start_spec = self.table.metadata.default_spec_id

        def build(base: TableMetadata) -> TableMetadata:
            if base.default_spec_id != start_spec:
                raise CommitConflictError(f"Cannot update the partitioning of {self.table.name}: "
                                          "another commit changed it concurrently")
            return with_spec(base, self._apply(base))

        return commit(self.table, build).spec

    def __enter__(self) -> UpdatePartitioning:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is None and self._ops:
            self.commit()


def with_spec(meta: TableMetadata, fields: tuple[PartitionField, ...]) -> TableMetadata:
    """Metadata whose default spec has `fields` (ids assigned; an equivalent spec reused)."""
    known = {(f.source_id, f.transform): f.field_id for s in meta.partition_specs
             for f in s.fields}
    last = meta.last_partition_id
    assigned = []
    for f in fields:
        fid = f.field_id if f.field_id >= 0 else known.get((f.source_id, f.transform))
        if fid is None:
            last += 1
            fid = last
        assigned.append(PartitionField(f.source_id, fid, f.name, f.transform))
    candidate = PartitionSpec(tuple(assigned))
    for existing in meta.partition_specs:
        if existing.compatible_with(candidate) and \
                [f.field_id for f in existing.fields] == [f.field_id for f in assigned]:
            return meta.evolve(default_spec_id=existing.spec_id)
    spec_id = max(s.spec_id for s in meta.partition_specs) + 1
    spec = PartitionSpec(tuple(assigned), spec_id)
    return meta.evolve(partition_specs=meta.partition_specs + (spec,), default_spec_id=spec_id,
                       last_partition_id=max(last, meta.last_partition_id))
