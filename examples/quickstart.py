"""The tablefmt quickstart: what `make demo` runs.

Creates a warehouse in a local folder, a partitioned table, appends twice, queries with a
filter, travels back in time, shows the history, and prints where the files are.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime, timedelta

import pyarrow as pa

import tablefmt as tf


def main(warehouse: str) -> None:
    cat = tf.connect(warehouse)
    print(f"warehouse: {cat.warehouse}")
    if not cat.namespace_exists("demo"):
        cat.create_namespace("demo")
    schema = pa.schema([("id", pa.int64()), ("region", pa.string()),
                        ("ts", pa.timestamp("us", tz="UTC")), ("amount", pa.float64())])
    events = cat.create_table("demo.events", schema, partition_by=["region"], exist_ok=True)
    print(f"created {events.name} at {events.location}, partitioned by region")

    start = datetime(2024, 3, 1, tzinfo=UTC)
    first = pa.table({
        "id": list(range(6)),
        "region": ["eu", "us", "eu", "apac", "us", "eu"],
        "ts": [start + timedelta(hours=i) for i in range(6)],
        "amount": [10.0, 20.5, 7.25, 99.0, 3.5, 42.0],
    }, schema=schema)
    s1 = events.append(first)
    print(f"append #1: snapshot {s1.snapshot_id}, {s1.summary['added-records']} rows in "
          f"{s1.summary['added-data-files']} files")
    second = pa.table({
        "id": [6, 7, 8], "region": ["us", "eu", "latam"],
        "ts": [start + timedelta(days=1, hours=i) for i in range(3)],
        "amount": [11.0, 12.0, 13.0],
    }, schema=schema)
    s2 = events.append(second)
    print(f"append #2: snapshot {s2.snapshot_id}, table now has "
          f"{s2.summary['total-records']} rows")

    eu = events.to_arrow(where="region = 'eu' AND amount > 8", columns=["id", "amount"])
    print(f"\nquery region = 'eu' AND amount > 8 -> {eu.num_rows} rows: {eu.to_pylist()}")
    print(events.scan(where=tf.col("region") == "eu").explain())

    old = events.to_arrow(snapshot_id=s1.snapshot_id)
    print(f"\ntime travel to snapshot {s1.snapshot_id}: {old.num_rows} rows "
          f"(now: {events.to_arrow().num_rows})")

    print("\nhistory:")
    for row in events.history().to_pylist():
        print(f"  {row['timestamp']:%Y-%m-%d %H:%M:%S}  {row['snapshot_id']:>20}  "
              f"{row['operation']:<9} +{row['added_records']} rows, total {row['total_records']}")

    print(f"\nmetadata file: {events.metadata_location}")
    print("data files:")
    for task in events.scan().plan_files():
        print(f"  {task.file_path}  ({task.record_count} rows, {task.file_size_in_bytes} bytes)")
    print("\nInspect it from the shell too:")
    print(f"  tablefmt --warehouse {warehouse} snapshots demo.events")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("TABLEFMT_WAREHOUSE", "warehouse"))
