"""bigWig files as genomes (genomedata.api.bigwig) and as load-data input.

The first test is genomedata 1.7's own ``GenomedataBigWigTester.test_interface`` on
``ENCFF324BPE.bigWig``, with strict comparisons: shapes and dtypes exactly, and a NaN where a
number is expected fails (unlike the reference's ``assertArraysEqual``).
"""

from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest

from genomedata import Chromosome, Genome, Supercontig
from genomedata.api.bigwig import BigWigChromosome, BigWigGenome
from genomedata.errors import ClosedError
from genomedata.errors import GenomedataError

pyBigWig = pytest.importorskip("pyBigWig")

NAME = "ENCFF324BPE.bigWig"
V1 = np.float32(0.01108)
V2 = np.float32(0.02215)


@pytest.fixture
def bigwig(refdata, tmp_path, monkeypatch):
    """The reference bigWig, opened as the reference test does: relative path data/NAME."""
    (tmp_path / "data").mkdir()
    shutil.copy(refdata / NAME, tmp_path / "data" / NAME)
    monkeypatch.chdir(tmp_path)
    return "data/" + NAME


def assert_strict(observed, expected, rtol=1e-6):
    """Same shape, NaN exactly where expected, numbers close elsewhere."""
    observed = np.asarray(observed)
    expected = np.asarray(expected, dtype=np.float64)
    assert observed.shape == expected.shape
    assert np.array_equal(np.isnan(observed), np.isnan(expected))
    finite = ~np.isnan(expected)
    np.testing.assert_allclose(observed[finite].astype(np.float64), expected[finite],
                               rtol=rtol)


# ------------------------------------------------------------------------------------------------
# GenomedataBigWigTester.test_interface

def test_reference_interface(bigwig):
    genome = Genome(bigwig)
    assert isinstance(genome, BigWigGenome) and isinstance(genome, Genome)
    assert repr(genome) == "Genome('data/ENCFF324BPE.bigWig')"
    assert str(genome) == repr(genome)
    names = [chromosome.name for chromosome in genome]
    assert names == sorted(names) and len(names) == 24
    assert "chr1" in genome
    assert "chrY" not in genome
    assert genome.format_version is None
    assert genome.isopen
    with pytest.raises(NotImplementedError):
        genome.erase_data(bigwig)
    assert genome.tracknames_continuous == ["data/ENCFF324BPE.bigWig"]
    assert genome.num_tracks_continuous == 1

    for name, value in (("num_datapoints", 3088137), ("mins", 0), ("maxs", 93473),
                        ("sums", 32720078), ("sums_squares", 1280737190372)):
        array = getattr(genome, name)
        assert isinstance(array, np.ndarray) and array.shape == (1,)
        assert array.dtype.kind == "i", name
        assert array.tolist() == [value], name
    assert genome.means.shape == (1,)
    assert genome.means[0] == pytest.approx(10.59541011, abs=1e-8)
    assert genome.vars.shape == (1,)
    assert round(float(genome.vars[0]), 4) == round(414615.8372, 4)

    chr1 = genome["chr1"]
    assert isinstance(chr1, Chromosome)
    assert repr(chr1) == "<Chromosome 'chr1', file='data/ENCFF324BPE.bigWig'>"
    assert str(chr1) == "chr1"

    values = chr1[569798:569802, "foo.track"]
    assert isinstance(values, np.ndarray) and values.dtype == np.float32
    assert_strict(values, [np.nan, np.nan, V1, V2])

    scalar = chr1[569800, 0]
    assert not isinstance(scalar, np.ndarray)
    assert isinstance(scalar, np.float32)
    assert scalar == pytest.approx(0.01108)

    one = chr1[569800]
    assert isinstance(one, np.ndarray) and one.shape == (1,) and one.dtype == np.float32
    assert_strict(one, [V1])
    column = chr1[569800:569801, 0]
    assert isinstance(column, np.ndarray) and column.shape == (1,)
    assert_strict(column, [V1])
    listed = chr1[569799:569802, [0]]
    assert listed.shape == (3, 1) and listed.dtype == np.float32
    assert_strict(listed, [[np.nan], [V1], [V2]])

    assert chr1.start == 569800
    assert chr1.end == 249200695
    with pytest.raises(NotImplementedError):
        chr1.seq[0:20]

    supercontig = next(iter(chr1))
    continuous = supercontig.continuous
    part = continuous[1:2]   # (bases, tracks) as an archive's (genomedata 1.7: (1,))
    assert part.shape == (1, 1) and part.dtype == np.float32
    assert_strict(part, [[V2]])
    first = continuous[0]
    assert first.shape == (1,)
    assert_strict(first, [V1])
    genome.close()
    assert not genome.isopen


