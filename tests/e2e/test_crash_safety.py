"""Crash safety: commands killed with SIGKILL at random moments never lose earlier work.

Each test runs a command as a subprocess (``python -m genomedata ...``) on a copy of a small
archive, kills it at a random moment of its run (seeded), and then checks:

* a read-only open either works -- and then the archive is exactly as before the command or
  exactly as after it -- or is refused with a clear error (a write that did not finish, a
  dirty chromosome): never half-written data that reads as clean;
* opening for writing works (it undoes an unfinished write: the archive's files are then
  byte-for-byte what they were before the command);
* the track loaded by earlier, successful commands still holds its values;
* running the step again gives the correct result.

For ``hardmask`` and ``load-seq`` the stricter property holds: killed, the archive (or the
target path) is byte for byte what it was, or the finished result -- never a state between.

Then the journal itself: it undoes any sequence of writes, it is applied only to the file it
belongs to (not to a new archive at the same path, whatever the path it is opened by), and it
never writes through a symbolic link planted at its name.

``pytest -m fuzz tests/test_crash_safety.py`` kills many more times: more seeds, and an
archive with 100 times more chunks, where HDF5 writes metadata back in mid-write.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genomedata.archive import journal as _journal
from genomedata.archive import layout as _layout
from genomedata.archive import files as _files
from genomedata.api.chromosome import Chromosome
from genomedata._close_data import close_data
from genomedata.api.genome import Genome
from genomedata._hardmask import hardmask_data
from genomedata._load_data import load_data
from genomedata._load_seq import load_seq
from genomedata._open_data import open_data
from genomedata.errors import GenomedataError
from genomedata.load_genomedata import load_genomedata
from genomedata.errors import ArchiveInterruptedError

REPO = Path(__file__).resolve().parents[2]
SIZES = {"chrA": 900_000, "chrB": 500_000, "chrC": 700}
SPAN = 50                 # bases per bedGraph line
CHUNK_ROWS = 500          # small chunks: many HDF5 chunks and B-tree nodes to write
SEEDS = 5                 # kills per scenario in the default run
LONG_SEEDS = 40           # ... with -m fuzz


def _seeds(count=SEEDS, long=LONG_SEEDS):
    return [*range(count)] + [pytest.param(seed, marks=pytest.mark.fuzz)
                              for seed in range(count, count + long)]


# ------------------------------------------------------------------------------------------------
# inputs and their models

def _model(seed, sizes=SIZES, span=SPAN):
    """{chrom: float32 values} of a bedGraph covering every base with runs of ``span``."""
    rng = np.random.default_rng(seed)
    model = {}
    for chrom, size in sizes.items():
        runs = -(-size // span)
        values = np.round(rng.normal(size=runs), 3).astype(np.float32)
        model[chrom] = np.repeat(values, span)[:size]
    return model


def _write_bedgraph(path, model, span=SPAN):
    with open(path, "w") as out:
        for chrom, values in model.items():
            starts = np.arange(0, len(values), span)
            ends = np.minimum(starts + span, len(values))
            out.write("".join(f"{chrom}\t{s}\t{e}\t{v:g}\n"
                              for s, e, v in zip(starts, ends, values[starts].tolist())))
    return path


def _mask_regions():
    return {"chrA": [(1_000, 5_000), (300_000, 450_000)], "chrB": [(0, 120_000)],
            "chrC": [(10, 20)]}


def _masked(model):
    out = {chrom: values.copy() for chrom, values in model.items()}
    for chrom, regions in _mask_regions().items():
        for start, end in regions:
            out[chrom][start:end] = np.nan
    return out


@pytest.fixture(scope="module")
def workload(tmp_path_factory):
    """Inputs, models and two clean base archives (file and directory) holding track ``old``
    (model ``old``) and track ``new`` (model ``v1``)."""
    return _workload(tmp_path_factory.mktemp("crash"), SIZES, CHUNK_ROWS,
                     ("file", "directory"))


def _workload(root, chrom_sizes, chunk_rows, kinds):
    sizes = root / "genome.sizes"
    sizes.write_text("".join(f"{chrom}\t{size}\n" for chrom, size in chrom_sizes.items()))
    models = {name: _model(seed, chrom_sizes) for seed, name in enumerate(("old", "v1", "v2"))}
    inputs = {name: _write_bedgraph(root / f"{name}.bedGraph", model)
              for name, model in models.items()}
    mask = root / "mask.bed"
    mask.write_text("".join(f"{chrom}\t{s}\t{e}\n"
                            for chrom, regions in _mask_regions().items()
                            for s, e in regions))
    bases = {}
    for kind in kinds:
        base = root / f"base-{kind}.genomedata"
        load_seq(str(base), [str(sizes)], True, "file" if kind == "file" else "dir",
                 seqfile_type="sizes")
        open_data(str(base), ["old", "new"], chunk_size=chunk_rows)
        load_data(str(base), "old", str(inputs["old"]))
        load_data(str(base), "new", str(inputs["v1"]))
        close_data(str(base))
        bases[kind] = base
    return {"root": root, "sizes": sizes, "models": models, "inputs": inputs, "mask": mask,
            "bases": bases}


# ------------------------------------------------------------------------------------------------
# helpers

def _archive_files(path: Path):
    return sorted(path.glob("*" + _layout.SUFFIX)) if path.is_dir() else [path]


def _fingerprint(path: Path) -> dict:
    """sha256 of every HDF5 file of the archive."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in _archive_files(path)}


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in _archive_files(path) if p.exists())


