"""Iceberg data types (spec "Schemas and Data Types") and their JSON type strings.

Primitive types are immutable singletons or small frozen dataclasses; nested types
carry their fields with ids. No I/O, no engine imports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

from tablefmt.errors import CorruptMetadataError


class IcebergType:
    """Base of every type."""

    __slots__ = ()

    is_primitive: ClassVar[bool] = True

    def to_json(self) -> Any:
        return str(self)


class PrimitiveType(IcebergType):
    """Base of the primitive types."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class SimpleType(PrimitiveType):
    """A parameterless primitive: boolean, int, long, ..., binary."""

    name: str

    def __str__(self) -> str:
        return self.name


BOOLEAN = SimpleType("boolean")
INT = SimpleType("int")
LONG = SimpleType("long")
FLOAT = SimpleType("float")
DOUBLE = SimpleType("double")
DATE = SimpleType("date")
TIME = SimpleType("time")
TIMESTAMP = SimpleType("timestamp")
TIMESTAMPTZ = SimpleType("timestamptz")
STRING = SimpleType("string")
UUID = SimpleType("uuid")
BINARY = SimpleType("binary")

_SIMPLE = {t.name: t for t in (BOOLEAN, INT, LONG, FLOAT, DOUBLE, DATE, TIME,
                               TIMESTAMP, TIMESTAMPTZ, STRING, UUID, BINARY)}


@dataclass(frozen=True, slots=True)
class DecimalType(PrimitiveType):
    precision: int
    scale: int

    def __str__(self) -> str:
        return f"decimal({self.precision}, {self.scale})"


@dataclass(frozen=True, slots=True)
class FixedType(PrimitiveType):
    length: int

    def __str__(self) -> str:
        return f"fixed[{self.length}]"


@dataclass(frozen=True, slots=True)
class NestedField:
    """A struct field, list element or map key/value: an id, a name and a type."""

    field_id: int
    name: str
    field_type: IcebergType
    required: bool = False
    doc: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.field_id, "name": self.name,
                               "required": self.required, "type": self.field_type.to_json()}
        if self.doc is not None:
            out["doc"] = self.doc
        return out


@dataclass(frozen=True, slots=True)
class StructType(IcebergType):
    fields: tuple[NestedField, ...] = field(default_factory=tuple)
    is_primitive: ClassVar[bool] = False

    def to_json(self) -> dict[str, Any]:
        return {"type": "struct", "fields": [f.to_json() for f in self.fields]}

    def field_by_name(self, name: str) -> NestedField | None:
        return next((f for f in self.fields if f.name == name), None)

    def __str__(self) -> str:
        return "struct<" + ", ".join(f"{f.name}: {f.field_type}" for f in self.fields) + ">"


@dataclass(frozen=True, slots=True)
class ListType(IcebergType):
    element_id: int
    element_type: IcebergType
    element_required: bool = False
    is_primitive: ClassVar[bool] = False

    @property
    def element_field(self) -> NestedField:
        return NestedField(self.element_id, "element", self.element_type, self.element_required)

    def to_json(self) -> dict[str, Any]:
        return {"type": "list", "element-id": self.element_id,
                "element": self.element_type.to_json(), "element-required": self.element_required}

    def __str__(self) -> str:
        return f"list<{self.element_type}>"


@dataclass(frozen=True, slots=True)
class MapType(IcebergType):
    key_id: int
    key_type: IcebergType
    value_id: int
    value_type: IcebergType
    value_required: bool = False
    is_primitive: ClassVar[bool] = False

    @property
    def key_field(self) -> NestedField:
        return NestedField(self.key_id, "key", self.key_type, True)

    @property
    def value_field(self) -> NestedField:
        return NestedField(self.value_id, "value", self.value_type, self.value_required)

    def to_json(self) -> dict[str, Any]:
        return {"type": "map", "key-id": self.key_id, "key": self.key_type.to_json(),
                "value-id": self.value_id, "value": self.value_type.to_json(),
                "value-required": self.value_required}

    def __str__(self) -> str:
        return f"map<{self.key_type}, {self.value_type}>"


_DECIMAL = re.compile(r"decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)")
_FIXED = re.compile(r"fixed\[\s*(\d+)\s*\]")


def type_from_json(obj: Any) -> IcebergType:
    """Parse a type from its JSON form (spec Appendix C)."""
    if isinstance(obj, str):
        if obj in _SIMPLE:
            return _SIMPLE[obj]
        if m := _DECIMAL.fullmatch(obj):
            return DecimalType(int(m.group(1)), int(m.group(2)))
        if m := _FIXED.fullmatch(obj):
            return FixedType(int(m.group(1)))
        raise CorruptMetadataError(f"Unknown Iceberg type {obj!r}")
    if isinstance(obj, dict):
        kind = obj.get("type")
        if kind == "struct":
            return StructType(tuple(field_from_json(f) for f in obj["fields"]))
        if kind == "list":
            return ListType(obj["element-id"], type_from_json(obj["element"]),
                            bool(obj.get("element-required", False)))
        if kind == "map":
            return MapType(obj["key-id"], type_from_json(obj["key"]), obj["value-id"],
                           type_from_json(obj["value"]), bool(obj.get("value-required", False)))
    raise CorruptMetadataError(f"Cannot parse Iceberg type {obj!r}")


def field_from_json(obj: dict[str, Any]) -> NestedField:
    return NestedField(field_id=obj["id"], name=obj["name"], field_type=type_from_json(obj["type"]),
                       required=bool(obj.get("required", False)), doc=obj.get("doc"))


def decimal_required_bytes(precision: int) -> int:
    """Smallest byte width that holds any unscaled value of `precision` digits."""
    for n in range(1, 24):
        if 2 ** (8 * n - 1) > 10**precision:
            return n
    raise ValueError(f"precision {precision} too large")
