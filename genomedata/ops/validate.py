"""validate: check an archive and explain its problems in plain words (``genomedata validate``).

Everything is opened read-only (not one byte of the archive changes) and only metadata is read:
the HDF5 tree and attributes, dataset shapes and types, and the statistics close-data stored.
Checks:

* the path: exists, is an archive (not a bigWig file, not one ``<chrom>.genomedata`` file
  inside a directory archive), a directory archive has chromosome files;
* the marker of a build that did not finish (``genomedata.archive.files.mark_incomplete``):
  only it can tell that chromosomes are missing;
* format version: present, an integer, not newer than this software supports, the same in
  every chromosome file; version 0 archives are readable but cannot take new tracks;
* track names: fixed-length strings (genomedata 1.7.4 cannot read variable-length ones), no
  duplicates, the same list in every chromosome file of a directory archive;
* layout and attribute types as ``genomedata.archive.layout`` writes them: chromosome
  ``start``/``end`` integers, ``dirty`` an 8-bit bitfield, only supercontig groups inside a
  chromosome, supercontig bounds ordered and inside the chromosome, ``continuous`` float32
  ``(length, tracks)`` chunked along single columns and extendable by tracks, ``seq`` uint8 of
  the supercontig's length;
* every supercontig has ``continuous`` once the archive has tracks;
* dirty chromosomes (modified after close-data);
* statistics present and of the right length, ``chunk_starts``/``chunk_ends`` present (Segway
  reads them);
* tracks without any data (``num_datapoints`` 0 in every chromosome: Segway fails on them).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import h5py
import numpy as np

from .. import _progress
from ..archive import files as _files
from ..archive import layout as _layout
from ..errors import ArchiveFormatError, GenomedataError, NotAnArchiveError, dirty_parts

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """One problem: what is wrong (``problem``), what to do about it (``advice``)."""

    problem: str
    advice: str = ""
    severity: str = ERROR

    def __str__(self):
        return f"{self.problem}; {self.advice}" if self.advice else self.problem


class _Checker:
    def __init__(self, path):
        self.path = path
        self.findings = []

    def add(self, problem, advice="", severity=ERROR):
        self.findings.append(Finding(problem, advice, severity))

    # -- attribute helpers
    @staticmethod
    def attr_type(obj, name):
        """(HDF5 type class, type id, shape) of an attribute, or None if absent."""
        if name not in obj.attrs:
            return None
        aid = obj.attrs.get_id(name)
        tid = aid.get_type()
        return tid.get_class(), tid, aid.shape

    def coordinate_attr(self, obj, name, where):
        """A ``start``/``end``: a whole number the format's uint32 coordinates hold."""
        value = self.integer_attr(obj, name, where)
        if value is not None and not 0 <= value < 2 ** 32:
            self.add(f"{where}: '{name}' is {value}, outside the format's coordinates 0 to "
                     "4294967295", "rebuild the archive with 'genomedata load'")
            return None
        return value

    def integer_attr(self, obj, name, where, required=True):
        """The integer value of a scalar integer attribute (None if absent or wrong)."""
        info = self.attr_type(obj, name)
        if info is None:
            if required:
                self.add(f"{where} has no '{name}' attribute",
                         "the archive is incomplete; rebuild it with 'genomedata load'")
            return None
        cls, _tid, shape = info
        if cls != h5py.h5t.INTEGER or shape not in ((), (1,)):
            self.add(f"{where}: '{name}' is not a whole number (HDF5 type class {cls}, shape "
                     f"{shape})", "rebuild the archive with 'genomedata load'")
            return None
        try:
            return _layout.read_int_attr(obj, name)
        except Exception as exc:  # noqa: BLE001 - reported as a finding
            self.add(f"{where}: cannot read '{name}' ({exc})",
                     "rebuild the archive with 'genomedata load'")
            return None

    # -- file roots
    def check_root(self, root, where):
        """Format version and track names of one HDF5 file; returns (version, names)."""
        version = None
        if _layout.ATTR_FORMAT_VERSION in root.attrs:
            version = self.integer_attr(root, _layout.ATTR_FORMAT_VERSION, where)
        if version is not None and version > _layout.FORMAT_VERSION:
            self.add(f"{where} has format version {version}, but this software supports "
                     f"format version {_layout.FORMAT_VERSION} at most",
                     "read it with a newer Genomedata")
        if "FILTERS" in root.attrs and "PYTABLES_FORMAT_VERSION" not in root.attrs:
            self.add(f"{where} has a FILTERS attribute but no PYTABLES_FORMAT_VERSION: "
                     "genomedata 1.7.4 crashes when it adds a track to it",
                     "rebuild the archive with 'genomedata load'", WARNING)

        names = []
        info = self.attr_type(root, _layout.ATTR_TRACKNAMES)
        if info is not None:
            cls, tid, shape = info
            if cls != h5py.h5t.STRING:
                self.add(f"{where}: '{_layout.ATTR_TRACKNAMES}' is not a list of strings",
                         "rebuild the archive with 'genomedata load'")
            elif tid.is_variable_str():
                self.add(f"{where}: track names are stored as variable-length strings, "
                         "which genomedata 1.7.4 cannot read",
                         "store them as fixed-length ASCII strings (any Genomedata command "
                         "that adds a track rewrites them so)", WARNING)
            if len(shape) > 1:
                self.add(f"{where}: '{_layout.ATTR_TRACKNAMES}' has shape {shape}, not a list",
                         "rebuild the archive with 'genomedata load'")
            try:
                names = _layout.read_tracknames(root) or []
            except Exception as exc:  # noqa: BLE001 - reported as a finding
                self.add(f"{where}: cannot read the track names ({exc})",
                         "rebuild the archive with 'genomedata load'")
                names = []
            seen = set()
            for name in names:
                if name in seen:
                    self.add(f"{where}: track {name!r} is listed twice",
                             "rebuild the archive with distinct track names")
                seen.add(name)
                if not name:
                    self.add(f"{where}: a track has an empty name",
                             "rebuild the archive with non-empty track names")
        return version, names

    # -- chromosomes
    def check_chromosome(self, group, chrom, ntracks, version, where):
        """Returns (dirty, num_datapoints or None)."""
        label = f"chromosome {chrom}{where}"
        chrom_end = None
        if version is None or version >= 1:
            chrom_start = self.coordinate_attr(group, _layout.ATTR_START, label)
            chrom_end = self.coordinate_attr(group, _layout.ATTR_END, label)
            if chrom_start not in (None, 0):
                self.add(f"{label} starts at {chrom_start}; chromosomes start at 0",
                         "rebuild the archive with 'genomedata load'")

        dirty = False
        info = self.attr_type(group, _layout.ATTR_DIRTY)
        if info is None:
            self.add(f"{label} has no '{_layout.ATTR_DIRTY}' flag",
                     f"run 'genomedata close-data {self.path}' to write it", WARNING)
        else:
            cls, tid, _shape = info
            if cls != h5py.h5t.BITFIELD or tid.get_size() != 1:
                kind = "a numpy bool (HDF5 enum)" if cls == h5py.h5t.ENUM else \
                    f"HDF5 type class {cls}"
                self.add(f"{label}: the '{_layout.ATTR_DIRTY}' flag is stored as {kind}, not "
                         "an 8-bit bitfield; genomedata 1.7.4 reads it as None and treats "
                         "the chromosome as clean",
                         f"run 'genomedata close-data {self.path}', which rewrites it")
            try:
                dirty = _layout.read_dirty(group)
            except Exception:  # noqa: BLE001 - the type finding above says it
                dirty = False
        if dirty:
            self.add(*dirty_parts(self.path, chrom))

        supercontigs = []
        for name in group:
            target = _layout.link_target(group, name)
            if target is not None:
                self.add(f"{label} contains '{name}', which is {target}; genomedata refuses "
                         "to read or write an archive that refers outside its own objects",
                         "remove the link (h5py: del "
                         f"file[{(group.name.rstrip('/') + '/' + name)!r}])")
                continue
            child = group.get(name)
            if not _layout.is_supercontig_group(name) or not isinstance(child, h5py.Group):
                node = child.name if child is not None else name
                self.add(f"{label} contains '{name}', which is not a supercontig group; "
                         "genomedata 1.7.4 treats every child of a chromosome as a "
                         "supercontig (its loader aborts)",
                         f"remove it (h5py: del file[{node!r}])")
                continue
            supercontigs.append(child)

        bounds = []
        missing_continuous = []
        missing_chunks = []
        for sc in supercontigs:
            sc_label = f"{label} {os.path.basename(sc.name)}"
            start = self.coordinate_attr(sc, _layout.ATTR_START, sc_label)
            end = self.coordinate_attr(sc, _layout.ATTR_END, sc_label)
            if start is None or end is None:
                continue
            if start >= end:
                self.add(f"{sc_label} is empty or reversed (start {start}, end {end})",
                         "rebuild the archive with 'genomedata load'")
                continue
            if chrom_end is not None and end > chrom_end:
                self.add(f"{sc_label} ends at {end}, after the chromosome's end {chrom_end}",
                         "rebuild the archive with 'genomedata load'")
            bounds.append((start, end, os.path.basename(sc.name)))
            self.check_datasets(sc, sc_label, end - start, ntracks, missing_continuous)
            if ntracks and not dirty and (_layout.ATTR_CHUNK_STARTS not in sc.attrs
                                          or _layout.ATTR_CHUNK_ENDS not in sc.attrs):
                missing_chunks.append(os.path.basename(sc.name))
        bounds.sort()
        for (_s0, e0, n0), (s1, _e1, n1) in zip(bounds, bounds[1:]):
            if s1 < e0:
                self.add(f"{label}: supercontigs {n0} and {n1} overlap",
                         "rebuild the archive with 'genomedata load'")
        if missing_continuous:
            self.add(f"{label}: {_list(missing_continuous)} "
                     f"{'has' if len(missing_continuous) == 1 else 'have'} no track data "
                     f"array ('{_layout.CONTINUOUS}') although the archive has {ntracks} "
                     "track(s); close-data of genomedata 1.7.4 and Segway fail on it",
                     "rebuild the archive with 'genomedata load'")
        if missing_chunks:
            self.add(f"{label}: {_list(missing_chunks)} "
                     f"{'lacks' if len(missing_chunks) == 1 else 'lack'} "
                     f"'{_layout.ATTR_CHUNK_STARTS}'/'{_layout.ATTR_CHUNK_ENDS}', which "
                     "Segway reads", f"run 'genomedata close-data {self.path}'")

        counts = None
        if ntracks and not dirty:
            counts = self.check_statistics(group, label, ntracks)
        return dirty, counts

    def outside_storage(self, sc, name, label) -> bool:
        """Report a link or a dataset whose data lie outside the archive's file; True if so."""
        if name not in sc:
            return False
        target = _layout.link_target(sc, name)
        if target is not None:
            self.add(f"{label}: '{name}' is {target}; genomedata refuses to read or write "
                     "data outside the archive's own objects",
                     "rebuild the archive with 'genomedata load'")
            return True
        dataset = sc.get(name)
        if isinstance(dataset, h5py.Dataset):
            try:
                _layout._check_storage(dataset)
            except Exception as exc:  # noqa: BLE001 - ArchiveFormatError, reported
                self.add(f"{label}: {exc}; genomedata refuses to read or write it (a write "
                         "would change the other file)",
                         "rebuild the archive with 'genomedata load'")
                return True
        return False

    def check_datasets(self, sc, label, length, ntracks, missing_continuous):
        outside = [self.outside_storage(sc, name, label)
                   for name in (_layout.CONTINUOUS, _layout.SEQ)]
        if any(outside):
            return
        continuous = sc.get(_layout.CONTINUOUS)
        if continuous is None:
            if ntracks:
                missing_continuous.append(os.path.basename(sc.name))
        elif not isinstance(continuous, h5py.Dataset):
            self.add(f"{label}: '{_layout.CONTINUOUS}' is not a dataset",
                     "rebuild the archive with 'genomedata load'")
        else:
            shape = continuous.shape
            if continuous.dtype != _layout.CONTINUOUS_DTYPE:
                self.add(f"{label}: track data are {continuous.dtype}, not float32",
                         "rebuild the archive with 'genomedata load'")
            if len(shape) != 2:
                self.add(f"{label}: track data have shape {shape}, not (bases, tracks)",
                         "rebuild the archive with 'genomedata load'")
            else:
                if shape[0] != length:
                    self.add(f"{label}: track data have {shape[0]} rows for a supercontig "
                             f"of {length} bases", "rebuild the archive with 'genomedata load'")
                if shape[1] != ntracks:
                    self.add(f"{label}: track data have {shape[1]} column(s) but the archive "
                             f"lists {ntracks} track(s)",
                             "rebuild the archive with 'genomedata load'")
                maxshape = continuous.maxshape
                if continuous.chunks is None or maxshape is None or maxshape[1] is not None:
                    self.add(f"{label}: track data cannot grow by a track column (they must "
                             "be chunked, unlimited along tracks)",
                             "rebuild the archive with 'genomedata load' to add tracks",
                             WARNING)
                elif continuous.chunks[1] != 1:
                    self.add(f"{label}: track data chunks hold {continuous.chunks[1]} tracks "
                             "each, not one", "rebuild the archive with 'genomedata load' "
                             "for fast reading and loading", WARNING)
        seq = sc.get(_layout.SEQ)
        if seq is not None:
            if not isinstance(seq, h5py.Dataset) or seq.dtype != _layout.SEQ_DTYPE \
                    or seq.shape != (length,):
                shape = getattr(seq, "shape", None)
                dtype = getattr(seq, "dtype", None)
                self.add(f"{label}: the sequence is not {length} uint8 bases (shape {shape}, "
                         f"type {dtype})", "rebuild the archive with 'genomedata load'")

    def check_statistics(self, group, label, ntracks):
        """num_datapoints of a closed chromosome (None when missing or wrong)."""
        counts = None
        missing = [name for name in _layout.STAT_ATTRS if name not in group.attrs]
        if missing:
            self.add(f"{label} is marked clean but has no statistics ({', '.join(missing)})",
                     f"run 'genomedata close-data {self.path}'")
            return None
        for name in _layout.STAT_ATTRS:
            cls, _tid, shape = self.attr_type(group, name)
            want = h5py.h5t.INTEGER if name == _layout.STAT_ATTRS[-1] else h5py.h5t.FLOAT
            if cls not in (want, h5py.h5t.INTEGER, h5py.h5t.FLOAT) or shape != (ntracks,):
                self.add(f"{label}: statistic '{name}' has shape {shape} for {ntracks} "
                         "track(s)", f"run 'genomedata close-data {self.path}'")
                return None
        counts = np.asarray(group.attrs[_layout.STAT_ATTRS[-1]]).astype(np.int64)
        return counts


