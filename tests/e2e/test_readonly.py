"""Read-only means read-only: reading an archive never changes a byte or a time stamp.

Every reader -- the Python API (open, iterate, values, sequence, statistics, binned summaries)
and every reading command (info, query, export, validate, histogram, report) -- leaves every
file of the archive (and the directory around it: no journal, no lock file) exactly as it was:
same bytes, same modification time.  Also for dirty archives (reading is refused, nothing
changes), for archives written by genomedata 1.7.4 (ref-data v0 and v1), and without HDF5
file locking (``locking=False``, ``HDF5_USE_FILE_LOCKING=FALSE``).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest

from genomedata import Genome
from genomedata.archive import journal as _journal
from genomedata.api.chromosome import Chromosome
from genomedata._close_data import close_data
from genomedata._util import OverlapWarning
from genomedata.commands.main import main
from genomedata.errors import ArchiveInterruptedError, ArchiveLockedError

REPO = Path(__file__).resolve().parents[2]

SUPERCONTIGS = {"chr1": [(0, 30_000), (40_000, 52_000)], "chr2": [(100, 9_000)]}
ENDS = {"chr1": 52_000, "chr2": 9_000}


def _values(seed=0):
    rng = np.random.default_rng(seed)
    out = {}
    for chrom, end in ENDS.items():
        values = rng.normal(size=(end, 2)).astype(np.float32)
        values[rng.random(end) < 0.3, 0] = np.nan
        out[chrom] = values
    return out


def _seq():
    rng = np.random.default_rng(5)
    return {chrom: "".join(rng.choice(list("ACGTN"), size=end)) for chrom, end in ENDS.items()}


def _state(root: Path) -> dict:
    """{relative path: (sha256, mtime_ns, size)} of every file and directory under ``root``
    (hidden ones included)."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            st = path.stat()
            digest = (hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file()
                      else None)
            out[str(path.relative_to(root))] = (digest, st.st_mtime_ns, st.st_size)
    st = root.stat()
    out["."] = (None, st.st_mtime_ns, None)
    return out


@pytest.fixture(params=["file", "directory"])
def closed_archive(tmp_path, request):
    """A closed archive, alone in its own directory (so that its neighbours are watched)."""
    home = tmp_path / "home"
    home.mkdir()
    from conftest import build_archive
    build_archive(home / "archive.genomedata", SUPERCONTIGS, kind=request.param,
                  tracknames=["dnase", "cons"], values=_values(), seq=_seq(), ends=ENDS,
                  closed=False)
    close_data(str(home / "archive.genomedata"))
    return home, home / "archive.genomedata"


