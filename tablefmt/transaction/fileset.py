"""The live data files of a table state as a transaction changes them, and the
copy-on-write building blocks: classify files against a filter (untouched / fully
matching / partly matching), read a file's rows under the current schema, write rows,
and run a per-file rewrite over many files at once."""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import pyarrow as pa
import pyarrow.parquet as pq

from tablefmt.arrow_schema import to_arrow_schema
from tablefmt.errors import StorageError
from tablefmt.expressions import (
    StrictMetricsEvaluator,
    project_strict,
)
from tablefmt.metadata.data_file import DataFile
from tablefmt.metadata.table_metadata import TableMetadata
from tablefmt.properties import DEFAULT_NAME_MAPPING
from tablefmt.scan.manifests import live_entries, manifest_list
from tablefmt.scan.planner import FileTask
from tablefmt.scan.reader import read_batches
from tablefmt.transaction.validation import MatchFilter, PartitionTest
from tablefmt.write.encoding import choose_encodings
from tablefmt.write.splice import splice_columns
from tablefmt.write.stats import nan_counts
from tablefmt.write.stitch import stitch_files
from tablefmt.write.writer import DataWriter

if TYPE_CHECKING:
    from tablefmt.io import FileIO

R = TypeVar("R")
T = TypeVar("T")
# Files rewritten at once. One file is one Parquet encoder on one thread (a day partition
# is usually a single row group), so copy-on-write over many files is only as parallel as
# the files in flight. Each holds its rows in memory (several times its Parquet size), so
# files also wait while the ones in flight add up to IN_FLIGHT_BYTES; a bigger file runs alone.
# One lane more than cores: a lane waiting for the GIL (Python between Arrow calls) leaves
# its core to the extra one (the 2-core row-ops delete kept 1.89 cores busy instead of 1.78,
# 10% less wall time).
LANES = min(4, (os.cpu_count() or 1) + 1)
IN_FLIGHT_BYTES = 256 * 1024 * 1024


@dataclass
class FileSet:
    """Live data files: those of the base snapshot minus removals, plus additions."""

    base: list[DataFile]
    added: list[DataFile] = field(default_factory=list)
    removed_base: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, io: FileIO, meta: TableMetadata, branch: str) -> FileSet:
        snap = meta.ref_snapshot(branch)
        if snap is None:
            return cls([])
        manifests = [m for m in manifest_list(io, snap.manifest_list) if m.has_live_files]
        return cls([e.data_file for entries in live_entries(io, manifests, meta)
                    for e in entries if e.data_file.content == 0])

    @property
    def live(self) -> list[DataFile]:
        return [f for f in self.base if f.file_path not in self.removed_base] + self.added

    def replace(self, remove: Iterable[DataFile], add: Iterable[DataFile]) -> list[str]:
        """Apply a change; returns paths of files this transaction wrote and now drops."""
        gone = {f.file_path for f in remove}
        base_paths = {f.file_path for f in self.base}
        self.removed_base |= gone & base_paths
        dropped = [f.file_path for f in self.added if f.file_path in gone]
        self.added = [f for f in self.added if f.file_path not in gone] + list(add)
        return dropped


@dataclass
class Classified:
    untouched: list[DataFile]
    whole: list[DataFile]    # every row matches: drop without reading
    partial: list[DataFile]  # some rows may match: read and rewrite


def classify(meta: TableMetadata, files: list[DataFile], bound: Any) -> Classified:
    may = MatchFilter(meta, bound)
    every_row = PartitionTest(meta, bound, project_strict)
    strict_metrics = StrictMetricsEvaluator(bound)
    out = Classified([], [], [])
    for f in files:
        if not may(f):
            out.untouched.append(f)
        elif every_row(f) or strict_metrics.must_match(f):
            out.whole.append(f)
        else:
            out.partial.append(f)
    return out


