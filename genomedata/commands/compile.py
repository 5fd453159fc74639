"""``genomedata compile``: compile the numba kernels ahead of time."""

from __future__ import annotations

from .. import _progress

SUMMARY = "compile the numba kernels now (else the first command does, once)"
HELP = ("Compile genomedata's numba kernels for this computer now, rather than during the "
        "first command that needs them (which then takes about a minute longer).  The "
        "compiled code is cached (in NUMBA_CACHE_DIR if set, else ~/.cache/genomedata/numba) "
        "for every later command; run it again after upgrading genomedata or numba.  When the "
        "cache is complete it only loads the kernels, in a few seconds.")


def add_arguments(parser) -> None:
    pass


def run(args) -> int:
    import os

    from ..ops.compile import compile_kernels
    summary = compile_kernels()
    where = os.environ.get("NUMBA_CACHE_DIR", "the numba cache")
    if summary.compiling >= 0.5:
        _progress.info(f"compiled the kernels in {summary.compiling:.0f} s; cached in {where}")
    else:
        _progress.info(f"the kernels were compiled already: loaded from {where} in "
                       f"{summary.seconds:.1f} s")
    return 0
