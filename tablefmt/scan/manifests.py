"""Reading manifest lists and manifests through FileIO, cached by path (they are
immutable), with sequence-number and snapshot-id inheritance applied
(spec "Sequence Number Inheritance")."""

from __future__ import annotations

import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from tablefmt.io import FileIO
from tablefmt.metadata.data_file import ManifestEntry, ManifestFile, Status
from tablefmt.metadata.manifest import read_manifest
from tablefmt.metadata.manifest_list import read_manifest_list
from tablefmt.metadata.table_metadata import TableMetadata

_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="tablefmt-manifests")


class _LRU:
    def __init__(self, size: int) -> None:
        self.size, self.data, self.lock = size, OrderedDict[str, Any](), threading.Lock()

    def get(self, key: str) -> Any:
        with self.lock:
            value = self.data.get(key)
            if value is not None:
                self.data.move_to_end(key)
            return value

    def put(self, key: str, value: Any) -> None:
        with self.lock:
            self.data[key] = value
            self.data.move_to_end(key)
            while len(self.data) > self.size:
                self.data.popitem(last=False)


_LISTS = _LRU(256)
_MANIFESTS = _LRU(2048)


def manifest_list(io: FileIO, path: str) -> list[ManifestFile]:
    cached = _LISTS.get(path)
    if cached is None:
        cached = read_manifest_list(io.read(path), path)
        _LISTS.put(path, cached)
    return list(cached)


def remember_manifest_list(path: str, manifests: list[ManifestFile]) -> None:
    """A writer knows what it just wrote; later reads of this path skip storage."""
    _LISTS.put(path, list(manifests))


def entries(io: FileIO, manifest: ManifestFile, meta: TableMetadata) -> list[ManifestEntry]:
    """All entries of a manifest with inherited sequence numbers and snapshot ids."""
    cached = _MANIFESTS.get(manifest.manifest_path)
    if cached is None:
        spec = meta.spec_by_id(manifest.partition_spec_id)
        raw = read_manifest(io.read(manifest.manifest_path), spec, meta.schema,
                            manifest.manifest_path)
        cached = [_inherit(e, manifest) for e in raw]
        _MANIFESTS.put(manifest.manifest_path, cached)
    out: list[ManifestEntry] = cached
    return out


def remember_manifest(manifest: ManifestFile, written: list[ManifestEntry]) -> None:
    _MANIFESTS.put(manifest.manifest_path, [_inherit(e, manifest) for e in written])


def _inherit(e: ManifestEntry, m: ManifestFile) -> ManifestEntry:
    seq, file_seq, sid = e.sequence_number, e.file_sequence_number, e.snapshot_id
    if sid is None:
        sid = m.added_snapshot_id
    if e.status == Status.ADDED or m.sequence_number == 0:
        seq = m.sequence_number if seq is None else seq
        file_seq = m.sequence_number if file_seq is None else file_seq
    if (seq, file_seq, sid) == (e.sequence_number, e.file_sequence_number, e.snapshot_id):
        return e
    return replace(e, sequence_number=seq, file_sequence_number=file_seq, snapshot_id=sid)


def live_entries(io: FileIO, manifests: list[ManifestFile],
                 meta: TableMetadata) -> list[list[ManifestEntry]]:
    """Entries of each manifest (in parallel), DELETED ones dropped."""
    def load(m: ManifestFile) -> list[ManifestEntry]:
        return [e for e in entries(io, m, meta) if e.status != Status.DELETED]
    if len(manifests) <= 1:
        return [load(m) for m in manifests]
    return list(_POOL.map(load, manifests))
