"""Compaction copies the pages of columns without a dictionary from the small files into the
new one (`write/stitch.py`) and re-encodes only dictionary columns: every reader reads the
same rows, the new footer's statistics are the sources' merged, and files that do not fit
go through the ordinary rewrite."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

import tablefmt as tf
from tablefmt.transaction import fileset
from tablefmt.write.stitch import stitch_files

SCHEMA = pa.schema([
    pa.field("id", pa.int64(), nullable=False),
    pa.field("kind", pa.string()),            # few values: dictionary, re-encoded
    pa.field("name", pa.string()),            # unique: pages copied
    pa.field("x", pa.float64()),              # unique, some NaN: pages copied
    pa.field("n", pa.int32()),                # unique, some nulls: pages copied
    pa.field("at", pa.timestamp("us", tz="UTC")),
])


def batch(start: int, rows: int, *, nulls: bool = True) -> pa.Table:
    ids = np.arange(start, start + rows, dtype=np.int64)
    rng = np.random.default_rng(start)
    x = rng.normal(size=rows) * 1000
    x[::97] = np.nan
    return pa.table({
        "id": ids,
        "kind": [f"k{i % 4}" for i in ids.tolist()],
        "name": [f"name-{i:07d}-{'z' * (i % 13)}" for i in ids.tolist()],
        "x": x,
        "n": pa.array([None if nulls and i % 50 == 7 else int(i) * 3 for i in ids.tolist()],
                      pa.int32()),
        "at": pa.array(ids * 1_000_000 + 1_700_000_000_000_000, pa.timestamp("us", tz="UTC")),
    }, schema=SCHEMA)


@pytest.fixture
def stitched(outcomes) -> list[bool]:
    """Whether each `stitch_files` call of the operation wrote a file."""
    return outcomes(fileset, "stitch_files")


def appended(cat: tf.Catalog, parts: list[pa.Table], **props: str) -> tf.Table:
    t = cat.create_table("db.s", SCHEMA, properties=props)
    for part in parts:
        t.append(part)
    return t


def live(t: tf.Table) -> list[Any]:
    return sorted((task.data_file for task in t.scan().plan_files()),
                  key=lambda f: f.file_path)


def local(path: str) -> str:
    return path.removeprefix("file://")


def same(got: pa.Table, want: pa.Table) -> bool:
    """Equal rows, NaN equal to NaN."""
    def norm(t: pa.Table) -> list[Any]:
        return [["NaN" if isinstance(v, float) and math.isnan(v) else v
                 for v in t.column(name).to_pylist()] for name in SCHEMA.names]
    return got.num_rows == want.num_rows and norm(got) == norm(want)


@pytest.mark.interop
def test_pages_are_copied_and_every_reader_reads_the_same_rows(
        local_cat, stitched, pyiceberg_catalog, duck) -> None:
    parts = [batch(i * 1500, 1500) for i in range(8)]
    t = appended(local_cat, parts)
    want = pa.concat_tables(parts)
    t.compact()
    assert stitched == [True]
    (f,) = live(t)
    path = local(f.file_path)
    encodings = [set(c.encodings) for c in
                 (pq.read_metadata(path).row_group(0).column(j) for j in range(6))]
    assert "RLE_DICTIONARY" in encodings[1]              # kind: re-encoded
    assert "DELTA_LENGTH_BYTE_ARRAY" in encodings[2]     # name: the sources' pages

    assert same(t.to_arrow().sort_by("id"), want)
    assert same(pq.read_table(path).sort_by("id"), want)
    assert same(pyiceberg_catalog.load_table("db.s").scan().to_arrow().sort_by("id"), want)
    assert same(pa.table(duck.sql(f"SELECT * FROM iceberg_scan('{t.metadata_location}') "
                                  "ORDER BY id").arrow()), want)


def test_statistics_and_metrics_are_the_sources_merged(local_cat, stitched) -> None:
    parts = [batch(i * 1200, 1200) for i in range(6)]
    t = appended(local_cat, parts)
    sources = live(t)
    t.compact()
    assert stitched == [True]
    (f,) = live(t)
    want = pa.concat_tables(parts)
    meta = pq.read_metadata(local(f.file_path)).row_group(0)
    for j, name in enumerate(SCHEMA.names):
        stats = meta.column(j).statistics
        values = [v for v in want.column(name).to_pylist()
                  if v is not None and not (isinstance(v, float) and math.isnan(v))]
        assert (stats.min, stats.max) == (min(values), max(values)), name
        assert stats.null_count == want.column(name).null_count, name
        assert meta.column(j).num_values == want.num_rows, name
    assert f.record_count == want.num_rows
    assert f.null_value_counts[5] == want.column("n").null_count
    assert f.nan_value_counts[4] == sum(s.nan_value_counts[4] for s in sources) == \
        pc.sum(pc.is_nan(want["x"])).as_py()
    assert f.lower_bounds[3] == min(want["name"].to_pylist()).encode()[:16]


def test_row_groups_follow_the_row_group_limit(local_cat, stitched) -> None:
    parts = [batch(i * 1100, 1100) for i in range(10)]
    t = appended(local_cat, parts, **{"write.parquet.row-group-limit": "3000"})
    t.compact()
    assert stitched == [True]
    (f,) = live(t)
    meta = pq.read_metadata(local(f.file_path))
    sizes = [meta.row_group(g).num_rows for g in range(meta.num_row_groups)]
    assert sizes == [2200] * 5  # whole source row groups, at most 3,000 rows
    assert same(t.to_arrow().sort_by("id"), pa.concat_tables(parts))


@pytest.mark.parametrize("case", ["required here, optional there", "sorted table",
                                  "tiny files"])
def test_files_that_do_not_fit_are_rewritten_the_ordinary_way(local_cat, stitched,
                                                              case: str) -> None:
    parts = [batch(i * 1200, 1200) for i in range(6)]
    if case == "required here, optional there":
        parts[2] = batch(2400, 1200, nulls=False)  # n stored required in that file only
        t = appended(local_cat, parts)
    elif case == "tiny files":  # 100-row pages are better re-encoded than copied
        parts = [batch(i * 100, 100) for i in range(6)]
        t = appended(local_cat, parts)
    else:
        t = local_cat.create_table("db.s", SCHEMA, sort_by=["name"])
        for part in parts:
            t.append(part)
    t.compact()
    assert True not in stitched
    assert same(t.to_arrow().sort_by("id"), pa.concat_tables(parts))
    assert len(live(t)) == 1


def test_another_codec_leaves_nothing_to_copy(local_cat, tmp_path) -> None:
    t = appended(local_cat, [batch(0, 1300), batch(1300, 1300)])
    paths = [f.file_path for f in live(t)]
    out = str(tmp_path / "out.parquet")
    assert stitch_files(t.io, paths, out, t.schema, "gzip", 1_000_000, []) is None
    assert not (tmp_path / "out.parquet").exists()
    done = stitch_files(t.io, paths, out, t.schema, "zstd", 1_000_000, [])
    assert done is not None and done.footer.num_rows == 2600


def test_a_column_with_a_dictionary_in_some_files_is_re_encoded(local_cat, stitched) -> None:
    parts = [batch(i * 1200, 1200) for i in range(4)]
    parts[1] = parts[1].set_column(2, "name", pa.array(["same"] * 1200))  # dictionary there
    t = appended(local_cat, parts)
    t.compact()
    assert stitched == [True]
    assert same(t.to_arrow().sort_by("id"), pa.concat_tables(parts))


def test_stitching_on_every_catalog_and_storage(cat, stitched) -> None:
    """Local folders read the sources in turn, S3 (moto) 8 at a time."""
    parts = [batch(i * 1100, 1100) for i in range(5)]
    t = appended(cat, parts)
    t.compact()
    assert stitched == [True]
    assert len(live(t)) == 1
    assert same(t.to_arrow().sort_by("id"), pa.concat_tables(parts))


def test_a_chunk_without_bounds_leaves_the_merged_chunk_without_bounds(local_cat,
                                                                       tmp_path) -> None:
    """A 5,000-byte value makes pyarrow leave out that chunk's min/max; merging the other
    chunk's bounds would claim a max below it, and readers would prune the row away.
    (pyarrow's Statistics.num_values counts non-null values: here fewer than the nulls.)"""
    long = "z" * 5_000
    schema = pa.schema([pa.field("id", pa.int64(), nullable=False), ("s", pa.string())])
    first = pa.table({"id": range(1200), "s": [long if i == 7 else (None if i % 5 < 3 else
                                                                      f"m-{i:05d}")
                                               for i in range(1200)]}, schema=schema)
    second = pa.table({"id": range(1200, 2400),
                       "s": [None if i == 1300 else f"a-{i:05d}" for i in range(1200, 2400)]},
                      schema=schema)
    t = local_cat.create_table("db.b", schema)
    paths = []
    for k, part in enumerate((first, second)):
        paths.append(str(tmp_path / f"{k}.parquet"))
        pq.write_table(part, paths[-1], compression="zstd", use_dictionary=False,
                       column_encoding={"id": "DELTA_BINARY_PACKED",
                                        "s": "DELTA_LENGTH_BYTE_ARRAY"})
    assert not pq.read_metadata(paths[0]).row_group(0).column(1).statistics.has_min_max
    out = str(tmp_path / "out.parquet")
    done = stitch_files(t.io, paths, out, t.schema, "zstd", 1_000_000, [])
    assert done is not None
    stats = pq.read_metadata(out).row_group(0).column(1).statistics
    assert not stats.has_min_max
    assert stats.null_count == first["s"].null_count + second["s"].null_count
    got = pq.read_table(out, filters=[("s", "=", long)])
    assert got.column("id").to_pylist() == [7]
    assert pq.read_table(out).to_pylist() == pa.concat_tables([first, second]).to_pylist()


def test_a_column_with_a_dictionary_in_one_row_group_only(local_cat, stitched) -> None:
    """Each output row group decides how it reads a re-encoded column (dictionary or not);
    the row groups need not agree."""
    schema = pa.schema([pa.field("id", pa.int64(), nullable=False),
                        pa.field("k", pa.string(), nullable=False)])
    few = pa.table({"id": range(2000), "k": [f"k{i % 3}" for i in range(2000)]}, schema=schema)
    unique = pa.table({"id": range(2000, 4000), "k": [f"u{i}" for i in range(2000, 4000)]},
                      schema=schema)
    t = local_cat.create_table("db.d", schema,
                               properties={"write.parquet.row-group-limit": "2000"})
    t.append(few)
    t.append(unique)
    t.compact()
    assert stitched == [True]
    assert t.to_arrow().sort_by("id").to_pylist() == pa.concat_tables([few, unique]).to_pylist()


def test_nan_counts_of_a_re_encoded_float_column_come_from_its_data(local_cat,
                                                                     stitched) -> None:
    schema = pa.schema([pa.field("id", pa.int64(), nullable=False), ("r", pa.float64())])
    parts = [pa.table({"id": range(i * 1500, (i + 1) * 1500),
                       "r": [math.nan if j % 7 == 0 else float(j % 3) for j in range(1500)]},
                      schema=schema) for i in range(3)]  # 4 values: dictionary-encoded
    t = local_cat.create_table("db.n", schema,  # three row groups: counts add up
                               properties={"write.parquet.row-group-limit": "1500"})
    for part in parts:
        t.append(part)
    t.compact()
    assert stitched == [True]
    (f,) = live(t)
    assert "RLE_DICTIONARY" in pq.read_metadata(local(f.file_path)).row_group(0).column(1).encodings
    assert f.nan_value_counts[2] == 3 * sum(1 for j in range(1500) if j % 7 == 0)
