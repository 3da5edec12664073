"""Maintenance commands, dry runs unless `--yes`: `expire` (spec "Snapshot Retention
Policy"), `compact` (bin-packing small files into a `replace` snapshot) and `orphans`
(files under the table location no metadata references). A dry run lists what would be
removed or rewritten and changes nothing; with `--yes` the library operation runs."""

from __future__ import annotations

import argparse
from datetime import timedelta
from typing import Any

from tablefmt import properties as P
from tablefmt.catalog import Catalog
from tablefmt.cli.commands import Result
from tablefmt.cli.maintain_text import compact_text, expire_text, orphans_text
from tablefmt.cli.options import Add, add_yes, byte_size, duration, point_in_time, positive_int
from tablefmt.cli.terminal import progress
from tablefmt.errors import ValidationError
from tablefmt.maintenance.compact import plan_bins
from tablefmt.maintenance.expire import default_cutoff
from tablefmt.metadata.snapshot import TOTAL_DELETE_FILES
from tablefmt.table import Table

ORPHAN_AGE_DEFAULT = timedelta(days=3)


def register(add: Add) -> None:
    p = add("expire", expire, "expire old snapshots and delete the files only they reach "
                              "(a dry run unless --yes)")
    p.add_argument("table", metavar="TABLE")
    p.add_argument("--older-than", metavar="DURATION|ISO", type=point_in_time,
                   help="expire snapshots older than this: 3d, 12h, 30m, or an ISO time "
                        "(default: the table's history.expire.max-snapshot-age-ms, 5 days)")
    p.add_argument("--retain-last", metavar="N", type=positive_int, default=1,
                   help="keep at least the newest N snapshots of each branch (default 1)")
    add_yes(p, "expire them")
    p = add("compact", compact, "rewrite small data files into files of the target size, "
                                "same rows (a dry run unless --yes)")
    p.add_argument("table", metavar="TABLE")
    p.add_argument("--target-file-size", metavar="BYTES", type=byte_size,
                   help="e.g. 134217728 or 128MiB (default: the table's "
                        "write.target-file-size-bytes, 512 MiB)")
    p.add_argument("--where", metavar="FILTER",
                   help="only files that may hold rows matching this filter, e.g. "
                        "\"region = 'eu'\"")
    add_yes(p, "rewrite them")
    p = add("orphans", orphans, "find files under the table location that no metadata "
                                "references (a dry run unless --yes)")
    p.add_argument("table", metavar="TABLE")
    p.add_argument("--older-than", metavar="DURATION", type=duration, default=ORPHAN_AGE_DEFAULT,
                   help="only files last modified longer ago than this (default 3d; protects "
                        "writes in flight)")
    add_yes(p, "delete them")


# -- expire -------------------------------------------------------------------------------

def expire(cat: Catalog, args: argparse.Namespace) -> Result:
    table = cat.load_table(args.table)
    # One cutoff for the report and the expiry.
    cutoff = args.older_than or default_cutoff(table.metadata)
    verb = "Expiring snapshots of" if args.yes else "Planning expiry of"
    with progress(f"{verb} {table.name}"):
        result = table.expire_snapshots(older_than=cutoff, retain_last=args.retain_last,
                                        dry_run=not args.yes)
    doc = {"table": table.name, "dry_run": result.dry_run, "older_than": cutoff,
           "retain_last": args.retain_last,
           "expired_snapshot_ids": list(result.expired_snapshot_ids),
           "dropped_refs": list(result.dropped_refs),
           "data_files": result.deleted_data_files, "manifests": result.deleted_manifests,
           "manifest_lists": result.deleted_manifest_lists,
           "statistics_files": result.deleted_statistics_files,
           # a dry run does not look for metadata files past previous-versions-max
           "metadata_files": None if result.dry_run else result.deleted_metadata_files,
           "paths": list(result.paths) if result.dry_run else None}
    return Result(doc, expire_text(doc))


# -- compact ------------------------------------------------------------------------------

def compact(cat: Catalog, args: argparse.Namespace) -> Result:
    table = cat.load_table(args.table)
    target = args.target_file_size or table.metadata.int_property(
        P.WRITE_TARGET_FILE_SIZE_BYTES, P.WRITE_TARGET_FILE_SIZE_BYTES_DEFAULT)
    with progress(f"Planning compaction of {table.name}") as bar:
        before = table.scan().plan_files() if table.current_snapshot() else []
        groups = compaction_groups(table, target, args.where)
        doc: dict[str, Any] = {
            "table": table.name, "dry_run": not args.yes, "target_file_size_bytes": target,
            "where": args.where, "groups": groups,
            "files_to_rewrite": sum(g["file_count"] for g in groups),
            "records_to_rewrite": sum(g["record_count"] for g in groups),
            "bytes_to_rewrite": sum(g["bytes"] for g in groups),
            "snapshot_id": None, "files_before": len(before), "files_after": None}
        if args.yes and groups:
            bar.step(f"Rewriting {doc['files_to_rewrite']} files of {table.name}")
            snap = table.compact(target_file_size_bytes=target, where=args.where)
            doc["snapshot_id"] = snap.snapshot_id if snap else None
        if args.yes:
            doc["files_after"] = len(table.refresh().scan().plan_files()) \
                if table.current_snapshot() else 0
    return Result(doc, compact_text(doc))


def compaction_groups(table: Table, target: int, where: str | None) -> list[dict[str, Any]]:
    """The bins `Table.compact` would rewrite now (`plan_bins` on the same scan), each
    with its partition, files, records and bytes."""
    snap = table.current_snapshot()
    if snap is None:
        return []
    if snap.metric(TOTAL_DELETE_FILES):
        raise ValidationError(
            f"Cannot compact {table.name}: snapshot {snap.snapshot_id} has delete files, "
            "which tablefmt does not apply; rewrite the table with overwrite() instead")
    bins = plan_bins(table.scan(where=where).plan_files(), target)
    return [{"spec_id": b[0].spec_id, "partition": dict(b[0].partition),
             "files": sorted(t.file_path for t in b), "file_count": len(b),
             "record_count": sum(t.record_count for t in b),
             "bytes": sum(t.file_size_in_bytes for t in b)} for b in bins]


# -- orphans ------------------------------------------------------------------------------

def orphans(cat: Catalog, args: argparse.Namespace) -> Result:
    table = cat.load_table(args.table)
    verb = "Deleting" if args.yes else "Finding"
    with progress(f"{verb} orphan files of {table.name}"):
        paths = table.remove_orphan_files(older_than=args.older_than, dry_run=not args.yes)
    doc = {"table": table.name, "dry_run": not args.yes,
           "older_than_seconds": int(args.older_than.total_seconds()),
           "count": len(paths), "files": paths}
    return Result(doc, orphans_text(doc))
