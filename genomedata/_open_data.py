"""genomedata 1.7's ``genomedata._open_data``: ``open_data``, which lives in
``genomedata.ops.open_data``."""

from .ops.open_data import open_data  # noqa: F401
