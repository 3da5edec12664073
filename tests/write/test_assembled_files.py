"""Data files with a required unique-string column are assembled by tablefmt: that column is
encoded DELTA_LENGTH_BYTE_ARRAY by `write/dlba.py`, the others by pyarrow
(`write/assembled.py`). pyarrow, DuckDB and PyIceberg read what it writes exactly, the
footer's statistics are the data's, and files without such a column (or with a codec
`dlba` does not write) are pyarrow's throughout."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tablefmt as tf
from tablefmt.metadata.data_file import DataFile
from tablefmt.write import assembled, dlba, writer

SCHEMA = pa.schema([
    pa.field("id", pa.int64(), nullable=False),
    pa.field("kind", pa.string()),     # 3 values: dictionary
    pa.field("text", pa.string()),     # unique: DELTA_LENGTH_BYTE_ARRAY
    pa.field("blob", pa.binary()),     # unique: DELTA_LENGTH_BYTE_ARRAY
])


def table_of(texts: list[str]) -> pa.Table:
    n = len(texts)
    return pa.table({
        "id": np.arange(n, dtype=np.int64),
        "kind": [f"k{i % 3}" for i in range(n)],
        "text": texts,
        "blob": [i.to_bytes(4, "big") + t.encode() for i, t in enumerate(texts)],
    }, schema=SCHEMA)


def unique_texts(n: int, seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    return [f"{i:06d}-" + "x" * int(k) for i, k in enumerate(rng.integers(0, 60, n))]


def only_file(t: tf.Table) -> DataFile:
    (f,) = [task.data_file for task in t.scan().plan_files()]
    return f


def local(path: str) -> str:
    return path.removeprefix("file://")


@pytest.fixture
def writers(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The kind of writer (AssembledWriter or pyarrow's) of each data file written."""
    kinds: list[str] = []

    def spy(*args: Any, **kwargs: Any) -> Any:
        w = assembled.open_writer(*args, **kwargs)
        kinds.append(type(w).__name__)
        return w

    monkeypatch.setattr(writer, "open_writer", spy)
    return kinds


@pytest.mark.interop
def test_a_delete_writes_unique_strings_itself_and_every_reader_agrees(
        local_cat, writers, duck, pyiceberg_catalog) -> None:
    data = table_of(unique_texts(50_000))
    t = local_cat.create_table("db.f", SCHEMA)
    t.append(data)
    t.delete("kind = 'k1' or id < 100")
    assert writers == ["AssembledWriter", "AssembledWriter"]

    keep = pc.invert(pc.or_(pc.equal(data["kind"], "k1"), pc.less(data["id"], 100)))
    want = data.filter(keep)
    f = only_file(t)
    path = local(f.file_path)
    assert pq.read_table(path).equals(want.cast(pq.read_schema(path)))
    assert t.to_arrow().sort_by("id").equals(want)
    duck_rows = duck.sql(f"SELECT * FROM read_parquet('{path}') ORDER BY id").arrow()
    assert pa.table(duck_rows).to_pylist() == want.to_pylist()
    duck_rows = duck.sql(f"SELECT * FROM iceberg_scan('{t.metadata_location}') ORDER BY id")
    assert pa.table(duck_rows.arrow()).to_pylist() == want.to_pylist()
    theirs = pyiceberg_catalog.load_table("db.f").scan().to_arrow().sort_by("id")
    assert theirs.to_pylist() == want.to_pylist()

    meta = pq.read_metadata(path)
    assert meta.num_rows == f.record_count == want.num_rows
    assert f.file_size_in_bytes == Path(path).stat().st_size
    assert b"ARROW:schema" in meta.metadata  # the table's Arrow schema, as always
    for name in ("text", "blob"):
        col = meta.row_group(0).column(SCHEMA.get_field_index(name))
        assert "DELTA_LENGTH_BYTE_ARRAY" in col.encodings
        values = want.column(name).to_pylist()
        assert (col.statistics.min, col.statistics.max) == (min(values), max(values))
        assert col.statistics.null_count == 0
        assert col.num_values == want.num_rows
    # Manifest bounds (truncated to 16 characters) come from that footer.
    text_id = 3
    assert f.lower_bounds[text_id] == min(want["text"].to_pylist()).encode()[:16]


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.text(max_size=40), min_size=2, max_size=300, unique=True),
       seed=st.integers(0, 2**32 - 1),
       codec=st.sampled_from(["zstd", "snappy", "gzip", "uncompressed"]))
