"""``genomedata load`` with its chromosomes loaded by the tasks of a
:class:`concurrent.futures.Executor` -- a ``ProcessPoolExecutor``, Dask's
``Client.get_executor()``, any executor whose workers see the same paths (a shared file
system).

The unit of work is one chromosome with all its tracks.  The calling process (the driver):

1. has every text input split into per-chromosome byte ranges, by one task per input, in one
   pass that reads no numbers (``inputs.ranges``); a gzip input is first decompressed once,
   by that task, into a spool file beside the archive, where every worker can read it
   (standard input is spooled by the driver); bigWig inputs are only asked which chromosomes
   they have;
2. loads the sequence and opens the tracks of the new archive under its temporary name
   (``archive.build``), as a local load does;
3. submits one task per chromosome with data.  A task builds that chromosome's file in a new
   folder of its own inside a work folder beside the archive -- a copy of the chromosome's file
   (directory archive) or a new file holding only its track arrays (single-file archive) --
   from its part of every input, and returns its statistics (``archive.statistics``) and
   counts: nothing bulky passes through the executor.  A task that dies part-way leaves only
   its own folder, and a retry starts again in a new one;
4. puts the finished chromosomes in place: a directory archive's files are renamed over the
   chromosome files; into a single file, the chunks of every track array are copied as they
   are, compressed (HDF5 direct chunk reads and writes, nothing decoded or encoded again);
5. writes the statistics and puts the archive in place, as a local load does.

A malformed line in any task stops the load with its ``FILE:LINE: message``; the tasks not
started are cancelled, the running ones are waited for (not on Dask, which can neither
report nor stop them), and the temporary archive, the work folder and the spool files are
removed: nothing is left.  A task lost to a Dask cluster stops the load too, with one
sentence, never a wait for ever (``_Tasks``).  The result is the archive a local load
builds, value for value, statistic for statistic.
"""

from __future__ import annotations

import os
import queue
import secrets
import shutil
import time
from concurrent.futures import ThreadPoolExecutor, as_completed, wait
from dataclasses import dataclass

from .. import _progress
from .._threads import default_threads
from ..archive import layout as _layout
from ..archive.build import ArchiveBuild, sibling
from ..archive.files import ArchiveFiles, create_archive, expand_path, open_h5
from ..archive.statistics import (StatisticsCollector, check_closable, scan_chromosome,
                                  write_scanned)
from ..archive.tracks import add_tracks
from ..errors import GenomedataError
from ..inputs.buffers import describe, input_kind
from ..inputs.ranges import RangeSource, split_signal, spool_named
from ..inputs.regions import read_mask_file
from ..inputs.sources import BigWigSource
from ._sequence import load_sequence, write_chromosome
from ._track import (LoadSummary, chromosome_renamer, load_chromosome_tracks,
                     match_chromosomes)


# ------------------------------------------------------------------------------------------------
# inputs, as the driver finds them and a task opens them

@dataclass
class _BigWigInput:
    """A bigWig input: read by the tasks themselves."""

    name: str                 # as the user gave it (in messages)
    path: str                 # absolute: workers may run in another folder
    nbytes: int
    data: dict

    def with_data(self) -> dict:
        return self.data

    def subset(self, chroms):
        return self

    def check_except(self, chromosomes) -> None:
        """Nothing to check: a bigWig file's values are binary."""


def _read_input(filename, name, spool):
    """What the tasks need to read one track input: its per-chromosome ranges (a text input;
    gzip is first decompressed into the new file ``spool``) or the chromosomes it has data on
    (bigWig).  Run as a task too: the passes over every input are spread like the loading."""
    with _progress.reporting(_progress.QUIET):
        kind = input_kind(spool if filename in (None, "-") else filename)
        if kind == "bigwig":
            source = BigWigSource(filename)
            try:
                return _BigWigInput(name, filename, source.nbytes, source.with_data())
            finally:
                source.close()
        path = filename
        if filename in (None, "-"):
            path = spool                  # standard input, spooled by the driver
        elif kind == "gzip":
            spool_named(filename, spool)
            path = spool
        return split_signal(path, name)


