"""Manifest contents as Python objects (spec "Manifests", "Manifest Lists"): DataFile,
ManifestEntry, ManifestFile and partition field summaries. Wire names live in the
Avro codecs (`manifest.py`, `manifest_list.py`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any


class Status(IntEnum):
    EXISTING = 0
    ADDED = 1
    DELETED = 2


class Content(IntEnum):
    DATA = 0
    POSITION_DELETES = 1
    EQUALITY_DELETES = 2


@dataclass(frozen=True)
class DataFile:
    """One data (or delete) file with its partition tuple and column metrics.

    `partition` holds values in tablefmt's internal representation, in the order of the
    fields of spec `spec_id`. Metrics maps are keyed by field id; bounds are the spec's
    single-value binary serialization.
    """

    file_path: str
    file_format: str
    partition: tuple[Any, ...]
    record_count: int
    file_size_in_bytes: int
    spec_id: int = 0
    content: Content = Content.DATA
    column_sizes: dict[int, int] | None = None
    value_counts: dict[int, int] | None = None
    null_value_counts: dict[int, int] | None = None
    nan_value_counts: dict[int, int] | None = None
    lower_bounds: dict[int, bytes] | None = None
    upper_bounds: dict[int, bytes] | None = None
    key_metadata: bytes | None = None
    split_offsets: tuple[int, ...] | None = None
    equality_ids: tuple[int, ...] | None = None
    sort_order_id: int | None = None
    referenced_data_file: str | None = None


@dataclass(frozen=True)
class ManifestEntry:
    status: Status
    snapshot_id: int | None
    sequence_number: int | None  # the data sequence number
    file_sequence_number: int | None
    data_file: DataFile

    def as_existing(self) -> ManifestEntry:
        return ManifestEntry(Status.EXISTING, self.snapshot_id, self.sequence_number,
                             self.file_sequence_number, self.data_file)

    def as_deleted(self, snapshot_id: int) -> ManifestEntry:
        return ManifestEntry(Status.DELETED, snapshot_id, self.sequence_number,
                             self.file_sequence_number, self.data_file)


@dataclass(frozen=True, slots=True)
class FieldSummary:
    """Partition field summary in a manifest list (record r508)."""

    contains_null: bool
    contains_nan: bool | None = None
    lower_bound: bytes | None = None
    upper_bound: bytes | None = None


@dataclass(frozen=True)
class ManifestFile:
    manifest_path: str
    manifest_length: int
    partition_spec_id: int
    content: Content
    sequence_number: int
    min_sequence_number: int
    added_snapshot_id: int
    added_files_count: int
    existing_files_count: int
    deleted_files_count: int
    added_rows_count: int
    existing_rows_count: int
    deleted_rows_count: int
    partitions: tuple[FieldSummary, ...] | None = None
    key_metadata: bytes | None = None
    # Bookkeeping, not on the wire: a manifest written by the commit in progress has
    # sequence number -1 until the commit assigns one (spec "Sequence Number Inheritance").
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def has_live_files(self) -> bool:
        return self.added_files_count > 0 or self.existing_files_count > 0

    @property
    def live_rows(self) -> int:
        return self.added_rows_count + self.existing_rows_count
