"""A scan's filter projected onto one partition spec, ready to prune (spec "Scan
Planning"): manifests by their partition summaries, a manifest's entries by partition
tuple and column metrics, and the residual filter of each kept entry. Every step runs
on all manifests or all entries of a manifest at once."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from tablefmt.expressions import InclusiveMetricsEvaluator, ManifestEvaluator, project_inclusive
from tablefmt.expressions.bound import BoundExpression
from tablefmt.expressions.partition_tuples import Residuals, TupleFilter, partition_schema
from tablefmt.metadata.data_file import Content, Status
from tablefmt.partitioning import PartitionSpec
from tablefmt.scan.manifest_columns import ManifestColumns
from tablefmt.scan.summaries import ManifestSummaries
from tablefmt.schema import Schema
from tablefmt.types import IcebergType

_DELETED, _DATA = int(Status.DELETED), int(Content.DATA)


def spec_filter(bound: BoundExpression, spec: PartitionSpec, schema: Schema) -> SpecFilter:
    """The `SpecFilter` of `bound` on `spec`, shared by scans with equal filters."""
    return _spec_filter(bound, spec, tuple(t for _, t in spec.partition_type(schema)))


@lru_cache(maxsize=256)
def _spec_filter(bound: BoundExpression, spec: PartitionSpec,
                 types: tuple[IcebergType, ...]) -> SpecFilter:
    return SpecFilter(bound, spec, types)


class SpecFilter:
    """The filter `bound` on the files of partition spec `spec`, whose fields have result
    types `types` (under the scan's schema). Immutable once built."""

    def __init__(self, bound: BoundExpression, spec: PartitionSpec,
                 types: tuple[IcebergType, ...]) -> None:
        self.partition_types = list(zip(spec.fields, types))
        self.partition_schema = partition_schema(
            [(f.field_id, f.name, t) for f, t in self.partition_types])
        projected = project_inclusive(bound, spec.fields)
        self.summaries = ManifestEvaluator(
            projected, [(f.field_id, t) for f, t in self.partition_types])
        self.tuples = TupleFilter(projected, self.partition_schema)
        self.metrics = InclusiveMetricsEvaluator(bound)
        self.residuals = Residuals(bound, spec.fields, self.partition_schema)

    def manifests(self, summaries: ManifestSummaries) -> np.ndarray:
        """Which manifests might hold a matching file."""
        return self.summaries.can_match_many(summaries)

    def entries(self, columns: ManifestColumns) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The live data entries, those of them kept by their partition tuple, and those
        kept by tuple and metrics (boolean arrays over the manifest's entries)."""
        live = (columns.status != _DELETED) & (columns.content == _DATA)
        by_tuple = live & self.tuples.matches(columns.partitions)
        return live, by_tuple, by_tuple & self.metrics.can_match_many(columns)

    def residuals_of(self, columns: ManifestColumns, rows: np.ndarray) -> list[BoundExpression]:
        """The residual filter of each of `rows`."""
        return self.residuals.of(columns.partitions, rows)
