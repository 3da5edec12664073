"""Concurrent writers lose nothing: N processes appending at once yield exactly N*k+1
snapshots and every row once; conflicting overwrites never both apply."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

import tablefmt as tf

WRITER = Path(__file__).with_name("_writer.py")
SCHEMA = pa.schema([pa.field("id", pa.int64(), nullable=False), ("writer", pa.int64())])
PATIENT = {"commit.retry.num-retries": "60", "commit.retry.min-wait-ms": "20",
           "commit.retry.max-wait-ms": "400"}


def spec_for(kind: str, warehouse: Path, request: pytest.FixtureRequest) -> dict:
    if kind == "s3":
        endpoint = request.getfixturevalue("s3_endpoint")
        return {"warehouse": f"s3://{endpoint.new_bucket()}/wh", "catalog": "objectstore",
                "storage_options": endpoint.storage_options()}
    return {"warehouse": str(warehouse), "catalog": kind}


def start(spec: dict, writer: int, count: int, op: str = "append") -> subprocess.Popen:
    args = dict(spec, table="db.t", writer=writer, count=count, op=op)
    return subprocess.Popen([sys.executable, str(WRITER), json.dumps(args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=Path(__file__).parents[2])


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["sql", "s3"])
def test_eight_processes_appending_ten_times_each_lose_nothing(kind, warehouse, request) -> None:
    spec = spec_for(kind, warehouse, request)
    cat = tf.connect(spec["warehouse"], catalog=spec["catalog"],
                     storage_options=spec.get("storage_options"))
    cat.create_namespace("db")
    t = cat.create_table("db.t", SCHEMA, properties=PATIENT)
    t.append(pa.table({"id": [-1], "writer": [-1]}, schema=SCHEMA))
    procs = [start(spec, w, 10) for w in range(8)]
    for p in procs:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, err[-2000:]
    final = cat.load_table("db.t")
    assert len(final.snapshots()) == 81
    ids = sorted(final.to_arrow().column("id").to_pylist())
    assert ids == [-1] + sorted(w * 1000 + i for w in range(8) for i in range(10))
    # The history is one line: each snapshot's parent is the one before it.
    chain = final.metadata.ancestors(final.current_snapshot().snapshot_id)
    assert len(chain) == 81 and [s.sequence_number for s in chain] == list(range(81, 0, -1))


@pytest.mark.parametrize("kind", ["sql", "objectstore"])
def test_two_conflicting_overwrites_never_both_apply(kind, warehouse, request) -> None:
    spec = spec_for(kind, warehouse, request)
    cat = tf.connect(spec["warehouse"], catalog=spec["catalog"])
    cat.create_namespace("db")
    t = cat.create_table("db.t", SCHEMA, partition_by=["writer"])
    t.append(pa.table({"id": [1, 2], "writer": [7, 7]}, schema=SCHEMA))
    a = cat.load_table("db.t")
    b = cat.load_table("db.t")
    a.overwrite(pa.table({"id": [10], "writer": [7]}, schema=SCHEMA), where="writer = 7")
    # b's base is stale and a committed a file in the partition b's filter covers.
    with pytest.raises(tf.CommitConflictError):
        b.overwrite(pa.table({"id": [20], "writer": [7]}, schema=SCHEMA), where="writer = 7")
    assert cat.load_table("db.t").to_arrow().column("id").to_pylist() == [10]


@pytest.mark.parametrize("kind", ["sql", "objectstore"])
def test_overwrite_of_another_partition_succeeds_on_revalidation(kind, warehouse, request) -> None:
    spec = spec_for(kind, warehouse, request)
    cat = tf.connect(spec["warehouse"], catalog=spec["catalog"])
    cat.create_namespace("db")
    t = cat.create_table("db.t", SCHEMA, partition_by=["writer"])
    t.append(pa.table({"id": [1, 2], "writer": [1, 2]}, schema=SCHEMA))
    a, b = cat.load_table("db.t"), cat.load_table("db.t")
    a.overwrite(pa.table({"id": [10], "writer": [1]}, schema=SCHEMA), where="writer = 1")
    b.overwrite(pa.table({"id": [20], "writer": [2]}, schema=SCHEMA), where="writer = 2")
    final = cat.load_table("db.t")
    assert sorted(final.to_arrow().column("id").to_pylist()) == [10, 20]
    assert len(final.snapshots()) == 3
