"""The Genomedata format: the one module that knows HDF5 names, types and encodings.

Everything else in the package asks this module how an archive is laid out: which groups and
datasets exist, how attributes are typed and encoded, how datasets are created, which format
versions can be read and extended.  Format version 1 as written by genomedata 1.7.4 (PyTables),
which we write bit-compatible in names, types, shapes, chunking, filters and fill values, and
older variants (format version 0, PyTables 2 integer widths, fill value 0, other chunk sizes)
which we read.  docs/format.md shows what it writes.

How the files of an archive are opened is ``files``; how chunks are encoded and decoded,
``codec``.
"""

from __future__ import annotations

import functools
import os
import threading

import numpy as np

from ..errors import ArchiveFormatError, GenomedataValueError, UnsupportedError, shorten

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

# PyTables system attributes, on every group and dataset PyTables writes.  FILTERS packs
# complevel 1, complib zlib and the shuffle flag; PyTables decodes it only when the root carries
# PYTABLES_FORMAT_VERSION.
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
MAX_COORDINATE = 2 ** 32 - 1   # coordinates are uint32

# An archive being built carries a marker until it is complete: a file ``.genomedata-incomplete``
# in a directory archive, the root attribute ``genomedata_incomplete`` in a single file.  Only a
# marker can tell that chromosomes are missing: nothing else records which ones there should be.
INCOMPLETE_MARKER = ".genomedata-incomplete"
ATTR_INCOMPLETE = "genomedata_incomplete"

MSG_FORMAT_VERSION = ("This archive has format version {}, but the installed Genomedata "
                      "software only supports format version {}")


MSG_ADD_TRACK_VERSION = ("Adding tracks is only supported for archives created with "
                         "Genomedata version 1.2.0 or later.")


def _h5py():
    import h5py
    return h5py


# ------------------------------------------------------------------------------------------------
# Names

def chromosome_filename(dirname, chrom: str) -> str:
    return os.path.join(os.fspath(dirname), chrom + SUFFIX)


def chromosome_name_from_filename(filename) -> str:
    return os.path.basename(os.fspath(filename)).rpartition(SUFFIX)[0]


def is_chromosome_file(root) -> bool:
    """A file whose root is a chromosome (supercontig groups or chromosome attributes at the
    root): one file of a directory archive, not an archive by itself."""
    if any(is_supercontig_group(name) for name in root):
        return True
    return ATTR_DIRTY in root.attrs and ATTR_END in root.attrs


def supercontig_name(index: int) -> str:
    return f"{SUPERCONTIG_PREFIX}{index}"


def is_supercontig_group(name: str) -> bool:
    return name.startswith(SUPERCONTIG_PREFIX)


# ------------------------------------------------------------------------------------------------
# Format versions

def format_version_of(group) -> int:
    """A chromosome's format version as genomedata 1.7 looks it up: the attribute on its file's
    root, else on the chromosome group, else 0."""
    version = read_format_version(group.file["/"])
    if version is None:
        version = read_format_version(group)
    return 0 if version is None else version


_UNREAD = object()


class RootCache:
    """The format version and track names on the root of each HDF5 file, read once per file:
    a pass over the chromosomes of a single-file archive would read them once per chromosome
    (thousands of times for an assembly of small scaffolds).  For one pass that does not change
    them; files are told apart by HDF5's file number, so they must stay open meanwhile."""

    def __init__(self):
        self._roots = {}

    def _entry(self, group):
        key = group.id.fileno
        entry = self._roots.get(key)
        if entry is None:
            entry = self._roots[key] = [group.file["/"], _UNREAD, _UNREAD]
        return entry

    def tracknames(self, group):
        """:func:`read_tracknames` of the group's file root (the same list each time: do not
        change it)."""
        entry = self._entry(group)
        if entry[2] is _UNREAD:
            entry[2] = read_tracknames(entry[0])
        return entry[2]

    def format_version_of(self, group) -> int:
        """:func:`format_version_of` the group."""
        entry = self._entry(group)
        if entry[1] is _UNREAD:
            entry[1] = read_format_version(entry[0])
        version = entry[1]
        if version is None:
            version = read_format_version(group)
        return 0 if version is None else version