def _read_everything(path, **kwargs):
    """Everything a reader may ask for, through the API."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OverlapWarning)
        return _read_all(path, **kwargs)


def _read_all(path, **kwargs):
    with Genome(str(path), **kwargs) as genome:
        names = genome.tracknames_continuous
        assert genome.num_tracks_continuous == len(names)
        for chromosome in genome:
            chromosome[0:chromosome.end]
            chromosome[0:chromosome.end, names[0]]
            for supercontig in chromosome:
                supercontig.start, supercontig.end
            chromosome.supercontigs[0:chromosome.end]
            chromosome.mins, chromosome.maxs, chromosome.sums, chromosome.num_datapoints
            try:
                chromosome.seq[0:min(chromosome.end, 1000)]
            except LookupError:
                pass
            chromosome.attrs.dirty
            if names:
                chromosome.binned(0, chromosome.end, 10)
        genome.format_version
        if names:
            genome.mins, genome.maxs, genome.means, genome.vars, genome.num_datapoints
        return names


def test_api_reads_change_nothing(closed_archive):
    home, path = closed_archive
    before = _state(home)
    assert _read_everything(path) == ["dnase", "cons"]
    _read_everything(path, locking=False)
    with Genome(str(path)) as genome, warnings.catch_warnings():
        warnings.simplefilter("ignore", OverlapWarning)
        values = genome["chr1"][0:ENDS["chr1"]]
    expected = _values()["chr1"].copy()
    expected[30_000:40_000] = np.nan
    np.testing.assert_array_equal(values, expected)
    assert _state(home) == before


READ_COMMANDS = [
    ["info", "tracknames", "{a}"],
    ["info", "contigs", "{a}"],
    ["info", "sizes", "{a}"],
    ["query", "{a}", "dnase", "chr1", "29990", "40010"],
    ["export", "{a}", "cons", "{out}/cons.bedGraph"],
    ["export", "{a}", "dnase", "{out}/dnase.bw", "--region", "chr1:0-1000"],
    ["validate", "{a}"],
    ["histogram", "{a}", "dnase", "--bins", "7"],
    ["report", "{a}"],
    ["plot", "{a}", "chr1", "-o", "{out}/chr1.png"],
    ["profile", "{a}", "{data}/peaks.bed", "--around", "500", "--bins", "10", "-o",
     "{out}/peaks.png"],
]


@pytest.mark.parametrize("command", READ_COMMANDS, ids=lambda c: "-".join(c[:2]))
def test_reading_commands_change_nothing(closed_archive, tmp_path, capsys, command):
    home, path = closed_archive
    out = tmp_path / "out"
    out.mkdir()
    before = _state(home)
    if command[0] in ("plot", "profile"):
        pytest.importorskip("matplotlib")
    data = Path(__file__).resolve().parents[2] / "examples" / "data"
    args = [arg.format(a=path, out=out, data=data) for arg in command]
    assert main(args) == 0, capsys.readouterr().err
    assert _state(home) == before


@pytest.fixture(params=["file", "directory"])
def dirty_archive(tmp_path, request):
    home = tmp_path / "home"
    home.mkdir()
    from conftest import build_archive
    build_archive(home / "archive.genomedata", SUPERCONTIGS, kind=request.param,
                  tracknames=["dnase", "cons"], values=_values(), ends=ENDS, closed=False)
    return home, home / "archive.genomedata"


def test_dirty_archive_refused_and_unchanged(dirty_archive, capsys):
    home, path = dirty_archive
    before = _state(home)
    with pytest.raises(Chromosome.ChromosomeDirtyError):
        _read_everything(path)
    message = (f"{path} was modified after close-data (chromosome chr1), so its statistics "
               f"are out of date; run 'genomedata close-data {path}' first\n")
    for command in (["query", str(path), "dnase", "chr1", "0", "10"],
                    ["histogram", str(path), "dnase"],
                    ["export", str(path), "dnase", str(home / "dnase.bedGraph")],
                    ["report", str(path)]):
        assert main(command) == 1
        assert capsys.readouterr().err == f"genomedata {command[0]}: error: {message}"
    assert not (home / "dnase.bedGraph").exists()
    # info reads names and coordinates only, which close-data does not change
    assert main(["info", "sizes", str(path)]) == 0
    assert capsys.readouterr().err == f"warning: {message}"
    assert main(["validate", str(path)]) == 1    # reports the dirty chromosomes
    assert f"error: {message}" in capsys.readouterr().out
    assert _state(home) == before


@pytest.mark.parametrize("version", ["v0", "v1"])
def test_old_archives_unchanged(refdata, tmp_path, capsys, version):
    home = tmp_path / "home"
    home.mkdir()
    path = home / f"{version}.genomedata"
    shutil.copy2(refdata / f"{version}.genomedata", path)
    os.chmod(path, 0o644)   # writable, so that nothing but our care keeps it unchanged
    before = _state(home)
    assert _read_everything(path) == ["placental", "primate", "vertebrate"]
    for command in (["info", "contigs", str(path)],
                    ["query", str(path), "primate", "chr1", "300", "310"],
                    ["export", str(path), "primate", str(tmp_path / "p.bedGraph")],
                    ["validate", str(path)]):
        main(command)
    capsys.readouterr()
    assert _state(home) == before


def test_interrupted_archive_refused_and_unchanged(closed_archive, capsys):
    """A file with an unfinished write (its journal left by a killed writer): readers refuse
    it and leave it -- and the journal -- as they are; only a writer undoes it."""
    home, path = closed_archive
    target = path if path.is_file() else path / "chr1.genomedata"
    transaction = _journal.Transaction()
    handle = _journal.JournaledFile(str(target), transaction)
    handle.seek(0)
    handle.write(b"\x00" * 64)
    transaction.files.clear()
    handle.release()     # killed: neither committed nor undone
    before = _state(home)
    with pytest.raises(ArchiveInterruptedError):
        _read_everything(path)
    with pytest.raises(ArchiveInterruptedError):
        _read_everything(path, locking=False)
    assert main(["info", "tracknames", str(path)]) == 1
    assert capsys.readouterr().err.count("\n") == 1
    assert _state(home) == before


# ------------------------------------------------------------------------------------------------
# without file locking

_HOLD_WRITER = textwrap.dedent("""
    import sys, time, h5py
    handle = h5py.File(sys.argv[1], "r+")      # HDF5's exclusive lock, held
    print("holding", flush=True)
    sys.stdin.readline()
    handle.close()
