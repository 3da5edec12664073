"""Fault tolerance on moto's S3: failed and reset requests, lost responses of a
successful conditional put, and writers killed mid-commit. After every fault the table
loads and reads a prefix of the committed operations, nothing lost or duplicated."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import botocore.awsrequest
import botocore.exceptions
import botocore.httpsession
import pyarrow as pa
import pytest

import tablefmt as tf
from tablefmt.io import s3 as s3io

SCHEMA = pa.schema([pa.field("id", pa.int64(), nullable=False), ("writer", pa.int64())])


def rows(ids: list[int], writer: int = 0) -> pa.Table:
    return pa.table({"id": ids, "writer": [writer] * len(ids)}, schema=SCHEMA)


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.data

    def read(self, *_: Any) -> bytes:
        return self.data


class Faults:
    """Counts S3 requests and fails chosen ones, at botocore's send boundary."""

    def __init__(self) -> None:
        self.count = 0
        self.fail: Callable[[int, Any], Any] | None = None
        self.lose_response_of: Callable[[Any], bool] | None = None
        self.lost = 0

    def install(self, client: Any) -> None:
        client.meta.events.register("before-send.s3.*", self._before_send)

    def _before_send(self, request: Any, **_: Any) -> Any:
        self.count += 1
        if self.lose_response_of is not None and self.lose_response_of(request):
            # The request reaches the store and succeeds; its response never arrives.
            self.lose_response_of = None
            response = botocore.httpsession.URLLib3Session().send(request)
            assert response.status_code == 200
            self.lost += 1
            raise botocore.exceptions.ConnectionClosedError(endpoint_url=request.url)
        if self.fail is not None:
            return self.fail(self.count, request)
        return None


def http_error(status: int) -> Callable[[Any], Any]:
    def respond(request: Any) -> Any:
        body = (b"<Error><Code>InternalError</Code><Message>injected</Message></Error>"
                if status == 500 else
                b"<Error><Code>SlowDown</Code><Message>injected</Message></Error>")
        return botocore.awsrequest.AWSResponse(request.url, status, {}, _Body(body))
    return respond


def reset(request: Any) -> Any:
    raise botocore.exceptions.ConnectionClosedError(endpoint_url=request.url)


@pytest.fixture
def faults(monkeypatch: pytest.MonkeyPatch) -> Faults:
    f = Faults()
    monkeypatch.setattr(s3io, "CLIENT_HOOKS", [f.install])
    return f


@pytest.fixture
def s3_table(s3_endpoint, faults) -> tf.Table:
    cat = tf.connect(f"s3://{s3_endpoint.new_bucket()}/wh",
                     storage_options=dict(s3_endpoint.storage_options(), max_attempts="4"))
    cat.create_namespace("db")
    t = cat.create_table("db.t", SCHEMA, properties={"commit.retry.min-wait-ms": "10"})
    t.append(rows([0]))
    return t


def state(t: tf.Table) -> list[int]:
    fresh = t.catalog.load_table(t.identifier)
    return sorted(fresh.to_arrow().column("id").to_pylist())


def referenced_files(t: tf.Table) -> set[str]:
    from tablefmt.scan.manifests import manifest_list

    fresh = t.catalog.load_table(t.identifier)
    out = set()
    for snap in fresh.snapshots():
        out.add(snap.manifest_list)
        for m in manifest_list(fresh.io, snap.manifest_list):
            out.add(m.manifest_path)
        out |= {task.file_path for task in fresh.scan(snapshot_id=snap.snapshot_id).plan_files()}
    return out


def requests_of_one_append(t: tf.Table, faults: Faults) -> int:
    before = faults.count
    t.append(rows([1]))
    return faults.count - before


@pytest.mark.parametrize("kind", ["503", "500", "reset"])
def test_a_failed_request_at_any_step_of_a_commit_is_retried(s3_table, faults, kind) -> None:
    n = requests_of_one_append(s3_table, faults)
    assert n >= 4
    fail = {"503": http_error(503), "500": http_error(500), "reset": reset}[kind]
    expected = [0, 1]
    for step in range(1, n + 1):
        target = faults.count + step
        faults.fail = lambda i, req, target=target: fail(req) if i == target else None
        new_id = 100 + step
        s3_table.append(rows([new_id]))
        faults.fail = None
        expected.append(new_id)
        assert state(s3_table) == expected


