"""Appends, overwrites, time travel, refs and history on a local warehouse."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pyarrow as pa
import pytest

import tablefmt as tf


def ids(table: pa.Table) -> list[int]:
    return sorted(table.column("id").to_pylist())


def test_each_append_is_one_snapshot_with_summary_totals(cat: tf.Catalog, make_events) -> None:
    t = cat.create_table("db.events", make_events(0, 1).schema)
    assert t.current_snapshot() is None and t.to_arrow().num_rows == 0
    s1 = t.append(make_events(0, 5))
    s2 = t.append(make_events(5, 7))
    assert [s.snapshot_id for s in t.snapshots()] == [s1.snapshot_id, s2.snapshot_id]
    assert s2.parent_snapshot_id == s1.snapshot_id
    assert s2.sequence_number == s1.sequence_number + 1
    assert s2.operation == "append"
    assert s2.summary["added-records"] == "7" and s2.summary["total-records"] == "12"
    assert s2.summary["total-data-files"] == str(len(t.scan().plan_files()))
    assert ids(cat.load_table("db.events").to_arrow()) == list(range(12))


def test_time_travel_by_id_time_and_ref_reads_the_old_rows(cat: tf.Catalog, make_events) -> None:
    t = cat.create_table("db.events", make_events(0, 1).schema)
    s1 = t.append(make_events(0, 3))
    time.sleep(0.01)
    between = datetime.now(UTC)
    time.sleep(0.01)
    t.append(make_events(3, 3))
    t.create_tag("v1", s1.snapshot_id)
    assert ids(t.to_arrow(snapshot_id=s1.snapshot_id)) == [0, 1, 2]
    assert ids(t.to_arrow(as_of=between)) == [0, 1, 2]
    assert ids(t.to_arrow(as_of=between.isoformat())) == [0, 1, 2]
    assert ids(t.to_arrow(ref="v1")) == [0, 1, 2]
    assert ids(t.to_arrow(ref="main")) == list(range(6))


def test_time_travel_to_unknown_or_too_early_points_raises(cat: tf.Catalog, make_events) -> None:
    t = cat.create_table("db.events", make_events(0, 1).schema)
    t.append(make_events(0, 3))
    with pytest.raises(tf.ValidationError, match="no snapshot 42"):
        t.to_arrow(snapshot_id=42)
    with pytest.raises(tf.ValidationError, match="No snapshot .* was current"):
        t.to_arrow(as_of=datetime(2000, 1, 1, tzinfo=UTC))
    with pytest.raises(tf.ValidationError, match="no branch or tag 'nope'"):
        t.to_arrow(ref="nope")
    with pytest.raises(tf.ValidationError, match="at most one"):
        t.to_arrow(snapshot_id=1, ref="main")


def test_branch_writes_do_not_change_main(cat: tf.Catalog, make_events) -> None:
    t = cat.create_table("db.events", make_events(0, 1).schema)
    t.append(make_events(0, 2))
    t.create_branch("dev")
    t.append(make_events(2, 3), branch="dev")
    assert ids(t.to_arrow()) == [0, 1]
    assert ids(t.to_arrow(ref="dev")) == [0, 1, 2, 3, 4]
    assert t.refs()["dev"].type == "branch"
    with pytest.raises(tf.ValidationError, match="no branch 'nope'"):
        t.append(make_events(9, 1), branch="nope")


def test_rollback_makes_an_old_snapshot_current_and_keeps_history(cat: tf.Catalog, make_events) -> None:
    t = cat.create_table("db.events", make_events(0, 1).schema)
    s1 = t.append(make_events(0, 2))
    t.append(make_events(2, 2))
    t.rollback_to(s1.snapshot_id)
    t2 = cat.load_table("db.events")
    assert t2.current_snapshot().snapshot_id == s1.snapshot_id
    assert ids(t2.to_arrow()) == [0, 1]
    assert len(t2.snapshots()) == 2
    s3 = t2.append(make_events(10, 1))
    assert s3.parent_snapshot_id == s1.snapshot_id
    assert ids(t2.to_arrow()) == [0, 1, 10]


def test_overwrite_without_filter_replaces_everything(cat: tf.Catalog, make_events) -> None:
    t = cat.create_table("db.events", make_events(0, 1).schema)
    s1 = t.append(make_events(0, 5))
    s2 = t.overwrite(make_events(100, 2))
    assert ids(t.to_arrow()) == [100, 101]
    assert s2.operation == "overwrite"
    assert s2.summary["deleted-records"] == "5" and s2.summary["total-records"] == "2"
    assert ids(t.to_arrow(snapshot_id=s1.snapshot_id)) == list(range(5))


def test_overwrite_where_on_identity_partition_replaces_only_that_partition(cat: tf.Catalog, make_events) -> None:
    t = cat.create_table("db.events", make_events(0, 1).schema, partition_by=["region"])
    t.append(make_events(0, 9))  # regions eu, us, apac by id % 3
    t.overwrite(make_events(100, 1, regions=("eu",)), where="region = 'eu'")
    rows = t.to_arrow().to_pylist()
    assert sorted(r["id"] for r in rows if r["region"] == "eu") == [100]
    assert sorted(r["id"] for r in rows if r["region"] != "eu") == [1, 2, 4, 5, 7, 8]


def test_overwrite_where_that_splits_files_rewrites_them(cat: tf.Catalog, make_events) -> None:
    t = cat.create_table("db.events", make_events(0, 1).schema, partition_by=["region"])
    t.append(make_events(0, 9))
    snap = t.overwrite(make_events(100, 1), where="id < 4")
    assert ids(t.to_arrow()) == [4, 5, 6, 7, 8, 100]
    assert snap.operation == "overwrite" and snap.summary["deleted-records"] == "9"


def test_dynamic_overwrite_replaces_the_partitions_present_in_the_data(cat: tf.Catalog, make_events) -> None:
    t = cat.create_table("db.events", make_events(0, 1).schema, partition_by=["region"])
    t.append(make_events(0, 9))
    t.overwrite(make_events(50, 2, regions=("us", "apac")), mode="dynamic")
    rows = t.to_arrow().to_pylist()
    assert sorted(r["id"] for r in rows if r["region"] == "eu") == [0, 3, 6]
    assert sorted(r["id"] for r in rows if r["region"] != "eu") == [50, 51]


def test_identity_partitions_prune_files_and_explain_says_so(cat: tf.Catalog, make_events) -> None:
    t = cat.create_table("db.events", make_events(0, 1).schema, partition_by=["region"])
    t.append(make_events(0, 30))
    scan = t.scan(where="region = 'eu'")
    tasks = scan.plan_files()
    assert len(tasks) == 1 and tasks[0].partition == {"region": "eu"}
    assert "3 considered" in scan.explain() and "2 pruned by partition" in scan.explain()
    assert {r["region"] for r in scan.to_arrow().to_pylist()} == {"eu"}


def test_min_max_metrics_prune_files_and_residual_filters_rows(cat: tf.Catalog, make_events) -> None:
    t = cat.create_table("db.events", make_events(0, 1).schema)
    for start in range(0, 50, 10):
        t.append(make_events(start, 10))
    scan = t.scan(where=(tf.col("id") >= 12) & (tf.col("id") < 15))
    assert len(scan.plan_files()) == 1
    assert "4 pruned by column metrics" in scan.explain()
    assert ids(scan.to_arrow()) == [12, 13, 14]


def test_filters_as_strings_and_expressions_agree(cat: tf.Catalog, make_events) -> None:
    t = cat.create_table("db.events", make_events(0, 1).schema)
    t.append(make_events(0, 40))
    a = t.to_arrow(where="amount > 10 AND region IN ('eu', 'us') AND ts >= '2024-01-01T12:00:00+00:00'")
    b = t.to_arrow(where=(tf.col("amount") > 10) & tf.col("region").is_in(["eu", "us"])
                   & (tf.col("ts") >= datetime(2024, 1, 1, 12, tzinfo=UTC)))
    assert ids(a) == ids(b) and len(a) > 0
    assert all(r["amount"] > 10 and r["region"] in ("eu", "us") for r in a.to_pylist())


def test_to_batches_streams_and_limit_stops_early(cat: tf.Catalog, make_events) -> None:
    t = cat.create_table("db.events", make_events(0, 1).schema)
    t.append(make_events(0, 100))
    batches = list(t.scan().to_batches())
    assert sum(b.num_rows for b in batches) == 100
    assert t.scan(limit=7).to_arrow().num_rows == 7


def test_target_file_size_property_splits_large_appends(cat: tf.Catalog, make_events) -> None:
    t = cat.create_table("db.events", make_events(0, 1).schema,
                         properties={"write.target-file-size-bytes": "1",
                                     "write.parquet.row-group-limit": "100"})
    s = t.append(make_events(0, 1000))
    assert int(s.summary["added-data-files"]) == 10
    assert ids(t.to_arrow()) == list(range(1000))


def test_streamed_reader_and_pandas_input_are_accepted(cat: tf.Catalog, make_events) -> None:
    t = cat.create_table("db.events", make_events(0, 1).schema)
    data = make_events(0, 20)
    t.append(pa.RecordBatchReader.from_batches(data.schema, data.to_batches(max_chunksize=3)))
    t.append(make_events(20, 5).to_pandas())
    assert ids(t.to_arrow()) == list(range(25))


def test_history_has_one_row_per_snapshot(cat: tf.Catalog, make_events) -> None:
    t = cat.create_table("db.events", make_events(0, 1).schema)
    t.append(make_events(0, 2))
    t.overwrite(make_events(5, 3))
    h = t.history().to_pylist()
    assert [r["operation"] for r in h] == ["append", "overwrite"]
    assert [r["total_records"] for r in h] == [2, 3]
    assert h[1]["removed_records"] == 2 and h[1]["is_current_ancestor"]


def test_catalog_lists_renames_and_drops_tables(cat: tf.Catalog, make_events) -> None:
    t = cat.create_table("db.events", make_events(0, 1).schema)
    t.append(make_events(0, 1))
    cat.create_namespace("other")
    assert cat.list_namespaces() == ["db", "other"]
    assert cat.list_tables("db") == ["db.events"]
    if type(cat).__name__ == "ObjectStoreCatalog":
        with pytest.raises(tf.ValidationError, match="cannot rename tables"):
            cat.rename_table("db.events", "other.ev")
        name = "db.events"
    else:
        cat.rename_table("db.events", "other.ev")
        assert not cat.table_exists("db.events") and cat.table_exists("other.ev")
        name = "other.ev"
    location = cat.load_table(name).location
    assert list(cat.io.list(location))
    cat.drop_table(name, purge=True)
    assert not cat.table_exists(name)
    assert list(cat.io.list(location)) == []


def test_drop_without_purge_keeps_the_data_files(cat: tf.Catalog, make_events) -> None:
    t = cat.create_table("db.events", make_events(0, 1).schema)
    t.append(make_events(0, 3))
    data = [task.file_path for task in t.scan().plan_files()]
    cat.drop_table("db.events")
    assert not cat.table_exists("db.events") and cat.list_tables("db") == []
    assert all(cat.io.exists(p) for p in data)
    with pytest.raises(tf.NoSuchTableError):
        cat.drop_table("db.events")
    again = cat.create_table("db.events", make_events(0, 1).schema)
    assert again.to_arrow().num_rows == 0


def test_create_table_exist_ok_loads_the_existing_table(cat: tf.Catalog, make_events) -> None:
    t = cat.create_table("db.events", make_events(0, 1).schema)
    t.append(make_events(0, 1))
    again = cat.create_table("db.events", make_events(0, 1).schema, exist_ok=True)
    assert again.current_snapshot().snapshot_id == t.current_snapshot().snapshot_id
    with pytest.raises(tf.TableAlreadyExistsError, match="db.events already exists"):
        cat.create_table("db.events", make_events(0, 1).schema)


def test_many_appends_merge_manifests_and_keep_every_row(cat: tf.Catalog, make_events) -> None:
    t = cat.create_table("db.events", make_events(0, 1).schema,
                         properties={"commit.manifest.min-count-to-merge": "5"})
    for i in range(12):
        t.append(make_events(i * 2, 2))
    from tablefmt.scan.manifests import manifest_list

    manifests = manifest_list(t.io, t.current_snapshot().manifest_list)
    assert len(manifests) <= 6
    assert ids(t.to_arrow()) == list(range(24))
    assert len(t.scan().plan_files()) == 12
    first = t.snapshots()[3]
    assert ids(t.to_arrow(snapshot_id=first.snapshot_id)) == list(range(8))


def test_drop_namespace_removes_only_empty_namespaces(cat: tf.Catalog, make_events) -> None:
    cat.create_namespace("empty")
    cat.create_table("db.events", make_events(0, 1).schema)
    with pytest.raises(tf.NamespaceNotEmptyError, match="db is not empty"):
        cat.drop_namespace("db")
    cat.drop_namespace("empty")
    assert cat.list_namespaces() == ["db"]
    with pytest.raises(tf.NoSuchNamespaceError):
        cat.drop_namespace("empty")
