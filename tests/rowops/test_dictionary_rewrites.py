"""Copy-on-write rewrites keep dictionary-encoded string columns as dictionaries from the
read to the write (indices filtered and written, values never decoded and re-hashed), and
the rewritten files are indistinguishable from plain writes to every reader: same stored
Arrow schema, same column types, same rows."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import tablefmt as tf
from tablefmt.arrow_schema import to_arrow_schema
from tablefmt.transaction.fileset import read_file

N = 6_000
SCHEMA = pa.schema([
    pa.field("id", pa.int64(), nullable=False),
    pa.field("kind", pa.string()),      # 5 values: dictionary-encoded
    pa.field("label", pa.string()),     # unique: not dictionary-encoded
    pa.field("blob", pa.binary()),      # 3 values: dictionary-encoded
    pa.field("v", pa.float64()),
])


def rows(start: int = 0, n: int = N) -> pa.Table:
    ids = np.arange(start, start + n, dtype=np.int64)
    return pa.table({
        "id": ids,
        "kind": pa.array([f"k{i % 5}" if i % 11 else None for i in ids.tolist()]),
        "label": pa.array([f"label-{i:08d}" for i in ids.tolist()]),
        "blob": pa.array([bytes([i % 3]) * 4 for i in ids.tolist()], pa.binary()),
        "v": ids.astype(np.float64),
    }, schema=SCHEMA)


def files(t: tf.Table) -> list[str]:
    return sorted(task.file_path.removeprefix("file://") for task in t.scan().plan_files())


def encodings(path: str, column: str) -> tuple[str, ...]:
    meta = pq.read_metadata(path)
    names = [meta.schema.column(j).path for j in range(meta.num_columns)]
    return meta.row_group(0).column(names.index(column)).encodings


def test_read_file_returns_dictionary_encoded_strings_as_dictionaries(local_cat) -> None:
    t = local_cat.create_table("db.d", SCHEMA)
    t.append(rows())
    (f,) = [task.data_file for task in t.scan().plan_files()]

    got = read_file(t.io, t.metadata, f, dictionaries=True)

    assert pa.types.is_dictionary(got.schema.field("kind").type)
    assert pa.types.is_dictionary(got.schema.field("blob").type)
    assert got.schema.field("label").type == pa.string()  # unique: stored plain
    assert got.schema.field("kind").metadata == to_arrow_schema(t.metadata.schema) \
        .field("kind").metadata  # field ids kept
    plain = read_file(t.io, t.metadata, f)
    assert got.cast(plain.schema).equals(plain)
    assert not any(pa.types.is_dictionary(x.type) for x in plain.schema)


def test_a_file_written_under_another_schema_is_read_by_field_id_instead(local_cat) -> None:
    t = local_cat.create_table("db.d", SCHEMA)
    t.append(rows())
    with t.update_schema() as u:
        u.rename_column("kind", "category")
    t = local_cat.load_table("db.d")
    (f,) = [task.data_file for task in t.scan().plan_files()]

    got = read_file(t.io, t.metadata, f, dictionaries=True)

    assert got.column_names == ["id", "category", "label", "blob", "v"]
    assert got.column("category").to_pylist() == rows().column("kind").to_pylist()


@pytest.mark.interop
def test_delete_rewrites_with_dictionaries_and_every_reader_sees_plain_columns(
        local_cat, pyiceberg_catalog, duck) -> None:
    t = local_cat.create_table("db.d", SCHEMA)
    t.append(rows())
    (before,) = files(t)

    t.delete("kind = 'k1' or id < 10")

    (after,) = files(t)
    want = [r for r in rows().to_pylist() if r["kind"] != "k1" and r["id"] >= 10]
    assert t.to_arrow().sort_by("id").to_pylist() == want
    # The rewritten file stores the table's Arrow schema exactly as a plain write does.
    assert pq.read_metadata(after).metadata == pq.read_metadata(before).metadata
    assert pq.read_schema(after) == pq.read_schema(before)
    assert pq.read_table(after).schema.field("kind").type == pa.string()
    assert "RLE_DICTIONARY" in encodings(after, "kind")
    assert "RLE_DICTIONARY" in encodings(after, "blob")
    theirs = pyiceberg_catalog.load_table("db.d").scan().to_arrow().sort_by("id")
    assert theirs.to_pylist() == want
    duck_rows = duck.sql(f"SELECT * FROM iceberg_scan('{t.metadata_location}') ORDER BY id") \
        .arrow()
    assert pa.table(duck_rows).to_pylist() == want


def test_update_of_a_dictionary_column_and_with_one_in_its_value(local_cat) -> None:
    t = local_cat.create_table("db.d", SCHEMA)
    t.append(rows())

    t.update("kind = 'k2'", set={"kind": "'two'"})
    t.update("id < 100", set={"label": "kind", "v": tf.col("v") * 2})

    got = {r["id"]: r for r in t.to_arrow().to_pylist()}
    for r in rows().to_pylist():
        kind = "two" if r["kind"] == "k2" else r["kind"]
        assert got[r["id"]]["kind"] == kind
        assert got[r["id"]]["label"] == (kind if r["id"] < 100 else r["label"])
        assert got[r["id"]]["v"] == (r["v"] * 2 if r["id"] < 100 else r["v"])
    assert t.to_arrow().schema == to_arrow_schema(t.metadata.schema)


def test_delete_in_a_file_of_an_older_spec_splits_plain_rows_by_the_new_spec(
        local_cat) -> None:
    t = local_cat.create_table("db.d", SCHEMA)
    t.append(rows())
    with t.update_partitioning() as p:
        p.add("kind")  # identity on the dictionary-encoded column
    t = local_cat.load_table("db.d")

    t.delete("id < 3000")

    got = t.to_arrow().sort_by("id").to_pylist()
    assert got == [r for r in rows().to_pylist() if r["id"] >= 3000]
    parts = {task.data_file.partition for task in t.scan().plan_files()}
    assert len(parts) == 6  # k0..k4 and null: the rewrite was split by kind


def test_like_filters_on_dictionary_columns_in_delete_and_update(local_cat) -> None:
    t = local_cat.create_table("db.d", SCHEMA, partition_by=["blob"])
    t.append(rows())

    t.delete("kind LIKE 'k1%'")
    t.update("kind LIKE 'k2%'", set={"blob": b"moved"})  # a partition source: full rewrite

    got = t.to_arrow().sort_by("id").to_pylist()
    want = [dict(r, blob=b"moved" if r["kind"] == "k2" else r["blob"])
            for r in rows().to_pylist() if r["kind"] != "k1"]
    assert got == want


def test_delete_reads_only_the_filter_columns_of_a_file_without_a_match(
        local_cat, file_reads) -> None:
    t = local_cat.create_table("db.d", SCHEMA)
    t.append(rows())

    t.delete("label = 'label-000042x'")  # within the file's bounds, matches no row
    assert file_reads == [["label"]]
    assert t.to_arrow().num_rows == N

    file_reads.clear()
    t.delete("label = 'label-00000042'")
    assert file_reads == [["label"], ["id", "kind", "blob", "v"]]
    assert t.to_arrow().num_rows == N - 1


@pytest.mark.parametrize("where", [
    "kind = 'k1'", "kind IS NULL", "kind IS NOT NULL", "kind IN ('k0', 'k3')",
    "NOT kind = 'k2'", "kind LIKE 'k%'", "kind > 'k2'",
])
@pytest.mark.parametrize("negate", [False, True])
def test_mask_over_one_dictionary_column_matches_the_decoded_evaluation(
        where, negate, monkeypatch) -> None:
    from tablefmt.arrow_schema import schema_from_arrow
    from tablefmt.expressions.arrow import to_arrow_expr
    from tablefmt.expressions.binding import bind
    from tablefmt.transaction import transaction
    from tablefmt.transaction.transaction import _mask

    # Two chunks with different dictionaries; the second's values include a null (rows
    # pointing at it are null), the first has unreferenced values.
    first = pa.DictionaryArray.from_arrays(pa.array([0, 2, 2, 1, 0], pa.int32()),
                                           pa.array(["k0", "k9", "k1"]))
    second = pa.DictionaryArray.from_arrays(pa.array([1, 0, 2, 1], pa.int8()),
                                            pa.array(["k3", None, "k2"]))
    kind = pa.chunked_array([first, second.cast(first.type)])
    plain = pa.table({"kind": kind.cast(pa.string())})
    schema = schema_from_arrow(pa.schema([pa.field("kind", pa.string())]))
    expr = to_arrow_expr(bind(where, schema), schema, negate=negate)

    evaluated: list[int] = []  # rows of each table the expression is evaluated over
    real = transaction._evaluate

    def spy(rows, e):  # type: ignore[no-untyped-def]
        evaluated.append(rows.num_rows)
        return real(rows, e)

    monkeypatch.setattr(transaction, "_evaluate", spy)
    got = _mask(pa.table({"kind": kind}), expr)
    assert evaluated == [3, 3]  # once per dictionary value, not per row
    want = _mask(plain, expr)

    assert got.equals(want)
    assert len(got) == 9 and got.null_count == 0