def _list(names):
    names = list(names)
    if len(names) > 4:
        return ", ".join(names[:4]) + f" and {len(names) - 4} more"
    return ", ".join(names)


def validate(path) -> list:
    """Check the archive at ``path``; returns the :class:`Finding` list (empty when clean)."""
    checker = _Checker(os.fspath(path))
    shown = os.fspath(path)
    expanded = _files.expand_path(path)
    if not os.path.exists(expanded):
        checker.add(f"{shown} does not exist", "check the path")
        return checker.findings
    try:
        kind = _files.archive_kind(expanded)
    except NotAnArchiveError:
        checker.add(*_files.not_an_archive_parts(shown))
        return checker.findings
    except (OSError, ValueError) as exc:
        checker.add(str(exc), "give a directory archive or a single-file archive")
        return checker.findings
    if kind == "bigwig":
        checker.add(f"{shown} is a bigWig file, not a Genomedata archive",
                    "bigWig files are read as they are; there is nothing to validate")
        return checker.findings

    if kind == "directory":
        if _files.incomplete_marker(expanded):
            _incomplete(checker, shown)
        _validate_directory(checker, expanded, shown)
    else:
        _validate_file(checker, expanded, shown)
    return checker.findings


def _incomplete(checker, shown):
    checker.add(f"{shown} is incomplete: the command that built it did not finish, so "
                "chromosomes (or tracks) may be missing",
                f"build it again (genomedata load-seq or load with --overwrite {shown})")


