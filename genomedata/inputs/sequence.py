"""Readers of the inputs of ``load-seq``: FASTA, AGP, chromosome sizes and NCBI assembly reports.

Every reader validates as it reads and reports malformed input as
:class:`~genomedata.errors.InputError` (``FILE:LINE: what is wrong``).  Gzip input is recognised by
its magic bytes.  Chromosome names pass through an optional ``rename(name, filename, line)``
callable (the assembly-report translation), are cleaned of whitespace and are registered in a
:class:`NameRegistry`, which refuses a name defined twice and names both places.

FASTA is streamed: files are read in blocks of bytes and only the sequence of the current record
is accumulated, in a :class:`SequenceBuffer` that the caller owns and reuses from record to record.
Line ends are removed and records found by numba kernels (``genomedata.kernels.seq``), so no Python
code runs per input line.  AGP, sizes and assembly-report files are small (one line per component
or sequence) and are read line by line.
"""

from __future__ import annotations

import os
from typing import Callable, Iterator, NamedTuple

import numpy as np

from .._sniff import SNIFF_BYTES, text_kind
from ..archive.layout import MAX_COORDINATE
from ..errors import GenomedataError, InputError, shorten
from .buffers import open_binary
from .numbers import UNSIGNED_INTEGER

BLOCK_SIZE = 1 << 24          # bytes of FASTA input read at a time
AGP_GAP_TYPES = frozenset(("N", "U"))
AGP_COLUMNS = 9
NOT_AVAILABLE = frozenset(("", "na"))  # assembly-report cells that name nothing

Rename = Callable[[str, str, int], str]
Progress = Callable[[int], None]


# ------------------------------------------------------------------------------------------------
# Names

def clean_chromosome_name(name: str) -> str:
    """Chromosome names never contain whitespace: runs of it become ``_``."""
    return "_".join(name.split())


def check_chromosome_name(name: str, filename, line) -> str:
    """Clean ``name`` (whitespace runs become ``_``) and check that it can name a chromosome."""
    name = clean_chromosome_name(name)
    if not name:
        raise InputError(filename, line, "empty sequence name")
    if not name.isascii() or not name.isprintable():
        raise InputError(filename, line, f"sequence name {shorten(name)!r} is not printable ASCII")
    if "/" in name or name in (".", ".."):
        raise InputError(filename, line, f"sequence name {shorten(name)!r} cannot name a "
                         "chromosome (it contains '/' or is '.' or '..')")
    return name


class NameRegistry:
    """Where each chromosome name was defined; a second definition is an InputError."""

    def __init__(self):
        self._places: dict[str, tuple[str, int]] = {}

    def add(self, name: str, filename, line) -> None:
        previous = self._places.get(name)
        if previous is not None:
            raise InputError(filename, line, f"chromosome {shorten(name)} is defined twice: "
                             f"here and at {previous[0]}:{previous[1]}")
        self._places[name] = (os.fspath(filename), line)

    def __contains__(self, name) -> bool:
        return name in self._places

    def __len__(self) -> int:
        return len(self._places)


def _name(raw: str, filename, line, rename: Rename | None, registry: NameRegistry | None) -> str:
    if rename is not None:
        raw = rename(raw, filename, line)
    name = check_chromosome_name(raw, filename, line)
    if registry is not None:
        registry.add(name, filename, line)
    return name


# ------------------------------------------------------------------------------------------------
# Text lines of the small formats

SEQUENCE_INPUT = "FASTA, AGP, sizes and assembly-report text (plain or gzip)"


def _open_binary(filename):
    return open_binary(filename, SEQUENCE_INPUT)


def _text_lines(filename) -> Iterator[tuple[int, str]]:
    """(line number, line without its line end) of a small text input, gzip or not."""
    with _open_binary(filename) as handle:
        for lineno, raw in enumerate(handle, 1):
            raw = raw.rstrip(b"\r\n")
            try:
                yield lineno, raw.decode("ascii")
            except UnicodeDecodeError:
                raise InputError(filename, lineno, "non-ASCII character") from None


