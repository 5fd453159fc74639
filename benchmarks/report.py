"""The benchmark's one table (Markdown) and the performance-contract summary under it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Row:
    """One line of the table.  Numbers are None where they do not apply."""

    phase: str
    input_mb: float | None = None
    wall: float | None = None
    cpu: float | None = None
    mbps: float | None = None
    rss_mb: float | None = None
    archive_mb: float | None = None
    floor_ratio: float | None = None   # wall / the floor of the same work
    ref_wall: float | None = None
    note: str = ""
    ref_cpu: float | None = None
    extra: dict = field(default_factory=dict)

    @property
    def ratio(self):
        if self.ref_wall is None or not self.wall:
            return None
        return self.ref_wall / self.wall


def _num(value, digits=None) -> str:
    if value is None:
        return ""
    if digits is not None:
        return f"{value:,.{digits}f}"
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def table(rows, with_reference: bool) -> str:
    header = ["phase", "input MB", "wall s", "CPU s", "MB/s", "peak RSS MB", "archive MB",
              "x floor"]
    if with_reference:
        header += ["1.7.4 wall s", "1.7.4 CPU s", "1.7.4 / ours"]
    header.append("note")
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join(["---"] + ["---:"] * (len(header) - 2) + ["---"]) + "|"]
    for row in rows:
        if row.phase.startswith("**"):  # a section heading
            lines.append("| " + row.phase + " |" + " |" * (len(header) - 1))
            continue
        cells = [row.phase, _num(row.input_mb, 1), _num(row.wall), _num(row.cpu),
                 _num(row.mbps), _num(row.rss_mb, 0), _num(row.archive_mb, 1),
                 _num(row.floor_ratio)]
        if with_reference:
            ratio = row.ratio
            cells += [_num(row.ref_wall), _num(row.ref_cpu),
                      "" if ratio is None else f"{ratio:.1f}x"]
        cells.append(row.note)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def section(title) -> Row:
    return Row(f"**{title}**")
