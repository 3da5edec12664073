"""A schema with one column of each type, and metrics computed from Arrow data the way a
writer computes them (counts; min/max of non-null, non-NaN values; truncated strings)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from tablefmt import types as T
from tablefmt.arrow_schema import to_arrow_schema
from tablefmt.metadata.conversions import to_bytes
from tablefmt.schema import Schema
from tablefmt.types import IcebergType, ListType, NestedField, StructType

SCHEMA = Schema((
    NestedField(1, "i", T.INT),
    NestedField(2, "l", T.LONG),
    NestedField(3, "f", T.FLOAT),
    NestedField(4, "d", T.DOUBLE),
    NestedField(5, "dec", T.DecimalType(9, 2)),
    NestedField(6, "s", T.STRING),
    NestedField(7, "day", T.DATE),
    NestedField(8, "t", T.TIME),
    NestedField(9, "ts", T.TIMESTAMP),
    NestedField(10, "tstz", T.TIMESTAMPTZ),
    NestedField(11, "u", T.UUID),
    NestedField(12, "b", T.BINARY),
    NestedField(13, "fx", T.FixedType(3)),
    NestedField(14, "flag", T.BOOLEAN),
    NestedField(15, "st", StructType((
        NestedField(16, "x", T.INT),
        NestedField(17, "name", T.STRING),
    ))),
    NestedField(18, "tags", ListType(19, T.STRING)),
))


def arrow_table(schema: Schema, columns: dict[str, list[Any]]) -> pa.Table:
    """An Arrow table in `schema`'s Arrow form; missing columns are all null."""
    arrow_schema = to_arrow_schema(schema)
    n = len(next(iter(columns.values())))
    arrays = []
    for f in arrow_schema:
        values = columns.get(f.name, [None] * n)
        if f.type == pa.uuid():
            storage = pa.array([v.bytes if v is not None else None for v in values],
                               pa.binary(16))
            arrays.append(pa.ExtensionArray.from_storage(pa.uuid(), storage))
        else:
            arrays.append(pa.array(values, f.type))
    return pa.Table.from_arrays(arrays, schema=arrow_schema)


@dataclass
class Stats:
    record_count: int
    value_counts: dict[int, int] | None = field(default_factory=dict)
    null_value_counts: dict[int, int] | None = field(default_factory=dict)
    nan_value_counts: dict[int, int] | None = field(default_factory=dict)
    lower_bounds: dict[int, bytes] | None = field(default_factory=dict)
    upper_bounds: dict[int, bytes] | None = field(default_factory=dict)


@dataclass
class Summary:
    contains_null: bool
    contains_nan: bool | None
    lower_bound: bytes | None
    upper_bound: bytes | None


def stats_for(fields: dict[int, IcebergType], columns: dict[int, list[Any]],
              truncate: int | None = None) -> Stats:
    """Metrics of a file holding `columns` (field id -> internal values)."""
    n = len(next(iter(columns.values())))
    values_, nulls, nans, lower, upper = {}, {}, {}, {}, {}
    for fid, values in columns.items():
        t = fields[fid]
        values_[fid] = n
        nulls[fid] = sum(v is None for v in values)
        if t in (T.FLOAT, T.DOUBLE):
            nans[fid] = sum(isinstance(v, float) and math.isnan(v) for v in values)
        present = [v for v in values if v is not None and not (isinstance(v, float)
                                                               and math.isnan(v))]
        if not present:
            continue
        low, high = min(present, key=_key(t)), max(present, key=_key(t))
        if t == T.STRING and truncate is not None:
            low, high = low[:truncate], _truncate_up(high, truncate)
        lower[fid] = to_bytes(t, low)
        if high is not None:
            upper[fid] = to_bytes(t, high)
    return Stats(n, values_, nulls, nans, lower, upper)


def summary_for(t: IcebergType, values: list[Any]) -> Summary:
    """A manifest's partition field summary over the partition values of its files."""
    present = [v for v in values if v is not None and not (isinstance(v, float)
                                                           and math.isnan(v))]
    return Summary(
        contains_null=any(v is None for v in values),
        contains_nan=any(isinstance(v, float) and math.isnan(v) for v in values)
        if t in (T.FLOAT, T.DOUBLE) else None,
        lower_bound=to_bytes(t, min(present, key=_key(t))) if present else None,
        upper_bound=to_bytes(t, max(present, key=_key(t))) if present else None,
    )


def _key(t: IcebergType) -> Any:
    return (lambda v: v.encode("utf-8")) if t == T.STRING else (lambda v: v)


def _truncate_up(value: str, width: int) -> str | None:
    """An upper bound for strings starting with `value[:width]` (PyIceberg's rule)."""
    if len(value) <= width:
        return value
    head = list(value[:width])
    while head:
        code = ord(head[-1]) + 1
        if code == 0xD800:
            code = 0xE000
        if code <= 0x10FFFF:
            head[-1] = chr(code)
            return "".join(head)
        head.pop()
    return None
