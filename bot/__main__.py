"""`qwen-bot` command line. Each subcommand lives in bot/cli/<name>.py with register(subparsers).

Start-up is kept light: only the chosen subcommand's module is imported (`qwen-bot usage` must not pay for
Bolt, Alembic or the web server). The other subcommands get a stub parser with their help line, so
`qwen-bot --help` still lists them all.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import logging
import os
import sys
from collections.abc import Sequence

from bot import __version__

# command -> (module under bot/cli, help line). A test checks each help line matches the module's register().
_COMMANDS: dict[str, tuple[str, str]] = {
    "serve": ("serve", "web endpoint + worker in one process (PORT, default 3000)"),
    "worker": ("worker", "poll pending logins, post digests and alerts"),
    "simulator": ("simulator", "run the local QwenCloud simulator"),
    "auth": ("auth", "log in to QwenCloud from the terminal (device flow)"),
    "usage": ("usage", "view usage and billing (like `qwencloud usage`)"),
    "billing": ("billing", "settled bills, spend by model or API key, spend limit"),
    "subscription": ("subscription", "subscription and token plan status"),
    "rotate-keys": ("rotate_keys", "re-encrypt stored credentials with the newest key"),
    "migrate": ("migrate", "apply database migrations (DATABASE_URL)"),
    "version": ("version", "show the version; --check asks the package index for a newer one"),
}


# One-shot terminal commands: from the command line they run without the cyclic GC and leave with os._exit()
# once their output is flushed (tearing down SQLAlchemy, httpx and idle pool threads costs ~60 ms).
_ONE_SHOT = ("usage", "billing", "subscription", "version")


def _chosen(argv: Sequence[str]) -> str | None:
    """The subcommand named on the command line (the first word that is not an option), if any."""
    for word in argv:
        if not word.startswith("-"):
            return word if word in _COMMANDS else None
    return None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The full parser; with `argv`, only the subcommand it names is imported (the rest are help stubs)."""
    only = _chosen(argv) if argv is not None else None
    parser = argparse.ArgumentParser(prog="qwen-bot", description="QwenCloud usage in Slack and the terminal")
    parser.add_argument("--version", action="version", version=f"qwen-bot {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_line) in _COMMANDS.items():
        if argv is not None and name != only:
            sub.add_parser(name, help=help_line)
            continue
        try:
            module = importlib.import_module(f"bot.cli.{module_name}")
        except ModuleNotFoundError as exc:  # a subcommand not built yet; tests check all are present
            if exc.name != f"bot.cli.{module_name}":
                raise
            continue
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from_command_line = argv is None
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["simulator"]:
        # Keep the simulator free of the bot's imports (it must run on its own).
        from bot.devtools.simulator.__main__ import main as sim_main

        return sim_main(argv[1:])
    one_shot = from_command_line and _chosen(argv) in _ONE_SHOT
    if one_shot:
        gc.disable()  # a short process: collections during start-up imports only cost time
    parser = build_parser(argv)
    args, extras = parser.parse_known_args(argv)
    if extras:
        # A subcommand may answer unknown options its own way (usage: the official UNKNOWN_OPTION, exit 1).
        reject = getattr(args, "reject_unknown", None)
        if reject is None:
            parser.error(f"unrecognized arguments: {' '.join(extras)}")
        return int(reject(args, extras))
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 1
    code = int(func(args))
    if one_shot:
        _exit_now(code)
    return code


def _exit_now(code: int) -> None:
    """Flush what the command wrote and leave without the interpreter's teardown. If a flush fails (a closed
    pipe), return and let the normal exit report it as it always has."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:
        return
    logging.shutdown()
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
