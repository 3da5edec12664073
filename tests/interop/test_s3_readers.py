"""Outside readers open tablefmt tables on moto's S3: DuckDB (httpfs + iceberg, loaded
offline) by metadata location and by table folder; PyIceberg's StaticTable."""

from __future__ import annotations

import pytest

import tablefmt as tf
from tests.plugins.outside_readers import extension_path
from tests.plugins.s3 import ACCESS_KEY, SECRET_KEY

pytestmark = pytest.mark.interop


@pytest.fixture
def s3_events(s3_endpoint, make_events) -> tf.Table:
    cat = tf.connect(f"s3://{s3_endpoint.new_bucket()}/wh",
                     storage_options=s3_endpoint.storage_options())
    cat.create_namespace("db")
    t = cat.create_table("db.events", make_events(0, 1).schema, partition_by=["region"])
    t.append(make_events(0, 20))
    t.append(make_events(20, 10))
    return t


def test_duckdb_reads_an_s3_table_by_metadata_location_and_by_folder(duck, s3_endpoint, s3_events) -> None:
    duck.execute(f"LOAD '{extension_path('httpfs')}'")
    host = s3_endpoint.url.split("://", 1)[1]
    duck.execute(f"""CREATE SECRET moto (TYPE s3, KEY_ID '{ACCESS_KEY}', SECRET '{SECRET_KEY}',
                     REGION 'us-east-1', ENDPOINT '{host}', URL_STYLE 'path', USE_SSL false)""")
    expected = sorted(s3_events.to_arrow().column("id").to_pylist())
    by_file = duck.sql(f"SELECT id FROM iceberg_scan('{s3_events.metadata_location}') ORDER BY id")
    assert [r[0] for r in by_file.fetchall()] == expected
    by_folder = duck.sql(f"SELECT id FROM iceberg_scan('{s3_events.location}') ORDER BY id")
    assert [r[0] for r in by_folder.fetchall()] == expected


def test_pyiceberg_static_table_reads_an_s3_table(s3_endpoint, s3_events) -> None:
    from pyiceberg.table import StaticTable

    props = {"s3.endpoint": s3_endpoint.url, "s3.access-key-id": ACCESS_KEY,
             "s3.secret-access-key": SECRET_KEY, "s3.region": "us-east-1"}
    by_file = StaticTable.from_metadata(s3_events.metadata_location, properties=props)
    assert sorted(by_file.scan().to_arrow().column("id").to_pylist()) == list(range(30))
    by_folder = StaticTable.from_metadata(s3_events.location, properties=props)
    assert by_folder.metadata.current_snapshot_id == s3_events.current_snapshot().snapshot_id
