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
started are cancelled, the running ones are waited for, and the temporary archive, the work
folder and the spool files are removed: nothing is left.  The result is the archive a local
load builds, value for value, statistic for statistic.
"""

from __future__ import annotations

import os
import secrets
import shutil
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
    futures = {}
    try:
        for index, ((_, filename), spool) in enumerate(zip(tracks, spools)):
            path = filename if filename in (None, "-") else os.path.abspath(filename)
            futures[executor.submit(_read_input, path, describe(filename), spool)] = index
        found = {}
        with _progress.task("splitting inputs by chromosome", total=len(futures),
                            unit="inputs") as bar:
            for future in as_completed(futures):
                found[futures[future]] = _result(future, f"reading {tracks[futures[future]][1]}")
                bar.advance()
    except BaseException:
        _stop(futures)
        raise
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
            files = create_archive(attempt, "directory", journal=False)
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
            shutil.rmtree(work, ignore_errors=True)
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


# the executors' exceptions for a task whose process died (by their names: no import)
_DIED = {"KilledWorker": "its Dask worker died each time it ran it",
         "BrokenProcessPool": "a worker process died"}


def _run_all(executor, tasks) -> dict:
    """Every task's result by chromosome, the progress bar counting chromosomes as tasks
    finish.  On the first failure (or Ctrl-C) the tasks not started are cancelled and the
    running ones waited for (they write into the work folder) before it is raised."""
    futures = {}
    try:
        for task in tasks:
            futures[executor.submit(_run_task, task)] = task.chrom
        results = {}
        with _progress.task("loading chromosomes", total=len(tasks),
                            unit="chromosomes") as bar:
            for future in as_completed(futures):
                results[futures[future]] = _result(future,
                                                   f"loading chromosome {futures[future]}")
                bar.advance()
    except BaseException:
        _stop(futures)
        raise
    return {task.chrom: results[task.chrom] for task in tasks}


def _result(future, what):
    """A task's result; a task whose process died is a GenomedataError saying so."""
    try:
        return future.result()
    except GenomedataError:
        raise
    except Exception as exc:
        if type(exc).__name__ in _DIED:
            raise GenomedataError(f"the task {what} did not finish: "
                                  f"{_DIED[type(exc).__name__]} ({exc}); nothing was "
                                  "created") from None
        raise


def _stop(futures) -> None:
    """Cancel the tasks not started, and wait for the running ones (they write beside the
    archive: their files are removed after them)."""
    for future in futures:
        future.cancel()
    wait(futures)


def _copy_chunks(path, group) -> None:
    """Copy every stored chunk of the track arrays of the chromosome file ``path`` into the
    same supercontigs of ``group``, as stored (compressed)."""
    with open_h5(path, "r") as handle:
        source = handle["/"]
        targets = {_layout.supercontig_bounds(sc): sc for sc in
                   _layout.supercontig_groups(group)}
        for supercontig in _layout.supercontig_groups(source):
            src = _layout.continuous_of(supercontig).id
            dst = _layout.continuous_of(targets[_layout.supercontig_bounds(supercontig)]).id
            for index in range(src.get_num_chunks()):
                offset = src.get_chunk_info(index).chunk_offset
                filter_mask, data = src.read_direct_chunk(offset)
                dst.write_direct_chunk(offset, data, filter_mask)


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
    futures = {}
    found = {}
    try:
        for chrom in chromosomes:
            futures[executor.submit(_scan_task, path, kind, chrom, min_gap, threads)] = chrom
        with _progress.task("computing statistics", total=len(futures),
                            unit="chromosomes") as bar:
            for future in as_completed(futures):
                found[futures[future]] = _result(future, f"reading chromosome "
                                                         f"{futures[future]}")
                bar.advance()
    except BaseException:
        _stop(futures)
        raise
    with ArchiveFiles(path, "r+") as files:
        for chrom in chromosomes:
            stats, scans = found[chrom]
            write_scanned(files.chromosome_group(chrom), stats, scans, min_gap)
