"""Scan planning (spec "Scan Planning"): prune manifests by partition summaries, then
entries by partition tuple and column metrics, and attach each file's residual filter.
The steps live in `pruning.py` (vectorized, one partition spec at a time); `plan` wires
them together and counts what each pruned."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tablefmt.expressions.bound import BoundExpression
from tablefmt.io import FileIO
from tablefmt.metadata.data_file import DataFile, ManifestEntry, ManifestFile
from tablefmt.metadata.table_metadata import TableMetadata
from tablefmt.scan.manifests import ManifestData, load_all, manifest_list_data
from tablefmt.scan.pruning import SpecFilter, spec_filter
from tablefmt.schema import Schema


@dataclass(frozen=True)
class FileTask:
    """A data file a read opens, with the filter left to apply to its rows."""

    file_path: str
    file_format: str
    record_count: int
    file_size_in_bytes: int
    partition: dict[str, Any]
    spec_id: int
    residual: Any
    data_file: DataFile = field(repr=False, compare=False)
    # The data sequence number of the commit that added the file (orders rows by commit).
    sequence_number: int | None = field(default=None, repr=False, compare=False)


@dataclass
class PlanStats:
    manifests_total: int = 0
    manifests_pruned: int = 0
    files_total: int = 0
    files_pruned_by_partition: int = 0
    files_pruned_by_metrics: int = 0

    @property
    def files_kept(self) -> int:
        return self.files_total - self.files_pruned_by_partition - self.files_pruned_by_metrics


def plan(io: FileIO, meta: TableMetadata, manifest_list_path: str, bound: BoundExpression,
         schema: Schema, stats: PlanStats) -> list[FileTask]:
    filters: dict[int, SpecFilter] = {}

    def filter_of(spec_id: int) -> SpecFilter:
        if spec_id not in filters:
            filters[spec_id] = spec_filter(bound, meta.spec_by_id(spec_id), schema)
        return filters[spec_id]

    kept = _prune_manifests(io, manifest_list_path, filter_of, stats)
    tasks: list[FileTask] = []
    for manifest, data in zip(kept, load_all(io, kept, meta)):
        tasks.extend(_plan_manifest(data, filter_of(manifest.partition_spec_id), stats))
    return tasks


def _prune_manifests(io: FileIO, manifest_list_path: str,
                     filter_of: Callable[[int], SpecFilter],
                     stats: PlanStats) -> list[ManifestFile]:
    listing = manifest_list_data(io, manifest_list_path)
    keep = np.zeros(len(listing.manifests), bool)
    for spec_id, (positions, summaries) in listing.data_manifests_by_spec().items():
        mask = filter_of(spec_id).manifests(summaries)
        keep[positions] = mask
        stats.manifests_total += len(positions)
        stats.manifests_pruned += int(np.count_nonzero(~mask))
    return [listing.manifests[i] for i in np.flatnonzero(keep).tolist()]


def _plan_manifest(data: ManifestData, f: SpecFilter, stats: PlanStats) -> list[FileTask]:
    columns = data.columns(f.partition_schema)
    live, by_tuple, kept = f.entries(columns)
    stats.files_total += int(np.count_nonzero(live))
    stats.files_pruned_by_partition += int(np.count_nonzero(live & ~by_tuple))
    stats.files_pruned_by_metrics += int(np.count_nonzero(by_tuple & ~kept))
    rows = np.flatnonzero(kept)
    partitions = data.readable_partitions(f.partition_schema)
    return [_task(data.entries[i], partitions[i], residual)
            for i, residual in zip(rows.tolist(), f.residuals_of(columns, rows))]


def _task(e: ManifestEntry, partition: dict[str, Any], residual: BoundExpression) -> FileTask:
    d = e.data_file
    return FileTask(d.file_path, d.file_format, d.record_count, d.file_size_in_bytes,
                    dict(partition), d.spec_id, residual, d, e.sequence_number)
