"""year, month, day, hour: periods since 1970 floored (before 1970 too), equal to a
per-value Python datetime reference, and their partition-path text."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tablefmt import types as T
from tablefmt.errors import ValidationError
from tablefmt.transforms import (
    DayTransform,
    HourTransform,
    MonthTransform,
    TimeTransform,
    YearTransform,
    parse_transform,
)
from tablefmt.types import IcebergType

EPOCH = dt.datetime(1970, 1, 1)
YEAR, MONTH, DAY, HOUR = YearTransform(), MonthTransform(), DayTransform(), HourTransform()


def micros(stamp: dt.datetime) -> int:
    return (stamp - EPOCH) // dt.timedelta(microseconds=1)


@pytest.mark.parametrize(("stamp", "year", "month", "day", "hour"), [
    (dt.datetime(1970, 1, 1), 0, 0, 0, 0),
    (dt.datetime(2017, 11, 16, 22, 31, 8), 47, 574, 17486, 419686),
    (dt.datetime(1969, 12, 31, 23, 59, 59, 999999), -1, -1, -1, -1),
    (dt.datetime(1969, 12, 31), -1, -1, -1, -24),
    (dt.datetime(1969, 1, 1), -1, -12, -365, -8760),
    (dt.datetime(1968, 12, 31, 23), -2, -13, -366, -8761),
])
def test_timestamps_count_whole_periods_since_1970_floored(
        stamp: dt.datetime, year: int, month: int, day: int, hour: int) -> None:
    for arrow_type, source_type in [(pa.timestamp("us"), T.TIMESTAMP),
                                    (pa.timestamp("us", tz="UTC"), T.TIMESTAMPTZ),
                                    (pa.timestamp("ns"), T.TIMESTAMP)]:
        values = pa.array([stamp, None], arrow_type)
        assert YEAR.apply(values, source_type).to_pylist() == [year, None]
        assert MONTH.apply(values, source_type).to_pylist() == [month, None]
        assert DAY.apply(values, source_type).to_pylist() == \
            [EPOCH.date() + dt.timedelta(days=day), None]
        assert HOUR.apply(values, source_type).to_pylist() == [hour, None]


def test_dates_count_years_months_and_days_before_1970_too() -> None:
    values = pa.array([dt.date(1969, 12, 31), dt.date(1969, 1, 1), dt.date(2017, 11, 16),
                       None])
    assert YEAR.apply(values, T.DATE).to_pylist() == [-1, -1, 47, None]
    assert MONTH.apply(values, T.DATE).to_pylist() == [-1, -12, 574, None]
    assert DAY.apply(values, T.DATE).to_pylist() == values.to_pylist()


def test_result_types_are_int_and_day_is_a_date() -> None:
    for transform in (YEAR, MONTH, HOUR):
        assert transform.result_type(T.TIMESTAMP) == T.INT
        assert transform.apply(pa.array([0], pa.timestamp("us")), T.TIMESTAMP).type == \
            pa.int32()
    assert DAY.result_type(T.DATE) == T.DATE
    assert DAY.apply(pa.array([0], pa.timestamp("us")), T.TIMESTAMP).type == pa.date32()


def test_a_timestamp_in_another_zone_is_partitioned_by_its_utc_instant() -> None:
    local = dt.datetime(2024, 1, 1, 1, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    values = pa.array([local], pa.timestamp("us", tz="Europe/Athens"))
    assert DAY.apply(values, T.TIMESTAMPTZ).to_pylist() == [dt.date(2023, 12, 31)]


def test_hour_takes_only_timestamps() -> None:
    assert not HOUR.can_transform(T.DATE)
    with pytest.raises(ValidationError, match="Cannot apply partition transform hour"):
        HOUR.apply(pa.array([dt.date(2024, 1, 1)]), T.DATE)
    for transform in (YEAR, MONTH, DAY, HOUR):
        assert not transform.can_transform(T.TIME)
        assert not transform.can_transform(T.LONG)


@pytest.mark.parametrize(("transform", "value", "text"), [
    (YEAR, 54, "2024"), (YEAR, -1, "1969"),
    (MONTH, 648, "2024-01"), (MONTH, -1, "1969-12"),
    (DAY, 19724, "2024-01-02"), (DAY, -1, "1969-12-31"), (DAY, dt.date(2024, 1, 2), "2024-01-02"),
    (HOUR, 473381, "2024-01-02-05"), (HOUR, -1, "1969-12-31-23"),
    (YEAR, None, "null"),
])
def test_partition_path_text_follows_the_spec_examples(
        transform: TimeTransform, value: Any, text: str) -> None:
    assert transform.to_human_string(value, transform.result_type(T.TIMESTAMP)) == text


# -- the reference: Python's calendar per value ---------------------------------------------

def reference(name: str, stamp: dt.datetime) -> int:
    if name == "year":
        return stamp.year - 1970
    if name == "month":
        return (stamp.year - 1970) * 12 + stamp.month - 1
    if name == "day":
        return (stamp.date() - EPOCH.date()).days
    return (stamp - EPOCH) // dt.timedelta(hours=1)


stamps = st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31))


@settings(max_examples=150, deadline=None)
@given(name=st.sampled_from(["year", "month", "day", "hour"]),
       values=st.lists(st.one_of(st.none(), stamps), max_size=20),
       source_type=st.sampled_from([T.DATE, T.TIMESTAMP, T.TIMESTAMPTZ]))
def test_vectorized_periods_equal_the_calendar_reference(
        name: str, values: list[dt.datetime | None], source_type: IcebergType) -> None:
    transform = parse_transform(name)
    if not transform.can_transform(source_type):
        return
    if source_type == T.DATE:
        values = [None if v is None else dt.datetime.combine(v.date(), dt.time()) for v in values]
        column = pa.array([None if v is None else v.date() for v in values], pa.date32())
    else:
        tz = "UTC" if source_type == T.TIMESTAMPTZ else None
        column = pa.array([None if v is None else micros(v) for v in values],
                          pa.int64()).view(pa.timestamp("us", tz=tz))
    expected = [None if v is None else reference(name, v) for v in values]
    result = transform.apply(column, source_type)
    if name == "day":
        result = result.view(pa.int32())
    assert result.to_pylist() == expected
