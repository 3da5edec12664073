"""Commit latency as history grows: many small appends to one unpartitioned table.

tablefmt   TABLEFMT_BENCH_COMMITS (default 2000) successive 1,000-row `Table.append`s; each
           commit's wall time (data file + manifest + manifest list + metadata JSON + catalog
           swap). Target (from the issue): median of the last 250 commits <= 1.5x the
           median of the first 250.
pyiceberg  TABLEFMT_BENCH_PYICEBERG_COMMITS (default 300) successive 1,000-row appends, for
           context (first-50 / last-50 medians).

Only sanity is asserted (row counts); the printed numbers are the result.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import fastavro
import numpy as np
import pyarrow as pa

from tests.benchmarks._data import (
    SCHEMA,
    env_int,
    local,
    make_table,
    pyiceberg_catalog,
    pyiceberg_table,
    tablefmt_catalog,
)

BATCH_ROWS = 1_000
TARGET = 1.5


def _commit_times(count: int, data: pa.Table, append: Callable[[pa.Table], Any]) -> list[float]:
    out = []
    for i in range(count):
        batch = data.slice(i * BATCH_ROWS, BATCH_ROWS)
        start = time.perf_counter()
        append(batch)
        out.append(time.perf_counter() - start)
    return out


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def _report(title: str, times: list[float], window: int, target: float | None,
            details: list[str]) -> None:
    first = statistics.median(times[:window])
    last = statistics.median(times[-window:])
    ratio = last / first
    width = 92
    print()
    print("=" * width)
    print(title)
    print("-" * width)
    print(f"  commits                     {len(times):>10,}    total {sum(times):.1f} s")
    print(f"  median, first {window:<4}          {_ms(first)}")
    print(f"  median, last {window:<4}           {_ms(last)}")
    verdict = f"   target <= {target:.2f}: {'ok' if ratio <= target else 'MISSED'}" \
        if target is not None else ""
    print(f"  last/first                  {ratio:>9.2f}x{verdict}")
    arr = np.array(times)
    print(f"  p50 / p95 / p99 / max       {_ms(float(np.percentile(arr, 50)))} / "
          f"{_ms(float(np.percentile(arr, 95)))} / {_ms(float(np.percentile(arr, 99)))} / "
          f"{_ms(float(arr.max()))}")
    tenths = np.array_split(arr, min(10, len(arr)))
    print("  median by tenth of the run  " + " ".join(f"{np.median(c) * 1000:.1f}"
                                                      for c in tenths) + "  (ms)")
    for line in details:
        print(f"  {line}")
    print("=" * width)


def _interleaved(cat: Any, t: Any, data: pa.Table, window: int) -> tuple[list[float], list[float]]:
    """`window` commits to the long table `t` alternating with commits to a new table:
    both see the same machine load, so their medians compare fairly on a busy machine."""
    fresh = cat.create_table("db.commits_fresh", SCHEMA)
    old_times: list[float] = []
    fresh_times: list[float] = []
    for i in range(window):
        batch = data.slice(i * BATCH_ROWS, BATCH_ROWS)
        for table, out in ((t, old_times), (fresh, fresh_times)):
            start = time.perf_counter()
            table.append(batch)
            out.append(time.perf_counter() - start)
    return old_times, fresh_times


def test_commit_latency(tmp_path: Path) -> None:
    commits = env_int("TABLEFMT_BENCH_COMMITS", 2000)
    peer_commits = env_int("TABLEFMT_BENCH_PYICEBERG_COMMITS", 300)
    data = make_table(max(commits, peer_commits) * BATCH_ROWS, seed=1)
    wh = tmp_path / "wh"
    cat = tablefmt_catalog(wh)

    t = cat.create_table("db.commits", SCHEMA)
    times = _commit_times(commits, data, t.append)
    snap = t.current_snapshot()
    assert snap is not None
    assert int(snap.summary["total-records"]) == commits * BATCH_ROWS
    assert len(t.snapshots()) == commits
    meta_size = os.path.getsize(local(t.metadata_location))
    with open(local(snap.manifest_list), "rb") as f:  # the Iceberg manifest list (Avro)
        manifests = list(fastavro.reader(f))
    window = min(250, max(1, commits // 8))
    old, fresh = _interleaved(cat, t, data, window)
    _report(f"commit latency, tablefmt: {commits:,} appends of {BATCH_ROWS:,} rows, "
            "one unpartitioned table", times, window, TARGET,
            [f"final metadata JSON          {meta_size / 1e6:.2f} MB "
             f"({meta_size / commits:.0f} B per snapshot)",
             f"manifests in final snapshot  {len(manifests)}",
             "interleaved A/B (immune to load changing during the run): the next "
             f"{window} commits of this table,",
             f"  each followed by one to a fresh table: {_ms(statistics.median(old))} vs "
             f"{_ms(statistics.median(fresh))} -> "
             f"{statistics.median(old) / statistics.median(fresh):.2f}x"
             f"   target <= {TARGET:.2f}: "
             f"{'ok' if statistics.median(old) <= TARGET * statistics.median(fresh) else 'MISSED'}"])

    if peer_commits <= 0:
        return
    pcat = pyiceberg_catalog(wh)
    pt = pyiceberg_table(pcat, "db.pi_commits", partitioned=False)
    ptimes = _commit_times(peer_commits, data, pt.append)
    psnap = pt.current_snapshot()
    assert int(psnap.summary["total-records"]) == peer_commits * BATCH_ROWS
    pmeta = os.path.getsize(local(pt.metadata_location))
    _report(f"commit latency, pyiceberg (context): {peer_commits:,} appends of "
            f"{BATCH_ROWS:,} rows", ptimes, min(50, max(1, peer_commits // 6)), None,
            [f"final metadata JSON          {pmeta / 1e6:.2f} MB",
             f"tablefmt over its first {peer_commits} commits: median "
             f"{_ms(statistics.median(times[:peer_commits]))}, pyiceberg "
             f"{_ms(statistics.median(ptimes))} -> "
             f"{statistics.median(times[:peer_commits]) / statistics.median(ptimes):.2f}x"])