def check_format_version(version) -> None:
    """Refuse a format version newer than this package reads (None: none stored, fine)."""
    if version is not None and version > FORMAT_VERSION:
        raise UnsupportedError(MSG_FORMAT_VERSION.format(version, FORMAT_VERSION))


def check_can_add_tracks(version) -> None:
    """Refuse to add tracks to a format-0 archive (genomedata 1.7 cannot either) or one newer
    than this package reads."""
    if version is not None and version < 1:
        raise UnsupportedError(MSG_ADD_TRACK_VERSION)
    check_format_version(version)


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


def _name(name: str) -> bytes:
    """An HDF5 name as h5py's low-level calls take it."""
    return name.encode("utf-8")


def creation_plist(dataset):
    """The dataset's creation property list (chunking, filters, fill value, storage), asked of
    HDF5 once per h5py dataset object: h5py keeps the one it made for ``dataset.chunks``."""
    plist = getattr(dataset, "_dcpl", None)
    return plist if plist is not None else dataset.id.get_create_plist()


def has_attr(obj, name: str) -> bool:
    """Whether the HDF5 object has the attribute ``name`` (``name in obj.attrs``, without
    building h5py's attribute manager: archives of thousands of chromosomes ask it often)."""
    return _h5py().h5a.exists(obj.id, _name(name))


@functools.lru_cache(maxsize=None)
def _space(kind: str):
    """A scalar or NULL dataspace (HDF5 copies it into each attribute: one serves all)."""
    h5s = _h5py().h5s
    return h5s.create(h5s.SCALAR if kind == "scalar" else h5s.NULL)


@functools.lru_cache(maxsize=256)
def _fixed_string_type(size: int, cset_utf8: bool):
    """The string type of ``size`` bytes (HDF5 copies it into each attribute: one serves
    all of that size; open-data writes three string attributes per chromosome)."""
    h5t = _h5py().h5t
    tid = h5t.C_S1.copy()
    tid.set_size(max(1, size))
    tid.set_strpad(h5t.STR_NULLTERM)
    tid.set_cset(h5t.CSET_UTF8 if cset_utf8 else h5t.CSET_ASCII)
    return tid


@_attr_writer
def _delete_attr(obj, name: str) -> None:
    if has_attr(obj, name):
        _h5py().h5a.delete(obj.id, _name(name))


@_attr_writer
def write_string_attr(obj, name: str, value: str, *, utf8: bool = False, null_space=False):
    """A fixed-length NULLTERM string attribute (scalar, or NULL dataspace for PyTables' TITLE)."""
    h5py = _h5py()
    _delete_attr(obj, name)
    raw = value.encode("ascii")
    tid = _fixed_string_type(len(raw), utf8)
    aid = h5py.h5a.create(obj.id, name.encode(), tid, _space("null" if null_space else "scalar"))
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
    if not has_attr(obj, name):
        return default
    return _scalar_int(obj, name)


def read_coordinate(obj, name: str) -> int:
    """A ``start``/``end`` attribute: a whole number in [0, 2**32) (the format's uint32)."""
    if not has_attr(obj, name):
        raise format_error(f"{describe(obj)} has no '{name}' attribute")
    value = _scalar_int(obj, name)
    if not 0 <= value < 2 ** 32:
        raise format_error(f"attribute '{name}' of {describe(obj)} is {value}, outside the "
                           "format's coordinates 0 to 4294967295")
    return value


