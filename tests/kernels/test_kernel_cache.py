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


# ------------------------------------------------------------------------------------------------
# the first run: a notice, and timings without compilation

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "data"


def test_first_run_says_it_is_compiling_once(tmp_path):
    """With an empty cache the command says, once, that it compiles (and how long that
    usually takes), and at the end how long it took; the next run says neither."""
    archive = str(tmp_path / "a.genomedata")

    def run(*argv, **env):
        return subprocess.run([sys.executable, "-m", "genomedata", *argv], env=_env(**env),
                              capture_output=True, text=True, check=True).stderr

    run("load", "-s", str(EXAMPLES / "chr1.fa"), "-t", f"t={EXAMPLES / 'dnase.bedGraph'}",
        archive)                                   # kernels from the user's cache
    # close-data compiles its chunk and statistics kernels for seconds: an empty cache
    cache = str(tmp_path / "cache")
    first = run("close-data", archive, NUMBA_CACHE_DIR=cache).splitlines()
    assert first[0] == ("compiling genomedata's numba kernels for this computer: this first "
                        "run takes up to about a minute longer (once: the compiled code is "
                        "cached; 'genomedata compile' does it ahead of time)")
    assert first[-1].startswith("(compiling the kernels took ")
    assert first[-1].endswith(" s of this run, once: they are cached now)")
    assert len(first) == 2
    assert run("close-data", archive, NUMBA_CACHE_DIR=cache) == ""


def test_compile_clock_counts_only_outermost_compilations():
    import threading
    import time

    from genomedata import _jit

    before = _jit.compile_seconds()
    _jit._compile_started()
    _jit._compile_started()        # a kernel that the compiling kernel calls
    time.sleep(0.2)
    _jit._compile_ended()
    mid = _jit.compile_seconds() - before
    assert mid >= 0.2              # a compilation in progress counts up to now
    # another thread waiting on numba's compiler lock meanwhile adds nothing more
    other = threading.Thread(target=lambda: (_jit._compile_started(), _jit._compile_ended()))
    other.start()
    other.join()
    time.sleep(0.1)
    _jit._compile_ended()
    total = _jit.compile_seconds() - before
    assert 0.3 <= total
    time.sleep(0.1)
    assert _jit.compile_seconds() - before == total   # stopped


def test_load_time_leaves_compilation_out(tmp_path, monkeypatch):
    """The time of a track's summary row is reading and loading, without the time spent
    compiling kernels meanwhile (here a compilation of 1 s is made up inside the fill)."""
    import time

    from genomedata import _jit
    from genomedata.inputs.sources import TextSource as _TextSource
    from genomedata._load_data import load_data
    from genomedata._load_seq import load_seq
    from genomedata._open_data import open_data

    archive = str(tmp_path / "a.genomedata")
    load_seq(archive, [str(EXAMPLES / "chr1.fa")])
    open_data(archive, ["dnase"])
    fill = _TextSource.fill

    def fill_while_compiling(self, *args, **kwargs):
        _jit._compile_started()
        time.sleep(1.0)
        _jit._compile_ended()
        return fill(self, *args, **kwargs)

    monkeypatch.setattr(_TextSource, "fill", fill_while_compiling)
    began = time.perf_counter()
    summary = load_data(archive, "dnase", str(EXAMPLES / "dnase.bedGraph"))
    wall = time.perf_counter() - began
    assert wall >= 1.0
    assert 0 < summary.seconds <= wall - 1.0


def _kernel_signatures() -> dict:
    """{kernel: its compiled signatures} of every numba kernel of the package."""
    import importlib
    import pkgutil

    from numba.core.dispatcher import Dispatcher

    import genomedata.kernels as kernels
    found = {}
    for info in pkgutil.iter_modules(kernels.__path__):
        module = importlib.import_module(f"genomedata.kernels.{info.name}")
        for name, value in vars(module).items():
            if isinstance(value, Dispatcher) and value.__module__ == module.__name__:
                found[f"{info.name}.{name}"] = set(value.signatures)
    return found


