"""parse_filter: SQL-style filter strings into expressions, with positioned errors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tablefmt.errors import FilterError
from tablefmt.expressions import (
    AlwaysFalse,
    AlwaysTrue,
    And,
    Expression,
    Not,
    Or,
    col,
    parse_filter,
    to_expression,
)


@pytest.mark.parametrize(("text", "expected"), [
    ("a = 1", col("a") == 1),
    ("a == 1", col("a") == 1),
    ("a != 1", col("a") != 1),
    ("a <> 1", col("a") != 1),
    ("a < 1", col("a") < 1),
    ("a <= 1", col("a") <= 1),
    ("a > 1", col("a") > 1),
    ("a >= 1", col("a") >= 1),
    ("a IN (1, 2, 3)", col("a").is_in([1, 2, 3])),
    ("a NOT IN ('x')", col("a").not_in(["x"])),
    ("a IN ()", col("a").is_in([])),
    ("a IS NULL", col("a").is_null()),
    ("a IS NOT NULL", col("a").not_null()),
    ("a IS NAN", col("a").is_nan()),
    ("a IS NOT NAN", col("a").not_nan()),
    ("a LIKE 'abc%'", col("a").starts_with("abc")),
    ("a NOT LIKE 'abc%'", col("a").not_starts_with("abc")),
    ("a LIKE 'exact'", col("a") == "exact"),
    ("a LIKE '50\\%%'", col("a").starts_with("50%")),
    ("a BETWEEN 1 AND 5", (col("a") >= 1) & (col("a") <= 5)),
    ("a NOT BETWEEN 1 AND 5", (col("a") < 1) | (col("a") > 5)),
])
def test_each_operator_parses_to_its_predicate(text: str, expected: Expression) -> None:
    assert parse_filter(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("a = -5", -5),
    ("a = +5", 5),
    ("a = 1.25", Decimal("1.25")),
    ("a = -1.5e3", Decimal("-1.5e3")),
    ("a = .5", Decimal("0.5")),
    ("a = 'it''s'", "it's"),
    ("a = ''", ""),
    ("a = TRUE", True),
    ("a = false", False),
    ("a = X'0aFF'", b"\x0a\xff"),
    ("a = DATE '2024-01-02'", dt.date(2024, 1, 2)),
    ("a = TIME '10:11:12'", dt.time(10, 11, 12)),
    ("a = TIMESTAMP '2024-01-02 03:04:05'", dt.datetime(2024, 1, 2, 3, 4, 5)),
    ("a = timestamp '2024-01-02T03:04:05+02:00'",
     dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=2)))),
])
def test_literals_parse_to_python_values(text: str, expected: object) -> None:
    parsed = parse_filter(text)
    assert parsed == (col("a") == expected)
    assert type(parsed.literal) is type(expected)  # type: ignore[attr-defined]


def test_not_binds_tighter_than_and_which_binds_tighter_than_or() -> None:
    a, b, c = col("a") == 1, col("b") == 2, col("c") == 3
    assert parse_filter("a = 1 OR b = 2 AND c = 3") == Or(a, And(b, c))
    assert parse_filter("NOT a = 1 AND b = 2") == And(Not(a), b)
    assert parse_filter("(a = 1 OR b = 2) AND c = 3") == And(Or(a, b), c)
    assert parse_filter("NOT NOT a = 1") == Not(Not(a))
    assert parse_filter("a = 1 AND b = 2 AND c = 3") == And(And(a, b), c)


def test_keywords_are_case_insensitive() -> None:
    assert parse_filter("a is not null and b in (1) or not c like 'x%'") == \
        parse_filter("a IS NOT NULL AND b IN (1) OR NOT c LIKE 'x%'")
    assert parse_filter("a Is NaN") == col("a").is_nan()


def test_whole_filter_may_be_true_or_false() -> None:
    assert parse_filter("true") == AlwaysTrue()
    assert parse_filter(" FALSE ") == AlwaysFalse()
    assert parse_filter("a = 1 OR TRUE") == Or(col("a") == 1, AlwaysTrue())


def test_literal_on_the_left_flips_the_comparison() -> None:
    assert parse_filter("5 < a") == (col("a") > 5)
    assert parse_filter("5 >= a") == (col("a") <= 5)
    assert parse_filter("'x' = a") == (col("a") == "x")
    assert parse_filter("TRUE = flag") == (col("flag") == True)  # noqa: E712


def test_names_may_be_dotted_and_double_quoted() -> None:
    assert parse_filter("s.x = 1") == (col("s.x") == 1)
    assert parse_filter('"weird name" = 1') == (col("weird name") == 1)
    assert parse_filter('"has ""quote""" = 1') == (col('has "quote"') == 1)
    assert parse_filter('s."in" = 1') == (col("s.in") == 1)
    assert parse_filter('"AND" = 1') == (col("AND") == 1)


