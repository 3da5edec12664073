"""Argument types and shared options of the CLI commands: durations (`3d`, `12h30m`),
points in time (a duration ago, or ISO-8601), byte sizes (`134217728`, `128MiB`), the
`--snapshot ID | --ref NAME` pair, and the same units formatted back for text output.
A bad value is a usage error (exit 2)."""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from tablefmt.cli.commands import Command

# `add(name, func, summary)` of `tablefmt.cli.main.build_parser`: one subcommand.
Add = Callable[[str, Command, str], argparse.ArgumentParser]

_UNITS = {"w": timedelta(weeks=1), "d": timedelta(days=1), "h": timedelta(hours=1),
          "m": timedelta(minutes=1), "s": timedelta(seconds=1)}
_DURATION = re.compile(r"(?:\d+[wdhms])+")
_PART = re.compile(r"(\d+)([wdhms])")
_SIZE = re.compile(r"(\d+)\s*([kmgt]?)(i?b)?", re.I)
_SIZE_UNITS = {"": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3, "t": 1024 ** 4}


def duration(text: str) -> timedelta:
    """A duration such as `3d`, `12h`, `30m`, `45s`, `2w`, or combined: `1d12h`.

    Example:
        >>> duration("1d12h")
        datetime.timedelta(days=1, seconds=43200)
    """
    value = text.strip().lower()
    if not _DURATION.fullmatch(value):
        raise argparse.ArgumentTypeError(
            f"invalid duration {text!r}: use a number and a unit, e.g. 3d, 12h, 30m, 45s, 2w")
    return sum((int(n) * _UNITS[unit] for n, unit in _PART.findall(value)), timedelta())


def point_in_time(text: str) -> datetime:
    """A UTC datetime: a duration before now (`3d`) or an ISO-8601 date/time (naive is
    UTC). Resolved once, when the arguments are parsed, so a dry run and the run that
    follows it with `--yes` use the same cutoff when given the same ISO time."""
    try:
        return datetime.now(UTC) - duration(text)
    except argparse.ArgumentTypeError:
        pass
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"invalid time {text!r}: use a duration (3d, 12h, 30m) or an ISO-8601 "
            "date/time (2024-05-01T12:00:00Z)") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def byte_size(text: str) -> int:
    """A positive number of bytes: `134217728`, `128M`, `128MiB`, `1G` (binary units).

    Example:
        >>> byte_size("128MiB"), byte_size("1k"), byte_size("512")
        (134217728, 1024, 512)
    """
    m = _SIZE.fullmatch(text.strip())
    value = int(m.group(1)) * _SIZE_UNITS[m.group(2).lower()] if m else 0
    if value < 1:
        raise argparse.ArgumentTypeError(
            f"invalid size {text!r}: use a positive number of bytes, e.g. 134217728 or 128MiB")
    return value


def non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}")
    return value


def positive_int(text: str) -> int:
    value = non_negative_int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def add_snapshot_or_ref(parser: argparse.ArgumentParser) -> None:
    """`--snapshot ID | --ref NAME`: which snapshot to read (default: the current one)."""
    at = parser.add_mutually_exclusive_group()
    at.add_argument("--snapshot", metavar="ID", type=int, help="at this snapshot id")
    at.add_argument("--ref", metavar="NAME", help="at this branch or tag")


def add_yes(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--yes", action="store_true",
                        help=f"{what}; without it, only list what would change (a dry run)")


def human_bytes(n: int) -> str:
    """A byte count in binary units, for text output.

    Example:
        >>> human_bytes(512), human_bytes(1536), human_bytes(512 * 1024 ** 2)
        ('512 B', '1.5 KiB', '512.0 MiB')
    """
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(value) < 1024 or unit == "TiB":
            return f"{n} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def human_duration(delta: timedelta) -> str:
    """A duration as the largest whole units, for text output.

    Example:
        >>> human_duration(timedelta(days=5)), human_duration(timedelta(hours=36))
        ('5d', '1d12h')
    """
    seconds = int(delta.total_seconds())
    parts = []
    for unit in ("d", "h", "m", "s"):
        size = int(_UNITS[unit].total_seconds())
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(parts) or "0s"
