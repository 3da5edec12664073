"""`tablefmt health TABLE`: layout checks of the current snapshot — small files, file
sizes, partition skew, snapshot count, metadata size, manifests per snapshot — each with
what to do about it. Read-only; text rendering in `tablefmt.cli.health_text`."""

from __future__ import annotations

import argparse
import statistics
from datetime import timedelta
from typing import Any

from tablefmt import properties as P
from tablefmt.catalog import Catalog
from tablefmt.cli.commands import Result
from tablefmt.cli.health_text import health_text
from tablefmt.cli.options import Add, human_bytes, human_duration
from tablefmt.cli.terminal import progress
from tablefmt.errors import StorageError
from tablefmt.maintenance.compact import plan_bins
from tablefmt.maintenance.expire import (
    MAX_SNAPSHOT_AGE_MS,
    MAX_SNAPSHOT_AGE_MS_DEFAULT,
    retention_now,
)
from tablefmt.scan.manifests import manifest_list
from tablefmt.scan.planner import FileTask
from tablefmt.table import Table

MIB = 1024 * 1024
SMALL_FILE_SHARE = 0.25  # a file under this share of the target size is "small"
SKEW_RATIO = 10.0  # largest partition / median partition, in records
MANY_SNAPSHOTS = 100
LARGE_METADATA_BYTES = 8 * MIB
MANY_MANIFESTS = 100
MANIFEST_SAMPLE = 20  # newest snapshots whose manifest lists are read
BUCKETS: tuple[tuple[int, int | None, str], ...] = (
    (0, MIB, "< 1 MiB"), (MIB, 16 * MIB, "1-16 MiB"), (16 * MIB, 64 * MIB, "16-64 MiB"),
    (64 * MIB, 128 * MIB, "64-128 MiB"), (128 * MIB, 256 * MIB, "128-256 MiB"),
    (256 * MIB, 512 * MIB, "256-512 MiB"), (512 * MIB, None, ">= 512 MiB"))


def register(add: Add) -> None:
    add("health", health, "check a table's layout: small files, file sizes, partition "
                          "skew, snapshots, metadata and manifests; with what to do") \
        .add_argument("table", metavar="TABLE")


def health(cat: Catalog, args: argparse.Namespace) -> Result:
    table = cat.load_table(args.table)
    with progress(f"Checking {table.name}"):
        doc = health_document(table)
    return Result(doc, health_text(doc))


def health_document(table: Table) -> dict[str, Any]:
    snap = table.current_snapshot()
    tasks = table.scan().plan_files() if snap else []
    target = table.metadata.int_property(P.WRITE_TARGET_FILE_SIZE_BYTES,
                                         P.WRITE_TARGET_FILE_SIZE_BYTES_DEFAULT)
    doc: dict[str, Any] = {
        "table": table.name,
        "snapshot_id": snap.snapshot_id if snap else None,
        "files": file_stats(tasks, target),
        "histogram": histogram(tasks),
        "partitions": partition_stats(tasks),
        "snapshots": snapshot_stats(table),
        "metadata": metadata_stats(table),
        "manifests": manifest_stats(table),
    }
    doc["findings"] = findings(table.name, doc)
    return doc


def file_stats(tasks: list[FileTask], target: int) -> dict[str, Any]:
    threshold = int(target * SMALL_FILE_SHARE)
    small = [t for t in tasks if t.file_size_in_bytes < threshold]
    rewritable = sum(len(b) for b in plan_bins(tasks, target))
    sizes = [t.file_size_in_bytes for t in tasks]
    return {"count": len(tasks), "total_bytes": sum(sizes),
            "median_bytes": int(statistics.median(sizes)) if sizes else None,
            "target_file_size_bytes": target, "small_file_threshold_bytes": threshold,
            "small_count": len(small), "small_bytes": sum(t.file_size_in_bytes for t in small),
            "small_share": round(len(small) / len(tasks), 4) if tasks else 0.0,
            "compaction_candidates": rewritable}


def histogram(tasks: list[FileTask]) -> list[dict[str, Any]]:
    out = []
    for low, high, label in BUCKETS:
        inside = [t.file_size_in_bytes for t in tasks
                  if t.file_size_in_bytes >= low and (high is None or t.file_size_in_bytes < high)]
        out.append({"label": label, "min_bytes": low, "max_bytes": high,
                    "files": len(inside), "bytes": sum(inside)})
    return out


def partition_stats(tasks: list[FileTask]) -> dict[str, Any]:
    records: dict[tuple[int, tuple[Any, ...]], int] = {}
    for t in tasks:
        key = (t.spec_id, tuple(t.partition.items()))
        records[key] = records.get(key, 0) + t.record_count
    if not records:
        return {"count": 0, "max_records": None, "median_records": None, "skew": None,
                "largest": None}
    (spec_id, items), largest = max(records.items(), key=lambda kv: kv[1])
    median = statistics.median(records.values())
    return {"count": len(records), "max_records": largest, "median_records": median,
            "skew": round(largest / median, 2) if median else None,
            "largest": {"spec_id": spec_id, "partition": dict(items)}}


def snapshot_stats(table: Table) -> dict[str, Any]:
    expirable = retention_now(table).expired_ids
    return {"count": len(table.metadata.snapshots), "expirable": len(expirable),
            "max_snapshot_age_ms": table.metadata.int_property(
                MAX_SNAPSHOT_AGE_MS, MAX_SNAPSHOT_AGE_MS_DEFAULT)}


