"""Fuzzing every reader of user input: no crash, no hang, no traceback.

Hypothesis builds inputs that are mostly well formed, with hostile pieces mixed in (numbers out
of every range, bytes outside ASCII, NULs, stray CRs, missing or repeated fields, truncation at
any byte), for

* the signal parsers (WIG fixedStep/variableStep, bedGraph, BED3+1),
* the load-seq readers (FASTA -- also gzip and at tiny block sizes --, AGP, sizes, NCBI
  assembly report),
* BED and WIG mask / region files,
* command-line values: track names, ``query`` coordinates, ``export --region``, ``hardmask
  --hardmask`` operators, chunk sizes.

Properties: a reader either returns a result that satisfies its invariants or raises
``InputError``/``GenomedataError`` with one line ``FILE:LINE: message`` (line numbers inside
the input); a command exits 0, or 1 with exactly one line ``genomedata SUB: error: ...`` on
stderr.  Inputs are small, so nothing can hang.

The default run is short.  ``pytest -m fuzz tests/test_fuzz.py`` runs the long variants
(``GENOMEDATA_FUZZ_EXAMPLES`` examples each, default 2000).
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genomedata.errors import GenomedataError, InputError

pytestmark = pytest.mark.kernels

QUICK = settings(max_examples=100, deadline=None, print_blob=True,
                 suppress_health_check=list(HealthCheck))
LONG = settings(QUICK, max_examples=int(os.environ.get("GENOMEDATA_FUZZ_EXAMPLES", "2000")))


@pytest.fixture
def long_run(request):
    """Long variants run only when fuzz tests were asked for (``-m fuzz``), not when a marker
    expression such as CI's ``-m kernels`` happens to select them."""
    if "fuzz" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("long fuzz run: select it with -m fuzz")


def _pair(strategy, check, fixtures=()):
    """A quick test and a long (``-m fuzz``) test of ``check(*fixtures, example)``."""

    @QUICK
    @given(example=strategy)
    def quick(request, example):
        check(*[request.getfixturevalue(name) for name in fixtures], example)

    @pytest.mark.fuzz
    @LONG
    @given(example=strategy)
    def long(request, long_run, example):
        check(*[request.getfixturevalue(name) for name in fixtures], example)

    return quick, long


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


def _write(directory: Path, name: str, data: bytes) -> Path:
    path = Path(tempfile.mkdtemp(dir=directory)) / name
    path.write_bytes(data)
    return path


def _assert_located(exc: Exception, filename, text: bytes | None = None) -> None:
    """A one-line message ``FILE[:LINE]: ...`` with LINE inside the input."""
    message = str(exc)
    assert "\n" not in message and "Traceback" not in message
    assert message.startswith(str(filename)), message
    match = re.match(re.escape(str(filename)) + r":(\d+): .", message)
    if isinstance(exc, InputError) and exc.line is not None:
        assert match, message
        if text is not None:
            assert 1 <= int(match.group(1)) <= text.count(b"\n") + 1, message


# ------------------------------------------------------------------------------------------------
# pieces of hostile text

NAME_LIST = ["chr1", "chrX", "HLA-A*01:01", "chrUn_KI270302v1", "c|d", "1", ""]
NAMES = st.sampled_from(NAME_LIST)
HOSTILE_BYTES = st.sampled_from([b"\x00", b"\xff", b"\xc3\xa9", b"\r", b"\t", b" ", b"=",
                                 b"-", b"+", b".", b"e", b"\x0b", b"\x7f", b"#", b">"])
INTEGERS = st.one_of(st.integers(0, 3000), st.integers(-5, 2 ** 64 + 5),
                     st.sampled_from([2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 63 - 1,
                                      2 ** 63, 2 ** 64])).map(lambda n: str(n).encode())
NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(lambda v: repr(v).encode()),
    st.floats(width=32, allow_nan=False).map(lambda v: f"{v:.7g}".encode()),
    st.integers(-10 ** 30, 10 ** 30).map(lambda n: str(n).encode()),
    st.sampled_from([b"nan", b"-NaN", b"inf", b"-Infinity", b"1e999", b"-1e-999", b"1e",
                     b"1e+", b".5", b"5.", b"-.e1", b"+", b"", b"0x10", b"1_0", b"--1",
                     b"1.2.3", b"3.4028236e38", b"1.4e-45", b"7e-46", b"0.1f"]))


def _garble(draw, token: bytes) -> bytes:
    """Usually the token; sometimes with a hostile byte inserted, or replaced."""
    roll = draw(st.integers(0, 19))
    if roll == 0:
        return draw(st.binary(max_size=6))
    if roll == 1 and token:
        at = draw(st.integers(0, len(token)))
        return token[:at] + draw(HOSTILE_BYTES) + token[at:]
    return token


def _join(draw, lines) -> bytes:
    end = draw(st.sampled_from([b"\n", b"\n", b"\r\n"]))
    text = end.join(lines) + (end if draw(st.booleans()) else b"")
    if draw(st.integers(0, 9)) == 0 and text:      # cut anywhere
        text = text[:draw(st.integers(0, len(text)))]
    return text


def _sep(draw) -> bytes:
    return draw(st.sampled_from([b"\t", b" ", b"  ", b" \t", b"\t\t"]))


# ------------------------------------------------------------------------------------------------
# signal text: WIG, bedGraph, BED3+1

@st.composite
def signal_texts(draw):
    lines = []
    for _ in range(draw(st.integers(0, 30))):
        kind = draw(st.sampled_from(["bed", "bed", "bed", "fixed", "variable", "data",
                                     "data", "pair", "skip", "garbage"]))
        name = draw(NAMES).encode()
        if kind == "bed":
            fields = [name, draw(INTEGERS), draw(INTEGERS), draw(NUMBERS)]
            fields = fields[:draw(st.integers(2, 4))] if draw(st.integers(0, 9)) == 0 \
                else fields + ([b"extra"] if draw(st.integers(0, 19)) == 0 else [])
            line = _sep(draw).join(_garble(draw, f) for f in fields)
        elif kind in ("fixed", "variable"):
            keys = [b"chrom=" + name]
            if kind == "fixed":
                keys.append(b"start=" + draw(INTEGERS))
                keys.append(b"step=" + draw(INTEGERS))
            keys.append(b"span=" + draw(INTEGERS))
            keys = draw(st.permutations(keys))
            keys = keys[:draw(st.integers(max(0, len(keys) - 1), len(keys)))]
            if draw(st.integers(0, 14)) == 0:
                keys.append(draw(st.sampled_from([b"chrom=x", b"start=1", b"bogus=1", b"x"])))
            line = (b"fixedStep" if kind == "fixed" else b"variableStep") + b"".join(
                _sep(draw) + _garble(draw, key) for key in keys)
        elif kind == "data":
            line = _garble(draw, draw(NUMBERS))
        elif kind == "pair":
            line = _garble(draw, draw(INTEGERS)) + _sep(draw) + _garble(draw, draw(NUMBERS))
        elif kind == "skip":
            line = draw(st.sampled_from([b"", b"   ", b"# comment", b"track type=bedGraph",
                                         b"browser position chr1", b"track", b"\t#x"]))
        else:
            line = draw(st.binary(max_size=30)).replace(b"\n", b"")
        lines.append(draw(st.sampled_from([b"", b" ", b"\t"])) + line
                     if draw(st.integers(0, 9)) == 0 else line)
    return _join(draw, lines)


