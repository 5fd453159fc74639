"""Loads spread over processes: one task per chromosome on a local Dask cluster of two worker
processes (and a ProcessPoolExecutor), giving the archive a local load gives."""

from __future__ import annotations

import gzip
import json
import os
import sys
import threading

import h5py
import numpy as np
import pytest

try:
    from conftest import run_cli
except ImportError:
    # a Dask worker unpickling a function of this module (Dask pickles module functions by
    # reference first) imports it with its own path, where ``conftest`` can be the
    # repository's root one; the workers never call run_cli
    run_cli = None
from genomedata.errors import GenomedataError, InputError
from genomedata.ops.load import load_genomedata

distributed = pytest.importorskip("distributed")

CHROMS = {"chr1": 52_000, "chr2": 31_000, "chr3": 23_000}


def _warm_up():
    """Load the parser kernels in a worker (from the numba cache, or compiled), outside any
    task: a worker busy compiling for long must not count as a task's failure."""
    from genomedata.inputs.signal import parse_signal
    parsed = parse_signal(b"c\t0\t1\t1\nfixedStep chrom=c start=1\n1\n", "warm-up")
    parsed.fill_chromosome("c", np.zeros(4, np.float32))
    from genomedata.kernels.parse import chromosome_ranges
    chromosome_ranges(np.frombuffer(b"c\t0\t1\t1\n", np.uint8))


@pytest.fixture(scope="module")
def cluster():
    """One local cluster of two worker processes for the module (a task whose worker dies is
    given two more tries)."""
    yield from _two_workers(allowed_failures=2)


@pytest.fixture(autouse=True)
def no_test_waits_for_ever():
    """A test of this module that waits on its cluster for over 2 minutes ends the run with
    every thread's traceback, instead of holding the suite for ever."""
    import faulthandler
    faulthandler.dump_traceback_later(120, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


@pytest.fixture
def dying_cluster(request):
    """A new cluster for each test that kills workers (none of them waits for a nanny to
    start a worker again, nor leaves the other tests a cluster short of workers); the test's
    ``allowed_failures`` mark: how many times a task whose worker dies is run again."""
    yield from _two_workers(request.node.get_closest_marker("allowed_failures").args[0])


def _two_workers(allowed_failures):
    import dask
    with dask.config.set({"distributed.scheduler.allowed-failures": allowed_failures,
                          "distributed.comm.timeouts.connect": "10s"}):
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                      dashboard_address=":0") as local, \
                distributed.Client(local) as client:
            # _warm_up sent by value (see ``by_value``)
            import cloudpickle
            cloudpickle.register_pickle_by_value(sys.modules[__name__])
            try:
                client.run(_warm_up)
            finally:
                cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
            yield client


@pytest.fixture
def executor(cluster):
    return cluster.get_executor(pure=False)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """A seeded genome (supercontigs split by runs of N) and inputs of every kind: unsorted
    bedGraph, WIG (fixedStep and variableStep), the WIG gzipped, a bigWig, a mask."""
    import pyBigWig
    folder = tmp_path_factory.mktemp("inputs")
    rng = np.random.default_rng(15)
    with open(folder / "genome.fa", "w") as out:
        for chrom, size in CHROMS.items():
            seq = rng.choice(list("ACGT"), size)
            seq[3000:4500] = "N"
            out.write(f">{chrom}\n" + "".join(seq) + "\n")
    with open(folder / "a.bedGraph", "w") as out:
        out.write("track type=bedGraph\n")
        for chrom in ["chr2", "chr1", "chr3", "chr1", "chr2"]:      # unsorted, repeated
            for _ in range(150):
                start = int(rng.integers(0, CHROMS[chrom] + 500))  # some past the end
                out.write(f"{chrom}\t{start}\t{start + int(rng.integers(1, 400))}\t"
                          f"{rng.normal():.4g}\n")
        out.write("chrUn\t5\t10\t1.5\n")                           # not in the genome
    wig = ("fixedStep chrom=chr3 start=11 step=5 span=3\n"
           + "".join(f"{v:.3g}\n" for v in rng.normal(size=800))
           + "# a comment\nvariableStep chrom=chr1 span=4\n"
           + "".join(f"{p} {v:.3g}\n" for p, v in zip(range(1, 45_000, 37),
                                                        rng.normal(size=1300)))
           + "track name=again\nchr3\t100\t200\t7.25\n")
    (folder / "b.wig").write_text(wig)
    with gzip.open(folder / "b.wig.gz", "wt") as out:
        out.write(wig)
    bw = pyBigWig.open(str(folder / "c.bw"), "w")
    bw.addHeader(list(CHROMS.items()))
    for chrom in CHROMS:
        starts = np.arange(0, CHROMS[chrom] - 100, 97, dtype=np.int64)
        bw.addEntries([chrom] * len(starts), starts.tolist(), ends=(starts + 50).tolist(),
                      values=rng.normal(size=len(starts)).tolist())
    bw.close()
    (folder / "mask.bed").write_text("chr1\t100\t2000\nchr3\t0\t500\n")
    return folder


