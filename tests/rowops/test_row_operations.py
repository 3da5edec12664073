"""delete, update, merge and transactions: copy-on-write, one snapshot each, old
snapshots untouched, read identically by PyIceberg and DuckDB."""

from __future__ import annotations

import pyarrow as pa
import pytest

import tablefmt as tf


def rows_of(t: tf.Table, **kw) -> list[dict]:
    return sorted(t.to_arrow(**kw).to_pylist(), key=lambda r: r["id"])


@pytest.fixture
def events(cat, make_events) -> tf.Table:
    t = cat.create_table("db.events", make_events(0, 1).schema, partition_by=["region"])
    t.append(make_events(0, 30))
    return t


def test_delete_drops_whole_files_unread_and_rewrites_partial_ones(events) -> None:
    before = events.current_snapshot()
    files_before = {task.file_path for task in events.scan().plan_files()}
    snap = events.delete("region = 'eu'")  # a whole partition: no file is rewritten
    assert snap.operation == "delete" and "added-data-files" not in snap.summary
    assert {r["region"] for r in rows_of(events)} == {"us", "apac"}
    snap2 = events.delete("id < 5")  # spans files: rewritten without the rows
    assert snap2.operation == "overwrite"
    assert [r["id"] for r in rows_of(events)] == [i for i in range(5, 30) if i % 3 != 0]
    assert len(rows_of(events, snapshot_id=before.snapshot_id)) == 30  # old snapshot intact
    untouched = {task.file_path for task in events.scan(where="id >= 5").plan_files()}
    assert untouched - files_before  # rewritten files are new files


def test_delete_keeps_rows_where_the_filter_is_null(cat) -> None:
    schema = pa.schema([pa.field("id", pa.int64(), nullable=False), ("v", pa.int64())])
    t = cat.create_table("db.n", schema)
    t.append(pa.table({"id": [1, 2, 3], "v": [10, None, 30]}, schema=schema))
    t.delete("v > 15")
    assert rows_of(t) == [{"id": 1, "v": 10}, {"id": 2, "v": None}]


def test_delete_matching_nothing_makes_no_snapshot(events) -> None:
    head = events.current_snapshot().snapshot_id
    assert events.delete("id > 1000").snapshot_id == head
    assert len(events.snapshots()) == 1


def test_update_sets_values_and_column_expressions(events) -> None:
    snap = events.update("region = 'us' AND id < 10",
                         set={"amount": tf.col("amount") + 1000, "region": "'usa'"})
    got = {r["id"]: r for r in rows_of(events)}
    assert got[1]["amount"] == 1001.5 and got[1]["region"] == "usa"
    assert got[10]["region"] == "us" and got[10]["amount"] == 15.0
    assert got[0]["region"] == "eu" and got[0]["amount"] == 0.0
    assert snap.operation == "overwrite"
    # The updated rows moved partition (region changed): the planner finds them there.
    assert [task.partition for task in events.scan(where="region = 'usa'").plan_files()] == \
        [{"region": "usa"}]


def test_update_with_sql_text_values(events) -> None:
    events.update("id = 3", set={"amount": "amount * 2 + 1"})
    assert rows_of(events, where="id = 3")[0]["amount"] == 10.0


def test_update_rejects_unknown_columns_and_bad_values(events) -> None:
    with pytest.raises(tf.ValidationError, match="no column 'nope'"):
        events.update("id = 1", set={"nope": 1})
    with pytest.raises(tf.SchemaMismatchError, match="Cannot set"):
        events.update("id = 1", set={"amount": "'not a number'"})
    with pytest.raises(tf.SchemaMismatchError, match="required"):
        events.update("id = 1", set={"id": "NULL"})
    assert len(events.snapshots()) == 1


def test_merge_upserts_and_reads_only_files_that_can_hold_keys(events, make_events) -> None:
    source = make_events(25, 10)  # 25..29 exist, 30..34 are new
    source = source.set_column(3, "amount", pa.array([-1.0] * 10))
    snap = (events.merge(source, on=["id"]).when_matched_update_all()
            .when_not_matched_insert_all().execute())
    got = rows_of(events)
    assert [r["id"] for r in got] == list(range(35))
    assert all(r["amount"] == -1.0 for r in got if r["id"] >= 25)
    assert all(r["amount"] == r["id"] * 1.5 for r in got if r["id"] < 25)
    assert int(snap.summary["total-records"]) == 35