def check_signal(text: bytes) -> None:
    from genomedata.inputs.signal import parse_signal
    try:
        parsed = parse_signal(text, "fuzz.wig")
    except InputError as exc:
        _assert_located(exc, "fuzz.wig", text)
        return
    total = 0
    for chrom in parsed.chromosomes():
        lo, hi = parsed.extent(chrom)
        assert 0 <= lo <= hi
        buffer = np.full(min(hi, 4096), np.nan, dtype=np.float32)
        counters = parsed.fill_chromosome(chrom, buffer)
        assert counters[0] == parsed.lines_of(chrom)
        assert 0 <= counters[1] and 0 <= counters[2]
        total += int(counters[0])
    assert total == parsed.nlines


test_signal_parsers, test_signal_parsers_long = _pair(signal_texts(), check_signal)


# ------------------------------------------------------------------------------------------------
# FASTA

@st.composite
def fasta_texts(draw):
    lines = []
    if draw(st.integers(0, 9)) == 0:
        lines.append(draw(st.sampled_from([b"ACGT", b"  ", b";comment", b""])))
    for _ in range(draw(st.integers(0, 6))):
        header = draw(st.sampled_from([b"chr1", b"chr2 description here", b"HLA-A*01:01",
                                       b"", b" ", b"a/b", b".", b"chr\xff", b"chr1",
                                       b"x" * 70]))
        lines.append(b">" + _garble(draw, header))
        for _ in range(draw(st.integers(0, 5))):
            line = draw(st.text("ACGTNacgtnRYKM", max_size=70)).encode()
            if draw(st.integers(0, 5)) == 0:
                line = b"N" * draw(st.integers(0, 300))
            lines.append(_garble(draw, line) + draw(st.sampled_from([b"", b"", b" ", b"\t"])))
    return _join(draw, lines)


def _fasta_outcome(paths, block_size):
    from genomedata.inputs.sequence import (NameRegistry, SequenceBuffer, count_fasta_records,
                                            iter_fasta_records)
    from genomedata.kernels.seq import supercontig_bounds
    buffer = SequenceBuffer(capacity=8)
    records = []
    try:
        for record in iter_fasta_records(paths, buffer, registry=NameRegistry(),
                                         block_size=block_size):
            seq = buffer.view()
            assert record.length == len(seq)
            starts, ends = supercontig_bounds(seq, 5)
            assert np.all(starts < ends) and np.all(ends[:-1] < starts[1:])
            assert len(starts) == 0 or (starts[0] >= 0 and ends[-1] <= len(seq))
            records.append((record.name, record.line, seq.tobytes()))
    except InputError as exc:
        return "error", str(exc).replace(str(paths[0]), "FILE"), exc
    assert count_fasta_records(paths, block_size=block_size) == len(records)
    return "ok", records, None


def check_fasta(scratch, text: bytes) -> None:
    path = _write(scratch, "in.fa", text)
    outcomes = [_fasta_outcome([path], size) for size in (16, 61, 1 << 16)]
    if outcomes[0][0] == "error":
        _assert_located(outcomes[0][2], path, text)
    # the block size (where the input is cut into pieces) never changes the outcome
    assert all(o[:2] == outcomes[0][:2] for o in outcomes[1:])
    zipped = _write(scratch, "in.fa.gz", gzip.compress(text))
    assert _fasta_outcome([zipped], 1 << 16)[:2] == outcomes[0][:2]


test_fasta_reader, test_fasta_reader_long = _pair(fasta_texts(), check_fasta, ("scratch",))


# ------------------------------------------------------------------------------------------------
# AGP, sizes

@st.composite
def agp_texts(draw):
    lines = []
    for _ in range(draw(st.integers(0, 12))):
        if draw(st.integers(0, 9)) == 0:
            lines.append(draw(st.sampled_from([b"# AGP-version 2.0", b"", b"##"])))
            continue
        gap = draw(st.booleans())
        fields = [draw(NAMES).encode(), draw(INTEGERS), draw(INTEGERS), draw(INTEGERS),
                  draw(st.sampled_from([b"N", b"U"] if gap else [b"W", b"D", b"", b"A"]))]
        if gap:
            fields += [draw(INTEGERS), b"scaffold", draw(st.sampled_from([b"yes", b"no", b"x"])),
                       b"paired-ends"]
        else:
            fields += [b"AC000001.1", draw(INTEGERS), draw(INTEGERS),
                       draw(st.sampled_from([b"+", b"-", b"?"]))]
        fields = [_garble(draw, f) for f in fields]
        fields = fields[:draw(st.integers(7, 9))] if draw(st.integers(0, 6)) == 0 else fields
        lines.append(b"\t".join(fields))
    return _join(draw, lines)


