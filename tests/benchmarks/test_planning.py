"""Scan planning on a long-lived table: 2,000 appends of 1,000 rows over 30 days,
partitioned by day(ts). plan_files for a one-day filter and for no filter, cold (fresh
process caches) and warm, with PyIceberg planning the same table in the same run; and a
10M-row append partitioned by day(ts) against pyarrow writing the same partitions.

Scale: TABLEFMT_BENCH_PLAN_COMMITS (2000), TABLEFMT_BENCH_ROWS (10,000,000)."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

import tablefmt as tf
from tablefmt.scan import manifests, pruning

COMMITS = int(os.environ.get("TABLEFMT_BENCH_PLAN_COMMITS", "2000"))
ROWS = int(os.environ.get("TABLEFMT_BENCH_ROWS", "10000000"))
T0 = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp() * 1_000_000)
DAY = 86_400 * 1_000_000
SCHEMA = pa.schema([pa.field("id", pa.int64(), nullable=False),
                    ("ts", pa.timestamp("us", tz="UTC")), ("v", pa.float64())])
ONE_DAY = "ts >= '2024-01-15T00:00:00+00:00' AND ts < '2024-01-16T00:00:00+00:00'"


def timed(fn, n=5):
    best, out = float("inf"), None
    for _ in range(n):
        s = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - s)
    return best, out


def test_plan_files_on_a_table_of_many_commits(tmp_path) -> None:
    cat = tf.connect(tmp_path / "wh")
    cat.create_namespace("db")
    t = cat.create_table("db.t", SCHEMA, partition_by=["day(ts)"])
    rng = np.random.default_rng(0)
    for i in range(COMMITS):
        day = i * 30 // COMMITS
        ts = T0 + day * DAY + rng.integers(0, DAY, 1000)
        t.append(pa.table({"id": np.arange(i * 1000, (i + 1) * 1000), "ts": pa.array(ts).cast(
            SCHEMA.field("ts").type), "v": rng.random(1000)}, schema=SCHEMA))
    t = cat.load_table("db.t")

    def cold(where):
        # As in a fresh process: no manifest list, manifest or projected filter cached.
        manifests._LISTS.data.clear()
        manifests._MANIFESTS.data.clear()
        pruning._spec_filter.cache_clear()
        return t.scan(where=where).plan_files()

    one_cold, tasks = timed(lambda: cold(ONE_DAY), 3)
    one_warm, _ = timed(lambda: t.scan(where=ONE_DAY).plan_files())
    all_cold, all_tasks = timed(lambda: cold(None), 3)
    all_warm, _ = timed(lambda: t.scan().plan_files())
    assert len(all_tasks) == COMMITS and 0 < len(tasks) < COMMITS

    from pyiceberg.catalog.sql import SqlCatalog

    wh = tmp_path / "wh"
    pt = SqlCatalog("default", uri=f"sqlite:///{wh}/catalog.db", warehouse=f"file://{wh}") \
        .load_table("db.t")
    p_one, p_tasks = timed(lambda: list(pt.scan(row_filter=ONE_DAY).plan_files()), 3)
    p_all, _ = timed(lambda: list(pt.scan().plan_files()), 2)
    assert len(p_tasks) == len(tasks)
    n_manifests = len(manifests.manifest_list(t.io, t.current_snapshot().manifest_list))
    print(f"\n[planning] {COMMITS} appends, day(ts) over 30 days, {n_manifests} manifests, "
          f"{len(all_tasks)} files")
    print(f"  one-day filter: tablefmt cold {one_cold * 1000:.1f} ms, warm "
          f"{one_warm * 1000:.1f} ms (target <= 50 ms); PyIceberg {p_one * 1000:.1f} ms -> "
          f"{p_one / one_warm:.0f}x faster warm, {p_one / one_cold:.0f}x cold (target >= 10x)")
    print(f"  no filter: tablefmt cold {all_cold * 1000:.1f} ms, warm {all_warm * 1000:.1f} ms; "
          f"PyIceberg {p_all * 1000:.1f} ms -> {p_all / all_warm:.0f}x warm, "
          f"{p_all / all_cold:.1f}x cold (target >= 5x)")
    print(f"  {t.scan(where=ONE_DAY).explain()}")


def test_append_partitioned_by_day_against_pyarrow(tmp_path) -> None:
    rng = np.random.default_rng(1)
    data = pa.table({"id": np.arange(ROWS), "ts": pa.array(T0 + rng.integers(0, 30 * DAY, ROWS))
                     .cast(SCHEMA.field("ts").type), "v": rng.random(ROWS)}, schema=SCHEMA)
    cat = tf.connect(tmp_path / "wh")
    cat.create_namespace("db")

    def mine():
        t = cat.create_table(f"db.t{time.perf_counter_ns()}", SCHEMA, partition_by=["day(ts)"])
        return t.append(data)

    def floor():
        out = tmp_path / f"floor{time.perf_counter_ns()}"
        day = pc.cast(pc.divide(pc.cast(data.column("ts"), pa.int64()), DAY), pa.int32())
        enc = pc.dictionary_encode(day).combine_chunks()
        order = pc.sort_indices(enc.indices)
        sorted_t = data.take(order)
        counts = np.bincount(enc.indices.to_numpy(zero_copy_only=False))
        start = 0
        for i, n in enumerate(counts):
            if n:
                (out / f"d={i}").mkdir(parents=True)
                pq.write_table(sorted_t.slice(start, int(n)), out / f"d={i}" / "f.parquet",
                               compression="zstd")
                start += int(n)

    m, snap = timed(mine, 3)
    f, _ = timed(floor, 3)
    print(f"\n[planning] append of {ROWS:,} rows partitioned by day(ts) "
          f"({snap.summary['added-data-files']} files): tablefmt {m:.2f} s, pyarrow floor "
          f"{f:.2f} s, ratio {m / f:.2f} (target <= 1.1)")
