"""bucket[N]: the spec's hash test vectors (Appendix B), and the vectorized murmur3 equal
to `mmh3` value by value for every bucketable type, with nulls, slices and chunks."""

from __future__ import annotations

import datetime as dt
import struct
import uuid
from decimal import Decimal
from typing import Any

import mmh3
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tablefmt import types as T
from tablefmt.errors import ValidationError
from tablefmt.metadata.conversions import decimal_from_unscaled, decimal_unscaled
from tablefmt.transforms import BucketTransform, parse_transform
from tablefmt.types import IcebergType

BUCKET16 = BucketTransform(16)
UTC_MINUS_8 = dt.timezone(dt.timedelta(hours=-8))
SPEC_UUID = uuid.UUID("f79c3e09-677c-4bbd-a479-3f349cb785e7")


def uuid_array(values: list[uuid.UUID | None]) -> pa.Array:
    storage = pa.array([None if v is None else v.bytes for v in values], pa.binary(16))
    return pa.ExtensionArray.from_storage(pa.uuid(), storage)


# Iceberg spec, Appendix B "32-bit Hash Requirements": value, column type, expected hash.
SPEC_VECTORS = [
    pytest.param(pa.array([34], pa.int32()), T.INT, 2017239379, id="int 34"),
    pytest.param(pa.array([34], pa.int64()), T.LONG, 2017239379, id="long 34"),
    pytest.param(pa.array([Decimal("14.20")], pa.decimal128(9, 2)), T.DecimalType(9, 2),
                 -500754589, id="decimal 14.20"),
    pytest.param(pa.array([dt.date(2017, 11, 16)]), T.DATE, -653330422, id="date"),
    pytest.param(pa.array([dt.time(22, 31, 8)], pa.time64("us")), T.TIME, -662762989,
                 id="time"),
    pytest.param(pa.array([dt.datetime(2017, 11, 16, 22, 31, 8)], pa.timestamp("us")),
                 T.TIMESTAMP, -2047944441, id="timestamp"),
    pytest.param(pa.array([dt.datetime(2017, 11, 16, 22, 31, 8, 1)], pa.timestamp("us")),
                 T.TIMESTAMP, -1207196810, id="timestamp .000001"),
    pytest.param(pa.array([dt.datetime(2017, 11, 16, 14, 31, 8, tzinfo=UTC_MINUS_8)],
                          pa.timestamp("us", tz="UTC")),
                 T.TIMESTAMPTZ, -2047944441, id="timestamptz -08:00"),
    pytest.param(pa.array([dt.datetime(2017, 11, 16, 22, 31, 8, 1)], pa.timestamp("ns")),
                 T.TIMESTAMP, -1207196810, id="timestamp in nanoseconds"),
    pytest.param(pa.array(["iceberg"]), T.STRING, 1210000089, id="string"),
    pytest.param(uuid_array([SPEC_UUID]), T.UUID, 1488055340, id="uuid"),
    pytest.param(pa.array([b"\x00\x01\x02\x03"], pa.binary(4)), T.FixedType(4), -188683207,
                 id="fixed"),
    pytest.param(pa.array([b"\x00\x01\x02\x03"]), T.BINARY, -188683207, id="binary"),
]


@pytest.mark.parametrize(("values", "source_type", "expected"), SPEC_VECTORS)
def test_hash_matches_the_spec_test_vector(values: pa.Array, source_type: IcebergType,
                                           expected: int) -> None:
    assert BUCKET16.hash(values, source_type).to_pylist() == [expected]
    bucket = (expected & 0x7FFFFFFF) % 16
    assert BUCKET16.apply(values, source_type).to_pylist() == [bucket]


def test_bucket_16_of_34_is_3() -> None:
    assert parse_transform("bucket[16]").apply(pa.array([34]), T.INT).to_pylist() == [3]
    assert BUCKET16.apply_values([34, None], T.LONG) == [3, None]


