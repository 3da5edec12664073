"""Parquet's DELTA_BINARY_PACKED encoding of INT32 values, in numpy: the lengths half of a
DELTA_LENGTH_BYTE_ARRAY page (`dlba.py`).

Layout (parquet-format Encodings.md): a header of four varints — values per block (128),
miniblocks per block (4), the value count, the first value (zigzag) — then one block per
128 deltas between neighbours: the block's least delta (zigzag varint), one byte per
miniblock giving its bit width, then each miniblock's 32 deltas minus that least delta,
bit-packed least significant bit first. A miniblock past the last delta has width 0 and no
bytes; the last one holding deltas is padded to 32 values. For INT32 the subtractions wrap
in 32 bits (two's complement), as the format specifies and readers undo.

`encode_runs` encodes the runs of one column chunk (one per page) together: the blocks of
every run are one numpy grid, miniblocks of one bit width are packed together, and each
block's bytes land at offsets from a cumulative sum; Python loops only over runs.

Example:
    >>> import numpy as np
    >>> encode(np.array([7, 5, 3, 1]))  # first value 7, deltas -2: width 0, no bytes
    b'\\x80\\x01\\x04\\x04\\x0e\\x03\\x00\\x00\\x00\\x00'
"""

from __future__ import annotations

import numpy as np

BLOCK = 128
MINIBLOCKS = 4
PER_MINIBLOCK = BLOCK // MINIBLOCKS
_VARINT_BYTES = 10  # the most a 64-bit varint takes
_INT32 = np.iinfo(np.int32)


def encode(values: np.ndarray) -> bytes:
    """INT32 `values` DELTA_BINARY_PACKED."""
    return encode_runs(values, [0, len(values)])[0]


