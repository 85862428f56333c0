"""The App Home view: link status, quick usage (free tier, coding plan, month-to-date PAYG), buttons;
for admins also team accounts, digest subscriptions and alerts."""

from __future__ import annotations

from typing import Any

from bot.core.grammar.team import TEAM_USAGE
from bot.core.grammar.usage import USAGE_TEXT
from bot.render.blocks import Block, actions, button, code_sections, context, divider, fit, header, section
from bot.render.messages import error_text, who
from bot.render.mrkdwn import code, esc
from bot.render.usage import money, num, pct
from bot.team.home import HomeData
from bot.team.home_gauges_view import gauge_blocks
from bot.team.jobs.alerts import describe
from bot.team.renewal_view import expiry_line

HOME_LOGIN = "qwen_home_login"
HOME_LOGOUT = "qwen_home_logout"
HOME_REFRESH = "qwen_home_refresh"
HOME_LINK = "qwen_home_link"
HOME_ACTIONS = (HOME_LOGIN, HOME_LOGOUT, HOME_REFRESH, HOME_LINK)
LINK_MODAL = "qwen_link_account"  # view callback id
LINK_BLOCK, LINK_INPUT = "account", "name"
MAX_VIEW_BLOCKS = 100


def _status(data: HomeData) -> list[Block]:
    cred = data.credential
    if cred is None:
        text = ":white_circle: Not linked to QwenCloud. Log in to see your usage here and with `/qwen`."
    elif cred.is_expired(data.now):
        text = f":red_circle: Your QwenCloud login ({esc(who(cred.user))}) expired. Log in again."
    else:
        text = (
            f":large_green_circle: Linked as *{esc(who(cred.user))}* "
            f"until {cred.expires_at:%Y-%m-%d %H:%M} UTC."
        )
    buttons = [button("Refresh", HOME_REFRESH)]
    if data.linked:
        buttons.insert(0, button("Log out", HOME_LOGOUT))
    else:
        buttons.insert(0, button("Log in", HOME_LOGIN, style="primary"))
    blocks = [section(text), actions(*buttons, block_id="home_user")]
    if data.login_url:
        blocks.insert(
            1,
            section(
                f":key: <{esc(data.login_url)}|Open QwenCloud to approve this login> "
                "(only you see this; I will DM you when it is done)."
            ),
        )
    return blocks


def _usage(data: HomeData) -> list[Block]:
    if data.usage_error:
        return [section(f":warning: Usage unavailable. {error_text(data.usage_error)}")]
    s = data.usage
    if s is None:
        return []
    lines = [
        f"*This month* ({s.period.from_text} → {s.period.to_text}): *{money(s.payg.total_cost)}* "
        "pay-as-you-go"
    ]
    quotas = sorted((e for e in s.free_tier if e.quota is not None), key=lambda e: 100 - e.quota.used_pct)  # type: ignore[union-attr]
    for entry in quotas[:5]:
        q = entry.quota
        assert q is not None
        lines.append(
            f"Free tier {code(entry.model_id)}: {num(q.remaining)} / {num(q.total)} {esc(q.unit)} · "
            f"{pct(100 - q.used_pct)} left"
        )
    plan = s.coding_plan
    if plan.subscribed:
        windows = [
            (label, getattr(plan, attr))
            for attr, label in (("per_5h", "5h"), ("weekly", "week"), ("monthly", "month"))
        ]
        lines.append(
            "Coding plan: "
            + " · ".join(f"{label} {pct(w.used_pct)} used" for label, w in windows if w is not None)
        )
    return [section("\n".join(lines))]


def _admin(data: HomeData) -> list[Block]:
    if not data.admin:
        return []
    accounts = [
        f"*{esc(a.name)}* · {esc(who(a.credential.user))} · "
        + expiry_line(a.credential.expires_at, data.logins.get(a.name), data.now)
        + (f" · :warning: {esc(a.broken_reason)}" if a.broken_reason else "")
        for a in data.accounts
    ]
    subs = [f"#{s.id} <#{s.channel_id}> · {s.account} · {s.schedule.describe()}" for s in data.subscriptions]
    alerts = [
        f"#{r.id} <#{r.channel_id}> · {r.account} · {describe(r)} · {'firing' if r.firing else 'ok'}"
        for r in data.alerts
    ]
    return [
        divider(),
        header("Team (admins)"),
        section("*Team accounts*\n" + ("\n".join(accounts) or "None linked yet.")),
        actions(button("Link a team account", HOME_LINK), block_id="home_admin"),
        section(
            "*Digest subscriptions*\n"
            + ("\n".join(subs[:20]) or "None. `/qwen digest subscribe` in a channel.")
        ),
        section("*Alerts*\n" + ("\n".join(alerts[:20]) or "None. `/qwen alert add …` in a channel.")),
        *code_sections(TEAM_USAGE),
    ]


def home_view(data: HomeData) -> dict[str, Any]:
    blocks = [
        header("QwenCloud usage"),
        *_status(data),
        *_usage(data),
        *gauge_blocks(data.gauges),
        *_admin(data),
        divider(),
        section("Ask with `/qwen` anywhere; answers are private until you share them."),
        *code_sections(USAGE_TEXT),
        context(f"Updated {data.now:%Y-%m-%d %H:%M} UTC."),
    ]
    return {"type": "home", "blocks": fit(blocks, MAX_VIEW_BLOCKS)}


def link_modal() -> dict[str, Any]:
    """The App Home's Link button: ask the team account's name; the login link then arrives in the DM."""
    return {
        "type": "modal",
        "callback_id": LINK_MODAL,
        "title": {"type": "plain_text", "text": "Link a team account"},
        "submit": {"type": "plain_text", "text": "Link"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "input",
                "block_id": LINK_BLOCK,
                "label": {"type": "plain_text", "text": "Account name"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": LINK_INPUT,
                    "placeholder": {"type": "plain_text", "text": "prod"},
                },
            },
            context("Letters, digits, `.` `_` `-`. I will post the QwenCloud login link in our DM."),
        ],
    }


def modal_account_name(view: dict[str, Any]) -> str:
    values = ((view.get("state") or {}).get("values") or {}).get(LINK_BLOCK) or {}
    return str((values.get(LINK_INPUT) or {}).get("value") or "")
