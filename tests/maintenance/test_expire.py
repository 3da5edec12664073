"""Snapshot expiry: reads of kept snapshots unchanged, exactly the unreachable files
deleted, branches and tags protected, retain_last and older_than honoured, outside
readers still load the table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pytest

import tablefmt as tf
from tablefmt.maintenance.files import metadata_version, normalize
from tablefmt.metadata.snapshot import Ref
from tablefmt.transaction.commit import commit
from tests.maintenance._helpers import reach, rows, stored


def later() -> datetime:
    """A cutoff every snapshot committed so far is older than."""
    return datetime.now(UTC) + timedelta(minutes=1)


def metadata_files(t: tf.Table) -> set[str]:
    return {p for p in stored(t) if metadata_version(p) is not None}


def test_expiry_keeps_current_reads_and_deletes_exactly_the_unreachable_files(
        cat, make_events) -> None:
    t = cat.create_table("db.events", make_events(0, 1).schema)
    s1 = t.append(make_events(0, 10))
    s2 = t.append(make_events(10, 10))
    s3 = t.overwrite(make_events(100, 10))
    current = rows(t.to_arrow())
    before = stored(t)
    unreachable = reach(t, [s1, s2]) - reach(t, [s3])
    assert len(unreachable) == 6  # 2 data files, 2 manifests, 2 manifest lists

    result = t.expire_snapshots(older_than=later())

    assert result.expired_snapshot_ids == (s1.snapshot_id, s2.snapshot_id)
    assert (result.deleted_data_files, result.deleted_manifests,
            result.deleted_manifest_lists, result.deleted_metadata_files) == (2, 2, 2, 0)
    after = stored(t)
    assert before - after == unreachable
    assert after - before == {normalize(t.metadata_location)}  # the expiry's own commit
    fresh = cat.load_table("db.events")
    assert [s.snapshot_id for s in fresh.snapshots()] == [s3.snapshot_id]
    assert rows(fresh.to_arrow()) == current
    assert [sid for _, sid in fresh.metadata.snapshot_log] == [s3.snapshot_id]
    assert len(fresh.metadata.metadata_log) == 4  # metadata-log is kept


def test_files_a_tag_or_branch_reaches_are_never_deleted(cat, make_events) -> None:
    t = cat.create_table("db.events", make_events(0, 1).schema)
    s1 = t.append(make_events(0, 10))
    t.create_tag("v1", s1.snapshot_id)
    s2 = t.append(make_events(10, 10))
    t.create_branch("dev", s2.snapshot_id)
    s3 = t.overwrite(make_events(100, 10))
    s4 = t.append(make_events(200, 10))
    reads = {ref: rows(t.to_arrow(ref=ref)) for ref in ("v1", "dev", "main")}
    before = stored(t)
    protected = reach(t, [s1, s2, s4])
    unreachable = reach(t, [s3]) - protected
    assert len(unreachable) == 3  # s3's manifest list and the manifests it rewrote

    result = t.expire_snapshots(older_than=later())

    assert result.expired_snapshot_ids == (s3.snapshot_id,)
    after = stored(t)
    assert protected <= after
    assert before - after == unreachable
    fresh = cat.load_table("db.events")
    assert {ref: rows(fresh.to_arrow(ref=ref)) for ref in reads} == reads
    assert {s.snapshot_id for s in fresh.snapshots()} == \
        {s1.snapshot_id, s2.snapshot_id, s4.snapshot_id}


def test_retain_last_keeps_the_newest_ancestors_and_time_travel_to_expired_ids_fails(
        local_cat, make_events) -> None:
    t = local_cat.create_table("db.events", make_events(0, 1).schema)
    snaps = [t.append(make_events(i * 5, 5)) for i in range(5)]

    result = t.expire_snapshots(older_than=later(), retain_last=3)

    assert result.expired_snapshot_ids == (snaps[0].snapshot_id, snaps[1].snapshot_id)
    assert [s.snapshot_id for s in t.snapshots()] == [s.snapshot_id for s in snaps[2:]]
    assert len(t.to_arrow(snapshot_id=snaps[2].snapshot_id)) == 15
    with pytest.raises(tf.ValidationError, match=f"no snapshot {snaps[0].snapshot_id}"):
        t.to_arrow(snapshot_id=snaps[0].snapshot_id)
    assert len(t.to_arrow()) == 25
    with pytest.raises(tf.ValidationError, match="retain_last"):
        t.expire_snapshots(retain_last=0)


def test_snapshots_newer_than_older_than_are_kept(local_cat, make_events) -> None:
    t = local_cat.create_table("db.events", make_events(0, 1).schema)
    snaps = [t.append(make_events(i * 5, 5)) for i in range(4)]

    result = t.expire_snapshots(older_than=snaps[2].timestamp)

    assert result.expired_snapshot_ids == (snaps[0].snapshot_id, snaps[1].snapshot_id)
    assert [s.snapshot_id for s in t.snapshots()] == [s.snapshot_id for s in snaps[2:]]


def test_by_default_recent_snapshots_stay_and_nothing_is_committed(local_cat,
                                                                    make_events) -> None:
    t = local_cat.create_table("db.events", make_events(0, 1).schema)
    assert t.expire_snapshots(older_than=later()).expired_snapshot_ids == ()  # no snapshots
    for i in range(3):
        t.append(make_events(i * 5, 5))
    location, files = t.metadata_location, stored(t)

    result = t.expire_snapshots()  # history.expire.max-snapshot-age-ms: 5 days

    assert result.expired_snapshot_ids == () and result.deleted_files == 0
    assert t.metadata_location == location and stored(t) == files


def test_a_tag_created_concurrently_is_honoured_by_a_stale_expiry(cat, make_events) -> None:
    t = cat.create_table("db.events", make_events(0, 1).schema)
    s1 = t.append(make_events(0, 10))
    s2 = t.overwrite(make_events(100, 10))
    stale = cat.load_table("db.events")
    t.create_tag("audit", s1.snapshot_id)
    needed = reach(t, [s1])

    result = stale.expire_snapshots(older_than=later())

    assert result.expired_snapshot_ids == ()
    fresh = cat.load_table("db.events")
    assert {s.snapshot_id for s in fresh.snapshots()} == {s1.snapshot_id, s2.snapshot_id}
    assert needed <= stored(t)
    assert by_id(fresh.to_arrow(ref="audit")) == list(range(10))


def by_id(data: pa.Table) -> list[int]:
    return sorted(data.column("id").to_pylist())


def test_refs_past_their_max_ref_age_are_dropped_and_their_snapshots_expire(
        local_cat, make_events) -> None:
    t = local_cat.create_table("db.events", make_events(0, 1).schema)
    s1 = t.append(make_events(0, 10))
    s2 = t.overwrite(make_events(100, 10))
    commit(t, lambda base: base.evolve(refs={
        **base.refs, "old": Ref(s1.snapshot_id, "tag", max_ref_age_ms=1)}))

    result = t.expire_snapshots(older_than=later())

    assert result.dropped_refs == ("old",)
    assert result.expired_snapshot_ids == (s1.snapshot_id,)
    assert set(t.refs()) == {"main"}
    assert [s.snapshot_id for s in t.snapshots()] == [s2.snapshot_id]


def test_old_metadata_files_are_deleted_only_when_delete_after_commit_is_enabled(
        cat, make_events) -> None:
    props = {"write.metadata.delete-after-commit.enabled": "true",
             "write.metadata.previous-versions-max": "2"}
    t = cat.create_table("db.events", make_events(0, 1).schema, properties=props)
    keep = cat.create_table("db.other", make_events(0, 1).schema)
    for table in (t, keep):
        for i in range(4):
            table.append(make_events(i * 5, 5))
    assert len(metadata_files(t)) == 5

    result = t.expire_snapshots(older_than=later())
    kept_result = keep.expire_snapshots(older_than=later())

    logged = {normalize(f) for _, f in t.metadata.metadata_log}
    assert len(logged) == 2
    assert metadata_files(t) == logged | {normalize(t.metadata_location)}
    assert result.deleted_metadata_files == 3
    assert kept_result.deleted_metadata_files == 0
    assert len(metadata_files(keep)) == 6
    assert len(cat.load_table("db.events").to_arrow()) == 20


@pytest.mark.interop
def test_pyiceberg_and_duckdb_read_the_table_after_expiry(local_cat, pyiceberg_catalog, duck,
                                                          make_events) -> None:
    t = local_cat.create_table("db.events", make_events(0, 1).schema, partition_by=["region"])
    t.append(make_events(0, 12))
    t.create_tag("first", t.current_snapshot().snapshot_id)
    t.append(make_events(12, 12))
    t.overwrite(make_events(100, 6, regions=("eu",)), where="region = 'eu'")
    last = t.append(make_events(200, 6))
    t.expire_snapshots(older_than=later())
    mine = rows(t.to_arrow())

    theirs = pyiceberg_catalog.load_table("db.events")
    assert [s.snapshot_id for s in theirs.snapshots()] == \
        [s.snapshot_id for s in t.snapshots()]
    assert theirs.current_snapshot().snapshot_id == last.snapshot_id
    assert rows(theirs.scan().to_arrow()) == mine
    assert rows(theirs.scan(snapshot_id=t.refs()["first"].snapshot_id).to_arrow()) == \
        rows(t.to_arrow(ref="first"))
    got = duck.sql(f"SELECT id, region, ts, amount FROM iceberg_scan('{t.metadata_location}')"
                   ).arrow()
    assert rows(pa.table(got)) == mine


def test_dry_run_changes_nothing_and_reports_what_the_run_deletes(cat, make_events) -> None:
    t = cat.create_table("db.events", make_events(0, 1).schema)
    s1 = t.append(make_events(0, 10))
    t.create_tag("v1", s1.snapshot_id)
    s2 = t.append(make_events(10, 10))
    t.overwrite(make_events(100, 10))
    before, location = stored(t), t.metadata_location
    cutoff = later()

    preview = t.expire_snapshots(older_than=cutoff, dry_run=True)

    assert preview.dry_run and stored(t) == before
    assert cat.load_table("db.events").metadata_location == location
    assert preview.expired_snapshot_ids == (s2.snapshot_id,)  # the tag keeps s1
    assert {normalize(p) for p in preview.paths} == reach(t, [s2]) - reach(t, [s1, t.current_snapshot()])
    result = t.expire_snapshots(older_than=cutoff)
    assert not result.dry_run
    assert result.paths == preview.paths
    assert (result.expired_snapshot_ids, result.deleted_data_files, result.deleted_manifests,
            result.deleted_manifest_lists) == (preview.expired_snapshot_ids,
                                               preview.deleted_data_files,
                                               preview.deleted_manifests,
                                               preview.deleted_manifest_lists)
    assert before - stored(t) == {normalize(p) for p in preview.paths}
