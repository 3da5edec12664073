"""`update` that keeps rows in their partition encodes only the columns it sets: every
other column chunk of a rewritten file is the source's bytes, moved. The files read the
same to tablefmt, PyIceberg and DuckDB, and their metrics describe the new values."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import tablefmt as tf
from tablefmt.io import io_for
from tablefmt.metadata.conversions import from_bytes
from tablefmt.metadata.data_file import DataFile
from tablefmt.write import writer
from tablefmt.write.encoding import Encodings
from tablefmt.write.splice import splice_columns

N = 5_000
SCHEMA = pa.schema([
    pa.field("id", pa.int64(), nullable=False),
    pa.field("kind", pa.string()),
    pa.field("label", pa.string()),
    pa.field("v", pa.float64()),
    pa.field("n", pa.int32()),
])


def rows(n: int = N) -> pa.Table:
    ids = np.arange(n, dtype=np.int64)
    return pa.table({
        "id": ids,
        "kind": pa.array([f"k{i % 4}" for i in range(n)]),
        "label": pa.array([f"label-{i:06d}" if i % 7 else None for i in range(n)]),
        "v": ids.astype(np.float64) / 10,
        "n": pa.array((ids % 100).astype(np.int32)),
    }, schema=SCHEMA)


def local(path: str) -> str:
    return path.removeprefix("file://")


def chunk_bytes(path: str) -> dict[tuple[int, str], bytes]:
    """(row group, column) -> the column chunk's bytes."""
    meta = pq.read_metadata(path)
    data = Path(path).read_bytes()
    out = {}
    for i in range(meta.num_row_groups):
        for j in range(meta.num_columns):
            c = meta.row_group(i).column(j)
            start = min(o for o in (c.dictionary_page_offset, c.data_page_offset) if o)
            out[(i, c.path_in_schema)] = data[start:start + c.total_compressed_size]
    return out


def only_file(t: tf.Table) -> DataFile:
    (task,) = t.scan().plan_files()
    return task.data_file


@pytest.mark.interop
def test_update_copies_the_other_columns_chunks_and_every_reader_agrees(
        local_cat, pyiceberg_catalog, duck, monkeypatch) -> None:
    monkeypatch.setattr(writer, "MAX_LANES", 1)  # one file of several row groups
    t = local_cat.create_table("db.u", SCHEMA, properties={
        "write.parquet.row-group-limit": "1500"})
    with monkeypatch.context() as m:  # the source file snappy, files written later zstd
        m.setattr(tf.properties, "PARQUET_COMPRESSION_DEFAULT", "snappy")
        t.append(rows())
    before = local(only_file(t).file_path)

    t.update("kind = 'k1'", set={"v": tf.col("v") * 2, "label": "'one'"})

    f = only_file(t)
    after = local(f.file_path)
    assert after != before
    old, new = chunk_bytes(before), chunk_bytes(after)
    assert pq.read_metadata(after).num_row_groups == pq.read_metadata(before).num_row_groups == 4
    for (group, column), data in old.items():
        codec = pq.read_metadata(after).row_group(group).column(SCHEMA.names.index(column))
        if column in ("id", "kind", "n"):  # copied, not re-encoded: still snappy
            assert new[(group, column)] == data and codec.compression == "SNAPPY"
        else:
            assert new[(group, column)] != data and codec.compression == "ZSTD"
    want = rows().to_pylist()
    for r in want:
        if r["kind"] == "k1":
            r["v"], r["label"] = r["v"] * 2, "one"
    assert t.to_arrow().to_pylist() == want
    assert pq.read_table(after).to_pylist() == want
    assert pq.read_metadata(after).metadata == pq.read_metadata(before).metadata
    theirs = pyiceberg_catalog.load_table("db.u").scan().to_arrow()
    assert theirs.sort_by("id").to_pylist() == want
    duck_rows = duck.sql(f"SELECT * FROM iceberg_scan('{t.metadata_location}') ORDER BY id")
    assert pa.table(duck_rows.arrow()).to_pylist() == want
    assert f.record_count == N and f.file_size_in_bytes == Path(after).stat().st_size


