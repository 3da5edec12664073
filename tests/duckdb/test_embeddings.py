"""Embedding tables in SQL: the vector column, stored as an Iceberg list<float>, shows in
DuckDB as a fixed-size FLOAT[dim] array (as the table's scans show it in Arrow), in the
catalog views and in registered scans alike."""

from __future__ import annotations

import duckdb
import numpy as np

import tablefmt as tf
from tests.embeddings._data import clustered, make_table, rows_table


def test_vectors_are_fixed_size_arrays_in_views_and_registered_scans(local_cat) -> None:
    x, _ = clustered(20, 4, clusters=2, queries=1, seed=1)
    table = make_table(local_cat, dim=4)
    table.append(rows_table(x))
    con = duckdb.connect()
    tf.duckdb.register_scan(con, local_cat.load_table(table.name).scan(), "docs")
    query = ("SELECT id, array_distance(embedding, [0, 0, 0, 0]::FLOAT[4]) AS d FROM {} "
             "ORDER BY id")  # a FLOAT[] would not type-check
    rows = con.sql(query.format("docs")).fetchall()
    np.testing.assert_allclose([r[1] for r in rows], np.linalg.norm(x, axis=1), rtol=1e-5)
    with tf.duckdb.connect(local_cat) as tcon:
        assert tcon.sql(query.format(table.name)).fetchall() == rows
