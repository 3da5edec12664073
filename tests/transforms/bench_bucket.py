"""Benchmark: bucket[16] on 10M int64 and 10M short strings, vectorized, against mmh3
called per row (not collected by pytest).

    .venv/bin/python -m tests.transforms.bench_bucket [--mmh3]
"""

from __future__ import annotations

import struct
import sys
import time
from collections.abc import Callable

import mmh3
import numpy as np
import pyarrow as pa

from tablefmt import types as T
from tablefmt.transforms import BucketTransform

N = 10_000_000


def timed(run: Callable[[], object], repeat: int = 3) -> str:
    """Best wall and CPU seconds of `repeat` runs."""
    wall, cpu = [], []
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        run()
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    return f"wall {min(wall):.2f}s, cpu {min(cpu):.2f}s"


def main() -> None:
    rng = np.random.default_rng(42)
    ints = pa.array(rng.integers(-(2**62), 2**62, size=N, dtype=np.int64))
    lengths = rng.integers(1, 17, size=N)  # 1-16 ASCII characters
    offsets = np.concatenate(([0], np.cumsum(lengths))).astype(np.int32)
    chars = rng.integers(97, 123, size=int(offsets[-1]), dtype=np.uint8)
    strings = pa.Array.from_buffers(pa.string(), N, [None, pa.py_buffer(offsets),
                                                     pa.py_buffer(chars)])
    bucket = BucketTransform(16)
    print("bucket[16], 10M int64, vectorized:  ", timed(lambda: bucket.apply(ints, T.LONG)))
    print("bucket[16], 10M strings, vectorized:", timed(lambda: bucket.apply(strings, T.STRING)))
    if "--mmh3" not in sys.argv:
        return
    pack = struct.Struct("<q").pack
    longs = ints.to_pylist()
    print("mmh3 per row, 10M int64:            ", timed(
        lambda: [(mmh3.hash(pack(v)) & 0x7FFFFFFF) % 16 for v in longs], repeat=1))
    texts = strings.to_pylist()
    print("mmh3 per row, 10M strings:          ", timed(
        lambda: [(mmh3.hash(s) & 0x7FFFFFFF) % 16 for s in texts], repeat=1))


if __name__ == "__main__":
    main()
