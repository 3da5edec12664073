"""Property: random sequences of appends and overwrites read, at every snapshot, exactly
like an in-memory model of the table."""

from __future__ import annotations

import tempfile

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tablefmt as tf

SCHEMA = pa.schema([pa.field("id", pa.int64(), nullable=False), pa.field("k", pa.string()),
                    pa.field("v", pa.float64())])
KEYS = ["a", "b", "c", None]

rows = st.lists(st.tuples(st.integers(0, 1000), st.sampled_from(KEYS),
                          st.one_of(st.none(), st.floats(-1e6, 1e6))), min_size=0, max_size=12)
ops = st.lists(st.one_of(
    st.tuples(st.just("append"), rows),
    st.tuples(st.just("overwrite"), rows),
    st.tuples(st.just("overwrite_key"), st.sampled_from(["a", "b", "c"]), rows),
    st.tuples(st.just("dynamic"), rows),
), min_size=1, max_size=8)


def table_of(rs: list[tuple]) -> pa.Table:
    return pa.table({"id": [r[0] for r in rs], "k": [r[1] for r in rs],
                     "v": [r[2] for r in rs]}, schema=SCHEMA)


def canon(rs: list[tuple]) -> list[tuple]:
    return sorted(rs, key=lambda r: (r[0], str(r[1]), str(r[2])))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=ops, partitioned=st.booleans())
def test_random_writes_match_an_in_memory_model_at_every_snapshot(ops, partitioned) -> None:
    cat = tf.connect(tempfile.mkdtemp())
    cat.create_namespace("db")
    t = cat.create_table("db.t", SCHEMA, partition_by=["k"] if partitioned else None)
    model: list[tuple] = []
    seen: list[tuple[int, list[tuple]]] = []
    for op in ops:
        kind = op[0]
        if kind == "append":
            model = model + op[1]
            snap = t.append(table_of(op[1]))
        elif kind == "overwrite":
            model = list(op[1])
            snap = t.overwrite(table_of(op[1]))
        elif kind == "overwrite_key":
            if not partitioned:
                continue
            new = [(i, op[1], v) for i, _, v in op[2]]
            model = [r for r in model if r[1] != op[1]] + new
            snap = t.overwrite(table_of(new), where=f"k = '{op[1]}'")
        else:
            if not partitioned or not op[1]:
                continue
            present = {r[1] for r in op[1]}
            model = [r for r in model if r[1] not in present] + op[1]
            snap = t.overwrite(table_of(op[1]), mode="dynamic")
        seen.append((snap.snapshot_id, canon(model)))
        assert int(snap.summary["total-records"]) == len(model)
    reloaded = cat.load_table("db.t")
    for sid, expected in seen:
        got = [tuple(r.values()) for r in reloaded.to_arrow(snapshot_id=sid).to_pylist()]
        assert canon(got) == expected
