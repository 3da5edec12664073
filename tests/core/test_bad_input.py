"""Bad input raises the typed error of API.md, commits nothing, and leaves the table readable."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pyarrow as pa
import pytest

import tablefmt as tf


@pytest.fixture
def table(local_cat: tf.Catalog, make_events) -> tf.Table:
    t = local_cat.create_table("db.events", make_events(0, 1).schema)
    t.append(make_events(0, 3))
    return t


def unchanged(local_cat: tf.Catalog, t: tf.Table) -> None:
    again = local_cat.load_table("db.events")
    assert again.metadata_location == t.metadata_location
    assert again.to_arrow().num_rows == 3


def test_append_with_a_missing_column(local_cat, table, make_events) -> None:
    with pytest.raises(tf.SchemaMismatchError, match='missing column.*"amount"'):
        table.append(make_events(10, 2).drop_columns(["amount"]))
    unchanged(local_cat, table)


def test_append_with_an_extra_column(local_cat, table, make_events) -> None:
    data = make_events(10, 2).append_column("extra", pa.array([1, 2]))
    with pytest.raises(tf.SchemaMismatchError, match='unexpected column.*"extra"'):
        table.append(data)
    unchanged(local_cat, table)


def test_append_with_a_mistyped_column(local_cat, table, make_events) -> None:
    data = make_events(10, 2).set_column(3, "amount", pa.array(["x", "y"]))
    with pytest.raises(tf.SchemaMismatchError, match='"amount" is string, expected double'):
        table.append(data)
    unchanged(local_cat, table)


def test_append_with_null_in_a_required_column(local_cat, table, make_events) -> None:
    data = make_events(10, 2)
    data = data.set_column(0, pa.field("id", pa.int64()), pa.array([1, None], pa.int64()))
    with pytest.raises(tf.SchemaMismatchError, match='"id" is required but has 1 null'):
        table.append(data)
    unchanged(local_cat, table)


def test_append_of_an_unsupported_object(local_cat, table) -> None:
    with pytest.raises(tf.SchemaMismatchError, match="Cannot write data of type int"):
        table.append(42)
    unchanged(local_cat, table)


@pytest.mark.parametrize("identifier", ["../x", "db.../x", "a..b", "", "db." + "x" * 300,
                                        "db.\"quoted\"", "db.t;drop", "db.t/../../etc",
                                        "s3://bucket.t", "noschema"])
def test_bad_identifiers_are_rejected(local_cat, identifier, make_events) -> None:
    with pytest.raises(tf.ValidationError):
        local_cat.create_table(identifier, make_events(0, 1).schema)
    with pytest.raises(tf.ValidationError):
        local_cat.load_table(identifier)


def test_bad_namespace_names_are_rejected(local_cat) -> None:
    for ns in ["..", "a/b", "x;y", "", "a..b"]:
        with pytest.raises(tf.ValidationError):
            local_cat.create_namespace(ns)


def test_unknown_table_and_namespace(local_cat, make_events) -> None:
    with pytest.raises(tf.NoSuchTableError, match="db.nope does not exist"):
        local_cat.load_table("db.nope")
    with pytest.raises(tf.NoSuchNamespaceError, match="nons does not exist"):
        local_cat.create_table("nons.t", make_events(0, 1).schema)
    with pytest.raises(tf.NoSuchNamespaceError):
        local_cat.list_tables("nons")


@pytest.mark.parametrize("text", ["amount >", "region = 'unterminated", "id IN (1,",
                                  "id @ 3", "(id = 1", "id = 1)", "AND id = 1",
                                  "id = 1; DROP TABLE x", "__import__('os').system('x')"])
def test_malformed_filter_strings_raise_filter_error_with_position(table, text) -> None:
    with pytest.raises(tf.FilterError, match="position"):
        table.to_arrow(where=text)


def test_filter_on_unknown_column(table) -> None:
    with pytest.raises(tf.FilterError, match="nope"):
        table.to_arrow(where="nope = 1")


def test_time_travel_to_unknown_snapshot_or_before_the_first(table) -> None:
    with pytest.raises(tf.ValidationError):
        table.to_arrow(snapshot_id=123)
    with pytest.raises(tf.ValidationError):
        table.to_arrow(as_of=datetime(1999, 1, 1, tzinfo=UTC))


def test_corrupt_metadata_json_raises_corrupt_metadata(local_cat, table) -> None:
    path = table.metadata_location.removeprefix("file://")
    with open(path, "w") as f:
        f.write("{not json")
    with pytest.raises(tf.CorruptMetadataError, match="Cannot read table metadata"):
        local_cat.load_table("db.events")


def test_missing_metadata_file_raises_corrupt_metadata(local_cat, table) -> None:
    os.remove(table.metadata_location.removeprefix("file://"))
    with pytest.raises(tf.CorruptMetadataError, match="unreadable"):
        local_cat.load_table("db.events")


def test_missing_manifest_file_raises_storage_error_and_commits_nothing(local_cat, table, make_events) -> None:
    from tablefmt.scan import manifests

    manifests._LISTS.data.clear()
    manifests._MANIFESTS.data.clear()
    ml = manifests.manifest_list(table.io, table.current_snapshot().manifest_list)
    os.remove(ml[0].manifest_path.removeprefix("file://"))
    manifests._MANIFESTS.data.clear()
    with pytest.raises(tf.StorageError, match="File not found"):
        local_cat.load_table("db.events").to_arrow()
    with pytest.raises(tf.StorageError):
        local_cat.load_table("db.events").overwrite(make_events(9, 1))
    assert local_cat.load_table("db.events").metadata_location == table.metadata_location


def test_bad_partition_and_sort_specs(local_cat, make_events) -> None:
    schema = make_events(0, 1).schema
    with pytest.raises(tf.ValidationError, match="No column 'nope'"):
        local_cat.create_table("db.t1", schema, partition_by=["nope"])
    with pytest.raises(tf.ValidationError, match="Cannot parse partition transform"):
        local_cat.create_table("db.t2", schema, partition_by=["bucket(id)x"])
    with pytest.raises(tf.ValidationError, match="sort_by"):
        local_cat.create_table("db.t3", schema, sort_by=["id sideways"])
    assert local_cat.list_tables("db") == []


def test_tags_cannot_be_written_and_duplicate_refs_are_refused(table, make_events) -> None:
    table.create_tag("v1")
    with pytest.raises(tf.ValidationError, match="is a tag"):
        table.append(make_events(9, 1), branch="v1")
    with pytest.raises(tf.ValidationError, match="already has a ref"):
        table.create_tag("v1")
