"""Catalog implementations for tablefmt: the SQL catalog (SQLite by default)."""

from catalog.sql import SqlCatalog

__all__ = ["SqlCatalog"]
