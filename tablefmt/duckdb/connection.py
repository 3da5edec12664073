"""`tf.duckdb.connect(catalog)`: a DuckDB connection in which every table of a catalog is a
view `namespace.table` over the data files of its current snapshot.

Namespaces become DuckDB schemas; a nested namespace `a.b` becomes the schema `a__b`
(parts joined by two underscores). Before each `sql`, `execute`, `query` and `table` call,
every view's table is checked with one cheap catalog lookup of its current metadata file;
only tables whose file changed are re-planned (and only re-created when their snapshot or
schema changed), so a commit made by another process is visible to the next query. Tables
created since are found by listing the catalog again when a query names one DuckDB does not
know (or on `refresh()`); dropped tables disappear at the next check.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import duckdb

from tablefmt.duckdb.extensions import configure_s3
from tablefmt.duckdb.relation import plan_for, select_sql
from tablefmt.duckdb.sqltext import ident
from tablefmt.errors import NoSuchTableError, ValidationError
from tablefmt.identifiers import parse_identifier, parse_namespace
from tablefmt.io.options import S3Options
from tablefmt.properties import DEFAULT_NAME_MAPPING

if TYPE_CHECKING:
    from tablefmt.catalog import Catalog
    from tablefmt.table import Table

NAMESPACE_SEPARATOR = "__"
_PARALLEL = 8


def schema_name(namespace: str | tuple[str, ...]) -> str:
    """The DuckDB schema of a namespace: `"a.b"` -> `"a__b"`.

    Example:
        >>> schema_name("sales.eu")
        'sales__eu'
    """
    return NAMESPACE_SEPARATOR.join(parse_namespace(namespace))


def view_name(identifier: str) -> tuple[str, str]:
    """The (schema, view) a table identifier is queryable as in DuckDB."""
    namespace, name = parse_identifier(identifier)
    return schema_name(namespace), name


@dataclass
class _View:
    schema: str
    name: str
    metadata_location: str
    version: tuple[Any, ...]  # what the view's SELECT depends on

    @property
    def qualified(self) -> str:
        return f"{ident(self.schema)}.{ident(self.name)}"


def _version(table: Table) -> tuple[Any, ...]:
    meta = table.metadata
    return (meta.current_snapshot_id, meta.current_schema_id,
            meta.properties.get(DEFAULT_NAME_MAPPING), len(meta.schemas))


class Connection:
    """A DuckDB connection whose catalog views follow the catalog. Every attribute of the
    DuckDB connection is available; `sql`, `execute`, `query` and `table` refresh the views
    first. Not thread-safe (neither is a DuckDB connection): use one per thread."""

    def __init__(self, catalog: Catalog, con: duckdb.DuckDBPyConnection | None = None, *,
                 namespaces: Iterable[str] | None = None, max_staleness: float = 0.0) -> None:
        self.catalog = catalog
        self.connection = con if con is not None else duckdb.connect()
        self._owns = con is None
        self._namespaces = None if namespaces is None else [
            ".".join(parse_namespace(ns)) for ns in namespaces]
        self._views: dict[str, _View] = {}
        self._s3_buckets: set[str] = set()
        self._max_staleness = float(max_staleness)
        self._synced_at = float("-inf")
        self.refresh()

    def __repr__(self) -> str:
        return f"tablefmt.duckdb.Connection({self.catalog!r}, views={len(self._views)})"

    def __getattr__(self, name: str) -> Any:
        if name == "connection":  # not set yet: __init__ failed early
            raise AttributeError(name)
        return getattr(self.connection, name)

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the DuckDB connection if `connect` opened it (one passed in stays open)."""
        if self._owns:
            self.connection.close()

    @property
    def tables(self) -> dict[str, str]:
        """Each table identifier and the qualified DuckDB name of its view."""
        return {i: f"{v.schema}.{v.name}" for i, v in sorted(self._views.items())}

    # -- querying ----------------------------------------------------------------------------
    def sql(self, query: str, *args: Any, **kwargs: Any) -> Any:
        return self._run(query, lambda: self.connection.sql(query, *args, **kwargs))

    def query(self, query: str, *args: Any, **kwargs: Any) -> Any:
        return self._run(query, lambda: self.connection.query(query, *args, **kwargs))

    def execute(self, query: str, *args: Any, **kwargs: Any) -> Any:
        self._run(query, lambda: self.connection.execute(query, *args, **kwargs))
        return self

    def table(self, name: str) -> Any:
        """The relation of a table (`"db.events"`, `"a.b.t"`) or of any DuckDB table name."""
        view = self._views.get(name)
        if view is None and "." not in name:
            return self._run(None, lambda: self.connection.table(name))
        def relation() -> Any:
            target = self._views.get(name)
            qualified = target.qualified if target is not None \
                else ".".join(ident(p) for p in name.split("."))
            return self.connection.sql(f"SELECT * FROM {qualified}")
        return self._run(None, relation)

    def _run(self, query: str | None, call: Any) -> Any:
        if time.monotonic() - self._synced_at >= self._max_staleness:
            self.sync()
        try:
            return call()
        except duckdb.CatalogException:
            # Perhaps a table created since we last listed: list again, retry once. Only a
            # single statement is retried: an earlier statement of a script already ran.
            single = query is None or len(duckdb.extract_statements(query)) == 1
            if not single or not self._discover():
                raise
            return call()

    # -- keeping the views current -----------------------------------------------------------
    def refresh(self) -> None:
        """List the catalog again (new and dropped tables), then bring every view current."""
        self._discover()
        self.sync()

    def sync(self) -> None:
        """Re-plan the views whose table has a new metadata file; drop those of dropped
        tables. One metadata-location lookup per table; nothing else when nothing changed."""
        self._synced_at = time.monotonic()
        identifiers = list(self._views)
        for identifier, location in zip(identifiers, self._locations(identifiers), strict=True):
            view = self._views[identifier]
            if location is None:
                self._drop(identifier)
            elif location != view.metadata_location:
                try:
                    table = self.catalog.load_table(identifier)
                except NoSuchTableError:  # dropped since the lookup
                    self._drop(identifier)
                    continue
                self._update(identifier, table)

    def _locations(self, identifiers: list[str]) -> list[str | None]:
        def lookup(identifier: str) -> str | None:
            try:
                return self.catalog._metadata_location(identifier)
            except NoSuchTableError:
                return None

        if len(identifiers) > 1 and self.catalog.warehouse.startswith(("s3://", "s3a://")):
            with ThreadPoolExecutor(max_workers=_PARALLEL) as pool:
                return list(pool.map(lookup, identifiers))
        return [lookup(i) for i in identifiers]

    def _discover(self) -> bool:
        """List the catalog; add views for new tables, drop those of vanished ones. True
        when something changed."""
        found: dict[str, tuple[str, str]] = {}
        for ns in self._namespaces if self._namespaces is not None \
                else self.catalog.list_namespaces():
            for identifier in self.catalog.list_tables(ns):
                found[identifier] = view_name(identifier)
        _check_collisions(found)
        gone = [i for i in self._views if i not in found]
        for identifier in gone:
            self._drop(identifier)
        new = [i for i in found if i not in self._views]
        for table in self._load(new):
            if table is not None:
                self._update(table.identifier, table)
        return bool(gone or new)

    def _load(self, identifiers: list[str]) -> list[Table | None]:
        def load(identifier: str) -> Table | None:
            try:
                table = self.catalog.load_table(identifier)
            except NoSuchTableError:
                return None
            table.scan().plan_files()  # warm the manifest caches, in parallel
            return table

        if len(identifiers) <= 1:
            return [load(i) for i in identifiers]
        with ThreadPoolExecutor(max_workers=_PARALLEL) as pool:
            return list(pool.map(load, identifiers))

    def _update(self, identifier: str, table: Table) -> None:
        view = self._views.get(identifier)
        version = _version(table)
        if view is not None and view.version == version:
            view.metadata_location = table.metadata_location
            return
        schema, name = view_name(identifier)
        self._ensure_storage(table)
        sql = select_sql(table.io, table.metadata, plan_for(table.scan(), filtered=False))
        self.connection.execute(f"CREATE SCHEMA IF NOT EXISTS {ident(schema)}")
        new = _View(schema, name, table.metadata_location, version)
        self.connection.execute(f"CREATE OR REPLACE VIEW {new.qualified} AS {sql}")
        self._views[identifier] = new

    def _drop(self, identifier: str) -> None:
        view = self._views.pop(identifier)
        self.connection.execute(f"DROP VIEW IF EXISTS {view.qualified}")

    def _ensure_storage(self, table: Table) -> None:
        bucket = s3_bucket(table.location)
        if bucket is None or bucket in self._s3_buckets:
            return
        configure_s3(self.connection, s3_options(table), [bucket])
        self._s3_buckets.add(bucket)