def check_agp(scratch, text: bytes) -> None:
    from genomedata.inputs.sequence import NameRegistry, read_agp
    path = _write(scratch, "in.agp", text)
    try:
        specs = read_agp(path, registry=NameRegistry())
    except (InputError, GenomedataError) as exc:
        _assert_located(exc, path, text)
        return
    for spec in specs:
        bounds = np.array(spec.supercontigs, dtype=np.int64).reshape(-1, 2)
        assert np.all(bounds[:, 0] < bounds[:, 1]) and np.all(bounds[:-1, 1] < bounds[1:, 0])
        assert spec.end == (int(bounds[-1, 1]) if len(bounds) else 0)
        assert 0 <= spec.end < 2 ** 32


test_agp_reader, test_agp_reader_long = _pair(agp_texts(), check_agp, ("scratch",))


@st.composite
def sizes_texts(draw):
    lines = []
    for _ in range(draw(st.integers(0, 12))):
        fields = [_garble(draw, draw(NAMES).encode()), _garble(draw, draw(INTEGERS))]
        if draw(st.integers(0, 5)) == 0:
            fields = fields[:draw(st.integers(0, 1))] + [b"extra"] * draw(st.integers(0, 2))
        line = _sep(draw).join(fields)
        lines.append(b"#" + line if draw(st.integers(0, 9)) == 0 else line)
    return _join(draw, lines)


def check_sizes(scratch, text: bytes) -> None:
    from genomedata.inputs.sequence import NameRegistry, read_sizes
    path = _write(scratch, "in.sizes", text)
    try:
        specs = read_sizes(path, registry=NameRegistry())
    except (InputError, GenomedataError) as exc:
        _assert_located(exc, path, text)
        return
    assert len({spec.name for spec in specs}) == len(specs)
    for spec in specs:
        assert 0 <= spec.end < 2 ** 32 and "/" not in spec.name and spec.name.isascii()
        assert spec.supercontigs == ([(0, spec.end)] if spec.end else [])


test_sizes_reader, test_sizes_reader_long = _pair(sizes_texts(), check_sizes, ("scratch",))


# ------------------------------------------------------------------------------------------------
# NCBI assembly report

REPORT_COLUMNS = ["Sequence-Name", "Sequence-Role", "Assigned-Molecule",
                  "GenBank-Accn", "RefSeq-Accn", "UCSC-style-name"]


@st.composite
def report_texts(draw):
    lines = [b"# Assembly name:  GRCh38"]
    columns = draw(st.permutations(REPORT_COLUMNS))
    columns = columns[:draw(st.integers(0, len(columns)))]
    if draw(st.integers(0, 9)):
        lines.append(b"# " + b"\t".join(c.encode() for c in columns))
    for _ in range(draw(st.integers(0, 8))):
        cells = [_garble(draw, draw(st.sampled_from([b"1", b"chr1", b"na", b"", b"CM000663.2",
                                                      b"NC_000001.11", b"chrUn_x"])))
                 for _ in range(draw(st.integers(0, len(columns) + 1)))]
        lines.append(b"\t".join(cells))
    return _join(draw, lines), draw(st.lists(st.sampled_from(
        ["1", "chr1", "CM000663.2", "na", "", "zzz"]), max_size=4)), draw(st.sampled_from(
        REPORT_COLUMNS + ["no-such-style", ""]))


