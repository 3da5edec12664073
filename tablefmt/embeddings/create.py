"""Creating an embedding table (API.md "Embedding tables"): the user's columns plus the
vector column, stored as Iceberg `list<float>`; dimension, metric and column name go in
table properties next to `tablefmt.table-type = embedding`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyarrow as pa

from tablefmt import properties as P
from tablefmt.catalog import TABLE_TYPE_PROPERTY
from tablefmt.embeddings.config import (
    DIM,
    METRIC,
    TABLE_TYPE,
    VECTOR_COLUMN,
    EmbeddingConfig,
    check_dim,
    check_metric,
)
from tablefmt.embeddings.vectors import storage_type
from tablefmt.errors import ValidationError

if TYPE_CHECKING:
    from tablefmt.embeddings.table import EmbeddingTable

# Write settings an embedding table starts with (the caller's `properties` win): float
# vectors barely compress (zstd saves ~8% at twice snappy's decode time), and smaller row
# groups let a file's vectors decode in parallel on a cold search.
WRITE_DEFAULTS = {P.PARQUET_COMPRESSION: "snappy", P.PARQUET_ROW_GROUP_LIMIT: "65536"}


def create(catalog: Any, identifier: str, *, dim: int, metric: str, schema: pa.Schema | None,
           vector_column: str, partition_by: list[str] | None, sort_by: list[str] | None,
           properties: dict[str, str] | None, exist_ok: bool) -> EmbeddingTable:
    dim = check_dim(dim, identifier)
    metric = check_metric(metric, identifier)
    if not isinstance(vector_column, str) or not vector_column:
        raise ValidationError(f"Cannot create embedding table {identifier}: vector_column must "
                              f"be a non-empty column name, got {vector_column!r}")
    if exist_ok and catalog.table_exists(identifier):
        return _existing(catalog, identifier, dim, metric, vector_column)
    arrow = with_vector_column(schema, vector_column, dim, identifier)
    props = dict(WRITE_DEFAULTS)
    props.update({str(k): str(v) for k, v in (properties or {}).items()})
    props.update({TABLE_TYPE_PROPERTY: TABLE_TYPE, DIM: str(dim), METRIC: metric,
                  VECTOR_COLUMN: vector_column})
    catalog.create_table(identifier, arrow, partition_by=partition_by, sort_by=sort_by,
                         properties=props)
    table: EmbeddingTable = catalog.load_table(identifier)
    return table


def with_vector_column(schema: pa.Schema | None, name: str, dim: int,
                       identifier: str) -> pa.Schema:
    """The user's schema with the vector column in its stored form (appended last, or
    replacing a column of that name that holds numbers lists of length `dim`)."""
    schema = pa.schema([]) if schema is None else schema
    if not isinstance(schema, pa.Schema):
        raise ValidationError(f"Cannot create embedding table {identifier}: schema must be a "
                              f"pyarrow.Schema of the other columns, got {type(schema).__name__}")
    field = pa.field(name, storage_type(), nullable=False)
    if name not in schema.names:
        return schema.append(field)
    t = schema.field(name).type
    list_like = pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t)
    if not list_like or not pa.types.is_floating(t.value_type) or \
            (pa.types.is_fixed_size_list(t) and t.list_size != dim):
        raise ValidationError(f"Cannot create embedding table {identifier}: column \"{name}\" "
                              f"is {t}; the vector column must be a list of {dim} floats")
    return schema.set(schema.get_field_index(name), field)


def _existing(catalog: Any, identifier: str, dim: int, metric: str,
              vector_column: str) -> EmbeddingTable:
    from tablefmt.embeddings.table import EmbeddingTable

    table = catalog.load_table(identifier)
    if not isinstance(table, EmbeddingTable):
        raise ValidationError(f"Table {identifier} exists and is not an embedding table")
    cfg = EmbeddingConfig.of(table.metadata, identifier)
    wanted = EmbeddingConfig(dim=dim, metric=metric, vector_column=vector_column)
    if cfg != wanted:
        raise ValidationError(f"Embedding table {identifier} exists with {cfg}, not {wanted}")
    return table
