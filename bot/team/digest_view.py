"""Block Kit for team features: the digest, alert posts, admin notices, subscription/alert lists.

A digest is figures first (spend vs the previous period, top models, the daily chart, free tier running low,
coding-plan windows, the month so far), then a divider and the **Analysis** section, then a context line.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from bot.core.chart import sparkline
from bot.render.blocks import Block, Message, context, divider, header, section
from bot.render.messages import notice
from bot.render.mrkdwn import code, esc
from bot.render.usage import analysis_blocks, finding_text, money, num, pct
from bot.team.digests import DigestReport
from bot.team.spend_view import api_key_lines, limit_line, limit_note

_WINDOW_LABELS = (("per_5h", "Per 5 hours"), ("weekly", "This week"), ("monthly", "This month"))


def _dates(start: date, end: date) -> str:
    return f"{start:%b} {start.day} → {end:%b} {end.day}, {end.year}"


def digest_title(report: DigestReport) -> str:
    word = "Weekly" if report.cadence == "weekly" else "Monthly"
    return f"{word} QwenCloud spend · {report.account}"


def _headline(report: DigestReport) -> str:
    cur, prev = report.period.current, report.period.previous
    change = report.change_pct
    if change is None:
        versus = f"nothing spent {_dates(prev.start, prev.end)}"
    else:
        arrow = "▲" if change > 0 else "▼" if change < 0 else "="
        before = money(report.previous.total_cost)
        versus = f"{arrow} {pct(abs(change))} vs {before} ({_dates(prev.start, prev.end)})"
    return f"*Pay-as-you-go {_dates(cur.start, cur.end)}: {money(report.payg.total_cost)}*\n{versus}"


def _top_lines(report: DigestReport) -> str:
    total = report.payg.total_cost
    if not report.top.top:
        return "*Top models*\nNo pay-as-you-go spend in this period."
    lines = [f"{code(model)}  {money(cost)} · {_share(cost, total)}" for model, cost in report.top.top]
    if report.top.other_count:
        noun = "model" if report.top.other_count == 1 else "models"
        lines.append(
            f"other ({report.top.other_count} {noun})  {money(report.top.other_cost)}"
            f" · {_share(report.top.other_cost, total)}"
        )
    return "*Top models*\n" + "\n".join(lines)


def _share(cost: Decimal, total: Decimal) -> str:
    return pct(float(cost / total * 100)) if total > 0 else "—"


def daily_line(report: DigestReport) -> str:
    values = [cost for _, cost in report.daily]
    peak_day, peak = max(report.daily, key=lambda d: d[1]) if report.daily else (report.today, Decimal(0))
    first, last = report.daily[0][0], report.daily[-1][0]
    peak_text = f" · peak {money(peak)} on {peak_day:%a} {peak_day.day}" if peak > 0 else ""
    return f"`{sparkline(values)}`  {first:%a %d} → {last:%a %d}{peak_text}"


def chart_alt(report: DigestReport) -> str:
    days = ", ".join(f"{d:%a %d} {money(c)}" for d, c in report.daily[:31])
    return f"Daily pay-as-you-go spend: {days}"[:1900]


def _chart_blocks(report: DigestReport, file_id: str | None) -> list[Block]:
    if file_id:
        return [
            {
                "type": "image",
                "slack_file": {"id": file_id},
                "alt_text": chart_alt(report),
                "title": {"type": "plain_text", "text": "Daily spend"},
            }
        ]
    return [section("*Daily spend*\n" + daily_line(report))]


def _free_tier_lines(report: DigestReport) -> list[Block]:
    if not report.free_tier_low:
        return []
    lines = []
    for f in report.free_tier_low:
        if f.exhausted:
            lines.append(f":red_circle: {code(f.model_id)} used up")
        else:
            reset = f", resets {f.resets_on.isoformat()}" if f.resets_on else ""
            lines.append(
                f"{code(f.model_id)}  {num(f.remaining)} / {num(f.total)} {esc(f.unit)} · "
                f"{pct(f.remaining_pct)} left{reset}"
            )
    return [section("*Free tier running low*\n" + "\n".join(lines[:20]))]


def _coding_lines(report: DigestReport) -> list[Block]:
    plan = report.coding_plan
    if not plan.subscribed:
        return []
    items = []
    for attr, label in _WINDOW_LABELS:
        window = getattr(plan, attr)
        if window is not None:
            items.append(
                f"{label}: {pct(window.used_pct)} used ({window.remaining:,} / {window.total:,} req)"
            )
    return [section(f"*Coding plan · {esc(plan.plan or 'subscribed')}*\n" + "\n".join(items))]


def _month_line(report: DigestReport) -> str:
    month = report.month
    spent = (
        f"*This month* ({month.period.from_text} → {month.period.to_text}): {money(month.payg.total_cost)}"
    )
    if report.projection is not None:
        end = report.projection.month_end
        return f"{spent} · projected *{money(report.projection.projected)}* by {end:%b} {end.day}"
    return spent


def _api_key_blocks(report: DigestReport) -> list[Block]:
    keys = report.extras.api_keys
    return [] if keys is None else [section(api_key_lines(keys))]


def _limit_blocks(report: DigestReport) -> list[Block]:
    limit = report.extras.limit
    return [] if limit is None else [section(limit_line(limit))]


def _analysis(report: DigestReport) -> list[Block]:
    """The usage findings, then the spend limit's when it needs attention (spend_view.limit_note)."""
    limit = report.extras.limit
    note = limit_note(limit) if limit is not None else None
    if note is None:
        return analysis_blocks(list(report.findings))
    lines = [t for t in (finding_text(f) for f in report.findings) if t] + [note]
    return [divider(), section("*Analysis*\n" + "\n".join(f"• {line}" for line in lines))]


def digest_message(report: DigestReport, *, file_id: str | None) -> Message:
    cur = report.period.current
    blocks: list[Block] = [
        header(digest_title(report)),
        section(_headline(report)),
        section(_top_lines(report)),
        *_api_key_blocks(report),
        *_chart_blocks(report, file_id),
        *_free_tier_lines(report),
        *_coding_lines(report),
        section(_month_line(report)),
        *_limit_blocks(report),
        *_analysis(report),
        context(
            f"{cur.start.isoformat()} → {cur.end.isoformat()} · {report.timezone} · USD · "
            f"data as of {report.fetched_at:%Y-%m-%d %H:%M} UTC · `/qwen digest list` to manage"
        ),
    ]
    change = report.change_pct
    versus = "" if change is None else f" ({'+' if change >= 0 else '−'}{pct(abs(change))})"
    text = (
        f"{digest_title(report)}: {money(report.payg.total_cost)}{versus} for "
        f"{cur.start.isoformat()} → {cur.end.isoformat()}. Daily: {sparkline([c for _, c in report.daily])}"
    )
    return Message(text, blocks)


def account_link_result(name: str, kind: str, who: str | None) -> Message:
    if kind == "complete":
        text = (
            f":white_check_mark: Team account *{esc(name)}* is linked (QwenCloud {esc(who or 'account')}). "
            f"Subscribe a channel with `/qwen digest subscribe {name}` there."
        )
    else:
        why = {"denied": "the login was denied", "expired": "the link expired"}.get(kind, "the login failed")
        text = (
            f":x: Team account *{esc(name)}* was not linked: {esc(why)}. "
            f"DM me `link {esc(name)}` to try again."
        )
    return notice(text)
