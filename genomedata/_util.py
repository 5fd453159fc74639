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

from ._layout import GENOMEDATA_ENCODING, shorten  # noqa: F401  (GENOMEDATA_ENCODING: public compatibility name)

GZIP_MAGIC = b"\x1f\x8b"


class GenomedataDirtyWarning(UserWarning):
    """A chromosome was modified and its metadata must be recomputed with close-data."""


class OverlapWarning(UserWarning):
    """A read touches no supercontig, or more than one."""


class GenomedataError(Exception):
    """An error whose message is meant for the user as it is (no traceback)."""


class GenomedataValueError(GenomedataError, ValueError):
    """A value the user gave that cannot be used (a ``ValueError`` to API callers)."""


class NotFoundError(GenomedataError, KeyError):
    """A chromosome or track name the archive does not have (a ``KeyError`` to API callers,
    as in genomedata 1.7); the message names those it has."""

    def __str__(self):
        return str(self.args[0]) if self.args else ""


class NotAnArchiveError(GenomedataError, OSError):
    """A path that is not a Genomedata archive (an ``OSError`` to API callers, as the HDF5
    error it replaces)."""

    def __str__(self):
        return str(self.args[0]) if self.args else ""


class UnsupportedError(GenomedataError, NotImplementedError):
    """Something this archive or file cannot do (a ``NotImplementedError`` to API callers)."""


NAMES_SHOWN = 8   # names listed in a message about an unknown name


def name_list(names, shown: int = NAMES_SHOWN) -> str:
    """``a, b, c`` or, for a long list, its first ``shown`` names and how many more."""
    names = [shorten(name) for name in names]
    if len(names) <= shown:
        return ", ".join(names)
    return ", ".join(names[:shown]) + f" and {len(names) - shown:,} more"


def not_found(kind: str, name, names, where, advice: str = "") -> NotFoundError:
    """``Could not find KIND: NAME`` and the names ``where`` (an archive path) has; then
    ``advice`` if any."""
    names = list(names)
    if not names:
        has = f"{where} has no {kind}s"
    else:
        plural = f"{kind}s" if len(names) != 1 else kind
        has = f"{where} has {len(names):,} {plural}: {name_list(names)}"
    return NotFoundError(f"Could not find {kind}: {shorten(name)} ({has})"
                         + (f"; {advice}" if advice else ""))
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
    from ._input import check_text, sniff
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
