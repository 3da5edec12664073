"""Local filesystem FileIO: atomic writes by temp file + rename, put-if-absent by hard link."""

from __future__ import annotations

import builtins
import os
import uuid
from collections.abc import Iterator
from typing import Any

import pyarrow.fs as pafs

from tablefmt.errors import StorageError
from tablefmt.io.base import FileInfo, FileIO


def local_path(path: str) -> str:
    if path.startswith("file://"):
        return path[len("file://"):]
    return path


class LocalFileIO(FileIO):
    _fs = pafs.LocalFileSystem()

    def read(self, path: str) -> bytes:
        try:
            with open(local_path(path), "rb") as f:
                return f.read()
        except FileNotFoundError as exc:
            raise StorageError(f"File not found: {path}") from exc
        except OSError as exc:
            raise StorageError(f"Cannot read {path}: {exc.strerror}") from exc

    def write(self, path: str, data: bytes, *, exclusive: bool = False) -> None:
        target = local_path(path)
        directory = os.path.dirname(target)
        tmp = os.path.join(directory, f".tmp-{uuid.uuid4().hex}")
        try:
            os.makedirs(directory, exist_ok=True)
            with open(tmp, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            if exclusive:
                os.link(tmp, target)  # atomic, and fails if target exists
                os.unlink(tmp)
            else:
                os.replace(tmp, target)
        except FileExistsError:
            os.unlink(tmp)
            raise
        except OSError as exc:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise StorageError(f"Cannot write {path}: {exc.strerror}") from exc

    def delete(self, path: str) -> None:
        try:
            os.unlink(local_path(path))
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise StorageError(f"Cannot delete {path}: {exc.strerror}") from exc

    def exists(self, path: str) -> bool:
        return os.path.exists(local_path(path))

    def list(self, prefix: str) -> Iterator[FileInfo]:
        root = local_path(prefix)
        scheme = "file://" if prefix.startswith("file://") else ""
        for dirpath, _, files in os.walk(root):
            for name in files:
                full = os.path.join(dirpath, name)
                try:
                    st = os.stat(full)
                except FileNotFoundError:
                    continue
                yield FileInfo(scheme + full, st.st_size, int(st.st_mtime * 1000))

    def list_dirs(self, prefix: str) -> builtins.list[str]:
        root = local_path(prefix)
        try:
            names = sorted(os.listdir(root))
        except FileNotFoundError:
            return []
        base = prefix.rstrip("/")
        return [f"{base}/{n}" for n in names if os.path.isdir(os.path.join(root, n))]

    def open_output(self, path: str) -> Any:
        os.makedirs(os.path.dirname(local_path(path)), exist_ok=True)
        return self._fs.open_output_stream(local_path(path))

    def arrow_fs(self) -> tuple[pafs.FileSystem, str]:
        return self._fs, "file://"
