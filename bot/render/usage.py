"""Usage results as Slack messages: figures first, a divider, *Analysis*, a context line, fallback text.

`--format text` puts the CLI's text layout verbatim in code blocks, then the same divider and analysis.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from bot.base.periods import DateRange
from bot.core.analysis import (
    CodingWindowNearLimit,
    Finding,
    FreeTierBurn,
    MonthEndProjection,
    NoUsage,
    PaygChange,
    TopModel,
)
from bot.qwencloud.results import Breakdown, CodingPlan, FreeTierEntry, Payg, Summary, TokenPlan
from bot.render.blocks import (
    MAX_SECTION,
    Block,
    Message,
    code_sections,
    context,
    divider,
    fields,
    header,
    section,
)
from bot.render.mrkdwn import code, esc

MAX_LINES = 25  # per figure section; the rest is summarised in one line
_UNITS = {"tokens": "tok", "images": "img", "characters": "char", "seconds": "sec", "voices": "voice"}
_WINDOWS = (("per_5h", "Per 5 hours"), ("weekly", "This week"), ("monthly", "This month"))


def num(value: Decimal | int | float) -> str:
    """The CLI's abbreviations: 850K, 1M, 4.8K, 3.3M."""
    n = float(value)
    for size, suffix in ((1e6, "M"), (1e3, "K")):
        if abs(n) >= size:
            scaled = n / size
            return f"{scaled:.0f}{suffix}" if scaled == int(scaled) else f"{scaled:.1f}{suffix}"
    return f"{n:g}" if n != int(n) else str(int(n))


def money(value: Decimal) -> str:
    text = f"{value.quantize(Decimal('0.0001')).normalize():f}"
    return f"${text}"


def pct(value: float) -> str:
    return f"{round(value, 2):g}%"


def _lines(lines: list[str], what: str) -> str:
    shown = lines[:MAX_LINES]
    if len(lines) > MAX_LINES:
        shown.append(f"…and {len(lines) - MAX_LINES} more {what}")
    text = "\n".join(shown)
    return text if len(text) <= MAX_SECTION - 100 else text[: MAX_SECTION - 101] + "…"


def free_tier_blocks(entries: tuple[FreeTierEntry, ...]) -> list[Block]:
    if not entries:
        return [section("*Free tier*\nNo free-tier models.")]
    ordered = sorted(
        entries, key=lambda e: (e.quota is None, 100 - e.quota.used_pct if e.quota else 0, e.model_id)
    )
    lines = []
    for e in ordered:
        q = e.quota
        if q is None:
            lines.append(f"{code(e.model_id)}  Free (Early Access)")
        elif q.status == "expire":
            lines.append(f"{code(e.model_id)}  expired ({num(q.total)} {esc(q.unit)})")
        else:
            left = 100 - q.used_pct
            amounts = f"{num(q.remaining)} / {num(q.total)} {esc(q.unit)}"
            lines.append(f"{code(e.model_id)}  {amounts} · {pct(left)} left")
    return [section("*Free tier*\n" + _lines(lines, "models"))]


def coding_plan_blocks(plan: CodingPlan) -> list[Block]:
    if not plan.subscribed:
        return []
    price = f" · ${plan.price:g}/mo" if plan.price is not None else ""
    items = []
    for attr, label in _WINDOWS:
        w = getattr(plan, attr)
        if w is not None:
            items.append(f"*{label}*\n{w.remaining:,} / {w.total:,} req · {pct(w.used_pct)} used")
    return [section(f"*Coding plan · {esc(plan.plan or 'subscribed')}*{price}"), *fields(items)]


def token_plan_blocks(plan: TokenPlan) -> list[Block]:
    if not plan.subscribed or not plan.detailed:
        return []
    left = 100 - plan.used_pct
    text = (
        f"*Token plan · {esc(plan.plan_name or 'subscribed')}*\n{num(plan.remaining_credits)} / "
        f"{num(plan.total_credits)} credits · {pct(left)} left"
    )
    return [section(text)]


def _usage(usage: tuple[tuple[str, int], ...]) -> str:
    return ", ".join(f"{num(q)} {esc(_UNITS.get(u, u))}" for u, q in usage) or "—"


def payg_blocks(payg: Payg, rng: DateRange) -> list[Block]:
    title = f"*Pay-as-you-go* · {rng.from_text} → {rng.to_text} · *{money(payg.total_cost)}* total"
    if not payg.models:
        return [section(f"{title}\nNo pay-as-you-go usage in this period.")]
    ordered = sorted(payg.models, key=lambda m: m.cost, reverse=True)
    lines = [f"{code(m.model_id)}  {_usage(m.usage)} · {money(m.cost)}" for m in ordered]
    return [section(f"{title}\n" + _lines(lines, "models"))]


# -- analysis: findings into words -----------------------------------------------------------------------


