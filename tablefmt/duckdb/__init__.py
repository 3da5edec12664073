"""DuckDB SQL over tablefmt tables (API.md "DuckDB"): `connect` exposes a catalog's tables
as views that follow new commits, `register` pins one version under a name, and
`create_table_as` writes a query's result to a new table. Views read the planned Parquet
files directly with DuckDB's reader, columns matched by field id; no table is ever
materialized in Python. This is the only tablefmt module that imports duckdb.

    >>> import tablefmt.duckdb
"""

from __future__ import annotations

from tablefmt.duckdb.connection import NAMESPACE_SEPARATOR, Connection, connect, schema_name
from tablefmt.duckdb.ctas import create_table_as
from tablefmt.duckdb.register import register, register_scan

__all__ = [
    "Connection",
    "NAMESPACE_SEPARATOR",
    "connect",
    "create_table_as",
    "register",
    "register_scan",
    "schema_name",
]
