"""Per-column Parquet encodings of a new data file, chosen from a sample of its first row
group. Parquet writers dictionary-encode every column by default and fall back to plain
encoding once the dictionary outgrows its page; for a column of unique values (ids,
timestamps, measurements, hashes) building that dictionary is wasted work and the file
comes out larger. Such integer columns are delta-encoded instead (Parquet
DELTA_BINARY_PACKED: cheap to write and read, and small when values are close, as ids
and event times usually are), and such strings and binaries are written as
DELTA_LENGTH_BYTE_ARRAY: the lengths delta-packed apart from the bytes, so the codec sees
the values' bytes back to back instead of a 4-byte length between every two (zstd
compresses them about twice as fast, and smaller). Any Parquet reader reads every
encoding used here (Spark's vectorized reader since 3.3)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tablefmt import types as T
from tablefmt.schema import Schema
from tablefmt.write.stats import leaf_paths

SAMPLE_ROWS = 4096  # a column of over ~20,000 distinct values in a file looks unique
# A sampled column whose values are at least this share distinct gets no dictionary: one
# of nearly all the values saves nothing. Below it, repeats pay for one.
DISTINCT_SHARE = 0.9
# Rows Parquet's column writer takes at a time (pyarrow's default: 1,024). Each batch of a
# dictionary column pays for working out which dictionary values it references (for the
# statistics): on the row-operations benchmark's 100-value column, writing took 1.8x as
# long as with 8,192-row batches. Pages still close at their size and row limits.
WRITE_BATCH_ROWS = 8192
# Iceberg types stored as Parquet INT32/INT64 (decimals excepted: their physical type
# depends on the precision).
_DELTA_TYPES = (T.INT, T.LONG, T.DATE, T.TIME, T.TIMESTAMP, T.TIMESTAMPTZ)
# Iceberg types stored as Parquet BYTE_ARRAY (uuid and fixed are FIXED_LEN_BYTE_ARRAY).
_BYTES_TYPES = (T.STRING, T.BINARY)


@dataclass(frozen=True, slots=True, kw_only=True)
class Encodings:
    """Arguments of `pyarrow.parquet.ParquetWriter`: `use_dictionary` and
    `column_encoding`, keyed by Parquet column path."""

    dictionary: list[str] = field(default_factory=list)
    column_encoding: dict[str, str] = field(default_factory=dict)

    def writer_options(self, compression: str, columns: Iterable[str]) -> dict[str, Any]:
        """Keyword arguments of a pyarrow ParquetWriter of the top-level `columns` (the
        paths of their nested leaves start with their names) in tablefmt's settings."""
        names = set(columns)
        return {"compression": compression,
                "use_dictionary": [c for c in self.dictionary if c.split(".")[0] in names],
                "column_encoding": {c: e for c, e in self.column_encoding.items()
                                    if c.split(".")[0] in names} or None,
                "store_decimal_as_integer": True, "write_statistics": True,
                "write_batch_size": WRITE_BATCH_ROWS}


def choose_encodings(first: pa.Table, schema: Schema) -> Encodings:
    """Encodings for a file whose first rows are `first`. Top-level primitive columns are
    sampled; nested leaves keep the dictionary.

    Example:
        >>> import pyarrow as pa
        >>> from tablefmt.arrow_schema import schema_from_arrow
        >>> t = pa.table({"id": range(10_000), "kind": ["a", "b"] * 5_000,
        ...               "x": [i / 7 for i in range(10_000)]})
        >>> choose_encodings(t, schema_from_arrow(t.schema))
        Encodings(dictionary=['kind'], column_encoding={'id': 'DELTA_BINARY_PACKED'})
    """
    out = Encodings()
    for path, (_, t, repeated) in leaf_paths(schema).items():
        sampled = not repeated and t.is_primitive and path in first.column_names
        if not sampled or repeats(first.column(path)):
            out.dictionary.append(path)
        elif t in _DELTA_TYPES:
            out.column_encoding[path] = "DELTA_BINARY_PACKED"
        elif t in _BYTES_TYPES:
            out.column_encoding[path] = "DELTA_LENGTH_BYTE_ARRAY"
    return out


def repeats(column: pa.ChunkedArray | pa.Array) -> bool:
    """Whether an evenly spaced sample of the column holds repeated values (True for a
    type Arrow cannot count, which keeps Parquet's default)."""
    n = len(column)
    if n == 0:
        return True
    sample = column if n <= SAMPLE_ROWS else _sample(column, n)
    try:
        distinct = len(pc.unique(sample))
    except pa.ArrowNotImplementedError:  # extension types (uuid)
        return True
    return distinct < DISTINCT_SHARE * len(sample)


def _sample(column: pa.ChunkedArray | pa.Array, n: int) -> pa.ChunkedArray | pa.Array:
    """SAMPLE_ROWS evenly spaced values, taken chunk by chunk: a take over a chunked array
    would first concatenate the whole column."""
    at = np.linspace(0, n - 1, SAMPLE_ROWS, dtype=np.int64)
    if isinstance(column, pa.Array):
        return column.take(pa.array(at))
    parts, start = [], 0
    for chunk in column.chunks:
        lo, hi = np.searchsorted(at, [start, start + len(chunk)])
        if hi > lo:
            parts.append(chunk.take(pa.array(at[lo:hi] - start)))
        start += len(chunk)
    return pa.chunked_array(parts, type=column.type)
