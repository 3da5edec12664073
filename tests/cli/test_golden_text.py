"""Golden files for the text of `describe` and `snapshots` (normalized: ids, uuids,
times, paths and sizes vary per run). `tablefmt --help` lists every command."""

from __future__ import annotations

import re
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden"


def normalized(text: str, wh: str, t) -> str:
    text = re.sub(r"snap-\d+-\d+-[0-9a-f]+\.avro", "<LIST>.avro", text)
    for i, snap in enumerate(t.snapshots(), start=1):
        text = text.replace(str(snap.snapshot_id), f"<SNAP{i}>")
    text = text.replace(t.metadata.table_uuid, "<UUID>")
    text = text.replace(str(wh), "<WH>")
    text = re.sub(r"\d{5}-[0-9a-f-]{36}\.metadata\.json", "<META>.metadata.json", text)
    text = re.sub(r"\d{4}-\d\d-\d\d[T ][\d:.]+Z?", "<TIME>", text)
    text = re.sub(r"(?<=\s)\d{4,}(?=\s|$)", "<N>", text)
    # Column widths follow the lengths of ids that vary per run: compare words, not spaces.
    return "\n".join(" ".join(line.split()) for line in text.splitlines()) + "\n"


def check(name: str, text: str) -> None:
    assert text == (GOLDEN / name).read_text()


def test_describe_text_matches_the_golden_file(wh, cli) -> None:
    run = cli("--warehouse", wh.path, "describe", "db.events")
    assert run.code == 0
    check("describe_events.txt", normalized(run.out, wh.path, wh.table()))


def test_snapshots_text_matches_the_golden_file(wh, cli) -> None:
    run = cli("--warehouse", wh.path, "snapshots", "db.events")
    assert run.code == 0
    check("snapshots_events.txt", normalized(run.out, wh.path, wh.table()))


def test_help_lists_every_command(cli) -> None:
    run = cli("--help")
    for command in ["namespaces", "tables", "describe", "snapshots", "history", "refs", "files",
                    "manifests", "partitions", "diff", "health", "metadata", "sql", "rollback",
                    "tag", "branch", "expire", "compact", "orphans"]:
        assert command in run.out, command
