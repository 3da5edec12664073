"""One JSON row per snapshot and per data file, shared by several CLI commands
(summary keys: Iceberg spec Appendix F "Metrics")."""

from __future__ import annotations

from typing import Any

from tablefmt.cli.output import Column
from tablefmt.metadata import snapshot as S
from tablefmt.metadata.snapshot import Snapshot
from tablefmt.scan.planner import FileTask

SNAPSHOT_COLUMNS = [
    Column("timestamp"), Column("snapshot_id"), Column("parent_snapshot_id", "parent_id"),
    Column("operation"), Column("added_records"), Column("removed_records"),
    Column("added_files"), Column("removed_files"), Column("total_records"),
]


def _count(snap: Snapshot, key: str) -> int | None:
    """Writers omit zero added/removed counts from the summary (Java does), so absent is 0."""
    return _int(snap.summary.get(key, "0"))


def _total(snap: Snapshot, key: str) -> int | None:
    """Totals are always written when known; absent means unknown, not zero."""
    return _int(snap.summary.get(key))


def _int(value: str | None) -> int | None:
    try:
        return None if value is None else int(value)
    except ValueError:  # a foreign writer's malformed summary: show it as unknown
        return None


def snapshot_row(snap: Snapshot, current_snapshot_id: int | None) -> dict[str, Any]:
    return {
        "timestamp": snap.timestamp,
        "snapshot_id": snap.snapshot_id,
        "parent_snapshot_id": snap.parent_snapshot_id,
        "sequence_number": snap.sequence_number,
        "operation": snap.operation,
        "is_current": snap.snapshot_id == current_snapshot_id,
        "added_records": _count(snap, S.ADDED_RECORDS),
        "removed_records": _count(snap, S.DELETED_RECORDS),
        "added_files": _count(snap, S.ADDED_DATA_FILES),
        "removed_files": _count(snap, S.DELETED_DATA_FILES),
        "total_records": _total(snap, S.TOTAL_RECORDS),
        "total_files": _total(snap, S.TOTAL_DATA_FILES),
        "total_bytes": _total(snap, S.TOTAL_FILES_SIZE),
        "schema_id": snap.schema_id,
        "manifest_list": snap.manifest_list,
    }


def file_row(task: FileTask) -> dict[str, Any]:
    return {
        "file_path": task.file_path,
        "file_format": task.file_format,
        "partition": dict(task.partition),
        "record_count": task.record_count,
        "file_size_in_bytes": task.file_size_in_bytes,
        "spec_id": task.spec_id,
    }
