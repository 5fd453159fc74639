"""Regenerate the generated parts of the documentation.

    python docs/_generate.py            # rewrite docs/format.md and docs/cli.md in place
    python docs/_generate.py --check    # exit 1 (and say which) if a file is out of date

Generated parts sit between ``<!-- BEGIN GENERATED: NAME -->`` and
``<!-- END GENERATED: NAME -->``; everything outside the markers is hand-written and kept.

* ``docs/format.md``: the facts of the on-disk format come from ``genomedata.archive``
  itself.  A tiny archive of each layout is written into a temporary directory with the
  format's own functions and read back with h5py, so the tables show what the code writes
  (types, shapes, chunking, filters, fill values), not what someone remembered.
* ``docs/cli.md``: the ``--help`` text of every subcommand in the dispatcher's ``COMMANDS``,
  from ``genomedata.commands.main.build_parser``.  A command without a section in the file
  gets one appended (with a reminder to write its worked example).

``tests/e2e/test_docs.py`` runs :func:`render` on each file and fails when the result differs from
the file on disk.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
import tempfile
from pathlib import Path

import numpy as np

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
if str(ROOT) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT))

BEGIN = "<!-- BEGIN GENERATED: {} -->"
END = "<!-- END GENERATED: {} -->"
_BLOCK = re.compile(r"<!-- BEGIN GENERATED: (?P<name>[^>]+?) -->\n(?P<body>.*?)"
                    r"<!-- END GENERATED: (?P=name) -->", re.S)

HELP_WIDTH = 92            # columns of the --help text in docs/cli.md
HELP_POSITION = 30         # where option descriptions start
NEW_COMMANDS_MARK = "<!-- new command sections are inserted above this line -->"
NO_EXAMPLE = "*Worked example still to be written.*"


class GeneratorError(Exception):
    """The code and the generator's own description of it disagree."""


# ------------------------------------------------------------------------------------------------
# HDF5 objects described in words

def _h5py():
    import h5py
    return h5py


def type_name(tid) -> str:
    """An HDF5 datatype as h5dump names it (``H5T_STD_U32LE``, ``H5T_IEEE_F64LE``, ...)."""
    h5t = _h5py().h5t
    bits = tid.get_size() * 8
    if isinstance(tid, h5t.TypeStringID):
        if tid.is_variable_str():
            return "H5T_C_S1 variable length"
        pad = {h5t.STR_NULLTERM: "NULLTERM", h5t.STR_NULLPAD: "NULLPAD",
               h5t.STR_SPACEPAD: "SPACEPAD"}[tid.get_strpad()]
        cset = "UTF-8" if tid.get_cset() == h5t.CSET_UTF8 else "ASCII"
        return f"H5T_C_S1 {tid.get_size()} bytes, {pad}, {cset}"
    order = "BE" if tid.get_order() == h5t.ORDER_BE else "LE"
    if isinstance(tid, h5t.TypeIntegerID):
        sign = "I" if tid.get_sign() == h5t.SGN_2 else "U"
        return f"H5T_STD_{sign}{bits}{order}"
    if isinstance(tid, h5t.TypeFloatID):
        return f"H5T_IEEE_F{bits}{order}"
    if isinstance(tid, h5t.TypeBitfieldID):
        return f"H5T_STD_B{bits}{order}"
    raise GeneratorError(f"no name for HDF5 type class {type(tid).__name__}")


def space_name(space) -> str:
    h5s = _h5py().h5s
    kind = space.get_simple_extent_type()
    if kind == h5s.SCALAR:
        return "scalar"
    if kind == h5s.NULL:
        return "null dataspace"
    return str(tuple(int(n) for n in space.shape))


def attribute_facts(obj, name: str):
    """(HDF5 type, dataspace, value) of one attribute as stored."""
    h5a = _h5py().h5a
    aid = h5a.open(obj.id, name.encode())
    value = obj.attrs[name]
    return type_name(aid.get_type()), space_name(aid.get_space()), value


def _value_text(value) -> str:
    h5py = _h5py()
    if isinstance(value, h5py.Empty):
        return "(no value)"
    if isinstance(value, (bytes, np.bytes_)):
        return repr(value.decode("ascii"))
    array = np.asarray(value)
    if array.ndim == 0:
        return str(array.item())
    return str(array.tolist())


_FILTER_NAMES = {1: "deflate", 2: "shuffle", 3: "fletcher32", 4: "szip", 5: "nbit",
                 6: "scaleoffset"}


