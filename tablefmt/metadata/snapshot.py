"""Snapshots, refs and snapshot summaries (spec "Snapshots", "Snapshot References",
Appendix F "Metrics")."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

MAIN_BRANCH = "main"

# Appendix F summary keys tablefmt maintains.
ADDED_DATA_FILES = "added-data-files"
DELETED_DATA_FILES = "deleted-data-files"
TOTAL_DATA_FILES = "total-data-files"
ADDED_RECORDS = "added-records"
DELETED_RECORDS = "deleted-records"
TOTAL_RECORDS = "total-records"
ADDED_FILES_SIZE = "added-files-size"
REMOVED_FILES_SIZE = "removed-files-size"
TOTAL_FILES_SIZE = "total-files-size"
TOTAL_DELETE_FILES = "total-delete-files"
TOTAL_POSITION_DELETES = "total-position-deletes"
TOTAL_EQUALITY_DELETES = "total-equality-deletes"
CHANGED_PARTITION_COUNT = "changed-partition-count"
ENGINE_NAME = "engine-name"
ENGINE_VERSION = "engine-version"


@dataclass(frozen=True)
class Snapshot:
    """One table state. `summary` holds the operation and the Appendix F metrics."""

    snapshot_id: int
    parent_snapshot_id: int | None
    sequence_number: int
    timestamp_ms: int
    manifest_list: str
    summary: dict[str, str]
    schema_id: int | None = None
    _json: bytes | None = field(default=None, compare=False, repr=False)

    @property
    def operation(self) -> str:
        return self.summary.get("operation", "append")

    @property
    def timestamp(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp_ms / 1000, tz=UTC)

    def metric(self, key: str) -> int:
        return int(self.summary.get(key, "0"))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"snapshot-id": self.snapshot_id}
        if self.parent_snapshot_id is not None:
            out["parent-snapshot-id"] = self.parent_snapshot_id
        out.update({"sequence-number": self.sequence_number, "timestamp-ms": self.timestamp_ms,
                    "manifest-list": self.manifest_list, "summary": self.summary})
        if self.schema_id is not None:
            out["schema-id"] = self.schema_id
        return out

    def json_bytes(self) -> bytes:
        """The serialized JSON, cached: snapshots never change, and metadata of long-lived
        tables holds thousands of them (keeps commit latency flat as history grows)."""
        if self._json is None:
            text = json.dumps(self.to_json(), separators=(",", ":"))
            object.__setattr__(self, "_json", text.encode())
        assert self._json is not None
        return self._json

    def json_text(self) -> str:
        return self.json_bytes().decode()

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Snapshot:
        summary = {k: str(v) for k, v in (obj.get("summary") or {"operation": "append"}).items()}
        return cls(snapshot_id=int(obj["snapshot-id"]),
                   parent_snapshot_id=obj.get("parent-snapshot-id"),
                   sequence_number=int(obj.get("sequence-number", 0)),
                   timestamp_ms=int(obj["timestamp-ms"]),
                   manifest_list=obj.get("manifest-list", ""),
                   summary=summary, schema_id=obj.get("schema-id"))


@dataclass(frozen=True, slots=True)
class Ref:
    """A branch or tag (spec "Snapshot References")."""

    snapshot_id: int
    type: str = "branch"  # "branch" | "tag"
    min_snapshots_to_keep: int | None = None
    max_snapshot_age_ms: int | None = None
    max_ref_age_ms: int | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"snapshot-id": self.snapshot_id, "type": self.type}
        for key, value in (("min-snapshots-to-keep", self.min_snapshots_to_keep),
                           ("max-snapshot-age-ms", self.max_snapshot_age_ms),
                           ("max-ref-age-ms", self.max_ref_age_ms)):
            if value is not None:
                out[key] = value
        return out

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Ref:
        return cls(int(obj["snapshot-id"]), obj.get("type", "branch"),
                   obj.get("min-snapshots-to-keep"), obj.get("max-snapshot-age-ms"),
                   obj.get("max-ref-age-ms"))


def new_snapshot_id() -> int:
    """A positive random id (spec Appendix F): UUIDv4 halves XORed, sign bit cleared."""
    u = uuid.uuid4().int
    return ((u >> 64) ^ (u & 0xFFFFFFFFFFFFFFFF)) & 0x7FFFFFFFFFFFFFFF or 1


def update_totals(previous: dict[str, str] | None, summary: dict[str, str]) -> dict[str, str]:
    """Totals = previous totals + added - removed (PyIceberg and Java do the same)."""
    prev = previous or {}

    def total(key: str, added: str | None, removed: str | None) -> str:
        value = int(prev.get(key, "0")) + int(summary.get(added or "", "0")) \
            - int(summary.get(removed or "", "0"))
        return str(max(value, 0))

    out = dict(summary)
    out[TOTAL_DATA_FILES] = total(TOTAL_DATA_FILES, ADDED_DATA_FILES, DELETED_DATA_FILES)
    out[TOTAL_RECORDS] = total(TOTAL_RECORDS, ADDED_RECORDS, DELETED_RECORDS)
    out[TOTAL_FILES_SIZE] = total(TOTAL_FILES_SIZE, ADDED_FILES_SIZE, REMOVED_FILES_SIZE)
    for key in (TOTAL_DELETE_FILES, TOTAL_POSITION_DELETES, TOTAL_EQUALITY_DELETES):
        out[key] = total(key, None, None)
    return out
