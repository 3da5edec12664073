"""S3 FileIO: boto3 for metadata, small objects, listing and conditional puts;
pyarrow's S3FileSystem for Parquet reads. Retries with backoff and jitter come from
botocore's standard retry mode; errors are wrapped in StorageError without credentials."""

from __future__ import annotations

import builtins
import io
import threading
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.config
import botocore.exceptions
import pyarrow.fs as pafs

from tablefmt.errors import StorageError
from tablefmt.io.base import FileInfo, FileIO
from tablefmt.io.options import S3Options

PART_SIZE = 8 * 1024 * 1024

# Called with each new boto3 client: tests register botocore event handlers here to
# inject faults (failed requests, lost responses) at the real HTTP boundary.
CLIENT_HOOKS: list[Any] = []


def split_uri(uri: str) -> tuple[str, str]:
    rest = uri.split("://", 1)[1]
    bucket, _, key = rest.partition("/")
    return bucket, key


def _code(exc: botocore.exceptions.ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _status(exc: botocore.exceptions.ClientError) -> int:
    return int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))


class S3FileIO(FileIO):
    def __init__(self, options: S3Options) -> None:
        self.options = options
        self._local = threading.local()
        self._fs: pafs.S3FileSystem | None = None
        self._session = boto3.session.Session()

    def __repr__(self) -> str:
        return f"S3FileIO(endpoint_url={self.options.endpoint_url!r}, region={self.options.region!r})"

    @property
    def client(self) -> Any:
        client = getattr(self._local, "client", None)
        if client is None:
            o = self.options
            config = botocore.config.Config(
                retries={"max_attempts": o.max_attempts, "mode": "standard"},
                connect_timeout=o.connect_timeout, read_timeout=o.read_timeout,
                s3={"addressing_style": "path" if o.path_style else "auto"},
                max_pool_connections=32)
            client = self._session.client(
                "s3", endpoint_url=o.endpoint_url, region_name=o.region,
                aws_access_key_id=o.access_key_id,
                aws_secret_access_key=o.secret_access_key.reveal() if o.secret_access_key else None,
                aws_session_token=o.session_token.reveal() if o.session_token else None,
                config=config)
            for hook in CLIENT_HOOKS:
                hook(client)
            self._local.client = client
        return client

    def _fail(self, action: str, uri: str, exc: Exception) -> StorageError:
        if isinstance(exc, botocore.exceptions.ClientError):
            detail = f"{_code(exc) or _status(exc)}"
        else:
            detail = type(exc).__name__
        return StorageError(f"Cannot {action} {uri}: {detail} (after retries)")

    def read(self, path: str) -> bytes:
        bucket, key = split_uri(path)
        try:
            body: bytes = self.client.get_object(Bucket=bucket, Key=key)["Body"].read()
            return body
        except botocore.exceptions.ClientError as exc:
            if _code(exc) in ("NoSuchKey", "404") or _status(exc) == 404:
                raise StorageError(f"File not found: {path}") from None
            raise self._fail("read", path, exc) from None
        except (botocore.exceptions.BotoCoreError, OSError) as exc:
            raise self._fail("read", path, exc) from None

    def write(self, path: str, data: bytes, *, exclusive: bool = False) -> None:
        bucket, key = split_uri(path)
        extra = {"IfNoneMatch": "*"} if exclusive else {}
        try:
            self.client.put_object(Bucket=bucket, Key=key, Body=data, **extra)
        except botocore.exceptions.ClientError as exc:
            if exclusive and (_status(exc) in (409, 412)
                              or _code(exc) in ("PreconditionFailed", "ConditionalRequestConflict")):
                raise FileExistsError(path) from None
            raise self._fail("write", path, exc) from None
        except (botocore.exceptions.BotoCoreError, OSError) as exc:
            raise self._fail("write", path, exc) from None

    def delete(self, path: str) -> None:
        bucket, key = split_uri(path)
        try:
            self.client.delete_object(Bucket=bucket, Key=key)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
            raise self._fail("delete", path, exc) from None

    def delete_quietly(self, paths: builtins.list[str]) -> None:
        by_bucket: dict[str, list[str]] = {}
        for p in paths:
            bucket, key = split_uri(p)
            by_bucket.setdefault(bucket, []).append(key)
        for bucket, keys in by_bucket.items():
            for i in range(0, len(keys), 1000):
                try:
                    self.client.delete_objects(Bucket=bucket, Delete={
                        "Objects": [{"Key": k} for k in keys[i:i + 1000]], "Quiet": True})
                except Exception:  # best effort: an orphan is harmless
                    pass

    def exists(self, path: str) -> bool:
        bucket, key = split_uri(path)
        try:
            self.client.head_object(Bucket=bucket, Key=key)
            return True
        except botocore.exceptions.ClientError as exc:
            if _status(exc) == 404 or _code(exc) in ("404", "NoSuchKey", "NotFound"):
                return False
            raise self._fail("check", path, exc) from None
        except botocore.exceptions.BotoCoreError as exc:
            raise self._fail("check", path, exc) from None

    def list(self, prefix: str) -> Iterator[FileInfo]:
        bucket, key = split_uri(prefix.rstrip("/") + "/")
        scheme = prefix.split("://", 1)[0]
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=key)
            for page in pages:
                for obj in page.get("Contents", []):
                    yield FileInfo(f"{scheme}://{bucket}/{obj['Key']}", int(obj["Size"]),
                                   int(obj["LastModified"].timestamp() * 1000))
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
            raise self._fail("list", prefix, exc) from None

    def list_dirs(self, prefix: str) -> builtins.list[str]:
        """The immediate 'subdirectories' (common prefixes) below `prefix`."""
        bucket, key = split_uri(prefix.rstrip("/") + "/")
        scheme = prefix.split("://", 1)[0]
        out: builtins.list[str] = []
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=bucket, Prefix=key, Delimiter="/")
            for page in pages:
                out.extend(f"{scheme}://{bucket}/{p['Prefix'].rstrip('/')}"
                           for p in page.get("CommonPrefixes", []))
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
            raise self._fail("list", prefix, exc) from None
        return out

    def open_output(self, path: str) -> Any:
        return _Upload(self, path)

    def arrow_fs(self) -> tuple[pafs.FileSystem, str]:
        if self._fs is None:
            o = self.options
            kwargs: dict[str, Any] = {"region": o.region, "allow_bucket_creation": False,
                                      "force_virtual_addressing": False,
                                      "connect_timeout": o.connect_timeout,
                                      "request_timeout": o.read_timeout,
                                      "retry_strategy": pafs.AwsStandardS3RetryStrategy(
                                          max_attempts=o.max_attempts)}
            if o.endpoint_url:
                scheme, _, host = o.endpoint_url.partition("://")
                kwargs["endpoint_override"] = host or scheme
                kwargs["scheme"] = scheme if host else "https"
            if o.access_key_id:
                kwargs["access_key"] = o.access_key_id
                kwargs["secret_key"] = o.secret_access_key.reveal() if o.secret_access_key else ""
                if o.session_token:
                    kwargs["session_token"] = o.session_token.reveal()
            self._fs = pafs.S3FileSystem(**{k: v for k, v in kwargs.items() if v is not None})
        return self._fs, ""

    def arrow_path(self, path: str) -> str:
        return path.split("://", 1)[1]


