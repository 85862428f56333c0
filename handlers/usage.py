"""`/qwen usage | payg | free-tier | usage breakdown`, the model picker and "Share in channel"."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt import Ack, Respond

from bot.base.clock import Clock
from bot.core.answers import Answers
from bot.core.grammar import usage as grammar
from bot.core.grammar import words
from bot.render import layouts
from bot.render import messages as render
from bot.render import usage as figures
from bot.render.blocks import Message, actions, context
from bot.render.catalog import lang_of
from bot.render.localize import localize
from bot.render.mrkdwn import esc
from bot.render.reading import describe, with_reading
from handlers.common import Answerer, Asker, TimezoneResolver, asker_from, local_today, log

PICKER_BLOCK = "qwen_breakdown"


class UsageHandler:
    def __init__(
        self,
        *,
        answers: Answers,
        clock: Clock,
        timezones: TimezoneResolver,
        more: Sequence[Answerer] = (),
    ) -> None:
        self._answers = answers
        self._more = tuple(more)
        self._clock = clock
        self._timezones = timezones

    def asks_more(self, command: object) -> bool:
        """One of the further Answerers takes this command (the DM answers it like a usage question)."""
        return any(answerer.handles(command) for answerer in self._more)

    def understand(self, text: str, asker: Asker, today: date) -> words.Reading:
        """Command forms or a plain question; a model named in a question is matched against the account's
        models (fetched only then), so "Qwen Max" reads as qwen-max and a near miss gets "did you mean"."""
        reading = words.understand(text, today=today)
        if reading.plain and reading.model_written is not None:
            known = self._answers.known_models(asker.owner, today=today)
            if known:
                reading = words.understand(text, today=today, models_on_account=known)
        return reading

    def reply(self, text: str, asker: Asker, client: Any, *, share: bool = True) -> Message:
        """A usage question in text -> the answer, with the reading it used first, in the user's language."""
        tz_name = self._timezones.name(client, asker)
        lang = lang_of(self._timezones.locale(client, asker))
        today = local_today(self._clock.now(), tz_name)
        reading = self.understand(text, asker, today)
        command = reading.command
        message = (
            self.answer(command, asker, tz_name, text)
            if share
            else self.figures(command, asker, tz_name, text)
        )
        message = localize(message, lang)
        if not reading.plain:  # a command form's header already states its dates
            return message
        return with_reading(message, describe(command, today=today, lang=lang), lang=lang)

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
        for answerer in self._more:
            if answerer.handles(command):
                return answerer.figures(command, asker, tz_name, today)
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
            message = self.reply(text, asker, client, share=share)
            if not share:
                shared = context(f"Shared by <@{esc(asker.user_id)}>")
                message = Message(message.text, [*message.blocks, shared])
        except Exception as exc:
            log.info("usage action failed (%s)", type(exc).__name__)
            failed = localize(render.error_message(exc), self._timezones.lang(client, asker))
            respond(replace_original=False, response_type="ephemeral", **failed.payload())
            return
        kind = "in_channel" if in_channel else "ephemeral"
        respond(replace_original=not in_channel, response_type=kind, **message.payload())


def _options(command: grammar.Command) -> tuple[str | None, bool]:
    options = getattr(command, "options", grammar.Options())
    return options.format, options.refresh
