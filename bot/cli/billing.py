"""`qwen-bot billing summary|breakdown|limit`: like `qwencloud billing ...` (billing contract §2-§4)."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from bot.base.config import Settings
from bot.cli.official_options import parser_class, reject_unknown_for, run_official
from bot.cli.terminal import access_token, local_zone
from bot.core.billing_report import CHARGE_TYPES, BillingReports, plan_breakdown, summary_cycles, top_of
from bot.render import billing_render

VALUE_NAMES = {
    "--from": "<date>",
    "--to": "<date>",
    "--period": "<preset>",
    "--charge-type": "<type>",
    "--granularity": "<g>",
    "--group-by": "<dim>",
    "--top": "<n>",
    "--format": "<fmt>",
}
HELPS = {
    "summary": "settled bill totals for an inclusive YYYY-MM cycle window",
    "breakdown": "spend grouped by model or API key",
    "limit": "the account's spend limit",
}


def register(sub: Any) -> None:
    billing = sub.add_parser("billing", help="settled bills, spend by model or API key, spend limit")
    names = dict(VALUE_NAMES)
    billing_sub = billing.add_subparsers(
        dest="billing_command", metavar="COMMAND", required=True, parser_class=parser_class(names)
    )
    for name, help_line in HELPS.items():
        parser = billing_sub.add_parser(name, help=help_line)
        if name != "limit":
            cycle = "YYYY-MM" if name == "summary" else "YYYY-MM-DD or YYYY-MM"
            parser.add_argument("--from", dest="from_", metavar="DATE", help=f"Start ({cycle})")
            parser.add_argument("--to", metavar="DATE", help=f"End ({cycle})")
            parser.add_argument(
                "--charge-type",
                choices=tuple(CHARGE_TYPES),
                default="all",
                help="all (default), subscription, payg",
            )
        if name == "breakdown":
            parser.add_argument("--granularity", metavar="G", help="day | month (default month)")
            parser.add_argument(
                "--group-by", choices=("model", "api-key"), default="model", help="model | api-key"
            )
            parser.add_argument("--period", metavar="PRESET", help="month, last-month, week, ...")
            parser.add_argument("--top", metavar="N", help="Top N rows (default 10)")
        parser.add_argument(
            "--format", metavar="FMT", help="Output format: table, json, text (default: auto)"
        )
        parser.set_defaults(func=run, reject_unknown=reject_unknown_for(f"billing {name}"))


def _today() -> Any:
    settings = Settings.from_env()
    tz = local_zone(settings)
    return (settings.frozen_now or datetime.now(tz)).astimezone(tz).date()


def run(args: argparse.Namespace) -> int:
    command: str = args.billing_command
    state: dict[str, Any] = {}

    def precheck() -> None:
        today = _today()
        if command == "summary":
            state["cycles"] = summary_cycles(args.from_, args.to, today)
        elif command == "breakdown":
            state["plan"] = plan_breakdown(
                granularity=args.granularity, from_=args.from_, to=args.to, period=args.period, today=today
            )

    def work(services: Any, fmt: str) -> tuple[str, int]:
        token = access_token(services)
        api = services.billing
        json_out = fmt == "json"
        if command == "limit":
            limit = api.usage_limit(token)
            return (
                billing_render.limit_json(limit) + "\n" if json_out else billing_render.limit_text(limit)
            ), 0
        charge = CHARGE_TYPES[args.charge_type]
        reports = BillingReports(api)
        if command == "summary":
            start, end = state["cycles"]
            bills = reports.settled(token, start, end, charge)
            render = billing_render.summary_json if json_out else billing_render.summary_text
            text = render(bills, start=start, end=end, charge=charge)
            return (text + "\n" if json_out else text), 0
        plan = state["plan"]
        slices = reports.breakdown(token, plan, charge=charge, group_by=args.group_by, top=top_of(args.top))
        if json_out:
            return billing_render.breakdown_json(
                slices, plan, group_by=args.group_by, charge=charge
            ) + "\n", 0
        return billing_render.breakdown_text(slices, plan, group_by=args.group_by, charge=charge), 0

    return run_official(args, precheck, work)
