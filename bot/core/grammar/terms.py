"""The parts every command grammar shares (a period, the output options), below usage.py and the others so
that usage.py can list their commands in one `Command` union without an import cycle."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

Format = Literal["text", "json"]


@dataclass(frozen=True, slots=True)
class Period:
    """Official period flags; at most one of the three forms is set (none means the default, `month`)."""

    preset: str | None = None  # a preset or YYYY-MM
    days: int | None = None
    from_: date | None = None
    to: date | None = None

    @property
    def is_default(self) -> bool:
        return self.preset is None and self.days is None and self.from_ is None and self.to is None


@dataclass(frozen=True, slots=True)
class Options:
    format: Format | None = None
    refresh: bool = False
