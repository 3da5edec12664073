"""A Parquet file writer that encodes a file's unique-string columns itself (`dlba.py`) and
every other column with pyarrow, row group by row group.

pyarrow's DELTA_LENGTH_BYTE_ARRAY encoder copies each value into its page and compares
each against the running min and max; `dlba.py` hands Arrow's value bytes to the codec
as they are (on the row-operations benchmark's 30-byte payload column, 234 instead of
305 ms per 6 files). Each `write_table` call is one row group: the other columns are
encoded by pyarrow into an in-memory file (`chunks.encode_table`) whose chunks are copied
out, the native ones placed between them in schema order. The footer is pyarrow's for the
whole schema (written once for an empty table, so schema elements, column orders and
`created_by` are pyarrow's own) with the row groups set at `close`.

`open_writer` picks this writer when a file has such a column, pyarrow's ParquetWriter
otherwise; both are used through the same few methods."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from tablefmt.write import dlba
from tablefmt.write import thrift_compact as tc
from tablefmt.write.chunks import (
    CMD_DATA_PAGE,
    FMD_KEY_VALUE,
    FMD_NUM_ROWS,
    FMD_ROW_GROUPS,
    MAGIC,
    Footer,
    column_chunk,
    encode_table,
    place,
    read_footer,
    row_group,
    same_columns,
    write_footer,
)
from tablefmt.write.encoding import Encodings

DLBA = "DELTA_LENGTH_BYTE_ARRAY"


def open_writer(sink: Any, schema: pa.Schema, compression: str, chosen: Encodings,
                store_schema: bool) -> Any:
    """A writer of `schema` into `sink`: `AssembledWriter` when the schema is flat, a
    required string or binary column is to be DELTA_LENGTH_BYTE_ARRAY and the codec is one
    `dlba` writes, else pyarrow's ParquetWriter. Either has `write_table(table, row_group_size)`,
    `add_key_value_metadata`, `close()` and, once closed, `footer()`."""
    native = [f.name for f in schema if chosen.column_encoding.get(f.name) == DLBA
              and not f.nullable and dlba.writes(f.type, compression)]
    flat = not any(pa.types.is_nested(f.type) for f in schema)  # one schema element each
    if native and len(native) < len(schema) and flat:
        return AssembledWriter(sink, schema, compression, chosen, native, store_schema)
    return _PyarrowWriter(sink, schema, compression, chosen, store_schema)


class _PyarrowWriter:
    """pyarrow's ParquetWriter behind the methods `_RollingFile` uses."""

    def __init__(self, sink: Any, schema: pa.Schema, compression: str, chosen: Encodings,
                 store_schema: bool) -> None:
        self.writer = pq.ParquetWriter(sink, schema, store_schema=store_schema,
                                       **chosen.writer_options(compression, schema.names))

    def write_table(self, table: pa.Table, row_group_size: int | None = None) -> None:
        self.writer.write_table(table, row_group_size=row_group_size)

    def add_key_value_metadata(self, items: dict[str, Any]) -> None:
        self.writer.add_key_value_metadata(items)

    def close(self) -> None:
        self.writer.close()

    def footer(self) -> pq.FileMetaData:
        return self.writer.writer.metadata


class AssembledWriter:
    """Writes row groups whose `native` columns are encoded by `dlba.py`."""

    def __init__(self, sink: Any, schema: pa.Schema, compression: str, chosen: Encodings,
                 native: list[str], store_schema: bool) -> None:
        self.sink, self.schema, self.compression, self.chosen = sink, schema, compression, chosen
        self.others = [n for n in schema.names if n not in native]
        template = pa.BufferOutputStream()
        with pq.ParquetWriter(template, schema, store_schema=store_schema,
                              **chosen.writer_options(compression, schema.names)):
            pass
        data = template.getvalue()
        self.template = Footer(read_footer(pa.BufferReader(data), data.size))
        self.at = {name: self.template.column(name) for name in schema.names}
        self.groups: list[tc.Value] = []
        self.rows = 0
        self.pos = len(MAGIC)
        self.checked = False
        self._footer: pq.FileMetaData | None = None
        sink.write(MAGIC)

    def write_table(self, table: pa.Table, row_group_size: int | None = None) -> None:
        """`table` (of the file's schema) as one row group (the caller keeps it within the
        row-group limit)."""
        n = table.num_rows
        encoded, theirs = encode_table(table.select(self.others), [n], self.compression,
                                       self.chosen)
        if theirs is None:
            raise ValueError("pyarrow wrote an unexpected row group layout")
        if not self.checked:  # once per file: pyarrow's elements match the template's
            if not same_columns(self.template, theirs, {c: self.at[c] for c in self.others}):
                raise ValueError("pyarrow's schema elements differ from the file's")
            self.checked = True
        mine = dict(zip(self.others, theirs.chunks(theirs.groups[0])))
        placed: list[tc.Struct] = []
        for name in self.schema.names:
            if name in mine:
                cc, length = place(self.sink, mine[name], encoded, self.pos)
                placed.append(cc)
            else:
                chunk = dlba.encode_chunk(table.column(name), name, self.compression)
                for piece in chunk.pieces:
                    self.sink.write(piece)
                chunk.meta.set(CMD_DATA_PAGE, tc.I64, self.pos)
                placed.append(column_chunk(chunk.meta))
                length = chunk.size
            self.pos += length
        self.groups.append(row_group(placed, n, len(self.groups)))
        self.rows += n

    def add_key_value_metadata(self, items: dict[str, Any]) -> None:
        kv = self.template.meta.get(FMD_KEY_VALUE)
        pairs = kv.values if isinstance(kv, tc.ThriftList) else []
        keys = {k.encode() if isinstance(k, str) else k for k in items}
        pairs = [p for p in pairs if not (isinstance(p, tc.Struct) and p.get(1) in keys)]
        for key, value in items.items():
            s = tc.Struct()
            s.set(1, tc.BINARY, key.encode() if isinstance(key, str) else key)
            s.set(2, tc.BINARY, value.encode() if isinstance(value, str) else value)
            pairs.append(s)
        self.template.meta.set(FMD_KEY_VALUE, tc.LIST, tc.ThriftList(tc.STRUCT, pairs))

    def close(self) -> None:
        if self._footer is not None:
            return
        self.template.meta.set(FMD_ROW_GROUPS, tc.LIST, tc.ThriftList(tc.STRUCT, self.groups))
        self.template.meta.set(FMD_NUM_ROWS, tc.I64, self.rows)
        self._footer, tail = write_footer(self.sink, self.template.meta)
        self.pos += tail

    def footer(self) -> pq.FileMetaData:
        assert self._footer is not None, "footer() before close()"
        return self._footer