def _columns(path: Path) -> dict:
    """{track: {chrom: values}} read through h5py, whatever the dirty flags say."""
    out = {}
    with _files.ArchiveFiles(str(path), "r") as files:
        names = files.tracknames()
        for chrom in files.chromosome_names():
            group = files.chromosome_group(chrom)
            end = _layout.read_int_attr(group, _layout.ATTR_END)
            values = np.full((end, len(names)), np.nan, dtype=np.float32)
            for sc in _layout.supercontig_groups(group):
                start, stop = _layout.supercontig_bounds(sc)
                values[start:stop] = sc[_layout.CONTINUOUS][...]
            for column, name in enumerate(names):
                out.setdefault(name, {})[chrom] = values[:, column]
    return out


def _same(values: dict, model: dict) -> bool:
    return values.keys() == model.keys() and all(
        np.array_equal(values[chrom], model[chrom], equal_nan=True) for chrom in model)


def _read_only_state(path: Path):
    """("ok", {track: {chrom: values}}) when the archive opens read-only and reads, else
    ("refused", message).  Only a clear refusal is acceptable."""
    try:
        with Genome(str(path)) as genome:
            out = {}
            for chromosome in genome:
                values = chromosome[0:chromosome.end]
                for column, name in enumerate(genome.tracknames_continuous):
                    out.setdefault(name, {})[chromosome.name] = values[:, column]
            genome.mins  # statistics read too
        return "ok", out
    except (ArchiveInterruptedError, Chromosome.ChromosomeDirtyError) as exc:
        assert len(str(exc).splitlines()) == 1
        return "refused", str(exc)


def _open_for_writing(path: Path) -> None:
    """What any writer does first: open every file (undoing an unfinished write), close."""
    with _files.ArchiveFiles(str(path), "r+") as files:
        files.roots()
    where = path if path.is_dir() else path.parent
    assert not [n for n in os.listdir(where) if n.endswith(_journal.JOURNAL_SUFFIX)]


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    return env


def _kill_during(args, seed, *, started=None, window=1.0, timeout=120):
    """Run ``genomedata ARGS``; once ``started()`` is true (or at once), wait a random part of
    ``window`` seconds and SIGKILL it.  Returns the exit status (-9 when killed)."""
    proc = subprocess.Popen([sys.executable, "-m", "genomedata", *args], env=_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + timeout
        while started is not None and proc.poll() is None and not started():
            if time.monotonic() > deadline:
                break
            time.sleep(0.002)
        time.sleep(random.Random(seed).uniform(0, window))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=timeout)
    finally:
        if proc.poll() is None:  # pragma: no cover - only if wait timed out
            proc.kill()
            proc.wait()
        proc.stderr.close()
    return proc.returncode


