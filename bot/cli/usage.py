"""`qwen-bot usage summary|breakdown|free-tier|payg`: the official usage commands for the terminal owner.

Output is the official `--format json` / `--format text` (default: json when stdout is not a terminal);
errors go to stderr in the official shapes with the exit codes of bot/base/errors.py.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date, datetime
from typing import Any, NoReturn

from bot.base.config import Settings
from bot.base.errors import InvalidArgument, QwenBotError, UsageError
from bot.base.periods import DateRange, parse_date, resolve
from bot.cli.terminal import _explicit_format, access_token, fail, local_zone, output_format
from bot.render import json as render_json
from bot.render import text as render_text

COMMANDS = ("summary", "breakdown", "free-tier", "payg")
PERIOD_HELP = "Period preset: today, yesterday, week, month, last-month, quarter, year, YYYY-MM"


class OfficialArgumentParser(argparse.ArgumentParser):
    """Option errors the way the official CLI (commander) reports them: its codes, its words, exit 1."""

    def error(self, message: str) -> NoReturn:
        match = re.match(r"argument (--[\w-]+)(?:/[^:]*)?: expected one argument", message)
        if match:
            option = match.group(1)
            exc = UsageError(
                f"option '{option} {_VALUE_NAMES.get(option, '<value>')}' argument missing",
                code="MISSING_OPTION_VALUE",
            )
        else:
            bad_format = re.match(r"argument --format: invalid choice: '([^']*)'", message)
            if bad_format:
                # commander validates --format itself and answers in the automatic format
                exc = UsageError(
                    f"Invalid format '{bad_format.group(1)}'. Supported: auto, table, json, text",
                    code="INVALID_FORMAT",
                )
                sys.exit(fail(exc, output_format(None)))
            exc = UsageError(message)
        sys.exit(fail(exc, _explicit_format(sys.argv)))


_VALUE_NAMES = {"--model": "<id>", "--period": "<preset>", "--from": "<date>", "--to": "<date>",
                "--days": "<n>", "--granularity": "<g>", "--format": "<format>"}


def reject_unknown(args: argparse.Namespace, extras: list[str]) -> int:
    option = next((e for e in extras if e.startswith("-")), None)
    if option is None:
        exc = UsageError(f"too many arguments for 'usage {args.usage_command}'.")
    else:
        exc = UsageError(f"unknown option '{option.split('=', 1)[0]}'", code="UNKNOWN_OPTION")
    return fail(exc, "json" if args.format == "json" else "text")


def register(sub: Any) -> None:
    usage = sub.add_parser("usage", help="view usage and billing (like `qwencloud usage`)")
    usage_sub = usage.add_subparsers(
        dest="usage_command", metavar="COMMAND", required=True, parser_class=OfficialArgumentParser
    )
    helps = {
        "summary": "usage summary across all models",
        "breakdown": "per-day/month/quarter usage for one model (PAYG only)",
        "free-tier": "free tier models with quota status",
        "payg": "pay-as-you-go usage across all models",
    }
    for name in COMMANDS:
        parser = usage_sub.add_parser(name, help=helps[name])
        parser.add_argument("--from", dest="from_", metavar="DATE", help="Start date (YYYY-MM-DD)")
        parser.add_argument("--to", metavar="DATE", help="End date (YYYY-MM-DD)")
        parser.add_argument("--period", metavar="PRESET", help=PERIOD_HELP)
        # summary and free-tier accept --days only to reject it the official way (UNKNOWN_OPTION, exit 1).
        days_help = "Number of days to look back" if name in ("breakdown", "payg") else argparse.SUPPRESS
        parser.add_argument("--days", metavar="N", help=days_help)
        if name == "breakdown":
            parser.add_argument("--model", metavar="ID", help="Model ID (required)")
            parser.add_argument(
                "--granularity", metavar="G", default="day", help="day, month, quarter (default: day)"
            )
        parser.add_argument(
            "--format", choices=("auto", "json", "text", "table"), default=None, help="Output format"
        )
        parser.set_defaults(func=run, reject_unknown=reject_unknown)
    from bot.cli import usage_logs  # `usage logs`: its own module and flags

    usage_logs.register(usage_sub)


def run(args: argparse.Namespace) -> int:
    fmt = output_format(args.format)
    command: str = args.usage_command
    try:
        _precheck(args, command)
    except UsageError as exc:  # a parse error: JSON only with an explicit --format json, as commander does
        return fail(exc, "json" if args.format == "json" else "text")
    except QwenBotError as exc:
        return fail(exc, fmt)
    try:
        from bot.bootstrap import build_services

        services = build_services(Settings.from_env())
    except QwenBotError as exc:
        return fail(exc, fmt)
    try:
        sys.stdout.write(execute(services, args, command, fmt))
        return 0
    except QwenBotError as exc:
        return fail(exc, fmt)
    finally:
        services.close()


def _precheck(args: argparse.Namespace, command: str) -> None:
    """Checks the official CLI makes before it looks at credentials."""
    if command in ("summary", "free-tier") and args.days is not None:
        raise UsageError("unknown option '--days'", code="UNKNOWN_OPTION")
    if command == "breakdown" and not args.model:
        raise InvalidArgument("Missing required option: --model <id>")


def execute(services: Any, args: argparse.Namespace, command: str, fmt: str) -> str:
    token = access_token(services)
    settings: Settings = services.settings
    tz = local_zone(settings)
    now: datetime = services.clock.now()
    rng = period_from_args(args, today=now.astimezone(tz).date())
    usage = services.usage
    if command == "summary":
        result = usage.summary(token, rng)
        return render_json.summary(result) + "\n" if fmt == "json" else render_text.summary(result, now=now)
    if command == "free-tier":
        entries = usage.free_tier(token)
        return render_json.free_tier(entries) + "\n" if fmt == "json" else render_text.free_tier(entries)
    if command == "payg":
        payg = usage.payg(token, rng)
        return render_json.payg(payg) + "\n" if fmt == "json" else render_text.payg(payg, rng)
    breakdown = usage.breakdown(token, args.model, rng, args.granularity)
    return (
        render_json.breakdown(breakdown) + "\n"
        if fmt == "json"
        else render_text.breakdown(breakdown, now=now, tz=tz)
    )


def period_from_args(args: argparse.Namespace, *, today: date) -> DateRange:
    days: int | None = None
    if getattr(args, "days", None) not in (None, ""):
        try:
            days = int(args.days)
        except ValueError as exc:
            raise InvalidArgument(f"--days must be a whole number, got '{args.days}'") from exc
    return resolve(
        today=today,
        period=args.period,
        days=days,
        from_=parse_date(args.from_) if args.from_ else None,
        to=parse_date(args.to, end=True) if args.to else None,
    )