# ------------------------------------------------------------------------------------------------
# beyond the reference test

def test_fixed_bugs_supercontig_and_read(bigwig):
    with Genome(bigwig) as genome:
        chr1 = genome["chr1"]
        supercontigs = list(chr1)
        assert len(supercontigs) == 1
        supercontig = supercontigs[0]
        assert isinstance(supercontig, Supercontig)
        assert supercontig.name == "supercontig_0" and str(supercontig) == "supercontig_0"
        assert repr(supercontig) == "<Supercontig 'supercontig_0', [569800:249200695]>"
        assert (supercontig.start, supercontig.end) == (569800, 249200695)
        assert supercontig.project(569810) == 10
        assert supercontig.continuous.shape == (249200695 - 569800, 1)
        chrM = next(iter(genome["chrM"]))
        whole = chrM.continuous.read()
        assert whole.dtype == np.float32 and whole.shape == (chrM.end - chrM.start, 1)
        expected = pyBigWig.open(bigwig).values("chrM", chrM.start, chrM.end, numpy=True)
        np.testing.assert_array_equal(whole[:, 0], expected)
        np.testing.assert_array_equal(np.asarray(chrM.continuous)[:, 0], expected)
        # (rows, tracks) keys shaped like chromosome[...]
        assert_strict(supercontig.continuous[0:3, [0]], [[V1], [V2], [V2]])
        pairs = list(chr1.itercontinuous())
        assert len(pairs) == 1 and pairs[0][0] is supercontig
        assert chr1.supercontigs[0:10] == []
        assert chr1.supercontigs[0:569801] == [supercontig]
        assert chr1.mode is None and chr1.attrs is None
        with pytest.raises(NotImplementedError):
            supercontig.seq
        with pytest.raises(NotImplementedError):
            chr1[569800] = 1.0
        with pytest.raises(NotImplementedError):
            genome.add_track_continuous("x")


def test_values_match_pybigwig(bigwig):
    bw = pyBigWig.open(bigwig)
    rng = np.random.default_rng(7)
    with Genome(bigwig) as genome:
        for name, size in sorted(bw.chroms().items()):
            chromosome = genome[name]
            assert chromosome.length == size
            for _ in range(5):
                start = int(rng.integers(0, size - 1))
                stop = int(min(size, start + rng.integers(1, 200000)))
                np.testing.assert_array_equal(chromosome[start:stop, 0],
                                              bw.values(name, start, stop, numpy=True))
        # past the chromosome's length: NaN, not an error
        chrM = genome["chrM"]
        tail = chrM[16560:16600, 0]
        assert tail.shape == (40,)
        np.testing.assert_array_equal(tail[:11], bw.values("chrM", 16560, 16571, numpy=True))
        assert np.isnan(tail[11:]).all()
        assert chrM[100:100].shape == (0,) and chrM[100:100].dtype == np.float32


def test_start_end_match_intervals(bigwig):
    bw = pyBigWig.open(bigwig)
    with Genome(bigwig) as genome:
        for chromosome in genome:
            intervals = bw.intervals(chromosome.name)
            assert chromosome.start == intervals[0][0]
            assert chromosome.end == intervals[-1][1]


def test_chromosome_statistics_from_intervals(bigwig):
    bw = pyBigWig.open(bigwig)
    with Genome(bigwig) as genome:
        chromosome = genome["chr21"]
        intervals = np.array(bw.intervals("chr21"))
        widths = intervals[:, 1] - intervals[:, 0]
        values = intervals[:, 2]
        assert chromosome.num_datapoints.tolist() == [int(widths.sum())]
        np.testing.assert_allclose(chromosome.sums, [np.dot(widths, values)], rtol=1e-12)
        np.testing.assert_allclose(chromosome.sums_squares, [np.dot(widths, values ** 2)],
                                   rtol=1e-12)
        assert chromosome.mins.tolist() == [values.min()]
        assert chromosome.maxs.tolist() == [values.max()]


