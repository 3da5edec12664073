"""Build a new snapshot on a base: manifests for added files, rewritten manifests for
removed ones, manifest merging, the manifest list, and the next table metadata
(spec "Snapshots", "Manifest Lists", "Commit Conflict Resolution and Retry").

A producer is rebuilt on each retry's base; the manifest of added files is written once
and reused (its entries inherit the sequence number assigned by the manifest list).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import replace

from tablefmt import properties as P
from tablefmt.errors import CommitConflictError
from tablefmt.io import FileIO
from tablefmt.metadata.data_file import DataFile, ManifestEntry, ManifestFile, Status
from tablefmt.metadata.manifest_list import write_manifest_list
from tablefmt.metadata.snapshot import MAIN_BRANCH, Ref, Snapshot, new_snapshot_id
from tablefmt.metadata.table_metadata import TableMetadata
from tablefmt.scan.manifests import entries as read_entries
from tablefmt.scan.manifests import manifest_list, remember_manifest, remember_manifest_list
from tablefmt.transaction.fault import checkpoint
from tablefmt.transaction.manifest_writer import UNASSIGNED, write_data_manifest
from tablefmt.transaction.summary import build_summary

# Decides, for a live entry of the base snapshot, whether this commit removes it.
RemoveFilter = Callable[[ManifestEntry], bool]


class SnapshotProducer:
    def __init__(self, io: FileIO, operation: str, branch: str = MAIN_BRANCH) -> None:
        self.io, self.operation, self.branch = io, operation, branch
        self.snapshot_id = new_snapshot_id()
        self.commit_uuid = uuid.uuid4().hex
        self.added_files: list[DataFile] = []
        self.remove: RemoveFilter | None = None
        # Files this commit replaces, chosen when the operation was planned: each must still
        # be live in the base it commits on (spec: "files to delete must still be in the
        # table"), else a concurrent commit removed it first and this one conflicts.
        self.must_remove: set[str] = set()
        self.removed_files: list[DataFile] = []
        self._added_manifest: ManifestFile | None = None
        self._counter = 0
        self.attempt = 0
        self.written: list[str] = []  # every metadata file any attempt wrote
        self._attempt_written: list[str] = []

    def _path(self, name: str, location: str) -> str:
        return f"{location}/metadata/{name}"

    def _next_manifest_path(self, location: str) -> str:
        self._counter += 1
        return self._path(f"{self.commit_uuid}-m{self._counter}.avro", location)

    def _write(self, meta: TableMetadata, entries: list[ManifestEntry]) -> ManifestFile:
        path = self._next_manifest_path(meta.location)
        self.written.append(path)
        self._attempt_written.append(path)
        return write_data_manifest(self.io, path, entries, meta.spec_by_id(
            entries[0].data_file.spec_id), meta.schema, self.snapshot_id)

    def build(self, base: TableMetadata) -> TableMetadata:
        """The metadata that commits this snapshot on top of `base`."""
        self.attempt += 1
        # Manifests rewritten by a failed attempt are orphans now; the added one is reused.
        self.io.delete_quietly(self._attempt_written)
        self._attempt_written = []
        parent = base.ref_snapshot(self.branch)
        seq = base.last_sequence_number + 1
        manifests = self._carry_forward(base, parent)
        if self.added_files:
            if self._added_manifest is None:
                entries = [ManifestEntry(Status.ADDED, self.snapshot_id, None, None, f)
                           for f in self.added_files]
                path = self._next_manifest_path(base.location)
                self.written.append(path)
                self._added_manifest = write_data_manifest(
                    self.io, path, entries, base.spec_by_id(self.added_files[0].spec_id),
                    base.schema, self.snapshot_id)
            manifests.insert(0, self._added_manifest)
        checkpoint("manifest")
        manifests = self._merge(base, manifests)
        final = [self._assign(m, seq) for m in manifests]
        list_path = self._path(f"snap-{self.snapshot_id}-{self.attempt}-{self.commit_uuid}.avro",
                               base.location)
        self.written.append(list_path)
        self.io.write(list_path, write_manifest_list(
            final, self.snapshot_id, parent.snapshot_id if parent else None, seq))
        remember_manifest_list(list_path, final)
        checkpoint("manifest_list")
        now = max(int(time.time() * 1000), base.last_updated_ms + 1)
        summary = build_summary(self.operation, self.added_files, self.removed_files,
                                parent.summary if parent else None)
        snap = Snapshot(snapshot_id=self.snapshot_id,
                        parent_snapshot_id=parent.snapshot_id if parent else None,
                        sequence_number=seq, timestamp_ms=now, manifest_list=list_path,
                        summary=summary, schema_id=base.current_schema_id)
        return apply_snapshot(base, snap, self.branch)

    def _carry_forward(self, base: TableMetadata, parent: Snapshot | None) -> list[ManifestFile]:
        self.removed_files = []
        if self.must_remove and self.remove is None:
            self.remove = lambda e: e.data_file.file_path in self.must_remove
        out = self._carry_forward_manifests(base, parent)
        missing = self.must_remove - {f.file_path for f in self.removed_files}
        if missing:
            raise CommitConflictError(
                f"Cannot commit: {len(missing)} file(s) this operation replaces were removed "
                f"by a concurrent commit (e.g. {sorted(missing)[0]}); nothing was committed")
        return out

    def _carry_forward_manifests(self, base: TableMetadata,
                                 parent: Snapshot | None) -> list[ManifestFile]:
        if parent is None:
            return []
        out = []
        for m in manifest_list(self.io, parent.manifest_list):
            if not m.has_live_files:
                continue  # only DELETED entries of older snapshots: nothing to read
            if self.remove is None:
                out.append(m)
                continue
            current = read_entries(self.io, m, base)
            live = [e for e in current if e.status != Status.DELETED]
            gone = [e for e in live if self.remove(e)]
            if not gone:
                out.append(m)
                continue
            self.removed_files.extend(e.data_file for e in gone)
            gone_paths = {e.data_file.file_path for e in gone}
            rewritten = [e.as_deleted(self.snapshot_id) if e.data_file.file_path in gone_paths
                         else e.as_existing() for e in live]
            out.append(self._write(base, rewritten))
        return out

    def _merge(self, base: TableMetadata, manifests: list[ManifestFile]) -> list[ManifestFile]:
        """Merge small manifests of older snapshots once there are more than
        `commit.manifest.min-count-to-merge` (Java's merge-append), smallest first: a merged
        manifest is rewritten again only when the smaller ones have caught up with it, so a
        merge costs about min_count entries instead of the whole table's, each entry is
        rewritten a few times over a table's life, and the count stays under the threshold."""
        if base.property(P.MANIFEST_MERGE_ENABLED, P.MANIFEST_MERGE_ENABLED_DEFAULT) != "true":
            return manifests
        min_count = base.int_property(P.MANIFEST_MIN_MERGE_COUNT, P.MANIFEST_MIN_MERGE_COUNT_DEFAULT)
        target = base.int_property(P.MANIFEST_TARGET_SIZE_BYTES,
                                   P.MANIFEST_TARGET_SIZE_BYTES_DEFAULT)
        # Only older, small manifests merge; this commit's own and big ones stay as they are.
        small = [m for m in manifests if m.sequence_number != UNASSIGNED
                 and m.manifest_length < target // 2]
        mergeable = {m.manifest_path for m in small}
        out = [m for m in manifests if m.manifest_path not in mergeable]
        if len(manifests) <= min_count or len(small) < 2:
            return manifests
        # Merge enough that the next merge is min_count / 2 commits away.
        at_least = max(2, len(manifests) - min_count // 2)
        for spec_id in sorted({m.partition_spec_id for m in small}):
            same_spec = [m for m in small if m.partition_spec_id == spec_id]
            group = merge_tier(same_spec, at_least)
            chosen = {m.manifest_path for m in group} if len(group) >= 2 else set()
            out.extend(m for m in same_spec if m.manifest_path not in chosen)
            entries = [e.as_existing() for m in group if m.manifest_path in chosen
                       for e in read_entries(self.io, m, base) if e.status != Status.DELETED]
            if entries:
                out.append(self._write(base, entries))
        return out

    def _assign(self, m: ManifestFile, seq: int) -> ManifestFile:
        if m.sequence_number != UNASSIGNED:
            return m
        final = replace(m, sequence_number=seq,
                        min_sequence_number=seq if m.min_sequence_number == UNASSIGNED
                        else min(m.min_sequence_number, seq))
        final.extra.update(m.extra)
        remember_manifest(final, final.extra.get("entries", []))
        return final


def apply_snapshot(base: TableMetadata, snap: Snapshot, branch: str) -> TableMetadata:
    refs = dict(base.refs)
    old = refs.get(branch)
    refs[branch] = replace(old, snapshot_id=snap.snapshot_id) if old else Ref(snap.snapshot_id)
    changes: dict[str, object] = {
        "snapshots": base.snapshots + (snap,), "refs": refs,
        "last_sequence_number": snap.sequence_number, "last_updated_ms": snap.timestamp_ms,
    }
    if branch == MAIN_BRANCH:
        changes["current_snapshot_id"] = snap.snapshot_id
        changes["snapshot_log"] = base.snapshot_log + ((snap.timestamp_ms, snap.snapshot_id),)
    return base.evolve(**changes)



def merge_tier(manifests: list[ManifestFile], at_least: int) -> list[ManifestFile]:
    """The manifests to merge now: the `at_least` smallest, then every next one that is no
    bigger than all of those together. Merges stay proportional to the small manifests
    that triggered them; a big merged manifest waits until the small ones catch up.

        >>> sizes = lambda ms: [m.added_files_count for m in ms]
        >>> fake = lambda *n: [ManifestFile("m", 1, 0, 0, 1, 1, 1, k, 0, 0, 0, 0, 0) for k in n]
        >>> sizes(merge_tier(fake(1, 1, 1, 1), 2))
        [1, 1, 1, 1]
        >>> sizes(merge_tier(fake(300, 1, 1, 100, 1), 2))  # 100 and 300 wait
        [1, 1, 1]
        >>> sizes(merge_tier(fake(300, 1, 1, 100, 1), 4))  # 4 must go: then 300 waits
        [1, 1, 1, 100]
    """
    group: list[ManifestFile] = []
    total = 0
    for m in sorted(manifests, key=_files):
        if len(group) >= at_least and _files(m) > total:
            break
        group.append(m)
        total += _files(m)
    return group


def _files(m: ManifestFile) -> int:
    return m.added_files_count + m.existing_files_count + m.deleted_files_count