def _parse_int(text: str, what: str, filename, line, minimum: int = 0) -> int:
    """A whole number in the grammar of every text input (digits only:
    ``_textinput.UNSIGNED_INTEGER``) between ``minimum`` and the archive's coordinates."""
    if not UNSIGNED_INTEGER.fullmatch(text):
        raise InputError(filename, line, f"{what} {shorten(text, 40)!r} is not an integer "
                         "(digits 0-9 only)")
    value = int(text)
    if value < minimum:
        raise InputError(filename, line, f"{what} {value} is less than {minimum}")
    if value > MAX_COORDINATE:
        raise InputError(filename, line, f"{what} {value} does not fit the archive's 32-bit "
                         "coordinates")
    return value


class ChromosomeSpec(NamedTuple):
    """A chromosome read from AGP or sizes input: its length and supercontigs, no sequence."""
    name: str
    end: int
    supercontigs: list  # [(start, end), ...] in order, half-open, 0-based
    filename: str
    line: int


# ------------------------------------------------------------------------------------------------
# AGP

def read_agp(filename, rename: Rename | None = None,
             registry: NameRegistry | None = None) -> list[ChromosomeSpec]:
    """The chromosomes (AGP objects) of an AGP file, in order of first appearance.

    ``#`` lines are skipped; rows have 9 TAB-separated columns (8 are accepted for gap rows, as
    in AGP 1.1).  Gap rows (component type ``N`` or ``U``) are discarded and separate
    supercontigs; other rows of an object merge while they touch or overlap (merged end = max
    end).  The chromosome ends at the end of its last merged region (trailing gaps do not
    count); an object with no component row has end 0 and no supercontig.  Rows of an object
    must be in order of position.
    """
    filename = os.fspath(filename)
    objects: dict[str, dict] = {}
    blank_line = None
    for lineno, line in _text_lines(filename):
        if line.startswith("#"):
            continue
        if not line.strip():
            if blank_line is None:
                blank_line = lineno
            continue
        if blank_line is not None:
            raise InputError(filename, blank_line, "blank line among AGP rows")
        fields = line.split("\t")
        ncols = len(fields)
        is_gap = ncols >= 5 and fields[4] in AGP_GAP_TYPES
        if ncols != AGP_COLUMNS and not (is_gap and ncols == AGP_COLUMNS - 1):
            raise InputError(filename, lineno, f"expected {AGP_COLUMNS} TAB-separated columns, "
                             f"found {ncols}")
        raw_name = fields[0]
        if not raw_name.strip():
            raise InputError(filename, lineno, "empty object name in column 1")
        beg = _parse_int(fields[1], "object_beg", filename, lineno, minimum=1) - 1
        end = _parse_int(fields[2], "object_end", filename, lineno, minimum=1)
        if end <= beg:
            raise InputError(filename, lineno, f"object_end {end} is less than object_beg "
                             f"{beg + 1}")
        _parse_int(fields[3], "part_number", filename, lineno, minimum=1)
        if is_gap:
            _parse_int(fields[5], "gap_length", filename, lineno)
            if fields[7] not in ("yes", "no"):
                raise InputError(filename, lineno, f"linkage {fields[7]!r} (column 8) is "
                                 "neither 'yes' nor 'no'")
        else:
            if not fields[4]:
                raise InputError(filename, lineno, "empty component type in column 5")
            _parse_int(fields[6], "component_beg", filename, lineno, minimum=1)
            _parse_int(fields[7], "component_end", filename, lineno, minimum=1)

        obj = objects.get(raw_name)
        if obj is None:
            name = _name(raw_name, filename, lineno, rename, registry)
            obj = objects[raw_name] = {"name": name, "line": lineno, "regions": [],
                                       "last_beg": -1, "split": True}
        if beg < obj["last_beg"]:
            raise InputError(filename, lineno, f"rows of {shorten(raw_name)} are not in order of "
                             "position (this row begins before the previous one)")
        obj["last_beg"] = beg
        if is_gap:
            obj["split"] = True
            continue
        regions = obj["regions"]
        if not obj["split"] and regions[-1][1] >= beg:
            regions[-1][1] = max(regions[-1][1], end)
        else:
            regions.append([beg, end])
        obj["split"] = False

    return [ChromosomeSpec(obj["name"], obj["regions"][-1][1] if obj["regions"] else 0,
                           [tuple(region) for region in obj["regions"]], filename, obj["line"])
            for obj in objects.values()]


# ------------------------------------------------------------------------------------------------
# Sizes

