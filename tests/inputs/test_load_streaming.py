"""load-data compresses a chromosome's chunks while it is still being filled.

``ParsedSignal.fill_chromosome`` reports, after each batch of segments, the position below
which no later segment writes; the loader hands the chunks below it to the writer at once.
Whatever the input order (sorted, unsorted, overlapping, several supercontigs, a track that
already holds values), the archive must hold what a model filled line by line holds.
"""

from __future__ import annotations

import numpy as np
import pytest

from genomedata import Genome
from genomedata.inputs import signal as _textinput
from genomedata.archive import layout as _layout
from genomedata.archive import files as _files
from genomedata._close_data import close_data
from genomedata._load_data import load_data
from genomedata._open_data import open_data
from genomedata.archive.writer import ChunkWriter
from genomedata.kernels import parse as kp

CHROMS = {"chrA": [(0, 900), (1100, 2000)], "chrB": [(50, 700)]}
LENGTHS = {"chrA": 2000, "chrB": 700}


def _archive(path, chunk_rows):
    files = _files.create_archive(str(path), "file")
    try:
        for chrom, bounds in CHROMS.items():
            group = files.create_chromosome(chrom, LENGTHS[chrom])
            for index, (start, end) in enumerate(bounds):
                _layout.create_supercontig(group, index, start, end)
    finally:
        files.close()
    open_data(str(path), ["t"], chunk_size=chunk_rows)


def _random_input(rng):
    """bedGraph and WIG blocks in random order (several per chromosome, overlapping)."""
    lines, model = [], {c: np.full(n, np.nan, np.float32) for c, n in LENGTHS.items()}
    for _ in range(int(rng.integers(5, 25))):
        chrom = ["chrA", "chrB"][int(rng.integers(0, 2))]
        n = LENGTHS[chrom]
        if rng.random() < 0.5:
            lines.append("track type=bedGraph")
            for _ in range(int(rng.integers(1, 20))):
                a = int(rng.integers(0, n))
                b = min(n, a + int(rng.integers(1, 80)))
                v = np.float32(round(float(rng.normal()), 3))
                lines.append(f"{chrom} {a} {b} {v}")
                model[chrom][a:b] = v
        else:
            start = int(rng.integers(1, n - 50))
            values = np.round(rng.normal(0, 1, int(rng.integers(1, 200))), 3)
            lines.append(f"fixedStep chrom={chrom} start={start} step=1")
            for i, v in enumerate(values):
                lines.append(f"{v:.3f}")
                if start - 1 + i < n:
                    model[chrom][start - 1 + i] = np.float32(v)
    return "\n".join(lines) + "\n", model


@pytest.mark.filterwarnings("ignore::genomedata._util.OverlapWarning")
@pytest.mark.parametrize("seed", range(10))
def test_streamed_load_equals_the_model(tmp_path, monkeypatch, seed):
    rng = np.random.default_rng(seed)
    monkeypatch.setattr(_textinput, "FILL_BATCH", int(rng.integers(1, 200)))
    # every chromosome large enough for the two-thread fill (used where the input allows)
    monkeypatch.setattr(_textinput, "PARALLEL_FILL_MIN", 0)
    monkeypatch.setattr(ChunkWriter, "BATCH", int(rng.integers(1, 5)))
    chunk_rows = int(rng.choice([7, 64, 1000]))
    archive = tmp_path / "a.gd"
    _archive(archive, chunk_rows)
    text, model = _random_input(rng)
    if seed % 2:
        # the track already holds values: they stay where the new input has none
        first, first_model = _random_input(np.random.default_rng(1000 + seed))
        (tmp_path / "first.txt").write_text(first)
        load_data(str(archive), "t", str(tmp_path / "first.txt"))
        for chrom in model:
            keep = np.isnan(model[chrom])
            model[chrom][keep] = first_model[chrom][keep]
    (tmp_path / "in.txt").write_text(text)
    load_data(str(archive), "t", str(tmp_path / "in.txt"))
    close_data(str(archive))
    with Genome(str(archive)) as genome:
        for chrom, bounds in CHROMS.items():
            got = genome[chrom][0:LENGTHS[chrom], "t"]
            expected = np.full(LENGTHS[chrom], np.nan, np.float32)
            for start, end in bounds:
                expected[start:end] = model[chrom][start:end]
            np.testing.assert_array_equal(got, expected)


def _sorted_input(rng, length):
    """Disjoint bedGraph lines and fixedStep blocks in position order, with a model."""
    lines, model = [], np.full(length, np.nan, np.float32)
    position = 0
    while True:
        position += int(rng.integers(0, 40))
        size = int(rng.integers(1, 60))
        if position + size > length + 30:   # some data runs past the end
            break
        if rng.random() < 0.5:
            v = np.float32(round(float(rng.normal()), 3))
            lines.append("track type=bedGraph")
            lines.append(f"chrA\t{position}\t{position + size}\t{v}")
            model[position:position + size] = v
        else:
            lines.append(f"fixedStep chrom=chrA start={position + 1} step=1")
            for i in range(size):
                v = np.float32(round(float(rng.normal()), 3))
                lines.append(f"{v}")
                if position + i < length:
                    model[position + i] = v
        position += size
    return "\n".join(lines) + "\n", model


