"""Vector test data shared by the embedding tests and benchmarks: gaussian clusters
(the issue's "clustered vectors"), exact neighbours by numpy brute force, recall."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa

F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]


def clustered(n: int, dim: int, *, clusters: int = 100, queries: int = 100, seed: int = 0,
              spread: float = 1.0) -> tuple[F32, F32]:
    """`n` rows and `queries` queries drawn from the same mixture of `clusters` unit-variance
    gaussians whose centres are standard normal."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, dim), dtype=np.float32)
    rows = centres[rng.integers(0, clusters, n)]
    rows += spread * rng.standard_normal((n, dim), dtype=np.float32)
    q = centres[rng.integers(0, clusters, queries)]
    q += spread * rng.standard_normal((queries, dim), dtype=np.float32)
    return rows, q


def brute_force(x: F32, q: F32, k: int, metric: str) -> tuple[I64, npt.NDArray[np.float64]]:
    """Row numbers and distances of the k nearest rows per query, in float64."""
    x64, q64 = x.astype(np.float64), q.astype(np.float64)
    dots = q64 @ x64.T
    if metric == "l2":
        d = (q64 ** 2).sum(1)[:, None] - 2 * dots + (x64 ** 2).sum(1)[None, :]
    elif metric == "cosine":
        norms = np.linalg.norm(x64, axis=1)
        d = 1 - dots / (np.linalg.norm(q64, axis=1)[:, None] * np.where(norms == 0, 1, norms))
    else:
        d = 1 - dots
    order = np.argsort(d, axis=1, kind="stable")[:, :k]
    return order, np.take_along_axis(d, order, axis=1)


def recall(found: list[list[int]] | I64, truth: I64) -> float:
    k = truth.shape[1]
    return float(np.mean([len(set(map(int, f)) & set(map(int, t))) / k
                          for f, t in zip(found, truth)]))


def vector_column(x: F32) -> pa.FixedSizeListArray:
    return pa.FixedSizeListArray.from_arrays(pa.array(x.reshape(-1)), x.shape[1])


def rows_table(x: F32, start: int = 0, groups: int = 4) -> pa.Table:
    """ids start.., a `grp` column (id % groups) and the vectors."""
    ids = np.arange(start, start + len(x), dtype=np.int64)
    return pa.table({"id": ids, "grp": pa.array((ids % groups).astype(np.int64)),
                     "embedding": vector_column(x)})


OTHER_COLUMNS = pa.schema([pa.field("id", pa.int64(), nullable=False), ("grp", pa.int64())])


def make_table(cat: object, name: str = "db.docs", *, dim: int = 8, metric: str = "l2",
               partition_by: list[str] | None = None) -> object:
    """An embedding table with columns id, grp and the vector (`cat` is a tf.Catalog)."""
    return cat.create_embedding_table(name, dim=dim, metric=metric,  # type: ignore[attr-defined]
                                      schema=OTHER_COLUMNS, partition_by=partition_by)


def ids_per_query(result: pa.Table, queries: int) -> list[list[int]]:
    qs = result.column("_query").to_numpy()
    ids = result.column("id").to_numpy()
    return [ids[qs == i].tolist() for i in range(queries)]
