"""The per-track summary table printed by load and load-data.

One row per input, the same columns for every kind of input (text or bigWig): the track,
the input's name (shortened to fit 80 columns), the bases that now hold its values, the bases
of it that were not loaded (outside every supercontig, or masked), and the time it took
(reading and loading, without compiling kernels).  Lines on chromosomes the archive lacks are
reported by a warning while loading.
"""

import os

from .. import _progress

NAME_WIDTH = 24   # an input's name longer than this is shortened in the middle


def _count(n) -> str:
    return f"{int(n):,}"


def shorten(name: str, width: int = NAME_WIDTH) -> str:
    """``name`` cut in the middle to ``width`` characters, keeping its end (the suffix says
    the format)."""
    if len(name) <= width:
        return name
    tail = min(10, width // 2)
    return name[:width - tail - 1] + "\u2026" + name[-tail:]


def input_names(paths) -> list:
    """Short names of the inputs: their file names, with as many folders in front as it
    takes to tell apart inputs of the same file name."""
    parts = [os.path.normpath(path).split(os.sep) if path != "<stdin>" else [path]
             for path in paths]
    names = []
    for i, these in enumerate(parts):
        depth = 1
        while depth < len(these) and any(
                other != these and other[-depth:] == these[-depth:] for other in parts):
            depth += 1
        names.append(shorten(os.path.join(*these[-depth:])))
    return names


def show(summaries) -> None:
    names = input_names([s.source for s in summaries])
    rows = []
    for s, name in zip(summaries, names):
        dropped = s.bases_in_gaps + s.bases_past_end + s.bases_masked
        rows.append((s.trackname, name, _count(s.bases), _count(dropped), f"{s.seconds:.2f} s"))
        _progress.verbose(f"{s.trackname}: {s.source}: {_count(s.values)} values read, "
                          f"{_count(s.bases)} bases with data; not loaded: "
                          f"{_count(s.bases_in_gaps)} bases in gaps between supercontigs, "
                          f"{_count(s.bases_past_end)} past the last one, "
                          f"{_count(s.bases_masked)} masked")
    notes = []
    if any(row[3] != "0" for row in rows):
        notes.append("not loaded: bases of the input outside every supercontig, or masked")
    _progress.table("Tracks loaded", ["track", "input", "bases with data", "not loaded", "time"],
                    rows, notes)
