"""S3 benchmarks on moto's server (127.0.0.1): requests per commit, commit latency over
many appends, commits per second with 4 writer processes, and full-scan time against
pyarrow.dataset reading the same S3 files.

Figures are printed; `make bench` runs them. Scale with TABLEFMT_BENCH_S3_COMMITS (500)
and TABLEFMT_BENCH_S3_ROWS (2,000,000)."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.dataset as ds
import pytest

import tablefmt as tf
from tablefmt.io import s3 as s3io

COMMITS = int(os.environ.get("TABLEFMT_BENCH_S3_COMMITS", "500"))
ROWS = int(os.environ.get("TABLEFMT_BENCH_S3_ROWS", "2000000"))
SCHEMA = pa.schema([pa.field("id", pa.int64(), nullable=False), ("writer", pa.int64())])
WRITER = Path(__file__).parents[1] / "catalog" / "_writer.py"


def small(i: int) -> pa.Table:
    return pa.table({"id": [i], "writer": [0]}, schema=SCHEMA)


@pytest.fixture
def s3_cat(s3_endpoint, monkeypatch):
    counter = {"n": 0, "log": []}

    def hook(client):
        def count(request, **_):
            counter["n"] += 1
            counter["log"].append(f"{request.method} {request.url.split('/', 3)[-1]}")
        client.meta.events.register("before-send.s3.*", count)

    monkeypatch.setattr(s3io, "CLIENT_HOOKS", [hook])
    cat = tf.connect(f"s3://{s3_endpoint.new_bucket()}/wh",
                     storage_options=s3_endpoint.storage_options())
    cat.create_namespace("db")
    return cat, counter


def test_requests_per_small_append(s3_cat) -> None:
    cat, counter = s3_cat
    t = cat.create_table("db.t", SCHEMA)
    t.append(small(0))
    for kind in ("objectstore",):
        before = counter["n"]
        counter["log"].clear()
        t.append(small(1))
        n = counter["n"] - before
        print(f"\n[s3] requests for one small append ({kind} catalog, table loaded): {n}")
        for line in counter["log"]:
            print(f"       {line.split('?')[0]}")
        print("     floor: 4 PUTs (data file, manifest, manifest list, metadata = the swap); "
              f"tablefmt - floor = {n - 4}")
        assert n - 4 <= 2


def test_commit_latency_stays_flat_over_many_appends(s3_cat) -> None:
    cat, _ = s3_cat
    t = cat.create_table("db.t", SCHEMA)
    times = []
    for i in range(COMMITS):
        start = time.perf_counter()
        t.append(small(i))
        times.append(time.perf_counter() - start)
    k = max(1, COMMITS // 5)
    first, last = statistics.median(times[:k]), statistics.median(times[-k:])
    p95 = float(np.percentile(times, 95))
    print(f"\n[s3] {COMMITS} appends on moto: median {statistics.median(times) * 1000:.1f} ms, "
          f"p95 {p95 * 1000:.1f} ms; median of first {k} {first * 1000:.1f} ms, last {k} "
          f"{last * 1000:.1f} ms, ratio last/first {last / first:.2f} (target <= 1.5)")
    assert cat.load_table("db.t").to_arrow().num_rows == COMMITS


def test_commits_per_second_with_four_writers(s3_endpoint) -> None:
    wh = f"s3://{s3_endpoint.new_bucket()}/wh"
    cat = tf.connect(wh, storage_options=s3_endpoint.storage_options())
    cat.create_namespace("db")
    cat.create_table("db.t", SCHEMA, properties={"commit.retry.num-retries": "100",
                                                 "commit.retry.min-wait-ms": "10",
                                                 "commit.retry.max-wait-ms": "200"})
    per_writer = 25
    spec = {"warehouse": wh, "catalog": "objectstore",
            "storage_options": s3_endpoint.storage_options(), "table": "db.t",
            "count": per_writer}
    start = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, str(WRITER), json.dumps(dict(spec, writer=w))],
                              stdout=subprocess.PIPE, cwd=Path(__file__).parents[2])
             for w in range(4)]
    for p in procs:
        p.communicate(timeout=900)
        assert p.returncode == 0
    elapsed = time.perf_counter() - start
    snaps = len(cat.load_table("db.t").snapshots())
    print(f"\n[s3] 4 writer processes x {per_writer} appends: {snaps} snapshots in "
          f"{elapsed:.1f} s = {snaps / elapsed:.1f} commits/s (process start-up included)")
    assert snaps == 4 * per_writer


def test_full_scan_from_s3_against_pyarrow_dataset(s3_endpoint) -> None:
    cat = tf.connect(f"s3://{s3_endpoint.new_bucket()}/wh",
                     storage_options=s3_endpoint.storage_options())
    cat.create_namespace("db")
    rng = np.random.default_rng(0)
    data = pa.table({"id": np.arange(ROWS, dtype=np.int64),
                     "value": rng.random(ROWS),
                     "category": pa.array(np.char.add("c", (np.arange(ROWS) % 100).astype(str)))})
    t = cat.create_table("db.scan", data.schema,
                         properties={"write.target-file-size-bytes": str(8 * 1024 * 1024)})
    t.append(data)
    fs, _ = t.io.arrow_fs()
    paths = [t.io.arrow_path(task.file_path) for task in t.scan().plan_files()]

    def best(fn, n=3):
        out = []
        for _ in range(n):
            s = time.perf_counter()
            rows = fn()
            out.append(time.perf_counter() - s)
        return min(out), rows

    mine, rows_mine = best(lambda: t.to_arrow().num_rows)
    floor, rows_floor = best(lambda: ds.dataset(paths, filesystem=fs, format="parquet")
                             .to_table().num_rows)
    assert rows_mine == rows_floor == ROWS
    print(f"\n[s3] full scan of {ROWS:,} rows in {len(paths)} files from moto: tablefmt "
          f"{mine:.2f} s, pyarrow.dataset {floor:.2f} s, ratio {mine / floor:.2f} "
          "(target <= 1.2)")
