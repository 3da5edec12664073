"""The Thrift compact codec: pyarrow-written Parquet footers decode and re-encode byte for
byte, decoded fields match pyarrow's metadata, edits survive a round trip (and pyarrow reads
them), random structs round trip, and malformed input raises ValueError."""

from __future__ import annotations

import datetime as dt
import struct
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tablefmt.write import thrift_compact as tc
from tablefmt.write.thrift_compact import Struct, ThriftList, ThriftMap, Value, decode_struct, encode_struct

# parquet.thrift field ids used below.
FMD_NUM_ROWS, FMD_ROW_GROUPS, FMD_KV, FMD_CREATED_BY = 3, 4, 5, 6
RG_COLUMNS, RG_NUM_ROWS = 1, 3
CC_META, CMD_DATA_PAGE_OFFSET = 3, 9


def sample_table(n: int = 40) -> pa.Table:
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    table = pa.table({
        "id": pa.array([i if i % 7 else None for i in range(n)], pa.int64()),
        "name": pa.array([f"name-{i % 5}" if i % 3 else None for i in range(n)]),
        "value": pa.array([i * 0.5 if i % 4 else None for i in range(n)], pa.float64()),
        "ts": pa.array([start + dt.timedelta(seconds=i) for i in range(n)], pa.timestamp("us", "UTC")),
        "tags": pa.array([[f"t{i % 3}", "x"] if i % 5 else None for i in range(n)], pa.list_(pa.string())),
        "point": pa.array([{"x": i, "y": f"{i}"} if i % 6 else None for i in range(n)],
                          pa.struct([("x", pa.int32()), ("y", pa.string())])),
        "flag": pa.array([i % 2 == 0 for i in range(n)]),
    })
    return table.replace_schema_metadata({"owner": "tablefmt", "note": "é" * 20})


WRITE_OPTIONS: dict[str, dict[str, Any]] = {
    "zstd": {"compression": "zstd"},
    "snappy-no-stats": {"compression": "snappy", "write_statistics": False},
    "zstd-page-index": {"compression": "zstd", "write_page_index": True},
    "snappy-page-index-many-groups": {"compression": "snappy", "write_page_index": True,
                                      "row_group_size": 7, "data_page_size": 64},
    "plain-some-stats-sorted": {"compression": "none", "use_dictionary": False,
                                "write_statistics": ["id", "value"],
                                "sorting_columns": [pq.SortingColumn(0)]},
}


def read_footer(path: Path) -> bytes:
    data = path.read_bytes()
    assert data[-4:] == b"PAR1"
    (length,) = struct.unpack("<I", data[-8:-4])
    return data[-8 - length:-8]


def replace_footer(path: Path, footer: bytes) -> None:
    data = path.read_bytes()
    (length,) = struct.unpack("<I", data[-8:-4])
    path.write_bytes(data[:-8 - length] + footer + struct.pack("<I", len(footer)) + b"PAR1")


