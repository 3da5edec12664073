"""`tf.connect()`: the one door that picks a catalog implementation (DESIGN.md)."""

from __future__ import annotations

import os

from tablefmt.catalog import Catalog
from tablefmt.errors import ValidationError
from tablefmt.io import io_for

WAREHOUSE_ENV = "TABLEFMT_WAREHOUSE"


def normalize_warehouse(warehouse: str | os.PathLike[str]) -> str:
    """Local paths become absolute `file://` URIs (spec: file paths carry a scheme)."""
    warehouse = os.fspath(warehouse)
    if "://" in warehouse:
        scheme = warehouse.split("://", 1)[0]
        if scheme not in ("file", "s3", "s3a"):
            raise ValidationError(f"Unsupported warehouse scheme {scheme!r}; use a local "
                                  "path, file:// or s3://")
        return warehouse.rstrip("/")
    return "file://" + os.path.abspath(os.path.expanduser(warehouse))


def connect(warehouse: str | os.PathLike[str] | None = None, *, catalog: str | None = None,
            storage_options: dict[str, str] | None = None) -> Catalog:
    """Open a catalog on a warehouse.

    Example:
        >>> import tempfile, tablefmt as tf
        >>> cat = tf.connect(tempfile.mkdtemp())
        >>> cat.list_namespaces()
        []
    """
    warehouse = os.fspath(warehouse) if warehouse is not None else os.environ.get(WAREHOUSE_ENV)
    if not warehouse:
        raise ValidationError(f"No warehouse given: pass a path or URI, or set {WAREHOUSE_ENV}")
    uri = normalize_warehouse(warehouse)
    io = io_for(uri, storage_options)
    kind = catalog or ("objectstore" if uri.startswith(("s3://", "s3a://")) else "sql")
    if kind == "objectstore":
        from catalog.objectstore import ObjectStoreCatalog  # imported when chosen

        if uri.startswith("file://"):
            os.makedirs(uri[len("file://"):], exist_ok=True)
        return ObjectStoreCatalog(uri, io)
    if kind == "sql" or kind.startswith("sqlite:"):
        from catalog.sql import SqlCatalog  # imported when chosen: the import graph stays one-way

        if kind.startswith("sqlite:///"):
            db = kind[len("sqlite:///"):]
        elif uri.startswith("file://"):
            os.makedirs(uri[len("file://"):], exist_ok=True)
            db = os.path.join(uri[len("file://"):], "catalog.db")
        else:
            raise ValidationError(f"A warehouse on {uri.split('://')[0]} keeps its SQL catalog "
                                  "in a local file: pass catalog='sqlite:///path/catalog.db'")
        return SqlCatalog(uri, io, db)
    raise ValidationError(f"Unknown catalog {catalog!r}; use 'objectstore', 'sql' or "
                          "'sqlite:///path/catalog.db'")
