"""Index housekeeping for snapshot expiry and orphan removal (spec/embeddings.md
"Expiry"). An index is kept while some retained snapshot would use it; one whose own
snapshot expired is re-anchored to the oldest retained snapshots that used it, so
searches at those snapshots still find it. Pure functions of metadata."""

from __future__ import annotations

from dataclasses import dataclass

from tablefmt.embeddings.registry import IndexEntry, choose, entries, with_entries
from tablefmt.metadata.table_metadata import TableMetadata


@dataclass(frozen=True, slots=True, kw_only=True)
class IndexExpiry:
    """The index entries to keep (re-anchored) and the files of the ones dropped."""

    kept: list[IndexEntry]
    dropped: list[IndexEntry]

    @property
    def files_to_delete(self) -> list[str]:
        return sorted({f for e in self.dropped for f in e.files})


def plan_index_expiry(before: TableMetadata, after: TableMetadata) -> IndexExpiry:
    """Which of `after`'s index entries survive once the snapshots missing from `after`
    (but present in `before`) are gone. Entries added after `before` are kept as they
    are. Ancestry is read from `before`, which still has the expired snapshots."""
    items = entries(after)
    known = {e.index_id for e in entries(before)}
    retained = {s.snapshot_id for s in after.snapshots}
    anchors: dict[str, set[int]] = {e.index_id: set() for e in items}
    by_id = {e.index_id: e for e in items}
    for sid in retained:
        snap = before.snapshot_by_id(sid)
        chosen = choose(before, snap, items) if snap is not None else None
        if chosen is None:
            continue
        chain = _retained_chain(before, sid, retained)
        near = [a for a in chosen.anchors if a in chain]
        anchors[chosen.index_id].update(near or [chain[-1]])
    kept, dropped = [], []
    for e in items:
        if e.index_id not in known:
            kept.append(e)
        elif anchors[e.index_id]:
            kept.append(by_id[e.index_id].anchored(anchors[e.index_id]))
        else:
            dropped.append(e)
    return IndexExpiry(kept=kept, dropped=dropped)


def expire_indexes(before: TableMetadata, after: TableMetadata
                   ) -> tuple[TableMetadata, list[str]]:
    """`after` with its index list pruned and re-anchored, and the index files that can
    be deleted once that metadata is committed. For the expiry commit's build step."""
    decision = plan_index_expiry(before, after)
    if not decision.dropped and decision.kept == entries(after):
        return after, []
    return with_entries(after, decision.kept), decision.files_to_delete


def _retained_chain(meta: TableMetadata, snapshot_id: int, retained: set[int]) -> list[int]:
    """The snapshot and its ancestors, newest first, up to the first one not retained."""
    chain = []
    for snap in meta.ancestors(snapshot_id):
        if snap.snapshot_id not in retained:
            break
        chain.append(snap.snapshot_id)
    return chain
