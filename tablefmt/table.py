"""The Table facade of API.md: reads, writes, history and refs of one table."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from tablefmt.arrow_schema import to_arrow_schema
from tablefmt.errors import ValidationError
from tablefmt.history import history_table
from tablefmt.identifiers import validate_part
from tablefmt.metadata.snapshot import MAIN_BRANCH, Ref, Snapshot
from tablefmt.metadata.table_metadata import TableMetadata
from tablefmt.partitioning import PartitionSpec
from tablefmt.scan.scan import Scan, resolve_snapshot
from tablefmt.schema import Schema
from tablefmt.transaction.commit import commit
from tablefmt.transaction.merge import MergeBuilder
from tablefmt.transaction.transaction import Transaction, run
from tablefmt.transaction.update_partitioning import UpdatePartitioning
from tablefmt.transaction.update_schema import UpdateSchema
from tablefmt.transaction.writes import AppendOperation

if TYPE_CHECKING:
    from collections.abc import Callable

    from tablefmt.catalog import Catalog
    from tablefmt.io import FileIO
    from tablefmt.maintenance.expire import ExpireResult


class Table:
    """One table of a catalog, at the metadata version it was loaded or last committed."""

    def __init__(self, identifier: str, catalog: Catalog, metadata: TableMetadata,
                 metadata_location: str) -> None:
        self.identifier = identifier
        self.catalog = catalog
        self.metadata = metadata
        self.metadata_location = metadata_location

    def __repr__(self) -> str:
        snap = self.metadata.current_snapshot_id
        return f"Table({self.identifier!r}, location={self.location!r}, snapshot={snap})"

    # -- identity --------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.identifier

    @property
    def io(self) -> FileIO:
        return self.catalog.io

    @property
    def location(self) -> str:
        return self.metadata.location

    @property
    def schema(self) -> Schema:
        return self.metadata.schema

    @property
    def arrow_schema(self) -> pa.Schema:
        return to_arrow_schema(self.metadata.schema)

    @property
    def partitioning(self) -> PartitionSpec:
        return self.metadata.spec

    @property
    def properties(self) -> dict[str, str]:
        return dict(self.metadata.properties)

    def refresh(self) -> Table:
        meta, location = self.catalog._load_metadata(self.identifier)
        self._refresh_to(meta, location)
        return self

    def _refresh_to(self, meta: TableMetadata, location: str) -> None:
        if location != self.metadata_location:
            self.metadata, self.metadata_location = meta, location

    # -- reading ---------------------------------------------------------------------------
    def scan(self, where: Any = None, columns: list[str] | None = None,
             snapshot_id: int | None = None, as_of: datetime | str | None = None,
             ref: str | None = None, limit: int | None = None) -> Scan:
        snap = resolve_snapshot(self.metadata, self.name, snapshot_id, as_of, ref)
        time_travel = snapshot_id is not None or as_of is not None or \
            (ref is not None and ref != MAIN_BRANCH)
        return Scan(self.name, self.io, self.metadata, snap, where, columns, limit, time_travel)

    def to_arrow(self, where: Any = None, columns: list[str] | None = None,
                 snapshot_id: int | None = None, as_of: datetime | str | None = None,
                 ref: str | None = None) -> pa.Table:
        return self.scan(where, columns, snapshot_id, as_of, ref).to_arrow()

    # -- writing ---------------------------------------------------------------------------
    def append(self, data: Any, *, branch: str = MAIN_BRANCH,
               schema_mode: str | None = None) -> Snapshot:
        """Add rows in one atomic commit; returns the new snapshot. With
        `schema_mode="merge"`, new columns of `data` are added to the schema (and allowed
        promotions applied) in the same commit."""
        if schema_mode not in (None, "strict", "merge"):
            raise ValidationError(f"schema_mode must be None or 'merge', got {schema_mode!r}")
        return AppendOperation(self, data, branch, schema_mode).run()

    def overwrite(self, data: Any, where: Any = None, *, mode: str | None = None,
                  branch: str = MAIN_BRANCH) -> Snapshot:
        """Replace the whole table (`where=None`), the rows matching `where` (files only
        partly matching are rewritten), or with `mode="dynamic"` exactly the partitions
        present in `data`."""
        return self._run(lambda tx: tx.overwrite(data, where, mode), branch)

    def delete(self, where: Any, *, branch: str = MAIN_BRANCH) -> Snapshot:
        """Delete the rows matching `where` (copy-on-write): fully matching files are
        dropped unread, partly matching ones rewritten without the rows."""
        return self._run(lambda tx: tx.delete(where), branch)

    def update(self, where: Any, set: dict[str, Any], *,  # noqa: A002 (API name)
               branch: str = MAIN_BRANCH) -> Snapshot:
        """Set columns of the rows matching `where`: values are SQL-style text
        (`"'closed'"`, `"n + 1"`), Python values, or `tf.col("n") + 1`."""
        return self._run(lambda tx: tx.update(where, set), branch)

    def merge(self, source: Any, on: list[str] | str, *, branch: str = MAIN_BRANCH) -> MergeBuilder:
        """Upsert by key: chain when_* clauses, then `.execute()`."""
        return MergeBuilder(Transaction(self, branch), source, on, standalone=True)

    def transaction(self, *, branch: str = MAIN_BRANCH) -> Transaction:
        """Several operations committed as one snapshot when the `with` block ends."""
        return Transaction(self, branch)

    def _run(self, apply: Any, branch: str) -> Snapshot:
        snap = run(self, apply, branch)
        if snap is None:
            raise ValidationError(f"Table {self.name} has no snapshot on branch {branch!r} "
                                  "and the operation changed nothing")
        return snap

    # -- evolution -------------------------------------------------------------------------
    def update_schema(self) -> UpdateSchema:
        """Schema changes, committed together when the `with` block ends."""
        return UpdateSchema(self)

    def update_partitioning(self) -> UpdatePartitioning:
        """Partition evolution, committed when the `with` block ends: old files keep their
        spec; new writes use the new one."""
        return UpdatePartitioning(self)

    # -- maintenance -------------------------------------------------------------------------
    def compact(self, target_file_size_bytes: int | None = None,
                where: Any = None) -> Snapshot | None:
        """Bin-pack small data files into files of the target size (same rows, operation
        "replace"); returns the new snapshot, or None when there was nothing to do."""
        from tablefmt.maintenance.compact import compact

        return compact(self, target_file_size_bytes=target_file_size_bytes, where=where)

    def expire_snapshots(self, older_than: datetime | timedelta | None = None,
                         retain_last: int = 1, *, dry_run: bool = False) -> ExpireResult:
        """Remove snapshots older than `older_than` (keeping the newest `retain_last` and
        every snapshot a branch or tag reaches), then the files only they referenced.
        `dry_run=True` changes nothing and reports what would go."""
        from tablefmt.maintenance.expire import expire_snapshots

        return expire_snapshots(self, older_than=older_than, retain_last=retain_last,
                                dry_run=dry_run)

    def remove_orphan_files(self, older_than: timedelta = timedelta(days=3),
                            dry_run: bool = False) -> list[str]:
        """Delete files under the table location that no metadata references and that are
        older than `older_than` (which protects writes in flight); returns their paths."""
        from tablefmt.maintenance.orphans import remove_orphan_files

        return remove_orphan_files(self, older_than=older_than, dry_run=dry_run)

    # -- history and refs ------------------------------------------------------------------
    def current_snapshot(self) -> Snapshot | None:
        return self.metadata.current_snapshot

    def snapshots(self) -> list[Snapshot]:
        return sorted(self.metadata.snapshots, key=lambda s: (s.timestamp_ms, s.sequence_number))

    def snapshot(self, snapshot_id: int) -> Snapshot:
        snap = self.metadata.snapshot_by_id(snapshot_id)
        if snap is None:
            raise ValidationError(f"Table {self.name} has no snapshot {snapshot_id}")
        return snap

    def history(self) -> pa.Table:
        return history_table(self.metadata)

    def refs(self) -> dict[str, Ref]:
        return dict(self.metadata.refs)

    def create_tag(self, name: str, snapshot_id: int | None = None) -> Ref:
        return self._set_ref(name, "tag", snapshot_id, create=True)

    def create_branch(self, name: str, snapshot_id: int | None = None) -> Ref:
        return self._set_ref(name, "branch", snapshot_id, create=True)

    def rollback_to(self, snapshot_id: int) -> Snapshot:
        """Make an older snapshot current again; every snapshot stays in history."""
        snap = self.snapshot(snapshot_id)
        self._set_ref(MAIN_BRANCH, "branch", snap.snapshot_id, create=False)
        return snap

    def fast_forward(self, source: str, *, branch: str = MAIN_BRANCH) -> Snapshot:
        """Move `branch` (default main) to the head of branch `source`, whose history must
        contain `branch`'s snapshot: the work appended on `source` becomes `branch`'s, one
        commit, no data rewritten. Diverged branches raise `ValidationError`."""
        def head(base: TableMetadata) -> int | None:
            ref = base.refs.get(source)
            if ref is None or ref.type != "branch":
                raise ValidationError(f"Table {self.name} has no branch named {source!r}")
            target = base.refs.get(branch)
            if target is not None and target.type != "branch":
                raise ValidationError(f"Cannot fast-forward {branch!r} of {self.name}: it is a tag")
            if target is not None and target.snapshot_id not in {
                    s.snapshot_id for s in base.ancestors(ref.snapshot_id)}:
                raise ValidationError(
                    f"Cannot fast-forward {branch!r} of {self.name} to {source!r}: snapshot "
                    f"{target.snapshot_id} is not in {source!r}'s history (the branches diverged)")
            return ref.snapshot_id

        source_ref, target = self.metadata.refs.get(source), self.metadata.refs.get(branch)
        if source_ref and target and source_ref.snapshot_id == target.snapshot_id \
                and source_ref.type == target.type == "branch":
            return self.snapshot(target.snapshot_id)  # already there: nothing to commit
        ref = self._set_ref(branch, "branch", head, create=False)
        return self.snapshot(ref.snapshot_id)

    def _set_ref(self, name: str, kind: str,
                 snapshot_id: int | None | Callable[[TableMetadata], int | None],
                 create: bool) -> Ref:
        """Point ref `name` at a snapshot: an id, None (the current one), or a function of
        the base metadata (re-evaluated on every commit attempt)."""
        validate_part(name, "ref name", name)

        def build(base: TableMetadata) -> TableMetadata:
            if create and name in base.refs:
                raise ValidationError(f"Table {self.name} already has a ref named {name!r}")
            chosen = snapshot_id(base) if callable(snapshot_id) else snapshot_id
            sid = chosen if chosen is not None else base.current_snapshot_id
            if sid is None or base.snapshot_by_id(sid) is None:
                raise ValidationError(f"Cannot point {kind} {name!r} of {self.name} at "
                                      f"snapshot {sid}: no such snapshot")
            refs = dict(base.refs)
            refs[name] = Ref(sid, kind)
            changes: dict[str, Any] = {"refs": refs,
                                       "last_updated_ms": max(int(time.time() * 1000),
                                                              base.last_updated_ms + 1)}
            if name == MAIN_BRANCH:
                changes["current_snapshot_id"] = sid
                changes["snapshot_log"] = base.snapshot_log + ((changes["last_updated_ms"], sid),)
            return base.evolve(**changes)

        meta = commit(self, build)
        return meta.refs[name]