def finding_text(f: Finding) -> str:
    if isinstance(f, FreeTierBurn):
        if f.exhausted:
            return f":red_circle: {code(f.model_id)} free tier is used up; calls are billed pay-as-you-go."
        pace = f"about {num(round(f.per_day or 0)) if (f.per_day or 0) >= 10 else f'{f.per_day or 0:.2g}'}"
        pace += f" {esc(f.unit)}/day"
        if f.exhausted_on is None:
            return (
                f"{code(f.model_id)} free tier: {pct(f.remaining_pct)} left; "
                f"at {pace} it lasts until it resets."
            )
        return (
            f"{code(f.model_id)} free tier: {pct(f.remaining_pct)} left; at {pace} it runs out around "
            f"*{f.exhausted_on.isoformat()}*."
        )
    if isinstance(f, CodingWindowNearLimit):
        label = dict(_WINDOWS)[f.window].lower()
        reset = f", resets {f.next_reset_at:%Y-%m-%d %H:%M} UTC" if f.next_reset_at else ""
        return f":warning: Coding plan {label}: {pct(f.used_pct)} used ({f.remaining:,} req left{reset})."
    if isinstance(f, PaygChange):
        prev = f"{f.previous_period.from_text} → {f.previous_period.to_text}"
        if f.change_pct is None:
            return f"Pay-as-you-go {money(f.current)}, nothing spent in the previous period ({prev})."
        arrow = "up" if f.change_pct > 0 else "down" if f.change_pct < 0 else "flat"
        change = pct(abs(f.change_pct))
        return f"Pay-as-you-go {money(f.current)}, {arrow} {change} from {money(f.previous)} ({prev})."
    if isinstance(f, TopModel):
        return (
            f"{code(f.model_id)} is {pct(f.share_pct)} of the spend "
            f"({money(f.cost)} of {f.models} paid models)."
        )
    if isinstance(f, MonthEndProjection):
        return f"At this pace the month ends near *{money(f.projected)}* (spent {money(f.spent)} so far)."
    if isinstance(f, NoUsage):
        return "No pay-as-you-go spend in this period."
    return ""


def analysis_blocks(findings: list[Finding]) -> list[Block]:
    lines = [t for t in (finding_text(f) for f in findings) if t] or [
        "Nothing unusual: no limits near, no change."
    ]
    return [divider(), section("*Analysis*\n" + "\n".join(f"• {line}" for line in lines))]


def context_block(
    rng: DateRange | None, *, tz_name: str, fetched_at: datetime, currency: str = "USD"
) -> Block:
    period = f"{rng.from_text} → {rng.to_text}" if rng else "current quota"
    return context(f"{period} · {tz_name} · {currency} · data as of {fetched_at:%Y-%m-%d %H:%M} UTC")


# -- whole messages ---------------------------------------------------------------------------------------


def summary_message(
    s: Summary, findings: list[Finding], *, tz_name: str, fetched_at: datetime, text_layout: str | None = None
) -> Message:
    head = f"QwenCloud usage · {s.period.from_text} → {s.period.to_text}"
    if text_layout is not None:
        figures = code_sections(text_layout)
    else:
        figures = [
            *free_tier_blocks(s.free_tier),
            *coding_plan_blocks(s.coding_plan),
            *token_plan_blocks(s.token_plan),
            *payg_blocks(s.payg, s.period),
        ]
    blocks = [header(head), *figures, *analysis_blocks(findings)]
    blocks.append(context_block(s.period, tz_name=tz_name, fetched_at=fetched_at, currency=s.payg.currency))
    fallback = f"{head}: pay-as-you-go {money(s.payg.total_cost)}"
    return Message(fallback, blocks)


def payg_message(
    payg: Payg,
    rng: DateRange,
    findings: list[Finding],
    *,
    tz_name: str,
    fetched_at: datetime,
    text_layout: str | None = None,
) -> Message:
    head = f"Pay-as-you-go · {rng.from_text} → {rng.to_text}"
    figures = code_sections(text_layout) if text_layout is not None else payg_blocks(payg, rng)
    blocks = [header(head), *figures, *analysis_blocks(findings)]
    blocks.append(context_block(rng, tz_name=tz_name, fetched_at=fetched_at, currency=payg.currency))
    return Message(f"{head}: {money(payg.total_cost)}", blocks)


def free_tier_message(
    entries: tuple[FreeTierEntry, ...],
    findings: list[Finding],
    *,
    tz_name: str,
    fetched_at: datetime,
    text_layout: str | None = None,
) -> Message:
    figures = code_sections(text_layout) if text_layout is not None else free_tier_blocks(entries)
    blocks = [header("QwenCloud free tier"), *figures, *analysis_blocks(findings)]
    blocks.append(context_block(None, tz_name=tz_name, fetched_at=fetched_at))
    return Message(f"QwenCloud free tier: {len(entries)} models", blocks)


def breakdown_message(
    b: Breakdown, *, tz_name: str, fetched_at: datetime, text_layout: str | None = None
) -> Message:
    kind = {"day": "Daily", "month": "Monthly", "quarter": "Quarterly"}[b.granularity]
    head = f"{kind} breakdown · {b.model_id}"  # plain_text header: shown as is; the fallback is mrkdwn
    if text_layout is not None:
        figures = code_sections(text_layout)
    else:
        lines = [f"`{r.period}`  {_row_usage(r.tokens_in, r.usage)} · {money(r.cost)}" for r in b.rows]
        total = f"*Total* {_row_usage(b.total.tokens_in, b.total.usage)} · *{money(b.total.cost)}*"
        figures = [section(_lines(lines, "rows")), section(total)]
    busiest = max(b.rows, key=lambda r: r.cost, default=None)
    words = ["No spend on this model in the period."]
    if busiest is not None and busiest.cost > 0 and b.total.cost > 0:
        share = float(busiest.cost / b.total.cost * 100)
        words = [
            f"Busiest {b.granularity}: `{busiest.period}` "
            f"with {money(busiest.cost)} ({pct(share)} of {money(b.total.cost)})."
        ]
    blocks = [header(head), *figures, divider(), section("*Analysis*\n• " + words[0])]
    blocks.append(context_block(b.period, tz_name=tz_name, fetched_at=fetched_at))
    return Message(f"{esc(head)} · {b.period.from_text} → {b.period.to_text}: {money(b.total.cost)}", blocks)


def _row_usage(tokens: int | None, usage: tuple[tuple[str, int], ...]) -> str:
    parts = [f"{num(tokens)} tok"] if tokens else []
    parts += [f"{num(q)} {esc(_UNITS.get(u, u))}" for u, q in usage if q]
    return ", ".join(parts) or "—"
