"""Compaction: bin-pack the small data files of each partition into files of the target
size, same rows, committed as one `replace` snapshot (spec "Snapshots": operation
`replace`; reference §5: "the files to delete must still be in the table").

Files are rewritten whole (a filter only chooses which files), a few bins at a time, so
memory is bounded by those bins (about one target file each), never by the table.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from tablefmt import properties as P
from tablefmt.arrow_schema import to_arrow_schema
from tablefmt.errors import CorruptMetadataError, ValidationError
from tablefmt.maintenance.sort_rows import sort_table
from tablefmt.metadata.data_file import DataFile
from tablefmt.metadata.snapshot import MAIN_BRANCH, TOTAL_DELETE_FILES, Snapshot
from tablefmt.scan.planner import FileTask
from tablefmt.scan.reader import read_batches
from tablefmt.transaction.commit import commit
from tablefmt.transaction.fault import checkpoint
from tablefmt.transaction.fileset import Writer, in_lanes
from tablefmt.transaction.producer import SnapshotProducer

if TYPE_CHECKING:
    from tablefmt.table import Table

# A file under this share of the target is "small" (Java's rewrite_data_files default
# min-file-size-bytes is 75% of the target).
SMALL_FILE_RATIO = 0.75

Bin = list[FileTask]


def compact(table: Table, *, target_file_size_bytes: int | None = None,
            where: Any = None) -> Snapshot | None:
    """Rewrite the small data files that may match `where`, per partition, into files of
    `target_file_size_bytes` (default: `write.target-file-size-bytes`, 512 MiB), sorted
    by the table's sort order. Returns the `replace` snapshot, or None when no partition
    has two or more small files.

    Raises CommitConflictError when a concurrent commit removed a file being rewritten;
    the table is then as that commit left it and the files written here are removed.

    Example:
        >>> import tempfile, pyarrow as pa, tablefmt as tf
        >>> tmp = tempfile.TemporaryDirectory()
        >>> cat = tf.connect(tmp.name); cat.create_namespace("db")
        >>> t = cat.create_table("db.t", pa.schema([("x", pa.int64())]))
        >>> for i in range(3):
        ...     _ = t.append(pa.table({"x": [i]}))
        >>> snap = t.compact()
        >>> snap.operation, len(t.scan().plan_files()), t.compact()
        ('replace', 1, None)
        >>> cat.close(); tmp.cleanup()
    """
    target = _target_size(table, target_file_size_bytes)
    snap = table.metadata.current_snapshot
    if snap is None:
        return None
    if snap.metric(TOTAL_DELETE_FILES):
        raise ValidationError(
            f"Cannot compact {table.name}: snapshot {snap.snapshot_id} has delete files, "
            "which tablefmt does not apply; rewrite the table with overwrite() instead")
    bins = plan_bins(table.scan(where=where).plan_files(), target)
    if not bins:
        return None
    return _Rewrite(table, target, bins).run()


def _target_size(table: Table, given: int | None) -> int:
    if given is None:
        return table.metadata.int_property(P.WRITE_TARGET_FILE_SIZE_BYTES,
                                           P.WRITE_TARGET_FILE_SIZE_BYTES_DEFAULT)
    if isinstance(given, bool) or not isinstance(given, int) or given <= 0:
        raise ValidationError(f"Cannot compact {table.name}: target_file_size_bytes must be a "
                              f"positive integer, got {given!r}")
    return given


def plan_bins(tasks: list[FileTask], target: int) -> list[Bin]:
    """Small files grouped by partition (spec id and partition tuple), each group packed
    first-fit-decreasing into bins of at most `target` bytes; bins of one file are left
    alone (rewriting a file by itself changes nothing).

    Example:
        >>> from types import SimpleNamespace as F
        >>> def task(path, size, part):
        ...     return F(file_path=path, file_size_in_bytes=size, spec_id=0,
        ...              data_file=F(partition=part))
        >>> tasks = [task("a", 40, ("eu",)), task("b", 30, ("eu",)), task("c", 50, ("eu",)),
        ...          task("d", 10, ("us",)), task("e", 90, ("eu",))]
        >>> [[t.file_path for t in b] for b in plan_bins(tasks, 100)]
        [['c', 'a']]
    """
    groups: dict[tuple[int, tuple[Any, ...]], Bin] = {}
    for t in tasks:
        if t.file_size_in_bytes < target * SMALL_FILE_RATIO:
            groups.setdefault((t.spec_id, t.data_file.partition), []).append(t)
    bins: list[Bin] = []
    for key in sorted(groups, key=repr):
        if len(groups[key]) >= 2:
            bins.extend(b for b in _first_fit_decreasing(groups[key], target) if len(b) >= 2)
    return bins


def _first_fit_decreasing(tasks: Bin, target: int) -> list[Bin]:
    bins: list[Bin] = []
    sizes: list[int] = []
    for t in sorted(tasks, key=lambda t: (-t.file_size_in_bytes, t.file_path)):
        for i, size in enumerate(sizes):
            if size + t.file_size_in_bytes <= target:
                bins[i].append(t)
                sizes[i] += t.file_size_in_bytes
                break
        else:
            bins.append([t])
            sizes.append(t.file_size_in_bytes)
    return bins


class _Rewrite:
    """Reads each bin, sorts it when the table has a sort order, writes it, then commits
    added and replaced files (the shape of writes.py). Bins are rewritten several at a
    time (`in_lanes`: one Parquet encoder per bin, so bins are the unit of parallelism)."""

    def __init__(self, table: Table, target: int, bins: list[Bin]) -> None:
        meta = table.metadata
        self.table, self.bins, self.meta = table, bins, meta
        props = dict(meta.properties)
        props[P.WRITE_TARGET_FILE_SIZE_BYTES] = str(target)
        # Output goes to the current spec and schema (Java's default output spec).
        self.writer = Writer(table.io, meta, props)
        self.arrow_schema = to_arrow_schema(meta.schema)
        self.producer = SnapshotProducer(table.io, "replace", MAIN_BRANCH)

    def written(self) -> list[str]:
        return self.writer.written + self.producer.written

    def run(self) -> Snapshot:
        try:
            # A sorted bin is held whole, twice (rows and sorted rows): count it double.
            weight = 2 if self.meta.sort_order.fields else 1
            sizes = [weight * sum(t.file_size_in_bytes for t in b) for b in self.bins]
            added = in_lanes(self.bins, self._rewrite, sizes)
            self.producer.added_files = self._verified([f for files in added for f in files])
            checkpoint("data_files")
        except BaseException:
            self.table.io.delete_quietly(self.writer.written)
            raise
        self.producer.must_remove = {t.file_path for b in self.bins for t in b}
        meta = commit(self.table, self.producer.build, written=self.written,
                      snapshot_id=self.producer.snapshot_id)
        snap = meta.snapshot_by_id(self.producer.snapshot_id)
        assert snap is not None
        return snap

    def _rewrite(self, tasks: Bin) -> list[DataFile]:
        expected = sum(t.record_count for t in tasks)
        # A bin is one partition of one spec: under the current spec its rows need no split.
        first = tasks[0]
        partition = first.data_file.partition if first.spec_id == self.meta.spec.spec_id \
            else None
        order = self.meta.sort_order
        if not order.fields and partition is not None and self._uniform():
            stitched = self.writer.stitch([t.data_file for t in tasks], partition)
            if stitched is not None:
                self._check(tasks, sum(f.record_count for f in stitched), expected)
                return stitched
        if order.fields:
            rows = pa.Table.from_batches(list(self._read(tasks)), schema=self.arrow_schema)
            self._check(tasks, rows.num_rows, expected)
            return self.writer.write(sort_table(rows, order, self.meta.schema).to_batches(),
                                     partition, order.order_id)
        counted = [0]

        def counting(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
            for batch in batches:
                counted[0] += batch.num_rows
                yield batch

        files = self.writer.write(counting(self._read(tasks)), partition)
        self._check(tasks, counted[0], expected)
        return files

    def _uniform(self) -> bool:
        """Whether every file was written under the current schema (one schema, no name
        mapping): its columns are the table's."""
        return len(self.meta.schemas) == 1 and P.DEFAULT_NAME_MAPPING not in self.meta.properties

    def _read(self, tasks: Bin) -> Iterator[pa.RecordBatch]:
        mapping = self.meta.properties.get(P.DEFAULT_NAME_MAPPING)
        uniform = self._uniform()
        # No filter: compaction keeps every row of every file it rewrites.
        return read_batches(self.table.io, tasks, self.meta.schema, None, None, set(), None,
                            uniform, mapping)

    def _check(self, tasks: Bin, found: int, expected: int) -> None:
        if found != expected:
            raise CorruptMetadataError(
                f"Cannot compact {self.table.name}: {len(tasks)} file(s) such as "
                f"{tasks[0].file_path} hold {found} rows, their manifests say {expected}; "
                "nothing was committed")

    def _verified(self, files: list[DataFile]) -> list[DataFile]:
        expected = sum(t.record_count for b in self.bins for t in b)
        written = sum(f.record_count for f in files)
        if written != expected:
            raise CorruptMetadataError(
                f"Cannot compact {self.table.name}: wrote {written} rows for {expected} "
                "rows read; nothing was committed")
        return list(files)


__all__ = ["SMALL_FILE_RATIO", "compact", "plan_bins"]
