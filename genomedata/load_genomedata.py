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

from . import _layout
from ._load_seq import (_check_replaceable, _remove, _target_state, check_folder,
                        clean_stale_partials, install, sibling)
from . import _progress
from .errors import GenomedataError


def _group_tracks(tracks):
    """[(name, file), ...] -> ordered {name: [files...]} (several files load in order)."""
    grouped = {}
    for name, filename in tracks:
        grouped.setdefault(name, []).append(filename)
    return grouped


def build_archive(gdfilename, tracks=None, seqfilenames=None, mode=None, seqfile_type="fasta",
                  chunk_size=None, assembly_report_file=None,
                  chromosome_name_style="UCSC-style-name", maskfilename=None, *,
                  overwrite=False, jobs=None, chr_prefix=None, allow_empty=False):
    """Like :func:`load_genomedata`; returns the list of per-input ``LoadSummary``."""
    from ._close_data import StatisticsCollector, close_data
    from ._load_data import load_data, open_source
    from ._load_seq import load_seq
    from ._open_data import open_data
    from ._threads import default_threads

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
        from ._open_data import _check_names
        _check_names(list(grouped))   # names the archive can hold, before anything is made
    threads = jobs or default_threads()

    # 1. open and check every input before anything is created
    sources = {}
    try:
        with ThreadPoolExecutor(min(threads, max(1, len(tracks)))) as pool:
            futures = [(index, pool.submit(open_source, filename))
                       for index, (_, filename) in enumerate(tracks)]
            for index, future in futures:
                sources[index] = future.result()
        # the whole archive is built under a temporary name beside ARCHIVE and renamed into
        # place when complete: an interrupted load leaves no ARCHIVE (or the old one)
        path = _layout.expand_path(gdfilename)
        state = _target_state(path)
        if state == "exists":
            _check_replaceable(gdfilename, path, overwrite)
        if os.path.isdir(os.path.dirname(path) or "."):
            clean_stale_partials(path)
        build = sibling(path, "partial")
        try:
            load_seq(build, seqfilenames, True, mode, seqfile_type=seqfile_type,
                     assembly_report_file=assembly_report_file,
                     chromosome_name_style=chromosome_name_style, _in_place=True)
            kind = "directory" if os.path.isdir(build) else "file"
            summaries = []
            if tracks:
                open_data(build, list(grouped), chunk_size=chunk_size)
                # every value passes through memory once: the statistics are computed there,
                # and the new archive is not read back by close-data
                statistics = StatisticsCollector()
                options = dict(maskfile=maskfilename, chr_prefix=chr_prefix,
                               allow_empty=allow_empty, statistics=statistics,
                               shown=gdfilename)
                summaries = _load_tracks(build, tracks, grouped, sources, threads,
                                         load_data, options)
                with _layout.ArchiveFiles(build, "r+", journal=False) as files:
                    statistics.write(files)
            else:
                close_data(build)
            _layout.clear_incomplete(build, kind)
            if state == "empty_dir" and kind == "file":
                state = "exists"
            install(build, path, gdfilename, state, overwrite)
        except BaseException:
            _remove(build)
            raise
    finally:
        for source in sources.values():
            source.close()
    return summaries


def _load_tracks(gdfilename, tracks, grouped, sources, threads, load_data, options):
    # a new archive under a temporary name: no undo journal needed
    archive = _layout.ArchiveFiles(gdfilename, "r+", journal=False)
    indexes = {}
    for index, (name, _) in enumerate(tracks):
        indexes.setdefault(name, []).append(index)
    summaries = {}

    def one_track(name):
        for index in indexes[name]:
            summaries[index] = load_data(gdfilename, name, pool=pool, archive=archive,
                                         source=sources[index], **options)

    try:
        with ThreadPoolExecutor(threads) as pool, \
                ThreadPoolExecutor(min(len(grouped), 2)) as track_pool:
            for future in [track_pool.submit(one_track, name) for name in grouped]:
                future.result()
    finally:
        archive.close()
    return [summaries[index] for index in sorted(summaries)]


@_progress.verbose_argument
def load_genomedata(gdfilename, tracks=None, seqfilenames=None, mode=None,
                    seqfile_type="fasta", chunk_size=None, assembly_report_file=None,
                    chromosome_name_style="UCSC-style-name", maskfilename=None, verbose=False,
                    *, overwrite=False, jobs=None, chr_prefix=None, allow_empty=False):
    """Create archive ``gdfilename`` from sequence files and ``tracks`` = [(name, file), ...].

    ``mode``: "dir", "file" or None (directory for fewer than 100 sequences).  ``seqfile_type``:
    "fasta", "agp" or "sizes".  ``chunk_size``: rows per chunk of the track arrays (default
    10000).  ``maskfilename``: BED regions whose data is not loaded.  Returns ``gdfilename``.

    This is ``genomedata load``: load the sequence, open the tracks, load every track file
    (several files for one name load in order, later values winning), compute the
    statistics.  Every track file is checked before the archive is created; if anything
    fails, nothing is left behind.  An existing ``gdfilename`` is an error unless
    ``overwrite=True``.  ``jobs``: threads (default: every core).  ``chr_prefix`` and
    ``allow_empty``: as for :func:`~genomedata._load_data.load_data`, for every track.

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
                  allow_empty=allow_empty)
    return gdfilename
