"""`tablefmt health TABLE`."""

from __future__ import annotations

import statistics

from tablefmt.scan.manifests import manifest_list
from tablefmt.transaction.commit import commit
from tests.cli.conftest import EVENTS_SCHEMA


def _finding(doc, check):
    return next(f for f in doc["findings"] if f["check"] == check)


def test_health_json_counts_files_sizes_and_partitions_like_the_scan_plan(wh, cli):
    t = wh.table()
    tasks = t.scan().plan_files()
    sizes = [task.file_size_in_bytes for task in tasks]

    doc = cli("--warehouse", wh.path, "--json", "health", "db.events").json()

    files = doc["files"]
    assert files["count"] == len(tasks) == 4
    assert files["total_bytes"] == sum(sizes)
    assert files["median_bytes"] == int(statistics.median(sizes))
    assert files["target_file_size_bytes"] == 512 * 1024 * 1024
    assert files["small_file_threshold_bytes"] == 128 * 1024 * 1024
    assert (files["small_count"], files["small_share"]) == (4, 1.0)
    assert files["compaction_candidates"] == 2  # the two files of region=eu
    assert sum(b["files"] for b in doc["histogram"]) == 4
    assert doc["histogram"][0] == {"label": "< 1 MiB", "min_bytes": 0, "max_bytes": 1024 * 1024,
                                   "files": 4, "bytes": sum(sizes)}
    assert doc["partitions"] == {"count": 3, "max_records": 3, "median_records": 1,
                                 "skew": 3.0,
                                 "largest": {"spec_id": 0, "partition": {"region": "eu"}}}


def test_health_json_reports_snapshots_metadata_and_manifests(wh, cli):
    t = wh.table()
    current = manifest_list(t.io, t.current_snapshot().manifest_list)

    doc = cli("--warehouse", wh.path, "--json", "health", "db.events").json()

    assert doc["snapshot_id"] == t.current_snapshot().snapshot_id
    assert doc["snapshots"]["count"] == 2 and doc["snapshots"]["expirable"] == 0
    assert doc["metadata"]["size_bytes"] == len(t.io.read(t.metadata_location))
    assert doc["metadata"]["previous_versions"] == len(t.metadata.metadata_log)
    assert doc["manifests"]["current"] == len(current)
    assert doc["manifests"]["sampled_snapshots"] == 2
    assert doc["manifests"]["max"] == max(
        len(manifest_list(t.io, s.manifest_list)) for s in t.snapshots())


def test_each_warning_comes_with_a_concrete_command_to_run(wh, cli):
    t = wh.table()
    commit(t, lambda b: b.evolve(properties={**b.properties,
                                             "history.expire.max-snapshot-age-ms": "0"}))

    doc = cli("--warehouse", wh.path, "--json", "health", "db.events").json()

    small, snaps = _finding(doc, "small_files"), _finding(doc, "snapshots")
    assert small["status"] == "warning"
    assert "run `tablefmt compact db.events`" in small["suggestion"]
    assert snaps["status"] == "warning" and doc["snapshots"]["expirable"] == 1
    assert "run `tablefmt expire db.events --retain-last 10`" in snaps["suggestion"]
    ok = [f for f in doc["findings"] if f["status"] == "ok"]
    assert {f["check"] for f in ok} == {"partition_skew", "metadata_size", "manifests"}
    assert all(f["suggestion"] is None for f in ok)


def test_small_files_alone_in_their_partitions_are_not_a_warning(wh, cli):
    t = wh.table()
    t.compact()

    doc = cli("--warehouse", wh.path, "--json", "health", "db.events").json()

    assert doc["files"]["small_count"] == 3 and doc["files"]["compaction_candidates"] == 0
    assert _finding(doc, "small_files")["status"] == "ok"


def test_health_text_shows_summary_histogram_and_findings_with_suggestions(wh, cli):
    run = cli("--warehouse", wh.path, "health", "db.events")

    assert run.code == 0
    lines = run.out.splitlines()
    assert lines[0] == f"Health of db.events at snapshot {wh.table().current_snapshot().snapshot_id}"
    assert any(line.split()[:3] == ["Data", "files:", "4"] for line in lines)
    hist = lines[lines.index("File sizes:") + 1]
    assert hist.split()[:4] == ["<", "1", "MiB", "4"] and hist.endswith("#" * 40)
    assert "  WARNING small_files: 4 of 4 data files (100%)" in run.out
    assert "-> run `tablefmt compact db.events`" in run.out


def test_health_of_an_empty_table_reports_no_files_and_no_warnings(wh, cli):
    wh.catalog.create_table("db.empty", EVENTS_SCHEMA)

    doc = cli("--warehouse", wh.path, "--json", "health", "db.empty").json()
    text = cli("--warehouse", wh.path, "health", "db.empty").out

    assert doc["snapshot_id"] is None and doc["files"]["count"] == 0
    assert {f["status"] for f in doc["findings"]} == {"ok"}
    assert text.startswith("Health of db.empty (no snapshot)")