def _copy(base: Path, dest: Path) -> Path:
    if base.is_dir():
        shutil.copytree(base, dest)
    else:
        shutil.copy2(base, dest)
    return dest


# ------------------------------------------------------------------------------------------------
# load-data

@pytest.mark.parametrize("kind", ["file", "directory"])
@pytest.mark.parametrize("seed", _seeds())
def test_killed_load_data(workload, tmp_path, kind, seed):
    _kill_load_data(workload, tmp_path, kind, seed, window=0.8)


@pytest.fixture(scope="module")
def big_workload(tmp_path_factory):
    """Like ``workload`` with 100 times more chunks: HDF5 then writes B-tree nodes back in
    mid-write (without the undo journal, killing load-data here made the whole file unreadable
    in most runs: "addr overflow")."""
    return _workload(tmp_path_factory.mktemp("crash-big"), {"chrA": 1_600_000, "chrB": 800_000},
                     chunk_rows=50, kinds=("file",))


@pytest.mark.fuzz
@pytest.mark.parametrize("seed", range(12))
def test_killed_load_data_many_chunks(big_workload, tmp_path, seed):
    _kill_load_data(big_workload, tmp_path, "file", seed, window=12.0)


def _kill_load_data(workload, tmp_path, kind, seed, window):
    models = workload["models"]
    work = _copy(workload["bases"][kind], tmp_path / "work.genomedata")
    before = _fingerprint(work)
    size0 = _size(work)
    status = _kill_during(["load-data", "-q", str(work), "new", str(workload["inputs"]["v2"])],
                          seed, started=lambda: _size(work) > size0, window=window)

    state, read = _read_only_state(work)
    if state == "ok":
        # killed before it changed anything: exactly as before
        assert status != 0 and _fingerprint(work) == before
        assert _same(read["new"], models["v1"]) and _same(read["old"], models["old"])
    _open_for_writing(work)
    columns = _columns(work)
    assert _same(columns["old"], models["old"])
    if status == 0 or _fingerprint(work) != before:
        # finished (perhaps killed on its way out): all the new values are in, and the
        # archive says it needs close-data
        assert state == "refused" and _same(columns["new"], models["v2"])
    # else: an unfinished load-data was undone completely, byte for byte

    load_data(str(work), "new", str(workload["inputs"]["v2"]))
    close_data(str(work))
    state, read = _read_only_state(work)
    assert state == "ok"
    assert _same(read["new"], models["v2"]) and _same(read["old"], models["old"])


# ------------------------------------------------------------------------------------------------
# close-data

@pytest.fixture(scope="module")
def dirty_bases(workload):
    """The base archives with ``v2`` loaded into ``new`` and not closed (dirty)."""
    out = {}
    for kind, base in workload["bases"].items():
        dirty = _copy(base, workload["root"] / f"dirty-{kind}.genomedata")
        load_data(str(dirty), "new", str(workload["inputs"]["v2"]))
        out[kind] = dirty
    return out


@pytest.fixture(scope="module")
def close_data_seconds(dirty_bases, tmp_path_factory):
    """How long a whole close-data run takes here (kills are spread over it)."""
    work = _copy(dirty_bases["file"], tmp_path_factory.mktemp("calibrate") / "c.genomedata")
    began = time.monotonic()
    subprocess.run([sys.executable, "-m", "genomedata", "close-data", "-q", str(work)],
                   env=_env(), check=True, capture_output=True)
    return time.monotonic() - began


@pytest.mark.parametrize("kind", ["file", "directory"])
@pytest.mark.parametrize("seed", _seeds(3, 20))
def test_killed_close_data(workload, dirty_bases, close_data_seconds, tmp_path, kind, seed):
    models = workload["models"]
    work = _copy(dirty_bases[kind], tmp_path / "work.genomedata")
    before = _fingerprint(work)
    status = _kill_during(["close-data", "-q", str(work)], seed,
                          window=1.2 * close_data_seconds)

    state, read = _read_only_state(work)
    if state == "ok":
        # finished (perhaps killed on its way out)
        assert _same(read["new"], models["v2"]) and _same(read["old"], models["old"])
    else:
        # killed: still dirty as before, or its unfinished write is refused and undone
        assert status != 0
        _open_for_writing(work)
        assert _fingerprint(work) == before
    assert _same(_columns(work)["old"], models["old"])

    close_data(str(work))
    with Genome(str(work)) as genome:
        for chromosome in genome:
            expected = models["v2"][chromosome.name]
            assert chromosome.num_datapoints[1] == len(expected)
            np.testing.assert_allclose(chromosome.sums[1], expected.sum(dtype=np.float64),
                                       rtol=1e-9)
            assert chromosome.maxs[1] == expected.max()


