"""Run one command and report its wall time, CPU time and peak RSS as JSON.

    python benchmarks/_measure.py RESULT.json [--stdin FILE] [--stdout FILE] [--shell] -- CMD...

This wrapper exists so that every measured phase runs in a process of its own: the resource
usage of terminated children (``RUSAGE_CHILDREN``) then covers exactly the one command (and
whatever it waited for, e.g. both sides of a shell pipeline), and ``ru_maxrss`` is that
command's own peak instead of the largest peak of every child the benchmark ever ran.

Standard library only: the benchmark also runs it for the reference implementation's commands.
The command's standard error goes to ``RESULT.json.stderr``.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time


def main(argv) -> int:
    if "--" not in argv or len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    split = argv.index("--")
    options, command = argv[:split], argv[split + 1:]
    result_path = options[0]
    stdin_path = stdout_path = None
    shell = False
    rest = options[1:]
    while rest:
        flag = rest.pop(0)
        if flag == "--stdin":
            stdin_path = rest.pop(0)
        elif flag == "--stdout":
            stdout_path = rest.pop(0)
        elif flag == "--shell":
            shell = True
        else:
            print(f"unknown option {flag}", file=sys.stderr)
            return 2
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    stdout = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
    with open(result_path + ".stderr", "wb") as stderr:
        began = time.perf_counter()
        status = subprocess.call(command[0] if shell else command, stdin=stdin, stdout=stdout,
                                 stderr=stderr, shell=shell)
        wall = time.perf_counter() - began
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = {"wall": wall, "user": usage.ru_utime, "sys": usage.ru_stime,
              "cpu": usage.ru_utime + usage.ru_stime, "maxrss_mb": usage.ru_maxrss / 1024,
              "returncode": status}
    with open(result_path, "w") as out:
        json.dump(result, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
