"""Build an archive in one step: sequence, tracks, statistics (``genomedata load``).

Every track input is opened and checked first (in parallel), so a malformed input stops the
build before the archive exists.  Then the sequence is loaded, the tracks are opened, the
track inputs are loaded concurrently (parsing, filling and compression run outside the GIL),
and close-data computes the statistics.  If anything fails, the archive this call created is
removed: a one-shot build either completes or leaves nothing behind.
"""

from __future__ import annotations

import os
import shutil
from concurrent.futures import ThreadPoolExecutor

from . import _layout
from ._ui import get_ui
from ._util import GenomedataError


def _group_tracks(tracks):
    """[(name, file), ...] -> ordered {name: [files...]} (several files load in order)."""
    grouped = {}
    for name, filename in tracks:
        grouped.setdefault(name, []).append(filename)
    return grouped


def build_archive(gdfilename, tracks=None, seqfilenames=None, mode=None, seqfile_type="fasta",
                  chunk_size=None, assembly_report_file=None,
                  chromosome_name_style="UCSC-style-name", maskfilename=None, *,
                  overwrite=False, jobs=None, ui=None):
    """Like :func:`load_genomedata`; returns the list of per-input ``LoadSummary``."""
    from ._close_data import close_data
    from ._load_data import load_data, open_source
    from ._load_seq import load_seq
    from ._open_data import open_data
    from ._writer import default_threads

    ui = get_ui(ui)
    tracks = list(tracks or [])
    if not seqfilenames:
        raise GenomedataError("No sequence files specified.")
    for name, filename in tracks:
        if filename not in (None, "-") and not os.path.exists(filename):
            raise GenomedataError(f"Could not find track file: {filename}")
    if maskfilename is not None and not os.path.exists(maskfilename):
        raise GenomedataError(f"Could not find mask file: {maskfilename}")
    grouped = _group_tracks(tracks)
    threads = jobs or default_threads()

    # 1. open and check every input before anything is created
    sources = {}
    try:
        with ThreadPoolExecutor(min(threads, max(1, len(tracks)))) as pool:
            futures = [(index, pool.submit(open_source, filename, ui))
                       for index, (_, filename) in enumerate(tracks)]
            for index, future in futures:
                sources[index] = future.result()
        existed = os.path.exists(_layout.expand_path(gdfilename))
        created = False
        try:
            load_seq(gdfilename, seqfilenames, True, mode, seqfile_type=seqfile_type,
                     assembly_report_file=assembly_report_file,
                     chromosome_name_style=chromosome_name_style, overwrite=overwrite, ui=ui)
            created = True
            summaries = []
            if tracks:
                open_data(gdfilename, list(grouped), chunk_size=chunk_size, ui=ui)
                summaries = _load_tracks(gdfilename, tracks, grouped, sources, maskfilename,
                                         threads, ui, load_data)
            close_data(gdfilename, ui=ui)
        except BaseException:
            if created or not existed:
                _remove(gdfilename)
            raise
    finally:
        for source in sources.values():
            source.close()
    return summaries


def _load_tracks(gdfilename, tracks, grouped, sources, maskfilename, threads, ui, load_data):
    archive = _layout.ArchiveFiles(gdfilename, "r+")
    indexes = {}
    for index, (name, _) in enumerate(tracks):
        indexes.setdefault(name, []).append(index)
    summaries = {}

    def one_track(name):
        for index in indexes[name]:
            summaries[index] = load_data(gdfilename, name, maskfile=maskfilename, ui=ui,
                                         pool=pool, archive=archive, source=sources[index])

    try:
        with ThreadPoolExecutor(threads) as pool, \
                ThreadPoolExecutor(min(len(grouped), 2)) as track_pool:
            for future in [track_pool.submit(one_track, name) for name in grouped]:
                future.result()
    finally:
        archive.close()
    return [summaries[index] for index in sorted(summaries)]


def _remove(path) -> None:
    path = _layout.expand_path(path)
    if os.path.isdir(path):
        shutil.rmtree(path, ignore_errors=True)
    elif os.path.exists(path):
        os.remove(path)


def load_genomedata(gdfilename, tracks=None, seqfilenames=None, mode=None,
                    seqfile_type="fasta", chunk_size=None, assembly_report_file=None,
                    chromosome_name_style="UCSC-style-name", maskfilename=None, verbose=False,
                    *, overwrite=False, jobs=None, ui=None):
    """Create archive ``gdfilename`` from sequence files and ``tracks`` = [(name, file), ...].

    ``mode``: "dir", "file" or None (directory for fewer than 100 sequences).  ``seqfile_type``:
    "fasta", "agp" or "sizes".  ``chunk_size``: rows per chunk of the track arrays (default
    10000).  ``maskfilename``: BED regions whose data is not loaded.  Returns ``gdfilename``.
    """
    from ._ui import UI
    if ui is None and verbose:
        ui = UI(verbosity=2)
    build_archive(gdfilename, tracks, seqfilenames, mode, seqfile_type, chunk_size,
                  assembly_report_file, chromosome_name_style, maskfilename,
                  overwrite=overwrite, jobs=jobs, ui=ui)
    return gdfilename