def read_raw_attr(obj, name: str, default=None):
    if not has_attr(obj, name):
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
    value = np.array(1 if dirty else 0, dtype=np.uint8)
    name = _name(ATTR_DIRTY)
    if h5py.h5a.exists(group.id, name):
        aid = h5py.h5a.open(group.id, name)
        if aid.shape == () and aid.get_type().equal(h5py.h5t.STD_B8LE):
            # the flag as the format has it: written in place (one HDF5 call, not a delete
            # and a create; loads and close-data set it on every chromosome)
            aid.write(value, mtype=h5py.h5t.STD_B8LE)
            return
        del aid
        h5py.h5a.delete(group.id, name)
    aid = h5py.h5a.create(group.id, name, h5py.h5t.STD_B8LE, _space("scalar"))
    aid.write(value, mtype=h5py.h5t.STD_B8LE)


def read_format_version(root):
    """The root's format version, or None when the attribute is absent."""
    return read_int_attr(root, ATTR_FORMAT_VERSION)


@_attr_writer
def write_format_version(root, version: int = FORMAT_VERSION) -> None:
    write_int64_attr(root, ATTR_FORMAT_VERSION, version)


def read_tracknames(root):
    """Track names stored on a file root, or None when no track was ever opened."""
    if not has_attr(root, ATTR_TRACKNAMES):
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
        raise GenomedataValueError(
            f"a track name of {width} characters is longer than the {MAX_TRACKNAMES_BYTES} "
            "bytes an archive's track list (one HDF5 attribute) can hold")
    if len(names) * width > MAX_TRACKNAMES_BYTES:
        shorter = (f", or {MAX_TRACKNAMES_BYTES // 32} with names of up to 32 characters"
                   if width > 32 else "")
        raise GenomedataValueError(
            f"{len(names)} track names of up to {width} characters take {len(names) * width} "
            f"bytes, more than the {MAX_TRACKNAMES_BYTES} an archive's track list (one HDF5 "
            f"attribute) can hold: at most {MAX_TRACKNAMES_BYTES // width} tracks with names "
            f"this long{shorter}")


def check_new_tracknames(tracknames) -> list[str]:
    """Names of tracks to add (one name, or a list; bytes are decoded as ASCII), checked before
    anything is written: each one a valid track name, none given twice, and room for them all
    in the track list."""
    if isinstance(tracknames, (str, bytes)):
        tracknames = [tracknames]
    names = []
    for name in tracknames:
        if isinstance(name, bytes):
            name = name.decode(GENOMEDATA_ENCODING, "replace")
        name = str(name)
        check_trackname(name)
        if name in names:
            raise GenomedataValueError(f"track name {shorten(name)!r} is given more than once")
        names.append(name)
    if not names:
        raise GenomedataValueError("no track name given")
    check_tracknames_fit(names)
    return names


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
def _write_array_attr(obj, name: str, values: np.ndarray) -> None:
    """A little-endian numeric attribute of ``values``' shape, replacing any of that name: what
    ``obj.attrs.create(name, values)`` writes, with HDF5's own calls (close-data writes seven
    per chromosome)."""
    h5py = _h5py()
    values = np.require(values, dtype=values.dtype.newbyteorder("<"), requirements="C")
    _delete_attr(obj, name)
    space = _space("scalar") if values.ndim == 0 else h5py.h5s.create_simple(values.shape)
    tid = h5py.h5t.py_create(values.dtype)
    aid = h5py.h5a.create(obj.id, _name(name), tid, space)
    aid.write(values, mtype=tid)


@_attr_writer
def write_statistics(group, mins, maxs, sums, sums_squares, num_datapoints) -> None:
    for name, values, dtype in (("mins", mins, np.float64), ("maxs", maxs, np.float64),
                                ("sums", sums, np.float64),
                                ("sums_squares", sums_squares, np.float64),
                                ("num_datapoints", num_datapoints, np.int64)):
        _write_array_attr(group, name, np.asarray(values, dtype=dtype))


