"""bind(): column resolution, literal coercion to each Iceberg type, simplification."""

from __future__ import annotations

import datetime as dt
import functools
import operator
import uuid
from decimal import Decimal
from typing import Any

import pytest

from tablefmt.errors import FilterError
from tablefmt.expressions import (
    AlwaysFalse,
    AlwaysTrue,
    And,
    BoundPredicate,
    Expression,
    Or,
    bind,
    col,
)
from tests.expressions.sample import SCHEMA

U = uuid.UUID("f79c3e09-677c-4bbd-a479-3f349cb785e7")


def literal_of(expr: Expression) -> Any:
    assert isinstance(expr, BoundPredicate), expr
    return expr.literal


@pytest.mark.parametrize(("column", "value", "internal"), [
    ("i", 5, 5),
    ("i", 5.0, 5),
    ("i", Decimal("7"), 7),
    ("l", -(2**63), -(2**63)),
    ("f", 0.1, 0.10000000149011612),  # the float32 nearest 0.1, as the column stores it
    ("d", 1, 1.0),
    ("d", Decimal("2.5"), 2.5),
    ("d", float("inf"), float("inf")),
    ("dec", 3, Decimal("3.00")),
    ("dec", Decimal("1.5"), Decimal("1.50")),
    ("dec", 0.1, Decimal("0.10")),
    ("dec", "12.34", Decimal("12.34")),
    ("s", "héllo", "héllo"),
    ("day", "1970-01-11", 10),
    ("day", dt.date(1969, 12, 31), -1),
    ("day", dt.datetime(1970, 1, 2), 1),
    ("t", "00:00:01.5", 1_500_000),
    ("t", dt.time(1, 0), 3_600_000_000),
    ("ts", "1970-01-01T00:00:01", 1_000_000),
    ("ts", "1970-01-02", 86_400_000_000),
    ("ts", dt.date(1970, 1, 2), 86_400_000_000),
    ("ts", dt.datetime(1969, 12, 31, 23, 59, 59, 999999), -1),
    ("tstz", "1970-01-01T00:00:01", 1_000_000),
    ("tstz", "1970-01-01T02:00:00+02:00", 0),
    ("tstz", "1970-01-01T00:00:00Z", 0),
    ("tstz", dt.datetime(1970, 1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=1))), 0),
    ("u", str(U), U),
    ("u", U, U),
    ("u", U.bytes, U),
    ("b", b"\x00\x01", b"\x00\x01"),
    ("b", bytearray(b"\x02"), b"\x02"),
    ("fx", b"abc", b"abc"),
    ("flag", True, True),
    ("st.x", 3, 3),
])
def test_literals_coerce_to_the_column_internal_representation(
        column: str, value: Any, internal: Any) -> None:
    bound = bind(col(column) == value, SCHEMA)
    assert literal_of(bound) == internal
    assert type(literal_of(bound)) is type(internal)


@pytest.mark.parametrize(("column", "value", "reason"), [
    ("i", "5", "a string is not a number \\(remove the quotes\\)"),
    ("i", 2**31, "out of range for int"),
    ("i", -(2**31) - 1, "out of range for int"),
    ("l", 2**63, "out of range for long"),
    ("i", 1.5, "not a whole number"),
    ("i", True, "a bool is not a number"),
    ("f", 1e39, "out of range for float"),
    ("d", 10**400, "out of range for double"),
    ("d", "1.5", "not a number"),
    ("dec", Decimal("1.234"), "more than 2 digits after the decimal point"),
    ("dec", Decimal("12345678.9"), "more than 9 digits"),
    ("dec", "abc", "is not a decimal number"),
    ("dec", Decimal("1E+1000"), "more than 9 digits"),
    ("s", 5, "a int is not a string"),
    ("s", "\udcff", "not valid Unicode"),
    ("day", "2024-13-01", "is not a date"),
    ("day", dt.datetime(2024, 1, 1, 12), "a datetime with a time of day is not a date"),
    ("day", 5, "a int is not a date"),
    ("t", "25:00", "is not a time"),
    ("ts", "2024-01-01T00:00:00+01:00", "without time zone, but the value has a UTC offset"),
    ("ts", "yesterday", "is not an ISO timestamp"),
    ("tstz", "2024-01-01T00:00:00.1234567", "more precise than the microseconds"),
    ("t", "10:00:00.1234567", "more precise than the microseconds"),
    ("u", "not-a-uuid", "is not a UUID"),
    ("b", "abc", "write binary literals as X'0A1B'"),
    ("fx", b"ab", "it has 2 bytes, the column holds 3"),
    ("flag", 1, "not a boolean"),
])
def test_literals_that_do_not_fit_the_column_raise_filter_error(
        column: str, value: Any, reason: str) -> None:
    with pytest.raises(FilterError, match=f"Cannot compare column '{column}' of type .*: "
                                          f".*{reason}"):
        bind(col(column) == value, SCHEMA)


def test_unknown_columns_are_named_with_the_available_columns() -> None:
    with pytest.raises(FilterError, match="Unknown column 'nope' in filter; columns are "
                                          "i, l, f, d, dec, s, .*st.x, st.name") as info:
        bind("i = 1 AND nope = 2", SCHEMA)
    assert info.value.position == 10


def test_unknown_column_suggests_a_case_insensitive_match() -> None:
    with pytest.raises(FilterError, match="did you mean 'flag'"):
        bind(col("FLAG") == True, SCHEMA)  # noqa: E712


def test_struct_and_list_columns_cannot_be_compared() -> None:
    with pytest.raises(FilterError, match="it is a struct column"):
        bind(col("st") == 1, SCHEMA)
    with pytest.raises(FilterError, match="inside a list or map"):
        bind(col("tags.element") == "x", SCHEMA)
    with pytest.raises(FilterError, match="it is a list column"):
        bind(col("tags").is_null(), SCHEMA)


