"""`--format text|json` in chat: the CLI's own output (render/text.py, render/json.py) as one string."""

from __future__ import annotations

from datetime import date

from bot.errors import UsageError
from bot.periods import DateRange
from bot.qwencloud.results import Breakdown, FreeTierEntry, Payg, Summary


def _unavailable(fmt: str) -> UsageError:
    return UsageError(f"--format {fmt} is not available yet.\nTry the same command without --format.")


def summary(result: Summary, fmt: str | None, *, today: date) -> str | None:
    if fmt is None:
        return None
    raise _unavailable(fmt)


def payg(result: Payg, rng: DateRange, fmt: str | None) -> str | None:
    if fmt is None:
        return None
    raise _unavailable(fmt)


def free_tier(entries: tuple[FreeTierEntry, ...], fmt: str | None) -> str | None:
    if fmt is None:
        return None
    raise _unavailable(fmt)


def breakdown(result: Breakdown, fmt: str | None, *, today: date) -> str | None:
    if fmt is None:
        return None
    raise _unavailable(fmt)