def dataset_facts(dataset) -> list[tuple[str, str]]:
    """(property, value) rows describing a dataset's creation properties as stored."""
    h5py = _h5py()
    h5d = h5py.h5d
    dcpl = dataset.id.get_create_plist()
    layout = {h5d.COMPACT: "compact", h5d.CONTIGUOUS: "contiguous",
              h5d.CHUNKED: "chunked"}[dcpl.get_layout()]
    filters = []
    for i in range(dcpl.get_nfilters()):
        code, _flags, values, _name = dcpl.get_filter(i)
        label = _FILTER_NAMES.get(code, "filter")
        detail = f"level {values[0]}" if code == 1 else (
            f"element size {values[0]}" if code == 2 and values else "")
        filters.append(f"{label} (id {code}{', ' + detail if detail else ''})")
    fill = np.zeros((), dtype=dataset.dtype)
    dcpl.get_fill_value(fill)
    if fill.dtype.kind == "f":
        bits = fill.view(np.uint32 if fill.dtype.itemsize == 4 else np.uint64).item()
        fill_text = f"{fill.item()} (bits 0x{bits:0{fill.dtype.itemsize * 2}X})"
    else:
        fill_text = str(fill.item())
    fill_time = {h5d.FILL_TIME_ALLOC: "H5D_FILL_TIME_ALLOC",
                 h5d.FILL_TIME_NEVER: "H5D_FILL_TIME_NEVER",
                 h5d.FILL_TIME_IFSET: "H5D_FILL_TIME_IFSET"}[dcpl.get_fill_time()]
    alloc_time = {h5d.ALLOC_TIME_DEFAULT: "H5D_ALLOC_TIME_DEFAULT",
                  h5d.ALLOC_TIME_EARLY: "H5D_ALLOC_TIME_EARLY",
                  h5d.ALLOC_TIME_LATE: "H5D_ALLOC_TIME_LATE",
                  h5d.ALLOC_TIME_INCR: "H5D_ALLOC_TIME_INCR"}[dcpl.get_alloc_time()]
    maxshape = tuple("H5S_UNLIMITED" if n is None else int(n) for n in dataset.maxshape)
    return [
        ("datatype", type_name(dataset.id.get_type())),
        ("shape", str(tuple(int(n) for n in dataset.shape))),
        ("max shape", "(" + ", ".join(str(n) for n in maxshape)
         + ("," if len(maxshape) == 1 else "") + ")"),
        ("layout", layout),
        ("chunk shape", str(tuple(int(n) for n in dataset.chunks)) if dataset.chunks else "-"),
        ("filters, in order", ", then ".join(filters) if filters else "none"),
        ("fill value", fill_text),
        ("fill time", fill_time),
        ("allocation time", alloc_time),
    ]


# ------------------------------------------------------------------------------------------------
# Sample archives written by genomedata.archive

SAMPLE_TRACKS = ["dnase", "conservation"]
SAMPLE_CHROMS = {  # chrom: (end, [(start, end), ...])
    "chr1": (52500, [(0, 40000), (52000, 52500)]),
    "chr2": (8000, [(0, 8000)]),
}


def write_sample(path, kind: str) -> None:
    """A closed two-track archive of ``kind`` written only with ``genomedata.archive``."""
    from genomedata.archive import files as _files
    from genomedata.archive import layout as _layout
    files = _files.create_archive(path, kind)
    try:
        for chrom, (end, bounds) in SAMPLE_CHROMS.items():
            group = files.create_chromosome(chrom, end)
            for index, (start, stop) in enumerate(bounds):
                supercontig = _layout.create_supercontig(group, index, start, stop)
                _layout.create_seq(supercontig, stop - start)
                dataset = _layout.create_continuous(supercontig, stop - start)
                for _ in SAMPLE_TRACKS:
                    _layout.add_continuous_column(dataset)
                if index == 0:
                    _layout.write_chunk_bounds(supercontig, [0], [stop - start])
                else:
                    _layout.write_chunk_bounds(supercontig, [], [])
            ntracks = len(SAMPLE_TRACKS)
            statistics = (np.zeros(ntracks), np.ones(ntracks), np.zeros(ntracks),
                          np.zeros(ntracks), np.zeros(ntracks, dtype=np.int64))
            for index, (start, stop) in enumerate(bounds):
                if not _layout.keeps_block_summaries(stop - start):
                    continue
                summaries = np.zeros((_layout.block_count(stop - start), ntracks, 4),
                                     dtype=np.float32)
                summaries[:, :, 2:] = np.nan
                dataset = _layout.block_summaries_dataset(
                    group[_layout.supercontig_name(index)], len(summaries), SAMPLE_TRACKS,
                    _layout.statistics_fingerprint(*statistics))
                dataset[...] = summaries
            _layout.write_statistics(group, *statistics)
            _layout.write_dirty(group, False)
        for root in files.roots():
            _layout.write_tracknames(root, SAMPLE_TRACKS)
    finally:
        files.close()


