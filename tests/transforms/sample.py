"""A schema with a column of each type the transforms take, a partition spec with every
transform on them, and hypothesis strategies for values that sit near the transforms'
edges (period boundaries, multiples of W, before and after 1970)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pyarrow as pa
from hypothesis import strategies as st

from tablefmt import types as T
from tablefmt.arrow_schema import to_arrow_type
from tablefmt.schema import Schema
from tablefmt.transforms import parse_transform
from tablefmt.types import IcebergType, NestedField
from tablefmt.values import arrow_to_internal

SCHEMA = Schema((
    NestedField(1, "i", T.INT),
    NestedField(2, "l", T.LONG),
    NestedField(3, "d", T.DATE),
    NestedField(4, "ts", T.TIMESTAMP),
    NestedField(5, "tz", T.TIMESTAMPTZ),
    NestedField(6, "s", T.STRING),
    NestedField(7, "dec", T.DecimalType(9, 2)),
))
TYPES = {f.field_id: f.field_type for f in SCHEMA.fields}
NAMES = {f.field_id: f.name for f in SCHEMA.fields}


@dataclass(frozen=True)
class PartitionField:
    source_id: int
    field_id: int
    name: str
    transform: str


_TRANSFORMS = {
    1: ["bucket[4]", "truncate[3]", "truncate[10]", "void", "identity"],
    2: ["bucket[5]", "truncate[10]", "truncate[1]"],
    3: ["year", "month", "day", "bucket[3]"],
    4: ["year", "month", "day", "hour", "bucket[4]"],
    5: ["day", "hour", "month"],
    6: ["truncate[2]", "truncate[1]", "bucket[3]"],
    7: ["truncate[50]", "bucket[4]"],
}
FIELDS = [PartitionField(source, 1000 + i, f"{NAMES[source]}_{transform}", transform)
          for i, (source, transform) in enumerate(
              (s, t) for s, ts in _TRANSFORMS.items() for t in ts)]

DAY_US = 86_400_000_000
HOUR_US = 3_600_000_000
EPOCH = dt.date(1970, 1, 1)
EPOCH_TS = dt.datetime(1970, 1, 1)

# Days of month starts from 1968 to 1971: where year and month partitions change.
_MONTH_STARTS = [(dt.date(y, m, 1) - EPOCH).days for y in range(1968, 1972) for m in range(1, 13)]

days = st.one_of(
    st.integers(-800, 800),
    st.builds(lambda start, before: start - before, st.sampled_from(_MONTH_STARTS),
              st.integers(0, 1)),
)
micros = st.builds(
    lambda day, hour, nudge: day * DAY_US + hour * HOUR_US + nudge,
    days, st.sampled_from([0, 0, 1, 12, 23]),
    st.sampled_from([0, -1, 1, HOUR_US - 1, 1_800_000_000]),
)
_TEXT = "ab😀"
# Every string of up to 3 characters: long enough to cross truncate[1] and truncate[2].
_STRINGS = [""] + [a + b + c for a in _TEXT for b in ["", *_TEXT] for c in ["", *_TEXT]
                   if b or not c]

INT_MIN, INT_MAX, LONG_MIN, LONG_MAX = -(2**31), 2**31 - 1, -(2**63), 2**63 - 1


def _integers(low: int, high: int) -> st.SearchStrategy[int]:
    """Small values, and values at the type's ends (where Java's truncate wraps)."""
    ends = [low, low + 1, low + 2, low + 9, low + 10, high - 1, high]
    return st.one_of(st.integers(-40, 40), st.integers(-40, 40), st.sampled_from(ends))


VALUES: dict[int, st.SearchStrategy[Any]] = {
    1: _integers(INT_MIN, INT_MAX),
    2: _integers(LONG_MIN, LONG_MAX),
    3: days,
    4: micros,
    5: micros,
    6: st.one_of(st.sampled_from(_STRINGS), st.text(_TEXT, max_size=3)),
    7: st.integers(-300, 300).map(lambda unscaled: Decimal(unscaled).scaleb(-2)),
}


_RANGE = {1: (INT_MIN, INT_MAX), 2: (LONG_MIN, LONG_MAX)}


def neighborhood(source: int, literals: list[Any]) -> list[Any]:
    """Values next to a filter's literals (internal representation), where a projection
    most easily gets a partition wrong: each literal, its neighbours one unit (and for
    timestamps one hour) away, and for strings its prefixes and one-character
    extensions."""
    out: list[Any] = []
    for lit in literals:
        if TYPES[source] == T.STRING:
            out += [lit[:keep] + more for keep in range(len(lit) + 1) for more in ["", *_TEXT]]
        elif isinstance(TYPES[source], T.DecimalType):
            out += [lit + Decimal(step).scaleb(-2) for step in (-1, 0, 1)]
        elif TYPES[source] in (T.TIMESTAMP, T.TIMESTAMPTZ):
            out += [lit + step for step in (-HOUR_US, -1, 0, 1, HOUR_US)]
        else:
            low, high = _RANGE.get(source, (-(2**31), 2**31 - 1))
            out += [lit + step for step in (-1, 0, 1) if low <= lit + step <= high]
    return list(dict.fromkeys(out))


def to_literal(source: int, value: Any) -> Any:
    """An internal value as the Python literal a user would write in a filter."""
    if TYPES[source] == T.DATE:
        return EPOCH + dt.timedelta(days=value)
    if TYPES[source] == T.TIMESTAMP:
        return EPOCH_TS + dt.timedelta(microseconds=value)
    if TYPES[source] == T.TIMESTAMPTZ:
        return (EPOCH_TS + dt.timedelta(microseconds=value)).replace(tzinfo=dt.UTC)
    return value


def arrow_column(values: list[Any], t: IcebergType) -> pa.Array:
    """Internal values as a column of `t`'s Arrow type (dates, timestamps...)."""
    arrow_type = to_arrow_type(t)
    if t == T.DATE:
        return pa.array(values, pa.int32()).view(arrow_type)
    if t in (T.TIME, T.TIMESTAMP, T.TIMESTAMPTZ):
        return pa.array(values, pa.int64()).view(arrow_type)
    return pa.array(values, arrow_type)


def partition_tuples(rows: list[dict[int, Any]],
                     fields: list[PartitionField] = FIELDS) -> list[dict[int, Any]]:
    """Each row's partition tuple (field id -> internal value), one `apply` per field."""
    tuples: list[dict[int, Any]] = [{} for _ in rows]
    for f in fields:
        t = TYPES[f.source_id]
        column = arrow_column([r.get(f.source_id) for r in rows], t)
        for out, value in zip(tuples, parse_transform(f.transform).apply(column, t),
                              strict=True):
            out[f.field_id] = arrow_to_internal(value)
    return tuples
