"""Golden metadata files (tests/golden/table_metadata/, named after the rule they check)
read as the spec says, and what tablefmt writes back carries every v2 required field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tablefmt.errors import CorruptMetadataError
from tablefmt.metadata.table_metadata import TableMetadata

GOLDEN = Path(__file__).parent.parent / "golden" / "table_metadata"
V2_REQUIRED = {"format-version", "table-uuid", "location", "last-sequence-number",
               "last-updated-ms", "last-column-id", "schemas", "current-schema-id",
               "partition-specs", "default-spec-id", "last-partition-id", "sort-orders",
               "default-sort-order-id"}


def load(name: str) -> TableMetadata:
    return TableMetadata.from_json_text((GOLDEN / name).read_text(), name)


def test_valid_v2_metadata_reads_every_field_and_round_trips() -> None:
    meta = load("TableMetadataV2Valid.json")
    assert meta.current_schema_id == 1 and meta.schema.identifier_field_ids == (1, 2)
    assert meta.schema.find_field("y").doc == "comment"
    assert meta.spec.fields[0].transform == "identity" and meta.last_partition_id == 1000
    assert meta.sort_order.order_id == 3 and meta.sort_order.fields[1].transform == "bucket[4]"
    assert meta.refs["test"].type == "tag" and meta.refs["test"].max_ref_age_ms == 10000000
    assert meta.refs["main"].snapshot_id == 3055729675574597004  # synthesized
    assert meta.current_snapshot.parent_snapshot_id == 3051729675574597004
    written = json.loads(meta.to_json_text())
    assert set(written) >= V2_REQUIRED
    again = TableMetadata.from_json(written)
    assert again.snapshots == meta.snapshots and again.schemas == meta.schemas
    assert again.refs == meta.refs and again.snapshot_log == meta.snapshot_log


def test_current_snapshot_id_minus_one_means_no_snapshot_and_is_written_back_as_minus_one() -> None:
    meta = load("TableMetadataV2CurrentSnapshotMinusOneIsNone.json")
    assert meta.current_snapshot_id is None and meta.current_snapshot is None
    assert json.loads(meta.to_json_text())["current-snapshot-id"] == -1


def test_missing_refs_map_synthesizes_the_main_branch() -> None:
    meta = load("TableMetadataV2MissingRefsSynthesizesMain.json")
    assert meta.refs["main"].snapshot_id == 77 and meta.refs["main"].type == "branch"


def test_v1_metadata_reads_into_the_v2_model() -> None:
    meta = load("TableMetadataV1ReadsAsV2Model.json")
    assert meta.format_version == 1 and meta.last_sequence_number == 0
    assert [f.name for f in meta.schema.fields] == ["x", "y", "z"]
    assert meta.spec.fields[0].field_id == 1000


def test_format_version_3_is_refused() -> None:
    with pytest.raises(CorruptMetadataError, match="format version 3 is not supported"):
        load("TableMetadataV3IsRefused.json")


def test_unknown_current_schema_id_is_corrupt() -> None:
    with pytest.raises(CorruptMetadataError, match="no schema 5"):
        load("TableMetadataV2UnknownCurrentSchemaIsCorrupt.json")
