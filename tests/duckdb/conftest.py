"""Fixtures of the DuckDB integration tests: a table of events on every catalog, and
helpers that compare DuckDB results with `Table.to_arrow()`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pytest

import tablefmt as tf
import tablefmt.duckdb  # noqa: F401  (tf.duckdb)


@pytest.fixture
def events_table(cat: tf.Catalog, make_events: Any) -> tf.Table:
    """`db.events` partitioned by region: 3 appends of 40 rows."""
    t = cat.create_table("db.events", make_events(0, 1).schema, partition_by=["region"])
    for start in (0, 40, 80):
        t.append(make_events(start, 40))
    return t


@pytest.fixture
def local_events(local_cat: tf.Catalog, make_events: Any) -> tf.Table:
    """The same table on the local SQLite catalog, for tests of SQL semantics alone."""
    t = local_cat.create_table("db.events", make_events(0, 1).schema, partition_by=["region"])
    for start in (0, 40, 80):
        t.append(make_events(start, 40))
    return t


@pytest.fixture
def con(cat: tf.Catalog) -> Iterator[tf.duckdb.Connection]:
    with tf.duckdb.connect(cat) as connection:
        yield connection


def rows(relation: Any) -> list[tuple[Any, ...]]:
    """A DuckDB relation's rows, through Arrow (no pytz needed for timestamptz)."""
    table = relation.to_arrow_table()
    return [tuple(r.values()) for r in table.to_pylist()]


def sorted_rows(table: pa.Table, columns: list[str]) -> list[tuple[Any, ...]]:
    return sorted(tuple(r[c] for c in columns) for r in table.to_pylist())
