"""Crash safety for archive writes: an undo journal under every HDF5 file opened for writing.

HDF5 (without SWMR, which the 1.7.4-compatible format rules out) keeps its metadata in a cache
and writes it back in no particular order, so a writer killed in mid-write can leave a file that
no longer opens ("addr overflow", "bad object header") -- including tracks loaded by earlier,
successful commands.  Measured here: SIGKILL of ``load-data`` into a single-file archive with
realistic chunk counts made the whole file unreadable in most runs.

So every HDF5 file that a command opens for writing is opened through a :class:`JournaledFile`
(h5py's ``fileobj`` driver): before HDF5 first overwrites a byte that was in the file when it
was opened, the old bytes are appended to an undo journal ``.<file>.journal`` beside it; the
journal, created at the first write, also records the original size (undoing bytes written
past the original end is a truncation).  A
:class:`Transaction` groups every file that one command opens: when all of them are closed, a
commit marker is created, the journals are deleted, then the marker.  A file whose journal has no
commit marker is rolled back -- old bytes written back, file truncated to its old size -- the
next time anything opens it for writing; until then reading it is refused with
:class:`ArchiveInterruptedError` (a read never changes a file).  So a command either happens
completely or, after it is killed, not at all.

Locks: a journaled writer takes the same ``flock`` that HDF5 takes (exclusive), so HDF5 readers
and writers in other processes see it as a writer; ``locking=False`` or
``HDF5_USE_FILE_LOCKING=FALSE`` turn it off, ``BEST_EFFORT`` ignores file systems without locks.

Not covered: a power failure or operating-system crash (the journal is not fsync'ed before each
overwrite), and HDF5 files created by a command (``load-seq``, ``load`` build a new archive
under a temporary name and rename it into place instead).
"""

from __future__ import annotations

import bisect
import errno
import os
import struct

from ._util import GenomedataError

JOURNAL_SUFFIX = ".journal"
COMMIT_PREFIX = ".genomedata-commit-"
MAGIC = b"GDUNDO1\n"
_HEADER = struct.Struct("<Q16s")      # original size, transaction id
_RECORD = struct.Struct("<QQ")        # offset, length (then the old bytes)


class ArchiveLockedError(GenomedataError):
    """Another process holds the HDF5 file lock of an archive file."""


class ArchiveInterruptedError(GenomedataError):
    """A write to an archive file did not finish; it is undone by the next writer."""


def journal_path(path) -> str:
    directory, base = os.path.split(os.fspath(path))
    return os.path.join(directory, f".{base}{JOURNAL_SUFFIX}")


def _marker_path(directory, txid: bytes) -> str:
    return os.path.join(directory, COMMIT_PREFIX + txid.hex())


def locking_mode(locking) -> str:
    """``"on"``, ``"off"`` or ``"best"`` from a ``locking`` argument (None: the environment
    variable HDF5_USE_FILE_LOCKING as HDF5 reads it)."""
    if locking is None:
        value = os.environ.get("HDF5_USE_FILE_LOCKING", "").strip().upper()
        if value in ("FALSE", "0"):
            return "off"
        if value == "BEST_EFFORT":
            return "best"
        return "on"
    if locking == "best-effort":
        return "best"
    return "on" if locking else "off"


def locked_message(path, writing: bool) -> str:
    what = "open in" if writing else "being written by"
    return (f"{path} is {what} another process (HDF5 file lock); try again when it finishes, "
            "or open it without locking (locking=False, or HDF5_USE_FILE_LOCKING=FALSE) at "
            "your own risk")


def interrupted_message(path) -> str:
    return (f"{path} was being changed by a command that did not finish (it was killed, or is "
            "still running without file locking); the next command that opens the archive "
            "for writing undoes the unfinished change -- run that command again")


def is_lock_error(exc: OSError) -> bool:
    return "unable to lock file" in str(exc) or getattr(exc, "errno", None) in (
        errno.EWOULDBLOCK, errno.EAGAIN)


def _lock(fd, path, mode: str) -> None:
    if mode == "off":
        return
    import fcntl
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
            raise ArchiveLockedError(locked_message(path, writing=True)) from None
        if mode == "best" and exc.errno in (errno.ENOSYS, errno.ENOLCK, errno.EOPNOTSUPP):
            return
        raise


