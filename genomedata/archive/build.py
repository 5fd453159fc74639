"""Building a new archive under a temporary name beside its path, and putting it in place.

``load-seq`` and ``load`` never write where the archive will be until it is complete: the
archive is built as ``.<name>.partial-<host>-<pid>-<random>`` beside it, marked incomplete, and
renamed into place at the end -- into an absent name, over an empty directory, or (with
``overwrite``) over an earlier archive, which stays as it was if anything fails.  An
interrupted build leaves no archive (or the old one); what such builds left behind is removed
by the next build of the same path on the same host.  Only what this package writes is ever
replaced: a path that is not a Genomedata archive is refused.

    build = ArchiveBuild(path, overwrite)   # checks the path
    files = build.start("directory")        # the new, empty archive, marked incomplete
    ...                                     # write it, close it
    build.finish()                          # marker removed, renamed into place

and ``build.abandon()`` when anything fails.
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import stat

from ..errors import GenomedataError
from .files import (ArchiveFiles, clear_incomplete, create_archive, expand_path,
                    incomplete_marker, is_own_name, mark_incomplete)
from .journal import _forget, clear_stale, fsync_directory, pending
from .layout import ATTR_FORMAT_VERSION, ATTR_INCOMPLETE, INCOMPLETE_MARKER, is_supercontig_group


def check_folder(gdfilename) -> None:
    """The folder an archive is created in must exist: a typo in its name must not leave new
    folders behind (nothing is created here but the archive)."""
    folder = os.path.dirname(expand_path(gdfilename))
    if folder and not os.path.isdir(folder):
        shown = os.path.dirname(os.fspath(gdfilename))
        if os.path.exists(folder):
            raise GenomedataError(f"cannot create {gdfilename}: {shown} is not a folder")
        raise GenomedataError(f"cannot create {gdfilename}: the folder {shown} does not "
                              "exist; create it first")


def _target_state(path) -> str:
    """``"absent"``, ``"empty_dir"`` (an existing empty directory) or ``"exists"``."""
    if not os.path.lexists(path):
        return "absent"
    if os.path.isdir(path) and not os.path.islink(path) and not os.listdir(path):
        return "empty_dir"
    return "exists"


def _is_genomedata_hdf5(path) -> bool:
    """An HDF5 file laid out as a Genomedata archive: a format version at the root, or (format
    0) chromosome groups of supercontig groups."""
    import h5py
    try:
        if not h5py.is_hdf5(path):
            return False
        with h5py.File(path, "r", locking=False) as handle:
            root = handle["/"]
            if ATTR_FORMAT_VERSION in root.attrs or ATTR_INCOMPLETE in root.attrs:
                return True
            for name in root:
                group = root.get(name)
                if isinstance(group, h5py.Group) and any(
                        is_supercontig_group(child) for child in group):
                    return True
    except (OSError, ValueError):
        return False
    return False


def _looks_like_archive(path) -> bool:
    """Only what this package writes counts: a Genomedata HDF5 file, or a directory whose every
    entry is one of its files (``*.genomedata`` files, undo journals and their inode links,
    commit markers, the incomplete marker)."""
    if os.path.isdir(path) and not os.path.islink(path):
        with os.scandir(path) as entries:
            return all(is_own_name(entry.name) and entry.is_file(follow_symlinks=False)
                       for entry in entries)
    if os.path.isfile(path):   # (a symbolic link to one: the link is replaced, not its target)
        # (a file whose write was interrupted may not read as HDF5; its journal tells it is ours)
        return _is_genomedata_hdf5(path) or pending(path)
    return False


def _check_replaceable(display, path, overwrite) -> None:
    if not overwrite:
        if os.path.isdir(path) and incomplete_marker(path):
            raise GenomedataError(f"{display} is an incomplete archive (a load into it is "
                                  "running, or did not finish); use --overwrite to replace it")
        raise GenomedataError(f"{display} already exists; use --overwrite to replace it")
    if not _looks_like_archive(path):
        raise GenomedataError(f"{display} is not a Genomedata archive; refusing to replace it "
                              "(remove it yourself if it should go)")


def _remove(path) -> None:
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass


# Temporary names beside an archive: ``.<name>.<tag>-<host>-<pid>-<random>``.  The host and
# process id tell a later run on the same host whether the process that made it is gone.
_HOST = None


def _hostname() -> str:
    global _HOST
    if _HOST is None:
        import socket
        name = socket.gethostname() or "host"
        _HOST = "".join(c if c.isalnum() or c == "." else "_" for c in name)
    return _HOST


def sibling(path, tag) -> str:
    """A new temporary name beside ``path`` (``tag``: "partial" or "old")."""
    parent, base = os.path.split(path)
    return os.path.join(parent, f".{base}.{tag}-{_hostname()}-{os.getpid()}-"
                                f"{secrets.token_hex(4)}")


def _process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:     # exists, owned by someone else
        return False
    return False


def clean_stale_partials(path) -> list:
    """Remove the partial archives that interrupted builds of ``path`` left beside it (made on
    this host by processes that no longer run), with their journals.  Returns their names."""
    parent, base = os.path.split(path)
    prefix = f".{base}.partial-{_hostname()}-"
    removed = []
    try:
        entries = os.listdir(parent or ".")
    except OSError:
        return removed
    for name in entries:
        if not name.startswith(prefix):
            continue
        pid_text, _, token = name[len(prefix):].partition("-")
        if not pid_text.isdigit() or not token or "." in token:
            continue    # (its own journal, ``..<name>.journal``, goes with it below)
        if not _process_gone(int(pid_text)):
            continue
        stale = os.path.join(parent, name)
        _forget(stale)
        _remove(stale)
        removed.append(name)
    return removed


def install(build, path, display, state, overwrite) -> None:
    """Rename the finished archive ``build`` to ``path``: into an absent name, over an empty
    directory (a directory archive), or -- with ``overwrite`` -- over an archive, which stays
    as it was if anything fails.  What the old file left beside it (its undo journal) goes."""
    if state == "empty_dir" and os.path.isdir(build):
        try:
            os.chmod(build, stat.S_IMODE(os.stat(path).st_mode))   # the folder's permissions
            os.rename(build, path)   # replaces the empty directory, and only an empty one
        except OSError as exc:
            if exc.errno in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR, errno.ENOENT):
                raise GenomedataError(f"{display} changed while loading (it is no longer an "
                                      "empty directory); the new archive was not put in "
                                      "place") from None
            raise
        return
    if state in ("absent", "empty_dir"):
        if os.path.lexists(path):
            raise GenomedataError(f"{display} appeared while loading; use --overwrite to "
                                  "replace it")
        if os.path.isdir(build):
            os.rename(build, path)
        else:
            try:
                os.link(build, path)    # fails if something took the name meanwhile
            except FileExistsError:
                raise GenomedataError(f"{display} appeared while loading; use --overwrite to "
                                      "replace it") from None
            except OSError:             # no hard links on this file system
                os.rename(build, path)
            else:
                os.unlink(build)
        clear_stale(path)
        return
    _check_replaceable(display, path, overwrite)
    _sync_tree(build)   # the new archive is on disk before the old one goes
    if not os.path.isdir(build) and not (os.path.isdir(path) and not os.path.islink(path)):
        os.replace(build, path)     # a file over a file: atomic
        clear_stale(path)
        _sync_directory(os.path.dirname(path))
        return
    backup = sibling(path, "old")
    os.rename(path, backup)
    try:
        os.rename(build, path)
    except BaseException:
        os.rename(backup, path)
        raise
    clear_stale(path)
    _sync_directory(os.path.dirname(path))
    _remove(backup)


def _sync_tree(path) -> None:
    """fsync an archive (a file, or a directory and its files) built under a temporary name."""
    files = ([os.path.join(path, name) for name in os.listdir(path)]
             if os.path.isdir(path) else [path])
    for filename in files:
        fd = os.open(filename, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    if os.path.isdir(path):
        _sync_directory(path)


def _sync_directory(directory) -> None:
    fsync_directory(directory or ".")


def _can_rename_over(path) -> bool:
    """Whether a directory built beside ``path`` can be renamed over it (same file system,
    the parent writable, not a mount point)."""
    parent = os.path.dirname(path) or "."
    return os.access(parent, os.W_OK | os.X_OK) and not os.path.ismount(path)


class ArchiveBuild:
    """A new archive at ``target`` (as the user wrote it), built under a temporary name beside
    it and put in place when complete (see the module documentation).

    :meth:`check` (called by :meth:`start` if not before) checks the target: its folder
    exists, and an existing archive there is replaced only with ``overwrite`` (anything else
    existing is refused).  Only where the
    rename is impossible (an empty directory that is a mount point, or whose parent cannot be
    written) is a directory archive built in the directory itself, under the incomplete
    marker, which the build creates exclusively (a concurrent build into the same directory
    fails instead of mixing files) and removes when complete."""

    def __init__(self, target, overwrite: bool = False):
        self.display = target
        self.path = expand_path(target)
        self.overwrite = overwrite
        self.state = None
        self.kind = None
        self.direct = False
        self.build_path = None
        self.files = None
        self.created: list[str] = []    # chromosomes written (an in-place build removes them)
        self._marked = False

    def check(self) -> None:
        """Refuse a target whose folder does not exist, or that exists and may not be
        replaced."""
        if self.state is not None:
            return
        check_folder(self.display)
        self.state = _target_state(self.path)
        if self.state == "exists":
            _check_replaceable(self.display, self.path, self.overwrite)

    def start(self, kind: str) -> ArchiveFiles:
        """The new, empty archive of ``kind`` ("file" or "directory"), open for writing
        (without undo journal: nothing existed before it) and marked incomplete."""
        self.check()
        if self.state == "empty_dir" and kind == "file":
            _check_replaceable(self.display, self.path, self.overwrite)
            self.state = "exists"
        self.kind = kind
        self.direct = (self.state == "empty_dir" and kind == "directory"
                       and not _can_rename_over(self.path))
        clean_stale_partials(self.path)
        if self.direct:
            self.build_path = self.path
            self.files = ArchiveFiles(self.path, "r+", kind="directory", journal=False)
            try:
                mark_incomplete(self.files)
            except FileExistsError:
                raise GenomedataError(f"another command is building an archive in {self.path} "
                                      "(or one was interrupted: then remove what it left, or "
                                      "use --overwrite)") from None
            self._marked = True
            if os.listdir(self.path) != [INCOMPLETE_MARKER]:
                raise GenomedataError(f"{self.path} changed while loading (it is no longer an "
                                      "empty directory)")
        else:
            self.build_path = sibling(self.path, "partial")
            self.files = create_archive(self.build_path, kind, journal=False)
            mark_incomplete(self.files)
        self._marked = True
        return self.files

    def finish(self) -> None:
        """The archive is complete (its files are closed): remove the marker and put it in
        place."""
        clear_incomplete(self.build_path, self.kind)
        self._marked = False
        if not self.direct:
            install(self.build_path, self.path, self.display, self.state, self.overwrite)

    def abandon(self) -> None:
        """Remove what this build created (never anything that existed before it)."""
        if self.files is not None:
            try:
                self.files.close()
            except Exception:  # noqa: BLE001 - cleaning up after an earlier error
                pass
        if self.direct:
            if self.files is not None:
                for name in self.created:
                    try:
                        os.unlink(self.files.filename_of(name))
                    except FileNotFoundError:
                        pass
            if self._marked:
                clear_incomplete(self.path, "directory")
        elif self.build_path is not None:
            _remove(self.build_path)
