"""Compaction: fewer files, the same rows, history untouched, outside readers agree,
filters and sort orders respected, conflicts leave the winner's table and no files."""

from __future__ import annotations

import io

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import tablefmt as tf
from tests.maintenance._helpers import rows, stored


def by_id(data: pa.Table) -> list[int]:
    return sorted(data.column("id").to_pylist())


def test_compacting_thirty_small_appends_leaves_few_files_with_identical_rows_and_history(
        cat, make_events) -> None:
    t = cat.create_table("db.events", make_events(0, 1).schema, partition_by=["region"])
    snaps = [t.append(make_events(i * 10, 10)) for i in range(30)]
    before = rows(t.to_arrow())
    # Rows of the first and last snapshots (reads through moto's S3 are slow), file
    # counts of every one.
    history = {snaps[0].snapshot_id: by_id(t.to_arrow(snapshot_id=snaps[0].snapshot_id)),
               snaps[-1].snapshot_id: sorted(r[0] for r in before)}
    assert len(t.scan().plan_files()) == 90

    snap = t.compact()

    assert snap is not None and snap.operation == "replace"
    assert snap.parent_snapshot_id == snaps[-1].snapshot_id
    assert snap.summary["deleted-data-files"] == "90"
    assert snap.summary["added-data-files"] == "3"
    assert snap.summary["total-records"] == "300"
    assert snap.summary["total-data-files"] == "3"
    fresh = cat.load_table("db.events")
    tasks = fresh.scan().plan_files()
    assert len(tasks) == 3
    assert sorted(task.partition["region"] for task in tasks) == ["apac", "eu", "us"]
    assert rows(fresh.to_arrow()) == before
    assert rows(fresh.to_arrow(where="region = 'eu'")) == \
        [r for r in before if r[1] == "eu"]
    for snapshot_id, ids in history.items():
        assert by_id(fresh.to_arrow(snapshot_id=snapshot_id)) == ids
    for i, s in enumerate(snaps):
        tasks = fresh.scan(snapshot_id=s.snapshot_id).plan_files()
        assert (len(tasks), sum(task.record_count for task in tasks)) == (3 * (i + 1), 10 * (i + 1))


@pytest.mark.interop
def test_pyiceberg_and_duckdb_read_the_compacted_table_identically(
        local_cat, pyiceberg_catalog, duck, make_events) -> None:
    t = local_cat.create_table("db.events", make_events(0, 1).schema, partition_by=["region"])
    for i in range(8):
        t.append(make_events(i * 7, 7))
    old = t.current_snapshot()
    snap = t.compact()
    assert snap is not None
    mine = rows(t.to_arrow())

    theirs = pyiceberg_catalog.load_table("db.events")
    assert theirs.current_snapshot().snapshot_id == snap.snapshot_id
    assert theirs.current_snapshot().summary.operation.value == "replace"
    assert rows(theirs.scan().to_arrow()) == mine
    assert rows(theirs.scan(snapshot_id=old.snapshot_id).to_arrow()) == mine
    assert len(list(theirs.scan().plan_files())) == 3

    got = duck.sql(f"SELECT id, region, ts, amount FROM iceberg_scan('{t.metadata_location}')"
                   ).arrow()
    assert rows(pa.table(got)) == mine


def test_where_limits_compaction_to_the_partitions_it_may_match(local_cat, make_events) -> None:
    t = local_cat.create_table("db.events", make_events(0, 1).schema, partition_by=["region"])
    for i in range(6):
        t.append(make_events(i * 9, 9))
    before = rows(t.to_arrow())

    snap = t.compact(where="region = 'eu'")

    assert snap is not None and snap.summary["deleted-data-files"] == "6"
    per_region: dict[str, int] = {}
    for task in t.scan().plan_files():
        per_region[task.partition["region"]] = per_region.get(task.partition["region"], 0) + 1
    assert per_region == {"eu": 1, "us": 6, "apac": 6}
    assert rows(t.to_arrow()) == before


def test_where_on_a_data_column_rewrites_whole_files_that_may_match(local_cat,
                                                                   make_events) -> None:
    t = local_cat.create_table("db.events", make_events(0, 1).schema)
    for i in range(5):
        t.append(make_events(i * 10, 10))
    before = rows(t.to_arrow())

    snap = t.compact(where="id >= 15 AND id < 25")

    assert snap is not None and snap.summary["deleted-data-files"] == "2"
    counts = sorted(task.record_count for task in t.scan().plan_files())
    assert counts == [10, 10, 10, 20]  # rows 10..29 in one file: never split by the filter
    assert rows(t.to_arrow()) == before


