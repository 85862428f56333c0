"""`/qwen version --check` (admins): the running version and what the package index says is the latest."""

from __future__ import annotations

from bot.core.release import VersionCheck
from bot.render.blocks import Message, context, section
from bot.render.mrkdwn import code, esc

UPGRADE = "pip install --upgrade qwen-usage-bot"


def version_check_message(found: VersionCheck) -> Message:
    if found.update_available:
        line = f"*qwen-usage-bot* `{found.current}` · latest {code(found.latest)}: an update is available."
        return Message(f"qwen-usage-bot {found.current}; {esc(found.latest)} is available",
                       [section(line), context(f"Upgrade with `{UPGRADE}`, then restart the bot.")])
    line = f"*qwen-usage-bot* `{found.current}` · latest {code(found.latest)}: up to date."
    return Message(f"qwen-usage-bot {found.current} is up to date", [section(line)])


def admins_only() -> Message:
    text = "Only workspace admins can check for updates. `/qwen version` shows the running version."
    return Message(text, [section(f":lock: {text}")])
