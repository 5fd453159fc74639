"""The chunk codec kernels (genomedata.kernels.chunks): HDF5's byte shuffle and the one
unshuffle, against numpy."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genomedata.kernels.chunks import (count_not_nan, nan_blocks, shuffle_bytes,
                                       unshuffle_into)

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


def test_nan_tests():
    values = np.array([np.nan, np.nan, 1.0, np.nan, np.inf, np.nan, np.nan], dtype=np.float32)
    assert nan_blocks(values, 2).tolist() == [1, 0, 0, 1]
    assert count_not_nan(values) == 2
    assert count_not_nan(np.zeros(0, np.float32)) == 0
