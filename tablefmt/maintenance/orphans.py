"""Orphan-file removal: files under the table location that no metadata references
(Java's DeleteOrphanFiles). Referenced means: the current metadata file and those in
`metadata-log`, `version-hint.text`, and every manifest list, manifest, data, delete and
statistics file reachable from any snapshot of the current metadata.

Two guards protect commits in flight, which write files before any metadata names them:
files newer than `older_than` are kept, and so is any metadata file of a version above
the current one. Nested tables or namespaces under the location are never touched.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import TYPE_CHECKING

from tablefmt.errors import ValidationError
from tablefmt.io.base import FileInfo
from tablefmt.maintenance.files import delete_files, metadata_version, normalize
from tablefmt.maintenance.reachable import file_paths, manifests_of, statistics_paths
from tablefmt.metadata.table_metadata import TableMetadata

if TYPE_CHECKING:
    from tablefmt.io import FileIO
    from tablefmt.table import Table

VERSION_HINT = "version-hint.text"
NAMESPACE_MARKER = ".namespace.json"


def remove_orphan_files(table: Table, *, older_than: timedelta = timedelta(days=3),
                        dry_run: bool = False) -> list[str]:
    """Delete (unless `dry_run`) the files under the table location that no metadata
    references and that were last modified more than `older_than` ago; return their
    paths, sorted.

    Example:
        >>> import tempfile, pyarrow as pa, tablefmt as tf
        >>> tmp = tempfile.TemporaryDirectory()
        >>> cat = tf.connect(tmp.name); cat.create_namespace("db")
        >>> t = cat.create_table("db.t", pa.schema([("x", pa.int64())]))
        >>> _ = t.append(pa.table({"x": [1]}))
        >>> t.io.write(f"{t.location}/data/stray.parquet", b"junk")
        >>> [p.rsplit("/", 1)[-1] for p in t.remove_orphan_files(older_than=timedelta(0))]
        ['stray.parquet']
        >>> t.to_arrow()["x"].to_pylist()
        [1]
        >>> cat.close(); tmp.cleanup()
    """
    if not isinstance(older_than, timedelta) or older_than < timedelta(0):
        raise ValidationError(f"Cannot remove orphan files of {table.name}: older_than must "
                              f"be a non-negative timedelta, got {older_than!r}")
    # The latest metadata, not the table object's: a commit since it was loaded may
    # reference files that look orphaned from an older version.
    meta, location = table.catalog._load_metadata(table.identifier)
    cutoff_ms = int(time.time() * 1000) - int(older_than.total_seconds() * 1000)
    listed = list(table.io.list(meta.location))
    referenced = referenced_files(table.io, meta, location)
    guard = _Guard(meta.location, metadata_version(location), listed)
    orphans = sorted(f.path for f in listed
                     if normalize(f.path) not in referenced and f.mtime_ms <= cutoff_ms
                     and not guard.protects(f.path))
    if not dry_run:
        delete_files(table.io, orphans)
    return orphans


def referenced_files(io: FileIO, meta: TableMetadata, metadata_location: str) -> set[str]:
    """Every file the metadata references, in `normalize`d form. DELETED manifest entries
    count too: keeping a file longer is harmless, deleting one a reader needs is not."""
    manifests = manifests_of(io, meta.snapshots)
    found = {metadata_location, f"{meta.location}/metadata/{VERSION_HINT}"}
    found.update(f for _, f in meta.metadata_log)
    found.update(s.manifest_list for s in meta.snapshots if s.manifest_list)
    found.update(manifests)
    found.update(file_paths(io, manifests.values(), meta, live_only=False))
    found.update(statistics_paths(meta))
    return {normalize(p) for p in found}


class _Guard:
    """Files that are never orphans whatever their age: metadata versions above the
    current one (a commit in flight) and anything inside a nested table or namespace."""

    def __init__(self, location: str, current_version: int | None,
                 listed: list[FileInfo]) -> None:
        self.root = normalize(location).rstrip("/") + "/"
        self.current_version = current_version
        self.foreign = {r for f in listed if (r := self._nested_root(f.path)) is not None}

    def _parts(self, path: str) -> tuple[str, ...]:
        n = normalize(path)
        return tuple(n[len(self.root):].split("/")) if n.startswith(self.root) else ()

    def _nested_root(self, path: str) -> tuple[str, ...] | None:
        parts = self._parts(path)
        if len(parts) >= 2 and parts[-1] == NAMESPACE_MARKER:
            return parts[:-1]
        if len(parts) >= 3 and parts[-2] == "metadata" and metadata_version(parts[-1]) is not None:
            return parts[:-2]
        return None

    def protects(self, path: str) -> bool:
        parts = self._parts(path)
        if not parts or parts[-1] == NAMESPACE_MARKER:
            # Not below the location after all, or a namespace of the same name
            # (object-store catalog): not ours to judge.
            return True
        if any(parts[:len(r)] == r for r in self.foreign):
            return True
        version = metadata_version(path)
        return version is not None and self.current_version is not None \
            and version > self.current_version


__all__ = ["referenced_files", "remove_orphan_files"]
