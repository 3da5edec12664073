"""DuckDB SQL over tablefmt tables, in a temporary warehouse.

Every table of the catalog is a DuckDB view `namespace.table` that follows new commits;
`tf.duckdb.register` pins one version under a name; a query's result can be appended to a
table or become a new one.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta

import pyarrow as pa

import tablefmt as tf
import tablefmt.duckdb  # noqa: F401  (tf.duckdb)


def events(start: int, n: int) -> pa.Table:
    t0 = datetime(2024, 3, 1, tzinfo=UTC)
    regions = ["eu", "us", "apac"]
    return pa.table({"id": list(range(start, start + n)),
                     "region": [regions[i % 3] for i in range(start, start + n)],
                     "ts": [t0 + timedelta(hours=i) for i in range(start, start + n)],
                     "amount": [round(i * 1.25, 2) for i in range(start, start + n)]})


def main(warehouse: str) -> None:
    cat = tf.connect(warehouse)
    cat.create_namespace("db")
    t = cat.create_table("db.events", events(0, 1).schema, partition_by=["region"])
    first = t.append(events(0, 100))

    with tf.duckdb.connect(cat) as con:
        query = ("SELECT region, count(*) AS n, round(sum(amount), 2) AS total "
                 "FROM db.events WHERE ts >= TIMESTAMPTZ '2024-03-02 00:00:00+00' "
                 "GROUP BY region ORDER BY region")
        print("per region, from March 2nd:")
        print(con.sql(query))

        t.append(events(100, 50))  # a new commit: the next query sees it
        print("rows now:", con.sql("SELECT count(*) FROM db.events").fetchone()[0])

        # A fixed version under a name: the first snapshot, only the eu partition.
        tf.duckdb.register(con, t, "eu_v1", snapshot_id=first.snapshot_id,
                           where="region = 'eu'")
        print("eu rows in the first snapshot:",
              con.sql("SELECT count(*) FROM eu_v1").fetchone()[0])

        # Query results are data: a new table from a query, then an append from SQL.
        daily = tf.duckdb.create_table_as(
            con, cat, "db.daily",
            "SELECT CAST(ts AS DATE) AS day, region, sum(amount) AS total "
            "FROM db.events GROUP BY ALL", partition_by=["region"])
        daily.append(con.sql("SELECT DATE '2024-04-01' AS day, 'eu' AS region, 0.0::DOUBLE AS total"))
        print("db.daily:")
        print(con.sql("SELECT region, count(*) AS days, round(sum(total), 2) AS total "
                      "FROM db.daily GROUP BY ALL ORDER BY region"))
    cat.close()


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        main(f"{tmp}/warehouse")
