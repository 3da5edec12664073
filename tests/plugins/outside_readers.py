"""Fixtures for the outside readers used as test oracles: PyIceberg's SqlCatalog on the
warehouse's catalog.db, and DuckDB with its iceberg extension loaded offline from the
duckdb-extension-* packages (DESIGN.md "Outside readers")."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest


def extension_path(name: str) -> str:
    module = importlib.import_module(f"duckdb_extension_{name}")
    base = Path(module.__file__).parent / "extensions" / f"v{duckdb.__version__}"
    path = base / f"{name}.duckdb_extension"
    if not path.exists():
        raise RuntimeError(f"duckdb-extension-{name} has no build for duckdb {duckdb.__version__}")
    return str(path)


@pytest.fixture
def duck() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(config={"autoinstall_known_extensions": "false",
                                 "autoload_known_extensions": "false"})
    con.execute(f"LOAD '{extension_path('avro')}'")
    con.execute(f"LOAD '{extension_path('iceberg')}'")
    yield con
    con.close()


@pytest.fixture
def pyiceberg_catalog(warehouse: Path) -> Any:
    from pyiceberg.catalog.sql import SqlCatalog

    warehouse.mkdir(parents=True, exist_ok=True)
    return SqlCatalog("default", uri=f"sqlite:///{warehouse}/catalog.db",
                      warehouse=f"file://{warehouse}")
