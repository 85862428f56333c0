"""Mutable simulator state: clock, device codes, tokens and fault knobs, guarded by one lock."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.devtools.simulator.dataset import Dataset

TEST_USER = {"Id": "u-5551234", "Email": "dev@example.com", "AliyunId": "dev@example.com"}


@dataclass
class BillingKnobs:
    """Reset with the fault knobs (`reset_faults`)."""

    token_plan: bool = False  # a Token Plan team subscription (seats, add-on packs, renewal)
    usage_limit: dict[str, Any] | None = field(default_factory=dict)  # None: no limit data; else overrides
    billing_currency: str = "USD"  # ListSettleBillTotalSummary / DescribeUsageLimit currency
    business_error_apis: dict[str, str] = field(default_factory=dict)  # envelope Api -> ret[0]
    logs_failure: str = ""  # non-empty: the logs payload is {success:false, message}
    logs_burst: dict[str, Any] | None = None  # {calls, failed_pct, minutes}: calls before now (burst.py)


@dataclass
class Faults:
    """Fault knobs. Counters ("next N calls") decrement as calls consume them."""

    latency_ms: int = 0
    latency_by_action: dict[str, int] = field(default_factory=dict)
    http_error_next: int = 0  # next N data calls answer HTTP `http_status`
    http_status: int = 500
    http_error_actions: dict[str, int] = field(default_factory=dict)  # action -> status, until cleared
    gateway_error_actions: dict[str, str] = field(default_factory=dict)  # action -> code ("*" = all)
    gateway_error_message: str = "Request was denied due to user flow control."
    business_error: str = ""  # e.g. "FAIL_BIZ::Coding plan service unavailable" for the envelope call
    malformed_next: int = 0  # next N data calls answer broken JSON
    malformed_actions: set[str] = field(default_factory=set)
    slow_down_next: int = 0  # next N device polls answer slow_down
    deny_all: bool = False  # every pending device code is denied at its next poll
    expire_all_codes: bool = False
    auto_approve_after: int | None = None  # approve a code after N pending polls


@dataclass
class DeviceCode:
    token: str
    user_code: str
    client_id: str
    challenge: str | None
    created: datetime
    expires_at: datetime
    interval: int
    polls: int = 0
    decision: str = "pending"  # pending | approved | denied | consumed


@dataclass
class Token:
    value: str
    user: dict[str, str]
    expires_at: datetime


class SimState:
    def __init__(
        self,
        *,
        dataset: Dataset,
        now: datetime | None,
        token_ttl: int,
        device_interval: int,
        device_expires_in: int,
        cli_compat: bool,
        faults: Faults,
    ) -> None:
        self.lock = threading.RLock()
        self.dataset = dataset
        self.frozen_now = now
        self.token_ttl = token_ttl
        self.device_interval = device_interval
        self.device_expires_in = device_expires_in
        self.cli_compat = cli_compat
        self.faults = faults
        self.billing = BillingKnobs()  # call-log, billing and subscription knobs (reset with the faults)
        self.codes: dict[str, DeviceCode] = {}
        self.tokens: dict[str, Token] = {}
        self.calls: list[dict[str, Any]] = []  # every data call (action, params, received_ms), for assertions
        self.in_flight = 0  # requests received and not yet answered (control requests not counted)
        self.started = time.monotonic()

    def now(self) -> datetime:
        return self.frozen_now if self.frozen_now is not None else datetime.now(UTC)

    # -- device flow ------------------------------------------------------------------------------
    def new_code(self, client_id: str, challenge: str | None) -> DeviceCode:
        with self.lock:
            now = self.now()
            code = DeviceCode(
                token=secrets.token_urlsafe(24),
                user_code=_user_code(),
                client_id=client_id,
                challenge=challenge,
                created=now,
                expires_at=now + timedelta(seconds=self.device_expires_in),
                interval=self.device_interval,
            )
            self.codes[code.token] = code
            return code

    def find_code(self, user_code: str) -> DeviceCode | None:
        with self.lock:
            return next((c for c in self.codes.values() if c.user_code == user_code.upper()), None)

    def decide(self, user_code: str | None, decision: str) -> int:
        """Approve or deny one pending code (by user code) or, without one, every pending code."""
        with self.lock:
            hits = [
                c
                for c in self.codes.values()
                if c.decision == "pending" and (user_code is None or c.user_code == user_code.upper())
            ]
            for code in hits:
                code.decision = decision
            return len(hits)

    def issue_token(self, user: dict[str, str] | None = None, ttl: int | None = None) -> Token:
        with self.lock:
            token = Token(
                value="qc_at_" + secrets.token_urlsafe(32),
                user=dict(user or TEST_USER),
                expires_at=self.now() + timedelta(seconds=self.token_ttl if ttl is None else ttl),
            )
            self.tokens[token.value] = token
            return token

    def check_token(self, value: str) -> Token | None:
        with self.lock:
            token = self.tokens.get(value)
            return token if token is not None and token.expires_at > self.now() else None

    def expire_tokens(self) -> int:
        with self.lock:
            for token in self.tokens.values():
                token.expires_at = self.now() - timedelta(seconds=1)
            return len(self.tokens)

    # -- fault counters -----------------------------------------------------------------------------
    def take(self, counter: str) -> bool:
        """Consume one unit of a "next N" counter; True if the fault applies to this call."""
        with self.lock:
            left = getattr(self.faults, counter)
            if left > 0:
                setattr(self.faults, counter, left - 1)
                return True
            return False

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            faults = dict(vars(self.faults))
            faults["malformed_actions"] = sorted(self.faults.malformed_actions)
            return {
                "now": self.now().isoformat().replace("+00:00", "Z"),
                "frozen": self.frozen_now is not None,
                "seed": self.dataset.seed,
                "cli_compat": self.cli_compat,
                "coding_plan": self.dataset.coding_plan,
                "empty_usage": self.dataset.empty_usage,
                "token_ttl": self.token_ttl,
                "device_interval": self.device_interval,
                "device_expires_in": self.device_expires_in,
                "faults": faults,
                "billing": dict(vars(self.billing)),
                "device_codes": [
                    {
                        "user_code": c.user_code,
                        "decision": c.decision,
                        "polls": c.polls,
                        "expires_at": c.expires_at.isoformat(),
                    }
                    for c in self.codes.values()
                ],
                "tokens": len(self.tokens),
                "calls": len(self.calls),
                "in_flight": self.in_flight,
                "started_monotonic": self.started,  # received_ms in /_sim/calls counts from here
            }


def _user_code() -> str:
    alphabet = "BCDFGHJKLMNPQRSTVWXZ"
    raw = "".join(secrets.choice(alphabet) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"