def tracks_of(folder):
    return [("a", str(folder / "a.bedGraph")), ("b", str(folder / "b.wig.gz")),
            ("a", str(folder / "b.wig")), ("c", str(folder / "c.bw"))]


def dump(path) -> dict:
    """Every group and dataset of an archive: attributes, values, storage properties."""
    found = {}
    path = str(path)
    files = ([os.path.join(path, name) for name in sorted(os.listdir(path))]
             if os.path.isdir(path) else [path])
    for filename in files:
        with h5py.File(filename, "r") as handle:
            def visit(name, item, where=os.path.basename(filename) if len(files) > 1 else ""):
                attrs = {key: (value.tobytes() if isinstance(value, np.ndarray) else value)
                         for key, value in item.attrs.items()}
                found[(where, name, "attrs")] = attrs
                if isinstance(item, h5py.Dataset):
                    found[(where, name, "data")] = item[()].tobytes()
                    found[(where, name, "storage")] = (item.chunks, item.compression,
                                                       item.shuffle, item.maxshape)
            visit("/", handle["/"])
            handle.visititems(visit)
    return found


def leftovers(folder, *expected):
    return sorted(set(os.listdir(folder)) - set(expected))


@pytest.mark.parametrize("mode", ["file", "dir"])
def test_same_archive_as_a_local_load(inputs, executor, tmp_path, mode):
    tracks = tracks_of(inputs)
    options = dict(mode=mode, maskfilename=str(inputs / "mask.bed"))
    load_genomedata(tmp_path / "local.gd", tracks, [inputs / "genome.fa"], **options)
    load_genomedata(tmp_path / "dask.gd", tracks, [inputs / "genome.fa"], executor=executor,
                    **options)
    local, spread = dump(tmp_path / "local.gd"), dump(tmp_path / "dask.gd")
    assert local.keys() == spread.keys()
    assert [key for key in local if local[key] != spread[key]] == []
    # the archive holds values of every track, and nothing else was left beside it
    data = [value for key, value in local.items() if key[1].endswith("continuous")
            and key[2] == "data"]
    columns = np.concatenate([np.frombuffer(d, np.float32).reshape(-1, 3) for d in data])
    assert np.isfinite(columns).any(axis=0).all()
    assert leftovers(tmp_path) == ["dask.gd", "local.gd"]
    assert leftovers(inputs, "genome.fa", "a.bedGraph", "b.wig", "b.wig.gz", "c.bw",
                     "mask.bed") == []


