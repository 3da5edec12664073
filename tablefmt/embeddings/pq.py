"""Product quantization (Jégou et al. 2011) of IVF residuals: each vector is cut into `m`
sub-vectors, each replaced by the nearest of 256 sub-centroids (one byte). Distances to
a query come from per-sub-space lookup tables (asymmetric distance computation)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tablefmt.embeddings.kmeans import assign, kmeans

F32 = npt.NDArray[np.float32]
U8 = npt.NDArray[np.uint8]
I32 = npt.NDArray[np.int32]

KSUB = 256


def default_subvectors(dim: int) -> int:
    """LanceDB's default: dim / 16 sub-vectors; else the divisor of dim nearest to it."""
    divisors = [m for m in range(1, dim + 1) if dim % m == 0]
    return min(divisors, key=lambda m: (abs(m - dim / 16), m))


@dataclass(frozen=True)
class ProductQuantizer:
    codebooks: F32  # (m, ksub, dsub)

    @property
    def m(self) -> int:
        return int(self.codebooks.shape[0])

    @property
    def dsub(self) -> int:
        return int(self.codebooks.shape[2])

    @classmethod
    def train(cls, residuals: F32, m: int, *, iterations: int = 10, seed: int = 0
              ) -> ProductQuantizer:
        """Codebooks from a sample of residuals (rows x dim, dim divisible by m)."""
        n, dim = residuals.shape
        dsub, ksub = dim // m, min(KSUB, n)
        books = np.zeros((m, KSUB, dsub), dtype=np.float32)
        for j in range(m):
            sub = np.ascontiguousarray(residuals[:, j * dsub:(j + 1) * dsub])
            books[j, :ksub] = kmeans(sub, ksub, iterations=iterations, seed=seed + j)
            books[j, ksub:] = books[j, 0]  # unused codes: never nearer than code 0
        return cls(books)

    def encode(self, residuals: F32) -> U8:
        codes = np.empty((residuals.shape[0], self.m), dtype=np.uint8)
        d = self.dsub
        for j in range(self.m):
            sub = np.ascontiguousarray(residuals[:, j * d:(j + 1) * d])
            codes[:, j] = assign(sub, self.codebooks[j])
        return codes

    def ip_table(self, query: F32) -> F32:
        """(m, 256) dot products of each query sub-vector with each sub-centroid."""
        out: F32 = np.einsum("jcd,jd->jc", self.codebooks, query.reshape(self.m, self.dsub))
        return out

    def flat_codes(self, codes: U8) -> I32:
        """Codes as indexes into a flattened (m x 256) table: code_j + 256 j."""
        out: I32 = codes.astype(np.int32) + (np.arange(self.m, dtype=np.int32) * KSUB)[None, :]
        return out

    def lookup_flat(self, table: F32, flat_codes: I32) -> F32:
        """Sum over sub-spaces of `table[j, code_j]` for each row (`flat_codes`)."""
        out: F32 = table.reshape(-1)[flat_codes].sum(axis=1, dtype=np.float32)
        return out

    def list_terms(self, centroids: F32) -> F32:
        """For each coarse centroid c: |cb_j,k|^2 + 2 c_j . cb_j,k (nlist x m x 256)."""
        cb_sq = np.einsum("jcd,jcd->jc", self.codebooks, self.codebooks)
        per_space = centroids.reshape(len(centroids), self.m, self.dsub).transpose(1, 0, 2)
        cross = np.matmul(per_space, self.codebooks.transpose(0, 2, 1))  # m x nlist x 256
        out: F32 = np.ascontiguousarray((cb_sq[:, None, :] + 2 * cross).transpose(1, 0, 2),
                                        dtype=np.float32)
        return out