def check_report(scratch, example) -> None:
    from genomedata.inputs.sequence import read_assembly_report
    text, names, style = example
    path = _write(scratch, "report.txt", text)
    try:
        report = read_assembly_report(path)
        rename = report.translator(style)
        for line, name in enumerate(names, 1):
            translated = rename(name, "seq.fa", line)
            assert isinstance(translated, str) and translated not in ("", "na")
    except InputError as exc:
        _assert_located(exc, exc.filename, None)
    except GenomedataError as exc:
        assert "\n" not in str(exc)


test_assembly_report, test_assembly_report_long = _pair(report_texts(), check_report,
                                                        ("scratch",))


# ------------------------------------------------------------------------------------------------
# BED and WIG mask / region files

@st.composite
def mask_texts(draw):
    if draw(st.integers(0, 3)) == 0:
        return draw(signal_texts()), draw(st.sampled_from(["m.wig", "m.bed", "m.wigFix"]))
    lines = []
    for _ in range(draw(st.integers(0, 20))):
        fields = [draw(NAMES).encode(), draw(INTEGERS), draw(INTEGERS)]
        fields += [draw(NUMBERS) for _ in range(draw(st.integers(0, 3)))]
        fields = [_garble(draw, f) for f in fields]
        if draw(st.integers(0, 14)) == 0:
            fields = fields[:draw(st.integers(0, 2))]
        line = _sep(draw).join(fields)
        if draw(st.integers(0, 12)) == 0:
            line = draw(st.sampled_from([b"track name=x", b"# c", b"", b"browser x"]))
        lines.append(line)
    return _join(draw, lines), draw(st.sampled_from(["m.bed", "m.bed.gz", "mask"]))


def check_mask(scratch, example) -> None:
    from genomedata.inputs.regions import mask_file_kind, read_mask_file
    text, name = example
    data = gzip.compress(text) if name.endswith(".gz") else text
    path = _write(scratch, name, data)
    # the chromosome ends of an archive (a WIG file is read over those)
    extents = {chrom: 5000 for chrom in NAME_LIST if chrom}
    runs = [lambda: read_mask_file(path, extents=extents).regions,
            lambda: read_mask_file(path, "ge0", extents).regions]
    try:
        if mask_file_kind(path) == "bed":
            runs.append(lambda: read_mask_file(path).regions)
    except (InputError, GenomedataError) as exc:
        _assert_located(exc, path, text)
    for run in runs:
        try:
            regions = run()
        except (InputError, GenomedataError) as exc:
            _assert_located(exc, path, text)
            continue
        for chrom, (starts, ends) in regions.items():
            assert isinstance(chrom, str) and chrom.isascii()
            assert starts.dtype == np.int64 and ends.dtype == np.int64
            # merged: sorted, disjoint, not touching, non-empty
            assert np.all(starts < ends) and np.all(ends[:-1] < starts[1:])
            assert len(starts) == 0 or starts[0] >= 0


test_mask_files, test_mask_files_long = _pair(mask_texts(), check_mask, ("scratch",))


# ------------------------------------------------------------------------------------------------
# command-line values

@pytest.fixture(scope="module")
def cli_archive(tmp_path_factory):
    """A closed archive: chr1 (1000 bp, two supercontigs), chr2 (50 bp); track ``t``."""
    from genomedata._close_data import close_data
    from genomedata._load_data import load_data
    from genomedata._load_seq import load_seq
    from genomedata._open_data import open_data
    root = tmp_path_factory.mktemp("cli")
    agp = root / "g.agp"
    agp.write_text("chr1\t1\t600\t1\tW\tA1\t1\t600\t+\n"
                   "chr1\t601\t700\t2\tN\t100\tscaffold\tyes\tpaired-ends\n"
                   "chr1\t701\t1000\t3\tW\tA2\t1\t300\t+\n"
                   "chr2\t1\t50\t1\tW\tA3\t1\t50\t+\n")
    archive = root / "cli.genomedata"
    load_seq(str(archive), [str(agp)], True, "file", seqfile_type="agp")
    open_data(str(archive), ["t"])
    signal = root / "t.bg"
    signal.write_text("chr1\t0\t1000\t1.5\nchr2\t10\t20\t-2\n")
    load_data(str(archive), "t", str(signal))
    close_data(str(archive))
    mask = root / "mask.bed"
    mask.write_text("chr1\t5\t50\tx\t0.25\nchr2\t0\t5\tx\t3\n")
    return {"archive": archive, "mask": mask, "root": root}


