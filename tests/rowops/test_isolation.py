"""Row operations validate against commits made since their base: serializable by
default, snapshot isolation by Iceberg's table properties."""

from __future__ import annotations

import pyarrow as pa
import pytest

import tablefmt as tf


@pytest.fixture
def events(cat, make_events) -> tf.Table:
    t = cat.create_table("db.events", make_events(0, 1).schema, partition_by=["region"])
    t.append(make_events(0, 9))
    return t


def test_delete_vs_concurrent_append_into_its_partition_conflicts_when_serializable(events, make_events) -> None:
    stale = events.catalog.load_table("db.events")
    events.append(make_events(100, 1, regions=("eu",)))
    winner = events.catalog.load_table("db.events").metadata_location
    with pytest.raises(tf.CommitConflictError, match="serializable"):
        stale.delete("region = 'eu'")
    assert events.catalog.load_table("db.events").metadata_location == winner


def test_delete_vs_concurrent_append_succeeds_under_snapshot_isolation(cat, make_events) -> None:
    t = cat.create_table("db.events", make_events(0, 1).schema, partition_by=["region"],
                         properties={"write.delete.isolation-level": "snapshot"})
    t.append(make_events(0, 9))
    stale = cat.load_table("db.events")
    t.append(make_events(100, 1, regions=("eu",)))
    stale.delete("region = 'eu'")
    got = sorted(cat.load_table("db.events").to_arrow().column("id").to_pylist())
    assert 100 in got and not {0, 3, 6} & set(got)  # the concurrent row survives


def test_delete_vs_concurrent_append_elsewhere_succeeds(events, make_events) -> None:
    stale = events.catalog.load_table("db.events")
    events.append(make_events(100, 1, regions=("us",)))
    stale.delete("region = 'eu'")
    got = sorted(events.catalog.load_table("db.events").to_arrow().column("id").to_pylist())
    assert got == [1, 2, 4, 5, 7, 8, 100]


def test_two_concurrent_merges_on_disjoint_keys_both_land(cat) -> None:
    schema = pa.schema([pa.field("id", pa.int64(), nullable=False), ("part", pa.string()),
                        ("v", pa.int64())])
    t = cat.create_table("db.m", schema, partition_by=["part"])
    t.append(pa.table({"id": [1, 1001], "part": ["a", "b"], "v": [0, 0]}, schema=schema))
    a, b = cat.load_table("db.m"), cat.load_table("db.m")
    a.merge(pa.table({"id": [1, 2], "part": ["a", "a"], "v": [1, 1]}, schema=schema),
            on=["id"]).when_matched_update_all().when_not_matched_insert_all().execute()
    b.merge(pa.table({"id": [1001, 1002], "part": ["b", "b"], "v": [2, 2]}, schema=schema),
            on=["id"]).when_matched_update_all().when_not_matched_insert_all().execute()
    got = sorted(cat.load_table("db.m").to_arrow().to_pylist(), key=lambda r: r["id"])
    assert [(r["id"], r["v"]) for r in got] == [(1, 1), (2, 1), (1001, 2), (1002, 2)]


def test_two_concurrent_merges_on_the_same_keys_one_conflicts(cat) -> None:
    schema = pa.schema([pa.field("id", pa.int64(), nullable=False), ("v", pa.int64())])
    t = cat.create_table("db.m", schema)
    t.append(pa.table({"id": [1, 2], "v": [0, 0]}, schema=schema))
    a, b = cat.load_table("db.m"), cat.load_table("db.m")
    a.merge(pa.table({"id": [2], "v": [1]}, schema=schema), on="id").when_matched_update_all().execute()
    with pytest.raises(tf.CommitConflictError):
        b.merge(pa.table({"id": [2], "v": [2]}, schema=schema), on="id").when_matched_update_all().execute()
    assert sorted(cat.load_table("db.m").to_arrow().to_pylist(), key=lambda r: r["id"]) == \
        [{"id": 1, "v": 0}, {"id": 2, "v": 1}]


def test_unknown_isolation_level_is_a_validation_error(cat, make_events) -> None:
    t = cat.create_table("db.e", make_events(0, 1).schema,
                         properties={"write.delete.isolation-level": "chaos"})
    t.append(make_events(0, 3))
    stale = cat.load_table("db.e")
    t.append(make_events(10, 1))
    with pytest.raises(tf.ValidationError, match="chaos"):
        stale.delete("id = 1")
