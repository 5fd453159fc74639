"""The Genomedata on-disk layout: the only module that knows HDF5 names, types and encodings.

Everything else in the package asks this module how an archive is laid out: which groups and
datasets exist, how attributes are typed, how datasets are created.  Format version 1 as written by
genomedata 1.7.4 (PyTables), which we write bit-compatible in names, types, shapes, chunking,
filters and fill values, and older variants (format version 0, PyTables 2 integer widths, fill
value 0, other chunk sizes) which we read.
"""

from __future__ import annotations

import functools
import os
import threading
from pathlib import Path

import numpy as np

from . import _sniff
from .errors import (ArchiveFormatError, ArchiveInterruptedError, ArchiveLockedError,
                     GenomedataValueError, NotAnArchiveError, not_found, shorten)

FORMAT_VERSION = 1
FILE_MODE_CHROMS = 100
SUFFIX = ".genomedata"
GENOMEDATA_ENCODING = "ascii"

CONTINUOUS_DTYPE = np.dtype(np.float32)
SEQ_DTYPE = np.dtype(np.uint8)
DEFAULT_CHUNK_ROWS = 10000
MAX_CHUNK_ROWS = (2 ** 32 - 1) // 4   # HDF5 chunks are smaller than 4 GiB (float32 rows)
MIN_GAP_LEN = 100000

SEQ = "seq"
CONTINUOUS = "continuous"
SUPERCONTIG_PREFIX = "supercontig_"

ATTR_FORMAT_VERSION = "genomedata_format_version"
ATTR_TRACKNAMES = "tracknames"
ATTR_START = "start"
ATTR_END = "end"
ATTR_DIRTY = "dirty"
ATTR_CHUNK_STARTS = "chunk_starts"
ATTR_CHUNK_ENDS = "chunk_ends"
STAT_ATTRS = ("mins", "maxs", "sums", "sums_squares", "num_datapoints")

# PyTables system attributes (REFERENCE §1.5).  FILTERS packs complevel 1, complib zlib and the
# shuffle flag; PyTables decodes it only when the root carries PYTABLES_FORMAT_VERSION.
PYTABLES_FORMAT_VERSION = "2.1"
PYTABLES_FILTERS = 1 | (1 << 8) | (1 << 16)  # 65793
PYTABLES_SYSTEM_ATTRS = ("CLASS", "VERSION", "TITLE", "FILTERS", "EXTDIM",
                         "PYTABLES_FORMAT_VERSION")

DEFLATE_LEVEL = 1
NAN_FLOAT32 = np.float32(np.nan)


# The attributes of a format-1 archive, with their HDF5 types, as this package writes them.
# docs/format.md is generated from this table.
ATTRIBUTE_TABLE = (
    # (attribute, where, HDF5 type, shape, written by)
    (ATTR_FORMAT_VERSION, "file root", "H5T_STD_I64LE", "scalar", "load-seq"),
    (ATTR_TRACKNAMES, "file root", "H5T_C_S1 (ASCII, NULLTERM, size max(32, longest name))",
     "(ntracks,)", "open-data"),
    (ATTR_START, "chromosome", "H5T_STD_U32LE", "scalar", "load-seq"),
    (ATTR_END, "chromosome", "H5T_STD_U32LE", "scalar", "load-seq"),
    (ATTR_DIRTY, "chromosome", "H5T_STD_B8LE (bitfield)", "scalar", "every writer"),
    ("mins", "chromosome", "H5T_IEEE_F64LE", "(ntracks,)", "close-data"),
    ("maxs", "chromosome", "H5T_IEEE_F64LE", "(ntracks,)", "close-data"),
    ("sums", "chromosome", "H5T_IEEE_F64LE", "(ntracks,)", "close-data"),
    ("sums_squares", "chromosome", "H5T_IEEE_F64LE", "(ntracks,)", "close-data"),
    ("num_datapoints", "chromosome", "H5T_STD_I64LE", "(ntracks,)", "close-data"),
    (ATTR_START, "supercontig", "H5T_STD_U32LE", "scalar", "load-seq"),
    (ATTR_END, "supercontig", "H5T_STD_U32LE", "scalar", "load-seq"),
    (ATTR_CHUNK_STARTS, "supercontig", "H5T_STD_I64LE (H5T_IEEE_F64LE when empty)", "(k,)",
     "close-data"),
    (ATTR_CHUNK_ENDS, "supercontig", "H5T_STD_I64LE (H5T_IEEE_F64LE when empty)", "(k,)",
     "close-data"),
)


def _h5py():
    import h5py
    return h5py


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