def _read_inputs(executor, tracks, archive_path, temporary) -> list:
    """``_read_input`` of every track input, on ``executor`` (standard input is spooled here
    first: only this process can read it); spool files are added to ``temporary``."""
    spools = []
    for _, filename in tracks:
        kind = input_kind(filename)
        spool = None
        if kind in ("gzip", "stdin"):
            spool = sibling(archive_path, "partial")    # removed by the next build if left
            temporary.append(spool)
        if kind == "stdin":
            with _progress.task("reading standard input", unit="bytes") as task:
                spool_named(filename, spool, task)
        spools.append(spool)
    found = {}
    with _Tasks(executor) as running:
        for index, ((_, filename), spool) in enumerate(zip(tracks, spools)):
            path = filename if filename in (None, "-") else os.path.abspath(filename)
            running.submit(index, f"reading {filename}", _read_input, path,
                           describe(filename), spool)
        with _progress.task("splitting inputs by chromosome", total=len(running),
                            unit="inputs") as bar:
            for index, result in running.finished():
                found[index] = result
                bar.advance()
    return [found[index] for index in range(len(tracks))]


def _open_input(spec):
    if isinstance(spec, _BigWigInput):
        source = BigWigSource(spec.path)
        source.name = spec.name
        return source
    return RangeSource(spec)


# ------------------------------------------------------------------------------------------------
# a task

@dataclass
class _Task:
    """One chromosome's work: everything a worker needs, small."""

    chrom: str
    work: str                 # the work folder beside the archive
    kind: str                 # "directory" or "file"
    source_file: str | None   # directory archive: the chromosome's file in the new archive
    layout: tuple | None      # single file: (end, supercontig starts, supercontig ends)
    tracknames: list
    chunk_rows: int
    inputs: list              # [(trackname, input spec, [input chromosomes])]
    mask: tuple | None
    threads: int | None


def _run_task(task: _Task):
    """Build ``task.chrom``'s file in a new folder of the work folder; return (its path,
    the summaries, the statistics)."""
    with _progress.reporting(_progress.QUIET):   # a forked worker must not draw the driver's bars
        attempt = os.path.join(task.work, f"{secrets.token_hex(6)}")
        os.mkdir(attempt)      # fails when the load was abandoned (the work folder is gone)
        target = _layout.chromosome_filename(attempt, task.chrom)
        if task.kind == "directory":
            shutil.copyfile(task.source_file, target)
            files = ArchiveFiles(attempt, "r+", kind="directory", journal=False)
        else:
            # the work folder may be removed meanwhile (the load was abandoned): never again
            files = create_archive(attempt, "directory", journal=False, parents=False)
            end, starts, ends = task.layout
            write_chromosome(files, task.chrom, end, starts, ends)
            add_tracks(files, task.tracknames, task.chunk_rows)
        sources = []
        try:
            statistics = StatisticsCollector()
            parts = []
            for trackname, spec, chroms in task.inputs:
                sources.append(_open_input(spec))
                parts.append((trackname, sources[-1], chroms))
            with ThreadPoolExecutor(task.threads or default_threads()) as pool:
                summaries = load_chromosome_tracks(files, task.chrom, parts, pool=pool,
                                                   mask_regions=task.mask,
                                                   statistics=statistics)
        finally:
            for source in sources:
                source.close()
            files.close()
        return target, summaries, statistics


# ------------------------------------------------------------------------------------------------
# the driver