@contextlib.contextmanager
def sample_archives():
    """{"directory": path, "file": path} of freshly written sample archives."""
    with tempfile.TemporaryDirectory(prefix="genomedata-docs-") as tmp:
        paths = {"directory": os.path.join(tmp, "sample.genomedata"),
                 "file": os.path.join(tmp, "sample-file.genomedata")}
        for kind, path in paths.items():
            write_sample(path, kind)
        yield paths


# ------------------------------------------------------------------------------------------------
# docs/format.md

# Hand-written part of the attribute table: when a reader may find each attribute missing.
# The generator checks that it describes exactly the attributes of _layout.ATTRIBUTE_TABLE.
ATTRIBUTE_STATUS = {
    ("genomedata_format_version", "file root"):
        "required for format 1; absent means version 0",
    ("tracknames", "file root"): "present once a track was opened; absent means no tracks",
    ("start", "chromosome"): "required (format 1)",
    ("end", "chromosome"): "required (format 1)",
    ("dirty", "chromosome"): "optional; absent means clean",
    ("mins", "chromosome"): "after close-data, when the archive has tracks",
    ("maxs", "chromosome"): "after close-data, when the archive has tracks",
    ("sums", "chromosome"): "after close-data, when the archive has tracks",
    ("sums_squares", "chromosome"): "after close-data, when the archive has tracks",
    ("num_datapoints", "chromosome"): "after close-data, when the archive has tracks",
    ("start", "supercontig"): "required",
    ("end", "supercontig"): "required",
    ("chunk_starts", "supercontig"): "after close-data, when the archive has tracks",
    ("chunk_ends", "supercontig"): "after close-data, when the archive has tracks",
}


def _table(header, rows) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        lines.append("| " + " | ".join(str(cell).replace("|", "\\|") for cell in row) + " |")
    return "\n".join(lines) + "\n"


def _nodes(path_file):
    """The nodes of the single-file sample that the attribute table speaks of."""
    h5py = _h5py()
    handle = h5py.File(path_file, "r")
    nodes = {"file root": handle["/"], "chromosome": handle["chr1"],
             "supercontig": handle["chr1/supercontig_0"],
             "supercontig (no data chunk)": handle["chr1/supercontig_1"]}
    return handle, nodes


def gen_constants(paths) -> str:
    from genomedata.archive import layout as _layout
    rows = []
    for name, meaning in (
            ("FORMAT_VERSION", "value of `genomedata_format_version` written"),
            ("FILE_MODE_CHROMS", "sequences from which `load-seq`/`load` choose a single "
                                 "file instead of a directory when no layout is given"),
            ("SUFFIX", "file name suffix of a chromosome file in a directory archive"),
            ("GENOMEDATA_ENCODING", "encoding of track names"),
            ("CONTINUOUS_DTYPE", "element type of `continuous`"),
            ("SEQ_DTYPE", "element type of `seq`"),
            ("DEFAULT_CHUNK_ROWS", "rows per chunk of `continuous` unless `--chunk-size` "
                                   "says otherwise"),
            ("MIN_GAP_LEN", "shortest run of unknown bases that splits supercontigs "
                            "(FASTA), and shortest gap that splits data chunks"),
            ("SUPERCONTIG_PREFIX", "supercontig group names are this prefix and 0, 1, 2, ..."),
            ("DEFLATE_LEVEL", "deflate (gzip) level of every dataset"),
            ("PYTABLES_FORMAT_VERSION", "PyTables format version written on the root"),
            ("PYTABLES_FILTERS", "PyTables' packed `FILTERS` value: deflate level 1, "
                                 "zlib, shuffle"),
            ("MAX_COORDINATE", "largest coordinate (coordinates are unsigned 32-bit)")):
        value = getattr(_layout, name)
        if isinstance(value, np.dtype):
            text = f"`{value.name}`"
        elif name == "PYTABLES_FILTERS":
            text = f"`{value}` (`0x{value:X}`)"
        else:
            text = f"`{value!r}`"
        rows.append((f"`{name}`", text, meaning))
    return _table(["constant (`genomedata.archive.layout`)", "value", "meaning"], rows)


