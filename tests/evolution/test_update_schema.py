"""Each schema change, read three ways — tablefmt, PyIceberg and DuckDB's iceberg_scan —
over files written before and after it."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pytest

import tablefmt as tf

BASE = pa.schema([pa.field("id", pa.int32(), nullable=False), ("name", pa.string()),
                  ("score", pa.float32()), ("price", pa.decimal128(9, 2)),
                  ("info", pa.struct([("city", pa.string()), ("zip", pa.int32())])),
                  ("tags", pa.list_(pa.struct([("k", pa.string())])))])


def base_rows(start: int, n: int) -> pa.Table:
    ids = list(range(start, start + n))
    return pa.table({"id": ids, "name": [f"n{i}" for i in ids],
                     "score": [i / 2 for i in ids], "price": [Decimal(i) / 4 for i in ids],
                     "info": [{"city": f"c{i}", "zip": i} for i in ids],
                     "tags": [[{"k": f"t{i}"}] for i in ids]}, schema=BASE)


def readers(t: tf.Table, pyiceberg_catalog, duck) -> dict[str, list[dict]]:
    mine = t.to_arrow().to_pylist()
    theirs = pyiceberg_catalog.load_table(t.name).scan().to_arrow().to_pylist()
    rel = duck.sql(f"SELECT * FROM iceberg_scan('{t.metadata_location}')")
    cols = rel.columns
    ducks = [dict(zip(cols, r)) for r in rel.fetchall()]
    key = lambda r: r["id"]  # noqa: E731
    return {"tablefmt": sorted(mine, key=key), "pyiceberg": sorted(theirs, key=key),
            "duckdb": sorted(ducks, key=key)}


def agree(t, pyiceberg_catalog, duck) -> list[dict]:
    out = readers(t, pyiceberg_catalog, duck)
    norm = {k: [{c: _norm(v) for c, v in r.items()} for r in rows] for k, rows in out.items()}
    # PyIceberg 0.12 reads a null list<struct> as [] (pyarrow and DuckDB read null).
    lists = {c for c, v in zip(t.arrow_schema.names, t.arrow_schema.types)
             if pa.types.is_list(v)}
    loose = [{c: ([] if c in lists and v is None else v) for c, v in r.items()}
             for r in norm["tablefmt"]]
    assert loose == norm["pyiceberg"], "PyIceberg disagrees"
    assert norm["tablefmt"] == norm["duckdb"], "DuckDB disagrees"
    assert [list(r) for r in out["tablefmt"]][:1] == [list(r) for r in out["duckdb"]][:1]
    return out["tablefmt"]


def _norm(v):  # DuckDB returns structs as dicts, lists as lists: same as Arrow
    if isinstance(v, float):
        return round(v, 4)
    if isinstance(v, dict):
        return {k: _norm(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_norm(x) for x in v]
    return v


@pytest.fixture
def table(local_cat) -> tf.Table:
    t = local_cat.create_table("db.evo", BASE)
    t.append(base_rows(0, 3))
    return t


def test_add_columns_top_level_nested_and_in_list_elements(table, pyiceberg_catalog, duck) -> None:
    with table.update_schema() as u:
        u.add_column("email", pa.string(), doc="contact")
        u.add_column("info.country", pa.string())
        u.add_column("tags.v", pa.int64())
    assert table.schema.find_field("email").doc == "contact"
    assert table.metadata.last_column_id == table.schema.highest_field_id
    rows = agree(table, pyiceberg_catalog, duck)
    assert rows[0]["email"] is None and rows[0]["info"] == {"city": "c0", "zip": 0, "country": None}
    assert rows[0]["tags"] == [{"k": "t0", "v": None}]
    table.append(pa.table({"id": [9], "name": ["x"], "score": [1.0], "price": [Decimal("1.00")],
                           "info": [{"city": "z", "zip": 1, "country": "FR"}],
                           "tags": [[{"k": "a", "v": 5}]], "email": ["e@x"]},
                          schema=table.arrow_schema))
    rows = agree(table, pyiceberg_catalog, duck)
    assert rows[-1]["email"] == "e@x" and rows[-1]["info"]["country"] == "FR"


def test_rename_keeps_values_in_old_and_new_files(table, pyiceberg_catalog, duck) -> None:
    with table.update_schema() as u:
        u.rename_column("name", "full_name")
        u.rename_column("info.city", "town")
    table.append(base_rows(3, 1).rename_columns(["id", "full_name", "score", "price", "info",
                                                 "tags"]).cast(table.arrow_schema))
    rows = agree(table, pyiceberg_catalog, duck)
    assert [r["full_name"] for r in rows] == ["n0", "n1", "n2", "n3"]
    assert rows[0]["info"] == {"town": "c0", "zip": 0}
    assert table.to_arrow(where="full_name = 'n1'").column("id").to_pylist() == [1]


def test_drop_column_vanishes_from_every_snapshot_read_now(table, pyiceberg_catalog, duck) -> None:
    first = table.current_snapshot().snapshot_id
    with table.update_schema() as u:
        u.drop_column("score")
        u.drop_column("info.zip")
    rows = agree(table, pyiceberg_catalog, duck)
    assert "score" not in rows[0] and rows[0]["info"] == {"city": "c0"}
    # Time travel reads a snapshot with the schema that was current for it.
    old = table.to_arrow(snapshot_id=first)
    assert "score" in old.column_names and old.column("score").to_pylist() == [0.0, 0.5, 1.0]


def test_promote_int_float_and_decimal_widens_old_values(table, pyiceberg_catalog, duck) -> None:
    with table.update_schema() as u:
        u.promote("id", pa.int64())
        u.promote("score", pa.float64())
        u.promote("price", pa.decimal128(18, 2))
    t = table.arrow_schema
    assert t.field("id").type == pa.int64() and t.field("price").type == pa.decimal128(18, 2)
    table.append(pa.table({"id": [2**40], "name": ["big"], "score": [0.1], "price": [Decimal("1e10")],
                           "info": [None], "tags": [None]}, schema=table.arrow_schema))
    rows = agree(table, pyiceberg_catalog, duck)
    assert rows[-1]["id"] == 2**40 and rows[0]["price"] == Decimal("0.00")
    assert sorted(table.to_arrow(where="id > 1").column("id").to_pylist()) == [2, 2**40]


def test_reorder_make_optional_and_docs(table, pyiceberg_catalog, duck) -> None:
    with table.update_schema() as u:
        u.move_first("score")
        u.move_after("id", "price")
        u.move_before("info.zip", "info.city")
        u.update_doc("name", "display name")
    assert [f.name for f in table.schema.fields] == ["score", "name", "price", "id", "info", "tags"]
    with table.update_schema() as u:
        u.make_optional("id")
    assert not table.schema.find_field("id").required
    rows = agree(table, pyiceberg_catalog, duck)
    assert list(rows[0]) == ["score", "name", "price", "id", "info", "tags"]
    assert list(rows[0]["info"]) == ["zip", "city"]


def test_several_changes_make_one_commit_and_one_new_schema(table) -> None:
    before = len(table.snapshots()), table.metadata_location
    with table.update_schema() as u:
        u.add_column("a", pa.int64())
        u.rename_column("a", "b")
        u.add_column("a", pa.string())
    assert len(table.metadata.schemas) == 2 and table.metadata.current_schema_id == 1
    assert [f.name for f in table.schema.fields][-2:] == ["b", "a"]
    assert len(table.snapshots()) == before[0] and table.metadata_location != before[1]


@pytest.mark.parametrize("change, message", [
    (lambda u: u.promote("name", pa.int32()), "Cannot promote 'name'"),
    (lambda u: (u.promote("id", pa.int64()), u.promote("id", pa.int32())), "from long to int"),
    (lambda u: u.promote("price", pa.decimal128(12, 3)), "Cannot promote"),
    (lambda u: u.promote("score", pa.int64()), "Cannot promote"),
    (lambda u: u.rename_column("name", "score"), "that name exists"),
    (lambda u: u.add_column("req", pa.int64(), None, True), "required column"),
    (lambda u: u.add_column("name", pa.int64()), "already exists"),
    (lambda u: u.drop_column("nope"), "No column 'nope'"),
    (lambda u: u.drop_column("region"), "partition field"),
    (lambda u: u.move_after("id", "info.city"), "different structs"),
])
def test_invalid_evolutions_raise_and_commit_nothing(local_cat, change, message) -> None:
    schema = BASE.append(pa.field("region", pa.string()))
    t = local_cat.create_table("db.bad", schema, partition_by=["region"])
    before = t.metadata_location
    with pytest.raises(tf.ValidationError, match=message), t.update_schema() as u:
        change(u)
    assert local_cat.load_table("db.bad").metadata_location == before


def test_identifier_fields_must_be_required_and_cannot_be_dropped(table) -> None:
    with table.update_schema() as u:
        u.set_identifier_fields("id")
    assert table.schema.identifier_field_ids == (1,)
    with pytest.raises(tf.ValidationError, match="identifier field"), table.update_schema() as u:
        u.drop_column("id")
    with pytest.raises(tf.ValidationError, match="must be required"), table.update_schema() as u:
        u.set_identifier_fields("name")


def test_append_schema_mode_merge_adds_new_columns_in_one_commit(table, pyiceberg_catalog, duck) -> None:
    extra = base_rows(10, 2).append_column("level", pa.array([1, 2], pa.int16()))
    with pytest.raises(tf.SchemaMismatchError, match='unexpected column.*"level"'):
        table.append(extra)
    n = len(table.snapshots())
    snap = table.append(extra, schema_mode="merge")
    assert len(table.snapshots()) == n + 1 and snap.schema_id == table.metadata.current_schema_id
    assert table.schema.find_field("level").field_type == tf.types.INT if hasattr(tf, "types") \
        else str(table.schema.find_field("level").field_type) == "int"
    rows = agree(table, pyiceberg_catalog, duck)
    assert [r["level"] for r in rows] == [None, None, None, 1, 2]
    # Missing optional columns are allowed in merge mode and read as null.
    table.append(base_rows(20, 1).drop_columns(["score"]), schema_mode="merge")
    assert table.to_arrow(where="id = 20").column("score").to_pylist() == [None]


def test_pyiceberg_evolves_a_table_and_tablefmt_reads_it(local_cat, pyiceberg_catalog) -> None:
    from pyiceberg.types import LongType, StringType

    theirs = pyiceberg_catalog.create_table("db.pyevo", schema=pa.schema(
        [("id", pa.int32()), ("name", pa.string())]))
    theirs.append(pa.table({"id": [1, 2], "name": ["a", "b"]},
                           schema=pa.schema([("id", pa.int32()), ("name", pa.string())])))
    with theirs.update_schema() as u:
        u.rename_column("name", "label")
        u.add_column("note", StringType())
        u.update_column("id", LongType())
    theirs = pyiceberg_catalog.load_table("db.pyevo")
    theirs.append(pa.table({"id": [3], "label": ["c"], "note": ["x"]},
                           schema=pa.schema([("id", pa.int64()), ("label", pa.string()),
                                             ("note", pa.string())])))
    mine = local_cat.load_table("db.pyevo").to_arrow()
    assert mine.schema.field("id").type == pa.int64()
    assert sorted(mine.to_pylist(), key=lambda r: r["id"]) == [
        {"id": 1, "label": "a", "note": None}, {"id": 2, "label": "b", "note": None},
        {"id": 3, "label": "c", "note": "x"}]
