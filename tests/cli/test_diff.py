"""`tablefmt diff TABLE FROM TO`."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pyarrow as pa

from tablefmt.transaction.commit import commit
from tests.cli.conftest import events

GOLDEN = Path(__file__).parent / "golden"


def _set_properties(table, **changes):
    def build(base):
        props = {**base.properties, **{k: v for k, v in changes.items() if v is not None}}
        for k in [k for k, v in changes.items() if v is None]:
            props.pop(k, None)
        return base.evolve(properties=props)
    commit(table, build)


def test_diff_between_two_appends_reports_exactly_the_second_appends_files_and_records(wh, cli):
    t = wh.table()
    first, second = t.snapshots()
    before = {task.file_path for task in t.scan(snapshot_id=first.snapshot_id).plan_files()}
    after = {task.file_path: task for task in t.scan(snapshot_id=second.snapshot_id).plan_files()}

    doc = cli("--warehouse", wh.path, "--json", "diff", "db.events",
              str(first.snapshot_id), str(second.snapshot_id)).json()

    added = after.keys() - before
    assert [f["file_path"] for f in doc["added_files"]] == sorted(added)
    assert doc["removed_files"] == []
    assert doc["summary"] == {
        "added_files": 2, "removed_files": 0,
        "added_records": int(second.summary["added-records"]), "removed_records": 0,
        "added_bytes": sum(after[p].file_size_in_bytes for p in added), "removed_bytes": 0}
    assert doc["summary"]["added_records"] == 2
    for f in doc["added_files"]:
        assert f["record_count"] == after[f["file_path"]].record_count
        assert f["partition"] == after[f["file_path"]].partition
    assert (doc["from"]["snapshot_id"], doc["to"]["snapshot_id"]) == \
        (first.snapshot_id, second.snapshot_id)
    assert doc["schema_changes"] == [] and doc["partition_spec_changes"] == []
    assert doc["property_changes"] == []


def test_diff_of_a_delete_reports_the_removed_and_rewritten_files(wh, cli):
    t = wh.table()
    t.delete("region = 'eu'")
    second, third = wh.table().snapshots()[1:]
    before = {x.file_path: x for x in t.scan(snapshot_id=second.snapshot_id).plan_files()}
    after = {x.file_path for x in wh.table().scan().plan_files()}

    doc = cli("--warehouse", wh.path, "--json", "diff", "db.events", str(second.snapshot_id),
              "main").json()

    assert {f["file_path"] for f in doc["removed_files"]} == before.keys() - after
    assert doc["summary"]["removed_records"] == 3 == \
        sum(before[p].record_count for p in before.keys() - after)
    assert doc["added_files"] == []
    assert doc["to"]["ref"] == "main" and doc["to"]["operation"] == "delete"


def test_diff_reports_schema_partition_and_property_changes(wh, cli):
    t = wh.table()
    first = t.current_snapshot()
    _set_properties(t, owner="ml-team", retention="30d")
    with t.update_schema() as u:
        u.add_column("score", pa.float64())
        u.rename_column("amount", "total")
    with t.update_partitioning() as p:
        p.add("day(ts)")
    t = wh.table()
    schema = t.schema
    t.append(pa.table({"id": [9], "region": ["eu"], "ts": events([9], ["eu"])["ts"],
                       "total": [1.0], "score": [0.5]}, schema=t.arrow_schema))

    doc = cli("--warehouse", wh.path, "--json", "diff", "db.events", str(first.snapshot_id),
              "main").json()

    amount = schema.find_field("total").field_id
    score = schema.find_field("score").field_id
    assert doc["schema_changes"] == [
        {"change": "renamed", "field_id": amount, "name": "total", "from": "amount",
         "to": "total"},
        {"change": "added", "field_id": score, "name": "score", "from": None,
         "to": "optional double"}]
    assert doc["partition_spec_changes"] == [
        {"change": "added", "field_id": 1001, "name": "ts_day", "from": None, "to": "day(ts)"}]
    assert doc["property_changes"] == [
        {"change": "changed", "key": "owner", "from": "data-team", "to": "ml-team"},
        {"change": "added", "key": "retention", "from": None, "to": "30d"}]
    assert (doc["from"]["schema_id"], doc["to"]["schema_id"]) == (0, schema.schema_id)
    assert (doc["from"]["spec_id"], doc["to"]["spec_id"]) == (0, 1)
    assert doc["summary"]["added_records"] == 1


def test_diff_reverse_direction_reports_the_opposite_changes(wh, cli):
    t = wh.table()
    first, second = t.snapshots()

    forward = cli("--warehouse", wh.path, "--json", "diff", "db.events",
                  str(first.snapshot_id), str(second.snapshot_id)).json()
    backward = cli("--warehouse", wh.path, "--json", "diff", "db.events",
                   str(second.snapshot_id), str(first.snapshot_id)).json()

    assert backward["removed_files"] == forward["added_files"]
    assert backward["summary"]["removed_records"] == forward["summary"]["added_records"]


def test_diff_accepts_tag_and_branch_names(wh, cli):
    t = wh.table()
    first, second = t.snapshots()
    t.create_tag("v1", first.snapshot_id)

    doc = cli("--warehouse", wh.path, "--json", "diff", "db.events", "v1", "main").json()

    assert (doc["from"]["ref"], doc["from"]["snapshot_id"]) == ("v1", first.snapshot_id)
    assert (doc["to"]["ref"], doc["to"]["snapshot_id"]) == ("main", second.snapshot_id)
    assert doc["summary"]["added_files"] == 2


def test_properties_are_not_available_once_the_metadata_version_fell_off_the_log(wh, cli):
    t = wh.table()
    first = t.snapshots()[0]
    _set_properties(t, **{"write.metadata.previous-versions-max": "1"})
    _set_properties(wh.table(), owner="someone-else")

    doc = cli("--warehouse", wh.path, "--json", "diff", "db.events", str(first.snapshot_id),
              "main").json()
    text = cli("--warehouse", wh.path, "diff", "db.events", str(first.snapshot_id), "main").out

    assert doc["property_changes"] is None
    assert doc["from"]["metadata_file"] is None
    assert doc["schema_changes"] == []  # the snapshot records its schema id
    assert "Properties: n/a" in text


def test_diff_with_an_unknown_snapshot_or_ref_is_a_user_error(wh, cli):
    current = str(wh.table().current_snapshot().snapshot_id)

    unknown_id = cli("--warehouse", wh.path, "diff", "db.events", "12345", current)
    unknown_ref = cli("--warehouse", wh.path, "diff", "db.events", current, "nope")
    missing_arg = cli("--warehouse", wh.path, "diff", "db.events", current)

    assert (unknown_id.code, unknown_ref.code, missing_arg.code) == (1, 1, 2)
    assert unknown_id.err == "tablefmt: error: Table db.events has no snapshot 12345\n"
    assert unknown_ref.err.startswith("tablefmt: error: Table db.events has no snapshot or "
                                      "ref 'nope'; refs are main")
    assert unknown_id.out == unknown_ref.out == ""


def _normalized(text: str, ids: dict[str, str]) -> str:
    for real, placeholder in ids.items():
        text = text.replace(real, placeholder)
    text = re.sub(r"\d{4}-\d\d-\d\dT[\d:.]+Z", "<TIME>", text)
    text = re.sub(r"\d{5}-\d+-[0-9a-f]{32}\.parquet", "<FILE>.parquet", text)
    # Parquet file sizes vary with the writer's version; so does their column's width.
    text = re.sub(r"\+\d{3,}\b", "+<BYTES>", text)
    return re.sub(r" +\d{3,}\b", " <BYTES>", text)


def test_diff_text_of_two_appends_matches_the_golden_file(wh, cli):
    first, second = wh.table().snapshots()

    run = cli("--warehouse", wh.path, "diff", "db.events", str(first.snapshot_id),
              str(second.snapshot_id))

    assert run.code == 0 and "\x1b[" not in run.out
    expected = (GOLDEN / "diff_two_appends.txt").read_text()
    assert _normalized(run.out, {str(first.snapshot_id): "<FROM>",
                                 str(second.snapshot_id): "<TO>"}) == expected


def test_diff_json_in_a_real_process_matches_the_in_process_answer(wh, cli):
    first, second = wh.table().snapshots()
    argv = ["--warehouse", wh.path, "--json", "diff", "db.events", str(first.snapshot_id),
            str(second.snapshot_id)]

    proc = subprocess.run([sys.executable, "-m", "tablefmt.cli", *argv], capture_output=True,
                          text=True, timeout=120, check=False)

    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == cli(*argv).json()
