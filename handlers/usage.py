"""`/qwen usage | payg | free-tier | usage breakdown`, the model picker and "Share in channel"."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt import Ack, Respond

from bot.base.clock import Clock
from bot.core.answers import Answers
from bot.core.grammar import usage as grammar
from bot.render import layouts
from bot.render import messages as render
from bot.render import usage as figures
from bot.render.blocks import Message, actions, context
from bot.render.mrkdwn import esc
from handlers.common import Asker, TimezoneResolver, asker_from, local_today, log

PICKER_BLOCK = "qwen_breakdown"


class UsageHandler:
    def __init__(self, *, answers: Answers, clock: Clock, timezones: TimezoneResolver) -> None:
        self._answers = answers
        self._clock = clock
        self._timezones = timezones

    def answer(self, command: grammar.Command, asker: Asker, tz_name: str, text: str) -> Message:
        message = self.figures(command, asker, tz_name, text)
        if isinstance(command, grammar.UsageBreakdown) and command.model is None:
            return message  # the picker: nothing to share yet
        return Message(message.text, [*message.blocks, actions(render.share_button(text))])

    def figures(self, command: grammar.Command, asker: Asker, tz_name: str, text: str) -> Message:
        today = local_today(self._clock.now(), tz_name)
        fmt, fresh = _options(command)
        owner = asker.owner
        if isinstance(command, grammar.UsageSummary):
            s = self._answers.summary(owner, command.period, today=today, fresh=fresh)
            layout = layouts.summary(s.summary, fmt, now=self._clock.now())
            return figures.summary_message(
                s.summary, s.findings, tz_name=tz_name, fetched_at=s.fetched_at, text_layout=layout
            )
        if isinstance(command, grammar.Payg):
            p = self._answers.payg(owner, command.period, today=today, fresh=fresh)
            layout = layouts.payg(p.payg, p.period, fmt)
            return figures.payg_message(
                p.payg, p.period, p.findings, tz_name=tz_name, fetched_at=p.fetched_at, text_layout=layout
            )
        if isinstance(command, grammar.FreeTier):
            f = self._answers.free_tier(owner, today=today, fresh=fresh)
            layout = layouts.free_tier(f.entries, fmt)
            return figures.free_tier_message(
                f.entries, f.findings, tz_name=tz_name, fetched_at=f.fetched_at, text_layout=layout
            )
        if isinstance(command, grammar.UsageBreakdown):
            return self._breakdown(command, asker, tz_name, text, fmt=fmt, fresh=fresh)
        return render.help_message()

    def _breakdown(
        self,
        c: grammar.UsageBreakdown,
        asker: Asker,
        tz_name: str,
        text: str,
        *,
        fmt: str | None,
        fresh: bool,
    ) -> Message:
        today = local_today(self._clock.now(), tz_name)
        if c.model is None:
            models = self._answers.models_with_usage(asker.owner, today=today)
            return render.model_picker(models, block_id=f"{PICKER_BLOCK}:{text}")
        b = self._answers.breakdown(asker.owner, c.model, c.period, c.granularity, today=today, fresh=fresh)
        layout = layouts.breakdown(b.breakdown, fmt, now=self._clock.now(), tz=ZoneInfo(tz_name))
        return figures.breakdown_message(
            b.breakdown, tz_name=tz_name, fetched_at=b.fetched_at, text_layout=layout
        )

    # -- actions
    def ack_action(self, ack: Ack) -> None:
        ack()

    def on_pick(self, body: dict[str, Any], client: Any, respond: Respond) -> None:
        """A model picked in the breakdown picker: run the breakdown with the original period words."""
        action = body.get("actions", [{}])[0]
        model = (action.get("selected_option") or {}).get("value", "")
        _, _, text = str(action.get("block_id", "")).partition(":")
        self._reply(body, client, respond, f"{text or 'usage breakdown'} --model {model}", share=True)

    def on_share(self, body: dict[str, Any], client: Any, respond: Respond) -> None:
        """Post a copy of the answer in the channel (re-run from the cache: the same figures)."""
        text = body.get("actions", [{}])[0].get("value", "usage")
        self._reply(body, client, respond, text, share=False, in_channel=True)

    def _reply(
        self,
        body: dict[str, Any],
        client: Any,
        respond: Respond,
        text: str,
        *,
        share: bool,
        in_channel: bool = False,
    ) -> None:
        asker = asker_from(body)
        try:
            tz_name = self._timezones.name(client, asker)
            command = grammar.parse(text, today=local_today(self._clock.now(), tz_name))
            if share:
                message = self.answer(command, asker, tz_name, text)
            else:
                message = self.figures(command, asker, tz_name, text)
                shared = context(f"Shared by <@{esc(asker.user_id)}>")
                message = Message(message.text, [*message.blocks, shared])
        except Exception as exc:
            log.info("usage action failed (%s)", type(exc).__name__)
            respond(replace_original=False, response_type="ephemeral", **render.error_message(exc).payload())
            return
        kind = "in_channel" if in_channel else "ephemeral"
        respond(replace_original=not in_channel, response_type=kind, **message.payload())


def _options(command: grammar.Command) -> tuple[str | None, bool]:
    options = getattr(command, "options", grammar.Options())
    return options.format, options.refresh
