"""Region files (BED 3+ columns, or WIG; gzip allowed) as merged regions per chromosome.

Used by ``--maskfile`` (load, load-data) and ``histogram --include-coords``.  The scanning is
the mask-file reader of hardmask, so every region file is read by one parser.
"""

from __future__ import annotations


def parse_regions(path, extents=None) -> dict:
    """{chrom: (starts, ends)}: the merged regions of a region file, int64 arrays.
    ``extents``: {chrom: end} of the archive they apply to (a WIG file is read over those)."""
    from ._hardmask import read_mask_file
    return read_mask_file(path, extents=extents).regions
