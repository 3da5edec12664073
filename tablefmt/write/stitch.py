"""Small Parquet files of one partition joined into one file without decoding most of it
(compaction's fast path).

A column chunk is a run of pages, and each data page stands alone: its own header, levels,
values and compression, no absolute offsets. So a column whose chunks in every source are
stored alike (same physical type, repetition and codec) and hold no dictionary page is
written as the sources' pages back to back, copied byte for byte. Dictionary-encoded
columns cannot be (one chunk has one dictionary): they are read as Arrow arrays (strings
as dictionaries, which are unified and written as indices) and encoded by pyarrow. Row
groups are the sources' row groups joined up to the row-group limit; the footer is the
first source's (schema, key-value metadata, column orders) with new row groups. A copied
chunk's statistics are the sources' merged: least min, greatest max, summed null counts.

Sources must share one Parquet schema and be flat; physical types whose statistics order
is not a plain comparison (INT96, FIXED_LEN_BYTE_ARRAY) are re-encoded. None when there
is no column to copy, the sources do not fit, or their row groups are so small (under
MIN_ROWS_PER_GROUP rows on average) that their pages are better re-encoded."""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from tablefmt.io import FileIO
from tablefmt.write import thrift_compact as tc
from tablefmt.write.chunks import (
    CMD_DATA_PAGE,
    CODEC_IDS,
    ENCODINGS,
    FMD_NUM_ROWS,
    FMD_ROW_GROUPS,
    MAGIC,
    PHYSICAL,
    Footer,
    as_stored,
    column_chunk,
    column_meta,
    encode_table,
    file_metadata,
    footer_codec,
    place,
    read_footer,
    row_group,
    same_columns,
    write_footer,
)
from tablefmt.write.encoding import choose_encodings
from tablefmt.write.stats import nan_counts

_PACK = {"BOOLEAN": "<?", "INT32": "<i", "INT64": "<q", "FLOAT": "<f", "DOUBLE": "<d"}
# Copied pages keep their size: sources whose row groups average fewer rows than this
# (pages of a few values: a header and a codec frame each) are re-encoded instead.
MIN_ROWS_PER_GROUP = 1_000
_FETCH = ThreadPoolExecutor(max_workers=8, thread_name_prefix="tablefmt-stitch")


@dataclass
class _Source:
    path: str
    raw: bytes  # the footer
    meta: pq.FileMetaData
    data: pa.Buffer | None = None  # the whole file, while its row groups are written


@dataclass
class Stitched:
    footer: pq.FileMetaData
    size: int
    nan: dict[int, int]  # NaN counts of the re-encoded float columns, by field id


