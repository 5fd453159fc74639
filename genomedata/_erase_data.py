"""genomedata 1.7's ``genomedata._erase_data``: ``erase_data``, which lives in
``genomedata.ops.erase_data``."""

from .ops.erase_data import erase_data  # noqa: F401