def test_any_strings_any_rows_any_codec(tmp_path_factory, texts: list[str], seed: int,
                                        codec: str) -> None:
    cat = tf.connect(str(tmp_path_factory.mktemp("w")))
    cat.create_namespace("db")
    t = cat.create_table("db.f", SCHEMA,
                         properties={"write.parquet.compression-codec": codec,
                                     "write.parquet.row-group-limit": "50"})
    data = table_of(texts)
    t.append(data)
    keep = np.random.default_rng(seed).random(len(texts)) < 0.7
    gone = np.nonzero(~keep)[0].tolist()
    if gone:
        t.delete(f"id in ({', '.join(map(str, gone))})")
    kept = data.filter(pa.array(keep))
    got = t.to_arrow().sort_by("id")
    assert got.to_pylist() == kept.to_pylist()
    for task in t.scan().plan_files():
        meta = pq.read_metadata(local(task.file_path))
        for g in range(meta.num_row_groups):
            assert meta.row_group(g).column(2).compression.lower() == codec
            assert meta.row_group(g).num_rows <= 50
        assert meta.num_rows == pq.read_table(local(task.file_path)).num_rows


def test_big_values_split_pages_and_long_ones_get_no_statistics(local_cat) -> None:
    big = ["a" * 600_000 + f"{i:03d}" for i in range(9)]  # ~1 MiB pages: 2 values each
    data = table_of(big + unique_texts(20, seed=3))
    t = local_cat.create_table("db.f", SCHEMA)
    t.append(data)
    t.delete("id = 1")
    path = local(only_file(t).file_path)
    want = data.filter(pc.not_equal(data["id"], 1))
    assert pq.read_table(path).to_pylist() == want.to_pylist()
    text = pq.read_metadata(path).row_group(0).column(2)
    assert not text.statistics.has_min_max  # over 4 KiB, as pyarrow leaves them out
    assert text.statistics.null_count == 0
    chunk = dlba.encode_chunk(want["text"], "text", "zstd")
    pages = chunk.meta.get_list(13)[0].get_int(3)  # encoding_stats: data page count
    assert pages >= 5


def test_chunk_bytes_do_not_depend_on_layout() -> None:
    values = pa.array(unique_texts(45_000, seed=5))
    ref = dlba.encode_chunk(values, "c", "zstd")
    sliced = pa.concat_arrays([pa.array(["pad"] * 7), values]).slice(7)
    for other in (values.cast(pa.large_string()), sliced,
                  pa.array(values.to_pylist(), pa.binary())):
        got = dlba.encode_chunk(other, "c", "zstd")
        assert [bytes(p) for p in got.pieces] == [bytes(p) for p in ref.pieces]
    split = pa.chunked_array([values.slice(0, 20_000), values.slice(20_000)])
    assert b"".join(bytes(p) for p in dlba.encode_chunk(split, "c", "zstd").pieces) == \
        b"".join(bytes(p) for p in ref.pieces)  # pages of 20,000 either way


def test_many_small_chunks_make_full_pages_and_nulls_are_refused() -> None:
    values = pa.array(unique_texts(65_000, seed=7))
    pieces = pa.chunked_array([values.slice(i, 65) for i in range(0, 65_000, 65)])
    chunk = dlba.encode_chunk(pieces, "c", "zstd")  # a partition's slices, joined
    assert chunk.meta.get_list(13)[0].get_int(3) == 4  # 20,000-value pages, not 1,000
    assert [bytes(p) for p in chunk.pieces] == \
        [bytes(p) for p in dlba.encode_chunk(values, "c", "zstd").pieces]
    with pytest.raises(ValueError, match="nulls"):
        dlba.encode_chunk(pa.array(["a", None]), "c", "zstd")


@pytest.mark.parametrize("case", ["nulls", "brotli", "no unique column", "only unique",
                                  "nested column"])
def test_files_without_such_a_column_are_pyarrows(local_cat, writers, case: str) -> None:
    data = table_of(unique_texts(3_000))
    props: dict[str, str] = {}
    if case == "nulls":  # optional in the file: definition levels, pyarrow's encoder
        data = data.set_column(2, "text", pa.array(
            [None if i % 10 == 0 else v for i, v in enumerate(data["text"].to_pylist())]))
        data = data.set_column(3, "blob", pa.array([b"same"] * data.num_rows, pa.binary()))
    elif case == "brotli":
        props["write.parquet.compression-codec"] = "brotli"
    elif case == "no unique column":
        data = data.set_column(2, "text", pa.array(["t"] * data.num_rows))
        data = data.set_column(3, "blob", pa.array([b"b"] * data.num_rows, pa.binary()))
    elif case == "only unique":
        data = data.select(["text", "blob"])
    else:
        data = data.append_column("tags", pa.array([[i % 3] for i in range(data.num_rows)]))
    t = local_cat.create_table("db.f", data.schema, properties=props)
    t.append(data)
    doomed = sorted(v for v in data["text"].to_pylist() if v is not None)[:5]
    t.delete(f"text in ({', '.join(repr(v) for v in doomed)})")
    assert writers and set(writers) == {"_PyarrowWriter"}
    want = data.filter(pc.invert(pc.fill_null(pc.is_in(data["text"], pa.array(doomed)), False)))
    assert t.to_arrow().sort_by("text").to_pylist() == want.sort_by("text").to_pylist()
