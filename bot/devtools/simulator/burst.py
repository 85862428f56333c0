"""The `logs_burst` knob: extra call-log entries in the minutes before the simulator's "now".

The seeded call logs have about ten calls a day, so an hour usually holds none or one: too few to try an
error-rate alert or the App Home's error rate. `logs_burst = {"calls": N, "failed_pct": P, "minutes": M}`
adds N calls spread evenly over the M minutes (default 60) before now, the first round(N * P / 100) of
them failed (alternating 500 and 429), the rest 200. They move with the clock, so setting another mix and
advancing time lets a test cross a threshold, come back under it and cross it again.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta
from typing import Any

from bot.devtools.simulator.dataset import TEXT_MODELS

FAILED_STATUSES = (500, 429)


def burst_logs(burst: dict[str, Any] | None, seed: int, now: datetime) -> list[dict[str, Any]]:
    """The burst's entries (with `_ms` like the seeded ones), newest last; none without the knob."""
    if not burst:
        return []
    calls = max(0, min(10_000, int(burst.get("calls", 0))))
    failed_pct = max(0.0, min(100.0, float(burst.get("failed_pct", 0))))
    minutes = max(1, int(burst.get("minutes", 60)))
    failed = round(calls * failed_pct / 100)
    step = timedelta(minutes=minutes) / max(calls, 1)
    model = TEXT_MODELS[0].model_id
    out = []
    for i in range(calls):
        at = now - timedelta(minutes=minutes) + step * (i + 0.5)  # strictly inside the window
        status = FAILED_STATUSES[i % 2] if i < failed else 200
        out.append(_entry(seed, i, at, model, status))
    return out


def _entry(seed: int, i: int, at: datetime, model: str, status: int) -> dict[str, Any]:
    ms = int(at.timestamp() * 1000)
    digest = hashlib.sha256(f"{seed}|burst|{ms}|{i}".encode()).digest()
    request_id = str(uuid.UUID(bytes=digest[:16], version=4))
    tokens = (0, 0) if status != 200 else (300 + i % 700, 40 + i % 300)
    usages = [
        {"key": "input_tokens", "value": tokens[0], "unit": "tokens"},
        {"key": "output_tokens", "value": tokens[1], "unit": "tokens"},
        {"key": "total_tokens", "value": sum(tokens), "unit": "tokens"},
    ]
    origin = {
        "request_id": request_id,
        "model": model,
        "status_code": str(status),
        "duration": str(200 + i % 900),
        "start_time": at.strftime("%Y-%m-%d %H:%M:%S.") + f"{ms % 1000:03d}",
        "start_unix_timestamp": str(ms),
        "workspace_id": "ws-sim-0001",
        "uid": "5551234",
        "usage": "{}",
    }
    return {"originLog": origin, "formattedUsages": usages, "_ms": ms}