def _tree(handle, indent: str) -> list[str]:
    """One line per group and dataset of an open HDF5 file: path, kind, attributes or
    type and shape (PyTables system attributes left out)."""
    h5py = _h5py()
    system = _system_attrs()
    rows = []

    def attrs_of(obj):
        return "attrs: " + ", ".join(sorted(k for k in obj.attrs if k not in system))

    rows.append(("/", "group", attrs_of(handle["/"])))

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            rows.append(("/" + name, "dataset", f"{obj.dtype.name} {tuple(obj.shape)}"))
        else:
            rows.append(("/" + name, "group", attrs_of(obj)))

    handle.visititems(visit)
    width = max(len(path) for path, _, _ in rows) + 2
    return [f"{indent}{path:<{width}}{kind:<9}{detail}" for path, kind, detail in rows]


def _system_attrs():
    from genomedata.archive import layout as _layout
    return _layout.PYTABLES_SYSTEM_ATTRS


def gen_tree_directory(paths) -> str:
    from genomedata.archive import files as _files
    from genomedata.archive import layout as _layout
    h5py = _h5py()
    lines = ["sample.genomedata/        a directory"]
    for filename in _files.chromosome_files(paths["directory"]):
        base = os.path.basename(filename)
        chrom = _layout.chromosome_name_from_filename(filename)
        lines.append(f"  {base:<24}an HDF5 file: its root group is chromosome {chrom}")
        with h5py.File(filename, "r") as handle:
            lines += _tree(handle, "    ")
    return "```text\n" + "\n".join(lines) + "\n```\n"


def gen_tree_file(paths) -> str:
    h5py = _h5py()
    lines = ["sample.genomedata         one HDF5 file: each top-level group is a chromosome"]
    with h5py.File(paths["file"], "r") as handle:
        lines += _tree(handle, "  ")
    return "```text\n" + "\n".join(lines) + "\n```\n"


def gen_attributes(paths) -> str:
    from genomedata.archive import layout as _layout
    declared = {(name, where) for name, where, *_ in _layout.ATTRIBUTE_TABLE}
    if declared != set(ATTRIBUTE_STATUS):
        raise GeneratorError(
            "docs/_generate.py ATTRIBUTE_STATUS does not describe the attributes of "
            f"_layout.ATTRIBUTE_TABLE: missing {sorted(declared - set(ATTRIBUTE_STATUS))}, "
            f"extra {sorted(set(ATTRIBUTE_STATUS) - declared)}")
    handle, nodes = _nodes(paths["file"])
    rows = []
    try:
        for name, where, htype, shape, writer in _layout.ATTRIBUTE_TABLE:
            live_type, live_space, _ = attribute_facts(nodes[where], name)
            if live_type.split()[0] != htype.split()[0]:
                raise GeneratorError(f"_layout.ATTRIBUTE_TABLE says {name} on {where} is "
                                     f"{htype}, but _layout writes {live_type}")
            stored = live_type
            if name in (_layout.ATTR_CHUNK_STARTS, _layout.ATTR_CHUNK_ENDS):
                empty_type, empty_space, _ = attribute_facts(
                    nodes["supercontig (no data chunk)"], name)
                stored = f"{live_type} `(k,)`; when there is no chunk {empty_type} " \
                         f"`{empty_space}`"
            elif name == _layout.ATTR_TRACKNAMES:
                stored = f"{live_type} (here: names up to 32 characters)"
            rows.append((f"`{name}`", where, htype, f"`{shape}`", stored, writer,
                         ATTRIBUTE_STATUS[(name, where)]))
    finally:
        handle.close()
    return _table(["attribute", "on", "HDF5 type", "shape", "as written (read back)",
                   "written by", "present"], rows)


def gen_continuous(paths) -> str:
    from genomedata.archive import layout as _layout
    h5py = _h5py()
    with h5py.File(paths["file"], "r") as handle:
        long = dataset_facts(handle["chr1/supercontig_0/continuous"])
        short = dataset_facts(handle["chr1/supercontig_1/continuous"])
    lengths = [SAMPLE_CHROMS["chr1"][1][i][1] - SAMPLE_CHROMS["chr1"][1][i][0] for i in (0, 1)]
    rows = []
    for (prop, value_long), (_, value_short) in zip(long, short):
        rows.append((prop, f"`{value_long}`", f"`{value_short}`"))
    ntracks = len(SAMPLE_TRACKS)
    note = (f"Read back from `continuous` datasets made by `layout.create_continuous` for "
            f"supercontigs of L = {lengths[0]} and L = {lengths[1]} bases with "
            f"{ntracks} tracks (default chunk height "
            f"{_layout.DEFAULT_CHUNK_ROWS}).\n\n")
    return note + _table(["property", f"L = {lengths[0]}", f"L = {lengths[1]}"], rows)