def s3_bucket(location: str) -> str | None:
    if location.startswith(("s3://", "s3a://")):
        return location.split("://", 1)[1].split("/", 1)[0]
    return None


def s3_options(table: Table) -> S3Options:
    options = getattr(table.io, "options", None)
    return options if isinstance(options, S3Options) else S3Options.parse(None)


def _check_collisions(found: dict[str, tuple[str, str]]) -> None:
    """DuckDB names are case-insensitive and `a.b` flattens to `a__b`: two tables must not
    land on one view."""
    seen: dict[tuple[str, str], str] = {}
    for identifier, (schema, name) in sorted(found.items()):
        key = (schema.lower(), name.lower())
        if key in seen:
            raise ValidationError(
                f"Tables {seen[key]} and {identifier} would both be the DuckDB view "
                f"{schema}.{name} (namespaces flatten with '{NAMESPACE_SEPARATOR}', names are "
                "case-insensitive); pass namespaces=[...] to connect only some namespaces")
        seen[key] = identifier


def connect(catalog: Catalog, con: duckdb.DuckDBPyConnection | None = None, *,
            namespaces: Iterable[str] | None = None, max_staleness: float = 0.0) -> Connection:
    """A DuckDB connection where every table of `catalog` is the view `namespace.table`.

    Args:
        catalog: the catalog whose tables to expose.
        con: a DuckDB connection to add the views to (default: a new in-memory one, closed
            with the returned object).
        namespaces: expose only these namespaces (default: all).
        max_staleness: seconds a query may run on views checked that long ago (default 0:
            every query checks; on S3 each check costs about three requests per table).

    Example:
        >>> import tempfile, pyarrow as pa, tablefmt as tf, tablefmt.duckdb
        >>> cat = tf.connect(tempfile.mkdtemp()); cat.create_namespace("db")
        >>> cat.create_table("db.t", pa.schema([("x", pa.int64())])).append(pa.table({"x": [1, 2]}))
        ... # doctest: +ELLIPSIS
        Snapshot(...)
        >>> with tf.duckdb.connect(cat) as con:
        ...     con.sql("SELECT sum(x) FROM db.t").fetchall()
        [(3,)]
    """
    return Connection(catalog, con, namespaces=namespaces, max_staleness=max_staleness)
