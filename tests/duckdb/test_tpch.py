"""TPC-H at scale factor 0.1 (as the issue asks): the 8 tables loaded into tablefmt tables, all 22 queries
through `tf.duckdb.connect` return exactly what DuckDB returns on its native tables."""

from __future__ import annotations

import pytest

import tablefmt as tf
from tests.duckdb import tpch

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):  # type: ignore[no-untyped-def]
    native = tpch.generate(0.1)
    cat = tf.connect(str(tmp_path_factory.mktemp("tpch") / "wh"))
    tables = tpch.load_into(native, cat)
    con = tf.duckdb.connect(cat)
    tpch.load_tpch(con.connection)
    con.execute("USE tpch")
    yield native, con, tables
    con.close()
    native.close()


def test_every_table_round_trips(loaded) -> None:
    native, con, tables = loaded
    for name in tpch.TABLES:
        ours = con.sql(f"SELECT * FROM {name}")
        theirs = native.sql(f"SELECT * FROM main.{name}")
        assert ours.types == theirs.types, name
        assert sorted(ours.fetchall()) == sorted(theirs.fetchall()), name
    if tpch.month_partitioning():
        assert len(tables["lineitem"].scan().plan_files()) > 12


@pytest.mark.parametrize("n", tpch.QUERIES)
def test_query_matches_duckdb_native_tables(loaded, n) -> None:
    native, con, _ = loaded
    ours = con.sql(f"PRAGMA tpch({n})").fetchall()
    theirs = native.sql(f"PRAGMA tpch({n})").fetchall()
    assert ours == theirs
    assert len(ours) > 0
