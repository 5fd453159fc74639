"""A region of a genome as users write it, checked against the genome: for ``query`` and the
pictures (``plot``).

A region is written as genome browsers show it, ``CHROM:START-END``, 1-based and inclusive,
commas allowed, or as a chromosome name alone (the whole chromosome); a
``(chrom, start, end)`` tuple is 0-based and half-open, as everywhere in Python.
"""

from __future__ import annotations

from ..errors import GenomedataError, not_found
from ..inputs.regions import parse_locus


def resolve_region(genome, region):
    """``(chromosome, start, end)`` of ``region`` (0-based, half-open), checked against the
    chromosome: an unknown chromosome or a region past its end is an error."""
    names = [chromosome.name for chromosome in genome]
    if isinstance(region, str):
        chrom, start, end = parse_locus(region, names)
        shown = region.strip()
    else:
        try:
            chrom, start, end = region
            chrom, start, end = str(chrom), int(start), int(end)
        except (TypeError, ValueError):
            raise GenomedataError(f"region {region!r} is not a CHROM:START-END string or a "
                                  "(chrom, start, end) tuple") from None
        if start < 0 or end <= start:
            raise GenomedataError(f"region {chrom}:{start}-{end} is empty or negative "
                                  "(0-based, half-open: 0 <= START < END)")
        shown = f"{chrom}:{start:,}-{end:,} (0-based, half-open)"
    if chrom not in names:
        raise not_found("chromosome", chrom, names, genome.filename)
    chromosome = genome[chrom]
    size = chromosome.length
    if start is None:
        return chromosome, 0, size
    if end > size:
        raise GenomedataError(f"region {shown} ends past the end of {chrom}, which has "
                              f"{size:,} bases")
    return chromosome, start, end


def track_columns(genome, tracks) -> list[int]:
    """Column indexes of track names (None: every track, in the archive's order); an unknown
    name is an error naming the tracks the genome has."""
    if tracks is None:
        return list(range(genome.num_tracks_continuous))
    if isinstance(tracks, str):
        tracks = [tracks]
    return [genome.index_continuous(name) for name in tracks]
