"""Words and blocks for login renewal: the admin's DM with a *Renew login* button per account, the channel's
short notice while a digest waits, and that notice once the wait is over (updated in place)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.render.blocks import Block, Message, button, context, header, section
from bot.render.mrkdwn import esc
from bot.team.jobs.alerts import describe
from bot.team.renewal import AccountLogin, Renewal

RENEW_ACTION = "qwen_renew_login"  # the button's value is the account name


def when(moment: datetime | None) -> str:
    return "never linked" if moment is None else f"{moment:%Y-%m-%d %H:%M} UTC"


def depends(login: AccountLogin) -> str:
    """e.g. "2 digests, 1 alert" (or "nothing")."""
    parts = []
    if login.digests:
        parts.append(f"{len(login.digests)} digest{'s' if len(login.digests) != 1 else ''}")
    if login.alerts:
        parts.append(f"{len(login.alerts)} alert{'s' if len(login.alerts) != 1 else ''}")
    return ", ".join(parts) or "nothing"


def expiry_line(expires_at: datetime, login: AccountLogin | None, now: datetime) -> str:
    """The `accounts` DM's and App Home's words about a team login: its expiry, and what waits on it."""
    state = ":warning: login expired" if expires_at <= now else "login expires"
    feeds = "no digests or alerts" if login is None else depends(login)
    return f"{state} {when(expires_at)} · feeds {feeds}"


def admins_line(linked_by: str | None, renewed_by: str | None) -> str:
    """The `accounts` DM's " · linked by @A · renewed by @B" (B only when someone else renewed it)."""
    line = f" · linked by <@{esc(linked_by)}>" if linked_by else ""
    if renewed_by and renewed_by != linked_by:
        line += f" · renewed by <@{esc(renewed_by)}>"
    return line


def _waiting(renewal: Renewal) -> list[str]:
    login, slot = renewal.login, renewal.slot
    lines = [
        f"• {sub.schedule.cadence} digest in <#{sub.channel_id}> at {when(slot)}"
        for sub in login.digests_at(slot)
    ]
    lines += [f"• alert in <#{rule.channel_id}>: {describe(rule)}" for rule in login.alerts]
    return lines or [f"• its alerts stop at {when(login.expires_at)}"]


def renew_dm(renewals: Sequence[Renewal]) -> Message:
    """One DM to one admin naming every account to renew, what waits on it and when (one section and
    button per account, even when several of its slots are due: its alerts' expiry and a digest)."""
    names = ", ".join(sorted({esc(r.login.account) for r in renewals}))
    last = all(r.kind == "last_call" for r in renewals)
    title = "Last call: QwenCloud login to renew" if last else "QwenCloud login to renew"
    blocks: list[Block] = [header(title)]
    waiting: dict[str, dict[str, None]] = {}
    logins: dict[str, AccountLogin] = {}
    for r in renewals:
        logins.setdefault(r.login.account, r.login)
        waiting.setdefault(r.login.account, {}).update(dict.fromkeys(_waiting(r)))
    for account, login in logins.items():
        lost = "is not linked" if login.expires_at is None else f"expires {when(login.expires_at)}"
        text = f"The QwenCloud login of team account *{esc(account)}* {lost}, before:\n" + "\n".join(
            waiting[account]
        )
        blocks.append(section(text, accessory=button("Renew login", RENEW_ACTION, value=account)))
    blocks.append(context("The login link is shown only to you. Or DM me `relink NAME`."))
    return Message(f"Renew the QwenCloud login of team account {names} before the next digest.", blocks)


def _period(cadence: str) -> str:
    return "This month's" if cadence == "monthly" else "This week's"


def channel_notice(account: str, cadence: str) -> Message:
    text = (
        f":hourglass_flowing_sand: {_period(cadence)} digest is waiting for an admin to renew the "
        f"QwenCloud login of account *{esc(account)}*."
    )
    return Message(text.replace("*", ""), [section(text)])


def notice_done(account: str, cadence: str) -> Message:
    text = (
        f":white_check_mark: The QwenCloud login of account *{esc(account)}* was renewed: "
        f"{_period(cadence).lower()} digest is posted below."
    )
    return Message(text.replace("*", ""), [section(text)])


def notice_skipped(account: str, cadence: str) -> Message:
    text = (
        f":no_entry_sign: The QwenCloud login of account *{esc(account)}* was not renewed in time: "
        f"{_period(cadence).lower()} digest is skipped (no stale digests). The next one comes as usual "
        "once the login is renewed."
    )
    return Message(text.replace("*", ""), [section(text)])