def test_process_pool_in_another_folder_gives_the_same_archive(inputs, tmp_path,
                                                               monkeypatch):
    """Relative paths work although the workers run in another folder (as on a cluster)."""
    from concurrent.futures import ProcessPoolExecutor
    import shutil
    for name in ("genome.fa", "a.bedGraph", "b.wig.gz", "c.bw"):
        shutil.copy(inputs / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    tracks = [("a", "a.bedGraph"), ("b", "b.wig.gz"), ("c", "c.bw")]
    load_genomedata("local.gd", tracks, ["genome.fa"], mode="file")
    with ProcessPoolExecutor(2, initializer=os.chdir, initargs=("/",)) as pool:
        load_genomedata("pool.gd", tracks, ["genome.fa"], mode="file", executor=pool)
    assert dump("local.gd") == dump("pool.gd")


def test_gzip_on_standard_input(inputs, executor, tmp_path, monkeypatch):
    import io
    load_genomedata(tmp_path / "local.gd", [("b", str(inputs / "b.wig"))],
                    [inputs / "genome.fa"], mode="file")
    stdin = io.TextIOWrapper(io.BytesIO((inputs / "b.wig.gz").read_bytes()))
    monkeypatch.setattr(sys, "stdin", stdin)
    load_genomedata(tmp_path / "dask.gd", [("b", "-")], [inputs / "genome.fa"], mode="file",
                    executor=executor)
    assert dump(tmp_path / "local.gd") == dump(tmp_path / "dask.gd")
    assert leftovers(tmp_path) == ["dask.gd", "local.gd"]


def test_a_bad_line_of_one_task_stops_the_load(inputs, executor, tmp_path):
    lines = (inputs / "a.bedGraph").read_text().splitlines(keepends=True)
    bad = next(i for i, line in enumerate(lines) if line.startswith("chr3"))
    lines[bad + 3] = "chr3\t10\t20\tten\n"
    (tmp_path / "bad.bedGraph").write_text("".join(lines))
    with pytest.raises(InputError) as raised:
        load_genomedata(tmp_path / "out.gd", [("a", str(inputs / "b.wig")),
                                              ("b", str(tmp_path / "bad.bedGraph"))],
                        [inputs / "genome.fa"], mode="file", executor=executor)
    assert str(raised.value).startswith(f"{tmp_path / 'bad.bedGraph'}:{bad + 4}: ")
    assert leftovers(tmp_path) == ["bad.bedGraph"]


def test_a_task_left_running_does_not_make_the_work_folder_again(inputs, tmp_path,
                                                                 monkeypatch):
    """A task still running when the command removed its work folder (it stopped on another
    task's error) fails instead of making the folder again and leaving files behind."""
    import shutil
    from concurrent.futures import ThreadPoolExecutor
    from genomedata.ops import _distribute
    create = _distribute.create_archive

    removing = threading.Lock()

    def after_the_command_left(path, *args, **kwargs):
        # one task at a time: two tasks removing the folder while the other makes its own
        # attempt in it would fail in rmtree ("directory not empty"), not in create_archive
        with removing:
            shutil.rmtree(os.path.dirname(path), ignore_errors=True)   # as the command does
            return create(path, *args, **kwargs)
    monkeypatch.setattr(_distribute, "create_archive", after_the_command_left)
    with ThreadPoolExecutor(2) as pool, pytest.raises(FileNotFoundError):
        load_genomedata(tmp_path / "out.gd", [("b", str(inputs / "b.wig"))],
                        [inputs / "genome.fa"], mode="file", executor=pool)
    assert leftovers(tmp_path) == []


def test_a_bad_line_on_a_chromosome_the_archive_lacks(inputs, executor, tmp_path):
    text = (inputs / "a.bedGraph").read_text() + "chrUn\t5\t1\t1.5\n"
    (tmp_path / "bad.bedGraph").write_text(text)
    with pytest.raises(InputError) as raised:
        load_genomedata(tmp_path / "out.gd", [("a", str(tmp_path / "bad.bedGraph"))],
                        [inputs / "genome.fa"], mode="dir", executor=executor)
    assert f"bad.bedGraph:{len(text.splitlines())}: " in str(raised.value)
    assert leftovers(tmp_path) == ["bad.bedGraph"]


def test_a_bad_gzip_input_leaves_no_spool_file(inputs, executor, tmp_path):
    wig = (inputs / "b.wig").read_text().replace("variableStep chrom=chr1 span=4",
                                                 "variableStep chrom=chr1 span=x")
    with gzip.open(tmp_path / "bad.wig.gz", "wt") as out:
        out.write(wig)
    with pytest.raises(InputError, match=r"bad\.wig\.gz:\d+: "):
        load_genomedata(tmp_path / "out.gd", [("a", str(tmp_path / "bad.wig.gz"))],
                        [inputs / "genome.fa"], executor=executor)
    assert leftovers(tmp_path) == ["bad.wig.gz"]


def _die_once(marker, task):
    """Load a chromosome, the first task of the load to get here killing its worker process
    instead (the scheduler runs the task again, on the other worker)."""
    from genomedata.ops._distribute import _run_task     # the worker's: not the patched one
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL))
    except FileExistsError:
        return _run_task(task)
    os._exit(1)


