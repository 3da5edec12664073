"""Arrow batches -> Parquet data files of the target size, one rolling writer per
partition, row groups encoded in parallel threads (pyarrow releases the GIL); each file's
column encodings (`encoding.py`) and Parquet schema (`DataWriter.file_schema`) are chosen
from its first row group."""

from __future__ import annotations

import base64
import os
import threading
import uuid
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any
from urllib.parse import quote

import pyarrow as pa
import pyarrow.parquet as pq

from tablefmt import properties as P
from tablefmt import types as T
from tablefmt.arrow_schema import to_arrow_schema
from tablefmt.io import FileIO
from tablefmt.metadata.data_file import DataFile
from tablefmt.partitioning import PartitionSpec
from tablefmt.schema import Schema
from tablefmt.transforms import parse_transform as transform_of
from tablefmt.write.assembled import open_writer
from tablefmt.write.encoding import choose_encodings
from tablefmt.write.partition import split
from tablefmt.write.stats import footer_metrics, nan_counts

_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="tablefmt-write")
MAX_LANES = max(1, min(4, os.cpu_count() or 1))  # parallel files per partition
# Small batches are concatenated up to this many rows before they are split by partition
# (a split has a fixed cost per batch: thousands of tiny batches would pay it thousands
# of times).
COALESCE_ROWS = 65_536


class _RollingFile:
    """Row groups of one partition, rolled into a new file at the target size."""

    def __init__(self, owner: DataWriter, partition: tuple[Any, ...]) -> None:
        self.owner, self.partition = owner, partition
        self.lock = threading.Lock()
        self.pending: list[pa.RecordBatch] = []
        self.pending_rows = 0
        self.sink: Any = None
        self.writer: Any = None  # assembled.open_writer's
        self.schema = owner.arrow_schema
        self.required: list[str] = []  # optional table columns this file stores as required
        self.path = ""
        self.nan: dict[int, int] = {}
        self.rows = 0
        self.last: Future[None] | None = None

    def add(self, batch: pa.RecordBatch) -> Future[None] | None:
        self.pending.append(batch)
        self.pending_rows += batch.num_rows
        if self.pending_rows >= self.owner.row_group_rows:
            return self.flush()
        return None

    def flush(self) -> Future[None] | None:
        if not self.pending:
            return None
        table = pa.Table.from_batches(self.pending)
        self.pending, self.pending_rows = [], 0
        # Row groups of one file keep their order: wait for this file's previous one.
        if self.last is not None:
            self.last.result()
        self.last = _POOL.submit(self._write, table)
        return self.last

    def _write(self, table: pa.Table) -> None:
        step = self.owner.row_group_rows
        with self.lock:
            for start in range(0, table.num_rows, step):
                chunk = table.slice(start, step)
                if self.writer is not None and any(chunk.column(n).null_count
                                                   for n in self.required):
                    self._close()  # a null where this file has none: roll to a new one
                if self.writer is None:
                    self._open(chunk)
                assert self.writer is not None
                if chunk.schema != self.schema:
                    chunk = chunk.cast(self.schema)
                self.writer.write_table(chunk, row_group_size=step)
                self.rows += chunk.num_rows
                for fid, n in nan_counts(chunk, self.owner.float_columns).items():
                    self.nan[fid] = self.nan.get(fid, 0) + n
                if self.sink.tell() >= self.owner.target_size:
                    self._close()

    def _open(self, first: pa.Table) -> None:
        o = self.owner
        self.path = o.new_path(self.partition)
        self.sink = o.io.open_output(self.path)
        o.written.append(self.path)
        chosen = choose_encodings(first, o.schema)
        self.schema = o.file_schema(first)
        self.required = [f.name for f, table in zip(self.schema, o.arrow_schema)
                         if table.nullable and not f.nullable]
        self.writer = open_writer(self.sink, self.schema, o.compression, chosen,
                                  store_schema=self.schema is o.arrow_schema)
        self.nan = {fid: 0 for fid, _ in o.float_columns}
        self.rows = 0

    def _close(self) -> None:
        if self.writer is None:
            return
        if self.schema is not self.owner.arrow_schema:
            # Written from dictionary arrays or with required columns: store the table's
            # Arrow schema, as a plain write does.
            self.writer.add_key_value_metadata({"ARROW:schema": self.owner.stored_schema})
        self.writer.close()
        meta = self.writer.footer()
        size = self.sink.tell()
        self.sink.close()
        self.owner.files.append(self.owner.data_file(self.path, self.partition, meta, size,
                                                     self.nan))
        self.writer = None

    def finish(self) -> None:
        fut = self.flush()
        if fut is not None:
            fut.result()
        with self.lock:
            self._close()


