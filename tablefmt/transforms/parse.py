"""Transforms from their spec strings (Iceberg spec "Partition Transforms", Appendix C:
`identity`, `bucket[N]`, `truncate[W]`, `year`, `month`, `day`, `hour`, `void`)."""

from __future__ import annotations

import re
from functools import lru_cache

from tablefmt.errors import ValidationError
from tablefmt.transforms.base import Transform
from tablefmt.transforms.bucket import BucketTransform
from tablefmt.transforms.identity import IdentityTransform, VoidTransform
from tablefmt.transforms.temporal import DayTransform, HourTransform, MonthTransform, YearTransform
from tablefmt.transforms.truncate import TruncateTransform

_PARAMETERIZED = re.compile(r"(bucket|truncate)\[\s*(\d+)\s*\]")
_SIMPLE: dict[str, Transform] = {
    str(t): t for t in (IdentityTransform(), VoidTransform(), YearTransform(),
                        MonthTransform(), DayTransform(), HourTransform())
}


@lru_cache(maxsize=256)
def parse_transform(text: str) -> Transform:
    """The transform a partition field's `transform` string names.

    Raises:
        ValidationError: an unknown transform, or a bucket count / width out of range.

    Example:
        >>> parse_transform("bucket[16]")
        parse_transform('bucket[16]')
        >>> from tablefmt.types import TIMESTAMP
        >>> print(parse_transform("day").result_type(TIMESTAMP))
        date
    """
    name = text.strip().lower()
    if name in _SIMPLE:
        return _SIMPLE[name]
    if m := _PARAMETERIZED.fullmatch(name):
        kind, arg = m.group(1), int(m.group(2))
        return BucketTransform(arg) if kind == "bucket" else TruncateTransform(arg)
    raise ValidationError(f"Unknown partition transform {text!r}; expected identity, "
                          "bucket[N], truncate[W], year, month, day, hour or void")
