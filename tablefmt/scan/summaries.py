"""The partition field summaries (spec "Manifest Lists": `field_summary`) of many
manifests of one partition spec as arrays, so a scan prunes all of them at once."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np
import pyarrow as pa

from tablefmt.expressions.fact_columns import UNKNOWN, FactColumns
from tablefmt.expressions.partition import FieldSummaryColumns, summary_fact_columns
from tablefmt.metadata.data_file import FieldSummary, ManifestFile
from tablefmt.types import IcebergType


class ManifestSummaries:
    """`SummaryColumns` of a list of manifests; a manifest without summaries (or without
    one at some position) proves nothing there."""

    def __init__(self, manifests: Sequence[ManifestFile]) -> None:
        self.n = len(manifests)
        width = max((len(m.partitions or ()) for m in manifests), default=0)
        self.fields = [_field(manifests, i) for i in range(width)]
        self._facts: dict[tuple[int, IcebergType], FactColumns] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return self.n

    def field_facts(self, position: int, t: IcebergType) -> FactColumns:
        key = (position, t)
        with self._lock:
            found = self._facts.get(key)
        if found is None:
            found = summary_fact_columns(t, self.field_summaries(position))
            with self._lock:
                self._facts[key] = found
        return found

    def field_summaries(self, position: int) -> FieldSummaryColumns:
        if position < len(self.fields):
            return self.fields[position]
        absent = np.zeros(self.n, bool)
        nulls = pa.nulls(self.n, pa.binary())
        return FieldSummaryColumns(absent, absent, np.full(self.n, UNKNOWN, np.int8),
                                   nulls, nulls)


def _field(manifests: Sequence[ManifestFile], i: int) -> FieldSummaryColumns:
    found: list[FieldSummary | None] = [
        m.partitions[i] if m.partitions is not None and i < len(m.partitions) else None
        for m in manifests]
    return FieldSummaryColumns(
        present=np.array([s is not None for s in found], bool),
        contains_null=np.array([s is not None and bool(s.contains_null) for s in found], bool),
        contains_nan=np.array([UNKNOWN if s is None or s.contains_nan is None
                               else int(bool(s.contains_nan)) for s in found], np.int8),
        lower_bound=pa.array([None if s is None else s.lower_bound for s in found],
                             pa.binary()),
        upper_bound=pa.array([None if s is None else s.upper_bound for s in found],
                             pa.binary()),
    )
