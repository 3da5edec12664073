"""k-means for the coarse quantizer of IVF indexes and the codebooks of product
quantization: Lloyd iterations on a sample, assignments by BLAS matrix products in
bounded chunks (numpy only; see spec/embeddings.md "Training")."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]

CHUNK_ELEMENTS = 1 << 23  # rows x centroids per distance block (32 MiB of float32)


def kmeans(x: F32, k: int, *, iterations: int = 10, spherical: bool = False,
           seed: int = 0) -> F32:
    """`k` centroids of the rows of `x` (Lloyd's algorithm, random initial rows; an empty
    cluster takes half of the largest one, as faiss does). With `spherical`, rows and
    centroids are unit vectors and assignment maximizes the dot product.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> x = np.concatenate([rng.normal(c, 0.1, (50, 2)) for c in (0, 5)]).astype(np.float32)
        >>> sorted(int(round(c)) for c in kmeans(x, 2)[:, 0])
        [0, 5]
    """
    n = x.shape[0]
    if not 1 <= k <= n:
        raise ValueError(f"k-means needs 1 <= k <= rows, got k={k} for {n} rows")
    rng = np.random.default_rng(seed)
    centroids = x[np.sort(rng.choice(n, k, replace=False))].copy()
    for _ in range(iterations):
        labels = assign(x, centroids, spherical=spherical)
        centroids = _update(x, labels, centroids, rng)
        if spherical:
            centroids = normalize_rows(centroids)
    return centroids


def assign(x: F32, centroids: F32, *, spherical: bool = False, inner_product: bool = False) -> I64:
    """The nearest centroid of each row: by L2, or by largest dot product."""
    out = np.empty(x.shape[0], dtype=np.int64)
    half_sq = None if spherical or inner_product else 0.5 * np.einsum(
        "ij,ij->i", centroids, centroids)
    step = max(1, CHUNK_ELEMENTS // max(1, centroids.shape[0]))
    for start in range(0, x.shape[0], step):
        scores = x[start:start + step] @ centroids.T
        if half_sq is not None:
            scores -= half_sq  # argmax of x.c - |c|^2/2 is argmin of |x - c|^2
        out[start:start + step] = np.argmax(scores, axis=1)
    return out


def _update(x: F32, labels: I64, old: F32, rng: np.random.Generator) -> F32:
    counts = np.bincount(labels, minlength=old.shape[0])
    order = np.argsort(labels, kind="stable")
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    sums = np.zeros_like(old)
    present = counts > 0
    sums[present] = np.add.reduceat(x[order], starts[present], axis=0)
    centroids = old.copy()
    centroids[present] = sums[present] / counts[present, None].astype(np.float32)
    for empty in np.flatnonzero(~present):
        _split_largest(centroids, counts, int(empty), rng)
    return centroids


def _split_largest(centroids: F32, counts: npt.NDArray[np.int64], empty: int,
                   rng: np.random.Generator) -> None:
    # faiss's rule: an empty cluster copies the largest one, and the two are pushed
    # apart by a small symmetric perturbation; each takes half of its rows.
    big = int(np.argmax(counts))
    scale = float(np.abs(centroids[big]).mean()) + 1e-6
    eps = rng.standard_normal(centroids.shape[1], dtype=np.float32) * np.float32(1e-3 * scale)
    centroids[empty] = centroids[big] + eps
    centroids[big] = centroids[big] - eps
    counts[empty] = counts[big] // 2
    counts[big] -= counts[empty]


def normalize_rows(x: F32) -> F32:
    """Rows scaled to unit length (zero rows stay zero)."""
    norms = np.sqrt(np.einsum("ij,ij->i", x, x))
    norms[norms == 0] = 1.0
    out: F32 = (x / norms[:, None]).astype(np.float32, copy=False)
    return out


def sample_rows(n: int, size: int, seed: int = 0) -> I64:
    """Sorted row numbers of a uniform sample without replacement (all rows if fewer)."""
    if size >= n:
        return np.arange(n, dtype=np.int64)
    return np.sort(np.random.default_rng(seed).choice(n, size, replace=False)).astype(np.int64)
