"""Inverted-file (IVF) vector indexes: k-means centroids partition the rows into lists; a
search scans the lists of the `nprobes` nearest centroids. `ivf_flat` keeps each list's
vectors (exact distances); `ivf_pq` keeps product-quantized residuals (approximate
distances, re-ranked exactly by the caller). Rows are named by (data file, position)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from tablefmt.embeddings.kmeans import assign, kmeans, normalize_rows, sample_rows
from tablefmt.embeddings.metrics import rank, row_norms
from tablefmt.embeddings.pq import ProductQuantizer

F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
U8 = npt.NDArray[np.uint8]
Mask = npt.NDArray[np.bool_]

KINDS = ("ivf_flat", "ivf_pq")
ENCODE_ROWS = 65536  # rows encoded at a time (bounds the residual copy)


@dataclass(frozen=True)
class Rows:
    """Vectors with their addresses: `file` ordinals into `files`, `pos` in the file."""

    vectors: F32
    file: I32
    pos: I64


@dataclass(frozen=True)
class IvfIndex:
    kind: str
    metric: str
    centroids: F32  # (nlist, dim); unit length for cosine
    offsets: I64  # (nlist + 1,): list i is rows offsets[i]..offsets[i+1]
    row_file: I32  # (rows,) ordinal into `files`
    row_pos: I64  # (rows,) position in that file
    files: tuple[str, ...]
    vectors: F32 | None = None  # ivf_flat: (rows, dim), the original vectors
    sq: F32 | None = None
    neg_inv: F32 | None = None
    pq: ProductQuantizer | None = None  # ivf_pq
    codes: U8 | None = None  # ivf_pq: (rows, m)

    @property
    def nlist(self) -> int:
        return int(self.centroids.shape[0])

    @property
    def rows(self) -> int:
        return int(self.row_pos.shape[0])

    @property
    def nbytes(self) -> int:
        arrays = (self.centroids, self.offsets, self.row_file, self.row_pos, self.vectors,
                  self.sq, self.neg_inv, self.codes)
        return sum(a.nbytes for a in arrays if a is not None) + \
            (self.pq.codebooks.nbytes if self.pq else 0)

    # -- searching ----------------------------------------------------------------------------
    def coarse(self, q: F32) -> F32:
        """For each (prepared) query, how far each list's centroid is (smaller: nearer)."""
        s = q @ self.centroids.T
        if self.metric == "l2":
            s *= -2.0
            s += self._centroid_sq[None, :]
        else:
            s *= -1.0
        return s

    @property
    def _centroid_sq(self) -> F32:
        found: F32 | None = self.__dict__.get("_csq")
        if found is None:
            found = np.einsum("ij,ij->i", self.centroids, self.centroids)
            object.__setattr__(self, "_csq", found)
        return found

    def search_one(self, q: F32, want: int, nprobes: int, coarse: F32,
                   valid: Mask | None) -> tuple[F32, I64]:
        """The `want` nearest rows of one query among the lists it probes: ranking scores
        (metrics.py) and index rows (-1 padding). More lists are probed until `want` valid rows are found
        or none are left, so a filter never leaves a search short."""
        best_d = np.full(want, np.inf, dtype=np.float32)
        best_r = np.full(want, -1, dtype=np.int64)
        lo, hi = 0, min(nprobes, self.nlist)
        order = np.argpartition(coarse, hi - 1)[:hi] if hi < self.nlist else np.arange(hi)
        while lo < self.nlist:
            if hi > len(order):
                order = np.argsort(coarse, kind="stable")
            d, rows = self._scan(q, order[lo:hi])
            if valid is not None:
                d[~valid[rows]] = np.inf
            best_d, best_r = _keep(np.concatenate([best_d, d]), np.concatenate([best_r, rows]),
                                   want)
            if np.count_nonzero(np.isfinite(best_d)) >= want:
                break
            lo, hi = hi, min(self.nlist, max(hi * 2, hi + 1))
        return best_d, best_r

    def _scan(self, q: F32, lists: I64) -> tuple[F32, I64]:
        starts, ends = self.offsets[lists], self.offsets[lists + 1]
        rows = _ranges(starts, ends)
        if self.vectors is not None:
            return self._flat(q, starts, ends, rows), rows
        return self._adc(q, lists, starts, ends, rows), rows

    def _flat(self, q: F32, starts: I64, ends: I64, rows: I64) -> F32:
        assert self.vectors is not None and self.sq is not None and self.neg_inv is not None
        s = np.empty((1, len(rows)), dtype=np.float32)
        at = 0
        for a, b in zip(starts.tolist(), ends.tolist()):
            np.matmul(self.vectors[a:b], q, out=s[0, at:at + b - a])
            at += b - a
        rank(s, self.sq[rows], self.neg_inv[rows], self.metric)
        out: F32 = s[0]
        return out

    def _adc(self, q: F32, lists: I64, starts: I64, ends: I64, rows: I64) -> F32:
        """Product-quantized distances (faiss's decomposition for l2: |q - c - r|^2 is
        |q - c|^2 plus, per sub-space, |r_j|^2 + 2 c_j.r_j - 2 q_j.r_j; the first two
        terms are tabulated per list once, the last per query)."""
        assert self.pq is not None and self.codes is not None
        out = np.empty(len(rows), dtype=np.float32)
        ip = self.pq.ip_table(q)
        codes = self._codes_flat
        qc = self.centroids[lists] @ q
        if self.metric == "l2":  # ranking score: the distance less |q|^2
            base = self._centroid_sq[lists] - 2 * qc
            terms = self._pq_terms
            ip2 = 2 * ip
        at = 0
        for i, (lst, a, b) in enumerate(zip(lists.tolist(), starts.tolist(), ends.tolist())):
            if self.metric == "l2":
                table = terms[lst] - ip2
                out[at:at + b - a] = base[i] + self.pq.lookup_flat(table, codes[a:b])
            else:
                out[at:at + b - a] = -qc[i] - self.pq.lookup_flat(ip, codes[a:b])
            at += b - a
        return out

    @property
    def _codes_flat(self) -> I32:
        found: I32 | None = self.__dict__.get("_cf")
        if found is None:
            assert self.pq is not None and self.codes is not None
            found = self.pq.flat_codes(self.codes)
            object.__setattr__(self, "_cf", found)
        return found

    @property
    def _pq_terms(self) -> F32:
        """Per list and sub-space code: |r_j|^2 + 2 c_j.r_j (nlist x m x 256)."""
        found: F32 | None = self.__dict__.get("_pt")
        if found is None:
            assert self.pq is not None
            found = self.pq.list_terms(self.centroids)
            object.__setattr__(self, "_pt", found)
        return found


