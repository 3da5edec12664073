"""Writes to an embedding table: every operation that brings rows in (append, overwrite,
merge, and the same inside a transaction) validates and converts the vector column
first (`vectors.prepare`); `update` cannot set vectors (there is no way to check them)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyarrow as pa

from tablefmt.arrow_schema import to_arrow_schema
from tablefmt.embeddings.config import EmbeddingConfig
from tablefmt.embeddings.vectors import prepare
from tablefmt.errors import ValidationError
from tablefmt.transaction.merge import MergeBuilder
from tablefmt.transaction.transaction import Transaction

if TYPE_CHECKING:
    from tablefmt.table import Table


def prepared(table: Table, cfg: EmbeddingConfig, data: Any, verb: str) -> pa.RecordBatchReader:
    target = to_arrow_schema(table.metadata.schema).field(cfg.vector_column).type
    return prepare(data, cfg, target, f"Cannot {verb} {table.name}")


def check_update(table: Table, cfg: EmbeddingConfig, values: dict[str, Any]) -> None:
    if cfg.vector_column in values:
        raise ValidationError(f"Cannot update {table.name}: the vector column "
                              f"\"{cfg.vector_column}\" cannot be set by update(); use merge() "
                              "or overwrite() with the new vectors")


class EmbeddingTransaction(Transaction):
    """`Transaction` whose row-bringing operations validate vectors."""

    def __init__(self, table: Table, cfg: EmbeddingConfig, branch: str) -> None:
        super().__init__(table, branch)
        self.cfg = cfg

    def append(self, data: Any) -> None:
        super().append(prepared(self.table, self.cfg, data, "append to"))

    def overwrite(self, data: Any, where: Any = None, mode: str | None = None) -> None:
        super().overwrite(prepared(self.table, self.cfg, data, "overwrite").read_all(),
                          where, mode)

    def update(self, where: Any, set: dict[str, Any]) -> None:  # noqa: A002 (API name)
        check_update(self.table, self.cfg, set)
        super().update(where, set)

    def merge(self, source: Any, on: list[str] | str) -> MergeBuilder:
        return super().merge(prepared(self.table, self.cfg, source, "merge into").read_all(), on)
