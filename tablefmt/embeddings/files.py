"""Reading one data file of an embedding table for search: its vectors as a float32
matrix (with the row norms the distances need) and its other columns, by row position.
Both come through the scan reader (so schema evolution applies) and are cached by file
path; a file too big for the cache streams in blocks instead."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.dataset as ds

from tablefmt.embeddings.cache import CACHE
from tablefmt.embeddings.metrics import row_norms
from tablefmt.embeddings.vectors import matrix
from tablefmt.expressions import to_arrow_expr
from tablefmt.io import FileIO
from tablefmt.metadata.table_metadata import TableMetadata
from tablefmt.properties import DEFAULT_NAME_MAPPING
from tablefmt.scan.planner import FileTask
from tablefmt.scan.reader import read_batches
from tablefmt.schema import Schema

F32 = npt.NDArray[np.float32]
Mask = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class Block:
    """Consecutive rows of one file: positions start..start+len(vectors)."""

    start: int
    vectors: F32
    sq: F32  # squared norms
    neg_inv: F32  # negated inverse norms (0 for zero rows)


@dataclass(frozen=True)
class FileReader:
    """How to read the files of one snapshot of one table."""

    io: FileIO
    meta: TableMetadata
    schema: Schema
    vector_column: str
    dim: int

    def _batches(self, task: FileTask, columns: list[str]) -> Iterator[pa.RecordBatch]:
        mapping = self.meta.properties.get(DEFAULT_NAME_MAPPING)
        uniform = len(self.meta.schemas) == 1 and mapping is None
        return read_batches(self.io, [task], self.schema, columns, None, set(), None,
                            uniform, mapping)

    def blocks(self, task: FileTask, rows: int = 1 << 30) -> Iterator[Block]:
        """The file's vectors in blocks of at most `rows` rows, from the cache when there;
        otherwise streamed, and cached on the way if the whole file fits."""
        whole = self.cached(task)
        if whole is None and CACHE.fits(_nbytes(task.record_count, self.dim)):
            whole = self.load(task)
        if whole is not None:
            for start in range(0, len(whole.vectors), rows):
                end = start + rows
                yield Block(start, whole.vectors[start:end], whole.sq[start:end],
                            whole.neg_inv[start:end])
            return
        start = 0
        for batch in self._batches(task, [self.vector_column]):
            v = matrix(batch.column(0), self.dim)
            for i in range(0, len(v), rows):
                sq, neg_inv = row_norms(v[i:i + rows])
                yield Block(start + i, v[i:i + rows], sq, neg_inv)
            start += len(v)

    def stream(self, task: FileTask) -> Iterator[tuple[int, F32]]:
        """(first position, vectors) batch by batch, from the cache when there (without
        filling it: an index build reads every file once)."""
        whole = self.cached(task)
        if whole is not None:
            yield 0, whole.vectors
            return
        start = 0
        for batch in self._batches(task, [self.vector_column]):
            v = matrix(batch.column(0), self.dim)
            yield start, v
            start += len(v)

    def cached(self, task: FileTask) -> Block | None:
        found: Block | None = CACHE.get(("vectors", task.file_path))
        return found

    def load(self, task: FileTask, keep: bool = True) -> Block:
        """All vectors of the file (cached when `keep` and they fit)."""
        found = self.cached(task)
        if found is not None:
            return found
        out = np.empty((task.record_count, self.dim), dtype=np.float32)
        start = 0
        for batch in self._batches(task, [self.vector_column]):
            v = matrix(batch.column(0), self.dim)
            out[start:start + len(v)] = v
            start += len(v)
        out = out[:start]
        sq, neg_inv = row_norms(out)
        whole = Block(0, out, sq, neg_inv)
        if keep:
            CACHE.put(("vectors", task.file_path), whole, _nbytes(start, self.dim + 2))
        return whole

    @property
    def other_columns(self) -> list[str]:
        return [f.name for f in self.schema.fields if f.name != self.vector_column]

    def rows(self, task: FileTask) -> pa.Table:
        """Every column but the vector, in file order (cached)."""
        columns = self.other_columns
        key = ("rows", task.file_path, self.schema.schema_id, tuple(columns))
        table: pa.Table | None = CACHE.get(key)
        if table is None:
            batches = list(self._batches(task, columns)) if columns else []
            arrow = pa.schema([f for f in _arrow(self.schema) if f.name in columns])
            # One chunk: `take` on a many-chunk table costs a concatenation per call.
            table = pa.Table.from_batches(batches, schema=arrow).combine_chunks() if columns \
                else pa.table({"__n": pa.nulls(task.record_count, pa.null())})
            CACHE.put(key, table, max(table.nbytes, 64))
        return table

    def mask(self, task: FileTask, residual: object) -> Mask:
        """Which rows of the file the residual filter keeps (null counts as no)."""
        expr = to_arrow_expr(residual, self.schema)  # type: ignore[arg-type]
        kept = ds.dataset(self.rows(task)).to_table(columns={"m": expr}).column("m")
        return np.asarray(kept.fill_null(False).to_numpy(zero_copy_only=False), dtype=np.bool_)


def _arrow(schema: Schema) -> pa.Schema:
    from tablefmt.arrow_schema import to_arrow_schema

    return to_arrow_schema(schema)


def _nbytes(rows: int, width: int) -> int:
    return rows * width * 4
