"""Block Kit building blocks with Slack's limits applied (cut, never rejected by Slack).

Limits: 50 blocks per message, 3000 chars of section text, 10 fields of 2000 chars, 150 chars of header
text, 10 context elements of 2000 chars, 75 chars of button text, 2000 chars of button value, 255 chars of
action/block ids, 100 options of 75-char text and 150-char value per select.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.render.mrkdwn import esc

Block = dict[str, Any]
MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_FIELDS = 10
MAX_FIELD = 2000
MAX_HEADER = 150
MAX_CONTEXT = 2000
MAX_CONTEXT_ELEMENTS = 10
MAX_BUTTON_TEXT = 75
MAX_VALUE = 2000
MAX_ID = 255
MAX_OPTIONS = 100
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
MAX_FALLBACK = 3000  # well under Slack's 40k; notifications show only the start anyway
ELLIPSIS = "…"


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": cut(text, limit), "emoji": True}


def mrkdwn(text: str, limit: int = MAX_SECTION) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": cut(text, limit)}


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text, MAX_HEADER)}


def section(text: str, *, accessory: Block | None = None) -> Block:
    block: Block = {"type": "section", "text": mrkdwn(text or " ")}
    if accessory is not None:
        block["accessory"] = accessory
    return block


def fields(items: list[str]) -> list[Block]:
    """Sections of at most 10 fields each."""
    out: list[Block] = []
    for i in range(0, len(items), MAX_FIELDS):
        chunk = items[i : i + MAX_FIELDS]
        out.append({"type": "section", "fields": [mrkdwn(t, MAX_FIELD) for t in chunk]})
    return out


def divider() -> Block:
    return {"type": "divider"}


def context(*texts: str) -> Block:
    parts = [t for t in texts if t][:MAX_CONTEXT_ELEMENTS] or [" "]
    return {"type": "context", "elements": [mrkdwn(t, MAX_CONTEXT) for t in parts]}


def button(
    text: str, action_id: str, *, value: str = "", url: str | None = None, style: str | None = None
) -> Block:
    element: Block = {"type": "button", "text": plain(text, MAX_BUTTON_TEXT), "action_id": action_id[:MAX_ID]}
    if value:
        element["value"] = value[:MAX_VALUE]
    if url:
        element["url"] = url
    if style:
        element["style"] = style
    return element


def actions(*elements: Block, block_id: str | None = None) -> Block:
    block: Block = {"type": "actions", "elements": list(elements)[:25]}
    if block_id:
        block["block_id"] = block_id[:MAX_ID]
    return block


def static_select(placeholder: str, action_id: str, options: list[tuple[str, str]]) -> Block:
    return {
        "type": "static_select",
        "action_id": action_id[:MAX_ID],
        "placeholder": plain(placeholder, 150),
        "options": [
            {"text": plain(label, MAX_OPTION_TEXT), "value": value[:MAX_OPTION_VALUE]}
            for label, value in options[:MAX_OPTIONS]
        ],
    }


def code_sections(text: str) -> list[Block]:
    """A preformatted text verbatim, split on line boundaries into sections that fit 3000 chars each."""
    budget = MAX_SECTION - 8  # room for the ``` fences
    chunks: list[str] = []
    current = ""
    for line in esc(text).split("\n"):  # verbatim: <!channel> in a model id must not ping anyone
        while len(line) > budget:  # a single overlong line: hard split, never inside an entity
            cut_at = _entity_safe(line, budget)
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:cut_at])
            line = line[cut_at:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > budget:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current or not chunks:
        chunks.append(current)
    return [{"type": "section", "text": {"type": "mrkdwn", "text": f"```{c or ' '}```"}} for c in chunks]


def _entity_safe(line: str, at: int) -> int:
    amp = line.rfind("&", max(0, at - 4), at)
    return amp if amp > 0 else at


@dataclass(frozen=True, slots=True)
class Message:
    """A Slack message: fallback `text` always set, blocks within limits."""

    text: str
    blocks: list[Block] = field(default_factory=list)

    def payload(self) -> dict[str, Any]:
        return {"text": cut(self.text or " ", MAX_FALLBACK), "blocks": fit(self.blocks)}


def fit(blocks: list[Block], limit: int = MAX_BLOCKS) -> list[Block]:
    """Keep at most `limit` blocks; when cutting, keep the tail's actions/context and say so."""
    if len(blocks) <= limit:
        return blocks
    tail = [b for b in blocks[-3:] if b.get("type") in ("actions", "context")]
    room = limit - len(tail) - 1
    note = context(
        f"{ELLIPSIS} {len(blocks) - room - len(tail)} more blocks left out (Slack allows {limit})."
    )
    return [*blocks[:room], note, *tail]
