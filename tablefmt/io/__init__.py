"""FileIO: the storage boundary. Paths are URIs (`file:///...`, `s3://...`) or absolute
local paths; `io_for(location)` picks the implementation."""

from __future__ import annotations

from tablefmt.io.base import FileInfo, FileIO
from tablefmt.io.local import LocalFileIO


def io_for(location: str, storage_options: dict[str, str] | None = None) -> FileIO:
    if location.startswith("s3://") or location.startswith("s3a://"):
        from tablefmt.io.options import S3Options
        from tablefmt.io.s3 import S3FileIO  # imported only when S3 is used

        return S3FileIO(S3Options.parse(storage_options))
    return LocalFileIO()


__all__ = ["FileIO", "FileInfo", "LocalFileIO", "io_for"]