def test_type_words_are_column_names_unless_a_string_follows() -> None:
    assert parse_filter("date = DATE '2024-01-01'") == (col("date") == dt.date(2024, 1, 1))
    assert parse_filter("timestamp > 5") == (col("timestamp") > 5)


@pytest.mark.parametrize("text", [
    "a > 5 AND b IN (1, 2) AND ts >= '2024-01-01'",
    "(a > 5 OR b < 2) AND NOT (c IS NULL AND d != 'it''s')",
    "s LIKE '50\\%\\_off%' OR s NOT LIKE 'x%'",
    '"weird name".x IN (1.5, -2, TRUE) AND d = DATE \'2024-01-02\'',
    "NOT NOT a IS NOT NAN",
])
def test_str_of_a_parsed_filter_parses_back_to_the_same_tree(text: str) -> None:
    parsed = parse_filter(text)
    assert parse_filter(str(parsed)) == parsed


@pytest.mark.parametrize(("text", "position", "message"), [
    ("a >", 3, "Expected a value after '>'"),
    ("a = 'unterminated", 4, "Unterminated string literal"),
    ("a IN (1,", 8, "Expected a value in the IN list"),
    ("a IN (1 2)", 8, "Expected ',' or '\\)'"),
    ("a IN 1", 5, "Expected '\\(' after IN"),
    ("a @ 3", 2, "Unexpected character '@'"),
    ("(a = 1", 6, "Expected '\\)' to close the '\\(' opened at position 0"),
    ("a = 1)", 5, "Unexpected '\\)'"),
    ("AND a = 1", 0, "Expected a column name or a value"),
    ("a LIKE '%x'", 7, "LIKE supports only prefix patterns"),
    ("a LIKE 'a_c%'", 7, "LIKE supports only prefix patterns"),
    ("", 0, "Empty filter"),
    ("   ", 0, "Empty filter"),
    ("a = 1; DROP TABLE x", 5, "Unexpected character ';'"),
    ("__import__('os')", 10, "Expected an operator after '__import__'"),
    ("a = 1 b = 2", 6, "Expected AND, OR or the end of the filter"),
    ("a = b", 4, "Comparing two columns is not supported"),
    ('a = "bob"', 4, "strings take single quotes"),
    ("1 = 1", 0, "A comparison needs a column on one side"),
    ("a = NULL", 4, "Use IS NULL"),
    ("a IN (1, NULL)", 9, "NULL never matches in an IN list"),
    ("a IS 5", 5, "Expected NULL or NAN after IS"),
    ("a LIKE 5", 7, "Expected a quoted pattern after LIKE"),
    ("a BETWEEN 1 OR 2", 12, "Expected AND between the two BETWEEN values"),
    ("a = DATE '2024-13-01'", 9, "Invalid DATE literal"),
    ("a = X'zz'", 4, "hex digits only"),
    ("a. = 1", 2, "Expected a column name after '.'"),
    ("a = 1 AND", 9, "Expected a column name or a value"),
    ("NOT", 3, "Expected a column name or a value"),
    ("5", 1, "Expected a comparison operator after the value '5'"),
])
def test_malformed_filters_raise_filter_error_at_the_offending_position(
        text: str, position: int, message: str) -> None:
    with pytest.raises(FilterError, match=message) as info:
        parse_filter(text)
    assert info.value.position == position


def test_errors_name_the_offending_token_text() -> None:
    with pytest.raises(FilterError, match=r"at position 2: '@'") as info:
        parse_filter("a @ 3")
    assert info.value.text == "@"


def test_errors_at_the_end_of_input_say_the_filter_ended() -> None:
    with pytest.raises(FilterError, match="but the filter ended at position 3"):
        parse_filter("a >")


def test_deeply_nested_parentheses_raise_filter_error_not_recursion_error() -> None:
    with pytest.raises(FilterError, match="nests parentheses too deeply"):
        parse_filter("(" * 1000 + "a = 1" + ")" * 1000)


def test_long_chains_of_and_parse_without_recursion_limits() -> None:
    text = " AND ".join(f"c{i} = {i}" for i in range(2000))
    assert "c1999 = 1999" in str(parse_filter(text))


def test_to_expression_accepts_none_strings_and_expressions() -> None:
    assert to_expression(None) == AlwaysTrue()
    assert to_expression("a = 1") == (col("a") == 1)
    expr = col("a") > 1
    assert to_expression(expr) is expr


@pytest.mark.parametrize("bad", [5, True, b"a = 1", ["a = 1"]])
def test_to_expression_rejects_anything_else(bad: object) -> None:
    with pytest.raises(FilterError, match="A filter must be a string"):
        to_expression(bad)  # type: ignore[arg-type]


def test_to_expression_explains_that_a_bare_column_is_not_a_filter() -> None:
    with pytest.raises(FilterError, match="alone is not a filter"):
        to_expression(col("a"))  # type: ignore[arg-type]
