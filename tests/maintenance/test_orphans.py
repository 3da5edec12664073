"""Orphan-file removal: stray files go, referenced files stay however old, the age guard
protects fresh files, dry runs delete nothing, nested tables and newer metadata versions
are never touched."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

import tablefmt as tf
from tablefmt.maintenance.files import normalize
from tests.maintenance._helpers import is_local, make_old, rows, stored


def history(t: tf.Table) -> dict[int, list[tuple]]:
    return {s.snapshot_id: rows(t.to_arrow(snapshot_id=s.snapshot_id)) for s in t.snapshots()}


def write_strays(t: tf.Table, names: list[str]) -> list[str]:
    paths = [f"{t.location}/{name}" for name in names]
    for p in paths:
        t.io.write(p, b"not referenced by anything")
        if is_local(t):
            make_old(p)
    return paths


def age_for(t: tf.Table) -> timedelta:
    # Local files are backdated with os.utime; S3 objects cannot be, so S3 runs with no
    # age guard at all, which also proves referenced files are safe without it.
    return timedelta(days=3) if is_local(t) else timedelta(0)


def test_stray_files_are_removed_and_referenced_files_kept(cat, make_events) -> None:
    t = cat.create_table("db.events", make_events(0, 1).schema, partition_by=["region"])
    t.append(make_events(0, 9))
    t.append(make_events(9, 9))
    t.overwrite(make_events(100, 3, regions=("eu",)), where="region = 'eu'")
    if is_local(t):
        for f in t.io.list(t.location):
            make_old(f.path)  # the referenced files are old too
    strays = write_strays(t, [
        "data/region=eu/00000-0-stray.parquet", "metadata/stray-m0.avro",
        f"metadata/00000-{uuid.uuid4()}.metadata.json", "leftover.txt"])
    reads = history(t)
    before = stored(t)

    removed = t.remove_orphan_files(older_than=age_for(t))

    assert sorted(normalize(p) for p in removed) == sorted(normalize(p) for p in strays)
    assert stored(t) == before - {normalize(p) for p in strays}
    fresh = cat.load_table("db.events")
    assert history(fresh) == reads
    assert fresh.remove_orphan_files(older_than=timedelta(0)) == []
    assert stored(t) == before - {normalize(p) for p in strays}


def test_fresh_files_are_protected_by_the_age_guard(local_cat, make_events) -> None:
    t = local_cat.create_table("db.events", make_events(0, 1).schema)
    t.append(make_events(0, 5))
    [old] = write_strays(t, ["data/old.parquet"])
    fresh = f"{t.location}/data/in-flight.parquet"
    t.io.write(fresh, b"a commit in progress wrote this")

    removed = t.remove_orphan_files()

    assert removed == [old]
    assert normalize(fresh) in stored(t) and normalize(old) not in stored(t)
    assert t.remove_orphan_files(older_than=timedelta(0)) == [fresh]


def test_a_dry_run_lists_orphans_without_deleting_them(local_cat, make_events) -> None:
    t = local_cat.create_table("db.events", make_events(0, 1).schema)
    t.append(make_events(0, 5))
    strays = write_strays(t, ["data/a.parquet", "data/b.parquet"])
    before = stored(t)

    listed = t.remove_orphan_files(older_than=age_for(t), dry_run=True)

    assert sorted(listed) == sorted(strays)
    assert stored(t) == before
    assert sorted(t.remove_orphan_files(older_than=age_for(t))) == sorted(strays)
    assert stored(t) == before - {normalize(p) for p in strays}


def test_expiry_leaves_no_orphans_behind(local_cat, make_events) -> None:
    t = local_cat.create_table("db.events", make_events(0, 1).schema)
    t.append(make_events(0, 5))
    t.overwrite(make_events(5, 5))
    live = t.scan().plan_files()[0].file_path
    [orphan] = write_strays(t, ["data/lost.parquet"])
    result = t.expire_snapshots(older_than=t.current_snapshot().timestamp + timedelta(seconds=1))
    assert result.deleted_data_files == 1

    assert t.remove_orphan_files(older_than=timedelta(0)) == [orphan]
    assert normalize(live) in stored(t)


def test_newer_metadata_versions_and_nested_tables_are_never_orphans(cat, make_events) -> None:
    t = cat.create_table("db.events", make_events(0, 1).schema)
    t.append(make_events(0, 5))
    cat.create_namespace("db.events")
    inner = cat.create_table("db.events.inner", make_events(0, 1).schema)
    inner.append(make_events(0, 3))
    assert inner.location.startswith(t.location + "/")
    ahead = "v99.metadata.json" if "ObjectStore" in type(cat).__name__ \
        else f"00099-{uuid.uuid4()}.metadata.json"
    [in_flight] = write_strays(t, [f"metadata/{ahead}"])
    before = stored(t)

    assert t.remove_orphan_files(older_than=timedelta(0)) == []

    assert stored(t) == before and normalize(in_flight) in before
    assert len(cat.load_table("db.events.inner").to_arrow()) == 3


def test_bad_older_than_is_refused(local_cat, make_events) -> None:
    t = local_cat.create_table("db.events", make_events(0, 1).schema)
    with pytest.raises(tf.ValidationError, match="older_than"):
        t.remove_orphan_files(older_than=timedelta(days=-1))
    with pytest.raises(tf.ValidationError, match="older_than"):
        t.remove_orphan_files(older_than=3)  # type: ignore[arg-type]
