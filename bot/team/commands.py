"""Answers to the team commands (`/qwen digest …`, `/qwen alert …`, `link`/`accounts` in a DM) as Messages.

Every command is for admins only: anyone else gets a refusal and nothing changes. Pure of Bolt; the
handlers pass the Slack client (for the admin check), a poster (for the chart upload) and the asker.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from typing import Any

from bot.base.clock import Clock
from bot.base.errors import NotFound
from bot.base.schedule import Schedule
from bot.core.chart import daily_spend_png
from bot.core.grammar import team as g
from bot.render.blocks import Message
from bot.render.messages import error_message, listing, login_link, notice, who
from bot.render.mrkdwn import esc
from bot.storage.owner import Owner
from bot.team.accounts import AdminCheck, AlreadyLinked, TeamAccounts
from bot.team.digest_view import chart_alt, digest_message, digest_title
from bot.team.jobs.alerts import describe
from bot.team.model import Team
from bot.team.outbox import Poster
from bot.team.renewal_view import admins_line, expiry_line

REFUSAL = (
    ":no_entry: Only workspace admins (or the users in QWEN_BOT_ADMINS) can manage team accounts, "
    "digests and alerts. Nothing was changed."
)


@dataclass(frozen=True, slots=True)
class Asked:
    team_id: str
    user_id: str
    channel_id: str | None
    tz_name: str


class TeamCommands:
    def __init__(self, *, team: Team, accounts: TeamAccounts, admins: AdminCheck, clock: Clock) -> None:
        self._team = team
        self._accounts = accounts
        self._admins = admins
        self._clock = clock

    def answer(self, command: g.TeamCommand, asked: Asked, client: Any, poster: Poster) -> Message:
        if not self._admins.is_admin(client, asked.team_id, asked.user_id):
            return notice(REFUSAL)
        try:
            return self._dispatch(command, asked, poster)
        except NotFound as exc:
            return error_message(exc)

    def _dispatch(self, command: g.TeamCommand, asked: Asked, poster: Poster) -> Message:
        if isinstance(command, g.AccountAction):
            return self._account(command, asked)
        if isinstance(command, g.DigestSubscribe):
            return self._subscribe(command, asked)
        if isinstance(command, g.DigestList):
            return self._list(asked)
        if isinstance(command, g.DigestUnsubscribe):
            return self._unsubscribe(command, asked)
        if isinstance(command, g.DigestPreview):
            return self.preview(command, asked, poster)
        if isinstance(command, g.AlertAdd):
            return self._alert_add(command, asked)
        if isinstance(command, g.AlertList):
            return self._alert_list(asked)
        return self._alert_remove(command, asked)

    # -- team accounts -----------------------------------------------------------------------------
    def _account(self, command: g.AccountAction, asked: Asked) -> Message:
        name = command.name or ""
        if command.action == "list":
            accounts = self._accounts.list(asked.team_id)
            logins = {x.account: x for x in self._team.logins.accounts(team_id=asked.team_id)}
            now = self._clock.now()
            lines = [
                f"*{esc(a.name)}* · {esc(who(a.credential.user))} · "
                + expiry_line(a.credential.expires_at, logins.get(a.name), now)
                + (f" · :warning: {esc(a.broken_reason)}" if a.broken_reason else "")
                + admins_line(a.linked_by, a.renewed_by)
                for a in accounts
            ]
            return listing("Team accounts", lines, empty="None linked. DM me `link NAME` to link one.")
        if command.action == "unlink":
            gone = self._accounts.unlink(asked.team_id, name)
            return notice(f"Team account *{name}* unlinked." if gone else f"No team account named *{name}*.")
        if not (asked.channel_id or "").startswith("D"):
            return notice(f"Linking runs in our private DM: send me `{command.action} {name}` there.")
        result = self._accounts.link(asked.team_id, asked.user_id, name, relink=command.action == "relink")
        if isinstance(result, AlreadyLinked):
            return notice(
                f"Team account *{name}* is already linked ({esc(who(result.credential.user))}). "
                f"DM me `relink {name}` to replace it."
            )
        now = self._clock.now()
        link = login_link(
            result.view.verification_url, expires_in=result.view.expires_in(now), again=result.view.reused
        )
        intro = (
            f"Linking team account *{name}*: open the link and approve with the QwenCloud account the "
            "team should use. I will confirm here."
        )
        return Message(f"{intro} {link.text}", [*notice(intro).blocks, *link.blocks])

    # -- digests ------------------------------------------------------------------------------------
    def _channel(self, asked: Asked) -> str:
        if not asked.channel_id or asked.channel_id.startswith("D"):
            raise NotFound("Run this in the channel that should receive the digest or alert.")
        return asked.channel_id

    def _subscribe(self, command: g.DigestSubscribe, asked: Asked) -> Message:
        channel = self._channel(asked)
        account = self._accounts.resolve(asked.team_id, command.account)
        day = command.day if command.day is not None else (0 if command.cadence == "weekly" else 1)
        schedule = Schedule(command.cadence, day, command.at or time(9, 0), command.timezone or asked.tz_name)
        sub = self._team.subscriptions.add(
            team_id=asked.team_id,
            channel_id=channel,
            account=account,
            schedule=schedule,
            created_by=asked.user_id,
            now=self._clock.now(),
        )
        first = schedule.next_after(self._clock.now())
        return notice(
            f":white_check_mark: Digest #{sub.id} for *{account}* in <#{channel}>: "
            f"{schedule.describe()}. First one: {first:%Y-%m-%d %H:%M} UTC. "
            "`/qwen digest preview` shows it now, only to you."
        )

    def _list(self, asked: Asked) -> Message:
        lines = []
        for sub in self._team.subscriptions.active(team_id=asked.team_id):
            line = f"#{sub.id} · <#{sub.channel_id}> · *{sub.account}* · {sub.schedule.describe()}"
            last = self._team.subscriptions.last_run(sub.id)
            if last is not None:
                line += f" · last {last['period_start']}: {last['state']}"
                if last["state"] == "failed":
                    line += f" :warning: {esc(last['error'])}"
            lines.append(line)
        return listing("Digest subscriptions", lines, empty="None. `/qwen digest subscribe` in a channel.")

    def _unsubscribe(self, command: g.DigestUnsubscribe, asked: Asked) -> Message:
        subs = self._team.subscriptions.active(team_id=asked.team_id)
        target = command.target
        if target is not None and target.lstrip("#").isdigit():
            chosen = [s for s in subs if s.id == int(target.lstrip("#"))]
        else:
            channel = self._channel(asked)
            chosen = [s for s in subs if s.channel_id == channel and (target is None or s.account == target)]
        count = self._team.subscriptions.deactivate([s.id for s in chosen])
        if not count:
            return notice("No matching digest subscription (see `/qwen digest list`).")
        return notice(
            f"Unsubscribed {count} digest{'s' if count > 1 else ''}: "
            + ", ".join(f"#{s.id} ({s.account})" for s in chosen)
        )

    def preview(self, command: g.DigestPreview, asked: Asked, poster: Poster) -> Message:
        account = self._accounts.resolve(asked.team_id, command.account)
        now = self._clock.now()
        schedule = Schedule(
            command.cadence, 0 if command.cadence == "weekly" else 1, time(0, 0), asked.tz_name
        )
        report = self._team.builder.build(
            Owner.team_account(asked.team_id, account),
            schedule.period(now),
            cadence=command.cadence,
            today=now.astimezone(schedule.tz).date(),
            timezone=asked.tz_name,
            now=now,
        )
        png = daily_spend_png(
            list(report.daily), title="Daily pay-as-you-go spend (USD)", previous=list(report.previous_daily)
        )
        upload = poster.upload_private_png(
            data=png,
            filename="qwen-spend-preview.png",
            title=digest_title(report),
            alt=chart_alt(report),
        )
        return digest_message(report, file_id=upload.file_id)

    # -- alerts -------------------------------------------------------------------------------------
    def _alert_add(self, command: g.AlertAdd, asked: Asked) -> Message:
        channel = self._channel(asked)
        account = self._accounts.resolve(asked.team_id, command.account)
        rule = self._team.alert_rules.add(
            team_id=asked.team_id,
            channel_id=channel,
            account=account,
            kind=command.kind,
            target=command.target,
            threshold=command.threshold,
            created_by=asked.user_id,
            now=self._clock.now(),
        )
        return notice(
            f":white_check_mark: Alert #{rule.id} for *{account}* in <#{channel}>: {describe(rule)}. "
            "Posted once per crossing, again only after it recovers."
        )

    def _alert_list(self, asked: Asked) -> Message:
        lines = []
        for rule in self._team.alert_rules.active(team_id=asked.team_id):
            state = "firing" if rule.firing else "ok"
            last = f" · last value {esc(rule.last_value)}" if rule.last_value else ""
            lines.append(
                f"#{rule.id} · <#{rule.channel_id}> · *{rule.account}* · {describe(rule)} · {state}{last}"
            )
        return listing("Alerts", lines, empty="None. `/qwen alert add …` in a channel.")

    def _alert_remove(self, command: g.AlertRemove, asked: Asked) -> Message:
        if self._team.alert_rules.remove(team_id=asked.team_id, rule_id=command.rule_id):
            return notice(f"Alert #{command.rule_id} removed.")
        return notice(f"No alert #{command.rule_id} (see `/qwen alert list`).")