def test_the_rewritten_files_metrics_describe_the_new_values(local_cat) -> None:
    t = local_cat.create_table("db.u", SCHEMA)
    t.append(rows())
    t.update("id >= 10", set={"v": "v * 0 + 1e9", "n": "NULL"})
    t.update("id = 3", set={"v": float("nan")})

    f = only_file(t)
    fid = {name: t.schema.find_field(name).field_id for name in SCHEMA.names}
    double = t.schema.find_field("v").field_type
    assert from_bytes(double, f.upper_bounds[fid["v"]]) == 1e9
    assert from_bytes(double, f.lower_bounds[fid["v"]]) == 0.0
    assert f.nan_value_counts[fid["v"]] == 1
    assert f.null_value_counts[fid["n"]] == N - 10
    assert f.null_value_counts[fid["label"]] == rows().column("label").null_count
    got = t.to_arrow()
    assert math.isnan(got.column("v")[3].as_py())
    assert t.to_arrow(where="v > 1e8").num_rows == N - 10  # pruning by the new bounds


def test_a_file_with_a_page_index_is_left_to_a_full_rewrite(local_cat, tmp_path) -> None:
    source = tmp_path / "with_index.parquet"
    pq.write_table(rows(), source, write_page_index=True)
    io = io_for(str(tmp_path))
    out = tmp_path / "out.parquet"
    new = pa.table({"v": pa.array(np.zeros(N))})

    assert splice_columns(io, str(source), str(out), new, "zstd", Encodings()) is None
    assert not out.exists()

    pq.write_table(rows(), source)  # no page index: spliced
    done = splice_columns(io, str(source), str(out), new, "zstd", Encodings())
    assert done is not None
    assert pq.read_table(out).column("v").to_pylist() == [0.0] * N
    assert pq.read_table(out).drop_columns(["v"]).equals(rows().drop_columns(["v"]))


def test_a_replacement_of_another_parquet_type_is_left_to_a_full_rewrite(tmp_path) -> None:
    source = tmp_path / "s.parquet"
    pq.write_table(rows(), source)
    io = io_for(str(tmp_path))
    out = tmp_path / "out.parquet"
    wrong = pa.table({"n": pa.array(np.zeros(N, dtype=np.int64))})  # int64, file has int32

    assert splice_columns(io, str(source), str(out), wrong, "zstd", Encodings()) is None
    assert not out.exists()


def test_an_update_that_moves_rows_or_follows_schema_evolution_rewrites_in_full(
        local_cat) -> None:
    t = local_cat.create_table("db.u", SCHEMA, partition_by=["kind"])
    t.append(rows())
    t.update("id < 100", set={"kind": "'moved'"})  # a partition source: rows move
    assert t.to_arrow(where="kind = 'moved'").num_rows == 100
    with t.update_schema() as u:
        u.rename_column("label", "name")
    t = local_cat.load_table("db.u")
    t.update("id < 10", set={"name": "'x'"})
    got = {r["id"]: r for r in t.to_arrow().to_pylist()}
    assert [got[i]["name"] for i in range(10)] == ["x"] * 10
    assert got[10]["name"] == rows().column("label")[10].as_py()
    assert len(got) == N