# ------------------------------------------------------------------------------------------------
# load (one-shot build)

@pytest.mark.parametrize("mode", ["-f", "-d"])
@pytest.mark.parametrize("seed", _seeds(3, 20))
def test_killed_load(workload, tmp_path, mode, seed):
    models = workload["models"]
    out = tmp_path / "built.genomedata"
    args = ["load", "-q", "--sizes", "-s", str(workload["sizes"]), mode,
            "-t", f"old={workload['inputs']['old']}", "-t", f"new={workload['inputs']['v2']}",
            "--chunk-size", str(CHUNK_ROWS), str(out)]
    status = _kill_during(args, seed, window=1.5,
                          started=lambda: any(tmp_path.glob(".built.genomedata.partial*")))
    exists = os.path.lexists(out)
    if exists:
        # finished (perhaps killed on its way out): complete and correct
        state, read = _read_only_state(out)
        assert state == "ok" and _same(read["new"], models["v2"])
    else:
        # an interrupted build leaves no archive (a temporary sibling at most)
        assert status != 0
    load_genomedata(str(out), [("old", str(workload["inputs"]["old"])),
                               ("new", str(workload["inputs"]["v2"]))],
                    [str(workload["sizes"])], mode="file" if mode == "-f" else "dir",
                    seqfile_type="sizes", chunk_size=CHUNK_ROWS, overwrite=exists)
    state, read = _read_only_state(out)
    assert state == "ok"
    assert _same(read["new"], models["v2"]) and _same(read["old"], models["old"])


# ------------------------------------------------------------------------------------------------
# hardmask (masks and computes the statistics in one transaction)

@pytest.mark.parametrize("kind", ["file", "directory"])
@pytest.mark.parametrize("seed", _seeds(3, 20))
def test_killed_hardmask(workload, tmp_path, kind, seed):
    """Killed at any moment, hardmask leaves the archive byte for byte as it was, or finished:
    masked values with their statistics (clean) -- never masked values without them."""
    models = workload["models"]
    work = _copy(workload["bases"][kind], tmp_path / "work.genomedata")
    before = _fingerprint(work)
    where = work if work.is_dir() else work.parent
    status = _kill_during(["hardmask", "-q", str(workload["mask"]), str(work), "-t", "new"],
                          seed, window=0.8,
                          started=lambda: any(where.glob(".*" + _journal.JOURNAL_SUFFIX)))
    state, read = _read_only_state(work)
    if state == "ok" and _fingerprint(work) == before:
        assert status != 0 and _same(read["new"], models["v1"])
    _open_for_writing(work)
    if _fingerprint(work) != before:
        # finished (perhaps killed on its way out): masked and closed
        state, read = _read_only_state(work)
        assert state == "ok" and _same(read["new"], _masked(models["v1"]))
        assert _same(read["old"], models["old"])
    else:
        assert status != 0
    hardmask_data(str(work), str(workload["mask"]), ["new"])
    state, read = _read_only_state(work)
    assert state == "ok"
    assert _same(read["new"], _masked(models["v1"])) and _same(read["old"], models["old"])


# ------------------------------------------------------------------------------------------------
# load-seq (builds beside the target, renames it into place)