def _die_always(task):
    os._exit(1)


@pytest.fixture
def by_value():
    """The test module's functions sent to the workers by value when Dask pickles them
    alone; inside a partial or a task wrapper Dask pickles them by reference, and the
    worker imports this module (which is why its ``conftest`` import may fail there)."""
    import cloudpickle
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    yield
    cloudpickle.unregister_pickle_by_value(sys.modules[__name__])


@pytest.mark.allowed_failures(1)
def test_a_worker_killed_mid_task_is_retried(inputs, dying_cluster, tmp_path, by_value,
                                             monkeypatch):
    import functools
    from genomedata.ops import _distribute
    tracks = tracks_of(inputs)[:1]
    load_genomedata(tmp_path / "local.gd", tracks, [inputs / "genome.fa"], mode="file")
    monkeypatch.setattr(_distribute, "_run_task",
                        functools.partial(_die_once, str(tmp_path / "died")))
    load_genomedata(tmp_path / "dask.gd", tracks, [inputs / "genome.fa"], mode="file",
                    executor=dying_cluster.get_executor(pure=False))
    assert dump(tmp_path / "local.gd") == dump(tmp_path / "dask.gd")
    assert leftovers(tmp_path) == ["dask.gd", "died", "local.gd"]


@pytest.mark.allowed_failures(0)
def test_a_task_whose_worker_keeps_dying_fails_the_load(inputs, dying_cluster, tmp_path,
                                                        by_value, monkeypatch):
    from genomedata.ops import _distribute
    monkeypatch.setattr(_distribute, "_run_task", _die_always)
    with pytest.raises(GenomedataError, match=r"^the task loading chromosome chr[123] did "
                                              r"not finish: its Dask worker died .*nothing "
                                              r"was changed$"):
        load_genomedata(tmp_path / "dask.gd", tracks_of(inputs)[:1], [inputs / "genome.fa"],
                        mode="dir", executor=dying_cluster.get_executor(pure=False))
    assert leftovers(tmp_path) == []


@pytest.mark.filterwarnings("ignore::genomedata.errors.GenomedataDirtyWarning")
@pytest.mark.parametrize("mode", ["file", "dir"])
def test_close_data_on_the_cluster(inputs, executor, cluster, tmp_path, mode):
    import shutil
    from genomedata import Genome, close_data
    load_genomedata(tmp_path / "one.gd", tracks_of(inputs)[:2], [inputs / "genome.fa"],
                    mode=mode)
    copy = shutil.copytree if mode == "dir" else shutil.copyfile
    copy(tmp_path / "one.gd", tmp_path / "two.gd")
    copy(tmp_path / "one.gd", tmp_path / "three.gd")
    for name in ("one.gd", "two.gd", "three.gd"):
        with Genome(tmp_path / name, "r+") as genome:     # dirty: statistics out of date
            genome["chr2"][5000:5100, "b"] = 2.5
            genome["chr3"][0:20000, "a"] = np.nan
    close_data(tmp_path / "one.gd")
    close_data(tmp_path / "two.gd", executor=executor)
    assert run_cli("close-data", "--scheduler", cluster.scheduler.address,
                   tmp_path / "three.gd") == 0
    assert dump(tmp_path / "one.gd") == dump(tmp_path / "two.gd") == dump(tmp_path / "three.gd")
    with Genome(tmp_path / "two.gd") as genome:       # clean: opens read-only
        assert genome["chr2"].maxs[list(genome.tracknames_continuous).index("b")] >= 2.5