def _read_all(fd, size: int, offset: int) -> bytes:
    """``size`` bytes at ``offset``, zero-padded past the end of the file (as HDF5's sec2
    driver reads)."""
    parts = []
    done = 0
    while done < size:
        block = os.pread(fd, size - done, offset + done)
        if not block:
            break
        parts.append(block)
        done += len(block)
    data = b"".join(parts)
    return data + bytes(size - len(data)) if len(data) < size else data


def _write_all(fd, data, offset=None) -> None:
    view = memoryview(data)
    while len(view):
        written = os.write(fd, view) if offset is None else os.pwrite(fd, view, offset)
        view = view[written:]
        if offset is not None:
            offset += written


# ------------------------------------------------------------------------------------------------
# Recovery

def _parse(raw: bytes):
    """(original size, txid, [(offset, old bytes)]) of a journal; a header or record cut short
    by a kill is left out (its overwrite never started)."""
    if len(raw) < len(MAGIC) + _HEADER.size or not raw.startswith(MAGIC):
        return None
    size0, txid = _HEADER.unpack_from(raw, len(MAGIC))
    records = []
    pos = len(MAGIC) + _HEADER.size
    while pos + _RECORD.size <= len(raw):
        offset, length = _RECORD.unpack_from(raw, pos)
        pos += _RECORD.size
        if pos + length > len(raw):
            break
        records.append((offset, raw[pos:pos + length]))
        pos += length
    return size0, txid, records


def pending(path) -> bool:
    """Whether ``path`` has a journal of a write that neither finished nor was undone (a
    journal of a committed transaction does not count)."""
    journal = journal_path(path)
    try:
        with open(journal, "rb") as handle:
            raw = handle.read(len(MAGIC) + _HEADER.size)
    except FileNotFoundError:
        return False
    parsed = _parse(raw)
    if parsed is None:
        return False
    return not os.path.exists(_marker_path(os.path.dirname(journal), parsed[1]))


def recover(path, fd) -> bool:
    """Undo the unfinished write recorded in ``path``'s journal (the caller holds the file's
    lock and ``fd`` is open for writing).  Returns whether anything was rolled back."""
    journal = journal_path(path)
    try:
        with open(journal, "rb") as handle:
            raw = handle.read()
    except FileNotFoundError:
        return False
    parsed = _parse(raw)
    rolled_back = False
    if parsed is not None:
        size0, txid, records = parsed
        if not os.path.exists(_marker_path(os.path.dirname(journal), txid)):
            for offset, old in records:
                _write_all(fd, old, offset)
            os.ftruncate(fd, size0)
            os.fsync(fd)
            rolled_back = True
    os.unlink(journal)
    return rolled_back


def recover_file(path, locking=None) -> bool:
    """Roll back ``path``'s unfinished write, if any (takes the file's lock meanwhile)."""
    if not os.path.exists(journal_path(path)):
        return False
    fd = os.open(path, os.O_RDWR)
    try:
        _lock(fd, path, locking_mode(locking))
        return recover(path, fd)
    finally:
        os.close(fd)


# ------------------------------------------------------------------------------------------------
# Writing

# files this process writes through a journal, by (device, inode): a reader in the same
# process cannot take the HDF5 lock against its own writer (see open_h5)
_WRITING: dict = {}


def _identity(path):
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def writer_in_this_process(path):
    """The :class:`JournaledFile` through which this process writes ``path``, or None."""
    key = _identity(path)
    return None if key is None else _WRITING.get(key)


class Transaction:
    """The files one command opens for writing: committed or rolled back together."""

    def __init__(self):
        self.txid = os.urandom(16)   # (the secrets module costs 5 ms of start-up)
        self.files: list[JournaledFile] = []

    def _journaled(self):
        return [f for f in self.files if f.journal_fd is not None]

    def commit(self) -> None:
        """Make the changes permanent (every HDF5 file of the transaction must be closed)."""
        try:
            journaled = self._journaled()
            if journaled:
                directories = sorted({os.path.dirname(f.journal) for f in journaled})
                for directory in directories:
                    fd = os.open(_marker_path(directory, self.txid),
                                 os.O_WRONLY | os.O_CREAT, 0o644)
                    os.close(fd)
                for f in journaled:
                    f.close_journal(delete=True)
                for directory in directories:
                    os.unlink(_marker_path(directory, self.txid))
        finally:
            self._release()

    def abort(self) -> None:
        """Undo every change (every HDF5 file of the transaction must be closed)."""
        try:
            for f in self.files:
                if f.journal_fd is not None:   # (no journal: nothing was written)
                    f.close_journal(delete=False)
                    recover(f.path, f.fd)
        finally:
            self._release()

    def _release(self) -> None:
        files, self.files = self.files, []
        for f in files:
            f.release()


