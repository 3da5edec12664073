"""Sort orders (spec "Sorting"): order id 0 is reserved for unsorted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tablefmt.errors import ValidationError
from tablefmt.schema import Schema


@dataclass(frozen=True, slots=True)
class SortField:
    source_id: int
    transform: str = "identity"
    direction: str = "asc"  # "asc" | "desc"
    null_order: str = "nulls-first"  # "nulls-first" | "nulls-last"

    def to_json(self) -> dict[str, Any]:
        return {"transform": self.transform, "source-id": self.source_id,
                "direction": self.direction, "null-order": self.null_order}

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> SortField:
        source = obj.get("source-id", (obj.get("source-ids") or [0])[0])
        return cls(int(source), obj.get("transform", "identity"),
                   obj.get("direction", "asc"), obj.get("null-order", "nulls-first"))


@dataclass(frozen=True, slots=True)
class SortOrder:
    fields: tuple[SortField, ...] = ()
    order_id: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"order-id": self.order_id, "fields": [f.to_json() for f in self.fields]}

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> SortOrder:
        return cls(tuple(SortField.from_json(f) for f in obj.get("fields", [])),
                   int(obj.get("order-id", 0)))


UNSORTED = SortOrder()


def build_sort_order(sort_by: list[str] | None, schema: Schema) -> SortOrder:
    """`["ts", "id desc", "name nulls last"]` -> a sort order (id 1), or unsorted."""
    if not sort_by:
        return UNSORTED
    fields = []
    for text in sort_by:
        words = text.split()
        if not words:
            raise ValidationError("Empty sort_by entry")
        column, rest = words[0], [w.lower() for w in words[1:]]
        direction = "asc"
        if rest and rest[0] in ("asc", "desc"):
            direction = rest.pop(0)
        # Iceberg default: nulls first for ascending, nulls last for descending.
        null_order = "nulls-first" if direction == "asc" else "nulls-last"
        if rest == ["nulls", "first"]:
            null_order = "nulls-first"
        elif rest == ["nulls", "last"]:
            null_order = "nulls-last"
        elif rest:
            raise ValidationError(f"Cannot parse sort_by entry {text!r}; expected "
                                  "'column [asc|desc] [nulls first|nulls last]'")
        fields.append(SortField(schema.find_field(column).field_id, "identity",
                                direction, null_order))
    return SortOrder(tuple(fields), 1)