def metadata_stats(table: Table) -> dict[str, Any]:
    try:
        size: int | None = len(table.io.read(table.metadata_location))
    except StorageError:
        size = None
    return {"location": table.metadata_location, "size_bytes": size,
            "previous_versions": len(table.metadata.metadata_log)}


def manifest_stats(table: Table) -> dict[str, Any]:
    """Manifests of the current snapshot, and max/mean over the newest snapshots."""
    snaps = table.snapshots()[-MANIFEST_SAMPLE:]
    counts = {}
    for s in snaps:
        try:
            counts[s.snapshot_id] = len(manifest_list(table.io, s.manifest_list))
        except StorageError:
            continue
    current = table.metadata.current_snapshot_id
    values = list(counts.values())
    return {"current": counts.get(current) if current is not None else 0,
            "sampled_snapshots": len(values), "max": max(values, default=None),
            "mean": round(statistics.mean(values), 2) if values else None,
            "merge_enabled": table.metadata.property(
                P.MANIFEST_MERGE_ENABLED, P.MANIFEST_MERGE_ENABLED_DEFAULT) == "true",
            "min_count_to_merge": table.metadata.int_property(
                P.MANIFEST_MIN_MERGE_COUNT, P.MANIFEST_MIN_MERGE_COUNT_DEFAULT)}


# -- findings -----------------------------------------------------------------------------

def _finding(check: str, ok: bool, message: str, suggestion: str | None) -> dict[str, Any]:
    return {"check": check, "status": "ok" if ok else "warning", "message": message,
            "suggestion": None if ok else suggestion}


def findings(name: str, doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [_small_files(name, doc["files"]), _skew(doc["partitions"]),
            _snapshots(name, doc["snapshots"]), _metadata_size(name, doc["metadata"]),
            _manifests(name, doc["manifests"])]


def _small_files(name: str, f: dict[str, Any]) -> dict[str, Any]:
    under = f"smaller than {human_bytes(f['small_file_threshold_bytes'])} (25% of the " \
            f"target file size {human_bytes(f['target_file_size_bytes'])})"
    if not f["small_count"]:
        return _finding("small_files", True, f"no data file is {under}", None)
    message = f"{f['small_count']} of {f['count']} data files ({f['small_share']:.0%}) are " \
              f"{under}"
    if not f["compaction_candidates"]:
        return _finding("small_files", True, message + "; each is alone in its partition, "
                        "so compaction has nothing to merge", None)
    return _finding("small_files", False,
                    message + f"; compaction would merge {f['compaction_candidates']} of them",
                    f"run `tablefmt compact {name}` (a dry run; add --yes to rewrite)")


def _skew(p: dict[str, Any]) -> dict[str, Any]:
    if p["count"] < 2 or p["skew"] is None:
        return _finding("partition_skew", True, f"{p['count']} partition(s); no skew to measure",
                        None)
    message = f"the largest partition holds {p['max_records']} records, {p['skew']}x the " \
              f"median of {p['count']} partitions ({p['median_records']})"
    return _finding("partition_skew", p["skew"] < SKEW_RATIO, message,
                    "partition the hot values more finely, e.g. add `bucket(16, <column>)` "
                    "with Table.update_partitioning(); new writes spread out")


def _snapshots(name: str, s: dict[str, Any]) -> dict[str, Any]:
    age = human_duration(timedelta(milliseconds=s["max_snapshot_age_ms"]))
    message = f"{s['count']} snapshots; {s['expirable']} older than the max snapshot age " \
              f"({age}) would be expired"
    if s["expirable"]:
        return _finding("snapshots", False, message,
                        f"run `tablefmt expire {name} --retain-last 10` (a dry run; add "
                        "--yes to expire)")
    return _finding("snapshots", s["count"] <= MANY_SNAPSHOTS, message,
                    f"run `tablefmt expire {name} --older-than 1d --retain-last 10` (a dry "
                    "run; add --yes to expire)")


def _metadata_size(name: str, m: dict[str, Any]) -> dict[str, Any]:
    if m["size_bytes"] is None:
        return _finding("metadata_size", False, "the metadata file could not be read",
                        f"check the storage location {m['location']}")
    message = f"metadata file is {human_bytes(m['size_bytes'])}; " \
              f"{m['previous_versions']} previous versions logged"
    return _finding("metadata_size", m["size_bytes"] <= LARGE_METADATA_BYTES, message,
                    f"expire old snapshots to shrink it: run `tablefmt expire {name} "
                    "--retain-last 10`")


def _manifests(name: str, m: dict[str, Any]) -> dict[str, Any]:
    message = f"{m['current'] or 0} manifests in the current snapshot (max {m['max'] or 0} " \
              f"over the newest {m['sampled_snapshots']} snapshots)"
    if not m["merge_enabled"]:
        fix = "set commit.manifest-merge.enabled=true; the next commit merges small manifests"
    else:
        fix = f"the next commit merges small manifests (more than {m['min_count_to_merge']}); " \
              f"run `tablefmt compact {name} --yes` to commit one now"
    return _finding("manifests", (m["current"] or 0) <= MANY_MANIFESTS, message, fix)
