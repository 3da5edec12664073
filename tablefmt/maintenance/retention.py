"""Which refs and snapshots survive expiry: the spec's "Snapshot Retention Policy"
(reference §1.3), as Java's RemoveSnapshots applies it. Pure: metadata in, decision out.

1. Refs other than `main` older than their `max-ref-age-ms` are dropped.
2. Every retained ref's snapshot is kept.
3. Each branch keeps ancestors until both its `min-snapshots-to-keep` and its
   `max-snapshot-age-ms` are exceeded (ref-level settings, else the policy's defaults).
4. Snapshots on no retained ref's ancestry are kept only while newer than the cutoff.
"""

from __future__ import annotations

from dataclasses import dataclass

from tablefmt.metadata.snapshot import MAIN_BRANCH, Ref
from tablefmt.metadata.table_metadata import TableMetadata


@dataclass(frozen=True, slots=True, kw_only=True)
class RetentionPolicy:
    """The defaults that refs without their own settings follow."""

    now_ms: int
    older_than_ms: int  # snapshots at or after this time are kept
    min_snapshots_to_keep: int = 1  # newest ancestors each branch keeps
    max_ref_age_ms: int | None = None  # refs (not main) whose snapshot is older are dropped


@dataclass(frozen=True, slots=True, kw_only=True)
class Retention:
    refs: dict[str, Ref]
    kept_ids: frozenset[int]
    expired_ids: tuple[int, ...]  # oldest first
    dropped_refs: tuple[str, ...]


def retain(meta: TableMetadata, policy: RetentionPolicy) -> Retention:
    """Apply the retention policy to `meta`.

    Example:
        >>> from tablefmt.metadata.snapshot import Snapshot
        >>> from types import SimpleNamespace
        >>> snaps = [Snapshot(snapshot_id=i, parent_snapshot_id=i - 1 or None,
        ...                   sequence_number=i, timestamp_ms=i * 1000, manifest_list="",
        ...                   summary={}) for i in (1, 2, 3, 4)]
        >>> by_id = {s.snapshot_id: s for s in snaps}
        >>> def ancestors(sid):
        ...     out = []
        ...     while sid in by_id:
        ...         out.append(by_id[sid]); sid = by_id[sid].parent_snapshot_id
        ...     return out
        >>> meta = SimpleNamespace(snapshots=tuple(snaps), snapshot_by_id=by_id.get,
        ...     ancestors=ancestors, refs={"main": Ref(4), "v1": Ref(1, "tag")})
        >>> r = retain(meta, RetentionPolicy(now_ms=5000, older_than_ms=5000,
        ...                                  min_snapshots_to_keep=2))
        >>> sorted(r.kept_ids), r.expired_ids
        ([1, 3, 4], (2,))
    """
    refs, dropped = _retained_refs(meta, policy)
    keep = {ref.snapshot_id for ref in refs.values()}
    for ref in refs.values():
        if ref.type == "branch":
            keep |= _branch_snapshots(meta, ref, policy)
    keep |= _unreferenced_to_keep(meta, refs, policy)
    expired = sorted((s for s in meta.snapshots if s.snapshot_id not in keep),
                     key=lambda s: (s.timestamp_ms, s.sequence_number))
    return Retention(refs=refs, kept_ids=frozenset(keep),
                     expired_ids=tuple(s.snapshot_id for s in expired),
                     dropped_refs=tuple(sorted(dropped)))


def _retained_refs(meta: TableMetadata,
                   policy: RetentionPolicy) -> tuple[dict[str, Ref], list[str]]:
    kept: dict[str, Ref] = {}
    dropped: list[str] = []
    for name, ref in meta.refs.items():
        if name == MAIN_BRANCH:  # the spec: max-ref-age-ms never applies to main
            kept[name] = ref
            continue
        snap = meta.snapshot_by_id(ref.snapshot_id)
        max_age = ref.max_ref_age_ms if ref.max_ref_age_ms is not None \
            else policy.max_ref_age_ms
        if snap is None or (max_age is not None and policy.now_ms - snap.timestamp_ms > max_age):
            dropped.append(name)  # expired, or pointing at a snapshot that does not exist
        else:
            kept[name] = ref
    return kept, dropped


def _branch_snapshots(meta: TableMetadata, ref: Ref, policy: RetentionPolicy) -> set[int]:
    cutoff = policy.now_ms - ref.max_snapshot_age_ms if ref.max_snapshot_age_ms is not None \
        else policy.older_than_ms
    min_keep = ref.min_snapshots_to_keep if ref.min_snapshots_to_keep is not None \
        else policy.min_snapshots_to_keep
    keep: set[int] = set()
    for snap in meta.ancestors(ref.snapshot_id):
        if len(keep) < min_keep or snap.timestamp_ms >= cutoff:
            keep.add(snap.snapshot_id)
        else:
            break
    return keep


def _unreferenced_to_keep(meta: TableMetadata, refs: dict[str, Ref],
                          policy: RetentionPolicy) -> set[int]:
    on_a_ref = {s.snapshot_id for ref in refs.values() for s in meta.ancestors(ref.snapshot_id)}
    return {s.snapshot_id for s in meta.snapshots
            if s.snapshot_id not in on_a_ref and s.timestamp_ms >= policy.older_than_ms}


def trim_snapshot_log(log: tuple[tuple[int, int], ...],
                      kept_ids: frozenset[int] | set[int]) -> tuple[tuple[int, int], ...]:
    """The snapshot log without expired snapshots: an entry whose snapshot is gone cuts
    off the history before it (spec "Table Metadata": `snapshot-log`; Java does the same),
    so the log never claims a state that can no longer be read.

    Example:
        >>> trim_snapshot_log(((1, 10), (2, 11), (3, 12), (4, 13)), {10, 12, 13})
        ((3, 12), (4, 13))
    """
    out: list[tuple[int, int]] = []
    for entry in log:
        if entry[1] in kept_ids:
            out.append(entry)
        else:
            out.clear()
    return tuple(out)


__all__ = ["Retention", "RetentionPolicy", "retain", "trim_snapshot_log"]
