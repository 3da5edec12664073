"""The Catalog contract (DESIGN.md "Catalogs"): namespaces, tables, the current metadata
location, and the compare-and-swap that makes a commit visible. Implementations live in
the `catalog` package; `tf.connect()` picks one. Shared logic (table creation, metadata
files, loading) lives here so every implementation behaves the same."""

from __future__ import annotations

import re
import time
import uuid
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from tablefmt import properties as P
from tablefmt.arrow_schema import schema_from_arrow
from tablefmt.errors import (
    CorruptMetadataError,
    NoSuchTableError,
    StorageError,
    TableAlreadyExistsError,
    ValidationError,
)
from tablefmt.identifiers import parse_identifier, parse_namespace
from tablefmt.io import FileIO
from tablefmt.metadata.table_metadata import TableMetadata
from tablefmt.partitioning import PARTITION_DATA_ID_START, build_spec
from tablefmt.schema import Schema
from tablefmt.sorting import build_sort_order

if TYPE_CHECKING:
    from tablefmt.table import Table

# tablefmt's own table types ride in a table property that other Iceberg readers ignore.
TABLE_TYPE_PROPERTY = "tablefmt.table-type"

_VERSION = re.compile(r"(?:v)?(\d+)(?:-[0-9a-fA-F-]+)?\.metadata\.json$")


class Catalog(ABC):
    """A set of namespaces and tables on one warehouse."""

    name: str = "default"
    # True when the swap itself writes the metadata file (put-if-absent catalogs): a lost
    # swap then means the file at that path is the winner's, never ours to delete.
    swap_writes_metadata: bool = False

    def __init__(self, warehouse: str, io: FileIO) -> None:
        self.warehouse = warehouse.rstrip("/")
        self.io = io

    # -- what implementations provide -------------------------------------------------------
    @abstractmethod
    def create_namespace(self, namespace: str, properties: dict[str, str] | None = None) -> None: ...

    @abstractmethod
    def list_namespaces(self) -> list[str]: ...

    def drop_namespace(self, namespace: str) -> None:
        """Remove an empty namespace."""
        from tablefmt.errors import NamespaceNotEmptyError, NoSuchNamespaceError

        ns = self._check_namespace(namespace)
        if not self.namespace_exists(ns):
            raise NoSuchNamespaceError(ns)
        if self.list_tables(ns):
            raise NamespaceNotEmptyError(ns)
        self._delete_namespace(ns)

    @abstractmethod
    def _delete_namespace(self, namespace: str) -> None:
        """Remove the record of an existing, empty namespace."""

    @abstractmethod
    def namespace_exists(self, namespace: str) -> bool: ...

    @abstractmethod
    def list_tables(self, namespace: str) -> list[str]: ...

    @abstractmethod
    def _metadata_location(self, identifier: str) -> str:
        """The current metadata file of a table, or NoSuchTableError."""

    @abstractmethod
    def _register(self, identifier: str, metadata_location: str) -> None:
        """Record a new table; TableAlreadyExistsError if it exists."""

    @abstractmethod
    def _swap(self, identifier: str, expected: str, new: str) -> None:
        """Point the table at `new` if it still points at `expected`, else CommitFailedError."""

    def _committed(self, identifier: str, location: str) -> bool:
        """After a swap whose outcome is unknown: did the table end up at `location`?"""
        return self._metadata_location(identifier) == location

    @abstractmethod
    def _unregister(self, identifier: str) -> None: ...

    @abstractmethod
    def rename_table(self, from_identifier: str, to_identifier: str) -> None: ...

    # -- shared behaviour ------------------------------------------------------------------
    def close(self) -> None:  # noqa: B027 (optional hook, not abstract)
        """Release connections the catalog holds (a no-op where there are none)."""

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def table_exists(self, identifier: str) -> bool:
        try:
            self._metadata_location(identifier)
            return True
        except NoSuchTableError:
            return False

    def table_location(self, identifier: str) -> str:
        namespace, name = parse_identifier(identifier)
        return "/".join((self.warehouse, *namespace, name))

    def create_table(self, identifier: str, schema: pa.Schema | Schema, partition_by: list[str] | None = None,
                     sort_by: list[str] | None = None, properties: dict[str, str] | None = None,
                     exist_ok: bool = False, location: str | None = None) -> Table:
        namespace, _ = parse_identifier(identifier)
        if not self.namespace_exists(".".join(namespace)):
            from tablefmt.errors import NoSuchNamespaceError

            raise NoSuchNamespaceError(".".join(namespace))
        if self.table_exists(identifier):
            if exist_ok:
                return self.load_table(identifier)
            raise TableAlreadyExistsError(identifier)
        meta = new_table_metadata(location or self.table_location(identifier), schema,
                                  partition_by, sort_by, properties)
        self._create_metadata(identifier, meta)
        return self.load_table(identifier)

    def _create_metadata(self, identifier: str, meta: TableMetadata) -> str:
        """Write a new table's first metadata file and record it; return its path."""
        path = f"{meta.location}/metadata/00000-{uuid.uuid4()}.metadata.json"
        self.io.write(path, meta.to_json_bytes(), exclusive=True)
        try:
            self._register(identifier, path)
        except BaseException:
            self.io.delete_quietly([path])
            raise
        return path

    def load_table(self, identifier: str) -> Table:
        """The table; embedding and feature tables load as their own types (the table
        property `tablefmt.table-type` says which)."""
        from tablefmt.table import Table

        meta, location = self._load_metadata(identifier)
        table = Table(identifier, self, meta, location)
        kind = meta.properties.get(TABLE_TYPE_PROPERTY)
        if kind == "embedding":
            from tablefmt.embeddings import EmbeddingTable

            return EmbeddingTable.from_table(table)
        if kind == "feature":
            from tablefmt.features import FeatureTable

            return FeatureTable.from_table(table)
        return table

    def create_embedding_table(self, identifier: str, dim: int, metric: str = "cosine",
                               **kwargs: Any) -> Any:
        """An embedding table: a table with a vector column and versioned vector indexes
        (see `tablefmt.embeddings.create_embedding_table` for the options)."""
        from tablefmt.embeddings import create_embedding_table

        return create_embedding_table(self, identifier, dim=dim, metric=metric, **kwargs)

    def create_feature_table(self, identifier: str, entities: list[str], event_time: str,
                             **kwargs: Any) -> Any:
        """A feature table (see `tablefmt.features.create_feature_table`)."""
        from tablefmt.features import create_feature_table

        return create_feature_table(self, identifier, entities=entities,
                                    event_time=event_time, **kwargs)

    def list_feature_tables(self) -> list[str]:
        """Every feature table of every namespace."""
        out = []
        for ns in self.list_namespaces():
            for ident in self.list_tables(ns):
                meta, _ = self._load_metadata(ident)
                if meta.properties.get(TABLE_TYPE_PROPERTY) == "feature":
                    out.append(ident)
        return out

    def _load_metadata(self, identifier: str) -> tuple[TableMetadata, str]:
        location = self._metadata_location(identifier)
        try:
            text = self.io.read(location)
        except StorageError as exc:
            raise CorruptMetadataError(
                f"Cannot load {identifier}: its metadata file {location} is unreadable ({exc})"
            ) from exc
        return TableMetadata.from_json_text(text, f"of {identifier} at {location}"), location

    def _write_metadata(self, base_location: str, base_ms: int,
                        new: TableMetadata) -> tuple[str, TableMetadata]:
        """Write the metadata file that follows `base_location`; return its path and the
        metadata as written (with the metadata log)."""
        new = with_metadata_log(new, base_location, base_ms)
        version = metadata_version(base_location) + 1
        path = f"{new.location}/metadata/{version:05d}-{uuid.uuid4()}.metadata.json"
        self.io.write(path, new.to_json_bytes(), exclusive=True)
        return path, new

    def drop_table(self, identifier: str, purge: bool = False) -> None:
        meta, _ = self._load_metadata(identifier) if purge else (None, "")
        self._unregister(identifier)
        if purge and meta is not None:
            paths = [f.path for f in self.io.list(meta.location)]
            self.io.delete_quietly(paths)

    def _check_namespace(self, namespace: str) -> str:
        return ".".join(parse_namespace(namespace))


