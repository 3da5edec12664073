"""Differential test: partition values equal PyIceberg's (its per-value transforms are
the oracle) for every transform and source type, before and after 1970."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest

from tablefmt import types as T
from tablefmt.transforms import parse_transform
from tablefmt.types import IcebergType
from tablefmt.values import arrow_to_internal

pyiceberg_transforms = pytest.importorskip("pyiceberg.transforms")
pyiceberg_types = pytest.importorskip("pyiceberg.types")

pytestmark = pytest.mark.interop

EPOCH = dt.datetime(1970, 1, 1)
STAMPS = [EPOCH + dt.timedelta(microseconds=m) for m in
          (0, -1, 1, -3_600_000_000, -86_400_000_001, 1_510_871_468_000_001,
           -2_000_000_000_000_000, 253_402_300_799_999_999 - 62_135_596_800_000_000)]
DATES = [dt.date(1970, 1, 1), dt.date(1969, 12, 31), dt.date(1969, 1, 1),
         dt.date(2017, 11, 16), dt.date(1, 1, 1), dt.date(9999, 12, 31)]
CASES: list[tuple[IcebergType, Any, pa.DataType, list[Any]]] = [
    (T.INT, pyiceberg_types.IntegerType(), pa.int32(), [0, 1, -1, 34, -999, 2**31 - 1]),
    (T.LONG, pyiceberg_types.LongType(), pa.int64(), [0, -1, 34, 2**62, -(2**62)]),
    (T.DecimalType(9, 2), pyiceberg_types.DecimalType(9, 2), pa.decimal128(9, 2),
     [Decimal("14.20"), Decimal("-1.28"), Decimal("10.65"), Decimal("0.00")]),
    (T.STRING, pyiceberg_types.StringType(), pa.string(), ["iceberg", "", "é😀xyz"]),
    (T.BINARY, pyiceberg_types.BinaryType(), pa.binary(), [b"", b"\x00\x01\x02\x03"]),
    (T.DATE, pyiceberg_types.DateType(), pa.date32(), DATES),
    (T.TIMESTAMP, pyiceberg_types.TimestampType(), pa.timestamp("us"), STAMPS),
    (T.TIMESTAMPTZ, pyiceberg_types.TimestamptzType(), pa.timestamp("us", tz="UTC"),
     [s.replace(tzinfo=dt.UTC) for s in STAMPS]),
    (T.TIME, pyiceberg_types.TimeType(), pa.time64("us"), [dt.time(22, 31, 8), dt.time(0)]),
    (T.UUID, pyiceberg_types.UUIDType(), pa.binary(16),
     [uuid.UUID("f79c3e09-677c-4bbd-a479-3f349cb785e7"), uuid.UUID(int=0)]),
    (T.FixedType(4), pyiceberg_types.FixedType(4), pa.binary(4), [b"\x00\x01\x02\x03"]),
]
TRANSFORMS = ["bucket[16]", "bucket[1000003]", "truncate[3]", "truncate[50]", "year",
              "month", "day", "hour"]


def internal(value: Any, t: IcebergType) -> Any:
    """A Python value in the representation PyIceberg's transforms take."""
    if t == T.DATE:
        return (value - dt.date(1970, 1, 1)).days
    if t in (T.TIMESTAMP, T.TIMESTAMPTZ):
        return (value.replace(tzinfo=None) - EPOCH) // dt.timedelta(microseconds=1)
    if t == T.TIME:
        return (value.hour * 3600 + value.minute * 60 + value.second) * 1_000_000
    return value


@pytest.mark.parametrize(("t", "theirs", "arrow_type", "values"), CASES,
                         ids=[str(c[0]) for c in CASES])
@pytest.mark.parametrize("text", TRANSFORMS)
def test_partition_values_equal_pyicebergs(text: str, t: IcebergType, theirs: Any,
                                           arrow_type: pa.DataType, values: list[Any]) -> None:
    mine = parse_transform(text)
    oracle = pyiceberg_transforms.parse_transform(text)
    assert mine.can_transform(t) == oracle.can_transform(theirs)
    if not mine.can_transform(t):
        return
    storage = [v.bytes for v in values] if t == T.UUID else values
    column = pa.array(storage, arrow_type)
    result = [arrow_to_internal(v) for v in mine.apply(column, t)]
    expected = [oracle.transform(theirs)(internal(v, t)) for v in values]
    assert result == expected