def _open(checker, filename, shown):
    try:
        return _files.open_h5(filename, "r")
    except OSError as exc:
        checker.add(f"{shown} cannot be opened as HDF5 ({exc})",
                    "check that it is a Genomedata archive and not damaged")
    except GenomedataError as exc:   # not a regular file, an interrupted write, a lock
        checker.add(str(exc), "check that it is a Genomedata archive and not in use")
    return None


def _validate_file(checker, filename, shown):
    handle = _open(checker, filename, shown)
    if handle is None:
        return
    with handle:
        root = handle["/"]
        if _files.incomplete_marker(filename, root):
            _incomplete(checker, shown)
        if _layout.is_chromosome_file(root):
            checker.add(*_files.chromosome_file_parts(shown))
            return
        version, names = checker.check_root(root, shown)
        if version is None:
            checker.add(f"{shown} has no '{_layout.ATTR_FORMAT_VERSION}': it is read as "
                        "format version 0, which cannot take new tracks",
                        "rebuild it with 'genomedata load' to add tracks", WARNING)
        elif version < 1:
            checker.add(f"{shown} has format version {version}: readable, but tracks cannot "
                        "be added to it", "rebuild it with 'genomedata load' to add tracks",
                        WARNING)
        chromosomes = sorted(root.keys())
        if not chromosomes:
            checker.add(f"{shown} has no chromosomes",
                        "load sequence into it with 'genomedata load-seq'")
        results = {}
        with _progress.task("checking chromosomes", total=len(chromosomes)) as task:
            for chrom in chromosomes:
                task.advance()
                link = root.get(chrom, getlink=True)
                if isinstance(link, (h5py.ExternalLink, h5py.SoftLink)):
                    target = (f"an external link to {link.filename}"
                              if isinstance(link, h5py.ExternalLink)
                              else f"a link to {link.path}")
                    checker.add(f"{shown}: '{chrom}' at the top level is {target}; genomedata "
                                "refuses to read or write an archive that refers outside its "
                                "own objects", f"remove it (h5py: del file[{'/' + chrom!r}])")
                    continue
                group = root[chrom]
                if not isinstance(group, h5py.Group):
                    checker.add(f"{shown}: '{chrom}' at the top level is not a chromosome "
                                "group", f"remove it (h5py: del file[{'/' + chrom!r}])")
                    continue
                results[chrom] = checker.check_chromosome(group, chrom, len(names), version,
                                                          "")
        _check_empty_tracks(checker, names, results)


