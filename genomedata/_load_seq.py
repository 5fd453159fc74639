"""genomedata 1.7's ``genomedata._load_seq``: ``load_seq``, which lives in
``genomedata.ops.load_seq``."""

from .ops.load_seq import load_seq  # noqa: F401
