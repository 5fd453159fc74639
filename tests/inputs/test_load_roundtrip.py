"""Property test of the whole loader: random intervals rendered as bedGraph, BED3+1, fixedStep
and variableStep text (random blanks, CRLF, missing final newline, interleaved track/browser/#
and blank lines) load into archives with random supercontig layouts and read back equal to a
numpy model: later lines win, positions in gaps or past the last supercontig read NaN."""

import tempfile
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import build_archive
from genomedata import Genome
from genomedata._load_data import load_data
from genomedata._util import OverlapWarning

pytestmark = pytest.mark.kernels

CHROMS = ("chrA", "chrB")


@st.composite
def layouts(draw):
    """{chrom: [(start, end), ...]} with gaps; chromosome lengths up to ~600."""
    layout = {}
    for chrom in CHROMS:
        pos = draw(st.integers(0, 20))
        bounds = []
        for _ in range(draw(st.integers(1, 4))):
            length = draw(st.integers(1, 150))
            bounds.append((pos, pos + length))
            pos += length + draw(st.integers(1, 40))
        layout[chrom] = bounds
    return layout


values_st = st.floats(-1e6, 1e6, allow_nan=False, width=32) | st.sampled_from([0.0, -0.0, 1.5])


@st.composite
def records(draw, fmt):
    """Records of one format: (chrom, start, end, value) in file order (0-based)."""
    out = []
    if fmt in ("bed", "bedgraph"):
        for _ in range(draw(st.integers(0, 25))):
            chrom = draw(st.sampled_from(CHROMS + ("chrUnknown",)))
            start = draw(st.integers(0, 700))
            out.append((chrom, start, start + draw(st.integers(0, 60)), draw(values_st)))
        return out, None
    blocks = []
    for _ in range(draw(st.integers(1, 4))):
        chrom = draw(st.sampled_from(CHROMS + ("chrUnknown",)))
        span = draw(st.integers(1, 12))
        if fmt == "fixed":
            start, step = draw(st.integers(0, 650)), draw(st.integers(1, 12))
            vals = draw(st.lists(values_st, max_size=12))
            blocks.append(("fixed", chrom, start, step, span, vals))
            for i, v in enumerate(vals):
                out.append((chrom, start + i * step, start + i * step + span, v))
        else:
            positions = draw(st.lists(st.integers(0, 700), max_size=12))
            vals = [draw(values_st) for _ in positions]
            blocks.append(("variable", chrom, positions, span, vals))
            for p, v in zip(positions, vals):
                out.append((chrom, p, p + span, v))
    return out, blocks


def render(draw, fmt, recs, blocks) -> bytes:
    def blank():
        return draw(st.sampled_from([" ", "\t", "  ", " \t "]))

    def number(v):
        return draw(st.sampled_from(["{!r}", "{:.9g}", "{:.8e}"])).format(float(np.float32(v)))

    lines = []

    def noise():
        for _ in range(draw(st.integers(0, 1))):
            lines.append(draw(st.sampled_from(["", "# comment", "browser position chr1",
                                               "   ", "track name=x"])))

    if fmt == "bedgraph":
        lines.append("track type=bedGraph name=t description=x")
    if fmt in ("bed", "bedgraph"):
        for chrom, a, b, v in recs:
            noise()
            lines.append(blank().join([chrom, str(a), str(b), number(v)])
                         + draw(st.sampled_from(["", " ", "\t"])))
    else:
        for block in blocks:
            noise()
            if block[0] == "fixed":
                _, chrom, start, step, span, vals = block
                keys = [f"chrom={chrom}", f"start={start + 1}", f"step={step}",
                        f"span={span}"]
                keys = draw(st.permutations(keys))
                lines.append("fixedStep" + blank() + blank().join(keys))
                lines += [number(v) for v in vals]
            else:
                _, chrom, positions, span, vals = block
                lines.append("variableStep" + blank() + f"chrom={chrom}" + blank()
                             + f"span={span}")
                lines += [f"{p + 1}{blank()}{number(v)}" for p, v in zip(positions, vals)]
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    text = eol.join(lines)
    if draw(st.booleans()):
        text += eol
    return text.encode()


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data(), layout=layouts(),
       fmt=st.sampled_from(["bed", "bedgraph", "fixed", "variable"]))
def test_loaded_values_equal_the_model(data, layout, fmt):
    recs, blocks = data.draw(records(fmt))
    text = render(data.draw, fmt, recs, blocks)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        archive = build_archive(tmp / "a.gd", layout, tracknames=["t"])
        signal = tmp / "signal.txt"
        signal.write_bytes(text)
        # inputs drawn here may have no line on the archive's chromosomes: accepted on
        # purpose (tests/test_mistakes.py checks that it is an error by default)
        summary = load_data(str(archive), "t", str(signal), allow_empty=True)
        with Genome(str(archive), "r+") as genome:
            for chrom, bounds in layout.items():
                extent = max(e for _, e in bounds)
                model = np.full(extent + 100, np.nan, np.float32)
                for c, a, b, v in recs:
                    if c == chrom:
                        model[min(a, len(model)):min(b, len(model))] = np.float32(v)
                inside = np.zeros(len(model), bool)
                for a, b in bounds:
                    inside[a:b] = True
                model[~inside] = np.nan
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", OverlapWarning)
                    got = genome[chrom][0:len(model), "t"]
                np.testing.assert_array_equal(got, model)
    unknown = sum(1 for c, *_ in recs if c == "chrUnknown")
    assert summary.unknown_chromosomes.get("chrUnknown", 0) == unknown