# ------------------------------------------------------------------------------------------------
# the command

def test_command_on_a_scheduler_and_a_scheduler_file(inputs, cluster, tmp_path):
    address = cluster.scheduler.address
    (tmp_path / "scheduler.json").write_text(json.dumps({"address": address}))
    common = ["-s", inputs / "genome.fa", "-t", f"a={inputs / 'a.bedGraph'}",
              "-t", f"c={inputs / 'c.bw'}", "-q"]
    assert run_cli("load", *common, tmp_path / "local.gd") == 0
    assert run_cli("load", *common, "--scheduler", address, tmp_path / "one.gd") == 0
    assert run_cli("load", *common, "--scheduler-file", tmp_path / "scheduler.json",
                   tmp_path / "two.gd") == 0
    local = dump(tmp_path / "local.gd")
    assert dump(tmp_path / "one.gd") == local == dump(tmp_path / "two.gd")


def test_command_starts_and_stops_a_local_cluster(inputs, tmp_path, capsys):
    argv = ["load", "-s", inputs / "genome.fa", "-t", f"b={inputs / 'b.wig.gz'}", "-q", "-f"]
    assert run_cli(*argv, tmp_path / "local.gd") == 0
    assert run_cli(*argv, "--workers", "2", tmp_path / "dask.gd") == 0
    assert dump(tmp_path / "local.gd") == dump(tmp_path / "dask.gd")


def test_without_dask_a_cluster_option_names_the_extra(inputs, tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)    # import distributed fails
    assert run_cli("load", "-s", inputs / "genome.fa", "-t", f"a={inputs / 'a.bedGraph'}",
                   "--workers", "2", tmp_path / "out.gd") != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "genomedata[dask]" in err[0], err
    assert leftovers(tmp_path) == []


# ------------------------------------------------------------------------------------------------
# hardmask

@pytest.fixture(scope="module")
def masked_inputs(inputs, tmp_path_factory):
    """An archive of each kind to mask (three tracks), and a scored mask over chr1 and chr2
    (chr3 keeps its data: its statistics are only read by the tasks)."""
    folder = tmp_path_factory.mktemp("hardmask")
    for mode in ("file", "dir"):
        load_genomedata(folder / f"{mode}.gd", tracks_of(inputs), [inputs / "genome.fa"],
                        mode=mode)
    rng = np.random.default_rng(151)
    with open(folder / "mask.bed", "w") as out:
        for chrom in ("chr2", "chr1"):
            for start in sorted(rng.integers(0, CHROMS[chrom], 40).tolist()):
                out.write(f"{chrom}\t{start}\t{start + int(rng.integers(1, 3000))}\t"
                          f"r\t{int(rng.integers(0, 100))}\n")
    return folder


def _copies(masked_inputs, tmp_path, mode, names):
    import shutil
    copy = shutil.copytree if mode == "dir" else shutil.copyfile
    for name in names:
        copy(masked_inputs / f"{mode}.gd", tmp_path / name)


