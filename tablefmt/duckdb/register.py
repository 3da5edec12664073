"""A fixed version of a table as a DuckDB view: `register(con, table, name, snapshot_id=...)`
and `register_scan(con, scan, name)`. The view reads the files tablefmt's planner kept
(partition and metrics pruning by `where`), selects the scan's columns, applies its filter
and limit in SQL, and never changes: later commits do not touch it."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import duckdb

from tablefmt.duckdb.connection import Connection, s3_bucket
from tablefmt.duckdb.extensions import configure_s3
from tablefmt.duckdb.relation import plan_for, select_sql
from tablefmt.duckdb.sqltext import ident
from tablefmt.errors import ValidationError
from tablefmt.identifiers import validate_part
from tablefmt.io.options import S3Options

if TYPE_CHECKING:
    from tablefmt.scan.scan import Scan
    from tablefmt.table import Table


def register(con: Connection | duckdb.DuckDBPyConnection, table: Table, name: str, *,
             snapshot_id: int | None = None, as_of: datetime | str | None = None,
             ref: str | None = None, where: Any = None) -> str:
    """Register one version of `table` as the view `name` (`"v"` is a temporary view,
    `"schema.v"` a view in that schema); returns its qualified, quoted name.

    Example:
        >>> import tempfile, duckdb, pyarrow as pa, tablefmt as tf, tablefmt.duckdb
        >>> cat = tf.connect(tempfile.mkdtemp()); cat.create_namespace("db")
        >>> t = cat.create_table("db.t", pa.schema([("x", pa.int64())]))
        >>> first = t.append(pa.table({"x": [1, 2]})); _ = t.append(pa.table({"x": [3]}))
        >>> con = duckdb.connect()
        >>> tf.duckdb.register(con, t, "t_v1", snapshot_id=first.snapshot_id)
        '"t_v1"'
        >>> con.sql("SELECT count(*) FROM t_v1").fetchall()
        [(2,)]
    """
    return register_scan(con, table.scan(where=where, snapshot_id=snapshot_id, as_of=as_of,
                                         ref=ref), name)


def register_scan(con: Connection | duckdb.DuckDBPyConnection, scan: Scan, name: str) -> str:
    """Register a scan (its snapshot, columns, filter and limit) as the view `name`."""
    raw = con.connection if isinstance(con, Connection) else con
    parts = _view_parts(name)
    plan = plan_for(scan, filtered=True)
    _ensure_s3(raw, scan)
    sql = select_sql(scan.io, scan.meta, plan)
    qualified = ".".join(ident(p) for p in parts)
    if len(parts) == 1:
        raw.execute(f"CREATE OR REPLACE TEMPORARY VIEW {qualified} AS {sql}")
    else:
        raw.execute(f"CREATE SCHEMA IF NOT EXISTS {ident(parts[0])}")
        raw.execute(f"CREATE OR REPLACE VIEW {qualified} AS {sql}")
    return qualified


def _view_parts(name: str) -> list[str]:
    if not isinstance(name, str):
        raise ValidationError(f"View name must be a string, got {type(name).__name__}")
    parts = name.split(".")
    if len(parts) > 2:
        raise ValidationError(f"Invalid view name {name!r}: use 'name' or 'schema.name'")
    return [validate_part(p, "view name", name) for p in parts]


def _ensure_s3(con: duckdb.DuckDBPyConnection, scan: Scan) -> None:
    bucket = s3_bucket(scan.meta.location)
    if bucket is None:
        return
    scope = f"s3://{bucket}/"
    rows = con.execute("SELECT 1 FROM duckdb_secrets() WHERE name LIKE 'tablefmt_s3_%' "
                       "AND list_contains(scope, ?)", [scope]).fetchall()
    if not rows:
        options = getattr(scan.io, "options", None)
        configure_s3(con, options if isinstance(options, S3Options) else S3Options.parse(None),
                     [bucket])
