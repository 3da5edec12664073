"""Avro manifest / manifest-list codecs and single-value serialization round-trip, and
the written Avro carries the spec's field ids and key-value metadata."""

from __future__ import annotations

import io
import json
import math
import uuid
from decimal import Decimal

import fastavro
from hypothesis import given, settings
from hypothesis import strategies as st

from tablefmt import types as T
from tablefmt.metadata.conversions import from_bytes, to_bytes
from tablefmt.metadata.data_file import (
    Content,
    DataFile,
    FieldSummary,
    ManifestEntry,
    ManifestFile,
    Status,
)
from tablefmt.metadata.manifest import read_manifest, write_manifest
from tablefmt.metadata.manifest_list import read_manifest_list, write_manifest_list
from tablefmt.partitioning import PartitionField, PartitionSpec
from tablefmt.schema import Schema
from tablefmt.types import NestedField

SCHEMA = Schema((NestedField(1, "id", T.LONG, True), NestedField(2, "day", T.DATE),
                 NestedField(3, "price", T.DecimalType(9, 2)), NestedField(4, "s", T.STRING)))
SPEC = PartitionSpec((PartitionField(2, 1000, "day", "identity"),
                      PartitionField(3, 1001, "price", "identity"),
                      PartitionField(4, 1002, "s", "identity")), spec_id=0)


def data_file(i: int, partition: tuple) -> DataFile:
    return DataFile(file_path=f"file:///t/data/{i}.parquet", file_format="PARQUET",
                    partition=partition, record_count=10 + i, file_size_in_bytes=1000 + i,
                    column_sizes={1: 5}, value_counts={1: 10}, null_value_counts={1: 0},
                    nan_value_counts={}, lower_bounds={1: to_bytes(T.LONG, 1)},
                    upper_bounds={1: to_bytes(T.LONG, 9)}, split_offsets=(4,), sort_order_id=0)


def test_manifest_round_trips_entries_partitions_and_metrics() -> None:
    entries = [
        ManifestEntry(Status.ADDED, 7, None, None, data_file(0, (19000, Decimal("1.50"), "a"))),
        ManifestEntry(Status.EXISTING, 5, 3, 3, data_file(1, (None, None, None))),
        ManifestEntry(Status.DELETED, 7, 2, 2, data_file(2, (-1, Decimal("-0.01"), "é"))),
    ]
    back = read_manifest(write_manifest(entries, SPEC, SCHEMA), SPEC, SCHEMA)
    assert back == entries


def test_manifest_header_has_field_ids_and_spec_metadata() -> None:
    raw = write_manifest([ManifestEntry(Status.ADDED, 1, None, None, data_file(0, (1, None, "x")))],
                         SPEC, SCHEMA)
    reader = fastavro.reader(io.BytesIO(raw))
    meta = reader.metadata
    assert meta["format-version"] == "2" and meta["content"] == "data"
    assert meta["partition-spec-id"] == "0" and meta["schema-id"] == "0"
    assert json.loads(meta["partition-spec"])[0]["field-id"] == 1000
    assert json.loads(meta["schema"])["fields"][0]["id"] == 1
    schema = json.loads(meta["avro.schema"])
    ids = {f["name"]: f["field-id"] for f in schema["fields"]}
    assert ids == {"status": 0, "snapshot_id": 1, "sequence_number": 3,
                   "file_sequence_number": 4, "data_file": 2}
    df = next(f for f in schema["fields"] if f["name"] == "data_file")["type"]
    by_name = {f["name"]: f for f in df["fields"]}
    assert by_name["lower_bounds"]["field-id"] == 125
    assert by_name["lower_bounds"]["type"][1]["logicalType"] == "map"
    assert by_name["partition"]["type"]["fields"][0]["field-id"] == 1000


def test_manifest_list_round_trips() -> None:
    m = ManifestFile(manifest_path="file:///t/metadata/a-m1.avro", manifest_length=123,
                     partition_spec_id=0, content=Content.DATA, sequence_number=4,
                     min_sequence_number=2, added_snapshot_id=9, added_files_count=1,
                     existing_files_count=2, deleted_files_count=0, added_rows_count=10,
                     existing_rows_count=20, deleted_rows_count=0,
                     partitions=(FieldSummary(False, False, b"\x01\x00\x00\x00", b"\x05\x00\x00\x00"),))
    raw = write_manifest_list([m], 9, 8, 4)
    assert read_manifest_list(raw) == [m]
    assert fastavro.reader(io.BytesIO(raw)).metadata["parent-snapshot-id"] == "8"


TYPED = st.one_of(
    st.tuples(st.just(T.INT), st.integers(-2**31, 2**31 - 1)),
    st.tuples(st.just(T.LONG), st.integers(-2**63, 2**63 - 1)),
    st.tuples(st.just(T.DOUBLE), st.floats(allow_nan=False)),
    st.tuples(st.just(T.FLOAT), st.floats(width=32, allow_nan=False)),
    st.tuples(st.just(T.STRING), st.text()),
    st.tuples(st.just(T.BINARY), st.binary()),
    st.tuples(st.just(T.DATE), st.integers(-10**6, 10**6)),
    st.tuples(st.just(T.TIMESTAMPTZ), st.integers(-2**62, 2**62)),
    st.tuples(st.just(T.BOOLEAN), st.booleans()),
    st.tuples(st.just(T.UUID), st.uuids()),
    st.tuples(st.just(T.DecimalType(38, 4)),
              st.decimals(min_value=-10**30, max_value=10**30, places=4, allow_nan=False,
                          allow_infinity=False)),
)


@settings(max_examples=300, deadline=None)
@given(TYPED)
def test_single_value_serialization_round_trips(tv) -> None:
    t, value = tv
    back = from_bytes(t, to_bytes(t, value))
    if isinstance(value, float) and math.isnan(value):
        assert math.isnan(back)
    else:
        assert back == value


def test_single_value_serialization_matches_spec_examples() -> None:
    assert to_bytes(T.UUID, uuid.UUID("f79c3e09-677c-4bbd-a479-3f349cb785e7")).hex() == \
        "f79c3e09677c4bbda4793f349cb785e7"
    assert to_bytes(T.INT, 1) == b"\x01\x00\x00\x00"
    assert to_bytes(T.DecimalType(9, 2), Decimal("14.20")) == (1420).to_bytes(2, "big")
    assert to_bytes(T.DecimalType(9, 2), Decimal("-1.28")) == b"\x80"  # minimal, as Java
    assert to_bytes(T.DecimalType(9, 2), Decimal("1.28")) == b"\x00\x80"
    # A 4-byte bound of a promoted long column reads as the int it was written as.
    assert from_bytes(T.LONG, to_bytes(T.INT, -5)) == -5
