"""Feature-store benchmarks: point-in-time training sets vs DuckDB's ASOF LEFT JOIN on
the same Parquet files (the floor; the two run in turns, best of 5) and pandas merge_asof
(incl. its sort); online reads.

Scale: TABLEFMT_BENCH_FEATURE_ROWS (5,000,000), TABLEFMT_BENCH_ENTITY_ROWS (500,000)."""

from __future__ import annotations

import os
import statistics
import time
from datetime import UTC, datetime, timedelta

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

import tablefmt as tf
from tablefmt.features import get_historical_features

ROWS = int(os.environ.get("TABLEFMT_BENCH_FEATURE_ROWS", "5000000"))
ENTITY_ROWS = int(os.environ.get("TABLEFMT_BENCH_ENTITY_ROWS", "500000"))
ENTITIES = 100_000
T0 = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp() * 1_000_000)
DAY = 86_400 * 1_000_000


def best(fn, n=3):
    times, out = [], None
    for _ in range(n):
        s = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - s)
    return min(times), out


def best_in_turns(fns, n=5):
    """Best of n for each function, run in turns so that load from other processes on a
    shared machine falls on all of them alike."""
    times = {k: [] for k in fns}
    outs = {}
    for _ in range(n):
        for k, fn in fns.items():
            s = time.perf_counter()
            outs[k] = fn()
            times[k].append(time.perf_counter() - s)
    return {k: (min(v), outs[k]) for k, v in times.items()}


def test_historical_features_vs_duckdb_asof_and_pandas(tmp_path) -> None:
    rng = np.random.default_rng(0)
    schema = pa.schema([pa.field("user_id", pa.int64(), nullable=False),
                        ("ts", pa.timestamp("us", tz="UTC"))] +
                       [(f"f{i}", pa.float64()) for i in range(5)])
    feats = pa.table({"user_id": rng.integers(0, ENTITIES, ROWS),
                      "ts": pa.array(T0 + rng.integers(0, 90 * DAY, ROWS)).cast(schema.field("ts").type),
                      **{f"f{i}": rng.random(ROWS) for i in range(5)}}, schema=schema)
    entity = pa.table({"user_id": rng.integers(0, ENTITIES, ENTITY_ROWS),
                       "request_ts": pa.array(T0 + rng.integers(0, 90 * DAY, ENTITY_ROWS)).cast(
                           pa.timestamp("us", tz="UTC"))})
    cat = tf.connect(tmp_path / "wh")
    cat.create_namespace("fs")
    ft = cat.create_feature_table("fs.stats", entities=["user_id"], event_time="ts",
                                  schema=schema, ttl=timedelta(days=30))
    ft.append(feats)
    names = [f"fs.stats:f{i}" for i in range(5)]
    paths = [t.file_path.removeprefix("file://") for t in ft.scan().plan_files()]
    con = duckdb.connect()
    con.execute("SET asof_loop_join_threshold = 0")
    con.register("e", entity)
    files = "[" + ", ".join(f"'{p}'" for p in paths) + "]"
    sql = (f"SELECT e.*, f.f0, f.f1, f.f2, f.f3, f.f4 FROM e ASOF LEFT JOIN "
           f"read_parquet({files}) f ON e.user_id = f.user_id AND e.request_ts >= f.ts")
    runs = best_in_turns({
        "tablefmt": lambda: get_historical_features(cat, entity, names, event_time="request_ts"),
        "duckdb": lambda: con.sql(sql).to_arrow_table()})
    (mine, out), (floor, ref) = runs["tablefmt"], runs["duckdb"]
    assert out.num_rows == ENTITY_ROWS and ref.num_rows == ENTITY_ROWS

    edf, fdf = entity.to_pandas(), feats.to_pandas()

    def pandas_asof():
        left = edf.sort_values("request_ts")
        right = fdf.sort_values("ts")
        return pd.merge_asof(left, right, left_on="request_ts", right_on="ts", by="user_id",
                             tolerance=pd.Timedelta(days=30))

    peer, _ = best(pandas_asof, n=1)
    print(f"\n[features] {ROWS:,} feature rows x {ENTITY_ROWS:,} entity rows: "
          f"tablefmt {mine:.2f} s, DuckDB ASOF on the same Parquet {floor:.2f} s "
          f"(ratio {mine / floor:.2f}, target <= 1.2), pandas sort+merge_asof {peer:.2f} s "
          f"(ratio {mine / peer:.2f}, target < 1)")


def test_online_reads_latency(tmp_path) -> None:
    rng = np.random.default_rng(1)
    n = min(ROWS, 1_000_000)
    schema = pa.schema([pa.field("user_id", pa.int64(), nullable=False),
                        ("ts", pa.timestamp("us", tz="UTC")), ("f0", pa.float64())])
    cat = tf.connect(tmp_path / "wh")
    cat.create_namespace("fs")
    ft = cat.create_feature_table("fs.o", entities=["user_id"], event_time="ts", schema=schema)
    ft.append(pa.table({"user_id": rng.integers(0, ENTITIES, n),
                        "ts": pa.array(T0 + rng.integers(0, 90 * DAY, n)).cast(schema.field("ts").type),
                        "f0": rng.random(n)}, schema=schema))
    s = time.perf_counter()
    ft.materialize()
    build = time.perf_counter() - s
    ft.get_online_features([{"user_id": 1}])  # load the store once
    for k in (1, 100):
        lat = []
        for _ in range(200):
            rows = [{"user_id": int(u)} for u in rng.integers(0, ENTITIES, k)]
            s = time.perf_counter()
            ft.get_online_features(rows)
            lat.append((time.perf_counter() - s) * 1000)
        lat.sort()
        print(f"\n[features] online read of {k} entities: p50 {statistics.median(lat):.2f} ms, "
              f"p99 {lat[int(len(lat) * 0.99) - 1]:.2f} ms (target p50 <= 5 ms for 100); "
              f"materialize of {n:,} rows took {build:.2f} s")