def metadata_version(location: str) -> int:
    m = _VERSION.search(location.rsplit("/", 1)[-1])
    return int(m.group(1)) if m else 0


def with_metadata_log(meta: TableMetadata, previous: str, previous_ms: int) -> TableMetadata:
    """The next metadata version: the previous file logged (bounded by
    write.metadata.previous-versions-max) and last-updated-ms moved forward."""
    keep = meta.int_property(P.METADATA_PREVIOUS_VERSIONS_MAX,
                             P.METADATA_PREVIOUS_VERSIONS_MAX_DEFAULT)
    log = meta.metadata_log + ((previous_ms, previous),)
    now = max(int(time.time() * 1000), meta.last_updated_ms, previous_ms + 1)
    return meta.evolve(metadata_log=log[-keep:] if keep > 0 else (), last_updated_ms=now)


def new_table_metadata(location: str, schema: pa.Schema | Schema, partition_by: list[str] | None,
                       sort_by: list[str] | None, properties: dict[str, str] | None) -> TableMetadata:
    if isinstance(schema, pa.Schema):
        schema = schema_from_arrow(schema)
    elif isinstance(schema, Schema):
        schema = Schema(schema.fields, 0, schema.identifier_field_ids)
    else:
        raise ValidationError(f"schema must be a pyarrow.Schema or tf.Schema, got "
                              f"{type(schema).__name__}")
    if not schema.fields:
        raise ValidationError("A table needs at least one column")
    spec = build_spec(partition_by, schema)
    order = build_sort_order(sort_by, schema)
    props = {str(k): str(v) for k, v in (properties or {}).items()}
    return TableMetadata(
        location=location, table_uuid=str(uuid.uuid4()), last_sequence_number=0,
        last_updated_ms=int(time.time() * 1000), last_column_id=schema.highest_field_id,
        schemas=(schema,), current_schema_id=0, partition_specs=(spec,), default_spec_id=0,
        last_partition_id=max((f.field_id for f in spec.fields),
                              default=PARTITION_DATA_ID_START - 1),
        sort_orders=(order,) if order.order_id == 0 else (build_sort_order(None, schema), order),
        default_sort_order_id=order.order_id, properties=props)


def properties_of(obj: Any) -> dict[str, str]:
    return dict(obj or {})
