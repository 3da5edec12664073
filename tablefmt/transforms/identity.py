"""The `identity` and `void` transforms (Iceberg spec "Partition Transforms"): the
source value itself, or always null (the spec's way to drop a field in v1 tables)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from tablefmt.arrow_schema import to_arrow_type
from tablefmt.transforms.base import Transform
from tablefmt.types import IcebergType


@dataclass(frozen=True, slots=True, repr=False)
class IdentityTransform(Transform):
    """`identity`: the partition value is the source value, for any primitive type."""

    def __str__(self) -> str:
        return "identity"

    def can_transform(self, source_type: IcebergType) -> bool:
        return source_type.is_primitive

    def result_type(self, source_type: IcebergType) -> IcebergType:
        return source_type

    def _apply_array(self, arr: pa.Array, source_type: IcebergType) -> pa.Array:
        return arr


@dataclass(frozen=True, slots=True, repr=False)
class VoidTransform(Transform):
    """`void`: always null, typed as the source (as `PartitionField.result_type` says).

    Example:
        >>> import pyarrow as pa
        >>> from tablefmt import types as T
        >>> VoidTransform().apply(pa.array([1, 2]), T.LONG).to_pylist()
        [None, None]
    """

    def __str__(self) -> str:
        return "void"

    def can_transform(self, source_type: IcebergType) -> bool:
        return True

    def result_type(self, source_type: IcebergType) -> IcebergType:
        return source_type

    def _apply_array(self, arr: pa.Array, source_type: IcebergType) -> pa.Array:
        try:
            arrow_type = to_arrow_type(source_type)
        except TypeError:
            arrow_type = arr.type
        return pa.nulls(len(arr), type=arrow_type)

    def to_human_string(self, value: Any, result_type: IcebergType) -> str:
        return "null"
