"""Command-line front ends: argument parsing and user interaction only; the work is done by
library functions that the Python API exposes too."""
