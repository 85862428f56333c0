"""The team grammar's help texts, its error and the account-name rule: shared by the digest/account
grammar (team.py) and the alert grammar (team_alerts.py) without an import cycle between them."""

from __future__ import annotations

import re

from bot.base.errors import UsageError

ACCOUNT_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,39}$")

TEAM_USAGE = """\
Team commands (admins):
  /qwen digest subscribe [weekly|monthly] [DAY] [HH:MM] [TIMEZONE] [ACCOUNT]
  /qwen digest list · /qwen digest unsubscribe [ID] · /qwen digest preview [weekly|monthly] [ACCOUNT]
  /qwen alert add free-tier MODEL below 20% · /qwen alert add coding-plan 5h above 80%
  /qwen alert add payg daily|monthly above 25 · /qwen alert list · /qwen alert remove ID
  /qwen alert add error-rate above 10% (last hour) · /qwen alert add spend-limit within 10%
  DM the bot: link NAME · relink NAME · unlink NAME · accounts"""
# the compact form in `/qwen help` (every example parses: tests/unit/test_grammar_team.py)
TEAM_HELP = """\
Team (admins): digest subscribe|list|unsubscribe|preview    alert add|list|remove
  DM the bot: link NAME · relink NAME · unlink NAME · accounts
  e.g. /qwen digest subscribe weekly mon 09:00 · /qwen alert add payg daily above 25"""


def team_error(reason: str) -> UsageError:
    return UsageError(f"{reason}\n{TEAM_USAGE}")


def account_name(raw: str) -> str:
    name = raw.strip().lower()
    if not ACCOUNT_NAME.match(name):
        raise team_error(f"'{raw}' is not a valid account name (letters, digits, . _ -; up to 40).")
    return name