def gen_seq(paths) -> str:
    h5py = _h5py()
    with h5py.File(paths["file"], "r") as handle:
        facts = dataset_facts(handle["chr1/supercontig_0/seq"])
    length = SAMPLE_CHROMS["chr1"][1][0][1] - SAMPLE_CHROMS["chr1"][1][0][0]
    note = (f"Read back from a `seq` dataset made by `layout.create_seq` for a supercontig "
            f"of L = {length} bases.\n\n")
    return note + _table(["property", "value"], [(p, f"`{v}`") for p, v in facts])


def gen_block_summaries(paths) -> str:
    from genomedata.archive import layout as _layout
    h5py = _h5py()
    with h5py.File(paths["file"], "r") as handle:
        dataset = handle[f"chr1/supercontig_0/{_layout.BLOCK_SUMMARIES}"]
        facts = dataset_facts(dataset)
        stored = [attribute_facts(dataset, name) for name, *_ in
                  _layout.BLOCK_SUMMARY_ATTRIBUTES]
    length = SAMPLE_CHROMS["chr1"][1][0][1] - SAMPLE_CHROMS["chr1"][1][0][0]
    note = (f"Read back from a `{_layout.BLOCK_SUMMARIES}` dataset made by "
            f"`layout.block_summaries_dataset` for a supercontig of L = {length} bases with "
            f"{len(SAMPLE_TRACKS)} tracks (blocks of {_layout.BLOCK_SUMMARY_ROWS} rows; fields "
            f"{', '.join(_layout.BLOCK_SUMMARY_FIELDS)}).\n\n")
    rows = [(f"`{name}`", htype, f"`{shape}`", f"{live[0]} `{live[1]}`", meaning) for
            (name, htype, shape, meaning), live in zip(_layout.BLOCK_SUMMARY_ATTRIBUTES, stored)]
    return (note + _table(["property", "value"], [(p, f"`{v}`") for p, v in facts])
            + "\nIts attributes (besides PyTables' `CLASS`, `TITLE`, `VERSION` of a CArray):\n\n"
            + _table(["attribute", "HDF5 type", "shape", "as written (read back)", "meaning"],
                     rows))


def gen_seq_chunks(paths) -> str:
    from genomedata.archive import layout as _layout
    rows = []
    for length in (1_000, 1_048_575, 10_485_759, 10_485_760, 104_857_600, 248_956_422,
                   1_048_576_000):
        chunk = _layout.seq_chunk_len(length)
        rows.append((f"{length:,}", f"{chunk:,}", f"{max(length, chunk):,}"))
    return _table(["L (bases)", "chunk (elements)", "max shape"], rows)


def gen_system_attributes(paths) -> str:
    from genomedata.archive import files as _files
    from genomedata.archive import layout as _layout
    h5py = _h5py()
    rows = []
    with h5py.File(paths["file"], "r") as single, \
            h5py.File(_files.chromosome_files(paths["directory"])[0], "r") as chrom_file:
        nodes = (("root of a single-file archive", single["/"]),
                 ("root of a chromosome file (directory archive)", chrom_file["/"]),
                 ("chromosome group (single file)", single["chr1"]),
                 ("supercontig group", single["chr1/supercontig_0"]),
                 ("`continuous`", single["chr1/supercontig_0/continuous"]),
                 ("`seq`", single["chr1/supercontig_0/seq"]))
        for label, node in nodes:
            for name in sorted(node.attrs):
                if name not in _layout.PYTABLES_SYSTEM_ATTRS:
                    continue
                htype, space, value = attribute_facts(node, name)
                rows.append((label, f"`{name}`", htype, space, f"`{_value_text(value)}`"))
    return _table(["node", "attribute", "HDF5 type", "dataspace", "value"], rows)


FORMAT_BLOCKS = {
    "constants": gen_constants,
    "tree-directory": gen_tree_directory,
    "tree-file": gen_tree_file,
    "attributes": gen_attributes,
    "continuous": gen_continuous,
    "seq": gen_seq,
    "seq-chunks": gen_seq_chunks,
    "block-summaries": gen_block_summaries,
    "system-attributes": gen_system_attributes,
}


