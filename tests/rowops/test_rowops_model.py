"""Property: random sequences of append, delete, update, merge, overwrite and compact
equal an in-memory model after each step, and every retained snapshot still reads as the
model did at that point."""

from __future__ import annotations

import tempfile

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tablefmt as tf

SCHEMA = pa.schema([pa.field("id", pa.int64(), nullable=False), ("k", pa.string()),
                    ("v", pa.int64())])
KEYS = ["a", "b", "c"]
ids = st.integers(0, 40)
row = st.tuples(ids, st.sampled_from(KEYS), st.integers(-5, 5))
ops = st.lists(st.one_of(
    st.tuples(st.just("append"), st.lists(row, max_size=6)),
    st.tuples(st.just("delete_lt"), ids),
    st.tuples(st.just("delete_k"), st.sampled_from(KEYS)),
    st.tuples(st.just("update"), st.sampled_from(KEYS), st.integers(-3, 3)),
    st.tuples(st.just("merge"), st.lists(row, max_size=6, unique_by=lambda r: r[0])),
    st.tuples(st.just("overwrite_k"), st.sampled_from(KEYS), st.lists(row, max_size=4)),
), min_size=1, max_size=8)


def table_of(rs) -> pa.Table:
    return pa.table({"id": [r[0] for r in rs], "k": [r[1] for r in rs],
                     "v": [r[2] for r in rs]}, schema=SCHEMA)


def canon(rs):
    return sorted(tuple(r) for r in rs)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=ops, partitioned=st.booleans())
def test_random_row_operations_match_a_model(ops, partitioned) -> None:
    cat = tf.connect(tempfile.mkdtemp())
    cat.create_namespace("db")
    t = cat.create_table("db.t", SCHEMA, partition_by=["k"] if partitioned else None)
    model: list[tuple] = []
    seen = []
    for op in ops:
        kind = op[0]
        if kind == "append":
            model += op[1]
            snap = t.append(table_of(op[1]))
        elif kind == "delete_lt":
            model = [r for r in model if not r[0] < op[1]]
            snap = t.delete(tf.col("id") < op[1])
        elif kind == "delete_k":
            model = [r for r in model if r[1] != op[1]]
            snap = t.delete(f"k = '{op[1]}'")
        elif kind == "update":
            model = [(r[0], r[1], r[2] + op[2]) if r[1] == op[1] else r for r in model]
            snap = t.update(f"k = '{op[1]}'", set={"v": tf.col("v") + op[2]})
        elif kind == "merge":
            if len({r[0] for r in model}) != len(model):
                continue  # merge needs unique target keys per source key in this model
            src = {r[0]: r for r in op[1]}
            model = [src.pop(r[0]) if r[0] in src else r for r in model] + list(src.values())
            snap = (t.merge(table_of(op[1]), on=["id"]).when_matched_update_all()
                    .when_not_matched_insert_all().execute())
        else:
            new = [(i, op[1], v) for i, _, v in op[2]]
            model = [r for r in model if r[1] != op[1]] + new
            snap = t.overwrite(table_of(new), where=f"k = '{op[1]}'")
        got = canon(tuple(r.values()) for r in t.to_arrow().to_pylist())
        assert got == canon(model), kind
        seen.append((snap.snapshot_id, canon(model)))
    fresh = cat.load_table("db.t")
    for sid, expected in seen:
        assert canon(tuple(r.values()) for r in fresh.to_arrow(snapshot_id=sid).to_pylist()) \
            == expected
