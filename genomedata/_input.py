"""Signal input as one ``uint8`` buffer for the parser kernels.

A plain file is memory-mapped.  Gzip input (detected by its magic bytes) and standard input are
decompressed / copied once into a spool file in the temporary directory, which is then mapped:
the parsers check the whole input before anything is written, and fill chromosome by
chromosome afterwards, so they need random access to all of it.
"""

from __future__ import annotations

import mmap
import os
import sys
import tempfile

import numpy as np

from ._layout import is_bigwig_file
from ._util import GZIP_MAGIC, GenomedataError

SPOOL_BLOCK = 16 << 20


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


def _spool(stream, name: str, task) -> SignalBuffer:
    spool = tempfile.TemporaryFile(prefix="genomedata-spool-")
    try:
        while True:
            block = stream.read(SPOOL_BLOCK)
            if not block:
                break
            spool.write(block)
            task.advance(len(block))
        spool.flush()
    except (OSError, EOFError) as exc:
        spool.close()
        raise GenomedataError(f"{name}: cannot read input: {exc}") from None
    data, closers, mapped = _map_file(spool)
    return SignalBuffer(name, data, closers + [spool.close], mapped)


def describe(path) -> str:
    return "<stdin>" if path in (None, "-") else os.fspath(path)


def input_kind(path) -> str:
    """``"bigwig"``, ``"gzip"``, ``"stdin"`` or ``"text"``."""
    if path in (None, "-"):
        return "stdin"
    path = os.fspath(path)
    if not os.path.exists(path):
        raise GenomedataError(f"{path}: no such file")
    if os.path.isdir(path):
        raise GenomedataError(f"{path}: is a directory, not a signal file")
    if is_bigwig_file(path):
        return "bigwig"
    with open(path, "rb") as handle:
        return "gzip" if handle.read(2) == GZIP_MAGIC else "text"


def open_signal(path, task=None) -> SignalBuffer:
    """Map (or spool, then map) a text signal input.  ``task`` receives bytes progress."""
    from ._ui import _NullTask
    task = task or _NullTask()
    kind = input_kind(path)
    name = describe(path)
    if kind == "stdin":
        return _spool(sys.stdin.buffer, name, task)
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
            buffer = _spool(_Counting(), name, _NoAdvance())
            task.update(completed=total)
            return buffer
    if kind == "bigwig":
        raise GenomedataError(f"{name} is a bigWig file; it is read with pyBigWig, not as text")
    handle = open(path, "rb")
    data, closers, mapped = _map_file(handle)
    task.advance(len(data))
    return SignalBuffer(name, data, closers + [handle.close], mapped)


class _NoAdvance:
    def advance(self, amount=1):
        pass

    def update(self, **kwargs):
        pass
