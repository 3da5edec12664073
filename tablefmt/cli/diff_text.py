"""The text rendering of `tablefmt diff` (the JSON document of `tablefmt.cli.diff`):
the two ends, the file changes as a table (paths relative to the table location), then
schema, partition spec and property changes, one line each (+ added, - removed,
~ changed), coloured on a terminal."""

from __future__ import annotations

from typing import Any

from tablefmt.cli.output import Column, cell, format_fields, format_table, indent_block
from tablefmt.cli.terminal import Painter

FILE_COLUMNS = [Column("change"), Column("partition"), Column("record_count", "records"),
                Column("file_size_in_bytes", "bytes"), Column("file")]
_MARK = {"added": "+", "removed": "-"}
_STYLE = {"+": "green", "-": "red", "~": "yellow"}


def diff_text(doc: dict[str, Any], location: str, painter: Painter | None = None) -> str:
    painter = painter or Painter.for_stdout()
    s = doc["summary"]
    sections = [
        f"Diff of {doc['table']}\n" + format_fields(
            {"From": _end(doc["from"]), "To": _end(doc["to"])}, indent=2),
        f"Files: {s['added_files']} added, {s['removed_files']} removed "
        f"(records +{s['added_records']} -{s['removed_records']}, "
        f"bytes +{s['added_bytes']} -{s['removed_bytes']})"
        + _files(doc, location, painter),
        _section(f"Schema (id {_id(doc['from']['schema_id'])} -> "
                 f"{_id(doc['to']['schema_id'])})", doc["schema_changes"], _field_line, painter),
        _section(f"Partition spec (id {_id(doc['from']['spec_id'])} -> "
                 f"{_id(doc['to']['spec_id'])})", doc["partition_spec_changes"],
                 _field_line, painter),
        _section("Properties", doc["property_changes"], _property_line, painter),
    ]
    return "\n\n".join(sections)


def _id(value: int | None) -> str:
    return "n/a" if value is None else str(value)


def _end(end: dict[str, Any]) -> str:
    ref = f", ref {end['ref']}" if end["ref"] else ""
    return f"{end['snapshot_id']} ({cell(end['timestamp'])}, {end['operation']}{ref})"


def _relative(path: str, location: str) -> str:
    prefix = location.rstrip("/") + "/"
    return path[len(prefix):] if path.startswith(prefix) else path


def _files(doc: dict[str, Any], location: str, painter: Painter) -> str:
    rows = [{**f, "change": change, "file": _relative(f["file_path"], location)}
            for change in ("removed", "added") for f in doc[f"{change}_files"]]
    if not rows:
        return ""
    lines = format_table(rows, FILE_COLUMNS).splitlines()
    body = [painter.paint(line, _STYLE[_MARK[row["change"]]])
            for line, row in zip(lines[1:], rows, strict=True)]
    return "\n" + indent_block("\n".join([lines[0], *body]))


def _section(title: str, changes: list[dict[str, Any]] | None, line: Any,
             painter: Painter) -> str:
    if changes is None:
        return f"{title}: n/a (the metadata version of a snapshot is no longer logged)"
    if not changes:
        return f"{title}: no changes"
    lines = [line(c) for c in changes]
    return f"{title}:\n" + indent_block("\n".join(painter.paint(x, _STYLE[x[0]]) for x in lines))


def _field_line(c: dict[str, Any]) -> str:
    head = f"{c['field_id']}: {c['name']}"
    if c["change"] == "added":
        return f"+ {head} ({c['to']})"
    if c["change"] == "removed":
        return f"- {head} ({c['from']})"
    return f"~ {head}: {c['change'].replace('_', ' ')} {c['from']} -> {c['to']}"


def _property_line(c: dict[str, Any]) -> str:
    if c["change"] == "added":
        return f"+ {c['key']} = {c['to']}"
    if c["change"] == "removed":
        return f"- {c['key']} (was {c['from']})"
    return f"~ {c['key']}: {c['from']} -> {c['to']}"
