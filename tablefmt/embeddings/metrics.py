"""Distances (spec/embeddings.md "Distances"), smaller is nearer, as LanceDB defines them:

- l2:     squared Euclidean distance, |v - q|^2
- cosine: 1 - cos(v, q), in [0, 2]; a zero vector is at distance 1 from every query
- dot:    1 - v.q

Searches rank by a score that differs from the distance by a per-query constant
(l2: |v|^2 - 2 v.q; cosine: -cos; dot: -v.q), which costs the fewest passes over a
block after its matrix product; the k survivors are turned into distances at the end."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from tablefmt.errors import ValidationError

F32 = npt.NDArray[np.float32]


def row_norms(x: F32) -> tuple[F32, F32]:
    """Squared norms and negated inverse norms (0 for zero rows) of the rows of `x`."""
    sq = np.einsum("ij,ij->i", x, x, dtype=np.float32)
    norms = np.sqrt(sq)
    neg_inv = np.divide(-1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    return sq, neg_inv.astype(np.float32, copy=False)


def prepare_queries(q: F32, metric: str, name: str) -> tuple[F32, F32]:
    """Queries ready for `scores`: unit length for cosine. Returns them with their
    squared norms (used by l2)."""
    sq = np.einsum("ij,ij->i", q, q, dtype=np.float32)
    if metric == "cosine":
        if np.any(sq == 0):
            raise ValidationError(f"Cannot search {name} by cosine with a zero query vector")
        q = (q / np.sqrt(sq)[:, None]).astype(np.float32)
        sq = np.ones_like(sq)
    return np.ascontiguousarray(q), sq


def scores(q: F32, v: F32, v_sq: F32, v_neg_inv: F32, metric: str) -> F32:
    """(len(q), len(v)) ranking scores of rows for prepared queries."""
    # One query: a matrix-vector product (BLAS gemv), as the numpy floor `x @ q` does.
    s = (v @ q[0])[None, :] if len(q) == 1 else q @ v.T
    rank(s, v_sq, v_neg_inv, metric)
    return s


def rank(s: F32, v_sq: F32, v_neg_inv: F32, metric: str) -> None:
    """Turn dot products `s` (queries x rows) into ranking scores, in place."""
    if metric == "l2":
        s *= -2.0
        s += v_sq[None, :]
    elif metric == "cosine":
        s *= v_neg_inv[None, :]
    else:
        np.negative(s, out=s)


def to_distances(r: F32, q_sq: F32, metric: str) -> F32:
    """Ranking scores (queries x candidates) as distances; inf stays inf."""
    if metric == "l2":
        out: F32 = np.maximum(r + q_sq[:, None], 0.0)  # rounding can dip below zero
        return out
    return r + np.float32(1.0)
