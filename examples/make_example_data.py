"""Regenerate the tiny example genome and signal files in examples/data (seeded, deterministic).

chr1: 60 kbp of sequence; chr2 (gzip): 30 kbp, a 100 kbp run of N (a gap that splits it into
two supercontigs), 20 kbp.  Signals: a fixedStep conservation track, a bedGraph DNase track and
a BED3+1 peak file.
"""

import gzip
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent / "data"


def fasta(name, seq, width=60):
    lines = [f">{name} example chromosome"]
    lines += [seq[i:i + width] for i in range(0, len(seq), width)]
    return "\n".join(lines) + "\n"


def main():
    rng = np.random.default_rng(2010)
    bases = np.array(list("ACGTacgt"))
    chr1 = "".join(rng.choice(bases, 60000))
    chr2 = "".join(rng.choice(bases, 30000)) + "N" * 100000 + "".join(rng.choice(bases, 20000))
    HERE.mkdir(exist_ok=True)
    (HERE / "chr1.fa").write_text(fasta("chr1", chr1))
    with gzip.GzipFile(HERE / "chr2.fa.gz", "wb", mtime=0) as handle:
        handle.write(fasta("chr2", chr2).encode())

    lines = ["track type=wiggle_0 name=conservation"]
    for chrom, start, length in (("chr1", 1001, 5000), ("chr2", 20001, 8000),
                                 ("chr2", 140001, 3000)):
        lines.append(f"fixedStep chrom={chrom} start={start} step=1")
        values = np.round(rng.normal(0, 1.5, length), 3)
        lines += [f"{v:g}" for v in values]
    (HERE / "conservation.wigFix").write_text("\n".join(lines) + "\n")

    lines = ["track type=bedGraph name=dnase"]
    for chrom, size in (("chr1", 60000), ("chr2", 150000)):
        pos = 0
        while pos < size - 200:
            pos += int(rng.integers(50, 400))
            end = min(size, pos + int(rng.integers(20, 300)))
            if chrom == "chr2" and 30000 <= pos < 130000:
                pos = 130000
                continue
            lines.append(f"{chrom}\t{pos}\t{end}\t{rng.gamma(2.0, 3.0):.2f}")
            pos = end
    (HERE / "dnase.bedGraph").write_text("\n".join(lines) + "\n")

    lines = []
    for chrom, size in (("chr1", 60000), ("chr2", 30000)):
        for start in np.sort(rng.choice(size - 500, 12, replace=False)):
            lines.append(f"{chrom} {start} {start + int(rng.integers(100, 500))} "
                         f"{rng.uniform(5, 50):.1f}")
    (HERE / "peaks.bed").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
