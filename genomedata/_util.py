"""genomedata 1.7's ``genomedata._util``: the names client code imports from it.

``fill_array``, ``GenomedataDirtyWarning``, ``OverlapWarning`` and ``GENOMEDATA_ENCODING``; the
errors and warnings live in ``genomedata.errors``, the encoding in ``genomedata.archive.layout``.
"""

import numpy as np

from .archive.layout import GENOMEDATA_ENCODING  # noqa: F401
from .errors import GenomedataDirtyWarning, OverlapWarning  # noqa: F401


def fill_array(scalar, shape, dtype=None, *args, **kwargs):
    """An array of ``shape`` filled with ``scalar`` (``dtype`` defaults to the scalar's)."""
    if dtype is None:
        dtype = np.array(scalar).dtype
    res = np.empty(shape, dtype, *args, **kwargs)
    res.fill(scalar)
    return res
