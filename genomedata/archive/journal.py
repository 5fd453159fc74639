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
past the original end is a truncation).  The overwrites HDF5 makes between two flushes
wait in memory until their old bytes are on disk, one fsync of the journal for all of them
(HDF5 writes its metadata back piece by piece: an fsync per piece cost close-data a second
on a genome of 24 chromosomes).  A :class:`Transaction` groups every file that one
command opens: when all of them are closed, a commit marker is created, the journals are
deleted, then the marker.  A file whose journal has no commit marker is rolled back -- old bytes
written back, file truncated to its old size -- the next time anything opens it for writing;
until then reading it is refused with :class:`ArchiveInterruptedError` (a read never changes a
file).  So a command either happens completely or, after it is killed, not at all.

Which file a journal belongs to.  A journal is found by name, but it must never be applied to
another file that later appears under that name (``rm`` and a new ``load``, ``load
--overwrite``, a copy put in place).  So:

* the journal lives beside the *real* file: symbolic links in the path the archive was opened
  by are resolved first, so every path to a file finds the same journal;
* its header records the file's identity, device and inode number, and every check compares
  that with the file found under the name now: a journal whose file is gone (another inode at
  the name) is *stale* -- readers ignore it, writers and ``genomedata load``/``load-seq``
  delete it, never applying it;
* an inode number alone is not an identity: once a file is deleted, a new file may get its
  number.  So, before the journal is created, a second name ``.<file>.journal-inode`` is made
  for the file (a hard link; no data is copied).  While the journal exists the old inode
  therefore cannot be freed, and no new file can get its number; the link is deleted with the
  journal.  (Where hard links are not possible -- some network or FAT file systems -- the
  journal records that, and device and inode are then compared without that guarantee.)

Content stamps (size, modification time at the start) cannot serve instead: the command being
journaled changes both, and a random identifier cannot be stored in an HDF5 file without
changing the file.  What the design does not cover: a program other than genomedata rewriting
the same file in place (same inode) while its journal is pending, and a file moved to another
name before its journal was applied (it stays as the kill left it).

Files are created exclusively: journals, links and commit markers with ``O_CREAT | O_EXCL |
O_NOFOLLOW`` (``link`` never follows the new name either), so a symbolic link planted at one of
these predictable names in a shared folder makes the command fail instead of redirecting a
write; journals are read with ``O_NOFOLLOW``.

Durability: the journal (and, once, its folder) is ``fsync``'ed after each new record, before
the bytes it saves are overwritten -- a command writes few such records (HDF5 metadata; track
data is appended at the end of the file), so this costs little -- and every file is
``fsync``'ed before its commit marker is created.  So after a power failure or operating-system
crash too, the journal holds every old byte that may have been overwritten on disk, and a
committed command's data are on disk.  (A disk or file system that acknowledges an ``fsync``
without storing the data defeats this, as it defeats every database.)

Locks: a journaled writer takes the same ``flock`` that HDF5 takes (exclusive), so HDF5 readers
and writers in other processes see it as a writer; ``locking=False`` or
``HDF5_USE_FILE_LOCKING=FALSE`` turn it off, ``BEST_EFFORT`` ignores file systems without locks.

HDF5 files created by a command are not journaled: ``load-seq`` and ``load`` build a new archive
under a temporary name and rename it into place instead.
"""

from __future__ import annotations

import bisect
import errno
import os
import struct

from ..errors import ArchiveLockedError, GenomedataError

JOURNAL_SUFFIX = ".journal"
LINK_SUFFIX = ".journal-inode"
COMMIT_PREFIX = ".genomedata-commit-"
MAGIC = b"GDUNDO2\n"
_HEADER = struct.Struct("<Q16sQQB7x")  # original size, transaction id, device, inode, linked
_RECORD = struct.Struct("<QQ")          # offset, length (then the old bytes)
PENDING_BYTES = 16 * 2 ** 20            # overwrites held back for one fsync of the journal
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def _sidecar(path, suffix) -> str:
    """``.<name><suffix>`` beside the real file ``path`` names (symbolic links resolved)."""
    directory, base = os.path.split(os.path.realpath(os.fspath(path)))
    return os.path.join(directory, f".{base}{suffix}")


def journal_path(path) -> str:
    return _sidecar(path, JOURNAL_SUFFIX)


def link_path(path) -> str:
    return _sidecar(path, LINK_SUFFIX)


def _marker_path(directory, txid: bytes) -> str:
    return os.path.join(directory, COMMIT_PREFIX + txid.hex())


def is_own_name(name: str) -> bool:
    """Whether a file name inside an archive's folder is one of this module's files (a journal,
    its inode link, a commit marker)."""
    return name.startswith(".") and (name.endswith(JOURNAL_SUFFIX) or name.endswith(LINK_SUFFIX)
                                     or name.startswith(COMMIT_PREFIX))


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


def create_exclusive(path, mode: int = 0o644) -> int:
    """A new file opened for writing: fails if anything -- a file, a symbolic link, even a
    dangling one -- has the name (``O_CREAT | O_EXCL | O_NOFOLLOW``)."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, mode)


