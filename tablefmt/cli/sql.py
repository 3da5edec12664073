"""`tablefmt sql`: DuckDB SQL over the warehouse's tables (`tf.duckdb.connect`; a nested
namespace `a.b` is the schema `a__b`). The query comes from the argument, else from stdin;
with no argument and a terminal on stdin, a prompt runs statements ended by `;` until
`.quit`. Results print as aligned columns, or with `--json` as a list of row objects
(values converted as in `tablefmt.cli.output`; a repeated column name gets a `_2` suffix)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from tablefmt.catalog import Catalog
from tablefmt.cli.commands import Result
from tablefmt.cli.output import Column, format_table, to_json
from tablefmt.errors import TablefmtError, ValidationError

PROMPT, CONTINUE = "tablefmt> ", "      ...> "
HELP = ("End each statement with ';'. Tables are namespace.table (nested namespaces a.b "
        "as a__b).\n.tables  list the tables    .quit  leave")


def sql(cat: Catalog, args: argparse.Namespace) -> Result | None:
    """Run `args.query` (or stdin's text, or a prompt on a terminal) against `cat`."""
    import tablefmt.duckdb  # imported when used: duckdb is slow to import

    with tablefmt.duckdb.connect(cat) as con:
        query = args.query
        if query is None:
            if sys.stdin.isatty():
                prompt(con, as_json=bool(args.json))
                return None
            query = sys.stdin.read()
        if not query.strip():
            raise ValidationError("No query: pass one (tablefmt sql \"SELECT ...\") or pipe "
                                  "it on stdin")
        return run_query(con, query)


def run_query(con: Any, query: str) -> Result:
    """The result of `query` (the last statement's, for a script) as a CLI `Result`."""
    import duckdb

    try:
        relation = con.sql(query)
        table = relation.to_arrow_table() if relation is not None else None
    except duckdb.Error as exc:
        raise ValidationError(f"SQL error: {' '.join(str(exc).split())}") from None
    if table is None:
        return Result([], "OK")
    table = table.rename_columns(unique_names(table.column_names))
    rows = table.to_pylist()
    return Result(rows, format_table(rows, [Column(n) for n in table.column_names]))


def unique_names(names: list[str]) -> list[str]:
    """Column names made unique for row objects: `["a", "a"]` -> `["a", "a_2"]`."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        candidate = name if seen[name] == 1 else f"{name}_{seen[name]}"
        while candidate in names and seen[name] > 1:
            seen[name] += 1
            candidate = f"{name}_{seen[name]}"
        out.append(candidate)
    return out


def prompt(con: Any, *, as_json: bool, read: Callable[[str], str] | None = None) -> None:
    """A read-eval-print loop: statements end with `;`; `.tables`, `.help`, `.quit`."""
    read = read or input
    try:
        import readline  # noqa: F401  (line editing and history for input())
    except ImportError:
        pass
    print(HELP)
    buffer: list[str] = []
    while True:
        try:
            line = read(CONTINUE if buffer else PROMPT)
        except EOFError:
            print()
            return
        except KeyboardInterrupt:
            print()
            buffer = []
            continue
        command = line.strip()
        if not buffer and command.startswith("."):
            if command in (".quit", ".exit"):
                return
            print(_dot_command(con, command))
            continue
        buffer.append(line)
        text = "\n".join(buffer).strip()
        if not text or not text.endswith(";"):
            buffer = [] if not text else buffer
            continue
        buffer = []
        try:
            result = run_query(con, text)
        except TablefmtError as exc:
            print(f"error: {' '.join(str(exc).split())}", file=sys.stderr)
            continue
        print(to_json(result.data) if as_json else result.text)


def _dot_command(con: Any, command: str) -> str:
    if command == ".tables":
        con.refresh()
        return "\n".join(con.tables.values()) or "(no tables)"
    if command == ".help":
        return HELP
    return f"Unknown command {command}; {HELP.splitlines()[-1]}"
