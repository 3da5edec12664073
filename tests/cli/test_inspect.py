"""`tablefmt refs`, `manifests`, `partitions` and `metadata`."""

from __future__ import annotations

import json

import pytest

from tablefmt.scan.manifests import manifest_list
from tablefmt.transaction.commit import commit
from tests.cli.conftest import EVENTS_SCHEMA

# -- refs ---------------------------------------------------------------------------------

def test_refs_json_lists_every_branch_and_tag_of_the_table_sorted_by_name(wh, cli):
    t = wh.table()
    first, second = t.snapshots()
    t.create_tag("v1", first.snapshot_id)
    t.create_branch("dev", second.snapshot_id)
    refs = wh.table().refs()

    rows = cli("--warehouse", wh.path, "--json", "refs", "db.events").json()

    assert [r["name"] for r in rows] == ["dev", "main", "v1"]
    for row in rows:
        ref = refs[row["name"]]
        assert (row["type"], row["snapshot_id"]) == (ref.type, ref.snapshot_id)
        assert row["min_snapshots_to_keep"] == ref.min_snapshots_to_keep
        assert row["max_ref_age_ms"] == ref.max_ref_age_ms
    assert rows[2]["timestamp"].endswith("Z") and rows[2]["type"] == "tag"


def test_refs_text_has_one_row_per_ref_under_a_header(wh, cli):
    current = wh.table().current_snapshot().snapshot_id

    lines = cli("--warehouse", wh.path, "refs", "db.events").out.splitlines()

    assert lines[0].split()[:3] == ["name", "type", "snapshot_id"]
    assert lines[1].split()[:3] == ["main", "branch", str(current)]


# -- manifests ----------------------------------------------------------------------------

def test_manifests_json_lists_exactly_the_manifest_list_of_the_current_snapshot(wh, cli):
    t = wh.table()
    expected = manifest_list(t.io, t.current_snapshot().manifest_list)

    rows = cli("--warehouse", wh.path, "--json", "manifests", "db.events").json()

    assert [r["manifest_path"] for r in rows] == [m.manifest_path for m in expected]
    for row, m in zip(rows, expected, strict=True):
        assert row["content"] == "data"
        assert row["manifest_length"] == m.manifest_length
        assert row["partition_spec_id"] == m.partition_spec_id
        assert row["added_snapshot_id"] == m.added_snapshot_id
        assert row["sequence_number"] == m.sequence_number
        assert (row["added_files_count"], row["existing_files_count"],
                row["deleted_files_count"]) == \
            (m.added_files_count, m.existing_files_count, m.deleted_files_count)
        assert (row["added_rows_count"], row["existing_rows_count"],
                row["deleted_rows_count"]) == \
            (m.added_rows_count, m.existing_rows_count, m.deleted_rows_count)
    assert sum(r["added_rows_count"] + r["existing_rows_count"] for r in rows) == 5


def test_manifest_partition_summaries_show_decoded_bounds(wh, cli):
    rows = cli("--warehouse", wh.path, "--json", "manifests", "db.events").json()

    bounds = sorted((s["name"], s["lower_bound"], s["upper_bound"])
                    for r in rows for s in r["partitions"])
    # first append: eu and us; second: apac and eu
    assert bounds == [("region", "apac", "eu"), ("region", "eu", "us")]


def test_manifests_at_an_older_snapshot_or_a_tag_are_that_snapshots_manifests(wh, cli):
    t = wh.table()
    first = t.snapshots()[0]
    t.create_tag("v1", first.snapshot_id)
    expected = [m.manifest_path for m in manifest_list(t.io, first.manifest_list)]

    by_id = cli("--warehouse", wh.path, "--json", "manifests", "db.events",
                "--snapshot", str(first.snapshot_id)).json()
    by_tag = cli("--warehouse", wh.path, "--json", "manifests", "db.events", "--ref", "v1").json()

    assert [r["manifest_path"] for r in by_id] == expected == [r["manifest_path"] for r in by_tag]


