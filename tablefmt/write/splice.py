"""A Parquet data file rewritten with some of its columns replaced and every other column
chunk copied byte for byte: an update that sets one column of six encodes one column.

The replacement columns are encoded by pyarrow into a file of their own with the source's
row groups; the output is the source's chunks and theirs, in schema order, under the
source's footer with the byte offsets moved (Parquet page headers hold no absolute
offsets, so a column chunk can move as it is). Files this cannot handle exactly — page
indexes, bloom filters, encryption, external chunks, nested or repeated columns, a
replacement whose Parquet schema differs — are left to a full rewrite (None)."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq

from tablefmt.io import FileIO
from tablefmt.write.chunks import (
    MAGIC,
    RG_NUM_ROWS,
    Footer,
    as_stored,
    encode_table,
    moved,
    place,
    read_footer,
    regroup,
    req_int,
    same_columns,
    span,
    write_footer,
)
from tablefmt.write.encoding import Encodings


def splice_columns(io: FileIO, source: str, out: str, new: pa.Table, compression: str,
                   chosen: Encodings) -> tuple[pq.FileMetaData, int] | None:
    """Write `out`: the Parquet file `source` with the columns of `new` (every row of the
    file, in order) replaced; the footer and size of `out`, or None (nothing written) when
    the file must be rewritten in full instead."""
    fs, _ = io.arrow_fs()
    with fs.open_input_file(io.arrow_path(source)) as f:
        footer = Footer(read_footer(f, f.size()))
        if not footer.copyable():
            return None
        replaced = {name: footer.column(name) for name in new.column_names}
        if any(j is None for j in replaced.values()):
            return None
        sizes = [req_int(g, RG_NUM_ROWS) for g in footer.groups]
        if sum(sizes) != new.num_rows:
            return None
        new = as_stored(new, footer, replaced)
        if new is None:
            return None
        encoded, theirs = encode_table(new, sizes, compression, chosen)
        if theirs is None or not same_columns(footer, theirs, replaced):
            return None
        by_index = {j: k for k, j in enumerate(replaced.values())}
        sink = io.open_output(out)
        try:
            sink.write(MAGIC)
            pos = len(MAGIC)
            for i, g in enumerate(footer.groups):
                chunks, mine = footer.chunks(g), theirs.chunks(theirs.groups[i])
                placed = []
                for j, cc in enumerate(chunks):
                    if j in by_index:
                        cc, length = place(sink, mine[by_index[j]], encoded, pos)
                    else:
                        start, length = span(cc)
                        data = f.read_at(length, start)
                        if len(data) != length:
                            raise ValueError(f"short column chunk in {source}")
                        sink.write(data)
                        cc = moved(cc, pos - start)
                    placed.append(cc)
                    pos += length
                regroup(g, placed)
            written, tail = write_footer(sink, footer.meta)
        finally:
            sink.close()
    return written, pos + tail
