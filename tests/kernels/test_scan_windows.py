"""Scanning signal text window by window (``parse.scan_window``) gives what one scan gives.

``parse_signal`` scans its input in windows so that a memory-mapped input's pages can be
released as it goes; the results (values filled, line counts, chromosome order, error line and
message) must not depend on where the windows fall.
"""

from __future__ import annotations

import numpy as np
import pytest

from genomedata.inputs.signal import parse_signal
from genomedata.errors import InputError

pytestmark = pytest.mark.kernels


def _random_text(rng, lines=400) -> bytes:
    out = []
    chroms = ["chr1", "chr2", "chrX"]
    while len(out) < lines:
        kind = rng.integers(0, 6)
        chrom = chroms[rng.integers(0, len(chroms))]
        if kind == 0:
            out.append(f"fixedStep chrom={chrom} start={rng.integers(1, 500)} "
                       f"step={rng.integers(1, 4)} span={rng.integers(1, 4)}")
            out += [f"{v:.3f}" for v in rng.normal(0, 2, rng.integers(0, 40))]
        elif kind == 1:
            out.append(f"variableStep chrom={chrom} span={rng.integers(1, 6)}")
            out += [f"{p}\t{v:.2f}" for p, v in zip(rng.integers(1, 900, rng.integers(0, 30)),
                                                     rng.normal(0, 2, 30))]
        elif kind == 2:
            out.append("track type=bedGraph name=x")
        elif kind == 3:
            out.append("track type=bedGraph")  # ends a WIG block
            for _ in range(rng.integers(0, 30)):
                a = int(rng.integers(0, 900))
                out.append(f"{chrom} {a}\t{a + int(rng.integers(0, 50))} {rng.normal():.6g}")
        elif kind == 4:
            out += ["", "# comment", "  "]
        else:
            # values the kernels leave to Python (hard tokens) and odd spellings
            out.append(f"fixedStep chrom={chrom} start=1")
            out += ["1.00000005960464477539", "nan", "-inf", "+3", "1e-3", "7.", "0.1e1"]
    return ("\n".join(out) + "\n").encode()


def _fill(parsed, size=1200):
    result = {}
    for chrom in parsed.chromosomes():
        buffer = np.full(size, np.nan, dtype=np.float32)
        counters = parsed.fill_chromosome(chrom, buffer)
        result[chrom] = (buffer, counters[:3].tolist(), parsed.lines_of(chrom))
    return result


@pytest.mark.parametrize("seed", range(12))
def test_windows_give_the_same_values(seed):
    rng = np.random.default_rng(seed)
    text = _random_text(rng)
    whole = parse_signal(text, "x.txt", window=len(text) + 1)
    expected = _fill(whole)
    released = []
    for window in (1, 7, 64, 1000):
        parsed = parse_signal(text, "x.txt", window=window,
                              release=lambda lo, hi: released.append((lo, hi)))
        assert parsed.chromosomes() == whole.chromosomes()
        assert parsed.nlines == whole.nlines
        got = _fill(parsed)
        for chrom, (buffer, counters, lines) in expected.items():
            np.testing.assert_array_equal(got[chrom][0], buffer)
            assert got[chrom][1] == counters
            assert got[chrom][2] == lines
    # every byte of the input was handed to release by the scan
    covered = np.zeros(len(text), dtype=bool)
    for lo, hi in released:
        covered[lo:hi] = True
    assert covered.all()


BAD_INPUTS = [
    b"fixedStep chrom=c start=1\n1\n2\nc 1 2 3\n",
    b"variableStep chrom=c\n1 1\n2 2\n3\n",
    b"c 1 2 3\nc 1 2\n",
    b"c 1 2 3\nfixedStep chrom=c start=0\n1\n",
    b"fixedStep chrom=c start=1\n1\n2\n3\n4x\n",
    b"c\t5\t4\t1\n",
    b"variableStep chrom=c span=2\n0 1\n",
    b"track type=bedGraph\nfixedStep chrom=c start=3 step=2\n1\n\n2\ntrack x\n5\n",
]