@_attr_writer
def write_chunk_bounds(group, starts, ends) -> None:
    """int64 arrays, or zero-length float64 arrays when a supercontig has no data chunk."""
    for name, values in ((ATTR_CHUNK_STARTS, starts), (ATTR_CHUNK_ENDS, ends)):
        values = np.asarray(values)
        dtype = np.int64 if len(values) else np.float64
        _write_array_attr(group, name, values.astype(dtype))


# ------------------------------------------------------------------------------------------------
# Groups

def init_pytables_group(group, *, root: bool = False) -> None:
    """The system attributes PyTables writes on a group (CLASS, TITLE, VERSION, FILTERS; on the
    root also PYTABLES_FORMAT_VERSION)."""
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


def _link_type(group, name: str):
    """The HDF5 link type of the child ``name`` (hard, soft, external), None if absent."""
    links = group.id.links
    raw = _name(name)
    return links.get_info(raw).type if links.exists(raw) else None


def _open_child(group, name: str):
    """The object a hard link ``name`` of ``group`` leads to, as h5py's ``group[name]``."""
    h5py = _h5py()
    oid = h5py.h5o.open(group.id, _name(name))
    if isinstance(oid, h5py.h5g.GroupID):
        return h5py.Group(oid)
    if isinstance(oid, h5py.h5d.DatasetID):
        return h5py.Dataset(oid)
    return group[name]


def link_target(group, name: str):
    """What the child ``name`` of ``group`` is when it is no object of the group's own: "an
    external link to FILE" or "a link to PATH"; None for an ordinary (hard) link."""
    h5py = _h5py()
    link = group.get(name, getlink=True)
    if isinstance(link, h5py.ExternalLink):
        return f"an external link to {link.filename}"
    if isinstance(link, h5py.SoftLink):
        return f"a link to {link.path}"
    return None


def hard_child(group, name: str, what: str):
    """The child ``name`` of ``group`` reached by an ordinary (hard) link: an archive never
    links to another file (an external link) or elsewhere in itself (a soft link)."""
    h5py = _h5py()
    kind = _link_type(group, name)
    if kind is None:
        return None
    if kind == h5py.h5l.TYPE_HARD:
        return _open_child(group, name)
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
    return [group for _, group in supercontig_groups_with_bounds(chromosome_group)]


def supercontig_groups_with_bounds(chromosome_group):
    """:func:`supercontig_groups` as ``((start, end), group)`` pairs (each attribute read
    once)."""
    h5py = _h5py()
    groups = []
    for name in chromosome_group:
        if not is_supercontig_group(name):
            continue
        child = hard_child(chromosome_group, name, "supercontig")
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
    return groups


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
    dcpl = creation_plist(dataset)
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
    kind = _link_type(group, name)
    # (a link leading nowhere counts as absent, as ``name in group`` says)
    if kind is None or (kind != h5py.h5l.TYPE_HARD and name not in group):
        return None
    dataset = hard_child(group, name, what)
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


_FILTER_CONFIGS = {}


def _filter_config(code: int) -> int:
    """What this HDF5 can do with filter ``code`` (its ``FILTER_CONFIG`` flags; 0 when it
    lacks the filter), asked once per available filter (a missing one may be registered
    later, by a plugin)."""
    config = _FILTER_CONFIGS.get(code)
    if config is None:
        h5z = _h5py().h5z
        if not h5z.filter_avail(code):
            return 0
        config = _FILTER_CONFIGS[code] = h5z.get_filter_info(code)
    return config


def check_filters(dataset, write: bool = False) -> None:
    """Refuse a dataset whose chunks pass through an HDF5 filter that this HDF5 cannot decode
    (or, with ``write``, encode) -- before anything is read or written."""
    h5py = _h5py()
    dcpl = creation_plist(dataset)
    for index in range(dcpl.get_nfilters()):
        code, _flags, _values, name = dcpl.get_filter(index)
        need = h5py.h5z.FILTER_CONFIG_DECODE_ENABLED
        if write:
            need |= h5py.h5z.FILTER_CONFIG_ENCODE_ENABLED
        if (_filter_config(code) & need) != need:
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
        _write_array_attr(dataset, "EXTDIM", np.array(extdim, dtype=np.int32))
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


