"""The reading line every answer carries: what the bot understood ("Read as: pay-as-you-go · March 2026:
2026-03-01 → 2026-03-31"), so a wrong guess is visible at once. Pure: `today` is passed in."""

from __future__ import annotations

from datetime import date, timedelta

from bot.base.periods import DateRange, resolve
from bot.core.grammar import spend as spend_grammar
from bot.core.grammar import usage as grammar
from bot.render.blocks import Message, context
from bot.render.catalog import MONTHS_EN, Lang, say
from bot.render.mrkdwn import esc


def period_label(period: grammar.Period, *, today: date, lang: Lang = "en") -> str:
    """ "March 2026: 2026-03-01 → 2026-03-31"."""
    rng = resolve(today=today, period=period.preset, days=period.days, from_=period.from_, to=period.to)
    return f"{_name(period, rng, lang)}: {rng.from_text} → {rng.to_text}"


def describe(command: grammar.Command, *, today: date, lang: Lang = "en") -> str | None:
    """The reading of a usage command, or None for commands without a period (help, login, …)."""
    if isinstance(command, grammar.FreeTier):
        return say(lang, "free_tier")
    if isinstance(command, grammar.Payg):
        what = say(lang, "payg")
    elif isinstance(command, grammar.UsageSummary):
        what = say(lang, "summary")
    elif isinstance(command, grammar.UsageBreakdown) and command.model:
        gran = say(lang, "day" if command.granularity == "day" else f"{command.granularity}_g")
        what = say(lang, "breakdown", model=esc(command.model), granularity=gran)
    elif isinstance(command, spend_grammar.Billing):
        what = say(lang, "billing", group=say(lang, "api_key_g" if command.group == "api-key" else "model_g"))
    elif isinstance(command, spend_grammar.Bills):
        months = f"{command.from_} → {command.to}" if command.from_ else say(lang, "month")
        return f"{say(lang, 'bills')} · {months}"
    else:
        return None
    return f"{what} · {period_label(command.period, today=today, lang=lang)}"


def with_reading(message: Message, line: str | None, *, lang: Lang = "en") -> Message:
    """The message with the reading as a context line under its header (first when it has none)."""
    if not line:
        return message
    at = 1 if message.blocks and message.blocks[0].get("type") == "header" else 0
    blocks = [*message.blocks[:at], context(f"{say(lang, 'read_as')}: {line}"), *message.blocks[at:]]
    return Message(message.text, blocks)


def _name(period: grammar.Period, rng: DateRange, lang: Lang) -> str:
    if period.preset and period.preset[:1].isdigit():
        return _month(rng.start, lang)
    if period.preset:
        return say(lang, period.preset)
    if period.days is not None:
        return say(lang, "days", n=period.days)
    start, end = rng.start, rng.end
    if start == end:
        return say(lang, "day_name", day=start.isoformat())
    if (
        start.day == 1
        and (end + timedelta(days=1)).day == 1
        and (start.year, start.month) == (end.year, end.month)
    ):
        return _month(start, lang)
    if start.day == 1 and start.month % 3 == 1 and (end - start).days < 92 and _same_quarter(start, end):
        return say(lang, "quarter_name", q=(start.month - 1) // 3 + 1, year=start.year)
    if (start.month, start.day) == (1, 1) and start.year == end.year:
        return say(lang, "year_name", year=start.year)
    return say(lang, "range")


def _same_quarter(start: date, end: date) -> bool:
    return start.year == end.year and (start.month - 1) // 3 == (end.month - 1) // 3


def _month(first: date, lang: Lang) -> str:
    return say(lang, "month_name", month=MONTHS_EN[first.month - 1], m=first.month, year=first.year)