def _run(capsys, argv):
    """Run the dispatcher; a failure must be exit 1 and one line on stderr."""
    from genomedata.commands.main import main
    capsys.readouterr()
    status = main(argv)
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    if status != 0:
        assert status == 1
        assert err.count("\n") == 1 and err.startswith(f"genomedata {argv[0]}: error: "), err
    return status, out, err


def check_query(capsys, cli_archive, example):
    chrom, track, begin, width = example
    argv = ["query", "--", str(cli_archive["archive"]), track, chrom, str(begin),
            str(begin + width)]
    status, out, _ = _run(capsys, argv)
    if status == 0:
        # an END past the chromosome is clipped to its end
        end = min(begin + width, {"chr1": 1000, "chr2": 50}[chrom])
        assert out.count("\n") == max(0, end - begin) and width >= 0


QUERIES = st.tuples(st.sampled_from(["chr1", "chr2", "chr3", "", "chr1 ", "Chr1"]),
                    st.sampled_from(["t", "T", "", "t2"]),
                    st.integers(-10, 2 ** 64) | st.integers(-5, 1200),
                    st.integers(-3, 2000))


def _query_pair():
    return _pair(QUERIES, check_query, ("capsys", "cli_archive"))


test_query_coordinates, test_query_coordinates_long = _query_pair()


def check_region(capsys, cli_archive, region):
    argv = ["export", str(cli_archive["archive"]), "t", "-", f"--region={region}"]
    status, out, _ = _run(capsys, argv)
    if status == 0:
        for line in out.splitlines():
            chrom, start, end, value = line.split("\t")
            assert int(start) < int(end) and float(value) in (1.5, -2.0)


REGIONS = st.one_of(
    st.builds(lambda c, a, b: f"{c}:{a}-{b}", st.sampled_from(["chr1", "chr2", "x", ""]),
              st.integers(-5, 2 ** 64), st.integers(-5, 2 ** 64)),
    st.builds(lambda c, a, b: f"{c}:{a:,}-{b:,}", st.sampled_from(["chr1", "chr2"]),
              st.integers(0, 3000), st.integers(0, 3000)),
    st.text(max_size=20))

test_export_region, test_export_region_long = _pair(REGIONS, check_region,
                                                    ("capsys", "cli_archive"))


HARDMASK_OPTIONS = st.one_of(
    st.builds(lambda op, sp, n: f"{op}{sp}{n}",
              st.sampled_from(["lt", "le", "gt", "ge", "eq", "ne", "LT", "xx", "", "l t"]),
              st.sampled_from(["", " ", "  "]),
              NUMBERS.map(lambda b: b.decode("latin-1"))),
    st.text(max_size=12))


def check_hardmask_option(capsys, cli_archive, text):
    from genomedata.inputs.regions import HardmaskFilter, parse_hardmask_option
    from genomedata.errors import HardmaskOptionError
    try:
        predicate = parse_hardmask_option(text)
    except HardmaskOptionError as exc:
        assert "\n" not in str(exc) and "--hardmask" in str(exc)
        predicate = None
    else:
        assert isinstance(predicate, HardmaskFilter)
        with np.errstate(over="ignore"):   # a threshold beyond float32 compares as +-inf
            predicate(np.array([0.0, np.nan, np.inf], dtype=np.float32))
    argv = ["hardmask", "--dry-run", f"--hardmask={text}", str(cli_archive["mask"]),
            str(cli_archive["archive"])]
    status, _, _ = _run(capsys, argv)
    assert (status == 0) == (predicate is not None)