class _Upload(io.RawIOBase):
    """A write-only stream: one PUT for small objects, a multipart upload past 8 MiB."""

    def __init__(self, fileio: S3FileIO, path: str) -> None:
        self.fileio, self.path = fileio, path
        self.bucket, self.key = split_uri(path)
        self.buffer = bytearray()
        self.position = 0
        self.upload_id: str | None = None
        self.parts: list[dict[str, Any]] = []

    def writable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def write(self, data: Any) -> int:
        n = len(data)
        self.buffer += data
        self.position += n
        if len(self.buffer) >= PART_SIZE:
            self._flush_part()
        return n

    def _flush_part(self) -> None:
        c = self.fileio.client
        try:
            if self.upload_id is None:
                self.upload_id = c.create_multipart_upload(Bucket=self.bucket, Key=self.key)["UploadId"]
            n = len(self.parts) + 1
            etag = c.upload_part(Bucket=self.bucket, Key=self.key, UploadId=self.upload_id,
                                 PartNumber=n, Body=bytes(self.buffer))["ETag"]
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
            raise self.fileio._fail("write", self.path, exc) from None
        self.parts.append({"ETag": etag, "PartNumber": n})
        self.buffer = bytearray()

    def close(self) -> None:
        if self.closed:
            return
        try:
            if self.upload_id is None:
                self.fileio.write(self.path, bytes(self.buffer))
            else:
                if self.buffer:
                    self._flush_part()
                try:
                    self.fileio.client.complete_multipart_upload(
                        Bucket=self.bucket, Key=self.key, UploadId=self.upload_id,
                        MultipartUpload={"Parts": self.parts})
                except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
                    raise self.fileio._fail("write", self.path, exc) from None
        finally:
            super().close()
