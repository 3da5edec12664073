"""Column encodings of written data files: dictionaries only where values repeat, integer
and string columns of unique values delta-encoded, and every reader still reads the rows."""

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


def test_unique_columns_get_no_dictionary_and_unique_integers_and_strings_are_delta_encoded(
        ) -> None:
    rows = sample_rows()
    chosen = choose_encodings(rows, schema_from_arrow(rows.schema))
    assert chosen.dictionary == ["kind", "tags.list.element"]
    assert chosen.column_encoding == {"id": "DELTA_BINARY_PACKED", "ts": "DELTA_BINARY_PACKED",
                                      "hash": "DELTA_LENGTH_BYTE_ARRAY"}


def test_unique_binaries_are_length_delta_encoded_and_fixed_width_bytes_are_not() -> None:
    rng = np.random.default_rng(1)
    raw = [bytes(rng.integers(0, 256, 16, dtype=np.uint8)) for _ in range(N)]
    rows = pa.table({"b": pa.array(raw, pa.binary()), "f": pa.array(raw, pa.binary(16))})
    chosen = choose_encodings(rows, schema_from_arrow(rows.schema))
    assert chosen.column_encoding == {"b": "DELTA_LENGTH_BYTE_ARRAY"}
    assert chosen.dictionary == []


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
    assert "DELTA_LENGTH_BYTE_ARRAY" in got["hash"]
    for name in ("value", "hash"):
        assert "RLE_DICTIONARY" not in got[name] and "PLAIN_DICTIONARY" not in got[name]
    assert t.to_arrow().equals(rows)
    assert pyiceberg_catalog.load_table("db.enc").scan().to_arrow().equals(rows)
    theirs = duck.sql(f"SELECT * FROM iceberg_scan('{t.metadata_location}') ORDER BY id").arrow()
    assert pa.table(theirs).to_pylist() == rows.to_pylist()


def test_the_sample_of_a_chunked_column_is_the_same_evenly_spaced_values() -> None:
    from tablefmt.write.encoding import SAMPLE_ROWS, _sample

    values = pa.array(np.arange(N, dtype=np.int64))
    chunked = pa.chunked_array([values.slice(0, 7), values.slice(7, 9_000), values.slice(9_007)])
    got = _sample(chunked, N)
    assert len(got) == SAMPLE_ROWS
    assert got.to_pylist() == _sample(values, N).to_pylist()
    assert got.to_pylist() == np.linspace(0, N - 1, SAMPLE_ROWS, dtype=np.int64).tolist()
