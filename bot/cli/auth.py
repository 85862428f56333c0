"""`qwen-bot auth login|status|logout`: the official CLI's auth commands (contract §1-3), terminal owner.

The pending device flow lives in the `pending_login` table (not a file), so `--init-only` and `--complete`
may run in different processes, and a running worker never polls the same flow at the same time.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from bot.base.config import Settings
from bot.base.errors import QwenBotError
from bot.cli.auth_output import (
    FAIL,
    LOGIN_CMD,
    PASS,
    SCOPES,
    SOURCE,
    WARN,
    emit,
    server_check,
    server_iso,
    terminal_owner,
)


def register(sub: Any) -> None:
    auth = sub.add_parser("auth", help="log in to QwenCloud from the terminal (device flow)")
    auth_sub = auth.add_subparsers(dest="auth_command", metavar="ACTION", required=True)
    login = auth_sub.add_parser("login", help="log in with the device flow")
    mode = login.add_mutually_exclusive_group()
    mode.add_argument("--init-only", action="store_true", help="start the flow, print the link and exit")
    mode.add_argument("--complete", action="store_true", help="finish a flow started with --init-only")
    login.add_argument("--timeout", type=float, default=120.0, help="seconds to wait (default 120)")
    for name, helptext in (("status", "show the authentication status"), ("logout", "log out")):
        auth_sub.add_parser(name, help=helptext)
    for parser in (login, *auth_sub.choices.values()):
        if not any(a.dest == "format" for a in parser._actions):
            parser.add_argument("--format", choices=("json", "text", "table"), default=None)
    auth.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    fmt = _format(args.format)
    try:
        from bot.bootstrap import build_services
        from bot.cli.auth_flow import TerminalLogin

        services = build_services(Settings.from_env())
    except QwenBotError as exc:
        return _fail(exc, fmt)
    try:
        if args.auth_command == "status":
            return status(services, fmt)
        if args.auth_command == "logout":
            return logout(services, fmt)
        return TerminalLogin(services, terminal_owner(), fmt).run(
            init_only=args.init_only, complete=args.complete, timeout=args.timeout
        )
    except QwenBotError as exc:
        return _fail(exc, fmt)
    except KeyboardInterrupt:
        return 130
    finally:
        services.close()


def _format(requested: str | None) -> str:
    if requested in ("json", "text"):
        return requested
    if requested == "table":
        return "text"
    return "text" if sys.stdout.isatty() else "json"


def _fail(exc: QwenBotError, fmt: str) -> int:
    if fmt == "json":
        body: dict[str, Any] = {"code": exc.code, "message": exc.message, "exit_code": exc.exit_code}
        if exc.hint:
            body["hint"] = exc.hint
        print(json.dumps({"error": body}, indent=2), file=sys.stderr)
    else:
        print(f"Error: {exc.message}", file=sys.stderr)
    return exc.exit_code


def status(services: Any, fmt: str) -> int:
    now = services.clock.now()
    cred = services.credentials.get(terminal_owner())
    if cred is None or cred.is_expired(now):
        expired = cred is not None
        if fmt == "json":
            body: dict[str, Any] = {"authenticated": False, "server_verified": False}
            emit({**body, "reason": "token_expired"} if expired else body)
        elif expired:
            print(f"  {FAIL} Not authenticated (token expired)\n  Run: {LOGIN_CMD}")
        else:
            print(f"  {FAIL} Not authenticated. Run: {LOGIN_CMD}")
        return 2
    verified, warning, aliyun = server_check(services, cred)
    if fmt == "json":
        out: dict[str, Any] = {"authenticated": True, "server_verified": verified, "auth_mode": "device_flow"}
        out["source"] = SOURCE
        if warning:
            out["warning"] = warning
        out["user"] = {"aliyunId": aliyun}
        out["token"] = {"expires_at": server_iso(cred.expires_at), "scopes": SCOPES}
        emit(out)
        return 0
    rows = [
        ("User", aliyun or "unknown"),
        ("Token expires", cred.expires_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")),
        ("Source", SOURCE),
        ("Scope", "  ".join(SCOPES)),
    ]
    width = max(len(k) for k, _ in rows) + 2
    print(f"\n  {PASS}  Authenticated")
    if warning:
        print(f"  {WARN} {warning}")
    print("\n" + "\n".join(f"  {k.ljust(width)}{v}" for k, v in rows) + "\n")
    return 0


def logout(services: Any, fmt: str) -> int:
    owner = terminal_owner()
    cred = services.credentials.get(owner)
    if cred is None:
        if fmt == "json":
            emit({"success": True, "message": "Not logged in"})
        else:
            print("  Not logged in")
        return 0
    services.client.logout(cred.access_token)  # best effort: never raises
    services.credentials.delete(owner)
    if fmt == "json":
        emit({"success": True, "message": "Logged out", "source": SOURCE})
    else:
        print(f"  {PASS} Logged out successfully")
    return 0


