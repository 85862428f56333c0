"""`--format text|json` in chat: the CLI's own output (render/text.py, render/json.py) as one string,
shown verbatim in a code block; None when no format was asked for (Block Kit figures then)."""

from __future__ import annotations

from datetime import datetime, tzinfo

from bot.base.periods import DateRange
from bot.qwencloud.results import Breakdown, FreeTierEntry, Payg, Summary
from bot.render import json as json_out
from bot.render import text as text_out


def summary(result: Summary, fmt: str | None, *, now: datetime) -> str | None:
    if fmt == "text":
        return text_out.summary(result, now=now).rstrip("\n")
    return json_out.summary(result) if fmt == "json" else None


def payg(result: Payg, rng: DateRange, fmt: str | None) -> str | None:
    if fmt == "text":
        return text_out.payg(result, rng).rstrip("\n")
    return json_out.payg(result) if fmt == "json" else None


def free_tier(entries: tuple[FreeTierEntry, ...], fmt: str | None) -> str | None:
    if fmt == "text":
        return text_out.free_tier(entries).rstrip("\n")
    return json_out.free_tier(entries) if fmt == "json" else None


def breakdown(result: Breakdown, fmt: str | None, *, now: datetime, tz: tzinfo | None) -> str | None:
    if fmt == "text":
        return text_out.breakdown(result, now=now, tz=tz).rstrip("\n")
    return json_out.breakdown(result) if fmt == "json" else None
