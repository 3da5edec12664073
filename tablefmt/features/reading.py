"""Reading a feature table's rows for point-in-time joins: only the entity keys, times and
requested features, only rows inside the request-time window (partition and file pruning
on event time), with the commit order of each row's file as the last tie-break."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tablefmt.arrow_schema import to_arrow_schema
from tablefmt.expressions import AlwaysTrue, referenced_columns, to_arrow_expr
from tablefmt.properties import DEFAULT_NAME_MAPPING
from tablefmt.scan.reader import read_batches

if TYPE_CHECKING:
    from tablefmt.features.table import FeatureSpec, FeatureTable
    from tablefmt.scan.planner import FileTask

TS = "__tablefmt_ts"


def _window(entities: pa.Table, event_time: str, ttl: timedelta | None,
            ts_type: pa.DataType) -> str | None:
    """A filter on the feature table's event time covering every request."""
    times = entities.column(event_time)
    if len(times) == 0 or times.null_count == len(times):
        return None
    bounds = pc.min_max(times)
    hi = bounds["max"].as_py()
    lo = bounds["min"].as_py()
    parts = [f"<= '{_iso(hi, ts_type)}'"]
    if ttl is not None:
        parts.append(f">= '{_iso(lo - ttl, ts_type)}'")
    return " AND ".join(f"{{col}} {p}" for p in parts)


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


def read_feature_rows(t: FeatureTable, snapshot_id: int | None, features: list[str],
                      entities: pa.Table, event_time: str, spec: FeatureSpec,
                      ts_type: pa.DataType, skip_files: set[str] | None = None,
                      direct: dict[str, Any] | None = None) -> pa.Table:
    """Keys, `__tablefmt_ts` (event time), `__created`, `__rank` (commit order) and the
    features. When `direct` is a dict and the files are local and of one schema, they are
    not read here: `direct` receives the file list with ranks for DuckDB to read, and an
    empty table is returned."""
    columns = list(dict.fromkeys([*spec.entities, spec.event_time]
                                 + ([spec.created_time] if spec.created_time else [])
                                 + features))
    window = _window(entities, event_time, spec.ttl, ts_type)
    where = window.format(col='"' + spec.event_time.replace('"', '""') + '"') if window else None
    if snapshot_id is None:
        scan = None
        tasks = []
    else:
        scan = t.scan(where=where, columns=columns, snapshot_id=snapshot_id)
        tasks = [task for task in scan.plan_files()
                 if not skip_files or task.file_path not in skip_files]
    parts: list[pa.Table] = []
    if scan is not None and tasks:
        by_seq: dict[int, list[FileTask]] = {}
        for task in tasks:
            by_seq.setdefault(task.sequence_number or 0, []).append(task)
        ranks = {seq: i for i, seq in enumerate(sorted(by_seq))}
        mapping = t.metadata.properties.get(DEFAULT_NAME_MAPPING)
        uniform = len(t.metadata.schemas) == 1 and mapping is None
        if direct is not None and uniform and all(x.file_path.startswith("file://")
                                                  for x in tasks):
            # DuckDB reads these local files itself (fused with the join, in parallel).
            direct.update(paths=pa.table({
                "path": [x.file_path.removeprefix("file://") for x in tasks],
                "rank": [ranks[x.sequence_number or 0] for x in tasks]}),
                columns=columns, window=window)
            return _with_keys(pa.schema([to_arrow_schema(t.schema).field(c)
                                         for c in columns]
                                        + [pa.field("__rank", pa.int64())]).empty_table(),
                              spec)
        arrow_filter = None if isinstance(scan.bound, AlwaysTrue) \
            else to_arrow_expr(scan.bound, scan.schema)
        for seq, group in by_seq.items():
            batches = list(read_batches(t.io, group, scan.schema, columns, arrow_filter,
                                        referenced_columns(scan.bound), None, uniform, mapping))
            if batches:
                part = pa.Table.from_batches(batches)
                parts.append(part.append_column("__rank", pa.array(
                    np.full(part.num_rows, ranks[seq], dtype=np.int64))))
    schema = pa.schema([to_arrow_schema(t.schema).field(c) for c in columns]
                       + [pa.field("__rank", pa.int64())])
    rows = pa.concat_tables(parts) if parts else schema.empty_table()
    return _with_keys(rows, spec)


def _with_keys(rows: pa.Table, spec: FeatureSpec) -> pa.Table:
    """Rename the times to fixed names; the ASOF sort key is computed in DuckDB."""
    out = rows.append_column(TS, _as_timestamp(rows.column(spec.event_time)))
    if spec.created_time:
        out = out.append_column("__created", _as_timestamp(rows.column(spec.created_time)))
    return out


def _as_timestamp(col: pa.ChunkedArray) -> pa.ChunkedArray:
    return col.cast(pa.timestamp("us")) if pa.types.is_date(col.type) else col
