"""`/qwen billing` and `/qwen bills` as Slack messages: the figures, a divider, *Analysis*, a context line.

English only here; bot/render/spend_zh.py holds the Chinese of every line (applied by localize.py). Money is
shown exactly as computed (no rounding), so a total reads as the official `billing` commands print it.
API key names, model ids and billing cycles are server text: escaped.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from bot.base.periods import DateRange
from bot.core.billing_answers import BillingAnswer, BillsAnswer
from bot.core.chart import sparkline
from bot.core.spend import KeySpend, SettledMonth, Spend
from bot.render.blocks import Block, Message, code_sections, context, divider, header, section
from bot.render.mrkdwn import code, esc

DASH = "—"


def money(value: Decimal, currency: str = "USD") -> str:
    """Every digit the server gave, no trailing zeros: $4.679411, $54.5, $0."""
    digits = format(value.normalize(), "f") if value != 0 else "0"
    return f"${digits}" if currency == "USD" else f"{digits} {esc(currency)}"


def pct(part: Decimal, whole: Decimal) -> str:
    return f"{(part / whole * 100).quantize(Decimal('0.1'))}%" if whole else DASH


def _span(rng: DateRange) -> str:
    return f"{rng.from_text} → {rng.to_text}"


def _what(group: str) -> str:
    return "API key" if group == "api-key" else "model"


def _label(row: KeySpend) -> str:
    return f"{code(row.label or row.key or DASH)}"


# -- /qwen billing ------------------------------------------------------------------------------------------
def billing_title(answer: BillingAnswer) -> str:
    return f"QwenCloud spend by {_what(answer.spend.group_by)} · {_span(answer.spend.period)}"


def billing_message(
    answer: BillingAnswer, *, tz_name: str, chart_file_id: str | None = None, text_layout: str | None = None
) -> Message:
    """`text_layout`: the CLI's own output (`--format text|json`), shown verbatim instead of the figures."""
    spend, head = answer.spend, billing_title(answer)
    figures = [section(_figures(answer)), *_chart(spend, chart_file_id)]
    blocks = [header(head), *(code_sections(text_layout) if text_layout is not None else figures)]
    blocks += [divider(), section("*Analysis*\n" + "\n".join(f"• {w}" for w in billing_words(answer)))]
    blocks.append(_context(_span(spend.period), tz_name, spend.currency, answer.fetched_at))
    return Message(f"{head}: {money(spend.total, spend.currency)}", blocks)


def _figures(answer: BillingAnswer) -> str:
    spend, top = answer.spend, answer.top
    noun = "API keys" if spend.group_by == "api-key" else "models"
    lines = [f"*Spend by {_what(spend.group_by)}* · {len(spend.rows)} {noun}"]
    cur = spend.currency
    lines += [f"{_label(r)}  {money(r.amount, cur)} · {pct(r.amount, spend.total)}" for r in top.rows]
    hidden = len(spend.rows) - len(top.rows)
    if hidden:
        lines.append(f"Other ({hidden} more)  {money(top.other - spend.tax, spend.currency)}")
    if spend.tax:
        lines.append(f"Tax  {money(spend.tax, spend.currency)}")
    lines.append(f"*Total* *{money(spend.total, spend.currency)}* ({esc(spend.currency)})")
    return "\n".join(lines)


def chart_alt(spend: Spend) -> str:
    days = ", ".join(f"{d:%b %d} {money(v, spend.currency)}" for d, v in spend.daily[:31])
    return f"Daily spend before tax: {days}"[:1900]


def _chart(spend: Spend, file_id: str | None) -> list[Block]:
    if not spend.daily:
        return []
    if file_id:
        title = {"type": "plain_text", "text": "Daily spend"}
        image = {"type": "image", "slack_file": {"id": file_id}, "alt_text": chart_alt(spend)}
        return [{**image, "title": title}]
    return [section("*Daily spend*\n" + daily_line(spend.daily, spend.currency))]


