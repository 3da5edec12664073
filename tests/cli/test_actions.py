"""`tablefmt rollback`, `tag` and `branch`."""

from __future__ import annotations

import pytest


def test_rollback_makes_the_older_snapshot_current_and_keeps_history(wh, cli):
    first, second = wh.table().snapshots()

    doc = cli("--warehouse", wh.path, "--json", "rollback", "db.events",
              str(first.snapshot_id)).json()

    t = wh.table()
    assert t.current_snapshot().snapshot_id == first.snapshot_id
    assert [s.snapshot_id for s in t.snapshots()] == [first.snapshot_id, second.snapshot_id]
    assert t.to_arrow().num_rows == 3
    assert doc == {"table": "db.events", "previous_snapshot_id": second.snapshot_id,
                   "snapshot_id": first.snapshot_id, "operation": "append",
                   "timestamp": doc["timestamp"]}


def test_rollback_text_names_both_snapshots(wh, cli):
    first, second = wh.table().snapshots()

    run = cli("--warehouse", wh.path, "rollback", "db.events", str(first.snapshot_id))

    assert run.code == 0
    assert run.out.startswith(f"Rolled back db.events: current snapshot {second.snapshot_id} "
                              f"-> {first.snapshot_id} (")


@pytest.mark.parametrize("kind", ["tag", "branch"])
def test_tag_and_branch_point_a_new_ref_at_the_given_snapshot(wh, cli, kind):
    first = wh.table().snapshots()[0]

    doc = cli("--warehouse", wh.path, "--json", kind, "db.events", "v1",
              str(first.snapshot_id)).json()
    text = cli("--warehouse", wh.path, kind, "db.events", "v2")

    refs = wh.table().refs()
    assert doc == {"table": "db.events", "name": "v1", "type": kind,
                   "snapshot_id": first.snapshot_id}
    assert (refs["v1"].type, refs["v1"].snapshot_id) == (kind, first.snapshot_id)
    current = wh.table().current_snapshot().snapshot_id
    assert refs["v2"].snapshot_id == current
    assert text.out == f"Created {kind} v2 of db.events at snapshot {current}\n"


@pytest.mark.parametrize(("argv", "code", "fragment"), [
    (["rollback", "db.events", "12345"], 1, "no snapshot 12345"),
    (["tag", "db.events", "v1", "12345"], 1, "no such snapshot"),
    (["tag", "db.events", "main"], 1, "already has a ref named 'main'"),
    (["branch", "db.nope", "dev"], 1, "db.nope"),
    (["rollback", "db.events", "abc"], 2, "invalid int value"),
    (["tag", "db.events"], 2, "usage: tablefmt tag"),
], ids=["rollback-unknown-id", "tag-unknown-id", "duplicate-ref", "unknown-table",
        "non-numeric-id", "missing-name"])
def test_bad_refs_and_ids_exit_1_and_usage_errors_exit_2(wh, cli, argv, code, fragment):
    before = wh.table().metadata_location

    run = cli("--warehouse", wh.path, *argv)

    assert (run.code, run.out) == (code, "")
    assert fragment in run.err and "Traceback" not in run.err
    if code == 1:
        assert run.err.count("\n") == 1
    assert wh.table().metadata_location == before


def test_fast_forward_moves_main_to_the_branch_head(wh, cli):
    t = wh.table()
    before = t.current_snapshot().snapshot_id
    t.create_branch("audit")
    head = t.append(t.to_arrow().slice(0, 1), branch="audit")

    doc = cli("--warehouse", wh.path, "--json", "fast-forward", "db.events", "audit").json()
    again = cli("--warehouse", wh.path, "fast-forward", "db.events", "audit")

    assert doc == {"table": "db.events", "branch": "main", "source": "audit",
                   "previous_snapshot_id": before, "snapshot_id": head.snapshot_id}
    assert wh.table().current_snapshot().snapshot_id == head.snapshot_id
    assert again.out == (f"Fast-forwarded main of db.events to audit: {head.snapshot_id} -> "
                         f"{head.snapshot_id}\n")


def test_fast_forward_of_diverged_branches_exits_1_and_changes_nothing(wh, cli):
    t = wh.table()
    t.create_branch("dev", t.snapshots()[0].snapshot_id)
    t.append(t.to_arrow().slice(0, 1), branch="dev")
    before = wh.table().metadata_location

    run = cli("--warehouse", wh.path, "fast-forward", "db.events", "dev")

    assert (run.code, run.out) == (1, "")
    assert "diverged" in run.err and run.err.count("\n") == 1
    assert wh.table().metadata_location == before
