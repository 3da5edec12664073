"""Commands that move refs (spec "Snapshot References"): `rollback` makes an older
snapshot current again, `tag` and `branch` name a snapshot. Each is one commit."""

from __future__ import annotations

import argparse

from tablefmt.catalog import Catalog
from tablefmt.cli.commands import Result
from tablefmt.cli.options import Add
from tablefmt.cli.output import cell


def register(add: Add) -> None:
    p = add("rollback", rollback, "make an older snapshot current again (history is kept)")
    p.add_argument("table", metavar="TABLE")
    p.add_argument("snapshot_id", metavar="ID", type=int)
    for name, func in (("tag", tag), ("branch", branch)):
        p = add(name, func, f"create a {name} at snapshot ID (default: the current one)")
        p.add_argument("table", metavar="TABLE")
        p.add_argument("name", metavar="NAME")
        p.add_argument("snapshot_id", metavar="ID", type=int, nargs="?")


def rollback(cat: Catalog, args: argparse.Namespace) -> Result:
    table = cat.load_table(args.table)
    previous = table.metadata.current_snapshot_id
    snap = table.rollback_to(args.snapshot_id)
    doc = {"table": table.name, "previous_snapshot_id": previous,
           "snapshot_id": snap.snapshot_id, "timestamp": snap.timestamp,
           "operation": snap.operation}
    text = (f"Rolled back {table.name}: current snapshot {cell(previous)} -> "
            f"{snap.snapshot_id} ({cell(snap.timestamp)}, {snap.operation})")
    return Result(doc, text)


def _create_ref(cat: Catalog, args: argparse.Namespace, kind: str) -> Result:
    table = cat.load_table(args.table)
    create = table.create_tag if kind == "tag" else table.create_branch
    ref = create(args.name, snapshot_id=args.snapshot_id)
    doc = {"table": table.name, "name": args.name, "type": ref.type,
           "snapshot_id": ref.snapshot_id}
    return Result(doc, f"Created {kind} {args.name} of {table.name} at snapshot "
                       f"{ref.snapshot_id}")


def tag(cat: Catalog, args: argparse.Namespace) -> Result:
    return _create_ref(cat, args, "tag")


def branch(cat: Catalog, args: argparse.Namespace) -> Result:
    return _create_ref(cat, args, "branch")