def is_chromosome_file(root) -> bool:
    """A file whose root is a chromosome (supercontig groups or chromosome attributes at the
    root): one file of a directory archive, not an archive by itself."""
    if any(is_supercontig_group(name) for name in root):
        return True
    return ATTR_DIRTY in root.attrs and ATTR_END in root.attrs


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
            from . import _journal
            if not _journal.pending(resolved):   # else a write did not finish: undone later
                raise not_an_archive(path)
        return "file"
    raise GenomedataValueError(f"Genomedata archive must be file or directory: "
                               f"{path}")


def chromosome_filename(dirname, chrom: str) -> str:
    return os.path.join(os.fspath(dirname), chrom + SUFFIX)


def chromosome_name_from_filename(filename) -> str:
    return os.path.basename(os.fspath(filename)).rpartition(SUFFIX)[0]


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


def clean_chromosome_name(name: str) -> str:
    """Chromosome names never contain whitespace: runs of it become ``_``."""
    return "_".join(name.split())


def supercontig_name(index: int) -> str:
    return f"{SUPERCONTIG_PREFIX}{index}"


def open_h5(path, mode="r", locking=None, rdcc_nbytes=None, transaction=None):
    """Open one HDF5 file of an archive.  ``locking=False`` works where file locking is
    unavailable; ``None`` follows HDF5_USE_FILE_LOCKING / the library default.

    ``transaction`` (a ``_journal.Transaction``, mode "r+"): the file is written through an
    undo journal and its changes are committed or undone with the transaction.  A file
    another process has locked raises ``ArchiveLockedError``; reading a file whose
    last write did not finish raises ``ArchiveInterruptedError`` (opening it for
    writing undoes that write first).
    """
    from . import _journal
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
# Attribute encodings

# Attribute writes delete the old attribute and create the new one: two HDF5 calls that must not
# interleave with another thread's write of the same attribute (tracks load concurrently and
# each marks the chromosome dirty).  One lock serializes every attribute writer.
_ATTR_LOCK = threading.RLock()


def _attr_writer(function):
    @functools.wraps(function)
    def locked(*args, **kwargs):
        with _ATTR_LOCK:
            return function(*args, **kwargs)
    return locked


def _fixed_string_type(size: int, cset_utf8: bool):
    h5t = _h5py().h5t
    tid = h5t.C_S1.copy()
    tid.set_size(max(1, size))
    tid.set_strpad(h5t.STR_NULLTERM)
    tid.set_cset(h5t.CSET_UTF8 if cset_utf8 else h5t.CSET_ASCII)
    return tid


@_attr_writer
def _delete_attr(obj, name: str) -> None:
    if name in obj.attrs:
        del obj.attrs[name]


@_attr_writer
def write_string_attr(obj, name: str, value: str, *, utf8: bool = False, null_space=False):
    """A fixed-length NULLTERM string attribute (scalar, or NULL dataspace for PyTables' TITLE)."""
    h5py = _h5py()
    _delete_attr(obj, name)
    raw = value.encode("ascii")
    tid = _fixed_string_type(len(raw), utf8)
    space = h5py.h5s.create(h5py.h5s.NULL if null_space else h5py.h5s.SCALAR)
    aid = h5py.h5a.create(obj.id, name.encode(), tid, space)
    if not null_space:
        aid.write(np.array(raw, dtype=f"S{max(1, len(raw))}"), mtype=tid)


def format_error(message: str) -> ArchiveFormatError:
    """The error for an archive object that is not laid out as the format says."""
    return ArchiveFormatError(message)


def describe(obj) -> str:
    """An HDF5 object as messages name it: ``/chr1/supercontig_0 in FILE``."""
    try:
        return f"{obj.name} in {obj.file.filename}"
    except Exception:  # noqa: BLE001 - an object that cannot even say where it is
        return repr(obj)


def _scalar_int(obj, name: str) -> int:
    """The value of a one-element integer attribute (an integral float is accepted too)."""
    try:
        value = np.asarray(obj.attrs[name])
    except Exception as exc:  # noqa: BLE001 - an attribute HDF5 or h5py cannot read
        raise format_error(f"attribute '{name}' of {describe(obj)} cannot be read ({exc})") \
            from None
    if value.size != 1 or value.dtype.kind not in "iuf":
        raise format_error(f"attribute '{name}' of {describe(obj)} is not a whole number "
                           f"(type {value.dtype}, shape {value.shape})")
    item = value.reshape(-1)[0]
    if value.dtype.kind == "f":
        if not np.isfinite(item) or item != np.floor(item):
            raise format_error(f"attribute '{name}' of {describe(obj)} is {item}, not a whole "
                               "number")
    return int(item)