def build_on_executor(executor, gdfilename, tracks, seqfilenames, mode, seqfile_type, chunk_rows,
                      assembly_report_file, chromosome_name_style, maskfilename, *, overwrite,
                      threads, chr_prefix, allow_empty):
    """``build_archive`` (``ops/load.py``) with one task per chromosome on ``executor``;
    ``threads``: compression threads in each task (None: the worker's cores)."""
    temporary = []
    work = None
    try:
        inputs = _read_inputs(executor, tracks, os.path.abspath(expand_path(gdfilename)),
                              temporary)
        build = ArchiveBuild(gdfilename, overwrite)
        try:
            load_sequence(build, seqfilenames, True, mode, seqfile_type, assembly_report_file,
                          chromosome_name_style)
            tracknames = list(dict.fromkeys(name for name, _ in tracks))
            with ArchiveFiles(build.build_path, "r+", kind=build.kind, journal=False) as files:
                add_tracks(files, tracknames, chunk_rows)
                plan, summaries = _plan(files, tracks, inputs, gdfilename, chr_prefix,
                                        allow_empty)
                groups = {chrom: files.chromosome_group(chrom) for chrom in plan}
                extents = {chrom: _layout.read_int_attr(files.chromosome_group(chrom),
                                                        _layout.ATTR_END)
                           for chrom in files.chromosome_names()}
                masks = (read_mask_file(maskfilename, extents=extents).regions
                         if maskfilename is not None else {})
                layouts = {chrom: _chromosome_layout(group) for chrom, group in groups.items()}
            work = os.path.abspath(sibling(build.path, "partial"))
            os.mkdir(work)
            tasks = [_Task(chrom, work, build.kind,
                           _layout.chromosome_filename(os.path.abspath(build.build_path),
                                                       chrom)
                           if build.kind == "directory" else None,
                           layouts[chrom] if build.kind == "file" else None,
                           tracknames, chunk_rows,
                           [(tracks[index][0], inputs[index].subset(chroms), chroms)
                            for index, chroms in parts],
                           masks.get(chrom), threads)
                     for chrom, parts in plan.items()]
            results = _run_all(executor, tasks)
            statistics = StatisticsCollector()
            with ArchiveFiles(build.build_path, "r+", kind=build.kind, journal=False) as files:
                with _progress.task("gathering chromosomes", total=len(results),
                                    unit="chromosomes") as task:
                    for chrom, (path, task_summaries, task_statistics) in results.items():
                        if build.kind == "directory":
                            os.replace(path, files.filename_of(chrom))
                        else:
                            _copy_chunks(path, files.chromosome_group(chrom))
                        statistics.merge(task_statistics)
                        for (index, _), found in zip(plan[chrom], task_summaries):
                            _add(summaries[index], found)
                        task.advance()
                statistics.write(files)
            build.finish()
        except BaseException:
            build.abandon()
            raise
    finally:
        if work is not None:
            _remove_work(work)
        for path in temporary:
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
    return summaries


def _plan(files, tracks, inputs, shown, chr_prefix, allow_empty):
    """{archive chromosome: [(input index, [its chromosomes in that input])]} in input order,
    and one ``LoadSummary`` per input (the unknown chromosomes warned about, as a local load
    does; their lines are checked here, since no task reads them)."""
    archive_names = set(files.chromosome_names())
    rename = chromosome_renamer(chr_prefix)
    plan = {}
    summaries = []
    for index, ((trackname, _), spec) in enumerate(zip(tracks, inputs)):
        summary = LoadSummary(trackname=trackname, source=spec.name, input_bytes=spec.nbytes)
        summaries.append(summary)
        matched = match_chromosomes(spec, shown, archive_names, trackname, rename,
                                    allow_empty, summary)
        for chrom, name in matched.items():
            parts = plan.setdefault(name, [])
            if parts and parts[-1][0] == index:
                parts[-1][1].append(chrom)
            else:
                parts.append((index, [chrom]))
    return plan, summaries


def _chromosome_layout(group):
    supercontigs = _layout.supercontig_groups(group)
    bounds = [_layout.supercontig_bounds(sc) for sc in supercontigs]
    return (_layout.read_int_attr(group, _layout.ATTR_END), [s for s, _ in bounds],
            [e for _, e in bounds])


# the executors' exceptions for a task that did not finish (by their names: no import)
_DIED = {"KilledWorker": "its Dask worker died each time it ran it",
         "BrokenProcessPool": "a worker process died",
         "FutureCancelledError": "the Dask cluster dropped it",
         "CancelledError": "it was cancelled"}

# A Dask cluster whose workers all died and were not restarted (a nanny can fail to start a
# new worker process, e.g. on a loaded machine) leaves its tasks waiting for a worker for
# ever: the command stops once the cluster has had no worker for this long.  A finished
# task whose result cannot be fetched from its worker for this long stops it too.
NO_WORKER_SECONDS = 60.0
_POLL_SECONDS = 2.0
_FETCH_SECONDS = 10.0       # one try at fetching a finished task's result


@dataclass
class _Unfetched:
    """A finished task's result that did not come, and why."""

    why: str


def _dask_client(executor):
    """The Dask client behind ``executor`` (``Client.get_executor()``), or None."""
    client = getattr(executor, "_client", None)
    return client if callable(getattr(client, "nthreads", None)) else None


def _has_workers(client) -> bool:
    try:
        return bool(client.nthreads())
    except Exception:             # the scheduler is gone too
        return False


