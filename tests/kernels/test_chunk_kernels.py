"""The chunk codec kernels (genomedata.kernels.chunks): HDF5's byte shuffle and the one
unshuffle, against numpy."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genomedata.kernels.chunks import (copy_pieces, count_not_nan, nan_blocks, shuffle_bytes,
                                       unshuffle_into, unshuffle_pieces)

pytestmark = pytest.mark.kernels


def numpy_shuffle(raw: np.ndarray, itemsize: int) -> np.ndarray:
    """HDF5's shuffle filter in numpy: byte b of element i goes to b * n + i."""
    return raw.reshape(-1, itemsize).T.copy().ravel()


@settings(max_examples=100, deadline=None)
@given(itemsize=st.sampled_from([1, 2, 4, 8]), nelem=st.integers(0, 300), seed=st.integers(0, 9))
def test_shuffle_matches_numpy_and_unshuffle_undoes_it(itemsize, nelem, seed):
    raw = np.random.default_rng(seed).integers(0, 256, nelem * itemsize).astype(np.uint8)
    shuffled = np.full_like(raw, 7)
    assert shuffle_bytes(raw, itemsize, shuffled) == nelem
    np.testing.assert_array_equal(shuffled, numpy_shuffle(raw, itemsize))
    back = np.full_like(raw, 7)
    unshuffle_into(shuffled, nelem, itemsize, 0, nelem, back)
    np.testing.assert_array_equal(back, raw)


@settings(max_examples=100, deadline=None)
@given(itemsize=st.sampled_from([1, 2, 4, 8]), nelem=st.integers(1, 300), data=st.data())
def test_unshuffle_part_of_a_chunk(itemsize, nelem, data):
    first = data.draw(st.integers(0, nelem - 1))
    count = data.draw(st.integers(0, nelem - first))
    raw = np.random.default_rng(nelem).integers(0, 256, nelem * itemsize).astype(np.uint8)
    out = np.full((count + 1) * itemsize, 7, dtype=np.uint8)   # one element more than asked
    unshuffle_into(numpy_shuffle(raw, itemsize), nelem, itemsize, first, count, out)
    np.testing.assert_array_equal(out[:count * itemsize],
                                  raw[first * itemsize:(first + count) * itemsize])
    assert (out[count * itemsize:] == 7).all()   # nothing written past the elements asked for


@settings(max_examples=100, deadline=None)
@given(nelem=st.integers(1, 1200), stride=st.integers(1, 4), data=st.data())
def test_pieces_of_chunks_into_a_strided_result(nelem, stride, data):
    """Pieces of a chunk row of several tracks land at their places in a (bases, tracks)
    result, nothing else written; a chunk stored without shuffle gives the same values."""
    npieces = data.draw(st.integers(0, 4))
    firsts, counts = [], []
    for _ in range(npieces):
        first = data.draw(st.integers(0, nelem - 1))
        firsts.append(first)
        counts.append(data.draw(st.integers(0, nelem - first)))
    length = sum(counts) + 3
    offsets = data.draw(st.lists(st.integers(0, stride - 1), min_size=1, max_size=stride,
                                 unique=True))
    dest_starts = np.cumsum([0] + counts[:-1]).astype(np.int64) * stride
    rng = np.random.default_rng(nelem)
    values = rng.normal(size=(len(offsets), nelem)).astype(np.float32)
    wanted = np.full(length * stride, -1.0, dtype=np.float32)
    for c, offset in enumerate(offsets):
        for first, count, dest in zip(firsts, counts, dest_starts):
            wanted[dest + offset:dest + offset + count * stride:stride] = \
                values[c, first:first + count]
    firsts, counts = np.array(firsts, np.int64), np.array(counts, np.int64)
    stack = np.stack([numpy_shuffle(row.view(np.uint8), 4) for row in values])
    by_planes = np.full(length * stride, -1.0, dtype=np.float32)
    unshuffle_pieces(stack, nelem, firsts, counts, by_planes.view(np.uint32), dest_starts,
                     stride, np.array(offsets, np.int64))
    np.testing.assert_array_equal(by_planes, wanted)
    plain = np.full(length * stride, -1.0, dtype=np.float32)
    for c, offset in enumerate(offsets):
        copy_pieces(values[c], firsts, counts, plain, dest_starts + offset, stride)
    np.testing.assert_array_equal(plain, wanted)


def test_nan_tests():
    values = np.array([np.nan, np.nan, 1.0, np.nan, np.inf, np.nan, np.nan], dtype=np.float32)
    assert nan_blocks(values, 2).tolist() == [1, 0, 0, 1]
    assert count_not_nan(values) == 2
    assert count_not_nan(np.zeros(0, np.float32)) == 0
