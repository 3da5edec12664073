"""Building and updating vector indexes (spec/embeddings.md "Index versions"):
`create_index` trains an IVF index on the current snapshot's rows; `optimize_index` files
the rows added since into the newest index (no retraining) and drops deleted ones. Each
writes a new index directory, then registers it in one metadata-only commit."""

from __future__ import annotations

import math
import time
import uuid
from typing import TYPE_CHECKING, Any

import numpy as np

from tablefmt.embeddings import ivf
from tablefmt.embeddings.cache import CACHE
from tablefmt.embeddings.config import EmbeddingConfig
from tablefmt.embeddings.files import FileReader
from tablefmt.embeddings.ivf import BuildParams, IvfIndex, Rows
from tablefmt.embeddings.pq import default_subvectors
from tablefmt.embeddings.registry import IndexEntry, choose, entries, with_entries
from tablefmt.embeddings.search import REFINE_DEFAULT
from tablefmt.embeddings.store import index_dir, read_index, write_index
from tablefmt.errors import ValidationError
from tablefmt.metadata.snapshot import Snapshot
from tablefmt.metadata.table_metadata import TableMetadata
from tablefmt.scan.planner import FileTask
from tablefmt.transaction.commit import commit

if TYPE_CHECKING:
    from tablefmt.table import Table

DEFAULT_KIND = "ivf_flat"
_BUILD_KEYS = {"nlist", "sample_per_list", "iterations", "seed"}
_SEARCH_KEYS = {"nprobes"}
_PQ_KEYS = {"subvectors", "refine_factor"}
MIN_ROWS_PER_LIST = 39  # below this k-means has too few points per centroid (faiss's rule)


