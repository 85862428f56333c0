"""`/qwen version --check` (or `version check`): admins see whether the package index has a newer release.
`/qwen version` alone stays the instant answer for everyone (handlers/command.py)."""

from __future__ import annotations

import re
from typing import Any

from bot.core.release import ReleaseCheck
from bot.render import messages as render
from bot.render.blocks import Message
from bot.render.version import admins_only, version_check_message
from bot.team.accounts import AdminCheck
from handlers.common import Asker, log

_CHECK = re.compile(r"^\s*version\s+(?:--check|check|--update|update)\s*$", re.IGNORECASE)


class VersionHandler:
    def __init__(self, *, releases: ReleaseCheck, admins: AdminCheck) -> None:
        self._releases = releases
        self._admins = admins

    @staticmethod
    def handles(text: str) -> bool:
        return bool(_CHECK.match(text))

    def answer(self, asker: Asker, client: Any) -> Message:
        if not self._admins.is_admin(client, asker.team_id, asker.user_id):
            return admins_only()
        try:
            return version_check_message(self._releases.check())
        except Exception as exc:
            log.info("version check failed (%s)", type(exc).__name__)
            return render.error_message(exc)
