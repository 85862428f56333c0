"""`qwen-bot subscription status` and `qwen-bot subscription tokenplan status` (billing contract §5-§6)."""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli.official_options import parser_class, reject_unknown_for, run_official
from bot.cli.terminal import access_token
from bot.core.subscription_report import SubscriptionReports
from bot.render import subscription_render

VALUE_NAMES = {"--plan": "<kind>", "--format": "<fmt>"}


def register(sub: Any) -> None:
    subscription = sub.add_parser("subscription", help="subscription and token plan status")
    cls = parser_class(VALUE_NAMES)
    commands = subscription.add_subparsers(
        dest="subscription_command", metavar="COMMAND", required=True, parser_class=cls
    )
    status = commands.add_parser("status", help="aggregate subscription status across plans (token / coding)")
    status.add_argument("--plan", metavar="KIND", help="Filter by plan: token | coding")
    status.add_argument("--format", metavar="FMT", help="Output format: json, text (default: auto)")
    status.set_defaults(func=run, reject_unknown=reject_unknown_for("subscription status"))
    tokenplan = commands.add_parser("tokenplan", help="token plan (team edition)")
    token_commands = tokenplan.add_subparsers(
        dest="tokenplan_command", metavar="COMMAND", required=True, parser_class=cls
    )
    token_status = token_commands.add_parser("status", help="seat breakdown and renewal state")
    token_status.add_argument(
        "--format", metavar="FMT", help="Output format: table, json, text (default: auto)"
    )
    token_status.set_defaults(func=run, reject_unknown=reject_unknown_for("subscription tokenplan status"))


def _token_plan(services: Any) -> Any:
    from bot.core.subscription_report import token_plan_fetcher

    return token_plan_fetcher(services.client, services.usage)


def run(args: argparse.Namespace) -> int:
    def work(services: Any, fmt: str) -> tuple[str, int]:
        token = access_token(services)
        reports = SubscriptionReports(services.billing, _token_plan(services))
        json_out = fmt == "json"
        if args.subscription_command == "tokenplan":
            plan, diagnostics = reports.token_plan_status(token)
            nothing = plan.seat_groups is None and not any((plan.period, plan.auto_renew, plan.renewable))
            text = (
                subscription_render.tokenplan_json(plan, diagnostics) + "\n"
                if json_out
                else subscription_render.tokenplan_text(plan, diagnostics)
            )
            return text, 1 if nothing else 0
        kind = args.plan if args.plan in ("token", "coding") else None
        status, diagnostics = reports.status(token, kind)
        if json_out:
            return subscription_render.status_json(status, diagnostics) + "\n", 1 if status is None else 0
        now = services.clock.now()
        return subscription_render.status_text(status, diagnostics, now=now), 1 if status is None else 0

    return run_official(args, lambda: None, work)
