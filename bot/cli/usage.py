"""`qwen-bot usage summary|breakdown|free-tier|payg`: the official usage commands for the terminal owner.

Output is the official `--format json` / `--format text` (default: json when stdout is not a terminal);
errors go to stderr in the official shapes with the exit codes of bot/base/errors.py.
"""

from __future__ import annotations

import argparse
import getpass
import re
import sys
from datetime import date, datetime, tzinfo
from typing import Any, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.base.config import Settings
from bot.base.errors import ConfigError, InvalidArgument, QwenBotError, UsageError
from bot.base.periods import DateRange, parse_date, resolve
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


def _explicit_format(argv: list[str]) -> str:
    # Like commander, errors found while parsing are JSON only when --format json was given explicitly.
    for i, arg in enumerate(argv):
        if (arg == "--format" and argv[i + 1 : i + 2] == ["json"]) or arg == "--format=json":
            return "json"
    return "text"


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


def access_token(services: Any) -> str:
    """The terminal owner's token; expiry is checked locally before any network call (contract §7)."""
    from bot.core.accounts import LOCAL_TEAM
    from bot.storage.owner import Owner

    now: datetime = services.clock.now()
    stored = services.accounts.credential_for(Owner(LOCAL_TEAM, f"cli:{getpass.getuser()}"), now=now)
    warning = expiry_warning(stored.expires_at, now)
    if warning and sys.stderr.isatty():  # TTY-only UI, like the official CLI
        sys.stderr.write(warning)
    return str(stored.access_token)


def expiry_warning(expires_at: datetime, now: datetime) -> str | None:
    """The official CLI's notice when four hours or less remain."""
    left = (expires_at - now).total_seconds()
    if not 0 < left <= 4 * 3600:
        return None
    minutes = int(left // 60)
    shown = f"{minutes // 60}h {minutes % 60}m" if minutes >= 60 else f"{minutes}m"
    return f"  ⚠ Token expires in {shown} · run qwen-bot auth login to refresh\n"


def local_zone(settings: Settings) -> tzinfo:
    """Settings.timezone when set, else the process's local zone (which follows TZ)."""
    if settings.timezone:
        try:
            return ZoneInfo(settings.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(f"Unknown timezone {settings.timezone!r}") from exc
    zone = datetime.now().astimezone().tzinfo
    assert zone is not None
    return zone


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


def output_format(requested: str | None) -> str:
    if requested == "json":
        return "json"
    if requested in ("text", "table"):
        return "text"
    return "text" if sys.stdout.isatty() else "json"


def fail(exc: QwenBotError, fmt: str) -> int:
    sys.stderr.write(render_json.error(exc) + "\n" if fmt == "json" else render_text.error(exc))
    return exc.exit_code
