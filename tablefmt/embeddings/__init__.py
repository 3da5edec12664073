"""Embedding tables: a vector column next to the other columns, nearest-neighbour search
at any snapshot, and vector indexes versioned with the snapshots (spec/embeddings.md).

    >>> import tablefmt.embeddings as te
    >>> te.DEFAULT_KIND
    'ivf_flat'
"""

from __future__ import annotations

from tablefmt.embeddings.build import DEFAULT_KIND
from tablefmt.embeddings.cache import clear_cache, set_cache_limit
from tablefmt.embeddings.expiry import IndexExpiry, expire_indexes, plan_index_expiry
from tablefmt.embeddings.registry import IndexEntry, index_files
from tablefmt.embeddings.scan import EmbeddingScan
from tablefmt.embeddings.table import EmbeddingTable, create_embedding_table

__all__ = [
    "DEFAULT_KIND",
    "EmbeddingScan",
    "EmbeddingTable",
    "IndexEntry",
    "IndexExpiry",
    "clear_cache",
    "create_embedding_table",
    "expire_indexes",
    "index_files",
    "plan_index_expiry",
    "set_cache_limit",
]
