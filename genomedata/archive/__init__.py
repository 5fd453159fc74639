"""The Genomedata format on disk, and nothing from the user's world.

* ``layout``: names, types, attribute encodings, dataset creation, format versions;
* ``journal``: the undo journal under every file opened for writing;
* ``files``: opening the files of an archive (recovery, locking, checks), ``ArchiveFiles``;
* ``build``: a new archive built under a temporary name and put in place;
* ``codec``: encoding and decoding chunks, and which chunks are stored;
* ``writer``: the one writer of chunks;
* ``blocks``: the readers of blocks of rows (and the read API's chunk cache);
* ``statistics``: what close-data computes and writes;
* ``tracks``: adding track columns.
"""
