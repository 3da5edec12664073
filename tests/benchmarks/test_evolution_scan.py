"""Schema evolution costs little at read time: a table whose files span 5 schema versions
(renames, an added column, a promotion, a reorder) scans within 1.2x of the same data
written under one schema. Scale: TABLEFMT_BENCH_ROWS (10,000,000)."""

from __future__ import annotations

import os
import time

import numpy as np
import pyarrow as pa

import tablefmt as tf

ROWS = int(os.environ.get("TABLEFMT_BENCH_ROWS", "10000000"))


def best(fn, n=5):
    out, b = None, float("inf")
    for _ in range(n):
        s = time.perf_counter()
        out = fn()
        b = min(b, time.perf_counter() - s)
    return b, out


def test_scan_across_five_schema_versions(tmp_path) -> None:
    rng = np.random.default_rng(0)
    part = ROWS // 5
    cat = tf.connect(tmp_path / "wh")
    cat.create_namespace("db")
    base = pa.schema([pa.field("id", pa.int32(), nullable=False), ("a", pa.float32()),
                      ("name", pa.string())])
    evolved = cat.create_table("db.evolved", base)
    names = np.array([f"n{i}" for i in range(1000)])

    def chunk(i: int, schema: pa.Schema) -> pa.Table:
        cols = {"id": np.arange(i * part, (i + 1) * part, dtype=np.int64),
                "a": rng.random(part), "name": names[rng.integers(0, 1000, part)]}
        out = {}
        for f in schema:
            src = {"label": "name", "score": "a"}.get(f.name, f.name)
            out[f.name] = cols[src] if src in cols else rng.random(part)
        return pa.table(out).cast(schema)

    evolved.append(chunk(0, evolved.arrow_schema))
    steps = [lambda u: u.rename_column("name", "label"),
             lambda u: u.add_column("extra", pa.float64()),
             lambda u: u.promote("id", pa.int64()),
             lambda u: (u.promote("a", pa.float64()), u.rename_column("a", "score"),
                        u.move_first("label"))]
    for i, step in enumerate(steps, start=1):
        with evolved.update_schema() as u:
            step(u)
        evolved.append(chunk(i, evolved.arrow_schema))
    assert len(evolved.metadata.schemas) == 5
    single = cat.create_table("db.single", evolved.arrow_schema)
    single.append(evolved.to_arrow())
    t_evo, a = best(lambda: evolved.to_arrow())
    t_one, b = best(lambda: single.to_arrow())
    assert a.num_rows == b.num_rows == ROWS and a.schema == b.schema
    print(f"\n[evolution] full scan of {ROWS:,} rows: 5 schema versions {t_evo:.2f} s, one "
          f"version {t_one:.2f} s, ratio {t_evo / t_one:.2f} (target <= 1.2)")
