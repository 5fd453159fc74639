"""Opening inputs: what an input is, and its bytes (signal input as one ``uint8`` buffer for the
parser kernels).

Every input is recognised by its first bytes (``genomedata._sniff``), never by its name: gzip is
decompressed, other compressions and binary formats get a message saying what the input is
and what is accepted (:func:`check_text`).  Small text inputs (sequence, AGP, sizes, assembly
reports) are read as a stream (:func:`open_binary`).

A plain signal file is memory-mapped.  Gzip input and standard input (gzip or not) are
decompressed / copied once into a spool file in the temporary directory, which is then mapped:
the parsers check the whole input before anything is written, and fill chromosome by
chromosome afterwards, so they need random access to all of it.
"""

from __future__ import annotations

import contextlib
import gzip
import mmap
import os
import sys
import tempfile
import zlib

import numpy as np

from .._progress import NullTask
from .._sniff import KIND_NAMES, sniff
from ..errors import GenomedataError

SPOOL_BLOCK = 16 << 20
# how to turn what genomedata does not read into what it reads
_DECOMPRESS = {"bzip2": "bunzip2 -k", "xz": "unxz -k", "zstd": "unzstd", "zip": "unzip"}


def check_text(kind: str, name: str, accepted: str) -> None:
    """Refuse an input that :func:`sniff` found to be neither text nor gzip (the callers
    handle those, and bigWig where it is accepted): say what it is and what ``accepted``
    (e.g. "signal text (WIG, bedGraph), gzip or bigWig") is."""
    stdin = name == "<stdin>"
    what = "standard input" if stdin else name
    if kind in _DECOMPRESS:
        fix = (f"pipe it through '{_DECOMPRESS[kind].split()[0]} -c'" if stdin else
               f"decompress it first ('{_DECOMPRESS[kind]} {name}') or compress it with gzip")
        raise GenomedataError(f"{what} is {KIND_NAMES[kind]}; genomedata reads {accepted}: "
                              f"{fix}")
    if kind == "bigwig" and stdin:
        raise GenomedataError("standard input is a bigWig file; a bigWig file is read by its "
                              "name (it needs random access): give the file name instead of "
                              "'-'")
    if kind in ("hdf5", "bigwig", "bigbed"):
        archive = " (a Genomedata archive?)" if kind == "hdf5" else ""
        raise GenomedataError(f"{what} is {KIND_NAMES[kind]}{archive}, not {accepted}")


def gzip_error(name: str, exc: BaseException) -> GenomedataError:
    """The message for gzip data that cannot be decompressed."""
    if isinstance(exc, EOFError):
        return GenomedataError(f"{name}: the gzip data ends early: the file is truncated (was "
                               "its download or copy interrupted?)")
    return GenomedataError(f"{name}: the gzip data is damaged ({exc})")


class SignalBuffer:
    """The bytes of one input, with ``data`` a uint8 numpy array over them."""

    def __init__(self, name: str, data: np.ndarray, closers=(), mapping=None):
        self.name = name
        self.data = data
        self._closers = list(closers)
        self._mapping = mapping

    @property
    def nbytes(self) -> int:
        return int(self.data.shape[0])

    def release(self, lo: int, hi: int) -> None:
        """Drop the pages of bytes ``[lo, hi)`` from this process's memory (they are read
        again from the file if touched later): memory-mapped input counts in the resident
        set, and the parser passes over it once per pass."""
        mapping = self._mapping
        if mapping is None or not hasattr(mapping, "madvise"):
            return
        page = mmap.PAGESIZE
        lo = max(0, int(lo)) // page * page
        hi = min(int(hi), len(mapping))
        if hi <= lo:
            return
        try:
            mapping.madvise(mmap.MADV_DONTNEED, lo, hi - lo)
        except (OSError, ValueError, AttributeError):  # pragma: no cover - not Linux
            self._mapping = None

    def close(self) -> None:
        self.data = None
        while self._closers:
            try:
                self._closers.pop()()
            except BufferError:
                # numpy views of the mapping are still alive elsewhere; the mapping is
                # released when the last of them is
                pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _map_file(handle) -> tuple[np.ndarray, list, object]:
    size = os.fstat(handle.fileno()).st_size
    if size == 0:
        return np.zeros(0, dtype=np.uint8), [], None
    mapped = mmap.mmap(handle.fileno(), size, access=mmap.ACCESS_READ)
    data = np.frombuffer(mapped, dtype=np.uint8)
    return data, [mapped.close], mapped


