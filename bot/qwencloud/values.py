"""Defensive readers for loosely typed JSON values (the real service's shapes are partly unseen)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def as_str(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def as_decimal(value: Any) -> Decimal | None:
    """JS Number(value) semantics for money/quantities; None for missing or non-numeric values."""
    if value is None or isinstance(value, bool):
        return None
    try:
        result = Decimal(str(value).strip()) if isinstance(value, str) else Decimal(repr(value))
    except (InvalidOperation, ValueError):
        return None
    return result if result.is_finite() else None


def as_instant(value: Any) -> datetime | None:
    """Epoch milliseconds (number or digit string) or an ISO date/time; naive values are taken as UTC."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, int | float) or (isinstance(value, str) and value.strip().isdigit()):
        number = float(value)
        # Seconds would be a date in 1970 when read as ms; the wire uses ms, but accept seconds too.
        seconds = number / 1000 if number > 1e11 else number
        return datetime.fromtimestamp(seconds, UTC)
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
