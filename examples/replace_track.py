"""Replace the data of one track: erase it, load the new file into it, close the archive.

    python examples/replace_track.py                      # on a new copy of the example
    python examples/replace_track.py --archive my.genomedata --track dnase \\
        --new dnase_v2.bedGraph                           # changes my.genomedata in place

The same as ``genomedata erase-data ARCHIVE --trackname TRACK``, then ``genomedata load-data
ARCHIVE TRACK NEW``, then ``genomedata close-data ARCHIVE``.  The track keeps its name and
column; other tracks are not touched.  Without ``--new`` a new version of the example DNase
file (values doubled, first interval left out) is written to OUTDIR and loaded.
"""

import argparse
import os

from genomedata import Genome, close_data, erase_data, load_data

from build_archive import DATA, example_archive, output_directory  # the sibling script


def new_version(path):
    """A second version of the example DNase bedGraph: values doubled, first line dropped."""
    lines = []
    with open(os.path.join(DATA, "dnase.bedGraph")) as handle:
        for line in handle:
            fields = line.split()
            if len(fields) == 4:
                lines.append(f"{fields[0]}\t{fields[1]}\t{fields[2]}\t{2 * float(fields[3]):g}")
    with open(path, "w") as handle:
        handle.write("track type=bedGraph name=dnase_v2\n" + "\n".join(lines[1:]) + "\n")
    return path


def show(archive, track, label):
    with Genome(archive) as genome:
        column = genome.index_continuous(track)
        chromosome = genome["chr1"] if "chr1" in genome else next(iter(genome))
        print(f"{label}: {int(genome.num_datapoints[column]):,} bases with data, "
              f"mean {genome.means[column]:.3f}; {chromosome.name}[272:275] = "
              f"{chromosome[272:275, track].tolist()}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", help="archive to change IN PLACE (default: build the "
                                          "example archive in OUTDIR)")
    parser.add_argument("--outdir", help="where to write (default: a new temporary "
                                         "directory)")
    parser.add_argument("--track", default="dnase", help="track to replace")
    parser.add_argument("--new", help="the new signal file (default: a made-up new version "
                                      "of the example DNase track)")
    args = parser.parse_args()
    with output_directory(args.outdir) as outdir:
        run(args, outdir)


def run(args, outdir):
    archive = args.archive or example_archive(outdir)
    new = args.new or new_version(os.path.join(outdir, "dnase_v2.bedGraph"))

    show(archive, args.track, "before")
    erase_data(archive, args.track)          # NaN over the whole track; archive now dirty
    summary = load_data(archive, args.track, new)
    close_data(archive)                      # statistics again; archive clean
    print(f"loaded {new}: {summary.values:,} values, {summary.bases:,} bases")
    show(archive, args.track, "after")


if __name__ == "__main__":
    main()