class DataWriter:
    """Writes one operation's data files. `written` lists every path it created, so a
    failed commit can remove them."""

    def __init__(self, io: FileIO, location: str, schema: Schema, spec: PartitionSpec,
                 properties: dict[str, str], sort_order_id: int | None = None) -> None:
        self.io, self.location, self.schema, self.spec = io, location, schema, spec
        self.arrow_schema = to_arrow_schema(schema)
        self.stored_schema = base64.b64encode(self.arrow_schema.serialize().to_pybytes())
        self.target_size = int(properties.get(P.WRITE_TARGET_FILE_SIZE_BYTES,
                                              P.WRITE_TARGET_FILE_SIZE_BYTES_DEFAULT))
        self.row_group_rows = int(properties.get(P.PARQUET_ROW_GROUP_LIMIT,
                                                 P.PARQUET_ROW_GROUP_LIMIT_DEFAULT))
        self.compression = P.parquet_compression(properties)
        self.sort_order_id = sort_order_id
        self.float_columns = [(f.field_id, f.name) for f in schema.fields
                              if f.field_type in (T.FLOAT, T.DOUBLE)]
        self.write_uuid = uuid.uuid4().hex
        self._counter = 0
        self._lock = threading.Lock()
        self.files: list[DataFile] = []
        self.written: list[str] = []

    def file_schema(self, first: pa.Table) -> pa.Schema:
        """The Arrow schema of a file whose first rows are `first`: the table's, except
        - string and binary columns `first` holds as dictionaries (a copy-on-write rewrite
          reads them so) stay dictionaries: Parquet writes their indices instead of
          hashing every value again;
        - an optional top-level column of a primitive type with no null in `first` is
          stored as a required Parquet column: no definition levels to encode or decode
          (on the row-operations benchmark's files, 11% less CPU to write and 21% less
          to read). A later row group with a null there starts a new
          file. Every Iceberg reader reads a required file column into an optional table
          column: the spec lets a required column become optional, so older files hold
          such columns anyway."""
        fields, changed = [], False
        for f in self.arrow_schema:
            i = first.schema.get_field_index(f.name)
            t = first.schema.field(i).type if i >= 0 else f.type
            if pa.types.is_dictionary(t) and t.value_type == f.type:
                f, changed = f.with_type(t), True
            if f.nullable and i >= 0 and not pa.types.is_nested(f.type) \
                    and first.column(i).null_count == 0:
                f, changed = f.with_nullable(False), True
            fields.append(f)
        return pa.schema(fields, metadata=self.arrow_schema.metadata) if changed \
            else self.arrow_schema

    def data_file(self, path: str, partition: tuple[Any, ...], footer: pq.FileMetaData,
                  size: int, nan: dict[int, int]) -> DataFile:
        """The manifest entry of a Parquet file this writer wrote: counts and bounds from
        its footer, NaN counts (`nan`) from its data."""
        return DataFile(file_path=path, file_format="PARQUET", partition=partition,
                        record_count=footer.num_rows, file_size_in_bytes=size,
                        spec_id=self.spec.spec_id, sort_order_id=self.sort_order_id,
                        **footer_metrics(footer, self.schema, nan))

    def new_path(self, partition: tuple[Any, ...]) -> str:
        with self._lock:
            self._counter += 1
            n = self._counter
        return f"{self.location}/data/{self.partition_path(partition)}" \
               f"{n:05d}-0-{self.write_uuid}.parquet"

    def partition_path(self, partition: tuple[Any, ...]) -> str:
        if not partition:
            return ""
        parts = []
        for (f, t), v in zip(self.spec.partition_type(self.schema), partition):
            text = transform_of(f.transform).to_human_string(v, t)
            parts.append(f"{quote(f.name, safe='')}={quote(text, safe='')}")
        return "/".join(parts) + "/"

    def write(self, batches: Iterable[pa.RecordBatch],
              partition: tuple[Any, ...] | None = None) -> list[DataFile]:
        """Write every batch (already conformed to the schema); return the data files.
        `partition`, when given, is the partition tuple of every row (a rewrite of one
        file of the writer's spec): the rows are not split again.

        A partition whose data fills a row group while its previous row group is still
        being encoded opens a second file ("lane", up to one per core) so big appends
        encode in parallel; small appends write one file per partition."""
        lanes: dict[tuple[Any, ...], list[_RollingFile]] = {}
        current: dict[tuple[Any, ...], int] = {}
        pending: list[Future[None]] = []
        for key, part in self._parts(batches, partition):
            files = lanes.get(key)
            if files is None:
                files = lanes[key] = [_RollingFile(self, key)]
                current[key] = 0
            for start in range(0, part.num_rows, self.row_group_rows):
                fut = files[current[key]].add(part.slice(start, self.row_group_rows))
                if fut is None:
                    continue
                pending.append(fut)
                if not fut.done():  # still encoding: the next row group goes elsewhere
                    i = (current[key] + 1) % MAX_LANES
                    if i == len(files):
                        files.append(_RollingFile(self, key))
                    current[key] = i
            # Bound memory: wait for the oldest row groups when many are in flight.
            while len(pending) > 2 * (_POOL._max_workers or 4):
                pending.pop(0).result()
        for fut in pending:
            fut.result()
        every = [rf for files in lanes.values() for rf in files]
        # Flush every file's last row group at once (pyarrow encodes without the GIL),
        # then close the files.
        tails = [f for f in (rf.flush() for rf in every) if f is not None]
        for fut in tails:
            fut.result()
        for rf in every:
            rf.finish()
        return sorted(self.files, key=lambda f: f.file_path)

    def _parts(self, batches: Iterable[pa.RecordBatch], partition: tuple[Any, ...] | None
               ) -> Iterator[tuple[tuple[Any, ...], pa.RecordBatch]]:
        """(partition tuple, rows) pieces of the batches."""
        if partition is not None:
            yield from ((partition, b) for b in batches if b.num_rows)
            return
        plain = (b if b.schema == self.arrow_schema else b.cast(self.arrow_schema)
                 for b in batches)
        for batch in coalesce(plain, COALESCE_ROWS):
            yield from split(batch, self.spec, self.schema)


def coalesce(batches: Iterable[pa.RecordBatch], rows: int) -> Iterator[pa.RecordBatch]:
    """The batches' rows in order, in batches of at least `rows` rows (but the last):
    small neighbours are concatenated, big batches pass through as they are.

    Example:
        >>> small, big = pa.record_batch({"x": [1, 2]}), pa.record_batch({"x": [0] * 9})
        >>> [b.num_rows for b in coalesce([small, small, small, big, small], 4)]
        [4, 11, 2]
    """
    pending: list[pa.RecordBatch] = []
    count = 0
    for batch in batches:
        if batch.num_rows == 0:
            continue
        if not pending and batch.num_rows >= rows:
            yield batch
            continue
        pending.append(batch)
        count += batch.num_rows
        if count >= rows:
            yield pa.concat_batches(pending)
            pending, count = [], 0
    if pending:
        yield pending[0] if len(pending) == 1 else pa.concat_batches(pending)
