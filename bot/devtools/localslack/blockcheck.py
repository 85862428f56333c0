"""Checks Slack applies to messages and views before accepting them (the limits that bite in practice)."""

from __future__ import annotations

import json
from typing import Any

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_TEXT = 40000
MAX_ACTION_ELEMENTS = 25
MAX_CONTEXT_ELEMENTS = 10


def parse_blocks(raw: Any) -> list[dict[str, Any]] | None:
    """Blocks as sent (a JSON string in form bodies, a list in JSON bodies); None when malformed."""
    if raw is None or raw == "":
        return []
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return None
    if not isinstance(raw, list) or not all(isinstance(b, dict) for b in raw):
        return None
    return raw


def block_problem(blocks: list[dict[str, Any]], *, limit: int = MAX_MESSAGE_BLOCKS) -> str | None:
    """A short description of the first rule broken, or None when Slack would accept the blocks."""
    if len(blocks) > limit:
        return f"more than {limit} blocks"
    for i, block in enumerate(blocks):
        problem = _one(block)
        if problem:
            return f"block {i} ({block.get('type')}): {problem}"
    return None


def _text_len(obj: Any) -> int:
    return len(obj.get("text", "")) if isinstance(obj, dict) else 0


def _one(block: dict[str, Any]) -> str | None:
    kind = block.get("type")
    if kind == "section":
        text, fields = block.get("text"), block.get("fields")
        if text is None and not fields:
            return "needs text or fields"
        if _text_len(text) > MAX_SECTION_TEXT:
            return f"text longer than {MAX_SECTION_TEXT}"
        if fields is not None:
            if len(fields) > MAX_FIELDS:
                return f"more than {MAX_FIELDS} fields"
            if any(_text_len(f) > MAX_FIELD_TEXT for f in fields):
                return f"a field longer than {MAX_FIELD_TEXT}"
    elif kind == "header":
        if _text_len(block.get("text")) > MAX_HEADER_TEXT:
            return f"header longer than {MAX_HEADER_TEXT}"
        if (block.get("text") or {}).get("type") != "plain_text":
            return "header text must be plain_text"
    elif kind == "actions":
        elements = block.get("elements") or []
        if not elements or len(elements) > MAX_ACTION_ELEMENTS:
            return "actions needs 1-25 elements"
    elif kind == "context":
        elements = block.get("elements") or []
        if not elements or len(elements) > MAX_CONTEXT_ELEMENTS:
            return "context needs 1-10 elements"
    elif kind == "image":
        if not (block.get("image_url") or block.get("slack_file")) or "alt_text" not in block:
            return "image needs image_url (or slack_file) and alt_text"
    elif kind not in {"divider", "input", "rich_text", "file", "video", "markdown"}:
        return "unknown block type"
    return None