def read_int_attr(obj, name: str, default=None):
    """Read an integer attribute of any width or signedness as a Python int (an
    :class:`ArchiveFormatError` if it is not one number)."""
    if name not in obj.attrs:
        return default
    return _scalar_int(obj, name)


def read_coordinate(obj, name: str) -> int:
    """A ``start``/``end`` attribute: a whole number in [0, 2**32) (the format's uint32)."""
    if name not in obj.attrs:
        raise format_error(f"{describe(obj)} has no '{name}' attribute")
    value = _scalar_int(obj, name)
    if not 0 <= value < 2 ** 32:
        raise format_error(f"attribute '{name}' of {describe(obj)} is {value}, outside the "
                           "format's coordinates 0 to 4294967295")
    return value


def read_raw_attr(obj, name: str, default=None):
    if name not in obj.attrs:
        return default
    return obj.attrs[name]


@_attr_writer
def write_uint32_attr(obj, name: str, value: int) -> None:
    if not 0 <= int(value) < 2 ** 32:
        raise GenomedataValueError(f"coordinate {value} does not fit the archive's "
                                   "32-bit coordinates")
    obj.attrs.create(name, np.uint32(value))


@_attr_writer
def write_int64_attr(obj, name: str, value: int) -> None:
    obj.attrs.create(name, np.int64(value))


def read_dirty(group) -> bool:
    value = read_raw_attr(group, ATTR_DIRTY)
    if value is None:
        return False
    value = np.asarray(value)
    if value.dtype.kind not in "biuf" or value.size > 1:
        raise format_error(f"attribute '{ATTR_DIRTY}' of {describe(group)} is not a flag "
                           f"(type {value.dtype}, shape {value.shape})")
    return bool(value.astype(bool).any())


@_attr_writer
def write_dirty(group, dirty: bool) -> None:
    """``dirty`` is an 8-bit bitfield: PyTables reads h5py's numpy bools as ``None``."""
    h5py = _h5py()
    _delete_attr(group, ATTR_DIRTY)
    space = h5py.h5s.create(h5py.h5s.SCALAR)
    aid = h5py.h5a.create(group.id, ATTR_DIRTY.encode(), h5py.h5t.STD_B8LE, space)
    aid.write(np.array(1 if dirty else 0, dtype=np.uint8), mtype=h5py.h5t.STD_B8LE)


def read_format_version(root):
    """The root's format version, or None when the attribute is absent."""
    return read_int_attr(root, ATTR_FORMAT_VERSION)


@_attr_writer
def write_format_version(root, version: int = FORMAT_VERSION) -> None:
    write_int64_attr(root, ATTR_FORMAT_VERSION, version)


def read_tracknames(root):
    """Track names stored on a file root, or None when no track was ever opened."""
    if ATTR_TRACKNAMES not in root.attrs:
        return None
    try:
        raw = np.atleast_1d(np.asarray(root.attrs[ATTR_TRACKNAMES]))
    except Exception as exc:  # noqa: BLE001 - an attribute HDF5 or h5py cannot read
        raise format_error(f"the track names of {root.file.filename} cannot be read ({exc})") \
            from None
    if raw.ndim != 1 or raw.dtype.kind not in "SUO":
        raise format_error(f"the track names of {root.file.filename} are not a list of strings "
                           f"(type {raw.dtype}, shape {raw.shape})")
    names = []
    for item in raw:
        if isinstance(item, bytes):
            try:
                names.append(item.rstrip(b"\0").decode(GENOMEDATA_ENCODING))
            except UnicodeDecodeError:
                raise format_error(f"the track names of {root.file.filename} are not ASCII "
                                   f"(track {len(names) + 1})") from None
        elif isinstance(item, str):
            if not item.isascii():
                raise format_error(f"the track names of {root.file.filename} are not ASCII "
                                   f"(track {len(names) + 1})")
            names.append(item)
        else:
            raise format_error(f"the track names of {root.file.filename} are not strings")
    return names


# ``tracknames`` is one HDF5 attribute of ntracks cells of max(32, longest name) bytes; HDF5
# (with the earliest file format, as 1.7.4 reads it) holds at most about 64 KiB in one
# attribute: 2046 tracks of up to 32 characters, fewer with longer names.
MAX_TRACKNAMES_BYTES = 2046 * 32


def check_trackname(name: str) -> bytes:
    if not name:
        raise GenomedataValueError("a track name cannot be empty")
    try:
        raw = name.encode(GENOMEDATA_ENCODING)
    except UnicodeEncodeError:
        raise GenomedataValueError(f"track name {shorten(name)!r} is not ASCII; "
                                   "Genomedata stores track names as ASCII") from None
    control = next((c for c in name if ord(c) < 32 or ord(c) == 127), None)
    if control is not None:
        raise GenomedataValueError(
            f"track name {shorten(name)!r} contains a control character "
            f"({_CONTROL_NAMES.get(control, f'0x{ord(control):02x}')}); track names are "
            "printable text")
    return raw