def test_output_files_are_sorted_by_the_table_sort_order(local_cat, make_events) -> None:
    schema = make_events(0, 1).schema
    t = local_cat.create_table("db.events", schema, sort_by=["region", "id desc"])
    order = [7, 2, 9, 0, 5, 3, 8, 1, 6, 4]
    for chunk in range(4):
        data = make_events(chunk * 10, 10).take([order[i] for i in range(10)])
        region = data.column("region").to_pylist()
        region[chunk] = None  # a null in each file: nulls first for an ascending key
        t.append(data.set_column(1, schema.field("region"), pa.array(region, pa.string())))
    before = rows(t.to_arrow())

    snap = t.compact()

    assert snap is not None
    [task] = t.scan().plan_files()
    assert task.data_file.sort_order_id == 1
    written = pq.read_table(io.BytesIO(t.io.read(task.file_path)))
    keys = [(r["region"], r["id"]) for r in written.to_pylist()]
    assert keys == sorted(keys, key=lambda k: (k[0] is not None, k[0] or "", -k[1]))
    assert keys[0][0] is None and keys[4][0] is not None
    assert rows(t.to_arrow()) == before


def test_a_small_target_size_packs_files_into_several_bins(local_cat, make_events) -> None:
    t = local_cat.create_table("db.events", make_events(0, 1).schema)
    for i in range(9):
        t.append(make_events(i * 10, 10))
    sizes = [task.file_size_in_bytes for task in t.scan().plan_files()]
    assert max(sizes) * 3 <= min(sizes) * 3.5  # so a bin holds exactly 3 files
    target = int(max(sizes) * 3.5)
    before = rows(t.to_arrow())

    snap = t.compact(target_file_size_bytes=target)

    assert snap is not None and snap.summary["deleted-data-files"] == "9"
    assert [f.record_count for f in t.scan().plan_files()] == [30, 30, 30]
    assert rows(t.to_arrow()) == before


def test_compacting_a_stale_table_after_a_concurrent_overwrite_conflicts_and_leaves_no_files(
        cat, make_events) -> None:
    t = cat.create_table("db.events", make_events(0, 1).schema)
    for i in range(3):
        t.append(make_events(i * 10, 10))
    stale = cat.load_table("db.events")
    winner = t.overwrite(make_events(100, 5))
    files = stored(t)
    expected = rows(t.to_arrow())

    with pytest.raises(tf.CommitConflictError, match="removed by a concurrent commit"):
        stale.compact()

    fresh = cat.load_table("db.events")
    assert fresh.current_snapshot().snapshot_id == winner.snapshot_id
    assert len(fresh.snapshots()) == 4
    assert rows(fresh.to_arrow()) == expected
    assert stored(t) == files


def test_a_concurrent_append_does_not_stop_compaction(cat, make_events) -> None:
    t = cat.create_table("db.events", make_events(0, 1).schema)
    for i in range(3):
        t.append(make_events(i * 10, 10))
    stale = cat.load_table("db.events")
    added = t.append(make_events(100, 4))

    snap = stale.compact()

    assert snap is not None and snap.parent_snapshot_id == added.snapshot_id
    fresh = cat.load_table("db.events")
    assert by_id(fresh.to_arrow()) == list(range(30)) + list(range(100, 104))
    assert sorted(task.record_count for task in fresh.scan().plan_files()) == [4, 30]


def test_nothing_to_compact_returns_none_and_commits_nothing(cat, make_events) -> None:
    t = cat.create_table("db.events", make_events(0, 1).schema, partition_by=["region"])
    assert t.compact() is None  # no snapshot at all
    t.append(make_events(0, 9))  # one file per partition
    location = t.metadata_location

    assert t.compact() is None
    assert t.compact(target_file_size_bytes=1) is None  # every file is "big"
    assert t.compact(where="region = 'nowhere'") is None
    assert len(t.snapshots()) == 1
    assert cat.load_table("db.events").metadata_location == location


def test_files_written_under_older_schemas_are_rewritten_under_the_current_one(
        local_cat, make_events) -> None:
    t = local_cat.create_table("db.events", make_events(0, 1).schema)
    t.append(make_events(0, 5))
    with t.update_schema() as u:
        u.add_column("score", pa.float64())
        u.rename_column("amount", "value")
    newer = make_events(5, 5).rename_columns(["id", "region", "ts", "value"])
    t.append(newer.append_column("score", pa.array([0.5] * 5)))
    before = rows(t.to_arrow())

    snap = t.compact()

    assert snap is not None and snap.summary["deleted-data-files"] == "2"
    [task] = t.scan().plan_files()
    written = pq.read_table(io.BytesIO(t.io.read(task.file_path)))
    assert written.column_names == ["id", "region", "ts", "value", "score"]
    assert rows(t.to_arrow()) == before
    assert sum(r[4] is None for r in before) == 5


def test_bad_target_sizes_are_refused(local_cat, make_events) -> None:
    t = local_cat.create_table("db.events", make_events(0, 1).schema)
    for bad in (0, -5, 1.5, True):
        with pytest.raises(tf.ValidationError, match="target_file_size_bytes"):
            t.compact(target_file_size_bytes=bad)
