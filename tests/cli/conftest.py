"""Fixtures for the CLI tests: a warehouse with one partitioned table written through the
library, and a runner for the in-process entry point."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import tablefmt as tf
from tablefmt.cli.main import main

EVENTS_SCHEMA = pa.schema([
    pa.field("id", pa.int64(), nullable=False),
    pa.field("region", pa.string()),
    pa.field("ts", pa.timestamp("us", tz="UTC")),
    pa.field("amount", pa.float64()),
])


def events(ids: list[int], regions: list[str]) -> pa.Table:
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    return pa.table({"id": ids, "region": regions,
                     "ts": [t0 + timedelta(hours=i) for i in ids],
                     "amount": [i * 1.5 for i in ids]}, schema=EVENTS_SCHEMA)


@dataclass
class Warehouse:
    path: str
    catalog: tf.Catalog

    def table(self, identifier: str = "db.events") -> tf.Table:
        return self.catalog.load_table(identifier)


@pytest.fixture
def wh(tmp_path: Path) -> Iterator[Warehouse]:
    """`db.events`, partitioned by region, with two appends (3 rows, then 2 rows)."""
    path = str(tmp_path / "wh")
    cat = tf.connect(path)
    cat.create_namespace("db")
    table = cat.create_table("db.events", EVENTS_SCHEMA, partition_by=["region"],
                             properties={"owner": "data-team"})
    table.append(events([1, 2, 3], ["eu", "us", "eu"]))
    table.append(events([4, 5], ["apac", "eu"]))
    yield Warehouse(path, cat)
    close = getattr(cat, "close", None)
    if callable(close):
        close()


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """Run `main(argv)` in-process and capture what it printed."""

    def run(*argv: str) -> Run:
        capsys.readouterr()
        code = main(list(argv))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run