_CONTROL_NAMES = {"\0": "NUL", "\t": "TAB", "\n": "newline", "\r": "carriage return",
                  "\x7f": "DEL"}


def check_tracknames_fit(names) -> None:
    """Refuse a list of track names the ``tracknames`` attribute cannot hold."""
    names = list(names)
    width = max([32] + [len(name) for name in names])
    if width > MAX_TRACKNAMES_BYTES:
        raise ValueError(f"a track name of {width} characters is longer than the "
                         f"{MAX_TRACKNAMES_BYTES} bytes an archive's track list (one HDF5 "
                         "attribute) can hold")
    if len(names) * width > MAX_TRACKNAMES_BYTES:
        shorter = (f", or {MAX_TRACKNAMES_BYTES // 32} with names of up to 32 characters"
                   if width > 32 else "")
        raise ValueError(f"{len(names)} track names of up to {width} characters take "
                         f"{len(names) * width} bytes, more than the {MAX_TRACKNAMES_BYTES} an "
                         "archive's track list (one HDF5 attribute) can hold: at most "
                         f"{MAX_TRACKNAMES_BYTES // width} tracks with names this long"
                         f"{shorter}")


@_attr_writer
def write_tracknames(root, names) -> None:
    """``tracknames``: fixed-length ASCII strings of size max(32, longest name), as the
    reference writes them (its C loader compares cells over the cell size)."""
    h5py = _h5py()
    raws = [check_trackname(name) for name in names]
    check_tracknames_fit(names)
    size = max([32] + [len(raw) for raw in raws])
    _delete_attr(root, ATTR_TRACKNAMES)
    tid = _fixed_string_type(size, cset_utf8=False)
    space = h5py.h5s.create_simple((len(raws),))
    aid = h5py.h5a.create(root.id, ATTR_TRACKNAMES.encode(), tid, space)
    aid.write(np.array(raws, dtype=f"S{size}"), mtype=tid)


@_attr_writer
def write_statistics(group, mins, maxs, sums, sums_squares, num_datapoints) -> None:
    for name, values, dtype in (("mins", mins, np.float64), ("maxs", maxs, np.float64),
                                ("sums", sums, np.float64),
                                ("sums_squares", sums_squares, np.float64),
                                ("num_datapoints", num_datapoints, np.int64)):
        group.attrs.create(name, np.asarray(values, dtype=dtype))


@_attr_writer
def write_chunk_bounds(group, starts, ends) -> None:
    """int64 arrays, or zero-length float64 arrays when a supercontig has no data chunk."""
    for name, values in ((ATTR_CHUNK_STARTS, starts), (ATTR_CHUNK_ENDS, ends)):
        values = np.asarray(values)
        dtype = np.int64 if len(values) else np.float64
        group.attrs.create(name, values.astype(dtype))


# ------------------------------------------------------------------------------------------------
# Groups

def init_pytables_group(group, *, root: bool = False) -> None:
    """The PyTables system attributes of a group (REFERENCE §1.5)."""
    write_string_attr(group, "CLASS", "GROUP", utf8=True)
    if root:
        write_string_attr(group, "PYTABLES_FORMAT_VERSION", PYTABLES_FORMAT_VERSION, utf8=True)
    write_string_attr(group, "TITLE", "", utf8=True, null_space=True)
    write_string_attr(group, "VERSION", "1.0", utf8=True)
    group.attrs.create("FILTERS", np.int64(PYTABLES_FILTERS))


def init_file_root(root, chromosome_group: bool) -> None:
    """Initialise the root of a new archive HDF5 file."""
    init_pytables_group(root, root=True)
    write_format_version(root, FORMAT_VERSION)


def init_chromosome(group, end: int) -> None:
    """Chromosome-level attributes of a new chromosome (its group may be a file root)."""
    if "CLASS" not in group.attrs:
        init_pytables_group(group)
    write_uint32_attr(group, ATTR_START, 0)
    write_uint32_attr(group, ATTR_END, end)
    write_dirty(group, True)


def create_supercontig(chromosome_group, index: int, start: int, end: int):
    group = chromosome_group.create_group(supercontig_name(index))
    init_pytables_group(group)
    write_uint32_attr(group, ATTR_START, start)
    write_uint32_attr(group, ATTR_END, end)
    return group


def is_supercontig_group(name: str) -> bool:
    return name.startswith(SUPERCONTIG_PREFIX)


