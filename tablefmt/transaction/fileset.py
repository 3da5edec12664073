"""The live data files of a table state as a transaction changes them, and the
copy-on-write building blocks: classify files against a filter (untouched / fully
matching / partly matching), read a file's rows under the current schema, write rows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyarrow as pa

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
from tablefmt.write.writer import DataWriter

if TYPE_CHECKING:
    from tablefmt.io import FileIO


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


def read_file(io: FileIO, meta: TableMetadata, f: DataFile) -> pa.Table:
    """All rows of one data file under the current schema (by field id)."""
    task = FileTask(f.file_path, f.file_format, f.record_count, f.file_size_in_bytes, {},
                    f.spec_id, None, f)
    mapping = meta.properties.get(DEFAULT_NAME_MAPPING)
    uniform = len(meta.schemas) == 1 and mapping is None
    from tablefmt.arrow_schema import to_arrow_schema

    schema = to_arrow_schema(meta.schema)
    batches = list(read_batches(io, [task], meta.schema, None, None, set(), None, uniform,
                                mapping))
    return pa.Table.from_batches(batches, schema=schema)


class Writer:
    """Writes rows as data files of the current schema and spec; remembers every path."""

    def __init__(self, io: FileIO, meta: TableMetadata) -> None:
        self.io, self.meta = io, meta
        self.written: list[str] = []

    def write(self, batches: Iterator[pa.RecordBatch] | list[pa.RecordBatch]) -> list[DataFile]:
        m = self.meta
        writer = DataWriter(self.io, m.location, m.schema, m.spec, m.properties,
                            m.default_sort_order_id or None)
        try:
            return writer.write(b for b in batches if b.num_rows)
        finally:
            self.written += writer.written