@pytest.mark.parametrize("seed", range(12))
def test_two_thread_fill_equals_one_thread(monkeypatch, seed):
    """Sorted input splits into two parts filled at the same time: same values, same counters,
    and the frontiers reported still only grow and end at the buffer's end."""
    rng = np.random.default_rng(seed)
    monkeypatch.setattr(_textinput, "FILL_BATCH", int(rng.integers(1, 400)))
    monkeypatch.setattr(_textinput, "PARALLEL_FILL_MIN", 0)
    length = int(rng.integers(500, 3000))
    text, model = _sorted_input(rng, length)
    parsed = _textinput.parse_signal(text.encode(), "sorted.txt", window=int(rng.integers(50,
                                                                                         500)))
    idx = parsed.segments_by_chrom()["chrA"]
    assert parsed._split(idx, np.minimum.accumulate(
        parsed.segments[idx, kp.SEG_MIN_START][::-1])[::-1]) is not None
    results = []
    for threads in (1, 2):
        buffer = np.full(length, np.nan, np.float32)
        frontiers = []
        counters = parsed.fill_chromosome("chrA", buffer, frontiers.append, threads=threads)
        assert frontiers == sorted(frontiers) and frontiers[-1] == length
        results.append((buffer, counters[:3].tolist()))
    np.testing.assert_array_equal(results[0][0], model)
    np.testing.assert_array_equal(results[1][0], model)
    assert results[0][1] == results[1][1]


@pytest.mark.parametrize("seed", range(30))
def test_split_only_where_the_parts_write_disjoint_positions(monkeypatch, seed):
    """The two-thread fill splits a chromosome's segments only where every position the first
    part writes lies below every position the second part writes (so that no later line can
    lose to an earlier one), and only into parts of at least a quarter of the text each."""
    monkeypatch.setattr(_textinput, "PARALLEL_FILL_MIN", 0)
    rng = np.random.default_rng(seed)
    text, _model = (_random_input(rng) if seed % 3 else
                    _sorted_input(rng, int(rng.integers(500, 3000))))
    parsed = _textinput.parse_signal(text.encode(), "in.txt", window=int(rng.integers(40, 400)))
    segs = parsed.segments
    for chrom, idx in parsed.segments_by_chrom().items():
        lowest = np.minimum.accumulate(segs[idx, kp.SEG_MIN_START][::-1])[::-1] \
            if len(idx) else None
        split = parsed._split(idx, lowest)
        if split is None:
            continue
        first, second = idx[:split], idx[split:]
        assert segs[first, kp.SEG_MAX_END].max() <= segs[second, kp.SEG_MIN_START].min()
        sizes = segs[idx, kp.SEG_DATA_END] - segs[idx, kp.SEG_DATA_START]
        assert min(sizes[:split].sum(), sizes[split:].sum()) >= sizes.sum() // 4


class _Source:
    """A fill that reports frontiers 10, 20, ... and then fails or returns."""

    def __init__(self, fail_at=None):
        self.fail_at = fail_at
        self.finished = False

    def fill(self, chrom, buffer, progress):
        import time
        for frontier in range(10, 60, 10):
            if frontier == self.fail_at:
                raise ValueError("bad input")
            time.sleep(0.01)
            progress(frontier)
        self.finished = True
        return 5, 0


class _Writer:
    def __init__(self, fail_at=None):
        self.seen = []
        self.fail_at = fail_at

    def advance(self, frontier):
        if frontier == self.fail_at:
            raise OSError("disk full")
        self.seen.append(frontier)


def test_fill_while_writing_passes_every_frontier_on_in_order():
    from genomedata.ops._track import _fill_while_writing

    writer = _Writer()
    assert _fill_while_writing(_Source(), "c", None, writer) == (5, 0)
    assert writer.seen == [10, 20, 30, 40, 50]


def test_fill_while_writing_raises_the_fill_error():
    from genomedata.ops._track import _fill_while_writing

    writer = _Writer()
    with pytest.raises(ValueError, match="bad input"):
        _fill_while_writing(_Source(fail_at=30), "c", None, writer)
    assert writer.seen == [10, 20]


def test_fill_while_writing_waits_for_the_fill_when_writing_fails():
    """A write error is raised only once the fill has stopped touching the buffer and input."""
    from genomedata.ops._track import _fill_while_writing

    source = _Source()
    with pytest.raises(OSError, match="disk full"):
        _fill_while_writing(source, "c", None, _Writer(fail_at=20))
    assert source.finished
