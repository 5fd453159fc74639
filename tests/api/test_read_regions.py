"""``Genome.read_regions`` (many windows at once), the parallel engine behind it and behind
large reads (``chromosome[a:b]``, ``itercontinuous``), and the genome's chunk cache.

Expected values come from the model arrays the archives are built from: the value of a base
inside a supercontig, NaN in assembly gaps and past the chromosome's end.
"""

import os
import signal
import warnings

import numpy as np
import pytest

from conftest import model_values
from genomedata import Genome
from genomedata.archive import codec
from genomedata.errors import GenomedataDirtyWarning, GenomedataValueError

TRACKS = ["a", "b", "c"]
CHUNK_ROWS = 100
# c1: two supercontigs with a gap, chunk edges every 100 rows of each; c2: data stops at 2500
# of a chromosome 3000 long
SUPERCONTIGS = {"c1": [(10, 1210), (1500, 4000)], "c2": [(0, 2500)]}
ENDS = {"c1": 4000, "c2": 3000}
PAD = 2000   # model rows past the end (NaN)


VALUES = model_values(SUPERCONTIGS, ENDS, len(TRACKS), PAD, seed=14)
VALUES["c1"][1510:1710, 1] = np.nan     # two whole chunks of track b: never stored
VALUES["c1"][2000:2050, 2] = np.nan     # part of a chunk


def expected(chrom, start, end, columns=slice(None)):
    return VALUES[chrom][start:end][:, columns]


@pytest.fixture(scope="module", params=["file", "directory"])
def archive(request, tmp_path_factory, archive_builder):
    path = tmp_path_factory.mktemp("regions") / f"regions.{request.param}"
    return archive_builder(path, SUPERCONTIGS, kind=request.param, tracknames=TRACKS,
                           values={c: v[:ENDS[c]] for c, v in VALUES.items()}, ends=ENDS,
                           chunk_rows=CHUNK_ROWS)


def random_windows(count, width=None, seed=3):
    rng = np.random.default_rng(seed)
    chroms = rng.choice(sorted(SUPERCONTIGS), count).tolist()
    starts = np.array([rng.integers(0, ENDS[c] + 50) for c in chroms])
    widths = np.full(count, width) if width is not None else rng.integers(0, 400, count)
    return chroms, starts, starts + widths


def test_equal_lengths_give_one_array(archive):
    chroms, starts, ends = random_windows(400, width=250)
    with Genome(archive) as genome:
        values = genome.read_regions(chroms, starts, ends)
        assert values.shape == (400, 250, 3) and values.dtype == np.float32
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for k, (chrom, start, end) in enumerate(zip(chroms, starts, ends)):
                np.testing.assert_array_equal(values[k], expected(chrom, start, end))
                np.testing.assert_array_equal(values[k], genome[chrom][start:end])


def test_unequal_lengths_give_a_list(archive):
    chroms, starts, ends = random_windows(300)
    with Genome(archive) as genome:
        values = genome.read_regions(chroms, starts, ends)
    assert isinstance(values, list) and len(values) == 300
    for part, chrom, start, end in zip(values, chroms, starts, ends):
        assert part.shape == (end - start, 3)
        np.testing.assert_array_equal(part, expected(chrom, start, end))


@pytest.mark.parametrize("window", [
    (0, 10), (5, 15), (1200, 1500), (1190, 1520), (0, 4000),          # gaps
    (99, 101), (109, 111), (110, 210), (1599, 1601), (1209, 1211),     # chunk edges
    (1500, 1710), (1490, 1800), (2040, 2060),                          # chunks not stored
])
def test_windows_across_gaps_and_chunk_edges(archive, window):
    start, end = window
    with Genome(archive) as genome:
        values = genome.read_regions(["c1"], [start], [end])
    np.testing.assert_array_equal(values[0], expected("c1", start, end))


def test_past_the_chromosome_end_reads_nan(archive):
    # as chromosome[a:b] does: no error, NaN wherever nothing is stored
    with Genome(archive) as genome:
        values = genome.read_regions(["c1", "c1", "c2", "c2"], [3990, 4000, 2490, 5000],
                                     [4010, 4020, 2510, 5020])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            np.testing.assert_array_equal(values[0], genome["c1"][3990:4010])
    np.testing.assert_array_equal(values[0, :10], VALUES["c1"][3990:4000])
    assert np.isnan(values[0, 10:]).all() and np.isnan(values[1]).all()
    np.testing.assert_array_equal(values[2, :10], VALUES["c2"][2490:2500])
    assert np.isnan(values[2, 10:]).all() and np.isnan(values[3]).all()


