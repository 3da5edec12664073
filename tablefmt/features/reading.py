"""Reading a feature table's rows for point-in-time joins: only the entity keys, times and
requested features, only rows inside the request-time window (partition and file pruning
on event time), with the commit order of each row's file as the last tie-break."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tablefmt.arrow_schema import to_arrow_schema
from tablefmt.expressions import AlwaysTrue, referenced_columns, to_arrow_expr
from tablefmt.expressions.facts import decode_bound
from tablefmt.expressions.literals import coerce_literal
from tablefmt.properties import DEFAULT_NAME_MAPPING
from tablefmt.scan.reader import read_batches

if TYPE_CHECKING:
    from tablefmt.features.table import FeatureSpec, FeatureTable
    from tablefmt.scan.planner import FileTask
    from tablefmt.scan.scan import Scan
    from tablefmt.types import NestedField

TS = "__tablefmt_ts"
CREATED = "__created"
RANK = "__rank"
# Filtering rows by the window slows DuckDB's Parquet scan feeding the ASOF join by about
# a fifth of the join, so it pays only when it drops more rows than that. The answer is
# the same without it: rows after every request never match, rows before the ttl are
# nulled.
_FILTER_WORTH = 0.2


@dataclass(frozen=True, slots=True)
class Window:
    """The event times that can answer some request: `lo <= t <= hi` (no `lo` without a
    ttl), as ISO literals of the feature table's event-time type."""

    hi: str
    lo: str | None

    def sql(self, column: str) -> str:
        parts = [f"{column} <= '{self.hi}'"] + ([f"{column} >= '{self.lo}'"] if self.lo else [])
        return " AND ".join(parts)


@dataclass(frozen=True, slots=True, kw_only=True)
class FeatureRead:
    """The files one point-in-time read of a feature table opens, and how."""

    columns: list[str]  # entity keys, event time, created time, requested features
    scan: Scan | None  # None when the snapshot is empty
    tasks: list[FileTask]
    ranks: dict[int, int]  # data sequence number -> commit rank, 0 for the oldest commit
    row_filter: Window | None  # filter rows to this window too (files are pruned by it)
    uniform: bool  # every file written under the current schema, no name mapping
    name_mapping: str | None

    @property
    def max_rank(self) -> int:
        return max(self.ranks.values(), default=0)

    def local_paths(self) -> list[str] | None:
        """The files as local paths when DuckDB can read them as they are, else None."""
        if not self.uniform or not all(x.file_path.startswith("file://") for x in self.tasks):
            return None
        return [x.file_path.removeprefix("file://") for x in self.tasks]

    def rank_of(self, task: FileTask) -> int:
        return self.ranks[task.sequence_number or 0]


def request_window(entities: pa.Table, event_time: str, ttl: timedelta | None,
                   ts_type: pa.DataType) -> Window | None:
    """The window of feature event times covering every request."""
    times = entities.column(event_time)
    if len(times) == 0 or times.null_count == len(times):
        return None
    bounds = pc.min_max(times)
    hi = bounds["max"].as_py()
    lo = bounds["min"].as_py()
    return Window(_iso(hi, ts_type), _iso(lo - ttl, ts_type) if ttl is not None else None)


def _iso(value: object, ts_type: pa.DataType) -> str:
    from datetime import UTC, date, datetime

    if isinstance(value, datetime):
        if pa.types.is_timestamp(ts_type) and ts_type.tz is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        if pa.types.is_timestamp(ts_type) and ts_type.tz is None and value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        if pa.types.is_date(ts_type):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def plan_read(t: FeatureTable, snapshot_id: int | None, features: list[str],
              window: Window | None, skip_files: set[str] | None = None) -> FeatureRead:
    """The files of `snapshot_id` whose event times can fall in `window`, ranked by commit."""
    spec = t.spec
    columns = list(dict.fromkeys([*spec.entities, spec.event_time]
                                 + ([spec.created_time] if spec.created_time else [])
                                 + features))
    scan, tasks = None, []
    if snapshot_id is not None:
        where = window.sql(_quote(spec.event_time)) if window else None
        scan = t.scan(where=where, columns=columns, snapshot_id=snapshot_id)
        tasks = [task for task in scan.plan_files()
                 if not skip_files or task.file_path not in skip_files]
    sequences = sorted({task.sequence_number or 0 for task in tasks})
    mapping = t.metadata.properties.get(DEFAULT_NAME_MAPPING)
    event_field = t.schema.find_field(spec.event_time)
    worth = window is not None and _share_outside(tasks, event_field, window) > _FILTER_WORTH
    return FeatureRead(columns=columns, scan=scan, tasks=tasks,
                       ranks={seq: i for i, seq in enumerate(sequences)},
                       row_filter=window if worth else None,
                       uniform=len(t.metadata.schemas) == 1 and mapping is None,
                       name_mapping=mapping)


