"""The "Read as" line for the call-log, spend-limit and plan questions, in the asker's language."""

from __future__ import annotations

from bot.core.grammar.calls import Limit, Logs, Plan, Window
from bot.render.calls_view import SHORT
from bot.render.catalog import Lang
from bot.render.mrkdwn import code

WORDS: dict[Lang, dict[str, str]] = {
    "en": {"logs": "call logs", "limit": "spend limit", "plan": "plan status", "last": "last {n}",
           "today": "today", "yesterday": "yesterday", "id": "request {id}"},
    "zh": {"logs": "调用日志", "limit": "消费限额", "plan": "套餐状态", "last": "最近 {n}",
           "today": "今天", "yesterday": "昨天", "id": "请求 {id}"},
}


def window_text(w: Window, lang: Lang) -> str:
    words = WORDS[lang]
    if w.hours is not None:
        return words["last"].format(n=f"{w.hours}h")
    if w.days is not None:
        return words["last"].format(n=f"{w.days}d")
    if w.day is not None:
        return words[w.day]
    if w.from_ is not None and w.to is not None:
        return f"{w.from_} → {w.to}"
    return words["last"].format(n="24h")


def describe(command: object, *, lang: Lang = "en") -> str | None:
    words = WORDS[lang]
    if isinstance(command, Limit):
        return words["limit"]
    if isinstance(command, Plan):
        return words["plan"]
    if not isinstance(command, Logs):
        return None
    parts = [words["logs"]]
    if command.request_id:
        return f"{parts[0]} · {words['id'].format(id=f'{code(command.request_id)}')}"
    if command.statuses:
        parts.append(" + ".join(SHORT[s] for s in command.statuses))
    parts += [f"{code(m)}" for m in command.models]
    parts.append(window_text(command.window, lang))
    return " · ".join(parts)
