"""`tablefmt snapshots TABLE` and `tablefmt history TABLE`."""

from __future__ import annotations

from datetime import datetime

from tests.cli.conftest import EVENTS_SCHEMA, events


def test_snapshots_json_has_one_row_per_snapshot_oldest_first(wh, cli):
    first, second = wh.table().snapshots()

    rows = cli("--warehouse", wh.path, "--json", "snapshots", "db.events").json()

    assert [r["snapshot_id"] for r in rows] == [first.snapshot_id, second.snapshot_id]
    assert [r["parent_snapshot_id"] for r in rows] == [None, first.snapshot_id]
    assert [r["operation"] for r in rows] == ["append", "append"]
    assert [r["added_records"] for r in rows] == [3, 2]
    assert [r["removed_records"] for r in rows] == [0, 0]
    assert [r["added_files"] for r in rows] == [2, 2]
    assert [r["total_records"] for r in rows] == [3, 5]
    assert [r["is_current"] for r in rows] == [False, True]
    assert rows[1]["manifest_list"] == second.manifest_list


def test_snapshot_timestamps_are_iso_8601_utc_strings(wh, cli):
    snaps = wh.table().snapshots()

    rows = cli("--warehouse", wh.path, "--json", "snapshots", "db.events").json()

    for row, snap in zip(rows, snaps, strict=True):
        assert row["timestamp"].endswith("Z")
        assert datetime.fromisoformat(row["timestamp"]) == snap.timestamp


def test_snapshots_limit_keeps_only_the_newest(wh, cli):
    wh.table().append(events([6], ["us"]))
    newest_two = [s.snapshot_id for s in wh.table().snapshots()][-2:]

    rows = cli("--warehouse", wh.path, "--json", "snapshots", "db.events", "--limit", "2").json()

    assert [r["snapshot_id"] for r in rows] == newest_two


def test_snapshots_text_has_a_header_and_aligned_columns(wh, cli):
    ids = [str(s.snapshot_id) for s in wh.table().snapshots()]

    lines = cli("--warehouse", wh.path, "snapshots", "db.events").out.splitlines()

    assert lines[0].split() == ["timestamp", "snapshot_id", "parent_id", "operation",
                                "added_records", "removed_records", "added_files",
                                "removed_files", "total_records"]
    assert [line.split()[1] for line in lines[1:]] == ids
    assert [line.split()[2] for line in lines[1:]] == ["-", ids[0]]
    # numbers are right-aligned under their header: every id column ends where its header ends
    end = lines[0].index("snapshot_id") + len("snapshot_id")
    assert [line.index(i) + len(i) for line, i in zip(lines[1:], ids, strict=True)] == [end, end]
    assert [line.split()[-1] for line in lines[1:]] == ["3", "5"]


def test_snapshots_of_an_empty_table_are_an_empty_list(wh, cli):
    wh.catalog.create_table("db.empty", EVENTS_SCHEMA)

    assert cli("--warehouse", wh.path, "--json", "snapshots", "db.empty").json() == []
    assert len(cli("--warehouse", wh.path, "snapshots", "db.empty").out.splitlines()) == 1


def test_history_json_matches_table_history(wh, cli):
    expected = wh.table().history().to_pylist()

    rows = cli("--warehouse", wh.path, "--json", "history", "db.events").json()

    assert len(rows) == len(expected) == 2
    for row, want in zip(rows, expected, strict=True):
        assert datetime.fromisoformat(row.pop("timestamp")) == want.pop("timestamp")
        assert row == want
    assert [r["total_records"] for r in rows] == [3, 5]


def test_history_text_has_one_row_per_snapshot_under_the_history_columns(wh, cli):
    t = wh.table()

    lines = cli("--warehouse", wh.path, "history", "db.events").out.splitlines()

    assert lines[0].split() == t.history().column_names
    assert [line.split()[1] for line in lines[1:]] == [str(s.snapshot_id) for s in t.snapshots()]


def test_history_limit_keeps_only_the_newest(wh, cli):
    current = wh.table().current_snapshot().snapshot_id

    rows = cli("--warehouse", wh.path, "--json", "history", "db.events", "--limit", "1").json()

    assert [r["snapshot_id"] for r in rows] == [current]
