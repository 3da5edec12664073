"""`tablefmt files TABLE [--snapshot ID | --ref NAME]`."""

from __future__ import annotations


def _by_path(tasks):
    return {t.file_path: t for t in tasks}


def test_files_json_lists_the_files_a_scan_plans(wh, cli):
    planned = _by_path(wh.table().scan().plan_files())

    rows = cli("--warehouse", wh.path, "--json", "files", "db.events").json()

    assert len(rows) == len(planned) == 4
    assert {r["file_path"] for r in rows} == set(planned)
    for r in rows:
        task = planned[r["file_path"]]
        assert r["record_count"] == task.record_count
        assert r["file_size_in_bytes"] == task.file_size_in_bytes
        assert r["partition"] == task.partition
        assert r["spec_id"] == task.spec_id == 0
        assert r["file_format"] == task.file_format
    assert sum(r["record_count"] for r in rows) == 5
    assert sorted(r["partition"]["region"] for r in rows) == ["apac", "eu", "eu", "us"]


def test_files_at_an_older_snapshot_lists_only_the_files_it_had(wh, cli):
    t = wh.table()
    first = t.snapshots()[0].snapshot_id
    planned = {task.file_path for task in t.scan(snapshot_id=first).plan_files()}

    rows = cli("--warehouse", wh.path, "--json", "files", "db.events",
               "--snapshot", str(first)).json()

    assert {r["file_path"] for r in rows} == planned
    assert sum(r["record_count"] for r in rows) == 3


def test_files_at_a_tag_lists_the_files_of_the_tagged_snapshot(wh, cli):
    t = wh.table()
    t.create_tag("v1", snapshot_id=t.snapshots()[0].snapshot_id)

    rows = cli("--warehouse", wh.path, "--json", "files", "db.events", "--ref", "v1").json()

    assert {r["file_path"] for r in rows} == \
        {task.file_path for task in t.scan(ref="v1").plan_files()}
    assert len(rows) == 2


def test_files_text_shows_path_partition_records_size_and_spec(wh, cli):
    planned = _by_path(wh.table().scan().plan_files())

    lines = cli("--warehouse", wh.path, "files", "db.events").out.splitlines()

    assert lines[0].split() == ["file_path", "partition", "record_count",
                                "file_size_in_bytes", "spec_id"]
    rows = [line.split() for line in lines[1:]]
    assert {r[0] for r in rows} == set(planned)
    for path, partition, records, size, spec in rows:
        task = planned[path]
        assert partition == f"region={task.partition['region']}"
        assert (int(records), int(size), int(spec)) == \
            (task.record_count, task.file_size_in_bytes, task.spec_id)
