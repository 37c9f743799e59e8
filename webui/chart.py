"""Review stage, dashboard: a line chart of flags and confirmed violations per day, as SVG numbers.

Rendered server-side into the template (no JavaScript, nothing from a CDN). Only numbers and dates
computed here reach the SVG, so there is nothing to escape beyond what the template already does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

WIDTH, HEIGHT, PAD = 760, 240, 36


@dataclass
class Chart:
    width: int
    height: int
    series: list[tuple[str, str, str]]  # (css class, label, "x,y x,y ...")
    y_ticks: list[tuple[float, int]]
    x_labels: list[tuple[float, str]]
    empty: bool


def daily_chart(days: list[date], lines: dict[str, tuple[str, list[int]]]) -> Chart:
    """Lay out one polyline per series over `days` (each series: label and one count per day)."""
    if not days:
        return Chart(WIDTH, HEIGHT, [], [], [], True)
    top = max([1] + [max(values) for _label, values in lines.values()])
    span_x = max(len(days) - 1, 1)

    def x(i: int) -> float:
        return round(PAD + i * (WIDTH - 2 * PAD) / span_x, 1)

    def y(v: int) -> float:
        return round(HEIGHT - PAD - v * (HEIGHT - 2 * PAD) / top, 1)

    series = [(css, label, " ".join(f"{x(i)},{y(v)}" for i, v in enumerate(values)))
              for css, (label, values) in lines.items()]
    ticks = [(y(v), v) for v in sorted({0, top // 2, top})]
    step = max(1, len(days) // 6)
    labels = [(x(i), d.strftime("%d-%m")) for i, d in enumerate(days) if i % step == 0]
    return Chart(WIDTH, HEIGHT, series, ticks, labels, False)
