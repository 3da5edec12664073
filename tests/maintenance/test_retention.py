"""The retention policy on real metadata (spec "Snapshot Retention Policy"): ref ages,
branch-level minimum counts and ages, snapshots on no ref, and the snapshot log."""

from __future__ import annotations

import pytest

from tablefmt.maintenance.retention import RetentionPolicy, retain, trim_snapshot_log
from tablefmt.metadata.snapshot import Ref
from tablefmt.transaction.commit import commit


@pytest.fixture
def history(local_cat, make_events):  # type: ignore[no-untyped-def]
    """A table with four appends on main; returns (metadata, snapshots oldest first)."""
    t = local_cat.create_table("db.events", make_events(0, 1).schema)
    snaps = [t.append(make_events(i * 3, 3)) for i in range(4)]
    return t, snaps


def ids(snaps: list) -> set[int]:
    return {s.snapshot_id for s in snaps}


def test_main_keeps_retain_last_ancestors_and_everything_newer_than_the_cutoff(history) -> None:
    t, s = history
    now = s[3].timestamp_ms + 10_000
    everything_old = RetentionPolicy(now_ms=now, older_than_ms=now, min_snapshots_to_keep=2)
    assert retain(t.metadata, everything_old).kept_ids == ids(s[2:])

    from_second = RetentionPolicy(now_ms=now, older_than_ms=s[1].timestamp_ms)
    decision = retain(t.metadata, from_second)
    assert decision.kept_ids == ids(s[1:])
    assert decision.expired_ids == (s[0].snapshot_id,)


def test_a_branch_minimum_and_age_override_the_defaults(history) -> None:
    t, s = history
    now = s[3].timestamp_ms + 10_000
    policy = RetentionPolicy(now_ms=now, older_than_ms=now)
    main = t.metadata.refs["main"]
    by_count = t.metadata.evolve(refs={"main": Ref(main.snapshot_id, min_snapshots_to_keep=3)})
    assert retain(by_count, policy).kept_ids == ids(s[1:])
    by_age = t.metadata.evolve(refs={"main": Ref(main.snapshot_id,
                                                 max_snapshot_age_ms=now - s[2].timestamp_ms)})
    assert retain(by_age, policy).kept_ids == ids(s[2:])
    dev = t.metadata.evolve(refs={**t.metadata.refs, "dev": Ref(s[1].snapshot_id,
                                                                min_snapshots_to_keep=2)})
    assert retain(dev, policy).kept_ids == ids([s[0], s[1], s[3]])


def test_refs_older_than_their_max_age_are_dropped_but_main_never_is(history) -> None:
    t, s = history
    now = s[3].timestamp_ms + 10_000
    policy = RetentionPolicy(now_ms=now, older_than_ms=now, max_ref_age_ms=60_000)
    meta = t.metadata.evolve(refs={
        "main": Ref(s[3].snapshot_id, max_ref_age_ms=1),
        "old-tag": Ref(s[0].snapshot_id, "tag", max_ref_age_ms=1),
        "kept-tag": Ref(s[1].snapshot_id, "tag"),  # table default: 60 s
        "gone": Ref(12345, "tag")})  # a snapshot that does not exist

    decision = retain(meta, policy)

    assert set(decision.refs) == {"main", "kept-tag"}
    assert decision.dropped_refs == ("gone", "old-tag")
    assert decision.kept_ids == ids([s[1], s[3]])


def test_snapshots_on_no_ref_are_kept_only_while_newer_than_the_cutoff(history) -> None:
    t, s = history
    t.rollback_to(s[0].snapshot_id)  # s1..s3 are now on no ref
    policy = RetentionPolicy(now_ms=s[3].timestamp_ms + 10_000, older_than_ms=s[2].timestamp_ms)

    decision = retain(t.metadata, policy)

    assert decision.kept_ids == ids([s[0], s[2], s[3]])
    assert decision.expired_ids == (s[1].snapshot_id,)
    # The log cuts at the last expired entry: s0 (first), s1 (expired), s2, s3, s0 again.
    log = trim_snapshot_log(t.metadata.snapshot_log, decision.kept_ids)
    assert [sid for _, sid in log] == [s[2].snapshot_id, s[3].snapshot_id, s[0].snapshot_id]


def test_expire_snapshots_applies_the_table_property_defaults(history) -> None:
    t, s = history
    commit(t, lambda base: base.evolve(properties={
        **base.properties, "history.expire.min-snapshots-to-keep": "3",
        "history.expire.max-snapshot-age-ms": "0"}))

    result = t.expire_snapshots()  # older_than from the property: now

    assert result.expired_snapshot_ids == (s[0].snapshot_id,)
    assert [snap.snapshot_id for snap in t.snapshots()] == [x.snapshot_id for x in s[1:]]
