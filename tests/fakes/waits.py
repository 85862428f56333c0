"""One deadline for every wait on a condition in the tests.

A wait returns as soon as its condition holds, so a generous deadline costs nothing when things work; it
only decides how long a broken test takes to fail. 60 s covers a 2-core machine under full load (CI runs
the suite beside other work); QWEN_BOT_TEST_WAIT overrides it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

WAIT_S = float(os.environ.get("QWEN_BOT_TEST_WAIT", "60"))
WAIT_MS = int(WAIT_S * 1000)


def eventually(predicate: Callable[[], Any], timeout: float = WAIT_S, interval: float = 0.05) -> Any:
    """Poll `predicate` until it returns something truthy (conditions outside the Slack workspace)."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not met within {timeout}s")
        time.sleep(interval)


def quiet_period(seconds: float) -> None:
    """Let time pass to see that nothing MORE happens (no second post, no call made). Not a wait for a
    condition: whatever must happen is waited on with `eventually` before this."""
    time.sleep(seconds)