""")


def _hold_exclusive(path):
    proc = subprocess.Popen([sys.executable, "-c", _HOLD_WRITER, str(path)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "holding"
    return proc


def _release(proc):
    proc.stdin.write("\n")
    proc.stdin.flush()
    proc.wait(timeout=60)


@pytest.fixture
def locked_archive(tmp_path):
    """A closed single-file archive held open for writing by another process."""
    home = tmp_path / "home"
    home.mkdir()
    from conftest import build_archive
    path = build_archive(home / "archive.genomedata", SUPERCONTIGS, kind="file",
                         tracknames=["dnase", "cons"], values=_values(), ends=ENDS,
                         closed=False)
    close_data(str(path))
    proc = _hold_exclusive(path)
    yield home, path
    _release(proc)


def test_locked_archive_refused_with_locking(locked_archive):
    _, path = locked_archive
    with pytest.raises(ArchiveLockedError, match="being written by another process"):
        Genome(str(path))


def test_locking_false_reads_a_locked_archive(locked_archive):
    home, path = locked_archive
    before = _state(home)
    assert _read_everything(path, locking=False) == ["dnase", "cons"]
    with Genome(str(path), locking=False) as genome:
        np.testing.assert_array_equal(genome["chr2"][100:9000, "cons"],
                                      _values()["chr2"][100:9000, 1])
    assert _state(home) == before


def test_environment_variable_turns_locking_off(locked_archive):
    home, path = locked_archive
    before = _state(home)
    code = ("import sys\nfrom genomedata import Genome\n"
            "with Genome(sys.argv[1]) as g:\n    print(float(g['chr2'][100, 'cons']))\n")
    env = dict(os.environ, PYTHONPATH=str(REPO))
    for value, ok in (("FALSE", True), (None, False)):
        if value is None:
            env.pop("HDF5_USE_FILE_LOCKING", None)
        else:
            env["HDF5_USE_FILE_LOCKING"] = value
        proc = subprocess.run([sys.executable, "-c", code, str(path)], env=env,
                              capture_output=True, text=True)
        assert (proc.returncode == 0) == ok, proc.stderr
        if ok:
            assert float(proc.stdout) == float(_values()["chr2"][100, 1])
        else:
            assert "being written by another process" in proc.stderr
    # the command line too
    env["HDF5_USE_FILE_LOCKING"] = "FALSE"
    proc = subprocess.run([sys.executable, "-m", "genomedata", "info", "tracknames", str(path)],
                          env=env, capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout == "['dnase', 'cons']\n"
    assert _state(home) == before
