"""open-data: add empty tracks to an archive (REFERENCE §4.1).

Every name is checked before anything is written: names must be new (not in the archive, not
repeated in the call), ASCII and non-empty, the archive must be format version 1 and the chunk
height must agree with the archive's.  Then the names are appended to ``tracknames`` on every
file root, every chromosome is marked dirty and every supercontig's ``continuous`` dataset is
created (if missing) and grown by one column per new track.  New columns read NaN.
"""

from __future__ import annotations

import os

import numpy as np

from . import _layout
from ._layout import ArchiveFiles
from . import _progress
from .errors import GenomedataError, UnsupportedError, shorten

ADD_TRACK_VERSION_MESSAGE = ("Adding tracks is only supported for archives created with "
                             "Genomedata version 1.2.0 or later.")

# rows written at a time when an old archive's new columns must be filled with NaN explicitly
_NAN_FILL_ROWS = 1 << 20


def _check_names(tracknames) -> list[str]:
    if isinstance(tracknames, (str, bytes)):
        tracknames = [tracknames]
    names = []
    for name in tracknames:
        if isinstance(name, bytes):
            name = name.decode(_layout.GENOMEDATA_ENCODING, "replace")
        name = str(name)
        try:
            _layout.check_trackname(name)
        except ValueError as err:
            raise GenomedataError(str(err)) from None
        if name in names:
            raise GenomedataError(f"track name {shorten(name)!r} is given more than "
                                  "once")
        names.append(name)
    if not names:
        raise GenomedataError("no track name given")
    try:
        _layout.check_tracknames_fit(names)
    except ValueError as err:
        raise GenomedataError(str(err)) from None
    return names


def _check_chunk_size(chunk_size):
    if chunk_size is None:
        return None
    try:
        value = int(chunk_size)
    except (TypeError, ValueError):
        raise GenomedataError(f"chunk size must be a whole number of rows, not {chunk_size!r}")
    if value != chunk_size or value < 1:
        raise GenomedataError(f"chunk size must be a positive number of rows, not {chunk_size}")
    if value > _layout.MAX_CHUNK_ROWS:
        raise GenomedataError(f"chunk size {value} is too large: an HDF5 chunk must be smaller "
                              f"than 4 GiB (at most {_layout.MAX_CHUNK_ROWS} rows)")
    return value


def chromosome_format_version(group):
    """A chromosome's format version as the reference looks it up: the file root's attribute,
    else the chromosome group's, else 0."""
    version = _layout.read_format_version(group.file["/"])
    if version is None:
        version = _layout.read_format_version(group)
    return 0 if version is None else version


def _fill_new_columns_with_nan(dataset, col0: int, col1: int) -> None:
    """Old archives (PyTables 2) have fill value 0: make the new columns read NaN, as a track
    that was never loaded must."""
    if _layout.continuous_fill_is_nan(dataset) or col1 <= col0:
        return
    nrows = dataset.shape[0]
    chunk_rows = _layout.continuous_chunk_rows(dataset)
    step = max(chunk_rows, _NAN_FILL_ROWS // chunk_rows * chunk_rows)
    values = np.full((min(step, nrows), col1 - col0), np.nan, dtype=np.float32)
    for row0 in range(0, nrows, step):
        row1 = min(nrows, row0 + step)
        dataset[row0:row1, col0:col1] = values[:row1 - row0]


@_progress.verbose_argument
def open_data(gdfilename, tracknames, verbose=False, *, chunk_size=None):
    """Add the tracks ``tracknames`` (a list of names) to the archive ``gdfilename``.

    ``chunk_size``: rows per chunk of the ``continuous`` datasets that this call creates
    (default: the archive's existing chunk height, else ``DEFAULT_CHUNK_ROWS``); an error if
    the archive already stores tracks with another chunk height.

    New tracks read NaN until data is loaded (:func:`~genomedata._load_data.load_data`);
    the archive is dirty until :func:`~genomedata._close_data.close_data`.  A name the
    archive already has, or one given twice, is refused before anything is written.

    >>> from genomedata import close_data, open_data
    >>> archive = writable_copy()
    >>> open_data(archive, ["peaks", "mappability"])
    >>> close_data(archive)
    >>> with Genome(archive) as genome:
    ...     print(genome.tracknames_continuous)
    ['conservation', 'dnase', 'peaks', 'mappability']
    """
    names = _check_names(tracknames)
    chunk_size = _check_chunk_size(chunk_size)
    path = os.fspath(gdfilename)

    # check everything in a read-only session (opening an HDF5 file for writing changes it)
    with ArchiveFiles(path, "r") as files:
        chunk_rows = _check_archive(files, path, names, chunk_size)

    with ArchiveFiles(path, "r+") as files:
        for root in files.roots():
            _layout.write_tracknames(root, (_layout.read_tracknames(root) or []) + names)
        for name in names:
            _progress.verbose(f"adding track {name}")
        chromosomes = files.chromosome_names()
        with _progress.task("adding tracks", total=len(chromosomes), unit="chromosomes") as task:
            for chrom in chromosomes:
                group = files.chromosome_group(chrom)
                _layout.write_dirty(group, True)
                # the file's track list already holds the new names
                target = len(_layout.read_tracknames(group.file["/"]))
                for supercontig in _layout.supercontig_groups(group):
                    dataset = _layout.continuous_of(supercontig)
                    if dataset is None:
                        start, end = _layout.supercontig_bounds(supercontig)
                        dataset = _layout.create_continuous(supercontig, end - start, 0,
                                                            chunk_rows)
                    col0 = dataset.shape[1]
                    while dataset.shape[1] < target:
                        _layout.add_continuous_column(dataset)
                    _fill_new_columns_with_nan(dataset, col0, target)
                task.advance()


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
        try:
            _layout.check_tracknames_fit(existing + names)
        except ValueError as err:
            raise GenomedataError(str(err)) from None
        version = _layout.read_format_version(root)
        if version is not None and version < 1:
            raise UnsupportedError(ADD_TRACK_VERSION_MESSAGE)
    for name in names:
        if name in known:
            raise GenomedataError(f"track {name!r} already exists in {path}")

    heights = []
    for chrom in chromosomes:
        group = files.chromosome_group(chrom)
        version = chromosome_format_version(group)
        if version < 1:
            raise UnsupportedError(ADD_TRACK_VERSION_MESSAGE)
        if version > _layout.FORMAT_VERSION:
            raise UnsupportedError(
                f"This archive has format version {version}, but the installed Genomedata "
                f"software only supports format version {_layout.FORMAT_VERSION}")
        ntracks = len(_layout.read_tracknames(group.file["/"]) or [])
        for supercontig in _layout.supercontig_groups(group):
            dataset = _layout.continuous_of(supercontig)
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
