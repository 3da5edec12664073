"""Core fixtures: a fresh local warehouse and catalog per test, sample data."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import tablefmt as tf
from tablefmt.scan import manifests
from tablefmt.transaction import fault


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return tmp_path / "warehouse"


CATALOG_KINDS = ["sql", "objectstore", "s3"]


@pytest.fixture(params=CATALOG_KINDS)
def cat(request: pytest.FixtureRequest, warehouse: Path) -> Iterator[tf.Catalog]:
    """Every catalog: SQLite, object store on a local folder, object store on moto's S3."""
    kind = request.param
    if kind == "s3":
        endpoint = request.getfixturevalue("s3_endpoint")
        catalog = tf.connect(f"s3://{endpoint.new_bucket()}/warehouse",
                             storage_options=endpoint.storage_options())
    else:
        catalog = tf.connect(str(warehouse), catalog=kind)
    catalog.create_namespace("db")
    yield catalog
    catalog.close()


@pytest.fixture
def local_cat(warehouse: Path) -> Iterator[tf.Catalog]:
    """The embedded default: a local folder with the SQLite catalog (what PyIceberg opens)."""
    catalog = tf.connect(str(warehouse))
    catalog.create_namespace("db")
    yield catalog
    catalog.close()


@pytest.fixture(autouse=True)
def _reset_global_state() -> Iterator[None]:
    yield
    fault.hook = fault._noop
    manifests._LISTS.data.clear()
    manifests._MANIFESTS.data.clear()


EVENTS_SCHEMA = pa.schema([
    pa.field("id", pa.int64(), nullable=False),
    pa.field("region", pa.string()),
    pa.field("ts", pa.timestamp("us", tz="UTC")),
    pa.field("amount", pa.float64()),
])


def events(start_id: int, n: int, regions: tuple[str, ...] = ("eu", "us", "apac")) -> pa.Table:
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    ids = list(range(start_id, start_id + n))
    return pa.table({
        "id": ids,
        "region": [regions[i % len(regions)] for i in ids],
        "ts": [t0 + timedelta(hours=i) for i in ids],
        "amount": [float(i) * 1.5 for i in ids],
    }, schema=EVENTS_SCHEMA)


@pytest.fixture
def make_events():  # type: ignore[no-untyped-def]
    return events


@pytest.fixture
def file_reads(monkeypatch: pytest.MonkeyPatch) -> list[list[str] | None]:
    """The `columns` argument of every data-file read a row operation makes, in order."""
    from tablefmt.transaction import transaction

    reads: list[list[str] | None] = []
    real = transaction.read_file

    def spy(io, meta, f, columns=None, dictionaries=False):  # type: ignore[no-untyped-def]
        reads.append(columns)
        return real(io, meta, f, columns, dictionaries)

    monkeypatch.setattr(transaction, "read_file", spy)
    return reads


@pytest.fixture
def outcomes(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """`outcomes(module, name)` replaces `module.name` by a spy and returns a list that
    gets, for each later call, whether it returned something (not None)."""
    def spy_on(module: Any, name: str) -> list[bool]:
        calls: list[bool] = []
        real = getattr(module, name)

        def spy(*args: Any, **kwargs: Any) -> Any:
            done = real(*args, **kwargs)
            calls.append(done is not None)
            return done

        monkeypatch.setattr(module, name, spy)
        return calls

    return spy_on
