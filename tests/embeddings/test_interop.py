"""Other readers see an embedding table as an ordinary Iceberg table whose vector is a
list of floats: DuckDB's iceberg extension and PyIceberg read it (oracles, tests only);
a tablefmt scan handed to DuckDB arrives as a fixed-size ARRAY."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from tests.embeddings._data import clustered, make_table, rows_table

pytestmark = pytest.mark.interop


@pytest.fixture
def emb(local_cat):  # type: ignore[no-untyped-def]
    x, _ = clustered(50, 4, clusters=2, queries=1, seed=1)
    table = make_table(local_cat, dim=4)
    table.append(rows_table(x))
    table.delete("id >= 40")
    table.create_index(nlist=1)
    return table, x[:40]


def test_duckdb_iceberg_scan_reads_the_vector_as_a_float_list(emb, duck) -> None:
    table, x = emb
    rel = duck.sql(f"SELECT id, embedding FROM iceberg_scan('{table.metadata_location}') "
                   "ORDER BY id")
    assert rel.types[1] == "FLOAT[]"
    rows = rel.fetchall()
    assert [r[0] for r in rows] == list(range(40))
    np.testing.assert_array_equal(np.array([r[1] for r in rows], dtype=np.float32), x)


def test_pyiceberg_reads_the_embedding_table(emb, pyiceberg_catalog) -> None:
    table, x = emb
    got = pyiceberg_catalog.load_table("db.docs").scan().to_arrow().sort_by("id")
    assert pa.types.is_list(got.schema.field("embedding").type) or \
        pa.types.is_large_list(got.schema.field("embedding").type)
    assert got.column("id").to_pylist() == list(range(40))
    vectors = np.array(got.column("embedding").to_pylist(), dtype=np.float32)
    np.testing.assert_array_equal(vectors, x)


def test_a_scan_registered_in_duckdb_has_a_fixed_size_array(emb) -> None:
    import duckdb

    table, x = emb
    con = duckdb.connect()
    table.scan().to_duckdb(con, "docs")
    rows = con.sql("SELECT id, array_distance(embedding, [0, 0, 0, 0]::FLOAT[4]) AS d "
                   "FROM docs ORDER BY id").fetchall()  # a FLOAT[] would not type-check
    assert [r[0] for r in rows] == list(range(40))
    np.testing.assert_allclose([r[1] for r in rows], np.linalg.norm(x, axis=1), rtol=1e-5)
