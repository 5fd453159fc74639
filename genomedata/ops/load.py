"""Build an archive in one step: sequence, tracks, statistics (``genomedata load``).

Every track input is opened and checked first (in parallel), so a malformed input stops the
build before the archive exists.  Then the sequence is loaded, the tracks are opened, the
track inputs are loaded concurrently (parsing, filling and compression run outside the GIL),
and the statistics that close-data would compute are computed from the values while they are
in memory, then written.  If anything fails, the archive this call created is
removed: a one-shot build either completes or leaves nothing behind.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

from .. import _progress
from .._threads import default_threads
from ..archive.build import ArchiveBuild, check_folder
from ..archive.files import ArchiveFiles
from ..archive.layout import DEFAULT_CHUNK_ROWS, check_chunk_rows, check_new_tracknames
from ..archive.statistics import StatisticsCollector, close_files
from ..archive.tracks import add_tracks
from ..errors import GenomedataError
from ..inputs.sources import open_source
from ._distribute import build_on_executor
from ._sequence import load_sequence
from ._track import load_track


def _group_tracks(tracks):
    """[(name, file), ...] -> ordered {name: [files...]} (several files load in order)."""
    grouped = {}
    for name, filename in tracks:
        grouped.setdefault(name, []).append(filename)
    return grouped


def build_archive(gdfilename, tracks=None, seqfilenames=None, mode=None, seqfile_type="fasta",
                  chunk_size=None, assembly_report_file=None,
                  chromosome_name_style="UCSC-style-name", maskfilename=None, *,
                  overwrite=False, jobs=None, chr_prefix=None, allow_empty=False,
                  executor=None):
    """Like :func:`load_genomedata`; returns the list of per-input ``LoadSummary``."""

    tracks = list(tracks or [])
    if not seqfilenames:
        raise GenomedataError("No sequence files specified.")
    check_folder(gdfilename)
    for name, filename in tracks:
        if filename not in (None, "-") and not os.path.exists(filename):
            raise GenomedataError(f"Could not find track file: {filename}")
    if maskfilename is not None and not os.path.exists(maskfilename):
        raise GenomedataError(f"Could not find mask file: {maskfilename}")
    grouped = _group_tracks(tracks)
    if grouped:
        check_new_tracknames(list(grouped))   # before anything is made
    chunk_rows = DEFAULT_CHUNK_ROWS if chunk_size is None else check_chunk_rows(chunk_size)
    threads = jobs or default_threads()
    if executor is not None and tracks:
        return build_on_executor(
            executor, gdfilename, tracks, seqfilenames, mode, seqfile_type, chunk_rows,
            assembly_report_file, chromosome_name_style, maskfilename, overwrite=overwrite,
            threads=jobs, chr_prefix=chr_prefix, allow_empty=allow_empty)

    # 1. open and check every input before anything is created
    sources = {}
    try:
        with ThreadPoolExecutor(min(threads, max(1, len(tracks)))) as pool:
            futures = [(index, pool.submit(open_source, filename))
                       for index, (_, filename) in enumerate(tracks)]
            for index, future in futures:
                sources[index] = future.result()
        # 2. the whole archive is built under a temporary name beside ARCHIVE and renamed into
        # place when complete: an interrupted load leaves no ARCHIVE (or the old one)
        build = ArchiveBuild(gdfilename, overwrite)
        try:
            load_sequence(build, seqfilenames, True, mode, seqfile_type, assembly_report_file,
                          chromosome_name_style)
            # a new archive under a temporary name: no undo journal needed
            with ArchiveFiles(build.build_path, "r+", kind=build.kind, journal=False) as files:
                summaries = []
                if tracks:
                    add_tracks(files, list(grouped), chunk_rows)
                    # every value passes through memory once: the statistics are computed
                    # there, and the new archive is not read back by close-data
                    statistics = StatisticsCollector(files=files)
                    options = dict(maskfile=maskfilename, chr_prefix=chr_prefix,
                                   allow_empty=allow_empty, statistics=statistics,
                                   shown=gdfilename, warn_overwrite=False)
                    summaries = _load_tracks(files, tracks, grouped, sources, threads, options)
                    statistics.write(files)
                else:
                    close_files(files)
            build.finish()
        except BaseException:
            build.abandon()
            raise
    finally:
        for source in sources.values():
            source.close()
    return summaries


def _load_tracks(archive, tracks, grouped, sources, threads, options):
    """Load every track input, the tracks concurrently (a name's files in order, later values
    winning); chunks are compressed on one pool of ``threads``."""
    indexes = {}
    for index, (name, _) in enumerate(tracks):
        indexes.setdefault(name, []).append(index)
    summaries = {}

    def one_track(name):
        for index in indexes[name]:
            summaries[index] = load_track(archive, name, sources[index], pool=pool, **options)

    with ThreadPoolExecutor(threads) as pool, \
            ThreadPoolExecutor(min(len(grouped), 2)) as track_pool:
        for future in [track_pool.submit(one_track, name) for name in grouped]:
            future.result()
    return [summaries[index] for index in sorted(summaries)]


@_progress.verbose_argument
def load_genomedata(gdfilename, tracks=None, seqfilenames=None, mode=None,
                    seqfile_type="fasta", chunk_size=None, assembly_report_file=None,
                    chromosome_name_style="UCSC-style-name", maskfilename=None, verbose=False,
                    *, overwrite=False, jobs=None, chr_prefix=None, allow_empty=False,
                    executor=None):
    """Create archive ``gdfilename`` from sequence files and ``tracks`` = [(name, file), ...].

    ``mode``: "dir", "file" or None (directory for fewer than 100 sequences).  ``seqfile_type``:
    "fasta", "agp" or "sizes".  ``chunk_size``: rows per chunk of the track arrays (default
    10000).  ``maskfilename``: BED regions whose data is not loaded.  Returns ``gdfilename``.

    This is ``genomedata load``: load the sequence, open the tracks, load every track file
    (several files for one name load in order, later values winning), compute the
    statistics.  Every track file's structure is checked before the archive is created,
    its values as they are loaded; if anything fails, nothing is left behind.  An existing ``gdfilename`` is an error unless
    ``overwrite=True``.  ``jobs``: threads (default: every core).  ``chr_prefix`` and
    ``allow_empty``: as for :func:`~genomedata.ops.load_data.load_data`, for every track.
    ``executor``: a :class:`concurrent.futures.Executor` (a ``ProcessPoolExecutor``, Dask's
    ``Client.get_executor()``) whose workers see the same paths: each chromosome's tracks are
    then loaded by one task there (``jobs``: threads in each task), with the same result.

    >>> import os
    >>> from genomedata.load_genomedata import load_genomedata
    >>> archive = load_genomedata(
    ...     scratch_dir() + "/new.genomedata",
    ...     tracks=[("dnase", os.path.join(example_data, "dnase.bedGraph"))],
    ...     seqfilenames=[os.path.join(example_data, "chr1.fa")])
    >>> with Genome(archive) as genome:
    ...     print(genome.tracknames_continuous, genome["chr1"][272:275, "dnase"])
    ['dnase'] [10.5 10.5 10.5]
    """
    build_archive(gdfilename, tracks, seqfilenames, mode, seqfile_type, chunk_size,
                  assembly_report_file, chromosome_name_style, maskfilename,
                  overwrite=overwrite, jobs=jobs, chr_prefix=chr_prefix,
                  allow_empty=allow_empty, executor=executor)
    return gdfilename
