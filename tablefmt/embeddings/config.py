"""Embedding-table settings kept in table properties (spec/embeddings.md "Properties"):
the vector column, its dimension and the distance metric."""

from __future__ import annotations

from dataclasses import dataclass

from tablefmt.errors import ValidationError
from tablefmt.metadata.table_metadata import TableMetadata

TABLE_TYPE = "embedding"
DIM = "tablefmt.embedding.dim"
METRIC = "tablefmt.embedding.metric"
METRIC_DEFAULT = "cosine"
VECTOR_COLUMN = "tablefmt.embedding.vector-column"
VECTOR_COLUMN_DEFAULT = "embedding"
INDEXES = "tablefmt.embedding.indexes"  # JSON list of index entries (registry.py)

METRICS = ("cosine", "l2", "dot")
MAX_DIM = 1 << 16


@dataclass(frozen=True, slots=True, kw_only=True)
class EmbeddingConfig:
    """What makes a table an embedding table: `dim` floats per row in `vector_column`,
    compared by `metric`."""

    dim: int
    metric: str
    vector_column: str

    @classmethod
    def of(cls, meta: TableMetadata, name: str) -> EmbeddingConfig:
        props = meta.properties
        try:
            dim = int(props[DIM])
        except (KeyError, ValueError) as exc:
            raise ValidationError(f"Table {name} is not an embedding table: property {DIM} "
                                  "is missing or not an integer") from exc
        return cls(dim=dim, metric=props.get(METRIC, METRIC_DEFAULT),
                   vector_column=props.get(VECTOR_COLUMN, VECTOR_COLUMN_DEFAULT))


def check_dim(dim: object, name: str) -> int:
    if isinstance(dim, bool) or not isinstance(dim, int) or not 1 <= dim <= MAX_DIM:
        raise ValidationError(f"Cannot create embedding table {name}: dim must be an integer "
                              f"from 1 to {MAX_DIM}, got {dim!r}")
    return dim


def check_metric(metric: object, name: str) -> str:
    if metric not in METRICS:
        raise ValidationError(f"Cannot use metric {metric!r} for {name}: choose one of "
                              f"{', '.join(METRICS)}")
    return str(metric)
