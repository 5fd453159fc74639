"""Several processes on one archive: many readers at once, and readers and writers that meet.

* 8 reader processes (multiprocessing, spawn) reading one archive at once all get the right
  values;
* while a process writes an archive, another writer, or a reader, is refused with one clear
  sentence (HDF5 file locking: "... is being written by another process ...") instead of
  reading half-written data -- through the API and the command line -- and nothing changes;
* a writer is refused while a reader has the archive open.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest

from genomedata import Genome
from genomedata._close_data import close_data
from genomedata._load_data import load_data
from genomedata._open_data import open_data
from genomedata._util import OverlapWarning
from genomedata.commands.main import main
from genomedata.errors import ArchiveLockedError

REPO = Path(__file__).resolve().parents[2]
SUPERCONTIGS = {"chr1": [(0, 200_000), (250_000, 300_000)], "chr2": [(0, 120_000)],
                "chrM": [(0, 16_569)]}
ENDS = {"chr1": 300_000, "chr2": 120_000, "chrM": 16_569}
TRACKS = ["a", "b", "c"]


def model() -> dict:
    """{chrom: float32 (end, ntracks)}: NaN outside supercontigs and in some runs."""
    rng = np.random.default_rng(11)
    out = {}
    for chrom, end in ENDS.items():
        values = rng.normal(size=(end, len(TRACKS))).astype(np.float32)
        values[rng.random(end) < 0.2] = np.nan
        inside = np.zeros(end, dtype=bool)
        for start, stop in SUPERCONTIGS[chrom]:
            inside[start:stop] = True
        values[~inside] = np.nan
        out[chrom] = values
    return out


@pytest.fixture(params=["file", "directory"])
def archive(tmp_path, request):
    from conftest import build_archive
    path = build_archive(tmp_path / "archive.genomedata", SUPERCONTIGS, kind=request.param,
                         tracknames=TRACKS, values=model(), ends=ENDS, closed=False)
    close_data(str(path))
    return path


def _fingerprint(path: Path) -> dict:
    files = sorted(path.iterdir()) if path.is_dir() else [path]
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


# ------------------------------------------------------------------------------------------------
# many readers

def _reader(args):
    """Read ``count`` random windows (and whole chromosomes) and compare with the model;
    returns (windows read, mismatches)."""
    path, seed, count = args
    expected = model()
    rng = np.random.default_rng(seed)
    mismatches = 0
    with Genome(path) as genome, warnings.catch_warnings():
        warnings.simplefilter("ignore", OverlapWarning)
        chroms = sorted(ENDS)
        for _ in range(count):
            chrom = chroms[rng.integers(len(chroms))]
            start = int(rng.integers(0, ENDS[chrom]))
            stop = min(ENDS[chrom], start + int(rng.integers(1, 20_000)))
            track = int(rng.integers(len(TRACKS)))
            got = genome[chrom][start:stop, TRACKS[track]]
            if not np.array_equal(got, expected[chrom][start:stop, track], equal_nan=True):
                mismatches += 1
        for chrom in chroms:
            if not np.array_equal(genome[chrom][0:ENDS[chrom]], expected[chrom],
                                  equal_nan=True):
                mismatches += 1
            if genome[chrom].num_datapoints.tolist() != \
                    np.isfinite(expected[chrom]).sum(axis=0).tolist():
                mismatches += 1
    return count, mismatches


def test_eight_readers_at_once(archive):
    before = _fingerprint(archive)
    context = multiprocessing.get_context("spawn")
    with context.Pool(8) as pool:
        results = pool.map(_reader, [(str(archive), seed, 150) for seed in range(8)])
    assert results == [(150, 0)] * 8
    assert _fingerprint(archive) == before


# ------------------------------------------------------------------------------------------------
# a writer meets others

_HOLD = textwrap.dedent("""
    import sys
    from genomedata import Genome
    genome = Genome(sys.argv[1], sys.argv[2])
    if sys.argv[2] != "r":
        genome["chr2"][0:10, "a"] = 5.0          # a write in progress
    print("holding", flush=True)
    sys.stdin.readline()
    genome.close()