def read_file(io: FileIO, meta: TableMetadata, f: DataFile,
              columns: list[str] | None = None, dictionaries: bool = False) -> pa.Table:
    """All rows of one data file under the current schema (by field id), in file order;
    only `columns` when given. With `dictionaries`, string and binary columns the file
    stores dictionary-encoded come back as Arrow dictionary arrays: a rewrite then filters
    and writes their indices (see `DataWriter.file_schema`) instead of decoding and
    re-hashing every value."""
    task = FileTask(f.file_path, f.file_format, f.record_count, f.file_size_in_bytes, {},
                    f.spec_id, None, f)
    mapping = meta.properties.get(DEFAULT_NAME_MAPPING)
    uniform = len(meta.schemas) == 1 and mapping is None
    schema = to_arrow_schema(meta.schema)
    if dictionaries and uniform:
        rows = _read_with_dictionaries(io, f.file_path, schema, columns)
        if rows is not None:
            return rows
    if columns is not None:
        schema = pa.schema([schema.field(c) for c in columns])
    batches = list(read_batches(io, [task], meta.schema, columns, None, set(), None, uniform,
                                mapping))
    return pa.Table.from_batches(batches, schema=schema)


def _read_with_dictionaries(io: FileIO, path: str, schema: pa.Schema,
                            columns: list[str] | None) -> pa.Table | None:
    """The file's rows (`columns` only, when given) with its dictionary-encoded string and
    binary columns as Arrow dictionaries; None when the file's columns are not exactly
    `schema`'s (the caller reads it by field id instead)."""
    fs, _ = io.arrow_fs()
    try:
        with fs.open_input_file(io.arrow_path(path)) as source:
            footer = pq.read_metadata(source)
            if footer.schema.to_arrow_schema().names != schema.names:
                return None
            names = _dictionary_columns(footer, schema)
            rows = pq.ParquetFile(source, metadata=footer, read_dictionary=names,
                                  pre_buffer=True).read(columns=columns, use_threads=True)
    except (OSError, pa.ArrowInvalid) as exc:
        raise StorageError(f"Cannot read data file {path}: {exc}") from exc
    wanted = schema if columns is None else pa.schema([schema.field(c) for c in columns])
    if sorted(rows.column_names) != sorted(wanted.names):
        return None
    rows = rows.select(wanted.names)
    fields = []
    for want, got in zip(wanted, rows.schema):
        decoded = got.type.value_type if pa.types.is_dictionary(got.type) else got.type
        if decoded != want.type:
            return None
        fields.append(want.with_type(got.type))
    return pa.Table.from_arrays(rows.columns, schema=pa.schema(fields, metadata=schema.metadata))


def _dictionary_columns(footer: pq.FileMetaData, schema: pa.Schema) -> list[str]:
    """Top-level string and binary columns dictionary-encoded in every row group."""
    plain = {f.name for f in schema if pa.types.is_string(f.type) or pa.types.is_binary(f.type)
             or pa.types.is_large_string(f.type) or pa.types.is_large_binary(f.type)}
    groups = [footer.row_group(i) for i in range(footer.num_row_groups)]
    out = []
    for j in range(footer.num_columns):
        name = footer.schema.column(j).path
        if name in plain and "." not in name and groups and all(
                g.column(j).has_dictionary_page and "RLE_DICTIONARY" in g.column(j).encodings
                for g in groups):
            out.append(name)
    return out


def each_file(files: Sequence[DataFile], fn: Callable[[DataFile], R]) -> list[R]:
    """`fn(f)` for every file, up to LANES at a time (see IN_FLIGHT_BYTES), results in
    order. Reading, Arrow compute and Parquet encoding release the GIL, so files overlap on
    separate cores. If one call fails, the others not yet started are cancelled and the
    running ones finish before the error propagates, so an abort afterwards sees every
    file that was written."""
    return in_lanes(files, fn, [f.file_size_in_bytes for f in files])


def in_lanes(items: Sequence[T], fn: Callable[[T], R], sizes: Sequence[int]) -> list[R]:
    """`each_file` over any work items, `sizes` their bytes on disk."""
    if len(items) <= 1 or LANES == 1:
        return [fn(x) for x in items]
    results: list[R] = []
    running: deque[tuple[Future[R], int]] = deque()
    with ThreadPoolExecutor(max_workers=LANES, thread_name_prefix="tablefmt-cow") as pool:
        try:
            for item, size in zip(items, sizes):
                while running and (len(running) == LANES or
                                   sum(n for _, n in running) + size > IN_FLIGHT_BYTES):
                    results.append(running.popleft()[0].result())
                running.append((pool.submit(fn, item), size))
            results += [future.result() for future, _ in running]
        except BaseException:
            for future, _ in running:
                future.cancel()
            raise
    return results


