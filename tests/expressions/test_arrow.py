"""to_arrow_expr: bound filters select the expected rows of Arrow tables."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pyarrow as pa
import pytest

from tablefmt.expressions import AlwaysFalse, AlwaysTrue, Expression, bind, col, to_arrow_expr
from tests.expressions.sample import SCHEMA, arrow_table

NAN = float("nan")
U1, U2 = uuid.UUID(int=1), uuid.UUID(int=2**127)
UTC = dt.UTC

# row ids 0..4; the last row is null everywhere (except id-like "l").
TABLE = arrow_table(SCHEMA, {
    "i": [1, 5, -3, 5, None],
    "l": [0, 1, 2, 3, 4],
    "f": [1.5, NAN, -0.0, 0.0, None],
    "d": [1.5, NAN, -0.0, float("inf"), None],
    "dec": [Decimal("1.50"), Decimal("2.25"), Decimal("-1.00"), Decimal("2.25"), None],
    "s": ["apple", "apricot", "banana", "Äpfel", None],
    "day": [dt.date(2024, 1, 1), dt.date(2024, 1, 2), dt.date(1969, 12, 31),
            dt.date(2024, 1, 1), None],
    "t": [dt.time(0, 0), dt.time(12, 30), dt.time(23, 59, 59, 999999), dt.time(12, 30), None],
    "ts": [dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 1, 12), dt.datetime(1960, 5, 5),
           dt.datetime(2024, 1, 2), None],
    "tstz": [dt.datetime(2024, 1, 1, tzinfo=UTC), dt.datetime(2024, 1, 1, 12, tzinfo=UTC),
             dt.datetime(1960, 5, 5, tzinfo=UTC), dt.datetime(2024, 1, 2, tzinfo=UTC), None],
    "u": [U1, U2, U1, uuid.UUID(int=3), None],
    "b": [b"\x00", b"\x00\x01", b"\xff", b"", None],
    "fx": [b"abc", b"abd", b"xyz", b"abc", None],
    "flag": [True, False, True, False, None],
    "st": [{"x": 1, "name": "a"}, {"x": 2, "name": None}, None, {"x": None, "name": "c"},
           {"x": 5, "name": "e"}],
})


def selected(where: Expression | str) -> list[int]:
    """The row numbers (column "l") a filter selects."""
    result = TABLE.filter(to_arrow_expr(bind(where, SCHEMA), SCHEMA))
    return result.column("l").to_pylist()


@pytest.mark.parametrize(("where", "rows"), [
    ("i = 5", [1, 3]),
    ("i != 5", [0, 2]),
    ("i < 5", [0, 2]),
    ("i <= 1", [0, 2]),
    ("i > 1", [1, 3]),
    ("i >= 1", [0, 1, 3]),
    ("i IN (1, -3)", [0, 2]),
    ("i NOT IN (1, -3)", [1, 3]),
    ("i IS NULL", [4]),
    ("i IS NOT NULL", [0, 1, 2, 3]),
    ("NOT i > 1", [0, 2]),
    ("NOT i IN (1)", [1, 2, 3]),
    ("NOT i IS NULL", [0, 1, 2, 3]),
])
def test_integer_predicates_never_select_null_rows_unless_asked(where: str,
                                                                rows: list[int]) -> None:
    assert selected(where) == rows


@pytest.mark.parametrize(("where", "rows"), [
    (col("f").is_nan(), [1]),
    (col("f").not_nan(), [0, 2, 3, 4]),  # null is not NaN
    (~col("f").is_nan(), [0, 2, 3, 4]),
    (col("f") == 0.0, [2, 3]),  # -0.0 == 0.0
    (col("f").is_in([0.0, 1.5]), [0, 2, 3]),  # IN agrees with =
    (col("f").not_in([0.0]), [0, 1]),  # NaN is not in any list; nulls never match
    (col("f") != 1.5, [1, 2, 3]),  # NaN != 1.5
    (col("f") > 0.5, [0]),  # NaN never orders
    (col("f") <= 0.5, [2, 3]),
    (col("d") > 1e308, [3]),
    (col("d") == float("inf"), [3]),
    (col("d").is_nan() | (col("d") < 0.5), [1, 2]),
])
def test_float_predicates_follow_ieee_nan_and_signed_zero_rules(where: Expression,
                                                                rows: list[int]) -> None:
    assert selected(where) == rows


@pytest.mark.parametrize(("where", "rows"), [
    ("s LIKE 'ap%'", [0, 1]),
    ("s NOT LIKE 'ap%'", [2, 3]),
    ("s LIKE 'Ä%'", [3]),
    ("s > 'b'", [2, 3]),  # UTF-8 byte order: 'Ä' sorts after ASCII
    ("s IN ('apple', 'banana')", [0, 2]),
    ("dec > 1.5", [1, 3]),
    ("dec = 2.25", [1, 3]),
    ("dec IN (1.5, -1)", [0, 2]),
    ("day = '2024-01-01'", [0, 3]),
    ("day < DATE '2000-01-01'", [2]),
    ("t >= '12:30'", [1, 2, 3]),
    ("ts >= '2024-01-01T06:00:00'", [1, 3]),
    ("ts < '1970-01-01'", [2]),
    ("tstz >= '2024-01-01T13:00:00+02:00'", [1, 3]),
    ("tstz IN ('2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z')", [0, 3]),
    ("u = '00000000-0000-0000-0000-000000000001'", [0, 2]),
    ("u > '00000000-0000-0000-0000-000000000003'", [1]),  # unsigned byte order
    ("u NOT IN ('00000000-0000-0000-0000-000000000001')", [1, 3]),
    ("b = X'0001'", [1]),
    ("b < X'01'", [0, 1, 3]),
    ("fx IN (X'616263', X'78797A')", [0, 2, 3]),
    ("flag = TRUE", [0, 2]),
    ("flag != TRUE", [1, 3]),
])
def test_predicates_on_each_type_compare_in_iceberg_order(where: str, rows: list[int]) -> None:
    assert selected(where) == rows


def test_nested_struct_fields_filter_and_a_null_struct_makes_its_fields_null() -> None:
    assert selected("st.x >= 2") == [1, 4]
    assert selected("st.x IS NULL") == [2, 3]
    assert selected("st.name LIKE 'e%' OR st.name IS NULL") == [1, 2, 4]


def test_constant_filters_select_everything_or_nothing() -> None:
    assert selected(AlwaysTrue()) == [0, 1, 2, 3, 4]
    assert selected(AlwaysFalse()) == []
    assert selected(col("i").is_nan()) == []


def test_and_or_combine_with_sql_null_semantics() -> None:
    assert selected("i > 1 OR s LIKE 'ap%'") == [0, 1, 3]
    assert selected("i > 1 AND s LIKE 'ap%'") == [1]
    assert selected("NOT (i > 1 AND s LIKE 'ap%')") == [0, 2, 3]


@pytest.mark.parametrize("where", [
    "i > 1", "NOT i > 1", "f IS NOT NAN", "f != 1.5", "s NOT LIKE 'ap%'", "i NOT IN (1)",
    "st.x >= 2 OR d IS NAN", "TRUE", "FALSE",
])
def test_negate_selects_exactly_the_rows_the_filter_does_not(where: str) -> None:
    bound = bind(where, SCHEMA)
    kept = TABLE.filter(to_arrow_expr(bound, SCHEMA, negate=True)).column("l").to_pylist()
    chosen = selected(where)
    assert sorted(kept + chosen) == [0, 1, 2, 3, 4]
    assert not set(kept) & set(chosen)


def test_to_arrow_expr_uses_the_current_name_of_a_renamed_column() -> None:
    from tablefmt.schema import Schema
    from tablefmt.types import INT, NestedField

    old = Schema((NestedField(1, "a", INT),))
    new = Schema((NestedField(1, "b", INT),))
    bound = bind("a > 1", old)
    table = pa.table({"b": pa.array([1, 2], pa.int32())})
    assert table.filter(to_arrow_expr(bound, new)).column("b").to_pylist() == [2]
