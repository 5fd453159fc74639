"""Adding tracks to an archive open for writing (open-data, and ``genomedata load``).

Each new track's name is appended to ``tracknames`` on every file root, every chromosome is
marked dirty and every supercontig's ``continuous`` dataset is created (if missing) and grown
by one column per new track.  New columns read NaN: in old archives whose fill value is 0 they
are erased explicitly.
"""

from __future__ import annotations

from .. import _progress
from .files import ArchiveFiles
from .layout import (DEFAULT_CHUNK_ROWS, RootCache, add_continuous_column,
                     continuous_chunk_rows, continuous_fill_is_nan, continuous_of,
                     create_continuous, read_tracknames, supercontig_groups,
                     supercontig_groups_with_bounds, write_dirty, write_tracknames)
from .writer import erase_column


def add_tracks(files: ArchiveFiles, names, chunk_rows: int) -> None:
    """Add the tracks ``names`` (checked: :func:`layout.check_new_tracknames`, not in the
    archive yet) to every chromosome of ``files``; ``continuous`` datasets created now get
    chunks of ``chunk_rows`` rows."""
    for root in files.roots():
        write_tracknames(root, (read_tracknames(root) or []) + list(names))
    for name in names:
        _progress.verbose(f"adding track {name}")
    chromosomes = files.chromosome_names()
    roots = RootCache()
    with _progress.task("adding tracks", total=len(chromosomes), unit="chromosomes") as task:
        for chrom in chromosomes:
            group = files.chromosome_group(chrom)
            write_dirty(group, True)
            # the file's track list already holds the new names
            target = len(roots.tracknames(group))
            for (start, end), supercontig in supercontig_groups_with_bounds(group):
                dataset = continuous_of(supercontig, end - start)
                if dataset is None:
                    # created with every track's column: they read NaN, its fill value
                    create_continuous(supercontig, end - start, target, chunk_rows)
                    continue
                while dataset.shape[1] < target:
                    _erase_if_not_nan(dataset, add_continuous_column(dataset))
            task.advance()


def _erase_if_not_nan(dataset, column: int) -> None:
    """A new column of a dataset whose fill value is not NaN (old archives: 0) must be made
    to read NaN, as a track that was never loaded does."""
    if not continuous_fill_is_nan(dataset):
        erase_column(dataset, column)


def chunk_rows_of(files: ArchiveFiles) -> int:
    """The chunk height of the archive's ``continuous`` datasets (the first one found), else
    the default."""
    for chrom in files.chromosome_names():
        for supercontig in supercontig_groups(files.chromosome_group(chrom)):
            dataset = continuous_of(supercontig)
            if dataset is not None:
                return continuous_chunk_rows(dataset)
    return DEFAULT_CHUNK_ROWS