class Writer:
    """Writes rows as data files of the current schema and spec; remembers every path.
    Safe to call from several threads (each call has its own DataWriter). `properties`
    replace the table's (a compaction's target size)."""

    def __init__(self, io: FileIO, meta: TableMetadata,
                 properties: dict[str, str] | None = None) -> None:
        self.io, self.meta = io, meta
        self.properties = meta.properties if properties is None else properties
        self.written: list[str] = []
        self._lock = threading.Lock()

    def write(self, batches: Iterable[pa.RecordBatch],
              partition: tuple[Any, ...] | None = None,
              sort_order_id: int | None = None) -> list[DataFile]:
        """Data files of the batches' rows; `partition`, when given, is every row's
        partition under the current spec (see `DataWriter.write`). The files claim
        `sort_order_id` (the rows are in that order) or none."""
        m = self.meta
        writer = DataWriter(self.io, m.location, m.schema, m.spec, self.properties,
                            sort_order_id)
        try:
            return writer.write((b for b in batches if b.num_rows), partition)
        finally:
            with self._lock:
                self.written.extend(writer.written)

    def splice(self, f: DataFile, columns: pa.Table,
               sort_order_id: int | None = None) -> list[DataFile] | None:
        """`f` written anew with `columns` (all its rows) replaced and its other column
        chunks copied as they are (`write/splice.py`); None, with nothing written, when the
        file needs a full rewrite instead."""
        m = self.meta
        chosen = choose_encodings(columns, m.schema)

        def write(writer: DataWriter, path: str) -> list[DataFile] | None:
            done = splice_columns(self.io, f.file_path, path, columns, writer.compression,
                                  chosen)
            if done is None:
                return None
            replaced = {m.schema.find_field(n).field_id for n in columns.column_names}
            nan = {fid: n for fid, n in (f.nan_value_counts or {}).items()
                   if fid not in replaced}
            nan.update(nan_counts(columns, writer.float_columns))
            return [writer.data_file(path, f.partition, *done, nan)]

        return self._new_file(f.partition, sort_order_id, write)

    def stitch(self, files: list[DataFile], partition: tuple[Any, ...]) -> list[DataFile] | None:
        """One file of every row of `files` (one partition of the current spec, in order),
        their columns without a dictionary copied page by page (`write/stitch.py`); None,
        with nothing written, when the files do not fit that."""
        def write(writer: DataWriter, path: str) -> list[DataFile] | None:
            done = stitch_files(self.io, [f.file_path for f in files], path, self.meta.schema,
                                writer.compression, writer.row_group_rows,
                                writer.float_columns)
            if done is None:
                return None
            nan = dict(done.nan)  # re-encoded columns: counted from the data
            for fid, _ in writer.float_columns:  # copied ones: the sources' counts
                counts = [(f.nan_value_counts or {}).get(fid) for f in files]
                if fid not in nan and None not in counts:
                    nan[fid] = sum(c or 0 for c in counts)
            return [writer.data_file(path, partition, done.footer, done.size, nan)]

        return self._new_file(partition, None, write)

    def _new_file(self, partition: tuple[Any, ...], sort_order_id: int | None,
                  write: Callable[[DataWriter, str], list[DataFile] | None]
                  ) -> list[DataFile] | None:
        """`write(writer, path)` of one new data file of `partition`; its path is
        remembered (removed on failure) unless it returns None, having written nothing."""
        m = self.meta
        writer = DataWriter(self.io, m.location, m.schema, m.spec, self.properties,
                            sort_order_id)
        path = writer.new_path(partition)
        with self._lock:
            self.written.append(path)
        done = write(writer, path)
        if done is None:
            with self._lock:
                self.written.remove(path)
        return done

    def forget_since(self, mark: int) -> list[str]:
        """Paths written after the first `mark` ones, no longer remembered (the caller
        deletes them)."""
        with self._lock:
            gone, self.written = self.written[mark:], self.written[:mark]
        return gone
