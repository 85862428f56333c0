"""The `/qwen` router: parse, ack within 3 s (help/version/errors answered in the ack, the rest with a
"Working…" ephemeral), then the lazy half calls the services and replaces it through response_url."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Respond

from bot.base.clock import Clock
from bot.base.errors import UsageError
from bot.base.metrics import command_label, get_metrics, outcome_label
from bot.core.grammar import usage as grammar
from bot.core.grammar import words
from bot.core.inflight import STILL_WORKING, AnswerSlots
from bot.render import messages as render
from bot.render.blocks import Message
from bot.render.localize import localize
from handlers.common import Asker, TimezoneResolver, asker_from, local_today, log
from handlers.login import LoginHandler
from handlers.team import TeamCommandHandler
from handlers.usage import UsageHandler
from handlers.version import VersionHandler

COMMAND = "/qwen"
_ACCOUNT = grammar.Login | grammar.Logout | grammar.Status


class CommandRouter:
    def __init__(
        self,
        *,
        clock: Clock,
        timezones: TimezoneResolver,
        login: LoginHandler,
        usage: UsageHandler,
        team: TeamCommandHandler | None = None,
        version: VersionHandler | None = None,
        inflight: AnswerSlots | None = None,
    ) -> None:
        self._inflight = inflight or AnswerSlots()  # this process only: bootstrap gives the shared one
        self._team = team
        self._version = version
        self._clock = clock
        self._timezones = timezones
        self._login = login
        self._usage = usage

    def _instant(self, body: dict[str, Any]) -> Message | None:
        """The answer that needs no I/O (help, version, a parse error), else None."""
        if self._team is not None and self._team.handles(body.get("text") or ""):
            return self._team.instant(body.get("text") or "")
        if self._version is not None and self._version.handles(body.get("text") or ""):
            return None  # admins only, and the index is asked: the lazy half answers
        try:
            command = words.understand(body.get("text") or "", today=self._clock.now().date()).command
        except UsageError as exc:
            return render.error_message(exc)
        if isinstance(command, grammar.Help):
            return render.help_message()
        if isinstance(command, grammar.Version):
            return render.version_message()
        return None

    def ack(self, ack: Ack, body: dict[str, Any]) -> None:
        try:
            message = self._instant(body) or self._start(body)
        except Exception as exc:  # no input may turn the ack into an HTTP 500
            log.warning("/qwen ack failed: %s", type(exc).__name__)
            message = render.error_message(exc)
        if self._bounded(body):  # personal: the locale users.info gave earlier, else English (no call here)
            message = localize(message, self._timezones.lang(None, asker_from(body)))
        ack(response_type="ephemeral", **message.payload())

    def run(self, body: dict[str, Any], client: Any, respond: Respond) -> None:
        """Lazy: re-parse in the asker's timezone, answer, replace the "Working…" message."""
        try:
            if self._instant(body) is not None:
                return
        except Exception:  # answered in the ack already
            return
        asker = asker_from(body)
        if not self._bounded(body):
            message = self._message(body, client, asker)
            respond(replace_original=True, response_type="ephemeral", **message.payload())
            return
        key, holder = _slot(body)
        if not self._inflight.holds(key, holder):
            return  # the ack said "still working on your last question"
        if not self._inflight.claim(key, holder):  # another web process is answering this user
            message = render.notice(STILL_WORKING)
        else:
            try:
                message = self._message(body, client, asker)
            finally:
                self._inflight.release(key, holder)  # before the reply: the next question is welcome then
        respond(replace_original=True, response_type="ephemeral", **message.payload())

    def _bounded(self, body: dict[str, Any]) -> bool:
        """Questions take the user's one in-flight slot; team commands (a subscription, an alert rule) are
        quick database writes that fan out nothing, so an admin may send several at once."""
        return self._team is None or not self._team.handles(body.get("text") or "")

    def _start(self, body: dict[str, Any]) -> Message:
        """The "Working…" ack, unless this user's last question is still being answered here (another
        process answering it is found by the lazy half's `claim`)."""
        if not self._bounded(body) or self._inflight.admit(*_slot(body)):
            return render.working()
        return render.notice(STILL_WORKING)

    def _message(self, body: dict[str, Any], client: Any, asker: Asker) -> Message:
        text = body.get("text") or ""
        failure: Exception | None = None
        try:
            tz_name = self._timezones.name(client, asker)
            if self._team is not None and self._team.handles(text):
                message = self._team.answer(text, asker, tz_name, client)
            elif self._version is not None and self._version.handles(text):
                message = self._version.answer(asker, client)
            else:
                command = words.understand(text, today=local_today(self._clock.now(), tz_name)).command
                message = self.answer(command, asker, tz_name, text, client)
        except Exception as exc:
            log.info("/qwen %s failed: %s", type(exc).__name__, getattr(exc, "code", ""))
            message, failure = render.error_message(exc), exc
            if self._bounded(body):  # team commands are admin texts: English
                message = localize(message, self._timezones.lang(client, asker))
        get_metrics().record_command(command_label(text), outcome_label(failure))
        return message

    def answer(
        self, command: grammar.Command, asker: Asker, tz_name: str, text: str, client: Any = None
    ) -> Message:
        if isinstance(command, _ACCOUNT | grammar.Help | grammar.Version):
            return localize(self._account(command, asker, tz_name), self._timezones.lang(client, asker))
        return self._usage.reply(text, asker, client)  # plain questions and command forms alike (localized)

    def _account(self, command: grammar.Command, asker: Asker, tz_name: str) -> Message:
        if isinstance(command, grammar.Login):
            return self._login.login(asker)
        if isinstance(command, grammar.Logout):
            return self._login.logout(asker)
        if isinstance(command, grammar.Status):
            return self._login.status(asker, tz_name)
        return render.help_message()


def _slot(body: dict[str, Any]) -> tuple[str, str]:
    """(whose answer, which request): a lazy run gets a copy of the body, so the request is named by value."""
    asker = asker_from(body)
    return f"{asker.team_id}:{asker.user_id}", str(body.get("trigger_id") or body.get("response_url") or "")
