"""The files of an archive: opening them (with recovery of an unfinished write, locking and
checks), the :class:`ArchiveFiles` of one archive, creating one, and its incomplete marker.

A directory archive is one HDF5 file ``<chrom>.genomedata`` per chromosome, whose root group *is*
the chromosome; a single-file archive is one HDF5 file whose top-level groups are the
chromosomes.  Files opened for writing go through an undo journal (``journal``), so that a
command either happens completely or, interrupted, not at all.  Building a new archive under a
temporary name and putting it in place is ``build``.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from .. import _sniff
from ..errors import (ArchiveInterruptedError, ArchiveLockedError, GenomedataValueError,
                      NotAnArchiveError, not_found, shorten)
from . import journal as _journal
from .layout import (ATTR_INCOMPLETE, INCOMPLETE_MARKER, SUFFIX, _delete_attr, _h5py, describe,
                     format_error, hard_child, chromosome_filename, chromosome_name_from_filename,
                     init_chromosome, init_file_root, init_pytables_group, is_chromosome_file,
                     read_tracknames, write_int64_attr)


# ------------------------------------------------------------------------------------------------
# Paths and archive kinds

def expand_path(path) -> str:
    """Expand ``~`` and environment variables and normalise, as the reference does."""
    return os.path.normpath(os.path.expandvars(os.path.expanduser(os.fspath(path))))


def is_hdf5_file(path) -> bool:
    """Whether the file holds HDF5's signature where HDF5 looks for it: at byte 0, 512, 1024,
    2048 ... (after a user block).  Read from the bytes, without opening the file with HDF5
    (which a writer's file lock would refuse)."""
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            offset = 0
            while offset + len(_sniff.HDF5_MAGIC) <= size:
                handle.seek(offset)
                if handle.read(len(_sniff.HDF5_MAGIC)) == _sniff.HDF5_MAGIC:
                    return True
                offset = 512 if offset == 0 else offset * 2
    except OSError:
        return False
    return False


def not_an_archive_parts(path) -> tuple[str, str]:
    """(what is wrong, what to do) for a file that is no Genomedata archive: it says what the
    file looks like (empty, a bedGraph file, ...)."""
    return (f"{path} is not a Genomedata archive ({_sniff.describe_content(path)})",
            "give an archive: a directory or an HDF5 file made by 'genomedata load' or "
            "'load-seq'")


def not_an_archive(path):
    """The error for a file that is no Genomedata archive (see not_an_archive_parts)."""
    return NotAnArchiveError("; ".join(not_an_archive_parts(path)))


def chromosome_file_parts(path) -> tuple[str, str]:
    """(what is wrong, what to do) for one ``<chrom>.genomedata`` file of a directory
    archive given where an archive is expected: give the directory."""
    directory = os.path.dirname(os.fspath(path)) or "."
    chrom = chromosome_name_from_filename(path) or os.path.basename(os.fspath(path))
    return (f"{path} is the file of chromosome {chrom} in the directory archive {directory}, "
            "not an archive by itself", f"give the directory: {directory}")


def chromosome_file_error(path):
    """The error for a chromosome file given as an archive (see chromosome_file_parts)."""
    return NotAnArchiveError("; ".join(chromosome_file_parts(path)))


def archive_kind(path) -> str:
    """Return ``"directory"``, ``"file"`` or ``"bigwig"`` for an existing archive path; a
    file that is neither HDF5 nor bigWig is refused (:func:`not_an_archive`)."""
    resolved = os.path.realpath(expand_path(path))
    if not os.path.exists(resolved):
        raise OSError(f"Could not find Genomedata archive: {path}")
    if os.path.isdir(resolved):
        return "directory"
    if os.path.isfile(resolved):
        if _sniff.file_kind(resolved) == "bigwig":
            return "bigwig"
        if not is_hdf5_file(resolved):
            if not _journal.pending(resolved):   # else a write did not finish: undone later
                raise not_an_archive(path)
        return "file"
    raise GenomedataValueError(f"Genomedata archive must be file or directory: "
                               f"{path}")


def chromosome_files(dirname) -> list[str]:
    """Chromosome files of a directory archive, in the reference's order (sorted by path).
    Anything named like one that is not a regular file (a FIFO, a device, a folder) is an
    :class:`ArchiveFormatError`: opening it could hang or read what is not an archive."""
    files = sorted(str(p) for p in Path(dirname).glob("*" + SUFFIX))
    for filename in files:
        check_regular_file(filename)
    return files


def check_regular_file(path) -> None:
    """Refuse a path that is not a regular file (symbolic links followed)."""
    import stat
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return   # (reported by whatever opens it)
    if not stat.S_ISREG(mode):
        kind = ("a FIFO" if stat.S_ISFIFO(mode) else "a directory" if stat.S_ISDIR(mode)
                else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
                else "a socket" if stat.S_ISSOCK(mode) else "not a regular file")
        raise format_error(f"{path} is {kind}, not an HDF5 file of an archive")


def open_h5(path, mode="r", locking=None, rdcc_nbytes=None, transaction=None):
    """Open one HDF5 file of an archive.  ``locking=False`` works where file locking is
    unavailable; ``None`` follows HDF5_USE_FILE_LOCKING / the library default.

    ``transaction`` (a ``journal.Transaction``, mode "r+"): the file is written through an
    undo journal and its changes are committed or undone with the transaction.  A file
    another process has locked raises ``ArchiveLockedError``; reading a file whose
    last write did not finish raises ``ArchiveInterruptedError`` (opening it for
    writing undoes that write first).
    """
    h5py = _h5py()
    if "w" not in mode:
        check_regular_file(path)
    kwargs = {}
    if rdcc_nbytes is not None:
        kwargs["rdcc_nbytes"] = rdcc_nbytes
    if transaction is not None and mode == "r+":
        journaled = _journal.JournaledFile(path, transaction, locking)
        try:
            handle = h5py.File(journaled, mode, libver="earliest", **kwargs)
        except BaseException:
            transaction.files.remove(journaled)
            journaled.release()
            raise
        journaled.h5id = handle.id
        return handle
    own_writer = _journal.writer_in_this_process(path) if mode == "r" else None
    if own_writer is not None:
        # this process is writing the file: read what it has written so far (its lock
        # would refuse our own reader)
        own_writer.flush_hdf5()
        locking = False
    if locking is not None:
        kwargs["locking"] = locking
    if mode != "r" and os.path.exists(path):
        _journal.recover_file(path, locking)
    try:
        handle = h5py.File(path, mode, libver="earliest", **kwargs)
    except OSError as exc:
        if _journal.is_lock_error(exc):
            raise ArchiveLockedError(
                _journal.locked_message(path, writing=mode != "r")) from None
        if mode == "r" and own_writer is None and _journal.pending(path):
            raise ArchiveInterruptedError(_journal.interrupted_message(path)) from None
        raise
    if mode == "r" and own_writer is None and _journal.pending(path):
        handle.close()
        raise ArchiveInterruptedError(_journal.interrupted_message(path))
    return handle


# ------------------------------------------------------------------------------------------------
# Directory and single-file archives

class ArchiveFiles:
    """The HDF5 files of an archive and the chromosome groups inside them.

    Directory archive: one file ``<chrom>.genomedata`` per chromosome whose root group *is* the
    chromosome.  Single-file archive: one file whose top-level groups are the chromosomes.
    Files are opened lazily and kept open until :meth:`close`.
    """

    def __init__(self, path, mode="r", locking=None, kind=None, rdcc_nbytes=None,
                 journal=True):
        self.path = expand_path(path)
        self.mode = mode
        self.locking = locking
        self.rdcc_nbytes = rdcc_nbytes
        self.kind = kind or archive_kind(self.path)
        if self.kind == "bigwig":
            raise GenomedataValueError(f"{path} is a bigWig file, not a Genomedata "
                                       "archive")
        self._files = {}
        # writes go through undo journals: close() commits them, close(abort=True) or an
        # exception leaving a ``with`` block undoes them (see ``journal``)
        self.journal = journal and mode != "r"
        self._transaction = None
        self._open_lock = threading.Lock()   # loaders share one ArchiveFiles across threads
        self._checked = False    # a single file is checked once to be an archive
        # a single file's chromosome names and groups, checked, while it is open (only
        # create_chromosome changes them)
        self._names = None
        self._groups = None

    # -- files
    def _open(self, filename):
        handle = self._files.get(filename)
        if handle is not None and handle.id.valid:
            return handle
        with self._open_lock:
            handle = self._files.get(filename)
            if handle is None or not handle.id.valid:
                if self.journal and self._transaction is None:
                    self._transaction = _journal.Transaction()
                    _track_writer(self)
                handle = open_h5(filename, self.mode, self.locking, self.rdcc_nbytes,
                                 transaction=self._transaction if self.journal else None)
                self._files[filename] = handle
            return handle

    def single_file(self):
        assert self.kind == "file"
        handle = self._open(self.path)
        if not self._checked:
            if is_chromosome_file(handle["/"]):
                self.close(abort=True)
                raise chromosome_file_error(self.path)
            self._checked = True
        return handle

    def chromosome_names(self) -> list[str]:
        if self.kind == "directory":
            return [chromosome_name_from_filename(f) for f in chromosome_files(self.path)]
        if self._names is None:
            root = self.single_file()
            names = sorted(root.keys())
            self._groups = {name: self._chromosome_in_file(root, name) for name in names}
            self._names = names
        return list(self._names)

    @staticmethod
    def _chromosome_in_file(root, name):
        group = hard_child(root, name, "chromosome")
        if not isinstance(group, _h5py().Group):
            raise format_error(f"{describe(group)} is a dataset where a chromosome group "
                               "belongs")
        return group

    def filename_of(self, chrom: str) -> str:
        if self.kind == "directory":
            return chromosome_filename(self.path, chrom)
        return self.path

    def has_chromosome(self, chrom: str) -> bool:
        if self.kind == "directory":
            return os.path.isfile(chromosome_filename(self.path, chrom))
        if self._names is not None:
            return chrom in self._groups
        return chrom in self.single_file()

    def chromosome_group(self, chrom: str):
        """The group of an existing chromosome (KeyError if there is none)."""
        if not self.has_chromosome(chrom):
            raise not_found("chromosome", chrom, self.chromosome_names(), self.path)
        if self.kind == "directory":
            return self._open(chromosome_filename(self.path, chrom))["/"]
        if self._names is not None:
            return self._groups[chrom]
        return self._chromosome_in_file(self.single_file(), chrom)

    def create_chromosome(self, chrom: str, end: int):
        """Create a new chromosome (file or group) with its attributes; error if it exists."""
        if self.has_chromosome(chrom):
            raise GenomedataValueError(f"chromosome {shorten(chrom)} is defined twice")
        if self.kind == "directory":
            handle = open_h5(chromosome_filename(self.path, chrom), "w-", self.locking)
            self._files[chromosome_filename(self.path, chrom)] = handle
            init_file_root(handle, chromosome_group=True)
            group = handle["/"]
        else:
            root = self.single_file()
            self._names = self._groups = None
            group = root.create_group(chrom)
            init_pytables_group(group)
        init_chromosome(group, end)
        return group

    def roots(self):
        """The root group of every HDF5 file of the archive (where tracknames live)."""
        if self.kind == "directory":
            return [self._open(f)["/"] for f in chromosome_files(self.path)]
        return [self.single_file()["/"]]

    def tracknames(self):
        roots = self.roots()
        return read_tracknames(roots[0]) if roots else None

    def close(self, abort: bool = False) -> None:
        """Close every file; commit the writes (``abort``: undo them)."""
        transaction, self._transaction = self._transaction, None
        self._names = self._groups = None
        failed = None
        for handle in self._files.values():
            try:
                if handle.id.valid:
                    handle.close()
            except Exception as exc:  # noqa: BLE001 - a file that did not close is undone
                failed = failed or exc
        self._files.clear()
        if transaction is not None:
            if abort or failed is not None:
                transaction.abort()
            else:
                transaction.commit()
        if failed is not None and not abort:
            raise failed

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        self.close(abort=exc_type is not None)


_WRITERS = None


def _track_writer(files: ArchiveFiles) -> None:
    """Commit the writes of archives still open when the interpreter exits, as HDF5 would
    have flushed them (the undo journal would otherwise undo them)."""
    global _WRITERS
    if _WRITERS is None:
        import atexit
        import weakref
        _WRITERS = weakref.WeakSet()
        atexit.register(_close_writers)
    _WRITERS.add(files)


def _close_writers() -> None:
    for files in list(_WRITERS or ()):
        try:
            files.close()
        except Exception:  # noqa: BLE001 - nothing to report to at exit
            pass


def create_archive(path, kind: str, locking=None, journal: bool = True,
                   parents: bool = True) -> ArchiveFiles:
    """Create an empty archive of ``kind`` ("file" or "directory") at ``path``.

    An existing empty directory is fine for a directory archive; anything else existing at
    ``path`` is refused (callers remove it first when the user asked to overwrite).
    ``journal=False``: the returned archive is written without undo journal (an archive
    being built under a temporary name needs none).  ``parents=False``: a directory archive
    whose parent folder is gone is an error, not a reason to create the parent again (a
    task of a load that was abandoned meanwhile).
    """
    path = expand_path(path)
    if kind == "directory":
        if os.path.exists(path):
            if not os.path.isdir(path) or os.listdir(path):
                raise FileExistsError(f"{path} already exists and is not an empty directory")
        elif parents:
            os.makedirs(path)
        else:
            os.mkdir(path)
    elif kind == "file":
        if os.path.exists(path):
            raise FileExistsError(f"{path} already exists")
        handle = open_h5(path, "w-", locking)
        init_file_root(handle, chromosome_group=False)
        handle.close()
        _journal.clear_stale(path)   # a journal of a file that had this name before
    else:
        raise ValueError(f"unknown archive kind {kind!r}")
    return ArchiveFiles(path, mode="r+", locking=locking, kind=kind, journal=journal)


def mark_incomplete(files: ArchiveFiles) -> None:
    """Mark a new, empty archive as being built (fails if a marker exists: another command is
    building it)."""
    if files.kind == "directory":
        os.close(_journal.create_exclusive(os.path.join(files.path, INCOMPLETE_MARKER)))
    else:
        write_int64_attr(files.single_file()["/"], ATTR_INCOMPLETE, 1)


def clear_incomplete(path, kind: str) -> None:
    """Remove the marker of an archive whose build is complete (its files are closed)."""
    path = expand_path(path)
    if kind == "directory":
        try:
            os.unlink(os.path.join(path, INCOMPLETE_MARKER))
        except FileNotFoundError:
            pass
    else:
        with open_h5(path, "r+") as handle:
            _delete_attr(handle["/"], ATTR_INCOMPLETE)


def incomplete_marker(path, root=None) -> bool:
    """Whether the archive at ``path`` (``root``: its open single file's root) carries the
    marker of a build that did not finish."""
    if root is not None:
        return ATTR_INCOMPLETE in root.attrs
    return os.path.lexists(os.path.join(expand_path(path), INCOMPLETE_MARKER))


def is_own_name(name: str) -> bool:
    """Whether an entry of an archive's folder is a file this package writes there: a chromosome
    file, an undo journal, its inode link or commit marker, the incomplete marker."""
    return (name.endswith(SUFFIX) or name == INCOMPLETE_MARKER
            or _journal.is_own_name(name))
