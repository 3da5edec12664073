"""Partition transforms (Iceberg spec "Partition Transforms", Appendix B): parse a
field's transform string, compute partition values from Arrow arrays (vectorized), and
project row filters onto partition fields.

Importing this package registers the bucket, truncate, year/month/day/hour and void
projections with `tablefmt.expressions`.

Example:
    >>> import pyarrow as pa
    >>> from tablefmt.types import TIMESTAMP
    >>> t = parse_transform("hour")
    >>> values = t.apply(pa.array([0, -1], pa.timestamp("us")), TIMESTAMP)
    >>> values.to_pylist(), t.to_human_string(values[1].as_py(), t.result_type(TIMESTAMP))
    ([0, -1], '1969-12-31-23')
"""

from __future__ import annotations

from tablefmt.transforms.base import Transform
from tablefmt.transforms.bucket import BucketTransform
from tablefmt.transforms.identity import IdentityTransform, VoidTransform
from tablefmt.transforms.parse import parse_transform
from tablefmt.transforms.projection import (
    BucketProjection,
    TimeProjection,
    TruncateProjection,
    VoidProjection,
    register_projections,
)
from tablefmt.transforms.temporal import (
    DayTransform,
    HourTransform,
    MonthTransform,
    TimeTransform,
    YearTransform,
)
from tablefmt.transforms.truncate import TruncateTransform

register_projections()

__all__ = [
    "BucketProjection",
    "BucketTransform",
    "DayTransform",
    "HourTransform",
    "IdentityTransform",
    "MonthTransform",
    "TimeProjection",
    "TimeTransform",
    "Transform",
    "TruncateProjection",
    "TruncateTransform",
    "VoidProjection",
    "VoidTransform",
    "YearTransform",
    "parse_transform",
    "register_projections",
]
