"""The local Slack workspace: a fake Slack Web API over real HTTP, a signed-request sender, and a web page.

Tests and `qwen-bot serve` (without Slack credentials) share this one implementation.
See docs/local-workspace.md.
"""

from bot.devtools.localslack.fake import (
    ADMIN,
    GENERAL,
    MEMBER,
    RANDOM,
    FakeSlack,
    new_signing_secret,
    start_local_workspace,
)
from bot.devtools.localslack.faults import Call
from bot.devtools.localslack.sender import BotReply, sign
from bot.devtools.localslack.state import Message, User, View, Workspace

__all__ = [
    "ADMIN", "GENERAL", "MEMBER", "RANDOM", "BotReply", "Call", "FakeSlack", "Message", "User", "View",
    "Workspace", "new_signing_secret", "sign", "start_local_workspace",
]
