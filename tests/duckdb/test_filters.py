"""Filters given to `register(where=...)` select in DuckDB exactly the rows `to_arrow`
selects, over nulls, NaN and every primitive type."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import duckdb
import pyarrow as pa
import pytest

import tablefmt as tf
from tablefmt.duckdb.filters import filter_sql
from tablefmt.schema import Schema
from tablefmt.types import LONG, NestedField

UTC = dt.UTC
SCHEMA = pa.schema([
    pa.field("i", pa.int32()), pa.field("l", pa.int64()), pa.field("f", pa.float32()),
    pa.field("d", pa.float64()), pa.field("dec", pa.decimal128(10, 3)),
    pa.field("s", pa.string()), pa.field("b", pa.bool_()), pa.field("day", pa.date32()),
    pa.field("t", pa.time64("us")), pa.field("ts", pa.timestamp("us")),
    pa.field("tstz", pa.timestamp("us", tz="UTC")), pa.field("u", pa.uuid()),
    pa.field("bin", pa.binary()),
    pa.field("st", pa.struct([("x", pa.int64()), ("y", pa.string())])),
])
U1, U2 = uuid.UUID(int=1), uuid.UUID(int=2**127)


def data() -> pa.Table:
    return pa.table({
        "i": [1, 2, None, -4], "l": [10, 20, 30, None],
        "f": [1.5, float("nan"), None, -0.0], "d": [float("nan"), 2.5, None, 0.0],
        "dec": [Decimal("1.250"), None, Decimal("-3.000"), Decimal("9.999")],
        "s": ["apple", "apricot", None, "it's"], "b": [True, False, None, True],
        "day": [dt.date(2024, 1, 1), dt.date(2024, 2, 29), None, dt.date(1969, 12, 31)],
        "t": [dt.time(1, 2, 3), None, dt.time(23, 59, 59, 999999), dt.time(0)],
        "ts": [dt.datetime(2024, 1, 1, 12), None, dt.datetime(1970, 1, 1),
               dt.datetime(2030, 5, 5, 5, 5, 5, 5)],
        "tstz": [dt.datetime(2024, 1, 1, 12, tzinfo=UTC), None,
                 dt.datetime(1970, 1, 1, tzinfo=UTC), dt.datetime(2000, 1, 1, tzinfo=UTC)],
        "u": pa.array([U1.bytes, U2.bytes, None, U1.bytes], pa.binary(16)).cast(pa.uuid()),
        "bin": [b"\x00\x01", b"", None, b"\xff"],
        "st": [{"x": 1, "y": "a"}, None, {"x": None, "y": "c"}, {"x": 4, "y": None}],
    }, schema=SCHEMA)


FILTERS = [
    "i > 1", "i < 2 OR i IS NULL", "l IN (10, 30)", "l NOT IN (10)", "l != 20",
    "f > 0", "f IS NAN", "f IS NOT NAN", "d < 3", "d = 0", "d IN (2.5, 0.0)", "d NOT IN (2.5)",
    "dec >= 1.25", "dec = -3", "s = 'it''s'", "s LIKE 'ap%'", "s NOT LIKE 'ap%'", "s > 'b'",
    "b = true", "b != true", "day < '2024-01-02'", "day = '1969-12-31'", "t > '12:00:00'",
    "ts >= '2024-01-01T12:00:00'", "tstz < '2001-01-01T00:00:00+00:00'",
    "st.x > 1", "st.y IS NULL", "s IS NOT NULL AND NOT (i = 1)",
]


@pytest.fixture(scope="module")
def table(tmp_path_factory) -> tf.Table:
    cat = tf.connect(str(tmp_path_factory.mktemp("filters") / "wh"))
    cat.create_namespace("db")
    t = cat.create_table("db.types", SCHEMA)
    t.append(data())
    return t


@pytest.mark.parametrize("where", FILTERS)
def test_filter_selects_what_to_arrow_selects(table, where) -> None:
    con = duckdb.connect()
    tf.duckdb.register(con, table, "v", where=where)
    got = con.sql("SELECT i, l, s FROM v").to_arrow_table().to_pylist()
    want = table.to_arrow(where=where).select(["i", "l", "s"]).to_pylist()
    key = lambda r: tuple((v is None, str(v)) for v in r.values())  # noqa: E731
    assert sorted(got, key=key) == sorted(want, key=key)


@pytest.mark.parametrize(("where", "ls"), [(f"u = '{U2}'", [20]), (f"u < '{U2}'", [10, None]),
                                          (f"u IN ('{U1}')", [10, None])])
def test_uuid_filters_order_bytewise(table, where, ls) -> None:
    # Expected values by hand: tablefmt's own Arrow scan cannot filter uuid columns yet
    # (pyarrow has no comparison kernels for the uuid extension type on row-group stats).
    con = duckdb.connect()
    tf.duckdb.register(con, table, "v", where=where)
    got = [r["l"] for r in con.sql("SELECT l FROM v").to_arrow_table().to_pylist()]
    assert sorted(got, key=lambda v: (v is None, v or 0)) == ls


def test_filter_sql_quotes_names_and_literals() -> None:
    schema = Schema((NestedField(1, 'we"ird', LONG),))
    assert filter_sql(tf.col('we"ird') == 5, schema) == '("we""ird" = CAST(5 AS BIGINT))'
    assert filter_sql(None, schema) is None
