"""Append throughput: tablefmt vs the raw pyarrow floor vs PyIceberg.

tablefmt   `Table.append(table)` on a new table (data files + manifest + manifest list +
           metadata JSON + catalog swap).
floor      raw pyarrow writing the same rows into the same number of Parquet files, zstd,
           the same row-group limit. Partitioned: the split by category is timed too; two
           raw variants run (dictionary-encode + counting sort + slices + `pq.write_table`
           per group, and `pyarrow.dataset.write_dataset(partitioning=["category"])`) and
           the faster one is the floor.
pyiceberg  PyIceberg 0.12 `Table.append(table)` into its own table in the same catalog,
           same partitioning, its defaults (zstd, same row-group limit and target size).

Targets (from the issue): tablefmt <= 1.1x floor and <= 0.7x PyIceberg.
Only sanity is asserted (row counts); the printed ratios are the result.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from tests.benchmarks._data import (
    COMPRESSION,
    ROW_GROUP_ROWS,
    SCHEMA,
    Timing,
    bench_repeat,
    bench_rows,
    make_table,
    print_comparison,
    pyiceberg_catalog,
    pyiceberg_table,
    remove_tree,
    tablefmt_catalog,
    timed,
)

TARGETS = {"tablefmt/floor": 1.1, "tablefmt/pyiceberg": 0.7}


@pytest.fixture(scope="module")
def data() -> pa.Table:
    return make_table(bench_rows())


def _dir_bytes(path: str) -> int:
    total = 0
    for root, _, files in os.walk(path):
        total += sum(os.path.getsize(os.path.join(root, f)) for f in files
                     if f.endswith(".parquet"))
    return total


# -- the floor ---------------------------------------------------------------------------------
def floor_unpartitioned(table: pa.Table, out_dir: str, file_rows: list[int]) -> int:
    """`pq.write_table` of consecutive slices, one file per tablefmt file."""
    os.makedirs(out_dir, exist_ok=True)
    start = 0
    for i, n in enumerate(file_rows):
        pq.write_table(table.slice(start, n), f"{out_dir}/{i:05d}.parquet",
                       compression=COMPRESSION, row_group_size=ROW_GROUP_ROWS)
        start += n
    return start


def floor_split_write(table: pa.Table, out_dir: str) -> int:
    """Dictionary-encode the key, counting-sort the codes, take once, write each slice."""
    enc = pc.dictionary_encode(table.column("category").combine_chunks())
    codes = enc.indices
    order = pc.sort_indices(codes)
    ordered = table.take(order)
    counts = np.bincount(codes.to_numpy(zero_copy_only=False), minlength=len(enc.dictionary))
    start = 0
    for k, n in enumerate(counts):
        if not n:
            continue
        part = f"{out_dir}/category={enc.dictionary[k].as_py()}"
        os.makedirs(part, exist_ok=True)
        pq.write_table(ordered.slice(start, int(n)), f"{part}/00000.parquet",
                       compression=COMPRESSION, row_group_size=ROW_GROUP_ROWS)
        start += int(n)
    return start


def floor_write_dataset(table: pa.Table, out_dir: str) -> int:
    """Arrow's own partitioned writer (multithreaded; it drops the partition column from
    the files, so it writes slightly less than the others)."""
    fmt = ds.ParquetFileFormat()
    ds.write_dataset(table, out_dir, format=fmt,
                     partitioning=ds.partitioning(pa.schema([SCHEMA.field("category")]),
                                                  flavor="hive"),
                     file_options=fmt.make_write_options(compression=COMPRESSION),
                     max_rows_per_group=ROW_GROUP_ROWS, existing_data_behavior="error")
    return int(ds.dataset(out_dir, format="parquet", partitioning="hive").count_rows())


# -- one benchmark -----------------------------------------------------------------------------
def _run(tmp_path: Path, data: pa.Table, partitioned: bool) -> None:
    n = data.num_rows
    cat = tablefmt_catalog(tmp_path / "wh")
    pcat = pyiceberg_catalog(tmp_path / "wh")
    kind = "identity-partitioned by category" if partitioned else "unpartitioned"
    ours = Timing("tablefmt")
    floor_a = Timing("floor: split+write" if partitioned else "floor: pq.write_table")
    floor_b = Timing("floor: write_dataset")
    peer = Timing("pyiceberg")
    file_rows: list[int] = []

    def run_tablefmt(rep: int) -> None:
        nonlocal file_rows
        t = cat.create_table(f"db.tf_{rep}", SCHEMA,
                             partition_by=["category"] if partitioned else None)
        sec, snap = timed(lambda: t.append(data))
        tasks = t.scan().plan_files()
        assert sum(task.record_count for task in tasks) == n
        assert int(snap.summary["added-records"]) == n
        file_rows = [task.record_count for task in sorted(tasks, key=lambda x: x.file_path)]
        ours.seconds.append(sec)
        size = sum(task.file_size_in_bytes for task in tasks)
        ours.note = f"{len(tasks)} files, {size / 1e6:.0f} MB"
        cat.drop_table(f"db.tf_{rep}")
        remove_tree(t.location)

    def run_floor(rep: int) -> None:
        out = str(tmp_path / f"floor_{rep}")
        if partitioned:
            sec, rows = timed(lambda: floor_split_write(data, out + "a"))
            assert rows == n
            floor_a.seconds.append(sec)
            floor_a.note = f"{len(data.column('category').unique())} files, " \
                           f"{_dir_bytes(out + 'a') / 1e6:.0f} MB"
            remove_tree(out + "a")
            sec, rows = timed(lambda: floor_write_dataset(data, out + "b"))
            assert rows == n
            floor_b.seconds.append(sec)
            files = sum(len(f) for _, _, f in os.walk(out + "b"))
            floor_b.note = f"{files} files, {_dir_bytes(out + 'b') / 1e6:.0f} MB, " \
                           "no category column"
            remove_tree(out + "b")
        else:
            sec, rows = timed(lambda: floor_unpartitioned(data, out, file_rows))
            assert rows == n
            floor_a.seconds.append(sec)
            floor_a.note = f"{len(file_rows)} files, {_dir_bytes(out) / 1e6:.0f} MB"
            remove_tree(out)

    def run_pyiceberg(rep: int) -> None:
        pt = pyiceberg_table(pcat, f"db.pi_{rep}", partitioned)
        sec, _ = timed(lambda: pt.append(data))
        snap = pt.current_snapshot()
        assert int(snap.summary["added-records"]) == n
        peer.seconds.append(sec)
        peer.note = f"{snap.summary['added-data-files']} files, " \
                    f"{int(snap.summary['added-files-size']) / 1e6:.0f} MB"
        pcat.drop_table(f"db.pi_{rep}")
        remove_tree(pt.location())

    # tablefmt first in every repetition: the floor needs its file count (unpartitioned);
    # floor and peer alternate order between repetitions.
    for rep in range(bench_repeat()):
        run_tablefmt(rep)
        others = [run_floor, run_pyiceberg]
        for fn in others if rep % 2 == 0 else reversed(others):
            fn(rep)

    if partitioned:
        faster = floor_a if floor_a.best <= floor_b.best else floor_b
        floor = Timing("floor (faster of the two)", faster.seconds, faster.label)
        rows = [ours, floor_a, floor_b, floor, peer]
    else:
        floor = floor_a
        rows = [ours, floor, peer]
    print_comparison(
        f"append, {kind}: {n:,} rows (id, ts, category x100, value, payload 30 B)",
        rows, floor, peer, ours, TARGETS)


def test_append_unpartitioned(tmp_path: Path, data: pa.Table) -> None:
    _run(tmp_path, data, partitioned=False)


def test_append_partitioned(tmp_path: Path, data: pa.Table) -> None:
    _run(tmp_path, data, partitioned=True)
