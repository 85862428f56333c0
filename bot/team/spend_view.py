"""Views of the billing answers the team features show: top API keys and the spend-limit line (digest),
the spend-limit gauge and the error rate (App Home). Pure; server text is escaped."""

from __future__ import annotations

from decimal import Decimal

from bot.core.calls import ErrorRate
from bot.core.limit import LimitStatus
from bot.core.spend import KeySpend, TopKeys
from bot.render.mrkdwn import code, esc
from bot.render.usage import money, pct

GAUGE_CELLS = 10
FULL, EMPTY = "▓", "░"


def amount(value: Decimal, currency: str) -> str:
    """`$1.5` in US dollars (as every other figure), `1.5 CNY` otherwise: never a wrong symbol."""
    return money(value) if currency.upper() in ("USD", "") else f"{money(value)[1:]} {esc(currency)}"


def key_label(row: KeySpend) -> str:
    label = row.label or row.key
    return f"{code(label)}" if label else "_no API key_"


def api_key_lines(top: TopKeys) -> str:
    if not top.rows:
        return "*Top API keys*\nNo spend by API key in this period."
    lines = [
        f"{key_label(r)}  {amount(r.amount, top.currency)} · {_share(r.amount, top.total)}" for r in top.rows
    ]
    if top.other:
        what = ("other keys and tax" if top.other != top.tax else "tax") if top.tax else "other keys"
        lines.append(f"{what}  {amount(top.other, top.currency)} · {_share(top.other, top.total)}")
    with_tax = " incl. tax" if top.tax else ""
    return f"*Top API keys* · {amount(top.total, top.currency)}{with_tax}\n" + "\n".join(lines)


def _share(part: Decimal, total: Decimal) -> str:
    return pct(float(part / total * 100)) if total > 0 else "—"


def limit_line(status: LimitStatus) -> str:
    """`Spend limit: 52% used ($52 of $100)`, with the projected day when the month's pace reaches it."""
    if status.limit is None or status.used_pct is None:
        return "Spend limit: no spend limit set"
    spent, limit = amount(status.month_to_date, status.currency), amount(status.limit, status.currency)
    line = f"Spend limit: {pct(float(status.used_pct))} used ({spent} of {limit})"
    if status.projected is not None:
        line += f" · at this pace reached {status.projected:%b} {status.projected.day}"
    return line


def limit_note(status: LimitStatus) -> str | None:
    """The analysis line about the limit, only when it is worth a reader's attention: past it, past the
    account's alert threshold, or reached this month at this pace."""
    if status.limit is None or status.used_pct is None:
        return None
    limit = amount(status.limit, status.currency)
    used = pct(float(status.used_pct))
    if status.used_pct >= 100:
        return f":red_circle: This month's spend is past the spend limit: {used} of {limit} used."
    if status.projected is not None:
        when = f"{status.projected:%b} {status.projected.day}"
        return f":warning: At this pace the spend limit ({limit}) is reached around *{when}* ({used} used)."
    threshold = status.alert_threshold
    if threshold is not None and status.used_pct >= threshold:
        alert = pct(float(threshold))
        return f":warning: {used} of the spend limit ({limit}) is used, past its {alert} alert."
    return None


def gauge_bar(used_pct: Decimal) -> str:
    filled = max(0, min(GAUGE_CELLS, round(float(used_pct) / 100 * GAUGE_CELLS)))
    return FULL * filled + EMPTY * (GAUGE_CELLS - filled)


def limit_gauge(status: LimitStatus) -> str:
    """The App Home gauge: `▓▓▓▓▓░░░░░ 52% used`, then month-to-date of the limit and the projected day."""
    if status.limit is None or status.used_pct is None:
        spent = amount(status.month_to_date, status.currency)
        return f"*Spend limit*\nNo spend limit set · {spent} spent this month"
    spent, limit = amount(status.month_to_date, status.currency), amount(status.limit, status.currency)
    if status.projected is not None:
        when = f"at this pace reached {status.projected:%b} {status.projected.day}"
    else:
        when = "not reached this month at this pace"
    warn = " :warning:" if status.used_pct >= 100 or status.status == "exceeded" else ""
    return (
        f"*Spend limit*\n`{gauge_bar(status.used_pct)}` {pct(float(status.used_pct))} used{warn}\n"
        f"{spent} of {limit} this month · {when}"
    )


def error_rate_line(rate: ErrorRate) -> str:
    if not rate.calls or rate.rate_pct is None:
        return "*Last 24 h*\nNo calls."
    noun = "call" if rate.calls == 1 else "calls"
    return (
        f"*Last 24 h*\n{rate.calls:,} {noun} · {rate.failures:,} failed · "
        f"error rate {pct(float(rate.rate_pct))}"
    )


def unavailable(what: str, code: str) -> str:
    return f"*{what}*\nUnavailable right now ({esc(code)})."