def test_context_manager_iteration_and_close(bigwig):
    with Genome(bigwig) as genome:
        with genome:  # nested: still open after the inner block
            chromosome = genome["chr22"]
        assert genome.isopen
        assert genome["chr22"] is chromosome
        assert len(genome._chromosomes.open_chromosomes) == 1
        names = [c.name for c in genome]
        assert names == sorted(pyBigWig.open(bigwig).chroms())
        assert all(isinstance(c, BigWigChromosome) for c in genome)
        with pytest.raises(KeyError, match="Could not find chromosome: chrY"):
            genome["chrY"]
        assert genome.index_continuous(bigwig) == 0
        with pytest.raises(KeyError):
            genome.index_continuous("other")
    assert not genome.isopen
    assert genome._chromosomes.open_chromosomes == {}
    with pytest.raises(ClosedError):
        chromosome[16152660:16152670]
    with pytest.raises(ClosedError):
        genome["chr1"]


def test_binned_on_bigwig_is_exact(bigwig):
    bw = pyBigWig.open(bigwig)
    with Genome(bigwig) as genome:
        chromosome = genome["chr22"]
        start, end, bins = 16150000, 16400000, 37
        raw = bw.values("chr22", start, end, numpy=True).astype(np.float64)
        edges = start + (np.arange(bins + 1) * (end - start)) // bins - start
        for stat in ("mean", "min", "max", "sum", "coverage", "std"):
            observed = chromosome.binned(start, end, bins, stat)
            assert observed.shape == (bins, 1) and observed.dtype == np.float64
            expected = []
            for lo, hi in zip(edges[:-1], edges[1:]):
                part = raw[lo:hi]
                part = part[np.isfinite(part)]
                if stat == "coverage":
                    expected.append(len(part) / (hi - lo))
                elif stat == "sum":
                    expected.append(part.sum())
                elif not len(part):
                    expected.append(np.nan)
                else:
                    expected.append({"mean": np.mean, "min": np.min, "max": np.max,
                                     "std": np.std}[stat](part))
            assert_strict(observed[:, 0], expected, rtol=1e-9)
        # stackup over several chromosomes, past the end of chrM
        table = genome.stackup(["chrM", "chr22", "chrM"], [0, start, 16000],
                               [16571, end, 17000], 10, "max")
        assert table.shape == (3, 10)
        assert_strict(table[1], chromosome.binned(start, end, 10, "max")[:, 0])
        assert np.isnan(table[2, 6:]).all()  # [16571, 17000) is past chrM's end
        assert np.isfinite(table[2, :5]).all()


# ------------------------------------------------------------------------------------------------
# bigWig as load input

def test_load_bigwig_track(refdata, tmp_path):
    from genomedata.load_genomedata import load_genomedata
    bw = pyBigWig.open(str(refdata / NAME))
    # chromosome sizes of our choice: shorter than the bigWig's (data past the end is dropped)
    sizes = {"chr21": 10_000_000, "chr22": 16_400_000, "chrM": 16571}
    sizes_file = tmp_path / "sizes.txt"
    sizes_file.write_text("".join(f"{name}\t{size}\n" for name, size in sizes.items()))
    archive = tmp_path / "bw.genomedata"
    load_genomedata(str(archive), tracks=[("signal", str(refdata / NAME))],
                    seqfilenames=[str(sizes_file)], mode="file", seqfile_type="sizes")
    with Genome(archive) as genome:
        assert genome.tracknames_continuous == ["signal"]
        total = 0
        for name, size in sizes.items():
            chromosome = genome[name]
            stored = chromosome[0:size, "signal"]
            expected = bw.values(name, 0, size, numpy=True)
            assert stored.dtype == np.float32 and stored.shape == (size,)
            np.testing.assert_array_equal(stored, expected)
            assert np.isfinite(expected).any()
            total += int(np.isfinite(expected).sum())
            assert chromosome.num_datapoints.tolist() == [int(np.isfinite(expected).sum())]
        assert genome.num_datapoints.tolist() == [total]


