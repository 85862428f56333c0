"""`/qwen limit` and `/qwen plan` as Slack messages: figures, a divider, the analysis. Pure views; plan
names, statuses and spec types are server text and go through esc()."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from bot.core.limit import LimitStatus
from bot.core.plans import PlansReport
from bot.qwencloud.billing_models import TokenPlanStatus
from bot.render import billing_render
from bot.render.blocks import Block, Message, code_sections, context, fields, header, section
from bot.render.calls_view import analysis, data_context, one_place
from bot.render.mrkdwn import esc

STATUS_LABELS = {"active": "Active", "normal": "Active", "exceeded": "Exceeded", "warning": "Warning"}
STATUS_LABELS |= {"unknown": "Unknown"}


def amount(value: Decimal, currency: str) -> str:
    """Cents for derived figures (a daily burn, an overrun): $2.08."""
    text = f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"
    return f"${text}" if currency == "USD" else f"{text} {esc(currency)}"


def exact(value: Decimal, currency: str) -> str:
    """The limit and month-to-date as the official CLI prints money ($100, $10.384521): the same figure as
    `billing limit` / `billing breakdown`, digit for digit."""
    return billing_render.money(value, esc(currency))


def percent(value: Decimal) -> str:
    return f"{one_place(value)}%"


def _status(s: LimitStatus) -> str:
    return STATUS_LABELS.get(s.status.lower(), esc(s.status))


def limit_figures(s: LimitStatus) -> list[Block]:
    spent = exact(s.month_to_date, s.currency)
    if s.limit is None:
        return [section(f"No spend limit is set on this account.\n*Month to date* {spent}")]
    reached = s.projected.isoformat() if s.projected else "not this month"
    threshold = percent(s.alert_threshold) if s.alert_threshold is not None else "—"
    return fields([
        f"*Limit*\n{exact(s.limit, s.currency)}",
        f"*Month to date*\n{spent} · {percent(s.used_pct or Decimal(0))} used",
        f"*Alert threshold*\n{threshold}",
        f"*Status*\n{_status(s)}",
        f"*Limit reached*\n{reached}",
    ])


def limit_analysis(s: LimitStatus) -> list[str]:
    burn = amount(s.daily_burn, s.currency)
    if s.month_to_date <= 0:
        return ["No spend this month yet."]
    if s.limit is None:
        return [f"No limit set: spending {burn}/day on average this month."]
    lines = []
    if s.month_to_date >= s.limit:
        lines.append(f"Over the limit by {amount(s.month_to_date - s.limit, s.currency)}.")
    else:
        days = one_place(s.headroom_days or Decimal(0))
        lines.append(f"About {days} days of headroom at {burn}/day (this month's average).")
    if s.alert_threshold is not None and s.used_pct is not None and s.used_pct >= s.alert_threshold:
        lines.append(f"Alert threshold {percent(s.alert_threshold)} reached ({percent(s.used_pct)} used).")
    return lines


def limit_message(
    s: LimitStatus, *, tz_name: str, fetched_at: datetime, text_layout: str | None = None
) -> Message:
    first = s.as_of.replace(day=1)
    figures = code_sections(text_layout) if text_layout is not None else limit_figures(s)
    blocks = [header("Spend limit"), *figures, *analysis(limit_analysis(s))]
    fetched = f"{fetched_at:%Y-%m-%d %H:%M}"
    blocks.append(context(f"{first} → {s.as_of} · {tz_name} · {esc(s.currency)} · data as of {fetched} UTC"))
    used = f", {percent(s.used_pct)} used" if s.used_pct is not None else ""
    return Message(f"Spend limit: month to date {exact(s.month_to_date, s.currency)}{used}", blocks)


# -- plans ------------------------------------------------------------------------------------------------
def _day(text: str | None) -> str:
    return esc(text[:10]) if text else "—"


def _credits(value: Decimal | float | str) -> str:
    try:
        return f"{round(Decimal(str(value))):,}"
    except ArithmeticError:
        return esc(str(value))


def _failed(r: PlansReport, *apis: str) -> bool:
    return any(d.api in apis for d in r.diagnostics)


def coding_block(r: PlansReport) -> Block:
    c = r.coding
    if c is None:
        # a failed source is not "no plan": say we could not tell
        unknown = _failed(r, "GetSubscriptionDetail")
        return section("*Coding plan*\n" + ("Unavailable right now." if unknown else "Not subscribed."))
    return section(f"*Coding plan*\n{esc(c.name)} · {esc(c.status)} · {_day(c.start)} → {_day(c.end)}")


def token_block(r: PlansReport) -> Block:
    s = r.status
    tiers = s.seat_tiers if s else ()
    if not tiers:
        unknown = s is None or _failed(r, "GetSeatSubscriptionSummary", "TokenPlan")
        return section("*Token plan*\n" + ("Unavailable right now." if unknown else "Not subscribed."))
    lines = [
        f"{esc(t.spec_type.capitalize() or 'Tier')} · {t.seats} seats · "
        f"{_credits(t.remaining_credits)} / {_credits(t.total_credits)} credits left"
        for t in tiers
    ]
    return section("*Token plan*\n" + "\n".join(lines))


def team_block(t: TokenPlanStatus) -> Block | None:
    if t.period is None and t.seat_groups is None:
        return None
    lines = []
    if t.period is not None:
        start, end, days = t.period
        lines.append(f"{_day(start)} → {_day(end)} ({days} days left)")
    if t.auto_renew is not None:
        lines.append(f"Auto-renew {'on' if t.auto_renew.enabled else 'off'}")
    if t.renewable is not None:
        lines.append(f"Renewable {'yes' if t.renewable.can_renew else 'no'}")
    for g in t.seat_groups or ():
        seats = f"{g.seats:f}".rstrip("0").rstrip(".")
        lines.append(f"{esc(g.spec_type)}: {seats} seats · {_credits(g.surplus_value)} credits left")
    return section("*Token plan team edition*\n" + "\n".join(lines)) if lines else None


def plan_analysis(r: PlansReport, today: date) -> list[str]:
    lines = []
    if r.coding is not None and r.coding.end:
        try:
            end = date.fromisoformat(r.coding.end[:10])
            lines.append(f"The coding plan runs until {end} ({(end - today).days} days).")
        except ValueError:
            pass
    if r.status is not None and r.status.quota is not None and r.status.quota.total > 0:
        lines.append(f"Token plan credits: {100 - r.status.quota.used_pct}% left.")
    if r.coding is None and not (r.status and r.status.seat_tiers) and not r.diagnostics:
        lines.append("No active plan: calls are billed pay-as-you-go.")
    return lines or ["Nothing to note."]


def plan_message(
    r: PlansReport, *, tz_name: str, fetched_at: datetime, today: date, text_layout: str | None = None
) -> Message:
    blocks: list[Block] = [header("QwenCloud plans")]
    if text_layout is not None:
        blocks += code_sections(text_layout)
    else:
        team = team_block(r.token_team)
        blocks += [coding_block(r), token_block(r), *([team] if team is not None else [])]
    blocks += analysis(plan_analysis(r, today))
    if r.diagnostics:
        names = ", ".join(esc(d.api) for d in r.diagnostics)
        blocks.append(context(f"Note: {len(r.diagnostics)} source(s) unavailable: {names}"))
    blocks.append(data_context(tz_name, fetched_at))
    coding = esc(r.coding.name) if r.coding else "no coding plan"
    return Message(f"QwenCloud plans: {coding}", blocks)
