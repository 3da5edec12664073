"""Commands that move refs (spec "Snapshot References"): `rollback` makes an older
snapshot current again, `tag` and `branch` name a snapshot, `fast-forward` moves a branch
to the head of another that extends it. Each is one commit."""

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
    p = add("fast-forward", fast_forward,
            "move a branch (default main) to the head of SOURCE, which must extend it")
    p.add_argument("table", metavar="TABLE")
    p.add_argument("source", metavar="SOURCE")
    p.add_argument("--branch", default="main", metavar="NAME", help="the branch to move (default main)")


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


def fast_forward(cat: Catalog, args: argparse.Namespace) -> Result:
    table = cat.load_table(args.table)
    ref = table.refs().get(args.branch)
    previous = ref.snapshot_id if ref else None
    snap = table.fast_forward(args.source, branch=args.branch)
    doc = {"table": table.name, "branch": args.branch, "source": args.source,
           "previous_snapshot_id": previous, "snapshot_id": snap.snapshot_id}
    return Result(doc, f"Fast-forwarded {args.branch} of {table.name} to {args.source}: "
                       f"{cell(previous)} -> {snap.snapshot_id}")