def stitch_files(io: FileIO, paths: list[str], out: str, schema: Any, compression: str,
                 row_group_rows: int, float_columns: list[tuple[int, str]]
                 ) -> Stitched | None:
    """Write `out`: every row of the Parquet files `paths`, in order, their copyable
    columns' pages copied (see the module doc). `schema` is the table's Iceberg schema
    (for choosing the re-encoded columns' encodings), `float_columns` its (field id,
    name) float columns (NaN is counted where they are re-encoded); None, with nothing
    written, when the files do not fit this path. Footers are read first; then each
    output row group's files are read whole, one group at a time (memory holds one row
    group's sources)."""
    compression = compression.lower()
    if compression not in CODEC_IDS or not paths:
        return None
    codec = footer_codec(compression)
    sources = _each(io, lambda p: _source(io, p), paths)
    first = sources[0].meta
    columns = [first.schema.column(j) for j in range(first.num_columns)]
    if any(c.max_repetition_level or "." in c.path for c in columns) or \
            any(not s.meta.schema.equals(first.schema) for s in sources[1:]):
        return None
    # Readers key workarounds on `created_by`: copy pages of this very pyarrow only, so
    # the footer names the writer of every chunk in the file.
    if any(s.meta.created_by != _created_by() for s in sources):
        return None
    copy = [j for j in range(first.num_columns) if _copyable(sources, j, codec)]
    units = [(s, g) for s in sources for g in range(s.meta.num_row_groups)]
    if not copy or sum(s.meta.num_rows for s in sources) < MIN_ROWS_PER_GROUP * len(units):
        return None
    recode = [c.path for j, c in enumerate(columns) if j not in copy]
    strings = [c.path for c in columns if c.path in recode and c.physical_type == "BYTE_ARRAY"]
    template = Footer(sources[0].raw)
    replaced = {name: template.column(name) for name in recode}
    sink = io.open_output(out)
    fits = False
    try:
        sink.write(MAGIC)
        pos, groups, rows = len(MAGIC), [], 0
        nan: dict[int, int] = {}
        for ordinal, group in enumerate(_pack(units, row_group_rows)):
            files = list({id(s): s for s, _ in group}.values())
            for src, data in zip(files, _each(io, lambda x: _whole(io, x.path), files)):
                src.data = data
            n = sum(s.meta.row_group(g).num_rows for s, g in group)
            theirs: list[tc.Struct] = []
            encoded: Any = b""
            if recode:
                table = _recoded(group, recode, strings)
                for fid, count in nan_counts(table, float_columns).items():
                    nan[fid] = nan.get(fid, 0) + count
                chosen = choose_encodings(table, schema)
                stored = as_stored(table, template, replaced)
                if stored is None:
                    return None
                encoded, footer = encode_table(stored, [n], compression, chosen)
                if footer is None or not same_columns(template, footer, replaced):
                    return None
                theirs = footer.chunks(footer.groups[0])
            placed = []
            for j in range(first.num_columns):
                if j in copy:
                    cc, length = _copy(sink, group, j, pos, compression)
                else:
                    cc, length = place(sink, theirs[recode.index(columns[j].path)], encoded,
                                       pos)
                placed.append(cc)
                pos += length
            for src in files:
                src.data = None
            groups.append(row_group(placed, n, ordinal))
            rows += n
        template.meta.set(FMD_ROW_GROUPS, tc.LIST, tc.ThriftList(tc.STRUCT, list[tc.Value](groups)))
        template.meta.set(FMD_NUM_ROWS, tc.I64, rows)
        written, tail = write_footer(sink, template.meta)
        fits = True
    finally:
        sink.close()
        if not fits:
            io.delete_quietly([out])
    return Stitched(written, pos + tail, nan)


T = TypeVar("T")
R = TypeVar("R")


@cache
def _created_by() -> str:
    """`created_by` of the files this pyarrow writes."""
    buf = pa.BufferOutputStream()
    pq.write_table(pa.table({"x": pa.array([], pa.int8())}), buf)
    return str(pq.read_metadata(pa.BufferReader(buf.getvalue())).created_by)


def _each(io: FileIO, fn: Callable[[T], R], items: list[T]) -> list[R]:
    """`fn` over `items` in order: in turn on a local filesystem (threads would only
    contend for the GIL there), 8 at a time on an object store (each read waits on the
    network)."""
    fs, _ = io.arrow_fs()
    if isinstance(fs, pafs.LocalFileSystem) or len(items) == 1:
        return [fn(x) for x in items]
    return list(_FETCH.map(fn, items))


def _source(io: FileIO, path: str) -> _Source:
    """A source file's footer, read once: raw (the template of the output's) and parsed."""
    fs, _ = io.arrow_fs()
    with fs.open_input_file(io.arrow_path(path)) as f:
        raw = read_footer(f, f.size())
    return _Source(path, raw, file_metadata(raw))


def _whole(io: FileIO, path: str) -> pa.Buffer:
    fs, _ = io.arrow_fs()
    with fs.open_input_file(io.arrow_path(path)) as f:
        return f.read_buffer()


def _copyable(sources: list[_Source], j: int, codec: str) -> bool:
    """Whether column j's chunks can be copied: no dictionary, the target codec, a type
    whose statistics merge by plain comparison, no page index pages."""
    for s in sources:
        for g in range(s.meta.num_row_groups):
            c = s.meta.row_group(g).column(j)
            if c.physical_type not in PHYSICAL or c.compression != codec \
                    or c.has_dictionary_page or c.file_path \
                    or any(e not in ENCODINGS or "DICTIONARY" in e for e in c.encodings):
                return False
    return True


