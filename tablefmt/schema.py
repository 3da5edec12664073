"""Table schemas (spec "Schemas and Data Types", Appendix C): field ids, JSON, lookups.

Arrow conversion lives in `tablefmt.arrow_schema`; this module does no I/O.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from tablefmt.errors import ValidationError
from tablefmt.types import (
    IcebergType,
    ListType,
    MapType,
    NestedField,
    StructType,
    field_from_json,
)


@dataclass(frozen=True)
class Schema:
    """A struct of fields with a schema id; the unit stored in `schemas` of table metadata."""

    fields: tuple[NestedField, ...]
    schema_id: int = 0
    identifier_field_ids: tuple[int, ...] = field(default_factory=tuple)

    # -- JSON ------------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "struct", "schema-id": self.schema_id,
                               "fields": [f.to_json() for f in self.fields]}
        if self.identifier_field_ids:
            out["identifier-field-ids"] = list(self.identifier_field_ids)
        return out

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Schema:
        return cls(fields=tuple(field_from_json(f) for f in obj["fields"]),
                   schema_id=int(obj.get("schema-id", 0)),
                   identifier_field_ids=tuple(obj.get("identifier-field-ids", ()) or ()))

    # -- lookups ---------------------------------------------------------------------------
    @property
    def as_struct(self) -> StructType:
        return StructType(self.fields)

    @cached_property
    def _by_id(self) -> dict[int, NestedField]:
        return {f.field_id: f for _, f in walk(self.as_struct)}

    @cached_property
    def _by_name(self) -> dict[str, NestedField]:
        return {path: f for path, f in walk(self.as_struct)}

    @cached_property
    def _name_by_id(self) -> dict[int, str]:
        return {f.field_id: path for path, f in walk(self.as_struct)}

    def find_field(self, key: str | int) -> NestedField:
        """Find a field by id or by dotted name (`"a.b"` for nested; lists and maps use
        `element`, `key`, `value`)."""
        found = self._by_id.get(key) if isinstance(key, int) else self._by_name.get(key)
        if found is None:
            raise ValidationError(f"No column {key!r} in schema; columns are "
                                  f"{', '.join(f.name for f in self.fields)}")
        return found

    def has_field(self, key: str | int) -> bool:
        return (key in self._by_id) if isinstance(key, int) else (key in self._by_name)

    def column_name(self, field_id: int) -> str:
        return self._name_by_id[field_id]

    @property
    def highest_field_id(self) -> int:
        return max(self._by_id, default=0)

    @property
    def column_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def select(self, names: list[str]) -> Schema:
        """The top-level projection of `names`, in the order given."""
        chosen = []
        for name in names:
            f = self.as_struct.field_by_name(name)
            if f is None:
                raise ValidationError(f"No column {name!r} in schema; columns are "
                                      f"{', '.join(self.column_names)}")
            chosen.append(f)
        return Schema(tuple(chosen), self.schema_id)

    def __str__(self) -> str:
        return "\n".join(_render(self.fields, 0))


def walk(struct: StructType, prefix: str = "") -> Iterator[tuple[str, NestedField]]:
    """Every field below `struct`, pre-order, with its dotted path."""
    for f in struct.fields:
        path = f"{prefix}{f.name}"
        yield path, f
        yield from _walk_type(f.field_type, path + ".")


def _walk_type(t: IcebergType, prefix: str) -> Iterator[tuple[str, NestedField]]:
    if isinstance(t, StructType):
        yield from walk(t, prefix)
    elif isinstance(t, ListType):
        yield prefix + "element", t.element_field
        yield from _walk_type(t.element_type, prefix + "element.")
    elif isinstance(t, MapType):
        yield prefix + "key", t.key_field
        yield from _walk_type(t.key_type, prefix + "key.")
        yield prefix + "value", t.value_field
        yield from _walk_type(t.value_type, prefix + "value.")


def _render(fields: tuple[NestedField, ...], depth: int) -> Iterator[str]:
    for f in fields:
        req = "required" if f.required else "optional"
        t = f.field_type
        label = str(t) if t.is_primitive else type(t).__name__.replace("Type", "").lower()
        yield f"{'  ' * depth}{f.field_id}: {f.name}: {req} {label}"
        if isinstance(t, StructType):
            yield from _render(t.fields, depth + 1)
        elif isinstance(t, ListType):
            yield from _render((t.element_field,), depth + 1)
        elif isinstance(t, MapType):
            yield from _render((t.key_field, t.value_field), depth + 1)
