"""Shared pieces of the benchmarks: vectorized data generation (no per-row Python),
catalogs for tablefmt and PyIceberg on one warehouse, timing, and the printed tables.

Knobs (environment variables):
    TABLEFMT_BENCH_ROWS     rows of the append and scan benchmarks (default 10_000_000)
    TABLEFMT_BENCH_REPEAT   repetitions of each big timed operation (default 3)
"""

from __future__ import annotations

import gc
import os
import shutil
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

import tablefmt as tf

ROWS_DEFAULT = 10_000_000
CATEGORIES = 100
PAYLOAD_BYTES = 30
ROW_GROUP_ROWS = 1_048_576  # tablefmt's and PyIceberg's write.parquet.row-group-limit default
COMPRESSION = "zstd"        # both libraries' default codec

SCHEMA = pa.schema([
    pa.field("id", pa.int64()),
    pa.field("ts", pa.timestamp("us", tz="UTC")),
    pa.field("category", pa.string()),
    pa.field("value", pa.float64()),
    pa.field("payload", pa.string()),
])

_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_TS0_US = 1_704_067_200_000_000  # 2024-01-01T00:00:00Z


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").replace("_", "").strip()
    return int(value) if value else default


def bench_rows() -> int:
    return env_int("TABLEFMT_BENCH_ROWS", ROWS_DEFAULT)


def bench_repeat() -> int:
    return max(1, env_int("TABLEFMT_BENCH_REPEAT", 3))


def category_name(i: int) -> str:
    return f"c{i:03d}"


def make_table(n: int, seed: int = 0, start_id: int = 0) -> pa.Table:
    """`n` rows: id (sequential), ts (increasing, 1 ms apart), category (100 values,
    uniformly random), value (normal), payload (30 hex characters of random bytes).
    Every column is one contiguous chunk built from numpy buffers."""
    rng = np.random.default_rng(seed)
    ids = np.arange(start_id, start_id + n, dtype=np.int64)
    ts = pa.array(_TS0_US + ids * 1_000, type=pa.int64()).view(pa.timestamp("us", tz="UTC"))
    names = pa.array([category_name(i) for i in range(CATEGORIES)], type=pa.string())
    category = names.take(pa.array(rng.integers(0, CATEGORIES, n, dtype=np.int32)))
    value = rng.standard_normal(n)
    half = PAYLOAD_BYTES // 2
    raw = rng.integers(0, 256, size=(n, half), dtype=np.uint8)
    chars = np.empty((n, PAYLOAD_BYTES), dtype=np.uint8)
    chars[:, 0::2] = _HEX[raw >> 4]
    chars[:, 1::2] = _HEX[raw & 0x0F]
    del raw
    offsets = np.arange(0, PAYLOAD_BYTES * (n + 1), PAYLOAD_BYTES, dtype=np.int64)
    payload_type = pa.string() if PAYLOAD_BYTES * n < 2**31 else pa.large_string()
    if payload_type == pa.string():
        offsets = offsets.astype(np.int32)
    payload = pa.Array.from_buffers(payload_type, n, [None, pa.py_buffer(offsets),
                                                      pa.py_buffer(chars.reshape(-1))])
    if payload_type != pa.string():
        payload = payload.cast(pa.string())  # only above 71M rows
    return pa.Table.from_arrays([pa.array(ids), ts, category, pa.array(value), payload],
                                schema=SCHEMA)


# -- catalogs --------------------------------------------------------------------------------
def tablefmt_catalog(warehouse: Path) -> tf.Catalog:
    cat = tf.connect(str(warehouse))
    if not cat.namespace_exists("db"):
        cat.create_namespace("db")
    return cat


def pyiceberg_catalog(warehouse: Path) -> Any:
    """PyIceberg's SqlCatalog on the same catalog.db (tablefmt created the tables and the
    `db` namespace)."""
    from pyiceberg.catalog.sql import SqlCatalog

    return SqlCatalog("default", uri=f"sqlite:///{warehouse}/catalog.db",
                      warehouse=f"file://{warehouse}")


def pyiceberg_table(pcat: Any, name: str, partitioned: bool) -> Any:
    pt = pcat.create_table(name, schema=SCHEMA)
    if partitioned:
        with pt.update_spec() as u:
            u.add_identity("category")
    return pt


def local(uri: str) -> str:
    return uri[len("file://"):] if uri.startswith("file://") else uri


def remove_tree(path: str) -> None:
    shutil.rmtree(local(path), ignore_errors=True)


# -- timing ----------------------------------------------------------------------------------
@dataclass
class Timing:
    label: str
    seconds: list[float] = field(default_factory=list)
    note: str = ""

    @property
    def best(self) -> float:
        return min(self.seconds)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def fmt_s(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:8.2f} s "
    return f"{seconds * 1000:8.1f} ms"


def print_comparison(title: str, rows: Sequence[Timing], floor: Timing, peer: Timing,
                     ours: Timing, targets: dict[str, float], notes: Sequence[str] = ()) -> None:
    """One block: every timing row (best and median of N), then `tablefmt/floor` and
    `tablefmt/pyiceberg` computed on the best times (noise only ever adds time), with the
    ratio of the medians beside them, and the target with ok / MISSED."""
    width = 92
    print()
    print("=" * width)
    print(title)
    print("-" * width)
    print(f"{'':26}{'best':>12}{'median':>12}{'runs':>6}   note")
    for t in rows:
        print(f"{t.label:26}{fmt_s(t.best):>12}{fmt_s(t.median):>12}{len(t.seconds):>6}   "
              f"{t.note}")
    print("-" * width)
    print(f"{'ratio':26}{'best':>12}{'median':>12}")
    for name, other in (("tablefmt/floor", floor), ("tablefmt/pyiceberg", peer)):
        ratio = ours.best / other.best
        med = ours.median / other.median
        target = targets.get(name)
        verdict = ""
        if target is not None:
            verdict = f"target <= {target:.2f}: {'ok' if ratio <= target else 'MISSED'}"
        print(f"{name:26}{ratio:>11.2f}x{med:>11.2f}x{'':6}   {verdict}")
    for note in notes:
        print(f"  {note}")
    print("=" * width)
