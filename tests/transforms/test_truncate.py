"""truncate[W]: the spec's examples, and the vectorized transform equal to a per-value
Python reference (Java's arithmetic, code points for strings) for random values."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tablefmt import types as T
from tablefmt.errors import ValidationError
from tablefmt.metadata.conversions import decimal_from_unscaled, decimal_unscaled
from tablefmt.transforms import TruncateTransform, parse_transform
from tablefmt.types import IcebergType


@pytest.mark.parametrize(("source_type", "arrow_type"), [(T.INT, pa.int32()),
                                                         (T.LONG, pa.int64())])
def test_integers_truncate_down_to_a_multiple_of_the_width(
        source_type: IcebergType, arrow_type: pa.DataType) -> None:
    result = TruncateTransform(10).apply(pa.array([1, -1, 10, -10, 0, None], arrow_type),
                                         source_type)
    assert result.type == arrow_type
    assert result.to_pylist() == [0, -10, 10, -10, 0, None]


def test_decimals_truncate_their_unscaled_value() -> None:
    values = pa.array([Decimal("10.65"), Decimal("-0.01"), None], pa.decimal128(9, 2))
    result = parse_transform("truncate[50]").apply(values, T.DecimalType(9, 2))
    assert result.type == pa.decimal128(9, 2)
    assert result.to_pylist() == [Decimal("10.50"), Decimal("-0.50"), None]


def test_strings_keep_their_first_code_points() -> None:
    values = pa.array(["iceberg", "ab", "é😀xyz", "", None])
    assert TruncateTransform(3).apply(values, T.STRING).to_pylist() == \
        ["ice", "ab", "é😀x", "", None]
    assert TruncateTransform(3).apply(values.cast(pa.large_string()), T.STRING).to_pylist() \
        == ["ice", "ab", "é😀x", "", None]


def test_binary_keeps_its_first_bytes() -> None:
    values = pa.array([b"\x00\x01\x02\x03", b"\xff", None])
    assert TruncateTransform(2).apply(values, T.BINARY).to_pylist() == \
        [b"\x00\x01", b"\xff", None]


def test_int_arithmetic_wraps_at_the_ends_of_the_type_as_in_java() -> None:
    # Java: -2147483648 - 2 overflows to 2147483646; the value must equal what Java writes.
    assert TruncateTransform(10).apply_values([-(2**31)], T.INT) == [2**31 - 2]


@pytest.mark.parametrize("source_type", [T.DATE, T.TIMESTAMP, T.UUID, T.FLOAT,
                                         T.FixedType(4)])
def test_types_the_spec_does_not_truncate_are_refused(source_type: IcebergType) -> None:
    assert not TruncateTransform(4).can_transform(source_type)
    with pytest.raises(ValidationError, match=r"Cannot apply partition transform truncate\[4\]"):
        TruncateTransform(4).apply(pa.array([1]), source_type)


@pytest.mark.parametrize("width", [0, -3, 2**31])
def test_a_width_out_of_range_is_refused(width: int) -> None:
    with pytest.raises(ValidationError, match="truncate needs a width of 1 to"):
        TruncateTransform(width)


# -- the reference: Java's formula per value -------------------------------------------------

def wrap(value: int, bits: int) -> int:
    half = 1 << (bits - 1)
    return (value + half) % (2 * half) - half


def reference(value: Any, t: IcebergType, width: int) -> Any:
    if value is None:
        return None
    if t in (T.INT, T.LONG):
        return wrap(value - (((value % width) + width) % width), 32 if t == T.INT else 64)
    if isinstance(t, T.DecimalType):
        unscaled = decimal_unscaled(value, t.scale)
        return decimal_from_unscaled(unscaled - unscaled % width, t.scale)
    return value[:width]  # str: code points; bytes: bytes


DEC = T.DecimalType(38, 3)
CASES: dict[IcebergType, tuple[pa.DataType, st.SearchStrategy[Any]]] = {
    T.INT: (pa.int32(), st.integers(-(2**31), 2**31 - 1)),
    T.LONG: (pa.int64(), st.integers(-(2**63), 2**63 - 1)),
    DEC: (pa.decimal128(38, 3), st.integers(-(10**38) + 1, 10**38 - 1)
          .map(lambda unscaled: decimal_from_unscaled(unscaled, 3))),
    T.STRING: (pa.string(), st.text(st.characters(codec="utf-8"), max_size=8)),
    T.BINARY: (pa.binary(), st.binary(max_size=8)),
}


@settings(max_examples=200, deadline=None)
@given(data=st.data(), t=st.sampled_from(list(CASES)),
       width=st.one_of(st.integers(1, 12), st.integers(1, 2**31 - 1)))
def test_vectorized_truncate_equals_the_per_value_reference(
        data: st.DataObject, t: IcebergType, width: int) -> None:
    arrow_type, values = CASES[t]
    column = data.draw(st.lists(st.one_of(st.none(), values), max_size=30))
    lead = data.draw(st.lists(values, max_size=5))
    arr = pa.array(lead + column, arrow_type).slice(len(lead))
    result = TruncateTransform(width).apply(arr, t)
    assert result.to_pylist() == [reference(v, t, width) for v in column]