def test_not_a_bigwig_is_a_clean_error(tmp_path):
    from genomedata.inputs.bigwig import open_bigwig
    path = tmp_path / "fake.bw"
    path.write_bytes(b"\x26\xfc\x8f\x88" + b"\0" * 60)  # the magic, nothing else
    with pytest.raises(GenomedataError, match="not a readable bigWig"):
        open_bigwig(str(path))


@pytest.mark.parametrize("damage", ["truncated", "garbage", "bad_index"])
def test_damaged_bigwig_names_the_file(refdata, tmp_path, damage):
    """A truncated bigWig, random bytes after the magic number, or a damaged index: every
    command that reads it fails with one line naming the file and what is wrong -- libBigWig
    itself crashed the process on some of them (a segmentation fault)."""
    import subprocess
    import struct
    import sys

    raw = (refdata / NAME).read_bytes()
    path = tmp_path / "damaged.bw"
    if damage == "truncated":
        path.write_bytes(raw[:3000])
    elif damage == "garbage":
        path.write_bytes(raw[:4] + np.random.default_rng(3).bytes(5000))
    else:
        index = struct.unpack("<Q", raw[24:32])[0]
        path.write_bytes(raw[:index] + b"\0\0\0\0" + raw[index + 4:])
    sizes = tmp_path / "g.sizes"
    sizes.write_text("chr1\t1000\n")
    archive = tmp_path / "a.genomedata"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}

    def run(*argv):
        return subprocess.run([sys.executable, "-m", "genomedata", *map(str, argv)],
                              capture_output=True, text=True, env=env, timeout=300)

    assert run("load-seq", "-q", "--sizes", archive, sizes).returncode == 0
    assert run("open-data", archive, "--tracknames", "t").returncode == 0
    for argv in (["info", "contigs", path], ["query", path, "x", "chr1", "0", "5"],
                 ["export", path, "x", tmp_path / "o.bedGraph"],
                 ["load-data", archive, "t", path],
                 ["load", "--sizes", "-s", sizes, "-t", f"t={path}", tmp_path / "b.gd"]):
        done = run(*argv)
        assert done.returncode == 1, (argv, done.returncode, done.stderr)
        assert done.stderr.count("\n") == 1, done.stderr
        assert f"{path}: not a readable bigWig file: its " in done.stderr, done.stderr


def test_import_does_not_load_pybigwig_or_numba():
    import subprocess
    import sys
    code = ("import sys, genomedata, genomedata._bigwig, genomedata.api.binned, "
            "genomedata.ops.export; "
            "print('numba' in sys.modules, 'pyBigWig' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert out.stdout.split() == ["False", "False"]


def test_warnings_are_not_raised_on_reads(bigwig):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with Genome(bigwig) as genome:
            genome["chr1"][0:10]


def test_shapes_are_those_of_a_one_track_archive(make_archive, tmp_path):
    """The same read of a bigWig genome and of a one-track archive holding the same values
    gives the same shape and values."""
    from genomedata.ops.export import export_track
    values = np.arange(10, dtype=np.float32).reshape(10, 1)
    archive = make_archive({"chrA": [(0, 10)]}, tracknames=["t"], values={"chrA": values})
    bigwig = str(tmp_path / "t.bw")
    export_track(archive, "t", bigwig)
    keys = [slice(0, 3), 4, (slice(0, 3), 0), (slice(0, 3), "t"), (4, 0), (slice(2, 5), [0]),
            (slice(2, 5), ["t"]), (4, [0]), slice(3, 3), (slice(0, 3), slice(None))]
    with Genome(archive) as one, Genome(bigwig) as other:
        for key in keys:
            expected, observed = one["chrA"][key], other["chrA"][key]
            assert np.shape(observed) == np.shape(expected), key
            np.testing.assert_array_equal(observed, expected)
        assert other["chrA"][0:3].shape == (3, 1)
        ours = next(iter(other["chrA"])).continuous
        theirs = next(iter(one["chrA"])).continuous
        for key in (slice(1, 3), 2, (slice(1, 3), 0)):
            assert np.shape(ours[key]) == np.shape(theirs[key]), key
            np.testing.assert_array_equal(ours[key], theirs[key])
        assert ours.read().shape == theirs.read().shape == (10, 1)