class _Tasks:
    """The tasks of one command on an executor: ``submit`` them, take their results with
    ``finished``; leaving the ``with`` block by an error (or Ctrl-C) stops them (``stop``).

    On a Dask executor (``Client.get_executor()``) the tasks go to its client and are
    followed by their Dask futures, asked for their state every ``_POLL_SECONDS``, rather
    than by the executor's ``concurrent.futures`` copies, which are never marked done when
    their result cannot be passed on (a task cancelled as it ended; a failed fetch of its
    result: one dropped connection and the copy waits for ever).  A lost task always ends
    the wait with a GenomedataError: its worker died each time it ran it
    (``distributed.scheduler.allowed-failures``), the cluster dropped it (the scheduler
    restarted or became unreachable), the cluster had no worker for ``NO_WORKER_SECONDS``,
    or its result could not be fetched for as long."""

    def __init__(self, executor):
        self.executor = executor
        self.client = _dask_client(executor)
        self.futures = {}           # future: (key, what the task does, for messages)

    def __enter__(self):
        return self

    def __exit__(self, kind, value, traceback):
        if kind is not None:
            self.stop()

    def __len__(self):
        return len(self.futures)

    def submit(self, key, what, function, *args) -> None:
        if self.client is None:
            future = self.executor.submit(function, *args)
        else:
            options = dict(getattr(self.executor, "_kwargs", {}), pure=False)
            future = self.client.submit(function, *args, **options)
        self.futures[future] = (key, what)

    def finished(self):
        """(key, result) of each task as it finishes.  A failed task raises its exception
        (its input's ``FILE:LINE: message``, say); a task that did not finish raises a
        GenomedataError."""
        if self.client is None:
            for future in as_completed(self.futures):
                key, what = self.futures[future]
                yield key, _result(future, what)
            return
        ready = queue.SimpleQueue()
        for future in self.futures:
            future.add_done_callback(ready.put)      # called in a thread of Dask's
        pending = set(self.futures)
        alone_since = None
        unfetched = {}              # future: since when its result could not be fetched
        while pending:
            try:
                ready.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                pass
            progressed = False
            for future in list(pending):
                if not future.done():               # waiting, running, or run again
                    unfetched.pop(future, None)
                    continue
                key, what = self.futures[future]
                found = self._fetch(future, what)
                if isinstance(found, _Unfetched):
                    since = unfetched.setdefault(future, time.monotonic())
                    if time.monotonic() - since >= NO_WORKER_SECONDS:
                        raise GenomedataError(
                            f"the task {what} did not finish: its result could not be "
                            f"fetched from its Dask worker for {NO_WORKER_SECONDS:g} s "
                            f"({found.why}); stopped, nothing was changed")
                    continue
                pending.discard(future)
                progressed = True
                yield key, found
            if not pending or progressed or _has_workers(self.client):
                alone_since = None
            elif alone_since is None:
                alone_since = time.monotonic()
            elif time.monotonic() - alone_since >= NO_WORKER_SECONDS:
                raise GenomedataError(f"the Dask cluster has had no worker for "
                                      f"{NO_WORKER_SECONDS:g} s while {len(pending)} tasks "
                                      "waited (its workers died and were not started "
                                      "again); stopped, nothing was changed")

    @staticmethod
    def _fetch(future, what):
        """A done Dask task's result, its error raised (``_result``), or an ``_Unfetched`` when
        the task ended well but its result did not come (not in ``_FETCH_SECONDS``, or the
        connection failed): it is asked for again at the next poll (if its worker died, the
        scheduler runs the task again)."""
        try:
            return _result(future, what, _FETCH_SECONDS)
        except GenomedataError:
            raise
        except Exception as exc:
            if future.status == "finished":
                return _Unfetched(f"{type(exc).__name__}: {exc}" if str(exc)
                                  else type(exc).__name__)
            raise                                    # the task's own error

    def stop(self) -> None:
        """Cancel the tasks not started, and wait for the running ones (they write beside the
        archive: their files are removed after them).  With a ``concurrent.futures``
        executor only the futures that could not be cancelled are waited for; Dask can
        neither report nor stop a running task: it finishes into a folder already removed
        (its result is dropped)."""
        if self.client is None:
            wait([future for future in self.futures if not future.cancel()])
            return
        try:
            self.client.cancel(list(self.futures))
        except Exception:         # the scheduler is gone: its tasks are gone with it
            pass


def _result(future, what, timeout=None):
    """A task's result; a task that did not finish (its process died, the cluster dropped
    it) is a GenomedataError saying so."""
    try:
        return future.result(timeout)
    except GenomedataError:
        raise
    except Exception as exc:
        if type(exc).__name__ in _DIED:
            said = " ".join(str(exc).split())      # one line (Dask's may have two)
            raise GenomedataError(f"the task {what} did not finish: "
                                  f"{_DIED[type(exc).__name__]} ({said}); stopped, nothing "
                                  "was changed") from None
        raise