def read_sizes(filename, rename: Rename | None = None,
               registry: NameRegistry | None = None) -> list[ChromosomeSpec]:
    """``NAME SIZE`` per line (whitespace-separated; further columns, blank lines and ``#``
    lines ignored): one chromosome [0, SIZE) with one supercontig each (none when SIZE is 0)."""
    filename = os.fspath(filename)
    specs = []
    for lineno, line in _text_lines(filename):
        fields = line.split()
        if not fields or fields[0].startswith("#"):
            continue
        if len(fields) < 2:
            raise InputError(filename, lineno, "expected a sequence name and its size")
        size = _parse_int(fields[1], "size", filename, lineno)
        name = _name(fields[0], filename, lineno, rename, registry)
        specs.append(ChromosomeSpec(name, size, [(0, size)] if size else [], filename, lineno))
    return specs


# ------------------------------------------------------------------------------------------------
# Assembly reports

class AssemblyReport:
    """An NCBI assembly report: a table of sequence names in several naming styles.

    The header is the last ``#`` line before the first data line (its field names are the
    words after the ``#``); data lines are TAB-separated.  A name is looked up in every column;
    when it occurs in several, the last such column decides the row (as the reference does).
    """

    def __init__(self, columns: list[str], rows: list[list[str]], filename: str):
        self.columns = columns
        self.filename = filename
        self._values = {column: [row[index] if index < len(row) else "" for row in rows]
                        for index, column in enumerate(columns)}
        self._position: dict[str, int] = {}
        for column in columns:
            first: dict[str, int] = {}
            for position, value in enumerate(self._values[column]):
                first.setdefault(value, position)
            self._position.update(first)

    @property
    def styles(self) -> list[str]:
        return list(self.columns)

    def translate(self, name: str, style: str, filename=None, line=None) -> str:
        if style not in self._values:
            raise GenomedataError(self._style_message(style))
        position = self._position.get(name)
        if position is None:
            raise InputError(filename, line, f"Cannot find {shorten(name)} in assembly report")
        value = self._values[style][position]
        if value in NOT_AVAILABLE:
            raise InputError(filename, line, f"{shorten(name)} has no {style} in assembly report "
                             f"{self.filename}")
        return value

    def _style_message(self, style: str) -> str:
        return (f"unknown name style {style!r}; the assembly report {self.filename} has: "
                + ", ".join(self.columns))

    def translator(self, style: str) -> Rename:
        """A ``rename(name, filename, line)`` callable for the readers; checks ``style`` now."""
        if style not in self._values:
            raise GenomedataError(self._style_message(style))

        def rename(name, filename=None, line=None):
            return self.translate(name, style, filename, line)
        return rename


def read_assembly_report(source) -> AssemblyReport:
    """Read an assembly report from a path or from an open (text or binary) file."""
    if hasattr(source, "read"):
        filename = getattr(source, "name", "<assembly report>")
        data = source.read()
    else:
        filename = os.fspath(source)
        with _open_binary(filename) as handle:
            data = handle.read()
    if isinstance(data, bytes):
        data = data.decode("utf-8", errors="replace")
    lines = data.splitlines()
    header = None
    first_data = len(lines)
    for index, line in enumerate(lines):
        if line.startswith("#"):
            header = line
        elif line.strip():
            first_data = index
            break
    if header is None:
        if not lines:
            raise GenomedataError(f"{filename}: the assembly report is empty")
        header_fields = lines[first_data].split("\t")
        first_data += 1
    else:
        header_fields = header.partition("#")[2].split()
    columns = [field.strip() for field in header_fields]
    if not columns:
        raise GenomedataError(f"{filename}: the assembly report has no header line")
    rows = [line.split("\t") for line in lines[first_data:]
            if line.strip() and not line.startswith("#")]
    rows = [[cell.strip() for cell in row] for row in rows]
    return AssemblyReport(columns, rows, os.fspath(filename))


# ------------------------------------------------------------------------------------------------
# FASTA