test_hardmask_option, test_hardmask_option_long = _pair(HARDMASK_OPTIONS, check_hardmask_option,
                                                        ("capsys", "cli_archive"))


TRACK_NAMES = st.one_of(st.text(max_size=40), st.sampled_from(
    ["", " ", "a=b", "x\x00y", "tr\u00e9", "-t", "--x", "t", "a" * 300, "a\nb", "\t"]))


def check_track_name(capsys, cli_archive, name):
    """open-data on a copy of the archive: the name is added (and reads back), or refused
    with nothing written."""
    from genomedata import Genome
    work = Path(tempfile.mkdtemp(dir=cli_archive["root"])) / "a.genomedata"
    shutil.copy(cli_archive["archive"], work)
    before = work.read_bytes()
    status, _, _ = _run(capsys, ["open-data", str(work), f"--tracknames={name}"])
    if status == 0:
        with Genome(str(work), "r+") as genome:
            assert genome.tracknames_continuous == ["t", name]
    else:
        assert work.read_bytes() == before
    shutil.rmtree(work.parent)


test_track_names, test_track_names_long = _pair(TRACK_NAMES, check_track_name,
                                                ("capsys", "cli_archive"))


CHUNK_SIZES = st.one_of(st.integers(-3, 20_000), st.integers(-2 ** 70, 2 ** 70),
                        st.sampled_from([2 ** 30 - 1, 2 ** 30, 2 ** 31, 2 ** 32]))


def check_chunk_size(capsys, cli_archive, size):
    """open-data --chunk-size on an archive without tracks: accepted (and used) or refused."""
    from genomedata._load_seq import load_seq
    work = Path(tempfile.mkdtemp(dir=cli_archive["root"])) / "a.genomedata"
    sizes = work.parent / "chunk.sizes"
    sizes.write_text("chr1\t3000\n")
    load_seq(str(work), [str(sizes)], True, "file", seqfile_type="sizes")
    status, _, err = _run(capsys, ["open-data", str(work), "--tracknames", "x",
                                   f"--chunk-size={size}"])
    if status == 0:
        import genomedata.archive.layout as layout
        from genomedata.archive.files import ArchiveFiles
        with ArchiveFiles(str(work)) as files:
            dataset = layout.supercontig_groups(files.chromosome_group("chr1"))[0]["continuous"]
            assert layout.continuous_chunk_rows(dataset) == size
    else:
        assert "chunk size" in err
    shutil.rmtree(work.parent)


test_chunk_sizes, test_chunk_sizes_long = _pair(CHUNK_SIZES, check_chunk_size,
                                                ("capsys", "cli_archive"))


def test_a_sample_through_the_command_line(capsys, cli_archive, scratch):
    """Malformed inputs through the commands: exit 1, one line naming the file and line."""
    bad = {
        "signal.bg": b"chr1\t0\t10\t1\nchr1\t5\t2\t1\n",
        "signal.wig": b"fixedStep chrom=chr1 start=0\n1\n",
        "nul.bg": b"chr1\t0\t10\t1\x00\n",
    }
    for name, text in bad.items():
        path = _write(scratch, name, text)
        status, _, err = _run(capsys, ["load-data", str(cli_archive["archive"]), "t",
                                       str(path)])
        assert status == 1 and f"{path}:" in err
    for source, text, flag in ((b">a/b\nAC\n", "in.fa", []), (b"chr1\tx\n", "in.sizes",
                                                             ["--sizes"])):
        path = _write(scratch, text, source)
        out = scratch / f"never-{text}.genomedata"
        status, _, err = _run(capsys, ["load-seq", *flag, str(out), str(path)])
        assert status == 1 and f"{path}:" in err and not out.exists()
