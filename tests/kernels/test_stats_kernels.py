"""The close-data kernels (genomedata.kernels.stats) against numpy."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genomedata.kernels.chunks import shuffle_bytes
from genomedata.kernels.stats import (FIRST, LAST, accumulate_chunk, accumulate_tracks,
                                      add_block_summaries, gap_capacity, new_accumulators,
                                      new_block_summaries, new_state, scan_present_rows)

pytestmark = pytest.mark.kernels

SPECIALS = np.array([np.nan, np.inf, -np.inf], dtype=np.float32)


def fresh_accumulators(ntracks):
    return (np.full(ntracks, np.inf), np.full(ntracks, -np.inf), np.zeros(ntracks),
            np.zeros(ntracks), np.zeros(ntracks, dtype=np.int64))


def random_block(rng, ntracks, nrows, special_fraction):
    block = rng.normal(0, 3, (ntracks, nrows)).astype(np.float32)
    where = rng.random((ntracks, nrows)) < special_fraction
    block[where] = rng.choice(SPECIALS, where.sum())
    return block


def expected_stats(columns):
    """numpy over the finite values of each column (float64 sums)."""
    mins, maxs, sums, squares, counts = [], [], [], [], []
    for column in columns:
        finite = column[np.isfinite(column)].astype(np.float64)
        counts.append(len(finite))
        mins.append(finite.min() if len(finite) else np.inf)
        maxs.append(finite.max() if len(finite) else -np.inf)
        sums.append(finite.sum())
        squares.append(np.square(finite).sum())
    return (np.array(mins), np.array(maxs), np.array(sums), np.array(squares),
            np.array(counts, dtype=np.int64))


def check_stats(accumulators, columns):
    mins, maxs, sums, squares, counts = accumulators
    emins, emaxs, esums, esquares, ecounts = expected_stats(columns)
    np.testing.assert_array_equal(mins, emins)
    np.testing.assert_array_equal(maxs, emaxs)
    np.testing.assert_array_equal(counts, ecounts)
    scale = np.array([np.abs(c[np.isfinite(c)].astype(np.float64)).sum() for c in columns])
    assert np.all(np.abs(sums - esums) <= 1e-12 * scale + 1e-12)
    scale_sq = np.array([np.square(c[np.isfinite(c)].astype(np.float64)).sum()
                         for c in columns])
    assert np.all(np.abs(squares - esquares) <= 1e-12 * scale_sq + 1e-12)


@pytest.mark.parametrize("special_fraction", [0.0, 0.3, 1.0])
def test_accumulate_one_block(special_fraction):
    rng = np.random.default_rng(1)
    block = random_block(rng, 4, 1000, special_fraction)
    accumulators = fresh_accumulators(4)
    row_any = np.zeros(1000, dtype=np.uint8)
    accumulate_tracks(block, 1000, 0, *accumulators, row_any)
    check_stats(accumulators, list(block))
    np.testing.assert_array_equal(row_any.astype(bool), np.isfinite(block).any(axis=0))


def test_accumulate_blocks_and_column_groups():
    """Several row blocks and column groups (col0 offsets), and blocks only partly used."""
    rng = np.random.default_rng(2)
    data = random_block(rng, 5, 2003, 0.4)
    data[3] = np.nan  # an empty track
    accumulators = fresh_accumulators(5)
    rows, tracks = 300, 2
    buffer = np.full((tracks, rows), 7.0, dtype=np.float32)  # stale values past nrows
    for row0 in range(0, 2003, rows):
        nrows = min(rows, 2003 - row0)
        row_any = np.zeros(rows, dtype=np.uint8)
        for col0 in range(0, 5, tracks):
            col1 = min(5, col0 + tracks)
            buffer[:col1 - col0, :nrows] = data[col0:col1, row0:row0 + nrows]
            accumulate_tracks(buffer[:col1 - col0], nrows, col0, *accumulators, row_any)
        np.testing.assert_array_equal(row_any[:nrows].astype(bool),
                                      np.isfinite(data[:, row0:row0 + nrows]).any(axis=0))
    check_stats(accumulators, list(data))
    mins, maxs, sums, squares, counts = accumulators
    assert (mins[3], maxs[3], sums[3], squares[3], counts[3]) == (np.inf, -np.inf, 0, 0, 0)


def test_accumulate_specials_only_and_extremes():
    block = np.array([[np.nan, np.inf, -np.inf, 3.0e38, -3.0e38, 0.0]], dtype=np.float32)
    accumulators = fresh_accumulators(1)
    row_any = np.zeros(6, dtype=np.uint8)
    accumulate_tracks(block, 6, 0, *accumulators, row_any)
    mins, maxs, sums, squares, counts = accumulators
    assert counts[0] == 3
    assert mins[0] == np.float64(np.float32(-3.0e38))
    assert maxs[0] == np.float64(np.float32(3.0e38))
    assert np.isfinite(squares[0])  # float64 squares of float32 extremes do not overflow
    np.testing.assert_array_equal(row_any, [0, 0, 0, 1, 1, 1])


def test_accumulate_keeps_earlier_extremes():
    accumulators = fresh_accumulators(1)
    accumulators[0][0], accumulators[1][0] = -10.0, 10.0
    row_any = np.zeros(2, dtype=np.uint8)
    accumulate_tracks(np.array([[1.0, 2.0]], dtype=np.float32), 2, 0, *accumulators, row_any)
    assert accumulators[0][0] == -10.0 and accumulators[1][0] == 10.0


# ------------------------------------------------------------------------------------------------
# scan_present_rows

def model_scan(mask, min_gap):
    """first, last and (end, start) gap pairs of a whole row mask, with numpy."""
    idx = np.flatnonzero(mask)
    if not len(idx):
        return -1, -1, []
    big = np.flatnonzero(np.diff(idx) >= min_gap)
    return int(idx[0]), int(idx[-1]), [(int(idx[i]) + 1, int(idx[i + 1])) for i in big]


def scan_in_blocks(mask, block_rows, min_gap):
    state = new_state()
    gaps = []
    for row0 in range(0, len(mask), block_rows):
        part = mask[row0:row0 + block_rows].astype(np.uint8)
        out = np.full((gap_capacity(len(part), min_gap), 2), -99, dtype=np.int64)
        found = scan_present_rows(part, len(part), row0, min_gap, state, out)
        assert found <= len(out)
        gaps.extend((int(a), int(b)) for a, b in out[:found])
    return int(state[FIRST]), int(state[LAST]), gaps


def test_scan_examples():
    mask = np.zeros(30, dtype=bool)
    mask[[0, 1, 9, 10, 20, 29]] = True
    assert scan_in_blocks(mask, 30, 8) == (0, 29, [(2, 9), (11, 20), (21, 29)])
    assert scan_in_blocks(mask, 4, 8) == (0, 29, [(2, 9), (11, 20), (21, 29)])
    assert scan_in_blocks(mask, 1, 10) == (0, 29, [(11, 20)])
    assert scan_in_blocks(np.zeros(10, dtype=bool), 3, 2) == (-1, -1, [])


def test_scan_min_gap_one_splits_every_row():
    mask = np.array([1, 1, 0, 1], dtype=bool)
    assert scan_in_blocks(mask, 2, 1) == (0, 3, [(1, 1), (2, 3)])


@settings(max_examples=300, deadline=None)
@given(mask=st.lists(st.booleans(), min_size=0, max_size=200),
       block_rows=st.integers(1, 60), min_gap=st.integers(1, 12))
def test_scan_matches_model(mask, block_rows, min_gap):
    mask = np.array(mask, dtype=bool)
    assert scan_in_blocks(mask, block_rows, min_gap) == model_scan(mask, min_gap)


@settings(max_examples=200, deadline=None)
@given(nrows=st.integers(1, 300), min_gap=st.integers(1, 50), carry=st.integers(-1, 400),
       spacing=st.integers(1, 60))
def test_gap_capacity_is_enough(nrows, min_gap, carry, spacing):
    """Present rows every ``spacing`` rows, after a present row ``carry`` rows before the
    block (or none): never more gaps than gap_capacity promises room for."""
    row0 = 1000
    state = new_state()
    if carry >= 0:
        state[FIRST], state[LAST] = 0, row0 - 1 - carry
    mask = (np.arange(nrows) % spacing == 0).astype(np.uint8)
    out = np.empty((gap_capacity(nrows, min_gap), 2), dtype=np.int64)
    found = scan_present_rows(mask, nrows, row0, min_gap, state, out)
    prefix = [True] + [False] * carry if carry >= 0 else []
    expected = model_scan(np.array(prefix + list(mask.astype(bool)), dtype=bool), min_gap)[2]
    assert found == len(expected)
    assert found <= len(out)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 3), st.integers(1, 9), st.integers(1, 40), st.integers(0, 39),
       st.booleans(), st.integers(0, 2 ** 32 - 1))
def test_accumulate_chunk_by_chunk_is_accumulate_tracks_bit_for_bit(
        ntracks, chunk_rows, nrows, skip, shuffled, seed):
    """A block summed chunk by chunk (shuffled or plain chunks, a block starting inside a
    chunk) gives the bits of accumulate_tracks over the whole block, signed zeros and
    specials included; the row marks are the same, and so are the block summaries of
    add_block_summaries (blocks of 3 rows counted from the first chunk's first row), but for
    the float32 rounding of a block's sum added in two parts where a chunk edge cuts it."""
    rng = np.random.default_rng(seed)
    first = skip % chunk_rows
    block = random_block(rng, ntracks, nrows, 0.3)
    block[rng.random(block.shape) < 0.1] = -0.0
    block[rng.random(block.shape) < 0.1] = 0.0
    expected = fresh_accumulators(ntracks)
    expected_rows = np.zeros(nrows, dtype=np.uint8)
    accumulate_tracks(block, nrows, 0, *expected, expected_rows)
    nblocks = -(-(first + nrows) // 3)
    expected_blocks = new_block_summaries(nblocks, ntracks)
    add_block_summaries(block, nrows, first, 3, expected_blocks, 0, 0)

    acc, counts = new_accumulators(ntracks)
    blocks = new_block_summaries(nblocks, ntracks)
    rows = np.zeros(nrows, dtype=np.uint8)
    scratch = np.empty(4 * chunk_rows, dtype=np.uint8)
    for col in range(ntracks):
        # the block's rows laid in chunks, the block starting at row ``first`` of its first
        padded = np.full(first + nrows + chunk_rows, np.nan, dtype=np.float32)
        padded[first:first + nrows] = block[col]
        row = 0
        for k in range(-(-(first + nrows) // chunk_rows)):
            chunk = padded[k * chunk_rows:(k + 1) * chunk_rows].view(np.uint8)
            data = chunk.copy()
            if shuffled:
                shuffle_bytes(chunk.copy(), 4, data)
            lo = max(first, k * chunk_rows) - k * chunk_rows
            count = min(first + nrows, (k + 1) * chunk_rows) - k * chunk_rows - lo
            accumulate_chunk(np.frombuffer(data.tobytes(), dtype=np.uint8), chunk_rows,
                             shuffled, lo, count, col, acc, counts, rows, row, scratch,
                             k * chunk_rows + lo, 3, blocks, 0)
            row += count
    mins, maxs, sums, squares, numbers = fresh_accumulators(ntracks)
    np.copyto(mins, acc[:, 0], where=acc[:, 0] < mins)
    np.copyto(maxs, acc[:, 1], where=acc[:, 1] > maxs)
    sums += acc[:, 2]
    squares += acc[:, 3]
    numbers += counts
    for got, want in zip((mins, maxs, sums, squares, numbers), expected):
        assert got.tobytes() == want.tobytes()
    assert np.array_equal(rows, expected_rows)
    assert np.array_equal(blocks[..., [0, 2, 3]], expected_blocks[..., [0, 2, 3]],
                          equal_nan=True)
    np.testing.assert_allclose(blocks[..., 1], expected_blocks[..., 1], rtol=1e-6, atol=1e-5)
