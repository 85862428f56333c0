"""The App Home's gauges (bot/team/home_gauges.py) as Block Kit: one section each, side by side."""

from __future__ import annotations

from bot.render.blocks import Block, fields
from bot.team.home_gauges import Gauges
from bot.team.spend_view import error_rate_line, limit_gauge, unavailable


def gauge_blocks(gauges: Gauges | None) -> list[Block]:
    if gauges is None:
        return []
    if gauges.limit is not None:
        limit = limit_gauge(gauges.limit)
    else:
        limit = unavailable("Spend limit", gauges.limit_error or "unknown")
    if gauges.errors is not None:
        errors = error_rate_line(gauges.errors)
    else:
        errors = unavailable("Last 24 h", gauges.errors_error or "unknown")
    return fields([limit, errors])
