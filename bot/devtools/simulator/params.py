"""Reading a gateway call's params, shared by the usage and billing actions."""

from __future__ import annotations

import json
from typing import Any


def json_param(params: dict[str, Any], name: str, default: Any) -> Any:
    # Every param value arrives as a string (contract §0): arrays and booleans are JSON inside it.
    raw = params.get(name)
    if raw is None:
        return default
    if isinstance(raw, str):
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw
