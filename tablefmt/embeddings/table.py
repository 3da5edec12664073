"""`EmbeddingTable`: a table with a vector column and versioned vector indexes (API.md
"Embedding tables"). Everything a table does still works; this adds search and indexes,
validates vectors on the way in, and reads them back as fixed-size lists."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from tablefmt.embeddings import build, plan, search
from tablefmt.embeddings.config import EmbeddingConfig
from tablefmt.embeddings.expiry import expire_indexes
from tablefmt.embeddings.files import FileReader
from tablefmt.embeddings.registry import IndexEntry, choose, entries, index_files
from tablefmt.embeddings.scan import EmbeddingScan, with_fixed_vectors
from tablefmt.embeddings.vectors import as_queries
from tablefmt.embeddings.writes import EmbeddingTransaction, check_update, prepared
from tablefmt.errors import ValidationError
from tablefmt.metadata.snapshot import MAIN_BRANCH, Snapshot
from tablefmt.metadata.table_metadata import TableMetadata
from tablefmt.scan.scan import resolve_snapshot
from tablefmt.table import Table
from tablefmt.transaction.commit import commit
from tablefmt.transaction.merge import MergeBuilder

if TYPE_CHECKING:
    from tablefmt.maintenance.expire import ExpireResult


class EmbeddingTable(Table):
    """A table of rows with one vector each, searchable by nearest neighbours.

    Example:
        >>> import tempfile, numpy as np, pyarrow as pa, tablefmt as tf
        >>> tmp = tempfile.TemporaryDirectory()
        >>> cat = tf.connect(tmp.name); cat.create_namespace("ml")
        >>> emb = cat.create_embedding_table("ml.docs", dim=3, metric="l2",
        ...                                  schema=pa.schema([("id", pa.int64())]))
        >>> _ = emb.append({"id": [1, 2, 3], "embedding": np.eye(3, dtype=np.float32)})
        >>> emb.search([0.9, 0.1, 0.0], k=2).column("id").to_pylist()
        [1, 2]
        >>> cat.close(); tmp.cleanup()
    """

    @classmethod
    def from_table(cls, table: Table) -> EmbeddingTable:
        return cls(table.identifier, table.catalog, table.metadata, table.metadata_location)

    @property
    def config(self) -> EmbeddingConfig:
        return EmbeddingConfig.of(self.metadata, self.name)

    @property
    def dim(self) -> int:
        return self.config.dim

    @property
    def metric(self) -> str:
        return self.config.metric

    @property
    def vector_column(self) -> str:
        return self.config.vector_column

    @property
    def arrow_schema(self) -> pa.Schema:
        cfg = self.config
        return with_fixed_vectors(super().arrow_schema, cfg.vector_column, cfg.dim)

    def __repr__(self) -> str:
        cfg = self.config
        return (f"EmbeddingTable({self.identifier!r}, dim={cfg.dim}, metric={cfg.metric!r}, "
                f"snapshot={self.metadata.current_snapshot_id})")

    # -- reading -------------------------------------------------------------------------------
    def scan(self, where: Any = None, columns: list[str] | None = None,
             snapshot_id: int | None = None, as_of: datetime | str | None = None,
             ref: str | None = None, limit: int | None = None) -> EmbeddingScan:
        snap = resolve_snapshot(self.metadata, self.name, snapshot_id, as_of, ref)
        time_travel = snapshot_id is not None or as_of is not None or \
            (ref is not None and ref != MAIN_BRANCH)
        scan = EmbeddingScan(self.name, self.io, self.metadata, snap, where, columns, limit,
                             time_travel)
        cfg = self.config
        scan.vector_column, scan.dim = cfg.vector_column, cfg.dim
        return scan

    # -- writing -------------------------------------------------------------------------------
    def append(self, data: Any, *, branch: str = MAIN_BRANCH,
               schema_mode: str | None = None) -> Snapshot:
        """Add rows (their vectors validated: dimension, no null, NaN or infinity)."""
        return super().append(prepared(self, self.config, data, "append to"), branch=branch,
                              schema_mode=schema_mode)

    def overwrite(self, data: Any, where: Any = None, *, mode: str | None = None,
                  branch: str = MAIN_BRANCH) -> Snapshot:
        return super().overwrite(prepared(self, self.config, data, "overwrite").read_all(),
                                 where, mode=mode, branch=branch)

    def update(self, where: Any, set: dict[str, Any], *,  # noqa: A002 (API name)
               branch: str = MAIN_BRANCH) -> Snapshot:
        check_update(self, self.config, set)
        return super().update(where, set, branch=branch)

    def merge(self, source: Any, on: list[str] | str, *, branch: str = MAIN_BRANCH) -> MergeBuilder:
        data = prepared(self, self.config, source, "merge into").read_all()
        return MergeBuilder(EmbeddingTransaction(self, self.config, branch), data, on,
                            standalone=True)

    def transaction(self, *, branch: str = MAIN_BRANCH) -> EmbeddingTransaction:
        return EmbeddingTransaction(self, self.config, branch)

    # -- search --------------------------------------------------------------------------------
    def search(self, query: Any, k: int = 10, *, where: Any = None,
               snapshot_id: int | None = None, as_of: datetime | str | None = None,
               ref: str | None = None, exact: bool = False, nprobes: int | None = None,
               refine_factor: int | None = None, columns: list[str] | None = None) -> pa.Table:
        """The `k` rows nearest to `query` (a vector of `dim` numbers) at a snapshot,
        among those matching `where`: the rows' columns (or `columns`) plus `_distance`,
        nearest first. `exact=True` skips the index; `nprobes` (lists scanned) and
        `refine_factor` (ivf_pq: candidates re-ranked exactly, times k) override the
        index's defaults."""
        q = as_queries(query, self.dim, single=True, name=self.name)
        return self._search(q, k, where, snapshot_id, as_of, ref, exact, nprobes,
                            refine_factor, columns, with_query=False)

    def search_batch(self, queries: Any, k: int = 10, *, where: Any = None,
                     snapshot_id: int | None = None, as_of: datetime | str | None = None,
                     ref: str | None = None, exact: bool = False, nprobes: int | None = None,
                     refine_factor: int | None = None,
                     columns: list[str] | None = None) -> pa.Table:
        """`search` for each row of `queries` (n x dim); adds `_query`, the query's row
        number, and orders by it, then by distance."""
        q = as_queries(queries, self.dim, single=False, name=self.name)
        return self._search(q, k, where, snapshot_id, as_of, ref, exact, nprobes,
                            refine_factor, columns, with_query=True)

    def _search(self, q: Any, k: int, where: Any, snapshot_id: int | None,
                as_of: datetime | str | None, ref: str | None, exact: bool,
                nprobes: int | None, refine_factor: int | None, columns: list[str] | None,
                with_query: bool) -> pa.Table:
        cfg = self.config
        params = search.SearchParams(
            k=search.check_k(k, self.name), metric=cfg.metric, exact=bool(exact),
            nprobes=search.check_optional_int(nprobes, "nprobes", self.name, 1),
            refine_factor=search.check_optional_int(refine_factor, "refine_factor", self.name, 0))
        scan = self.scan(where=where, snapshot_id=snapshot_id, as_of=as_of, ref=ref)
        out_schema = scan.arrow_schema
        if columns is not None:
            missing = [c for c in columns if c not in out_schema.names]
            if missing:
                raise ValidationError(f"Cannot search {self.name}: no column(s) "
                                      f"{', '.join(missing)}")
            out_schema = pa.schema([out_schema.field(c) for c in columns])
        reader = FileReader(self.io, self.metadata, scan.schema, cfg.vector_column, cfg.dim)
        p = plan.make_plan(scan, reader, entries(self.metadata), not exact)
        top = search.run(p, q, params, self.name)
        return search.to_table(p, top, out_schema, cfg.vector_column, with_query)

    # -- indexes -------------------------------------------------------------------------------
    def create_index(self, kind: str | None = None, **params: Any) -> IndexEntry:
        """Build a vector index of the current snapshot's rows and register it.

        `kind`: "ivf_flat" (the default: exact distances within the probed lists) or
        "ivf_pq" (product-quantized, re-ranked exactly). Parameters: `nlist` (lists; default
        a power of two near 2*sqrt(rows)), `nprobes` (lists a search scans by default;
        nlist/32, at least 16), `sample_per_list` (k-means training rows per list, 64),
        `iterations` (10), `seed`; for ivf_pq `subvectors` (dim/16) and `refine_factor` (10).
        """
        self.refresh()
        return build.create_index(self, self.config, kind, params)

    def optimize_index(self) -> IndexEntry | None:
        """File the rows added since the current index into a new version of it, dropping
        rows deleted since (no retraining). Returns the new entry, or None when the index
        already covers the current snapshot exactly."""
        self.refresh()
        return build.optimize_index(self, self.config)

    def indexes(self) -> list[IndexEntry]:
        """Every registered index, oldest first."""
        return entries(self.metadata)

    def index_for(self, snapshot_id: int | None = None) -> IndexEntry | None:
        """The index a search at the snapshot (default: current) uses, if any."""
        snap = resolve_snapshot(self.metadata, self.name, snapshot_id)
        return choose(self.metadata, snap)

    def index_files(self) -> set[str]:
        """Every file of every registered index (what orphan removal must keep)."""
        return index_files(self.metadata)

    # -- maintenance ---------------------------------------------------------------------------
    def expire_snapshots(self, older_than: datetime | timedelta | None = None,
                         retain_last: int = 1, *, dry_run: bool = False) -> ExpireResult:
        """`Table.expire_snapshots`, then the indexes no retained snapshot uses go too
        (a second, metadata-only commit; their files are deleted after it lands)."""
        before = self.refresh().metadata
        result = super().expire_snapshots(older_than=older_than, retain_last=retain_last,
                                          dry_run=dry_run)
        if dry_run or expire_indexes(before, self.metadata)[0] is self.metadata:
            return result
        garbage: list[str] = []

        def prune(base: TableMetadata) -> TableMetadata:
            new, garbage[:] = expire_indexes(before, base)
            return new

        commit(self, prune)
        self.io.delete_quietly(garbage)
        return result

    def remove_orphan_files(self, older_than: timedelta = timedelta(days=3),
                            dry_run: bool = False) -> list[str]:
        """`Table.remove_orphan_files`, keeping the files of registered indexes."""
        candidates = super().remove_orphan_files(older_than=older_than, dry_run=True)
        keep = index_files(self.refresh().metadata)
        orphans = [p for p in candidates if p not in keep]
        if not dry_run:
            self.io.delete_quietly(orphans)
        return orphans


def create_embedding_table(catalog: Any, identifier: str, *, dim: int, metric: str = "cosine",
                           schema: pa.Schema | None = None, vector_column: str = "embedding",
                           partition_by: list[str] | None = None,
                           sort_by: list[str] | None = None,
                           properties: dict[str, str] | None = None,
                           exist_ok: bool = False) -> EmbeddingTable:
    """Create an embedding table (see `Catalog.create_embedding_table`)."""
    from tablefmt.embeddings.create import create

    return create(catalog, identifier, dim=dim, metric=metric, schema=schema,
                  vector_column=vector_column, partition_by=partition_by, sort_by=sort_by,
                  properties=properties, exist_ok=exist_ok)


__all__ = ["EmbeddingTable", "create_embedding_table"]
