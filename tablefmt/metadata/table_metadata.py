"""Table metadata (spec "Table Metadata", format version 2) and its JSON codec.

Readers accept what Java and PyIceberg write (`current-snapshot-id: -1`, a missing
`refs` map, v1 fields); tablefmt always writes every v2 required field.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from tablefmt.errors import CorruptMetadataError, ValidationError
from tablefmt.metadata.snapshot import MAIN_BRANCH, Ref, Snapshot
from tablefmt.partitioning import PartitionSpec
from tablefmt.schema import Schema
from tablefmt.sorting import SortOrder

FORMAT_VERSION = 2


@dataclass(frozen=True)
class TableMetadata:
    location: str
    table_uuid: str
    last_sequence_number: int
    last_updated_ms: int
    last_column_id: int
    schemas: tuple[Schema, ...]
    current_schema_id: int
    partition_specs: tuple[PartitionSpec, ...]
    default_spec_id: int
    last_partition_id: int
    sort_orders: tuple[SortOrder, ...]
    default_sort_order_id: int
    properties: dict[str, str] = field(default_factory=dict)
    current_snapshot_id: int | None = None
    snapshots: tuple[Snapshot, ...] = ()
    snapshot_log: tuple[tuple[int, int], ...] = ()  # (timestamp-ms, snapshot-id)
    metadata_log: tuple[tuple[int, str], ...] = ()  # (timestamp-ms, metadata-file)
    refs: dict[str, Ref] = field(default_factory=dict)
    format_version: int = FORMAT_VERSION
    statistics: tuple[Any, ...] = ()
    partition_statistics: tuple[Any, ...] = ()

    # -- lookups ---------------------------------------------------------------------------
    @property
    def schema(self) -> Schema:
        return self.schema_by_id(self.current_schema_id)

    def schema_by_id(self, schema_id: int | None) -> Schema:
        for s in self.schemas:
            if s.schema_id == schema_id:
                return s
        return self.schemas[-1] if schema_id is None else self._missing("schema", schema_id)

    @property
    def spec(self) -> PartitionSpec:
        return self.spec_by_id(self.default_spec_id)

    def spec_by_id(self, spec_id: int) -> PartitionSpec:
        for s in self.partition_specs:
            if s.spec_id == spec_id:
                return s
        missing: PartitionSpec = self._missing("partition spec", spec_id)
        return missing

    @property
    def sort_order(self) -> SortOrder:
        return next((o for o in self.sort_orders if o.order_id == self.default_sort_order_id),
                    SortOrder())

    def _missing(self, what: str, ident: int) -> Any:
        raise CorruptMetadataError(f"Table metadata at {self.location} has no {what} {ident}")

    def snapshot_by_id(self, snapshot_id: int) -> Snapshot | None:
        return self._snapshots_by_id.get(snapshot_id)

    @property
    def _snapshots_by_id(self) -> dict[int, Snapshot]:
        cache = self.__dict__.get("_by_id_cache")
        if cache is None:
            cache = {s.snapshot_id: s for s in self.snapshots}
            object.__setattr__(self, "_by_id_cache", cache)
        return cache

    @property
    def current_snapshot(self) -> Snapshot | None:
        if self.current_snapshot_id is None:
            return None
        return self.snapshot_by_id(self.current_snapshot_id)

    def ref_snapshot(self, name: str) -> Snapshot | None:
        ref = self.refs.get(name)
        return self.snapshot_by_id(ref.snapshot_id) if ref else None

    def snapshot_as_of(self, when: datetime) -> Snapshot:
        """The snapshot that was current at `when` (from the snapshot log)."""
        ms = int(when.timestamp() * 1000)
        chosen = None
        for ts, sid in self.snapshot_log:
            if ts <= ms:
                chosen = sid
        if chosen is None:
            first = self.snapshot_log[0][0] if self.snapshot_log else None
            detail = (f"; the first snapshot is at {datetime.fromtimestamp(first / 1000)}"
                      if first is not None else "; the table has no snapshots")
            raise ValidationError(f"No snapshot of {self.location} was current at "
                                  f"{when.isoformat()}{detail}")
        snap = self.snapshot_by_id(chosen)
        if snap is None:
            raise ValidationError(f"The snapshot current at {when.isoformat()} has expired")
        return snap

    def ancestors(self, snapshot_id: int | None) -> list[Snapshot]:
        """The snapshot and its parents, newest first, as far as they are kept."""
        out = []
        while snapshot_id is not None and (snap := self.snapshot_by_id(snapshot_id)):
            out.append(snap)
            snapshot_id = snap.parent_snapshot_id
        return out

    def property(self, key: str, default: str) -> str:
        return self.properties.get(key, default)

    def int_property(self, key: str, default: int) -> int:
        try:
            return int(self.properties.get(key, default))
        except ValueError as exc:
            raise ValidationError(f"Table property {key} must be an integer") from exc

    # -- JSON ------------------------------------------------------------------------------
    def to_json_bytes(self) -> bytes:
        head = {
            "format-version": self.format_version,
            "table-uuid": self.table_uuid,
            "location": self.location,
            "last-sequence-number": self.last_sequence_number,
            "last-updated-ms": self.last_updated_ms,
            "last-column-id": self.last_column_id,
            "current-schema-id": self.current_schema_id,
            "schemas": [s.to_json() for s in self.schemas],
            "default-spec-id": self.default_spec_id,
            "partition-specs": [s.to_json() for s in self.partition_specs],
            "last-partition-id": self.last_partition_id,
            "default-sort-order-id": self.default_sort_order_id,
            "sort-orders": [o.to_json() for o in self.sort_orders],
            "properties": self.properties,
            # Spec Appendix F: -1 means "no current snapshot" for v1/v2 readers.
            "current-snapshot-id": -1 if self.current_snapshot_id is None
            else self.current_snapshot_id,
            "refs": {k: v.to_json() for k, v in self.refs.items()},
            "metadata-log": [{"timestamp-ms": t, "metadata-file": f} for t, f in self.metadata_log],
            "statistics": list(self.statistics),
            "partition-statistics": list(self.partition_statistics),
        }
        text = json.dumps(head, separators=(",", ":")).encode()
        log, snaps = self._history_json()
        prefix = b"".join((text[:-1], b',"snapshot-log":[', b",".join(log), b'],"snapshots":['))
        if not snaps:
            return prefix + b"]}"
        # One copy of the (megabytes of) snapshots: the head and tail ride on the first and
        # last element of the join.
        parts = list(snaps)
        parts[0] = prefix + parts[0]
        parts[-1] = parts[-1] + b"]}"
        return b",".join(parts)

    def to_json_text(self) -> str:
        return self.to_json_bytes().decode()

    def _history_json(self) -> tuple[tuple[bytes, ...], tuple[bytes, ...]]:
        """The JSON of each entry of the two lists that grow with history (snapshot-log,
        snapshots). Cached per metadata object and, when a commit appends one snapshot,
        extended from the parent's by `evolve`: a commit formats one entry, not thousands.
        """
        cached: tuple[tuple[bytes, ...], tuple[bytes, ...]] | None = \
            self.__dict__.get("_history_json_cache")
        if cached is None:
            cached = (tuple(_log_entry(t, s) for t, s in self.snapshot_log),
                      tuple(s.json_bytes() for s in self.snapshots))
            object.__setattr__(self, "_history_json_cache", cached)
        return cached

    @classmethod
    def from_json_text(cls, text: str | bytes, where: str = "") -> TableMetadata:
        try:
            obj = json.loads(text)
            return cls.from_json(obj)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise CorruptMetadataError(f"Cannot read table metadata {where}: {exc}") from exc

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> TableMetadata:
        version = int(obj["format-version"])
        if version > 2:
            raise CorruptMetadataError(f"Table format version {version} is not supported (max 2)")
        if "schemas" in obj:
            schemas = tuple(Schema.from_json(s) for s in obj["schemas"])
            current_schema_id = int(obj["current-schema-id"])
        else:  # v1
            schemas = (Schema.from_json(obj["schema"]),)
            current_schema_id = schemas[0].schema_id
        if "partition-specs" in obj:
            specs = tuple(PartitionSpec.from_json(s) for s in obj["partition-specs"])
            default_spec_id = int(obj["default-spec-id"])
        else:  # v1
            specs = (PartitionSpec.from_json({"spec-id": 0, "fields": obj["partition-spec"]}),)
            default_spec_id = 0
        last_partition_id = int(obj.get("last-partition-id", max(
            (f.field_id for s in specs for f in s.fields), default=999)))
        orders = tuple(SortOrder.from_json(o) for o in obj.get("sort-orders", [])) or (SortOrder(),)
        snapshots = tuple(Snapshot.from_json(s) for s in obj.get("snapshots") or [])
        current = obj.get("current-snapshot-id")
        current = None if current in (None, -1) else int(current)
        refs = {k: Ref.from_json(v) for k, v in (obj.get("refs") or {}).items()}
        if current is not None and MAIN_BRANCH not in refs:
            refs[MAIN_BRANCH] = Ref(current, "branch")
        meta = cls(
            location=obj["location"].rstrip("/"),
            table_uuid=obj.get("table-uuid") or str(uuid.uuid4()),
            last_sequence_number=int(obj.get("last-sequence-number", 0)),
            last_updated_ms=int(obj["last-updated-ms"]),
            last_column_id=int(obj["last-column-id"]),
            schemas=schemas, current_schema_id=current_schema_id,
            partition_specs=specs, default_spec_id=default_spec_id,
            last_partition_id=last_partition_id,
            sort_orders=orders, default_sort_order_id=int(obj.get("default-sort-order-id", 0)),
            properties={k: str(v) for k, v in (obj.get("properties") or {}).items()},
            current_snapshot_id=current, snapshots=snapshots,
            snapshot_log=tuple((int(e["timestamp-ms"]), int(e["snapshot-id"]))
                               for e in obj.get("snapshot-log") or []),
            metadata_log=tuple((int(e["timestamp-ms"]), e["metadata-file"])
                               for e in obj.get("metadata-log") or []),
            refs=refs, format_version=version,
            statistics=tuple(obj.get("statistics") or ()),
            partition_statistics=tuple(obj.get("partition-statistics") or ()),
        )
        meta.schema_by_id(current_schema_id)  # validates the ids resolve
        meta.spec_by_id(default_spec_id)
        return meta

    def evolve(self, **changes: Any) -> TableMetadata:
        """A copy with `changes`; the caches of the history carry over when the history is
        unchanged or grew by one snapshot (the common commit), so they stay O(1) per commit."""
        new = replace(self, **changes)
        snaps = changes.get("snapshots", self.snapshots)
        log = changes.get("snapshot_log", self.snapshot_log)
        added = _appended_one(self.snapshots, snaps)
        logged = _appended_one(self.snapshot_log, log)
        by_id = self.__dict__.get("_by_id_cache")
        if by_id is not None and (snaps is self.snapshots or added):
            if added:
                by_id = {**by_id, snaps[-1].snapshot_id: snaps[-1]}
            object.__setattr__(new, "_by_id_cache", by_id)
        text = self.__dict__.get("_history_json_cache")
        if text is not None and (snaps is self.snapshots or added) \
                and (log is self.snapshot_log or logged):
            log_json, snaps_json = text
            if logged:
                log_json += (_log_entry(*log[-1]),)
            if added:
                snaps_json += (snaps[-1].json_bytes(),)
            object.__setattr__(new, "_history_json_cache", (log_json, snaps_json))
        return new


def _appended_one(old: tuple[Any, ...], new: tuple[Any, ...]) -> bool:
    """True when `new` is `old` plus one element (built by `old + (x,)`)."""
    n = len(old)
    return len(new) == n + 1 and (n == 0 or new[n - 1] is old[-1])


def _log_entry(timestamp_ms: int, snapshot_id: int) -> bytes:
    return b'{"timestamp-ms":%d,"snapshot-id":%d}' % (timestamp_ms, snapshot_id)
