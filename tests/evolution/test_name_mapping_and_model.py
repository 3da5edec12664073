"""Files without field ids read through schema.name-mapping.default; random sequences of
schema changes interleaved with appends read, at every snapshot, like a model."""

from __future__ import annotations

import tempfile

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tablefmt as tf


def test_files_added_without_field_ids_read_through_the_name_mapping(local_cat, pyiceberg_catalog, tmp_path) -> None:
    schema = pa.schema([("id", pa.int64()), ("name", pa.string())])
    theirs = pyiceberg_catalog.create_table("db.added", schema=schema)
    plain = tmp_path / "plain.parquet"
    pq.write_table(pa.table({"id": [1, 2], "name": ["a", "b"]}, schema=schema), plain)
    assert pq.read_schema(plain).field("id").metadata is None  # no field ids
    theirs.add_files([f"file://{plain}"])
    mine = local_cat.load_table("db.added")
    assert "schema.name-mapping.default" in mine.properties
    with mine.update_schema() as u:  # renaming must not lose the values of the plain file
        u.rename_column("name", "label")
    assert sorted(local_cat.load_table("db.added").to_arrow().to_pylist(),
                  key=lambda r: r["id"]) == [{"id": 1, "label": "a"}, {"id": 2, "label": "b"}]


COLUMN_NAMES = ["a", "b", "c", "d", "e"]
ops = st.lists(st.one_of(
    st.tuples(st.just("append"), st.integers(1, 4)),
    st.tuples(st.just("add"), st.sampled_from(COLUMN_NAMES)),
    st.tuples(st.just("drop"), st.sampled_from(COLUMN_NAMES)),
    st.tuples(st.just("rename"), st.sampled_from(COLUMN_NAMES), st.sampled_from(COLUMN_NAMES)),
    st.tuples(st.just("promote"), st.sampled_from(COLUMN_NAMES)),
    st.tuples(st.just("move_first"), st.sampled_from(COLUMN_NAMES)),
), min_size=1, max_size=10)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=ops)
def test_random_evolutions_and_appends_match_a_model(ops) -> None:
    cat = tf.connect(tempfile.mkdtemp())
    cat.create_namespace("db")
    t = cat.create_table("db.t", pa.schema([pa.field("id", pa.int64(), nullable=False)]))
    # The model: ordered columns (name -> (type, values by row id)) and the row ids.
    cols: dict[str, tuple[pa.DataType, dict[int, int | None]]] = {}
    order: list[str] = []
    row_ids: list[int] = []
    snapshots: list[tuple[int, list[dict]]] = []
    next_row = 0
    for op in ops:
        kind = op[0]
        try:
            if kind == "append":
                new = list(range(next_row, next_row + op[1]))
                next_row += op[1]
                data = {"id": new}
                for name in order:
                    typ, values = cols[name]
                    vals = [i * 3 if i % 2 else None for i in new]
                    data[name] = vals
                    values.update(zip(new, vals))
                arrow = pa.table(data, schema=t.arrow_schema)
                snap = t.append(arrow)
                row_ids += new
                expected = [{"id": i, **{n: cols[n][1].get(i) for n in order}} for i in row_ids]
                snapshots.append((snap.snapshot_id, expected))
            elif kind == "add":
                with t.update_schema() as u:
                    u.add_column(op[1], pa.int32())
                cols[op[1]] = (pa.int32(), {})
                order.append(op[1])
            elif kind == "drop":
                with t.update_schema() as u:
                    u.drop_column(op[1])
                del cols[op[1]]
                order.remove(op[1])
            elif kind == "rename":
                with t.update_schema() as u:
                    u.rename_column(op[1], op[2])
                if op[1] != op[2]:
                    cols[op[2]] = cols.pop(op[1])
                    order[order.index(op[1])] = op[2]
            elif kind == "promote":
                with t.update_schema() as u:
                    u.promote(op[1], pa.int64())
                cols[op[1]] = (pa.int64(), cols[op[1]][1])
            elif kind == "move_first":
                with t.update_schema() as u:
                    u.move_first(op[1])
                order.remove(op[1])
                order.insert(0, op[1])
        except tf.ValidationError:
            continue  # an invalid change for the model's state: nothing committed
        current = [{"id": i, **{n: cols[n][1].get(i) for n in order}} for i in row_ids]
        assert t.to_arrow().to_pylist() == current or \
            sorted(t.to_arrow().to_pylist(), key=lambda r: r["id"]) == current
        assert t.arrow_schema.names == (["id"] + order if "id" not in order else order) \
            or set(t.arrow_schema.names) == {"id", *order}
    fresh = cat.load_table("db.t")
    for sid, expected in snapshots:
        got = sorted(fresh.to_arrow(snapshot_id=sid).to_pylist(), key=lambda r: r["id"])
        assert got == expected
