"""Daily spend charts: a PNG made with matplotlib's Agg backend, and a Unicode sparkline fallback.

The PNG is drawn on a bare `Figure` + `FigureCanvasAgg` (no pyplot global state), so it is safe in threads
and never needs a display.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

SPARK_BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[Decimal | float | int]) -> str:
    """One bar per value, scaled between the smallest and largest value; all-equal values give a flat line."""
    if not values:
        return ""
    numbers = [float(v) for v in values]
    low, high = min(numbers), max(numbers)
    if high == low:
        bar = SPARK_BARS[0] if high == 0 else SPARK_BARS[3]
        return bar * len(numbers)
    span = high - low
    top = len(SPARK_BARS) - 1
    return "".join(SPARK_BARS[round((n - low) / span * top)] for n in numbers)


def daily_spend_png(
    days: Sequence[tuple[date, Decimal]],
    *,
    title: str,
    currency: str = "USD",
    previous: Sequence[Decimal] | None = None,
) -> bytes:
    """A bar chart of spend per day (and, when given, the previous period as a dashed line). PNG bytes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 3.2), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    labels = [_label(d, len(days)) for d, _ in days]
    costs = [float(cost) for _, cost in days]
    positions = list(range(len(days)))
    axes.bar(positions, costs, color="#4a6cf7", label="this period")
    if previous is not None and len(previous) == len(days):
        axes.plot(positions, [float(v) for v in previous], color="#999999", linestyle="--", label="previous")
        axes.legend(loc="upper left", fontsize=8, frameon=False)
    axes.set_xticks(positions)
    axes.set_xticklabels(labels, fontsize=8, rotation=0 if len(days) <= 10 else 90)
    axes.set_ylabel(currency, fontsize=8)
    axes.set_title(title, fontsize=10)
    axes.spines["top"].set_visible(False)
    axes.spines["right"].set_visible(False)
    axes.set_ylim(bottom=0)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _label(day: date, count: int) -> str:
    return day.strftime("%a %d") if count <= 10 else day.strftime("%d")
