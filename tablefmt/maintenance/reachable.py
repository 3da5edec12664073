"""What a set of snapshots reaches (spec "Snapshots", "Manifest Lists", "Manifests"):
manifest lists, manifests, and the data and delete files their entries name.
Lists and manifests are read in parallel through the scan's caches."""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tablefmt.errors import StorageError
from tablefmt.io import FileIO
from tablefmt.metadata.data_file import ManifestFile, Status
from tablefmt.metadata.snapshot import Snapshot
from tablefmt.metadata.table_metadata import TableMetadata
from tablefmt.scan.manifests import entries, manifest_list

_THREADS = 8


def manifests_of(io: FileIO, snapshots: Iterable[Snapshot], *,
                 missing_ok: bool = False) -> dict[str, ManifestFile]:
    """Every manifest the snapshots' manifest lists name, by path.

    With `missing_ok`, an unreadable manifest list counts as naming nothing (used for
    snapshots being expired: what cannot be read is left for orphan removal). Without it
    the error propagates, since deciding what to delete needs everything kept.
    """
    paths = sorted({s.manifest_list for s in snapshots if s.manifest_list})

    def load(path: str) -> list[ManifestFile]:
        try:
            return manifest_list(io, path)
        except StorageError:
            if missing_ok:
                return []
            raise

    out: dict[str, ManifestFile] = {}
    for found in _map(load, paths):
        for m in found:
            out.setdefault(m.manifest_path, m)
    return out


def file_paths(io: FileIO, manifests: Iterable[ManifestFile], meta: TableMetadata, *,
               live_only: bool, missing_ok: bool = False) -> set[str]:
    """The paths of the files the manifests' entries name. `live_only` skips DELETED
    entries: a file a snapshot deleted is not something that snapshot reads."""
    def load(m: ManifestFile) -> list[str]:
        try:
            return [e.data_file.file_path for e in entries(io, m, meta)
                    if not live_only or e.status != Status.DELETED]
        except StorageError:
            if missing_ok:
                return []
            raise

    out: set[str] = set()
    for found in _map(load, list(manifests)):
        out.update(found)
    return out


def statistics_paths(meta: TableMetadata, snapshot_ids: set[int] | None = None) -> set[str]:
    """Statistics and partition-statistics files of the metadata (spec "Table
    Statistics"), optionally only those of the given snapshots."""
    out = set()
    for item in (*meta.statistics, *meta.partition_statistics):
        path = _statistics_path(item)
        if path and (snapshot_ids is None or _statistics_snapshot(item) in snapshot_ids):
            out.add(path)
    return out


def _statistics_path(item: Any) -> str | None:
    return item.get("statistics-path") if isinstance(item, dict) else None


def _statistics_snapshot(item: Any) -> int | None:
    sid = item.get("snapshot-id") if isinstance(item, dict) else None
    return int(sid) if sid is not None else None


def _map(fn: Any, items: list[Any]) -> list[Any]:
    if len(items) <= 1:
        return [fn(i) for i in items]
    with ThreadPoolExecutor(max_workers=min(_THREADS, len(items)),
                            thread_name_prefix="tablefmt-reachable") as pool:
        return list(pool.map(fn, items))


__all__ = ["file_paths", "manifests_of", "statistics_paths"]
