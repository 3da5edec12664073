"""The history JSON and the id index are carried across `evolve` instead of rebuilt; what
a commit writes must equal formatting the whole metadata afresh, whatever the change."""

from __future__ import annotations

import json
from dataclasses import replace

import pyarrow as pa

import tablefmt as tf
from tablefmt.metadata.table_metadata import TableMetadata


def fresh(meta: TableMetadata) -> str:
    return replace(meta).to_json_text()  # a copy carries no caches


def test_history_json_carried_by_commits_equals_a_fresh_format(tmp_path) -> None:
    cat = tf.connect(tmp_path / "wh")
    cat.create_namespace("db")
    t = cat.create_table("db.t", pa.schema([("x", pa.int64())]))
    metas = []
    for i in range(5):
        t.append(pa.table({"x": [i]}))
        metas.append(t.metadata)
    first = t.current_snapshot().snapshot_id
    t.rollback_to(t.snapshots()[1].snapshot_id)  # log grows, snapshots do not
    metas.append(t.metadata)
    t.create_tag("v1", first)
    metas.append(t.metadata)
    t.append(pa.table({"x": [9]}))
    metas.append(t.metadata)
    t.expire_snapshots(retain_last=2)  # history shrinks: cache rebuilt, not extended
    metas.append(t.metadata)
    t.append(pa.table({"x": [10]}))
    metas.append(t.metadata)
    for meta in metas:
        assert meta.to_json_text() == fresh(meta)
        assert json.loads(meta.to_json_text())["snapshots"] == \
            [json.loads(s.json_text()) for s in meta.snapshots]
    assert {s.snapshot_id for s in metas[-1].snapshots} == \
        {s["snapshot-id"] for s in json.loads(cat.load_table("db.t").metadata.to_json_text())["snapshots"]}


def test_a_replaced_history_is_not_extended_from_the_old_text(tmp_path) -> None:
    cat = tf.connect(tmp_path / "wh")
    cat.create_namespace("db")
    t = cat.create_table("db.t", pa.schema([("x", pa.int64())]))
    for i in range(3):
        t.append(pa.table({"x": [i]}))
    meta = t.metadata
    meta.to_json_text()  # fill the cache
    kept = meta.snapshots[:1]
    other = meta.evolve(snapshots=kept + (meta.snapshots[2],), snapshot_log=meta.snapshot_log[:1])
    assert other.to_json_text() == fresh(other)
    assert meta.evolve(properties={"a": "b"}).to_json_text() == fresh(meta.evolve(properties={"a": "b"}))
