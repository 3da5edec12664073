"""Inclusive and strict metrics evaluators on hand-written data-file stats."""

from __future__ import annotations

import struct
from typing import Any

import pytest

from tablefmt import types as T
from tablefmt.expressions import (
    InclusiveMetricsEvaluator,
    StrictMetricsEvaluator,
    bind,
    col,
)
from tablefmt.metadata.conversions import to_bytes
from tests.expressions.sample import SCHEMA, Stats, stats_for

FIELDS = {1: T.INT, 4: T.DOUBLE, 6: T.STRING, 16: T.INT}


def can_match(where: Any, stats: Stats) -> bool:
    return InclusiveMetricsEvaluator(bind(where, SCHEMA)).can_match(stats)


def must_match(where: Any, stats: Stats) -> bool:
    return StrictMetricsEvaluator(bind(where, SCHEMA)).must_match(stats)


# i in [10, 20] without nulls; d in [1.0, 2.0] with a NaN; s in ['b', 'd'] with a null.
FILE = stats_for(FIELDS, {
    1: [10, 15, 20],
    4: [1.0, float("nan"), 2.0],
    6: ["b", None, "d"],
    16: [1, 1, 1],
})


@pytest.mark.parametrize(("where", "expected"), [
    ("i < 10", False), ("i < 11", True), ("i <= 10", True), ("i <= 9", False),
    ("i > 20", False), ("i > 19", True), ("i >= 20", True), ("i >= 21", False),
    ("i = 9", False), ("i = 21", False), ("i = 15", True), ("i = 11", True),
    ("i != 15", True), ("i IN (1, 2, 30)", False), ("i IN (1, 12)", True),
    ("i NOT IN (10, 20)", True), ("i IS NULL", False), ("i IS NOT NULL", True),
    ("s IS NULL", True), ("s LIKE 'c%'", True), ("s LIKE 'e%'", False),
    ("s LIKE 'a%'", False), ("s NOT LIKE 'c%'", True), ("st.x != 1", False),
    ("st.x NOT IN (1, 2)", False), ("st.x NOT IN (2, 3)", True),
    (col("d").is_nan(), True), (col("d").not_nan(), True), (col("d") > 2.0, False),
    (col("d") != 1.5, True),
])
def test_inclusive_evaluator_prunes_only_files_whose_bounds_exclude_the_value(
        where: Any, expected: bool) -> None:
    assert can_match(where, FILE) is expected


@pytest.mark.parametrize(("where", "expected"), [
    ("i >= 10", True), ("i > 9", True), ("i > 10", False), ("i <= 20", True),
    ("i < 20", False), ("i != 9", True), ("i != 15", False), ("i NOT IN (1, 21)", True),
    ("i IN (10, 15, 20)", False), ("st.x = 1", True), ("st.x IN (1, 2)", True),
    ("i IS NOT NULL", True), ("i IS NULL", False), ("s IS NOT NULL", False),
    ("s >= 'a'", False),  # a null row satisfies no comparison
    (col("d") >= 1.0, False),  # a NaN row satisfies no ordering
    (col("d") != 3.0, True),  # ...but it does satisfy !=
    (col("d").not_nan(), False), (col("i").not_nan(), True),
    ("i > 5 AND st.x = 1", True), ("i > 15 OR st.x = 1", True), ("i > 15 OR st.x = 2", False),
])
def test_strict_evaluator_says_must_match_only_when_every_row_matches(
        where: Any, expected: bool) -> None:
    assert must_match(where, FILE) is expected


ALL_NULL = Stats(record_count=3, value_counts={1: 3, 4: 3}, null_value_counts={1: 3, 4: 3},
                 nan_value_counts={4: 0})


@pytest.mark.parametrize("where", [
    "i = 1", "i != 1", "i < 1", "i IN (1, 2)", "i NOT IN (1, 2)", "i IS NOT NULL",
    col("d").is_nan(), col("d") != 1.0,
])
def test_a_column_of_only_nulls_matches_no_comparison(where: Any) -> None:
    assert not can_match(where, ALL_NULL)


def test_a_column_of_only_nulls_must_match_is_null_and_not_nan() -> None:
    assert must_match("i IS NULL", ALL_NULL)
    assert must_match(col("d").not_nan(), ALL_NULL)
    assert can_match("i IS NULL", ALL_NULL)


ALL_NAN = Stats(record_count=2, value_counts={4: 2}, null_value_counts={4: 0},
                nan_value_counts={4: 2})


def test_a_column_of_only_nans_matches_is_nan_and_not_equal_only() -> None:
    assert can_match(col("d").is_nan(), ALL_NAN)
    assert must_match(col("d").is_nan(), ALL_NAN)
    assert not can_match(col("d").not_nan(), ALL_NAN)
    assert not can_match(col("d") > 0.0, ALL_NAN)
    assert not can_match(col("d").is_in([1.0, 2.0]), ALL_NAN)
    assert can_match(col("d") != 1.0, ALL_NAN)
    assert must_match(col("d") != 1.0, ALL_NAN)
    assert must_match(col("d").not_in([1.0, 2.0]), ALL_NAN)


