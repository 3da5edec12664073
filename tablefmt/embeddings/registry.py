"""The index registry (spec/embeddings.md "Index versions"): the table property
`tablefmt.embedding.indexes` holds a JSON list of index entries. Each names the snapshot
it was built at and the snapshots it is anchored to; a search at snapshot S uses the
entry anchored nearest S in S's ancestry (the newest index built at or before S), so
indexes are versioned with the snapshots without a new snapshot per build."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from tablefmt.embeddings.config import INDEXES
from tablefmt.errors import CorruptMetadataError
from tablefmt.metadata.snapshot import Snapshot
from tablefmt.metadata.table_metadata import TableMetadata


@dataclass(frozen=True, slots=True, kw_only=True)
class IndexEntry:
    """One vector index: what it is, which snapshot's rows it holds, where its files are.

    `anchors` are the snapshots the index counts as built at: its own snapshot, or after
    that one expired, the oldest retained descendants that used it."""

    index_id: str
    kind: str
    metric: str
    dim: int
    snapshot_id: int
    anchors: tuple[int, ...]
    created_ms: int
    rows: int
    location: str
    files: tuple[str, ...]
    params: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.index_id, "kind": self.kind, "metric": self.metric,
                "dim": self.dim, "snapshot-id": self.snapshot_id, "anchors": list(self.anchors),
                "created-ms": self.created_ms, "rows": self.rows, "location": self.location,
                "files": list(self.files), "params": self.params}

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> IndexEntry:
        sid = int(obj["snapshot-id"])
        return cls(index_id=str(obj["id"]), kind=str(obj["kind"]), metric=str(obj["metric"]),
                   dim=int(obj["dim"]), snapshot_id=sid,
                   anchors=tuple(int(a) for a in obj.get("anchors") or [sid]),
                   created_ms=int(obj.get("created-ms", 0)), rows=int(obj.get("rows", 0)),
                   location=str(obj["location"]), files=tuple(obj.get("files") or ()),
                   params=dict(obj.get("params") or {}))

    def anchored(self, anchors: set[int]) -> IndexEntry:
        return replace(self, anchors=tuple(sorted(anchors)))


_PARSED: dict[str, tuple[IndexEntry, ...]] = {}


def entries(meta: TableMetadata) -> list[IndexEntry]:
    """The table's index entries, oldest first (parsed once per property value)."""
    raw = meta.properties.get(INDEXES)
    if not raw:
        return []
    found = _PARSED.get(raw)
    if found is None:
        try:
            found = tuple(IndexEntry.from_json(o) for o in json.loads(raw))
        except (ValueError, KeyError, TypeError) as exc:
            raise CorruptMetadataError(f"Table property {INDEXES} of {meta.location} is not "
                                       f"a valid index list: {exc}") from exc
        if len(_PARSED) > 64:
            _PARSED.clear()
        _PARSED[raw] = found
    return list(found)


def with_entries(meta: TableMetadata, items: list[IndexEntry]) -> TableMetadata:
    """`meta` with its index list replaced (the property is dropped when empty)."""
    props = dict(meta.properties)
    if items:
        props[INDEXES] = json.dumps([e.to_json() for e in items], separators=(",", ":"))
    else:
        props.pop(INDEXES, None)
    return meta.evolve(properties=props)


def choose(meta: TableMetadata, snapshot: Snapshot | None,
           items: list[IndexEntry] | None = None) -> IndexEntry | None:
    """The index a search at `snapshot` uses: the entry with an anchor nearest to it in
    its ancestry (the snapshot itself counts); among equals, the newest entry."""
    if snapshot is None:
        return None
    depth = {s.snapshot_id: i for i, s in enumerate(meta.ancestors(snapshot.snapshot_id))}
    best: tuple[int, int] | None = None
    chosen = None
    for order, entry in enumerate(items if items is not None else entries(meta)):
        near = min((depth[a] for a in entry.anchors if a in depth), default=None)
        if near is not None and (best is None or (near, -order) < best):
            best, chosen = (near, -order), entry
    return chosen


def index_files(meta: TableMetadata) -> set[str]:
    """Every file of every index the metadata references (what orphan removal keeps)."""
    return {f for e in entries(meta) for f in e.files}
