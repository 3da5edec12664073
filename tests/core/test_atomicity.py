"""A failure at each step of a commit leaves the table exactly as before and loadable."""

from __future__ import annotations

import os

import pytest

import tablefmt as tf
from tablefmt.transaction import fault

STEPS = ["data_files", "manifest", "manifest_list", "metadata", "swap"]


class Boom(RuntimeError):
    pass


def files_under(path: str) -> set[str]:
    root = path.removeprefix("file://")
    return {os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs}


@pytest.mark.parametrize("step", STEPS)
def test_failure_at_each_commit_step_leaves_the_table_unchanged(local_cat: tf.Catalog, make_events,
                                                                step: str) -> None:
    t = local_cat.create_table("db.events", make_events(0, 1).schema, partition_by=["region"])
    t.append(make_events(0, 6))
    before_location = t.metadata_location
    before_files = files_under(t.location)

    def inject(at: str) -> None:
        if at == step:
            raise Boom(step)

    fault.hook = inject
    with pytest.raises(Boom):
        t.append(make_events(100, 6))
    fault.hook = fault._noop

    reloaded = local_cat.load_table("db.events")
    assert reloaded.metadata_location == before_location
    assert len(reloaded.snapshots()) == 1
    assert sorted(reloaded.to_arrow().column("id").to_pylist()) == list(range(6))
    # Every file this attempt wrote was removed again.
    assert files_under(t.location) == before_files
    # And the table still takes writes.
    reloaded.append(make_events(200, 1))
    assert reloaded.to_arrow().num_rows == 7


@pytest.mark.parametrize("step", ["manifest_list", "metadata", "swap"])
def test_failed_overwrite_keeps_old_rows_visible(local_cat: tf.Catalog, make_events, step: str) -> None:
    t = local_cat.create_table("db.events", make_events(0, 1).schema)
    t.append(make_events(0, 4))
    fault.hook = lambda at: (_ for _ in ()).throw(Boom(at)) if at == step else None
    with pytest.raises(Boom):
        t.overwrite(make_events(10, 1))
    fault.hook = fault._noop
    assert sorted(local_cat.load_table("db.events").to_arrow().column("id").to_pylist()) == [0, 1, 2, 3]


def test_lost_swap_race_is_retried_on_the_winner_and_keeps_both_appends(local_cat: tf.Catalog, make_events) -> None:
    t = local_cat.create_table("db.events", make_events(0, 1).schema)
    t.append(make_events(0, 1))
    stale = local_cat.load_table("db.events")
    t.append(make_events(1, 1))  # the winner
    stale.append(make_events(2, 1))  # built on a stale base: retried
    final = local_cat.load_table("db.events")
    assert sorted(final.to_arrow().column("id").to_pylist()) == [0, 1, 2]
    assert len(final.snapshots()) == 3
    assert [s.sequence_number for s in final.snapshots()] == [1, 2, 3]


def test_conflicting_overwrite_raises_commit_conflict_and_commits_nothing(local_cat: tf.Catalog, make_events) -> None:
    t = local_cat.create_table("db.events", make_events(0, 1).schema, partition_by=["region"])
    t.append(make_events(0, 3))
    stale = local_cat.load_table("db.events")
    t.append(make_events(10, 3))  # adds rows to every region, eu included
    winner = local_cat.load_table("db.events").metadata_location
    with pytest.raises(tf.CommitConflictError, match="concurrent commit added"):
        stale.overwrite(make_events(100, 1, regions=("eu",)), where="region = 'eu'")
    assert local_cat.load_table("db.events").metadata_location == winner