def test_tracks_subset_and_order(archive):
    chroms, starts, ends = random_windows(100, width=120, seed=5)
    with Genome(archive) as genome:
        picked = genome.read_regions(chroms, starts, ends, tracks=["c", 0, "c"])
        one = genome.read_regions(chroms, starts, ends, tracks="b")
        by_index = genome.read_regions(chroms, starts, ends, tracks=1)
    assert picked.shape == (100, 120, 3) and one.shape == (100, 120, 1)
    np.testing.assert_array_equal(one, by_index)
    for k, (chrom, start, end) in enumerate(zip(chroms, starts, ends)):
        np.testing.assert_array_equal(picked[k], expected(chrom, start, end, [2, 0, 2]))
        np.testing.assert_array_equal(one[k, :, 0], expected(chrom, start, end, 1))


def test_one_name_for_every_window_and_empty_windows(archive):
    with Genome(archive) as genome:
        values = genome.read_regions("c2", [0, 2400, 100], [0, 2600, 100])
        none = genome.read_regions([], [], [])
    assert [part.shape for part in values] == [(0, 3), (200, 3), (0, 3)]
    np.testing.assert_array_equal(values[1], expected("c2", 2400, 2600))
    assert none.shape == (0, 0, 3)


def test_mistakes_are_refused_before_reading(archive):
    with Genome(archive) as genome:
        with pytest.raises(GenomedataValueError, match="window 1"):
            genome.read_regions("c1", [0, -5], [10, 5])
        with pytest.raises(GenomedataValueError, match="ends before it starts"):
            genome.read_regions("c1", [10], [5])
        with pytest.raises(GenomedataValueError, match="same length"):
            genome.read_regions("c1", [0, 1], [10])
        with pytest.raises(GenomedataValueError, match="integers"):
            genome.read_regions("c1", [0.5], [10])
        with pytest.raises(KeyError, match="chrZ"):
            genome.read_regions(["c1", "chrZ"], [0, 0], [10, 10])
        with pytest.raises(KeyError, match="nosuch"):
            genome.read_regions("c1", [0], [10], tracks=["a", "nosuch"])
        with pytest.raises(IndexError):
            genome.read_regions("c1", [0], [10], tracks=[3])


def _count_decodes(monkeypatch):
    calls = []
    decode = codec.decode_chunk

    def counting(raw, mask, pipeline, nbytes, edge, where):
        calls.append(where())
        return decode(raw, mask, pipeline, nbytes, edge, where)

    monkeypatch.setattr(codec, "decode_chunk", counting)
    return calls


def test_each_chunk_is_decoded_once_and_kept(archive, monkeypatch):
    calls = _count_decodes(monkeypatch)
    starts = np.arange(1600, 1690, 3)      # 30 windows over chunk rows 1 and 2 of c1's 2nd
    with Genome(archive) as genome:
        values = genome.read_regions("c1", starts, starts + 20)
        for k, start in enumerate(starts):
            np.testing.assert_array_equal(values[k], expected("c1", start, start + 20))
        # tracks a and c: 2 chunks each; track b: only chunk row 2 is stored
        assert len(calls) == 5 and len(set(calls)) == 5
        # neighbouring reads find the chunks in the genome's cache
        genome.read_regions("c1", [1650], [1700])
        np.testing.assert_array_equal(genome["c1"][1620:1680], expected("c1", 1620, 1680))
        assert len(calls) == 5
        genome.chunk_cache_size = 0
        genome.read_regions("c1", [1650], [1700])
        assert len(calls) == 7


def test_the_cache_is_bounded(archive):
    with Genome(archive) as genome:
        genome.chunk_cache_size = 10 * 4 * CHUNK_ROWS
        cache = genome._chunk_cache
        for start in range(1500, 3900, 50):
            genome.read_regions(["c1"], [start], [start + 60])
            assert cache.nbytes <= 10 * 4 * CHUNK_ROWS
        assert 0 < len(cache.items) < 10