def test_literals_hash_like_columns() -> None:
    assert BUCKET16.apply_values([SPEC_UUID], T.UUID) == \
        BUCKET16.apply(uuid_array([SPEC_UUID]), T.UUID).to_pylist()
    assert BUCKET16.apply_values([Decimal("14.20")], T.DecimalType(38, 2)) == \
        [(-500754589 & 0x7FFFFFFF) % 16]


@pytest.mark.parametrize("source_type", [T.BOOLEAN, T.FLOAT, T.DOUBLE])
def test_types_the_spec_does_not_bucket_are_refused(source_type: IcebergType) -> None:
    assert not BUCKET16.can_transform(source_type)
    with pytest.raises(ValidationError, match="Cannot apply partition transform bucket"):
        BUCKET16.apply(pa.array([1.0]), source_type)


def test_an_arrow_type_that_does_not_hold_the_column_type_is_refused() -> None:
    with pytest.raises(ValidationError, match="do not fit Iceberg type long"):
        BUCKET16.apply(pa.array(["34"]), T.LONG)


@pytest.mark.parametrize("values", [
    pa.array(["iceberg", None, "é"], pa.large_string()),
    pa.array(["iceberg", None, "é"], pa.string_view()),
    pa.array(["iceberg", None, "é"]).dictionary_encode(),
    pa.chunked_array([["iceberg"], [], [None, "é"]]),
])
def test_every_arrow_string_layout_hashes_alike(values: Any) -> None:
    assert BUCKET16.apply(values, T.STRING).to_pylist() == \
        BUCKET16.apply_values(["iceberg", None, "é"], T.STRING)


def test_a_null_among_a_dictionarys_values_maps_to_null() -> None:
    values = pa.DictionaryArray.from_arrays(pa.array([0, 1, 0]), pa.array(["x", None]))
    assert BUCKET16.apply(values, T.STRING).to_pylist()[1] is None


@pytest.mark.parametrize(("values", "source_type"), [
    (pa.array([1, None], pa.int8()), T.INT),
    (pa.array([86_400_000, None], pa.date64()), T.DATE),
    (pa.array([1, None], pa.time32("s")), T.TIME),
    (pa.array([1, None], pa.timestamp("s", tz="Europe/Paris")), T.TIMESTAMPTZ),
    (pa.array([1_000, None], pa.timestamp("ms")), T.TIMESTAMP),
])
def test_other_arrow_units_are_converted_first(values: pa.Array,
                                               source_type: IcebergType) -> None:
    one = 1 if source_type in (T.INT, T.DATE) else 1_000_000
    assert BUCKET16.apply(values, source_type).to_pylist() == \
        BUCKET16.apply_values([one, None], source_type)


@pytest.mark.parametrize("arrow_type", [pa.decimal32(9, 2), pa.decimal64(18, 2)])
def test_narrow_arrow_decimals_hash_like_decimal128(arrow_type: pa.DataType) -> None:
    values = pa.array([Decimal("14.20"), None, Decimal("-1.28")], arrow_type)
    assert BUCKET16.hash(values, T.DecimalType(9, 2)).to_pylist() == \
        BUCKET16.hash(values.cast(pa.decimal128(38, 2)), T.DecimalType(9, 2)).to_pylist()


def test_a_decimal_array_of_another_scale_is_refused() -> None:
    # Its unscaled values differ from the column's: hashing them would file rows wrongly.
    with pytest.raises(ValidationError, match="do not fit Iceberg type decimal"):
        BUCKET16.apply(pa.array([Decimal("14.200")], pa.decimal128(9, 3)),
                       T.DecimalType(9, 2))


# -- the oracle: mmh3 on each value's spec bytes -------------------------------------------

def spec_bytes(value: Any, t: IcebergType) -> bytes:
    """The bytes Iceberg hashes for one value (internal representation)."""
    if t in (T.INT, T.LONG, T.DATE, T.TIME, T.TIMESTAMP, T.TIMESTAMPTZ):
        return struct.pack("<q", value)
    if t == T.STRING:
        return str(value).encode("utf-8")
    if t == T.UUID:
        return bytes(value.bytes)
    if isinstance(t, T.DecimalType):
        unscaled = decimal_unscaled(value, t.scale)
        # Java's BigInteger.toByteArray(): the fewest bytes holding the sign bit.
        width = (unscaled if unscaled >= 0 else ~unscaled).bit_length() // 8 + 1
        return unscaled.to_bytes(width, "big", signed=True)
    return bytes(value)


