"""numba kernels: pure functions over numpy arrays and byte buffers (no I/O, no Python
objects), compiled with ``cache=True, nogil=True``.  Imported only by code that runs them."""
