"""Writing manifests for a commit: counts and partition field summaries for the
manifest list (spec "Manifest Lists": contains_null, contains_nan, bounds)."""

from __future__ import annotations

import math
from typing import Any

from tablefmt.io import FileIO
from tablefmt.metadata.conversions import to_bytes
from tablefmt.metadata.data_file import Content, FieldSummary, ManifestEntry, ManifestFile, Status
from tablefmt.metadata.manifest import write_manifest
from tablefmt.partitioning import PartitionSpec
from tablefmt.schema import Schema

UNASSIGNED = -1  # sequence number of a manifest before its commit assigns one


def partition_summaries(entries: list[ManifestEntry], spec: PartitionSpec,
                        schema: Schema) -> tuple[FieldSummary, ...]:
    out = []
    for i, (_, t) in enumerate(spec.partition_type(schema)):
        values = [e.data_file.partition[i] for e in entries]
        present = [v for v in values if v is not None and not _is_nan(v)]
        lower = upper = None
        if present:
            try:
                lower, upper = to_bytes(t, min(present)), to_bytes(t, max(present))
            except TypeError:  # a type without single-value serialization
                pass
        out.append(FieldSummary(contains_null=any(v is None for v in values),
                                contains_nan=any(_is_nan(v) for v in values),
                                lower_bound=lower, upper_bound=upper))
    return tuple(out)


def _is_nan(v: Any) -> bool:
    return isinstance(v, float) and math.isnan(v)


def write_data_manifest(io: FileIO, path: str, entries: list[ManifestEntry], spec: PartitionSpec,
                        schema: Schema, snapshot_id: int) -> ManifestFile:
    data = write_manifest(entries, spec, schema)
    io.write(path, data)
    by_status = {s: [e for e in entries if e.status == s] for s in Status}
    known = [e.sequence_number for e in entries
             if e.status != Status.ADDED and e.sequence_number is not None]
    manifest = ManifestFile(
        manifest_path=path, manifest_length=len(data), partition_spec_id=spec.spec_id,
        content=Content.DATA, sequence_number=UNASSIGNED,
        min_sequence_number=min(known) if known else UNASSIGNED,
        added_snapshot_id=snapshot_id,
        added_files_count=len(by_status[Status.ADDED]),
        existing_files_count=len(by_status[Status.EXISTING]),
        deleted_files_count=len(by_status[Status.DELETED]),
        added_rows_count=sum(e.data_file.record_count for e in by_status[Status.ADDED]),
        existing_rows_count=sum(e.data_file.record_count for e in by_status[Status.EXISTING]),
        deleted_rows_count=sum(e.data_file.record_count for e in by_status[Status.DELETED]),
        partitions=partition_summaries(entries, spec, schema))
    manifest.extra["entries"] = entries
    return manifest