def test_persistent_failures_raise_storage_error_or_commit_and_leave_a_prefix(s3_endpoint, faults) -> None:
    cat = tf.connect(f"s3://{s3_endpoint.new_bucket()}/wh",
                     storage_options=dict(s3_endpoint.storage_options(), max_attempts="2"))
    cat.create_namespace("db")
    s3_table = cat.create_table("db.t", SCHEMA, properties={"commit.retry.min-wait-ms": "10"})
    s3_table.append(rows([0]))
    n = requests_of_one_append(s3_table, faults)
    outcomes = []
    for step in range(1, n + 1):
        start = faults.count + step
        faults.fail = lambda i, req, start=start: http_error(503)(req) if i >= start else None
        try:
            s3_table.append(rows([500 + step]))
            outcomes.append("committed")
        except tf.StorageError as exc:
            outcomes.append("failed")
            assert "SlowDown" in str(exc) or "landed" in str(exc)
            assert tf.connect.__module__  # the message names no credentials (checked below)
        finally:
            faults.fail = None
        got = state(s3_table)
        if outcomes[-1] == "failed":
            # The commit did not happen, or it did exactly once (a failure after the swap).
            assert got in ([0, 1], [0, 1, 500 + step])
        else:
            # Only the best-effort version hint was lost: the commit is complete.
            assert got == [0, 1, 500 + step]
        if got != [0, 1]:
            s3_table.catalog.load_table("db.t").overwrite(rows([0, 1]))
            s3_table.refresh()
    assert outcomes.count("failed") >= n - 1


def is_metadata_put(request: Any) -> bool:
    return request.method == "PUT" and request.url.split("?")[0].endswith(".metadata.json")


@pytest.mark.parametrize("client_retries", ["4", "1"])
def test_lost_response_of_the_conditional_put_commits_exactly_once(s3_endpoint, faults,
                                                                  client_retries) -> None:
    # With retries, botocore re-sends the put and gets 412: tablefmt sees its own bytes.
    # Without, the error reaches the commit, which re-reads the version to decide.
    cat = tf.connect(f"s3://{s3_endpoint.new_bucket()}/wh",
                     storage_options=dict(s3_endpoint.storage_options(),
                                          max_attempts=client_retries))
    cat.create_namespace("db")
    t = cat.create_table("db.t", SCHEMA)
    t.append(rows([0]))
    faults.lose_response_of = is_metadata_put
    snap = t.append(rows([7]))
    assert faults.lost == 1
    fresh = cat.load_table("db.t")
    assert state(fresh) == [0, 7]
    assert [s.snapshot_id for s in fresh.snapshots()][-1] == snap.snapshot_id
    assert len(fresh.snapshots()) == 2


WRITER = Path(__file__).with_name("_writer.py")


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["sql", "objectstore", "s3"])
def test_writers_killed_mid_commit_leave_a_prefix_and_only_unreferenced_files(kind, warehouse, request) -> None:
    if kind == "s3":
        endpoint = request.getfixturevalue("s3_endpoint")
        spec = {"warehouse": f"s3://{endpoint.new_bucket()}/wh", "catalog": "objectstore",
                "storage_options": endpoint.storage_options()}
    else:
        spec = {"warehouse": str(warehouse), "catalog": kind}
    cat = tf.connect(spec["warehouse"], catalog=spec["catalog"],
                     storage_options=spec.get("storage_options"))
    cat.create_namespace("db")
    t = cat.create_table("db.t", SCHEMA)
    rng = random.Random(7)
    committed: list[int] = []
    for attempt in range(4):
        args = dict(spec, table="db.t", writer=attempt + 1, count=50)
        proc = subprocess.Popen([sys.executable, str(WRITER), json.dumps(args)],
                                stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parents[2])
        time.sleep(rng.uniform(1.0, 2.5))
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        printed = [json.loads(line)["row"] for line in out.splitlines() if line.strip()]
        got = [i for i in state(t) if i // 1000 == attempt + 1]
        # A prefix of this writer's operations, at least those it saw commit.
        assert got == [(attempt + 1) * 1000 + i for i in range(len(got))]
        assert len(got) >= len(printed)
        committed += got
    assert state(t) == sorted(committed)
    # Every file a snapshot references exists: kills left only unreferenced leftovers.
    fresh = cat.load_table("db.t")
    referenced = referenced_files(fresh)
    present = {info.path for info in fresh.io.list(fresh.location)}
    assert referenced <= present
    assert fresh.metadata_location in present