DEC = T.DecimalType(38, 4)
STRATEGIES: dict[IcebergType, st.SearchStrategy[Any]] = {
    T.INT: st.integers(-(2**31), 2**31 - 1),
    T.LONG: st.integers(-(2**63), 2**63 - 1),
    T.DATE: st.integers(-(2**31), 2**31 - 1),
    T.TIME: st.integers(0, 86_400_000_000 - 1),
    T.TIMESTAMP: st.integers(-(2**63), 2**63 - 1),
    T.TIMESTAMPTZ: st.integers(-(2**63), 2**63 - 1),
    T.STRING: st.text(st.characters(codec="utf-8"), max_size=12),
    T.BINARY: st.binary(max_size=40),
    T.FixedType(5): st.binary(min_size=5, max_size=5),
    T.UUID: st.uuids(),
    DEC: st.one_of(st.integers(-(10**38) + 1, 10**38 - 1),
                   st.sampled_from([0, -1, 127, 128, -128, -129, 255, 256, -256, -257, 2**63,
                                    -(2**63), 2**64, -(2**64)]))
    .map(lambda unscaled: decimal_from_unscaled(unscaled, 4)),
}
PHYSICAL: dict[IcebergType, pa.DataType] = {
    T.INT: pa.int32(), T.LONG: pa.int64(), T.DATE: pa.int32(), T.TIME: pa.time64("us"),
    T.TIMESTAMP: pa.timestamp("us"), T.TIMESTAMPTZ: pa.timestamp("us", tz="UTC"),
    T.STRING: pa.string(), T.BINARY: pa.binary(), T.FixedType(5): pa.binary(5),
    DEC: pa.decimal128(38, 4),
}


def arrow_values(values: list[Any], t: IcebergType) -> pa.Array:
    if t == T.UUID:
        return uuid_array(values)
    if t == T.DATE:
        return pa.array(values, pa.int32()).view(pa.date32())
    if t in (T.TIME, T.TIMESTAMP, T.TIMESTAMPTZ):
        return pa.array(values, pa.int64()).view(PHYSICAL[t])
    return pa.array(values, PHYSICAL[t])


@st.composite
def columns(draw: st.DrawFn) -> tuple[IcebergType, list[Any], Any]:
    """A type, its values (some null), and them as an Arrow array, maybe sliced or
    chunked so that buffer offsets are not zero."""
    t = draw(st.sampled_from(list(STRATEGIES)))
    values = draw(st.lists(st.one_of(st.none(), STRATEGIES[t], STRATEGIES[t]), max_size=40))
    lead = draw(st.lists(STRATEGIES[t], max_size=9))
    arr: Any = arrow_values(lead + values + [None], t).slice(len(lead), len(values))
    if len(values) > 2 and draw(st.booleans()):
        cut = draw(st.integers(0, len(values)))
        arr = pa.chunked_array([arr.slice(0, cut), arr.slice(cut)], type=arr.type)
    return t, values, arr


@settings(max_examples=300, deadline=None)
@given(column=columns(), buckets=st.integers(1, 2**31 - 1))
def test_vectorized_bucket_equals_mmh3_on_each_value(
        column: tuple[IcebergType, list[Any], Any], buckets: int) -> None:
    t, values, arr = column
    transform = BucketTransform(buckets)
    hashes = [None if v is None else mmh3.hash(spec_bytes(v, t), 0, signed=True)
              for v in values]
    assert transform.hash(arr, t).to_pylist() == hashes
    expected = [None if h is None else (h & 0x7FFFFFFF) % buckets for h in hashes]
    result = transform.apply(arr, t)
    assert result.type == pa.int32()
    assert result.to_pylist() == expected
