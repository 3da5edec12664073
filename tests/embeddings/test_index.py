"""Vector indexes: recall with the defaults, versioning with snapshots (rows appended
after a build are found, rows deleted after it are not, older snapshots use older
indexes), optimize_index, filters, storage, and bad arguments."""

from __future__ import annotations

import numpy as np
import pytest

import tablefmt as tf
from tablefmt.embeddings.build import default_nlist, default_nprobes
from tablefmt.embeddings.config import INDEXES
from tests.embeddings._data import (
    brute_force,
    clustered,
    ids_per_query,
    make_table,
    recall,
    rows_table,
)


@pytest.fixture(scope="module")
def big() -> tuple[np.ndarray, np.ndarray]:
    return clustered(20_000, 128, clusters=100, queries=100, seed=7)


@pytest.fixture
def small() -> tuple[np.ndarray, np.ndarray]:
    return clustered(2_000, 16, clusters=10, queries=10, seed=11)


@pytest.mark.parametrize("metric", ["l2", "cosine", "dot"])
def test_default_index_reaches_recall_95_with_default_search_params(local_cat, big,
                                                                    metric) -> None:
    x, q = big
    emb = make_table(local_cat, dim=128, metric=metric)
    emb.append(rows_table(x))
    entry = emb.create_index()
    assert entry.kind == "ivf_flat" and entry.params["nlist"] == default_nlist(len(x)) == 256
    assert entry.params["nprobes"] == default_nprobes(256)
    truth, _ = brute_force(x, q, 10, metric)
    got = ids_per_query(emb.search_batch(q, k=10), len(q))
    assert recall(got, truth) >= 0.95
    singles = [emb.search(q[i], k=10).column("id").to_pylist() for i in range(10)]
    assert singles == got[:10]


def test_ivf_pq_reranks_candidates_exactly(local_cat, big) -> None:
    x, q = big
    emb = make_table(local_cat, dim=128, metric="l2")
    emb.append(rows_table(x))
    entry = emb.create_index("ivf_pq", nlist=64, subvectors=16)
    assert entry.params["refine_factor"] == 10
    truth, _ = brute_force(x, q, 10, "l2")
    refined = emb.search_batch(q, k=10)
    assert recall(ids_per_query(refined, len(q)), truth) >= 0.9
    vectors = refined.column("embedding").combine_chunks().flatten().to_numpy().reshape(-1, 128)
    exact_d = ((vectors - q[refined.column("_query").to_numpy()]) ** 2).sum(axis=1)
    np.testing.assert_allclose(refined.column("_distance").to_numpy(), exact_d, rtol=1e-3)
    raw = emb.search_batch(q, k=10, refine_factor=0)
    assert raw.num_rows == 10 * len(q)
    assert recall(ids_per_query(raw, len(q)), truth) < recall(ids_per_query(refined, len(q)), truth)


def test_probing_every_list_equals_exact_search(local_cat, small) -> None:
    x, q = small
    for metric in ("l2", "cosine", "dot"):
        emb = make_table(local_cat, f"db.t_{metric}", dim=16, metric=metric)
        emb.append(rows_table(x))
        entry = emb.create_index(nlist=8)
        exact = emb.search_batch(q, k=10, exact=True)
        full = emb.search_batch(q, k=10, nprobes=entry.params["nlist"])
        assert full.column("id").to_pylist() == exact.column("id").to_pylist()
        np.testing.assert_allclose(full.column("_distance").to_numpy(),
                                   exact.column("_distance").to_numpy(), rtol=1e-5, atol=1e-5)


def test_index_files_live_under_the_table_and_are_listed_in_a_property(local_cat, small) -> None:
    x, _ = small
    emb = make_table(local_cat, dim=16)
    snap = emb.append(rows_table(x))
    entry = emb.create_index(nlist=8)
    assert emb.current_snapshot() == snap  # a metadata-only commit: no new snapshot
    assert INDEXES in emb.properties and emb.indexes() == [entry]
    assert entry.snapshot_id == snap.snapshot_id and entry.rows == len(x)
    assert entry.location == f"{emb.location}/indexes/{entry.index_id}"
    assert emb.index_files() == set(entry.files)
    assert all(f.startswith(entry.location + "/") and emb.io.exists(f) for f in entry.files)
    reloaded = local_cat.load_table("db.docs")
    assert reloaded.index_for() == entry


def test_rows_appended_after_a_build_are_found_and_deleted_rows_are_not(cat, small) -> None:
    x, q = small
    emb = make_table(cat, dim=16)
    emb.append(rows_table(x[:1500]))
    built = emb.create_index(nlist=8)
    emb.append(rows_table(q + 1e-3, start=10_000))  # a row right next to each query
    got = emb.search_batch(q, k=1)
    assert got.column("id").to_pylist() == list(range(10_000, 10_000 + len(q)))
    assert emb.index_for() == built
    nearest = emb.search(q[0], k=5, where="id < 10000").column("id").to_pylist()
    emb.delete(f"id IN ({', '.join(map(str, nearest[:3]))})")
    after = emb.search(q[0], k=5, where="id < 10000").column("id").to_pylist()
    assert not set(after) & set(nearest[:3]) and after[:2] == nearest[3:]
    assert len(after) == 5