class JournaledFile:
    """A file object for h5py's ``fileobj`` driver that journals the old bytes of every
    overwrite below the file's size at opening."""

    def __init__(self, path, transaction: Transaction, locking=None):
        self.path = os.fspath(path)
        self.transaction = transaction
        self.journal = journal_path(self.path)
        self.journal_fd = None
        self.size0 = None
        self.pos = 0
        self._starts: list[int] = []   # saved ranges, disjoint and sorted
        self._ends: list[int] = []
        self.fd = os.open(self.path, os.O_RDWR)
        try:
            _lock(self.fd, self.path, locking_mode(locking))
            recover(self.path, self.fd)
            st = os.fstat(self.fd)
            self.size0 = st.st_size
        except BaseException:
            os.close(self.fd)
            raise
        self.h5id = None          # the HDF5 file written through this object (set by open_h5)
        self._key = (st.st_dev, st.st_ino)
        _WRITING[self._key] = self
        transaction.files.append(self)

    def flush_hdf5(self) -> None:
        """Write HDF5's cached metadata of this file (for a reader in the same process)."""
        if self.h5id is not None and self.h5id.valid:
            from h5py import h5f
            h5f.flush(self.h5id)

    def __repr__(self):
        # h5py names the HDF5 file after the repr of its file object (File.filename)
        return self.path

    # -- the file-object interface h5py's driver uses
    def seek(self, offset, whence=0):
        if whence == 0:
            self.pos = offset
        elif whence == 1:
            self.pos += offset
        else:
            self.pos = os.fstat(self.fd).st_size + offset
        return self.pos

    def tell(self):
        return self.pos

    def read(self, size=-1):
        if size is None or size < 0:
            size = max(0, os.fstat(self.fd).st_size - self.pos)
        data = _read_all(self.fd, size, self.pos)
        self.pos += size
        return data

    def write(self, data):
        size = len(data) if not isinstance(data, memoryview) else data.nbytes
        self._start_journal()
        if self.pos < self.size0:
            self._save(self.pos, min(self.pos + size, self.size0))
        _write_all(self.fd, data, self.pos)
        self.pos += size
        return size

    def truncate(self, size=None):
        size = self.pos if size is None else size
        self._start_journal()
        if size < self.size0:
            self._save(size, self.size0)
        os.ftruncate(self.fd, size)
        return size

    def flush(self):
        pass

    def readable(self):
        return True

    def writable(self):
        return True

    def seekable(self):
        return True

    # -- the journal
    def _start_journal(self) -> None:
        """The journal exists (with the file's original size) before the first change: undoing
        writes past the old end is cutting them off."""
        if self.journal_fd is None:
            self.journal_fd = os.open(self.journal, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            _write_all(self.journal_fd, MAGIC + _HEADER.pack(self.size0,
                                                             self.transaction.txid))

    def _save(self, lo: int, hi: int) -> None:
        """Journal the old bytes of [lo, hi) not journaled yet."""
        starts, ends = self._starts, self._ends
        index = bisect.bisect_right(ends, lo)
        gaps = []
        cursor = lo
        while cursor < hi:
            if index < len(starts) and starts[index] <= cursor:
                cursor = ends[index]
                index += 1
                continue
            stop = min(hi, starts[index]) if index < len(starts) else hi
            gaps.append((cursor, stop))
            cursor = stop
        for a, b in gaps:
            old = _read_all(self.fd, b - a, a)
            _write_all(self.journal_fd, _RECORD.pack(a, b - a) + old)
            self._add(a, b)

    def _add(self, lo: int, hi: int) -> None:
        starts, ends = self._starts, self._ends
        i = bisect.bisect_left(ends, lo)        # first range that ends at or after lo
        j = bisect.bisect_right(starts, hi)     # ranges before j start at or before hi
        if i < j:
            lo = min(lo, starts[i])
            hi = max(hi, ends[j - 1])
        starts[i:j] = [lo]
        ends[i:j] = [hi]

    def close_journal(self, delete: bool) -> None:
        if self.journal_fd is not None:
            os.close(self.journal_fd)
            self.journal_fd = None
            if delete:
                os.unlink(self.journal)

    def release(self) -> None:
        self.close_journal(delete=False)
        if _WRITING.get(self._key) is self:
            del _WRITING[self._key]
        if self.fd is not None:
            os.close(self.fd)   # releases the lock
            self.fd = None
