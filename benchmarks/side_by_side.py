"""The reference implementation (genomedata 1.7.4 from PyPI) next to ours.

* :func:`reference_env` creates, once, a virtual environment with ``genomedata==1.7.4`` (and
  its PyTables) and caches it; later runs reuse it.
* :class:`Implementation` knows how each phase of the workload is run by either side: our
  ``python -m genomedata <subcommand>`` or the reference's ``genomedata-*`` programs.  The
  reference's ``genomedata-load-data`` reads standard input and does not decompress: its input
  is piped in (gzip through ``zcat``, as the reference's own ``load_data`` wrapper does).
  Its ``genomedata-load`` needs ``h5repack`` on PATH (Debian: ``hdf5-tools``); without it the
  end-to-end row is skipped for the reference.
* :func:`compare_dumps` checks that two archives hold the same values: the values of many
  sampled windows per track (NaN equal to NaN), every chromosome's statistics and supercontigs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

REFERENCE_VERSION = "1.7.4"
DEFAULT_ENV = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / \
    "genomedata-bench" / f"reference-{REFERENCE_VERSION}"
REPO = Path(__file__).resolve().parent.parent


def reference_env(path=None, log=print) -> Path:
    """The cached virtual environment holding genomedata 1.7.4 (created on first use)."""
    path = Path(path or DEFAULT_ENV)
    marker = path / ".genomedata-bench-complete"
    if marker.exists() or _has_reference(path):
        return path
    if path.exists() and any(path.iterdir()):
        # never removed: it may be someone's environment
        raise SystemExit(f"{path} exists but holds no genomedata {REFERENCE_VERSION}: remove "
                         "it or name another directory with --reference-env")
    log(f"creating the reference environment in {path} (genomedata=={REFERENCE_VERSION} "
        "from PyPI; once) ...")
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
    subprocess.run([str(path / "bin" / "python"), "-m", "pip", "install", "--quiet",
                    f"genomedata=={REFERENCE_VERSION}"], check=True,
                   env=user_env(venv=path)[0])
    marker.write_text(f"genomedata=={REFERENCE_VERSION}\n")
    return path


# The environment of a normal user's shell.  Every child process of both sides runs with
# only these variables of the benchmark's own environment (plus what the benchmark sets on
# purpose, listed in its output): a variable outside the list can change what is measured --
# PYTHONUNBUFFERED=1 makes CPython put C stdin in unbuffered mode, and genomedata 1.7.4's C
# loader, which reads its input through standard input, then makes one read system call per
# byte (about 15x slower); PYTHONDONTWRITEBYTECODE makes every command compile its modules
# again; PYTHONPATH, NUMBA_*, HDF5_*, OMP_NUM_THREADS and the like change what is imported,
# compiled or how many threads run.
USER_ENV_KEEP = ("PATH", "HOME", "USER", "LOGNAME", "SHELL", "TERM", "LANG", "LANGUAGE",
                 "TMPDIR", "TZ")
USER_ENV_KEEP_PREFIXES = ("LC_",)
# the removed variables the output names one by one (the others are counted): those that
# change how Python, numba, HDF5, the BLAS and thread pools, the allocator or the dynamic
# linker behave
USER_ENV_NAMED_PREFIXES = ("PYTHON", "NUMBA_", "HDF5_", "OMP_", "MKL_", "OPENBLAS_",
                           "NUMEXPR_", "BLOSC_", "GOTO", "VECLIB_", "MALLOC_", "LD_",
                           "CONDA", "GENOMEDATA")


def _has_reference(path: Path) -> bool:
    """Whether ``path`` is a virtual environment with genomedata 1.7.4 installed (one made
    by hand, without this module's marker file)."""
    python = path / "bin" / "python"
    if not (python.exists() and (path / "bin" / "genomedata-load-data").exists()):
        return False
    # -I: not the current directory's metadata (a checkout of ours has its own)
    probe = subprocess.run([str(python), "-I", "-c", "import importlib.metadata as m; "
                            "print(m.version('genomedata'))"], capture_output=True, text=True,
                           env=user_env(venv=path)[0])
    return probe.stdout.strip() == REFERENCE_VERSION


def user_env(base=None, venv=None, extra=None):
    """The environment of a normal user's shell, built from ``base`` (default: this
    process's environment) by keeping only ``USER_ENV_KEEP`` and ``LC_*``; with ``venv``, that
    virtual environment activated (``VIRTUAL_ENV``, its ``bin`` first on ``PATH``); then
    ``extra`` set on top (what the benchmark sets on purpose).

    Returns ``(env, removed, others)``: the new environment, the sorted names of the removed
    variables that can change a measurement (``USER_ENV_NAMED_PREFIXES``; an ``extra`` value
    that replaces one counts as set, not removed), and how many other variables were
    removed."""
    base = dict(os.environ if base is None else base)
    env = {name: value for name, value in base.items()
           if name in USER_ENV_KEEP or name.startswith(USER_ENV_KEEP_PREFIXES)}
    if "PATH" not in env:
        env["PATH"] = os.defpath
    if venv is not None:
        env["PATH"] = f"{Path(venv) / 'bin'}{os.pathsep}{env['PATH']}"
        env["VIRTUAL_ENV"] = str(venv)
    env.update(extra or {})
    dropped = [name for name in base if name not in env]
    removed = sorted(name for name in dropped if name.startswith(USER_ENV_NAMED_PREFIXES))
    return env, removed, len(dropped) - len(removed)


def describe_env(removed, others, extra_names=()) -> str:
    """One sentence for the benchmark's output: what was removed and what was set."""
    parts = []
    if removed:
        parts.append("removed " + ", ".join(removed))
    if others:
        parts.append(f"removed {others} other variable{'s' if others != 1 else ''} outside "
                     "the list")
    if not parts:
        parts.append("nothing to remove")
    text = ("every child process of both sides runs in a normal user's shell environment "
            f"(only {', '.join(USER_ENV_KEEP)} and LC_* kept, the side's virtual environment "
            "activated): " + "; ".join(parts))
    if extra_names:
        text += "; set on purpose: " + ", ".join(extra_names)
    return text


class Implementation:
    """How to run each phase with one implementation.  ``command(...)`` methods return
    ``(argv or shell string, stdin path or None, shell flag)``."""

    def __init__(self, name, python, env, scripts=None):
        self.name = name
        self.python = str(python)
        self.env = env
        self.scripts = scripts  # reference: directory of its genomedata-* programs

    @classmethod
    def ours(cls):
        """This checkout, run as an installed package runs, in a normal user's shell
        environment (:func:`user_env`): our modules' bytecode compiled first (as ``pip
        install`` does) and Python started with ``-S``, the site-packages
        directories on ``PYTHONPATH`` instead, so that start-up hooks this machine's
        environment puts in ``.pth`` files (an editable-install finder, a certificate
        patch: ~25 ms per command) are not counted against us -- the reference runs in a
        fresh virtual environment that has none."""
        import compileall
        import sysconfig

        compileall.compile_dir(str(REPO / "genomedata"), quiet=1)
        paths = [str(REPO)]
        for key in ("purelib", "platlib"):
            path = sysconfig.get_paths()[key]
            if path not in paths:
                paths.append(path)
        venv = Path(sys.prefix) if sys.prefix != sys.base_prefix else None
        env = user_env(venv=venv, extra={"PYTHONPATH": os.pathsep.join(paths)})[0]
        return cls("ours", sys.executable, env)

    @classmethod
    def reference(cls, venv):
        venv = Path(venv)
        return cls("reference", venv / "bin" / "python", user_env(venv=venv)[0], venv / "bin")

    @property
    def is_reference(self) -> bool:
        return self.scripts is not None

    def _ours(self, *args):
        return [self.python, "-S", "-m", "genomedata", *map(str, args)], None, False

    def _ref(self, program, *args):
        return [str(self.scripts / program), *map(str, args)], None, False

    def load_seq(self, archive, fasta):
        if self.is_reference:
            return self._ref("genomedata-load-seq", "-f", archive, fasta)
        return self._ours("load-seq", "-q", "-f", archive, fasta)

    def open_data(self, archive, tracks):
        if self.is_reference:
            return self._ref("genomedata-open-data", archive, "--tracknames", *tracks)
        return self._ours("open-data", "-q", archive, "--tracknames", *tracks)

    def load_data(self, archive, track, path):
        if not self.is_reference:
            return self._ours("load-data", "-q", archive, track, path)
        program = self.scripts / "genomedata-load-data"
        with open(path, "rb") as handle:
            gzipped = handle.read(2) == b"\x1f\x8b"
        if gzipped:
            line = f"zcat {_quote(path)} | {_quote(program)} {_quote(archive)} {_quote(track)}"
            return line, None, True
        return [str(program), str(archive), track], str(path), False

    def close_data(self, archive):
        if self.is_reference:
            return self._ref("genomedata-close-data", archive)
        return self._ours("close-data", "-q", archive)

    def info(self, archive):
        if self.is_reference:
            return self._ref("genomedata-info", "tracknames", archive)
        return self._ours("info", "tracknames", archive)

    def load(self, archive, fasta, tracks):
        pairs = [f"{name}={path}" for name, path in tracks]
        options = [item for pair in pairs for item in ("-t", pair)]
        if self.is_reference:
            return self._ref("genomedata-load", "-f", "-s", fasta, *options, archive)
        return self._ours("load", "-q", "-f", "-s", fasta, *options, archive)

    def hardmask(self, archive, mask, option):
        if self.is_reference:
            return self._ref("genomedata-hardmask", "--hardmask", option, mask, archive)
        return self._ours("hardmask", "-q", "--hardmask", option, mask, archive)

    def export(self, archive, track, output):
        if self.is_reference:
            return None
        return self._ours("export", "-q", "--overwrite", archive, track, output)

    def can_load(self) -> bool:
        """The reference's genomedata-load repacks with h5repack."""
        return not self.is_reference or shutil.which("h5repack", path=self.env["PATH"])


def _quote(path) -> str:
    import shlex
    return shlex.quote(str(path))


def has_hardmask() -> bool:
    """Whether this checkout has ``genomedata hardmask`` (another engineer is finishing it)."""
    try:
        import genomedata.commands.hardmask  # noqa: F401
    except ImportError:
        return False
    return True


# ------------------------------------------------------------------------------------------------
# comparing two archives

def compare_dumps(ours_path, reference_path) -> dict:
    """Compare two ``bench_read.py --dump`` files.  Returns a summary dict:
    ``values`` {track: (mismatching values, values compared, max abs difference)},
    ``stats`` {statistic: mismatching (chromosome, track) pairs}, ``supercontigs``:
    chromosomes whose supercontigs differ, and ``ok``."""
    ours = np.load(ours_path)
    ref = np.load(reference_path)
    summary = {"values": {}, "stats": {}, "supercontigs": [], "ok": True}
    names = [str(n) for n in ours["tracknames"]]
    ref_names = [str(n) for n in ref["tracknames"]]
    a, b = ours["values"], ref["values"]
    if a.shape[0] != b.shape[0]:
        summary["ok"] = False
        summary["error"] = f"window values of different lengths: {a.shape} vs {b.shape}"
        return summary
    for column, track in enumerate(names):
        if track not in ref_names:
            summary["values"][track] = (int(a.shape[0]), int(a.shape[0]), float("nan"), 0)
            summary["ok"] = False
            continue
        x = a[:, column]
        y = b[:, ref_names.index(track)]
        same = (x == y) | (np.isnan(x) & np.isnan(y))
        bad = int(np.count_nonzero(~same))
        nan_only = int(np.count_nonzero(np.isnan(x) != np.isnan(y)))
        both = np.isfinite(x) & np.isfinite(y)
        diff = float(np.max(np.abs(x[both] - y[both]))) if both.any() else 0.0
        summary["values"][track] = (bad, int(len(x)), diff, nan_only)
        summary["ok"] &= bad == 0
    chroms = sorted(key.split("/", 1)[1] for key in ours.files if key.startswith("mins/"))
    order = [ref_names.index(t) for t in names if t in ref_names]
    for stat in ("mins", "maxs", "num_datapoints", "sums", "sums_squares"):
        bad = 0
        worst = 0.0
        for chrom in chroms:
            key = f"{stat}/{chrom}"
            if key not in ref.files:
                bad += len(names)
                continue
            x = np.asarray(ours[key], dtype=np.float64)
            y = np.asarray(ref[key], dtype=np.float64)[order]
            if stat in ("sums", "sums_squares"):
                # float64 accumulation here, float32 partial sums there (a deliberate
                # difference): the largest relative difference is reported, not counted as a
                # mismatch
                with np.errstate(invalid="ignore", divide="ignore"):
                    rel = np.abs(x - y) / np.maximum(np.abs(x), 1e-300)
                worst = max(worst, float(np.nanmax(rel)) if rel.size else 0.0)
            else:
                bad += int(np.count_nonzero(~((x == y) | (np.isnan(x) & np.isnan(y)))))
        summary["stats"][stat] = bad if stat not in ("sums", "sums_squares") else worst
        if stat not in ("sums", "sums_squares"):
            summary["ok"] &= bad == 0
    for chrom in chroms:
        key = f"supercontigs/{chrom}"
        if key not in ref.files or not np.array_equal(ours[key], ref[key]):
            summary["supercontigs"].append(chrom)
            summary["ok"] = False
    return summary


def describe_comparison(summary) -> list:
    """Lines of text for a :func:`compare_dumps` summary."""
    if "error" in summary:
        return [f"values differ: {summary['error']}"]
    lines = []
    for track, (bad, count, diff, nan_only) in summary["values"].items():
        state = ("identical" if bad == 0 else
                 f"{bad:,} differ ({nan_only:,} NaN on one side only; max |diff| of the "
                 f"others {diff:.3g})")
        lines.append(f"{track}: {count:,} values compared, {state}")
    parts = []
    for stat, value in summary["stats"].items():
        if stat in ("sums", "sums_squares"):
            parts.append(f"{stat} within {value:.1e} relative")
        else:
            parts.append(f"{stat} {'identical' if value == 0 else f'{value} differ'}")
    stats = ", ".join(parts)
    lines.append(f"statistics per chromosome and track: {stats}")
    lines.append("supercontigs: " + ("identical" if not summary["supercontigs"] else
                                     "differ in " + ", ".join(summary["supercontigs"])))
    return lines
