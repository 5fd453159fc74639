"""The summary table after a load: readable at 80 columns, one meaning per column for every
kind of input, and ``-v`` lines that name their track."""

from __future__ import annotations

import io
import os
from pathlib import Path
import re
import shutil

import pytest

from genomedata._progress import Reporter, reporting
from genomedata.commands._summary import input_names, shorten
from genomedata.ops.load import build_archive

EXAMPLES = str(Path(__file__).resolve().parents[2] / "examples" / "data")
LONG = "wgEncodeDukeDNaseSeqBaseOverlapSignalK562V2.bedGraph"


class Terminal(io.StringIO):
    """What rich takes for a terminal (it draws its table)."""

    def isatty(self):
        return True


def test_names_are_shortened_and_told_apart():
    assert shorten("dnase.bedGraph") == "dnase.bedGraph"
    assert shorten(LONG) == "wgEncodeDukeD\u20262.bedGraph"
    assert len(shorten(LONG)) == 24
    assert input_names(["/data/a/x.wig", "/data/b/x.wig", "/data/y.bw", "<stdin>"]) == [
        "a/x.wig", "b/x.wig", "y.bw", "<stdin>"]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """A load of text and bigWig inputs, two of them of the same file name, one long name."""
    root = tmp_path_factory.mktemp("summary")
    (root / "rep1").mkdir()
    (root / "rep2").mkdir()
    shutil.copy(os.path.join(EXAMPLES, "dnase.bedGraph"), root / "rep1" / "dnase.bedGraph")
    shutil.copy(os.path.join(EXAMPLES, "dnase.bedGraph"), root / "rep2" / "dnase.bedGraph")
    shutil.copy(os.path.join(EXAMPLES, "dnase.bedGraph"), root / LONG)
    first = build_archive(str(root / "first.genomedata"),
                          [("dnase", os.path.join(EXAMPLES, "dnase.bedGraph"))],
                          [os.path.join(EXAMPLES, "chr1.fa"), os.path.join(EXAMPLES,
                                                                           "chr2.fa.gz")])
    assert first[0].bases == 45922
    from genomedata.ops.export import export_track
    export_track(str(root / "first.genomedata"), "dnase", str(root / "dnase.bw"))
    tracks = [("replicate_one", str(root / "rep1" / "dnase.bedGraph")),
              ("replicate_two", str(root / "rep2" / "dnase.bedGraph")),
              ("encode", str(root / LONG)), ("from_bigwig", str(root / "dnase.bw")),
              ("conservation", os.path.join(EXAMPLES, "conservation.wigFix"))]
    summaries = build_archive(str(root / "all.genomedata"), tracks,
                              [os.path.join(EXAMPLES, "chr1.fa"),
                               os.path.join(EXAMPLES, "chr2.fa.gz")],
                              maskfilename=os.path.join(EXAMPLES, "peaks.bed"))
    return summaries


def test_table_fits_80_columns_with_one_meaning_per_column(loaded, monkeypatch):
    from genomedata.commands._summary import show
    monkeypatch.setenv("COLUMNS", "80")
    out = Terminal()
    with reporting(Reporter(stream=out, progress=False)):
        show(loaded)
    text = re.sub(r"\x1b\[[0-9;]*m", "", out.getvalue())     # colours
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80, text
    header = next(line for line in lines if "track" in line)
    assert header.split() == ["track", "input", "bases", "with", "data", "not", "loaded",
                              "time"]
    rows = {line.split()[0]: line.split() for line in lines
            if line.split() and line.split()[0] in {s.trackname for s in loaded}}
    # the same input as text and as bigWig: the same numbers in the same columns
    assert rows["replicate_one"][1:4] == ["rep1/dnase.bedGraph", "42,953", "2,969"]
    assert rows["replicate_two"][1:4] == ["rep2/dnase.bedGraph", "42,953", "2,969"]
    assert rows["encode"][1:4] == ["wgEncodeDukeD\u20262.bedGraph", "42,953", "2,969"]
    assert rows["from_bigwig"][1:4] == ["dnase.bw", "42,953", "2,969"]
    assert rows["conservation"][1:4] == ["conservation.wigFix", "13,788", "2,212"]
    assert all(re.fullmatch(r"\d+\.\d\d", row[4]) and row[5] == "s" for row in rows.values())
    assert lines[-1] == "not loaded: bases of the input outside every supercontig, or masked"


def test_verbose_lines_name_their_track(loaded):
    from genomedata.commands._summary import show
    out = io.StringIO()
    with reporting(Reporter(verbosity=2, stream=out)):
        show(loaded)
    details = [line for line in out.getvalue().splitlines() if "values read" in line]
    assert [line.split(":")[0] for line in details] == [s.trackname for s in loaded]
    assert details[0].endswith("42,953 bases with data; not loaded: 0 bases in gaps between "
                               "supercontigs, 0 past the last one, 2,969 masked")
    # not a terminal: tab-separated, the same columns
    assert "track\tinput\tbases with data\tnot loaded\ttime" in out.getvalue()