@pytest.mark.parametrize("text", BAD_INPUTS)
def test_windows_give_the_same_error(text):
    with pytest.raises(InputError) as whole:
        parse_signal(text, "bad.txt", window=len(text) + 1)
    for window in (1, 3, 10):
        with pytest.raises(InputError) as windowed:
            parse_signal(text, "bad.txt", window=window)
        assert str(windowed.value) == str(whole.value)


def test_release_follows_the_fill():
    text = b"".join(f"chr{k} {i} {i + 1} {i}\n".encode() for k in range(3) for i in range(50))
    released = []
    parsed = parse_signal(text, "x", window=100, release=lambda lo, hi: released.append(hi))
    scanned = len(released)
    assert released[-1] == len(text)
    buffer = np.full(60, np.nan, dtype=np.float32)
    parsed.fill_chromosome("chr1", buffer)
    assert len(released) > scanned
    np.testing.assert_array_equal(buffer[:50], np.arange(50, dtype=np.float32))


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("threads", [2, 3, 5])
def test_threads_give_the_same_values(monkeypatch, seed, threads):
    """Parts scanned at the same time: cut at WIG headers (exact) or at line starts (a
    guess, scanned again when the part before ends inside a WIG block)."""
    from genomedata.inputs import signal as _textinput
    rng = np.random.default_rng(100 + seed)
    text = _random_text(rng, lines=600)
    whole = parse_signal(text, "x.txt", window=len(text) + 1, threads=1)
    expected = _fill(whole)
    monkeypatch.setattr(_textinput, "PARALLEL_MIN", 0)
    monkeypatch.setattr(_textinput, "HEADER_SEARCH", int(rng.integers(1, 300)))
    for window in (5, 200, len(text) + 1):
        parsed = parse_signal(text, "x.txt", window=window, threads=threads)
        assert parsed.chromosomes() == whole.chromosomes()
        got = _fill(parsed)
        for chrom, (buffer, counters, lines) in expected.items():
            np.testing.assert_array_equal(got[chrom][0], buffer)
            assert got[chrom][1] == counters
            assert got[chrom][2] == lines


@pytest.mark.parametrize("text", BAD_INPUTS + [
    b"c 1 2 3\n" * 50 + b"fixedStep chrom=c start=1\n" + b"1\n" * 50 + b"c 1 2 3\n",
    b"fixedStep chrom=c start=1\n" + b"1\n" * 80 + b"x\n" + b"2\n" * 80,
    b"c\xff 1 2 3\n" + b"c 1 2 3\n" * 60 + b"c 1 2\n",
    b"c\xff 1 2 3\n" + b"c 1 2 3\n" * 60,
])
@pytest.mark.parametrize("threads", [2, 4])
def test_threads_give_the_same_error(monkeypatch, text, threads):
    from genomedata.inputs import signal as _textinput
    with pytest.raises(InputError) as whole:
        parse_signal(text, "bad.txt", window=len(text) + 1, threads=1)
    monkeypatch.setattr(_textinput, "PARALLEL_MIN", 0)
    for search in (1, 30, 1000):
        monkeypatch.setattr(_textinput, "HEADER_SEARCH", search)
        for window in (3, len(text) + 1):
            with pytest.raises(InputError) as parallel:
                parse_signal(text, "bad.txt", window=window, threads=threads)
            assert str(parallel.value) == str(whole.value)


# ------------------------------------------------------------------------------------------------
# scanning without the values (check=False), which loading uses: the values are checked as they
# are filled, and the result -- values, counts, the first error -- is that of a checking scan


def _fill_all(parsed, size=1200):
    """_fill, then check every chromosome (what a load of all of them does)."""
    result = _fill(parsed, size)
    parsed.check_chromosomes(parsed.chromosomes())
    return result