@pytest.fixture(params=list(WRITE_OPTIONS), ids=list(WRITE_OPTIONS))
def parquet_file(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    path = tmp_path / "data.parquet"
    pq.write_table(sample_table(), path, **WRITE_OPTIONS[request.param])
    return path


def test_footer_round_trips_byte_exact(parquet_file: Path) -> None:
    footer = read_footer(parquet_file)
    meta, end = decode_struct(footer)
    assert end == len(footer)
    assert encode_struct(meta) == footer
    # A memoryview of the whole file with a start position works the same.
    data = parquet_file.read_bytes()
    start = len(data) - 8 - len(footer)
    again, end = decode_struct(memoryview(data), start)
    assert end == len(data) - 8
    assert again == meta


def test_footer_fields_match_pyarrow(parquet_file: Path) -> None:
    meta, _ = decode_struct(read_footer(parquet_file))
    expected = pq.read_metadata(parquet_file)
    assert meta.get(FMD_NUM_ROWS) == expected.num_rows == 40
    assert meta.fields[FMD_NUM_ROWS].type == tc.I64
    groups = meta.get_list(FMD_ROW_GROUPS)
    assert meta.fields[FMD_ROW_GROUPS].type == tc.LIST
    assert len(groups) == expected.num_row_groups
    for i, group in enumerate(groups):
        assert isinstance(group, Struct)
        assert group.get_int(RG_NUM_ROWS) == expected.row_group(i).num_rows
        chunks = group.get_list(RG_COLUMNS)
        assert len(chunks) == expected.row_group(i).num_columns
        for j, chunk in enumerate(chunks):
            assert isinstance(chunk, Struct)
            offset = chunk.get_struct(CC_META).get_int(CMD_DATA_PAGE_OFFSET)
            assert offset == expected.row_group(i).column(j).data_page_offset
    pairs = {}
    for kv in meta.get_list(FMD_KV):
        assert isinstance(kv, Struct)
        pairs[kv.get(1)] = kv.get(2)
    assert pairs[b"owner"] == b"tablefmt"
    assert pairs[b"note"] == ("é" * 20).encode()
    assert isinstance(meta.get(FMD_CREATED_BY), bytes)


def test_modify_and_reencode(parquet_file: Path) -> None:
    meta, _ = decode_struct(read_footer(parquet_file))
    group = meta.get_list(FMD_ROW_GROUPS)[0]
    assert isinstance(group, Struct)
    group.set(RG_NUM_ROWS, tc.I64, 123_456_789_012)
    meta.set(FMD_CREATED_BY, tc.BINARY, b"tablefmt thrift test")
    meta.set(900, tc.I32, -5)  # an unknown field, long header form
    meta.set(200, tc.BOOL_TRUE, False)
    again, _ = decode_struct(encode_struct(meta))
    assert again == meta
    assert again.get_list(FMD_ROW_GROUPS)[0] == group
    assert group.get(RG_NUM_ROWS) == 123_456_789_012
    assert again.get(FMD_CREATED_BY) == b"tablefmt thrift test"
    assert again.get(900) == -5 and again.fields[900].type == tc.I32
    assert again.get(200) is False and again.fields[200].type == tc.BOOL_FALSE
    assert list(again.fields) == sorted(again.fields)
    # Removing the unknown fields gives the original footer back, except for the edits.
    again.remove(900)
    again.remove(200)
    again.remove(12345)  # absent: no error
    assert not again.has(900) and again.has(FMD_CREATED_BY)
    # pyarrow reads the edited footer spliced into the file.
    replace_footer(parquet_file, encode_struct(again))
    read = pq.read_metadata(parquet_file)
    assert read.row_group(0).num_rows == 123_456_789_012
    assert read.created_by == "tablefmt thrift test"


def test_struct_helpers() -> None:
    s = Struct()
    s.set_i64(20, 7)
    s.set(3, tc.STRUCT, Struct())
    s.set(1, tc.LIST, ThriftList(tc.I32, [1, 2]))
    s.set(2, tc.BINARY, b"x")
    assert list(s.fields) == [1, 2, 3, 20]
    assert s.get(20) == 7 and s.get(99) is None and s.get(99, 5) == 5
    assert s.get_int(20) == 7 and s.get_int(99) is None
    assert s.get_list(1) == [1, 2]
    assert s.get_struct(3) == Struct()
    s.set_i64(20, 8)
    assert s.fields[20] == tc.Field(20, tc.I64, 8)
    with pytest.raises(ValueError):
        s.get_int(2)
    with pytest.raises(ValueError):
        s.get_struct(1)
    with pytest.raises(ValueError):
        s.get_list(20)
    with pytest.raises(ValueError):
        s.set(4, 13, 0)


def test_known_encodings() -> None:
    s = Struct()
    s.set(1, tc.I16, -1)                      # short header, zigzag 1
    s.set(2, tc.BOOL_TRUE, True)              # value in the header
    s.set(3, tc.BYTE, -2)                     # raw signed byte
    s.set(4, tc.DOUBLE, 1.5)
    s.set(5, tc.LIST, ThriftList(tc.BOOL_TRUE, [1, 2]))
    s.set(6, tc.MAP, ThriftMap(tc.BINARY, tc.I32, [(b"k", 3)]))
    s.set(7, tc.SET, ThriftList(tc.I64, list(range(15))))
    s.set(8, tc.MAP, ThriftMap(0, 0, []))
    s.set(30, tc.I64, 1)                      # delta 22: long header
    encoded = encode_struct(s)
    assert encoded == (b"\x14\x01" b"\x11" b"\x13\xfe" b"\x17" + struct.pack("<d", 1.5)
                       + b"\x19\x21\x01\x02" b"\x1b\x01\x85\x01k\x06"
                       + b"\x1a\xf6\x0f" + bytes(2 * i for i in range(15))
                       + b"\x1b\x00" b"\x06\x3c\x02" b"\x00")
    decoded, end = decode_struct(encoded)
    assert end == len(encoded) and decoded == s


# Random generic structs ------------------------------------------------------------------

I64_EXTREMES = [-2**63, 2**63 - 1, -2**63 + 1, 2**63 - 2, -1, 0, 1]
LEAVES: dict[int, st.SearchStrategy[Any]] = {
    tc.BYTE: st.integers(-128, 127),
    tc.I16: st.integers(-2**15, 2**15 - 1),
    tc.I32: st.integers(-2**31, 2**31 - 1),
    tc.I64: st.one_of(st.sampled_from(I64_EXTREMES), st.integers(-2**63, 2**63 - 1)),
    tc.DOUBLE: st.floats(allow_nan=False),
    tc.BINARY: st.binary(max_size=20),
}
ELEMENTS: dict[int, st.SearchStrategy[Any]] = {**LEAVES, tc.BOOL_TRUE: st.sampled_from([1, 2])}
FIELD_IDS = st.one_of(st.integers(-2**15, 2**15 - 1), st.integers(0, 40),
                      st.sampled_from([0, 1, 15, 16, 17, 31, 32767, -1, -32768]))

leaf_fields = st.one_of(
    [s.map(lambda v, t=t: (t, v)) for t, s in LEAVES.items()]
    + [st.booleans().map(lambda b: (tc.BOOL_TRUE if b else tc.BOOL_FALSE, b))])
leaf_lists = st.sampled_from(sorted(ELEMENTS)).flatmap(
    lambda et: st.lists(ELEMENTS[et], max_size=20).map(lambda vs: ThriftList(et, vs)))


def make_struct(fields: dict[int, tuple[int, Value]]) -> Struct:
    s = Struct()
    for fid, (t, v) in fields.items():
        s.set(fid, t, v)
    return s


def extend(children: st.SearchStrategy[tuple[int, Value]]) -> st.SearchStrategy[tuple[int, Value]]:
    structs = st.dictionaries(FIELD_IDS, children, max_size=5).map(make_struct)
    lists = st.one_of(
        leaf_lists,
        st.lists(structs, max_size=17).map(lambda vs: ThriftList(tc.STRUCT, list(vs))),
        st.lists(leaf_lists, max_size=3).map(lambda vs: ThriftList(tc.LIST, list(vs))),
    )
    # An empty map carries no key/value types on the wire (it decodes with 0, 0): not empty here.
    maps = st.sampled_from(sorted(LEAVES)).flatmap(lambda kt: st.lists(
        st.tuples(LEAVES[kt], structs), min_size=1, max_size=4).map(
            lambda ps: ThriftMap(kt, tc.STRUCT, ps)))
    return st.one_of(structs.map(lambda s: (tc.STRUCT, s)), lists.map(lambda v: (tc.LIST, v)),
                     lists.map(lambda v: (tc.SET, v)), maps.map(lambda m: (tc.MAP, m)))


random_structs = st.dictionaries(
    FIELD_IDS, st.recursive(leaf_fields, extend, max_leaves=25), max_size=8).map(make_struct)


@settings(max_examples=150, deadline=None)
@given(random_structs)
def test_random_structs_round_trip(s: Struct) -> None:
    encoded = encode_struct(s)
    decoded, end = decode_struct(encoded)
    assert end == len(encoded)
    assert decoded == s
    assert encode_struct(decoded) == encoded
    # Decoding from an offset, with bytes after the struct, ends at the same place.
    decoded, end = decode_struct(b"junk" + encoded + b"more", 4)
    assert end == 4 + len(encoded) and decoded == s


# Malformed input -------------------------------------------------------------------------

def test_every_truncated_footer_raises(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    pq.write_table(sample_table(), path, write_page_index=True)
    footer = read_footer(path)
    for cut in range(len(footer)):
        with pytest.raises(ValueError):
            decode_struct(footer[:cut])


@pytest.mark.parametrize("data", [
    b"",                          # no STOP
    b"\x1d",                      # field type 13
    b"\x10",                      # field type 0 with a delta
    b"\x1f\x00",                  # field type 15
    b"\x19\x1e\x00",              # list of type 14
    b"\x1b\x01\xd8\x00",          # map key type 13
    b"\x16" + b"\xff" * 11,       # varint too long
    b"\x18\x05ab",                # binary shorter than its length
    b"\x17\x00\x00\x00",          # double cut short
    b"\x19\xf5\xff\xff\x7f\x01",  # list claims far more elements than there are bytes
    b"\x06\x80\x80\x04\x00\x00",  # field id beyond i16
    b"\x1c" * 200,                # nested too deeply
])
def test_malformed_input_raises(data: bytes) -> None:
    with pytest.raises(ValueError):
        decode_struct(data)


def test_position_past_end_raises() -> None:
    with pytest.raises(ValueError):
        decode_struct(b"\x00", 5)


@pytest.mark.parametrize(("type_code", "value"), [
    (tc.I32, 2**31), (tc.I16, -2**15 - 1), (tc.I64, 2**63), (tc.BYTE, 128),
    (tc.BINARY, "text"), (tc.LIST, [1, 2]), (tc.STRUCT, 5), (tc.DOUBLE, b"x"),
    (tc.LIST, ThriftList(13, [])),
])
def test_unencodable_values_raise(type_code: int, value: Any) -> None:
    s = Struct()
    s.set(1, type_code, value)
    with pytest.raises(ValueError):
        encode_struct(s)