def _remove_work(work) -> None:
    """Remove the work folder; again while a task that was running when the command stopped
    adds to it (for up to a second)."""
    for _ in range(20):
        shutil.rmtree(work, ignore_errors=True)
        if not os.path.lexists(work):
            return
        time.sleep(0.05)


def _run_all(executor, tasks) -> dict:
    """Every task's result by chromosome, the progress bar counting chromosomes as tasks
    finish.  On the first failure (or Ctrl-C) the tasks are stopped (``_Tasks.stop``)
    before it is raised."""
    results = {}
    with _Tasks(executor) as running:
        for task in tasks:
            running.submit(task.chrom, f"loading chromosome {task.chrom}", _run_task, task)
        with _progress.task("loading chromosomes", total=len(tasks),
                            unit="chromosomes") as bar:
            for chrom, result in running.finished():
                results[chrom] = result
                bar.advance()
    return {task.chrom: results[task.chrom] for task in tasks}


def _copy_chunks(path, group, runs=None) -> None:
    """Copy the stored chunks of the track arrays of the chromosome file ``path`` into the
    same supercontigs of ``group``, as stored (compressed): every chunk, or (``runs``: {bounds
    of a supercontig: [(column, first row, end row)]}) only the chunks of those rows."""
    with open_h5(path, "r") as handle:
        source = handle["/"]
        targets = {_layout.supercontig_bounds(sc): sc for sc in
                   _layout.supercontig_groups(group)}
        for supercontig in _layout.supercontig_groups(source):
            bounds = _layout.supercontig_bounds(supercontig)
            if runs is not None and bounds not in runs:
                continue
            src = _layout.continuous_of(supercontig)
            dst = _layout.continuous_of(targets[bounds])
            if runs is None:
                offsets = [src.id.get_chunk_info(index).chunk_offset
                           for index in range(src.id.get_num_chunks())]
            elif dst.chunks is None:          # contiguous storage: copy the values
                for column, lo, hi in runs[bounds]:
                    dst[lo:hi, column] = src[lo:hi, column]
                continue
            else:
                rows, cols = dst.chunks
                offsets = sorted({(row, column - column % cols)
                                  for column, lo, hi in runs[bounds]
                                  for row in range(lo - lo % rows, hi, rows)})
            for offset in offsets:
                filter_mask, data = src.id.read_direct_chunk(offset)
                dst.id.write_direct_chunk(offset, data, filter_mask)


def _add(summary: LoadSummary, found: LoadSummary) -> None:
    for counter in ("values", "bases", "bases_in_gaps", "bases_past_end", "bases_masked"):
        setattr(summary, counter, getattr(summary, counter) + getattr(found, counter))
    summary.seconds += found.seconds


# ------------------------------------------------------------------------------------------------
# close-data: the chromosomes read by tasks, the statistics written by the driver

def _scan_task(path, kind, chrom, min_gap, threads):
    """close-data's reading half for one chromosome, the archive opened read-only."""
    with _progress.reporting(_progress.QUIET), \
            ArchiveFiles(path, "r", kind=kind) as files, \
            ThreadPoolExecutor(threads or default_threads()) as pool:
        group = files.chromosome_group(chrom)
        return scan_chromosome(group, _layout.read_tracknames(group.file["/"]), min_gap=min_gap,
                               pool=pool, nthreads=threads or default_threads())


def close_on_executor(executor, path, *, min_gap, threads) -> None:
    """close-data with one task per chromosome on ``executor`` reading it; the statistics are
    written here, in one transaction, as close-data writes them."""
    path = os.path.abspath(expand_path(path))     # workers may run in another folder
    with ArchiveFiles(path, "r") as files:
        check_closable(files)
        kind = files.kind
        chromosomes = files.chromosome_names()
    found = {}
    with _Tasks(executor) as running:
        for chrom in chromosomes:
            running.submit(chrom, f"reading chromosome {chrom}", _scan_task, path, kind, chrom,
                           min_gap, threads)
        with _progress.task("computing statistics", total=len(running),
                            unit="chromosomes") as bar:
            for chrom, result in running.finished():
                found[chrom] = result
                bar.advance()
    with ArchiveFiles(path, "r+") as files:
        for chrom in chromosomes:
            stats, scans = found[chrom]
            write_scanned(files.chromosome_group(chrom), stats, scans, min_gap)


