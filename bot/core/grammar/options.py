"""The options every `/qwen` command takes (`--format text|json`, `--refresh`): a module of their own so the
command families beside usage.py (calls.py, ...) share them without importing usage.py, which imports them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Format = Literal["text", "json"]


@dataclass(frozen=True, slots=True)
class Options:
    format: Format | None = None
    refresh: bool = False
