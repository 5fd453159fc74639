"""Small shared helpers: errors and warnings, input-file opening, glob expansion.

The names ``fill_array``, ``GenomedataDirtyWarning``, ``OverlapWarning`` and
``GENOMEDATA_ENCODING`` are imported from here by client code written for genomedata 1.7.
"""

from __future__ import annotations

import glob
import gzip
import os
import sys

import numpy as np

from .archive.layout import GENOMEDATA_ENCODING  # noqa: F401  (a genomedata 1.7 name)
from .errors import (ArchiveFormatError, GenomedataDirtyWarning, GenomedataError,  # noqa: F401
                     GenomedataValueError, InputError, NotAnArchiveError, NotFoundError,
                     OverlapWarning, UnsupportedError, name_list, not_found)


def fill_array(scalar, shape, dtype=None, *args, **kwargs):
    """An array of ``shape`` filled with ``scalar`` (``dtype`` defaults to the scalar's)."""
    if dtype is None:
        dtype = np.array(scalar).dtype
    res = np.empty(shape, dtype, *args, **kwargs)
    res.fill(scalar)
    return res


def open_input_binary(path, accepted="text (plain or gzip)"):
    """Open an input file for reading bytes, decompressing gzip (detected by magic bytes);
    other compressions and binary formats are refused with a message saying what they are and
    what is ``accepted``."""
    if path in (None, "-"):
        return sys.stdin.buffer
    try:
        handle = open(path, "rb")
    except FileNotFoundError:
        raise GenomedataError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise GenomedataError(f"{path}: is a directory, not a file") from None
    except PermissionError:
        raise GenomedataError(f"{path}: permission denied") from None
    from ._input import check_text
    from ._sniff import sniff
    kind = sniff(handle.peek(8)[:8])
    if kind == "gzip":
        handle.close()
        return gzip.open(path, "rb")  # owns (and closes) its file
    try:
        check_text(kind, os.fspath(path), accepted)
    except GenomedataError:
        handle.close()
        raise
    return handle


def expand_globs(patterns) -> list[str]:
    """Expand each pattern with glob (sorted); a pattern without a match is kept as given, so
    that a missing file is reported by name."""
    result = []
    for pattern in patterns:
        pattern = os.fspath(pattern)
        matches = sorted(glob.glob(os.path.expanduser(pattern)))
        result.extend(matches if matches else [pattern])
    return result
