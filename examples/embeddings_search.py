"""Embedding tables: store text with its vectors, search by meaning, filter, delete,
time travel and index — all on an Iceberg table other engines can read.

    python examples/embeddings_search.py [WAREHOUSE_DIR]

The vectors come from a tiny deterministic "hashing vectorizer" (words and character
trigrams hashed into 256 signed buckets), so the example needs no model download.
"""

from __future__ import annotations

import sys
import tempfile
import zlib

import numpy as np
import pyarrow as pa

import tablefmt as tf

DIM = 256

CORPUS = [
    ("databases", "Iceberg tables keep snapshots so you can time travel to an older version"),
    ("databases", "DuckDB runs analytical SQL queries on Parquet files in process"),
    ("databases", "A catalog swaps the metadata pointer atomically on every commit"),
    ("databases", "Compaction rewrites many small data files into fewer large ones"),
    ("databases", "Partition pruning skips files whose values cannot match the filter"),
    ("ml", "Embeddings map sentences to vectors so similar meanings are close together"),
    ("ml", "Nearest neighbour search finds the vectors closest to a query vector"),
    ("ml", "An IVF index clusters vectors with k-means and scans only the nearest lists"),
    ("ml", "Product quantization compresses vectors into short codes of centroid ids"),
    ("ml", "Cosine similarity compares the angle between two embedding vectors"),
    ("cooking", "Knead the bread dough for ten minutes until it is smooth and elastic"),
    ("cooking", "Roast the vegetables in a hot oven with olive oil and salt"),
    ("cooking", "Simmer the tomato sauce slowly so the flavours come together"),
    ("cooking", "Whisk eggs and sugar until pale before folding in the flour"),
    ("travel", "The night train crosses the Alps and arrives in Milan at dawn"),
    ("travel", "Pack light: a carry-on bag is enough for a week of city walking"),
    ("travel", "The old town is best explored on foot early in the morning"),
    ("travel", "Book museum tickets online to skip the long queues at the entrance"),
]


def embed(texts: list[str]) -> np.ndarray:
    """Deterministic bag-of-features vectors: words and character trigrams, each hashed
    (crc32) to a bucket and a sign; rows scaled to unit length."""
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    for row, text in enumerate(texts):
        words = text.lower().replace(",", " ").replace(":", " ").split()
        grams = [w[i:i + 3] for w in words for i in range(max(1, len(w) - 2))]
        for feature in words + grams:
            h = zlib.crc32(feature.encode())
            out[row, h % DIM] += 1.0 if (h >> 16) & 1 else -1.0
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def show(title: str, result: pa.Table) -> None:
    print(f"\n{title}")
    for r in result.select(["id", "topic", "text", "_distance"]).to_pylist():
        print(f"  {r['_distance']:.3f}  #{r['id']:<2} [{r['topic']}] {r['text']}")


def main(warehouse: str) -> None:
    cat = tf.connect(warehouse)
    cat.create_namespace("ml")
    docs = cat.create_embedding_table(
        "ml.docs", dim=DIM, metric="cosine", partition_by=["topic"],
        schema=pa.schema([("id", pa.int64()), ("topic", pa.string()), ("text", pa.string())]))
    topics, texts = zip(*CORPUS)
    first = docs.append({"id": list(range(len(CORPUS))), "topic": list(topics),
                         "text": list(texts), "embedding": embed(list(texts))})
    print(f"{docs}: {docs.to_arrow().num_rows} rows, vector column type "
          f"{docs.arrow_schema.field('embedding').type}")

    query = embed(["how do vector indexes find similar embeddings"])[0]
    show("Nearest 3 to 'how do vector indexes find similar embeddings':",
         docs.search(query, k=3))
    show("Same query, only topic = 'databases' (other partitions are never read):",
         docs.search(query, k=2, where="topic = 'databases'"))

    best = docs.search(query, k=1).column("id")[0].as_py()
    docs.delete(f"id = {best}")
    show(f"After deleting #{best}:", docs.search(query, k=3))
    show(f"Time travel to the first snapshot (#{best} is back):",
         docs.search(query, k=3, snapshot_id=first.snapshot_id))

    entry = docs.create_index(nlist=2)
    docs.append({"id": [100], "topic": ["ml"], "text": ["Vector indexes find similar "
                                                        "embeddings quickly"],
                 "embedding": embed(["vector indexes find similar embeddings quickly"])})
    show(f"With an {entry.kind} index (built before #100 was added; new rows are searched "
         "exactly):", docs.search(query, k=3))

    queries = embed(["knead the dough", "the night train to Milan"])
    batch = docs.search_batch(queries, k=1)
    print("\nBatch search, best match per query:")
    for r in batch.select(["_query", "id", "text"]).to_pylist():
        print(f"  query {r['_query']}: #{r['id']} {r['text']}")

    import duckdb

    con = duckdb.connect()
    docs.scan().to_duckdb(con, "docs")  # the vector arrives as a FLOAT[256] array
    nearest = con.execute(
        f"SELECT id, round(array_cosine_distance(embedding, ?::FLOAT[{DIM}]), 3) AS d "
        "FROM docs ORDER BY d LIMIT 3", [query.tolist()]).fetchall()
    print("\nDuckDB's array_cosine_distance on a scan of the table agrees:", nearest)
    cat.close()


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(sys.argv[1])
    else:
        with tempfile.TemporaryDirectory() as tmp:
            main(tmp)
