"""What `expire` would remove, computed without committing: the retention decision of
`tablefmt.maintenance.retention.retain` (spec "Snapshot Retention Policy") with the
policy `Table.expire_snapshots` builds, and the files only the expired snapshots reach,
found the way `tablefmt.maintenance.expire` finds them after its commit."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tablefmt.maintenance.expire import (
    MAX_REF_AGE_MS,
    MAX_SNAPSHOT_AGE_MS,
    MAX_SNAPSHOT_AGE_MS_DEFAULT,
    MIN_SNAPSHOTS_TO_KEEP,
    MIN_SNAPSHOTS_TO_KEEP_DEFAULT,
)
from tablefmt.maintenance.files import normalize
from tablefmt.maintenance.reachable import file_paths, manifests_of, statistics_paths
from tablefmt.maintenance.retention import Retention, RetentionPolicy, retain
from tablefmt.metadata.snapshot import Snapshot
from tablefmt.metadata.table_metadata import TableMetadata
from tablefmt.table import Table


@dataclass(frozen=True, slots=True, kw_only=True)
class ExpiryPlan:
    """Snapshots and refs an expiry would remove, and the files it would delete."""

    cutoff: datetime  # snapshots older than this may expire
    retain_last: int
    expired: tuple[Snapshot, ...]  # oldest first
    dropped_refs: tuple[str, ...]
    data_files: tuple[str, ...] = ()
    manifests: tuple[str, ...] = ()
    manifest_lists: tuple[str, ...] = ()
    statistics_files: tuple[str, ...] = ()


def default_cutoff(meta: TableMetadata) -> datetime:
    """`now - history.expire.max-snapshot-age-ms` (default 5 days), as expiry uses."""
    age_ms = meta.int_property(MAX_SNAPSHOT_AGE_MS, MAX_SNAPSHOT_AGE_MS_DEFAULT)
    return datetime.now(UTC) - timedelta(milliseconds=age_ms)


def decide(meta: TableMetadata, cutoff: datetime, retain_last: int) -> Retention:
    """The retention decision for `meta` (the policy of `Table.expire_snapshots`)."""
    now_ms = int(time.time() * 1000)
    policy = RetentionPolicy(
        now_ms=now_ms, older_than_ms=int(cutoff.timestamp() * 1000),
        min_snapshots_to_keep=max(retain_last, meta.int_property(
            MIN_SNAPSHOTS_TO_KEEP, MIN_SNAPSHOTS_TO_KEEP_DEFAULT)),
        max_ref_age_ms=meta.int_property(MAX_REF_AGE_MS, 0)
        if meta.properties.get(MAX_REF_AGE_MS) else None)
    return retain(meta, policy)


def plan_expiry(table: Table, *, cutoff: datetime | None, retain_last: int,
                with_files: bool = True) -> ExpiryPlan:
    """What `table.expire_snapshots(older_than=cutoff, retain_last=retain_last)` would
    remove now. Nothing is written or deleted.

    Example:
        >>> import tempfile, pyarrow as pa, tablefmt as tf
        >>> tmp = tempfile.TemporaryDirectory()
        >>> cat = tf.connect(tmp.name); cat.create_namespace("db")
        >>> t = cat.create_table("db.t", pa.schema([("x", pa.int64())]))
        >>> first = t.append(pa.table({"x": [1]})); _ = t.append(pa.table({"x": [2]}))
        >>> plan = plan_expiry(t, cutoff=datetime.now(UTC), retain_last=1)
        >>> [s.snapshot_id for s in plan.expired] == [first.snapshot_id], len(t.snapshots())
        (True, 2)
        >>> cat.close(); tmp.cleanup()
    """
    meta = table.metadata
    cutoff = default_cutoff(meta) if cutoff is None else cutoff
    decision = decide(meta, cutoff, retain_last)
    gone = set(decision.expired_ids)
    expired = tuple(s for s in table.snapshots() if s.snapshot_id in gone)
    plan = ExpiryPlan(cutoff=cutoff, retain_last=retain_last, expired=expired,
                      dropped_refs=decision.dropped_refs)
    if not with_files or not expired:
        return plan
    kept = [s for s in meta.snapshots if s.snapshot_id in decision.kept_ids]
    return _with_files(table, plan, kept)


def _with_files(table: Table, plan: ExpiryPlan, kept: list[Snapshot]) -> ExpiryPlan:
    io, meta = table.io, table.metadata
    kept_manifests = manifests_of(io, kept)
    expired_manifests = manifests_of(io, plan.expired, missing_ok=True)
    gone_manifests = _minus(expired_manifests, kept_manifests)
    data = file_paths(io, [expired_manifests[p] for p in gone_manifests], meta,
                      live_only=False, missing_ok=True)
    if data:
        data = _minus(data, file_paths(io, kept_manifests.values(), meta, live_only=True))
    lists = _minus({s.manifest_list for s in plan.expired if s.manifest_list},
                   {s.manifest_list for s in kept})
    expired_ids = {s.snapshot_id for s in plan.expired}
    stats = _minus(statistics_paths(meta, expired_ids),
                   statistics_paths(meta, {s.snapshot_id for s in kept}))
    return ExpiryPlan(cutoff=plan.cutoff, retain_last=plan.retain_last, expired=plan.expired,
                      dropped_refs=plan.dropped_refs, data_files=tuple(sorted(data)),
                      manifests=tuple(sorted(gone_manifests)),
                      manifest_lists=tuple(sorted(lists)), statistics_files=tuple(sorted(stats)))


def _minus(paths: Iterable[str], keep: Iterable[str]) -> set[str]:
    """`paths` not in `keep`, comparing normalized locations (as expiry does)."""
    kept = {normalize(p) for p in keep}
    return {p for p in paths if normalize(p) not in kept}
