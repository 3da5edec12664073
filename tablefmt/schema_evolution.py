"""Schema evolution by field id (spec "Schema Evolution"): add, drop, rename, reorder,
promote, make optional, docs, identifier fields. Pure functions over immutable schemas;
`UpdateSchema` (transaction layer) commits the result."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import pyarrow as pa

from tablefmt import types as T
from tablefmt.arrow_schema import _IdCounter, from_arrow_type
from tablefmt.errors import ValidationError
from tablefmt.schema import Schema
from tablefmt.types import IcebergType, ListType, MapType, NestedField, StructType

ROOT = 0  # container id of top-level fields

Fields = tuple[NestedField, ...]


@dataclass(frozen=True)
class Located:
    """A field and the id of the struct that holds it (ROOT, a struct field's id, a list
    element id or a map value id)."""

    field: NestedField
    container: int


def can_promote(old: IcebergType, new: IcebergType) -> bool:
    """Iceberg v2 promotions: int->long, float->double, decimal(P,S)->decimal(P',S), P'>=P."""
    if old == new:
        return True
    if (old, new) in ((T.INT, T.LONG), (T.FLOAT, T.DOUBLE)):
        return True
    return isinstance(old, T.DecimalType) and isinstance(new, T.DecimalType) \
        and old.scale == new.scale and new.precision >= old.precision


class SchemaChanges:
    """Applies changes one after another to a schema; names resolve against the schema as
    changed so far, so `rename_column("a", "b")` then `add_column("a", ...)` works."""

    def __init__(self, schema: Schema, last_column_id: int, protected: dict[int, str]) -> None:
        self.fields: Fields = schema.fields
        self.identifier_ids = schema.identifier_field_ids
        self.base_id = schema.schema_id
        self.ids = _IdCounter(last_column_id)
        self.protected = protected  # field id -> why it cannot be dropped

    @property
    def schema(self) -> Schema:
        return Schema(self.fields, self.base_id, self.identifier_ids)

    @property
    def last_column_id(self) -> int:
        return self.ids.last

    # -- lookups ---------------------------------------------------------------------------
    def locate(self, path: str) -> Located:
        parts = path.split(".")
        container, fields = ROOT, self.fields
        found: NestedField | None = None
        i = 0
        while i < len(parts):
            found = next((f for f in fields if f.name == parts[i]), None)
            if found is None:
                raise ValidationError(f"No column {path!r} in the schema")
            i += 1
            if i == len(parts):
                break
            container, t = found.field_id, found.field_type
            # Descend through lists and maps: "a.element.x", "m.value.x", or just "a.x".
            while isinstance(t, ListType | MapType):
                if isinstance(t, ListType):
                    if parts[i] == "element":
                        i += 1
                    container, t = t.element_id, t.element_type
                else:
                    if parts[i] in ("key", "value"):
                        if parts[i] == "key":
                            raise ValidationError(f"Map keys cannot be changed: {path!r}")
                        i += 1
                    container, t = t.value_id, t.value_type
                if i == len(parts):
                    raise ValidationError(f"{path!r} names a list element or map value; "
                                          "name a field inside it")
            if not isinstance(t, StructType):
                raise ValidationError(f"Column {'.'.join(parts[:i])!r} is {t}, not a struct")
            fields = t.fields
        assert found is not None
        return Located(found, container)

    def _struct_fields(self, container: int) -> Fields:
        if container == ROOT:
            return self.fields
        holder = _find_container(self.fields, container)
        assert holder is not None
        return holder.fields

    def _edit(self, container: int, fn: Callable[[Fields], Fields]) -> None:
        if container == ROOT:
            self.fields = fn(self.fields)
        else:
            self.fields = _edit_container(self.fields, container, fn)

    def _replace_field(self, loc: Located, new: NestedField) -> None:
        self._edit(loc.container, lambda fs: tuple(new if f.field_id == loc.field.field_id
                                                   else f for f in fs))

    # -- changes ---------------------------------------------------------------------------
    def add_column(self, path: str, field_type: pa.DataType | IcebergType,
                   doc: str | None = None, required: bool = False) -> None:
        if required:
            raise ValidationError(f"Cannot add required column {path!r}: format version 2 has "
                                  "no default values, so existing rows would have none")
        parent, _, name = path.rpartition(".")
        if not name:
            raise ValidationError("add_column needs a column name")
        if parent:
            container = self._container_of(parent)
        else:
            container = ROOT
        if any(f.name == name for f in self._struct_fields(container)):
            raise ValidationError(f"Cannot add column {path!r}: it already exists")
        new_id = self.ids()
        t = from_arrow_type(field_type, self.ids, path) if isinstance(field_type, pa.DataType) \
            else _fresh_ids(field_type, self.ids)
        field = NestedField(new_id, name, t, False, doc)
        self._edit(container, lambda fs: fs + (field,))

    def _container_of(self, parent_path: str) -> int:
        loc = self.locate(parent_path)
        t = loc.field.field_type
        container = loc.field.field_id
        while isinstance(t, ListType | MapType):
            container, t = (t.element_id, t.element_type) if isinstance(t, ListType) \
                else (t.value_id, t.value_type)
        if not isinstance(t, StructType):
            raise ValidationError(f"Cannot add a column inside {parent_path!r}: it is {t}")
        return container

    def rename_column(self, path: str, new_name: str) -> None:
        if not new_name or "." in new_name:
            raise ValidationError(f"Invalid column name {new_name!r}")
        loc = self.locate(path)
        if any(f.name == new_name and f.field_id != loc.field.field_id
               for f in self._struct_fields(loc.container)):
            raise ValidationError(f"Cannot rename {path!r} to {new_name!r}: that name exists")
        self._replace_field(loc, replace(loc.field, name=new_name))

    def drop_column(self, path: str) -> None:
        loc = self.locate(path)
        doomed = {loc.field.field_id} | {f.field_id for _, f in _walk(loc.field.field_type)}
        for fid in doomed:
            if fid in self.protected:
                raise ValidationError(f"Cannot drop column {path!r}: {self.protected[fid]}")
            if fid in self.identifier_ids:
                raise ValidationError(f"Cannot drop column {path!r}: it is an identifier field")
        if loc.container == ROOT and len(self.fields) == 1:
            raise ValidationError(f"Cannot drop {path!r}: a table needs at least one column")
        self._edit(loc.container, lambda fs: tuple(f for f in fs
                                                   if f.field_id != loc.field.field_id))

    def promote(self, path: str, new_type: pa.DataType | IcebergType) -> None:
        loc = self.locate(path)
        target = from_arrow_type(new_type, _IdCounter(), path) \
            if isinstance(new_type, pa.DataType) else new_type
        old = loc.field.field_type
        if not old.is_primitive or not can_promote(old, target):
            raise ValidationError(f"Cannot promote {path!r} from {old} to {target}; allowed: "
                                  "int->long, float->double, decimal precision widening")
        self._replace_field(loc, replace(loc.field, field_type=target))

    def make_optional(self, path: str) -> None:
        loc = self.locate(path)
        if loc.field.field_id in self.identifier_ids:
            raise ValidationError(f"Cannot make {path!r} optional: it is an identifier field")
        self._replace_field(loc, replace(loc.field, required=False))

    def update_doc(self, path: str, doc: str | None) -> None:
        loc = self.locate(path)
        self._replace_field(loc, replace(loc.field, doc=doc))

    def move(self, path: str, where: str, other: str | None = None) -> None:
        loc = self.locate(path)
        if other is not None:
            anchor = self.locate(other)
            if anchor.container != loc.container:
                raise ValidationError(f"Cannot move {path!r} next to {other!r}: they are in "
                                      "different structs")
            if anchor.field.field_id == loc.field.field_id:
                raise ValidationError(f"Cannot move {path!r} relative to itself")

        def reorder(fs: Fields) -> Fields:
            rest = [f for f in fs if f.field_id != loc.field.field_id]
            if where == "first":
                return (loc.field, *rest)
            assert other is not None
            i = next(i for i, f in enumerate(rest) if f.name == other.rpartition(".")[2])
            i = i + 1 if where == "after" else i
            return (*rest[:i], loc.field, *rest[i:])

        self._edit(loc.container, reorder)

    def set_identifier_fields(self, paths: list[str]) -> None:
        ids = []
        for path in paths:
            loc = self.locate(path)
            f = loc.field
            if not f.field_type.is_primitive or f.field_type in (T.FLOAT, T.DOUBLE):
                raise ValidationError(f"Identifier field {path!r} must be a primitive, "
                                      "non-floating-point column")
            if not f.required:
                raise ValidationError(f"Identifier field {path!r} must be required")
            if loc.container != ROOT:
                raise ValidationError(f"Identifier field {path!r} must be a top-level column")
            ids.append(f.field_id)
        self.identifier_ids = tuple(ids)


def _walk(t: IcebergType) -> list[tuple[str, NestedField]]:
    from tablefmt.schema import _walk_type

    return list(_walk_type(t, ""))


def _fresh_ids(t: IcebergType, ids: _IdCounter) -> IcebergType:
    if isinstance(t, StructType):
        new_ids = [ids() for _ in t.fields]
        return StructType(tuple(replace(f, field_id=i, field_type=_fresh_ids(f.field_type, ids))
                                for i, f in zip(new_ids, t.fields)))
    if isinstance(t, ListType):
        return ListType(ids(), _fresh_ids(t.element_type, ids), t.element_required)
    if isinstance(t, MapType):
        k, v = ids(), ids()
        return MapType(k, _fresh_ids(t.key_type, ids), v, _fresh_ids(t.value_type, ids),
                       t.value_required)
    return t


def _find_container(fields: Fields, container: int) -> StructType | None:
    for f in fields:
        found = _container_in(f.field_id, f.field_type, container)
        if found is not None:
            return found
    return None


def _container_in(owner: int, t: IcebergType, container: int) -> StructType | None:
    if isinstance(t, StructType):
        return t if owner == container else _find_container(t.fields, container)
    if isinstance(t, ListType):
        return _container_in(t.element_id, t.element_type, container)
    if isinstance(t, MapType):
        return _container_in(t.value_id, t.value_type, container)
    return None


def _edit_container(fields: Fields, container: int, fn: Callable[[Fields], Fields]) -> Fields:
    return tuple(replace(f, field_type=_edit_type(f.field_id, f.field_type, container, fn))
                 for f in fields)


def _edit_type(owner: int, t: IcebergType, container: int,
               fn: Callable[[Fields], Fields]) -> IcebergType:
    if isinstance(t, StructType):
        if owner == container:
            return StructType(fn(t.fields))
        return StructType(_edit_container(t.fields, container, fn))
    if isinstance(t, ListType):
        return replace(t, element_type=_edit_type(t.element_id, t.element_type, container, fn))
    if isinstance(t, MapType):
        return replace(t, value_type=_edit_type(t.value_id, t.value_type, container, fn))
    return t
