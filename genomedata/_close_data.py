"""genomedata 1.7's ``genomedata._close_data``: ``close_data``, which lives in
``genomedata.ops.close_data``."""

from .ops.close_data import close_data  # noqa: F401
