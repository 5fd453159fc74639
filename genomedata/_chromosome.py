"""genomedata 1.7's ``genomedata._chromosome``: its names, which live in ``genomedata.api`` and
``genomedata.errors`` now."""

from .api.chromosome import Chromosome, Supercontig  # noqa: F401
from .api.views import DatasetView  # noqa: F401
from .errors import (ClosedError, MissingContinuousData, MissingSequenceData,  # noqa: F401
                     MissingStatisticsError)
