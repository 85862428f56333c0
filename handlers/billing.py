"""`/qwen billing [by model|by api-key] [PERIOD]` and `/qwen bills [FROM] [TO]`: an Answerer for UsageHandler,
so the command forms, plain words, the DM, "Share in channel" and Chinese reach them as usage answers do.

The daily chart of a range over a week is a PNG uploaded privately with the bot's token (as the digest's)
and shown in an image block; without a poster or when the upload fails, a text sparkline stands in."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.core.billing_answers import BillingAnswer, BillingAnswers, BillsAnswer
from bot.core.chart import daily_spend_png
from bot.core.grammar.spend import Billing, Bills
from bot.render import billing_render, spend_render
from bot.render.blocks import Message
from bot.team.outbox import SlackClients
from handlers.common import Asker, log


class BillingAnswerer:
    def __init__(self, *, answers: BillingAnswers, slack: SlackClients | None = None) -> None:
        self._answers = answers
        self._slack = slack

    def handles(self, command: object) -> bool:
        return isinstance(command, Billing | Bills)

    def figures(self, command: Any, asker: Asker, tz_name: str, today: date) -> Message:
        fmt = command.options.format
        if isinstance(command, Bills):
            bills = self._answers.bills(asker.owner, command.from_, command.to, today=today)
            return spend_render.bills_message(bills, tz_name=tz_name, text_layout=_bills_layout(bills, fmt))
        answer = self._answers.billing(asker.owner, command.group, command.period, today=today)
        if fmt is None:
            chart = self._chart(answer, asker)
            return spend_render.billing_message(answer, tz_name=tz_name, chart_file_id=chart)
        plan, slices = self._answers.cli_breakdown(asker.owner, command.group, command.period, today=today)
        layout = billing_render.breakdown_text if fmt == "text" else billing_render.breakdown_json
        text = layout(slices, plan, group_by=command.group, charge="all").rstrip("\n")
        return spend_render.billing_message(answer, tz_name=tz_name, text_layout=text)

    def _chart(self, answer: BillingAnswer, asker: Asker) -> str | None:
        spend = answer.spend
        poster = self._slack.for_team(asker.team_id) if self._slack is not None else None
        if not spend.daily or poster is None:
            return None
        try:
            png = daily_spend_png(list(spend.daily), title="Daily spend before tax", currency=spend.currency)
        except Exception as exc:  # a chart is a nicety: the sparkline stands in
            log.warning("billing chart failed (%s)", type(exc).__name__)
            return None
        upload = poster.upload_private_png(
            data=png,
            filename=f"qwen-billing-{spend.period.from_text}.png",
            title=spend_render.billing_title(answer),
            alt=spend_render.chart_alt(spend),
        )
        return upload.file_id


def _bills_layout(answer: BillsAnswer, fmt: str | None) -> str | None:
    """`--format text|json`: what `billing summary --from --to` prints for the same months."""
    b = answer.bills
    if fmt is None or b.settled is None:
        return None
    layout = billing_render.summary_text if fmt == "text" else billing_render.summary_json
    return layout(b.settled, start=b.start, end=b.end, charge="all").rstrip("\n")
