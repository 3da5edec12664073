"""The point-in-time join's mechanics: every tie-break key form against the brute-force
reference, rows without a request time or key, and entity columns passed through as
they came."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pyarrow as pa
import pytest

from tablefmt.features import asof, get_historical_features, reading
from tests.features.test_historical import T0, build, reference

FEATURES = ["fs.clicks:clicks", "fs.clicks:spend", "fs.profile:tier"]


def _requests(rng: random.Random, n: int) -> list[tuple[int, object]]:
    return [(rng.randrange(8), T0 + timedelta(hours=rng.randrange(-12, 90, 3)))
            for _ in range(n)]


@pytest.mark.parametrize("seed", range(3))
def test_struct_keys_for_many_commits_match_the_reference(local_cat, monkeypatch,
                                                          seed) -> None:
    # Past the BIGINT key's commit limit the key is a struct (event, created, commit).
    monkeypatch.setattr(asof, "_RANK_LIMIT", 1)
    local_cat.create_namespace("fs")
    rng = random.Random(100 + seed)
    _, _, log = build(local_cat, rng)
    rows = _requests(rng, 80)
    entity_df = pa.table({"user_id": [u for u, _ in rows], "request_ts": [t for _, t in rows]})
    got = get_historical_features(local_cat, entity_df, FEATURES, event_time="request_ts")
    assert got.to_pylist() == reference(log, rows)


@pytest.mark.parametrize("filter_by_created_time", [False, True])
def test_rows_without_a_request_time_or_key_get_no_features(local_cat,
                                                            filter_by_created_time) -> None:
    local_cat.create_namespace("fs")
    _, _, log = build(local_cat, random.Random(7))
    times = [T0 + timedelta(hours=60), None, T0 + timedelta(hours=60)]
    entity_df = pa.table({"user_id": pa.array([1, 1, None], pa.int64()),
                          "request_ts": pa.array(times, pa.timestamp("us", tz="UTC"))})
    got = get_historical_features(local_cat, entity_df, FEATURES, event_time="request_ts",
                                  filter_by_created_time=filter_by_created_time).to_pylist()
    assert [g["tier"] for g in got[1:]] == [None, None]
    assert [g["clicks"] for g in got[1:]] == [None, None]
    if not filter_by_created_time:
        assert got[0] == reference(log, [(1, times[0])])[0]


def test_entity_columns_pass_through_unchanged(local_cat) -> None:
    local_cat.create_namespace("fs")
    build(local_cat, random.Random(9))
    rows = _requests(random.Random(9), 50)
    table = pa.table({
        "label": pa.array([str(i) for i in range(50)], pa.large_string()),
        "user_id": pa.array([u for u, _ in rows], pa.int32()),
        "request_ts": pa.array([t for _, t in rows], pa.timestamp("ns", tz="UTC")),
        "kind": pa.array(["a", "b"] * 25).dictionary_encode(),
    })
    chunked = pa.concat_tables([table.slice(0, 17), table.slice(17)])  # two batches
    got = get_historical_features(local_cat, chunked, ["fs.profile:tier"],
                                  event_time="request_ts")
    assert got.select(table.column_names).equals(table)
    assert got.schema.field("tier").type == pa.string()


@pytest.mark.parametrize("worth", [-1.0, 2.0])  # always / never filter rows in DuckDB
def test_answers_do_not_depend_on_filtering_rows_by_the_window(local_cat, monkeypatch,
                                                               worth) -> None:
    monkeypatch.setattr(reading, "_FILTER_WORTH", worth)
    local_cat.create_namespace("fs")
    rng = random.Random(21)
    _, _, log = build(local_cat, rng)
    rows = [(u, T0 + timedelta(hours=h)) for u, h in zip(range(6), (20, 30, 40, 50, 60, 36))]
    entity_df = pa.table({"user_id": [u for u, _ in rows], "request_ts": [t for _, t in rows]})
    got = get_historical_features(local_cat, entity_df, FEATURES, event_time="request_ts")
    assert got.to_pylist() == reference(log, rows)


def test_rows_are_filtered_by_the_window_only_when_it_drops_many(local_cat) -> None:
    local_cat.create_namespace("fs")
    clicks, _, _ = build(local_cat, random.Random(13))  # event times over 72 hours
    sid = clicks.current_snapshot().snapshot_id

    def row_filter(first: int, last: int) -> reading.Window | None:
        times = pa.table({"t": [T0 + timedelta(hours=first), T0 + timedelta(hours=last)]})
        window = reading.request_window(times, "t", clicks.spec.ttl, pa.timestamp("us"))
        return reading.plan_read(clicks, sid, ["clicks"], window).row_filter

    assert row_filter(40, 41) is not None  # a 31-hour window of 72 hours
    assert row_filter(29, 90) is None  # the window covers every row


def test_feature_rows_without_an_event_time_never_match(local_cat, monkeypatch) -> None:
    monkeypatch.setattr(reading, "_FILTER_WORTH", 2.0)  # keep them in the join
    local_cat.create_namespace("fs")
    schema = pa.schema([pa.field("user_id", pa.int64(), nullable=False),
                        ("ts", pa.timestamp("us", tz="UTC")), ("v", pa.int64())])
    t = local_cat.create_feature_table("fs.n", entities=["user_id"], event_time="ts",
                                       schema=schema)
    t.append(pa.table({"user_id": [1, 1, 2], "ts": [T0, None, None], "v": [1, 2, 3]},
                      schema=schema))
    t.append(pa.table({"user_id": [1], "ts": [None], "v": [4]}, schema=schema))
    req = pa.table({"user_id": [1, 2], "request_ts": [T0 + timedelta(hours=1)] * 2})
    got = get_historical_features(local_cat, req, ["fs.n:v"], event_time="request_ts")
    assert got.column("v").to_pylist() == [1, None]


def test_concurrent_calls_get_their_own_answers(local_cat) -> None:
    local_cat.create_namespace("fs")
    rng = random.Random(31)
    _, _, log = build(local_cat, rng)
    frames = [_requests(rng, 40) for _ in range(6)]

    def run(rows: list[tuple[int, object]]) -> list[dict[str, object]]:
        entity_df = pa.table({"user_id": [u for u, _ in rows],
                              "request_ts": [t for _, t in rows]})
        out = get_historical_features(local_cat, entity_df, FEATURES, event_time="request_ts")
        return out.to_pylist()

    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(run, frames))
    assert results == [reference(log, rows) for rows in frames]