@pytest.fixture(scope="module")
def fasta_workload(tmp_path_factory):
    """A FASTA file of 8 Mbp (8 records, gaps in some) and what load-seq makes of it."""
    root = tmp_path_factory.mktemp("crash-seq")
    rng = np.random.default_rng(5)
    fasta = root / "genome.fa"
    with open(fasta, "w") as out:
        for index in range(8):
            seq = rng.choice(list(b"ACGTacgt"), 1_000_000).astype(np.uint8).tobytes().decode()
            if index % 2:
                seq = seq[:400_000] + "N" * 150_000 + seq[550_000:]
            out.write(f">chr{index}\n")
            out.write("\n".join(seq[i:i + 60] for i in range(0, len(seq), 60)) + "\n")
    expected = {}
    for mode in ("file", "dir"):
        load_seq(str(root / f"expected-{mode}"), [str(fasta)], True, mode)
        expected[mode] = _sequence_archive(root / f"expected-{mode}")
    return {"fasta": fasta, "expected": expected}


def _sequence_archive(path: Path) -> dict:
    """{chrom: (end, [(start, end, sha256 of seq)])} read through h5py."""
    out = {}
    with _files.ArchiveFiles(str(path), "r") as files:
        for chrom in files.chromosome_names():
            group = files.chromosome_group(chrom)
            out[chrom] = (_layout.read_int_attr(group, _layout.ATTR_END), [
                (*_layout.supercontig_bounds(sc),
                 hashlib.sha256(sc[_layout.SEQ][...].tobytes()).hexdigest())
                for sc in _layout.supercontig_groups(group)])
    return out


@pytest.mark.parametrize("target,mode", [("empty_dir", "-d"), ("absent", "-d"),
                                         ("absent", "-f")])
@pytest.mark.parametrize("seed", _seeds(3, 20))
def test_killed_load_seq(fasta_workload, tmp_path, target, mode, seed):
    """Killed at any moment, load-seq leaves its target as it was (absent, or the empty
    directory) or holding the complete archive; the next run cleans what the killed one left
    beside it."""
    out = tmp_path / "seq.genomedata"
    if target == "empty_dir":
        out.mkdir()
    status = _kill_during(["load-seq", "-q", mode, str(out), str(fasta_workload["fasta"])],
                          seed, window=0.15,     # (its writes take about 0.1 s)
                          started=lambda: any(tmp_path.glob(".seq.genomedata.partial*"))
                          or out.is_dir() and bool(os.listdir(out)))
    expected = fasta_workload["expected"]["file" if mode == "-f" else "dir"]
    if target == "empty_dir" and out.is_dir() and not os.listdir(out) or \
            target == "absent" and not os.path.lexists(out):
        assert status != 0     # as it was
    else:
        assert _sequence_archive(out) == expected
    if status != 0:
        load_seq(str(out), [str(fasta_workload["fasta"])], True,
                 "file" if mode == "-f" else "dir", overwrite=os.path.lexists(out)
                 and not (out.is_dir() and not os.listdir(out)))
        assert _sequence_archive(out) == expected
    assert os.listdir(tmp_path) == ["seq.genomedata"]


# ------------------------------------------------------------------------------------------------
# the journal itself

def test_abort_restores_the_bytes(workload, tmp_path):
    """An error in mid-write (here raised by hand) undoes everything written so far."""
    work = _copy(workload["bases"]["file"], tmp_path / "work.genomedata")
    before = _fingerprint(work)
    with pytest.raises(RuntimeError, match="stop here"):
        with _files.ArchiveFiles(str(work), "r+") as files:
            group = files.chromosome_group("chrA")
            _layout.write_dirty(group, True)
            dataset = _layout.supercontig_groups(group)[0][_layout.CONTINUOUS]
            dataset[0:200_000, 1] = 7.0
            files.single_file().flush()
            raise RuntimeError("stop here")
    assert _fingerprint(work) == before
    assert not _journal.pending(str(work))


def test_a_journal_is_never_left_by_a_finished_write(workload, tmp_path):
    work = _copy(workload["bases"]["directory"], tmp_path / "work.genomedata")
    load_data(str(work), "new", str(workload["inputs"]["v2"]))
    close_data(str(work))
    assert not [p for p in os.listdir(work) if p.startswith(".")]
    assert _read_only_state(work)[0] == "ok"


