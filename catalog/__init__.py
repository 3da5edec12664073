"""Catalog implementations for tablefmt: the SQL catalog (SQLite by default) and the
object-store catalog (put-if-absent metadata versions, no service)."""

from catalog.objectstore import ObjectStoreCatalog
from catalog.sql import SqlCatalog

__all__ = ["ObjectStoreCatalog", "SqlCatalog"]
