"""Conflict checks run when a commit is retried on a newer base (spec "Commit Conflict
Resolution and Retry"; Java's validateNoConflictingData): under serializable isolation,
files that concurrent commits added and that a filter could match are a conflict."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tablefmt import properties as P
from tablefmt.errors import CommitConflictError, ValidationError
from tablefmt.expressions import InclusiveMetricsEvaluator, PartitionEvaluator, project_inclusive
from tablefmt.metadata.data_file import DataFile, Status
from tablefmt.metadata.table_metadata import TableMetadata
from tablefmt.scan.manifests import live_entries, manifest_list

if TYPE_CHECKING:
    from tablefmt.table import Table

ISOLATION_KEYS = {"delete": P.DELETE_ISOLATION_LEVEL, "update": P.UPDATE_ISOLATION_LEVEL,
                  "merge": P.MERGE_ISOLATION_LEVEL, "overwrite": P.DELETE_ISOLATION_LEVEL}


def check_writable_branch(meta: TableMetadata, name: str, branch: str) -> None:
    """A write may target `main` or an existing branch, never a tag."""
    from tablefmt.metadata.snapshot import MAIN_BRANCH

    ref = meta.refs.get(branch)
    if branch != MAIN_BRANCH and ref is None:
        raise ValidationError(f"Table {name} has no branch {branch!r}; "
                              "create it with create_branch()")
    if ref is not None and ref.type != "branch":
        raise ValidationError(f"{branch!r} is a tag of {name}; tags cannot be written")


def isolation_level(meta: TableMetadata, operation: str) -> str:
    level = meta.property(ISOLATION_KEYS.get(operation, P.DELETE_ISOLATION_LEVEL),
                          P.ISOLATION_LEVEL_DEFAULT).lower()
    if level not in ("serializable", "snapshot"):
        raise ValidationError(f"Isolation level {level!r} is not 'serializable' or 'snapshot'")
    return level


class PartitionTest:
    """A projection of one filter evaluated on files' partition tuples, each file against
    its own spec (evaluators built once per spec)."""

    def __init__(self, meta: TableMetadata, bound: Any, project: Any) -> None:
        self.meta, self.bound, self.project = meta, bound, project
        self.by_spec: dict[int, PartitionEvaluator] = {}

    def __call__(self, f: DataFile) -> bool:
        spec = self.meta.spec_by_id(f.spec_id)
        ptypes = spec.partition_type(self.meta.schema)
        ev = self.by_spec.get(f.spec_id)
        if ev is None:
            ev = self.by_spec[f.spec_id] = PartitionEvaluator(
                self.project(self.bound, spec.fields), {p.field_id: t for p, t in ptypes})
        return ev.matches({p.field_id: v for (p, _), v in zip(ptypes, f.partition)})


class MatchFilter:
    """Could this file hold rows matching the filter (partition tuple + column metrics)?"""

    def __init__(self, meta: TableMetadata, bound: Any) -> None:
        self.partition = PartitionTest(meta, bound, project_inclusive)
        self.metrics = InclusiveMetricsEvaluator(bound)

    def __call__(self, f: DataFile) -> bool:
        return self.partition(f) and self.metrics.can_match(f)


def added_since(table: Table, start: TableMetadata, current: TableMetadata,
                branch: str) -> list[DataFile]:
    """Data files committed to `branch` after `start`'s head of it."""
    start_snap = start.ref_snapshot(branch)
    start_id = start_snap.snapshot_id if start_snap else None
    head = current.refs[branch].snapshot_id if branch in current.refs else None
    out: list[DataFile] = []
    for snap in current.ancestors(head):
        if snap.snapshot_id == start_id:
            break
        mans = [m for m in manifest_list(table.io, snap.manifest_list)
                if m.added_snapshot_id == snap.snapshot_id and m.added_files_count]
        for entries in live_entries(table.io, mans, current):
            out.extend(e.data_file for e in entries
                       if e.snapshot_id == snap.snapshot_id and e.status == Status.ADDED)
    return out


def check_no_conflicting_data(table: Table, start: TableMetadata, current: TableMetadata,
                              branch: str, filters: list[tuple[str, Any]],
                              what: str) -> None:
    """Raise CommitConflictError when a file added since `start` may match one of the
    (operation, bound filter) pairs whose isolation level is serializable."""
    serial = [(op, bound) for op, bound in filters
              if isolation_level(current, op) == "serializable"]
    if not serial:
        return
    since = added_since(table, start, current, branch)
    for op, bound in serial:
        check = MatchFilter(current, bound)
        clash = [f for f in since if check(f)]
        if clash:
            raise CommitConflictError(
                f"Cannot {what} {table.name}: a concurrent commit added {len(clash)} file(s) "
                f"that the {op} filter may match (serializable isolation), e.g. "
                f"{clash[0].file_path}; nothing was committed. Set the table property "
                f"{ISOLATION_KEYS.get(op, P.DELETE_ISOLATION_LEVEL)}=snapshot to allow it")
