"""The FileIO contract every storage backend implements."""

from __future__ import annotations

import builtins
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow.fs as pafs


@dataclass(frozen=True, slots=True)
class FileInfo:
    path: str
    size: int
    mtime_ms: int


class FileIO(ABC):
    """Whole-object reads and writes for metadata; an Arrow filesystem for Parquet."""

    @abstractmethod
    def read(self, path: str) -> bytes: ...

    @abstractmethod
    def write(self, path: str, data: bytes, *, exclusive: bool = False) -> None:
        """Write `data` so readers see all of it or nothing. With `exclusive`, fail with
        FileExistsError when `path` exists (put-if-absent)."""

    @abstractmethod
    def delete(self, path: str) -> None: ...

    @abstractmethod
    def exists(self, path: str) -> bool: ...

    @abstractmethod
    def list(self, prefix: str) -> Iterator[FileInfo]:
        """Every file below `prefix` (a directory-like location), recursively."""

    @abstractmethod
    def list_dirs(self, prefix: str) -> builtins.list[str]:
        """The immediate child 'directories' of `prefix`, as full locations."""

    @abstractmethod
    def arrow_fs(self) -> tuple[pafs.FileSystem, str]:
        """An Arrow filesystem and the path prefix to strip from URIs for it."""

    def arrow_path(self, path: str) -> str:
        _, prefix = self.arrow_fs()
        return path[len(prefix):] if prefix and path.startswith(prefix) else path

    def open_output(self, path: str) -> Any:
        """A writable stream for a data file; the object is visible once it is closed."""
        fs, _ = self.arrow_fs()
        return fs.open_output_stream(self.arrow_path(path))

    def delete_quietly(self, paths: builtins.list[str]) -> None:
        for p in paths:
            try:
                self.delete(p)
            except Exception:  # best effort: an orphan is harmless, a lost commit is not
                pass