def _validate_directory(checker, directory, shown):
    try:
        files = _files.chromosome_files(directory)
    except ArchiveFormatError as exc:
        checker.add(str(exc), f"remove it from {shown}: chromosome files are regular files")
        return
    if not files:
        checker.add(f"{shown} is a directory without chromosome files "
                    f"(*{_layout.SUFFIX})", "build an archive with 'genomedata load'")
        return
    first_names = None
    first_file = None
    versions = {}
    results = {}
    with _progress.task("checking chromosome files", total=len(files)) as task:
        for filename in files:
            task.advance()
            base = os.path.basename(filename)
            chrom = _layout.chromosome_name_from_filename(filename)
            handle = _open(checker, filename, os.path.join(shown, base))
            if handle is None:
                continue
            with handle:
                root = handle["/"]
                version, names = checker.check_root(root, f"chromosome file {base}")
                versions[base] = 0 if version is None else version
                if first_names is None:
                    first_names, first_file = names, base
                elif names != first_names:
                    checker.add(f"chromosome file {base} lists the tracks {names} but "
                                f"{first_file} lists {first_names}",
                                "every chromosome file of a directory archive must list the "
                                "same tracks in the same order; rebuild the archive with "
                                "'genomedata load'")
                results[chrom] = checker.check_chromosome(root, chrom, len(names), version,
                                                          f" ({base})")
    distinct = sorted(set(versions.values()))
    if len(distinct) > 1:
        checker.add(f"the chromosome files of {shown} have different format versions "
                    f"({', '.join(map(str, distinct))})",
                    "rebuild the archive with 'genomedata load'")
    elif distinct and distinct[0] < 1:
        checker.add(f"{shown} has format version {distinct[0]}: readable, but tracks cannot "
                    "be added to it", "rebuild it with 'genomedata load' to add tracks",
                    WARNING)
    _check_empty_tracks(checker, first_names or [], results)


def _check_empty_tracks(checker, names, results):
    """Tracks whose num_datapoints is 0 in every chromosome (only when every chromosome is
    clean with statistics: otherwise they may be out of date)."""
    if not names or not results:
        return
    totals = np.zeros(len(names), dtype=np.int64)
    for dirty, counts in results.values():
        if dirty or counts is None or len(counts) != len(names):
            return
        totals += counts
    for name, total in zip(names, totals.tolist()):
        if total == 0:
            checker.add(f"track {name!r} has no data (num_datapoints is 0 in every "
                        "chromosome); Segway fails on empty tracks",
                        f"load data into it ('genomedata load-data {checker.path} {name} FILE'"
                        ", then close-data) or leave it out of the archive")
