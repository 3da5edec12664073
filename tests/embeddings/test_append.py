"""What appends accept as vectors (fixed-size lists, lists, numpy 2-D, pandas, float64)
and what they refuse (wrong dimension, null, NaN, infinity): refused appends commit
nothing and leave no data file behind."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import tablefmt as tf
from tests.embeddings._data import make_table, vector_column

DIM = 4


def _vectors(n: int, dtype: type = np.float32) -> np.ndarray:
    return np.arange(n * DIM, dtype=dtype).reshape(n, DIM) / 10


def _inputs() -> dict[str, object]:
    x = _vectors(3)
    ids = pa.array([1, 2, 3], pa.int64())
    grp = pa.array([0, 1, 0], pa.int64())
    lists = pa.array(x.tolist(), pa.list_(pa.float32()))
    return {
        "fixed_size_list": pa.table({"id": ids, "grp": grp, "embedding": vector_column(x)}),
        "list": pa.table({"id": ids, "grp": grp, "embedding": lists}),
        "large_list_float64": pa.table({"id": ids, "grp": grp, "embedding": pa.array(
            x.astype(np.float64).tolist(), pa.large_list(pa.float64()))}),
        "numpy_2d_in_dict": {"id": [1, 2, 3], "grp": [0, 1, 0], "embedding": x},
        "numpy_float64_in_dict": {"id": [1, 2, 3], "grp": [0, 1, 0],
                                  "embedding": x.astype(np.float64)},
        "pandas": pd.DataFrame({"id": [1, 2, 3], "grp": [0, 1, 0], "embedding": list(x)}),
        "reader": pa.RecordBatchReader.from_batches(
            pa.schema([("id", pa.int64()), ("grp", pa.int64()),
                       ("embedding", pa.list_(pa.float32()))]),
            pa.table({"id": ids, "grp": grp, "embedding": lists}).to_batches(max_chunksize=2)),
    }


@pytest.mark.parametrize("kind", sorted(_inputs()))
def test_append_accepts_every_vector_form_and_reads_back_fixed_size_float32(local_cat,
                                                                           kind) -> None:
    emb = make_table(local_cat, dim=DIM)
    emb.append(_inputs()[kind])
    got = emb.to_arrow().sort_by("id")
    assert got.schema.field("embedding").type == pa.list_(
        pa.field("element", pa.float32(), nullable=False), DIM)
    assert np.array_equal(got.column("embedding").combine_chunks().flatten().to_numpy()
                          .reshape(-1, DIM), _vectors(3).astype(np.float32))


def _bad(rows: list[list[float]]) -> pa.Table:
    n = len(rows)
    return pa.table({"id": list(range(n)), "grp": [0] * n,
                     "embedding": pa.array(rows, pa.list_(pa.float64()))})


@pytest.mark.parametrize(("rows", "message"), [
    ([[1, 2, 3, 4], [1, 2, 3]], "row 1 has 3 values, expected 4"),
    ([[1, 2, 3, 4], [1, 2, 3, 4, 5]], "row 1 has 5 values"),
    ([[1, 2, 3, 4], [1, float("nan"), 3, 4]], "row 1 has NaN or infinity"),
    ([[1, 2, float("inf"), 4]], "row 0 has NaN or infinity"),
    ([[1, 2, 3, 4], [1, 2, 3, -float("inf")]], "row 1 has NaN or infinity"),
    ([[1, 2, 3, 1e300]], "beyond float32"),
    ([[1, 2, None, 4]], "row 0 has a null value"),
])
def test_bad_vectors_raise_validation_error_and_commit_nothing(local_cat, rows, message) -> None:
    emb = make_table(local_cat, dim=DIM)
    emb.append({"id": [9], "grp": [0], "embedding": np.ones((1, DIM))})
    before = emb.current_snapshot()
    with pytest.raises(tf.ValidationError, match=message):
        emb.append(_bad(rows))
    emb.refresh()
    assert emb.current_snapshot() == before and emb.to_arrow().num_rows == 1
    assert len(list(emb.io.list(f"{emb.location}/data"))) == 1


def test_a_bad_batch_late_in_a_stream_commits_nothing(local_cat) -> None:
    emb = make_table(local_cat, dim=DIM)
    good = pa.table({"id": [1], "grp": [0], "embedding": vector_column(_vectors(1))})
    bad = pa.table({"id": [2], "grp": [0], "embedding": vector_column(
        np.full((1, DIM), np.nan, dtype=np.float32))})
    reader = pa.RecordBatchReader.from_batches(good.schema, [*good.to_batches(), *bad.to_batches()])
    with pytest.raises(tf.ValidationError, match="NaN"):
        emb.append(reader)
    assert emb.refresh().current_snapshot() is None
    assert not list(emb.io.list(f"{emb.location}/data"))


def test_null_vectors_and_non_numeric_vectors_are_refused(local_cat) -> None:
    emb = make_table(local_cat, dim=DIM)
    with pytest.raises(tf.ValidationError, match="row 1 is null"):
        emb.append(pa.table({"id": [1, 2], "grp": [0, 0],
                             "embedding": pa.array([[1, 2, 3, 4], None], pa.list_(pa.float32()))}))
    with pytest.raises(tf.ValidationError, match="must hold lists of numbers"):
        emb.append(pa.table({"id": [1], "grp": [0], "embedding": ["not a vector"]}))
    with pytest.raises(tf.ValidationError, match="3-D"):
        emb.append({"id": [1], "grp": [0], "embedding": np.zeros((1, 2, 2))})
    assert emb.refresh().current_snapshot() is None


def test_missing_vector_column_is_a_schema_mismatch(local_cat) -> None:
    emb = make_table(local_cat, dim=DIM)
    with pytest.raises(tf.SchemaMismatchError, match="embedding"):
        emb.append(pa.table({"id": [1], "grp": [0]}))


def test_overwrite_merge_and_transactions_validate_vectors_too(local_cat) -> None:
    emb = make_table(local_cat, dim=DIM)
    emb.append({"id": [1, 2], "grp": [0, 1], "embedding": _vectors(2)})
    nan = {"id": [3], "grp": [0], "embedding": np.full((1, DIM), np.nan)}
    with pytest.raises(tf.ValidationError, match="NaN"):
        emb.overwrite(nan)
    with pytest.raises(tf.ValidationError, match="NaN"):
        emb.merge(pa.table(nan | {"embedding": vector_column(np.full((1, DIM), np.nan,
                                                                     dtype=np.float32))}),
                  on="id").when_not_matched_insert_all().execute()
    with pytest.raises(tf.ValidationError, match="NaN"), emb.transaction() as tx:
        tx.append(nan)
    with pytest.raises(tf.ValidationError, match="cannot be set by update"):
        emb.update("id = 1", set={"embedding": "NULL"})
    assert emb.refresh().to_arrow().num_rows == 2 and len(emb.snapshots()) == 1
    emb.merge({"id": [2, 5], "grp": [1, 1], "embedding": _vectors(2, np.float64)},
              on="id").when_matched_update_all().when_not_matched_insert_all().execute()
    assert sorted(emb.to_arrow().column("id").to_pylist()) == [1, 2, 5]
