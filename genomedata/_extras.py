"""Optional extras: the features that need a package genomedata does not install by default
import it here, only when the feature is used, and say in one sentence which extra brings it.

    dask    dask, distributed   building and closing archives on a Dask cluster
    plot    matplotlib          the plot and profile pictures
    pandas  pandas              tables as DataFrames
"""

from __future__ import annotations

import importlib

from .errors import MissingExtraError

# extra name -> the packages it installs, as the sentence names them
EXTRAS = {
    "dask": "dask and distributed",
    "plot": "matplotlib",
    "pandas": "pandas",
}


def require(module: str, extra: str, purpose: str):
    """Import ``module`` and return it; without it, raise :class:`MissingExtraError` saying that
    ``purpose`` (e.g. "running on a Dask cluster") needs the optional extra ``extra``."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtraError(
            f"{purpose} needs the optional extra genomedata[{extra}] ({EXTRAS[extra]}): "
            f"pip install 'genomedata[{extra}]'") from None
