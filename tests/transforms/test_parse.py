"""Transform strings, the spec's source-type table, result types, and the shared `apply`
behaviour (chunked input, identity, void, partition-path text)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest

from tablefmt import types as T
from tablefmt.errors import ValidationError
from tablefmt.partitioning import PartitionField
from tablefmt.transforms import (
    BucketTransform,
    IdentityTransform,
    TruncateTransform,
    VoidTransform,
    parse_transform,
)
from tablefmt.types import IcebergType

ALL = ["identity", "bucket[16]", "truncate[4]", "year", "month", "day", "hour", "void"]
PRIMITIVES: list[IcebergType] = [
    T.BOOLEAN, T.INT, T.LONG, T.FLOAT, T.DOUBLE, T.DecimalType(9, 2), T.DATE, T.TIME,
    T.TIMESTAMP, T.TIMESTAMPTZ, T.STRING, T.UUID, T.FixedType(4), T.BINARY,
]
# Iceberg spec, "Partition Transforms": the source types each transform accepts.
SOURCES = {
    "identity": set(map(str, PRIMITIVES)),
    "bucket[16]": {"int", "long", "decimal(9, 2)", "date", "time", "timestamp", "timestamptz",
                   "string", "uuid", "fixed[4]", "binary"},
    "truncate[4]": {"int", "long", "decimal(9, 2)", "string", "binary"},
    "year": {"date", "timestamp", "timestamptz"},
    "month": {"date", "timestamp", "timestamptz"},
    "day": {"date", "timestamp", "timestamptz"},
    "hour": {"timestamp", "timestamptz"},
    "void": set(map(str, PRIMITIVES)),
}


@pytest.mark.parametrize("text", ALL)
def test_a_transform_string_parses_and_prints_back(text: str) -> None:
    transform = parse_transform(text)
    assert str(transform) == text
    assert parse_transform(f" {text.upper()} ") == transform
    assert repr(transform) == f"parse_transform({text!r})"


@pytest.mark.parametrize("text", ALL)
def test_source_types_follow_the_spec_table(text: str) -> None:
    transform = parse_transform(text)
    accepted = {str(t) for t in PRIMITIVES if transform.can_transform(t)}
    assert accepted == SOURCES[text]


@pytest.mark.parametrize("text", ALL)
def test_result_types_agree_with_partition_field(text: str) -> None:
    field = PartitionField(1, 1000, "p", text)
    for t in PRIMITIVES:
        if parse_transform(text).can_transform(t):
            assert parse_transform(text).result_type(t) == field.result_type(t)


@pytest.mark.parametrize(("text", "message"), [
    ("bucket", "Unknown partition transform"),
    ("bucket[x]", "Unknown partition transform"),
    ("truncate[-1]", "Unknown partition transform"),
    ("zorder", "Unknown partition transform"),
    ("bucket[0]", "bucket needs 1 to 2147483647 buckets, got 0"),
    ("bucket[2147483648]", "bucket needs 1 to"),
    ("truncate[0]", "truncate needs a width of 1 to"),
])
def test_a_bad_transform_string_is_refused(text: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message.replace("[", r"\[")):
        parse_transform(text)


def test_transforms_compare_by_value() -> None:
    assert BucketTransform(16) == parse_transform("bucket[16]") != BucketTransform(8)
    assert TruncateTransform(4) == parse_transform("truncate[4]")
    assert len({parse_transform(t) for t in ALL + ["bucket[16]"]}) == len(ALL)


def test_a_chunked_array_gives_one_array() -> None:
    chunked = pa.chunked_array([[1, 2], [], [None, 34]], pa.int64())
    result = BucketTransform(16).apply(chunked, T.LONG)
    assert isinstance(result, pa.Array)
    assert result.to_pylist() == BucketTransform(16).apply_values([1, 2, None, 34], T.LONG)
    empty = pa.chunked_array([], pa.string())
    assert TruncateTransform(2).apply(empty, T.STRING).to_pylist() == []


def test_a_non_arrow_input_is_refused() -> None:
    with pytest.raises(ValidationError, match="Expected a pyarrow Array or ChunkedArray"):
        BucketTransform(16).apply([1, 2], T.LONG)


def test_identity_returns_the_values_and_void_returns_typed_nulls() -> None:
    values = pa.array([1, None, 3], pa.int32())
    assert IdentityTransform().apply(values, T.INT) is values
    nulls = VoidTransform().apply(values, T.INT)
    assert nulls.type == pa.int32() and nulls.null_count == 3


@pytest.mark.parametrize(("value", "t", "text"), [
    (None, T.LONG, "null"),
    (True, T.BOOLEAN, "true"),
    (34, T.LONG, "34"),
    (Decimal("14.20"), T.DecimalType(9, 2), "14.20"),
    (17486, T.DATE, "2017-11-16"),
    (81068000000, T.TIME, "22:31:08"),
    (1510871468000000, T.TIMESTAMP, "2017-11-16T22:31:08"),
    (1510871468000001, T.TIMESTAMPTZ, "2017-11-16T22:31:08.000001+00:00"),
    ("iceberg", T.STRING, "iceberg"),
    (uuid.UUID("f79c3e09-677c-4bbd-a479-3f349cb785e7"), T.UUID,
     "f79c3e09-677c-4bbd-a479-3f349cb785e7"),
    (b"\x00\x01\x02\x03", T.BINARY, "AAECAw=="),
    (dt.date(2017, 11, 16), T.DATE, "2017-11-16"),
])
def test_identity_and_truncate_values_read_as_pyiceberg_writes_them(
        value: Any, t: IcebergType, text: str) -> None:
    assert IdentityTransform().to_human_string(value, t) == text


def test_bucket_and_void_text() -> None:
    assert BucketTransform(16).to_human_string(3, T.INT) == "3"
    assert VoidTransform().to_human_string(None, T.LONG) == "null"
