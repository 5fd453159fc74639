"""Every exception and warning of the package, and the messages that more than one layer says.

This module imports nothing of the package: every other module may import it.

Errors meant for people are :class:`GenomedataError` (the commands print their message as it
is, without a traceback); most are also one of Python's built-in error types, so that code
written for genomedata 1.7 that catches ``KeyError``, ``ValueError``, ``OSError`` ... keeps
working.  genomedata 1.7's own names stay importable where it defined them
(``genomedata._util.GenomedataDirtyWarning``,
``genomedata._chromosome.MissingContinuousData`` ...).
"""

from __future__ import annotations

import os

# ------------------------------------------------------------------------------------------------
# Warnings

class GenomedataDirtyWarning(UserWarning):
    """A chromosome was modified and its metadata must be recomputed with close-data."""


class OverlapWarning(UserWarning):
    """A read touches no supercontig, or more than one."""


# ------------------------------------------------------------------------------------------------
# Errors meant for people

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


class MissingExtraError(GenomedataError, ImportError):
    """A feature needs an optional extra that is not installed (an ``ImportError`` to API
    callers); the message names the extra and how to install it."""


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

    def __reduce__(self):
        # raised in another process (a task of a distributed load) and pickled back
        return type(self), (self.filename, self.line, self.message)


class HardmaskOptionError(GenomedataError, ValueError):
    """A ``--hardmask`` option that is not an operator followed by a number."""


class ArchiveLockedError(GenomedataError):
    """Another process holds the HDF5 file lock of an archive file."""


class ArchiveInterruptedError(GenomedataError):
    """A write to an archive file did not finish; it is undone by the next writer."""


# ------------------------------------------------------------------------------------------------
# The read API's errors (genomedata 1.7 raised the first one; the others are ours)

class MissingContinuousData(Exception):
    """Raised when a supercontig has no ``continuous`` dataset (no track was ever opened)."""


class MissingSequenceData(GenomedataError, LookupError):
    """Raised when sequence is read from a supercontig that has none (archive built from an
    assembly (AGP) or a sizes file)."""


class MissingStatisticsError(GenomedataError, AttributeError):
    """Raised when track statistics are read from a chromosome that has none."""


class ClosedError(GenomedataError, ValueError):
    """Raised when a closed Genome or Chromosome is used."""


class ChromosomeDirtyError(GenomedataError):
    """The chromosome was modified and not closed with genomedata close-data (also reached as
    ``Chromosome.ChromosomeDirtyError``, genomedata 1.7's name).

    Raised when such an archive is opened read-only; run ``genomedata close-data`` on it
    (or open it with mode ``"r+"``).

    >>> path = writable_copy()
    >>> with Genome(path, "r+") as genome:
    ...     genome["chr1"][100, "dnase"] = 1.0
    >>> Genome(path)
    Traceback (most recent call last):
    ...
    genomedata.errors.ChromosomeDirtyError: ...(chromosome chr1)...; run 'genomedata close-data ...' first
    """


# ------------------------------------------------------------------------------------------------
# Messages

NAMES_SHOWN = 8   # names listed in a message about an unknown name


def shorten(text: str, limit: int = 80) -> str:
    """``text`` cut to ``limit`` characters for a message (a name can be megabytes long)."""
    text = str(text)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


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


def dirty_parts(archive, chrom=None) -> tuple[str, str]:
    """(what is wrong, what to do) of :func:`dirty_message`."""
    which = f" (chromosome {chrom})" if chrom else ""
    return (f"{archive} was modified after close-data{which}, so its statistics are out of "
            f"date", f"run 'genomedata close-data {archive}' first")


def dirty_message(archive, chrom=None) -> str:
    """The one message for an archive changed since close-data (the API and every command
    say it): what is wrong and the command that fixes it."""
    return "; ".join(dirty_parts(archive, chrom))
