"""Limits: odd names, empty and huge things.  Each either works or is refused clearly.

* chromosome names with odd characters (``chrUn_KI270302v1``, ``HLA-A*01:01:01:01``, ``|``,
  ``.``) work everywhere (load-seq in both layouts, load-data, query, info); a name with ``/``
  is refused with ``FILE:LINE``, and nothing is created;
* zero-length chromosomes are skipped with a warning; an input with no sequence at all, or an
  empty FASTA file, is an error and creates nothing; an empty signal file loads nothing (a
  warning) and changes nothing;
* coordinates past 2**31: the parsers and the API (a 3 Gbp chromosome from a sizes file) use
  64-bit positions; sizes past 2**32 - 1 do not fit the format and are refused.  (Loading data
  into such a chromosome needs a float32 buffer over the whole chromosome: 12 GB for 3 Gbp,
  see the README; not exercised here);
* thousands of scaffolds: a single-file archive is picked, and open/close/info/query work;
* empty tracks: close-data gives +inf/-inf/0 statistics, validate reports the track, report
  and export cope;
* a track name that is not ASCII is refused before anything is written.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from pathlib import Path

import numpy as np
import pytest

from genomedata import Genome
from genomedata.archive import layout as _layout
from genomedata.archive import files as _files
from genomedata._close_data import close_data
from genomedata._load_data import load_data
from genomedata._load_seq import load_seq
from genomedata._open_data import open_data
from genomedata.inputs.signal import parse_signal
from genomedata._util import GenomedataDirtyWarning, OverlapWarning
from genomedata.errors import GenomedataError, InputError
from genomedata.commands.main import main
from genomedata.load_genomedata import load_genomedata

ODD_NAMES = ["chrUn_KI270302v1", "HLA-A*01:01:01:01", "chr1|alt", "chr.1", "1",
             "gi|251831106|ref|NC_012920.1|", "chr6_GL000250v2_alt", "x" * 200]


def _fingerprint(path: Path) -> dict:
    files = sorted(path.iterdir()) if path.is_dir() else [path]
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def _err_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    return err


# ------------------------------------------------------------------------------------------------
# names

@pytest.mark.parametrize("mode", ["dir", "file"])
@pytest.mark.parametrize("source", ["fasta", "sizes"])
def test_odd_chromosome_names_work_everywhere(tmp_path, capsys, mode, source):
    if source == "fasta":
        seqfile = tmp_path / "genome.fa"
        seqfile.write_text("".join(f">{name} some description\nACGTNACGTA\nAC\n"
                                   for name in ODD_NAMES))
    else:
        seqfile = tmp_path / "genome.sizes"
        seqfile.write_text("".join(f"{name}\t12\n" for name in ODD_NAMES))
    archive = tmp_path / "odd.genomedata"
    load_seq(str(archive), [str(seqfile)], True, mode, seqfile_type=source)
    assert archive.is_dir() == (mode == "dir")
    open_data(str(archive), ["signal"])
    signal = tmp_path / "signal.txt"
    # bedGraph lines and a WIG block for every name
    signal.write_text("".join(f"{name}\t2\t5\t{i}.5\n" for i, name in enumerate(ODD_NAMES))
                      + "".join(f"fixedStep chrom={name} start=10 step=1\n7\n8\n"
                                for name in ODD_NAMES))
    summary = load_data(str(archive), "signal", str(signal))
    assert summary.lines_skipped == 0
    close_data(str(archive))

    with Genome(str(archive)) as genome:
        assert sorted(chromosome.name for chromosome in genome) == sorted(ODD_NAMES)
        for i, name in enumerate(ODD_NAMES):
            assert name in genome
            values = genome[name][0:12, "signal"]
            expected = np.full(12, np.nan, dtype=np.float32)
            expected[2:5] = i + 0.5
            expected[9:11] = [7, 8]
            np.testing.assert_array_equal(values, expected)
            if source == "fasta":
                assert genome[name].seq[0:12].tobytes() == b"ACGTNACGTAAC"
    capsys.readouterr()
    assert main(["info", "contigs", str(archive)]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert sorted(line.split("\t")[0] for line in listed) == sorted(ODD_NAMES)
    for i, name in enumerate(ODD_NAMES):
        assert main(["query", str(archive), "signal", name, "3", "4"]) == 0
        assert capsys.readouterr().out == f"{i}.5\n"


@pytest.mark.parametrize("source,text,line", [
    ("sizes", "chr1\t10\nchr/2\t20\n", 2),
    ("fasta", ">chr1\nACGT\n>bad/name\nACGT\n", 3),
    ("sizes", "..\t10\n", 1),
    ("fasta", ">.\nAC\n", 1),
])
@pytest.mark.parametrize("mode", ["dir", "file"])
def test_names_that_cannot_be_chromosomes_are_refused(tmp_path, capsys, source, text, line,
                                                       mode):
    seqfile = tmp_path / f"genome.{source}"
    seqfile.write_text(text)
    archive = tmp_path / "out.genomedata"
    with pytest.raises(InputError) as info:
        load_seq(str(archive), [str(seqfile)], True, mode, seqfile_type=source)
    assert str(info.value).startswith(f"{seqfile}:{line}: sequence name ")
    assert "cannot name a chromosome" in str(info.value)
    assert os.listdir(tmp_path) == [seqfile.name]     # nothing created, no leftovers
    flag = ["--sizes"] if source == "sizes" else []
    assert main(["load-seq", *flag, str(archive), str(seqfile)]) == 1
    assert "cannot name a chromosome" in _err_line(capsys)
    assert os.listdir(tmp_path) == [seqfile.name]


def test_track_name_not_ascii_refused_nothing_written(tmp_path, capsys):
    sizes = tmp_path / "g.sizes"
    sizes.write_text("chrA\t100\n")
    archive = tmp_path / "a.genomedata"
    load_seq(str(archive), [str(sizes)], seqfile_type="sizes")
    before = _fingerprint(archive)
    for name in ("tré", "dnase\u00a0", "信号"):
        with pytest.raises(GenomedataError, match="is not ASCII"):
            open_data(str(archive), ["fine", name])
        assert main(["open-data", str(archive), "--tracknames", name]) == 1
        assert "is not ASCII" in _err_line(capsys)
        with Genome(str(archive), "r+") as genome, pytest.raises(ValueError, match="ASCII"):
            genome.add_track_continuous(name)
        assert _fingerprint(archive) == before
    # the one-step build refuses it before creating anything
    signal = tmp_path / "s.bedGraph"
    signal.write_text("chrA\t0\t10\t1\n")
    out = tmp_path / "built.genomedata"
    assert main(["load", "--sizes", "-s", str(sizes), "-t", f"tré={signal}", str(out)]) == 1
    assert "is not ASCII" in _err_line(capsys)
    assert not out.exists() and not list(tmp_path.glob(".built*"))
    # long and punctuated ASCII names are fine
    long_name = "track:" + "x" * 120 + " (v2)"
    open_data(str(archive), [long_name])
    close_data(str(archive))
    with Genome(str(archive)) as genome:
        assert genome.tracknames_continuous == [long_name]


# ------------------------------------------------------------------------------------------------
# empty things

def test_zero_length_chromosomes_are_skipped_with_a_warning(tmp_path, capsys):
    sizes = tmp_path / "g.sizes"
    sizes.write_text("chrA\t100\nchrZero\t0\nchrB\t5\n")
    archive = tmp_path / "a.genomedata"
    assert main(["load-seq", "--sizes", str(archive), str(sizes)]) == 0
    err = capsys.readouterr().err
    assert f"warning: {sizes}:2: sequence chrZero has no bases" in err
    assert main(["close-data", str(archive)]) == 0
    with Genome(str(archive)) as genome:
        assert [chromosome.name for chromosome in genome] == ["chrA", "chrB"]


@pytest.mark.parametrize("source,text", [("fasta", ""), ("fasta", "\n\n"),
                                         ("fasta", ">a\n>b\n"), ("sizes", ""),
                                         ("sizes", "# only a comment\nchrZ\t0\n")])
def test_input_without_sequence_creates_nothing(tmp_path, capsys, source, text):
    seqfile = tmp_path / f"in.{source}"
    seqfile.write_text(text)
    archive = tmp_path / "out.genomedata"
    with pytest.raises(GenomedataError, match="no sequence with any bases; no archive"):
        load_seq(str(archive), [str(seqfile)], seqfile_type=source)
    assert os.listdir(tmp_path) == [seqfile.name]
    flag = ["--sizes"] if source == "sizes" else []
    assert main(["load-seq", "-q", *flag, str(archive), str(seqfile)]) == 1
    assert "no archive created" in _err_line(capsys)
    assert os.listdir(tmp_path) == [seqfile.name]


@pytest.mark.parametrize("text", ["", "\n", "track type=bedGraph\n# nothing else\n"])
def test_empty_signal_file_loads_nothing_and_changes_nothing(tmp_path, capsys, text):
    sizes = tmp_path / "g.sizes"
    sizes.write_text("chrA\t100\n")
    archive = tmp_path / "a.genomedata"
    load_seq(str(archive), [str(sizes)], seqfile_type="sizes")
    open_data(str(archive), ["t"])
    load_data(str(archive), "t", str(_write(tmp_path / "one.bg", "chrA\t0\t10\t2\n")))
    close_data(str(archive))
    before = _fingerprint(archive)
    empty = _write(tmp_path / "empty.bg", text)
    capsys.readouterr()
    # a mistake unless asked for (tests/test_mistakes.py); on purpose, nothing changes
    assert main(["load-data", str(archive), "t", str(empty)]) == 1
    assert f"error: {empty} has no data" in capsys.readouterr().err
    assert _fingerprint(archive) == before
    assert main(["load-data", "--allow-empty", str(archive), "t", str(empty)]) == 0
    assert _fingerprint(archive) == before     # still clean, values as they were
    with Genome(str(archive)) as genome:
        assert genome["chrA"][0:11, "t"].tolist()[9:] == [2.0, pytest.approx(np.nan,
                                                                            nan_ok=True)]


def _write(path, text):
    path.write_text(text)
    return path


def test_empty_track_statistics_and_reports(tmp_path, capsys):
    sizes = tmp_path / "g.sizes"
    sizes.write_text("chrA\t1000\nchrB\t300\n")
    archive = tmp_path / "a.genomedata"
    load_seq(str(archive), [str(sizes)], seqfile_type="sizes")
    open_data(str(archive), ["empty", "full"])
    load_data(str(archive), "full", str(_write(tmp_path / "f.bg", "chrA\t0\t1000\t1\n")))
    close_data(str(archive))
    with Genome(str(archive)) as genome:
        chromosome = genome["chrA"]
        assert chromosome.mins[0] == np.inf and chromosome.maxs[0] == -np.inf
        assert chromosome.sums[0] == 0 and chromosome.num_datapoints[0] == 0
        assert genome.num_datapoints.tolist() == [0, 1000]
        with warnings.catch_warnings():
            warnings.simplefilter("error")   # no RuntimeWarning from 0 / 0
            assert np.isnan(genome.means[0]) and genome.means[1] == 1.0
        assert np.isnan(chromosome[0:1000, "empty"]).all()
    capsys.readouterr()
    assert main(["validate", str(archive)]) == 1
    out = capsys.readouterr()
    assert "track 'empty' has no data" in out.out + out.err
    assert main(["report", str(archive)]) == 0
    capsys.readouterr()
    bedgraph = tmp_path / "empty.bedGraph"
    assert main(["export", str(archive), "empty", str(bedgraph)]) == 0
    assert bedgraph.read_text() == ""
    assert main(["query", str(archive), "empty", "chrB", "0", "2"]) == 0
    assert capsys.readouterr().out == "nan\nnan\n"


# ------------------------------------------------------------------------------------------------
# coordinates past 2**31

BIG = 2 ** 31


@pytest.mark.kernels
def test_parsers_take_coordinates_past_2_31(tmp_path):
    text = (f"chrBig\t{BIG + 10}\t{BIG + 20}\t1.5\n"
            f"fixedStep chrom=chrBig start={BIG + 31} step=2 span=1\n2\n3\n"
            f"variableStep chrom=chrBig span=3\n{BIG + 51} 4\n"
            f"track type=bedGraph\nchrBig\t{2 ** 62}\t{2 ** 62 + 1}\t5\n").encode()
    parsed = parse_signal(text, "big.txt")
    assert parsed.extent("chrBig") == (BIG + 10, 2 ** 62 + 1)
    buffer = np.full(100, np.nan, dtype=np.float32)
    counters = parsed.fill_chromosome("chrBig", buffer)
    assert np.isnan(buffer).all()             # everything is past this small buffer's end
    assert counters[0] == 5                    # data lines
    with pytest.raises(InputError, match="big.txt:1:"):
        parse_signal(f"chrBig\t0\t{2 ** 63}\t1\n".encode(), "big.txt")


def test_loader_drops_values_past_the_end_and_says_so(tmp_path):
    sizes = tmp_path / "g.sizes"
    sizes.write_text("chrA\t1000\n")
    archive = tmp_path / "a.genomedata"
    load_seq(str(archive), [str(sizes)], seqfile_type="sizes")
    open_data(str(archive), ["t"])
    signal = _write(tmp_path / "s.bg", f"chrA\t990\t1010\t1\nchrA\t{BIG}\t{BIG + 5}\t2\n")
    summary = load_data(str(archive), "t", str(signal))
    assert summary.bases == 10 and summary.bases_past_end == 10 + 5


@pytest.fixture(scope="module")
def big_archive(tmp_path_factory):
    """A sizes archive with a 3 Gbp chromosome: values written near 2**31 through the API,
    statistics written by hand (close-data would scan 3 Gbp)."""
    root = tmp_path_factory.mktemp("big")
    sizes = root / "g.sizes"
    sizes.write_text(f"chrBig\t3000000000\nchrS\t1000\n")
    archive = root / "big.genomedata"
    load_seq(str(archive), [str(sizes)], True, "file", seqfile_type="sizes")
    open_data(str(archive), ["t"])
    values = np.arange(20, dtype=np.float32) + 0.25
    with warnings.catch_warnings(), Genome(str(archive), "r+") as genome:
        warnings.simplefilter("ignore", GenomedataDirtyWarning)
        genome["chrBig"][BIG - 5:BIG + 15, "t"] = values
    with _files.ArchiveFiles(str(archive), "r+") as files:
        for chrom in ("chrBig", "chrS"):
            group = files.chromosome_group(chrom)
            filled = chrom == "chrBig"
            _layout.write_statistics(group, [values.min() if filled else np.inf],
                                     [values.max() if filled else -np.inf],
                                     [values.sum(dtype=np.float64) if filled else 0.0],
                                     [np.square(values, dtype=np.float64).sum() if filled
                                      else 0.0], [20 if filled else 0])
            for supercontig in _layout.supercontig_groups(group):
                _layout.write_chunk_bounds(supercontig, [BIG - 5] if filled else [],
                                           [BIG + 15] if filled else [])
            _layout.write_dirty(group, False)
    return archive, values


def test_api_past_2_31(big_archive, capsys):
    archive, values = big_archive
    with Genome(str(archive)) as genome:
        chromosome = genome["chrBig"]
        assert chromosome.end == 3_000_000_000
        np.testing.assert_array_equal(chromosome[BIG - 5:BIG + 15, "t"], values)
        assert np.isnan(chromosome[BIG + 15:BIG + 20, 0]).all()
        assert np.isnan(chromosome[2_999_999_990:3_000_000_000, 0]).all()
        assert chromosome.num_datapoints.tolist() == [20]
        supercontig = chromosome.supercontigs[BIG:BIG + 1][0]
        assert (supercontig.start, supercontig.end) == (0, 3_000_000_000)
        with pytest.warns(OverlapWarning):
            assert np.isnan(chromosome[3_000_000_000:3_000_000_010, 0]).all()
        with pytest.raises(NotImplementedError, match="Negative"):
            chromosome[-1, 0]
    assert main(["query", str(archive), "t", "chrBig", str(BIG - 1), str(BIG + 1)]) == 0
    assert capsys.readouterr().out == "4.25\n5.25\n"
    assert main(["info", "sizes", str(archive)]) == 0
    assert capsys.readouterr().out == "chrBig\t3000000000\nchrS\t1000\n"


# ------------------------------------------------------------------------------------------------
# thousands of scaffolds

def test_thousands_of_scaffolds(tmp_path, capsys):
    sizes = tmp_path / "scaffolds.sizes"
    names = [f"scaffold_{i}" for i in range(3000)]
    sizes.write_text("".join(f"{name}\t{100 + i}\n" for i, name in enumerate(names)))
    archive = tmp_path / "many.genomedata"
    assert main(["load-seq", "-q", "--sizes", str(archive), str(sizes)]) == 0
    assert archive.is_file()         # >= 100 sequences: a single file
    assert main(["open-data", str(archive), "--tracknames", "t"]) == 0
    signal = _write(tmp_path / "s.bg", "scaffold_7\t0\t5\t1.25\nscaffold_2999\t100\t3099\t2\n")
    assert main(["load-data", "-q", str(archive), "t", str(signal)]) == 0
    assert main(["close-data", str(archive)]) == 0
    capsys.readouterr()
    assert main(["info", "contigs", str(archive)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3000
    assert sorted(lines) == sorted(f"{name}\t0\t{100 + i}" for i, name in enumerate(names))
    assert main(["query", str(archive), "t", "scaffold_7", "3", "6"]) == 0
    assert capsys.readouterr().out == "1.25\n1.25\nnan\n"
    with Genome(str(archive)) as genome:
        assert genome.num_datapoints.tolist() == [5 + 2999]
        assert genome["scaffold_2999"].maxs.tolist() == [2.0]


def test_one_step_load_with_odd_names_and_empty_track(tmp_path):
    """``load`` end to end with odd names and one track that has no data."""
    fasta = _write(tmp_path / "g.fa", "".join(f">{name}\nACGTACGTAC\n" for name in ODD_NAMES))
    signal = _write(tmp_path / "s.bg", f"{ODD_NAMES[1]}\t0\t4\t3\n")
    empty = _write(tmp_path / "e.bg", "")
    archive = tmp_path / "built.genomedata"
    load_genomedata(str(archive), [("s", str(signal)), ("e", str(empty))], [str(fasta)],
                    allow_empty=True)
    with Genome(str(archive)) as genome:
        assert genome.num_datapoints.tolist() == [4, 0]
        assert genome[ODD_NAMES[1]][0:5, "s"].tolist()[:4] == [3.0] * 4


# ------------------------------------------------------------------------------------------------
# names the format cannot hold

@pytest.mark.parametrize("name", ["a\tb", "line\nbreak", "bell\x07", "nul\x00", "del\x7f"])
def test_track_name_with_control_characters_refused(tmp_path, capsys, name):
    """A TAB or newline in a track name breaks every table that lists tracks (report, info):
    control characters are refused before anything is written."""
    sizes = tmp_path / "g.sizes"
    sizes.write_text("chrA\t100\n")
    archive = tmp_path / "a.genomedata"
    load_seq(str(archive), [str(sizes)], seqfile_type="sizes")
    before = _fingerprint(archive)
    with pytest.raises(GenomedataError, match="contains a control character"):
        open_data(str(archive), [name])
    assert main(["open-data", str(archive), "--tracknames", name]) == 1
    assert "contains a control character" in _err_line(capsys)
    with Genome(str(archive), "r+") as genome, pytest.raises(ValueError, match="control"):
        genome.add_track_continuous(name)
    assert _fingerprint(archive) == before


@pytest.mark.parametrize("count,length", [(2100, 8), (1, 70_000), (300, 300)])
def test_track_list_too_large_for_the_format(tmp_path, capsys, count, length):
    """More than about 2,000 tracks, or names of 70,000 characters, do not fit the one HDF5
    attribute that lists the tracks: a message saying so, before anything is written (HDF5's
    own error was "object header message is too large")."""
    sizes = tmp_path / "g.sizes"
    sizes.write_text("chrA\t100\n")
    archive = tmp_path / "a.genomedata"
    load_seq(str(archive), [str(sizes)], seqfile_type="sizes")
    before = _fingerprint(archive)
    names = [f"{i:0{length}d}" for i in range(count)]
    with pytest.raises(GenomedataError, match="can hold"):
        open_data(str(archive), names)
    assert _fingerprint(archive) == before
    # one at a time, the limit is met when the list would outgrow the attribute
    if count > 1:
        fits = _layout.MAX_TRACKNAMES_BYTES // max(32, length)
        open_data(str(archive), names[:fits])
        with pytest.raises(GenomedataError, match="can hold"):
            open_data(str(archive), names[fits:fits + 1])
        close_data(str(archive))
        with Genome(str(archive)) as genome:
            assert genome.tracknames_continuous == names[:fits]
    signal = tmp_path / "s.bg"
    signal.write_text("chrA\t0\t10\t1\n")
    out = tmp_path / "built.genomedata"
    argv = ["load", "--sizes", "-s", str(sizes), str(out)]
    for name in names[:count]:
        argv[1:1] = ["-t", f"{name}={signal}"]
    capsys.readouterr()
    assert main(argv) == 1
    assert "can hold" in _err_line(capsys)
    assert not out.exists() and not list(tmp_path.glob(".built*"))


def test_long_sequence_name_in_a_directory_archive(tmp_path, capsys):
    """A chromosome of a directory archive is a file named after it: a 300-character name
    cannot be one; the error names the line that defines it and says why."""
    fasta = tmp_path / "long.fa"
    fasta.write_text(">chr1\nACGT\n>" + "x" * 300 + " description\nACGT\n")
    archive = tmp_path / "out.genomedata"
    assert main(["load-seq", "-d", str(archive), str(fasta)]) == 1
    assert _err_line(capsys) == (
        f"genomedata load-seq: error: {fasta}:3: sequence name of 300 characters is too long "
        "for a chromosome file name in a directory archive (at most 244); use a single-file "
        "archive (--file-mode)\n")
    assert os.listdir(tmp_path) == ["long.fa"]
    assert main(["load-seq", "-q", "-f", str(archive), str(fasta)]) == 0


def test_huge_names_are_cut_in_messages(tmp_path, capsys):
    """A 50 MB sequence name is not echoed whole in a message: it is cut to 80 characters
    and its length said."""
    name = "c" * (50 * 2 ** 20)
    fasta = tmp_path / "huge.fa"
    fasta.write_text(f">{name}\nACGT\n>{name}\nAC\n")
    assert main(["load-seq", "-f", str(tmp_path / "a.genomedata"), str(fasta)]) == 1
    err = _err_line(capsys)
    assert len(err) < 200 + 2 * len(str(fasta))
    assert f"{fasta}:3: chromosome {'c' * 80}... ({len(name)} characters) is defined twice" \
        in err
