"""S3 tables through DuckDB's httpfs, configured from the catalog's storage options (moto
on 127.0.0.1, path style, plain HTTP), with the keys never shown."""

from __future__ import annotations

import duckdb
import pytest

import tablefmt as tf
from tablefmt.duckdb import extensions
from tests.duckdb.conftest import rows
from tests.plugins.s3 import SECRET_KEY


@pytest.fixture
def s3_cat(s3_endpoint, make_events) -> tf.Catalog:
    cat = tf.connect(f"s3://{s3_endpoint.new_bucket()}/wh",
                     storage_options=s3_endpoint.storage_options())
    cat.create_namespace("db")
    t = cat.create_table("db.events", make_events(0, 1).schema, partition_by=["region"])
    t.append(make_events(0, 30))
    return cat


def test_s3_tables_read_through_a_scoped_secret(s3_cat) -> None:
    with tf.duckdb.connect(s3_cat) as con:
        assert rows(con.sql("SELECT count(*) FROM db.events")) == [(30,)]
        bucket = s3_cat.warehouse.split("/")[2]
        secrets = con.sql("SELECT name, type, scope, secret_string FROM duckdb_secrets()")
        (name, kind, scope, text), = rows(secrets)
        assert name.startswith("tablefmt_s3_") and kind == "s3"
        assert scope == [f"s3://{bucket}/"]
        assert SECRET_KEY not in text and "127.0.0.1" in text and "path" in text


def test_register_on_a_plain_connection_configures_s3_once(s3_cat) -> None:
    con = duckdb.connect()
    t = s3_cat.load_table("db.events")
    tf.duckdb.register(con, t, "a")
    tf.duckdb.register(con, t, "b", where="region = 'eu'")
    assert rows(con.sql("SELECT (SELECT count(*) FROM a), (SELECT count(*) FROM b)")) == [(30, 10)]
    assert rows(con.sql("SELECT count(*) FROM duckdb_secrets()")) == [(1,)]


def test_keys_never_appear_in_reprs_or_errors(s3_cat, monkeypatch) -> None:
    con = tf.duckdb.connect(s3_cat)
    assert SECRET_KEY not in repr(con)

    def broken(*args, **kwargs):  # noqa: ANN002, ANN003
        raise duckdb.ParserException(f"syntax error at or near SECRET '{SECRET_KEY}'")

    raw = duckdb.connect()
    monkeypatch.setattr(extensions, "load_extension", lambda *a, **k: None)
    proxy = _FailingSecrets(raw, broken)
    with pytest.raises(tf.StorageError) as info:
        extensions.configure_s3(proxy, s3_cat.io.options, ["b"])
    assert SECRET_KEY not in str(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_a_missing_httpfs_extension_names_the_package(s3_cat, monkeypatch, tmp_path) -> None:
    bogus = tmp_path / "httpfs.duckdb_extension"
    bogus.write_bytes(b"not an extension")
    monkeypatch.setattr(extensions, "package_extension", lambda name: bogus)
    with pytest.raises(tf.StorageError, match="pip install duckdb-extension-httpfs==1.5.5"):
        tf.duckdb.connect(s3_cat)


class _FailingSecrets:
    """A DuckDB connection whose CREATE SECRET fails with a message quoting the key."""

    def __init__(self, con: duckdb.DuckDBPyConnection, fail) -> None:  # noqa: ANN001
        self.con, self.fail = con, fail

    def execute(self, sql: str, *args):  # noqa: ANN002
        if sql.startswith("CREATE TEMPORARY SECRET"):
            self.fail()
        return self.con.execute(sql, *args)
