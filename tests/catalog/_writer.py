"""A writer process for the concurrency and crash tests: appends rows one commit at a
time and prints each committed snapshot id (flushed), so a killed run's log is exact."""

from __future__ import annotations

import json
import sys

import pyarrow as pa

import tablefmt as tf


def main() -> None:
    spec = json.loads(sys.argv[1])
    cat = tf.connect(spec["warehouse"], catalog=spec.get("catalog"),
                     storage_options=spec.get("storage_options"))
    t = cat.load_table(spec["table"])
    op = spec.get("op", "append")
    for i in range(spec["count"]):
        row_id = spec["writer"] * 1000 + i
        data = pa.table({"id": [row_id], "writer": [spec["writer"]]},
                        schema=pa.schema([pa.field("id", pa.int64(), nullable=False),
                                          ("writer", pa.int64())]))
        if op == "append":
            snap = t.append(data)
        else:
            snap = t.overwrite(data, where=f"writer = {spec['writer']}")
        print(json.dumps({"row": row_id, "snapshot": snap.snapshot_id}), flush=True)


if __name__ == "__main__":
    main()
