"""Exact search: equal to a numpy brute force for each metric, filtered (with pruning
before any vector is read), after deletes, at older snapshots, and its bad inputs."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

import tablefmt as tf
from tablefmt.embeddings.files import FileReader
from tests.embeddings._data import brute_force, clustered, ids_per_query, make_table, rows_table

DIM = 16


@pytest.fixture
def data() -> tuple[np.ndarray, np.ndarray]:
    return clustered(600, DIM, clusters=5, queries=7, seed=3)


@pytest.mark.parametrize("metric", ["l2", "cosine", "dot"])
def test_exact_search_equals_numpy_brute_force(local_cat, data, metric) -> None:
    x, q = data
    emb = make_table(local_cat, dim=DIM, metric=metric)
    emb.append(rows_table(x[:250]))
    emb.append(rows_table(x[250:], start=250))  # two files
    want_ids, want_d = brute_force(x, q, 10, metric)
    for i in range(len(q)):
        got = emb.search(q[i], k=10)
        assert got.column("id").to_pylist() == want_ids[i].tolist()
        np.testing.assert_allclose(got.column("_distance").to_numpy(), want_d[i], rtol=1e-4,
                                   atol=1e-3)
        stored = got.column("embedding").combine_chunks().flatten().to_numpy().reshape(-1, DIM)
        assert np.array_equal(stored, x[want_ids[i]])
    batch = emb.search_batch(q, k=10)
    assert ids_per_query(batch, len(q)) == want_ids.tolist()
    assert batch.column_names == ["id", "grp", "embedding", "_distance", "_query"]


def test_search_returns_every_row_when_k_exceeds_the_table(local_cat, data) -> None:
    x, q = data
    emb = make_table(local_cat, dim=DIM)
    emb.append(rows_table(x[:5]))
    got = emb.search(q[0], k=50)
    assert sorted(got.column("id").to_pylist()) == [0, 1, 2, 3, 4]
    assert np.all(np.diff(got.column("_distance").to_numpy()) >= 0)


def test_search_of_an_empty_table_returns_no_rows(local_cat) -> None:
    emb = make_table(local_cat, dim=DIM)
    got = emb.search(np.ones(DIM), k=3)
    assert got.num_rows == 0 and got.column_names == ["id", "grp", "embedding", "_distance"]


def test_filtered_search_returns_only_matching_rows_and_still_k(local_cat, data) -> None:
    x, q = data
    emb = make_table(local_cat, dim=DIM, partition_by=["grp"])
    emb.append(rows_table(x, groups=4))
    grp = np.arange(len(x)) % 4
    for where in ("grp = 2", tf.col("grp").is_in([1, 3]), "id >= 500", "grp = 1 AND id < 40"):
        mask = {"grp = 2": grp == 2, "id >= 500": np.arange(len(x)) >= 500,
                "grp = 1 AND id < 40": (grp == 1) & (np.arange(len(x)) < 40)}.get(
            where if isinstance(where, str) else "", np.isin(grp, [1, 3]))
        rows = np.flatnonzero(mask)
        want, _ = brute_force(x[rows], q[:1], 10, "l2")
        got = emb.search(q[0], k=10, where=where)
        assert got.num_rows == 10
        assert got.column("id").to_pylist() == rows[want[0]].tolist()


def test_partition_pruning_happens_before_any_vector_is_read(local_cat, data,
                                                             monkeypatch) -> None:
    x, q = data
    emb = make_table(local_cat, dim=DIM, partition_by=["grp"])
    emb.append(rows_table(x, groups=4))
    read: list[str] = []
    original = FileReader.blocks

    def spy(self, task, rows=1 << 30):  # type: ignore[no-untyped-def]
        read.append(task.partition["grp"])
        return original(self, task, rows)

    monkeypatch.setattr(FileReader, "blocks", spy)
    emb.search(q[0], k=3, where="grp = 2")
    assert read == [2]


def test_search_after_deletes_never_returns_deleted_rows(local_cat, data) -> None:
    x, q = data
    emb = make_table(local_cat, dim=DIM)
    emb.append(rows_table(x))
    nearest = emb.search(q[0], k=10).column("id").to_pylist()
    emb.delete(tf.col("id").is_in(nearest[:5]))
    keep = np.setdiff1d(np.arange(len(x)), nearest[:5])
    want, _ = brute_force(x[keep], q[:1], 10, "l2")
    got = emb.search(q[0], k=10).column("id").to_pylist()
    assert got == keep[want[0]].tolist() and not set(got) & set(nearest[:5])


def test_search_at_an_older_snapshot_equals_brute_force_over_its_rows(local_cat, data) -> None:
    x, q = data
    emb = make_table(local_cat, dim=DIM)
    first = emb.append(rows_table(x[:300]))
    emb.append(rows_table(x[300:], start=300))
    emb.delete("id < 100")
    emb.create_tag("v1", first.snapshot_id)
    want, _ = brute_force(x[:300], q, 10, "l2")
    for kwargs in ({"snapshot_id": first.snapshot_id}, {"ref": "v1"},
                   {"as_of": first.timestamp}):
        got = emb.search_batch(q, k=10, **kwargs)
        assert ids_per_query(got, len(q)) == want.tolist()
    now_rows = np.arange(100, len(x))
    want_now, _ = brute_force(x[now_rows], q, 10, "l2")
    assert ids_per_query(emb.search_batch(q, k=10), len(q)) == now_rows[want_now].tolist()


def test_search_can_select_columns(local_cat, data) -> None:
    x, q = data
    emb = make_table(local_cat, dim=DIM)
    emb.append(rows_table(x))
    got = emb.search(q[0], k=2, columns=["id"])
    assert got.column_names == ["id", "_distance"]
    with pytest.raises(tf.ValidationError, match="no column"):
        emb.search(q[0], k=2, columns=["nope"])


@pytest.mark.parametrize(("call", "message"), [
    (lambda e, q: e.search(q, k=0), "k must be a positive integer"),
    (lambda e, q: e.search(q, k=-3), "k must be a positive integer"),
    (lambda e, q: e.search(q, k=True), "k must be a positive integer"),
    (lambda e, q: e.search(q[:-1], k=3), r"shape \(16,\)"),
    (lambda e, q: e.search(np.stack([q, q]), k=3), r"shape \(16,\)"),
    (lambda e, q: e.search_batch(q, k=3), r"shape \(n, 16\)"),
    (lambda e, q: e.search_batch(np.zeros((0, DIM)), k=3), r"shape \(n, 16\)"),
    (lambda e, q: e.search(np.full(DIM, np.nan), k=3), "NaN or infinity"),
    (lambda e, q: e.search(["a"] * DIM, k=3), "not a vector of numbers"),
    (lambda e, q: e.search(q, k=3, nprobes=0), "nprobes must be an integer >= 1"),
    (lambda e, q: e.search(q, k=3, refine_factor=-1), "refine_factor must be"),
    (lambda e, q: e.search(q, k=3, snapshot_id=1, ref="main"), "at most one"),
])
def test_bad_search_arguments_raise_validation_error(local_cat, data, call, message) -> None:
    x, q = data
    emb = make_table(local_cat, dim=DIM)
    emb.append(rows_table(x[:20]))
    with pytest.raises(tf.ValidationError, match=message):
        call(emb, q[0])


def test_a_filter_on_the_vector_column_is_a_filter_error(local_cat, data) -> None:
    x, q = data
    emb = make_table(local_cat, dim=DIM)
    emb.append(rows_table(x[:20]))
    with pytest.raises(tf.FilterError, match="list column"):
        emb.search(q[0], k=3, where="embedding IS NULL")


def test_cosine_search_refuses_a_zero_query_and_ranks_zero_rows_at_distance_one(local_cat) -> None:
    emb = make_table(local_cat, dim=2, metric="cosine")
    emb.append({"id": [1, 2], "grp": [0, 0], "embedding": np.array([[0, 0], [1, 0]], np.float32)})
    with pytest.raises(tf.ValidationError, match="zero query"):
        emb.search([0, 0], k=1)
    got = emb.search([0, 1], k=2)
    assert got.column("_distance").to_pylist() == [1.0, 1.0]


def test_search_streams_files_too_big_for_the_cache(local_cat, data) -> None:
    from tablefmt.embeddings import set_cache_limit
    from tablefmt.embeddings.cache import CACHE, LIMIT_DEFAULT

    x, q = data
    emb = make_table(local_cat, dim=DIM)
    emb.append(rows_table(x))
    want, _ = brute_force(x, q, 5, "l2")
    set_cache_limit(0)
    try:
        assert ids_per_query(emb.search_batch(q, k=5), len(q)) == want.tolist()
        assert CACHE.used == 0
    finally:
        set_cache_limit(LIMIT_DEFAULT)


def test_result_schema_is_arrow_with_fixed_size_vectors(local_cat, data) -> None:
    x, q = data
    emb = make_table(local_cat, dim=DIM)
    emb.append(rows_table(x[:10]))
    got = emb.search(q[0], k=3)
    assert got.schema.field("embedding").type == pa.list_(
        pa.field("element", pa.float32(), nullable=False), DIM)
    assert got.schema.field("_distance").type == pa.float32()
