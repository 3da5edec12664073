"""Table property keys (Iceberg's names) and their defaults."""

from __future__ import annotations

from collections.abc import Mapping

from tablefmt.errors import ValidationError

WRITE_TARGET_FILE_SIZE_BYTES = "write.target-file-size-bytes"
WRITE_TARGET_FILE_SIZE_BYTES_DEFAULT = 512 * 1024 * 1024
PARQUET_ROW_GROUP_LIMIT = "write.parquet.row-group-limit"
PARQUET_ROW_GROUP_LIMIT_DEFAULT = 1_048_576
PARQUET_COMPRESSION = "write.parquet.compression-codec"
PARQUET_COMPRESSION_DEFAULT = "zstd"
# Iceberg's codec names (Java's TableProperties) -> pyarrow's.
PARQUET_CODECS = {"zstd": "zstd", "snappy": "snappy", "gzip": "gzip", "lz4": "lz4",
                  "lz4_raw": "lz4_raw", "brotli": "brotli", "uncompressed": "none",
                  "none": "none"}

COMMIT_NUM_RETRIES = "commit.retry.num-retries"
COMMIT_NUM_RETRIES_DEFAULT = 4
COMMIT_MIN_WAIT_MS = "commit.retry.min-wait-ms"
COMMIT_MIN_WAIT_MS_DEFAULT = 100
COMMIT_MAX_WAIT_MS = "commit.retry.max-wait-ms"
COMMIT_MAX_WAIT_MS_DEFAULT = 60_000
COMMIT_TOTAL_TIMEOUT_MS = "commit.retry.total-timeout-ms"
COMMIT_TOTAL_TIMEOUT_MS_DEFAULT = 1_800_000

MANIFEST_MERGE_ENABLED = "commit.manifest-merge.enabled"
MANIFEST_MERGE_ENABLED_DEFAULT = "true"
MANIFEST_MIN_MERGE_COUNT = "commit.manifest.min-count-to-merge"
MANIFEST_MIN_MERGE_COUNT_DEFAULT = 100
MANIFEST_TARGET_SIZE_BYTES = "commit.manifest.target-size-bytes"
MANIFEST_TARGET_SIZE_BYTES_DEFAULT = 8 * 1024 * 1024

METADATA_PREVIOUS_VERSIONS_MAX = "write.metadata.previous-versions-max"
METADATA_PREVIOUS_VERSIONS_MAX_DEFAULT = 100

DELETE_ISOLATION_LEVEL = "write.delete.isolation-level"
UPDATE_ISOLATION_LEVEL = "write.update.isolation-level"
MERGE_ISOLATION_LEVEL = "write.merge.isolation-level"
ISOLATION_LEVEL_DEFAULT = "serializable"

DEFAULT_NAME_MAPPING = "schema.name-mapping.default"


def parquet_compression(properties: Mapping[str, str]) -> str:
    """pyarrow's name of the table's Parquet codec.

    Example:
        >>> parquet_compression({PARQUET_COMPRESSION: "UNCOMPRESSED"})
        'none'
    """
    name = properties.get(PARQUET_COMPRESSION, PARQUET_COMPRESSION_DEFAULT)
    codec = PARQUET_CODECS.get(name.lower())
    if codec is None:
        raise ValidationError(f"Unknown {PARQUET_COMPRESSION} {name!r}; expected one of "
                              f"{', '.join(sorted(PARQUET_CODECS))}")
    return codec
