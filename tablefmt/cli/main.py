"""The `tablefmt` console script (API.md "CLI"): argument parsing, the warehouse, and
exit statuses — 0 success, 1 a user error (one line on stderr), 2 a usage error."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from tablefmt.catalog import Catalog
from tablefmt.cli import actions, commands, completion, diff, health, inspect, maintain
from tablefmt.cli.output import to_json
from tablefmt.cli.sql import sql
from tablefmt.connect import WAREHOUSE_ENV, connect
from tablefmt.errors import TablefmtError, ValidationError

EXIT_OK, EXIT_USER_ERROR, EXIT_USAGE = 0, 1, 2


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _global_options(parser: argparse.ArgumentParser, default: object) -> None:
    """Options accepted before and after the command. Subcommands default to SUPPRESS so
    an option given before the command is not reset by the subparser's default."""
    none = argparse.SUPPRESS if default is argparse.SUPPRESS else None
    false = argparse.SUPPRESS if default is argparse.SUPPRESS else False
    parser.add_argument("--warehouse", metavar="PATH|URI", default=none,
                        help=f"warehouse path or URI (default: ${WAREHOUSE_ENV})")
    parser.add_argument("--catalog", metavar="URI", default=none,
                        help="catalog URI, e.g. sqlite:///path/catalog.db (default: the "
                             "warehouse's own catalog.db)")
    parser.add_argument("--json", action="store_true", default=false,
                        help="print one JSON document instead of text")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tablefmt", description="Inspect tablefmt (Apache Iceberg v2) tables.")
    _global_options(parser, None)
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(name: str, func: commands.Command, summary: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=summary, description=summary)
        p.set_defaults(func=func)
        return p

    add("namespaces", commands.namespaces, "list namespaces")
    add("tables", commands.tables, "list the tables of NS, or of every namespace") \
        .add_argument("namespace", metavar="NS", nargs="?")
    add("describe", commands.describe, "show a table's schema, partitioning, refs and "
                                       "properties").add_argument("table", metavar="TABLE")
    for name, func, what in (("snapshots", commands.snapshots, "list a table's snapshots"),
                             ("history", commands.history, "show a table's history")):
        p = add(name, func, what + ", oldest first")
        p.add_argument("table", metavar="TABLE")
        p.add_argument("--limit", metavar="N", type=_positive_int,
                       help="only the newest N snapshots")
    p = add("files", commands.files, "list the data files a read of a table opens")
    p.add_argument("table", metavar="TABLE")
    at = p.add_mutually_exclusive_group()
    at.add_argument("--snapshot", metavar="ID", type=int, help="at this snapshot id")
    at.add_argument("--ref", metavar="NAME", help="at this branch or tag")
    for module in (inspect, diff, health):
        module.register(add)
    add("sql", sql, "run DuckDB SQL over the warehouse's tables (namespace.table); with no "
                    "QUERY, read it from stdin, or prompt on a terminal") \
        .add_argument("query", metavar="QUERY", nargs="?")
    for module in (actions, maintain, completion):
        module.register(add)
    return parser


def _local_dir(warehouse: str) -> str | None:
    if warehouse.startswith("file://"):
        return warehouse[len("file://"):]
    return None if "://" in warehouse else os.path.expanduser(warehouse)


def open_catalog(warehouse: str, catalog: str | None) -> Catalog:
    """Connect to an existing warehouse; a read-only CLI must not create one at a typo."""
    local = _local_dir(warehouse)
    if local is not None and not os.path.isdir(local):
        raise ValidationError(f"Warehouse {warehouse} does not exist")
    if catalog is not None and catalog.startswith("sqlite:///"):
        if not os.path.isfile(catalog[len("sqlite:///"):]):
            raise ValidationError(f"Catalog {catalog} does not exist")
    elif local is not None and catalog is None \
            and not os.path.isfile(os.path.join(local, "catalog.db")):
        raise ValidationError(f"{warehouse} is not a tablefmt warehouse (it has no "
                              "catalog.db); pass --catalog if its catalog is elsewhere")
    return connect(warehouse, catalog=catalog)


def _exit_code(exc: SystemExit) -> int:
    return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def run(args: argparse.Namespace) -> int:
    if getattr(args, "standalone", False):  # needs no warehouse: `completion`
        result = args.func(None, args)
    else:
        result = _run_on_catalog(args)
    if result is not None:  # None: the command printed as it went (the sql prompt)
        sys.stdout.write((to_json(result.data) if args.json else result.text) + "\n")
        sys.stdout.flush()
    return EXIT_OK


def _run_on_catalog(args: argparse.Namespace) -> commands.Result | None:
    catalog = open_catalog(args.warehouse, args.catalog)
    try:
        result: commands.Result | None = args.func(catalog, args)
        return result
    finally:
        close = getattr(catalog, "close", None)
        if callable(close):
            close()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI on `argv` (default: `sys.argv[1:]`) and return the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        args.warehouse = args.warehouse or os.environ.get(WAREHOUSE_ENV)
        if not args.warehouse and not getattr(args, "standalone", False):
            parser.error(f"no warehouse: pass --warehouse PATH|URI or set {WAREHOUSE_ENV}")
    except SystemExit as exc:
        return _exit_code(exc)
    try:
        return run(args)
    except TablefmtError as exc:
        print(f"tablefmt: error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_USER_ERROR
    except BrokenPipeError:
        # The reader (`| head`) went away: stop quietly, and keep Python's exit-time flush
        # of stdout from failing again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        return 130