def default_nlist(rows: int) -> int:
    """A power of two near 2 * sqrt(rows), with at least 39 rows per list."""
    target = 1 << round(math.log2(max(1.0, 2 * math.sqrt(rows))))
    return max(1, min(target, rows // MIN_ROWS_PER_LIST))


def default_nprobes(nlist: int) -> int:
    return min(nlist, max(16, nlist // 32))


def create_index(table: Table, cfg: EmbeddingConfig, kind: str | None,
                 params: dict[str, Any]) -> IndexEntry:
    kind = DEFAULT_KIND if kind is None else kind
    if kind not in ivf.KINDS:
        raise ValidationError(f"Cannot index {table.name}: kind must be one of "
                              f"{', '.join(ivf.KINDS)} (or None for {DEFAULT_KIND}), got {kind!r}")
    allowed = _BUILD_KEYS | _SEARCH_KEYS | (_PQ_KEYS if kind == "ivf_pq" else set())
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise ValidationError(f"Cannot build a {kind} index on {table.name}: unknown "
                              f"parameter(s) {', '.join(unknown)}; known: {', '.join(sorted(allowed))}")
    snap = _current(table, "index")
    reader = FileReader(table.io, table.metadata, table.metadata.schema, cfg.vector_column, cfg.dim)
    tasks = table.scan(snapshot_id=snap.snapshot_id).plan_files()
    rows, files = read_rows(reader, tasks)
    if len(rows.pos) == 0:
        raise ValidationError(f"Cannot index {table.name}: it has no rows")
    resolved = _resolve(kind, cfg, len(rows.pos), params, table.name)
    build = BuildParams(**{k: v for k, v in resolved.items() if k in _BUILD_KEYS | {"subvectors"}})
    index = ivf.build(kind, cfg.metric, rows, files, build)
    return register(table, cfg, index, snap, resolved)


def optimize_index(table: Table, cfg: EmbeddingConfig) -> IndexEntry | None:
    """Fold rows added since the current index into it; None when it is up to date."""
    snap = _current(table, "optimize the index of")
    entry = choose(table.metadata, snap)
    if entry is None:
        raise ValidationError(f"Cannot optimize the index of {table.name}: it has no index "
                              "at this snapshot; call create_index() first")
    index = read_index(table.io, entry.location, entry.files)
    tasks = table.scan(snapshot_id=snap.snapshot_id).plan_files()
    live = {t.file_path for t in tasks}
    keep = np.array([f in live for f in index.files], dtype=np.bool_)[index.row_file] \
        if index.rows else np.zeros(0, dtype=np.bool_)
    covered = set(index.files)
    new_tasks = [t for t in tasks if t.file_path not in covered]
    if not new_tasks and bool(keep.all()):
        return None
    reader = FileReader(table.io, table.metadata, table.metadata.schema, cfg.vector_column, cfg.dim)
    rows, files = read_rows(reader, new_tasks)
    return register(table, cfg, ivf.extend(index, rows, files, keep), snap, entry.params)


def read_rows(reader: FileReader, tasks: list[FileTask]) -> tuple[Rows, tuple[str, ...]]:
    """Every vector of the files, with its address; one preallocated matrix."""
    total = sum(t.record_count for t in tasks)
    vectors = np.empty((total, reader.dim), dtype=np.float32)
    file_ord = np.empty(total, dtype=np.int32)
    pos = np.empty(total, dtype=np.int64)
    at = 0
    for i, task in enumerate(tasks):
        for start, block in reader.stream(task):
            n = len(block)
            vectors[at:at + n] = block
            file_ord[at:at + n] = i
            pos[at:at + n] = np.arange(start, start + n)
            at += n
    return Rows(vectors[:at], file_ord[:at], pos[:at]), tuple(t.file_path for t in tasks)


def register(table: Table, cfg: EmbeddingConfig, index: IvfIndex, snap: Snapshot,
             params: dict[str, Any]) -> IndexEntry:
    """Write the index files, then add the entry in one commit (files removed if it fails)."""
    index_id = uuid.uuid4().hex
    location = index_dir(table.location, index_id)
    written: list[str] = []
    try:
        paths = write_index(table.io, location, index, written)
    except BaseException:
        table.io.delete_quietly(written)
        raise
    entry = IndexEntry(index_id=index_id, kind=index.kind, metric=cfg.metric, dim=cfg.dim,
                       snapshot_id=snap.snapshot_id, anchors=(snap.snapshot_id,),
                       created_ms=int(time.time() * 1000), rows=index.rows, location=location,
                       files=tuple(paths), params=dict(params))

    def build(base: TableMetadata) -> TableMetadata:
        if base.snapshot_by_id(snap.snapshot_id) is None:
            raise ValidationError(f"Cannot register the index of {table.name}: snapshot "
                                  f"{snap.snapshot_id} expired while it was built")
        return with_entries(base, [*entries(base), entry])

    commit(table, build, written=lambda: written)
    CACHE.put(("index", location), index, index.nbytes)
    return entry


def _current(table: Table, verb: str) -> Snapshot:
    snap = table.metadata.current_snapshot
    if snap is None:
        raise ValidationError(f"Cannot {verb} {table.name}: it has no rows (no snapshot yet)")
    return snap


def _resolve(kind: str, cfg: EmbeddingConfig, rows: int, params: dict[str, Any],
             name: str) -> dict[str, Any]:
    out: dict[str, Any] = {"nlist": default_nlist(rows), "sample_per_list": 64,
                           "iterations": 10, "seed": 0}
    if kind == "ivf_pq":
        out.update(subvectors=default_subvectors(cfg.dim), refine_factor=REFINE_DEFAULT)
    out.update(params)
    for key, value in out.items():
        low = 0 if key in ("seed", "refine_factor") else 1
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValidationError(f"Cannot index {name}: {key} must be an integer >= {low}, "
                                  f"got {value!r}")
    if out["nlist"] > rows:
        raise ValidationError(f"Cannot index {name}: nlist={out['nlist']} exceeds its "
                              f"{rows} rows")
    if kind == "ivf_pq" and cfg.dim % out["subvectors"]:
        raise ValidationError(f"Cannot index {name}: subvectors={out['subvectors']} must "
                              f"divide dim={cfg.dim}")
    out.setdefault("nprobes", default_nprobes(out["nlist"]))
    return out
