"""Container files assembled from cached record bytes read back with fastavro exactly,
header metadata and the field ids in `avro.schema` included."""

from __future__ import annotations

import io
import json

import fastavro
from hypothesis import given
from hypothesis import strategies as st

from tablefmt.metadata.avro_container import _long, container, encode_record

SCHEMA = {"type": "record", "name": "r", "fields": [
    {"name": "a", "type": "long", "field-id": 1},
    {"name": "b", "type": ["null", "string"], "default": None, "field-id": 2}]}
PARSED = fastavro.parse_schema(SCHEMA)


@given(st.lists(st.tuples(st.integers(-(2**63), 2**63 - 1), st.none() | st.text()), max_size=50))
def test_records_round_trip_through_fastavro(rows) -> None:
    records = [{"a": a, "b": b} for a, b in rows]
    data = container(SCHEMA, {"k": "v", "format-version": "2"},
                     [encode_record(PARSED, r) for r in records])
    reader = fastavro.reader(io.BytesIO(data))
    assert list(reader) == records
    assert reader.metadata["k"] == "v" and reader.metadata["avro.codec"] == "deflate"
    fields = json.loads(reader.metadata["avro.schema"])["fields"]
    assert [f["field-id"] for f in fields] == [1, 2]


@given(st.integers(-(2**63), 2**63 - 1))
def test_long_matches_fastavro_encoding(n: int) -> None:
    buf = io.BytesIO()
    fastavro.schemaless_writer(buf, "long", n)
    assert _long(n) == buf.getvalue()


def test_a_manifest_changed_after_encoding_is_encoded_again() -> None:
    from dataclasses import replace

    from tablefmt.metadata.data_file import Content, ManifestFile
    from tablefmt.metadata.manifest_list import read_manifest_list, write_manifest_list

    m = ManifestFile("s3://b/m.avro", 10, 0, Content.DATA, -1, -1, 7, 1, 0, 0, 5, 0, 0)
    write_manifest_list([m], 7, None, 1)  # caches m's record bytes
    assigned = replace(m, sequence_number=3, min_sequence_number=3)
    assigned.extra.update(m.extra)  # as the snapshot producer does
    (back,) = read_manifest_list(write_manifest_list([assigned], 7, None, 3))
    assert (back.sequence_number, back.min_sequence_number) == (3, 3)
    (again,) = read_manifest_list(write_manifest_list([m], 7, None, 1))
    assert again.sequence_number == -1
