"""Reading manifest lists and manifests through FileIO, cached by path (they are
immutable), with sequence-number and snapshot-id inheritance applied
(spec "Sequence Number Inheritance"). Each cached manifest also keeps its columnar form
(`manifest_columns.py`) and each manifest list its partition summaries as arrays, both
built on first use by a scan."""

from __future__ import annotations

import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tablefmt.io import FileIO
from tablefmt.metadata.data_file import Content, ManifestEntry, ManifestFile, Status
from tablefmt.metadata.manifest import read_manifest
from tablefmt.metadata.manifest_list import read_manifest_list
from tablefmt.metadata.table_metadata import TableMetadata
from tablefmt.scan.manifest_columns import ManifestColumns
from tablefmt.scan.summaries import ManifestSummaries
from tablefmt.schema import Schema
from tablefmt.values import internal_to_python

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


class ListData:
    """A manifest list's manifests, and per partition spec the live data manifests with
    their partition summaries as arrays (in list order)."""

    def __init__(self, manifests: list[ManifestFile]) -> None:
        self.manifests = manifests
        self._by_spec: dict[int, tuple[list[int], ManifestSummaries]] | None = None

    def data_manifests_by_spec(self) -> dict[int, tuple[list[int], ManifestSummaries]]:
        """Spec id -> (positions in `manifests`, their summaries), data manifests with
        live files only."""
        if self._by_spec is None:
            positions: dict[int, list[int]] = {}
            for i, m in enumerate(self.manifests):
                if m.content == Content.DATA and m.has_live_files:
                    positions.setdefault(m.partition_spec_id, []).append(i)
            self._by_spec = {spec_id: (found, ManifestSummaries(
                [self.manifests[i] for i in found])) for spec_id, found in positions.items()}
        return self._by_spec


class ManifestData:
    """A manifest's entries (inheritance applied) and, once a scan asks, its columns."""

    def __init__(self, entries: list[ManifestEntry]) -> None:
        self.entries = entries
        self._columns: dict[Schema, ManifestColumns] = {}
        self._readable: dict[Schema, list[dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def columns(self, partition_schema: Schema) -> ManifestColumns:
        with self._lock:
            found = self._columns.get(partition_schema)
        if found is None:
            found = ManifestColumns.of(self.entries, partition_schema)
            with self._lock:
                self._columns[partition_schema] = found
        return found

    def readable_partitions(self, partition_schema: Schema) -> list[dict[str, Any]]:
        """Each entry's partition as {field name: readable value} (dates, datetimes), one
        shared dict per distinct tuple: callers copy before handing one out."""
        with self._lock:
            found = self._readable.get(partition_schema)
        if found is None:
            fields = partition_schema.fields
            by_tuple: dict[tuple[Any, ...], dict[str, Any]] = {}
            found = []
            for e in self.entries:
                key = e.data_file.partition
                if key not in by_tuple:
                    by_tuple[key] = {f.name: internal_to_python(v, f.field_type)
                                     for f, v in zip(fields, key)}
                found.append(by_tuple[key])
            with self._lock:
                self._readable[partition_schema] = found
        return found


_LISTS = _LRU(256)
_MANIFESTS = _LRU(2048)


def manifest_list_data(io: FileIO, path: str) -> ListData:
    cached: ListData | None = _LISTS.get(path)
    if cached is None:
        cached = ListData(read_manifest_list(io.read(path), path))
        _LISTS.put(path, cached)
    return cached


def manifest_list(io: FileIO, path: str) -> list[ManifestFile]:
    return list(manifest_list_data(io, path).manifests)


def remember_manifest_list(path: str, manifests: list[ManifestFile]) -> None:
    """A writer knows what it just wrote; later reads of this path skip storage."""
    _LISTS.put(path, ListData(list(manifests)))


def manifest_data(io: FileIO, manifest: ManifestFile, meta: TableMetadata) -> ManifestData:
    """A manifest's cached entries and columns, read on first use."""
    cached: ManifestData | None = _MANIFESTS.get(manifest.manifest_path)
    if cached is None:
        spec = meta.spec_by_id(manifest.partition_spec_id)
        raw = read_manifest(io.read(manifest.manifest_path), spec, meta.schema,
                            manifest.manifest_path)
        cached = ManifestData([_inherit(e, manifest) for e in raw])
        _MANIFESTS.put(manifest.manifest_path, cached)
    return cached


def entries(io: FileIO, manifest: ManifestFile, meta: TableMetadata) -> list[ManifestEntry]:
    """All entries of a manifest with inherited sequence numbers and snapshot ids."""
    return manifest_data(io, manifest, meta).entries


def remember_manifest(manifest: ManifestFile, written: list[ManifestEntry]) -> None:
    _MANIFESTS.put(manifest.manifest_path,
                   ManifestData([_inherit(e, manifest) for e in written]))


def _inherit(e: ManifestEntry, m: ManifestFile) -> ManifestEntry:
    seq, file_seq, sid = e.sequence_number, e.file_sequence_number, e.snapshot_id
    if sid is None:
        sid = m.added_snapshot_id
    if e.status == Status.ADDED or m.sequence_number == 0:
        seq = m.sequence_number if seq is None else seq
        file_seq = m.sequence_number if file_seq is None else file_seq
    if (seq, file_seq, sid) == (e.sequence_number, e.file_sequence_number, e.snapshot_id):
        return e
    return ManifestEntry(e.status, sid, seq, file_seq, e.data_file)  # faster than replace()


def load_all(io: FileIO, manifests: list[ManifestFile],
             meta: TableMetadata) -> list[ManifestData]:
    """The cached data of each manifest, reading the missing ones in parallel."""
    found: list[ManifestData | None] = [_MANIFESTS.get(m.manifest_path) for m in manifests]
    missing = [i for i, data in enumerate(found) if data is None]
    if len(missing) == 1:
        found[missing[0]] = manifest_data(io, manifests[missing[0]], meta)
    elif missing:
        read = _POOL.map(lambda i: manifest_data(io, manifests[i], meta), missing)
        for i, data in zip(missing, read):
            found[i] = data
    return [data for data in found if data is not None]


def live_entries(io: FileIO, manifests: list[ManifestFile],
                 meta: TableMetadata) -> list[list[ManifestEntry]]:
    """Entries of each manifest (in parallel), DELETED ones dropped."""
    return [[e for e in data.entries if e.status != Status.DELETED]
            for data in load_all(io, manifests, meta)]
