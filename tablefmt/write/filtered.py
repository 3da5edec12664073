"""A Parquet data file rewritten with only some of its rows (a copy-on-write delete), its
byte-array columns of unique values encoded by `dlba.py` instead of pyarrow's encoder.

The output keeps the source's row groups (each with the rows it keeps) and its footer:
schema, key-value metadata and column orders as they are; each row group's chunks are
pyarrow's encoding of the other columns (an in-memory file, `chunks.encode_table`) and the
DELTA_LENGTH_BYTE_ARRAY chunks encoded here, in schema order, with row counts and offsets
set anew. Files this does not handle — nested columns, encryption, a column not stored
required, a row group left empty — are left to the ordinary writer (None)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from tablefmt.io import FileIO
from tablefmt.write import dlba
from tablefmt.write import thrift_compact as tc
from tablefmt.write.chunks import (
    CC_FILE_OFFSET,
    CC_META,
    CMD_DATA_PAGE,
    FMD_CREATED_BY,
    FMD_UNSUPPORTED,
    MAGIC,
    REQUIRED,
    RG_NUM_ROWS,
    SE_REPETITION,
    Footer,
    as_stored,
    encode_table,
    moved,
    read_footer,
    regroup,
    req_int,
    same_columns,
    span,
    write_footer,
)

FMD_NUM_ROWS = 3
SE_TYPE, BYTE_ARRAY = 1, 6
DLBA = "DELTA_LENGTH_BYTE_ARRAY"


def write_filtered(io: FileIO, source: str, out: str, rows: pa.Table, keep: np.ndarray,
                   compression: str, dictionary: list[str], column_encoding: dict[str, str]
                   ) -> tuple[pq.FileMetaData, int] | None:
    """Write `out`: the rows of the Parquet file `source` that `keep` (one bool per source
    row) keeps, given as `rows` (every column, in order), with the encodings chosen for
    them; the footer and size of `out`. None, with nothing written, when no column is to
    be DELTA_LENGTH_BYTE_ARRAY or the file is not one this handles."""
    native = [n for n, e in column_encoding.items()
              if e == DLBA and n in rows.column_names
              and dlba.supported(rows.column(n), compression)]
    if not native:
        return None
    fs, _ = io.arrow_fs()
    with fs.open_input_file(io.arrow_path(source)) as f:
        footer = Footer(read_footer(f, f.size()))
    if not footer.flat or any(footer.meta.has(x) for x in FMD_UNSUPPORTED):
        return None
    index = {name: footer.column(name) for name in rows.column_names}
    if any(j is None for j in index.values()) or len(index) != len(footer.elements):
        return None
    elements = [footer.elements[j] for j in (index[n] for n in native) if j is not None]
    if any(e.get(SE_REPETITION) != REQUIRED or e.get(SE_TYPE) != BYTE_ARRAY for e in elements):
        return None
    counts = _kept_per_group(footer, keep)
    if counts is None or sum(counts) != rows.num_rows:
        return None
    others = rows.drop_columns(native)
    replaced = {n: index[n] for n in others.column_names}
    stored = as_stored(others, footer, replaced) if others.num_columns else None
    if stored is None:
        return None
    encoded, theirs = encode_table(stored, counts, compression, dictionary, column_encoding)
    if theirs is None or not same_columns(footer, theirs, replaced):
        return None
    by_index = {j: k for k, j in enumerate(replaced.values())}
    native_at = {index[n]: n for n in native}
    sink = io.open_output(out)
    try:
        sink.write(MAGIC)
        pos, first = len(MAGIC), 0
        for i, g in enumerate(footer.groups):
            mine = theirs.chunks(theirs.groups[i])
            placed = []
            for j in range(len(footer.elements)):
                if j in native_at:
                    name = native_at[j]
                    chunk = dlba.encode_chunk(rows.column(name).slice(first, counts[i]),
                                              name, compression)
                    for piece in chunk.pieces:
                        sink.write(piece)
                    chunk.meta.set(CMD_DATA_PAGE, tc.I64, pos)
                    cc = tc.Struct()
                    cc.set(CC_FILE_OFFSET, tc.I64, 0)
                    cc.set(CC_META, tc.STRUCT, chunk.meta)
                    placed.append(cc)
                    pos += chunk.size
                else:
                    cc = mine[by_index[j]]
                    start, length = span(cc)
                    sink.write(encoded[start:start + length])
                    placed.append(moved(cc, pos - start))
                    pos += length
            g.set(RG_NUM_ROWS, tc.I64, counts[i])
            regroup(g, placed)
            first += counts[i]
        footer.meta.set(FMD_NUM_ROWS, tc.I64, rows.num_rows)
        created_by = theirs.meta.get(FMD_CREATED_BY)
        if isinstance(created_by, bytes):
            footer.meta.set(FMD_CREATED_BY, tc.BINARY, created_by)
        written, tail = write_footer(sink, footer.meta)
    finally:
        sink.close()
    return written, pos + tail


def _kept_per_group(footer: Footer, keep: np.ndarray) -> list[int] | None:
    """Rows `keep` keeps in each of the file's row groups; None when the counts do not
    add up or a row group would be left empty."""
    sizes = [req_int(g, RG_NUM_ROWS) for g in footer.groups]
    if sum(sizes) != len(keep) or not sizes or 0 in sizes:
        return None
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    counts = [int(n) for n in np.add.reduceat(keep.astype(np.int64), starts)]
    return None if 0 in counts else counts
