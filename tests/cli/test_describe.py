"""`tablefmt describe TABLE`."""

from __future__ import annotations

from tests.cli.conftest import EVENTS_SCHEMA


def test_describe_json_reports_the_identity_of_the_table(wh, cli):
    t = wh.table()

    doc = cli("--warehouse", wh.path, "--json", "describe", "db.events").json()

    assert doc["identifier"] == "db.events"
    assert doc["table_uuid"] == t.metadata.table_uuid
    assert doc["format_version"] == 2
    assert doc["location"] == t.location
    assert doc["metadata_location"] == t.metadata_location
    assert doc["last_sequence_number"] == t.metadata.last_sequence_number == 2


def test_describe_json_lists_schema_fields_with_their_ids(wh, cli):
    t = wh.table()

    schema = cli("--warehouse", wh.path, "--json", "describe", "db.events").json()["schema"]

    assert schema["schema_id"] == t.schema.schema_id
    assert [(f["id"], f["name"], f["required"]) for f in schema["fields"]] == \
        [(f.field_id, f.name, f.required) for f in t.schema.fields]
    assert [f["type"] for f in schema["fields"]] == ["long", "string", "timestamptz", "double"]


def test_describe_json_reports_partitioning_current_snapshot_refs_and_properties(wh, cli):
    t = wh.table()
    current = t.current_snapshot()

    doc = cli("--warehouse", wh.path, "--json", "describe", "db.events").json()

    region = t.schema.find_field("region").field_id
    assert doc["partition_specs"] == [{"spec_id": 0, "is_default": True, "fields": [
        {"field_id": 1000, "name": "region", "transform": "identity", "source_id": region,
         "source_column": "region"}]}]
    assert doc["sort_order"] == {"order_id": 0, "fields": []}
    assert doc["current_snapshot"]["snapshot_id"] == current.snapshot_id
    assert doc["current_snapshot"]["total_records"] == 5
    assert doc["refs"] == [{"name": "main", "type": "branch", "snapshot_id": current.snapshot_id}]
    assert doc["properties"] == t.properties
    assert doc["properties"]["owner"] == "data-team"


def test_describe_text_shows_the_schema_tree_with_field_ids(wh, cli):
    t = wh.table()

    run = cli("--warehouse", wh.path, "describe", "db.events")

    assert run.code == 0
    lines = run.out.splitlines()
    assert f"  {t.metadata.table_uuid}" in lines[1] and lines[1].startswith("UUID:")
    tree = ["  " + line for line in str(t.schema).splitlines()]
    start = lines.index("Schema (id 0):") + 1
    assert lines[start:start + len(tree)] == tree
    assert "  1000: region: identity(region)" in lines
    assert "  unsorted" in lines
    assert any(line.split() == ["main", "branch", str(t.current_snapshot().snapshot_id)]
               for line in lines)


def test_describe_of_an_empty_sorted_table_has_no_current_snapshot(wh, cli):
    wh.catalog.create_table("db.empty", EVENTS_SCHEMA, sort_by=["id desc"])

    doc = cli("--warehouse", wh.path, "--json", "describe", "db.empty").json()
    text = cli("--warehouse", wh.path, "describe", "db.empty").out

    assert doc["current_snapshot"] is None and doc["refs"] == []
    assert doc["partition_specs"][0]["fields"] == []
    assert doc["sort_order"]["fields"] == [{"source_id": 1, "source_column": "id",
                                            "transform": "identity", "direction": "desc",
                                            "null_order": "nulls-last"}]
    assert "none (the table is empty)" in text and "  unpartitioned" in text.splitlines()


def test_describe_hides_property_values_that_look_like_credentials(wh, cli):
    wh.catalog.create_table("db.secret", EVENTS_SCHEMA,
                            properties={"s3.secret-access-key": "hunter2", "owner": "me"})

    doc = cli("--warehouse", wh.path, "--json", "describe", "db.secret").json()
    text = cli("--warehouse", wh.path, "describe", "db.secret").out

    assert doc["properties"] == {"owner": "me", "s3.secret-access-key": "***"}
    assert "hunter2" not in text