def check_chunk_rows(chunk_rows) -> int:
    """A chunk height (rows per chunk of ``continuous``) the format can hold."""
    try:
        value = int(chunk_rows)
    except (TypeError, ValueError):
        raise GenomedataValueError(f"chunk size must be a whole number of rows, not "
                                   f"{chunk_rows!r}") from None
    if value != chunk_rows or value < 1:
        raise GenomedataValueError(f"chunk size must be a positive number of rows, not "
                                   f"{chunk_rows}")
    if value > MAX_CHUNK_ROWS:
        raise GenomedataValueError(f"chunk size {value} is too large: an HDF5 chunk must be "
                                   f"smaller than 4 GiB (at most {MAX_CHUNK_ROWS} rows)")
    return value


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


# ------------------------------------------------------------------------------------------------
# Block summaries (optional; genomedata 1.7.4 reads a supercontig's children by name only, so it
# never sees them)

BLOCK_SUMMARIES = "block_summaries"
BLOCK_SUMMARY_ROWS = 1000            # rows per block, from the supercontig's first row
BLOCK_SUMMARY_FIELDS = ("count", "sum", "min", "max")
BLOCK_SUMMARY_DTYPE = np.dtype(np.float32)
BLOCK_SUMMARY_CHUNK_BLOCKS = 4096    # blocks per chunk (of one track)
ATTR_BLOCK_ROWS = "block_rows"
ATTR_SUMMARY_STATISTICS = "statistics"

# The attributes of a ``block_summaries`` dataset, for docs/format.md.
BLOCK_SUMMARY_ATTRIBUTES = (
    # (attribute, HDF5 type, shape, meaning)
    (ATTR_BLOCK_ROWS, "H5T_STD_I64LE", "scalar", "rows per block"),
    (ATTR_TRACKNAMES, "H5T_C_S1 (ASCII, NULLTERM)", "(ntracks,)",
     "the archive's track names when the summaries were computed"),
    (ATTR_SUMMARY_STATISTICS, "H5T_IEEE_F64LE", "(5, ntracks)",
     "the chromosome's mins, maxs, sums, sums_squares and num_datapoints when the summaries "
     "were computed"),
)


# Supercontigs shorter than this carry no block summaries: writing a dataset costs more than
# reading so few values (an assembly of thousands of small scaffolds would pay a dataset per
# scaffold in every close-data); readers summarise their values as they read them.
BLOCK_SUMMARY_MIN_ROWS = 32 * BLOCK_SUMMARY_ROWS


def keeps_block_summaries(length: int) -> bool:
    """Whether a supercontig of ``length`` rows stores ``block_summaries``."""
    return int(length) >= BLOCK_SUMMARY_MIN_ROWS


