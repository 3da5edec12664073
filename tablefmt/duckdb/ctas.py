"""`create_table_as`: a new table holding a query's result, streamed from DuckDB as Arrow
record batches (never materialized whole) and written in one commit."""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb

from tablefmt.duckdb.connection import Connection
from tablefmt.errors import TablefmtError, ValidationError

if TYPE_CHECKING:
    from tablefmt.catalog import Catalog
    from tablefmt.table import Table

BATCH_ROWS = 128 * 1024


def create_table_as(con: Connection | duckdb.DuckDBPyConnection, catalog: Catalog,
                    identifier: str, query: str, *, partition_by: list[str] | None = None,
                    sort_by: list[str] | None = None,
                    properties: dict[str, str] | None = None) -> Table:
    """Create `identifier` with the schema of `query`'s result and append the result.

    If writing fails, the new table is dropped again: no empty table is left behind.

    Example:
        >>> import tempfile, tablefmt as tf, tablefmt.duckdb
        >>> cat = tf.connect(tempfile.mkdtemp()); cat.create_namespace("db")
        >>> with tf.duckdb.connect(cat) as con:
        ...     t = tf.duckdb.create_table_as(con, cat, "db.nums",
        ...                                   "SELECT range AS n FROM range(5)")
        >>> t.to_arrow().num_rows
        5
    """
    relation = con.sql(query)
    if relation is None:
        raise ValidationError(f"Cannot create {identifier}: the query returns no result set")
    reader = relation.to_arrow_reader(BATCH_ROWS)
    table = catalog.create_table(identifier, reader.schema, partition_by=partition_by,
                                 sort_by=sort_by, properties=properties)
    try:
        table.append(reader)
    except BaseException:
        try:
            catalog.drop_table(identifier, purge=True)
        except TablefmtError:
            pass  # the write error is the one to report
        raise
    return table