def copy_blocks(stream, out, task) -> None:
    """Copy ``stream`` to the file ``out`` in blocks of ``SPOOL_BLOCK`` bytes, advancing
    ``task`` (a progress task counting bytes) by each."""
    while True:
        block = stream.read(SPOOL_BLOCK)
        if not block:
            break
        out.write(block)
        task.advance(len(block))


def _spool(stream, name: str, task, compressed=False) -> SignalBuffer:
    spool = tempfile.TemporaryFile(prefix="genomedata-spool-")
    try:
        copy_blocks(stream, spool, task)
        spool.flush()
    except (OSError, EOFError) as exc:
        spool.close()
        if compressed:
            raise gzip_error(name, exc) from None
        raise GenomedataError(f"{name}: cannot read input: {exc}") from None
    except BaseException:
        spool.close()
        raise
    data, closers, mapped = _map_file(spool)
    return SignalBuffer(name, data, closers + [spool.close], mapped)


class _Joined:
    """A stream's first bytes, already read to see what it is, then the rest of it."""

    def __init__(self, head: bytes, stream):
        self.head = head
        self.stream = stream

    def read(self, n=-1):
        if self.head:
            block, self.head = (self.head, b"") if n < 0 or n >= len(self.head) else \
                (self.head[:n], self.head[n:])
            return block
        return self.stream.read(n)

    def readinto(self, buffer):
        block = self.read(len(buffer))
        buffer[:len(block)] = block
        return len(block)


def describe(path) -> str:
    return "<stdin>" if path in (None, "-") else os.fspath(path)


SIGNAL = "WIG, bedGraph or BED text (plain or gzip) and bigWig files"


def input_kind(path) -> str:
    """``"bigwig"``, ``"gzip"``, ``"stdin"`` or ``"text"`` (an empty file is text); anything
    else (other compressions, HDF5, bigBed) is refused with a message saying what it is."""
    if path in (None, "-"):
        return "stdin"
    path = os.fspath(path)
    if not os.path.exists(path):
        raise GenomedataError(f"{path}: no such file")
    if os.path.isdir(path):
        raise GenomedataError(f"{path}: is a directory, not a signal file")
    with open(path, "rb") as handle:
        kind = sniff(handle.read(8))
    if kind in ("bigwig", "gzip"):
        return kind
    check_text(kind, path, SIGNAL)
    return "text"


def open_signal(path, task=None) -> SignalBuffer:
    """Map (or spool, then map) a text signal input.  ``task`` receives bytes progress."""
    task = task or NullTask()
    kind = input_kind(path)
    name = describe(path)
    if kind == "stdin":
        stream = sys.stdin.buffer
        head = stream.read(8)
        kind = sniff(head)
        if kind == "gzip":      # recognised by its first bytes, as a gzip file is
            from isal import igzip
            return _spool(igzip.IGzipFile(fileobj=_Joined(head, stream), mode="rb"), name,
                          task, compressed=True)
        check_text(kind, name, SIGNAL)
        return _spool(_Joined(head, stream), name, task)
    if kind == "gzip":
        from isal import igzip
        with open(path, "rb") as raw:
            total = os.fstat(raw.fileno()).st_size

            class _Counting:
                def __init__(self):
                    self.seen = 0

                def read(self, n):
                    block = stream.read(n)
                    done = raw.tell()
                    task.advance(done - self.seen)
                    self.seen = done
                    return block

            stream = igzip.IGzipFile(fileobj=raw, mode="rb")
            buffer = _spool(_Counting(), name, NullTask(), compressed=True)
            task.update(completed=total)
            return buffer
    if kind == "bigwig":
        raise GenomedataError(f"{name} is a bigWig file; it is read with pyBigWig, not as text")
    handle = open(path, "rb")
    data, closers, mapped = _map_file(handle)
    task.advance(len(data))
    return SignalBuffer(name, data, closers + [handle.close], mapped)


# ------------------------------------------------------------------------------------------------
# Small text inputs, read as a stream

def _open_input(path, accepted):
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


@contextlib.contextmanager
def open_binary(path, accepted: str):
    """An input file (standard input for None or "-") opened for reading bytes, gzip
    decompressed (recognised by its first bytes); other compressions and binary formats are
    refused, saying what they are and what is ``accepted``.  The file under a gzip stream is
    closed too, and gzip data that cannot be read is an error naming the file."""
    handle = _open_input(path, accepted)
    raw = getattr(handle, "fileobj", None)
    try:
        yield handle
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise gzip_error(os.fspath(path), exc) from None
    finally:
        handle.close()
        if raw is not None:
            raw.close()
