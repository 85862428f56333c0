from __future__ import annotations

import struct
from datetime import date, timedelta
from decimal import Decimal

from bot.core.chart import SPARK_BARS, daily_spend_png, sparkline


def test_sparkline_scales_between_min_and_max() -> None:
    assert sparkline([0, 7]) == SPARK_BARS[0] + SPARK_BARS[-1]
    line = sparkline([Decimal("1"), Decimal("2.5"), Decimal("4")])
    assert line == "▁" + SPARK_BARS[round(1.5 / 3 * 7)] + "█"


def test_sparkline_flat_and_empty() -> None:
    assert sparkline([]) == ""
    assert sparkline([0, 0, 0]) == "▁▁▁"
    assert sparkline([5, 5]) == SPARK_BARS[3] * 2


def test_sparkline_length_matches_values() -> None:
    assert len(sparkline(list(range(31)))) == 31


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_daily_spend_png_is_a_png() -> None:
    start = date(2026, 3, 2)
    days = [(start + timedelta(days=i), Decimal(i) / 3) for i in range(7)]
    data = daily_spend_png(days, title="Daily spend", previous=[Decimal(1)] * 7)
    assert _png_size(data) == (800, 320)


def test_daily_spend_png_month_of_days_and_all_zero() -> None:
    start = date(2026, 3, 1)
    days = [(start + timedelta(days=i), Decimal(0)) for i in range(31)]
    assert _png_size(daily_spend_png(days, title="March"))[0] == 800