def test_interrupted_write_is_refused_then_undone(workload, tmp_path, capsys):
    """A journal without commit marker (as a kill leaves it): readers refuse the file with one
    clear line (API and command line); the next writer restores the old bytes."""
    from genomedata.commands.main import main

    work = _copy(workload["bases"]["file"], tmp_path / "work.genomedata")
    before = _fingerprint(work)
    transaction = _journal.Transaction()
    handle = _journal.JournaledFile(str(work), transaction)
    handle.seek(0)
    handle.write(b"\xff" * 4096)        # clobbers the superblock, journaled first
    handle.seek(_size(work))
    handle.write(b"\0" * 1000)          # appended
    transaction.files.clear()
    handle.release()                     # "killed": neither committed nor undone
    assert _journal.pending(str(work))

    with pytest.raises(ArchiveInterruptedError, match="did not finish"):
        Genome(str(work))
    assert _fingerprint(work) != before
    capsys.readouterr()
    assert main(["info", "tracknames", str(work)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("genomedata info: error: ") and err.count("\n") == 1
    assert "did not finish" in err
    _open_for_writing(work)
    assert _fingerprint(work) == before
    assert _read_only_state(work)[0] == "ok"


@settings(max_examples=150, deadline=None)
@given(size=st.integers(0, 3000), seed=st.integers(0, 2 ** 32 - 1),
       ops=st.lists(st.tuples(st.sampled_from(["write", "write", "truncate", "read"]),
                              st.integers(0, 4000), st.integers(0, 700)), max_size=25),
       end=st.sampled_from(["commit", "abort", "killed"]))
def test_journal_undoes_any_writes(size, seed, ops, end):
    """Any sequence of overlapping writes, writes past the end and truncations: reads between
    them see every write made so far (those still held back included); committed it stays,
    aborted or killed (then recovered) the file is byte for byte what it was."""
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "file.h5")
        original = bytes(rng.getrandbits(8) for _ in range(size))
        Path(path).write_bytes(original)
        model = bytearray(original)
        transaction = _journal.Transaction()
        handle = _journal.JournaledFile(path, transaction)
        for op, offset, length in ops:
            if op == "write":
                data = bytes(rng.getrandbits(8) for _ in range(length))
                handle.seek(offset)
                assert handle.write(data) == length
                if length:   # (an empty write does not extend the file)
                    model.extend(bytes(max(0, offset - len(model))))
                    model[offset:offset + length] = data
            elif op == "read":
                handle.seek(offset)
                expected = bytes(model[offset:offset + length])
                assert handle.read(length) == expected + bytes(length - len(expected))
            else:
                handle.truncate(offset)
                del model[offset:]
                model.extend(bytes(offset - len(model)))
        handle.seek(0)
        assert handle.read(len(model) + 10) == bytes(model) + bytes(10)
        if end == "commit":
            transaction.commit()
            assert Path(path).read_bytes() == bytes(model)
        elif end == "abort":
            transaction.abort()
            assert Path(path).read_bytes() == original
        else:
            transaction.files.clear()
            handle.release()
            # the journal of the first change (reads change nothing)
            assert _journal.pending(path) == any(op != "read" for op, _, _ in ops)
            _journal.recover_file(path)
            assert Path(path).read_bytes() == original
        assert os.listdir(directory) == ["file.h5"]


# ------------------------------------------------------------------------------------------------
# which file a journal belongs to

def _leave_journal(path) -> None:
    """A writer killed after its first overwrite: its journal (and inode link) stay."""
    transaction = _journal.Transaction()
    handle = _journal.JournaledFile(str(path), transaction)
    handle.seek(0)
    handle.write(b"\xff" * 4096)
    transaction.files.clear()
    handle.release()


def _build(workload, out, overwrite=False):
    load_genomedata(str(out), [("old", str(workload["inputs"]["old"]))],
                    [str(workload["sizes"])], mode="file", seqfile_type="sizes",
                    chunk_size=CHUNK_ROWS, overwrite=overwrite)


@pytest.mark.parametrize("how", ["rm", "overwrite", "h5py"])
def test_stale_journal_is_never_applied_to_a_new_file(workload, tmp_path, how):
    """A journal left by a killed writer, then a new archive at the same path (``rm`` and
    ``load``, ``load --overwrite``, or a file another program creates there): the new file is
    read, written and left as it is -- the old journal is not applied to it."""
    import h5py

    work = _copy(workload["bases"]["file"], tmp_path / "work.genomedata")
    _leave_journal(work)
    assert _journal.pending(str(work))
    if how == "rm":
        work.unlink()
        _build(workload, work)
    elif how == "overwrite":
        _build(workload, work, overwrite=True)
    else:
        work.unlink()
        with h5py.File(work, "w") as handle:
            handle.attrs["x"] = 1
        before = work.read_bytes()
        assert not _journal.pending(str(work))
        _journal.recover_file(str(work))
        assert work.read_bytes() == before
        assert sorted(os.listdir(tmp_path)) == ["work.genomedata"]
        return
    # the new archive belongs to nobody's journal: read, then written, it stays correct
    assert not _journal.pending(str(work))
    assert sorted(os.listdir(tmp_path)) == ["work.genomedata"]
    state, read = _read_only_state(work)
    assert state == "ok" and _same(read["old"], workload["models"]["old"])
    close_data(str(work))
    assert _read_only_state(work)[0] == "ok"


def test_journal_found_through_symbolic_links(workload, tmp_path):
    """Killed while writing through a symbolic link: readers through the real path (and
    through another link) refuse the file, and a writer through any path undoes it."""
    work = _copy(workload["bases"]["file"], tmp_path / "work.genomedata")
    before = _fingerprint(work)
    (tmp_path / "links").mkdir()
    link = tmp_path / "links" / "a.genomedata"
    link.symlink_to(work)
    other = tmp_path / "other"
    other.symlink_to(tmp_path)        # a linked folder
    _leave_journal(link)
    for path in (work, link, other / "work.genomedata"):
        assert _journal.pending(str(path))
        assert _read_only_state(path)[0] == "refused"
    _open_for_writing(other / "work.genomedata")
    assert _fingerprint(work) == before
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".")]
    assert os.listdir(tmp_path / "links") == ["a.genomedata"]


