"""Hostile and damaged archives: every command answers with one clear sentence naming the
object and what is wrong -- never a traceback, never Python's own words ("'<' not supported
between 'NoneType' and 'int'", "tuple index out of range", an ``IsalError``) -- and never reads
or writes outside the archive's own files, hangs, or allocates without bound.

Each archive is a small clean one broken with h5py in one way: missing or NaN coordinates,
0-d and 1-D track data, non-ASCII track names, a dataset where a group belongs and the other
way round, overlapping supercontigs, a string ``dirty`` flag, HDF5 external storage, virtual
datasets and external links, a declared shape of 2**40 rows, a chunk that inflates to far more
than a chunk (a "decompression bomb"), a corrupt chunk; a FIFO named like a chromosome file.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zlib
from pathlib import Path

import h5py
import numpy as np
import pytest

from genomedata.archive import layout as _layout
from genomedata._close_data import close_data
from genomedata.ops.validate import validate
from conftest import build_archive, file_hashes, run_cli as cli

SUPERCONTIGS = {"chr1": [(0, 60), (100, 150)], "chr2": [(0, 40)]}
ENDS = {"chr1": 150, "chr2": 40}
INTERNALS = ("Traceback", "NoneType", "tuple index", "IsalError", "object has no attribute",
             "not supported between", "invalid literal", "cannot convert float",
             "unhashable", "KeyError", "object is not", "Unable to synchronously")


def _clean(path, kind="file"):
    rng = np.random.default_rng(7)
    values = {chrom: rng.normal(size=(end, 2)).astype(np.float32)
              for chrom, end in ENDS.items()}
    build_archive(path, SUPERCONTIGS, kind=kind, tracknames=["a", "b"], values=values,
                  ends=ENDS, closed=False, chunk_rows=16)
    close_data(str(path))
    return path


def _replace_continuous(group, make):
    del group[_layout.CONTINUOUS]
    make(group)


def _breakers(tmp_path):
    """{case: (function(h5py root, tmp_path), words a message about it contains)}."""
    def no_start(root):
        del root["chr1/supercontig_0"].attrs["start"]

    def nan_start(root):
        root["chr1/supercontig_0"].attrs["start"] = np.float64("nan")

    def zero_d(root):
        _replace_continuous(root["chr1/supercontig_0"],
                            lambda g: g.create_dataset(_layout.CONTINUOUS, data=np.float32(1)))

    def non_ascii_tracknames(root):
        del root.attrs[_layout.ATTR_TRACKNAMES]
        root.attrs.create(_layout.ATTR_TRACKNAMES, np.array([b"a", b"\xe9t\xe9"], dtype="S32"))

    def dataset_at_root(root):
        root["notes"] = np.arange(3)

    def group_for_dataset(root):
        _replace_continuous(root["chr1/supercontig_0"],
                            lambda g: g.create_group(_layout.CONTINUOUS))

    def one_d(root):
        _replace_continuous(root["chr1/supercontig_0"],
                            lambda g: g.create_dataset(_layout.CONTINUOUS,
                                                       data=np.ones(60, np.float32)))

    def overlapping(root):
        root["chr1/supercontig_1"].attrs["start"] = np.uint32(50)
        _replace_continuous(root["chr1/supercontig_1"],
                            lambda g: g.create_dataset(_layout.CONTINUOUS,
                                                       data=np.ones((100, 2), np.float32),
                                                       chunks=(16, 1), maxshape=(100, None)))

    def string_dirty(root):
        del root["chr1"].attrs["dirty"]
        root["chr1"].attrs["dirty"] = "no"

    def external_storage(root):
        victim = tmp_path / "victim.bin"
        victim.write_bytes(bytes(range(256)) * 2)   # 60 x 2 float32 = 480 bytes used
        _replace_continuous(root["chr1/supercontig_0"],
                            lambda g: g.create_dataset(_layout.CONTINUOUS, (60, 2), np.float32,
                                                       external=[(str(victim), 0, 480)]))

    def virtual(root):
        source = tmp_path / "source.h5"
        with h5py.File(source, "w") as handle:
            handle["x"] = np.ones((60, 2), np.float32)
        layout = h5py.VirtualLayout(shape=(60, 2), dtype=np.float32)
        layout[:] = h5py.VirtualSource(str(source), "x", shape=(60, 2))
        _replace_continuous(root["chr1/supercontig_0"],
                            lambda g: g.create_virtual_dataset(_layout.CONTINUOUS, layout))

    def external_link(root):
        other = tmp_path / "other.h5"
        with h5py.File(other, "w") as handle:
            sc = handle.create_group("sc")
            sc.attrs["start"] = np.uint32(0)
            sc.attrs["end"] = np.uint32(60)
            sc["continuous"] = np.ones((60, 2), np.float32)
        del root["chr1/supercontig_0"]
        root["chr1/supercontig_0"] = h5py.ExternalLink(str(other), "/sc")

    def huge_shape(root):
        _replace_continuous(root["chr1/supercontig_0"],
                            lambda g: g.create_dataset(_layout.CONTINUOUS, (2 ** 40, 2),
                                                       np.float32, chunks=(16, 1),
                                                       maxshape=(2 ** 40, None)))

    def bomb(root):
        dataset = root["chr1/supercontig_0"][_layout.CONTINUOUS]
        dataset.id.write_direct_chunk((0, 1), zlib.compress(bytes(64 * 2 ** 20), 9), 0)

    def corrupt_chunk(root):
        dataset = root["chr1/supercontig_0"][_layout.CONTINUOUS]
        dataset.id.write_direct_chunk((16, 0), b"\x78\x01not deflate at all", 0)

    return {
        "no_start": (no_start, ("supercontig_0", "'start'")),
        "nan_start": (nan_start, ("supercontig_0", "'start'", "nan")),
        "zero_d": (zero_d, ("supercontig_0/continuous", "shape ()")),
        "non_ascii_tracknames": (non_ascii_tracknames, ("track names", "not ASCII")),
        "dataset_at_root": (dataset_at_root, ("/notes", "chromosome group")),
        "group_for_dataset": (group_for_dataset, ("supercontig_0/continuous", "group")),
        "one_d": (one_d, ("supercontig_0/continuous", "(60,)")),
        "overlapping": (overlapping, ("supercontig_0", "supercontig_1", "overlap")),
        "string_dirty": (string_dirty, ("'dirty'", "/chr1")),
        "external_storage": (external_storage, ("supercontig_0/continuous", "external file")),
        "virtual": (virtual, ("supercontig_0/continuous", "virtual dataset")),
        "external_link": (external_link, ("supercontig_0", "external link")),
        "huge_shape": (huge_shape, ("supercontig_0/continuous", "1099511627776 rows")),
        "bomb": (bomb, ("row 0, column 1", "supercontig_0/continuous", "inflates to more")),
        "corrupt_chunk": (corrupt_chunk, ("row 16, column 0", "supercontig_0/continuous",
                                          "corrupt")),
    }


def _commands(path, tmp_path):
    mask = tmp_path / "mask.bed"
    mask.write_text("chr1\t0\t150\nchr2\t0\t40\n")
    signal = tmp_path / "signal.bg"
    signal.write_text("chr1\t0\t150\t2.5\nchr2\t0\t40\t1\n")
    return [["info", "tracknames", path], ["info", "contigs", path], ["info", "sizes", path],
            ["query", path, "a", "chr1", "0", "150"], ["histogram", path, "a"],
            ["report", path], ["export", path, "a", str(tmp_path / "out.bedGraph")],
            ["close-data", path], ["hardmask", str(mask), path],
            ["load-data", path, "b", str(signal)], ["erase-data", path, "--trackname", "a"],
            ["open-data", path, "--tracknames", "c"]]


CASES = sorted(_breakers(Path("/nonexistent")))


@pytest.mark.parametrize("case", CASES)
def test_hostile_archive(tmp_path, capsys, case):
    path = _clean(tmp_path / "archive.genomedata")
    breaker, words = _breakers(tmp_path)[case]
    with h5py.File(path, "r+") as handle:
        breaker(handle["/"])
    outside = {p: p.read_bytes() for p in tmp_path.iterdir() if p.suffix in (".bin", ".h5")}

    failures = []
    for argv in _commands(str(path), tmp_path):
        status = cli(*argv)
        err = capsys.readouterr().err
        assert status in (0, 1), (argv, status, err)
        if status:
            assert err.count("\n") == 1 and err.startswith(f"genomedata {argv[0]}: error: "), \
                (argv, err)
            assert not any(word in err for word in INTERNALS), (argv, err)
            failures.append(err)
    # reading every value meets the problem: somewhere it is named in one sentence
    assert any(all(word in err for word in words) for err in failures), failures
    # nothing outside the archive's file was read into it or written
    assert {p: p.read_bytes() for p in outside} == outside

    status = cli("validate", str(path))
    out = capsys.readouterr()
    assert status == 1 and "Traceback" not in out.err
    assert out.out.startswith("error: ")


@pytest.mark.parametrize("case", ["external_storage", "virtual", "external_link"])
def test_validate_explains_data_outside_the_archive(tmp_path, case):
    path = _clean(tmp_path / "archive.genomedata")
    breaker, _ = _breakers(tmp_path)[case]
    with h5py.File(path, "r+") as handle:
        breaker(handle["/"])
    before = file_hashes(path)
    text = "\n".join(str(finding) for finding in validate(path))
    assert {"external_storage": "stores its data in the external file",
            "virtual": "is a virtual dataset",
            "external_link": "which is an external link to"}[case] in text, text
    assert "genomedata refuses to read or write" in text
    assert file_hashes(path) == before


def test_writers_never_write_into_external_storage(tmp_path, capsys):
    """erase-data, hardmask and load-data on a ``continuous`` whose data lie in another file
    (HDF5 external storage): refused before anything is written, the other file intact."""
    path = _clean(tmp_path / "archive.genomedata")
    breaker, _ = _breakers(tmp_path)["external_storage"]
    with h5py.File(path, "r+") as handle:
        breaker(handle["/"])
    victim = tmp_path / "victim.bin"
    before = victim.read_bytes()
    archive = file_hashes(path)
    for argv in _commands(str(path), tmp_path)[7:]:
        assert cli(*argv) == 1, argv
        assert "external file" in capsys.readouterr().err
    assert victim.read_bytes() == before and file_hashes(path) == archive


def test_fifo_named_like_a_chromosome_file(tmp_path):
    """A FIFO (or another non-regular file) named like a chromosome file makes readers fail at
    once instead of waiting forever for a writer."""
    path = _clean(tmp_path / "archive", kind="directory")
    os.mkfifo(path / "chr3.genomedata")
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    for argv in (["info", "contigs", str(path)], ["query", str(path), "a", "chr1", "0", "5"],
                 ["validate", str(path)]):
        done = subprocess.run([sys.executable, "-m", "genomedata", *argv], env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 1, (argv, done)
        assert "chr3.genomedata is a FIFO" in done.stdout + done.stderr
        assert "Traceback" not in done.stderr


def test_sparse_layout_refused_before_a_huge_buffer(tmp_path, capsys):
    """A legal AGP line at 2**32 - 1 gives a chromosome whose one supercontig lies 4 Gbp from
    0; loading data into it would fill a 16 GiB buffer: refused with a message instead."""
    from genomedata._load_seq import load_seq
    from genomedata._open_data import open_data

    agp = tmp_path / "far.agp"
    agp.write_text("chrF\t4294967000\t4294967295\t1\tW\tA1\t1\t296\t+\n"
                   "chrN\t1\t100\t1\tW\tA2\t1\t100\t+\n")
    path = tmp_path / "far.genomedata"
    load_seq(str(path), [str(agp)], True, "file", seqfile_type="agp")
    open_data(str(path), ["t"])
    signal = tmp_path / "s.bg"
    signal.write_text("chrF\t4294967100\t4294967200\t1\nchrN\t0\t10\t2\n")
    before = file_hashes(path)
    assert cli("load-data", str(path), "t", str(signal)) == 1
    err = capsys.readouterr().err
    assert "chromosome chrF: its supercontigs cover only 296 of the 4294967295 bases" in err
    assert file_hashes(path) == before
