"""Snapshot expiry (spec "Snapshot Retention Policy", reference §1.3): commit metadata
without the expired snapshots and refs, then delete the files only they reached.

Deletion runs only after the metadata commit landed, and never touches a file that a
kept snapshot (any branch or tag) still reads: a reader can only lose history, not data.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from tablefmt.errors import StorageError, ValidationError
from tablefmt.maintenance.files import delete_files, metadata_version, normalize
from tablefmt.maintenance.reachable import file_paths, manifests_of, statistics_paths
from tablefmt.maintenance.retention import Retention, RetentionPolicy, retain, trim_snapshot_log
from tablefmt.metadata.snapshot import Snapshot
from tablefmt.metadata.table_metadata import TableMetadata
from tablefmt.transaction.commit import commit

if TYPE_CHECKING:
    from tablefmt.io import FileIO
    from tablefmt.table import Table

# Iceberg's table properties for expiry (TableProperties in Java and PyIceberg).
MAX_SNAPSHOT_AGE_MS = "history.expire.max-snapshot-age-ms"
MAX_SNAPSHOT_AGE_MS_DEFAULT = 5 * 24 * 60 * 60 * 1000
MIN_SNAPSHOTS_TO_KEEP = "history.expire.min-snapshots-to-keep"
MIN_SNAPSHOTS_TO_KEEP_DEFAULT = 1
MAX_REF_AGE_MS = "history.expire.max-ref-age-ms"
METADATA_DELETE_AFTER_COMMIT = "write.metadata.delete-after-commit.enabled"
METADATA_DELETE_AFTER_COMMIT_DEFAULT = "false"


@dataclass(frozen=True, slots=True, kw_only=True)
class ExpireResult:
    """What `Table.expire_snapshots` removed (or, in a dry run, would remove): snapshot
    ids (oldest first), refs dropped by their `max-ref-age-ms`, and the number of files
    deleted, by kind."""

    expired_snapshot_ids: tuple[int, ...] = ()
    dropped_refs: tuple[str, ...] = ()
    deleted_data_files: int = 0
    deleted_manifests: int = 0
    deleted_manifest_lists: int = 0
    deleted_metadata_files: int = 0
    deleted_statistics_files: int = 0
    # A dry run commits and deletes nothing: the fields above say what a run would do,
    # `paths` which data, manifest, manifest-list and statistics files it would delete.
    dry_run: bool = False
    paths: tuple[str, ...] = ()

    @property
    def deleted_files(self) -> int:
        return (self.deleted_data_files + self.deleted_manifests + self.deleted_manifest_lists
                + self.deleted_metadata_files + self.deleted_statistics_files)


def expire_snapshots(table: Table, *, older_than: datetime | timedelta | None = None,
                     retain_last: int = 1, dry_run: bool = False) -> ExpireResult:
    """Expire snapshots of every branch older than `older_than`, keeping the newest
    `retain_last` ancestors of each branch and every snapshot a branch or tag points at;
    then delete the manifest lists, manifests and data files only expired snapshots
    reached.

    Args:
        table: the table; it is refreshed to the committed metadata.
        older_than: a datetime (naive means UTC) or a timedelta before now. None: the
            table property `history.expire.max-snapshot-age-ms` (default 5 days).
        retain_last: ancestors each branch keeps regardless of age (at least 1; the table
            property `history.expire.min-snapshots-to-keep` raises it, and a branch's own
            `min-snapshots-to-keep` replaces it, as in Java).
        dry_run: commit and delete nothing; the result says what a run would remove.

    Example:
        >>> import tempfile, pyarrow as pa, tablefmt as tf
        >>> tmp = tempfile.TemporaryDirectory()
        >>> cat = tf.connect(tmp.name); cat.create_namespace("db")
        >>> t = cat.create_table("db.t", pa.schema([("x", pa.int64())]))
        >>> first = t.append(pa.table({"x": [1]})); last = t.append(pa.table({"x": [2]}))
        >>> result = t.expire_snapshots(older_than=datetime.now(UTC))
        >>> result.expired_snapshot_ids == (first.snapshot_id,), result.deleted_manifest_lists
        (True, 1)
        >>> cat.close(); tmp.cleanup()
    """
    expiry = _expiry(table, older_than, retain_last)
    return expiry.preview() if dry_run else expiry.run()


def default_cutoff(meta: TableMetadata) -> datetime:
    """`now - history.expire.max-snapshot-age-ms` (default 5 days): the `older_than` that
    `expire_snapshots` uses when given none."""
    age_ms = meta.int_property(MAX_SNAPSHOT_AGE_MS, MAX_SNAPSHOT_AGE_MS_DEFAULT)
    return datetime.now(UTC) - timedelta(milliseconds=age_ms)


def retention_now(table: Table, older_than: datetime | timedelta | None = None,
                  retain_last: int = 1) -> Retention:
    """The snapshots and refs `expire_snapshots` would remove now, without the (costly)
    search for the files only they reach."""
    return retain(table.metadata, _expiry(table, older_than, retain_last).policy(table.metadata))


def _expiry(table: Table, older_than: datetime | timedelta | None, retain_last: int) -> _Expiry:
    """An expiry of `table` as of now, its arguments validated."""
    if isinstance(retain_last, bool) or not isinstance(retain_last, int) or retain_last < 1:
        raise ValidationError(f"Cannot expire snapshots of {table.name}: retain_last must be "
                              f"an integer >= 1, got {retain_last!r}")
    now_ms = int(time.time() * 1000)
    return _Expiry(table, now_ms, _cutoff_ms(table, older_than, now_ms), retain_last)


def _cutoff_ms(table: Table, older_than: datetime | timedelta | None, now_ms: int) -> int:
    if older_than is None:
        age = table.metadata.int_property(MAX_SNAPSHOT_AGE_MS, MAX_SNAPSHOT_AGE_MS_DEFAULT)
        return now_ms - age
    if isinstance(older_than, timedelta):
        return now_ms - int(older_than.total_seconds() * 1000)
    if isinstance(older_than, datetime):
        when = older_than if older_than.tzinfo else older_than.replace(tzinfo=UTC)
        return int(when.timestamp() * 1000)
    raise ValidationError(f"Cannot expire snapshots of {table.name}: older_than must be a "
                          f"datetime or timedelta, got {type(older_than).__name__}")


class _Expiry:
    def __init__(self, table: Table, now_ms: int, older_than_ms: int, retain_last: int) -> None:
        self.table, self.now_ms = table, now_ms
        self.older_than_ms, self.retain_last = older_than_ms, retain_last
        self.base: TableMetadata = table.metadata
        self.decision: Retention | None = None

    def policy(self, meta: TableMetadata) -> RetentionPolicy:
        max_ref_age = meta.properties.get(MAX_REF_AGE_MS)
        return RetentionPolicy(
            now_ms=self.now_ms, older_than_ms=self.older_than_ms,
            min_snapshots_to_keep=max(self.retain_last, meta.int_property(
                MIN_SNAPSHOTS_TO_KEEP, MIN_SNAPSHOTS_TO_KEEP_DEFAULT)),
            max_ref_age_ms=meta.int_property(MAX_REF_AGE_MS, 0) if max_ref_age else None)

    def build(self, base: TableMetadata) -> TableMetadata:
        """The base without expired snapshots; recomputed on every retry's base, so a
        ref or snapshot a concurrent commit added is honoured."""
        decision = retain(base, self.policy(base))
        self.base, self.decision = base, decision
        kept = decision.kept_ids
        return base.evolve(
            snapshots=tuple(s for s in base.snapshots if s.snapshot_id in kept),
            refs=decision.refs,
            snapshot_log=trim_snapshot_log(base.snapshot_log, kept),
            statistics=tuple(s for s in base.statistics if _stat_kept(s, kept)),
            partition_statistics=tuple(s for s in base.partition_statistics
                                       if _stat_kept(s, kept)),
            last_updated_ms=max(int(time.time() * 1000), base.last_updated_ms + 1))

    def preview(self) -> ExpireResult:
        meta = self.table.metadata
        decision = retain(meta, self.policy(meta))
        gone = set(decision.expired_ids)
        expired = [s for s in meta.snapshots if s.snapshot_id in gone]
        kept = [s for s in meta.snapshots if s.snapshot_id not in gone]
        files = _unreachable(self.table.io, meta, expired, kept, meta) if expired else {}
        return _outcome(decision, files, {kind: len(paths) for kind, paths in files.items()},
                        dry_run=True)

    def run(self) -> ExpireResult:
        preview = retain(self.table.metadata, self.policy(self.table.metadata))
        if not preview.expired_ids and not preview.dropped_refs:
            return ExpireResult(deleted_metadata_files=self._delete_old_metadata())
        committed = commit(self.table, self.build)
        assert self.decision is not None
        gone = set(self.decision.expired_ids)
        expired = [s for s in self.base.snapshots if s.snapshot_id in gone]
        try:
            files = _unreachable(self.table.io, self.base, expired, committed.snapshots,
                                 committed)
        except StorageError as exc:
            raise StorageError(
                f"Expired {len(expired)} snapshot(s) of {self.table.name}, but could not read "
                f"what the kept snapshots reference ({exc}); no files were deleted. "
                "Run remove_orphan_files() once storage is readable") from exc
        # Data first, then manifests, then lists (Java's order): an interrupted run leaves
        # only files that no kept snapshot reaches, which remove_orphan_files finds.
        deleted = {kind: delete_files(self.table.io, paths) for kind, paths in files.items()}
        return _outcome(self.decision, files, deleted, dry_run=False,
                        metadata_files=self._delete_old_metadata())

    def _delete_old_metadata(self) -> int:
        """With `write.metadata.delete-after-commit.enabled`, metadata files that fell off
        `metadata-log` (beyond `write.metadata.previous-versions-max`) are deleted, as
        Java does after each commit. Only versions older than every logged one go, so a
        concurrent commit's newer file is never touched."""
        meta = self.table.metadata
        enabled = meta.property(METADATA_DELETE_AFTER_COMMIT, METADATA_DELETE_AFTER_COMMIT_DEFAULT)
        if enabled.lower() != "true":
            return 0
        logged = {normalize(f) for _, f in meta.metadata_log} | \
            {normalize(self.table.metadata_location)}
        versions = [v for f in logged if (v := metadata_version(f)) is not None]
        if not versions:
            return 0
        oldest = min(versions)
        stale = [f.path for f in self.table.io.list(f"{meta.location}/metadata")
                 if (v := metadata_version(f.path)) is not None and v < oldest
                 and normalize(f.path) not in logged]
        return delete_files(self.table.io, stale)


