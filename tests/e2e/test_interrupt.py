"""Ctrl-C: a command interrupted in the middle of its work exits with status 130, says so in
one line, and leaves the archive exactly as it was (file hashes compared).

The command runs as a child process; SIGINT (what Ctrl-C sends) is sent once the command is
known to be writing: ``--verbose`` prints a line per chromosome loaded, and the inputs have
several chromosomes, so the signal arrives with more of them still to go.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys

import numpy as np
import pytest

from conftest import file_hashes
from genomedata import Genome
from genomedata._close_data import close_data
from genomedata._load_data import load_data
from genomedata._load_seq import load_seq
from genomedata._open_data import open_data
from genomedata._util import GenomedataDirtyWarning

CHROMS = {f"chr{i}": 4_000_000 for i in range(1, 7)}
SPAN = 20


def _bedgraph(path, seed):
    rng = np.random.default_rng(seed)
    with open(path, "w") as out:
        for chrom, size in CHROMS.items():
            starts = np.arange(0, size, SPAN)
            values = np.round(rng.normal(size=len(starts)), 2)
            out.write("".join(f"{chrom}\t{s}\t{s + SPAN}\t{v:g}\n"
                              for s, v in zip(starts.tolist(), values.tolist())))
    return path


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    root = tmp_path_factory.mktemp("interrupt")
    sizes = root / "genome.sizes"
    sizes.write_text("".join(f"{chrom}\t{size}\n" for chrom, size in CHROMS.items()))
    return {"sizes": sizes, "old": _bedgraph(root / "old.bedGraph", 1),
            "new": _bedgraph(root / "new.bedGraph", 2), "root": root}


def _interrupt(args, marker: bytes, cwd):
    """Run ``genomedata ARGS -v``; send SIGINT when stderr shows ``marker``; returns
    (status, stderr)."""
    proc = subprocess.Popen([sys.executable, "-m", "genomedata", *map(str, args), "-v"],
                            cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if marker in line:
            proc.send_signal(signal.SIGINT)
            break
    rest = proc.stderr.read()
    status = proc.wait(timeout=300)
    return status, (b"".join(seen) + rest).decode()


@pytest.fixture(scope="module", params=["file", "directory"])
def base(inputs, request):
    """An archive (file or directory) with track ``old`` loaded and an empty track ``new``,
    closed."""
    kind = request.param
    archive = inputs["root"] / f"base-{kind}.genomedata"
    load_seq(str(archive), [str(inputs["sizes"])], True, "file" if kind == "file" else "dir",
             seqfile_type="sizes")
    open_data(str(archive), ["old", "new"])
    load_data(str(archive), "old", str(inputs["old"]))
    close_data(str(archive))
    return archive


def _copy(archive, target):
    if archive.is_dir():
        shutil.copytree(archive, target)
    else:
        shutil.copyfile(archive, target)
    return target


@pytest.mark.parametrize("command, marker", [
    (["load-data", "{archive}", "new", "{new}"], b" chr1: "),
    (["erase-data", "{archive}", "--trackname", "old"], b" erased chr1"),
    (["close-data", "{archive}"], b"writing metadata for chr2"),
])
def test_ctrl_c_leaves_the_archive_as_it_was(inputs, base, tmp_path, command, marker):
    archive = _copy(base, tmp_path / "archive.genomedata")
    if command[0] == "close-data":
        with pytest.warns(GenomedataDirtyWarning), Genome(archive, "r+") as genome:
            genome["chr1"][0:10, "new"] = 1.0    # something for close-data to do
    before = file_hashes(archive)
    args = [word.format(archive=archive, new=inputs["new"]) for word in command]

    status, err = _interrupt(args, marker, tmp_path)
    assert status == 130, err
    assert err.splitlines()[-1] == f"genomedata {command[0]}: interrupted (nothing was changed)"
    assert "Traceback" not in err and "Exception ignored" not in err, err
    assert file_hashes(archive) == before
    assert sorted(os.listdir(tmp_path)) == ["archive.genomedata"]   # no journal left


def test_ctrl_c_during_load_leaves_no_archive_and_keeps_the_old_one(inputs, tmp_path):
    archive = tmp_path / "built.genomedata"
    args = ["load", "--sizes", "-s", inputs["sizes"], "-t", f"old={inputs['old']}", archive]
    # interrupted while building a new archive: nothing is left behind
    status, err = _interrupt(args, b" chr1: ", tmp_path)
    assert status == 130, err
    assert err.splitlines()[-1] == "genomedata load: interrupted (nothing was changed)"
    assert os.listdir(tmp_path) == []
    # interrupted while replacing one (--overwrite): the old archive stays as it was
    load_seq(str(archive), [str(inputs["sizes"])], True, "file", seqfile_type="sizes")
    close_data(str(archive))
    before = file_hashes(archive)
    status, err = _interrupt(args + ["--overwrite"], b" chr1: ", tmp_path)
    assert status == 130, err
    assert file_hashes(archive) == before
    assert os.listdir(tmp_path) == ["built.genomedata"]
