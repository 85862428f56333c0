"""`qwen-bot version [--check] [--format json|text]`, like the official `qwencloud version`:
`{"version"}`; with --check `{"current","latest","update_available"}`, the latest read from the package
index (a NETWORK_ERROR, exit 3, when it cannot be read: the official CLI then says "up to date", which
hides the failure)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from bot import USER_AGENT, __version__
from bot.base.config import Settings
from bot.base.errors import QwenBotError
from bot.cli.terminal import fail, output_format

HELP = "show the version; --check asks the package index for a newer one"


def register(sub: Any) -> None:
    parser = sub.add_parser("version", help=HELP)
    parser.add_argument("--check", action="store_true", help="Check for updates")
    parser.add_argument("--format", choices=("json", "text", "table"), help="Output format")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    fmt = output_format(args.format)
    if not args.check:
        sys.stdout.write(_dumps({"version": __version__}) if fmt == "json" else f"qwen-bot v{__version__}\n")
        return 0
    try:
        result = _check(Settings.from_env())
    except QwenBotError as exc:
        return fail(exc, fmt)
    if fmt == "json":
        sys.stdout.write(_dumps({"current": result.current, "latest": result.latest,
                                 "update_available": result.update_available}))
    else:
        sys.stdout.write(text(result.current, result.latest, result.update_available))
    return 0


def text(current: str, latest: str, update_available: bool) -> str:
    """The official text layout (its ✓ line, or how to upgrade)."""
    upgrade = "Run pip install --upgrade qwen-usage-bot to upgrade."
    last = upgrade if update_available else "✓  You're up to date!"
    return f"\n  Current version:  v{current}\n  Latest version:   v{latest}\n\n  {last}\n\n"


def _check(settings: Settings) -> Any:
    import httpx

    from bot.core.release import ReleaseCheck

    with httpx.Client(headers={"User-Agent": USER_AGENT}) as http:
        return ReleaseCheck(http=http, url=settings.version_index_url, current=__version__).check()


def _dumps(value: dict[str, Any]) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"
