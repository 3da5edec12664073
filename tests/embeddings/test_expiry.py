"""Indexes and table maintenance: expire_snapshots drops the indexes no retained
snapshot uses (and their files) and re-anchors the ones still used; orphan removal
keeps registered index files and removes unregistered ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from tablefmt.embeddings import expire_indexes, plan_index_expiry
from tests.embeddings._data import brute_force, clustered, ids_per_query, make_table, rows_table


@pytest.fixture
def small() -> tuple[np.ndarray, np.ndarray]:
    return clustered(1_200, 8, clusters=6, queries=6, seed=5)


def test_expiry_drops_unused_indexes_and_reanchors_the_used_one(local_cat, small) -> None:
    x, q = small
    emb = make_table(local_cat)
    emb.append(rows_table(x[:400]))
    old = emb.create_index(nlist=4)
    emb.append(rows_table(x[400:800], start=400))
    used = emb.create_index(nlist=4)
    s3 = emb.append(rows_table(x[800:], start=800))
    emb.expire_snapshots(older_than=datetime.now(UTC), retain_last=1)
    assert [s.snapshot_id for s in emb.snapshots()] == [s3.snapshot_id]
    (kept,) = emb.indexes()
    assert kept.index_id == used.index_id and kept.anchors == (s3.snapshot_id,)
    assert emb.index_for() == kept
    assert not any(emb.io.exists(f) for f in old.files)
    assert all(emb.io.exists(f) for f in kept.files)
    want, _ = brute_force(x, q, 5, "l2")
    assert ids_per_query(emb.search_batch(q, k=5, nprobes=4), len(q)) == want.tolist()


def test_an_index_a_tag_still_uses_survives_expiry(local_cat, small) -> None:
    x, _ = small
    emb = make_table(local_cat)
    s1 = emb.append(rows_table(x[:600]))
    tagged = emb.create_index(nlist=4)
    emb.create_tag("v1", s1.snapshot_id)
    emb.append(rows_table(x[600:], start=600))
    current = emb.create_index(nlist=4)
    emb.expire_snapshots(older_than=datetime.now(UTC), retain_last=1)
    assert {e.index_id for e in emb.indexes()} == {tagged.index_id, current.index_id}
    assert emb.index_for(s1.snapshot_id) == tagged


def test_plan_index_expiry_is_pure_and_keeps_entries_added_concurrently(local_cat, small) -> None:
    x, _ = small
    emb = make_table(local_cat)
    emb.append(rows_table(x[:600]))
    first = emb.create_index(nlist=4)
    before = emb.metadata
    emb.append(rows_table(x[600:], start=600))
    late = emb.create_index(nlist=4)  # not in `before`: must survive untouched
    after = emb.metadata.evolve(snapshots=(emb.current_snapshot(),))
    decision = plan_index_expiry(before, after)
    assert [e.index_id for e in decision.kept] == [late.index_id]
    assert [e.index_id for e in decision.dropped] == [first.index_id]
    new, files = expire_indexes(before, after)
    assert files == sorted(first.files) and new is not after
    assert expire_indexes(emb.metadata, emb.metadata) == (emb.metadata, [])


def test_remove_orphan_files_keeps_registered_index_files(local_cat, small) -> None:
    x, _ = small
    emb = make_table(local_cat)
    emb.append(rows_table(x))
    entry = emb.create_index(nlist=4)
    stray = f"{emb.location}/indexes/abandoned/centroids.npy"
    emb.io.write(stray, b"junk")
    removed = emb.remove_orphan_files(older_than=timedelta(0))
    assert removed == [stray]
    assert all(emb.io.exists(f) for f in entry.files) and not emb.io.exists(stray)
