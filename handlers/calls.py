"""`/qwen logs`, `/qwen limit`, `/qwen plan`: an Answerer that UsageHandler asks, so the command forms, plain
words, the DM, "Share in channel" and localization reach these answers as they reach usage answers."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from bot.base.clock import Clock
from bot.core.calls import CallsAnswers
from bot.core.grammar import calls as grammar
from bot.core.limit import Limits
from bot.core.plans import PlanAnswers
from bot.render import calls_layouts, calls_view, limit_view
from bot.render.blocks import Message
from handlers.common import Asker


class CallsHandler:
    def __init__(self, *, calls: CallsAnswers, limits: Limits, plans: PlanAnswers, clock: Clock) -> None:
        self._calls = calls
        self._limits = limits
        self._plans = plans
        self._clock = clock

    def handles(self, command: object) -> bool:
        return isinstance(command, grammar.Logs | grammar.Limit | grammar.Plan)

    def figures(self, command: Any, asker: Asker, tz_name: str, today: date) -> Message:
        now, fmt = self._clock.now(), command.options.format
        if isinstance(command, grammar.Limit):
            status = self._limits.status(asker.owner, today=today)
            layout = calls_layouts.limit(status, fmt)
            return limit_view.limit_message(status, tz_name=tz_name, fetched_at=now, text_layout=layout)
        if isinstance(command, grammar.Plan):
            plans = self._plans.plans(asker.owner)
            layout = calls_layouts.plans(plans, fmt, now=now)
            return limit_view.plan_message(
                plans, tz_name=tz_name, fetched_at=now, today=today, text_layout=layout
            )
        return self._logs(command, asker, tz_name)

    def _logs(self, command: grammar.Logs, asker: Asker, tz_name: str) -> Message:
        now = self._clock.now()
        command = grammar.with_lookup_window(command)
        start, end = grammar.resolve(command.window, now=now, tz=ZoneInfo(tz_name))
        if command.request_id:
            call = self._calls.find(asker.owner, command.request_id, start=start, end=end)
            return calls_view.call_message(
                call, command.request_id, tz_name=tz_name, fetched_at=now, looked=end - start
            )
        report = self._calls.logs(
            asker.owner, start=start, end=end, statuses=command.statuses, models=command.models
        )
        layout = calls_layouts.logs(report, command.options.format, tz_name=tz_name)
        return calls_view.logs_message(report, tz_name=tz_name, fetched_at=now, text_layout=layout)