def daily_line(daily: tuple[tuple[date, Decimal], ...], currency: str) -> str:
    """The text chart: one bar per day, the first and last day, the peak."""
    peak_day, peak = max(daily, key=lambda d: d[1])
    line = f"`{sparkline([v for _, v in daily])}`  {daily[0][0]:%b %d} → {daily[-1][0]:%b %d}"
    return line + (f" · peak {money(peak, currency)} on {peak_day.isoformat()}" if peak > 0 else "")


def billing_words(answer: BillingAnswer) -> list[str]:
    spend, growth, prev = answer.spend, answer.growth, _span(answer.previous)
    if not spend.rows and not spend.tax:
        words = ["No spend in this period."]
    else:
        first = spend.rows[0] if spend.rows else None
        words = [f"{_label(first)} is {pct(first.amount, spend.total)} of the total."] if first else []
    cur = spend.currency
    if not answer.compared:
        words.append(f"The previous period ({prev}) is not available to compare.")
    elif growth is None:
        words.append(f"No API key spent more than in the previous period ({prev}).")
    elif growth.before == 0:
        label = f"{code(growth.label or growth.key or DASH)}"
        words.append(f"{label} grew most: {money(growth.now, cur)}, nothing in the previous period ({prev}).")
    else:
        label = f"{code(growth.label or growth.key or DASH)}"
        words.append(
            f"{label} grew most: {money(growth.now, cur)}, up {money(growth.change, cur)} "
            f"({pct(growth.change, growth.before)}) from {money(growth.before, cur)} ({prev})."
        )
    return words


# -- /qwen bills --------------------------------------------------------------------------------------------
def bills_title(answer: BillsAnswer) -> str:
    b = answer.bills
    return f"QwenCloud settled bills · {b.start}" + (f" → {b.end}" if b.end != b.start else "")


def bills_message(answer: BillsAnswer, *, tz_name: str, text_layout: str | None = None) -> Message:
    b, head = answer.bills, bills_title(answer)
    cur = b.currency
    lines = ["*Settled bills* · before tax + tax = after tax"]
    lines += [_month_line(m, cur) for m in sorted(b.months, key=lambda m: m.cycle)]
    lines.append(f"*Total* {_sum(b.pretax, b.tax, b.aftertax, cur)} ({esc(cur)})")
    figures = code_sections(text_layout) if text_layout is not None else [section("\n".join(lines))]
    blocks = [header(head), *figures, divider()]
    blocks.append(section("*Analysis*\n" + "\n".join(f"• {w}" for w in bills_words(answer))))
    blocks.append(_context(f"{b.start} → {b.end}", tz_name, cur, answer.fetched_at))
    return Message(f"{head}: {money(b.aftertax, cur)}", blocks)


def _month_line(m: SettledMonth, currency: str) -> str:
    return f"{code(m.cycle)}  {_sum(m.pretax, m.tax, m.aftertax, currency)}"


def _sum(pretax: Decimal, tax: Decimal, aftertax: Decimal, currency: str) -> str:
    return f"{money(pretax, currency)} + {money(tax, currency)} = *{money(aftertax, currency)}*"


def bills_words(answer: BillsAnswer) -> list[str]:
    b, cur = answer.bills, answer.bills.currency
    if answer.largest is None:
        return ["No settled bills in this period."]
    big = answer.largest
    share = pct(big.aftertax, b.aftertax)
    words = [f"Largest month: {code(big.cycle)} with {money(big.aftertax, cur)} ({share} of the total)."]
    last, before = answer.last, answer.before
    if last is None or before is None:
        words.append("Only one settled month: nothing to compare.")
        return words
    change = last.aftertax - before.aftertax
    trend = "up" if change > 0 else "down" if change < 0 else "flat"
    words.append(
        f"{code(last.cycle)} {money(last.aftertax, cur)}, {trend} {money(abs(change), cur)} "
        f"({pct(abs(change), before.aftertax)}) from {code(before.cycle)} ({money(before.aftertax, cur)})."
    )
    return words


def _context(span: str, tz_name: str, currency: str, fetched_at: datetime) -> Block:
    return context(f"{span} · {tz_name} · {esc(currency)} · data as of {fetched_at:%Y-%m-%d %H:%M} UTC")
