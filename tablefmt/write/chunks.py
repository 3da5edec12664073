"""Parquet files put together from column chunks: a footer decoded with the compact
thrift codec (`thrift_compact.py`), where each chunk's bytes are, chunks moved to new
offsets, row group totals recomputed, and a table encoded by pyarrow into an in-memory
file whose chunks are then taken. Parquet page headers hold no absolute offsets, so a
column chunk can move as it is. Used by update splices (`splice.py`), compaction
(`stitch.py`) and the writer of files with natively encoded columns (`assembled.py`)."""

from __future__ import annotations

import struct
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from tablefmt.write import thrift_compact as tc
from tablefmt.write.encoding import Encodings

MAGIC = b"PAR1"
# FileMetaData: schema, row_groups.  RowGroup: columns, total_byte_size, num_rows,
# file_offset, total_compressed_size.  ColumnChunk: file_path, file_offset, meta_data, then
# the page-index, encryption fields.  ColumnMetaData: path_in_schema, total sizes, page
# offsets, bloom filter.  (parquet.thrift)
FMD_SCHEMA, FMD_NUM_ROWS, FMD_ROW_GROUPS, FMD_KEY_VALUE, FMD_CREATED_BY = 2, 3, 4, 5, 6
FMD_UNSUPPORTED = (8, 9)  # encryption algorithm, footer signing key (signed footers)
RG_COLUMNS, RG_TOTAL_BYTE_SIZE, RG_NUM_ROWS, RG_SORTING = 1, 2, 3, 4
RG_FILE_OFFSET, RG_TOTAL_COMPRESSED, RG_ORDINAL = 5, 6, 7
CC_FILE_PATH, CC_FILE_OFFSET, CC_META = 1, 2, 3
CC_UNSUPPORTED = (4, 5, 6, 7, 8, 9)  # offset/column index, crypto, encrypted metadata
CMD_TYPE, CMD_ENCODINGS, CMD_PATH, CMD_CODEC, CMD_NUM_VALUES = 1, 2, 3, 4, 5
CMD_UNCOMPRESSED, CMD_COMPRESSED = 6, 7
CMD_DATA_PAGE, CMD_INDEX_PAGE, CMD_DICT_PAGE, CMD_STATISTICS = 9, 10, 11, 12
CMD_UNSUPPORTED = (CMD_INDEX_PAGE, 14, 15)  # index page, bloom filter
SE_REPETITION, SE_NAME, SE_NUM_CHILDREN = 3, 4, 5
REQUIRED = 0  # FieldRepetitionType
# Parquet's Type, Encoding and CompressionCodec numbers, by pyarrow's names (a codec by the
# name pyarrow's writer takes; LZ4 is left out: pyarrow's footers name both LZ4s "LZ4").
PHYSICAL = {"BOOLEAN": 0, "INT32": 1, "INT64": 2, "FLOAT": 4, "DOUBLE": 5, "BYTE_ARRAY": 6}
ENCODINGS = {"PLAIN": 0, "PLAIN_DICTIONARY": 2, "RLE": 3, "BIT_PACKED": 4,
             "DELTA_BINARY_PACKED": 5, "DELTA_LENGTH_BYTE_ARRAY": 6, "DELTA_BYTE_ARRAY": 7,
             "RLE_DICTIONARY": 8, "BYTE_STREAM_SPLIT": 9}
CODEC_IDS = {"none": 0, "snappy": 1, "gzip": 2, "brotli": 4, "zstd": 6}


def footer_codec(codec: str) -> str:
    """How pyarrow's FileMetaData names codec `codec` (pyarrow's writer name)."""
    return "UNCOMPRESSED" if codec == "none" else codec.upper()


class Footer:
    """A decoded Parquet footer and where each column's chunks are."""

    def __init__(self, raw: bytes) -> None:
        self.meta, _ = tc.decode_struct(raw)
        self.groups = [as_struct(g) for g in self.meta.get_list(FMD_ROW_GROUPS)]
        self.elements = [as_struct(e) for e in self.meta.get_list(FMD_SCHEMA)[1:]]  # root first
        self.flat = all(not e.has(SE_NUM_CHILDREN) for e in self.elements)

    def chunks(self, g: tc.Struct) -> list[tc.Struct]:
        return [as_struct(c) for c in g.get_list(RG_COLUMNS)]

    def column(self, name: str) -> int | None:
        names = [e.get(SE_NAME) for e in self.elements]
        key = name.encode()
        return names.index(key) if names.count(key) == 1 else None

    def copyable(self) -> bool:
        """Whether the file's chunks can move: written by Arrow's Parquet writer (readers
        apply per-writer workarounds keyed on `created_by`, and the new chunks are
        Arrow's), flat, no encryption, page indexes, bloom filters or external chunks."""
        writer = self.meta.get(FMD_CREATED_BY)
        if not (isinstance(writer, bytes) and writer.startswith(b"parquet-cpp-arrow")):
            return False
        if not self.flat or any(self.meta.has(x) for x in FMD_UNSUPPORTED):
            return False
        return all(not any(cc.has(x) for x in (CC_FILE_PATH, *CC_UNSUPPORTED))
                   and not any(cc.get_struct(CC_META).has(x) for x in CMD_UNSUPPORTED)
                   for g in self.groups for cc in self.chunks(g))