def block_count(length: int, block_rows: int = BLOCK_SUMMARY_ROWS) -> int:
    """Blocks of ``block_rows`` rows of a supercontig of ``length`` rows (the last one may be
    shorter)."""
    return -(-int(length) // int(block_rows))


def statistics_fingerprint(mins, maxs, sums, sums_squares, num_datapoints) -> np.ndarray:
    """float64 ``(5, ntracks)``: a chromosome's statistics as ``block_summaries`` record them
    (the values ``write_statistics`` stores, in ``STAT_ATTRS`` order)."""
    return np.stack([np.asarray(mins, dtype=np.float64), np.asarray(maxs, dtype=np.float64),
                     np.asarray(sums, dtype=np.float64),
                     np.asarray(sums_squares, dtype=np.float64),
                     np.asarray(num_datapoints, dtype=np.int64).astype(np.float64)])


def read_statistics_fingerprint(group):
    """:func:`statistics_fingerprint` of the statistics stored on a chromosome group, or None
    when some are missing or are not one number per track alike."""
    rows = []
    for name in STAT_ATTRS:
        if not has_attr(group, name):
            return None
        try:
            value = np.atleast_1d(np.asarray(group.attrs[name]))
        except Exception:  # noqa: BLE001 - unreadable statistics: nothing to compare
            return None
        if value.ndim != 1 or value.dtype.kind not in "iuf" \
                or (rows and len(value) != len(rows[0])):
            return None
        rows.append(value.astype(np.float64))
    return np.stack(rows)


def block_summaries_dataset(supercontig, nblocks: int, tracknames, fingerprint,
                            block_rows: int = BLOCK_SUMMARY_ROWS):
    """The supercontig's ``block_summaries``, ready for its values: float32 ``(nblocks,
    ntracks, 4)`` of (count, sum, min, max) of the finite values of each track in each block
    of ``block_rows`` rows (min and max NaN without any), chunks ``(min(nblocks, 4096), 1,
    4)``, shuffle + deflate 1 (a PyTables CArray); attributes: the block height, the track
    names and the chromosome's statistics (:func:`statistics_fingerprint`) the values are
    computed with.  An existing one of that shape is reused (its values overwritten next),
    else replaced."""
    shape = (int(nblocks), len(tracknames), len(BLOCK_SUMMARY_FIELDS))
    existing = supercontig.get(BLOCK_SUMMARIES)
    h5py = _h5py()
    if existing is not None and not (isinstance(existing, h5py.Dataset)
                                     and existing.shape == shape
                                     and existing.dtype == BLOCK_SUMMARY_DTYPE):
        del supercontig[BLOCK_SUMMARIES]
        existing = None
    if existing is None:
        existing = supercontig.create_dataset(
            BLOCK_SUMMARIES, shape=shape, dtype=BLOCK_SUMMARY_DTYPE,
            chunks=(max(1, min(shape[0], BLOCK_SUMMARY_CHUNK_BLOCKS)), 1, shape[2]),
            shuffle=True, compression="gzip", compression_opts=DEFLATE_LEVEL)
        _set_dataset_class(existing, "CARRAY")
    write_int64_attr(existing, ATTR_BLOCK_ROWS, block_rows)
    write_tracknames(existing, tracknames)
    _write_array_attr(existing, ATTR_SUMMARY_STATISTICS,
                      np.asarray(fingerprint, dtype=np.float64))
    return existing


def remove_block_summaries(supercontig) -> None:
    """Delete the supercontig's ``block_summaries``, if any."""
    if _link_type(supercontig, BLOCK_SUMMARIES) is not None:
        del supercontig[BLOCK_SUMMARIES]


def block_summaries_of(supercontig):
    """``(dataset, block_rows, tracknames, fingerprint)`` of the supercontig's
    ``block_summaries``, or None when it has none or one not laid out as
    :func:`block_summaries_dataset` makes it (readers then read the values themselves)."""
    h5py = _h5py()
    if _link_type(supercontig, BLOCK_SUMMARIES) != h5py.h5l.TYPE_HARD:
        return None
    try:
        dataset = _open_child(supercontig, BLOCK_SUMMARIES)
        if not isinstance(dataset, h5py.Dataset) or dataset.ndim != 3 \
                or dataset.shape[2] != len(BLOCK_SUMMARY_FIELDS) \
                or dataset.dtype.kind != "f":
            return None
        _check_storage(dataset)
        block_rows = read_int_attr(dataset, ATTR_BLOCK_ROWS)
        tracknames = read_tracknames(dataset)
        fingerprint = read_raw_attr(dataset, ATTR_SUMMARY_STATISTICS)
    except Exception:  # noqa: BLE001 - a damaged summary is ignored, never trusted
        return None
    if block_rows is None or block_rows < 1 or tracknames is None or fingerprint is None:
        return None
    fingerprint = np.asarray(fingerprint)
    if fingerprint.dtype.kind not in "iuf":
        return None
    return dataset, block_rows, tracknames, fingerprint.astype(np.float64)


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
