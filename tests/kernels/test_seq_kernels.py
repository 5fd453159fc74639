"""Kernels of sequence loading (genomedata.kernels.seq) against pure-Python/numpy models.

CI re-runs this module with NUMBA_BOUNDSCHECK=1.
"""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genomedata.kernels import seq as k

pytestmark = pytest.mark.kernels

SEQ_ALPHABET = b"ACGTNanR"


def as_array(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype=np.uint8).copy()


# ------------------------------------------------------------------------------------------------
# Models

def model_supercontigs(data: bytes, min_gap: int):
    """Regex model: supercontigs are the non-empty stretches between maximal runs of at least
    ``min_gap`` characters other than ACGTacgt."""
    min_gap = max(min_gap, 1)
    bounds = []
    position = 0
    for match in re.finditer(rb"[^ACGTacgt]+", data):
        if match.end() - match.start() >= min_gap:
            if match.start() > position:
                bounds.append((position, match.start()))
            position = match.end()
    if len(data) > position:
        bounds.append((position, len(data)))
    return bounds


def model_compact(data: bytes) -> bytes:
    """Drop CR everywhere, blanks (space, TAB) at the end of each line, then LF."""
    data = data.replace(b"\r", b"")
    return b"".join(line.rstrip(b" \t") for line in data.split(b"\n"))


def run_supercontigs(data: bytes, min_gap: int):
    starts, ends = k.find_supercontigs(as_array(data), min_gap, k.UNAMBIGUOUS)
    assert starts.dtype == np.int64 and ends.dtype == np.int64
    return list(zip(starts.tolist(), ends.tolist()))


def run_compact(data: bytes, extra: int = 0) -> bytes:
    src = as_array(data)
    dst = np.full(len(src) + extra, 255, dtype=np.uint8)
    end = k.compact_sequence(src, dst, extra)
    assert extra <= end <= extra + len(src)
    return dst[extra:end].tobytes()


# ------------------------------------------------------------------------------------------------
# Gap finding

def test_supercontigs_reference_examples():
    gap = 100000
    data = b"N" * 5 + b"ACGT" * 10 + b"N" * gap + b"acgt"
    assert run_supercontigs(data, gap) == [(0, 45), (45 + gap, 49 + gap)]
    assert run_supercontigs(b"N" * 10, gap) == [(0, 10)]
    data = b"N" * gap + b"ACGT" + b"N" * gap
    assert run_supercontigs(data, gap) == [(gap, gap + 4)]


def test_supercontigs_edges():
    assert run_supercontigs(b"", 3) == []
    assert run_supercontigs(b"NNN", 3) == []
    assert run_supercontigs(b"NN", 3) == [(0, 2)]
    assert run_supercontigs(b"ANNNA", 3) == [(0, 1), (4, 5)]
    assert run_supercontigs(b"ANNA", 3) == [(0, 4)]
    assert run_supercontigs(b"aNNNNc", 1) == [(0, 1), (5, 6)]
    # min_gap below 1 behaves as 1
    assert run_supercontigs(b"ANA", 0) == [(0, 1), (2, 3)]
    assert run_supercontigs(b"ANA", -5) == [(0, 1), (2, 3)]


def test_supercontig_bounds_wrapper():
    starts, ends = k.supercontig_bounds(as_array(b"AC" + b"N" * 4 + b"GT"), 4)
    assert starts.tolist() == [0, 6] and ends.tolist() == [2, 8]


@settings(max_examples=300, deadline=None)
@given(data=st.lists(st.sampled_from(list(SEQ_ALPHABET)), max_size=300).map(bytes),
       min_gap=st.integers(min_value=1, max_value=12))
def test_supercontigs_match_model(data, min_gap):
    assert run_supercontigs(data, min_gap) == model_supercontigs(data, min_gap)


@settings(max_examples=200, deadline=None)
@given(runs=st.lists(st.tuples(st.sampled_from([b"A", b"c", b"N", b"n", b"R"]),
                               st.integers(min_value=1, max_value=20)), max_size=30),
       min_gap=st.integers(min_value=1, max_value=15))
def test_supercontigs_match_model_long_runs(runs, min_gap):
    data = b"".join(char * count for char, count in runs)
    assert run_supercontigs(data, min_gap) == model_supercontigs(data, min_gap)


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=400), min_gap=st.integers(min_value=-3, max_value=50))
def test_supercontigs_hostile_bytes(data, min_gap):
    assert run_supercontigs(data, min_gap) == model_supercontigs(data, min_gap)


