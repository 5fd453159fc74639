"""Compiled kernels are cached outside the package (a cache inside site-packages outlives an
uninstall and shadows a later editable install), and NUMBA_CACHE_DIR still wins."""

import os
import subprocess
import sys
from pathlib import Path

import genomedata

RUN = ("import numpy as np\n"
       "from genomedata.kernels.chunks import nan_blocks\n"
       "nan_blocks(np.zeros(4, np.float32), 2)\n")


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env.update(extra)
    return env


def test_cache_goes_to_the_user_cache_dir(tmp_path):
    subprocess.run([sys.executable, "-c", RUN], check=True,
                   env=_env(XDG_CACHE_HOME=str(tmp_path)))
    assert list((tmp_path / "genomedata" / "numba").rglob("*.nbi"))
    package = Path(genomedata.__file__).parent / "kernels"
    assert not list(package.rglob("chunks.nan_blocks*.nbi"))


def test_numba_cache_dir_is_honoured(tmp_path):
    subprocess.run([sys.executable, "-c", RUN], check=True,
                   env=_env(NUMBA_CACHE_DIR=str(tmp_path / "mine"),
                            XDG_CACHE_HOME=str(tmp_path / "xdg")))
    assert list((tmp_path / "mine").rglob("*.nbi"))
    assert not (tmp_path / "xdg").exists()