def test_journal_keeps_the_inode_of_its_file(workload, tmp_path):
    """While a journal exists, a second name holds its file's inode, so no new file can get
    that inode number and be mistaken for the journal's file."""
    work = _copy(workload["bases"]["file"], tmp_path / "work.genomedata")
    _leave_journal(work)
    link = Path(_journal.link_path(str(work)))
    assert os.path.samefile(link, work) and work.stat().st_nlink == 2
    inode = work.stat().st_ino
    work.unlink()
    for index in range(20):   # new files get new inode numbers while the old one is held
        (tmp_path / f"new{index}").write_bytes(b"x")
        assert (tmp_path / f"new{index}").stat().st_ino != inode
    assert link.stat().st_ino == inode


def test_journal_and_commit_marker_never_follow_planted_links(workload, tmp_path):
    """Symbolic links planted at the journal's (predictable) name after the writer opened the
    file, or at a commit marker's name, make the write fail instead of writing through them:
    the file they point to is left as it was, and so is the archive."""
    work = _copy(workload["bases"]["file"], tmp_path / "work.genomedata")
    before = _fingerprint(work)
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious")
    transaction = _journal.Transaction()
    handle = _journal.JournaledFile(str(work), transaction)
    Path(_journal.journal_path(str(work))).symlink_to(victim)
    handle.seek(0)
    with pytest.raises(GenomedataError, match="appeared while"):
        handle.write(b"\xff" * 4096)
    transaction.abort()
    assert victim.read_bytes() == b"precious" and _fingerprint(work) == before
    os.unlink(_journal.journal_path(str(work)))

    transaction = _journal.Transaction()
    handle = _journal.JournaledFile(str(work), transaction)
    handle.seek(0)
    handle.write(handle.read(4096))
    marker = Path(_journal._marker_path(str(tmp_path), transaction.txid))
    marker.symlink_to(tmp_path / "created-through-the-link")
    with pytest.raises(FileExistsError):
        transaction.commit()
    assert not (tmp_path / "created-through-the-link").exists()
