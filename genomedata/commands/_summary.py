"""The per-track summary table printed by load and load-data."""


def _count(n) -> str:
    return f"{int(n):,}"


def show(ui, summaries) -> None:
    rows = []
    for s in summaries:
        skipped = []
        if s.unknown_chromosomes:
            from .._layout import shorten
            names = ", ".join(shorten(name, 40) for name in sorted(s.unknown_chromosomes)[:3])
            more = "" if len(s.unknown_chromosomes) <= 3 else ", ..."
            skipped.append(f"{_count(s.lines_skipped)} lines on chromosomes not in the "
                           f"archive ({names}{more})")
        if s.bases_in_gaps:
            skipped.append(f"{_count(s.bases_in_gaps)} bases in gaps")
        if s.bases_past_end:
            skipped.append(f"{_count(s.bases_past_end)} bases past the last supercontig")
        if s.bases_masked:
            skipped.append(f"{_count(s.bases_masked)} bases masked")
        rows.append((s.trackname, s.source, _count(s.values), _count(s.bases),
                     "; ".join(skipped) or "-", f"{s.seconds:.2f}s"))
    ui.table("Tracks loaded", ["track", "input", "values", "bases covered", "skipped",
                               "time"], rows)
