"""What a file is, from its first bytes (never from its name).

Inputs use it to decompress gzip and to refuse other compressions and binary formats with a
message saying what they are; archives use it to tell a bigWig file from an HDF5 archive and to
say what a path that is no archive holds ("it looks like a bedGraph file").
"""

from __future__ import annotations

GZIP_MAGIC = b"\x1f\x8b"
HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
BIGWIG_MAGIC = 0x888FFC26        # the bigWig header's first four bytes, in either byte order
SNIFF_BYTES = 1 << 16            # bytes read to tell what an input is

# (first bytes, kind); bigWig and bigBed magic numbers in either byte order
_MAGIC = ((GZIP_MAGIC, "gzip"), (HDF5_MAGIC, "hdf5"), (b"\xfd7zXZ\x00", "xz"),
          (b"\x28\xb5\x2f\xfd", "zstd"), (b"PK\x03\x04", "zip"),
          (BIGWIG_MAGIC.to_bytes(4, "little"), "bigwig"),
          (BIGWIG_MAGIC.to_bytes(4, "big"), "bigwig"),
          (b"\xeb\xf2\x89\x87", "bigbed"), (b"\x87\x89\xf2\xeb", "bigbed"))
KIND_NAMES = {"gzip": "gzip-compressed", "bzip2": "bzip2-compressed", "xz": "xz-compressed",
              "zstd": "zstd-compressed", "zip": "a zip archive", "hdf5": "an HDF5 file",
              "bigwig": "a bigWig file", "bigbed": "a bigBed file", "empty": "empty"}


def sniff(head: bytes) -> str:
    """What an input whose first bytes are ``head`` is: ``"gzip"``, ``"bzip2"``, ``"xz"``,
    ``"zstd"``, ``"zip"``, ``"hdf5"``, ``"bigwig"``, ``"bigbed"``, ``"empty"`` or ``"text"``
    (anything else)."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head[:3] == b"BZh" and head[3:4].isdigit():
        return "bzip2"
    return "text" if head else "empty"


def file_kind(path) -> str | None:
    """:func:`sniff` of the file at ``path``; None when it cannot be read."""
    try:
        with open(path, "rb") as handle:
            return sniff(handle.read(8))
    except OSError:
        return None


def _first_line_kind(line: bytes) -> str:
    words = line.split()
    if line.startswith(b">"):
        return "a FASTA file"
    if words[0] in (b"fixedStep", b"variableStep"):
        return "a WIG file"
    digits = [word.isdigit() for word in words]
    if len(line.split(b"\t")) in (8, 9) and len(words) >= 8 and digits[1:4] == [True] * 3:
        return "an AGP file"
    if len(words) == 2 and digits[1]:
        return "a chromosome sizes file"
    if len(words) >= 3 and digits[1] and digits[2]:
        return "a bedGraph file" if len(words) == 4 else "a BED file"
    return "a text file"


def text_kind(head: bytes) -> str:
    """What text beginning with ``head`` looks like: "a FASTA file", "a WIG file", "a bedGraph
    file", "a BED file", "a chromosome sizes file", "an AGP file" or "a text file"."""
    for line in head.split(b"\n")[:-1] or [head]:
        line = line.strip()
        if not line or line.startswith((b"#", b"browser", b"track")):
            continue
        return _first_line_kind(line)
    return "a text file"


def describe_content(path) -> str:
    """What the file at ``path`` holds, for a message: "it is empty", "it looks like a
    bedGraph file", "it is a bigWig file", "it holds gzip-compressed FASTA" ..."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError as exc:
        return f"it cannot be read: {exc.strerror or exc}"
    kind = sniff(head)
    if kind == "empty":
        return "it is empty"
    if kind == "gzip":
        import zlib
        try:
            inner = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, SNIFF_BYTES)
        except zlib.error:
            return "it is gzip-compressed"
        found = text_kind(inner) if sniff(inner) == "text" else "a text file"
        return f"it is a gzip-compressed {found.split(' ', 1)[1]}"
    if kind != "text":
        return f"it is {KIND_NAMES[kind]}"
    found = text_kind(head)
    return "it is a text file" if found == "a text file" else f"it looks like {found}"
