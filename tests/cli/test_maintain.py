"""`tablefmt expire`, `compact` and `orphans`: dry runs by default, acting with `--yes`."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest


def _local(path: str) -> str:
    return path.removeprefix("file://")


def _files_under(root: str) -> set[str]:
    return {os.path.join(d, f) for d, _, names in os.walk(root) for f in names}


def _rows(table):
    return sorted(table.to_arrow().to_pylist(), key=lambda r: r["id"])


# -- expire -------------------------------------------------------------------------------

@pytest.fixture
def expirable(wh):
    """db.events after a delete: the first two snapshots hold files the third does not."""
    wh.table().delete("region = 'eu'")
    return wh


def test_expire_dry_run_lists_snapshots_and_files_and_changes_nothing(expirable, cli):
    wh = expirable
    t = wh.table()
    first, second, third = t.snapshots()
    on_disk = _files_under(wh.path)
    now = datetime.now(UTC).isoformat()

    doc = cli("--warehouse", wh.path, "--json", "expire", "db.events", "--older-than", now).json()

    assert doc["dry_run"] is True
    assert doc["expired_snapshot_ids"] == [first.snapshot_id, second.snapshot_id]
    assert doc["dropped_refs"] == []
    # the eu files are read by no kept snapshot; each expired snapshot had its own list
    eu = {x.file_path for x in t.scan(snapshot_id=second.snapshot_id).plan_files()
          if x.partition["region"] == "eu"}
    assert doc["data_files"] == len(eu) == 2
    assert eu <= set(doc["paths"])
    assert doc["manifest_lists"] == 2
    assert {first.manifest_list, second.manifest_list} <= set(doc["paths"])
    assert len(doc["paths"]) == doc["data_files"] + doc["manifests"] + doc["manifest_lists"]
    assert third.manifest_list not in doc["paths"]
    assert wh.table().metadata_location == t.metadata_location
    assert _files_under(wh.path) == on_disk


def test_expire_with_yes_expires_exactly_what_the_dry_run_listed(expirable, cli):
    wh = expirable
    rows = _rows(wh.table())
    now = datetime.now(UTC).isoformat()
    argv = ["--warehouse", wh.path, "--json", "expire", "db.events", "--older-than", now]
    planned = cli(*argv).json()

    done = cli(*argv, "--yes").json()

    assert done["dry_run"] is False and done["paths"] is None
    counts = ("expired_snapshot_ids", "dropped_refs", "data_files", "manifests",
              "manifest_lists", "statistics_files")
    assert {k: done[k] for k in counts} == {k: planned[k] for k in counts}
    t = wh.table()
    assert [s.snapshot_id for s in t.snapshots()] == [t.current_snapshot().snapshot_id]
    assert not any(os.path.exists(_local(p)) for p in planned["paths"])
    assert _rows(t) == rows


def test_expire_text_says_dry_run_and_how_to_act(expirable, cli):
    first, second, _ = expirable.table().snapshots()

    run = cli("--warehouse", expirable.path, "expire", "db.events", "--older-than", "0s",
              "--retain-last", "2")

    assert run.code == 0
    lines = run.out.splitlines()
    assert lines[0].startswith("Dry run: expiring snapshots of db.events older than ")
    assert "keeping the newest 2 of each branch would remove 1 snapshot and 0 refs" in lines[0]
    assert f"  snapshot {first.snapshot_id}" in lines
    assert f"  snapshot {second.snapshot_id}" not in lines
    assert lines[-1] == "Nothing was changed; run again with --yes to expire them."


def test_expire_by_default_keeps_snapshots_younger_than_the_max_snapshot_age(wh, cli):
    doc = cli("--warehouse", wh.path, "--json", "expire", "db.events", "--yes").json()
    text = cli("--warehouse", wh.path, "expire", "db.events").out

    assert doc["expired_snapshot_ids"] == [] and len(wh.table().snapshots()) == 2
    assert text.startswith("Nothing to expire: no snapshots of db.events older than ")


# -- compact ------------------------------------------------------------------------------

def test_compact_dry_run_lists_the_files_it_would_rewrite_and_changes_nothing(wh, cli):
    t = wh.table()
    eu = sorted(x.file_path for x in t.scan().plan_files() if x.partition["region"] == "eu")

    doc = cli("--warehouse", wh.path, "--json", "compact", "db.events").json()

    assert doc["dry_run"] is True and doc["snapshot_id"] is None
    assert doc["groups"] == [{"spec_id": 0, "partition": {"region": "eu"}, "files": eu,
                              "file_count": 2, "record_count": 3,
                              "bytes": sum(x.file_size_in_bytes for x in t.scan().plan_files()
                                           if x.file_path in eu)}]
    assert (doc["files_to_rewrite"], doc["records_to_rewrite"]) == (2, 3)
    assert (doc["files_before"], doc["files_after"]) == (4, None)
    assert wh.table().metadata_location == t.metadata_location


def test_compact_with_yes_rewrites_the_listed_files_into_fewer_with_identical_rows(wh, cli):
    rows = _rows(wh.table())
    planned = cli("--warehouse", wh.path, "--json", "compact", "db.events").json()

    doc = cli("--warehouse", wh.path, "--json", "compact", "db.events", "--yes").json()

    t = wh.table()
    assert doc["groups"] == planned["groups"]
    assert doc["snapshot_id"] == t.current_snapshot().snapshot_id
    assert t.current_snapshot().operation == "replace"
    assert (doc["files_before"], doc["files_after"]) == (4, 3) == \
        (4, len(t.scan().plan_files()))
    remaining = {x.file_path for x in t.scan().plan_files()}
    assert not remaining & set(planned["groups"][0]["files"])
    assert _rows(t) == rows


def test_compact_text_lists_partitions_and_files_and_reports_the_new_snapshot(wh, cli):
    dry = cli("--warehouse", wh.path, "compact", "db.events", "--target-file-size", "64MiB")
    done = cli("--warehouse", wh.path, "compact", "db.events", "--yes")

    assert dry.out.startswith("Dry run: compaction would rewrite 2 files (3 records, ")
    assert "into files of about 64.0 MiB" in dry.out
    assert dry.out.splitlines()[1].split() == ["partition", "files", "records", "bytes"]
    assert dry.out.splitlines()[2].split()[:3] == ["region=eu", "2", "3"]
    assert done.out.splitlines()[-1] == \
        f"New snapshot {wh.table().current_snapshot().snapshot_id}; data files 4 -> 3."


def test_compact_where_nothing_matches_has_nothing_to_do(wh, cli):
    before = wh.table().metadata_location

    doc = cli("--warehouse", wh.path, "--json", "compact", "db.events", "--where",
              "region = 'us'", "--yes").json()
    text = cli("--warehouse", wh.path, "compact", "db.events", "--where", "region = 'us'")

    assert doc["groups"] == [] and doc["snapshot_id"] is None
    assert doc["files_after"] == doc["files_before"] == 4
    assert wh.table().metadata_location == before
    assert text.out.startswith("Nothing to compact in db.events matching region = 'us'")


# -- orphans ------------------------------------------------------------------------------

def test_orphans_dry_run_lists_unreferenced_files_and_yes_deletes_exactly_them(wh, cli):
    t = wh.table()
    stray = f"{t.location}/data/stray.parquet"
    t.io.write(stray, b"junk")
    rows = _rows(t)

    young = cli("--warehouse", wh.path, "--json", "orphans", "db.events").json()
    dry = cli("--warehouse", wh.path, "--json", "orphans", "db.events", "--older-than", "0s")
    kept = os.path.exists(_local(stray))
    done = cli("--warehouse", wh.path, "--json", "orphans", "db.events", "--older-than", "0s",
               "--yes").json()

    assert young["files"] == [] and young["older_than_seconds"] == 3 * 86400
    assert dry.json() == {"table": "db.events", "dry_run": True, "older_than_seconds": 0,
                          "count": 1, "files": [stray]}
    assert kept
    assert done == {**dry.json(), "dry_run": False}
    assert not os.path.exists(_local(stray))
    assert _rows(wh.table()) == rows


def test_orphans_text_lists_the_files_and_how_to_act(wh, cli):
    t = wh.table()
    t.io.write(f"{t.location}/data/stray.parquet", b"junk")

    lines = cli("--warehouse", wh.path, "orphans", "db.events", "--older-than", "0s") \
        .out.splitlines()

    assert lines[0] == ("Dry run: 1 file under db.events's location that no metadata "
                        "references, older than 0s would be deleted:")
    assert lines[1] == f"  {t.location}/data/stray.parquet"
    assert lines[2] == "Nothing was changed; run again with --yes to delete them."


# -- argument errors ----------------------------------------------------------------------

@pytest.mark.parametrize("argv", [
    ["expire", "db.events", "--older-than", "3x"],
    ["expire", "db.events", "--older-than", "yesterday"],
    ["expire", "db.events", "--retain-last", "0"],
    ["orphans", "db.events", "--older-than", "2024-01-01"],
    ["orphans", "db.events", "--older-than", "-3d"],
    ["compact", "db.events", "--target-file-size", "0"],
    ["compact", "db.events", "--target-file-size", "big"],
], ids=["unit", "word", "retain-zero", "orphans-iso", "negative", "size-zero", "size-word"])
def test_bad_durations_and_sizes_are_usage_errors_that_change_nothing(wh, cli, argv):
    before = wh.table().metadata_location

    run = cli("--warehouse", wh.path, *argv, "--yes")

    assert (run.code, run.out) == (2, "")
    assert f"usage: tablefmt {argv[0]}" in run.err
    assert wh.table().metadata_location == before


def test_a_bad_filter_or_unknown_table_is_a_user_error(wh, cli):
    bad_filter = cli("--warehouse", wh.path, "compact", "db.events", "--where", "nope = 1")
    unknown = cli("--warehouse", wh.path, "expire", "db.nope", "--yes")

    assert (bad_filter.code, unknown.code) == (1, 1)
    assert bad_filter.err.startswith("tablefmt: error: ") and "nope" in bad_filter.err
    assert unknown.err == "tablefmt: error: Table db.nope does not exist\n"
