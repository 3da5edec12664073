"""Changing rows and columns: delete, update, upsert (merge), transactions and schema
evolution on a local warehouse. Every step is one atomic snapshot; old ones stay readable.

    python examples/row_operations.py [warehouse-dir]
"""

from __future__ import annotations

import sys
import tempfile

import pyarrow as pa
import pyarrow.compute as pc

import tablefmt as tf


def main(warehouse: str) -> None:
    cat = tf.connect(warehouse)
    if not cat.namespace_exists("shop"):
        cat.create_namespace("shop")
    schema = pa.schema([pa.field("order_id", pa.int64(), nullable=False),
                        ("status", pa.string()), ("country", pa.string()),
                        ("amount", pa.float64())])
    orders = cat.create_table("shop.orders", schema, partition_by=["country"], exist_ok=True)
    first = orders.append(pa.table({
        "order_id": [1, 2, 3, 4, 5], "status": ["open"] * 5,
        "country": ["fr", "de", "fr", "us", "de"], "amount": [10.0, 20.0, 30.0, 40.0, 50.0],
    }, schema=schema))
    print(f"appended 5 orders: snapshot {first.snapshot_id}")

    snap = orders.delete("country = 'us'")                 # a whole partition: no rewrite
    print(f"delete country = 'us': {snap.operation}, {snap.summary['total-records']} rows left")

    # The rows stay in their partition, so only `status` and `amount` are encoded anew;
    # the file's other columns are copied byte for byte into the rewritten file.
    snap = orders.update("order_id = 2", set={"status": "'shipped'",
                                              "amount": tf.col("amount") * 1.1})
    print(f"update order 2: {snap.summary.get('deleted-data-files')} file rewritten")

    changes = pa.table({"order_id": [3, 6], "status": ["cancelled", "open"],
                        "country": ["fr", "it"], "amount": [30.0, 60.0]}, schema=schema)
    snap = (orders.merge(changes, on=["order_id"])
            .when_matched_update_all().when_not_matched_insert_all().execute())
    print(f"merge 2 rows (1 update, 1 insert): {snap.summary['total-records']} rows")

    with orders.transaction() as tx:                       # one snapshot for both
        tx.delete("status = 'cancelled'")
        tx.append(pa.table({"order_id": [7], "status": ["open"], "country": ["fr"],
                            "amount": [70.0]}, schema=schema))

    orders.create_branch("audit")                          # write-audit-publish:
    orders.append(pa.table({"order_id": [8], "status": ["open"], "country": ["de"],
                            "amount": [80.0]}, schema=schema), branch="audit")
    audited = orders.to_arrow(ref="audit")                 # check it; main has no order 8 yet
    assert audited.filter(pc.field("amount") < 0).num_rows == 0
    published = orders.fast_forward("audit")               # main moves to the audited head
    print(f"published branch audit: main is now snapshot {published.snapshot_id}")

    with orders.update_schema() as u:                      # no data is rewritten
        u.add_column("coupon", pa.string())
        u.rename_column("amount", "total")
    print("\nnow:")
    for row in sorted(orders.to_arrow().to_pylist(), key=lambda r: r["order_id"]):
        print(f"  {row}")
    print(f"\nas of the first snapshot ({first.snapshot_id}): "
          f"{orders.to_arrow(snapshot_id=first.snapshot_id).num_rows} rows, "
          f"columns {orders.to_arrow(snapshot_id=first.snapshot_id).column_names}")
    print("\nhistory:")
    for h in orders.history().to_pylist():
        print(f"  {h['snapshot_id']:>20}  {h['operation']:<9}  total {h['total_records']}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp())
