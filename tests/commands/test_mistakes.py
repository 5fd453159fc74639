"""The mistakes people make get an answer that says what to do, and nothing is written.

Each test makes one mistake through the command line (as a user would), checks the whole
message, and checks that nothing was written: the archive's files hash the same as before,
or no archive (and no folder) was created.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
from pathlib import Path
import shutil
import sys

import numpy as np
import pytest

from conftest import file_hashes
from genomedata import Genome
from genomedata.commands.main import main
from genomedata.load_genomedata import load_genomedata

EXAMPLES = str(Path(__file__).resolve().parents[2] / "examples" / "data")
FASTA = [os.path.join(EXAMPLES, "chr1.fa"), os.path.join(EXAMPLES, "chr2.fa.gz")]
DNASE = os.path.join(EXAMPLES, "dnase.bedGraph")
NOT_AN_ARCHIVE = "give an archive: a directory or an HDF5 file made by 'genomedata load' or " \
                 "'load-seq'"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The README's example archive in both layouts (copied by each test)."""
    root = tmp_path_factory.mktemp("mistakes")
    archives = {}
    for mode in ("file", "dir"):
        archives[mode] = load_genomedata(
            str(root / f"{mode}.genomedata"),
            [("conservation", os.path.join(EXAMPLES, "conservation.wigFix")),
             ("dnase", DNASE)], FASTA, mode=mode)
    return archives


@pytest.fixture(params=["file", "dir"])
def archive(built, tmp_path, request):
    """A copy of the example archive in ``tmp_path`` (file or directory)."""
    source = built[request.param]
    target = tmp_path / "example.genomedata"
    if os.path.isdir(source):
        shutil.copytree(source, target)
    else:
        shutil.copyfile(source, target)
    return target


def run(capsys, *argv):
    """``genomedata ARGV`` in this process: (exit status, stderr)."""
    capsys.readouterr()
    status = main([str(arg) for arg in argv])
    return status, capsys.readouterr().err


def write(path, text, compress=None):
    data = text.encode() if isinstance(text, str) else text
    if compress is not None:
        data = compress(data)
    path.write_bytes(data)
    return path


def without_chr(tmp_path):
    return write(tmp_path / "nochr.bedGraph", "".join(
        (line[3:] if line.startswith("chr") else line) + "\n"
        for line in open(DNASE).read().splitlines()))


# ------------------------------------------------------------------------------------------------
# damaged and compressed inputs

