"""An optional column with no null in a data file is stored as a required Parquet column
(no definition levels to encode or decode). A null arriving later starts a new file; every
reader still sees the table's optional columns, and updates keep or change the file's
choice as the values require."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import tablefmt as tf
from tablefmt.arrow_schema import to_arrow_schema
from tablefmt.metadata.data_file import DataFile

N = 4_000
SCHEMA = pa.schema([
    pa.field("id", pa.int64(), nullable=False),   # required in the table
    pa.field("kind", pa.string()),                 # optional, never null
    pa.field("note", pa.string()),                 # optional, some nulls
    pa.field("v", pa.float64()),                   # optional, never null
    pa.field("tags", pa.list_(pa.string())),       # nested: left optional
])


def rows(start: int = 0, n: int = N, null_v_at: int | None = None) -> pa.Table:
    ids = np.arange(start, start + n, dtype=np.int64)
    v = pa.array([None if i == null_v_at else i / 4 for i in ids.tolist()], pa.float64())
    return pa.table({
        "id": ids,
        "kind": pa.array([f"k{i % 3}" for i in ids.tolist()]),
        "note": pa.array([None if i % 5 == 0 else f"n{i}" for i in ids.tolist()]),
        "v": v,
        "tags": pa.array([[f"t{i % 2}"] for i in ids.tolist()], pa.list_(pa.string())),
    }, schema=SCHEMA)


def data_files(t: tf.Table) -> list[DataFile]:
    return sorted((task.data_file for task in t.scan().plan_files()),
                  key=lambda f: f.file_path)


def repetition(path: str) -> dict[str, bool]:
    """Top-level column -> whether the Parquet file stores it as optional."""
    schema = pq.read_schema(path.removeprefix("file://"))
    return {f.name: f.nullable for f in schema}


def test_null_free_optional_columns_are_stored_required(local_cat) -> None:
    t = local_cat.create_table("db.r", SCHEMA)
    t.append(rows())

    (f,) = data_files(t)
    assert repetition(f.file_path) == {"id": False, "kind": False, "note": True, "v": False,
                                       "tags": True}
    # The table's schema and every scan still say optional.
    got = t.to_arrow()
    assert got.schema == to_arrow_schema(t.metadata.schema)
    assert got.sort_by("id").equals(rows())
    nulls = f.null_value_counts
    assert nulls[t.metadata.schema.find_field("v").field_id] == 0
    assert nulls[t.metadata.schema.find_field("note").field_id] == N // 5


def test_a_null_after_the_first_row_group_starts_a_new_file(local_cat) -> None:
    t = local_cat.create_table("db.r", SCHEMA,
                               properties={"write.parquet.row-group-limit": "1000"})
    data = rows(null_v_at=2_500)  # row group 3 of 4 holds the one null of v
    t.append(pa.RecordBatchReader.from_batches(SCHEMA, data.to_batches(max_chunksize=1000)))

    by_file = {f.file_path: pq.read_table(f.file_path.removeprefix("file://"))
               .column("id").to_pylist() for f in data_files(t)}
    (holder,) = [p for p, ids in by_file.items() if 2_500 in ids]
    (first,) = [p for p, ids in by_file.items() if 0 in ids]
    assert repetition(holder)["v"] is True
    assert repetition(first)["v"] is False
    assert sum(map(len, by_file.values())) == N
    assert t.to_arrow().sort_by("id").equals(data)


@pytest.mark.interop
def test_every_reader_reads_files_with_required_and_optional_columns_alike(
        local_cat, pyiceberg_catalog, duck) -> None:
    t = local_cat.create_table("db.r", SCHEMA)
    t.append(rows())                              # v required in the file
    t.append(rows(N, null_v_at=N + 7))            # v optional in the file
    with t.update_schema() as u:
        u.rename_column("kind", "category")       # a second schema: read by field id
    t = local_cat.load_table("db.r")
    assert sorted(repetition(f.file_path)["v"] for f in data_files(t)) == [False, True]

    want = pa.concat_tables([rows(), rows(N, null_v_at=N + 7)]) \
        .rename_columns(["id", "category", "note", "v", "tags"])
    mine = t.to_arrow().sort_by("id")
    assert mine.schema == to_arrow_schema(t.metadata.schema)
    assert mine.to_pylist() == want.to_pylist()
    assert t.scan(where="v > 1500").to_arrow().num_rows == \
        sum(1 for x in want.column("v").to_pylist() if x is not None and x > 1500)
    theirs = pyiceberg_catalog.load_table("db.r").scan().to_arrow().sort_by("id")
    assert theirs.to_pylist() == want.to_pylist()
    duck_rows = duck.sql(f"SELECT * FROM iceberg_scan('{t.metadata_location}') ORDER BY id")
    assert pa.table(duck_rows.arrow()).to_pylist() == want.to_pylist()


def test_update_splices_a_required_column_and_rewrites_when_it_sets_a_null(
        local_cat) -> None:
    t = local_cat.create_table("db.r", SCHEMA)
    t.append(rows())
    (source,) = data_files(t)
    kind_chunk = _chunk(source.file_path, "kind")

    t.update("id < 10", set={"v": -1.0})      # no null: spliced, v stays required
    (spliced,) = data_files(t)
    assert _chunk(spliced.file_path, "kind") == kind_chunk  # copied byte for byte
    assert repetition(spliced.file_path)["v"] is False

    t.update("id = 3", set={"v": None})       # a null: the file is rewritten, v optional
    (rewritten,) = data_files(t)
    assert repetition(rewritten.file_path)["v"] is True
    got = {r["id"]: r["v"] for r in t.to_arrow().to_pylist()}
    assert got[3] is None and got[4] == -1.0 and got[10] == 2.5


def test_delete_keeps_columns_required_and_overwrite_with_nulls_makes_them_optional(
        local_cat) -> None:
    t = local_cat.create_table("db.r", SCHEMA)
    t.append(rows())

    t.delete("kind = 'k1'")
    (f,) = data_files(t)
    assert repetition(f.file_path)["kind"] is False

    t.overwrite(rows(null_v_at=0).slice(0, 10), where="id >= 0")
    (g,) = data_files(t)
    assert repetition(g.file_path)["v"] is True
    assert t.to_arrow().sort_by("id").column("v").to_pylist()[:2] == [None, 0.25]


def test_an_update_that_cannot_splice_reads_each_column_once(local_cat, file_reads) -> None:
    t = local_cat.create_table("db.r", SCHEMA)
    t.append(rows())
    t.update("id = 3", set={"v": None})  # a null in a required column: no splice

    assert file_reads == [["id", "v"], ["kind", "note", "tags"]]
    got = {r["id"]: r for r in t.to_arrow().to_pylist()}
    assert got[3]["v"] is None and got[3]["kind"] == "k0" and got[4]["v"] == 1.0


def _chunk(path: str, column: str) -> bytes:
    meta = pq.read_metadata(path.removeprefix("file://"))
    names = [meta.schema.column(j).path for j in range(meta.num_columns)]
    c = meta.row_group(0).column(names.index(column))
    start = min(o for o in (c.dictionary_page_offset, c.data_page_offset) if o)
    data = Path(path.removeprefix("file://")).read_bytes()
    return data[start:start + c.total_compressed_size]

