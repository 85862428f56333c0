"""`qwen-bot` command line. Each subcommand lives in bot/cli/<name>.py with register(subparsers)."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from bot import __version__

# Imported lazily so `qwen-bot simulator` loads nothing from the rest of the bot.
_COMMANDS = ("serve", "worker", "simulator", "auth", "usage", "rotate_keys", "migrate")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qwen-bot", description="QwenCloud usage in Slack and the terminal")
    parser.add_argument("--version", action="version", version=f"qwen-bot {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _COMMANDS:
        try:
            module = importlib.import_module(f"bot.cli.{name}")
        except ModuleNotFoundError as exc:  # a subcommand not built yet; tests check all are present
            if exc.name != f"bot.cli.{name}":
                raise
            continue
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["simulator"]:
        # Keep the simulator free of the bot's imports (it must run on its own).
        from bot.simulator.__main__ import main as sim_main

        return sim_main(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 1
    return int(func(args))


if __name__ == "__main__":
    sys.exit(main())
