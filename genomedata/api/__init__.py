"""The read API: an archive (or a bigWig file) as a :class:`~genomedata.Genome` of
:class:`~genomedata.Chromosome` objects.

* ``genome``: ``Genome``, the root;
* ``chromosome``: ``Chromosome`` and ``Supercontig``, the reads (``chromosome[a:b, tracks]``) and
  writes, and the public block iterator of one track's values;
* ``views``: the PyTables-style attribute sets and dataset views genomedata 1.7 returned;
* ``keys``: keys as genomedata 1.7 reads them;
* ``binned``: binned summaries (``Chromosome.binned``, ``Genome.stackup``);
* ``bigwig``: a bigWig file as a read-only genome with one track.
"""