def test_missing_metrics_never_prune_and_never_prove_a_match() -> None:
    bare = Stats(record_count=5, value_counts=None, null_value_counts=None,
                 nan_value_counts=None, lower_bounds=None, upper_bounds=None)
    for where in ["i = 1", "i IS NULL", "i IS NOT NULL", "s LIKE 'x%'", "i NOT IN (1)",
                  "s NOT LIKE 'x%'"]:
        assert can_match(where, bare), where
        assert not must_match(where, bare), where
    assert can_match(col("d").is_nan(), bare)


def test_unknown_nan_counts_keep_float_files_for_every_predicate() -> None:
    stats = Stats(record_count=2, value_counts={4: 2}, null_value_counts={4: 0},
                  nan_value_counts=None, lower_bounds={4: to_bytes(T.DOUBLE, 1.0)},
                  upper_bounds={4: to_bytes(T.DOUBLE, 1.0)})
    assert can_match(col("d") != 1.0, stats)  # a NaN row would satisfy it
    assert not must_match(col("d") == 1.0, stats)  # a NaN row would not
    assert not can_match(col("d") > 1.0, stats)


def test_nan_bounds_written_by_other_engines_are_ignored() -> None:
    nan = struct.pack("<d", float("nan"))
    stats = Stats(record_count=2, value_counts={4: 2}, null_value_counts={4: 0},
                  nan_value_counts={4: 1}, lower_bounds={4: nan}, upper_bounds={4: nan})
    assert can_match(col("d") > 5.0, stats)
    assert can_match(col("d") < 5.0, stats)
    assert not must_match(col("d") != 5.0, stats)


def test_unreadable_bounds_are_treated_as_unknown() -> None:
    stats = Stats(record_count=1, value_counts={1: 1}, null_value_counts={1: 0},
                  lower_bounds={1: b"\x01"}, upper_bounds={1: b"\x01"})
    assert can_match("i = 7", stats)
    assert not must_match("i = 7", stats)


def test_long_bounds_of_promoted_int_columns_are_read_by_width() -> None:
    stats = Stats(record_count=1, value_counts={2: 1}, null_value_counts={2: 0},
                  lower_bounds={2: to_bytes(T.INT, 5)}, upper_bounds={2: to_bytes(T.INT, 9)})
    assert not can_match("l > 9", stats)
    assert must_match("l BETWEEN 5 AND 9", stats)


def test_truncated_string_bounds_still_find_every_prefix_match() -> None:
    # values 'abcdef', 'abzzz' truncated to 2 chars: lower 'ab', upper 'ac'
    stats = stats_for({6: T.STRING}, {6: ["abcdef", "abzzz"]}, truncate=2)
    assert stats.lower_bounds == {6: b"ab"} and stats.upper_bounds == {6: b"ac"}
    assert can_match("s LIKE 'abc%'", stats)
    assert can_match("s = 'abzzz'", stats)
    assert can_match("s LIKE 'ab%'", stats)
    assert not can_match("s LIKE 'ad%'", stats)
    assert not can_match("s LIKE 'aa%'", stats)
    assert not must_match("s LIKE 'ab%'", stats)  # the upper bound 'ac' does not prove it
    assert must_match("s LIKE 'a%'", stats)
    assert can_match("s NOT LIKE 'ab%'", stats)


def test_string_bounds_compare_as_utf8_bytes_even_when_cut_mid_character() -> None:
    # A writer that truncates bytes may leave a partial character: b'ab\xc3' <= 'abé...'.
    stats = Stats(record_count=1, value_counts={6: 1}, null_value_counts={6: 0},
                  lower_bounds={6: b"ab\xc3"}, upper_bounds={6: "abé".encode()})
    assert can_match("s = 'abé'", stats)
    assert can_match("s LIKE 'abé%'", stats)


def test_large_in_lists_prune_by_bounds() -> None:
    assert not can_match(col("i").is_in(range(100, 5000)), FILE)
    assert can_match(col("i").is_in([*range(100, 5000), 17]), FILE)


def test_empty_files_never_match_and_trivially_must_match() -> None:
    empty = Stats(record_count=0)
    assert not can_match("i = 1", empty)
    assert must_match("i = 1", empty)


def test_negative_record_counts_mean_unknown() -> None:
    legacy = Stats(record_count=-1)
    assert can_match("i = 1", legacy)
    assert not must_match("i IS NULL", legacy)


def test_missing_value_counts_fall_back_to_the_record_count() -> None:
    stats = Stats(record_count=2, value_counts=None, null_value_counts={1: 2})
    assert not can_match("i = 1", stats)
    assert must_match("i IS NULL", stats)


def test_evaluators_accept_unsimplified_trees_with_not() -> None:
    bound = bind("i > 15", SCHEMA)
    assert InclusiveMetricsEvaluator(~bound).can_match(FILE)
    assert not StrictMetricsEvaluator(~bound).must_match(FILE)
    assert not InclusiveMetricsEvaluator(~bind("i >= 10", SCHEMA)).can_match(FILE)
