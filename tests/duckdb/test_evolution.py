"""Schema evolution read right in SQL: columns are matched by field id — renamed, added,
dropped and promoted columns, nested members renamed or reused, and files without field
ids read through the table's name mapping."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import tablefmt as tf
from tests.duckdb.conftest import rows

BASE = pa.schema([pa.field("id", pa.int32(), nullable=False), ("name", pa.string()),
                  ("score", pa.float32()), ("price", pa.decimal128(9, 2)),
                  ("legacy", pa.string()),
                  ("info", pa.struct([("city", pa.string()), ("zip", pa.int32())])),
                  ("tags", pa.list_(pa.struct([("k", pa.string())])))])


def base_rows(start: int, n: int) -> pa.Table:
    ids = list(range(start, start + n))
    return pa.table({"id": ids, "name": [f"n{i}" for i in ids], "score": [i / 2 for i in ids],
                     "price": [Decimal(i) / 4 for i in ids], "legacy": [f"l{i}" for i in ids],
                     "info": [{"city": f"c{i}", "zip": i} for i in ids],
                     "tags": [[{"k": f"t{i}"}] for i in ids]}, schema=BASE)


def same_as_to_arrow(con, t: tf.Table, identifier: str = "db.evo") -> list[dict]:
    """The view's rows, as dicts, equal `to_arrow()`'s; returns them ordered by id."""
    ours = con.sql(f"SELECT * FROM {identifier} ORDER BY id").to_arrow_table()
    theirs = t.refresh().to_arrow().sort_by("id")
    assert ours.column_names == theirs.column_names
    assert ours.to_pylist() == theirs.to_pylist()
    return ours.to_pylist()


@pytest.fixture
def evo(cat) -> tf.Table:
    t = cat.create_table("db.evo", BASE)
    t.append(base_rows(0, 3))
    return t


def test_rename_add_drop_promote_read_old_and_new_files(evo, con) -> None:
    with evo.update_schema() as u:
        u.rename_column("name", "full_name")
        u.add_column("extra", pa.int64())
        u.drop_column("legacy")
        u.promote("id", pa.int64())
        u.promote("score", pa.float64())
        u.promote("price", pa.decimal128(12, 2))
    evo.refresh().append(pa.table({
        "id": pa.array([10], pa.int64()), "full_name": ["new"], "score": [1.25],
        "price": pa.array([Decimal("7.50")], pa.decimal128(12, 2)),
        "info": [{"city": "x", "zip": 1}], "tags": [[{"k": "z"}]], "extra": [99]},
        schema=evo.arrow_schema))
    got = same_as_to_arrow(con, evo)
    assert [r["full_name"] for r in got] == ["n0", "n1", "n2", "new"]
    assert [r["extra"] for r in got] == [None, None, None, 99]
    assert "legacy" not in got[0]
    types = dict(zip(*[con.sql("SELECT * FROM db.evo").columns,
                       con.sql("SELECT * FROM db.evo").types]))
    assert (types["id"], types["score"], types["price"]) == ("BIGINT", "DOUBLE", "DECIMAL(12,2)")


def test_a_dropped_name_reused_by_a_new_column_reads_null_in_old_files(evo, con) -> None:
    with evo.update_schema() as u:
        u.drop_column("legacy")
    with evo.update_schema() as u:
        u.add_column("legacy", pa.string())
    got = same_as_to_arrow(con, evo)
    assert [r["legacy"] for r in got] == [None, None, None]


def test_nested_members_renamed_added_and_dropped(evo, con) -> None:
    with evo.update_schema() as u:
        u.rename_column("info.city", "town")
        u.add_column("info.country", pa.string())
        u.drop_column("info.zip")
        u.rename_column("tags.element.k", "key")
    evo.refresh().append(pa.table({
        "id": [5], "name": ["n5"], "score": [0.5], "price": [Decimal("1.00")],
        "legacy": ["l5"], "info": [{"town": "t5", "country": "fr"}],
        "tags": [[{"key": "t5"}]]}, schema=evo.arrow_schema))
    got = same_as_to_arrow(con, evo)
    assert [r["info"] for r in got] == [{"town": "c0", "country": None},
                                        {"town": "c1", "country": None},
                                        {"town": "c2", "country": None},
                                        {"town": "t5", "country": "fr"}]
    assert got[0]["tags"] == [{"key": "t0"}]


def test_a_nested_name_reused_reads_null_in_old_files(evo, con) -> None:
    with evo.update_schema() as u:
        u.drop_column("info.zip")
    with evo.update_schema() as u:
        u.add_column("info.zip", pa.string())
    got = same_as_to_arrow(con, evo)
    assert [r["info"]["zip"] for r in got] == [None, None, None]


def test_files_without_field_ids_read_through_the_name_mapping(local_cat, pyiceberg_catalog,
                                                               tmp_path) -> None:
    schema = pa.schema([("id", pa.int64()), ("name", pa.string())])
    theirs = pyiceberg_catalog.create_table("db.added", schema=schema)
    plain = tmp_path / "plain.parquet"
    pq.write_table(pa.table({"id": [1, 2], "name": ["a", "b"]}, schema=schema), plain)
    theirs.add_files([f"file://{plain}"])
    mine = local_cat.load_table("db.added")
    with mine.update_schema() as u:
        u.rename_column("name", "label")
    mine.refresh().append(pa.table({"id": [3], "label": ["c"]}, schema=mine.arrow_schema))
    with tf.duckdb.connect(local_cat) as con:
        assert rows(con.sql("SELECT id, label FROM db.added ORDER BY id")) == \
            [(1, "a"), (2, "b"), (3, "c")]


def test_time_travel_reads_the_snapshot_schema(evo, con) -> None:
    first = evo.current_snapshot()
    with evo.update_schema() as u:
        u.rename_column("name", "full_name")
    tf.duckdb.register(con, evo.refresh(), "evo_v1", snapshot_id=first.snapshot_id)
    assert "name" in con.sql("SELECT * FROM evo_v1").columns
    assert "full_name" in con.sql("SELECT * FROM db.evo").columns


def test_partition_evolution_reads_files_of_both_specs(local_cat, pyiceberg_catalog,
                                                       make_events) -> None:
    t = local_cat.create_table("db.pe", make_events(0, 1).schema)
    t.append(make_events(0, 30))
    with pyiceberg_catalog.load_table("db.pe").update_spec() as spec:
        spec.add_identity("region")
    t.refresh().append(make_events(30, 30))
    assert {task.spec_id for task in t.scan().plan_files()} == {0, 1}
    with tf.duckdb.connect(local_cat) as con:
        assert rows(con.sql("SELECT count(*), count(DISTINCT id) FROM db.pe")) == [(60, 60)]
        tf.duckdb.register(con, t, "pe_eu", where="region = 'eu'")
        assert rows(con.sql("SELECT count(*) FROM pe_eu")) == \
            [(t.to_arrow(where="region = 'eu'").num_rows,)]