def encode_runs(values: np.ndarray, bounds: list[int] | np.ndarray) -> list[bytes]:
    """Each run values[bounds[i]:bounds[i + 1]] (INT32 values, bounds not decreasing)
    encoded on its own."""
    v = np.asarray(values)
    if len(v) and (v.min() < _INT32.min or v.max() > _INT32.max):
        raise ValueError("DELTA_BINARY_PACKED INT32 values must fit in 32 bits")
    v = v.astype(np.int32, copy=False)
    at = np.asarray(bounds, dtype=np.int64)
    sizes = np.diff(at)
    if len(sizes) and sizes.min() < 0:
        raise ValueError("run bounds must not decrease")
    firsts = np.zeros(len(sizes), dtype=np.int64)
    firsts[sizes > 0] = v[at[:-1][sizes > 0]]
    heads = _varint_rows(np.stack([np.full(len(sizes), BLOCK), np.full(len(sizes), MINIBLOCKS),
                                   sizes, _zigzag(firsts).view(np.int64)], axis=1))
    counts = np.maximum(sizes - 1, 0)  # deltas per run
    per_run = -(-counts // BLOCK)
    blocks = int(per_run.sum())
    if not blocks:
        return heads
    grid, used = _blocks(np.diff(v), at[:-1], counts, per_run)
    lows = grid.min(axis=1)
    adjusted = (grid - lows[:, None]).view(np.uint32).reshape(blocks * MINIBLOCKS,
                                                             PER_MINIBLOCK)
    widths = _bit_width(adjusted.max(axis=1))
    widths[~used] = 0
    raw, lengths = _varint_matrix(_zigzag(lows.astype(np.int64)))
    body = widths.astype(np.int64).reshape(blocks, MINIBLOCKS) * (PER_MINIBLOCK // 8)
    starts = np.concatenate([[0], np.cumsum(lengths + MINIBLOCKS + body.sum(axis=1))])
    out = np.empty(int(starts[-1]), dtype=np.uint8)
    # Each block: its least delta, the bit widths, then the miniblocks.
    row, col = np.nonzero(np.arange(_VARINT_BYTES) < lengths[:, None])
    out[starts[row] + col] = raw[row, col]
    out[((starts[:-1] + lengths)[:, None] + np.arange(MINIBLOCKS)).reshape(-1)] = widths
    mb_starts = ((starts[:-1] + lengths + MINIBLOCKS)[:, None]
                 + np.cumsum(body, axis=1) - body).reshape(-1)
    for width in np.unique(widths[used]):
        if width == 0:
            continue
        sel = np.nonzero(widths == width)[0]
        packed = _pack(adjusted[sel], int(width))
        out[(mb_starts[sel][:, None] + np.arange(packed.shape[1])).reshape(-1)] = \
            packed.reshape(-1)
    edges = starts[np.concatenate([[0], np.cumsum(per_run)])]
    return [head + out[lo:hi].tobytes() for head, lo, hi in zip(heads, edges[:-1], edges[1:])]


def _blocks(deltas: np.ndarray, firsts: np.ndarray, counts: np.ndarray, per_run: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray]:
    """The (blocks, BLOCK) grid of every run's deltas, each run starting a block, and
    which miniblocks hold a delta. A run's last block is padded with its least delta
    (packed as 0)."""
    grid = np.empty((int(per_run.sum()), BLOCK), dtype=np.int32)
    flat = grid.reshape(-1)
    used = np.ones(len(grid) * MINIBLOCKS, dtype=bool)
    row = 0
    for start, count, n in zip(firsts.tolist(), counts.tolist(), per_run.tolist()):
        if not count:
            continue
        flat[row * BLOCK:row * BLOCK + count] = deltas[start:start + count]
        row += n
        tail = count - (n - 1) * BLOCK  # deltas in the run's last block
        if tail < BLOCK:
            last = grid[row - 1]
            last[tail:] = last[:tail].min()
            used[(row - 1) * MINIBLOCKS - (-tail // PER_MINIBLOCK):row * MINIBLOCKS] = False
    return grid, used


def _pack(rows: np.ndarray, width: int) -> np.ndarray:
    """Each row of PER_MINIBLOCK values (below 2**width, width <= 32) bit-packed at
    `width` bits, least significant first: (rows, width * PER_MINIBLOCK / 8) bytes. Value
    i is shifted to its bit offset inside 32-bit word i * width // 32; the words are sums
    (bits never overlap), the part past 32 bits carried into the next word."""
    at = np.arange(PER_MINIBLOCK) * width
    word, offset = at // 32, (at % 32).astype(np.uint64)
    shifted = rows.astype(np.uint64) << offset
    starts = np.flatnonzero(np.r_[True, word[1:] != word[:-1]])
    words = np.zeros((len(rows), width + 1), dtype=np.uint64)
    words[:, word[starts]] += np.add.reduceat(shifted & np.uint64(0xFFFFFFFF), starts, axis=1)
    words[:, word[starts] + 1] += np.add.reduceat(shifted >> np.uint64(32), starts, axis=1)
    return words[:, :width].astype("<u4").view(np.uint8)


def _bit_width(x: np.ndarray) -> np.ndarray:
    """Bits needed for each unsigned value below 2**53 (0 for 0), as uint8: the binary
    exponent of the value as a float, which is exact there."""
    return np.frexp(x.astype(np.float64))[1].astype(np.uint8)


def _zigzag(x: np.ndarray) -> np.ndarray:
    return ((x << 1) ^ (x >> 63)).view(np.uint64)


def _varint_matrix(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unsigned LEB128 varints of uint64 `x`: (n, 10) bytes and each one's length."""
    shifts = np.arange(_VARINT_BYTES, dtype=np.uint64) * np.uint64(7)
    groups = ((x[:, None] >> shifts) & np.uint64(0x7F)).astype(np.uint8)
    top = np.zeros(len(x), dtype=np.int64)  # index of the highest nonzero 7-bit group
    for i in range(1, _VARINT_BYTES):
        top[groups[:, i] != 0] = i
    more = np.arange(_VARINT_BYTES) < top[:, None]
    return groups | (more.astype(np.uint8) << 7), top + 1


def _varint_rows(x: np.ndarray) -> list[bytes]:
    """Each row of int64 values (read as unsigned) as its varints back to back."""
    raw, lengths = _varint_matrix(x.reshape(-1).view(np.uint64))
    pieces = [raw[i, :n].tobytes() for i, n in enumerate(lengths)]
    k = x.shape[1]
    return [b"".join(pieces[i:i + k]) for i in range(0, len(pieces), k)]