class SequenceBuffer:
    """The growing uint8 buffer holding one record's sequence, reused from record to record.

    It grows in place (``ndarray.resize``, i.e. ``realloc``), so a chromosome's sequence is
    never held twice.  :meth:`view` is valid until the buffer next grows.
    """

    def __init__(self, capacity: int = 1 << 20):
        self.array = np.empty(max(1, capacity), dtype=np.uint8)
        self.length = 0

    def reserve(self, extra: int) -> None:
        needed = self.length + extra
        if needed > self.array.shape[0]:
            self.array.resize(max(needed, self.array.shape[0] * 3 // 2), refcheck=False)

    def view(self) -> np.ndarray:
        return self.array[:self.length]


def _byte_name(byte: int) -> str:
    names = {0: "a NUL byte", 9: "a TAB", 32: "a space"}
    if byte in names:
        return names[byte]
    if 33 <= byte < 127:
        return f"the character {chr(byte)!r}"
    return f"the byte 0x{byte:02x}"


class FastaRecord(NamedTuple):
    """A complete FASTA record; its sequence is ``buffer.view()`` until the next record."""
    name: str
    filename: str
    line: int      # line of the '>' definition line
    length: int


def _kernels():
    from ..kernels import seq
    return seq


def _fill(handle, buffer: np.ndarray, start: int) -> int:
    """Read into ``buffer[start:]`` until it is full or the input ends; bytes read."""
    view = memoryview(buffer)[start:]
    total = 0
    while total < len(view):
        got = handle.readinto(view[total:])
        if not got:
            break
        total += got
    return total


def _raw_position(handle) -> int:
    """Bytes consumed from the file on disk (compressed bytes for gzip input)."""
    raw = getattr(handle, "fileobj", None) or handle
    try:
        return raw.tell()
    except (OSError, ValueError, AttributeError):
        return 0


def count_fasta_records(filenames, limit: int | None = None,
                        progress: Progress | None = None, block_size: int = BLOCK_SIZE) -> int:
    """Number of ``>`` definition lines in the files; stops early once ``limit`` is reached."""
    k = _kernels()
    count = 0
    buffer = np.empty(block_size, dtype=np.uint8)
    for filename in filenames:
        with _open_binary(filename) as handle:
            at_line_start = True
            reported = 0
            while True:
                got = _fill(handle, buffer, 0)
                if not got:
                    break
                block = buffer[:got]
                count += k.count_line_starts_with(block, k.GREATER_THAN, at_line_start)
                at_line_start = bool(block[-1] == k.NEWLINE)
                if progress is not None:
                    position = _raw_position(handle)
                    progress(position - reported)
                    reported = position
                if limit is not None and count >= limit:
                    return count
    return count


def iter_fasta_records(filenames, buffer: SequenceBuffer, rename: Rename | None = None,
                       registry: NameRegistry | None = None, progress: Progress | None = None,
                       on_file: Callable[[str], None] | None = None,
                       block_size: int = BLOCK_SIZE) -> Iterator[FastaRecord]:
    """Stream the records of FASTA files; each record's sequence is in ``buffer``.

    A record starts at a line beginning with ``>``; its name is the first whitespace-delimited
    word of that line (then ``rename`` and whitespace cleaning).  Sequence lines are joined
    without their line ends (LF or CRLF) and without blanks at the end of a line; the letters
    (IUPAC codes) and ``-`` are kept as they are, case included.  A record with no sequence is
    yielded with length 0 (the caller decides what to do with it).  Errors: sequence text
    before the first ``>`` of a file, a byte outside ASCII, any other byte in a sequence line
    (NUL, a digit, a blank inside the line...), a definition line without a name, a name
    defined twice.
    """
    for filename in filenames:
        filename = os.fspath(filename)
        if on_file is not None:
            on_file(filename)
        yield from _FastaFile(filename, buffer, rename, registry, progress, block_size).records()


# what a sequence file that is not FASTA looks like -> the option that reads it
_OTHER_SEQUENCE_INPUTS = {"a chromosome sizes file": "--sizes", "an AGP file": "--assembly"}


def _not_fasta_hint(filename) -> str:
    """For text that is not FASTA: what it looks like and the option that reads it."""
    with _open_binary(filename) as handle:
        found = text_kind(handle.read(SNIFF_BYTES))
    option = _OTHER_SEQUENCE_INPUTS.get(found)
    if option is None:
        return ""
    return f"; it looks like {found}, not FASTA: add {option} to read it as one"


class _FastaFile:
    def __init__(self, filename, buffer, rename, registry, progress, block_size):
        self.filename = filename
        self.buffer = buffer
        self.rename = rename
        self.registry = registry
        self.progress = progress
        self.block_size = max(16, block_size)
        self.k = _kernels()
        self.name = None     # name of the current record, None before the first '>'
        self.line = 0        # line of its definition line

    # -- one record's pieces
    def _header(self, raw: bytes, line: int) -> None:
        try:
            text = raw.decode("ascii")
        except UnicodeDecodeError:
            raise InputError(self.filename, line, "non-ASCII character in the definition "
                             "line") from None
        words = text.split()
        if not words:
            raise InputError(self.filename, line, "definition line without a sequence name")
        self.name = _name(words[0], self.filename, line, self.rename, self.registry)
        self.line = line
        self.buffer.length = 0

    def _sequence(self, segment: np.ndarray, line: int) -> None:
        """Add whole sequence lines (or a line's beginning up to a non-blank byte)."""
        if not segment.shape[0]:
            return
        k = self.k
        if self.name is None:
            index = k.find_non_blank(segment)
            if index >= 0:
                line += k.count_byte(segment[:index], k.NEWLINE)
                raise InputError(self.filename, line, "sequence data before the first '>' "
                                 "definition line" + _not_fasta_hint(self.filename))
            return
        # the first byte that is not sequence is reported, wherever the input's blocks end
        index = k.find_non_sequence(segment)
        if index >= 0:
            line += k.count_byte(segment[:index], k.NEWLINE)
            if segment[index] >= 128:
                raise InputError(self.filename, line, f"non-ASCII byte "
                                 f"0x{int(segment[index]):02x} in the sequence of "
                                 f"{shorten(self.name)}")
            raise InputError(self.filename, line, f"{_byte_name(int(segment[index]))} in the "
                             f"sequence of {shorten(self.name)}: sequence lines hold letters "
                             "(IUPAC codes) and '-' only")
        buffer = self.buffer
        buffer.reserve(segment.shape[0])
        buffer.length = k.compact_sequence(segment, buffer.array, buffer.length)
        if buffer.length > MAX_COORDINATE:
            raise InputError(self.filename, self.line, f"sequence {shorten(self.name)} is longer "
                             f"than {MAX_COORDINATE} bases, the archive's limit")

    def _record(self) -> FastaRecord:
        return FastaRecord(self.name, self.filename, self.line, self.buffer.length)

    # -- the stream
    def records(self) -> Iterator[FastaRecord]:
        k = self.k
        self.buffer.length = 0
        block = np.empty(self.block_size, dtype=np.uint8)
        carry = 0              # bytes of an unfinished line kept at the start of block
        at_line_start = True   # block[0] begins a line
        line_base = 1          # line number of block[0]
        reported = 0
        with _open_binary(self.filename) as handle:
            while True:
                got = _fill(handle, block, carry)
                total = carry + got
                eof = total < block.shape[0]
                if self.progress is not None:
                    position = _raw_position(handle)
                    self.progress(position - reported)
                    reported = position
                view = block[:total]
                if eof:
                    limit = total
                else:
                    newline = k.rfind_byte(view, k.NEWLINE)
                    if newline >= 0:
                        limit = newline + 1
                    elif at_line_start and view[0] == k.GREATER_THAN:
                        limit = 0     # a definition line longer than the block
                    else:
                        limit = k.rfind_non_blank(view) + 1
                    if limit == 0:    # one line fills the block: read on into a bigger one
                        bigger = np.empty(block.shape[0] * 2, dtype=np.uint8)
                        bigger[:total] = view
                        block, carry = bigger, total
                        continue
                region = view[:limit]
                line = line_base
                pos = 0
                for header in k.line_starts_with(region, k.GREATER_THAN, at_line_start):
                    segment = region[pos:header]
                    self._sequence(segment, line)
                    line += k.count_byte(segment, k.NEWLINE)
                    end = k.find_byte(region, header, k.NEWLINE)
                    if end < 0:
                        end = limit
                    raw = region[header + 1:end].tobytes()
                    if self.name is not None:
                        yield self._record()
                    self._header(raw, line)
                    if end < limit:
                        line += 1
                    pos = end + 1
                segment = region[pos:limit]
                self._sequence(segment, line)
                line_base = line + k.count_byte(segment, k.NEWLINE)
                if limit:
                    at_line_start = bool(region[limit - 1] == k.NEWLINE)
                if eof:
                    break
                carry = total - limit
                if carry:
                    block[:carry] = block[limit:total]
        if self.name is not None:
            yield self._record()