def _pack(units: list[tuple[_Source, int]], limit: int) -> Iterator[list[tuple[_Source, int]]]:
    """Consecutive source row groups joined while they hold at most `limit` rows (a
    bigger one alone)."""
    group: list[tuple[_Source, int]] = []
    rows = 0
    for s, g in units:
        n = s.meta.row_group(g).num_rows
        if group and rows + n > limit:
            yield group
            group, rows = [], 0
        group.append((s, g))
        rows += n
    if group:
        yield group


def _recoded(group: list[tuple[_Source, int]], names: list[str], strings: list[str]
             ) -> pa.Table:
    """The re-encoded columns of a group's row groups. String columns stored with a
    dictionary in every one of them are read as dictionaries and unified, so pyarrow
    writes their indices instead of hashing every value."""
    kept = [n for n in strings if all(
        s.meta.row_group(g).column(s.meta.schema.names.index(n)).has_dictionary_page
        for s, g in group)]
    parts = [pq.ParquetFile(pa.BufferReader(s.data), metadata=s.meta, read_dictionary=kept)
             .read_row_group(g, columns=names, use_threads=False) for s, g in group]
    table = pa.concat_tables(parts) if len(parts) > 1 else parts[0]
    return table.unify_dictionaries().combine_chunks()


def _copy(sink: Any, group: list[tuple[_Source, int]], j: int, pos: int, compression: str
          ) -> tuple[tc.Struct, int]:
    """Column j of the group's row groups: their pages written back to back at `pos`;
    the ColumnChunk and its length."""
    chunks = [s.meta.row_group(g).column(j) for s, g in group]
    for (s, _), c in zip(group, chunks):
        assert s.data is not None  # read for this row group
        sink.write(s.data.slice(c.data_page_offset, c.total_compressed_size))
    length = sum(c.total_compressed_size for c in chunks)
    first = chunks[0]
    meta = column_meta(PHYSICAL[first.physical_type],
                       [ENCODINGS[e] for e in {e for c in chunks for e in c.encodings}],
                       first.path_in_schema, compression, sum(c.num_values for c in chunks),
                       sum(c.total_uncompressed_size for c in chunks), length,
                       _merged_statistics(chunks))
    meta.set(CMD_DATA_PAGE, tc.I64, pos)
    return column_chunk(meta), length


def _merged_statistics(chunks: list[Any]) -> tc.Struct | None:
    """Least min, greatest max (left out unless every chunk has them) and summed null
    counts of the chunks' statistics, as Parquet Statistics."""
    if not all(c.is_stats_set for c in chunks):
        return None
    stats = [c.statistics for c in chunks]
    out = tc.Struct()
    if all(s.has_null_count for s in stats):
        out.set(3, tc.I64, sum(s.null_count for s in stats))
    # pyarrow's Statistics.num_values counts the non-null values.
    bounded = [s for s in stats if s.has_min_max]
    if bounded and all(s.has_min_max for s in stats if s.num_values > 0):
        kind = chunks[0].physical_type
        out.set(5, tc.BINARY, _plain(kind, max(_value(kind, s.max_raw) for s in bounded)))
        out.set(6, tc.BINARY, _plain(kind, min(_value(kind, s.min_raw) for s in bounded)))
    return out


def _value(kind: str, raw: Any) -> Any:
    """A raw statistic in Parquet's order for its type: byte arrays as bytes (unsigned
    comparison), numbers as numbers (min/max never hold NaN)."""
    if kind == "BYTE_ARRAY":
        return raw.encode() if isinstance(raw, str) else bytes(raw)
    return raw


def _plain(kind: str, value: Any) -> bytes:
    """`_value`'s value in Parquet's plain encoding, as statistics hold it."""
    return value if kind == "BYTE_ARRAY" else struct.pack(_PACK[kind], value)
