"""Projection rules on examples (Iceberg spec "Scan Planning"; Java's ProjectionUtil):
what each transform makes of each operator, inclusive and strict."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tablefmt import types as T
from tablefmt.expressions import (
    Expression,
    bind,
    col,
    project_inclusive,
    project_strict,
    projection_for,
)
from tablefmt.schema import Schema
from tablefmt.transforms import (
    BucketProjection,
    TimeProjection,
    TruncateProjection,
    VoidProjection,
)
from tablefmt.types import NestedField
from tests.transforms.sample import PartitionField

SCHEMA = Schema((
    NestedField(1, "a", T.INT),
    NestedField(2, "s", T.STRING),
    NestedField(3, "ts", T.TIMESTAMP),
    NestedField(4, "d", T.DATE),
    NestedField(5, "dec", T.DecimalType(9, 2)),
    NestedField(6, "f", T.DOUBLE),
))


def field(source: int, transform: str) -> PartitionField:
    return PartitionField(source, 1000, "p", transform)


def projected(expr: Expression, transform: str, source: int = 1) -> tuple[str, str]:
    """(inclusive, strict) projections onto one partition field, as text."""
    bound = bind(expr, SCHEMA)
    spec = [field(source, transform)]
    return str(project_inclusive(bound, spec)), str(project_strict(bound, spec))


def test_importing_the_package_registers_every_transform() -> None:
    assert isinstance(projection_for("bucket[16]"), BucketProjection)
    assert isinstance(projection_for("truncate[4]"), TruncateProjection)
    for name in ("year", "month", "day", "hour"):
        assert isinstance(projection_for(name), TimeProjection)
    assert isinstance(projection_for("void"), VoidProjection)


@pytest.mark.parametrize(("expr", "inclusive", "strict"), [
    (col("a") == 34, "p = 3", "FALSE"),
    (col("a").is_in([34, 7, 1]), "p IN (3, 4)", "FALSE"),
    (col("a") != 34, "TRUE", "p != 3"),
    (col("a").not_in([34, 7, 1]), "TRUE", "p NOT IN (3, 4)"),
    (col("a") < 34, "TRUE", "FALSE"),
    (col("a").is_null(), "p IS NULL", "p IS NULL"),
    (col("a").not_null(), "p IS NOT NULL", "p IS NOT NULL"),
])
def test_bucket_keeps_only_equality(expr: Expression, inclusive: str, strict: str) -> None:
    assert projected(expr, "bucket[16]") == (inclusive, strict)


# Java's int arithmetic files -2147483648 and -2147483647 under truncate[10] in partition
# 2147483646 (WRAPPED); projections admit it when those values may match, and refuse it
# when they may not.
WRAPPED = "p = 2147483646"


@pytest.mark.parametrize(("expr", "inclusive", "strict"), [
    (col("a") < 5, f"p <= 0 OR {WRAPPED}", "p < 0"),
    (col("a") <= 5, f"p <= 0 OR {WRAPPED}", "p < 0"),
    (col("a") <= 9, f"p <= 0 OR {WRAPPED}", "p < 10"),
    (col("a") > 5, "p >= 0", "p > 0 AND p != 2147483646"),
    (col("a") >= 10, "p >= 10", "p > 0 AND p != 2147483646"),
    (col("a") == 15, "p = 10", "FALSE"),
    (col("a") != 15, "TRUE", "p != 10"),
    (col("a").is_in([1, 5, 15]), "p IN (0, 10)", "FALSE"),
    (col("a").not_in([1, 15]), "TRUE", "p NOT IN (0, 10)"),
    (col("a") == -(2**31), WRAPPED, "FALSE"),
    (col("a") < -(2**31) + 2, WRAPPED, "FALSE"),
    (col("a") < -(2**31), "FALSE", "FALSE"),
    (col("a") >= -(2**31), "p IS NOT NULL", "p IS NOT NULL"),
    (col("a") <= 2**31 - 1, f"p <= 2147483640 OR {WRAPPED}", "p IS NOT NULL"),
])
def test_truncate_projects_integer_ranges(expr: Expression, inclusive: str, strict: str) -> None:
    assert projected(expr, "truncate[10]") == (inclusive, strict)


def test_truncate_to_a_power_of_two_never_wraps() -> None:
    assert projected(col("a") < 5, "truncate[16]") == ("p <= 0", "p < 0")


def test_truncate_projects_decimals_on_the_unscaled_value() -> None:
    assert projected(col("dec") < Decimal("10.50"), "truncate[50]", 5) == \
        ("p <= 10.00", "p < 10.50")


@pytest.mark.parametrize(("expr", "inclusive", "strict"), [
    (col("s") == "iceberg", "p = 'ice'", "FALSE"),
    (col("s") < "iceberg", "p <= 'ice'", "p < 'ice'"),
    (col("s") >= "iceberg", "p >= 'ice'", "p > 'ice'"),
    (col("s") != "iceberg", "TRUE", "p != 'ice'"),
    (col("s").starts_with("iceberg"), "p LIKE 'ice%'", "FALSE"),
    (col("s").starts_with("ice"), "p LIKE 'ice%'", "p = 'ice'"),
    (col("s").starts_with("ic"), "p LIKE 'ic%'", "p LIKE 'ic%'"),
    (col("s").not_starts_with("iceberg"), "TRUE", "p NOT LIKE 'ice%'"),
    (col("s").not_starts_with("ice"), "p != 'ice'", "p != 'ice'"),
    (col("s").not_starts_with("ic"), "p NOT LIKE 'ic%'", "p NOT LIKE 'ic%'"),
    (col("s").starts_with("é😀xy"), "p LIKE 'é😀x%'", "FALSE"),
])
def test_truncate_projects_strings_and_prefixes(expr: Expression, inclusive: str,
                                                strict: str) -> None:
    assert projected(expr, "truncate[3]", 2) == (inclusive, strict)


# year(ts) counts years from 1970: 2017 is 47, 1969 is -1. Before 1970 Java's fix-ups also
# admit (inclusive) or exclude (strict) the next period, where writers of Iceberg 0.10 and
# earlier filed those rows.
@pytest.mark.parametrize(("expr", "inclusive", "strict"), [
    (col("ts") < dt.datetime(2017, 11, 16, 22), "p <= 47", "p < 47"),
    (col("ts") >= dt.datetime(2018, 1, 1), "p >= 48", "p > 47"),
    (col("ts") == dt.datetime(2017, 11, 16), "p = 47", "FALSE"),
    (col("ts") == dt.datetime(1969, 6, 1), "p IN (-1, 0)", "FALSE"),
    (col("ts") < dt.datetime(1969, 6, 1), "p <= 0", "p < -1"),
    (col("ts") > dt.datetime(1969, 6, 1), "p >= -1", "p > 0"),
    (col("ts") != dt.datetime(1969, 6, 1), "TRUE", "p NOT IN (-1, 0)"),
    (col("ts").is_in([dt.datetime(1969, 6, 1), dt.datetime(2017, 1, 1)]),
     "p IN (-1, 0, 47)", "FALSE"),
])
def test_year_projects_timestamp_ranges_with_javas_pre_1970_fix(
        expr: Expression, inclusive: str, strict: str) -> None:
    assert projected(expr, "year", 3) == (inclusive, strict)


@pytest.mark.parametrize(("expr", "inclusive", "strict"), [
    (col("d") == dt.date(1969, 12, 31), "p = DATE '1969-12-31'", "FALSE"),
    (col("d") < dt.date(1969, 12, 31), "p <= DATE '1969-12-30'", "p < DATE '1969-12-31'"),
])
def test_day_of_a_date_needs_no_pre_1970_fix(expr: Expression, inclusive: str,
                                             strict: str) -> None:
    assert projected(expr, "day", 4) == (inclusive, strict)


def test_day_of_a_timestamp_before_1970_gets_the_fix() -> None:
    assert projected(col("ts") == dt.datetime(1969, 12, 31, 12), "day", 3) == \
        ("p IN (DATE '1969-12-31', DATE '1970-01-01')", "FALSE")


@pytest.mark.parametrize("expr", [col("a") == 1, col("a").is_null(), col("a") != 1])
def test_void_says_nothing(expr: Expression) -> None:
    assert projected(expr, "void") == ("TRUE", "FALSE")


@pytest.mark.parametrize(("transform", "source"), [
    ("bucket[0]", 1), ("truncate[4]", 3), ("hour", 4), ("bucket[4]", 6), ("zorder", 1),
])
def test_an_unusable_transform_or_source_type_says_nothing(transform: str, source: int) -> None:
    name = SCHEMA.fields[source - 1].name
    expr = col(name).not_null()
    assert projected(expr, transform, source) == ("TRUE", "FALSE")