def test_merge_matched_update_with_source_columns_and_delete_clauses(events, make_events) -> None:
    src = pa.table({"id": [1, 2, 99], "bonus": [10.0, 20.0, 30.0]})
    events.merge(src, on="id").when_matched_update({"amount": "amount + source.bonus"}).execute()
    got = {r["id"]: r["amount"] for r in rows_of(events)}
    assert got[1] == 11.5 and got[2] == 23.0 and 99 not in got
    events.merge(pa.table({"id": [1, 2]}), on="id").when_matched_delete().execute()
    assert 1 not in {r["id"] for r in rows_of(events)}
    keep = make_events(10, 3)
    events.merge(keep, on="id").when_not_matched_by_source_delete().execute()
    assert [r["id"] for r in rows_of(events)] == [10, 11, 12]


def test_merge_rejects_duplicate_source_keys_and_commits_nothing(events, make_events) -> None:
    dup = pa.concat_tables([make_events(1, 2), make_events(1, 1)])
    with pytest.raises(tf.ValidationError, match="duplicate key"):
        events.merge(dup, on=["id"]).when_matched_update_all().execute()
    assert len(events.snapshots()) == 1


def test_transaction_commits_several_operations_as_one_snapshot(events, make_events) -> None:
    n = len(events.snapshots())
    with events.transaction() as tx:
        tx.delete("region = 'apac'")
        tx.append(make_events(100, 3))
        tx.update("id = 100", set={"amount": 0.0})
        tx.delete("id = 101")  # sees the rows appended in this transaction
    assert len(events.snapshots()) == n + 1
    ids = [r["id"] for r in rows_of(events)]
    assert 101 not in ids and 100 in ids and 102 in ids
    assert not any(r["region"] == "apac" and r["id"] < 30 for r in rows_of(events))


def test_a_failing_transaction_commits_nothing_and_removes_its_files(events, make_events) -> None:
    before = events.metadata_location
    files_before = {f.path for f in events.io.list(events.location)}
    with pytest.raises(RuntimeError, match="boom"), events.transaction() as tx:
        tx.append(make_events(100, 3))
        tx.delete("id < 10")
        raise RuntimeError("boom")
    assert events.catalog.load_table("db.events").metadata_location == before
    assert {f.path for f in events.io.list(events.location)} == files_before


def test_outside_readers_agree_after_every_operation(local_cat, pyiceberg_catalog, duck, make_events) -> None:
    t = local_cat.create_table("db.ops", make_events(0, 1).schema, partition_by=["region"])
    t.append(make_events(0, 20))
    steps = [lambda: t.delete("id % 2 = 0") if False else t.delete("id < 3"),
             lambda: t.update("region = 'us'", set={"amount": "amount + 1"}),
             lambda: t.merge(make_events(15, 10), on=["id"]).when_matched_update_all()
             .when_not_matched_insert_all().execute(),
             lambda: t.overwrite(make_events(50, 2, regions=("eu",)), where="region = 'eu'"),
             lambda: t.overwrite(make_events(60, 2, regions=("us",)), mode="dynamic")]
    for step in steps:
        step()
        mine = rows_of(t)
        theirs = sorted(pyiceberg_catalog.load_table("db.ops").scan().to_arrow().to_pylist(),
                        key=lambda r: r["id"])
        ducks = duck.sql(f"SELECT id, region, amount FROM iceberg_scan('{t.metadata_location}') "
                         "ORDER BY id").fetchall()
        assert theirs == mine
        assert ducks == [(r["id"], r["region"], r["amount"]) for r in mine]


def test_an_update_failing_in_one_file_removes_the_files_it_wrote_and_the_transaction_goes_on(
        cat) -> None:
    schema = pa.schema([pa.field("id", pa.int64(), nullable=False), ("g", pa.string()),
                        ("x", pa.float64())])
    t = cat.create_table("db.g", schema, partition_by=["g"])
    for g in "abcdef":  # six files; only f's x does not fit the id column
        t.append(pa.table({"id": [1, 2], "g": [g, g], "x": [1.0, 1.5 if g == "f" else 2.0]},
                          schema=schema))
    on_disk = {f.path for f in t.io.list(t.location)}
    with t.transaction() as tx:
        with pytest.raises(tf.SchemaMismatchError, match="Cannot set"):
            tx.update("id >= 0", set={"id": "x"})  # rewrites files in parallel, then fails
        tx.delete("g = 'a'")
    assert sorted(r["g"] for r in t.to_arrow().to_pylist()) == list("bbccddeeff")
    data = {task.file_path for task in t.scan().plan_files()}
    new = {f.path for f in t.io.list(t.location)} - on_disk
    assert not {p for p in new if "/data/" in p}  # the failed update left no data files
    assert data <= on_disk
