"""One manifest's entries as arrays (spec "Manifests"): status, content, record counts,
partition tuples as an Arrow table, and the metric maps flattened, so planning filters
every entry in a few vectorized steps. Built once per manifest and cached with it
(manifests are immutable)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from tablefmt.expressions.bounds import decode_bounds
from tablefmt.expressions.fact_columns import FactColumns
from tablefmt.expressions.metrics import file_fact_columns
from tablefmt.expressions.partition_tuples import tuple_table
from tablefmt.metadata.data_file import ManifestEntry
from tablefmt.schema import Schema
from tablefmt.types import IcebergType

COUNT_MAPS = ("value_counts", "null_value_counts", "nan_value_counts")
BOUND_MAPS = ("lower_bounds", "upper_bounds")


@dataclass(frozen=True)
class MapColumn:
    """A metric map of every entry, flattened: item i belongs to entry `rows[i]`."""

    rows: np.ndarray
    keys: np.ndarray
    values: Any  # int64 numpy array (counts) or Arrow binary array (bounds)

    @classmethod
    def of(cls, maps: Sequence[dict[int, Any] | None], binary: bool) -> MapColumn:
        sizes = np.fromiter((len(m) if m else 0 for m in maps), np.int64, len(maps))
        keys = [k for m in maps if m for k in m]
        values = [v for m in maps if m for v in m.values()]
        return cls(np.repeat(np.arange(len(maps)), sizes), np.array(keys, np.int64),
                   pa.array(values, pa.binary()) if binary else np.array(values, np.int64))


@dataclass
class ManifestColumns:
    """The entries of one manifest as arrays; `partitions` has one column per field of
    the manifest's spec (`partition_tuples.tuple_table`)."""

    status: np.ndarray
    content: np.ndarray
    record_count: np.ndarray
    partitions: pa.Table
    maps: dict[str, MapColumn]
    _cache: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def of(cls, entries: Sequence[ManifestEntry], partition_schema: Schema) -> ManifestColumns:
        files = [e.data_file for e in entries]
        return cls(
            status=np.array([int(e.status) for e in entries], np.int8),
            content=np.array([int(f.content) for f in files], np.int8),
            record_count=np.array([f.record_count for f in files], np.int64),
            partitions=tuple_table(partition_schema, [f.partition for f in files]),
            maps={name: MapColumn.of([getattr(f, name) for f in files], name in BOUND_MAPS)
                  for name in (*COUNT_MAPS, *BOUND_MAPS)},
        )

    def __len__(self) -> int:
        return len(self.status)

    def counts(self, name: str, field_id: int) -> tuple[np.ndarray, np.ndarray]:
        """Map `name`'s count for `field_id` in every entry, and which entries have one."""
        def gather() -> tuple[np.ndarray, np.ndarray]:
            column = self.maps[name]
            hit = column.keys == field_id
            values, present = np.zeros(len(self), np.int64), np.zeros(len(self), bool)
            values[column.rows[hit]] = column.values[hit]
            present[column.rows[hit]] = True
            return values, present

        found: tuple[np.ndarray, np.ndarray] = self._cached((name, field_id), gather)
        return found

    def bounds(self, name: str, field_id: int, t: IcebergType) -> pa.Array:
        """Map `name`'s bound for `field_id` in every entry, decoded as order keys of `t`
        (null where absent or unreadable)."""
        def gather() -> pa.Array:
            column = self.maps[name]
            hit = np.flatnonzero(column.keys == field_id)
            index = np.full(len(self), -1, np.int64)
            index[column.rows[hit]] = hit
            return decode_bounds(t, column.values.take(pa.array(index, mask=index < 0)))

        return self._cached((name, field_id, t), gather)

    def facts(self, field_id: int, t: IcebergType) -> FactColumns:
        """What the metrics prove about field `field_id` in every entry."""
        found: FactColumns = self._cached(("facts", field_id, t),
                                          lambda: file_fact_columns(field_id, t, self))
        return found

    def _cached(self, key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
        """Per-column arrays are made once per manifest (it never changes)."""
        with self._lock:
            found = self._cache.get(key)
        if found is None:
            found = make()
            with self._lock:
                self._cache[key] = found
        return found