def _outcome(decision: Retention, files: dict[str, set[str]], counts: dict[str, int], *,
             dry_run: bool, metadata_files: int = 0) -> ExpireResult:
    return ExpireResult(
        expired_snapshot_ids=decision.expired_ids, dropped_refs=decision.dropped_refs,
        deleted_data_files=counts.get("data_files", 0),
        deleted_manifests=counts.get("manifests", 0),
        deleted_manifest_lists=counts.get("manifest_lists", 0),
        deleted_statistics_files=counts.get("statistics_files", 0),
        deleted_metadata_files=metadata_files, dry_run=dry_run,
        paths=tuple(sorted(p for paths in files.values() for p in paths)))


def _unreachable(io: FileIO, base: TableMetadata, expired: list[Snapshot],
                 kept: Iterable[Snapshot], kept_meta: TableMetadata) -> dict[str, set[str]]:
    """The files only `expired` snapshots reach, by kind, in the order they may be deleted
    (data files, manifests, manifest lists, statistics files)."""
    kept = list(kept)
    kept_manifests = manifests_of(io, kept)
    expired_manifests = manifests_of(io, expired, missing_ok=True)
    gone_manifests = _minus(expired_manifests, kept_manifests)
    data = file_paths(io, [expired_manifests[p] for p in gone_manifests], base,
                      live_only=False, missing_ok=True)
    if data:
        data = _minus(data, file_paths(io, kept_manifests.values(), kept_meta, live_only=True))
    lists = _minus({s.manifest_list for s in expired if s.manifest_list},
                   {s.manifest_list for s in kept})
    stats = _minus(statistics_paths(base, {s.snapshot_id for s in expired}),
                   statistics_paths(kept_meta, {s.snapshot_id for s in kept}))
    return {"data_files": data, "manifests": gone_manifests, "manifest_lists": lists,
            "statistics_files": stats}


def _minus(paths: Iterable[str], keep: Iterable[str]) -> set[str]:
    """`paths` not in `keep`, comparing locations (`file:/x` is `file:///x`): a path
    spelled differently by another engine is still the same file, and must be kept."""
    kept = {normalize(p) for p in keep}
    return {p for p in paths if normalize(p) not in kept}


def _stat_kept(item: object, kept: frozenset[int]) -> bool:
    sid = item.get("snapshot-id") if isinstance(item, dict) else None
    return sid is None or int(sid) in kept


__all__ = ["ExpireResult", "expire_snapshots"]
