"""Building filters with col(...) and combining them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tablefmt.errors import FilterError
from tablefmt.expressions import (
    AlwaysFalse,
    AlwaysTrue,
    And,
    Not,
    Op,
    Or,
    Predicate,
    Reference,
    col,
)


@pytest.mark.parametrize(("built", "op", "literals"), [
    (col("a") == 1, Op.EQ, (1,)),
    (col("a") != 1, Op.NE, (1,)),
    (col("a") < 1, Op.LT, (1,)),
    (col("a") <= 1, Op.LE, (1,)),
    (col("a") > 1, Op.GT, (1,)),
    (col("a") >= 1, Op.GE, (1,)),
    (col("a").is_in([1, 2]), Op.IN, (1, 2)),
    (col("a").not_in((1, 2)), Op.NOT_IN, (1, 2)),
    (col("a").is_null(), Op.IS_NULL, ()),
    (col("a").not_null(), Op.NOT_NULL, ()),
    (col("a").is_nan(), Op.IS_NAN, ()),
    (col("a").not_nan(), Op.NOT_NAN, ()),
    (col("a").starts_with("x"), Op.STARTS_WITH, ("x",)),
    (col("a").not_starts_with("x"), Op.NOT_STARTS_WITH, ("x",)),
])
def test_each_reference_method_builds_its_predicate(built: Predicate, op: Op,
                                                    literals: tuple[object, ...]) -> None:
    assert built == Predicate(op, Reference("a"), literals)


def test_comparing_with_a_literal_on_the_left_flips_the_operator() -> None:
    assert (5 < col("a")) == (col("a") > 5)  # noqa: SIM300
    assert (5 >= col("a")) == (col("a") <= 5)  # noqa: SIM300


def test_operators_combine_into_and_or_not() -> None:
    a, b = col("a") > 1, col("b") == "x"
    assert (a & b) == And(a, b)
    assert (a | b) == Or(a, b)
    assert ~a == Not(a)


def test_trees_compare_structurally_and_hash_consistently() -> None:
    one = (col("a") > 1) & col("b").is_in([1, 2])
    two = (col("a") > 1) & col("b").is_in([1, 2])
    assert one == two
    assert hash(one) == hash(two)
    assert one != ((col("a") > 2) & col("b").is_in([1, 2]))
    assert (col("a") > 1) != (col("b") > 1)
    assert len({one, two, AlwaysTrue(), AlwaysTrue()}) == 2


def test_reference_hashes_by_name_and_ignores_its_parse_position() -> None:
    assert hash(col("a")) == hash(Reference("a", position=4))
    assert (col("a") == 1) == Predicate(Op.EQ, Reference("a", position=4), (1,))


def test_str_renders_sql_style_text_with_minimal_parentheses() -> None:
    expr = ((col("a") > 5) | (col("b") < 2)) & ~(col("c").is_null() & (col("d") != "it's"))
    assert str(expr) == "(a > 5 OR b < 2) AND NOT (c IS NULL AND d != 'it''s')"


def test_str_quotes_names_that_are_not_bare_identifiers() -> None:
    assert str(col("weird name") == 1) == '"weird name" = 1'
    assert str(col("s.x") == 1) == "s.x = 1"
    assert str(col("and") == 1) == '"and" = 1'


def test_str_renders_typed_literals_and_like_patterns() -> None:
    assert str(col("d") >= dt.date(2024, 1, 2)) == "d >= DATE '2024-01-02'"
    assert str(col("t") < dt.datetime(2024, 1, 2, 3)) == "t < TIMESTAMP '2024-01-02T03:00:00'"
    assert str(col("n").is_in([Decimal("1.50"), True])) == "n IN (1.50, TRUE)"
    assert str(col("b") == b"\x0a\xff") == "b = X'0AFF'"
    assert str(col("s").starts_with("50%_off")) == r"s LIKE '50\%\_off%'"
    assert str(AlwaysTrue() | AlwaysFalse()) == "TRUE OR FALSE"


def test_repr_names_the_operator_and_column() -> None:
    assert repr(col("a") > 5) == "Predicate(GT, col('a'), (5,))"


def test_using_python_and_on_filters_raises_instead_of_dropping_one() -> None:
    with pytest.raises(TypeError, match="combine filters with &"):
        _ = (col("a") > 1) and (col("b") > 2)


def test_combining_a_filter_with_a_non_filter_raises_filter_error() -> None:
    with pytest.raises(FilterError, match="both sides must be filters"):
        _ = (col("a") > 1) & True  # type: ignore[operator]


def test_is_in_rejects_a_bare_string_instead_of_iterating_its_characters() -> None:
    with pytest.raises(FilterError, match="takes a list of values"):
        col("a").is_in("abc")


def test_col_rejects_empty_names() -> None:
    with pytest.raises(FilterError, match="non-empty string"):
        col("")
