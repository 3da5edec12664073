"""tablefmt: versioned tables on object storage, Apache Iceberg v2 on disk.

    >>> import tablefmt as tf
"""

from __future__ import annotations

__version__ = "0.1.0"

from tablefmt.catalog import Catalog
from tablefmt.connect import connect
from tablefmt.errors import (
    CommitConflictError,
    CorruptMetadataError,
    FilterError,
    NamespaceAlreadyExistsError,
    NamespaceNotEmptyError,
    NoSuchNamespaceError,
    NoSuchTableError,
    SchemaMismatchError,
    StorageError,
    TableAlreadyExistsError,
    TablefmtError,
    ValidationError,
)
from tablefmt.expressions import col
from tablefmt.maintenance.expire import ExpireResult
from tablefmt.metadata.snapshot import Ref, Snapshot
from tablefmt.scan.planner import FileTask
from tablefmt.scan.scan import Scan
from tablefmt.schema import Schema
from tablefmt.table import Table

# Submodules that import DuckDB are loaded on first use (keeps `import tablefmt` light).
_LAZY = {"features": "tablefmt.features", "duckdb": "tablefmt.duckdb"}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        module = importlib.import_module(_LAZY[name])
        globals()[name] = module
        return module
    raise AttributeError(f"module 'tablefmt' has no attribute {name!r}")


__all__ = [
    "Catalog",
    "CommitConflictError",
    "CorruptMetadataError",
    "ExpireResult",
    "FileTask",
    "FilterError",
    "NamespaceAlreadyExistsError",
    "NamespaceNotEmptyError",
    "NoSuchNamespaceError",
    "NoSuchTableError",
    "Ref",
    "Scan",
    "Schema",
    "SchemaMismatchError",
    "Snapshot",
    "StorageError",
    "Table",
    "TableAlreadyExistsError",
    "TablefmtError",
    "ValidationError",
    "__version__",
    "col",
    "connect",
    "duckdb",
    "features",
]