def _hard_child(group, name: str, what: str):
    """The child ``name`` of ``group`` reached by an ordinary (hard) link: an archive never
    links to another file (an external link) or elsewhere in itself (a soft link)."""
    h5py = _h5py()
    link = group.get(name, getlink=True)
    if isinstance(link, h5py.ExternalLink):
        raise format_error(f"{what} '{name}' of {describe(group)} is an external link to "
                           f"{link.filename}; archives never refer to other files")
    if isinstance(link, h5py.SoftLink):
        raise format_error(f"{what} '{name}' of {describe(group)} is a link to {link.path}, "
                           "not an object of its own")
    return group.get(name)


def supercontig_groups(chromosome_group):
    """Supercontig groups of a chromosome, ordered by their ``start`` attribute (checked: groups,
    with whole-number bounds in order, not overlapping).  Other children are left out
    (``validate`` reports them)."""
    h5py = _h5py()
    groups = []
    for name in chromosome_group:
        if not is_supercontig_group(name):
            continue
        child = _hard_child(chromosome_group, name, "supercontig")
        if not isinstance(child, h5py.Group):
            raise format_error(f"{describe(child)} is a dataset where a supercontig group "
                               "belongs")
        groups.append((supercontig_bounds(child), child))
    groups.sort(key=lambda item: item[0])
    for (bounds0, group0), (bounds1, group1) in zip(groups, groups[1:]):
        if bounds1[0] < bounds0[1]:
            raise format_error(f"supercontigs {group0.name} [{bounds0[0]}, {bounds0[1]}) and "
                               f"{group1.name} [{bounds1[0]}, {bounds1[1]}) in "
                               f"{group0.file.filename} overlap")
    return [group for _, group in groups]


def supercontig_bounds(group) -> tuple[int, int]:
    """``(start, end)`` of a supercontig: whole numbers, ``start <= end``."""
    start = read_coordinate(group, ATTR_START)
    end = read_coordinate(group, ATTR_END)
    if end < start:
        raise format_error(f"{describe(group)} ends ({end}) before it starts ({start})")
    return start, end


def _check_storage(dataset) -> None:
    """Refuse data stored outside the archive's file: HDF5 external storage (raw data in other
    files, which writes would overwrite) and virtual datasets (data mapped from other
    datasets or files)."""
    h5py = _h5py()
    dcpl = dataset.id.get_create_plist()
    if dcpl.get_layout() == h5py.h5d.VIRTUAL:
        raise format_error(f"{describe(dataset)} is a virtual dataset (its data are mapped from "
                           "other datasets or files); archives keep their data in their own "
                           "files")
    if dcpl.get_external_count():
        name = dcpl.get_external(0)[0]
        name = name.decode(errors="replace") if isinstance(name, bytes) else str(name)
        raise format_error(f"{describe(dataset)} stores its data in the external file {name}; "
                           "archives keep their data in their own files")


def _checked_dataset(group, name: str, what: str):
    h5py = _h5py()
    if name not in group:
        return None
    dataset = _hard_child(group, name, what)
    if not isinstance(dataset, h5py.Dataset):
        raise format_error(f"{describe(dataset)} is a group where the {what} dataset belongs")
    _check_storage(dataset)
    return dataset


def continuous_of(supercontig, length=None):
    """The supercontig's ``continuous`` dataset (None when no track was ever opened), checked:
    a dataset of numbers with two dimensions (bases, tracks) stored in the archive's file, with
    one row per base of the supercontig (``length``, default from its bounds)."""
    dataset = _checked_dataset(supercontig, CONTINUOUS, "track data")
    if dataset is None:
        return None
    if dataset.ndim != 2:
        raise format_error(f"{describe(dataset)} has shape {dataset.shape}, not (bases, tracks)")
    if dataset.dtype.kind != "f":
        raise format_error(f"{describe(dataset)} holds {dataset.dtype}, not float32 values")
    if length is None:
        start, end = supercontig_bounds(supercontig)
        length = end - start
    if dataset.shape[0] != length:
        raise format_error(f"{describe(dataset)} has {dataset.shape[0]} rows for a supercontig "
                           f"of {length} bases")
    return dataset


def seq_of(supercontig, length=None):
    """The supercontig's ``seq`` dataset (None when it has none), checked like
    :func:`continuous_of`: one byte per base."""
    dataset = _checked_dataset(supercontig, SEQ, "sequence")
    if dataset is None:
        return None
    if length is None:
        start, end = supercontig_bounds(supercontig)
        length = end - start
    if dataset.ndim != 1 or dataset.dtype.itemsize != 1 or dataset.dtype.kind not in "iu" \
            or dataset.shape[0] != length:
        raise format_error(f"{describe(dataset)} is not {length} bases of sequence (shape "
                           f"{dataset.shape}, type {dataset.dtype})")
    return dataset