def _truncated(data: bytes) -> bytes:
    packed = gzip.compress(data)
    return packed[:len(packed) // 2]


@pytest.mark.parametrize("kind", ["fasta", "sizes", "signal"])
def test_truncated_gzip_input_is_named(tmp_path, capsys, monkeypatch, kind):
    if kind == "fasta":
        path = write(tmp_path / "genome.fa.gz", _truncated(open(FASTA[0], "rb").read()))
        argv = ["load", "-s", path, "x.genomedata"]
    elif kind == "sizes":
        path = write(tmp_path / "genome.sizes.gz",
                     _truncated("".join(f"chr{i}\t{i * 1000}\n" for i in range(1, 3000))
                                .encode()))
        argv = ["load-seq", "--sizes", "x.genomedata", path]
    else:
        path = write(tmp_path / "dnase.bedGraph.gz", _truncated(open(DNASE, "rb").read()))
        argv = ["load", "-s", FASTA[0], "-t", f"dnase={path}", "x.genomedata"]
    monkeypatch.chdir(tmp_path)
    status, err = run(capsys, *argv)
    assert status == 1
    assert err == (f"genomedata {argv[0]}: error: {path}: the gzip data ends early: the file "
                   "is truncated (was its download or copy interrupted?)\n")
    assert os.listdir(tmp_path) == [path.name]


def test_truncated_gzip_signal_into_an_archive(archive, tmp_path, capsys):
    path = write(tmp_path / "dnase.bedGraph.gz", _truncated(open(DNASE, "rb").read()))
    before = file_hashes(archive)
    status, err = run(capsys, "load-data", archive, "dnase", path)
    assert (status, err) == (1, f"genomedata load-data: error: {path}: the gzip data ends "
                                "early: the file is truncated (was its download or copy "
                                "interrupted?)\n")
    assert file_hashes(archive) == before


def _stdin(monkeypatch, data: bytes):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


def test_gzip_on_standard_input_is_decompressed(archive, capsys, monkeypatch):
    run(capsys, "open-data", archive, "--tracknames", "piped")
    _stdin(monkeypatch, gzip.compress(open(DNASE, "rb").read()))
    assert run(capsys, "load-data", archive, "piped")[0] == 0
    run(capsys, "close-data", archive)
    with Genome(archive) as genome:
        assert genome.num_datapoints.tolist() == [16000, 45922, 45922]
        np.testing.assert_array_equal(genome["chr1"][272:275, "piped"], [10.5] * 3)


ZSTD_FRAME = b"\x28\xb5\x2f\xfd\x20\x05\x29\x00\x00hello"   # a zstd frame's first bytes


@pytest.mark.parametrize("kind, compress, undo", [
    ("bzip2", bz2.compress, "bunzip2"), ("xz", lzma.compress, "unxz"),
    ("zstd", lambda data: ZSTD_FRAME, "unzstd")])
def test_other_compressions_say_what_they_are(archive, tmp_path, capsys, monkeypatch, kind,
                                              compress, undo):
    data = compress(open(DNASE, "rb").read())
    path = write(tmp_path / f"dnase.bedGraph.{kind}", data)
    before = file_hashes(archive)
    status, err = run(capsys, "load-data", archive, "dnase", path)
    keep = " -k" if undo != "unzstd" else ""
    assert (status, err) == (1, (
        f"genomedata load-data: error: {path} is {kind}-compressed; genomedata reads WIG, "
        "bedGraph or BED text (plain or gzip) and bigWig files: decompress it first "
        f"('{undo}{keep} {path}') or compress it with gzip\n"))
    _stdin(monkeypatch, data)
    status, err = run(capsys, "load-data", archive, "dnase")
    assert (status, err) == (1, (
        f"genomedata load-data: error: standard input is {kind}-compressed; genomedata reads "
        "WIG, bedGraph or BED text (plain or gzip) and bigWig files: pipe it through "
        f"'{undo} -c'\n"))
    fasta = write(tmp_path / f"genome.fa.{kind}", compress(open(FASTA[0], "rb").read()))
    status, err = run(capsys, "load", "-s", fasta, "-t", f"dnase={DNASE}", tmp_path / "x.gd")
    assert status == 1 and err.startswith(f"genomedata load: error: {fasta} is {kind}-"
                                          "compressed; genomedata reads FASTA, AGP, sizes")
    assert file_hashes(archive) == before
    assert not (tmp_path / "x.gd").exists()


def test_bigwig_on_standard_input(archive, tmp_path, capsys, monkeypatch):
    bigwig = tmp_path / "dnase.bw"
    assert run(capsys, "export", archive, "dnase", bigwig)[0] == 0
    before = file_hashes(archive)
    _stdin(monkeypatch, bigwig.read_bytes())
    status, err = run(capsys, "load-data", archive, "dnase")
    assert (status, err) == (1, "genomedata load-data: error: standard input is a bigWig "
                                "file; a bigWig file is read by its name (it needs random "
                                "access): give the file name instead of '-'\n")
    assert file_hashes(archive) == before


# ------------------------------------------------------------------------------------------------
# a sizes file given as FASTA

def test_sizes_file_given_to_load_seq_without_sizes(tmp_path, capsys):
    sizes = write(tmp_path / "hg38.chrom.sizes", "chr1\t248956422\nchr2\t242193529\n")
    for argv in (["load-seq", tmp_path / "x.genomedata", sizes],
                 ["load", "-s", sizes, "-t", f"dnase={DNASE}", tmp_path / "x.genomedata"]):
        status, err = run(capsys, *argv)
        assert (status, err) == (1, (
            f"genomedata {argv[0]}: error: {sizes}:1: sequence data before the first '>' "
            "definition line; it looks like a chromosome sizes file, not FASTA: add --sizes "
            "to read it as one\n"))
    assert os.listdir(tmp_path) == ["hg38.chrom.sizes"]


# ------------------------------------------------------------------------------------------------
# what is given as the archive

def test_one_chromosome_file_of_a_directory_archive(built, tmp_path, capsys):
    archive = tmp_path / "dir.genomedata"
    shutil.copytree(built["dir"], archive)
    one = archive / "chr1.genomedata"
    before = file_hashes(archive)
    message = (f"{one} is the file of chromosome chr1 in the directory archive {archive}, not "
               f"an archive by itself; give the directory: {archive}\n")
    for command in (["close-data", one], ["info", "contigs", one],
                    ["query", one, "dnase", "chr1", "0", "5"],
                    ["open-data", one, "--tracknames", "x"],
                    ["load-data", one, "dnase", DNASE], ["erase-data", one, "--trackname",
                                                         "dnase"],
                    ["hardmask", os.path.join(EXAMPLES, "peaks.bed"), one]):
        status, err = run(capsys, *command)
        assert (status, err) == (1, f"genomedata {command[0]}: error: {message}"), command
    assert file_hashes(archive) == before
    assert sorted(os.listdir(archive)) == ["chr1.genomedata", "chr2.genomedata"]


@pytest.mark.parametrize("name, content, looks", [
    ("signal.bedGraph", "chr1\t0\t10\t1.5\n", "it looks like a bedGraph file"),
    ("genome.fa", ">chr1\nACGT\n", "it looks like a FASTA file"),
    ("empty.genomedata", "", "it is empty"),
    ("peaks.bed.gz", "chr1\t5\t10\tpeak\t3\n", "it is a gzip-compressed BED file"),
])
def test_something_that_is_not_an_archive(tmp_path, capsys, name, content, looks):
    path = write(tmp_path / name, content, gzip.compress if name.endswith(".gz") else None)
    before = file_hashes(path)
    for command in (["info", "tracknames", path], ["close-data", path],
                    ["open-data", path, "--tracknames", "x"], ["load-data", path, "x", DNASE],
                    ["validate", path]):
        status, err = run(capsys, *command)
        assert status == 1
        if command[0] != "validate":
            assert err == (f"genomedata {command[0]}: error: {path} is not a Genomedata "
                           f"archive ({looks}); {NOT_AN_ARCHIVE}\n")
    assert file_hashes(path) == before       # an empty file stays empty: no HDF5 in it
    assert sorted(os.listdir(tmp_path)) == [name]


# ------------------------------------------------------------------------------------------------
# inputs on other chromosome names, inputs without values

def test_input_named_1_for_an_archive_named_chr1(archive, tmp_path, capsys):
    signal = without_chr(tmp_path)
    run(capsys, "open-data", archive, "--tracknames", "new")
    before = file_hashes(archive)
    status, err = run(capsys, "load-data", archive, "new", signal)
    assert status == 1
    assert err == (
        f"genomedata load-data: error: none of the chromosomes of {signal} is in {archive}: "
        "the input has 2 (1, 2), the archive 2 (chr1, chr2); the names differ by the 'chr' "
        "prefix: give --chr-prefix add to read 1 as chr1 and MT as chrM, or --allow-empty to "
        "leave the track empty on purpose\n")
    assert file_hashes(archive) == before
    # the fix the message suggests
    assert run(capsys, "load-data", "--chr-prefix", "add", archive, "new", signal)[0] == 0
    assert run(capsys, "close-data", archive)[0] == 0
    with Genome(archive) as genome:
        np.testing.assert_array_equal(genome["chr1"][272:275, "new"], [10.5] * 3)
        assert genome.num_datapoints.tolist() == [16000, 45922, 45922]


def test_load_with_names_without_chr_creates_nothing(tmp_path, capsys):
    signal = without_chr(tmp_path)
    target = tmp_path / "new.genomedata"
    status, err = run(capsys, "load", "-s", FASTA[0], "-t", f"dnase={signal}", target)
    assert status == 1
    assert err == (
        f"genomedata load: error: none of the chromosomes of {signal} is in {target}: the "
        "input has 2 (1, 2), the archive 1 (chr1); the names differ by the 'chr' prefix: give "
        "--chr-prefix add to read 1 as chr1 and MT as chrM, or --allow-empty to leave the "
        "track empty on purpose\n")
    assert sorted(os.listdir(tmp_path)) == ["nochr.bedGraph"]


def test_input_named_chr1_for_an_archive_named_1(tmp_path, capsys):
    sizes = write(tmp_path / "ensembl.sizes", "1\t60000\nMT\t16569\n")
    archive = tmp_path / "ensembl.genomedata"
    status, err = run(capsys, "load", "--sizes", "-s", sizes, "-t", f"dnase={DNASE}", archive)
    assert status == 1
    assert err.endswith("the names differ by the 'chr' prefix: give --chr-prefix remove to "
                        "read chr1 as 1 and chrM as MT, or --allow-empty to leave the track "
                        "empty on purpose\n")
    assert not archive.exists()
    status, err = run(capsys, "load", "--sizes", "-s", sizes, "-t", f"dnase={DNASE}",
                      "--chr-prefix", "remove", archive)
    assert status == 0
    # chr2 is not in this archive: a warning with the count, the rest loads
    assert f"warning: {DNASE}: 129 data lines on 1 chromosome that {archive} does not have " \
           "were skipped: chr2\n" in err
    with Genome(archive) as genome:
        assert genome.num_datapoints.tolist() == [25993]


def test_input_for_another_assembly(archive, tmp_path, capsys):
    signal = write(tmp_path / "scaffolds.bedGraph",
                   "".join(f"scaffold_{i}\t0\t10\t1.5\n" for i in range(12)))
    before = file_hashes(archive)
    status, err = run(capsys, "load-data", archive, "dnase", signal)
    assert status == 1
    assert err == (
        f"genomedata load-data: error: none of the chromosomes of {signal} is in {archive}: "
        "the input has 12 (scaffold_0, scaffold_1, scaffold_2, scaffold_3, scaffold_4, "
        "scaffold_5, scaffold_6, scaffold_7 and 4 more), the archive 2 (chr1, chr2); was "
        f"{signal} made for another genome assembly? (--allow-empty leaves the track empty on "
        "purpose)\n")
    assert file_hashes(archive) == before


@pytest.mark.parametrize("text", ["", "track type=bedGraph name=x\n# no data\n\n"])
def test_input_without_values(archive, tmp_path, capsys, text):
    signal = write(tmp_path / "empty.bedGraph", text)
    run(capsys, "open-data", archive, "--tracknames", "new")
    before = file_hashes(archive)
    status, err = run(capsys, "load-data", archive, "new", signal)
    assert status == 1
    assert err == (f"genomedata load-data: error: {signal} has no data (it is empty, or holds "
                   "only header or comment lines): nothing to load into track 'new'; check "
                   "the file, or give --allow-empty to leave the track empty on purpose\n")
    assert file_hashes(archive) == before
    # on purpose: the track stays empty, the archive as it was
    assert run(capsys, "load-data", "--allow-empty", archive, "new", signal)[0] == 0
    assert file_hashes(archive) == before
    target = tmp_path / "built.genomedata"
    status, err = run(capsys, "load", "-s", FASTA[0], "-t", f"new={signal}", target)
    assert status == 1 and "has no data" in err and not target.exists()


def test_some_lines_on_other_chromosomes_are_a_warning(archive, tmp_path, capsys):
    signal = write(tmp_path / "extra.bedGraph", open(DNASE).read()
                   + "chrUn_1\t0\t10\t1\nchrUn_1\t10\t20\t1\nchr9\t5\t6\t2\n")
    run(capsys, "open-data", archive, "--tracknames", "new")
    status, err = run(capsys, "load-data", archive, "new", signal)
    assert status == 0
    assert f"warning: {signal}: 3 data lines on 2 chromosomes that {archive} does not have " \
           "were skipped: chrUn_1, chr9\n" in err
    run(capsys, "close-data", archive)
    with Genome(archive) as genome:
        assert genome.num_datapoints.tolist() == [16000, 45922, 45922]


# ------------------------------------------------------------------------------------------------
# names

def test_unknown_chromosome_or_track_lists_the_names(archive, tmp_path, capsys):
    before = file_hashes(archive)
    tracks = f"({archive} has 2 continuous tracks: conservation, dnase)"
    chromosomes = f"({archive} has 2 chromosomes: chr1, chr2)"
    for command, message in [
            (["query", archive, "dnase", "1", "0", "5"],
             f"Could not find chromosome: 1 {chromosomes}"),
            (["export", "--chrom", "chrX", archive, "dnase", tmp_path / "x.bedGraph"],
             f"Could not find chromosome: chrX {chromosomes}"),
            (["query", archive, "DNase", "chr1", "0", "5"],
             f"Could not find continuous track: DNase {tracks}"),
            (["histogram", archive, "mappability"],
             f"Could not find continuous track: mappability {tracks}"),
            (["export", archive, "phyloP", tmp_path / "x.bw"],
             f"Could not find continuous track: phyloP {tracks}"),
            (["erase-data", archive, "--trackname", "dnase2"],
             f"Could not find continuous track: dnase2 {tracks}"),
            (["hardmask", os.path.join(EXAMPLES, "peaks.bed"), archive, "-t", "dnase2"],
             f"Could not find continuous track: dnase2 {tracks}"),
            (["load-data", archive, "dnase2", DNASE],
             f"Could not find continuous track: dnase2 {tracks}; add it with 'genomedata "
             f"open-data {archive} --trackname dnase2' first")]:
        status, err = run(capsys, *command)
        assert (status, err) == (1, f"genomedata {command[0]}: error: {message}\n"), command
    assert file_hashes(archive) == before
    assert sorted(os.listdir(tmp_path)) == ["example.genomedata"]


def test_many_names_are_cut_to_the_first_few(tmp_path, capsys):
    sizes = write(tmp_path / "g.sizes", "".join(f"chr{i}\t100\n" for i in range(1, 26)))
    archive = tmp_path / "g.genomedata"
    assert run(capsys, "load-seq", "--sizes", archive, sizes)[0] == 0
    run(capsys, "close-data", archive)
    with Genome(archive) as genome, pytest.raises(KeyError) as info:
        genome["1"]
    assert str(info.value) == (f"Could not find chromosome: 1 ({archive} has 25 chromosomes: "
                               "chr1, chr10, chr11, chr12, chr13, chr14, chr15, chr16 and 17 "
                               "more)")


# ------------------------------------------------------------------------------------------------
# writing

def test_load_data_over_values_warns(archive, tmp_path, capsys):
    extra = write(tmp_path / "extra.bedGraph", "chr1\t0\t100\t7\n")
    status, err = run(capsys, "load-data", archive, "dnase", extra)
    assert status == 0
    assert err.startswith(
        f"warning: track 'dnase' of {archive} already holds values: the values of {extra} "
        "are written over them where it has data, and the old values stay everywhere else; "
        f"to replace the track, run 'genomedata erase-data {archive} --trackname dnase' "
        "before load-data\n")
    run(capsys, "close-data", archive)
    with Genome(archive) as genome:
        np.testing.assert_array_equal(genome["chr1"][98:101, "dnase"], [7, 7, np.nan])
        np.testing.assert_array_equal(genome["chr1"][272:274, "dnase"], [10.5, 10.5])
    # into a new track: no warning
    run(capsys, "open-data", archive, "--tracknames", "fresh")
    status, err = run(capsys, "load-data", archive, "fresh", extra)
    assert status == 0 and "warning" not in err


def test_load_into_a_folder_that_does_not_exist(tmp_path, capsys):
    target = tmp_path / "results" / "dnase.genomedata"
    for argv in (["load", "-s", FASTA[0], "-t", f"dnase={DNASE}", target],
                 ["load-seq", target, FASTA[0]]):
        status, err = run(capsys, *argv)
        assert (status, err) == (1, f"genomedata {argv[0]}: error: cannot create {target}: "
                                    f"the folder {target.parent} does not exist; create it "
                                    "first\n")
    assert os.listdir(tmp_path) == []
# ------------------------------------------------------------------------------------------------
# many chromosomes

def test_many_unknown_chromosomes_are_counted_without_a_lookup_each(archive, tmp_path,
                                                                    monkeypatch):
    """Lines on 50,000 chromosomes the archive lacks are counted from the parser's tables:
    the archive is not asked about each name (that took 21 s for 200,000 lines)."""
    from genomedata.archive import files as _files
    from genomedata._load_data import load_data
    signal = write(tmp_path / "scaffolds.bedGraph", open(DNASE).read() + "".join(
        f"scaffold_{i}\t0\t10\t1\nscaffold_{i}\t20\t30\t2\n" for i in range(50_000)))
    run_open = main(["open-data", "-q", str(archive), "--tracknames", "new"])
    assert run_open == 0
    asked = []
    has_chromosome = _files.ArchiveFiles.has_chromosome
    monkeypatch.setattr(_files.ArchiveFiles, "has_chromosome",
                        lambda self, chrom: asked.append(chrom) or has_chromosome(self, chrom))
    summary = load_data(str(archive), "new", str(signal))
    assert len(asked) < 10
    assert len(summary.unknown_chromosomes) == 50_000
    assert summary.lines_skipped == 100_000
    assert summary.unknown_chromosomes["scaffold_49999"] == 2
    assert summary.bases == 45922
