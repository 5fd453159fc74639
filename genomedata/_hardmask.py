"""genomedata 1.7's ``genomedata._hardmask``: ``hardmask_data``, which lives in
``genomedata.ops.hardmask``."""

from .ops.hardmask import hardmask_data  # noqa: F401