def check_filters(dataset, write: bool = False) -> None:
    """Refuse a dataset whose chunks pass through an HDF5 filter that this HDF5 cannot decode
    (or, with ``write``, encode) -- before anything is read or written."""
    h5py = _h5py()
    dcpl = dataset.id.get_create_plist()
    for index in range(dcpl.get_nfilters()):
        code, _flags, _values, name = dcpl.get_filter(index)
        need = h5py.h5z.FILTER_CONFIG_DECODE_ENABLED
        if write:
            need |= h5py.h5z.FILTER_CONFIG_ENCODE_ENABLED
        if not h5py.h5z.filter_avail(code) or (h5py.h5z.get_filter_info(code) & need) != need:
            label = name.decode(errors="replace") if isinstance(name, bytes) else str(name)
            raise format_error(f"{describe(dataset)} is compressed with HDF5 filter {code} "
                               f"({label or 'unnamed'}), which this HDF5 cannot "
                               f"{'encode' if write else 'decode'}")


# ------------------------------------------------------------------------------------------------
# Datasets

def seq_chunk_len(length: int) -> int:
    """PyTables' automatic chunk size for a 1-D uint8 array of ``length`` elements."""
    mib = max(1, min(length // 2 ** 20, 10 ** 7))
    return 65536 * 2 ** int(np.floor(np.log10(mib)))


def _set_dataset_class(dataset, pytables_class: str, extdim=None) -> None:
    write_string_attr(dataset, "CLASS", pytables_class)
    if extdim is not None:
        dataset.attrs.create("EXTDIM", np.int32(extdim))
    write_string_attr(dataset, "TITLE", "")
    write_string_attr(dataset, "VERSION", "1.1")


def create_seq(supercontig_group, length: int):
    """The ``seq`` dataset: uint8 ASCII bases, PyTables CArray, shuffle + deflate 1, fill 0."""
    h5py = _h5py()
    chunk = seq_chunk_len(length)
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_chunk((chunk,))
    dcpl.set_shuffle()
    dcpl.set_deflate(DEFLATE_LEVEL)
    dcpl.set_fill_value(np.array(0, dtype=SEQ_DTYPE))
    dcpl.set_fill_time(h5py.h5d.FILL_TIME_ALLOC)
    dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_INCR)
    space = h5py.h5s.create_simple((length,), (max(length, chunk),))
    dsid = h5py.h5d.create(supercontig_group.id, SEQ.encode(), h5py.h5t.STD_U8LE, space,
                           dcpl=dcpl)
    dataset = h5py.Dataset(dsid)
    _set_dataset_class(dataset, "CARRAY")
    return dataset


def create_continuous(supercontig_group, length: int, ntracks: int = 0,
                      chunk_rows: int = DEFAULT_CHUNK_ROWS):
    """The ``continuous`` dataset: float32 ``(L, ntracks)``, chunks ``(chunk_rows, 1)``, max
    shape ``(max(L, chunk_rows), unlimited)``, shuffle + deflate 1, fill NaN (PyTables EArray
    extendable along the track dimension)."""
    if chunk_rows < 1 or chunk_rows > MAX_CHUNK_ROWS:
        raise GenomedataValueError(f"the chunk size must be 1 to {MAX_CHUNK_ROWS} "
                                   f"rows, not {chunk_rows}")
    dataset = supercontig_group.create_dataset(
        CONTINUOUS, shape=(length, ntracks), maxshape=(max(length, chunk_rows), None),
        chunks=(chunk_rows, 1), dtype=CONTINUOUS_DTYPE, shuffle=True, compression="gzip",
        compression_opts=DEFLATE_LEVEL, fillvalue=NAN_FLOAT32, fill_time="ifset")
    _set_dataset_class(dataset, "EARRAY", extdim=1)
    return dataset


def continuous_chunk_rows(dataset) -> int:
    return int(dataset.chunks[0]) if dataset.chunks else int(dataset.shape[0])


def continuous_fill_is_nan(dataset) -> bool:
    """Old archives (PyTables 2) used fill value 0.0: unwritten cells there read 0, not NaN."""
    return bool(np.isnan(dataset.fillvalue))


def add_continuous_column(dataset) -> int:
    """Grow ``continuous`` by one track column (filled with the fill value); return its index."""
    nrows, ncols = dataset.shape
    dataset.resize((nrows, ncols + 1))
    return ncols


# HDF5 filter identifiers (H5Z_FILTER_DEFLATE, H5Z_FILTER_SHUFFLE)
FILTER_DEFLATE = 1
FILTER_SHUFFLE = 2


class ChunkPipeline:
    """A dataset's filter pipeline when it is one this package encodes and decodes itself:
    byte shuffle of the dataset's element size and/or deflate, in that order.

    ``shuffle``: whether the bytes are shuffled; ``level``: the deflate level, None without
    deflate; ``shuffle_bit``/``deflate_bit``: the filter's bit in a chunk's filter mask (set
    when HDF5 skipped that filter for the chunk), 0 when the filter is absent."""

    __slots__ = ("shuffle", "level")

    def __init__(self, shuffle: bool, level):
        self.shuffle = shuffle
        self.level = level

    @property
    def shuffle_bit(self) -> int:
        return 1 if self.shuffle else 0

    @property
    def deflate_bit(self) -> int:
        return 0 if self.level is None else (2 if self.shuffle else 1)

    def __repr__(self):
        return f"ChunkPipeline(shuffle={self.shuffle}, level={self.level})"


def inflate_chunk(data, nbytes: int, where) -> bytes:
    """Inflate one deflated chunk that must hold exactly ``nbytes`` bytes, never producing more
    than ``nbytes + 1`` (a "decompression bomb" is refused, not inflated); ``where()`` names the
    chunk for the :class:`ArchiveFormatError` of a chunk that is corrupt or the wrong size."""
    try:
        from isal.isal_zlib import decompressobj
    except ImportError:  # pragma: no cover - isal is a dependency; zlib decodes the same data
        from zlib import decompressobj
    inflater = decompressobj()
    try:
        out = inflater.decompress(data, nbytes + 1)
    except Exception as exc:  # noqa: BLE001 - IsalError / zlib.error: a damaged chunk
        raise format_error(f"{where()} is corrupt: it cannot be inflated ({exc})") from None
    if len(out) > nbytes or (len(out) == nbytes and inflater.unconsumed_tail):
        raise format_error(f"{where()} inflates to more than the {nbytes} bytes of a chunk; "
                           "refused (a damaged or hostile file)")
    if len(out) < nbytes:
        raise format_error(f"{where()} is corrupt: it inflates to {len(out)} bytes, not the "
                           f"{nbytes} of a chunk")
    return out


def unfilter_chunk(raw, mask: int, pipeline, nbytes: int, edge: bool, where):
    """The bytes of one stored chunk with its deflate undone, and whether they are still
    shuffled: ``(data, shuffled)``, ``len(data) == nbytes`` (else an
    :class:`ArchiveFormatError` naming the chunk, ``where()``).  ``mask``: the chunk's filter
    mask; ``pipeline``: the dataset's :class:`ChunkPipeline`; ``edge``: the chunk is a partial
    edge chunk, which HDF5 may store unfiltered (a creation option h5py cannot query)."""
    data = raw
    try:
        if pipeline.level is not None and not mask & pipeline.deflate_bit:
            data = inflate_chunk(raw, nbytes, where)
    except Exception:
        if not (edge and len(raw) == nbytes):
            raise
        return raw, False
    if len(data) != nbytes:
        raise format_error(f"{where()} holds {len(data)} bytes, not the {nbytes} of a chunk")
    return data, bool(pipeline.shuffle and not mask & pipeline.shuffle_bit)


def chunk_pipeline(dataset):
    """The :class:`ChunkPipeline` of a chunked dataset, or None when its filters are anything
    else (other filters, another order, a shuffle of another element size): HDF5 must then
    encode and decode its chunks."""
    if dataset.chunks is None:
        return None
    dcpl = dataset.id.get_create_plist()
    filters = [dcpl.get_filter(i) for i in range(dcpl.get_nfilters())]
    codes = [code for code, _flags, _values, _name in filters]
    shuffle = bool(codes) and codes[0] == FILTER_SHUFFLE
    if shuffle:
        values = filters[0][2]
        if values and int(values[0]) != dataset.dtype.itemsize:
            return None
        filters, codes = filters[1:], codes[1:]
    if not codes:
        return ChunkPipeline(shuffle, None)
    if codes == [FILTER_DEFLATE]:
        values = filters[0][2]
        return ChunkPipeline(shuffle, int(values[0]) if values else DEFLATE_LEVEL)
    return None


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
        # exception leaving a ``with`` block undoes them (genomedata._journal)
        self.journal = journal and mode != "r"
        self._transaction = None
        self._open_lock = threading.Lock()   # loaders share one ArchiveFiles across threads
        self._checked = False    # a single file is checked once to be an archive

    # -- files
    def _open(self, filename):
        handle = self._files.get(filename)
        if handle is not None and handle.id.valid:
            return handle
        with self._open_lock:
            handle = self._files.get(filename)
            if handle is None or not handle.id.valid:
                if self.journal and self._transaction is None:
                    from ._journal import Transaction
                    self._transaction = Transaction()
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
        root = self.single_file()
        names = sorted(root.keys())
        for name in names:
            self._chromosome_in_file(root, name)
        return names

    @staticmethod
    def _chromosome_in_file(root, name):
        group = _hard_child(root, name, "chromosome")
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
        return chrom in self.single_file()

    def chromosome_group(self, chrom: str):
        """The group of an existing chromosome (KeyError if there is none)."""
        if not self.has_chromosome(chrom):
            raise not_found("chromosome", chrom, self.chromosome_names(), self.path)
        if self.kind == "directory":
            return self._open(chromosome_filename(self.path, chrom))["/"]
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


def create_archive(path, kind: str, locking=None, journal: bool = True) -> ArchiveFiles:
    """Create an empty archive of ``kind`` ("file" or "directory") at ``path``.

    An existing empty directory is fine for a directory archive; anything else existing at
    ``path`` is refused (callers remove it first when the user asked to overwrite).
    ``journal=False``: the returned archive is written without undo journal (an archive
    being built under a temporary name needs none).
    """
    from . import _journal
    path = expand_path(path)
    if kind == "directory":
        if os.path.exists(path):
            if not os.path.isdir(path) or os.listdir(path):
                raise FileExistsError(f"{path} already exists and is not an empty directory")
        else:
            os.makedirs(path)
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


# An archive being built carries a marker until it is complete: a file ``.genomedata-incomplete``
# in a directory archive, the root attribute ``genomedata_incomplete`` in a single file.  Only a
# marker can tell that chromosomes are missing: nothing else records which ones there should be.
INCOMPLETE_MARKER = ".genomedata-incomplete"
ATTR_INCOMPLETE = "genomedata_incomplete"


def mark_incomplete(files: ArchiveFiles) -> None:
    """Mark a new, empty archive as being built (fails if a marker exists: another command is
    building it)."""
    from ._journal import create_exclusive
    if files.kind == "directory":
        os.close(create_exclusive(os.path.join(files.path, INCOMPLETE_MARKER)))
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
    from ._journal import is_own_name as journal_file
    return name.endswith(SUFFIX) or name == INCOMPLETE_MARKER or journal_file(name)


# ------------------------------------------------------------------------------------------------
# PyTables-style attribute access (used by the API's ``attrs`` objects)

def read_attr_value(obj, name: str):
    """An attribute as PyTables returns it: ``dirty`` as a numpy bool, scalar strings as
    ``str`` (``h5py.Empty`` as ""), everything else as h5py reads it (numpy scalars/arrays)."""
    if name == ATTR_DIRTY:
        return np.bool_(read_dirty(obj))
    value = obj.attrs[name]
    if isinstance(value, _h5py().Empty):
        return ""
    if isinstance(value, (bytes, np.bytes_)):
        return value.decode(GENOMEDATA_ENCODING, "replace")
    return value


@_attr_writer
def write_attr(obj, name: str, value) -> None:
    """Write one attribute with the encoding this layout uses for ``name`` (generic h5py
    attribute for names the layout does not define)."""
    if name == ATTR_DIRTY:
        write_dirty(obj, bool(np.asarray(value).any()))
    elif name == ATTR_TRACKNAMES:
        names = [item.decode(GENOMEDATA_ENCODING) if isinstance(item, (bytes, np.bytes_))
                 else str(item) for item in np.atleast_1d(np.asarray(value))]
        write_tracknames(obj, names)
    elif name == ATTR_FORMAT_VERSION:
        write_format_version(obj, int(value))
    elif name in (ATTR_START, ATTR_END):
        write_uint32_attr(obj, name, int(value))
    elif name in (ATTR_CHUNK_STARTS, ATTR_CHUNK_ENDS):
        other = ATTR_CHUNK_ENDS if name == ATTR_CHUNK_STARTS else ATTR_CHUNK_STARTS
        current = np.asarray(read_raw_attr(obj, other, np.zeros(0)))
        pair = {name: np.asarray(value), other: current}
        write_chunk_bounds(obj, pair[ATTR_CHUNK_STARTS], pair[ATTR_CHUNK_ENDS])
    elif name in STAT_ATTRS:
        dtype = np.int64 if name == "num_datapoints" else np.float64
        _delete_attr(obj, name)
        obj.attrs.create(name, np.asarray(value, dtype=dtype))
    else:
        _delete_attr(obj, name)
        obj.attrs[name] = value