@pytest.mark.parametrize("mode", ["file", "dir"])
def test_hardmask_on_the_cluster_is_the_local_hardmask(masked_inputs, executor, cluster,
                                                       tmp_path, mode):
    from genomedata.ops.hardmask import hardmask_data
    _copies(masked_inputs, tmp_path, mode, ["one.gd", "two.gd", "three.gd", "four.gd",
                                            "five.gd"])
    mask = masked_inputs / "mask.bed"
    local = hardmask_data(tmp_path / "one.gd", mask, ["a", "c"], "gt30")
    spread = hardmask_data(tmp_path / "two.gd", mask, ["a", "c"], "gt30", executor=executor)
    assert run_cli("hardmask", mask, tmp_path / "three.gd", "-t", "a", "c", "--hardmask", "gt30",
                   "--scheduler", cluster.scheduler.address) == 0
    assert local.values_masked == spread.values_masked > 1000
    assert spread.closed
    assert dump(tmp_path / "one.gd") == dump(tmp_path / "two.gd") == dump(tmp_path / "three.gd")
    assert dump(tmp_path / "one.gd") != dump(masked_inputs / f"{mode}.gd")
    # left dirty (--no-close): the same too
    hardmask_data(tmp_path / "four.gd", mask, keep_archive_open=True)
    hardmask_data(tmp_path / "five.gd", mask, keep_archive_open=True, executor=executor)
    assert dump(tmp_path / "four.gd") == dump(tmp_path / "five.gd")
    assert leftovers(tmp_path) == ["five.gd", "four.gd", "one.gd", "three.gd", "two.gd"]


def _fail_on_chr1(task):
    from genomedata.ops._distribute import _mask_task    # the worker's: not the patched one
    if task.chrom == "chr1":
        raise OSError("disk full")
    return _mask_task(task)


@pytest.mark.parametrize("mode", ["file", "dir"])
def test_a_failed_hardmask_leaves_the_archive_unchanged(masked_inputs, executor, tmp_path,
                                                        mode, by_value, monkeypatch):
    from genomedata.ops import _distribute
    from genomedata.ops.hardmask import hardmask_data
    _copies(masked_inputs, tmp_path, mode, ["out.gd"])
    before = dump(tmp_path / "out.gd")
    # a task fails
    with monkeypatch.context() as patched:
        patched.setattr(_distribute, "_mask_task", _fail_on_chr1)
        with pytest.raises(OSError, match="disk full"):
            hardmask_data(tmp_path / "out.gd", masked_inputs / "mask.bed", executor=executor)
    assert dump(tmp_path / "out.gd") == before
    assert leftovers(tmp_path) == ["out.gd"]
    # the command fails while it copies the masked chunks back: the journal undoes them
    copy = _distribute._copy_chunks
    calls = []

    def copy_then_fail(*args):
        copy(*args)
        calls.append(args)
        if len(calls) == 2:
            raise KeyboardInterrupt
    monkeypatch.setattr(_distribute, "_copy_chunks", copy_then_fail)
    with pytest.raises(KeyboardInterrupt):
        hardmask_data(tmp_path / "out.gd", masked_inputs / "mask.bed", executor=executor)
    assert len(calls) == 2
    assert dump(tmp_path / "out.gd") == before
    assert leftovers(tmp_path) == ["out.gd"]


@pytest.fixture
def workerless():
    """A Dask cluster that has lost every worker (a scheduler, in this process, and none):
    its tasks never run."""
    with distributed.LocalCluster(n_workers=0, processes=False, dashboard_address=":0") as local, \
            distributed.Client(local) as client:
        yield local.scheduler, client


@pytest.mark.parametrize("mode", ["file", "dir"])
def test_a_cluster_without_workers_stops_the_load(inputs, tmp_path, monkeypatch, mode,
                                                  workerless):
    import time
    from genomedata.ops import _distribute
    monkeypatch.setattr(_distribute, "NO_WORKER_SECONDS", 0.5)
    monkeypatch.setattr(_distribute, "_POLL_SECONDS", 0.1)
    scheduler, client = workerless
    began = time.monotonic()
    with pytest.raises(GenomedataError, match=r"^the Dask cluster has had no worker for 0\.5 s "
                                              r"while 2 tasks waited .*nothing was changed$"):
        load_genomedata(tmp_path / "out.gd", tracks_of(inputs)[:2], [inputs / "genome.fa"],
                        mode=mode, executor=client.get_executor(pure=False))
    assert time.monotonic() - began < 10
    while scheduler.tasks and time.monotonic() - began < 10:    # cancelled: forgotten
        time.sleep(0.05)
    assert not scheduler.tasks
    assert leftovers(tmp_path) == []