def fsync_directory(directory) -> None:
    try:
        fd = os.open(directory or ".", os.O_RDONLY | _CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - file systems that cannot sync a folder
        pass
    finally:
        os.close(fd)


def _unlink(path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


# ------------------------------------------------------------------------------------------------
# Reading journals

class _Journal:
    """A parsed journal: header fields and the saved ranges."""

    __slots__ = ("size0", "txid", "identity", "linked", "records")

    def __init__(self, size0, txid, identity, linked, records):
        self.size0 = size0
        self.txid = txid
        self.identity = identity
        self.linked = linked
        self.records = records


def _read_journal(journal, whole: bool):
    """The journal's bytes (only the header unless ``whole``); None when there is no journal.
    A symbolic link or anything else that is not a regular file gives b"" (not a journal)."""
    try:
        fd = os.open(journal, os.O_RDONLY | _NOFOLLOW | _CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return b""
        raise
    try:
        import stat
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return b""
        size = st.st_size if whole else len(MAGIC) + _HEADER.size
        return _read_all(fd, min(size, st.st_size), 0)
    finally:
        os.close(fd)


def _parse(raw: bytes):
    """The :class:`_Journal` of journal bytes, or None for bytes that are not a complete
    header (a kill while it was written: no byte of the file was overwritten yet).  A record
    cut short by a kill is left out (its overwrite never started)."""
    if raw is None or len(raw) < len(MAGIC) + _HEADER.size or not raw.startswith(MAGIC):
        return None
    size0, txid, dev, ino, linked = _HEADER.unpack_from(raw, len(MAGIC))
    records = []
    pos = len(MAGIC) + _HEADER.size
    while pos + _RECORD.size <= len(raw):
        offset, length = _RECORD.unpack_from(raw, pos)
        pos += _RECORD.size
        if pos + length > len(raw):
            break
        records.append((offset, raw[pos:pos + length]))
        pos += length
    return _Journal(size0, txid, (dev, ino), bool(linked), records)


def _committed(journal: _Journal, directory) -> bool:
    return os.path.exists(_marker_path(directory, journal.txid))


def _identity_of(st) -> tuple:
    return st.st_dev, st.st_ino


def pending(path) -> bool:
    """Whether the file ``path`` names has a journal of a write that neither finished nor was
    undone (a journal of a committed transaction, or of another file that had this name, does
    not count)."""
    journal = journal_path(path)
    parsed = _parse(_read_journal(journal, whole=False))
    if parsed is None or _committed(parsed, os.path.dirname(journal)):
        return False
    try:
        st = os.stat(path)
    except OSError:
        return False
    return _identity_of(st) == parsed.identity


def _forget(path) -> None:
    """Delete the journal and inode link of ``path`` (in that order: a link without a journal
    is harmless and deleted later)."""
    _unlink(journal_path(path))
    _unlink(link_path(path))


def recover(path, fd) -> bool:
    """Undo the unfinished write recorded in the journal of ``path`` (the caller holds the
    file's lock and ``fd`` is open for writing), then delete the journal.  A journal of
    another file that had this name is deleted without being applied.  Returns whether
    anything was rolled back."""
    journal = journal_path(path)
    raw = _read_journal(journal, whole=True)
    if raw is None:
        _unlink(link_path(path))    # left by a kill between the link and the journal
        return False
    parsed = _parse(raw)
    rolled_back = False
    if (parsed is not None and not _committed(parsed, os.path.dirname(journal))
            and _identity_of(os.fstat(fd)) == parsed.identity):
        for offset, old in parsed.records:
            _write_all(fd, old, offset)
        os.ftruncate(fd, parsed.size0)
        os.fsync(fd)
        rolled_back = True
    _forget(path)
    return rolled_back


def recover_file(path, locking=None) -> bool:
    """Roll back ``path``'s unfinished write, if any (takes the file's lock meanwhile)."""
    if not (os.path.lexists(journal_path(path)) or os.path.lexists(link_path(path))):
        return False
    fd = os.open(path, os.O_RDWR | _CLOEXEC)
    try:
        _lock(fd, path, locking_mode(locking))
        return recover(path, fd)
    finally:
        os.close(fd)


def clear_stale(path) -> None:
    """Delete a journal (and inode link) left at ``path``'s name by a file that is no longer
    there -- when a new archive is put at ``path``.  A journal of the file now at ``path`` is
    kept (it is that file's)."""
    journal = journal_path(path)
    if not (os.path.lexists(journal) or os.path.lexists(link_path(path))):
        return
    parsed = _parse(_read_journal(journal, whole=False))
    try:
        current = _identity_of(os.stat(path))
    except OSError:
        current = None
    if parsed is None or parsed.identity != current or _committed(parsed,
                                                                  os.path.dirname(journal)):
        _forget(path)


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
                for f in journaled:
                    f._write_pending()
                    os.fsync(f.fd)      # the new bytes are on disk before the journal goes
                directories = sorted({os.path.dirname(f.journal) for f in journaled})
                for directory in directories:
                    os.close(create_exclusive(_marker_path(directory, self.txid)))
                for f in journaled:
                    f.close_journal(delete=True)
                for directory in directories:
                    _unlink(_marker_path(directory, self.txid))
        finally:
            self._release()

    def abort(self) -> None:
        """Undo every change (every HDF5 file of the transaction must be closed)."""
        try:
            for f in self.files:
                f._drop_pending()    # never written: nothing to undo
                if f.journal_fd is not None:   # (no journal: nothing was written)
                    f.close_journal(delete=False)
                    recover(f.real, f.fd)
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
        self.real = os.path.realpath(self.path)
        self.transaction = transaction
        self.journal = journal_path(self.real)
        self.link = link_path(self.real)
        self.journal_fd = None
        self.size0 = None
        self.pos = 0
        self._starts: list[int] = []   # saved ranges, disjoint and sorted
        self._ends: list[int] = []
        # overwrites whose old bytes are in the journal but maybe not on disk yet, written
        # after one fsync of the journal (HDF5 writes its metadata back piece by piece; an
        # fsync for each piece cost seconds per command): disjoint ranges sorted by offset, a
        # later write over an earlier one merged into it.  Reads see them without writing
        # them (HDF5 reads between its writes: an fsync before each read cost open-data 2 ms
        # per chromosome)
        self._pending_starts: list[int] = []
        self._pending_data: list[bytearray] = []
        self._pending_bytes = 0
        self.fd = os.open(self.real, os.O_RDWR | _CLOEXEC)
        try:
            _lock(self.fd, self.path, locking_mode(locking))
            recover(self.real, self.fd)
            st = os.fstat(self.fd)
            self.size0 = st.st_size
        except BaseException:
            os.close(self.fd)
            raise
        self.h5id = None          # the HDF5 file written through this object (set by open_h5)
        self._key = (st.st_dev, st.st_ino)
        self._mode = st.st_mode & 0o666
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
        if self._pending_starts:
            data = self._overlay_pending(self.pos, data)
        self.pos += size
        return data

    def write(self, data):
        size = len(data) if not isinstance(data, memoryview) else data.nbytes
        self._start_journal()
        end = self.pos + size
        if end <= self.size0:
            # below the old end: journaled now, written after the next fsync of the journal
            # (an overwrite of bytes already journaled and on disk, with nothing pending,
            # is written at once)
            if self._save(self.pos, end, sync=False) or self._pending_starts:
                self._add_pending(self.pos, data)
                self.pos = end
                if self._pending_bytes > PENDING_BYTES:
                    self._write_pending()
                return size
        elif self.pos < self.size0:     # (past the old end nothing is pending)
            self._write_pending()
            self._save(self.pos, self.size0)
        _write_all(self.fd, data, self.pos)
        self.pos = end
        return size

    def truncate(self, size=None):
        size = self.pos if size is None else size
        self._start_journal()
        self._write_pending()
        if size < self.size0:
            self._save(size, self.size0)
        os.ftruncate(self.fd, size)
        return size

    def flush(self):
        """(HDF5's flush: the pending overwrites reach the file, for readers by other file
        descriptors.)"""
        self._write_pending()

    def _write_pending(self) -> None:
        """The journal on disk (one fsync), then the overwrites waiting for it."""
        if not self._pending_starts:
            return
        os.fsync(self.journal_fd)
        starts, data = self._pending_starts, self._pending_data
        self._drop_pending()
        for pos, block in zip(starts, data):
            _write_all(self.fd, block, pos)

    def _drop_pending(self) -> None:
        self._pending_starts, self._pending_data, self._pending_bytes = [], [], 0

    def _pending_overlapping(self, pos: int, end: int) -> tuple[int, int]:
        """``(i, j)``: the pending ranges ``i..j-1`` overlap ``[pos, end)`` (each starts
        below ``end`` and ends past ``pos``); ``i == j`` where one would be inserted."""
        starts, blocks = self._pending_starts, self._pending_data
        j = bisect.bisect_left(starts, end)
        i = j
        while i > 0 and starts[i - 1] + len(blocks[i - 1]) > pos:
            i -= 1
        return i, j

    def _add_pending(self, pos: int, data) -> None:
        """Hold an overwrite of ``data`` at ``pos`` back; pending ranges it overlaps are
        merged with it (its bytes win).  Ranges that only touch stay apart, so that a run of
        adjacent writes is not copied again at each write."""
        data = bytes(data)
        end = pos + len(data)
        if not data:
            return
        starts, blocks = self._pending_starts, self._pending_data
        i, j = self._pending_overlapping(pos, end)
        if i == j:
            starts.insert(i, pos)
            blocks.insert(i, bytearray(data))
            self._pending_bytes += len(data)
            return
        lo = min(pos, starts[i])
        hi = max(end, starts[j - 1] + len(blocks[j - 1]))
        merged = bytearray(hi - lo)
        for k in range(i, j):
            merged[starts[k] - lo:starts[k] - lo + len(blocks[k])] = blocks[k]
            self._pending_bytes -= len(blocks[k])
        merged[pos - lo:end - lo] = data
        starts[i:j] = [lo]
        blocks[i:j] = [merged]
        self._pending_bytes += len(merged)

    def _overlay_pending(self, pos: int, data: bytes) -> bytes:
        """``data`` read from the file at ``pos`` with the pending overwrites inside it."""
        end = pos + len(data)
        starts, blocks = self._pending_starts, self._pending_data
        i, j = self._pending_overlapping(pos, end)
        if i == j:
            return data
        out = bytearray(data)
        for k in range(i, j):
            a = max(pos, starts[k])
            b = min(end, starts[k] + len(blocks[k]))
            out[a - pos:b - pos] = blocks[k][a - starts[k]:b - starts[k]]
        return bytes(out)

    def readable(self):
        return True

    def writable(self):
        return True

    def seekable(self):
        return True

    # -- the journal
    def _start_journal(self) -> None:
        """The journal exists (with the file's identity and original size, on disk) before
        the first change: undoing writes past the old end is cutting them off."""
        if self.journal_fd is not None:
            return
        linked = True
        try:
            os.link(self.real, self.link, follow_symlinks=False)
        except FileExistsError:
            # a link left by a kill before its journal existed (recover() removes those;
            # this one appeared since): not ours to trust, so replace it
            _unlink(self.link)
            os.link(self.real, self.link, follow_symlinks=False)
        except OSError:
            linked = False   # no hard links here: the identity is device and inode alone
        try:
            fd = create_exclusive(self.journal, self._mode)
        except FileExistsError:
            raise GenomedataError(
                f"{self.journal} appeared while {self.path} was being written; another "
                "program is using the archive's folder -- nothing was changed") from None
        try:
            _write_all(fd, MAGIC + _HEADER.pack(self.size0, self.transaction.txid,
                                                self._key[0], self._key[1], int(linked)))
            os.fsync(fd)
        except BaseException:
            os.close(fd)
            _forget(self.real)
            raise
        fsync_directory(os.path.dirname(self.journal))
        self.journal_fd = fd

    def _save(self, lo: int, hi: int, sync: bool = True) -> bool:
        """Journal the old bytes of [lo, hi) not journaled yet (on disk before they are
        overwritten: at once, or with ``sync=False`` by the caller, before it writes);
        whether there were any."""
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
        if gaps and sync:
            os.fsync(self.journal_fd)
        return bool(gaps)

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
                _forget(self.real)

    def release(self) -> None:
        self.close_journal(delete=False)
        if _WRITING.get(self._key) is self:
            del _WRITING[self._key]
        if self.fd is not None:
            os.close(self.fd)   # releases the lock
            self.fd = None
