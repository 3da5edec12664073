"""Writing SQL results: `t.append(con.sql(...))` streams a DuckDB relation into a commit;
`create_table_as` creates a table from a query, and leaves nothing behind on failure."""

from __future__ import annotations

import pyarrow as pa
import pytest

import tablefmt as tf
from tests.duckdb.conftest import rows


def test_append_a_duckdb_relation(cat, events_table, con) -> None:
    summary = cat.create_table("db.summary", pa.schema([("region", pa.string()),
                                                        ("n", pa.int64())]))
    snap = summary.append(con.sql("SELECT region, count(*) AS n FROM db.events GROUP BY 1"))
    assert snap.summary["added-records"] == "3"
    assert rows(con.sql("SELECT sum(n) FROM db.summary")) == [(120,)]


def test_append_from_the_table_itself_reads_the_snapshot_before_the_commit(events_table,
                                                                           con) -> None:
    events_table.append(con.sql("SELECT id + 1000 AS id, region, ts, amount FROM db.events"))
    assert rows(con.sql("SELECT count(*) FROM db.events")) == [(240,)]


def test_create_table_as_streams_the_result_into_a_new_table(cat, events_table, con) -> None:
    t = tf.duckdb.create_table_as(
        con, cat, "db.eu_days",
        "SELECT region, CAST(ts AS DATE) AS day, count(*) AS n, sum(amount) AS total "
        "FROM db.events GROUP BY ALL", partition_by=["region"])
    assert [f.name for f in t.schema.fields] == ["region", "day", "n", "total"]
    assert t.partitioning.fields[0].name == "region"
    assert sum(t.to_arrow().column("n").to_pylist()) == 120
    assert rows(con.sql("SELECT sum(n) FROM db.eu_days")) == [(120,)]


def test_create_table_as_in_batches_over_many_rows(local_cat, monkeypatch) -> None:
    monkeypatch.setattr(tf.duckdb.ctas, "BATCH_ROWS", 1000)
    with tf.duckdb.connect(local_cat) as con:
        t = tf.duckdb.create_table_as(con, local_cat, "db.big",
                                      "SELECT range AS n, range % 7 AS k FROM range(20000)")
        assert rows(con.sql("SELECT count(*), sum(n) FROM db.big")) == [(20000, 199990000)]
    assert t.current_snapshot().summary["added-records"] == "20000"


def test_create_table_as_drops_the_table_when_writing_fails(local_cat, monkeypatch) -> None:
    def fail(self, data, **kwargs):  # noqa: ANN001
        raise tf.StorageError("disk full")

    monkeypatch.setattr(tf.Table, "append", fail)
    with tf.duckdb.connect(local_cat) as con, pytest.raises(tf.StorageError, match="disk full"):
        tf.duckdb.create_table_as(con, local_cat, "db.broken", "SELECT 1 AS x")
    assert not local_cat.table_exists("db.broken")


def test_create_table_as_refuses_an_existing_table(local_cat) -> None:
    with tf.duckdb.connect(local_cat) as con:
        tf.duckdb.create_table_as(con, local_cat, "db.once", "SELECT 1 AS x")
        with pytest.raises(tf.TableAlreadyExistsError):
            tf.duckdb.create_table_as(con, local_cat, "db.once", "SELECT 2 AS x")
        assert rows(con.sql("SELECT x FROM db.once")) == [(1,)]


def test_create_table_as_needs_a_query_with_a_result(local_cat) -> None:
    with tf.duckdb.connect(local_cat) as con, pytest.raises(tf.ValidationError, match="no result"):
        tf.duckdb.create_table_as(con, local_cat, "db.none", "CREATE TABLE x (a INT)")
