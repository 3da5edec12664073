"""`Table.scan()`: a lazy read of one snapshot, filtered and projected."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from tablefmt.arrow_schema import to_arrow_schema
from tablefmt.errors import ValidationError
from tablefmt.expressions import AlwaysTrue, bind, referenced_columns, to_arrow_expr, to_expression
from tablefmt.metadata.snapshot import Snapshot
from tablefmt.metadata.table_metadata import TableMetadata
from tablefmt.properties import DEFAULT_NAME_MAPPING
from tablefmt.scan.planner import FileTask, PlanStats, plan
from tablefmt.scan.reader import read_batches, read_table
from tablefmt.schema import Schema

if TYPE_CHECKING:
    import duckdb

    from tablefmt.io import FileIO


def resolve_snapshot(meta: TableMetadata, name: str, snapshot_id: int | None = None,
                     as_of: datetime | str | None = None, ref: str | None = None) -> Snapshot | None:
    """The snapshot a read sees: by id, by time, by ref, or the current one."""
    chosen = [k for k, v in (("snapshot_id", snapshot_id), ("as_of", as_of), ("ref", ref))
              if v is not None]
    if len(chosen) > 1:
        raise ValidationError(f"Pass at most one of snapshot_id, as_of, ref (got {', '.join(chosen)})")
    if snapshot_id is not None:
        snap = meta.snapshot_by_id(int(snapshot_id))
        if snap is None:
            raise ValidationError(f"Table {name} has no snapshot {snapshot_id}")
        return snap
    if as_of is not None:
        when = parse_time(as_of)
        return meta.snapshot_as_of(when)
    if ref is not None:
        if ref not in meta.refs:
            raise ValidationError(f"Table {name} has no branch or tag {ref!r}; refs are "
                                  f"{', '.join(sorted(meta.refs)) or 'none'}")
        return meta.ref_snapshot(ref)
    return meta.current_snapshot


def parse_time(value: datetime | str) -> datetime:
    from datetime import UTC

    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError as exc:
            raise ValidationError(f"as_of {value!r} is not an ISO date/time") from exc
    if not isinstance(value, datetime):
        raise ValidationError(f"as_of must be a datetime or ISO string, got {type(value).__name__}")
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class Scan:
    def __init__(self, name: str, io: FileIO, meta: TableMetadata, snapshot: Snapshot | None,
                 where: Any = None, columns: list[str] | None = None,
                 limit: int | None = None, time_travel: bool = False) -> None:
        self.name, self.io, self.meta, self.snapshot = name, io, meta, snapshot
        # Iceberg: a read of the current state uses the current schema; time travel reads
        # a snapshot with the schema that was current when it was written.
        self.schema: Schema = meta.schema if not time_travel or snapshot is None \
            or snapshot.schema_id is None else meta.schema_by_id(snapshot.schema_id)
        if columns is not None:
            columns = list(columns)
            self.schema.select(columns)  # validates the names
        self.columns = columns
        self.expression = to_expression(where)
        self.bound = bind(self.expression, self.schema)
        if limit is not None and (not isinstance(limit, int) or limit < 0):
            raise ValidationError(f"limit must be a non-negative integer, got {limit!r}")
        self.limit = limit
        self._tasks: list[FileTask] | None = None
        self.stats = PlanStats()

    @property
    def arrow_schema(self) -> pa.Schema:
        full = to_arrow_schema(self.schema)
        return full if self.columns is None else pa.schema([full.field(c) for c in self.columns])

    def plan_files(self) -> list[FileTask]:
        if self._tasks is None:
            self.stats = PlanStats()
            self._tasks = [] if self.snapshot is None else plan(
                self.io, self.meta, self.snapshot.manifest_list, self.bound, self.schema,
                self.stats)
        return list(self._tasks)

    def explain(self) -> str:
        tasks = self.plan_files()
        s = self.stats
        snap = self.snapshot.snapshot_id if self.snapshot else "none (empty table)"
        return "\n".join([
            f"Scan of {self.name} at snapshot {snap}",
            f"  filter: {self.expression}",
            f"  columns: {', '.join(self.columns) if self.columns is not None else '*'}",
            f"  manifests: {s.manifests_total} considered, {s.manifests_pruned} pruned, "
            f"{s.manifests_total - s.manifests_pruned} read",
            f"  files: {s.files_total} considered, {s.files_pruned_by_partition} pruned by "
            f"partition, {s.files_pruned_by_metrics} pruned by column metrics, {len(tasks)} kept",
            f"  rows in kept files: {sum(t.record_count for t in tasks)}",
        ])

    def _read_plan(self) -> tuple[list[FileTask], Any, bool, str | None]:
        """Tasks, the Arrow filter left for their rows, and how to map file columns."""
        tasks = self.plan_files()
        # When every file's residual is TRUE, the partition tuples already decided the
        # filter: no row needs checking again.
        decided = all(isinstance(t.residual, AlwaysTrue) for t in tasks)
        arrow_filter = None if decided or isinstance(self.bound, AlwaysTrue) \
            else to_arrow_expr(self.bound, self.schema)
        mapping = self.meta.properties.get(DEFAULT_NAME_MAPPING)
        uniform = len(self.meta.schemas) == 1 and mapping is None
        return tasks, arrow_filter, uniform, mapping

    def to_batches(self) -> Iterator[pa.RecordBatch]:
        tasks, arrow_filter, uniform, mapping = self._read_plan()
        return read_batches(self.io, tasks, self.schema, self.columns, arrow_filter,
                            referenced_columns(self.bound), self.limit, uniform, mapping)

    def to_reader(self) -> pa.RecordBatchReader:
        return pa.RecordBatchReader.from_batches(self.arrow_schema, self.to_batches())

    def to_arrow(self) -> pa.Table:
        if self.limit is not None:
            return pa.Table.from_batches(list(self.to_batches()), schema=self.arrow_schema)
        tasks, arrow_filter, uniform, mapping = self._read_plan()
        return read_table(self.io, tasks, self.schema, self.columns, arrow_filter,
                          referenced_columns(self.bound), uniform, mapping)

    def to_pandas(self) -> Any:
        return self.to_arrow().to_pandas()

    def to_polars(self) -> Any:
        import polars as pl

        return pl.from_arrow(self.to_arrow())

    def to_duckdb(self, con: duckdb.DuckDBPyConnection, name: str) -> None:
        """Register the scan as a DuckDB view over its planned Parquet files (projection
        and filters stay pushed down; the view can be queried many times)."""
        from tablefmt.duckdb import register_scan

        register_scan(con, self, name)