# ------------------------------------------------------------------------------------------------
# hardmask: each chromosome masked in a scratch copy of its track arrays by a task; the driver
# copies the rewritten chunks back and writes the statistics, in one transaction

@dataclass
class _MaskTask:
    path: str                 # the archive (absolute)
    kind: str
    chrom: str
    work: str                 # the work folder beside the archive
    columns: list
    mask: object              # hardmask.ChromosomeMask
    close: bool
    min_gap: int
    threads: int | None
    block_rows: int
    masker: object            # hardmask's function that masks one chromosome group


def _mask_task(task: _MaskTask):
    """Copy ``task.chrom``'s track arrays (as stored: HDF5 object copy, nothing decoded) into
    a scratch file in a new folder of the work folder and mask them there; returns (the
    scratch file, the runs of chunk rows rewritten by supercontig bounds, the values masked,
    close-data's scan of the masked arrays or None).  The archive is only read."""
    with _progress.reporting(_progress.QUIET):
        attempt = os.path.join(task.work, secrets.token_hex(6))
        os.mkdir(attempt)      # fails when the command was abandoned (the work folder is gone)
        scratch = os.path.join(attempt, "masked.h5")
        nthreads = task.threads or default_threads()
        with ArchiveFiles(task.path, "r", kind=task.kind) as files, \
                open_h5(scratch, "w") as out, ThreadPoolExecutor(nthreads) as pool:
            group = files.chromosome_group(task.chrom)
            tracknames = _layout.read_tracknames(group.file["/"])
            for index, supercontig in enumerate(_layout.supercontig_groups(group)):
                start, end = _layout.supercontig_bounds(supercontig)
                copy = _layout.create_supercontig(out["/"], index, start, end)
                dataset = _layout.continuous_of(supercontig, end - start)
                if dataset is not None:
                    out.copy(dataset, copy, name=_layout.CONTINUOUS)
            runs = {}
            changed = task.masker(out["/"], task.columns, task.mask, pool, nthreads,
                                       task.block_rows, runs)
            scanned = (scan_chromosome(out["/"], tracknames, min_gap=task.min_gap, pool=pool,
                                       nthreads=nthreads) if task.close else None)
        return scratch, {bounds: found for bounds, found in runs.items() if found}, changed, \
            scanned


def hardmask_on_executor(executor, path, kind, masks, columns, masker, *, close, min_gap,
                         threads, block_rows) -> int:
    """hardmask's writing part with one task per chromosome on ``executor``: each chromosome
    of ``masks`` ({chrom: ChromosomeMask}) is masked in a scratch file by ``_mask_task`` with
    ``masker`` (hardmask's ``_mask_chromosome``, passed in: operations do not import each
    other) (and,
    ``close``, every other chromosome read by ``_scan_task``); then, in one transaction of
    this process, the rewritten chunks are copied into the archive as stored and the
    statistics written.  A failure or Ctrl-C before or during that transaction leaves the
    archive as it was.  Returns the number of values masked."""
    path = os.path.abspath(expand_path(path))     # workers may run in another folder
    with ArchiveFiles(path, "r", kind=kind) as files:
        chromosomes = files.chromosome_names()
    chosen = [chrom for chrom in chromosomes if close or chrom in masks]
    work = os.path.abspath(sibling(path, "partial"))
    os.mkdir(work)
    found = {}
    try:
        with _Tasks(executor) as running:
            for chrom in chosen:
                if chrom in masks:
                    running.submit(chrom, f"masking chromosome {chrom}", _mask_task, _MaskTask(
                        path, kind, chrom, work, columns, masks[chrom], close, min_gap,
                        threads, block_rows, masker))
                else:
                    running.submit(chrom, f"reading chromosome {chrom}", _scan_task, path,
                                   kind, chrom, min_gap, threads)
            with _progress.task("masking", total=len(running), unit="chromosomes") as bar:
                for chrom, result in running.finished():
                    found[chrom] = result
                    bar.advance()
        changed = 0
        with ArchiveFiles(path, "r+", kind=kind) as files, \
                _progress.task("writing", total=len(chosen), unit="chromosomes") as bar:
            for chrom in chosen:
                group = files.chromosome_group(chrom)
                scanned = found[chrom]
                if chrom in masks:
                    scratch, runs, masked, scanned = scanned
                    _layout.write_dirty(group, True)
                    _copy_chunks(scratch, group, runs)
                    changed += masked
                if close:
                    write_scanned(group, *scanned, min_gap)
                bar.advance()
    finally:
        _remove_work(work)
    return changed
