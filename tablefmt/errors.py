"""The tablefmt error tree: one root, typed leaves, messages built from attributes.

    TablefmtError
    ├── NoSuchTableError
    ├── NoSuchNamespaceError
    ├── TableAlreadyExistsError
    ├── NamespaceAlreadyExistsError
    ├── NamespaceNotEmptyError
    ├── SchemaMismatchError          (also ValueError)
    ├── CommitConflictError          (retryable=False once retries ran out)
    │   └── CommitFailedError        (a lost swap; retryable)
    ├── FilterError                  (also ValueError; has .position)
    ├── ValidationError              (also ValueError)
    ├── CorruptMetadataError
    └── StorageError
"""

from __future__ import annotations


class TablefmtError(Exception):
    """Root of every error tablefmt raises."""


class NoSuchTableError(TablefmtError):
    def __init__(self, identifier: str, detail: str = "") -> None:
        self.identifier = identifier
        msg = f"Table {identifier} does not exist"
        super().__init__(msg + (f": {detail}" if detail else ""))


class NoSuchNamespaceError(TablefmtError):
    def __init__(self, namespace: str) -> None:
        self.identifier = namespace
        super().__init__(
            f"Namespace {namespace} does not exist; create it first (create_namespace)"
        )


class TableAlreadyExistsError(TablefmtError):
    def __init__(self, identifier: str) -> None:
        self.identifier = identifier
        super().__init__(f"Table {identifier} already exists (pass exist_ok=True to load it)")


class NamespaceAlreadyExistsError(TablefmtError):
    def __init__(self, namespace: str) -> None:
        self.identifier = namespace
        super().__init__(f"Namespace {namespace} already exists")


class NamespaceNotEmptyError(TablefmtError):
    def __init__(self, namespace: str) -> None:
        self.identifier = namespace
        super().__init__(f"Namespace {namespace} is not empty")


class SchemaMismatchError(TablefmtError, ValueError):
    """Data does not fit the table schema."""


class CommitConflictError(TablefmtError):
    """A commit could not be applied on top of what other writers committed."""

    retryable = False


class CommitFailedError(CommitConflictError):
    """The catalog swap lost a race; the commit may be rebuilt and retried."""

    retryable = True


class FilterError(TablefmtError, ValueError):
    """A filter could not be parsed or bound; `position` is the 0-based offset, if known."""

    def __init__(self, message: str, position: int | None = None, text: str | None = None) -> None:
        self.position = position
        self.text = text
        if position is not None and text is not None:
            message = f"{message} at position {position}: {text!r}"
        elif position is not None:
            message = f"{message} at position {position}"
        super().__init__(message)


class ValidationError(TablefmtError, ValueError):
    """An argument or requested change is invalid."""


class CorruptMetadataError(TablefmtError):
    """Metadata on storage cannot be read or violates the format."""


class StorageError(TablefmtError):
    """The storage layer failed (I/O error, missing object, permissions)."""
