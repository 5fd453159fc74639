"""Genomedata: store and read functional-genomics signal, one float per base, many tracks.

    >>> from genomedata import Genome
    >>> with Genome("archive.genomedata") as genome:          # doctest: +SKIP
    ...     values = genome["chr1"][1000:2000, "dnase"]

Importing this package does not import numba; the functions that run kernels import it.
"""

from __future__ import annotations

__version__ = "2.0.0.dev0"

from .archive.layout import FILE_MODE_CHROMS, FORMAT_VERSION  # noqa: E402

_ERRORS = ("GenomedataError", "GenomedataValueError", "NotFoundError", "NotAnArchiveError",
           "UnsupportedError", "ArchiveFormatError", "InputError", "HardmaskOptionError",
           "ArchiveLockedError", "ArchiveInterruptedError", "MissingContinuousData",
           "MissingSequenceData", "MissingStatisticsError", "ClosedError",
           "ChromosomeDirtyError", "MissingExtraError", "GenomedataDirtyWarning", "OverlapWarning")

# public name -> the module that defines it, imported on first use (genomedata 1.7's paths,
# such as genomedata._erase_data.erase_data, stay importable too)
_LAZY = {
    "Genome": ".api.genome",
    "Chromosome": ".api.chromosome",
    "Supercontig": ".api.chromosome",
    "load_genomedata": ".ops.load",
    "load_seq": ".ops.load_seq",
    "open_data": ".ops.open_data",
    "load_data": ".ops.load_data",
    "close_data": ".ops.close_data",
    "erase_data": ".ops.erase_data",
    "hardmask_data": ".ops.hardmask",
    "export_track": ".ops.export",
    "histogram": ".ops.summaries",
    "report": ".ops.summaries",
    "validate": ".ops.validate",
    "plot_region": ".ops.plot",
    "plot_profile": ".ops.plot",
    "save_figure": ".ops.plot",
    "summarize": ".ops.summarize",
    "RegionSummary": ".ops.summarize",
    **{name: ".errors" for name in _ERRORS},
}

__all__ = ["FILE_MODE_CHROMS", "FORMAT_VERSION", "__version__", *_LAZY]


def __getattr__(name):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'genomedata' has no attribute {name!r}")
    import importlib
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
