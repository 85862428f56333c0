"""Slack messages (Block Kit) for everything the bot says. Figures live in render/slack_usage.py.

Rules (design §5): figures first, a divider, an *Analysis* section, a context line; fallback text always;
personal results are ephemeral with a "Share in channel" button; errors say what happened and what to do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot import __version__
from bot.base import errors
from bot.core.grammar.team import TEAM_HELP
from bot.core.grammar.usage import USAGE_TEXT
from bot.qwencloud.models import QwenUser
from bot.render.blocks import (
    MAX_VALUE,
    Block,
    Message,
    actions,
    button,
    code_sections,
    context,
    header,
    section,
    static_select,
)
from bot.render.mrkdwn import code, esc

# action ids: handlers register these; manifest and tests check them
LOGIN_ACTION = "qwen_login"
OPEN_LINK_ACTION = "qwen_open_verification"
SHARE_ACTION = "qwen_share"
PICK_MODEL_ACTION = "qwen_pick_model"
ACTION_IDS = (LOGIN_ACTION, OPEN_LINK_ACTION, SHARE_ACTION, PICK_MODEL_ACTION)


def who(user: QwenUser | None) -> str | None:
    """How a QwenCloud account is named to its user."""
    if user is None:
        return None
    return user.aliyun_id or user.email or user.id


def login_button() -> dict[str, object]:
    return button("Log in to QwenCloud", LOGIN_ACTION, value="login", style="primary")


def share_button(command_text: str) -> dict[str, object]:
    """The value is the command to re-run (answers are cached, so the copy shows the same figures)."""
    return button("Share in channel", SHARE_ACTION, value=command_text[:MAX_VALUE] or "usage")


def working() -> Message:
    return Message("Working…", [context(":hourglass_flowing_sand: Working… asking QwenCloud.")])


def help_message() -> Message:
    text = f"{USAGE_TEXT}\n{TEAM_HELP}"
    return Message(text, [header("QwenCloud usage"), *code_sections(text)])


def version_message() -> Message:
    text = f"qwen-usage-bot {__version__}"
    return Message(text, [section(f"*qwen-usage-bot* `{__version__}`")])


@dataclass(frozen=True, slots=True)
class StatusView:
    linked: bool
    who: str | None = None
    expires_at: datetime | None = None
    expired: bool = False
    pending_url: str | None = None


def status_message(view: StatusView, *, tz_name: str) -> Message:
    if view.pending_url:
        text = "A QwenCloud login is waiting for your approval."
        return Message(text, [section(f":hourglass: {text}"), actions(_open_link(view.pending_url))])
    if not view.linked:
        text = "You're not linked to QwenCloud."
        return Message(text, [section(f":x: {text} Log in to see your usage."), actions(login_button())])
    until = _when(view.expires_at, tz_name)
    if view.expired:
        text = f"Your QwenCloud login as {esc(view.who or 'unknown')} expired {until}."
        return Message(text, [section(f":warning: {text}"), actions(login_button())])
    text = f"Linked to QwenCloud as {esc(view.who or 'unknown')} until {until}."
    return Message(
        text,
        [
            section(f":white_check_mark: Linked to QwenCloud as *{esc(view.who or 'unknown')}*"),
            context(f"Login valid until {until}"),
        ],
    )


def _when(moment: datetime | None, tz_name: str) -> str:
    if moment is None:
        return "an unknown time"
    from zoneinfo import ZoneInfo

    try:
        local = moment.astimezone(ZoneInfo(tz_name))
    except (KeyError, ValueError):
        local = moment
    return local.strftime("%Y-%m-%d %H:%M %Z").strip()


def _open_link(url: str) -> dict[str, object]:
    return button("Open QwenCloud to approve", OPEN_LINK_ACTION, url=url, style="primary")


# A device-flow link approved by the wrong person links their QwenCloud account to someone else's Slack.
ONLY_YOUR_OWN = "Approve only a link you asked for yourself (with /qwen login just now); otherwise ignore it."


def login_link(url: str, *, expires_in: int, again: bool = False) -> Message:
    minutes = max(1, expires_in // 60)
    lead = "Your login is still waiting." if again else "Approve this login in QwenCloud."
    text = f"{lead} The link works for about {minutes} min and only you can see it."
    return Message(
        text,
        [
            section(f":key: {text}"),
            actions(_open_link(url)),
            context(f"{ONLY_YOUR_OWN} I'll tell you here when it's done."),
        ],
    )


def already_linked(who: str | None) -> Message:
    text = f"You're already linked to QwenCloud as {esc(who or 'unknown')}. Use /qwen logout to switch."
    return Message(text, [section(f":white_check_mark: {text}")])


def login_done(who: str | None) -> Message:
    text = f"Logged in to QwenCloud as {esc(who or 'unknown')}. Try /qwen usage."
    return Message(text, [section(f":white_check_mark: {text}")])


def login_failed(kind: str) -> Message:
    words = {
        "denied": "The QwenCloud login was denied.",
        "expired": "The QwenCloud login link expired before it was approved.",
    }.get(kind, "The QwenCloud login did not complete.")
    text = f"{words} Start again when you're ready."
    return Message(text, [section(f":x: {text}"), actions(login_button())])


def logged_out(had_credential: bool) -> Message:
    text = (
        "Logged out of QwenCloud; your saved login was deleted."
        if had_credential
        else ("You weren't logged in to QwenCloud.")
    )
    return Message(text, [section(text)])


def model_picker(models: list[str], *, block_id: str) -> Message:
    if not models:
        text = "No model has usage this month, so there is nothing to break down."
        return Message(text, [section(text)])
    text = "Which model should I break down?"
    select = static_select("Choose a model", PICK_MODEL_ACTION, [(m, m) for m in models])
    return Message(text, [section(text), actions(select, block_id=block_id)])


# -- errors: the one table turning error classes into words + next step ---------------------------------

_ERRORS: tuple[tuple[type[BaseException], str, str, bool], ...] = (
    (errors.TokenExpired, "Your QwenCloud login has expired.", "Log in again to continue.", True),
    (errors.TokenRejected, "QwenCloud rejected your saved login.", "Log in again to continue.", True),
    (errors.AuthError, "You're not linked to QwenCloud yet.", "Log in, then ask again.", True),
    (
        errors.ModelNotFound,
        "{message}",
        "Check the model id, or run `/qwen usage breakdown` to pick one.",
        False,
    ),
    (errors.UsageError, "I couldn't read that.", "", False),
    (errors.InvalidArgument, "{message}", "See `/qwen help` for the accepted forms.", False),
    (errors.NetworkError, "I couldn't reach QwenCloud.", "Try again in a minute.", False),
    (errors.UpstreamError, "QwenCloud answered with an error: {message}", "Try again later.", False),
    (errors.DeviceFlowError, "The QwenCloud login did not work: {message}", "Try `/qwen login` again.", True),
    (errors.NotFound, "{message}", "", False),
    (
        errors.ConfigError,
        "The bot is not configured correctly.",
        "Ask whoever runs it to check its logs.",
        False,
    ),
)


def _words(exc: BaseException) -> tuple[str, str, bool]:
    """(what happened, what to do next, offer a Login button) from the table; never the raw exception."""
    for kind, what, step, offer_login in _ERRORS:
        if isinstance(exc, kind):
            message = getattr(exc, "message", "") or "no details"
            return what.format(message=esc(message.splitlines()[0][:500])), step, offer_login
    return "Something went wrong on my side.", "Try again; if it keeps happening, tell the admin.", False


def error_text(exc: BaseException) -> str:
    """The table's words for an error, for places that show it inline (the App Home)."""
    said, step, _ = _words(exc)
    return f"{said} {step}".strip()


def error_message(exc: BaseException) -> Message:
    return _error(exc, *_words(exc))


def _error(exc: BaseException, said: str, step: str, offer_login: bool) -> Message:
    blocks = [section(f":warning: {said}" + (f" {step}" if step else ""))]
    if isinstance(exc, errors.UsageError) and not isinstance(exc, errors.ModelNotFound):
        lines = exc.message.splitlines()
        blocks = [section(f":warning: {esc(lines[0])}"), *code_sections("\n".join(lines[1:]) or USAGE_TEXT)]
    request_id = getattr(exc, "request_id", None)
    if request_id:
        blocks.append(context(f"Request id {code(request_id)}"))
    if offer_login:
        blocks.append(actions(login_button()))
    return Message(f"{said} {step}".strip(), blocks)


def notice(text: str, *, title: str | None = None) -> Message:
    blocks: list[Block] = [header(title)] if title else []
    blocks.append(section(text))
    return Message(text, blocks)


def listing(title: str, lines: Sequence[str], *, empty: str, footer: str | None = None) -> Message:
    body = "\n".join(lines) if lines else empty
    blocks: list[Block] = [section(f"*{title}*\n{body}")]
    if footer:
        blocks.append(context(footer))
    return Message(f"{title}: {body}", blocks)
