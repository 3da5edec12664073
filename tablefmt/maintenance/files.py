"""File helpers shared by snapshot expiry and orphan removal: comparable paths, metadata
file versions, and deletes spread over threads (spec "Snapshot Retention Policy")."""

from __future__ import annotations

import re
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from tablefmt.io import FileIO

# Metadata file names (reference §1.6): `00012-<uuid>.metadata.json` (metastore
# catalogs), `v12.metadata.json` (file-system tables), optionally gzip-compressed.
_METADATA_FILE = re.compile(
    r"(?:^|/)v?(\d+)(?:-[0-9a-fA-F-]+)?(?:\.gz)?\.metadata\.json(?:\.gz)?$")

# One S3 DeleteObjects request takes at most 1,000 keys.
_DELETE_BATCH = 1000
_DELETE_THREADS = 8


def normalize(path: str) -> str:
    """A form of `path` in which equal locations compare equal: `file:/x`, `file:///x`
    and `/x` are one local file; `s3a://` and `s3n://` are `s3://`.

    Example:
        >>> normalize("file:/tmp//wh/t/data/a.parquet")
        '/tmp/wh/t/data/a.parquet'
        >>> normalize("s3a://bucket/wh/t/metadata/v3.metadata.json")
        's3://bucket/wh/t/metadata/v3.metadata.json'
    """
    scheme, sep, rest = path.partition("://")
    if not sep:
        if path.startswith("file:"):
            path = path[len("file:"):]
        return "/" + re.sub("/+", "/", path).lstrip("/")
    if scheme == "file":
        return "/" + re.sub("/+", "/", rest).lstrip("/")
    if scheme in ("s3a", "s3n"):
        scheme = "s3"
    bucket, slash, key = rest.partition("/")
    return f"{scheme}://{bucket}{slash}{re.sub('/+', '/', key)}"


def metadata_version(path: str) -> int | None:
    """The version number in a metadata file name, or None for any other file.

    Example:
        >>> metadata_version("s3://b/t/metadata/v7.metadata.json")
        7
        >>> metadata_version("/t/metadata/00012-1b3e-44fa.metadata.json")
        12
        >>> metadata_version("/t/metadata/snap-1-1-abc.avro") is None
        True
    """
    m = _METADATA_FILE.search(path)
    return int(m.group(1)) if m else None


def delete_files(io: FileIO, paths: Iterable[str]) -> int:
    """Delete `paths` in parallel batches, best effort; returns how many were asked for.

    A file that cannot be deleted stays an orphan (harmless, and `remove_orphan_files`
    finds it later); it never makes the operation fail after its commit landed.
    """
    todo = sorted(set(paths))
    if not todo:
        return 0
    size = max(1, min(_DELETE_BATCH, -(-len(todo) // _DELETE_THREADS)))
    batches = [todo[i:i + size] for i in range(0, len(todo), size)]
    if len(batches) == 1:
        io.delete_quietly(batches[0])
    else:
        with ThreadPoolExecutor(max_workers=min(_DELETE_THREADS, len(batches)),
                                thread_name_prefix="tablefmt-delete") as pool:
            list(pool.map(io.delete_quietly, batches))
    return len(todo)


__all__ = ["delete_files", "metadata_version", "normalize"]
