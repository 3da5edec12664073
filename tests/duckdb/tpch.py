"""TPC-H data from DuckDB's tpch extension (loaded offline from `duckdb-extension-tpch`),
loaded into tablefmt tables; shared by the TPC-H test and benchmark."""

from __future__ import annotations

import duckdb

import tablefmt as tf
import tablefmt.duckdb  # noqa: F401  (tf.duckdb)
from tablefmt.duckdb.extensions import load_extension
from tablefmt.partitioning import WRITABLE_TRANSFORMS

TABLES = ["customer", "lineitem", "nation", "orders", "part", "partsupp", "region", "supplier"]
QUERIES = range(1, 23)
# lineitem and orders by month of date, once tablefmt can write the month transform.
MONTHLY = {"lineitem": "l_shipdate", "orders": "o_orderdate"}


def month_partitioning() -> bool:
    return "month" in WRITABLE_TRANSFORMS


def generate(sf: float) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB holding the TPC-H tables at scale factor `sf`."""
    con = duckdb.connect()
    load_tpch(con)
    con.execute(f"CALL dbgen(sf={float(sf)})")
    return con


def load_tpch(con: duckdb.DuckDBPyConnection) -> None:
    load_extension(con, "tpch", "for TPC-H queries")


def load_into(native: duckdb.DuckDBPyConnection, cat: tf.Catalog, namespace: str = "tpch",
              ) -> dict[str, tf.Table]:
    """Copy every TPC-H table of `native` into `namespace` of `cat`."""
    if not cat.namespace_exists(namespace):
        cat.create_namespace(namespace)
    out = {}
    for name in TABLES:
        partition_by = [f"month({MONTHLY[name]})"] if name in MONTHLY and month_partitioning() \
            else None
        out[name] = tf.duckdb.create_table_as(native, cat, f"{namespace}.{name}",
                                              f"SELECT * FROM {name}", partition_by=partition_by)
    return out


def query_text(con: duckdb.DuckDBPyConnection, n: int) -> str:
    return str(con.execute("SELECT query FROM tpch_queries() WHERE query_nr = ?",
                           [n]).fetchone()[0])
