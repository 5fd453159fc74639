"""Doctest support for the package's docstrings (``python -m pytest --doctest-modules genomedata``).

The docstring examples read a real archive: the one built from ``examples/data`` (two
chromosomes, tracks ``conservation`` and ``dnase``).  When the run collects doctests, an autouse
session fixture builds it once, with ``genomedata.load_genomedata.load_genomedata``, and puts
these names into every doctest's namespace:

* ``example_archive`` -- path (str) of that archive (closed, read-only use);
* ``writable_copy()`` -- path (str) of a fresh copy of it, for examples that change an archive;
* ``scratch_dir()`` -- path (str) of a new empty directory, for examples that write files;
* ``example_data`` -- path (str) of ``examples/data`` (FASTA, WIG, bedGraph, BED inputs);
* ``Genome`` -- ``genomedata.Genome``.

Runs without doctests (e.g. ``pytest tests/test_api.py``) do not build anything.  This file
lives at the top of the repository because a ``tests/conftest.py`` does not apply to modules
under ``genomedata/``.
"""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
EXAMPLE_DATA = ROOT / "examples" / "data"

# __main__ modules run their program when imported (--doctest-modules imports every module
# it collects): never collect them
collect_ignore = ["genomedata/__main__.py", "benchmarks/__main__.py"]


def build_example_archive(path) -> str:
    """The example archive of the README, built through the Python API."""
    from genomedata.load_genomedata import load_genomedata
    return load_genomedata(
        str(path),
        [("conservation", str(EXAMPLE_DATA / "conservation.wigFix")),
         ("dnase", str(EXAMPLE_DATA / "dnase.bedGraph"))],
        [str(EXAMPLE_DATA / "chr1.fa"), str(EXAMPLE_DATA / "chr2.fa.gz")])


def _has_doctests(session) -> bool:
    from _pytest.doctest import DoctestItem
    return any(isinstance(item, DoctestItem) for item in session.items)


@pytest.fixture(scope="session", autouse=True)
def _genomedata_doctest_namespace(request, tmp_path_factory):
    """Fill ``doctest_namespace`` (only when doctests were collected)."""
    if not _has_doctests(request.session):
        yield
        return
    namespace = request.getfixturevalue("doctest_namespace")
    from genomedata import Genome

    base = tmp_path_factory.mktemp("doctest-archive")
    archive = build_example_archive(base / "example.genomedata")
    counter = itertools.count()

    def writable_copy() -> str:
        """A fresh copy of the example archive that an example may change."""
        target = tmp_path_factory.mktemp("doctest-copy") / f"copy{next(counter)}.genomedata"
        shutil.copytree(archive, target)
        return str(target)

    def scratch_dir() -> str:
        """A new empty directory."""
        return str(tmp_path_factory.mktemp("doctest-scratch"))

    namespace.update(example_archive=archive, writable_copy=writable_copy,
                     scratch_dir=scratch_dir, example_data=str(EXAMPLE_DATA), Genome=Genome)
    yield
