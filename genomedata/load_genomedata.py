"""genomedata 1.7's ``genomedata.load_genomedata``: ``load_genomedata``, which lives in
``genomedata.ops.load``.

Importing this module makes ``genomedata.load_genomedata`` this module instead of the
function (Python sets a package's attribute to a submodule it imports), so the module is
callable: ``genomedata.load_genomedata(...)`` loads whichever of the two it is.
"""

import sys
import types

from .ops.load import load_genomedata


class _CallableModule(types.ModuleType):
    def __call__(self, *args, **kwargs):
        return load_genomedata(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
