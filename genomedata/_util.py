"""Small shared helpers: errors and warnings, input-file opening, glob expansion.

The names ``fill_array``, ``GenomedataDirtyWarning``, ``OverlapWarning`` and
``GENOMEDATA_ENCODING`` are imported from here by client code written for genomedata 1.7.
"""

from __future__ import annotations

import glob
import gzip
import io
import os
import sys

import numpy as np

from ._layout import GENOMEDATA_ENCODING  # noqa: F401  (public compatibility name)

GZIP_MAGIC = b"\x1f\x8b"


class GenomedataDirtyWarning(UserWarning):
    """A chromosome was modified and its metadata must be recomputed with close-data."""


class OverlapWarning(UserWarning):
    """A read touches no supercontig, or more than one."""


class GenomedataError(Exception):
    """An error whose message is meant for the user as it is (no traceback)."""


class ArchiveFormatError(GenomedataError):
    """An archive file that is not laid out as Genomedata lays it out (names the object and what
    is wrong with it)."""


class InputError(GenomedataError, ValueError):
    """Malformed input, located at ``filename:line``."""

    def __init__(self, filename, line, message):
        self.filename = os.fspath(filename) if filename is not None else "<stdin>"
        self.line = line
        self.message = message
        where = self.filename if line is None else f"{self.filename}:{line}"
        super().__init__(f"{where}: {message}")


def fill_array(scalar, shape, dtype=None, *args, **kwargs):
    """An array of ``shape`` filled with ``scalar`` (``dtype`` defaults to the scalar's)."""
    if dtype is None:
        dtype = np.array(scalar).dtype
    res = np.empty(shape, dtype, *args, **kwargs)
    res.fill(scalar)
    return res


def is_gzip_file(path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(2) == GZIP_MAGIC


def open_input_binary(path):
    """Open an input file for reading bytes, decompressing gzip (detected by magic bytes)."""
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
    if handle.peek(2)[:2] == GZIP_MAGIC:
        handle.close()
        return gzip.open(path, "rb")  # owns (and closes) its file
    return handle


def open_input_text(path):
    """Open an input file as ASCII text with universal newlines (gzip detected by magic)."""
    return io.TextIOWrapper(open_input_binary(path), encoding="ascii", newline=None)


def expand_globs(patterns) -> list[str]:
    """Expand each pattern with glob (sorted); a pattern without a match is kept as given, so
    that a missing file is reported by name."""
    result = []
    for pattern in patterns:
        pattern = os.fspath(pattern)
        matches = sorted(glob.glob(os.path.expanduser(pattern)))
        result.extend(matches if matches else [pattern])
    return result


def die(message: str):
    raise GenomedataError(message)