def test_comparing_with_null_is_an_error_that_suggests_is_null() -> None:
    with pytest.raises(FilterError, match="use i IS NULL"):
        bind(col("i") == None, SCHEMA)  # noqa: E711
    with pytest.raises(FilterError, match="use i IS NOT NULL"):
        bind(col("i") != None, SCHEMA)  # noqa: E711


def test_comparing_with_nan_is_an_error_that_suggests_is_nan() -> None:
    with pytest.raises(FilterError, match="use is_nan"):
        bind(col("d") == float("nan"), SCHEMA)
    with pytest.raises(FilterError, match="use is_nan"):
        bind(col("d").is_in([1.0, float("nan")]), SCHEMA)


def test_comparing_two_columns_is_an_error() -> None:
    with pytest.raises(FilterError, match="Comparing two columns"):
        bind(col("i") == col("l"), SCHEMA)


def test_starts_with_needs_a_string_column_and_a_string() -> None:
    with pytest.raises(FilterError, match="needs a string column"):
        bind(col("i").starts_with("1"), SCHEMA)
    with pytest.raises(FilterError, match="is not a string"):
        bind(col("s").starts_with(1), SCHEMA)  # type: ignore[arg-type]


def test_is_nan_on_a_non_float_column_is_constant() -> None:
    assert bind(col("i").is_nan(), SCHEMA) == AlwaysFalse()
    assert bind(col("i").not_nan(), SCHEMA) == AlwaysTrue()
    assert bind(~col("s").is_nan(), SCHEMA) == AlwaysTrue()
    assert isinstance(bind(col("f").is_nan(), SCHEMA), BoundPredicate)


def test_bound_predicates_carry_field_id_field_and_literals() -> None:
    bound = bind("st.x IN (3, 1, 3)", SCHEMA)
    assert isinstance(bound, BoundPredicate)
    assert bound.field_id == 16
    assert bound.field == SCHEMA.find_field("st.x")
    assert bound.literals == (3, 1)
    assert bound.path == ("st", "x")


def test_in_lists_of_zero_or_one_value_become_simpler_predicates() -> None:
    assert bind(col("i").is_in([]), SCHEMA) == AlwaysFalse()
    assert bind(col("i").not_in([]), SCHEMA) == bind(col("i").not_null(), SCHEMA)
    assert bind(col("i").is_in([2, 2]), SCHEMA) == bind(col("i") == 2, SCHEMA)
    assert bind(col("i").not_in([2]), SCHEMA) == bind(col("i") != 2, SCHEMA)


def test_empty_prefixes_bind_to_not_null_and_false() -> None:
    assert bind(col("s").starts_with(""), SCHEMA) == bind(col("s").not_null(), SCHEMA)
    assert bind(col("s").not_starts_with(""), SCHEMA) == AlwaysFalse()


def test_binding_pushes_not_into_the_predicates() -> None:
    bound = bind(~((col("i") > 5) & col("s").is_null()), SCHEMA)
    assert bound == Or(bind(col("i") <= 5, SCHEMA), bind(col("s").not_null(), SCHEMA))
    assert str(bound) == "i <= 5 OR s IS NOT NULL"


@pytest.mark.parametrize(("expr", "expected"), [
    ((col("i") > 1) & AlwaysTrue(), col("i") > 1),
    (AlwaysTrue() & (col("i") > 1), col("i") > 1),
    ((col("i") > 1) & AlwaysFalse(), AlwaysFalse()),
    ((col("i") > 1) | AlwaysTrue(), AlwaysTrue()),
    ((col("i") > 1) | AlwaysFalse(), col("i") > 1),
    (~AlwaysTrue(), AlwaysFalse()),
    ((col("i").is_nan() | (col("i") > 1)) & col("i").not_nan(), col("i") > 1),
])
def test_binding_simplifies_constant_branches(expr: Expression, expected: Expression) -> None:
    expected_bound = expected if isinstance(expected, AlwaysTrue | AlwaysFalse) \
        else bind(expected, SCHEMA)
    assert bind(expr, SCHEMA) == expected_bound


def test_bind_accepts_strings_and_none() -> None:
    assert bind(None, SCHEMA) == AlwaysTrue()
    assert bind("i = 1", SCHEMA) == bind(col("i") == 1, SCHEMA)


def test_binding_a_bound_expression_returns_it_unchanged() -> None:
    bound = bind("i = 1 OR s LIKE 'a%'", SCHEMA)
    assert bind(bound, SCHEMA) == bound


def test_bind_errors_point_at_the_column_in_the_filter_text() -> None:
    with pytest.raises(FilterError, match="remove the quotes.* at position 11: 'i'") as info:
        bind("s = 'x' OR i = 'five'", SCHEMA)
    assert info.value.position == 11


def test_str_of_a_bound_filter_shows_readable_literals_and_binds_back() -> None:
    text = ("day >= DATE '2024-01-02' AND tstz < TIMESTAMP '2024-01-02T03:04:05+00:00' "
            "AND ts > TIMESTAMP '2024-01-02T03:04:05' AND t = TIME '01:02:03' "
            "AND u = 'f79c3e09-677c-4bbd-a479-3f349cb785e7' AND fx = X'616263' "
            "AND dec IN (1.50, 2.00)")
    bound = bind(text, SCHEMA)
    assert str(bound) == text
    assert bind(str(bound), SCHEMA) == bound


def test_long_python_built_chains_bind_without_recursion_errors() -> None:
    chain = functools.reduce(operator.or_, [col("i") == v for v in range(5000)])
    bound = bind(chain, SCHEMA)
    assert isinstance(bound, Or | And)
