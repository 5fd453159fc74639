"""genomedata 1.7's ``genomedata._bigwig``: a bigWig file read as a genome, which lives in
``genomedata.api.bigwig`` now."""

from .api.bigwig import BigWigChromosome, BigWigGenome  # noqa: F401
