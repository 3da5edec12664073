"""`tf.duckdb.connect`: every table of the catalog is a view `namespace.table` whose rows
are the table's rows, on every catalog; views follow commits, new and dropped tables."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pytest

import tablefmt as tf
from tests.duckdb.conftest import rows, sorted_rows


def test_aggregates_match_to_arrow(events_table, con) -> None:
    got = rows(con.sql("SELECT region, count(*), sum(amount), min(ts), max(id) FROM db.events "
                       "GROUP BY region ORDER BY region"))
    data = events_table.to_arrow()
    want = []
    for region in sorted(set(data.column("region").to_pylist())):
        part = data.filter(pc.equal(data.column("region"), region))
        want.append((region, part.num_rows, pc.sum(part.column("amount")).as_py(),
                     pc.min(part.column("ts")).as_py(), pc.max(part.column("id")).as_py()))
    assert got == want


def test_filters_match_to_arrow(events_table, con) -> None:
    got = rows(con.sql("SELECT id, region, amount FROM db.events "
                       "WHERE region = 'eu' AND ts >= TIMESTAMPTZ '2024-01-02 00:00:00+00' "
                       "AND amount < 150 ORDER BY id"))
    want = sorted_rows(events_table.to_arrow(
        where="region = 'eu' AND ts >= '2024-01-02T00:00:00+00:00' AND amount < 150"),
        ["id", "region", "amount"])
    assert got == want and len(got) > 0


def test_joins_between_tables_match_to_arrow(cat, events_table, con) -> None:
    regions = cat.create_table("db.regions", pa.schema([("region", pa.string()),
                                                        ("name", pa.string())]))
    regions.append(pa.table({"region": ["eu", "us"], "name": ["Europe", "America"]}))
    got = rows(con.sql("SELECT r.name, count(*) FROM db.events e JOIN db.regions r "
                       "USING (region) GROUP BY 1 ORDER BY 1"))
    counts = events_table.to_arrow().group_by("region").aggregate([("id", "count")])
    by_region = dict(zip(counts.column("region").to_pylist(), counts.column("id_count").to_pylist()))
    assert got == [("America", by_region["us"]), ("Europe", by_region["eu"])]


def test_view_columns_have_the_table_types(events_table, con) -> None:
    types = dict(rows(con.sql("SELECT column_name, data_type FROM information_schema.columns "
                              "WHERE table_schema = 'db' AND table_name = 'events'")))
    assert types == {"id": "BIGINT", "region": "VARCHAR", "ts": "TIMESTAMP WITH TIME ZONE",
                     "amount": "DOUBLE"}


def test_an_empty_table_is_a_typed_view_with_no_rows(cat, con, make_events) -> None:
    cat.create_table("db.empty", make_events(0, 1).schema)
    relation = con.sql("SELECT * FROM db.empty")
    assert rows(relation) == [] and relation.types == ["BIGINT", "VARCHAR",
                                                       "TIMESTAMP WITH TIME ZONE", "DOUBLE"]


def test_nested_namespaces_flatten_to_double_underscore_schemas(cat, make_events) -> None:
    cat.create_namespace("sales")
    cat.create_namespace("sales.eu")
    t = cat.create_table("sales.eu.orders", make_events(0, 1).schema)
    t.append(make_events(0, 7))
    with tf.duckdb.connect(cat) as con:
        assert con.tables["sales.eu.orders"] == "sales__eu.orders"
        assert rows(con.sql("SELECT count(*) FROM sales__eu.orders")) == [(7,)]
    assert tf.duckdb.schema_name("sales.eu") == "sales__eu"


def test_a_commit_is_visible_to_the_next_query(events_table, con, make_events) -> None:
    assert rows(con.sql("SELECT count(*) FROM db.events")) == [(120,)]
    events_table.append(make_events(500, 5))
    assert rows(con.sql("SELECT count(*) FROM db.events")) == [(125,)]
    events_table.delete("region = 'eu'")
    assert rows(con.execute("SELECT count(*) FROM db.events WHERE region = 'eu'")) == [(0,)]


def test_a_commit_by_another_process_is_visible_to_the_next_query(local_cat, make_events) -> None:
    t = local_cat.create_table("db.events", make_events(0, 1).schema)
    t.append(make_events(0, 10))
    con = tf.duckdb.connect(local_cat)
    assert rows(con.sql("SELECT count(*) FROM db.events")) == [(10,)]
    script = textwrap.dedent(f"""
        import tablefmt as tf
        from tests.plugins.fixtures import events
        tf.connect({local_cat.warehouse!r}).load_table("db.events").append(events(10, 4))
    """)
    subprocess.run([sys.executable, "-c", script], check=True, cwd=_repo_root())
    assert rows(con.sql("SELECT count(*), max(id) FROM db.events")) == [(14, 13)]
    con.close()


def test_nothing_is_replanned_when_no_table_changed(events_table, con, monkeypatch) -> None:
    loads: list[str] = []
    original = type(con.catalog).load_table
    monkeypatch.setattr(type(con.catalog), "load_table",
                        lambda self, i: loads.append(i) or original(self, i))
    for _ in range(3):
        con.sql("SELECT count(*) FROM db.events").fetchall()
    assert loads == []
    events_table.append(events_table.to_arrow().slice(0, 2))
    con.sql("SELECT count(*) FROM db.events").fetchall()
    assert loads == ["db.events"]


def test_a_metadata_only_change_keeps_the_view(events_table, con) -> None:
    before = _view_sql(con, "events")
    events_table.create_tag("v1")  # a new metadata file, the same snapshot
    assert rows(con.sql("SELECT count(*) FROM db.events")) == [(120,)]
    assert _view_sql(con, "events") == before


def test_tables_created_and_dropped_since_are_picked_up(cat, events_table, con, make_events) -> None:
    cat.create_namespace("other")
    t = cat.create_table("other.late", make_events(0, 1).schema)
    t.append(make_events(0, 3))
    assert rows(con.sql("SELECT count(*) FROM other.late")) == [(3,)]
    cat.drop_table("other.late")
    with pytest.raises(duckdb.CatalogException, match="late"):
        con.sql("SELECT count(*) FROM other.late")
    assert "other.late" not in con.tables


def test_the_wrapper_proxies_the_duckdb_connection(events_table, cat) -> None:
    raw = duckdb.connect()
    with tf.duckdb.connect(cat, raw) as con:
        assert con.connection is raw
        assert con.table("db.events").count("*").fetchone() == (120,)
        assert con.query("SELECT 42").fetchone() == (42,)
        con.execute("CREATE TABLE mine AS SELECT 1 AS x")
        assert rows(con.sql("FROM mine")) == [(1,)]
        assert con.description is not None  # a DuckDB attribute, proxied
    assert raw.execute("SELECT count(*) FROM db.events").fetchone() == (120,)  # still open
    raw.close()


def test_connect_can_expose_only_some_namespaces(cat, events_table, make_events) -> None:
    cat.create_namespace("hidden")
    cat.create_table("hidden.t", make_events(0, 1).schema)
    with tf.duckdb.connect(cat, namespaces=["db"]) as con:
        assert list(con.tables) == ["db.events"]


def test_names_that_collide_in_duckdb_are_rejected(local_cat, make_events) -> None:
    local_cat.create_namespace("a.b")
    local_cat.create_namespace("a__b")
    local_cat.create_table("a.b.t", make_events(0, 1).schema)
    local_cat.create_table("a__b.t", make_events(0, 1).schema)
    with pytest.raises(tf.ValidationError, match="would both be the DuckDB view a__b.t"):
        tf.duckdb.connect(local_cat)


@pytest.mark.parametrize("bad", ["db", "db..t", "db.t;DROP", 'db."t"', "db.t'x", ""])
def test_bad_identifiers_are_rejected(local_cat, bad) -> None:
    with pytest.raises(tf.ValidationError):
        tf.duckdb.connection.view_name(bad)


def _view_sql(con, name: str) -> str:
    return con.connection.execute("SELECT sql FROM duckdb_views() WHERE view_name = ?",
                                  [name]).fetchone()[0]


def _repo_root() -> str:
    import pathlib

    return str(pathlib.Path(__file__).resolve().parents[2])


def test_the_public_api_is_exactly_all() -> None:
    assert tf.duckdb.__all__ == sorted(tf.duckdb.__all__)
    assert set(tf.duckdb.__all__) == {
        "Connection", "NAMESPACE_SEPARATOR", "connect", "create_table_as", "register",
        "register_scan", "schema_name"}
    assert all(hasattr(tf.duckdb, name) for name in tf.duckdb.__all__)


def test_max_staleness_skips_the_check_for_that_long(local_cat, make_events, monkeypatch) -> None:
    t = local_cat.create_table("db.events", make_events(0, 1).schema)
    t.append(make_events(0, 3))
    now = [1000.0]
    monkeypatch.setattr(tf.duckdb.connection.time, "monotonic", lambda: now[0])
    with tf.duckdb.connect(local_cat, max_staleness=5) as con:
        t.append(make_events(3, 2))
        assert rows(con.sql("SELECT count(*) FROM db.events")) == [(3,)]  # checked < 5 s ago
        now[0] += 5
        assert rows(con.sql("SELECT count(*) FROM db.events")) == [(5,)]
