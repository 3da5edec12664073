"""The text rendering of `tablefmt health` (the JSON document of `tablefmt.cli.health`):
a summary, the file-size histogram as bars, and the findings with their suggestions
(warnings in yellow on a terminal)."""

from __future__ import annotations

from typing import Any

from tablefmt.cli.options import human_bytes
from tablefmt.cli.output import cell, format_fields, indent_block
from tablefmt.cli.terminal import Painter

BAR_WIDTH = 40


def health_text(doc: dict[str, Any], painter: Painter | None = None) -> str:
    painter = painter or Painter.for_stdout()
    snap = doc["snapshot_id"]
    head = f"Health of {doc['table']}" + (f" at snapshot {snap}" if snap else " (no snapshot)")
    return "\n\n".join([head + "\n" + format_fields(_summary(doc), indent=2),
                        "File sizes:\n" + indent_block(_histogram(doc["histogram"])),
                        "Findings:\n" + indent_block(_findings(doc["findings"], painter))])


def _summary(doc: dict[str, Any]) -> dict[str, str]:
    f, p, s = doc["files"], doc["partitions"], doc["snapshots"]
    m, man = doc["metadata"], doc["manifests"]
    largest = cell(p["largest"]["partition"]) if p["largest"] else "-"
    return {
        "Data files": f"{f['count']} ({human_bytes(f['total_bytes'])}); target file size "
                      f"{human_bytes(f['target_file_size_bytes'])}",
        "Small files": f"{f['small_count']} ({f['small_share']:.0%}) under "
                       f"{human_bytes(f['small_file_threshold_bytes'])}; compaction would "
                       f"merge {f['compaction_candidates']}",
        "Partitions": f"{p['count']}" + (
            f"; records max {p['max_records']} ({largest}), median {p['median_records']}, "
            f"skew {p['skew']}x" if p["count"] else ""),
        "Snapshots": f"{s['count']}; {s['expirable']} past the max snapshot age",
        "Metadata file": (human_bytes(m["size_bytes"]) if m["size_bytes"] is not None
                          else "unreadable") + f"; {m['previous_versions']} previous versions",
        "Manifests": f"{man['current'] or 0} in the current snapshot; max {man['max'] or 0}, "
                     f"mean {man['mean'] or 0} over the newest {man['sampled_snapshots']} "
                     "snapshots",
    }


def _histogram(buckets: list[dict[str, Any]]) -> str:
    most = max((b["files"] for b in buckets), default=0) or 1
    width = max(len(b["label"]) for b in buckets)
    count_width = max(len(str(b["files"])) for b in buckets)
    lines = []
    for b in buckets:
        bar = "#" * (round(BAR_WIDTH * b["files"] / most) if b["files"] else 0)
        lines.append(f"{b['label']:<{width}}  {b['files']:>{count_width}}  {bar}".rstrip())
    return "\n".join(lines)


def _findings(items: list[dict[str, Any]], painter: Painter) -> str:
    lines = []
    for f in items:
        ok = f["status"] == "ok"
        status = painter.paint(f"{f['status'].upper():<7}", "green" if ok else "yellow")
        lines.append(f"{status} {f['check']}: {f['message']}")
        if f["suggestion"]:
            lines.append(" " * 8 + painter.paint(f"-> {f['suggestion']}", "cyan"))
    return "\n".join(lines)
