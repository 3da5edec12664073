"""DELTA_BINARY_PACKED (INT32) encoder: every run decodes to its values under a reference
decoder written from the format's description, value by value; pyarrow is the oracle for
whole pages in test_filtered_files.py."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tablefmt.write.delta_binary import encode, encode_runs

INT32 = st.integers(-(2**31), 2**31 - 1)


def _uvarint(b: bytes, pos: int) -> tuple[int, int]:
    n = shift = 0
    while True:
        x = b[pos]
        pos += 1
        n |= (x & 0x7F) << shift
        if x < 0x80:
            return n, pos
        shift += 7


def _unzigzag(n: int) -> int:
    return (n >> 1) ^ -(n & 1)


def _wrap32(n: int) -> int:
    return (n + 2**31) % 2**32 - 2**31


def decode(b: bytes) -> tuple[list[int], int]:
    """Values and bytes consumed, per parquet-format Encodings.md, 32-bit arithmetic."""
    block, pos = _uvarint(b, 0)
    miniblocks, pos = _uvarint(b, pos)
    total, pos = _uvarint(b, pos)
    first, pos = _uvarint(b, pos)
    per = block // miniblocks
    out = [_unzigzag(first)] if total else []
    while len(out) < total:
        low, pos = _uvarint(b, pos)
        low = _unzigzag(low)
        widths = list(b[pos:pos + miniblocks])
        pos += miniblocks
        for w in widths:
            if len(out) >= total:
                break  # unused miniblocks: no bytes whatever the width byte says
            nbytes = per * w // 8
            bits = int.from_bytes(b[pos:pos + nbytes], "little")
            pos += nbytes
            for i in range(per):
                delta = (bits >> (i * w)) & ((1 << w) - 1)
                if len(out) < total:
                    out.append(_wrap32(out[-1] + low + delta))
    return out, pos


@settings(max_examples=300, deadline=None)
@given(st.lists(INT32, max_size=700), st.lists(st.integers(0, 700), max_size=5))
def test_every_run_decodes_to_its_values(values: list[int], cuts: list[int]) -> None:
    bounds = [0, *sorted(min(c, len(values)) for c in cuts), len(values)]
    runs = encode_runs(np.array(values, dtype=np.int64), bounds)
    assert len(runs) == len(bounds) - 1
    for run, lo, hi in zip(runs, bounds[:-1], bounds[1:]):
        got, used = decode(run)
        assert got == values[lo:hi]
        assert used == len(run)  # no stray bytes


@settings(max_examples=100, deadline=None)
@given(st.sampled_from([0, 1, 7, 31, 32, 33, 127, 128, 129, 255, 256, 257, 20_000]),
       st.sampled_from([1, 2, 2**16, 2**31 - 1]))
def test_block_and_miniblock_edges(n: int, spread: int) -> None:
    values = np.random.default_rng(n).integers(0, spread, n)
    got, used = decode(encode(values))
    assert got == values.tolist()
    assert used == len(encode(values))


def test_widths_are_the_least_that_fit() -> None:
    # Deltas 0,1,0,1,...: least delta 0, every miniblock 1 bit wide, 4 bytes each.
    values = np.cumsum(np.arange(129) % 2)
    raw = encode(values)
    assert raw[:4] == bytes([0x80, 0x01, 0x04, 0x81])  # 128, 4, 129 values...
    assert len(raw) == 6 + 1 + 4 + 4 * 4  # header, least delta, widths, 4 x 4 bytes
    assert decode(raw)[0] == values.tolist()


def test_extremes_wrap_in_32_bits() -> None:
    values = [2**31 - 1, -(2**31), 2**31 - 1, 0, -(2**31)]
    assert decode(encode(np.array(values)))[0] == values


def test_values_beyond_int32_are_refused() -> None:
    with pytest.raises(ValueError, match="32 bits"):
        encode(np.array([0, 2**31]))
    with pytest.raises(ValueError, match="must not decrease"):
        encode_runs(np.arange(4), [0, 3, 2, 4])
