"""Every file format users give genomedata, and nothing of archives (but the largest coordinate
an archive holds, which inputs refuse to exceed).

* ``buffers``: opening inputs (gzip recognised by its first bytes, standard input, other
  formats refused saying what they are); signal input as one byte buffer for the parsers;
* ``numbers``: the grammar of numbers in every text input;
* ``signal``: WIG, bedGraph and BED3+1 text, scanned whole (checked whole, or only its
  structure when loading, its values then checked as they are filled), then filled chromosome
  by chromosome (the Python side of the parser kernels);
* ``bigwig``: opening a bigWig file;
* ``sources``: a track input, text or bigWig, ready to load;
* ``regions``: region and mask files (BED or WIG, optionally filtered by score);
* ``sequence``: FASTA, AGP, chromosome sizes and assembly reports.
"""
