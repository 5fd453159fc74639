"""The operations: one module per command's work, each a library function the Python API
exposes too.

``load_seq``, ``open_data``, ``load_data``, ``close_data``, ``erase_data``, ``hardmask``,
``load`` (the one-step build), ``summaries`` (histogram, report), ``export``, ``validate``, and
``compile`` (every kernel, ahead of time).  They use ``archive`` and ``inputs`` and the read
API, never each other: what two of them share is a step module here (``_sequence``, writing
the chromosomes of sequence files; ``_track``, loading one input into one track) or lives
further down.  ``compile`` alone runs the others.
"""
