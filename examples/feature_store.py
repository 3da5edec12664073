"""A feature store on tablefmt: define feature tables, build a point-in-time correct
training set, pin it to snapshots for reproducibility, and serve the latest values.

    python examples/feature_store.py [warehouse-dir]
"""

from __future__ import annotations

import json
import sys
import tempfile
from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa

import tablefmt as tf
from tablefmt.features import get_historical_features

T0 = datetime(2024, 3, 1, tzinfo=UTC)


def main(warehouse: str) -> None:
    cat = tf.connect(warehouse)
    if not cat.namespace_exists("fs"):
        cat.create_namespace("fs")
    schema = pa.schema([pa.field("user_id", pa.int64(), nullable=False),
                        ("ts", pa.timestamp("us", tz="UTC")),
                        ("clicks_7d", pa.int64()), ("spend_7d", pa.float64())])
    stats = cat.create_feature_table("fs.user_stats", entities=["user_id"], event_time="ts",
                                     schema=schema, ttl=timedelta(days=7), exist_ok=True,
                                     description="7-day activity per user", owner="growth")
    rng = np.random.default_rng(7)
    n = 2_000
    stats.append(pa.table({
        "user_id": rng.integers(0, 100, n),
        "ts": pa.array(T0.timestamp() * 1e6 + rng.integers(0, 30 * 86400, n) * 1e6,
                       pa.int64()).cast(pa.timestamp("us", tz="UTC")),
        "clicks_7d": rng.integers(0, 50, n), "spend_7d": rng.random(n) * 100}, schema=schema))
    print(json.dumps({k: str(v) for k, v in stats.describe().items()}, indent=1))

    labels = pa.table({"user_id": [1, 2, 3, 4],
                       "request_ts": [T0 + timedelta(days=d) for d in (3, 10, 20, 29)],
                       "churned": [False, True, False, True]})
    training = get_historical_features(cat, labels, ["fs.user_stats:clicks_7d",
                                                     "fs.user_stats:spend_7d"],
                                       event_time="request_ts")
    print("\ntraining set (features as of each request time, never later):")
    for row in training.to_pylist():
        print(f"  {row}")
    pinned = json.loads(training.schema.metadata[b"tablefmt.feature-snapshots"])
    print(f"snapshots used (pass as as_of_snapshot= to rebuild exactly): {pinned}")

    record = stats.materialize()
    print(f"\nmaterialized {record['rows']} entities at snapshot {record['snapshot_id']}")
    online = stats.get_online_features([{"user_id": 1}, {"user_id": 999}])
    print("online read:", online.to_pylist())


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp())
