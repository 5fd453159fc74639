"""genomedata 1.7's ``genomedata._load_data``: ``load_data``, which lives in
``genomedata.ops.load_data``."""

from .ops.load_data import load_data  # noqa: F401
