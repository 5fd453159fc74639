"""What the documentation tells users to call is importable from ``genomedata`` itself, is the
same object as at genomedata 1.7's private paths, and importing it stays light."""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import genomedata
from genomedata import errors

ROOT = Path(__file__).resolve().parents[2]

# (public name, the 1.7 or internal module path that keeps it)
ALIASES = [
    ("erase_data", "genomedata._erase_data"),
    ("hardmask_data", "genomedata._hardmask"),
    ("load_seq", "genomedata._load_seq"),
    ("open_data", "genomedata._open_data"),
    ("load_data", "genomedata._load_data"),
    ("close_data", "genomedata._close_data"),
    ("export_track", "genomedata.ops.export"),
    ("histogram", "genomedata.ops.summaries"),
    ("report", "genomedata.ops.summaries"),
    ("validate", "genomedata.ops.validate"),
    ("OverlapWarning", "genomedata._util"),
    ("GenomedataDirtyWarning", "genomedata._util"),
    ("MissingContinuousData", "genomedata._chromosome"),
]


@pytest.mark.parametrize("name, module", ALIASES)
def test_public_name_is_the_private_one(name, module):
    assert getattr(genomedata, name) is getattr(importlib.import_module(module), name)
    assert name in genomedata.__all__ and name in dir(genomedata)


def test_every_error_and_warning_is_public():
    classes = [name for name, value in vars(errors).items()
               if isinstance(value, type) and issubclass(value, (Exception, Warning))
               and value.__module__ == errors.__name__]
    assert len(classes) >= 15
    for name in classes:
        assert getattr(genomedata, name) is getattr(errors, name), name
        assert name in genomedata.__all__


def test_the_names_the_api_page_calls_are_public():
    """Every ``from genomedata import ...`` of docs/api.md and the README names a public
    name, and the API page's table of functions gives them as ``genomedata.NAME``."""
    for document in (ROOT / "docs" / "api.md", ROOT / "README.md"):
        text = document.read_text()
        for names in re.findall(r"^from genomedata import (.+)$", text, flags=re.M):
            for name in names.split(","):
                assert hasattr(genomedata, name.strip()), (document.name, name)
        assert "from genomedata._" not in text, document.name
    table = (ROOT / "docs" / "api.md").read_text()
    for name in ("erase_data", "hardmask_data", "export_track", "histogram", "report",
                 "validate"):
        assert f"`genomedata.{name}(" in table, name


def test_unknown_name():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        genomedata.nope  # noqa: B018


def test_public_names_do_not_import_numba():
    code = ("import sys, genomedata\n"
            "names = [getattr(genomedata, name) for name in genomedata.__all__]\n"
            "assert 'numba' not in sys.modules, 'numba imported'\n"
            "print(len(names))\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    result = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) == len(genomedata.__all__)


def test_load_genomedata_is_callable_after_its_module_is_imported(tmp_path):
    """``import genomedata.load_genomedata`` (genomedata 1.7's path) makes the package's
    attribute the module: it still loads when called."""
    code = ("import genomedata.load_genomedata, sys\n"
            "from genomedata import load_genomedata\n"
            "assert load_genomedata is sys.modules['genomedata.load_genomedata']\n"
            f"open({str(tmp_path / 's.sizes')!r}, 'w').write('chr1\\t10\\n')\n"
            f"load_genomedata({str(tmp_path / 'a.genomedata')!r}, [], "
            f"[{str(tmp_path / 's.sizes')!r}], seqfile_type='sizes')\n"
            "from genomedata.load_genomedata import load_genomedata as function\n"
            "assert not isinstance(function, type(sys))\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    result = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "a.genomedata").exists()
