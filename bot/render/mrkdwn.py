"""The one escaping helper for text put into Slack mrkdwn. Slack reads `<…>` as links and mentions
(`<!channel>`, `<https://x|label>`) and `&` as an entity, everywhere in mrkdwn, code spans included; so any
text we did not write (model ids and plan names from QwenCloud, account names, user text, error details)
goes through `esc()` before it meets our own formatting. Only &, < and > change (Slack's rule); `*`, `_` and
backticks stay, so the surrounding formatting is ours alone. `code()` puts such text in a code span, where a
backtick of its own would close the span early and let the rest be read as formatting: it becomes ˋ."""

from __future__ import annotations

_TABLE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def esc(value: object) -> str:
    return str(value).translate(_TABLE)


def code(value: object) -> str:
    """Server or user text as a code span: escaped, and no backtick of its own to end the span early."""
    return "`" + esc(value).replace("`", "\u02cb") + "`"
