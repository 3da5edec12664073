"""Reads of an embedding table: a table scan whose vector column comes back as Arrow
`FixedSizeList<float32>[dim]` (it is stored as an Iceberg list of floats)."""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa

from tablefmt.arrow_schema import to_arrow_schema
from tablefmt.embeddings.vectors import fixed_type, to_fixed
from tablefmt.scan.scan import Scan
from tablefmt.schema import Schema


class EmbeddingScan(Scan):
    """`Table.scan()` of an embedding table (see `Scan`)."""

    vector_column: str = ""
    dim: int = 0

    @property
    def arrow_schema(self) -> pa.Schema:
        full = read_schema(self.schema, self.vector_column, self.dim)
        return full if self.columns is None else pa.schema([full.field(c) for c in self.columns])

    def to_batches(self) -> Iterator[pa.RecordBatch]:
        schema = self.arrow_schema
        if self.vector_column not in schema.names:
            yield from super().to_batches()
            return
        index = schema.get_field_index(self.vector_column)
        for batch in super().to_batches():
            column = to_fixed(batch.column(index), self.dim, self.vector_column)
            yield pa.RecordBatch.from_arrays(
                [column if i == index else batch.column(i) for i in range(batch.num_columns)],
                schema=schema)

    def to_arrow(self) -> pa.Table:
        table = super().to_arrow()
        schema = self.arrow_schema
        if self.vector_column not in schema.names:
            return table
        index = schema.get_field_index(self.vector_column)
        field = schema.field(index)
        column = table.column(index)
        if column.type == field.type:
            return table
        chunks = [to_fixed(c, self.dim, self.vector_column) for c in column.chunks]
        return table.set_column(index, field, pa.chunked_array(chunks, type=field.type))


_SCHEMAS: dict[int, tuple[Schema, pa.Schema]] = {}


def read_schema(schema: Schema, vector_column: str, dim: int) -> pa.Schema:
    """The Arrow schema an embedding table reads as (memoized per schema object: search
    latency is a few hundred microseconds, and the conversion costs tens)."""
    found = _SCHEMAS.get(id(schema))
    if found is not None and found[0] is schema:
        return found[1]
    arrow = with_fixed_vectors(to_arrow_schema(schema), vector_column, dim)
    if len(_SCHEMAS) > 256:
        _SCHEMAS.clear()
    _SCHEMAS[id(schema)] = (schema, arrow)
    return arrow


def with_fixed_vectors(schema: pa.Schema, vector_column: str, dim: int) -> pa.Schema:
    """`schema` with the vector column typed as it reads back."""
    if vector_column not in schema.names:
        return schema
    index = schema.get_field_index(vector_column)
    return schema.set(index, schema.field(index).with_type(fixed_type(dim)))
