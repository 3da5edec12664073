"""Every Iceberg type, nested and null included, reads back exactly."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pyarrow as pa

import tablefmt as tf

ALL_TYPES = pa.schema([
    pa.field("b", pa.bool_()),
    pa.field("i", pa.int32()),
    pa.field("l", pa.int64(), nullable=False),
    pa.field("f", pa.float32()),
    pa.field("d", pa.float64()),
    pa.field("dec", pa.decimal128(12, 3)),
    pa.field("dec_big", pa.decimal128(30, 4)),
    pa.field("day", pa.date32()),
    pa.field("t", pa.time64("us")),
    pa.field("ts", pa.timestamp("us")),
    pa.field("tstz", pa.timestamp("us", tz="UTC")),
    pa.field("s", pa.string()),
    pa.field("u", pa.uuid()),
    pa.field("fx", pa.binary(4)),
    pa.field("bin", pa.binary()),
    pa.field("st", pa.struct([pa.field("x", pa.int32()), pa.field("y", pa.string())])),
    pa.field("lst", pa.list_(pa.int64())),
    pa.field("mp", pa.map_(pa.string(), pa.float64())),
    pa.field("nested", pa.list_(pa.struct([pa.field("k", pa.string()),
                                           pa.field("v", pa.list_(pa.int32()))]))),
])


def all_types_table() -> pa.Table:
    u = uuid.UUID("f79c3e09-677c-4bbd-a479-3f349cb785e7")
    rows = {
        "b": [True, None, False],
        "i": [1, None, -(2**31)],
        "l": [2**40, 0, -1],
        "f": [1.5, None, float("nan")],
        "d": [2.25, None, -0.0],
        "dec": [Decimal("123456789.123"), None, Decimal("-0.001")],
        "dec_big": [Decimal("12345678901234567890123456.7890"), None, Decimal("0.0001")],
        "day": [dt.date(2024, 2, 29), None, dt.date(1969, 12, 31)],
        "t": [dt.time(22, 31, 8), None, dt.time(0, 0, 0, 1)],
        "ts": [dt.datetime(2017, 11, 16, 22, 31, 8), None, dt.datetime(1900, 1, 1)],
        "tstz": [dt.datetime(2017, 11, 16, 22, 31, 8, tzinfo=dt.UTC), None,
                 dt.datetime(2030, 1, 1, 0, 0, 0, 1, tzinfo=dt.UTC)],
        "s": ["iceberg", None, "ünïcödé ✓"],
        "u": [u.bytes, None, uuid.UUID(int=0).bytes],
        "fx": [b"\x00\x01\x02\x03", None, b"\xff\xff\xff\xff"],
        "bin": [b"", None, b"\x00" * 100],
        "st": [{"x": 1, "y": "a"}, None, {"x": None, "y": None}],
        "lst": [[1, 2, 3], None, []],
        "mp": [[("a", 1.0), ("b", None)], None, []],
        "nested": [[{"k": "a", "v": [1]}, {"k": None, "v": None}], None, []],
    }
    arrays = []
    for f in ALL_TYPES:
        if isinstance(f.type, pa.UuidType):
            arrays.append(pa.array(rows[f.name], pa.binary(16)).cast(f.type))
        else:
            arrays.append(pa.array(rows[f.name], f.type))
    return pa.Table.from_arrays(arrays, schema=ALL_TYPES)


def test_every_type_round_trips_exactly_with_nulls_and_nesting(local_cat: tf.Catalog) -> None:
    t = local_cat.create_table("db.all_types", ALL_TYPES)
    data = all_types_table()
    t.append(data)
    back = local_cat.load_table("db.all_types").to_arrow()
    assert back.schema.remove_metadata() == ALL_TYPES.remove_metadata() or \
        [f.type for f in back.schema] == [f.type for f in ALL_TYPES]
    assert back.to_pylist() == data.to_pylist() or _equal_with_nan(back, data)


def _equal_with_nan(a: pa.Table, b: pa.Table) -> bool:
    for name in a.column_names:
        x, y = a.column(name).to_pylist(), b.column(name).to_pylist()
        for p, q in zip(x, y):
            if p != q and not (p != p and q != q):  # NaN == NaN here
                return False
    return True


def test_schema_field_ids_are_assigned_breadth_first_and_written_to_parquet(local_cat: tf.Catalog) -> None:
    import pyarrow.parquet as pq

    t = local_cat.create_table("db.all_types", ALL_TYPES)
    top = [f.field_id for f in t.schema.fields]
    assert top == list(range(1, len(ALL_TYPES) + 1))
    assert t.metadata.last_column_id == t.schema.highest_field_id
    t.append(all_types_table())
    path = t.scan().plan_files()[0].file_path.removeprefix("file://")
    ids = [int(f.metadata[b"PARQUET:field_id"]) for f in pq.read_schema(path)]
    assert ids == top


def test_column_projection_and_row_order_follow_the_request(local_cat: tf.Catalog, make_events) -> None:
    t = local_cat.create_table("db.events", make_events(0, 1).schema)
    t.append(make_events(0, 10))
    out = t.to_arrow(columns=["amount", "id"])
    assert out.column_names == ["amount", "id"]
    assert sorted(out.column("id").to_pylist()) == list(range(10))
