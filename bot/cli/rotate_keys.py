"""`qwen-bot rotate-keys`: re-encrypt every stored secret with the newest key.

Rotation: put a new key first in QWEN_BOT_ENCRYPTION_KEYS (keep the old ones after it), run this, then
remove the old keys. `--generate-key` prints a fresh Fernet key and exits.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.base.config import Settings
from bot.base.errors import QwenBotError


def register(sub: Any) -> None:
    parser = sub.add_parser("rotate-keys", help="re-encrypt stored credentials with the newest key")
    parser.add_argument("--generate-key", action="store_true", help="print a new key and exit")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from bot.storage.crypto import new_key

    if args.generate_key:
        print(new_key())
        return 0
    from bot.storage.db import make_engine
    from bot.storage.keys import load_keys
    from bot.storage.migrate import upgrade
    from bot.storage.rotate import rotate_all

    try:
        settings = Settings.from_env()
        keys = load_keys(settings)
        engine = make_engine(settings.database_url)
        try:
            if engine.dialect.name == "sqlite":
                upgrade(engine)
            report = rotate_all(engine, keys.crypto())
        finally:
            engine.dispose()
    except QwenBotError as exc:
        print(f"Error: {exc.message}", file=sys.stderr)
        return exc.exit_code
    print(
        f"Re-encrypted {report.credentials} credentials, {report.pending_logins} pending logins and "
        f"{report.slack_tokens} Slack installation rows with key {report.key_id} "
        f"({report.already_current} were already on it; keys from {keys.source})."
    )
    if report.changed_meanwhile:
        print(
            f"{report.changed_meanwhile} rows changed while rotating and were left as written: "
            "run rotate-keys again before removing the old key.",
            file=sys.stderr,
        )
        return 1
    return 0
