"""Nearest-neighbour search over one snapshot (spec/embeddings.md "Search"): the index
the snapshot uses answers for the rows it covers, the files added since are searched
exactly, and the two top-k lists are merged. Exact search streams each file's vectors in
blocks through one matrix product per block and keeps a running top-k."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from tablefmt.embeddings.metrics import prepare_queries, row_norms, scores, to_distances
from tablefmt.embeddings.plan import SearchPlan
from tablefmt.embeddings.topk import NO_ROW, TopK
from tablefmt.errors import ValidationError

F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]

BLOCK_ELEMENTS = 1 << 22  # queries x rows of one distance block (16 MiB)
REFINE_DEFAULT = 10  # ivf_pq: candidates re-ranked exactly, as a multiple of k


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchParams:
    k: int
    metric: str
    exact: bool = False
    nprobes: int | None = None
    refine_factor: int | None = None


def run(plan: SearchPlan, queries: F32, p: SearchParams, name: str) -> TopK:
    """The k nearest live, matching rows for each query, nearest first."""
    q, q_sq = prepare_queries(queries, p.metric, name)
    if plan.index is None or p.exact:
        top = exact(plan, q, p.k, range(len(plan.tasks)), p.metric)
    else:
        top = indexed(plan, q, p)
        if plan.delta:
            top.merge(exact(plan, q, p.k, plan.delta, p.metric))
    top.dist = to_distances(top.dist, q_sq, p.metric)
    return top.sorted()


def exact(plan: SearchPlan, q: F32, k: int, tasks: range | list[int], metric: str) -> TopK:
    top = TopK.empty(len(q), k, q.shape[1])
    rows = max(4096, BLOCK_ELEMENTS // len(q))
    for t in tasks:
        mask = plan.mask(t)
        for block in plan.reader.blocks(plan.tasks[t], rows):
            d = scores(q, block.vectors, block.sq, block.neg_inv, metric)
            n = len(block.vectors)
            if mask is not None:
                d[:, ~mask[block.start:block.start + n]] = np.inf
            ids = (np.int64(t) << 32) | np.arange(block.start, block.start + n, dtype=np.int64)
            top.add_block(d, ids, block.vectors)
    top.ids[~np.isfinite(top.dist)] = NO_ROW
    return top


def indexed(plan: SearchPlan, q: F32, p: SearchParams) -> TopK:
    index = plan.index
    assert index is not None and plan.entry is not None and plan.task_of_file is not None
    params = plan.entry.params
    nprobes = p.nprobes or int(params.get("nprobes", 1))
    refine = p.refine_factor if p.refine_factor is not None else \
        int(params.get("refine_factor", REFINE_DEFAULT))
    if plan.selective(nprobes):
        return _valid_rows_exact(plan, q, p)
    want = p.k if index.vectors is not None else p.k * max(refine, 1)
    coarse = index.coarse(q)
    dist = np.empty((len(q), want), dtype=np.float32)
    rows = np.empty((len(q), want), dtype=np.int64)
    for i in range(len(q)):
        dist[i], rows[i] = index.search_one(q[i], want, nprobes, coarse[i], plan.valid)
    found = np.isfinite(dist) & (rows >= 0)
    safe = np.where(found, rows, 0)
    task = plan.task_of_file[index.row_file[safe]]
    ids = np.where(found, (task << 32) | index.row_pos[safe], NO_ROW)
    dist[~found] = np.inf
    if index.vectors is not None:
        return TopK(dist, ids, index.vectors[safe])
    return _rerank(plan, q, dist, ids, p.k, p.metric, exact_scores=refine > 0)


def _valid_rows_exact(plan: SearchPlan, q: F32, p: SearchParams) -> TopK:
    """A filter that leaves fewer rows than the probed lists would hold: compare the
    query with exactly those rows (cheaper than probing, and exact)."""
    index = plan.index
    assert index is not None and plan.valid is not None and plan.task_of_file is not None
    rows = np.flatnonzero(plan.valid)
    ids = (plan.task_of_file[index.row_file[rows]] << 32) | index.row_pos[rows]
    vectors = index.vectors[rows] if index.vectors is not None else fetch_vectors(plan, ids)
    sq, neg_inv = row_norms(vectors)
    top = TopK.empty(len(q), p.k, q.shape[1])
    top.add_block(scores(q, vectors, sq, neg_inv, p.metric), ids, vectors)
    top.ids[~np.isfinite(top.dist)] = NO_ROW
    return top


def _rerank(plan: SearchPlan, q: F32, score: F32, ids: I64, k: int, metric: str,
            exact_scores: bool) -> TopK:
    """Product-quantized candidates re-ranked with their stored vectors (exact
    scores), or only given their vectors when `exact_scores` is off."""
    vecs = fetch_vectors(plan, ids)
    if exact_scores:
        dots = np.einsum("qcd,qd->qc", vecs, q)
        sq = np.einsum("qcd,qcd->qc", vecs, vecs)
        if metric == "l2":
            score = (sq - 2 * dots).astype(np.float32)
        elif metric == "cosine":
            neg_inv = np.divide(-1.0, np.sqrt(sq), out=np.zeros_like(sq), where=sq > 0)
            score = (dots * neg_inv).astype(np.float32)
        else:
            score = (-dots).astype(np.float32)
        score[ids == NO_ROW] = np.inf
    top = TopK.empty(len(q), k, q.shape[1])
    top.merge(TopK(score, ids, vecs))
    return top


def fetch_vectors(plan: SearchPlan, ids: I64) -> F32:
    """The stored vectors of rows named by id (task << 32 | position), zeros for NO_ROW."""
    out = np.zeros((*ids.shape, plan.reader.dim), dtype=np.float32)
    flat = ids.reshape(-1)
    task = np.where(flat >= 0, flat >> 32, -1)
    pos = flat & 0xFFFFFFFF
    view = out.reshape(-1, plan.reader.dim)
    for t in np.unique(task[task >= 0]).tolist():
        sel = task == t
        view[sel] = plan.reader.load(plan.tasks[t]).vectors[pos[sel]]
    return out


# -- results --------------------------------------------------------------------------------
def to_table(plan: SearchPlan, top: TopK, schema: pa.Schema, vector_column: str,
             with_query: bool) -> pa.Table:
    """The hits as rows of `schema` plus `_distance` (and `_query`), nearest first per
    query; `schema` may be a subset of the table's columns."""
    hit = top.ids != NO_ROW
    qidx, _ = np.nonzero(hit)
    ids = top.ids[hit]
    task, pos = ids >> 32, ids & 0xFFFFFFFF
    others = [f.name for f in schema if f.name != vector_column]
    rows = _rows(plan, task, pos, others, schema)
    columns = []
    for f in schema:
        if f.name == vector_column:
            values = pa.array(top.vecs[hit].reshape(-1), pa.float32())
            columns.append(pa.FixedSizeListArray.from_arrays(values, type=f.type))
        else:
            columns.append(rows.column(f.name))
    out = pa.Table.from_arrays(columns, schema=schema)
    out = out.append_column("_distance", pa.array(top.dist[hit], pa.float32()))
    if with_query:
        out = out.append_column("_query", pa.array(qidx.astype(np.int32), pa.int32()))
    return out


def _rows(plan: SearchPlan, task: I64, pos: I64, names: list[str], schema: pa.Schema
          ) -> pa.Table:
    """The non-vector columns of the hits, in hit order."""
    if not names or len(task) == 0:
        return pa.table({n: pa.array([], schema.field(n).type) for n in names})
    tasks = np.unique(task).tolist()
    if len(tasks) == 1:
        return plan.reader.rows(plan.tasks[tasks[0]]).select(names).take(pos)
    parts, order = [], []
    for t in tasks:
        sel = np.flatnonzero(task == t)
        parts.append(plan.reader.rows(plan.tasks[t]).select(names).take(pos[sel]))
        order.append(sel)
    return pa.concat_tables(parts).take(np.argsort(np.concatenate(order)))


def check_k(k: object, name: str) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValidationError(f"Cannot search {name}: k must be a positive integer, got {k!r}")
    return int(k)


def check_optional_int(value: object, what: str, name: str, minimum: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValidationError(f"Cannot search {name}: {what} must be an integer >= {minimum}, "
                              f"got {value!r}")
    return int(value)