def as_struct(v: tc.Value) -> tc.Struct:
    if not isinstance(v, tc.Struct):
        raise ValueError("malformed Parquet footer")
    return v


def req_int(s: tc.Struct, fid: int) -> int:
    v = s.get_int(fid)
    if v is None:
        raise ValueError(f"malformed Parquet footer: no field {fid}")
    return v


def span(cc: tc.Struct) -> tuple[int, int]:
    """(start, length) of a column chunk's bytes."""
    md = cc.get_struct(CC_META)
    start = req_int(md, CMD_DATA_PAGE)
    dictionary = md.get_int(CMD_DICT_PAGE)
    if dictionary is not None and 0 < dictionary < start:
        start = dictionary
    return start, req_int(md, CMD_COMPRESSED)


def moved(cc: tc.Struct, delta: int) -> tc.Struct:
    """The column chunk with its offsets moved by `delta` bytes (changed in place)."""
    md = cc.get_struct(CC_META)
    for s, fid in ((md, CMD_DATA_PAGE), (md, CMD_DICT_PAGE), (cc, CC_FILE_OFFSET)):
        at = s.get_int(fid)
        if at is not None and at > 0:  # 0 stands for "none" in some writers' footers
            s.set(fid, tc.I64, at + delta)
    return cc


def read_footer(f: Any, size: int) -> bytes:
    """The raw footer of the Parquet file `f` (`read_at` random access) of `size` bytes."""
    if size < 12:
        raise ValueError("not a Parquet file")
    end = f.read_at(8, size - 8)
    length, magic = struct.unpack("<I4s", end)
    if magic != MAGIC or length > size - 12:
        raise ValueError("not a Parquet file")
    return bytes(f.read_at(length, size - 8 - length))


def write_footer(sink: Any, meta: tc.Struct) -> tuple[pq.FileMetaData, int]:
    """Write the file's end — `meta` (FileMetaData), its length, b"PAR1" — to `sink`;
    the footer as pyarrow reads it (from the bytes in hand, not the written file) and
    the bytes written."""
    raw = tc.encode_struct(meta)
    sink.write(raw + struct.pack("<I", len(raw)) + MAGIC)
    return file_metadata(raw), len(raw) + 8


def file_metadata(raw: bytes) -> pq.FileMetaData:
    """A raw footer (`read_footer`) as pyarrow's FileMetaData."""
    return pq.read_metadata(pa.BufferReader(MAGIC + raw + struct.pack("<I", len(raw)) + MAGIC))


def column_meta(physical: int, encodings: list[int], path: str, codec: str, values: int,
                uncompressed: int, compressed: int, statistics: tc.Struct | None
                ) -> tc.Struct:
    """A ColumnMetaData (data_page_offset 0 until the chunk is placed) of a chunk with no
    dictionary page; `codec` is pyarrow's name."""
    meta = tc.Struct()
    meta.set(CMD_TYPE, tc.I32, physical)
    meta.set(CMD_ENCODINGS, tc.LIST, tc.ThriftList(tc.I32, list[tc.Value](sorted(encodings))))
    meta.set(CMD_PATH, tc.LIST, tc.ThriftList(tc.BINARY, [p.encode() for p in path.split(".")]))
    meta.set(CMD_CODEC, tc.I32, CODEC_IDS[codec])
    meta.set(CMD_NUM_VALUES, tc.I64, values)
    meta.set(CMD_UNCOMPRESSED, tc.I64, uncompressed)
    meta.set(CMD_COMPRESSED, tc.I64, compressed)
    meta.set(CMD_DATA_PAGE, tc.I64, 0)
    if statistics is not None:
        meta.set(CMD_STATISTICS, tc.STRUCT, statistics)
    return meta


def column_chunk(meta: tc.Struct) -> tc.Struct:
    """A ColumnChunk of ColumnMetaData `meta`, in this file (file_offset 0, as pyarrow)."""
    cc = tc.Struct()
    cc.set(CC_FILE_OFFSET, tc.I64, 0)
    cc.set(CC_META, tc.STRUCT, meta)
    return cc