def test_manifests_text_shows_path_content_spec_and_counts(wh, cli):
    t = wh.table()
    expected = manifest_list(t.io, t.current_snapshot().manifest_list)

    lines = cli("--warehouse", wh.path, "manifests", "db.events").out.splitlines()

    assert lines[0].split()[:4] == ["manifest_path", "content", "spec_id", "added_snapshot_id"]
    assert [line.split()[0] for line in lines[1:]] == [m.manifest_path for m in expected]


def test_manifests_of_an_empty_table_are_an_empty_list(wh, cli):
    wh.catalog.create_table("db.empty", EVENTS_SCHEMA)

    assert cli("--warehouse", wh.path, "--json", "manifests", "db.empty").json() == []


# -- partitions ---------------------------------------------------------------------------

def test_partitions_json_aggregates_the_planned_files_per_partition(wh, cli):
    t = wh.table()
    first, second = t.snapshots()
    tasks = t.scan().plan_files()

    rows = cli("--warehouse", wh.path, "--json", "partitions", "db.events").json()

    assert [r["partition"] for r in rows] == [{"region": "apac"}, {"region": "eu"},
                                              {"region": "us"}]
    for row in rows:
        mine = [task for task in tasks if task.partition == row["partition"]]
        assert row["record_count"] == sum(task.record_count for task in mine)
        assert row["file_count"] == len(mine)
        assert row["total_bytes"] == sum(task.file_size_in_bytes for task in mine)
        assert row["spec_id"] == 0
    updated = {r["partition"]["region"]: r["last_updated_snapshot_id"] for r in rows}
    assert updated == {"apac": second.snapshot_id, "eu": second.snapshot_id,
                       "us": first.snapshot_id}
    assert [r["record_count"] for r in rows] == [1, 3, 1]


def test_partitions_at_an_older_snapshot_count_only_its_files(wh, cli):
    first = wh.table().snapshots()[0]

    rows = cli("--warehouse", wh.path, "--json", "partitions", "db.events",
               "--snapshot", str(first.snapshot_id)).json()

    assert [(r["partition"]["region"], r["record_count"], r["file_count"]) for r in rows] == \
        [("eu", 2, 1), ("us", 1, 1)]
    assert {r["last_updated_at"] for r in rows} == {
        first.timestamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")}


def test_partitions_text_has_one_row_per_partition(wh, cli):
    lines = cli("--warehouse", wh.path, "partitions", "db.events").out.splitlines()

    assert lines[0].split()[:5] == ["partition", "spec_id", "record_count", "file_count",
                                    "total_bytes"]
    assert [line.split()[0] for line in lines[1:]] == ["region=apac", "region=eu", "region=us"]


# -- metadata -----------------------------------------------------------------------------

def test_metadata_prints_the_current_metadata_file_as_pretty_json(wh, cli):
    t = wh.table()
    raw = json.loads(t.io.read(t.metadata_location))

    text = cli("--warehouse", wh.path, "metadata", "db.events")
    as_json = cli("--warehouse", wh.path, "--json", "metadata", "db.events")

    assert json.loads(text.out) == raw == as_json.json()
    assert text.out.startswith("{\n  ")
    assert raw["current-snapshot-id"] == t.current_snapshot().snapshot_id


@pytest.mark.parametrize("key", ["s3.secret-access-key", "rest.token", "db.password"])
def test_metadata_never_prints_secret_looking_property_values(wh, cli, key):
    t = wh.table()
    commit(t, lambda base: base.evolve(properties={**base.properties, key: "hunter2"}))

    run = cli("--warehouse", wh.path, "metadata", "db.events")

    assert "hunter2" not in run.out
    assert json.loads(run.out)["properties"][key] == "***"
    assert json.loads(run.out)["properties"]["owner"] == "data-team"
