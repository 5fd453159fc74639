"""bigWig input: opening a bigWig file, once for every reader of one.

``Genome("x.bigWig")`` (the read API) and bigWig track inputs (load, load-data) open bigWig files
here: the header is checked first (libBigWig crashes the process on some damaged files), and
every error while reading names the file.
"""

from __future__ import annotations

import os

from .._sniff import BIGWIG_MAGIC
from ..errors import GenomedataError

# The bigWig header (UCSC's bigWig/bigBed specification): magic, version, zoom levels, the
# offsets of the chromosome B+ tree, the data and the R-tree index, field counts, the autoSql
# and total-summary offsets, the decompression buffer size; then one header per zoom level.
_BBI_HEADER = "IHHQQQHHQQIQ"
_ZOOM_HEADER = "IIQQ"
_CHROM_TREE_MAGIC = 0x78CA8C91
_RTREE_MAGIC = 0x2468ACE0
_MAX_UNCOMPRESS_BUF = 1 << 28


def check_bigwig_file(path) -> None:
    """Refuse a file whose bigWig header does not hold together (its offsets point past the
    end, its trees lack their magic numbers...) before libBigWig reads it: libBigWig crashes
    the process on some damaged files.  The message names the file and what is wrong."""
    import struct
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size

            def read(offset, length):
                handle.seek(offset)
                return handle.read(length)

            head = read(0, 64)
            if len(head) < 64:
                raise ValueError(f"it ends after {len(head)} bytes, inside its 64-byte header")
            for order in "<>":
                if struct.unpack(order + "I", head[:4])[0] == BIGWIG_MAGIC:
                    break
            else:
                raise ValueError("it does not start with the bigWig magic number")
            (_magic, _version, zooms, chrom_tree, data, index, _fields, _defined, _autosql,
             summary, buffer_size, _reserved) = struct.unpack(order + _BBI_HEADER, head)

            def within(what, offset, length):
                if not 64 <= offset or offset + length > size:
                    raise ValueError(f"its {what} at byte {offset} reaches past the end of the "
                                     f"file ({size} bytes; a truncated or damaged file)")

            def tree(what, offset, magic):
                within(what, offset, 4)
                if struct.unpack(order + "I", read(offset, 4))[0] != magic:
                    raise ValueError(f"its {what} at byte {offset} is damaged")

            within("zoom headers", 64, 24 * zooms)
            tree("chromosome index", chrom_tree, _CHROM_TREE_MAGIC)
            within("data", data, 8)
            tree("data index", index, _RTREE_MAGIC)
            if summary:
                within("summary", summary, 40)
            if buffer_size > _MAX_UNCOMPRESS_BUF:
                raise ValueError(f"its header asks for a {buffer_size}-byte buffer")
            for level in range(zooms):
                _reduction, _, zoom_data, zoom_index = struct.unpack(
                    order + _ZOOM_HEADER, read(64 + 24 * level, 24))
                within(f"zoom level {level + 1} data", zoom_data, 4)
                tree(f"zoom level {level + 1} index", zoom_index, _RTREE_MAGIC)
    except OSError as exc:
        raise GenomedataError(f"{path}: cannot read the bigWig file ({exc.strerror})") \
            from None
    except (ValueError, struct.error) as exc:
        raise GenomedataError(f"{path}: not a readable bigWig file: {exc}") from None


class _NamedBigWig:
    """A pyBigWig handle whose errors (RuntimeError "An error occurred while fetching ...")
    become one sentence naming the file."""

    __slots__ = ("_handle", "_path")

    def __init__(self, handle, path):
        self._handle = handle
        self._path = path

    def __getattr__(self, name):
        attribute = getattr(self._handle, name)
        if not callable(attribute):
            return attribute

        def call(*args, **kwargs):
            try:
                return attribute(*args, **kwargs)
            except RuntimeError as exc:
                raise GenomedataError(f"{self._path}: the bigWig file is damaged ({exc})") \
                    from None
        return call


def open_bigwig(path):
    """``pyBigWig.open`` of a bigWig file, with a clean error for anything else (errors while
    reading it name the file too)."""
    import pyBigWig
    path = os.fspath(path)
    check_bigwig_file(path)
    try:
        handle = pyBigWig.open(path)
    except RuntimeError:
        handle = None
    if handle is None or not handle.isBigWig():
        raise GenomedataError(f"{path}: not a readable bigWig file")
    return _NamedBigWig(handle, path)
