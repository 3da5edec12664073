"""Turn what users pass as data (Arrow table or reader, pandas, polars, a DuckDB relation,
anything with `__arrow_c_stream__`) into a RecordBatchReader without copying."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from tablefmt.errors import SchemaMismatchError


def to_reader(data: Any) -> pa.RecordBatchReader:
    if isinstance(data, pa.RecordBatchReader):
        return data
    if isinstance(data, pa.Table):
        return pa.RecordBatchReader.from_batches(data.schema, data.to_batches())
    if isinstance(data, pa.RecordBatch):
        return pa.RecordBatchReader.from_batches(data.schema, [data])
    module = type(data).__module__
    if module.startswith("pandas"):
        return to_reader(pa.Table.from_pandas(data, preserve_index=False))
    if module.startswith("duckdb"):
        # A DuckDB relation streams Arrow batches.
        reader = data.fetch_record_batch() if hasattr(data, "fetch_record_batch") else None
        if reader is not None:
            return reader
    if hasattr(data, "__arrow_c_stream__"):
        return pa.RecordBatchReader.from_stream(data)
    if hasattr(data, "to_arrow"):  # polars and friends
        return to_reader(data.to_arrow())
    raise SchemaMismatchError(
        f"Cannot write data of type {type(data).__name__}; pass a pyarrow Table or "
        "RecordBatchReader, a pandas or polars DataFrame, or a DuckDB relation")
