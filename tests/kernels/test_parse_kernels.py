"""Signal-text parser kernels (genomedata.kernels.parse) and their Python side
(genomedata.inputs.signal): reference files, malformed inputs with exact messages, and property
tests against a numpy model.

CI re-runs this module with NUMBA_BOUNDSCHECK=1.
"""

from __future__ import annotations

import gzip
from decimal import Decimal, localcontext

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genomedata.inputs.signal import line_number, parse_signal
from genomedata.errors import InputError
from genomedata.kernels import parse as kp
from test_decimal_kernels import decimal_tokens  # the grammar's tokens, drawn one way
from test_decimal_kernels import model  # float(token) when the grammar accepts the token

pytestmark = pytest.mark.kernels

NAN = np.float32(np.nan)


# ------------------------------------------------------------------------------------------------
# helpers

def parse(text: bytes, name="input"):
    return parse_signal(text, name)


def filled(parsed, chrom, size, init=np.nan):
    buffer = np.full(size, init, dtype=np.float32)
    counters = parsed.fill_chromosome(chrom, buffer)
    return buffer, counters


def same_values(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal as float32 values: NaN equals NaN, and the sign of zeros matters."""
    if a.shape != b.shape or not np.array_equal(a, b, equal_nan=True):
        return False
    finite = ~np.isnan(a)
    return np.array_equal(np.signbit(a[finite]), np.signbit(b[finite]))


def f32(token) -> np.float32:
    """What strtod then a cast to float gives."""
    if isinstance(token, bytes):
        token = token.decode("ascii")
    with np.errstate(over="ignore"):
        return np.float32(float(token))


def error_of(text: bytes, name="input"):
    with pytest.raises(InputError) as info:
        parse(text, name)
    return info.value


# ------------------------------------------------------------------------------------------------
# reference data files

WIGFIX = ["chr1.phyloP44way.placental.short.wigFix", "chr1.phyloP44way.primate.short.wigFix",
          "chr1.phyloP44way.vertebrate.short.wigFix"]
DNASE = ["wgEncodeDukeDNaseSeqBaseOverlapSignalK562V2.bed",
         "wgEncodeDukeDNaseSeqBaseOverlapSignalK562V2.bedGraph",
         "wgEncodeDukeDNaseSeqBaseOverlapSignalK562V2.dos.bed",
         "wgEncodeDukeDNaseSeqBaseOverlapSignalK562V2.dos.bedGraph"]
DNASE_VAR = ["wgEncodeDukeDNaseSeqBaseOverlapSignalK562V2.wigVar",
             "wgEncodeDukeDNaseSeqBaseOverlapSignalK562V2.dos.wigVar"]


def wigfix_model(text: bytes, size: int) -> np.ndarray:
    """fixedStep model in plain Python (the files use step=1, span=1)."""
    out = np.full(size, np.nan, dtype=np.float32)
    position = None
    for line in text.splitlines():
        words = line.split()
        if not words or words[0] == b"track":
            continue
        if words[0] == b"fixedStep":
            keys = dict(word.split(b"=") for word in words[1:])
            assert keys[b"step"] == b"1" and b"span" not in keys
            position = int(keys[b"start"]) - 1
            continue
        out[position] = f32(words[0])
        position += 1
    return out


@pytest.mark.parametrize("name", WIGFIX)
def test_wigfix_files(refdata, name):
    text = (refdata / name).read_bytes()
    parsed = parse(text, name)
    assert parsed.chromosomes() == ["chr1"]
    assert parsed.lines_of("chr1") == 496
    assert parsed.extent("chr1") == (280, 779)
    buffer, counters = filled(parsed, "chr1", 1000)
    assert counters.tolist() == [496, 496, 0, 0]
    have = np.flatnonzero(~np.isnan(buffer))
    assert have[0] == 280 and have[-1] == 778 and len(have) == 496
    assert same_values(buffer, wigfix_model(text, 1000))
    if "placental" in name:
        # blocks at 281 (2 values) and, after a track line and a TAB-delimited header, 283
        assert len(parsed.segments) == 5
        assert buffer[280] == np.float32(0.371) and buffer[281] == np.float32(0.372)
        assert buffer[290] == np.float32(-2.297)


def test_placental_track_lines_end_blocks(refdata):
    text = (refdata / WIGFIX[0]).read_bytes()
    segs = parse(text).segments
    assert segs[:, kp.SEG_KIND].tolist() == [kp.KIND_FIXED] * 5
    assert segs[:, kp.SEG_START].tolist() == [280, 282, 336, 464, 476]
    assert segs[:, kp.SEG_NLINES].tolist() == [2, 53, 127, 11, 303]
    assert segs[:, kp.SEG_STEP].tolist() == [1] * 5 and segs[:, kp.SEG_SPAN].tolist() == [1] * 5


def test_dnase_wig(refdata):
    parsed = parse((refdata / "chr1.wgEncodeDukeDNaseSeqBaseOverlapSignalK562V2.wig")
                   .read_bytes())
    buffer, counters = filled(parsed, "chr1", 1000)
    assert counters[kp.COUNT_LINES] == 699
    expected = np.full(1000, np.nan, dtype=np.float32)
    expected[:699] = 0
    expected[156:167] = 1      # lines 158-168 of the file
    expected[238:249] = 1      # lines 240-250
    assert same_values(buffer, expected)


@pytest.mark.parametrize("name", DNASE)
def test_dnase_bed(refdata, name):
    parsed = parse((refdata / name).read_bytes(), name)
    assert parsed.chromosomes() == ["chr2", "chr1", "chr10"]
    buffer, counters = filled(parsed, "chr1", 300)
    expected = np.full(300, np.nan, dtype=np.float32)
    expected[0:156] = 0
    expected[156:167] = 1
    expected[167:190] = 0
    assert same_values(buffer, expected)
    assert counters.tolist() == [3, 190, 0, 0]
    # the last line (chr10) has no newline
    buffer, counters = filled(parsed, "chr10", 50)
    assert np.all(buffer == 0) and counters.tolist() == [1, 50, 50, 0]
    buffer, _ = filled(parsed, "chr2", 5)
    assert buffer[0] == 0 and np.isnan(buffer[1:]).all()


@pytest.mark.parametrize("name", DNASE_VAR)
def test_dnase_wigvar(refdata, name):
    parsed = parse((refdata / name).read_bytes(), name)
    assert parsed.chromosomes() == ["chr2", "chr1", "chr10"]
    buffer, counters = filled(parsed, "chr1", 300)
    expected = np.full(300, np.nan, dtype=np.float32)
    expected[155] = 0          # 1-based 156
    expected[156:167] = 1      # 1-based 157..167
    expected[167:169] = 0
    assert same_values(buffer, expected)
    assert counters.tolist() == [14, 14, 0, 0]
    buffer, _ = filled(parsed, "chr10", 200)
    assert buffer[99] == 0 and np.count_nonzero(~np.isnan(buffer)) == 1


def test_unfiltered_bed(refdata):
    parsed = parse((refdata / "unfiltered.bed").read_bytes())
    buffer, counters = filled(parsed, "chr1", 220)
    expected = np.full(220, np.nan, dtype=np.float32)
    expected[0:100] = 0
    for i, value in enumerate(["0.1", "0.6", "0.3", "0.5", "0.2", "0.6", "0.9", "0.8", "0.7",
                               "1.0", "0"]):
        expected[100 + 10 * i:110 + 10 * i] = f32(value)
    assert same_values(buffer, expected)
    assert counters.tolist() == [12, 210, 0, 0]


@pytest.mark.parametrize("name, intervals", [
    ("chunk_test_track1.bed", [(50, 75), (100125, 100150), (200500, 200525), (200700, 200725)]),
    ("chunk_test_track2.bed", [(70, 100), (200550, 200600)]),
])
def test_chunk_test_beds(refdata, name, intervals):
    parsed = parse((refdata / name).read_bytes(), name)
    buffer, counters = filled(parsed, "chr1", 200800)
    expected = np.full(200800, np.nan, dtype=np.float32)
    for start, end in intervals:
        expected[start:end] = 0
    assert same_values(buffer, expected)
    assert counters[kp.COUNT_LINES] == len(intervals)
    # a short buffer drops the rest, counted
    buffer, counters = filled(parsed, "chr1", 100)
    assert counters[kp.COUNT_DROPPED] == sum(end - max(start, 100) for start, end in intervals
                                             if end > 100)


def test_filter_variable_is_rejected(refdata):
    # variableStep with the 0-based position "0 0": WIG is 1-based
    text = gzip.decompress((refdata / "filter_variable.wig.gz").read_bytes())
    error = error_of(text, "filter_variable.wig.gz")
    assert error.line == 2
    assert str(error) == ("filter_variable.wig.gz:2: variableStep position 0: WIG positions are "
                          "1-based (the first base is 1)")


def test_filter_fixed_is_rejected(refdata):
    error = error_of((refdata / "filter_fixed.wig").read_bytes(), "filter_fixed.wig")
    assert str(error) == ("filter_fixed.wig:1: fixedStep start=0: WIG positions are 1-based "
                          "(the first base is 1)")


# ------------------------------------------------------------------------------------------------
# hand-written inputs: valid

def test_empty_and_comment_only_inputs():
    for text in [b"", b"\n", b"   \n\t\r\n", b"# x\ntrack name=a\nbrowser position chr1\n",
                 b"track", b"#"]:
        parsed = parse(text)
        assert parsed.chromosomes() == [] and parsed.nlines == 0


def test_bed_separators_and_line_ends():
    text = (b"chr1 0 2 1\r\n"
            b"chr1\t\t2 \t 4\t2.5 \t\r\n"
            b"   chr1 4 5 -3   \n"
            b"\n"
            b"# comment\n"
            b"chr1 5 5 9\n"          # empty interval: writes nothing
            b"chr1 5 6 +4")          # no final newline
    parsed = parse(text)
    buffer, counters = filled(parsed, "chr1", 8)
    assert same_values(buffer, np.array([1, 1, 2.5, 2.5, -3, 4, NAN, NAN], dtype=np.float32))
    assert counters.tolist() == [5, 6, 0, 0]
    assert len(parsed.segments) == 1


def test_bed_later_lines_overwrite_and_unsorted_chromosomes():
    text = b"chr1 0 10 1\nchr2 0 5 2\nchr1 5 15 3\nchr2 1 2 4\n"
    parsed = parse(text)
    assert parsed.chromosomes() == ["chr1", "chr2"]
    assert {k: v.tolist() for k, v in parsed.segments_by_chrom().items()} == {
        "chr1": [0, 2], "chr2": [1, 3]}
    buffer, counters = filled(parsed, "chr1", 20)
    assert same_values(buffer[:16], np.array([1] * 5 + [3] * 10 + [NAN], dtype=np.float32))
    assert counters.tolist() == [2, 20, 0, 0]
    buffer, _ = filled(parsed, "chr2", 6)
    assert same_values(buffer, np.array([2, 4, 2, 2, 2, NAN], dtype=np.float32))


def test_special_values():
    tokens = [b"nan", b"NaN", b"-nan", b"inf", b"-Inf", b"+INF", b"infinity", b"-Infinity",
              b"-0", b"0e999", b"1e-400", b"1e400", b"-1e39", b"3.4028235e38", b"1.4e-45",
              b"7e-46", b".5", b"5.", b"+.5e1", b"1E+2", b"00012.5000"]
    text = b"fixedStep chrom=c start=1\n" + b"\n".join(tokens) + b"\n"
    buffer, _ = filled(parse(text), "c", len(tokens))
    assert same_values(buffer, np.array([f32(t) for t in tokens], dtype=np.float32))


def test_fixedstep_step_and_span():
    text = b"fixedStep chrom=c start=2 step=3 span=1\n1\n2\n3\n"
    buffer, counters = filled(parse(text), "c", 10, init=7)
    # step > span: the positions between spans keep their values
    assert buffer.tolist() == [7, 1, 7, 7, 2, 7, 7, 3, 7, 7]
    assert counters.tolist() == [3, 3, 0, 0]
    text = b"fixedStep span=4 step=2 start=1 chrom=c\n1\n2\n3\n"
    buffer, counters = filled(parse(text), "c", 10)
    # span > step: every value's whole span is written, later values overwrite
    assert same_values(buffer, np.array([1, 1, 2, 2, 3, 3, 3, 3, NAN, NAN], dtype=np.float32))
    assert counters.tolist() == [3, 12, 0, 0]
    buffer, counters = filled(parse(text), "c", 5)
    assert counters.tolist() == [3, 8, 4, 0]


def test_fixedstep_comments_blank_lines_and_track_lines():
    text = (b"track type=wiggle_0\n"
            b"fixedStep\tchrom=c  start=1\t \n"
            b"1\n\n# comment\n   \r\n2\n"
            b"browser hide all\n"
            b"c 5 6 9\n"
            b"fixedStep chrom=c start=10\n3\n")
    parsed = parse(text)
    assert parsed.segments[:, kp.SEG_KIND].tolist() == [kp.KIND_FIXED, kp.KIND_BED,
                                                        kp.KIND_FIXED]
    buffer, counters = filled(parsed, "c", 12)
    assert same_values(buffer, np.array([1, 2, NAN, NAN, NAN, 9, NAN, NAN, NAN, 3, NAN, NAN],
                                        dtype=np.float32))
    assert counters[kp.COUNT_LINES] == 4


def test_switching_fixed_and_variable_blocks():
    text = (b"variableStep chrom=c span=2\n1 5\n  7\t6 \n"
            b"fixedStep chrom=c start=4 step=1\n8\n"
            b"variableStep chrom=d\n3 1\n"
            b"variableStep chrom=c\n8 0.5\n")
    parsed = parse(text)
    buffer, counters = filled(parsed, "c", 10)
    assert same_values(buffer, np.array([5, 5, NAN, 8, NAN, NAN, 6, 0.5, NAN, NAN],
                                        dtype=np.float32))
    assert counters.tolist() == [4, 6, 0, 0]
    assert parsed.chromosomes() == ["c", "d"]


def test_header_without_data_and_extent():
    parsed = parse(b"fixedStep chrom=a start=5\nfixedStep chrom=b start=1\n1\n")
    assert parsed.chromosomes() == ["a", "b"]
    assert parsed.lines_of("a") == 0 and parsed.lines_of("b") == 1
    assert parsed.extent("a") == (0, 0) and parsed.extent("b") == (0, 1)
    buffer, counters = filled(parsed, "a", 10)
    assert np.isnan(buffer).all() and counters.tolist() == [0, 0, 0, 0]


def test_names_that_only_look_like_keywords_are_chromosomes():
    parsed = parse(b"trackX 0 1 1\nbrowsers 0 1 2\nfixedStepX 0 1 3\nnan 0 1 4\n")
    assert parsed.chromosomes() == ["trackX", "browsers", "fixedStepX", "nan"]


def test_hard_tokens_are_parsed_by_python():
    midpoint = b"1.000000059604644775390625"          # exactly between two float32
    tokens = [midpoint, b"0.1", b"1.0000000596046448", midpoint + b"0000001",
              b"123456789012345678901234567890", b"1" * 400 + b"e-400"]
    text = b"".join(b"chr1 %d %d %s\n" % (i, i + 1, t) for i, t in enumerate(tokens))
    parsed = parse(text)
    assert len(parsed.hard_values) >= 2
    buffer, counters = filled(parsed, "chr1", len(tokens))
    assert same_values(buffer, np.array([f32(t) for t in tokens], dtype=np.float32))
    assert counters[kp.COUNT_HARD_NEXT] == len(parsed.hard_values)


def test_scan_tables():
    text = b"chr1 0 10 1\nchr1 10 20 2\nchr2 5 6 1\nvariableStep chrom=chr1 span=5\n100 1\n"
    status, off, info, segs, chroms, hard = kp.scan(np.frombuffer(text, dtype=np.uint8))
    assert (status, off, info) == (kp.OK, 0, 0)
    assert len(hard) == 0
    assert [bytes(text[o:o + n]) for o, n in chroms.tolist()] == [b"chr1", b"chr2"]
    assert segs[:, kp.SEG_CHROM].tolist() == [0, 1, 0]
    assert segs[:, kp.SEG_KIND].tolist() == [kp.KIND_BED, kp.KIND_BED, kp.KIND_VARIABLE]
    assert segs[:, kp.SEG_NLINES].tolist() == [2, 1, 1]
    assert segs[:, kp.SEG_SPAN].tolist() == [0, 0, 5]
    assert segs[:, kp.SEG_MIN_START].tolist() == [0, 5, 99]
    assert segs[:, kp.SEG_MAX_END].tolist() == [20, 6, 104]
    assert segs[0, kp.SEG_DATA_START] == 0 and segs[0, kp.SEG_DATA_END] == 25
    assert text[segs[2, kp.SEG_DATA_START]:segs[2, kp.SEG_DATA_END]] == b"100 1\n"
    assert text[segs[2, kp.SEG_LINE_OFF]:].startswith(b"variableStep")
    for i in range(3):
        off, length = segs[i, kp.SEG_CHROM_OFF], segs[i, kp.SEG_CHROM_LEN]
        assert text[off:off + length] == (b"chr2" if i == 1 else b"chr1")


def test_fill_single_segment_kernel():
    text = b"fixedStep chrom=c start=3 step=2 span=2\n1\n2\n"
    buf = np.frombuffer(text, dtype=np.uint8)
    _, _, _, segs, _, _ = kp.scan(buf)
    seg = segs[0]
    buffer = np.full(8, np.nan, dtype=np.float32)
    counters = np.zeros(kp.NCOUNTERS, dtype=np.int64)
    status = kp.fill(buf, seg[kp.SEG_DATA_START], seg[kp.SEG_DATA_END], seg[kp.SEG_KIND],
                     seg[kp.SEG_START], seg[kp.SEG_STEP], seg[kp.SEG_SPAN], buffer,
                     np.zeros(0), seg[kp.SEG_HARD_FIRST], counters)
    assert status == kp.FILL_OK
    assert same_values(buffer, np.array([NAN, NAN, 1, 1, 2, 2, NAN, NAN], dtype=np.float32))
    assert counters.tolist() == [2, 4, 0, 0]
    # a range that is not a segment is reported, not a crash
    status = kp.fill(buf, 0, len(text), kp.KIND_FIXED, 0, 1, 1, buffer, np.zeros(0), 0,
                     counters)
    assert status == kp.FILL_ERR_SYNTAX


def test_fill_reports_missing_hard_values():
    text = b"c 0 1 1.000000059604644775390625\n"
    buf = np.frombuffer(text, dtype=np.uint8)
    _, _, _, segs, _, hard = kp.scan(buf)
    assert len(hard) == 1
    counters = np.zeros(kp.NCOUNTERS, dtype=np.int64)
    status = kp.fill_segments(buf, segs, np.arange(1), np.zeros(2, np.float32), np.zeros(0),
                              counters)
    assert status == kp.FILL_ERR_HARD


def test_fill_chromosome_checks_buffer():
    parsed = parse(b"c 0 1 1\n")
    with pytest.raises(TypeError):
        parsed.fill_chromosome("c", np.zeros(3, dtype=np.float64))
    with pytest.raises(KeyError):
        parsed.fill_chromosome("x", np.zeros(3, dtype=np.float32))


def test_line_number():
    arr = np.frombuffer(b"a\nb\r\nc\n\nd", dtype=np.uint8)
    assert [line_number(arr, i) for i in (0, 1, 2, 5, 6, 7, 8, 9)] == [1, 1, 2, 3, 3, 4, 5, 5]


# ------------------------------------------------------------------------------------------------
# hand-written inputs: errors (line, message)

COLUMNS = "expected 4 columns (chrom start end value) separated by spaces or TABs, found "
RANGE = "coordinate out of range (larger than 9223372036854775807)"

MALFORMED = [
    (b"chr1 0 10\n", 1, COLUMNS + "3"),
    (b"chr1 0 10 1\nchr1 10 20 1 +\n", 2, COLUMNS + "5"),
    (b"chr1 0 10 1\r\nchr1 10 20\r\n", 2, COLUMNS + "3"),
    (b"chr1 0 1 1\nchr1 0 1", 2, COLUMNS + "3"),
    (b"1\n", 1, COLUMNS + "1"),
    (b"fixedStepX chrom=chr1 start=1\n", 1, COLUMNS + "3"),
    (b"chr1 a 10 1\n", 1, "invalid coordinate 'a' (expected a non-negative integer)"),
    (b"chr1 -5 10 1\n", 1, "invalid coordinate '-5' (expected a non-negative integer)"),
    (b"chr1 0 1.5 1\n", 1, "invalid coordinate '1.5' (expected a non-negative integer)"),
    (b"chr1 0 10 x1\n", 1, "invalid number 'x1'"),
    (b"chr1 0 10 0x10\n", 1, "invalid number '0x10'"),
    (b"chr1 0 10 1e\n", 1, "invalid number '1e'"),
    (b"chr1 0 10 .\n", 1, "invalid number '.'"),
    (b"chr1 0 10 --1\n", 1, "invalid number '--1'"),
    (b"chr1 0 10 1.2.3\n", 1, "invalid number '1.2.3'"),
    (b"chr1 0 10 infinit\n", 1, "invalid number 'infinit'"),
    (b"chr1 0 10 nan(1)\n", 1, "invalid number 'nan(1)'"),
    (b"chr1 0 10 1,5\n", 1, "invalid number '1,5'"),
    (b"chr1 20 10 1\n", 1, "start 20 is greater than end 10"),
    (b"chr1 0 1 1\nchr1 0 1 1\nchr1 20 10 1\n", 3, "start 20 is greater than end 10"),
    (b"chr1 0 1 1\nchr1 0 1 1\nchr1 0 1 1 1\nchr1 0 1 1\n", 3, COLUMNS + "5"),
    (b"chr1 0 99999999999999999999 1\n", 1, RANGE),
    (b"chr1 9223372036854775808 9223372036854775808 1\n", 1, RANGE),
    (b"chr1 0\r10 1\n", 1, "carriage return (\\r) in the middle of a line"),
    (b"\rchr1 0 10 1\n", 1, "carriage return (\\r) in the middle of a line"),
    (b"fixedStep chrom=chr1 step=1\n1\n", 1,
     "fixedStep header without start= (WIG positions are 1-based)"),
    (b"fixedStep chrom=chr1 start=0\n1\n", 1,
     "fixedStep start=0: WIG positions are 1-based (the first base is 1)"),
    (b"# c\nfixedStep chrom=chr1 start=1 step=0\n", 2, "step=0: step must be at least 1"),
    (b"fixedStep chrom=chr1 start=1 span=0\n", 1, "span=0: span must be at least 1"),
    (b"fixedStep chrom=chr1 start=1 foo=2\n", 1, "unknown key 'foo' in fixedStep header"),
    (b"variableStep chrom=chr1 Span=2\n", 1, "unknown key 'Span' in variableStep header"),
    (b"variableStep chrom=chr1 start=5\n", 1,
     "variableStep header does not take 'start=' (positions are given on the data lines)"),
    (b"variableStep\tchrom=chr1\tstep=5\n", 1,
     "variableStep header does not take 'step=' (positions are given on the data lines)"),
    (b"fixedStep start=1\n", 1, "fixedStep header without chrom=NAME"),
    (b"variableStep chrom= span=1\n", 1, "variableStep header without chrom=NAME"),
    (b"fixedStep\n", 1, "fixedStep header without chrom=NAME"),
    (b"fixedStep chrom=chr1 start=1 chrom=chr2\n", 1,
     "key 'chrom' given twice in fixedStep header"),
    (b"fixedStep chrom=chr1 start=1 start=2\n", 1, "key 'start' given twice in fixedStep header"),
    (b"fixedStep chrom=chr1 start=1 step\n", 1,
     "expected key=value in fixedStep header, found 'step'"),
    (b"fixedStep chrom=chr1 =1\n", 1, "expected key=value in fixedStep header, found '=1'"),
    (b"fixedStep chrom=chr1 start=x\n", 1,
     "invalid value in 'start=x' (expected a positive integer)"),
    (b"fixedStep chrom=chr1 start=-1\n", 1,
     "invalid value in 'start=-1' (expected a positive integer)"),
    (b"fixedStep chrom=chr1 start=\n", 1,
     "invalid value in 'start=' (expected a positive integer)"),
    (b"fixedStep chrom=chr1 start=99999999999999999999\n", 1, RANGE),
    (b"fixedStep chrom=chr1 start=1\r x\n", 1, "carriage return (\\r) in the middle of a line"),
    (b"fixedStep chrom=chr1 start=1\n1\nchr1 0 10 1\n", 3,
     "expected one number per line in a fixedStep block, found 4 fields"),
    (b"fixedStep chrom=chr1 start=1\n1\n1 2\n", 3,
     "expected one number per line in a fixedStep block, found 2 fields"),
    (b"fixedStep chrom=chr1 start=1\n1\n# ok\n\nabc\n", 5, "invalid number 'abc'"),
    (b"fixedStep chrom=chr1 start=1\n1\ntrack\n1\n", 4, COLUMNS + "1"),
    (b"variableStep chrom=chr1\n1 2\n3\n", 3,
     "expected 'position value' on each line of a variableStep block, found 1 field"),
    (b"variableStep chrom=chr1\n1 2\nchr1 1 2 3\n", 3,
     "expected 'position value' on each line of a variableStep block, found 4 fields"),
    (b"variableStep chrom=chr1\n0 5\n", 2,
     "variableStep position 0: WIG positions are 1-based (the first base is 1)"),
    (b"variableStep chrom=chr1\n1 5\n2 5\n0 5\n3 5\n", 4,
     "variableStep position 0: WIG positions are 1-based (the first base is 1)"),
    (b"variableStep chrom=chr1\nx 5\n", 2,
     "invalid coordinate 'x' (expected a non-negative integer)"),
    (b"variableStep chrom=chr1\n5 y\n", 2, "invalid number 'y'"),
    (b"variableStep chrom=c span=2\n9223372036854775807 1\n", 2, RANGE),
    (b"fixedStep chrom=c start=9223372036854775807\n1\n2\n", 3, RANGE),
    (b"fixedStep chrom=c start=9223372036854775807 span=2\n1\n", 2, RANGE),
    (b"chr1 0 1 1\nchr\xc3\xa9 0 1 1\n", 2, "chromosome name is not ASCII: 'chr\\xc3\\xa9'"),
    (b"chr1 0 10 1\x00\n", 1, "invalid number '1\\x00'"),
]


@pytest.mark.parametrize("text, line, message", MALFORMED)
def test_malformed(text, line, message):
    error = error_of(text, "in.bed")
    assert (error.filename, error.line, error.message) == ("in.bed", line, message)
    assert str(error) == f"in.bed:{line}: {message}"


def test_malformed_far_into_a_long_input():
    body = b"fixedStep chrom=c start=1\n" + b"0.5\n" * 100000
    error = error_of(body + b"1 2\n")
    assert error.line == 100002
    error = error_of(b"c 0 1 2\r\n" * 5000 + b"c 0 1\r\n")
    assert error.line == 5001 and error.message == COLUMNS + "3"


def test_scan_error_offsets():
    text = b"chr1 0 10 1\nchr1 0 10 bad\n"
    status, off, info, _, _, _ = kp.scan(np.frombuffer(text, dtype=np.uint8))
    assert status == kp.ERR_BAD_NUMBER and text[off:] == b"bad\n"
    status, off, info, _, _, _ = kp.scan(np.frombuffer(b"c 1 2\n", dtype=np.uint8))
    assert (status, off, info) == (kp.ERR_BED_COLUMNS, 0, 3)


def test_every_error_code_has_a_message():
    codes = {value for name, value in vars(kp).items() if name.startswith("ERR_")}
    assert codes <= set(kp.MESSAGES)


# ------------------------------------------------------------------------------------------------
# property tests: rendering random data in every format, against a numpy model

CHROMS = ["chr1", "chr2", "c"]
SIZE = 64   # buffer size per chromosome; data may reach beyond it (dropped)

value_tokens = st.one_of(
    st.floats(width=32, allow_nan=False).map(lambda v: repr(float(v))),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-999, 999).map(str),
    st.integers(-99999, 99999).map(lambda i: f"{i / 1000:g}"),
    st.integers(-99999, 99999).map(lambda i: f"{i / 1000:.3f}"),
    st.sampled_from(["0", "-0", "1.", ".5", "+2", "1e-5", "2E3", "nan", "-inf", "Infinity",
                     "1.000000059604644775390625", "3.4028236e38"]),
)
blanks = st.text(alphabet=" \t", min_size=1, max_size=3)
opt_blanks = st.text(alphabet=" \t", max_size=2)
line_ends = st.sampled_from(["\n", "\r\n", " \n", "\t\r\n"])
noise = st.sampled_from(["", "   ", "\t", "# comment", "#", "   # indented comment"])
ending_noise = st.sampled_from(["track type=bedGraph name=x", "browser position chr1:1-10",
                                "track"])

bed_block = st.tuples(st.just("bed"), st.lists(
    st.tuples(st.sampled_from(CHROMS), st.integers(0, 80), st.integers(0, 12), value_tokens),
    min_size=1, max_size=8))
fixed_block = st.tuples(st.just("fixed"), st.sampled_from(CHROMS), st.integers(1, 80),
                        st.integers(1, 5), st.integers(1, 5), st.booleans(), st.booleans(),
                        st.lists(value_tokens, max_size=10))
variable_block = st.tuples(st.just("variable"), st.sampled_from(CHROMS), st.integers(1, 5),
                           st.booleans(),
                           st.lists(st.tuples(st.integers(1, 80), value_tokens), max_size=8))


@st.composite
def signal_files(draw):
    """(text, model buffers, data line count) for a random mix of blocks."""
    blocks = draw(st.lists(st.one_of(bed_block, fixed_block, variable_block), max_size=5))
    model = {name: np.full(SIZE, np.nan, dtype=np.float32) for name in CHROMS}
    lines = []
    nlines = 0

    def put(text):
        if draw(st.integers(0, 4)) == 0:
            lines.append(draw(noise))
        if draw(st.integers(0, 5)) == 0:
            text = draw(opt_blanks) + text
        lines.append(text)

    in_wig = False
    for block in blocks:
        if block[0] == "bed":
            if in_wig or draw(st.integers(0, 3)) == 0:
                lines.append(draw(ending_noise))
            in_wig = False
            for chrom, start, length, token in block[1]:
                put(f"{chrom}{draw(blanks)}{start}{draw(blanks)}{start + length}{draw(blanks)}"
                    f"{token}")
                model[chrom][start:start + length] = f32(token)
                nlines += 1
        elif block[0] == "fixed":
            _, chrom, start, step, span, with_step, with_span, tokens = block
            keys = [f"chrom={chrom}", f"start={start}"]
            if with_step or step != 1:
                keys.append(f"step={step}")
            if with_span or span != 1:
                keys.append(f"span={span}")
            keys = draw(st.permutations(keys))
            put("fixedStep" + "".join(draw(blanks) + key for key in keys))
            for i, token in enumerate(tokens):
                put(token)
                position = start - 1 + i * step
                model[chrom][position:position + span] = f32(token)
                nlines += 1
            in_wig = True
        else:
            _, chrom, span, with_span, data = block
            keys = [f"chrom={chrom}"] + ([f"span={span}"] if with_span or span != 1 else [])
            keys = draw(st.permutations(keys))
            put("variableStep" + "".join(draw(blanks) + key for key in keys))
            for position, token in data:
                put(f"{position}{draw(blanks)}{token}")
                model[chrom][position - 1:position - 1 + span] = f32(token)
                nlines += 1
            in_wig = True
    text = "".join(line + draw(line_ends) for line in lines)
    if lines and draw(st.booleans()):
        text = text.rstrip("\r\n \t")      # no final newline
    return text.encode("ascii"), model, nlines


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(signal_files())
def test_rendered_files_fill_like_the_model(case):
    text, model, nlines = case
    parsed = parse(text)
    assert parsed.nlines == nlines
    total = 0
    for chrom in CHROMS:
        if chrom not in parsed.chromosomes():
            assert np.isnan(model[chrom]).all()
            continue
        buffer, counters = filled(parsed, chrom, SIZE)
        assert same_values(buffer, model[chrom]), (chrom, text)
        total += counters[kp.COUNT_LINES]
    assert total == nlines


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 200), st.integers(0, 60)), min_size=1, max_size=30),
       st.integers(1, 150))
def test_bed_counters_match_model(intervals, size):
    text = "".join(f"c\t{s}\t{s + n}\t1\n" for s, n in intervals).encode()
    _, counters = filled(parse(text), "c", size)
    written = sum(max(0, min(s + n, size) - s) for s, n in intervals)
    dropped = sum(s + n - max(s, size) for s, n in intervals if s + n > size)
    assert counters.tolist() == [len(intervals), written, dropped, 0]


# ------------------------------------------------------------------------------------------------
# property tests: numbers

@st.composite
def near_float32_midpoints(draw):
    """Decimals at, just below and just above the midpoint of two adjacent float32s."""
    bits = draw(st.integers(0, 0x7F7FFFFE))
    low = np.array([bits], dtype=np.uint32).view(np.float32)[0]
    high = np.nextafter(low, np.float32(np.inf))
    nudge = draw(st.sampled_from([0, 1, -1]))
    digits_below = draw(st.integers(17, 30))
    with localcontext() as context:
        context.prec = 500
        mid = (Decimal(float(low)) + Decimal(float(high))) / 2
        exact = format(mid, "f") if draw(st.booleans()) else format(mid, "e")
        if nudge:
            exact = format(mid + nudge * Decimal(10) ** (mid.adjusted() - digits_below), "e")
    return draw(st.sampled_from(["", "-"])) + exact


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(decimal_tokens().map(bytes.decode), near_float32_midpoints(),
                          st.floats(width=32).map(lambda v: repr(float(v))),
                          st.floats().map(repr)), min_size=1, max_size=20),
       st.booleans())
def test_numbers_parse_like_strtod_then_float(tokens, as_bed):
    if as_bed:
        text = "".join(f"c {i} {i + 1} {t}\n" for i, t in enumerate(tokens))
    else:
        text = "fixedStep chrom=c start=1\n" + "\n".join(tokens)
    buffer, _ = filled(parse(text.encode()), "c", len(tokens))
    expected = np.array([f32(t) for t in tokens], dtype=np.float32)
    assert same_values(buffer, expected), tokens


# ------------------------------------------------------------------------------------------------
# property tests: hostile input never crashes or hangs

def check_robust(text: bytes):
    arr = np.frombuffer(text, dtype=np.uint8)
    status, off, info, segs, chroms, hard = kp.scan(arr)
    assert 0 <= off <= len(text)
    if status != kp.OK:
        assert status in kp.MESSAGES
        with pytest.raises(InputError):
            parse_signal(text, "x")
        return
    assert np.all(segs[:, kp.SEG_DATA_START] <= segs[:, kp.SEG_DATA_END])
    assert np.all(segs[:, kp.SEG_DATA_END] <= len(text))
    try:
        parsed = parse_signal(text, "x")
    except InputError as error:       # a non-ASCII chromosome name
        assert "not ASCII" in error.message
        return
    for chrom in parsed.chromosomes():
        for size in (0, 3, 50):
            buffer = np.full(size, np.nan, dtype=np.float32)
            counters = parsed.fill_chromosome(chrom, buffer)
            assert counters[kp.COUNT_LINES] == parsed.lines_of(chrom)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes(text):
    check_robust(text)


interesting = st.sampled_from(list(b" \t\r\n#.-+eE0123456789nanifINFxX=_\x00\xff")
                              + list(b"fixedStep variableStep track chrom= start= step= span="))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(signal_files(), st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 2),
                                          interesting), max_size=6))
def test_mutated_files(case, mutations):
    data = bytearray(case[0])
    for where, how, byte in mutations:
        i = where % (len(data) + 1)
        if how == 0:
            data[i:i] = bytes([byte])
        elif how == 1 and i < len(data):
            del data[i]
        elif i < len(data):
            data[i] = byte
    check_robust(bytes(data))


@settings(max_examples=50, deadline=None)
@given(st.binary(min_size=1, max_size=50), st.integers(0, 40))
def test_fill_with_arbitrary_ranges_never_crashes(text, extra):
    # fill is only ever given scan's segments, but must survive anything
    buf = np.frombuffer(text, dtype=np.uint8)
    buffer = np.zeros(8, dtype=np.float32)
    for kind in (kp.KIND_BED, kp.KIND_FIXED, kp.KIND_VARIABLE):
        counters = np.zeros(kp.NCOUNTERS, dtype=np.int64)
        status = kp.fill(buf, -extra, len(text) + extra, kind, extra - 20, 1 + extra % 3,
                         1 + extra % 4, buffer, np.zeros(1), 0, counters)
        assert status in (kp.FILL_OK, kp.FILL_ERR_SYNTAX, kp.FILL_ERR_HARD)


# fixedStep lines with step 1 and span 1 are read in batches (line ends found 64 bytes at a
# time, values converted together): the batch must stop at, and leave to the line-by-line
# reader, exactly the lines its fast path does not take

short_plain = st.from_regex(rb"\A[+-]?([0-9]{1,4}(\.[0-9]{0,3})?|\.[0-9]{1,3})\Z")
short_other = st.one_of(
    st.sampled_from([b"", b"#c", b"-", b".", b"1.2.3", b"12345678", b"-1234567", b"1e5", b"nan",
                     b"-Inf", b"0.0000001", b"1234567.5", b"+.5", b"5.", b"1\r2", b"1 2"]),
    # no exponents: every value is exact (no hard token)
    st.binary(min_size=1, max_size=9).filter(lambda t: not any(c in t for c in b"\neE")))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.one_of(short_plain, short_plain, short_plain, short_other),
                          st.sampled_from([b"\n", b"\n", b"\r\n", b" \n", b"\r\r\n"])),
                min_size=1, max_size=150),
       st.integers(0, 160), st.integers(0, 3))
def test_fixedstep_batches_read_like_line_by_line(lines, size, start):
    text = b"".join(token + eol for token, eol in lines)
    buf = np.frombuffer(text, dtype=np.uint8)
    out = np.full(size, 7, dtype=np.float32)
    counters = np.zeros(kp.NCOUNTERS, dtype=np.int64)
    status = kp.fill(buf, 0, len(text), kp.KIND_FIXED, start, 1, 1, out, np.zeros(0), 0,
                     counters)
    # the model: blank and comment lines are skipped, a value is float32(float(token)), the
    # first line that is not a value stops the fill
    expected = np.full(size, 7, dtype=np.float32)
    cur = start
    nlines = 0
    model_status = kp.FILL_OK
    for token, eol in lines:
        line = (token + eol).lstrip(b" \t")
        if line.strip(b" \t\r\n") == b"" or line.startswith(b"#"):
            continue
        body = line.rstrip(b"\n").rstrip(b" \t\r")
        value = model(body)
        if value is None:
            model_status = kp.FILL_ERR_SYNTAX
            break
        if cur < size:
            expected[cur] = np.float32(value)
        cur += 1
        nlines += 1
    assert status == model_status
    assert counters[kp.COUNT_LINES] == nlines
    assert counters[kp.COUNT_WRITTEN] == max(0, min(cur, size) - start)
    assert counters[kp.COUNT_DROPPED] == nlines - counters[kp.COUNT_WRITTEN]
    nan = np.isnan(expected)
    assert np.array_equal(np.isnan(out), nan)
    assert np.array_equal(out[~nan].view(np.uint32), expected[~nan].view(np.uint32))
