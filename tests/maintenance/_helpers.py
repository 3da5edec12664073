"""Helpers for the maintenance tests: what is stored under a table, what snapshots reach,
and rows in a comparable order."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable

import pyarrow as pa

import tablefmt as tf
from tablefmt.maintenance.files import normalize
from tablefmt.scan.manifests import manifest_list


def stored(t: tf.Table) -> set[str]:
    """Every object under the table location, as the store lists it (normalized)."""
    return {normalize(f.path) for f in t.io.list(t.location)}


def rows(data: pa.Table) -> list[tuple]:
    return sorted(tuple(r.values()) for r in data.to_pylist())


def reach(t: tf.Table, snapshots: Iterable[tf.Snapshot]) -> set[str]:
    """Manifest lists, manifests and live data files the snapshots read (normalized)."""
    out: set[str] = set()
    for snap in snapshots:
        out.add(snap.manifest_list)
        out.update(m.manifest_path for m in manifest_list(t.io, snap.manifest_list))
        out.update(task.file_path for task in t.scan(snapshot_id=snap.snapshot_id).plan_files())
    return {normalize(p) for p in out}


def make_old(path: str, days: float = 10) -> None:
    """Backdate a local file's mtime (the orphan age guard reads it)."""
    then = time.time() - days * 86400
    local = path[len("file://"):] if path.startswith("file://") else path
    os.utime(local, (then, then))


def is_local(t: tf.Table) -> bool:
    return not t.location.startswith("s3://")
