"""Point-in-time correctness against a brute-force reference, leakage, reproducibility,
registry facts, and online reads."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pytest

import tablefmt as tf
from tablefmt.features import get_features_in_range, get_historical_features

T0 = datetime(2024, 1, 1, tzinfo=UTC)
CLICKS = pa.schema([pa.field("user_id", pa.int64(), nullable=False),
                    ("ts", pa.timestamp("us", tz="UTC")), ("created", pa.timestamp("us", tz="UTC")),
                    ("clicks", pa.int64()), ("spend", pa.float64())])
PROFILE = pa.schema([pa.field("user_id", pa.int64(), nullable=False),
                     ("ts", pa.timestamp("us", tz="UTC")), ("tier", pa.string())])


def build(cat, rng: random.Random):
    clicks = cat.create_feature_table("fs.clicks", entities=["user_id"], event_time="ts",
                                      created_time="created", schema=CLICKS,
                                      ttl=timedelta(hours=30), description="clicks", owner="ml")
    profile = cat.create_feature_table("fs.profile", entities=["user_id"], event_time="ts",
                                       schema=PROFILE)
    log: dict[str, list[tuple]] = {"clicks": [], "profile": []}
    for commit in range(4):
        rows, seen = [], set()
        for _ in range(25):
            u = rng.randrange(6)
            ts = T0 + timedelta(hours=rng.randrange(0, 72, 6))  # coarse: many ties
            created = ts + timedelta(minutes=rng.choice([0, 0, 5]))
            if (u, ts, created) in seen:
                continue  # a tie within one commit has no defined winner
            seen.add((u, ts, created))
            rows.append((u, ts, created, rng.randrange(100), rng.random()))
        clicks.append(pa.table({c: [r[i] for r in rows] for i, c in enumerate(CLICKS.names)},
                               schema=CLICKS))
        log["clicks"] += [(*r, commit) for r in rows]
        prow = list({(u, t): (u, t, rng.choice("abc")) for u, t in
                     ((rng.randrange(6), T0 + timedelta(hours=rng.randrange(0, 72, 12)))
                      for _ in range(8))}.values())
        profile.append(pa.table({c: [r[i] for r in prow] for i, c in enumerate(PROFILE.names)},
                                schema=PROFILE))
        log["profile"] += [(*r, commit) for r in prow]
    return clicks, profile, log


def reference(log, entity_rows):
    out = []
    for u, req in entity_rows:
        row = {"user_id": u, "request_ts": req}
        cands = [r for r in log["clicks"] if r[0] == u and r[1] <= req
                 and r[1] >= req - timedelta(hours=30)]
        best = max(cands, key=lambda r: (r[1], r[2], r[5]), default=None)
        row["clicks"] = best[3] if best else None
        row["spend"] = best[4] if best else None
        pc_ = [r for r in log["profile"] if r[0] == u and r[1] <= req]
        pbest = max(pc_, key=lambda r: (r[1], r[3]), default=None)
        row["tier"] = pbest[2] if pbest else None
        out.append(row)
    return out


@pytest.mark.parametrize("seed", range(6))
def test_historical_features_match_a_brute_force_reference(local_cat, seed) -> None:
    local_cat.create_namespace("fs")
    rng = random.Random(seed)
    _, _, log = build(local_cat, rng)
    entity_rows = [(rng.randrange(8), T0 + timedelta(hours=rng.randrange(-12, 90, 3)))
                   for _ in range(60)]  # users 6, 7 have no features; some times before all
    entity_df = pa.table({"user_id": [u for u, _ in entity_rows],
                          "request_ts": [t for _, t in entity_rows]})
    got = get_historical_features(local_cat, entity_df,
                                  ["fs.clicks:clicks", "fs.clicks:spend", "fs.profile:tier"],
                                  event_time="request_ts").to_pylist()
    assert got == reference(log, entity_rows)


def test_no_returned_feature_comes_from_the_future(local_cat) -> None:
    local_cat.create_namespace("fs")
    clicks, _, _ = build(local_cat, random.Random(11))
    entity_df = pa.table({"user_id": [0, 1, 2, 3, 4, 5] * 10,
                          "request_ts": [T0 + timedelta(hours=h) for h in range(60)]})
    out = get_historical_features(local_cat, entity_df, ["fs.clicks:clicks"],
                                  event_time="request_ts", full_feature_names=True)
    assert "clicks__clicks" in out.column_names
    # Join back the event time of the chosen row: never after the request.
    rows = clicks.to_arrow().to_pylist()
    for r in out.to_pylist():
        if r["clicks__clicks"] is not None:
            assert any(x["user_id"] == r["user_id"] and x["clicks"] == r["clicks__clicks"]
                       and x["ts"] <= r["request_ts"] for x in rows)


def test_training_sets_pinned_to_snapshots_are_reproducible(local_cat) -> None:
    local_cat.create_namespace("fs")
    clicks, profile, _ = build(local_cat, random.Random(3))
    entity_df = pa.table({"user_id": [0, 1, 2, 3], "request_ts": [T0 + timedelta(hours=50)] * 4})
    first = get_historical_features(local_cat, entity_df, ["fs.clicks:clicks", "fs.profile:tier"],
                                    event_time="request_ts")
    import json

    pinned = json.loads(first.schema.metadata[b"tablefmt.feature-snapshots"])
    assert pinned == {"fs.clicks": clicks.current_snapshot().snapshot_id,
                      "fs.profile": profile.current_snapshot().snapshot_id}
    # A backfill that would change the answer lands afterwards.
    clicks.append(pa.table({"user_id": [0, 1, 2, 3], "ts": [T0 + timedelta(hours=49)] * 4,
                            "created": [T0 + timedelta(hours=49)] * 4, "clicks": [999] * 4,
                            "spend": [0.0] * 4}, schema=CLICKS))
    again = get_historical_features(local_cat, entity_df, ["fs.clicks:clicks", "fs.profile:tier"],
                                    event_time="request_ts", as_of_snapshot=pinned)
    assert again.to_pylist() == first.to_pylist()
    now = get_historical_features(local_cat, entity_df, ["fs.clicks:clicks"],
                                  event_time="request_ts")
    assert now.column("clicks").to_pylist() == [999] * 4


def test_filter_by_created_time_excludes_late_backfills(local_cat) -> None:
    local_cat.create_namespace("fs")
    t = local_cat.create_feature_table("fs.c", entities=["user_id"], event_time="ts",
                                       created_time="created", schema=CLICKS)
    t.append(pa.table({"user_id": [1, 1], "ts": [T0, T0 + timedelta(hours=1)],
                       "created": [T0, T0 + timedelta(days=5)], "clicks": [1, 2],
                       "spend": [0.0, 0.0]}, schema=CLICKS))
    req = pa.table({"user_id": [1], "request_ts": [T0 + timedelta(hours=2)]})
    plain = get_historical_features(local_cat, req, ["fs.c:clicks"], event_time="request_ts")
    strict = get_historical_features(local_cat, req, ["fs.c:clicks"], event_time="request_ts",
                                     filter_by_created_time=True)
    assert plain.column("clicks").to_pylist() == [2]
    assert strict.column("clicks").to_pylist() == [1]


def test_entity_frames_from_pandas_keep_order_and_columns(local_cat) -> None:
    local_cat.create_namespace("fs")
    build(local_cat, random.Random(5))
    import pandas as pd

    df = pd.DataFrame({"request_ts": [T0 + timedelta(hours=40), T0 + timedelta(hours=10)],
                       "user_id": [2, 1], "label": [True, False]})
    out = get_historical_features(local_cat, df, ["fs.profile:tier"], event_time="request_ts")
    assert out.column_names == ["request_ts", "user_id", "label", "tier"]
    assert out.column("user_id").to_pylist() == [2, 1]


def test_features_in_range_without_an_entity_frame(local_cat) -> None:
    local_cat.create_namespace("fs")
    clicks, _, _ = build(local_cat, random.Random(8))
    out = get_features_in_range(local_cat, ["fs.clicks:clicks"], start=T0,
                                end=T0 + timedelta(hours=24))
    rows = clicks.to_arrow(where="ts < '2024-01-02T00:00:00+00:00'")
    assert out.num_rows == len({(r["user_id"], r["ts"]) for r in rows.to_pylist()})
    assert all(T0 <= r["event_timestamp"] < T0 + timedelta(hours=24) for r in out.to_pylist())


def test_bad_feature_references_and_frames_raise(local_cat) -> None:
    local_cat.create_namespace("fs")
    build(local_cat, random.Random(1))
    good = pa.table({"user_id": [1], "request_ts": [T0]})
    with pytest.raises(tf.ValidationError, match="ns.table:feature"):
        get_historical_features(local_cat, good, ["clicks"], event_time="request_ts")
    with pytest.raises(tf.ValidationError, match="no feature"):
        get_historical_features(local_cat, good, ["fs.clicks:nope"], event_time="request_ts")
    with pytest.raises(tf.ValidationError, match="request-time column"):
        get_historical_features(local_cat, good, ["fs.clicks:clicks"], event_time="when")
    with pytest.raises(tf.ValidationError, match="entity column"):
        get_historical_features(local_cat, pa.table({"request_ts": [T0]}), ["fs.clicks:clicks"],
                                event_time="request_ts")
    with pytest.raises(tf.ValidationError, match="must be a timestamp"):
        local_cat.create_feature_table("fs.bad", entities=["user_id"], event_time="tier",
                                       schema=PROFILE)


def test_registry_lists_and_describes_feature_tables(cat) -> None:
    cat.create_namespace("fs")
    clicks, profile, _ = build(cat, random.Random(2))
    cat.create_table("fs.plain", pa.schema([("x", pa.int64())]))
    assert cat.list_feature_tables() == ["fs.clicks", "fs.profile"]
    d = cat.load_table("fs.clicks").describe()
    assert d["entities"] == ["user_id"] and d["ttl_seconds"] == 30 * 3600
    assert d["features"] == {"clicks": "long", "spend": "double"}
    assert d["rows"] == clicks.to_arrow().num_rows and d["owner"] == "ml"
    assert d["newest_event_time"] == max(r["ts"] for r in clicks.to_arrow().to_pylist())


def test_online_reads_return_the_latest_values_and_nulls_for_unknown_entities(cat) -> None:
    cat.create_namespace("fs")
    clicks, _, log = build(cat, random.Random(4))
    first = clicks.materialize()
    assert first["incremental"] is False
    got = clicks.get_online_features([{"user_id": u} for u in [3, 0, 42]],
                                     features=["clicks"]).to_pylist()

    def latest(u):
        rows = [r for r in log["clicks"] if r[0] == u]
        return max(rows, key=lambda r: (r[1], r[2], r[5]))[3] if rows else None

    assert [g["clicks"] for g in got] == [latest(3), latest(0), None]
    # Appends after the last run are folded in incrementally.
    clicks.append(pa.table({"user_id": [3], "ts": [T0 + timedelta(days=30)],
                            "created": [T0 + timedelta(days=30)], "clicks": [12345],
                            "spend": [1.0]}, schema=CLICKS))
    second = clicks.materialize()
    assert second["incremental"] is True
    assert clicks.get_online_features([{"user_id": 3}]).column("clicks").to_pylist() == [12345]
    # A delete forces a full rebuild.
    clicks.delete("user_id = 3")
    assert clicks.materialize()["incremental"] is False
    assert clicks.get_online_features([{"user_id": 3}]).column("clicks").to_pylist() == [None]


def test_historical_features_on_every_catalog_match_the_reference(cat) -> None:
    # On S3 the rows are read through Arrow; locally DuckDB reads the Parquet files itself.
    cat.create_namespace("fs")
    rng = random.Random(42)
    _, _, log = build(cat, rng)
    entity_rows = [(rng.randrange(8), T0 + timedelta(hours=rng.randrange(-12, 90, 3)))
                   for _ in range(40)]
    entity_df = pa.table({"user_id": [u for u, _ in entity_rows],
                          "request_ts": [t for _, t in entity_rows]})
    got = get_historical_features(cat, entity_df, ["fs.clicks:clicks", "fs.clicks:spend",
                                                   "fs.profile:tier"],
                                  event_time="request_ts").to_pylist()
    assert got == reference(log, entity_rows)
