"""Scan planning (spec "Scan Planning"): prune manifests by partition summaries, then
entries by partition tuple and column metrics, and attach each file's residual filter.
Each step is a small function; `plan` wires them together and counts what each pruned."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tablefmt.expressions import (
    InclusiveMetricsEvaluator,
    ManifestEvaluator,
    PartitionEvaluator,
    project_inclusive,
    residual_for,
)
from tablefmt.io import FileIO
from tablefmt.metadata.data_file import Content, DataFile, ManifestFile
from tablefmt.metadata.table_metadata import TableMetadata
from tablefmt.scan.manifests import live_entries, manifest_list
from tablefmt.schema import Schema
from tablefmt.values import internal_to_python


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


def plan(io: FileIO, meta: TableMetadata, manifest_list_path: str, bound: Any,
         schema: Schema, stats: PlanStats) -> list[FileTask]:
    manifests = manifest_list(io, manifest_list_path)
    kept = _prune_manifests(manifests, meta, bound, schema, stats)
    tasks: list[FileTask] = []
    metrics = InclusiveMetricsEvaluator(bound)
    for manifest, entries in zip(kept, live_entries(io, kept, meta)):
        spec = meta.spec_by_id(manifest.partition_spec_id)
        ptypes = spec.partition_type(schema)
        part_eval = PartitionEvaluator(project_inclusive(bound, spec.fields),
                                       {f.field_id: t for f, t in ptypes})
        for e in entries:
            f = e.data_file
            if f.content != Content.DATA:
                continue
            stats.files_total += 1
            values = {pf.field_id: v for (pf, _), v in zip(ptypes, f.partition)}
            if not part_eval.matches(values):
                stats.files_pruned_by_partition += 1
                continue
            if not metrics.can_match(f):
                stats.files_pruned_by_metrics += 1
                continue
            tasks.append(FileTask(
                file_path=f.file_path, file_format=f.file_format, record_count=f.record_count,
                file_size_in_bytes=f.file_size_in_bytes,
                partition={pf.name: internal_to_python(v, t)
                           for (pf, t), v in zip(ptypes, f.partition)},
                spec_id=f.spec_id, residual=residual_for(bound, spec.fields, values),
                data_file=f, sequence_number=e.sequence_number))
    return tasks


def _prune_manifests(manifests: list[ManifestFile], meta: TableMetadata, bound: Any,
                     schema: Schema, stats: PlanStats) -> list[ManifestFile]:
    evaluators: dict[int, ManifestEvaluator] = {}
    kept = []
    for m in manifests:
        if m.content != Content.DATA or not m.has_live_files:
            continue
        stats.manifests_total += 1
        ev = evaluators.get(m.partition_spec_id)
        if ev is None:
            spec = meta.spec_by_id(m.partition_spec_id)
            ev = evaluators[m.partition_spec_id] = ManifestEvaluator(
                project_inclusive(bound, spec.fields),
                [(f.field_id, t) for f, t in spec.partition_type(schema)])
        if m.partitions is None or ev.can_match(m.partitions):
            kept.append(m)
        else:
            stats.manifests_pruned += 1
    return kept
