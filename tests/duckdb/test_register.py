"""`tf.duckdb.register` and `register_scan`: a fixed version of a table under a name —
by snapshot, time or ref — pruned and filtered by `where` exactly like `to_arrow`."""

from __future__ import annotations

import duckdb
import pytest

import tablefmt as tf
from tests.duckdb.conftest import rows, sorted_rows

COLUMNS = ["id", "region", "ts", "amount"]


def test_a_view_at_an_older_snapshot_keeps_its_rows_while_commits_land(cat, events_table, con,
                                                                      make_events) -> None:
    first = events_table.snapshots()[0]
    tf.duckdb.register(con, events_table, "events_v1", snapshot_id=first.snapshot_id)
    events_table.append(make_events(1000, 10))
    events_table.delete("region = 'us'")
    assert rows(con.sql("SELECT count(*) FROM events_v1")) == [(40,)]
    assert rows(con.sql("SELECT count(*) FROM db.events")) == \
        [(events_table.refresh().to_arrow().num_rows,)]
    assert sorted(rows(con.sql("SELECT * FROM events_v1"))) == \
        sorted_rows(events_table.to_arrow(snapshot_id=first.snapshot_id), COLUMNS)


def test_register_by_ref_and_by_time(events_table, make_events) -> None:
    con = duckdb.connect()
    snaps = events_table.snapshots()
    events_table.create_tag("two", snapshot_id=snaps[1].snapshot_id)
    tf.duckdb.register(con, events_table, "by_tag", ref="two")
    tf.duckdb.register(con, events_table, "by_time", as_of=snaps[0].timestamp)
    assert rows(con.sql("SELECT count(*) FROM by_tag")) == [(80,)]
    assert rows(con.sql("SELECT count(*) FROM by_time")) == [(40,)]


@pytest.mark.parametrize("where", [
    "region = 'eu'",
    "region IN ('eu', 'apac') AND id >= 17",
    "amount > 30.5 OR region = 'us'",
    "NOT (region = 'eu') AND ts < '2024-01-03T00:00:00+00:00'",
    "region LIKE 'a%'",
    "region NOT LIKE 'a%' AND id NOT IN (1, 2, 3)",
    "amount IS NULL",
    "id != 5",
])
def test_where_prunes_files_and_selects_the_rows_to_arrow_selects(local_events, where) -> None:
    con = duckdb.connect()
    name = tf.duckdb.register(con, local_events, "filtered", where=where)
    assert name == '"filtered"'
    assert sorted(rows(con.sql("SELECT * FROM filtered"))) == \
        sorted_rows(local_events.to_arrow(where=where), COLUMNS)


def test_where_on_the_partition_column_reads_only_its_files(events_table) -> None:
    con = duckdb.connect()
    tf.duckdb.register(con, events_table, "eu", where=tf.col("region") == "eu")
    view = con.sql("SELECT sql FROM duckdb_views() WHERE view_name = 'eu'").fetchone()[0]
    eu = {t.file_path for t in events_table.scan(where="region = 'eu'").plan_files()}
    others = {t.file_path for t in events_table.scan().plan_files()} - eu
    assert eu and others
    assert all(path.split("/")[-1] in view for path in eu)
    assert not any(path.split("/")[-1] in view for path in others)
    assert rows(con.sql("SELECT count(*) FROM eu")) == [(40,)]


def test_register_scan_keeps_columns_and_limit(events_table) -> None:
    con = duckdb.connect()
    scan = events_table.scan(where="region = 'us'", columns=["id", "amount"], limit=5)
    tf.duckdb.register_scan(con, scan, "s.us5")
    relation = con.sql("SELECT * FROM s.us5")
    assert relation.columns == ["id", "amount"]
    assert len(rows(relation)) == 5


def test_a_scan_of_an_empty_table_registers_an_empty_view(cat, make_events) -> None:
    t = cat.create_table("db.nothing", make_events(0, 1).schema)
    con = duckdb.connect()
    tf.duckdb.register_scan(con, t.scan(), "nothing")
    assert rows(con.sql("SELECT count(*) FROM nothing")) == [(0,)]


@pytest.mark.parametrize("bad", ["a.b.c", "x;DROP TABLE y", 'q"uote', "", "1abc", "a b"])
def test_bad_view_names_are_rejected(local_events, bad) -> None:
    with pytest.raises(tf.ValidationError, match="view name"):
        tf.duckdb.register(duckdb.connect(), local_events, bad)


def test_at_most_one_of_snapshot_time_and_ref(local_events) -> None:
    with pytest.raises(tf.ValidationError, match="at most one"):
        tf.duckdb.register(duckdb.connect(), local_events, "v", snapshot_id=1, ref="main")