def row_group(chunks: list[tc.Struct], rows: int, ordinal: int) -> tc.Struct:
    """A RowGroup of placed chunks: sizes summed (total_byte_size uncompressed, as
    pyarrow writes it), the first chunk's offset."""
    metas = [c.get_struct(CC_META) for c in chunks]
    g = tc.Struct()
    g.set(RG_COLUMNS, tc.LIST, tc.ThriftList(tc.STRUCT, list[tc.Value](chunks)))
    g.set(RG_TOTAL_BYTE_SIZE, tc.I64, sum(req_int(m, CMD_UNCOMPRESSED) for m in metas))
    g.set(RG_NUM_ROWS, tc.I64, rows)
    if chunks:
        g.set(RG_FILE_OFFSET, tc.I64, span(chunks[0])[0])
    g.set(RG_TOTAL_COMPRESSED, tc.I64, sum(req_int(m, CMD_COMPRESSED) for m in metas))
    g.set(RG_ORDINAL, tc.I16, ordinal)
    return g


def encode_table(new: pa.Table, sizes: list[int], compression: str, chosen: Encodings
                 ) -> tuple[memoryview, Footer | None]:
    """`new` as a Parquet file of the given row group sizes, and its footer."""
    buf = pa.BufferOutputStream()
    with pq.ParquetWriter(buf, new.schema, store_schema=False,
                          **chosen.writer_options(compression, new.column_names)) as w:
        start = 0
        for n in sizes:
            w.write_table(new.slice(start, n), row_group_size=max(n, 1))
            start += n
    data = memoryview(buf.getvalue())
    footer = Footer(read_footer(pa.BufferReader(data), len(data)))
    if [req_int(g, RG_NUM_ROWS) for g in footer.groups] != sizes:
        return data, None
    return data, footer


def place(sink: Any, cc: tc.Struct, data: Any, pos: int) -> tuple[tc.Struct, int]:
    """Write column chunk `cc`, whose bytes are at its offsets in `data` (an encoded
    file), to `sink` at `pos`; the chunk moved there and its length."""
    start, length = span(cc)
    sink.write(data[start:start + length])
    return moved(cc, pos - start), length


def as_stored(new: pa.Table, source: Footer, replaced: dict[str, int | None]
              ) -> pa.Table | None:
    """`new` with the columns the source stores as required marked so (the writer stores
    an optional column required in a file where it has no null), or None when a value
    for such a column is null: the file's schema changes, so it is rewritten in full."""
    fields = []
    for f, j in zip(new.schema, replaced.values()):
        if j is not None and source.elements[j].get(SE_REPETITION) == REQUIRED and f.nullable:
            if new.column(f.name).null_count:
                return None
            f = f.with_nullable(False)
        fields.append(f)
    schema = pa.schema(fields, metadata=new.schema.metadata)
    return new if schema == new.schema else new.cast(schema)


def same_columns(source: Footer, theirs: Footer, replaced: dict[str, int | None]) -> bool:
    """Whether the replacement columns have exactly the source's Parquet schema elements
    (type, repetition, logical type, field id)."""
    return all(tc.encode_struct(source.elements[j]) == tc.encode_struct(theirs.elements[k])
               for k, j in enumerate(replaced.values()) if j is not None)


def regroup(g: tc.Struct, chunks: list[tc.Struct]) -> None:
    """Row group totals and offset for its placed chunks. `total_byte_size` keeps the
    source writer's meaning: the uncompressed sum (the spec's), or the compressed one
    (older pyarrow)."""
    before = [as_struct(cc).get_struct(CC_META) for cc in g.get_list(RG_COLUMNS)]
    compressed = g.get(RG_TOTAL_BYTE_SIZE) == sum(req_int(m, CMD_COMPRESSED) for m in before)
    g.get_list(RG_COLUMNS)[:] = chunks
    g.remove(RG_SORTING)  # a replaced column may no longer be in the order it claims
    metas = [cc.get_struct(CC_META) for cc in chunks]
    size = CMD_COMPRESSED if compressed else CMD_UNCOMPRESSED
    g.set(RG_TOTAL_BYTE_SIZE, tc.I64, sum(req_int(m, size) for m in metas))
    if g.has(RG_TOTAL_COMPRESSED):
        g.set(RG_TOTAL_COMPRESSED, tc.I64, sum(req_int(m, CMD_COMPRESSED) for m in metas))
    if g.has(RG_FILE_OFFSET) and chunks:
        g.set(RG_FILE_OFFSET, tc.I64, span(chunks[0])[0])