# -- building -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class BuildParams:
    nlist: int
    sample_per_list: int = 64
    iterations: int = 10
    subvectors: int = 0  # ivf_pq only
    seed: int = 0


def build(kind: str, metric: str, data: Rows, files: tuple[str, ...], p: BuildParams) -> IvfIndex:
    """Train the centroids (and codebooks) on a sample, then file every row in its list."""
    space = _space(data.vectors, metric)
    sample = space[sample_rows(len(space), p.sample_per_list * p.nlist, p.seed)]
    centroids = kmeans(sample, p.nlist, iterations=p.iterations, spherical=metric == "cosine",
                       seed=p.seed)
    pq = None
    if kind == "ivf_pq":
        labels = assign(sample, centroids, spherical=metric == "cosine")
        pq = ProductQuantizer.train(sample - centroids[labels], p.subvectors,
                                    iterations=p.iterations, seed=p.seed)
    empty = IvfIndex(kind=kind, metric=metric, centroids=centroids,
                     offsets=np.zeros(p.nlist + 1, dtype=np.int64),
                     row_file=np.zeros(0, dtype=np.int32), row_pos=np.zeros(0, dtype=np.int64),
                     files=(), pq=pq)
    return extend(empty, data, files, keep=None)


def extend(index: IvfIndex, new: Rows, new_files: tuple[str, ...], keep: Mask | None) -> IvfIndex:
    """The index with the rows of `new` (in `new_files`) added to their nearest lists,
    keeping only the existing rows where `keep` (all if None). No retraining."""
    old_keep = np.ones(index.rows, dtype=np.bool_) if keep is None else keep
    live_files = sorted(set(index.row_file[old_keep].tolist()))
    remap = np.full(max(len(index.files), 1), -1, dtype=np.int32)
    remap[live_files] = np.arange(len(live_files), dtype=np.int32)
    files = tuple(index.files[i] for i in live_files) + new_files
    labels_old = np.repeat(np.arange(index.nlist), np.diff(index.offsets))[old_keep]
    space = _space(new.vectors, index.metric)
    labels_new = _assign_chunked(space, index.centroids, index.metric)
    labels = np.concatenate([labels_old, labels_new])
    order = np.argsort(labels, kind="stable")
    counts = np.bincount(labels, minlength=index.nlist)
    out = replace(
        index, offsets=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
        row_file=np.concatenate([remap[index.row_file[old_keep]],
                                 new.file + len(live_files)]).astype(np.int32)[order],
        row_pos=np.concatenate([index.row_pos[old_keep], new.pos]).astype(np.int64)[order],
        files=files)
    if index.kind == "ivf_flat":
        # A first build has no old rows: gather straight from the new ones (one copy).
        vectors = new.vectors[order] if index.vectors is None else \
            np.concatenate([index.vectors[old_keep], new.vectors])[order]
        sq, neg_inv = row_norms(vectors)
        return replace(out, vectors=vectors, sq=sq, neg_inv=neg_inv)
    assert index.pq is not None
    new_codes = _encode(index, space, labels_new)
    old_codes = index.codes[old_keep] if index.codes is not None else new_codes[:0]
    return replace(out, codes=np.concatenate([old_codes, new_codes])[order])


def _space(x: F32, metric: str) -> F32:
    """The vectors as the quantizer sees them: unit length for cosine."""
    return normalize_rows(x) if metric == "cosine" else x


def _assign_chunked(x: F32, centroids: F32, metric: str) -> I64:
    return assign(x, centroids, spherical=metric == "cosine")


def _encode(index: IvfIndex, space: F32, labels: I64) -> U8:
    assert index.pq is not None
    codes = np.empty((len(space), index.pq.m), dtype=np.uint8)
    for start in range(0, len(space), ENCODE_ROWS):
        end = start + ENCODE_ROWS
        codes[start:end] = index.pq.encode(space[start:end] - index.centroids[labels[start:end]])
    return codes


def _ranges(starts: I64, ends: I64) -> I64:
    """The concatenation of arange(s, e) for each pair, vectorized."""
    lengths = ends - starts
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    shift = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
    out: I64 = np.arange(total, dtype=np.int64) + shift
    return out


def _keep(d: F32, rows: I64, want: int) -> tuple[F32, I64]:
    if len(d) > want:
        part = np.argpartition(d, want - 1)[:want]
        return d[part], rows[part]
    pad = want - len(d)
    return (np.concatenate([d, np.full(pad, np.inf, dtype=np.float32)]),
            np.concatenate([rows, np.full(pad, -1, dtype=np.int64)]))
