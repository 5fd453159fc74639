"""open-data: add empty tracks to an archive.

Every name is checked before anything is written: names must be new (not in the archive, not
repeated in the call), ASCII and non-empty, the archive must be format version 1 and the chunk
height must agree with the archive's.  Then the tracks are added (``archive.tracks``): new
columns read NaN.
"""

from __future__ import annotations

import os

from .. import _progress
from ..archive import layout as _layout
from ..archive.files import ArchiveFiles
from ..archive.tracks import add_tracks
from ..errors import GenomedataError


@_progress.verbose_argument
def open_data(gdfilename, tracknames, verbose=False, *, chunk_size=None):
    """Add the tracks ``tracknames`` (a list of names) to the archive ``gdfilename``.

    ``chunk_size``: rows per chunk of the ``continuous`` datasets that this call creates
    (default: the archive's existing chunk height, else ``DEFAULT_CHUNK_ROWS``); an error if
    the archive already stores tracks with another chunk height.

    New tracks read NaN until data is loaded (:func:`~genomedata.ops.load_data.load_data`);
    the archive is dirty until :func:`~genomedata.ops.close_data.close_data`.  A name the
    archive already has, or one given twice, is refused before anything is written.

    >>> from genomedata import close_data, open_data
    >>> archive = writable_copy()
    >>> open_data(archive, ["peaks", "mappability"])
    >>> close_data(archive)
    >>> with Genome(archive) as genome:
    ...     print(genome.tracknames_continuous)
    ['conservation', 'dnase', 'peaks', 'mappability']
    """
    names = _layout.check_new_tracknames(tracknames)
    chunk_size = None if chunk_size is None else _layout.check_chunk_rows(chunk_size)
    path = os.fspath(gdfilename)

    # check everything in a read-only session (opening an HDF5 file for writing changes it)
    with ArchiveFiles(path, "r") as files:
        chunk_rows = _check_archive(files, path, names, chunk_size)

    with ArchiveFiles(path, "r+") as files:
        add_tracks(files, names, chunk_rows)


def _check_archive(files, path, names, chunk_size) -> int:
    """Refuse what open-data cannot do, before anything is written; return the chunk height
    of the ``continuous`` datasets to create."""
    chromosomes = files.chromosome_names()
    if files.kind == "directory" and not chromosomes:
        raise GenomedataError(f"{path} contains no chromosome files; load the sequence first "
                              "(genomedata load-seq)")
    known = set()
    for root in files.roots():
        existing = _layout.read_tracknames(root) or []
        known.update(existing)
        _layout.check_tracknames_fit(existing + names)
        _layout.check_can_add_tracks(_layout.read_format_version(root))
    for name in names:
        if name in known:
            raise GenomedataError(f"track {name!r} already exists in {path}")

    heights = []
    roots = _layout.RootCache()
    for chrom in chromosomes:
        group = files.chromosome_group(chrom)
        _layout.check_can_add_tracks(roots.format_version_of(group))
        ntracks = len(roots.tracknames(group) or [])
        for (start, end), supercontig in _layout.supercontig_groups_with_bounds(group):
            dataset = _layout.continuous_of(supercontig, end - start)
            if dataset is None:
                continue
            _layout.check_filters(dataset, write=True)
            if dataset.ndim != 2 or dataset.chunks is None or dataset.maxshape[1] is not None:
                raise GenomedataError(f"{dataset.name} in {path} cannot grow by a track column")
            if dataset.shape[1] > ntracks:
                raise GenomedataError(
                    f"{dataset.name} in {path} has {dataset.shape[1]} track columns but the "
                    f"archive lists {ntracks} track names")
            heights.append(_layout.continuous_chunk_rows(dataset))

    if chunk_size is None:
        return heights[0] if heights else _layout.DEFAULT_CHUNK_ROWS
    other = sorted({height for height in heights if height != chunk_size})
    if other:
        raise GenomedataError(
            f"the archive stores its tracks in chunks of {other[0]} rows; a chunk size of "
            f"{chunk_size} does not match (all tracks of a supercontig share one chunk height)")
    return chunk_size
