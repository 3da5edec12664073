"""Text renderings of `expire`, `compact` and `orphans` (the JSON documents of
`tablefmt.cli.maintain`): what would change, or what changed, and how to act."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tablefmt.cli.options import human_bytes, human_duration
from tablefmt.cli.output import Column, cell, format_table, indent_block
from tablefmt.cli.terminal import Painter

_ACT = "Nothing was changed; run again with --yes to {verb}."


def _n(count: int, noun: str) -> str:
    """`1 snapshot`, `2 snapshots`."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _dry_run_banner(painter: Painter) -> str:
    return painter.paint("Dry run:", "yellow")


def expire_text(doc: dict[str, Any], painter: Painter | None = None) -> str:
    painter = painter or Painter.for_stdout()
    ids, refs = doc["expired_snapshot_ids"], doc["dropped_refs"]
    scope = (f"snapshots of {doc['table']} older than {cell(doc['older_than'])}, keeping the "
             f"newest {doc['retain_last']} of each branch")
    files = (f"{_n(doc['data_files'], 'data file')}, {_n(doc['manifests'], 'manifest')}, "
             f"{_n(doc['manifest_lists'], 'manifest list')}, "
             f"{_n(doc['statistics_files'], 'statistics file')}")
    if not ids and not refs:
        return f"Nothing to expire: no {scope}."
    if not doc["dry_run"]:
        return (f"Expired {len(ids)} {scope}; dropped {_n(len(refs), 'ref')}; deleted {files}, "
                f"{_n(doc['metadata_files'], 'old metadata file')}.")
    lines = [f"{_dry_run_banner(painter)} expiring {scope} would remove "
             f"{_n(len(ids), 'snapshot')} and {_n(len(refs), 'ref')}, and delete {files}:",
             indent_block("\n".join([f"snapshot {i}" for i in ids] + [f"ref {r}" for r in refs]
                                    + list(doc["paths"]))),
             _ACT.format(verb="expire them")]
    return "\n".join(lines)


COMPACT_COLUMNS = [Column("partition"), Column("file_count", "files"),
                   Column("record_count", "records"), Column("bytes")]


def compact_text(doc: dict[str, Any], painter: Painter | None = None) -> str:
    painter = painter or Painter.for_stdout()
    target = human_bytes(doc["target_file_size_bytes"])
    where = f" matching {doc['where']}" if doc["where"] else ""
    if not doc["groups"]:
        return (f"Nothing to compact in {doc['table']}{where}: no partition has two or more "
                f"files small enough to merge (target {target}).")
    table = format_table(doc["groups"], COMPACT_COLUMNS)
    paths = [p for g in doc["groups"] for p in g["files"]]
    what = (f"{_n(doc['files_to_rewrite'], 'file')} ({_n(doc['records_to_rewrite'], 'record')}, "
            f"{human_bytes(doc['bytes_to_rewrite'])}) of {doc['table']}{where} into files of "
            f"about {target}")
    if doc["dry_run"]:
        return "\n".join([f"{_dry_run_banner(painter)} compaction would rewrite {what}:",
                          indent_block(table), "Files:", indent_block("\n".join(paths)),
                          _ACT.format(verb="rewrite them")])
    return "\n".join([f"Compacted {what}:", indent_block(table),
                      f"New snapshot {doc['snapshot_id']}; data files {doc['files_before']} -> "
                      f"{doc['files_after']}."])


def orphans_text(doc: dict[str, Any], painter: Painter | None = None) -> str:
    painter = painter or Painter.for_stdout()
    age = human_duration(timedelta(seconds=doc["older_than_seconds"]))
    scope = f"under {doc['table']}'s location that no metadata references, older than {age}"
    if not doc["files"]:
        return f"No orphan files: no files {scope}."
    listing = indent_block("\n".join(doc["files"]))
    if doc["dry_run"]:
        return "\n".join([f"{_dry_run_banner(painter)} {_n(doc['count'], 'file')} {scope} would "
                          "be deleted:",
                          listing, _ACT.format(verb="delete them")])
    return "\n".join([f"Deleted {_n(doc['count'], 'file')} {scope}:", listing])
