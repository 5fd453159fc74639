"""genomedata 1.7's ``genomedata.load_genomedata``: ``load_genomedata``, which lives in
``genomedata.ops.load``."""

from .ops.load import load_genomedata  # noqa: F401
