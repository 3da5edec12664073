"""Murmur3 x86 32-bit (seed 0) over whole numpy arrays, as Iceberg's bucket transform
hashes values (spec Appendix B, "32-bit Hash Requirements").

Every function hashes many values at once with uint32 arithmetic on arrays; Python loops
run only over chunks of 65,536 rows (so each step works in cache) and over 4-byte block
positions, never over rows. Results are the signed 32-bit hashes Java's
`Hashing.murmur3_32_fixed().hashBytes(...).asInt()` gives.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

U32 = npt.NDArray[np.uint32]
I32 = npt.NDArray[np.int32]

_C1 = np.uint32(0xCC9E2D51)
_C2 = np.uint32(0x1B873593)
_N = np.uint32(0xE6546B64)
_F1 = np.uint32(0x85EBCA6B)
_F2 = np.uint32(0xC2B2AE35)
_FIVE = np.uint32(5)

_TAIL_MASK = np.array([0, 0xFF, 0xFFFF, 0xFFFFFF], dtype=np.uint32)
# Rows per step: each array operation then runs over data that stays in the CPU cache.
_CHUNK = 1 << 16


def hash_longs(values: npt.NDArray[np.int64]) -> I32:
    """Hash each int64 as its 8 little-endian bytes (Iceberg's `hashLong`).

    Example:
        >>> int(hash_longs(np.array([34], dtype=np.int64))[0])
        2017239379
    """
    words = np.ascontiguousarray(values, dtype="<i8").view(np.uint32)
    out = np.empty(len(values), dtype=np.int32)
    # Chunks that stay in cache: each step below is a pass over the chunk.
    for lo in range(0, len(values), _CHUNK):
        hi = min(lo + _CHUNK, len(values))
        h = words[2 * lo:2 * hi:2].copy()  # the first block seeds the state: h = 0 ^ k1
        k = words[2 * lo + 1:2 * hi:2].copy()
        tmp = np.empty_like(h)
        _scramble(h, tmp)
        _rotl(h, 13, tmp)
        h *= _FIVE
        h += _N
        _mix(h, k, tmp)
        out[lo:hi] = _finish(h, np.uint32(8), tmp)
    return out


def hash_rows(rows: npt.NDArray[np.uint8]) -> I32:
    """Hash each row of an `(n, length)` byte matrix: n values of the same length."""
    n, length = rows.shape
    words = _Words(np.ascontiguousarray(rows).reshape(-1))
    starts = np.arange(n, dtype=np.int64) * length
    lengths = np.full(n, length, dtype=np.int64)
    out = np.empty(n, dtype=np.int32)
    for lo in range(0, n, _CHUNK):
        hi = min(lo + _CHUNK, n)
        out[lo:hi] = _hash_longest_first(words, starts[lo:hi], lengths[lo:hi])
    return out


def hash_binary(data: npt.NDArray[np.uint8], offsets: npt.NDArray[np.int64]) -> I32:
    """Hash variable-length values stored Arrow-style: value i is
    `data[offsets[i]:offsets[i + 1]]`.

    Example:
        >>> data = np.frombuffer(b"iceberg", dtype=np.uint8)
        >>> int(hash_binary(data, np.array([0, 7]))[0])
        1210000089
    """
    offsets = np.asarray(offsets, dtype=np.int64)
    return hash_slices(data, offsets[:-1], np.diff(offsets))


def hash_slices(data: npt.NDArray[np.uint8], starts: npt.NDArray[np.int64],
                lengths: npt.NDArray[np.int64]) -> I32:
    """Hash `data[starts[i]:starts[i] + lengths[i]]` for each i.

    Each chunk of rows is grouped by length (a stable radix sort, longest first), so
    block j of every value that has one is hashed by one gather and a few array steps.
    """
    words = _Words(np.asarray(data, dtype=np.uint8).reshape(-1))
    out = np.empty(len(lengths), dtype=np.int32)
    # Chunks keep each chunk's bytes in cache while its rows are visited out of order.
    for lo in range(0, len(lengths), _CHUNK):
        hi = min(lo + _CHUNK, len(lengths))
        n = lengths[lo:hi]
        top = int(n.max())
        key_type = np.uint8 if top < 2**8 else np.uint16 if top < 2**16 else np.int64
        order = np.argsort((top - n).astype(key_type), kind="stable")
        out[lo:hi][order] = _hash_longest_first(words, starts[lo:hi][order], n[order])
    return out


class _Words:
    """`at(i)` is the little-endian uint32 at byte offset `i` of `data`, zero-padded past
    its end: a zero-copy, unaligned, overlapping view, so one gather reads one block of
    every value."""

    def __init__(self, data: npt.NDArray[np.uint8]) -> None:
        if len(data) < 4:
            data = np.concatenate((data, np.zeros(4 - len(data), dtype=np.uint8)))
        self.limit = len(data) - 4  # the last offset whose 4 bytes lie inside `data`
        self.words: U32 = np.ndarray(shape=(self.limit + 1,), dtype="<u4", buffer=data,
                                     strides=(1,))
        end = np.concatenate((data[self.limit:], np.zeros(4, dtype=np.uint8)))
        self.end: U32 = np.ndarray(shape=(5,), dtype="<u4", buffer=end, strides=(1,))

    def at(self, offsets: npt.NDArray[np.int64]) -> U32:
        if len(offsets) and int(offsets.max()) <= self.limit:
            found: U32 = self.words[offsets]
            return found
        found = self.words[np.minimum(offsets, self.limit)]
        over = offsets > self.limit
        if over.any():
            found[over] = self.end[offsets[over] - self.limit]
        return found


def _hash_longest_first(words: _Words, starts: npt.NDArray[np.int64],
                        lengths: npt.NDArray[np.int64]) -> I32:
    """Hash the values at `starts` with `lengths`, sorted longest first: the values that
    have a block j form a prefix."""
    blocks = lengths // 4
    h = np.zeros(len(starts), dtype=np.uint32)
    tmp = np.empty_like(h)
    at = starts.copy()  # each value's next block
    if len(starts):
        # active[j]: how many values have a full block j.
        active = np.searchsorted(-blocks, -np.arange(int(blocks[0])), side="left")
        for m in active.tolist():
            _mix(h[:m], words.words[at[:m]], tmp[:m])
            at[:m] += 4
    # The 1-3 tail bytes, masked out of the next word; without a tail k = 0, a no-op.
    tail = words.at(at)
    tail &= _TAIL_MASK[lengths & 3]
    _scramble(tail, tmp)
    h ^= tail
    return _finish(h, lengths.astype(np.uint32), tmp)


# -- the murmur3 steps, in place on uint32 arrays ----------------------------------------

def _rotl(x: U32, r: int, tmp: U32) -> None:
    np.right_shift(x, np.uint32(32 - r), out=tmp)
    np.left_shift(x, np.uint32(r), out=x)
    x |= tmp


def _scramble(k: U32, tmp: U32) -> None:
    k *= _C1
    _rotl(k, 15, tmp)
    k *= _C2


def _mix(h: U32, k: U32, tmp: U32) -> None:
    """One 4-byte block `k` into state `h` (`k` is consumed)."""
    _scramble(k, tmp)
    h ^= k
    _rotl(h, 13, tmp)
    h *= _FIVE
    h += _N


def _finish(h: U32, length: U32 | np.uint32, tmp: U32) -> I32:
    h ^= length
    for shift, factor in ((16, _F1), (13, _F2)):
        np.right_shift(h, np.uint32(shift), out=tmp)
        h ^= tmp
        h *= factor
    np.right_shift(h, np.uint32(16), out=tmp)
    h ^= tmp
    return h.view(np.int32)
