"""`qwen-bot usage logs`: browse call logs like `qwencloud usage logs` (qwencloud-api-billing.md §1).

Registered under `usage` by bot/cli/usage.py. One page as requested by `--page`/`--page-size`, like the
official CLI; `--all` (ours) fetches every page of the range.
"""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli.official_options import parser_class, reject_unknown_for, run_official
from bot.cli.terminal import access_token, local_zone
from bot.core.logs_query import build_query, page_request
from bot.qwencloud.billing_models import CallLog
from bot.render.logs_render import logs_json, logs_text

VALUE_NAMES = {
    "--from": "<date>",
    "--to": "<date>",
    "--period": "<preset>",
    "--model": "<id>",
    "--status": "<type>",
    "--request-id": "<id>",
    "--page": "<n>",
    "--page-size": "<n>",
    "--format": "<fmt>",
}
MAX_PAGES = 1000


def register(usage_sub: Any) -> None:
    saved = usage_sub._parser_class
    usage_sub._parser_class = parser_class(VALUE_NAMES)
    try:
        parser = usage_sub.add_parser("logs", help="browse call logs (one row per model request)")
    finally:
        usage_sub._parser_class = saved
    parser.add_argument("--from", dest="from_", metavar="DATE", help="Start (YYYY-MM-DD or RFC 3339)")
    parser.add_argument("--to", metavar="DATE", help="End (YYYY-MM-DD or RFC 3339)")
    parser.add_argument("--period", metavar="PRESET", help="24h, 7d, today, yesterday, week, ...")
    parser.add_argument("--model", action="append", metavar="ID", help="Model filter (repeatable)")
    parser.add_argument(
        "--status",
        action="append",
        metavar="TYPE",
        help="Status filter: 0 (cancel), 2xx, 4xx, 5xx (repeatable)",
    )
    parser.add_argument("--request-id", metavar="ID", help="One request id; ignores other filters when set")
    parser.add_argument("--page", metavar="N", help="Page number (default 1)")
    parser.add_argument("--page-size", metavar="N", help="Page size 1..100 (default 20)")
    parser.add_argument("--all", action="store_true", help="every page of the range (ours)")
    parser.add_argument("--format", metavar="FMT", help="Output format: table, json, text (default: auto)")
    parser.set_defaults(func=run, reject_unknown=reject_unknown_for("usage logs"))


def run(args: argparse.Namespace) -> int:
    state: dict[str, Any] = {}

    def precheck() -> None:
        from datetime import datetime

        from bot.base.config import Settings

        settings = Settings.from_env()
        tz = local_zone(settings)
        now = settings.frozen_now or datetime.now(tz)
        state["tz"] = tz
        state["query"] = build_query(
            from_=args.from_,
            to=args.to,
            period=args.period,
            models=args.model,
            statuses=args.status,
            request_id=args.request_id,
            page=args.page,
            page_size=args.page_size,
            now=now,
            tz=tz,
        )

    def work(services: Any, fmt: str) -> tuple[str, int]:
        token = access_token(services)
        query = state["query"]
        # The range is recomputed on the services' clock so `to` is the instant of the call.
        tz = state["tz"]
        api = services.billing
        first = api.model_logs(token, query.request)
        items: list[CallLog] = list(first.items)
        page_size = first.max_results if first.max_results is not None else query.page_size
        if args.all:
            page = query.page
            while len(items) < first.total_count - (query.page - 1) * query.page_size and page < MAX_PAGES:
                page += 1
                more = api.model_logs(token, page_request(query, page))
                if not more.items:
                    break
                items.extend(more.items)
        period = (query.from_text, query.to_text)
        if fmt == "json":
            text = logs_json(
                total=first.total_count,
                page=query.page,
                page_size=page_size,
                period=period,
                items=items,
                tz=tz,
            )
            return text + "\n", 0
        return (
            logs_text(
                total=first.total_count,
                page=query.page,
                page_size=page_size,
                period=period,
                items=items,
                tz=tz,
                all_pages=bool(args.all),
            ),
            0,
        )

    return run_official(args, precheck, work)