def test_large_reads_and_itercontinuous_use_the_engine(archive, monkeypatch):
    import genomedata.api.chromosome as module
    monkeypatch.setattr(module, "LARGE_READ", 64)
    with Genome(archive) as genome, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        chromosome = genome["c1"]
        np.testing.assert_array_equal(chromosome[0:4100], expected("c1", 0, 4100))
        np.testing.assert_array_equal(chromosome[1000:1700, [2, 0]],
                                      expected("c1", 1000, 1700, [2, 0]))
        np.testing.assert_array_equal(chromosome[1000:1700, "b"], expected("c1", 1000, 1700, 1))
        for supercontig, continuous in chromosome.itercontinuous():
            whole = VALUES["c1"][supercontig.start:supercontig.end]
            np.testing.assert_array_equal(continuous.read(), whole)
            np.testing.assert_array_equal(continuous[5:305], whole[5:305])
            np.testing.assert_array_equal(continuous[5:305, 1:3], whole[5:305, 1:3])
            np.testing.assert_array_equal(continuous[::-1, 0], whole[::-1, 0])


def test_an_archive_open_for_writing_reads_what_was_just_written(tmp_path, archive_builder):
    path = archive_builder(tmp_path / "rw.gd", SUPERCONTIGS, tracknames=TRACKS,
                           values={c: v[:ENDS[c]] for c, v in VALUES.items()}, ends=ENDS,
                           chunk_rows=CHUNK_ROWS)
    with pytest.warns(GenomedataDirtyWarning), Genome(path, "r+") as genome:
        genome["c1"][100:300, "a"] = 7.0
        values = genome.read_regions(["c1", "c1"], [50, 250], [150, 350], tracks=["a"])
    np.testing.assert_array_equal(values[0, :50, 0], VALUES["c1"][50:100, 0])
    assert (values[0, 50:, 0] == 7).all() and (values[1, :50, 0] == 7).all()
    np.testing.assert_array_equal(values[1, 50:, 0], VALUES["c1"][300:350, 0])


def test_bigwig_genome(tmp_path):
    import pyBigWig

    path = str(tmp_path / "t.bw")
    writer = pyBigWig.open(path, "w")
    writer.addHeader([("chrA", 1000), ("chrB", 500)])
    writer.addEntries(["chrA", "chrA", "chrB"], [10, 20, 0], ends=[15, 25, 100],
                      values=[1.5, 2.5, 4.0])
    writer.close()
    with Genome(path) as genome:
        values = genome.read_regions(["chrA", "chrB", "chrB"], [8, 95, 498], [18, 105, 508])
        named = genome.read_regions("chrA", [12], [14], tracks=genome.tracknames_continuous)
    assert values.shape == (3, 10, 1)
    np.testing.assert_array_equal(values[0, :, 0], [np.nan] * 2 + [1.5] * 5 + [np.nan] * 3)
    np.testing.assert_array_equal(values[1, :, 0], [4.0] * 5 + [np.nan] * 5)
    assert np.isnan(values[2]).all()      # past the end of chrB (500)
    np.testing.assert_array_equal(named[0, :, 0], [1.5, 1.5])


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_reads_with_threads_of_its_own(archive):
    # data loaders fork worker processes after the parent has read (and started its threads)
    chroms, starts, ends = random_windows(50, width=300, seed=8)
    with Genome(archive) as genome:
        genome.read_regions(chroms, starts, ends)
    pid = os.fork()
    if pid == 0:     # the child: exit 0 only when the read completes with the right values
        code = 1
        try:
            signal.alarm(60)
            with Genome(archive) as genome:
                values = genome.read_regions(chroms, starts, ends)
            code = 0 if all(np.array_equal(values[k], expected(c, a, b), equal_nan=True)
                            for k, (c, a, b) in enumerate(zip(chroms, starts, ends))) else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


@pytest.mark.parametrize("name", ["v0.genomedata", "v1.genomedata"])
def test_archives_written_by_the_reference(refdata, name):
    # windows over every chunk edge of the reference's archives, against chromosome[a:b]
    # (small reads: the one-window reader, not the engine)
    with Genome(refdata / name) as genome, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for chromosome in genome:
            end = int(chromosome.end)
            starts = np.arange(0, end + 300, 997)
            values = genome.read_regions(chromosome.name, starts, starts + 1500)
            for k, start in enumerate(starts.tolist()):
                np.testing.assert_array_equal(values[k], chromosome[start:start + 1500])
