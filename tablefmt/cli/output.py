"""How the CLI prints: aligned text tables with a header row, or one JSON document.

Every command builds one JSON-able document; `--json` prints it, otherwise the same
rows are rendered as text. JSON conventions: keys are snake_case and always present
(`null` when unknown); integers (snapshot ids included) are JSON numbers; timestamps are
ISO-8601 UTC strings (`"2024-05-01T12:34:56.789Z"`, microseconds when they carry any);
dates and times ISO-8601; decimals strings; binary values hex strings. Rows are listed
oldest first (snapshots, history) or in catalog/plan order (namespaces, tables, files).

JSON documents, by command:

    namespaces    [{"namespace": "db"}, ...]
    tables [NS]   [{"identifier": "db.events", "namespace": "db", "name": "events"}, ...]
    snapshots T   [SNAPSHOT, ...]                  oldest first; --limit N keeps the newest N
    history T     [{"timestamp", "snapshot_id", "parent_snapshot_id", "sequence_number",
                    "operation", "is_current_ancestor", "added_files", "removed_files",
                    "added_records", "removed_records", "total_files", "total_records",
                    "total_bytes"}, ...]           the columns of `Table.history()`
    files T       [{"file_path", "file_format", "partition": {FIELD: VALUE, ...},
                    "record_count", "file_size_in_bytes", "spec_id"}, ...]
    describe T    {"identifier", "table_uuid", "format_version", "location",
                   "metadata_location", "last_updated", "last_sequence_number",
                   "schema": {"schema_id", "identifier_field_ids": [int], "fields": [FIELD]},
                   "partition_specs": [{"spec_id", "is_default", "fields": [
                       {"field_id", "name", "transform", "source_id", "source_column"}]}],
                   "sort_order": {"order_id", "fields": [
                       {"source_id", "source_column", "transform", "direction", "null_order"}]},
                   "current_snapshot": SNAPSHOT | null,
                   "refs": [{"name", "type", "snapshot_id"}],      sorted by name
                   "properties": {KEY: VALUE}}

    SNAPSHOT = {"timestamp", "snapshot_id", "parent_snapshot_id" (null for the first),
                "sequence_number", "operation", "is_current", "added_records",
                "removed_records", "added_files", "removed_files", "total_records",
                "total_files", "total_bytes", "schema_id", "manifest_list"}
               (added/removed counts absent from the Iceberg summary are 0; totals absent
               from it, and malformed summary values, are null)
    FIELD    = {"id", "name", "type", "required", "doc", "fields": [FIELD]}
               ("type" is the primitive type, or "struct" / "list" / "map" whose children
               are in "fields": struct members, a list's "element", a map's "key", "value")

Table property values whose key names a secret (password, secret, token, credential,
access key) are shown as "***" in text and JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

MISSING = "-"  # a text cell with no value, so columns stay whitespace-separable


@dataclass(frozen=True, slots=True)
class Column:
    """One text column: the row key it shows and its header (the JSON key by default)."""

    key: str
    header: str = ""

    @property
    def title(self) -> str:
        return self.header or self.key


def iso_timestamp(value: dt.datetime) -> str:
    """UTC ISO-8601 with a `Z`; milliseconds unless the value carries microseconds."""
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
        suffix = "Z"
    else:
        suffix = ""
    spec = "milliseconds" if value.microsecond % 1000 == 0 else "microseconds"
    return value.isoformat(timespec=spec) + suffix


def jsonable(value: Any) -> Any:
    """`value` with every leaf turned into a JSON type (see the module docstring)."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        # JSON has no NaN/Infinity; keep the information as a string.
        return value if math.isfinite(value) else str(value)
    return _scalar_text(value)


def _scalar_text(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return iso_timestamp(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray):
        return bytes(value).hex()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    return str(value)


def to_json(document: Any) -> str:
    return json.dumps(jsonable(document), indent=2, allow_nan=False)


def cell(value: Any) -> str:
    """A value as one text cell."""
    if value is None or value == {}:
        return MISSING
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return ",".join(f"{k}={cell(v)}" for k, v in value.items())
    if isinstance(value, int | float | str):
        return str(value)
    return _scalar_text(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def format_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[Column]) -> str:
    """Aligned columns under a header row; numeric columns are right-aligned.

    Example:
        >>> print(format_table([{"name": "a", "n": 5}, {"name": "bb", "n": 12}],
        ...                    [Column("name"), Column("n")]))
        name   n
        a      5
        bb    12
    """
    grid = [[c.title for c in columns]]
    grid += [[cell(row.get(c.key)) for c in columns] for row in rows]
    widths = [max(len(line[i]) for line in grid) for i in range(len(columns))]
    right = [bool(rows) and all(_is_number(r.get(c.key)) or r.get(c.key) is None for r in rows)
             for c in columns]
    return "\n".join(
        "  ".join(text.rjust(w) if r else text.ljust(w)
                  for text, w, r in zip(line, widths, right, strict=True)).rstrip()
        for line in grid)


def format_fields(pairs: Mapping[str, Any], indent: int = 0) -> str:
    """`key:  value` lines with the values aligned.

    Example:
        >>> print(format_fields({"UUID": "x", "Format version": 2}))
        UUID:            x
        Format version:  2
    """
    if not pairs:
        return " " * indent + "(none)"
    width = max(len(k) for k in pairs) + 1
    return "\n".join(f"{' ' * indent}{k + ':':<{width}}  {cell(v)}" for k, v in pairs.items())


def indent_block(text: str, indent: int = 2) -> str:
    return "\n".join(" " * indent + line if line else line for line in text.splitlines())
