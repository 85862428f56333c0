"""Shared by `usage logs`, `billing` and `subscription`: commander-style option errors and the run wrapper.

Order of checks as in the official CLI (qwencloud-api-billing.md §0.2): option-parser errors first (exit 1,
JSON only when `--format json` is literally on the command line), then the output format, the command's own
flag checks, the stored token (exit 2), and only then the server.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from typing import Any, ClassVar, NoReturn

from bot.base.config import Settings
from bot.base.errors import QwenBotError, UsageError
from bot.cli.terminal import _explicit_format, fail, output_format

FORMATS = ("auto", "table", "json", "text")


class CommanderParser(argparse.ArgumentParser):
    """argparse with commander's error words; `value_names` maps an option to its `<placeholder>`."""

    value_names: ClassVar[dict[str, str]] = {}

    def error(self, message: str) -> NoReturn:
        missing = re.match(r"argument (--[\w-]+)(?:/[^:]*)?: expected one argument", message)
        choice = re.match(r"argument (--[\w-]+): invalid choice: '?([^' ]*)'? \(choose from (.*)\)", message)
        if missing:
            option = missing.group(1)
            exc = UsageError(
                f"option '{option} {self.value_names.get(option, '<value>')}' argument missing",
                code="MISSING_OPTION_VALUE",
            )
        elif choice:
            option, value = choice.group(1), choice.group(2)
            allowed = ", ".join(c.strip(" '") for c in choice.group(3).split(","))
            exc = UsageError(
                f"option '{option} {self.value_names.get(option, '<value>')}' argument '{value}' is invalid. "
                f"Allowed choices are {allowed}.",
                code="INVALID_ARGUMENT",
            )
        else:
            exc = UsageError(message)
        sys.exit(fail(exc, _explicit_format(sys.argv)))


def parser_class(names: dict[str, str]) -> type[CommanderParser]:
    return type("OfficialOptions", (CommanderParser,), {"value_names": names})


def reject_unknown_for(command: str) -> Callable[[argparse.Namespace, list[str]], int]:
    def reject(args: argparse.Namespace, extras: list[str]) -> int:
        option = next((e for e in extras if e.startswith("-")), None)
        if option is None:
            exc = UsageError(f"too many arguments for '{command}'.")
        else:
            exc = UsageError(f"unknown option '{option.split('=', 1)[0]}'", code="UNKNOWN_OPTION")
        return fail(exc, _explicit_format(sys.argv))

    return reject


def run_official(
    args: argparse.Namespace,
    precheck: Callable[[], None],
    work: Callable[[Any, str], tuple[str, int]],
) -> int:
    """Validate the format, run `precheck` (flag checks), build the services, then `work(services, fmt)`
    -> (stdout text, exit code)."""
    requested = args.format
    if requested is not None and requested not in FORMATS:
        exc = UsageError(
            f"Invalid format '{requested}'. Supported: auto, table, json, text", code="INVALID_FORMAT"
        )
        return fail(exc, output_format(None))
    fmt = output_format(requested)
    try:
        precheck()
        from bot.bootstrap import build_services

        services = build_services(Settings.from_env())
    except QwenBotError as exc:
        return fail(exc, fmt)
    try:
        text, code = work(services, fmt)
        sys.stdout.write(text)
        return code
    except QwenBotError as exc:
        return fail(exc, fmt)
    finally:
        services.close()