""")


class Holder:
    """A process that has the archive open (``mode`` "r+": writing) until released."""

    def __init__(self, path, mode):
        env = dict(os.environ, PYTHONPATH=str(REPO))
        self.proc = subprocess.Popen([sys.executable, "-W", "ignore", "-c", _HOLD, str(path),
                                      mode], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     env=env, text=True)
        line = self.proc.stdout.readline().strip()
        assert line == "holding", line

    def release(self):
        self.proc.stdin.write("\n")
        self.proc.stdin.flush()
        assert self.proc.wait(timeout=60) == 0


@pytest.fixture
def held_for_writing(archive):
    holder = Holder(archive, "r+")
    yield archive
    holder.release()


def test_reader_refused_while_written(held_for_writing, capsys):
    path = held_for_writing
    with pytest.raises(ArchiveLockedError) as info:
        Genome(str(path))
    message = str(info.value)
    assert "is being written by another process (HDF5 file lock)" in message
    assert "try again when it finishes" in message and "locking=False" in message
    assert "\n" not in message
    for command in (["info", "tracknames", str(path)],
                    ["query", str(path), "a", "chr1", "0", "5"]):
        assert main(command) == 1
        err = capsys.readouterr().err
        assert err.startswith(f"genomedata {command[0]}: error: ") and err.count("\n") == 1
        assert "being written by another process" in err


def test_second_writer_refused_while_written(held_for_writing, tmp_path, capsys):
    path = held_for_writing
    signal = tmp_path / "a.bedGraph"
    signal.write_text("chr1\t0\t100\t1.5\n")
    with pytest.raises(ArchiveLockedError, match="another process"):
        load_data(str(path), "a", str(signal))
    with pytest.raises(ArchiveLockedError, match="another process"):
        open_data(str(path), ["d"])
    with pytest.raises(ArchiveLockedError, match="another process"):
        Genome(str(path), "r+")
    for command in (["load-data", str(path), "a", str(signal)],
                    ["close-data", str(path)],
                    ["open-data", str(path), "--tracknames", "d"]):
        assert main(command) == 1
        err = capsys.readouterr().err
        assert err.startswith(f"genomedata {command[0]}: error: ") and err.count("\n") == 1
        assert "another process (HDF5 file lock)" in err


def test_the_held_write_lands_intact(archive):
    """After the refused attempts the first writer finishes normally."""
    holder = Holder(archive, "r+")
    with pytest.raises(ArchiveLockedError):
        Genome(str(archive))
    holder.release()
    close_data(str(archive))
    expected = model()
    with Genome(str(archive)) as genome:
        np.testing.assert_array_equal(genome["chr2"][0:10, "a"], np.full(10, 5.0, np.float32))
        np.testing.assert_array_equal(genome["chr2"][10:ENDS["chr2"]],
                                      expected["chr2"][10:])


def test_writer_refused_while_read(archive, tmp_path, capsys):
    before = _fingerprint(archive)
    holder = Holder(archive, "r")
    try:
        signal = tmp_path / "a.bedGraph"
        signal.write_text("chr1\t0\t100\t1.5\n")
        with pytest.raises(ArchiveLockedError, match="is open in another process"):
            load_data(str(archive), "a", str(signal))
        assert main(["close-data", str(archive)]) == 1
        assert "open in another process" in capsys.readouterr().err
        # readers share the file
        with Genome(str(archive)) as genome:
            assert genome.tracknames_continuous == TRACKS
    finally:
        holder.release()
    assert _fingerprint(archive) == before


def _hammer(write, path, threads=8, rounds=200):
    """Every thread rewrites the same attributes of one group; returns the errors raised."""
    import threading

    import h5py

    errors = []
    with h5py.File(path, "w") as handle:
        group = handle.create_group("chr1")
        barrier = threading.Barrier(threads)

        def work(seed):
            barrier.wait()
            for step in range(rounds):
                try:
                    write(group, (seed + step) % 2 == 0)
                except Exception as error:   # noqa: BLE001 -- collected and reported
                    errors.append(error)
                    return

        workers = [threading.Thread(target=work, args=(seed,)) for seed in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        from genomedata.archive import layout as _layout
        assert _layout.read_dirty(group) in (True, False)
    return errors


def test_attribute_writes_from_many_threads(tmp_path):
    """Tracks load on concurrent threads and each marks a chromosome dirty: rewriting an
    attribute (delete, then create) must never meet another thread's rewrite half-way."""
    from genomedata.archive import layout as _layout

    def both(group, flag):
        _layout.write_dirty(group, flag)
        _layout.write_attr(group, "note", "x" * (3 if flag else 5))

    assert _hammer(both, tmp_path / "locked.h5") == []