def test_a_task_the_cluster_drops_stops_the_load(inputs, tmp_path, workerless):
    """A task the scheduler forgets (cancelled for every client, as when the scheduler
    restarts) ends the wait with one sentence."""
    import threading
    import time
    scheduler, client = workerless

    def drop():
        began = time.monotonic()
        while not scheduler.tasks and time.monotonic() - began < 30:
            time.sleep(0.01)
        for key in list(scheduler.tasks):
            client.cancel([distributed.Future(key, client)], force=True)
    dropping = threading.Thread(target=drop, daemon=True)
    dropping.start()
    with pytest.raises(GenomedataError) as raised:
        load_genomedata(tmp_path / "out.gd", tracks_of(inputs)[:1], [inputs / "genome.fa"],
                        executor=client.get_executor(pure=False))
    dropping.join()
    message = str(raised.value)
    assert message.startswith(f"the task reading {inputs / 'a.bedGraph'} did not finish: "
                              "the Dask cluster dropped it (")
    assert message.endswith("); stopped, nothing was changed")
    assert leftovers(tmp_path) == []


def test_a_result_that_cannot_be_fetched_stops_the_command(monkeypatch):
    """A finished Dask task whose worker does not send its result: the command stops once it
    has tried for NO_WORKER_SECONDS (a Dask client's view, faked: the worker cannot be made
    to stall on cue)."""
    import time
    from genomedata.ops import _distribute
    monkeypatch.setattr(_distribute, "NO_WORKER_SECONDS", 0.3)
    monkeypatch.setattr(_distribute, "_POLL_SECONDS", 0.05)

    class Unfetchable:
        status = "finished"
        tries = 0

        def done(self):
            return True

        def add_done_callback(self, callback):
            callback(self)

        def result(self, timeout=None):
            Unfetchable.tries += 1
            raise TimeoutError

    class Client:
        cancelled = []

        def submit(self, function, *args, **options):
            return Unfetchable()

        def nthreads(self):
            return {"tcp://worker": 1}

        def cancel(self, futures):
            self.cancelled.extend(futures)

    class Executor:
        _client = Client()

    began = time.monotonic()
    with pytest.raises(GenomedataError, match=r"^the task reading chromosome chr1 did not "
                                              r"finish: its result could not be fetched from "
                                              r"its Dask worker for 0\.3 s \(TimeoutError\); "
                                              r"stopped, nothing was changed$"):
        with _distribute._Tasks(Executor()) as tasks:
            tasks.submit("chr1", "reading chromosome chr1", print)
            list(tasks.finished())
    assert 0.3 <= time.monotonic() - began < 5
    assert Unfetchable.tries >= 2                 # asked again at each poll
    assert Executor._client.cancelled == list(tasks.futures)


def test_a_result_lost_on_the_way_is_fetched_again(inputs, cluster, tmp_path, monkeypatch):
    """The first fetch of a finished task's result fails (a dropped connection): the load
    asks again and finishes (the executor's own future for that task never completes)."""
    from genomedata.ops import _distribute
    monkeypatch.setattr(_distribute, "_POLL_SECONDS", 0.1)
    fetch = cluster._gather_remote
    failed = []

    async def drop_once(*args, **kwargs):
        monkeypatch.setattr(cluster, "_gather_remote", fetch)
        cluster._gather_keys = cluster._gather_future = None     # as a real fetch does
        failed.append(True)
        raise OSError("connection reset by peer")
    monkeypatch.setattr(cluster, "_gather_remote", drop_once)
    tracks = tracks_of(inputs)[:1]
    load_genomedata(tmp_path / "local.gd", tracks, [inputs / "genome.fa"], mode="file")
    load_genomedata(tmp_path / "dask.gd", tracks, [inputs / "genome.fa"], mode="file",
                    executor=cluster.get_executor(pure=False))
    assert failed == [True]
    assert dump(tmp_path / "local.gd") == dump(tmp_path / "dask.gd")
    assert leftovers(tmp_path) == ["dask.gd", "local.gd"]
