"""The SQL catalog on SQLite (DESIGN.md "Catalogs"): the Iceberg JDBC catalog's tables,
so PyIceberg's SqlCatalog and Java's JdbcCatalog open the same file. A commit is one
`UPDATE ... WHERE metadata_location = :expected` (spec "Metastore tables")."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from tablefmt.catalog import Catalog
from tablefmt.errors import (
    CommitFailedError,
    NamespaceAlreadyExistsError,
    NoSuchNamespaceError,
    NoSuchTableError,
    StorageError,
    TableAlreadyExistsError,
)
from tablefmt.identifiers import parse_identifier
from tablefmt.io import FileIO

_DDL = (
    """CREATE TABLE IF NOT EXISTS iceberg_tables (
        catalog_name VARCHAR(255) NOT NULL,
        table_namespace VARCHAR(255) NOT NULL,
        table_name VARCHAR(255) NOT NULL,
        metadata_location VARCHAR(1000),
        previous_metadata_location VARCHAR(1000),
        iceberg_type VARCHAR(5),
        PRIMARY KEY (catalog_name, table_namespace, table_name))""",
    """CREATE TABLE IF NOT EXISTS iceberg_namespace_properties (
        catalog_name VARCHAR(255) NOT NULL,
        namespace VARCHAR(255) NOT NULL,
        property_key VARCHAR(255) NOT NULL,
        property_value VARCHAR(1000) NOT NULL,
        PRIMARY KEY (catalog_name, namespace, property_key))""",
)
_TABLE_TYPE = "(iceberg_type = 'TABLE' OR iceberg_type IS NULL)"


class SqlCatalog(Catalog):
    def __init__(self, warehouse: str, io: FileIO, path: str, name: str = "default") -> None:
        super().__init__(warehouse, io)
        self.name = name
        self.path = path
        self._lock = threading.Lock()
        try:
            self._con = sqlite3.connect(path, timeout=30, check_same_thread=False,
                                        isolation_level=None)
            self._con.execute("PRAGMA journal_mode=WAL")
            self._con.execute("PRAGMA busy_timeout=30000")
            for ddl in _DDL:
                self._con.execute(ddl)
        except sqlite3.Error as exc:
            raise StorageError(f"Cannot open the SQLite catalog at {path}: {exc}") from exc

    def __repr__(self) -> str:
        return f"SqlCatalog(warehouse={self.warehouse!r}, path={self.path!r})"

    @contextmanager
    def _sql(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                yield self._con
            except sqlite3.IntegrityError:
                raise
            except sqlite3.Error as exc:
                raise StorageError(f"SQLite catalog {self.path} failed: {exc}") from exc

    # -- namespaces ------------------------------------------------------------------------
    def create_namespace(self, namespace: str, properties: dict[str, str] | None = None) -> None:
        ns = self._check_namespace(namespace)
        if self.namespace_exists(ns):
            raise NamespaceAlreadyExistsError(ns)
        rows = [("exists", "true")] + [(str(k), str(v)) for k, v in (properties or {}).items()]
        with self._sql() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                con.executemany(
                    "INSERT OR REPLACE INTO iceberg_namespace_properties VALUES (?, ?, ?, ?)",
                    [(self.name, ns, k, v) for k, v in rows])
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise

    def namespace_exists(self, namespace: str) -> bool:
        ns = self._check_namespace(namespace)
        with self._sql() as con:
            row = con.execute(
                "SELECT 1 FROM iceberg_namespace_properties WHERE catalog_name=? AND namespace=? "
                "UNION SELECT 1 FROM iceberg_tables WHERE catalog_name=? AND table_namespace=? "
                "LIMIT 1", (self.name, ns, self.name, ns)).fetchone()
        return row is not None

    def list_namespaces(self) -> list[str]:
        with self._sql() as con:
            rows = con.execute(
                "SELECT namespace FROM iceberg_namespace_properties WHERE catalog_name=? UNION "
                "SELECT table_namespace FROM iceberg_tables WHERE catalog_name=?",
                (self.name, self.name)).fetchall()
        return sorted(r[0] for r in rows)

    def namespace_properties(self, namespace: str) -> dict[str, str]:
        ns = self._check_namespace(namespace)
        with self._sql() as con:
            rows = con.execute("SELECT property_key, property_value FROM "
                               "iceberg_namespace_properties WHERE catalog_name=? AND namespace=?",
                               (self.name, ns)).fetchall()
        if not rows and not self.namespace_exists(ns):
            raise NoSuchNamespaceError(ns)
        return dict(rows)

    def _delete_namespace(self, namespace: str) -> None:
        with self._sql() as con:
            con.execute("DELETE FROM iceberg_namespace_properties WHERE catalog_name=? AND "
                        "namespace=?", (self.name, namespace))

    # -- tables ----------------------------------------------------------------------------
    def list_tables(self, namespace: str) -> list[str]:
        ns = self._check_namespace(namespace)
        if not self.namespace_exists(ns):
            raise NoSuchNamespaceError(ns)
        with self._sql() as con:
            rows = con.execute(f"SELECT table_name FROM iceberg_tables WHERE catalog_name=? AND "
                               f"table_namespace=? AND {_TABLE_TYPE}", (self.name, ns)).fetchall()
        return sorted(f"{ns}.{r[0]}" for r in rows)

    def _key(self, identifier: str) -> tuple[str, str, str]:
        namespace, name = parse_identifier(identifier)
        return self.name, ".".join(namespace), name

    def _metadata_location(self, identifier: str) -> str:
        with self._sql() as con:
            row = con.execute(f"SELECT metadata_location FROM iceberg_tables WHERE catalog_name=? "
                              f"AND table_namespace=? AND table_name=? AND {_TABLE_TYPE}",
                              self._key(identifier)).fetchone()
        if row is None:
            raise NoSuchTableError(identifier)
        return str(row[0])

    def _register(self, identifier: str, metadata_location: str) -> None:
        try:
            with self._sql() as con:
                con.execute("INSERT INTO iceberg_tables VALUES (?, ?, ?, ?, NULL, 'TABLE')",
                            (*self._key(identifier), metadata_location))
        except sqlite3.IntegrityError as exc:
            raise TableAlreadyExistsError(identifier) from exc

    def _swap(self, identifier: str, expected: str, new: str) -> None:
        with self._sql() as con:
            cur = con.execute(
                "UPDATE iceberg_tables SET metadata_location=?, previous_metadata_location=? "
                "WHERE catalog_name=? AND table_namespace=? AND table_name=? "
                "AND metadata_location=?", (new, expected, *self._key(identifier), expected))
        if cur.rowcount != 1:
            if not self.table_exists(identifier):
                raise NoSuchTableError(identifier, "it was dropped during the commit")
            raise CommitFailedError(f"Table {identifier} was changed by another writer")

    def _unregister(self, identifier: str) -> None:
        with self._sql() as con:
            cur = con.execute("DELETE FROM iceberg_tables WHERE catalog_name=? AND "
                              "table_namespace=? AND table_name=?", self._key(identifier))
        if cur.rowcount != 1:
            raise NoSuchTableError(identifier)

    def rename_table(self, from_identifier: str, to_identifier: str) -> None:
        new_ns, new_name = parse_identifier(to_identifier)
        if not self.namespace_exists(".".join(new_ns)):
            raise NoSuchNamespaceError(".".join(new_ns))
        try:
            with self._sql() as con:
                cur = con.execute("UPDATE iceberg_tables SET table_namespace=?, table_name=? "
                                  "WHERE catalog_name=? AND table_namespace=? AND table_name=?",
                                  (".".join(new_ns), new_name, *self._key(from_identifier)))
        except sqlite3.IntegrityError as exc:
            raise TableAlreadyExistsError(to_identifier) from exc
        if cur.rowcount != 1:
            raise NoSuchTableError(from_identifier)

    def close(self) -> None:
        self._con.close()
