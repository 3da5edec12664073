"""Credentials never show in errors, reprs, logs or CLI output; stores that ignore
conditional writes are refused; identifiers cannot leave the warehouse prefix."""

from __future__ import annotations

import logging

import pyarrow as pa
import pytest

import tablefmt as tf
from tablefmt.cli.main import main as cli_main
from tests.plugins.s3 import SECRET_KEY

SCHEMA = pa.schema([pa.field("id", pa.int64(), nullable=False)])


def test_the_secret_key_appears_in_no_error_repr_log_or_cli_output(
        s3_endpoint, caplog, capsys, monkeypatch) -> None:
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []
    opts = s3_endpoint.storage_options()
    cat = tf.connect(f"s3://{s3_endpoint.new_bucket()}/wh", storage_options=opts)
    cat.create_namespace("db")
    t = cat.create_table("db.t", SCHEMA)
    t.append(pa.table({"id": [1]}, schema=SCHEMA))
    seen += [repr(cat), str(cat), repr(t), repr(t.io), repr(t.io.options), str(t.io.options)]
    failures = [
        lambda: tf.connect("s3://no-such-bucket-xyz/wh", storage_options=opts).create_namespace("x"),
        lambda: cat.load_table("db.nope"),
        lambda: tf.connect("s3://bucket/wh", storage_options=dict(
            opts, endpoint_url="http://127.0.0.1:9", max_attempts="1")).create_namespace("x"),
        lambda: t.io.read(t.location + "/missing.json"),
        lambda: tf.connect("s3://b/wh", storage_options=dict(opts, bogus="1")),
    ]
    for fail in failures:
        with pytest.raises(tf.TablefmtError) as info:
            fail()
        seen += [str(info.value), repr(info.value)]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", opts["access_key_id"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_endpoint.url)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    for args in (["describe", "db.t"], ["--json", "describe", "db.t"], ["snapshots", "db.t"],
                 ["files", "db.t"], ["describe", "db.nope"]):
        cli_main(["--warehouse", cat.warehouse, *args])
    out = capsys.readouterr()
    seen += [out.out, out.err, caplog.text]
    assert "db.t" in out.out  # the CLI really ran against the table
    for text in seen:
        assert SECRET_KEY not in text


def test_a_store_that_ignores_conditional_writes_is_refused(tmp_path, monkeypatch) -> None:
    cat = tf.connect(tmp_path, catalog="objectstore")
    real_write = cat.io.write

    def ignoring_conditions(path: str, data: bytes, *, exclusive: bool = False) -> None:
        real_write(path, data)  # overwrites silently, as a store without If-None-Match does

    monkeypatch.setattr(cat.io, "write", ignoring_conditions)
    cat._verified = False
    cat.create_namespace("db")
    with pytest.raises(tf.StorageError, match="does not enforce conditional writes"):
        cat.create_table("db.t", SCHEMA)
    assert not cat.table_exists("db.t")


@pytest.mark.parametrize("identifier", ["db/../../x", "../db.t", "db.t/../../..", "s3://x.t",
                                        "/etc.passwd", "db.t\x00"])
def test_identifiers_cannot_escape_the_warehouse(cat, identifier) -> None:
    with pytest.raises(tf.ValidationError):
        cat.create_table(identifier, SCHEMA)
    assert cat.list_tables("db") == []


def test_the_sql_catalog_works_with_s3_data(s3_endpoint, tmp_path, make_events) -> None:
    wh = f"s3://{s3_endpoint.new_bucket()}/wh"
    cat = tf.connect(wh, catalog=f"sqlite:///{tmp_path}/catalog.db",
                     storage_options=s3_endpoint.storage_options())
    cat.create_namespace("db")
    t = cat.create_table("db.events", make_events(0, 1).schema, partition_by=["region"])
    t.append(make_events(0, 9))
    stale = cat.load_table("db.events")
    t.append(make_events(9, 3))
    stale.append(make_events(12, 3))  # retried on the winner through the SQL swap
    again = tf.connect(wh, catalog=f"sqlite:///{tmp_path}/catalog.db",
                       storage_options=s3_endpoint.storage_options()).load_table("db.events")
    assert again.metadata_location.startswith(wh + "/db/events/metadata/00003-")
    assert sorted(again.to_arrow().column("id").to_pylist()) == list(range(15))
    assert len(again.scan(where="region = 'eu'").plan_files()) == 3
