"""Fast-forwarding a branch (default main) to another branch's head: write-audit-publish."""

from __future__ import annotations

import pyarrow as pa
import pytest

import tablefmt as tf


def ids(table: pa.Table) -> list[int]:
    return sorted(table.column("id").to_pylist())


def test_main_fast_forwards_to_a_branch_that_extends_it(cat: tf.Catalog, make_events) -> None:
    t = cat.create_table("db.events", make_events(0, 1).schema)
    t.append(make_events(0, 2))
    t.create_branch("audit")
    t.append(make_events(2, 2), branch="audit")
    head = t.append(make_events(4, 1), branch="audit")
    files_before = {f.file_path for f in t.scan(ref="audit").plan_files()}
    snaps_before = len(t.snapshots())

    snap = t.fast_forward("audit")

    assert snap.snapshot_id == head.snapshot_id
    fresh = cat.load_table("db.events")
    assert fresh.current_snapshot().snapshot_id == head.snapshot_id
    assert ids(fresh.to_arrow()) == [0, 1, 2, 3, 4]
    assert {f.file_path for f in fresh.scan().plan_files()} == files_before  # nothing rewritten
    assert len(fresh.snapshots()) == snaps_before  # a ref move, not a new snapshot
    assert fresh.metadata.snapshot_log[-1][1] == head.snapshot_id
    assert fresh.refs()["audit"].snapshot_id == head.snapshot_id
    # main continues from the branch's head
    after = fresh.append(make_events(9, 1))
    assert after.parent_snapshot_id == head.snapshot_id


def test_fast_forward_refuses_diverged_branches_and_commits_nothing(cat: tf.Catalog, make_events) -> None:
    t = cat.create_table("db.events", make_events(0, 1).schema)
    t.append(make_events(0, 2))
    t.create_branch("dev")
    t.append(make_events(2, 1), branch="dev")
    main_head = t.append(make_events(5, 1))  # main moved on: dev no longer contains it
    location = t.metadata_location
    with pytest.raises(tf.ValidationError, match="diverged"):
        t.fast_forward("dev")
    fresh = cat.load_table("db.events")
    assert fresh.metadata_location == location
    assert fresh.current_snapshot().snapshot_id == main_head.snapshot_id


def test_fast_forward_other_branches_and_bad_names(cat: tf.Catalog, make_events) -> None:
    t = cat.create_table("db.events", make_events(0, 1).schema)
    base = t.append(make_events(0, 1))
    t.create_branch("staging")
    t.create_branch("dev")
    t.create_tag("v1")
    head = t.append(make_events(1, 1), branch="dev")
    assert t.fast_forward("dev", branch="staging").snapshot_id == head.snapshot_id
    assert t.refs()["staging"].snapshot_id == head.snapshot_id
    assert t.current_snapshot().snapshot_id == base.snapshot_id  # main untouched
    with pytest.raises(tf.ValidationError, match="no branch named 'nope'"):
        t.fast_forward("nope")
    with pytest.raises(tf.ValidationError, match="no branch named 'v1'"):
        t.fast_forward("v1")
    with pytest.raises(tf.ValidationError, match="it is a tag"):
        t.fast_forward("dev", branch="v1")


def test_fast_forward_onto_a_concurrently_moved_main_is_checked_again(local_cat: tf.Catalog, make_events) -> None:
    t = local_cat.create_table("db.events", make_events(0, 1).schema)
    t.append(make_events(0, 1))
    t.create_branch("dev")
    t.append(make_events(1, 1), branch="dev")
    other = local_cat.load_table("db.events")
    other.append(make_events(7, 1))  # main diverges behind t's back; t's metadata is stale
    with pytest.raises(tf.ValidationError, match="diverged"):
        t.fast_forward("dev")
    assert ids(local_cat.load_table("db.events").to_arrow()) == [0, 7]
