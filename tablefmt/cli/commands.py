"""The CLI commands, one function each: read from the catalog, return a `Result` whose
`data` is the JSON document (shapes in `tablefmt.cli.output`) and whose `text` renders
the same rows as aligned columns."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from tablefmt.catalog import Catalog
from tablefmt.cli.describe import describe_table, describe_text
from tablefmt.cli.output import Column, format_table
from tablefmt.cli.rows import SNAPSHOT_COLUMNS, file_row, snapshot_row

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Result:
    data: Any
    text: str


Command = Callable[[Catalog, argparse.Namespace], Result | None]


def _newest(items: Sequence[T], limit: int | None) -> list[T]:
    """The last `limit` items of an oldest-first list (all when `limit` is None)."""
    return list(items if limit is None else items[max(len(items) - limit, 0):])


def namespaces(cat: Catalog, args: argparse.Namespace) -> Result:
    rows = [{"namespace": ns} for ns in cat.list_namespaces()]
    return Result(rows, format_table(rows, [Column("namespace")]))


def tables(cat: Catalog, args: argparse.Namespace) -> Result:
    spaces = [args.namespace] if args.namespace else cat.list_namespaces()
    rows = []
    for ns in spaces:
        for identifier in cat.list_tables(ns):
            namespace, _, name = identifier.rpartition(".")
            rows.append({"identifier": identifier, "namespace": namespace, "name": name})
    return Result(rows, format_table(rows, [Column("identifier", "table")]))


def describe(cat: Catalog, args: argparse.Namespace) -> Result:
    table = cat.load_table(args.table)
    doc = describe_table(table)
    return Result(doc, describe_text(doc))


def snapshots(cat: Catalog, args: argparse.Namespace) -> Result:
    table = cat.load_table(args.table)
    current = table.metadata.current_snapshot_id
    rows = [snapshot_row(s, current) for s in _newest(table.snapshots(), args.limit)]
    return Result(rows, format_table(rows, SNAPSHOT_COLUMNS))


def history(cat: Catalog, args: argparse.Namespace) -> Result:
    table = cat.load_table(args.table)
    arrow = table.history()
    rows = _newest(arrow.to_pylist(), args.limit)
    return Result(rows, format_table(rows, [Column(name) for name in arrow.column_names]))


FILE_COLUMNS = [Column("file_path"), Column("partition"), Column("record_count"),
                Column("file_size_in_bytes"), Column("spec_id")]


def files(cat: Catalog, args: argparse.Namespace) -> Result:
    table = cat.load_table(args.table)
    tasks = table.scan(snapshot_id=args.snapshot, ref=args.ref).plan_files()
    rows = [file_row(task) for task in tasks]
    return Result(rows, format_table(rows, FILE_COLUMNS))