# ------------------------------------------------------------------------------------------------
# docs/cli.md

class StableHelpFormatter(argparse.HelpFormatter):
    """argparse's formatter at a fixed width, with one option style on every Python version
    (``-s, --sequence SEQFILE``, as Python 3.13+ prints it)."""

    def __init__(self, prog):
        super().__init__(prog, width=HELP_WIDTH, max_help_position=HELP_POSITION)

    def _format_action_invocation(self, action):
        if not action.option_strings:
            return super()._format_action_invocation(action)
        if action.nargs == 0:
            return ", ".join(action.option_strings)
        metavar = self._format_args(action, self._get_default_metavar_for_optional(action))
        return ", ".join(action.option_strings) + " " + metavar


def _subparser(parser, name):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices[name]
    raise GeneratorError("the dispatcher's parser has no subcommands")


def command_help(name: str) -> str:
    """``genomedata NAME --help`` as the dispatcher prints it (fixed width)."""
    from genomedata.commands import main
    parser = main.build_parser(only=name)
    sub = _subparser(parser, name)
    sub.formatter_class = StableHelpFormatter
    if hasattr(sub, "color"):  # Python 3.14+: no ANSI colours in the docs
        sub.color = False
    return sub.format_help()


def gen_summary() -> str:
    from genomedata.commands import main
    rows = [(f"[`genomedata {name}`](#genomedata-{name})", main.summary(name))
            for name in main.COMMANDS]
    return _table(["command", "what it does"], rows)


def gen_help(name: str) -> str:
    from genomedata.commands import main
    if name not in main.COMMANDS:
        return (f"*`{name}` is not registered in the dispatcher of this build "
                "(`genomedata.commands.main.COMMANDS`); run `python docs/_generate.py` "
                "again once it is.*\n")
    return "```text\n" + command_help(name).rstrip() + "\n```\n"


def _cli_producer(name: str) -> str:
    if name == "summary":
        return gen_summary()
    if name.startswith("help "):
        return gen_help(name[len("help "):])
    raise GeneratorError(f"docs/cli.md: unknown generated block {name!r}")


def _add_missing_commands(text: str) -> str:
    from genomedata.commands import main
    present = {m.group("name")[len("help "):] for m in _BLOCK.finditer(text)
               if m.group("name").startswith("help ")}
    missing = [name for name in main.COMMANDS if name not in present]
    if not missing:
        return text
    if NEW_COMMANDS_MARK not in text:
        raise GeneratorError(f"docs/cli.md lacks the line {NEW_COMMANDS_MARK!r}")
    sections = "".join(f"## genomedata {name}\n\n{BEGIN.format('help ' + name)}\n"
                       f"{END.format('help ' + name)}\n\n{NO_EXAMPLE}\n\n" for name in missing)
    return text.replace(NEW_COMMANDS_MARK, sections + NEW_COMMANDS_MARK)


# ------------------------------------------------------------------------------------------------
# Rendering

def _fill(text: str, produce) -> str:
    def replace(match):
        name = match.group("name")
        body = produce(name)
        if not body.endswith("\n"):
            body += "\n"
        return f"{BEGIN.format(name)}\n{body}{END.format(name)}"
    return _BLOCK.sub(replace, text)


def render(path) -> str:
    """The content ``path`` (docs/format.md or docs/cli.md) should have."""
    path = Path(path)
    text = path.read_text()
    if path.name == "format.md":
        with sample_archives() as paths:
            def produce(name):
                if name not in FORMAT_BLOCKS:
                    raise GeneratorError(f"{path.name}: unknown generated block {name!r}")
                return FORMAT_BLOCKS[name](paths)
            return _fill(text, produce)
    if path.name == "cli.md":
        return _fill(_add_missing_commands(text), _cli_producer)
    raise GeneratorError(f"no generated parts are defined for {path}")


GENERATED_FILES = (DOCS / "format.md", DOCS / "cli.md")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if a generated part is out of date")
    args = parser.parse_args(argv)
    stale = []
    for path in GENERATED_FILES:
        expected = render(path)
        if expected != path.read_text():
            stale.append(path)
            if not args.check:
                path.write_text(expected)
    for path in stale:
        print(f"{'out of date' if args.check else 'updated'}: {path.relative_to(ROOT)}")
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
