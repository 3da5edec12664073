"""The object-store catalog (DESIGN.md "Catalogs"): no service besides the store.

Namespaces and tables are prefixes. A table's metadata files are
`metadata/v{N}.metadata.json`; committing N+1 is a put-if-absent (S3 `If-None-Match: *`,
local folders: hard link), so exactly one writer wins each version. The current version
is the highest N that exists: probed forward from `metadata/version-hint.text` (written
after each commit, as a hint for other readers), with a listing as the fallback.
"""

from __future__ import annotations

import json
import re
import threading
import uuid

from tablefmt.catalog import Catalog, with_metadata_log
from tablefmt.errors import (
    CommitFailedError,
    NamespaceAlreadyExistsError,
    NoSuchNamespaceError,
    NoSuchTableError,
    StorageError,
    TableAlreadyExistsError,
    ValidationError,
)
from tablefmt.identifiers import parse_identifier, parse_namespace
from tablefmt.io import FileIO
from tablefmt.metadata.table_metadata import TableMetadata

NAMESPACE_MARKER = ".namespace.json"
HINT = "version-hint.text"
_VERSION_FILE = re.compile(r"/v(\d+)\.metadata\.json$")


class ObjectStoreCatalog(Catalog):
    swap_writes_metadata = True

    def __init__(self, warehouse: str, io: FileIO, verify_conditional_writes: bool = True) -> None:
        super().__init__(warehouse, io)
        self._verified = not verify_conditional_writes
        self._local = threading.local()  # per thread: metadata bytes awaiting their swap

    def __repr__(self) -> str:
        return f"ObjectStoreCatalog(warehouse={self.warehouse!r})"

    @property
    def _pending(self) -> dict[str, bytes]:
        pending = getattr(self._local, "pending", None)
        if pending is None:
            pending = self._local.pending = {}
        return pending

    # -- layout ----------------------------------------------------------------------------
    def _ns_prefix(self, namespace: str) -> str:
        return "/".join((self.warehouse, *parse_namespace(namespace)))

    def _table_prefix(self, identifier: str) -> str:
        namespace, name = parse_identifier(identifier)
        return "/".join((self.warehouse, *namespace, name))

    @staticmethod
    def _version_path(table_prefix: str, version: int) -> str:
        return f"{table_prefix}/metadata/v{version}.metadata.json"

    # -- namespaces ------------------------------------------------------------------------
    def create_namespace(self, namespace: str, properties: dict[str, str] | None = None) -> None:
        ns = self._check_namespace(namespace)
        body = json.dumps({"namespace": ns, "properties": {str(k): str(v) for k, v in
                                                           (properties or {}).items()}})
        try:
            self.io.write(f"{self._ns_prefix(ns)}/{NAMESPACE_MARKER}", body.encode(),
                          exclusive=True)
        except FileExistsError:
            raise NamespaceAlreadyExistsError(ns) from None

    def namespace_exists(self, namespace: str) -> bool:
        return self.io.exists(f"{self._ns_prefix(namespace)}/{NAMESPACE_MARKER}")

    def namespace_properties(self, namespace: str) -> dict[str, str]:
        try:
            raw = self.io.read(f"{self._ns_prefix(namespace)}/{NAMESPACE_MARKER}")
        except StorageError:
            raise NoSuchNamespaceError(self._check_namespace(namespace)) from None
        return dict(json.loads(raw).get("properties", {}))

    def list_namespaces(self) -> list[str]:
        found: list[str] = []

        def visit(prefix: str, parts: tuple[str, ...]) -> None:
            for child in self.io.list_dirs(prefix):
                name = child.rsplit("/", 1)[-1]
                if name in ("metadata", "data") or name.startswith("."):
                    continue
                if self.io.exists(f"{child}/metadata/{HINT}"):
                    continue  # a table
                if self.io.exists(f"{child}/{NAMESPACE_MARKER}"):
                    found.append(".".join((*parts, name)))
                if len(parts) < 8:
                    visit(child, (*parts, name))

        visit(self.warehouse, ())
        return sorted(found)

    def _delete_namespace(self, namespace: str) -> None:
        self.io.delete(f"{self._ns_prefix(namespace)}/{NAMESPACE_MARKER}")

    # -- tables ----------------------------------------------------------------------------
    def list_tables(self, namespace: str) -> list[str]:
        ns = self._check_namespace(namespace)
        if not self.namespace_exists(ns):
            raise NoSuchNamespaceError(ns)
        out = []
        for child in self.io.list_dirs(self._ns_prefix(ns)):
            name = child.rsplit("/", 1)[-1]
            if self._current_version(child) > 0:
                out.append(f"{ns}.{name}")
        return sorted(out)

    def _current_version(self, table_prefix: str) -> int:
        """The highest N with v{N}.metadata.json: from the hint, probing forward; by
        listing when the hint is missing or wrong."""
        version = 0
        try:
            version = int(self.io.read(f"{table_prefix}/metadata/{HINT}").decode().strip())
        except (StorageError, ValueError):
            version = 0
        if version > 0 and not self.io.exists(self._version_path(table_prefix, version)):
            version = 0  # a stale hint (table dropped and recreated): list instead
        if version == 0:
            versions = [int(m.group(1)) for f in self.io.list(f"{table_prefix}/metadata")
                        if (m := _VERSION_FILE.search(f.path))]
            version = max(versions, default=0)
        while version > 0 and self.io.exists(self._version_path(table_prefix, version + 1)):
            version += 1
        return version

    def _metadata_location(self, identifier: str) -> str:
        prefix = self._table_prefix(identifier)
        version = self._current_version(prefix)
        if version == 0:
            raise NoSuchTableError(identifier)
        return self._version_path(prefix, version)

    def _create_metadata(self, identifier: str, meta: TableMetadata) -> str:
        self._verify_store()
        path = self._version_path(self._table_prefix(identifier), 1)
        try:
            self.io.write(path, meta.to_json_bytes(), exclusive=True)
        except FileExistsError:
            raise TableAlreadyExistsError(identifier) from None
        self._write_hint(path, 1)
        return path

    def _register(self, identifier: str, metadata_location: str) -> None:
        raise NotImplementedError  # creation goes through _create_metadata

    def _write_metadata(self, base_location: str, base_ms: int,
                        new: TableMetadata) -> tuple[str, TableMetadata]:
        new = with_metadata_log(new, base_location, base_ms)
        m = _VERSION_FILE.search(base_location)
        if not m:
            raise ValidationError(f"{base_location} is not a v<N>.metadata.json file")
        path = base_location[:m.start()] + f"/v{int(m.group(1)) + 1}.metadata.json"
        self._pending[path] = new.to_json_bytes()
        return path, new

    def _swap(self, identifier: str, expected: str, new: str) -> None:
        self._verify_store()
        data = self._pending.pop(new)
        try:
            self.io.write(new, data, exclusive=True)
        except FileExistsError:
            if self._content_is(new, data):
                pass  # our own put, retried after a lost response
            else:
                raise CommitFailedError(f"Table {identifier} was changed by another writer") \
                    from None
        except BaseException:
            self._pending[new] = data  # kept for _committed to compare
            raise
        m = _VERSION_FILE.search(new)
        assert m is not None
        self._write_hint(new, int(m.group(1)))

    def _committed(self, identifier: str, location: str) -> bool:
        data = self._pending.pop(location, None)
        return data is not None and self._content_is(location, data)

    def _content_is(self, path: str, data: bytes) -> bool:
        try:
            return self.io.read(path) == data
        except StorageError as exc:
            if "not found" in str(exc):
                return False
            raise

    def _write_hint(self, metadata_path: str, version: int) -> None:
        """Best effort: readers that open the table folder (DuckDB, PyIceberg's
        StaticTable) follow the hint; tablefmt only uses it as a starting point."""
        prefix = metadata_path.rsplit("/", 1)[0]
        try:
            self.io.write(f"{prefix}/{HINT}", str(version).encode())
        except StorageError:
            pass

    def _unregister(self, identifier: str) -> None:
        prefix = self._table_prefix(identifier)
        files = [f.path for f in self.io.list(f"{prefix}/metadata")
                 if _VERSION_FILE.search(f.path) or f.path.endswith(f"/{HINT}")]
        if not any(_VERSION_FILE.search(p) for p in files):
            raise NoSuchTableError(identifier)
        self.io.delete_quietly(files)

    def rename_table(self, from_identifier: str, to_identifier: str) -> None:
        raise ValidationError(
            "The object-store catalog cannot rename tables: an object store has no atomic "
            "rename of a prefix. Use the SQL catalog, or copy the table")

    def _verify_store(self) -> None:
        """Refuse to commit on a store that ignores conditional writes: two writers could
        both 'win' a version and one commit would be silently lost."""
        if self._verified:
            return
        probe = f"{self.warehouse}/.tablefmt-probe-{uuid.uuid4().hex}"
        try:
            self.io.write(probe, b"1", exclusive=True)
            try:
                self.io.write(probe, b"2", exclusive=True)
            except FileExistsError:
                self._verified = True
            else:
                raise StorageError(
                    f"The store behind {self.warehouse} does not enforce conditional writes "
                    "(If-None-Match); committing there could lose commits. Use a store that "
                    "supports them (AWS S3, MinIO, R2, GCS) or the SQL catalog")
        finally:
            self.io.delete_quietly([probe])
