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
import shutil
import sys

import numpy as np
import pytest

from conftest import file_hashes
from genomedata import Genome
from genomedata.commands.main import main
from genomedata.load_genomedata import load_genomedata

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "examples", "data")
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