def test_compile_prepares_every_kernel_the_commands_call(tmp_path, monkeypatch, capsys):
    """After ``genomedata compile``, running every command compiles nothing: none of them
    calls a kernel with argument types that the compile run did not give it."""
    import gzip
    import shutil

    from genomedata.commands.main import main

    assert main(["compile"]) == 0
    err = capsys.readouterr().err
    assert "kernels" in err and "warning" not in err      # the workload's messages: none
    prepared = _kernel_signatures()
    called = {name for name, signatures in prepared.items() if signatures}
    assert len(called) >= 35

    data = tmp_path / "data"
    shutil.copytree(EXAMPLES, data)
    with gzip.open(data / "dnase.bedGraph.gz", "wb") as out:
        out.write((data / "dnase.bedGraph").read_bytes())
    (data / "mask.wig").write_text("variableStep chrom=chr1\n300 0.2\n301 0.9\n")
    (data / "genome.sizes").write_text("chr1\t60000\nchr2\t150000\n")
    monkeypatch.chdir(tmp_path)
    commands = [
        ["load", "-s", "data/chr1.fa", "-s", "data/chr2.fa.gz", "-t",
         "cons=data/conservation.wigFix", "-t", "dnase=data/dnase.bedGraph", "-t",
         "gz=data/dnase.bedGraph.gz", "-m", "data/peaks.bed", "one.genomedata"],
        ["load-seq", "-d", "steps.genomedata", "data/chr1.fa", "data/chr2.fa.gz"],
        ["load-seq", "--sizes", "sizes.genomedata", "data/genome.sizes"],
        ["open-data", "steps.genomedata", "--tracknames", "dnase", "cons", "bw"],
        ["load-data", "steps.genomedata", "dnase", "data/dnase.bedGraph.gz"],
        ["load-data", "-m", "data/peaks.bed", "steps.genomedata", "cons",
         "data/conservation.wigFix"],
        ["export", "one.genomedata", "dnase", "dnase.bw"],
        ["load-data", "steps.genomedata", "bw", "dnase.bw"],
        ["close-data", "steps.genomedata"],
        ["hardmask", "--hardmask", "gt40", "data/peaks.bed", "steps.genomedata"],
        ["hardmask", "--dry-run", "data/mask.wig", "steps.genomedata"],
        ["erase-data", "steps.genomedata", "--trackname", "bw"],
        ["close-data", "steps.genomedata"],
        ["export", "steps.genomedata", "dnase", "dnase.bedGraph.gz"],
        ["export", "steps.genomedata", "cons", "-"],
        ["histogram", "steps.genomedata", "dnase"],
        ["histogram", "--include-coords", "data/peaks.bed", "steps.genomedata", "cons"],
        ["query", "one.genomedata", "cons", "chr2", "0", "150000"],
        ["report", "steps.genomedata"],
        ["validate", "one.genomedata"],
    ]
    for command in commands:
        assert main(command) == 0, (command, capsys.readouterr().err)
    capsys.readouterr()
    after = _kernel_signatures()
    new = {name: after[name] - prepared[name] for name in after
           if after[name] - prepared[name]}
    assert not new, f"kernels called with types the compile run did not prepare: {new}"


def test_every_kernel_is_compiled_once():
    """``genomedata compile`` (which prepares every kernel the commands call, see above) gives
    each kernel one signature: fixed dtypes, read-only input buffers, int64 counters (a literal
    0 or True passed to a kernel compiles another copy of it).  The table grower serves int64
    and float64 tables.  In a process of its own: tests call kernels with other types."""
    script = ("import json\n"
              "from genomedata.commands.main import main\n"
              "assert main(['compile', '-q']) == 0\n"
              "from tests.kernels.test_kernel_cache import _kernel_signatures\n"
              "print(json.dumps({k: sorted(map(str, v)) for k, v in "
              "_kernel_signatures().items()}))\n")
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True,
                            text=True, check=True)
    import json
    signatures = json.loads(result.stdout.splitlines()[-1])
    assert sum(1 for v in signatures.values() if v) >= 35
    several = {name: found for name, found in signatures.items()
               if len(found) > (2 if name == "_tables.grow" else 1)}
    assert not several, f"kernels compiled for several argument types: {several}"
