"""A running top-k per query, merged block by block (argpartition, never a full sort),
so an exact search holds k candidates per query and one block of distances at a time."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]

NO_ROW = -1


@dataclass
class TopK:
    """For each of `nq` queries, up to `k` candidates: distance, row id
    (`task << 32 | position`, or NO_ROW with distance inf) and vector."""

    dist: F32  # (nq, k)
    ids: I64  # (nq, k)
    vecs: F32  # (nq, k, dim)

    @classmethod
    def empty(cls, nq: int, k: int, dim: int) -> TopK:
        return cls(np.full((nq, k), np.inf, dtype=np.float32),
                   np.full((nq, k), NO_ROW, dtype=np.int64),
                   np.zeros((nq, k, dim), dtype=np.float32))

    @property
    def k(self) -> int:
        return int(self.dist.shape[1])

    def add_block(self, d: F32, ids: I64, block: F32) -> None:
        """Merge a block of candidates: `d` (nq, n) distances to the rows `block` (n, dim)
        whose ids are `ids` (n,)."""
        nq, n = d.shape
        if n == 0:
            return
        if n > self.k:
            part = np.argpartition(d, self.k - 1, axis=1)[:, :self.k]
        else:
            part = np.broadcast_to(np.arange(n), (nq, n))
        bd = np.take_along_axis(d, part, axis=1)
        better = bd.min(axis=1) < self.dist.max(axis=1)
        if not better.any():
            return
        self.merge(TopK(bd, ids[part], block[part]), rows=better)

    def merge(self, other: TopK, rows: npt.NDArray[np.bool_] | None = None) -> None:
        """Keep the k best of self and `other` for every query (or the masked ones)."""
        sel = slice(None) if rows is None else rows
        dist = np.concatenate([self.dist[sel], other.dist[sel]], axis=1)
        if dist.shape[1] > self.k:
            keep = np.argpartition(dist, self.k - 1, axis=1)[:, :self.k]
        else:
            keep = np.broadcast_to(np.arange(dist.shape[1]), dist.shape)
        take = np.arange(dist.shape[0])[:, None]
        self.dist[sel] = dist[take, keep]
        self.ids[sel] = np.concatenate([self.ids[sel], other.ids[sel]], axis=1)[take, keep]
        self.vecs[sel] = np.concatenate([self.vecs[sel], other.vecs[sel]], axis=1)[take, keep]

    def sorted(self) -> TopK:
        order = np.argsort(self.dist, axis=1, kind="stable")
        take = np.arange(self.dist.shape[0])[:, None]
        return TopK(self.dist[take, order], self.ids[take, order], self.vecs[take, order])