def _share_outside(tasks: list[FileTask], field: NestedField, window: Window) -> float:
    """The share of the files' rows outside `window`, estimated from each file's event-time
    bounds as if its rows were spread evenly between them (unknown bounds: all outside)."""
    t = field.field_type
    try:
        lo = coerce_literal(t, window.lo) if window.lo else None
        hi = coerce_literal(t, window.hi)
    except ValueError:  # CoercionError: cannot compare with the bounds, so filter
        return 1.0
    outside = total = 0.0
    for task in tasks:
        stats = task.data_file
        low = decode_bound(t, (stats.lower_bounds or {}).get(field.field_id))
        high = decode_bound(t, (stats.upper_bounds or {}).get(field.field_id))
        total += task.record_count
        if not isinstance(low, int) or not isinstance(high, int):
            outside += task.record_count
            continue
        start, end = (low if lo is None else max(low, lo)), min(high, hi)
        inside = (end - start) / (high - low) if high > low else float(start <= end)
        outside += task.record_count * (1 - min(max(inside, 0.0), 1.0))
    return outside / total if total else 0.0


def read_rows(t: FeatureTable, read: FeatureRead) -> pa.Table:
    """Keys, `__tablefmt_ts` (event time), `__created`, `__rank` (commit order) and the
    features of the planned files, read through Arrow."""
    parts: list[pa.Table] = []
    scan = read.scan
    if scan is not None and read.tasks:
        arrow_filter = None if isinstance(scan.bound, AlwaysTrue) \
            else to_arrow_expr(scan.bound, scan.schema)
        by_seq: dict[int, list[FileTask]] = {}
        for task in read.tasks:
            by_seq.setdefault(task.sequence_number or 0, []).append(task)
        for seq, group in by_seq.items():
            batches = list(read_batches(t.io, group, scan.schema, read.columns, arrow_filter,
                                        referenced_columns(scan.bound), None, read.uniform,
                                        read.name_mapping))
            if batches:
                part = pa.Table.from_batches(batches)
                parts.append(part.append_column(RANK, pa.array(
                    np.full(part.num_rows, read.ranks[seq], dtype=np.int64))))
    schema = pa.schema([to_arrow_schema(t.schema).field(c) for c in read.columns]
                       + [pa.field(RANK, pa.int64())])
    rows = pa.concat_tables(parts) if parts else schema.empty_table()
    return _with_keys(rows, t.spec)


def read_feature_rows(t: FeatureTable, snapshot_id: int | None, features: list[str],
                      entities: pa.Table, event_time: str, spec: FeatureSpec,
                      ts_type: pa.DataType, skip_files: set[str] | None = None) -> pa.Table:
    """`read_rows` of the files that can hold rows for the requests in `entities`."""
    window = request_window(entities, event_time, spec.ttl, ts_type)
    return read_rows(t, plan_read(t, snapshot_id, features, window, skip_files))


def _with_keys(rows: pa.Table, spec: FeatureSpec) -> pa.Table:
    """Rename the times to fixed names; the ASOF sort key is computed in DuckDB."""
    out = rows.append_column(TS, _as_timestamp(rows.column(spec.event_time)))
    if spec.created_time:
        out = out.append_column(CREATED, _as_timestamp(rows.column(spec.created_time)))
    return out


def _as_timestamp(col: pa.ChunkedArray) -> pa.ChunkedArray:
    return col.cast(pa.timestamp("us")) if pa.types.is_date(col.type) else col


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'