def _long_text(rng) -> bytes:
    """Dense fixedStep blocks of several thousand lines (the block counting of the scan),
    with now and then a comment, a blank line, a CR LF, a hard token or a track line."""
    out = []
    for block in range(int(rng.integers(1, 4))):
        out.append(f"fixedStep chrom=chr{block % 2} start={rng.integers(1, 50)} "
                   f"step={rng.integers(1, 3)}")
        for v in rng.normal(0, 2, int(rng.integers(500, 3000))):
            roll = rng.random()
            if roll < 0.002:
                out.append(["# note", "", "  ", "1.00000005960464477539", "7\r"][
                    int(rng.integers(0, 5))])
            out.append(f"{v:.3f}" if roll < 0.9 else str(int(v * 10)))
        if rng.random() < 0.3:
            out.append("track type=wiggle_0")
    return ("\n".join(out) + "\n").encode()


@pytest.mark.parametrize("seed", range(16))
def test_unchecked_scan_fills_the_same_values(monkeypatch, seed):
    from genomedata.inputs import signal as _textinput
    rng = np.random.default_rng(300 + seed)
    text = _random_text(rng) if seed % 2 else _long_text(rng)
    size = 1200 if seed % 2 else 8000
    whole = parse_signal(text, "x.txt", window=len(text) + 1, threads=1)
    expected = _fill(whole, size)
    monkeypatch.setattr(_textinput, "PARALLEL_MIN", 0)
    monkeypatch.setattr(_textinput, "PARALLEL_FILL_MIN", 0)
    monkeypatch.setattr(_textinput, "FILL_BATCH", int(rng.integers(1, 3000)))
    for window, threads in ((len(text) + 1, 1), (int(rng.integers(5, 5000)), 2)):
        parsed = parse_signal(text, "x.txt", window=window, threads=threads, check=False)
        assert parsed.chromosomes() == whole.chromosomes()
        assert parsed.lines_by_chromosome() == whole.lines_by_chromosome()
        got = _fill_all(parsed, size)
        for chrom, (buffer, counters, lines) in expected.items():
            np.testing.assert_array_equal(got[chrom][0], buffer)
            assert got[chrom][1] == counters
            assert got[chrom][2] == lines


def _outcome(text, **options):
    """The error message of parsing and filling ``text``, or its filled values."""
    try:
        parsed = parse_signal(text, "bad.txt", **options)
        return _fill_all(parsed, 8000)
    except InputError as error:
        return str(error)


@pytest.mark.parametrize("text", BAD_INPUTS + [
    b"fixedStep chrom=c start=1\n" + b"1\n" * 5000 + b"1.5.\n",
    b"fixedStep chrom=c start=1\n" + b"1\n" * 5000 + b"1 2\n" + b"fixedStep start=0\n",
    b"c 1 2 3\nd 1 2 x\nc 1 2 3\nfixedStep chrom=c start=1\n1\n2\n\xff\n",
    b"c 1 2 3\nd 1 2 3\nc 1 2 3\nfixedStep chrom=c start=1\n1\n2\n\xff",
])
def test_unchecked_scan_reports_the_first_error(text):
    checked = _outcome(text)
    assert isinstance(checked, str)
    assert _outcome(text, check=False) == checked


@pytest.mark.parametrize("seed", range(40))
def test_unchecked_scan_of_damaged_text(seed):
    """A byte changed anywhere: the unchecked scan and its fill fail with the error of the
    checking scan, or give its values."""
    rng = np.random.default_rng(700 + seed)
    text = bytearray(_long_text(rng) if seed % 3 == 0 else _random_text(rng))
    for _ in range(int(rng.integers(1, 3))):
        text[int(rng.integers(0, len(text)))] = int(rng.choice(
            list(b"x .-+e\r\n\t#tfvn0") + [0, 255]))
    text = bytes(text)
    checked = _outcome(text)
    unchecked = _outcome(text, check=False)
    if isinstance(checked, str):
        assert unchecked == checked
    else:
        assert not isinstance(unchecked, str), unchecked
        assert checked.keys() == unchecked.keys()
        for chrom, (buffer, counters, lines) in checked.items():
            np.testing.assert_array_equal(unchecked[chrom][0], buffer)
            assert unchecked[chrom][1:] == (counters, lines)
