"""The grammar of numbers in every text input, for the numbers checked in Python.

Signal, mask and region files, sizes and AGP files, ``--hardmask`` thresholds: the parser
kernels read numbers with this grammar (docs/inputs.md, "Numbers"), and the few numbers read
in Python are checked against the same one.
"""

import re

# integers are ASCII digits only (no sign, no "_" or "," separators, no decimal point, no
# exponent); decimals have an optional sign, digits with an optional decimal point before or
# after them ("5.", ".5"), and an optional exponent ("5.e3", "-1E-3").  Signal values and mask
# scores may also be nan, inf or infinity, in any case.
UNSIGNED_INTEGER = re.compile(r"[0-9]+")
DECIMAL = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
