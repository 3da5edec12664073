"""Reading planned files: files whose columns match the read schema (names, ids, types)
go through one pyarrow dataset, projected and filtered in Arrow's multithreaded scanner;
files written under other schemas are read by field id (`evolution.py`) and filtered
after projection. Batches stream."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds

from tablefmt.arrow_schema import to_arrow_schema
from tablefmt.errors import StorageError
from tablefmt.io import FileIO
from tablefmt.scan.evolution import (
    file_schema,
    needed_columns,
    project,
    read_signature,
    with_name_mapping,
)
from tablefmt.scan.planner import FileTask
from tablefmt.schema import Schema

_FORMAT = ds.ParquetFileFormat(
    default_fragment_scan_options=ds.ParquetFragmentScanOptions(pre_buffer=True,
                                                                arrow_extensions_enabled=True))
_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="tablefmt-footers")


def read_batches(io: FileIO, tasks: list[FileTask], schema: Schema, columns: list[str] | None,
                 arrow_filter: Any, filter_columns: set[str], limit: int | None,
                 uniform: bool, name_mapping: str | None = None) -> Iterator[pa.RecordBatch]:
    """Batches of the selected columns of every task's rows that pass the filter.

    `uniform` says every file was written under `schema` (one schema, no name mapping), so
    no footer needs to be read to plan the read."""
    full = to_arrow_schema(schema)
    out_schema = pa.schema([full.field(c) for c in columns]) if columns is not None else full
    if not tasks or limit == 0:
        return
    remaining = limit
    try:
        for physical, group in _groups(io, tasks, full, uniform, name_mapping):
            batches = _read_exact(io, group, full, out_schema, arrow_filter) if physical is None \
                else _read_evolved(io, group, physical, full, out_schema, arrow_filter,
                                   filter_columns)
            for batch in batches:
                if batch.num_rows == 0:
                    continue
                if remaining is not None:
                    if batch.num_rows >= remaining:
                        yield batch.slice(0, remaining)
                        return
                    remaining -= batch.num_rows
                yield batch
    except (OSError, pa.ArrowInvalid) as exc:
        raise StorageError(f"Cannot read data files of the scan: {exc}") from exc


def read_table(io: FileIO, tasks: list[FileTask], schema: Schema, columns: list[str] | None,
               arrow_filter: Any, filter_columns: set[str], uniform: bool,
               name_mapping: str | None = None) -> pa.Table:
    """All selected rows as one table: files matching the read schema go through Arrow's
    `to_table` (no per-batch Python), the others through `read_batches`."""
    full = to_arrow_schema(schema)
    out = pa.schema([full.field(c) for c in columns]) if columns is not None else full
    parts = []
    try:
        for physical, group in _groups(io, tasks, full, uniform, name_mapping):
            if physical is None:
                table = _dataset(io, group, full).to_table(columns=out.names,
                                                           filter=arrow_filter,
                                                           use_threads=True)
                parts.append(table if table.schema == out else table.cast(out))
            else:
                parts.append(pa.Table.from_batches(list(_read_evolved(
                    io, group, physical, full, out, arrow_filter, filter_columns)), schema=out))
    except (OSError, pa.ArrowInvalid) as exc:
        raise StorageError(f"Cannot read data files of the scan: {exc}") from exc
    if not parts:
        return out.empty_table()
    return parts[0] if len(parts) == 1 else pa.concat_tables(parts)


def _groups(io: FileIO, tasks: list[FileTask], full: pa.Schema, uniform: bool,
            name_mapping: str | None) -> list[tuple[pa.Schema | None, list[FileTask]]]:
    """Tasks grouped by file schema; None stands for "matches the read schema"."""
    if uniform:
        return [(None, tasks)]
    schemas = list(_POOL.map(lambda t: file_schema(io, t.file_path), tasks))
    want = read_signature(full)
    groups: dict[Any, tuple[pa.Schema | None, list[FileTask]]] = {}
    for task, physical in zip(tasks, schemas):
        physical = with_name_mapping(physical, name_mapping)
        sig = read_signature(physical)
        key = None if sig == want else sig
        groups.setdefault(key, (None if key is None else physical, []))[1].append(task)
    return list(groups.values())


def _dataset(io: FileIO, tasks: list[FileTask], schema: pa.Schema) -> ds.Dataset:
    fs, _ = io.arrow_fs()
    return ds.FileSystemDataset.from_paths([io.arrow_path(t.file_path) for t in tasks],
                                           schema=schema, format=_FORMAT, filesystem=fs)


def _read_exact(io: FileIO, tasks: list[FileTask], full: pa.Schema, out: pa.Schema,
                arrow_filter: Any) -> Iterator[pa.RecordBatch]:
    scanner = _dataset(io, tasks, full).scanner(columns=out.names, filter=arrow_filter,
                                                batch_size=128 * 1024, use_threads=True)
    for batch in scanner.to_batches():
        yield batch if batch.schema == out else _conform(batch, out)


def _read_evolved(io: FileIO, tasks: list[FileTask], physical: pa.Schema, full: pa.Schema,
                  out: pa.Schema, arrow_filter: Any, filter_columns: set[str]
                  ) -> Iterator[pa.RecordBatch]:
    # Read the file columns the output and the filter need, map them by id, then filter.
    wanted = pa.schema([f for f in full if f.name in set(out.names) | filter_columns])
    scanner = _dataset(io, tasks, physical).scanner(columns=needed_columns(physical, wanted),
                                                    batch_size=128 * 1024, use_threads=True)
    for batch in scanner.to_batches():
        projected = project(batch, wanted)
        if arrow_filter is not None:
            projected = pa.Table.from_batches([projected]).filter(arrow_filter)
            for b in projected.to_batches():
                yield pa.RecordBatch.from_arrays([b.column(n) for n in out.names], schema=out)
        else:
            yield pa.RecordBatch.from_arrays([projected.column(n) for n in out.names],
                                             schema=out)


def _conform(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    cols = [batch.column(i) if batch.column(i).type == f.type else batch.column(i).cast(f.type)
            for i, f in enumerate(schema)]
    return pa.RecordBatch.from_arrays(cols, schema=schema)
