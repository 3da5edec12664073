"""Column encodings of written data files: dictionaries only where values repeat, integer
columns of unique values delta-encoded, and every reader still reads the rows."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tablefmt.arrow_schema import schema_from_arrow
from tablefmt.write.encoding import choose_encodings

N = 20_000


def sample_rows() -> pa.Table:
    rng = np.random.default_rng(0)
    return pa.table({
        "id": pa.array(np.arange(N, dtype=np.int64)),
        "ts": pa.array(np.arange(N, dtype=np.int64) * 1000).cast(pa.timestamp("us", tz="UTC")),
        "kind": pa.array([f"k{i % 7}" for i in range(N)]),
        "value": pa.array(rng.standard_normal(N)),
        "hash": pa.array([f"{i:032x}" for i in rng.integers(0, 2**62, N)]),
        "tags": pa.array([[f"t{i % 3}"] for i in range(N)]),
    })


def encodings_of(path: str) -> dict[str, tuple[str, ...]]:
    meta = pq.read_metadata(path)
    group = meta.row_group(0)
    return {group.column(i).path_in_schema: group.column(i).encodings
            for i in range(meta.num_columns)}


def test_unique_columns_get_no_dictionary_and_unique_integers_are_delta_encoded() -> None:
    rows = sample_rows()
    chosen = choose_encodings(rows, schema_from_arrow(rows.schema))
    assert chosen.dictionary == ["kind", "tags.list.element"]
    assert chosen.column_encoding == {"id": "DELTA_BINARY_PACKED", "ts": "DELTA_BINARY_PACKED"}


def test_a_column_repeating_within_the_sample_keeps_its_dictionary() -> None:
    few = pa.table({"n": pa.array(np.arange(N, dtype=np.int64) % 3000)})
    assert choose_encodings(few, schema_from_arrow(few.schema)).dictionary == ["n"]


@pytest.mark.interop
def test_written_files_carry_the_chosen_encodings_and_every_reader_reads_them(
        local_cat, pyiceberg_catalog, duck) -> None:
    rows = sample_rows()
    t = local_cat.create_table("db.enc", rows.schema)
    t.append(rows)
    (task,) = t.scan().plan_files()
    got = encodings_of(task.file_path.removeprefix("file://"))
    assert "RLE_DICTIONARY" in got["kind"] and "RLE_DICTIONARY" in got["tags.list.element"]
    assert "DELTA_BINARY_PACKED" in got["id"] and "DELTA_BINARY_PACKED" in got["ts"]
    for name in ("value", "hash"):
        assert "RLE_DICTIONARY" not in got[name] and "PLAIN_DICTIONARY" not in got[name]
    assert t.to_arrow().equals(rows)
    assert pyiceberg_catalog.load_table("db.enc").scan().to_arrow().equals(rows)
    theirs = duck.sql(f"SELECT * FROM iceberg_scan('{t.metadata_location}') ORDER BY id").arrow()
    assert pa.table(theirs).to_pylist() == rows.to_pylist()
