"""Partition specs and transforms (spec "Partitioning", "Partition Transforms").

`partition_by` strings (`"region"`, `"bucket(16, user_id)"`, `"day(ts)"`) parse to
`PartitionField`s; field ids start at 1000 and names follow Java's convention.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tablefmt import types as T
from tablefmt.errors import ValidationError
from tablefmt.schema import Schema
from tablefmt.types import IcebergType

PARTITION_DATA_ID_START = 1000  # Java: PartitionSpec.PARTITION_DATA_ID_START

# Transforms whose values tablefmt computes when writing (by kind: "bucket" covers
# bucket[N]). Readers accept every transform string; an unknown one is not used to prune.
WRITABLE_TRANSFORMS = frozenset({"identity", "void", "bucket", "truncate", "year", "month",
                                 "day", "hour"})

_CALL = re.compile(r"^\s*(\w+)\s*\(\s*(?:(\d+)\s*,\s*)?([\w.]+)\s*\)\s*$")
_BARE = re.compile(r"^\s*([\w.]+)\s*$")


@dataclass(frozen=True, slots=True)
class PartitionField:
    source_id: int
    field_id: int
    name: str
    transform: str  # Iceberg's transform string: identity, bucket[16], day, ...

    def to_json(self) -> dict[str, Any]:
        return {"source-id": self.source_id, "field-id": self.field_id,
                "name": self.name, "transform": self.transform}

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> PartitionField:
        source = obj.get("source-id", (obj.get("source-ids") or [0])[0])
        return cls(int(source), int(obj["field-id"]), obj["name"], obj["transform"])

    def result_type(self, source_type: IcebergType) -> IcebergType:
        """The partition value's type (spec "Partition Transforms" table)."""
        t = self.transform
        if t == "identity":
            return source_type
        if t.startswith("bucket") or t in ("year", "month", "hour"):
            return T.INT
        if t == "day":
            return T.DATE
        if t.startswith("truncate"):
            return source_type
        if t == "void":
            return source_type
        return T.STRING  # unknown transform: never evaluated


@dataclass(frozen=True, slots=True)
class PartitionSpec:
    fields: tuple[PartitionField, ...] = ()
    spec_id: int = 0

    @property
    def is_unpartitioned(self) -> bool:
        return not self.fields

    def to_json(self) -> dict[str, Any]:
        return {"spec-id": self.spec_id, "fields": [f.to_json() for f in self.fields]}

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> PartitionSpec:
        return cls(tuple(PartitionField.from_json(f) for f in obj.get("fields", [])),
                   int(obj.get("spec-id", 0)))

    def partition_type(self, schema: Schema) -> list[tuple[PartitionField, IcebergType]]:
        """Each partition field with its result type under `schema`."""
        out = []
        for f in self.fields:
            source = schema.find_field(f.source_id).field_type if schema.has_field(f.source_id) \
                else T.STRING
            out.append((f, f.result_type(source)))
        return out

    def compatible_with(self, other: PartitionSpec) -> bool:
        return [(f.source_id, f.transform, f.name) for f in self.fields] == \
               [(f.source_id, f.transform, f.name) for f in other.fields]


UNPARTITIONED = PartitionSpec()


def parse_partition_by(text: str) -> tuple[str, str]:
    """`"bucket(16, user_id)"` -> `("bucket[16]", "user_id")`; `"region"` -> identity."""
    if m := _BARE.match(text):
        return "identity", m.group(1)
    m = _CALL.match(text)
    if not m:
        raise ValidationError(f"Cannot parse partition transform {text!r}; expected e.g. "
                              "'region', 'day(ts)', 'bucket(16, id)', 'truncate(4, name)'")
    name, arg, column = m.group(1).lower(), m.group(2), m.group(3)
    if name in ("bucket", "truncate"):
        if arg is None or int(arg) <= 0:
            raise ValidationError(f"{name} needs a positive width: {name}(N, column)")
        return f"{name}[{int(arg)}]", column
    if arg is not None:
        raise ValidationError(f"Transform {name} takes one argument, got {text!r}")
    if name in ("year", "month", "day", "hour", "identity", "void"):
        return name, column
    raise ValidationError(f"Unknown partition transform {name!r} in {text!r}")


def check_transform(transform: str, source_type: IcebergType, text: str) -> None:
    """Refuse transforms tablefmt cannot write or that do not apply to the column type."""
    from tablefmt.transforms import parse_transform as transform_of

    if transform.split("[", 1)[0] not in WRITABLE_TRANSFORMS:
        raise ValidationError(f"Partition transform {text!r} is not supported")
    if not transform_of(transform).can_transform(source_type):
        raise ValidationError(f"Partition transform {text!r} does not apply to a "
                              f"{source_type} column")


def default_field_name(transform: str, source: str) -> str:
    if transform == "identity":
        return source
    if transform.startswith("bucket["):
        return f"{source}_bucket_{transform[7:-1]}"
    if transform.startswith("truncate["):
        return f"{source}_trunc_{transform[9:-1]}"
    if transform == "void":
        return f"{source}_null"
    return f"{source}_{transform}"


def build_spec(partition_by: list[str] | None, schema: Schema, spec_id: int = 0,
               last_partition_id: int = PARTITION_DATA_ID_START - 1) -> PartitionSpec:
    """A spec from `partition_by` strings, validated against `schema`."""
    fields: list[PartitionField] = []
    next_id = last_partition_id
    for text in partition_by or []:
        transform, column = parse_partition_by(text)
        source = schema.find_field(column)
        if not source.field_type.is_primitive:
            raise ValidationError(f"Cannot partition by {column!r}: it is a {source.field_type}")
        check_transform(transform, source.field_type, text)
        name = default_field_name(transform, column)
        if any(f.name == name for f in fields):
            raise ValidationError(f"Duplicate partition field {name!r}")
        next_id += 1
        fields.append(PartitionField(source.field_id, next_id, name, transform))
    return PartitionSpec(tuple(fields), spec_id)