def _patch_footer(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    """Rewrite the file's footer after `change(FileMetaData struct)`."""
    from tablefmt.write import thrift_compact as tc

    data = path.read_bytes()
    length = int.from_bytes(data[-8:-4], "little")
    meta, _ = tc.decode_struct(data[-8 - length:-8])
    change(meta)
    raw = tc.encode_struct(meta)
    path.write_bytes(data[:-8 - length] + raw + len(raw).to_bytes(4, "little") + b"PAR1")


def test_zero_offsets_mean_none_and_stay_zero(tmp_path) -> None:
    from tablefmt.write import thrift_compact as tc

    source = tmp_path / "s.parquet"
    pq.write_table(rows(), source, use_dictionary=False)

    def zero_offsets(meta) -> None:  # type: ignore[no-untyped-def]
        for g in meta.get_list(4):
            for cc in g.get_list(1):
                cc.set(2, tc.I64, 0)                    # ColumnChunk.file_offset: none
                cc.get_struct(3).set(11, tc.I64, 0)     # dictionary_page_offset: none

    _patch_footer(source, zero_offsets)
    assert pq.read_table(source).equals(rows())
    out = tmp_path / "out.parquet"
    new = pa.table({"id": pa.array(np.arange(N, dtype=np.int64) + 7)}, schema=pa.schema(
        [SCHEMA.field("id")]))

    assert splice_columns(io_for(str(tmp_path)), str(source), str(out), new, "zstd", Encodings())
    got = pq.read_table(out)
    assert got.column("id").to_pylist() == list(range(7, N + 7))
    assert got.drop_columns(["id"]).equals(rows().drop_columns(["id"]))
    meta = pq.read_metadata(out)
    assert all(meta.row_group(0).column(j).dictionary_page_offset in (None, 0)
               for j in range(meta.num_columns))


def test_files_of_other_writers_or_with_sorting_claims(tmp_path) -> None:
    from tablefmt.write import thrift_compact as tc

    source = tmp_path / "s.parquet"
    out = tmp_path / "out.parquet"
    io = io_for(str(tmp_path))
    new = pa.table({"v": pa.array(np.zeros(N))})
    pq.write_table(rows(), source, sorting_columns=[pq.SortingColumn(3)])  # sorted by v

    done = splice_columns(io, str(source), str(out), new, "zstd", Encodings())
    assert done is not None and done[0].row_group(0).sorting_columns == ()  # claim dropped
    out.unlink()

    _patch_footer(source, lambda meta: meta.set(6, tc.BINARY, b"parquet-mr version 1.10.0"))
    assert splice_columns(io, str(source), str(out), new, "zstd", Encodings()) is None
    assert not out.exists()


def test_files_claim_a_sort_order_only_while_their_rows_are_in_it(local_cat) -> None:
    t = local_cat.create_table("db.u", SCHEMA, sort_by=["n"])
    half = rows().slice(0, N // 2), rows().slice(N // 2)
    t.append(half[0])
    t.append(half[1])
    assert [x.data_file.sort_order_id for x in t.scan().plan_files()] == [None, None]
    t.compact()                                # appended as they came: no claim until
    assert only_file(t).sort_order_id == 1     # compaction sorted them

    t.delete("id < 10")                       # rows dropped: the rest stay in order
    assert only_file(t).sort_order_id == 1
    t.update("id = 20", set={"label": "'x'"})  # not a key: still in order
    assert only_file(t).sort_order_id == 1
    t.update("id = 21", set={"n": 1000})       # a key changed: no longer claimed
    assert only_file(t).sort_order_id is None
    assert t.to_arrow().num_rows == N - 10


def data_files_on_disk(t: tf.Table) -> set[str]:
    return {str(p) for p in Path(local(t.location)).rglob("*.parquet")}


def test_a_required_column_set_to_null_is_refused_and_nothing_is_committed(local_cat) -> None:
    from tablefmt.errors import SchemaMismatchError

    t = local_cat.create_table("db.u", SCHEMA)
    t.append(rows())
    before, files = t.current_snapshot().snapshot_id, data_files_on_disk(t)

    with pytest.raises(SchemaMismatchError, match="required column 'id'"):
        t.update("id < 5", set={"id": "NULL"})

    assert t.refresh().current_snapshot().snapshot_id == before
    assert data_files_on_disk(t) == files


def test_a_splice_failing_midway_leaves_no_file_and_no_snapshot(local_cat, monkeypatch) -> None:
    from tablefmt.transaction import fileset

    t = local_cat.create_table("db.u", SCHEMA, partition_by=["kind"])
    t.append(rows())  # four files: the update splices each
    before, files = t.current_snapshot().snapshot_id, data_files_on_disk(t)
    calls = []

    def broken(io, source, out, *args):  # type: ignore[no-untyped-def]
        calls.append(out)
        if len(calls) == 2:
            sink = io.open_output(out)
            sink.write(b"PAR1 half a file")
            sink.close()
            raise OSError("disk gone")
        return splice_columns(io, source, out, *args)

    monkeypatch.setattr(fileset, "splice_columns", broken)
    with pytest.raises(OSError, match="disk gone"):
        t.update("id >= 0", set={"v": 0.0})

    assert len(calls) >= 2
    assert t.refresh().current_snapshot().snapshot_id == before
    assert data_files_on_disk(t) == files
    assert t.to_arrow().sort_by("id").equals(rows())
