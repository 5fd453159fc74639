"""Create a Genomedata archive from sequence (FASTA), an assembly (AGP) or chromosome sizes.

``load_seq`` is the library function behind ``genomedata load-seq``; its positional parameters
are those of genomedata 1.7.4's ``genomedata._load_seq.load_seq``.
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import stat

from ._journal import pending
from ._layout import (ATTR_FORMAT_VERSION, ATTR_INCOMPLETE, FILE_MODE_CHROMS, INCOMPLETE_MARKER,
                      MIN_GAP_LEN, SUFFIX, ArchiveFiles, clear_incomplete, create_archive, create_seq,
                      create_supercontig, expand_path, incomplete_marker, is_own_name,
                      is_supercontig_group, mark_incomplete, shorten)
from ._seqinput import (NameRegistry, SequenceBuffer, count_fasta_records, iter_fasta_records,
                        read_agp, read_assembly_report, read_sizes)
from . import _progress
from .errors import GenomedataError, InputError
from ._writer import write_seq

SEQFILE_TYPES = ("fasta", "agp", "sizes")
MODES = {None: None, "dir": "directory", "directory": "directory", "file": "file"}
DEFAULT_NAME_STYLE = "UCSC-style-name"


@_progress.verbose_argument
def load_seq(gdfilename, seqfilenames, include_seq=True, mode=None, seqfile_type="fasta",
             assembly_report_file=None, chromosome_name_style=DEFAULT_NAME_STYLE,
             verbose=False, *, overwrite=False, _in_place=False):
    """Create the archive ``gdfilename`` with one chromosome per sequence of ``seqfilenames``.

    ``seqfile_type``:

    * ``"fasta"`` (plain or gzip, any number of records per file): a chromosome per record,
      named by the first word of its ``>`` line, with ``seq`` datasets (unless ``include_seq``
      is false).  It is split into supercontigs at gaps, runs of at least ``MIN_GAP_LEN``
      (100000) characters other than ``ACGTacgt``.  A record with no sequence creates no
      chromosome (a warning says so) and the records after it load as usual.  A sequence made
      only of one gap gives a chromosome with its length and no supercontig.
    * ``"agp"``: a chromosome per AGP object; supercontigs are the component rows merged where
      they touch, split at gap rows; no ``seq``.  An object without component rows creates no
      chromosome (warning).
    * ``"sizes"``: ``NAME SIZE`` lines; one supercontig [0, SIZE) per chromosome, no ``seq``.
      A size of 0 creates no chromosome (warning).

    ``mode``: ``"dir"``/``"directory"``, ``"file"``, or None to use a directory for fewer than
    ``FILE_MODE_CHROMS`` (100) sequences and a single file otherwise.

    ``assembly_report_file`` (a path or an open file) translates every sequence name to the
    ``chromosome_name_style`` column of an NCBI assembly report.

    An existing ``gdfilename`` is an error unless ``overwrite`` is true (it must then look like a
    Genomedata archive: an HDF5 file, or a directory of ``*.genomedata`` files); an existing empty
    directory is used as it is for a directory archive.  The archive is built under a temporary
    name beside ``gdfilename`` and renamed into place when complete, so a failure (malformed
    input, interruption) leaves nothing half-written and leaves an archive being replaced as it
    was.  Errors in the input are :class:`~genomedata.errors.InputError` (``FILE:LINE: ...``).

    The archive is left dirty, ready for :func:`~genomedata._open_data.open_data`; run
    :func:`~genomedata._close_data.close_data` before reading it.

    >>> import os
    >>> from genomedata import close_data, load_seq
    >>> archive = scratch_dir() + "/seq.genomedata"
    >>> load_seq(archive, [os.path.join(example_data, "chr1.fa"),
    ...                    os.path.join(example_data, "chr2.fa.gz")])
    >>> close_data(archive)
    >>> with Genome(archive) as genome:
    ...     for chromosome in genome:
    ...         print(chromosome.name, [(sc.start, sc.end) for sc in chromosome])
    chr1 [(0, 60000)]
    chr2 [(0, 30000), (130000, 150000)]

    From a sizes file (``NAME SIZE`` per line), without sequence:

    >>> sizes = os.path.join(scratch_dir(), "genome.sizes")
    >>> _ = open(sizes, "w").write("chrA 5000\\nchrB 3000\\n")
    >>> load_seq(scratch_dir() + "/sizes.genomedata", [sizes], seqfile_type="sizes")
    """

    if isinstance(seqfilenames, (str, bytes, os.PathLike)):
        seqfilenames = [seqfilenames]
    filenames = [os.fspath(name) for name in seqfilenames]
    if not filenames:
        raise GenomedataError("no sequence file given")
    if seqfile_type not in SEQFILE_TYPES:
        raise GenomedataError(f"unknown sequence file type {seqfile_type!r}; use one of: "
                              + ", ".join(SEQFILE_TYPES))
    if mode not in MODES:
        raise GenomedataError(f"unknown archive mode {mode!r}; use 'dir' or 'file'")
    kind = MODES[mode]
    for filename in filenames:
        if not os.path.exists(filename):
            raise GenomedataError(f"{filename}: no such file")
        if os.path.isdir(filename):
            raise GenomedataError(f"{filename}: is a directory, not a sequence file")

    rename = None
    if assembly_report_file is not None:
        report = read_assembly_report(assembly_report_file)
        rename = report.translator(chromosome_name_style)

    path = expand_path(gdfilename)
    check_folder(gdfilename)
    state = _target_state(path)
    if state == "exists":
        _check_replaceable(gdfilename, path, overwrite)

    registry = NameRegistry()
    specs = None
    if seqfile_type == "fasta":
        if kind is None:
            with _progress.task("counting sequences", total=_total_size(filenames),
                             unit="bytes") as task:
                count = count_fasta_records(filenames, limit=FILE_MODE_CHROMS,
                                            progress=task.advance)
            found = f"at least {count}" if count >= FILE_MODE_CHROMS else str(count)
    else:
        reader = read_agp if seqfile_type == "agp" else read_sizes
        specs = []
        for filename in filenames:
            _progress.verbose(f"reading {filename}")
            specs.extend(reader(filename, rename, registry))
        count = len(specs)
        found = str(count)
    if kind is None:
        kind = "directory" if count < FILE_MODE_CHROMS else "file"
        _progress.verbose(f"no mode given: found {found} sequences, so using a "
                   f"{'directory' if kind == 'directory' else 'single-file'} archive")

    if state == "empty_dir" and kind == "file":
        _check_replaceable(gdfilename, path, overwrite)
        state = "exists"

    builder = _Builder(path, state, kind, overwrite, in_place=_in_place)
    try:
        archive = builder.start()
        try:
            if specs is not None:
                _write_specs(archive, specs, builder)
            else:
                _write_fasta(archive, filenames, include_seq, rename, registry, builder)
        finally:
            archive.close()
        if not builder.created:
            # an archive without chromosomes is of no use to any later command
            raise GenomedataError(f"{', '.join(filenames)}: no sequence with any bases; no "
                                  "archive created")
        builder.finish(gdfilename)
    except BaseException:
        builder.abandon()
        raise
    _progress.verbose(f"created {gdfilename} with {len(builder.created)} chromosomes")


# ------------------------------------------------------------------------------------------------
# Writing chromosomes

def write_chromosome(archive, name, end, starts, ends, seq=None):
    """Create chromosome ``name`` of length ``end`` with supercontigs ``[starts[i], ends[i])``
    and, when ``seq`` (the chromosome's uint8 sequence) is given, their ``seq`` datasets."""
    group = archive.create_chromosome(name, end)
    for index, (start, stop) in enumerate(zip(starts, ends)):
        start, stop = int(start), int(stop)
        supercontig = create_supercontig(group, index, start, stop)
        if seq is not None:
            write_seq(create_seq(supercontig, stop - start), seq[start:stop])
    if archive.kind == "directory":
        group.file.close()   # one file per chromosome: do not keep thousands open


def _check_file_name(archive, name, filename, line) -> None:
    """In a directory archive a chromosome is a file ``<name>.genomedata``: a name too long for
    a file name is an InputError at the line that defines it."""
    if archive.kind != "directory":
        return
    try:
        limit = os.pathconf(archive.path, "PC_NAME_MAX")
    except (OSError, ValueError):
        limit = 255
    length = len(os.fsencode(name + SUFFIX))
    if length > limit:
        raise InputError(filename, line, f"sequence name of {len(name)} characters is too "
                         f"long for a chromosome file name in a directory archive (at most "
                         f"{limit - len(SUFFIX)}); use a single-file archive (--file-mode)")


def _write_fasta(archive, filenames, include_seq, rename, registry, builder):
    from .kernels.seq import supercontig_bounds
    buffer = SequenceBuffer()
    with _progress.task("loading sequence", total=_total_size(filenames), unit="bytes") as task:
        for record in iter_fasta_records(filenames, buffer, rename=rename, registry=registry,
                                         progress=task.advance,
                                         on_file=lambda name: _progress.verbose(f"reading {name}")):
            if not record.length:
                _progress.warn(f"{record.filename}:{record.line}: sequence {shorten(record.name)} is empty; "
                        "no chromosome created for it")
                continue
            seq = buffer.view()
            starts, ends = supercontig_bounds(seq, MIN_GAP_LEN)
            _progress.verbose(f"{shorten(record.name)}: {record.length} bases, {len(starts)} supercontigs")
            _check_file_name(archive, record.name, record.filename, record.line)
            builder.created.append(record.name)
            write_chromosome(archive, record.name, record.length, starts, ends,
                             seq if include_seq else None)
            del seq


def _write_specs(archive, specs, builder):
    with _progress.task("creating chromosomes", total=len(specs), unit="items") as task:
        for spec in specs:
            if not spec.supercontigs:
                _progress.warn(f"{spec.filename}:{spec.line}: sequence {shorten(spec.name)} has no bases; no "
                        "chromosome created for it")
            else:
                _check_file_name(archive, spec.name, spec.filename, spec.line)
                builder.created.append(spec.name)
                starts = [start for start, _ in spec.supercontigs]
                ends = [end for _, end in spec.supercontigs]
                write_chromosome(archive, spec.name, spec.end, starts, ends)
            task.advance(1)


# ------------------------------------------------------------------------------------------------
# The archive's path: refuse, replace or build beside it

def _total_size(filenames) -> int:
    return sum(os.path.getsize(name) for name in filenames)


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
    from ._journal import _forget
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
    from ._journal import clear_stale
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
    from ._journal import fsync_directory
    fsync_directory(directory or ".")


def _can_rename_over(path) -> bool:
    """Whether a directory built beside ``path`` can be renamed over it (same file system,
    the parent writable, not a mount point)."""
    parent = os.path.dirname(path) or "."
    return os.access(parent, os.W_OK | os.X_OK) and not os.path.ismount(path)


class _Builder:
    """Where the archive is written, and how it is put in place or removed.

    The archive is built under a temporary name beside ``path`` and renamed into place when
    complete.  Only where that rename is impossible (an empty directory that is a mount point,
    or whose parent cannot be written) is it built in the directory itself, under the
    incomplete marker, which the build creates exclusively (a concurrent build into the same
    directory fails instead of mixing files) and removes when complete."""

    def __init__(self, path, state, kind, overwrite=False, in_place=False):
        self.path = path
        self.state = state
        self.kind = kind
        self.overwrite = overwrite
        self.in_place = in_place    # ``path`` is itself a temporary name (genomedata load)
        self.created: list[str] = []
        self.archive = None
        self.direct = (state == "empty_dir" and kind == "directory"
                       and not _can_rename_over(path))
        self.build_path = path if self.direct or in_place else sibling(path, "partial")
        self._marked = False

    def start(self):
        if not self.in_place:
            clean_stale_partials(self.path)
        if self.direct:
            self.archive = ArchiveFiles(self.path, "r+", kind="directory", journal=False)
            try:
                mark_incomplete(self.archive)
            except FileExistsError:
                raise GenomedataError(f"another command is building an archive in {self.path} "
                                      "(or one was interrupted: then remove what it left, or "
                                      "use --overwrite)") from None
            self._marked = True
            if os.listdir(self.path) != [INCOMPLETE_MARKER]:
                raise GenomedataError(f"{self.path} changed while loading (it is no longer an "
                                      "empty directory)")
        else:
            self.archive = create_archive(self.build_path, self.kind, journal=False)
            mark_incomplete(self.archive)
        self._marked = True
        return self.archive

    def finish(self, display) -> None:
        if self.in_place:
            return      # the caller completes the archive, then removes the marker
        clear_incomplete(self.build_path, self.kind)
        self._marked = False
        if not self.direct:
            install(self.build_path, self.path, display, self.state, self.overwrite)

    def abandon(self) -> None:
        """Remove what this load created (never anything that existed before it)."""
        if self.archive is not None:
            try:
                self.archive.close()
            except Exception:  # noqa: BLE001 - cleaning up after an earlier error
                pass
        if self.direct:
            if self.archive is not None:
                for name in self.created:
                    try:
                        os.unlink(self.archive.filename_of(name))
                    except FileNotFoundError:
                        pass
            if self._marked:
                clear_incomplete(self.path, "directory")
        else:
            _remove(self.build_path)
