"""The block summaries of close-data (genomedata.kernels.stats.add_block_summaries) against
numpy over each block."""

import numpy as np
import pytest

from genomedata.kernels.stats import add_block_summaries, new_block_summaries

pytestmark = pytest.mark.kernels


def numpy_blocks(columns, block_rows):
    """(count, sum, min, max) of the finite values of each block of each column."""
    nrows = columns.shape[1]
    nblocks = -(-nrows // block_rows)
    expected = np.zeros((nblocks, len(columns), 4))
    expected[:, :, 2:] = np.nan
    for col, column in enumerate(columns):
        for index in range(nblocks):
            part = column[index * block_rows:(index + 1) * block_rows].astype(np.float64)
            finite = part[np.isfinite(part)]
            if len(finite):
                expected[index, col] = (len(finite), finite.sum(), finite.min(), finite.max())
    return expected


def data(seed, ntracks, nrows):
    rng = np.random.default_rng(seed)
    columns = rng.normal(2, 3, (ntracks, nrows)).astype(np.float32)
    where = rng.random((ntracks, nrows)) < 0.3
    columns[where] = rng.choice(np.array([np.nan, np.inf, -np.inf], dtype=np.float32),
                                where.sum())
    columns[:, 10:27] = np.nan        # a block of 7 rows without any value (rows 14-20)
    return columns


def test_one_call_is_numpy_per_block():
    columns = data(1, 3, 103)
    blocks = new_block_summaries(15, 3)
    add_block_summaries(columns, 103, np.int64(0), np.int64(7), blocks, np.int64(0),
                        np.int64(0))
    expected = numpy_blocks(columns, 7)
    np.testing.assert_array_equal(blocks[:, :, 0], expected[:, :, 0])
    np.testing.assert_allclose(blocks[:, :, 1], expected[:, :, 1], rtol=1e-6, atol=1e-5)
    np.testing.assert_array_equal(blocks[:, :, 2:], expected[:, :, 2:].astype(np.float32))
    assert np.isnan(blocks[2, :, 2:]).all() and (blocks[2, :, :2] == 0).all()


def test_pieces_of_rows_and_columns_add_up_to_the_whole():
    """Rows split at places that cut blocks, given column by column, with a block offset."""
    columns = data(2, 2, 100)
    block0 = 3                                     # the array holds blocks 3 .. 14
    blocks = new_block_summaries(12, 2)
    cuts = [21, 22, 40, 77, 100]
    for col in range(2):
        row = 21
        for stop in cuts[1:]:
            part = np.ascontiguousarray(columns[col:col + 1, row:stop])
            add_block_summaries(part, np.int64(stop - row), np.int64(row), np.int64(7),
                                blocks, np.int64(block0), np.int64(col))
            row = stop
    expected = numpy_blocks(columns[:, 21:], 7)   # rows 21.. start block 3 exactly
    np.testing.assert_array_equal(blocks[:, :, 0], expected[:, :, 0])
    np.testing.assert_allclose(blocks[:, :, 1], expected[:, :, 1], rtol=1e-6, atol=1e-5)
    np.testing.assert_array_equal(blocks[:, :, 2:], expected[:, :, 2:].astype(np.float32))
