"""`Table.history()`: one row per snapshot, as an Arrow table."""

from __future__ import annotations

import pyarrow as pa

from tablefmt.metadata import snapshot as S
from tablefmt.metadata.table_metadata import TableMetadata

HISTORY_SCHEMA = pa.schema([
    ("timestamp", pa.timestamp("ms", tz="UTC")), ("snapshot_id", pa.int64()),
    ("parent_snapshot_id", pa.int64()), ("sequence_number", pa.int64()),
    ("operation", pa.string()), ("is_current_ancestor", pa.bool_()),
    ("added_files", pa.int64()), ("removed_files", pa.int64()),
    ("added_records", pa.int64()), ("removed_records", pa.int64()),
    ("total_files", pa.int64()), ("total_records", pa.int64()), ("total_bytes", pa.int64()),
])


def history_table(meta: TableMetadata) -> pa.Table:
    snaps = sorted(meta.snapshots, key=lambda s: (s.timestamp_ms, s.sequence_number))
    ancestors = {s.snapshot_id for s in meta.ancestors(meta.current_snapshot_id)}
    return pa.table({
        "timestamp": [s.timestamp_ms for s in snaps],
        "snapshot_id": [s.snapshot_id for s in snaps],
        "parent_snapshot_id": [s.parent_snapshot_id for s in snaps],
        "sequence_number": [s.sequence_number for s in snaps],
        "operation": [s.operation for s in snaps],
        "is_current_ancestor": [s.snapshot_id in ancestors for s in snaps],
        "added_files": [s.metric(S.ADDED_DATA_FILES) for s in snaps],
        "removed_files": [s.metric(S.DELETED_DATA_FILES) for s in snaps],
        "added_records": [s.metric(S.ADDED_RECORDS) for s in snaps],
        "removed_records": [s.metric(S.DELETED_RECORDS) for s in snaps],
        "total_files": [s.metric(S.TOTAL_DATA_FILES) for s in snaps],
        "total_records": [s.metric(S.TOTAL_RECORDS) for s in snaps],
        "total_bytes": [s.metric(S.TOTAL_FILES_SIZE) for s in snaps],
    }, schema=HISTORY_SCHEMA)