# ------------------------------------------------------------------------------------------------
# Line-end removal

def test_compact_examples():
    assert run_compact(b"ACGT\nacgt\n") == b"ACGTacgt"
    assert run_compact(b"ACGT\r\nAC\r\nG") == b"ACGTACG"
    assert run_compact(b"AC  \nGT\t\n") == b"ACGT"
    assert run_compact(b"A C\n") == b"A C"
    assert run_compact(b"\n\n\r\n") == b""
    assert run_compact(b"AC  ") == b"AC"
    assert run_compact(b"ACGT\n", extra=7) == b"ACGT"


def test_compact_in_place():
    data = b"ACGT\r\nNNNN\r\nac\n"
    buf = as_array(data)
    end = k.compact_sequence(buf, buf, 0)
    assert buf[:end].tobytes() == b"ACGTNNNNac"


def test_compact_does_not_trim_before_dst_start():
    dst = np.zeros(10, dtype=np.uint8)
    dst[:2] = np.frombuffer(b"A ", dtype=np.uint8)
    end = k.compact_sequence(as_array(b"\nC"), dst, 2)
    assert dst[:end].tobytes() == b"A C"


@settings(max_examples=300, deadline=None)
@given(data=st.lists(st.sampled_from(list(b"ACGTN\n\r")), max_size=300).map(bytes))
def test_compact_equals_replace(data):
    expected = data.replace(b"\n", b"").replace(b"\r", b"")
    assert run_compact(data) == expected
    assert run_compact(data, extra=3) == expected


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=400))
def test_compact_hostile_bytes(data):
    assert run_compact(data) == model_compact(data)


# ------------------------------------------------------------------------------------------------
# Small scanning kernels

@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=200), at_line_start=st.booleans())
def test_line_starts_match_model(data, at_line_start):
    expected = [i for i in range(len(data)) if data[i] == ord(">")
                and ((i == 0 and at_line_start) or (i > 0 and data[i - 1] == ord("\n")))]
    buf = as_array(data)
    assert k.line_starts_with(buf, k.GREATER_THAN, at_line_start).tolist() == expected
    assert k.count_line_starts_with(buf, k.GREATER_THAN, at_line_start) == len(expected)


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=200), byte=st.integers(0, 255), start=st.integers(-5, 250))
def test_find_bytes_match_model(data, byte, start):
    buf = as_array(data)
    assert k.find_byte(buf, start, byte) == data.find(bytes([byte]), max(start, 0))
    assert k.rfind_byte(buf, byte) == data.rfind(bytes([byte]))
    assert k.count_byte(buf, byte) == data.count(bytes([byte]))
    blanks = b" \t\r\n"
    non_blank = [i for i, b in enumerate(data) if b not in blanks]
    assert k.find_non_blank(buf) == (non_blank[0] if non_blank else -1)
    non_blank_line = [i for i, b in enumerate(data) if b not in b" \t\r"]
    assert k.rfind_non_blank(buf) == (non_blank_line[-1] if non_blank_line else -1)


def test_empty_buffers():
    empty = np.zeros(0, dtype=np.uint8)
    assert k.find_byte(empty, 0, 10) == -1
    assert k.rfind_byte(empty, 10) == -1
    assert k.count_byte(empty, 10) == 0
    assert k.find_non_blank(empty) == -1
    assert k.rfind_non_blank(empty) == -1
    assert k.line_starts_with(empty, 62, True).tolist() == []
    assert k.compact_sequence(empty, empty, 0) == 0


def model_non_sequence(data: bytes) -> int:
    """First byte that is not a letter, '-', LF or CR, nor a blank that only blanks and CRs
    follow up to the line's end (the end of the data counts as one); -1 if none."""
    for match in re.finditer(rb"[^A-Za-z\-\n\r]", data):
        if data[match.start()] in b" \t":
            rest = re.match(rb"[ \t\r]*(\n|$)", data[match.start():])
            if rest:
                continue
        return match.start()
    return -1


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([b"ACGT", b"n-", b" ", b"\t", b"\r", b"\n", b"0", b"\0",
                                 b".", b"*", b"\xff", b"Zz"]), max_size=30).map(b"".join))
def test_find_non_sequence_matches_model(data):
    assert k.find_non_sequence(as_array(data)) == model_non_sequence(data)