def test_a_search_at_an_older_snapshot_uses_the_index_of_that_time(local_cat, small) -> None:
    x, q = small
    emb = make_table(local_cat, dim=16)
    s0 = emb.append(rows_table(x[:500]))
    s1 = emb.append(rows_table(x[500:1500], start=500))
    first = emb.create_index(nlist=8)
    s2 = emb.append(rows_table(x[1500:], start=1500))
    second = emb.optimize_index()
    assert second is not None and second.snapshot_id == s2.snapshot_id
    assert emb.index_for(s0.snapshot_id) is None
    assert emb.index_for(s1.snapshot_id) == first
    assert emb.index_for(s2.snapshot_id) == second
    for snap, rows in ((s0, 500), (s1, 1500), (s2, 2000)):
        want, _ = brute_force(x[:rows], q, 10, "l2")
        got = emb.search_batch(q, k=10, snapshot_id=snap.snapshot_id, nprobes=8)
        assert ids_per_query(got, len(q)) == want.tolist()


def test_optimize_index_folds_new_rows_and_drops_deleted_ones(local_cat, small) -> None:
    x, q = small
    emb = make_table(local_cat, dim=16)
    emb.append(rows_table(x[:1000]))
    emb.create_index(nlist=8)
    emb.append(rows_table(x[1000:], start=1000))
    emb.delete("id < 100")
    entry = emb.optimize_index()
    assert entry is not None and entry.rows == len(x) - 100
    assert emb.optimize_index() is None  # already up to date
    from tablefmt.embeddings.files import FileReader
    from tablefmt.embeddings.plan import make_plan

    scan = emb.scan()
    plan = make_plan(scan, FileReader(emb.io, emb.metadata, scan.schema, "embedding", 16),
                     emb.indexes(), True)
    assert plan.delta == [] and plan.valid is None  # nothing left to search exactly
    want, _ = brute_force(x[100:], q, 10, "l2")
    got = emb.search_batch(q, k=10, nprobes=8)
    assert ids_per_query(got, len(q)) == (want + 100).tolist()


def test_filtered_index_search_returns_only_matches_and_still_k(local_cat, small) -> None:
    x, q = small
    emb = make_table(local_cat, dim=16, partition_by=["grp"])
    emb.append(rows_table(x, groups=4))
    emb.create_index(nlist=16, nprobes=1)
    rare = np.flatnonzero((np.arange(len(x)) % 4 == 3) & (np.arange(len(x)) < 200))
    got = emb.search(q[0], k=10, where="grp = 3 AND id < 200")
    assert got.num_rows == 10 and set(got.column("id").to_pylist()) <= set(rare.tolist())
    want, _ = brute_force(x[rare], q[:1], 10, "l2")  # few matches: compared exactly
    assert got.column("id").to_pylist() == rare[want[0]].tolist()
    many = emb.search_batch(q, k=10, where="grp = 3")  # many: probed until 10 are found
    assert many.num_rows == 10 * len(q) and set(pc_mod4(many)) == {3}


def pc_mod4(result):  # type: ignore[no-untyped-def]
    return (result.column("id").to_numpy() % 4).tolist()


def test_ivf_pq_cosine_and_dot_search_return_live_rows(local_cat, small) -> None:
    x, q = small
    for metric in ("cosine", "dot"):
        emb = make_table(local_cat, f"db.pq_{metric}", dim=16, metric=metric)
        emb.append(rows_table(x))
        emb.create_index("ivf_pq", nlist=4, subvectors=4)
        emb.delete("id < 1000")
        got = emb.search_batch(q, k=10, nprobes=4, refine_factor=50)
        truth, _ = brute_force(x[1000:], q, 10, metric)
        assert min(got.column("id").to_pylist()) >= 1000
        assert recall(ids_per_query(got, len(q)), truth + 1000) >= 0.9


@pytest.mark.parametrize(("kind", "params", "message"), [
    ("hnsw", {}, "kind must be one of ivf_flat, ivf_pq"),
    (None, {"bogus": 1}, "unknown parameter"),
    (None, {"subvectors": 4}, "unknown parameter"),
    (None, {"nlist": 0}, "nlist must be an integer >= 1"),
    (None, {"nlist": 10_000}, "exceeds its 2000 rows"),
    ("ivf_pq", {"subvectors": 5}, "must divide dim=16"),
])
def test_bad_index_arguments_raise_validation_error(local_cat, small, kind, params,
                                                    message) -> None:
    x, _ = small
    emb = make_table(local_cat, dim=16)
    emb.append(rows_table(x))
    with pytest.raises(tf.ValidationError, match=message):
        emb.create_index(kind, **params)
    assert emb.indexes() == [] and not list(emb.io.list(f"{emb.location}/indexes"))


def test_indexing_or_optimizing_without_rows_or_index_is_refused(local_cat, small) -> None:
    emb = make_table(local_cat, dim=16)
    with pytest.raises(tf.ValidationError, match="no rows"):
        emb.create_index()
    emb.append(rows_table(small[0][:50]))
    with pytest.raises(tf.ValidationError, match="create_index"):
        emb.optimize_index()


def test_a_failed_registration_leaves_no_index_files(local_cat, small, monkeypatch) -> None:
    from tablefmt.embeddings import build

    x, _ = small
    emb = make_table(local_cat, dim=16)
    emb.append(rows_table(x))

    def fail(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise tf.CommitConflictError("simulated")

    monkeypatch.setattr(build, "with_entries", fail)
    with pytest.raises(tf.CommitConflictError):
        emb.create_index(nlist=4)
    assert not list(emb.io.list(f"{emb.location}/indexes"))
    assert emb.refresh().indexes() == []
