"""The DuckDB database point-in-time joins run in: one per process, opened on first use,
so a call pays neither for starting DuckDB (threads, extensions) nor for closing it and
faulting fresh memory in again. Each call works on its own connection (a cursor), so
concurrent calls never see each other's views."""

from __future__ import annotations

import os
import threading

import duckdb

_LOCK = threading.Lock()
_DATABASES: dict[int, duckdb.DuckDBPyConnection] = {}  # by process id: a fork opens anew
_CONFIG = {
    # The joins put rows back by row number, so DuckDB need not keep their order.
    "preserve_insertion_order": False,
    # jemalloc's background threads hand freed memory back to the OS seconds after a
    # join, instead of holding the join's peak for the life of the process.
    "allocator_background_threads": True,
}


def connect() -> duckdb.DuckDBPyConnection:
    """A new connection to the process's feature-join database; close it when done."""
    with _LOCK:
        database = _DATABASES.get(os.getpid())
        if database is None:
            _DATABASES.clear()  # a parent's database is unusable after a fork
            database = _DATABASES[os.getpid()] = duckdb.connect(config=dict(_CONFIG))
        con = database.cursor()
    con.execute("SET asof_loop_join_threshold = 0")  # never the nested-loop ASOF plan
    con.execute("SET TimeZone = 'UTC'")  # naive times are UTC, as in Iceberg
    return con
