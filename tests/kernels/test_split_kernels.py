"""Signal text split into per-chromosome byte ranges (``kernels.parse.chromosome_ranges``,
``inputs.ranges``):
parsing each chromosome's ranges on their own gives the values, line counts and errors (at
their line of the whole input) that parsing the whole input gives."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genomedata.errors import InputError
from genomedata.inputs.ranges import RangeSource, split_signal
from genomedata.inputs.signal import parse_signal
from genomedata.kernels.parse import RANGE_END, RANGE_START, chromosome_ranges

from test_scan_windows import BAD_INPUTS, _random_text

pytestmark = pytest.mark.kernels


def _by_ranges(path, size=1200):
    ranges = split_signal(str(path), "x.txt")
    source = RangeSource(ranges)
    try:
        result = {}
        for chrom in ranges.ranges:
            buffer = np.full(size, np.nan, dtype=np.float32)
            values, past_end = source.fill(chrom, buffer)
            result[chrom] = (buffer, values, past_end)
        return result, ranges.lines
    finally:
        source.close()


@pytest.mark.parametrize("seed", range(12))
def test_ranges_give_the_values_of_the_whole_input(seed, tmp_path):
    text = _random_text(np.random.default_rng(seed))
    (tmp_path / "x.txt").write_bytes(text)
    whole = parse_signal(text, "x.txt")
    found, lines = _by_ranges(tmp_path / "x.txt")
    assert {c: n for c, n in lines.items() if n} == \
        {c: n for c, n in whole.lines_by_chromosome().items() if n}
    for chrom in whole.chromosomes():
        buffer = np.full(1200, np.nan, dtype=np.float32)
        counters = whole.fill_chromosome(chrom, buffer)
        got, values, past_end = found[chrom]
        np.testing.assert_array_equal(got, buffer)
        assert (values, past_end) == (int(counters[0]), int(counters[2]))


def test_a_chromosome_in_several_ranges(tmp_path):
    text = b"a\t0\t2\t1\nb\t0\t2\t2\n# note\na\t1\t3\t3\nfixedStep chrom=b start=2\n4\n"
    (tmp_path / "x.txt").write_bytes(text)
    ranges = split_signal(str(tmp_path / "x.txt"), "x.txt")
    assert {c: r.tolist() for c, r in ranges.ranges.items()} == {
        "a": [[0, 8, 1, 1], [23, 31, 4, 1]], "b": [[8, 23, 2, 2], [31, 59, 5, 2]]}
    assert ranges.lines == {"a": 2, "b": 2}
    found, _ = _by_ranges(tmp_path / "x.txt", size=4)
    np.testing.assert_array_equal(found["a"][0], [1, 3, 3, np.nan])
    np.testing.assert_array_equal(found["b"][0], [2, 4, np.nan, np.nan])


@pytest.mark.parametrize("text", BAD_INPUTS + [
    b"a\t0\t1\t1\na\t0\t1\t1\nb\t0\t1\nb\t0\t1\t2\n",
    # in the second and third ranges of b
    b"a\t0\t1\t1\nb\t0\t1\t2\na\t0\t1\t1\nb\t0\t1\t2\n\nb\t0\t1\na\t0\t1\t1\n",
    b"b\t0\t1\t2\nfixedStep chrom=a start=1\n1\ntrack\nb\t0\t1\t2\n"
    b"fixedStep chrom=a start=1\n1\nfixedStep chrom=b start=1\n1 2"])
def test_ranges_give_the_error_of_the_whole_input(text, tmp_path):
    (tmp_path / "bad.txt").write_bytes(text)
    with pytest.raises(InputError) as whole:
        parse_signal(text, str(tmp_path / "bad.txt"))
    with pytest.raises(InputError) as split:
        ranges = split_signal(str(tmp_path / "bad.txt"), str(tmp_path / "bad.txt"))
        source = RangeSource(ranges)
        for chrom in ranges.ranges:
            source.check(chrom)
    assert str(split.value) == str(whole.value)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300) | st.lists(st.sampled_from(
    [b"a 1 2 3", b"fixedStep chrom=a start=1", b"variableStep chrom=b", b"1", b"2 3",
     b"track", b"# x", b"", b"\r", b" ", b"b\t1", b"chrom=", b"\x00\xff"]),
    max_size=30).map(b"\n".join))
def test_hostile_bytes(data):
    arr = np.frombuffer(data, dtype=np.uint8)
    status, _, table = chromosome_ranges(arr)
    if status == 0 and len(table):
        # ranges tile the input from the first one on, in order
        assert table[0, RANGE_START] >= 0 and table[-1, RANGE_END] == len(arr)
        assert (table[1:, RANGE_START] == table[:-1, RANGE_END]).all()
