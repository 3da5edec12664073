"""Reading planned files: one pyarrow dataset over the kept files, projected and
filtered in Arrow's multithreaded scanner, streamed as record batches."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds

from tablefmt.arrow_schema import to_arrow_schema
from tablefmt.errors import StorageError
from tablefmt.io import FileIO
from tablefmt.scan.planner import FileTask
from tablefmt.schema import Schema

_FORMAT = ds.ParquetFileFormat(
    default_fragment_scan_options=ds.ParquetFragmentScanOptions(pre_buffer=True,
                                                                arrow_extensions_enabled=True))


def read_batches(io: FileIO, tasks: list[FileTask], schema: Schema, columns: list[str] | None,
                 arrow_filter: Any, limit: int | None) -> Iterator[pa.RecordBatch]:
    """Batches of the selected columns of every task's rows that pass the filter."""
    full = to_arrow_schema(schema)
    out_schema = pa.schema([full.field(c) for c in columns]) if columns is not None else full
    if not tasks or limit == 0:
        return
    fs, _ = io.arrow_fs()
    paths = [io.arrow_path(t.file_path) for t in tasks]
    try:
        dataset = ds.FileSystemDataset.from_paths(paths, schema=full, format=_FORMAT,
                                                  filesystem=fs)
        scanner = dataset.scanner(columns=out_schema.names, filter=arrow_filter,
                                  batch_size=128 * 1024, use_threads=True)
        remaining = limit
        for batch in scanner.to_batches():
            if batch.num_rows == 0:
                continue
            if batch.schema != out_schema:
                batch = _conform(batch, out_schema)
            if remaining is not None:
                if batch.num_rows >= remaining:
                    yield batch.slice(0, remaining)
                    return
                remaining -= batch.num_rows
            yield batch
    except (OSError, pa.ArrowInvalid) as exc:
        raise StorageError(f"Cannot read data files of the scan: {exc}") from exc


def _conform(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    cols = [batch.column(i) if batch.column(i).type == f.type else batch.column(i).cast(f.type)
            for i, f in enumerate(schema)]
    return pa.RecordBatch.from_arrays(cols, schema=schema)
