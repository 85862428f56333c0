"""`qwen-bot auth login`: init (`--init-only`), poll (`--complete`), or both on a TTY."""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.cli.auth_output import (
    EXPIRED_MSG,
    FAIL,
    LOGIN_CMD,
    NEXT_STEP,
    NO_PENDING_MSG,
    PASS,
    SOURCE,
    emit,
    is_interactive,
    remaining,
    server_check,
    server_iso,
    sleep_until,
)
from bot.jobs.worker import new_worker_id
from bot.storage.owner import Owner
from bot.storage.pending import PendingLogin

LEASE = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class Result:
    status: str  # complete | denied | expired | failed | timeout
    aliyun_id: str = ""
    message: str = ""


class TerminalLogin:
    def __init__(self, services: Any, owner: Owner, fmt: str) -> None:
        self.s = services
        self.owner = owner
        self.json = fmt == "json"
        self.worker_id = "cli:" + new_worker_id()

    def run(self, *, init_only: bool, complete: bool, timeout: float) -> int:
        if complete:
            return self.complete(timeout)
        if init_only:
            return self.init_only()
        if not is_interactive():
            sys.stderr.write("Non-interactive environment detected. Running in --init-only mode.\n")
            return self.init_only()
        return self.interactive(timeout)

    # -- already logged in
    def _already(self, *, wrapped: bool) -> bool:
        now = self.s.clock.now()
        cred = self.s.credentials.get(self.owner)
        if cred is None or cred.is_expired(now):
            return False
        verified, _warning, aliyun = server_check(self.s, cred)
        aliyun = aliyun or "unknown"
        left = remaining(cred.expires_at, now)
        event = {
            "event": "already_authenticated",
            "authenticated": True,
            "source": SOURCE,
            "server_verified": verified,
            "user": {"aliyunId": aliyun},
            "token": {"expires_at": server_iso(cred.expires_at), "remaining": left},
        }
        if wrapped:
            emit({"events": [event]})
        elif self.json:
            emit(event, compact=True)
        else:
            print(f"\n  {PASS} Already authenticated as {aliyun}\n  Token expires in {left}")
            print(f"  Credential source: {SOURCE}\n  To re-login, run: qwen-bot auth logout first\n")
        return True

    # -- the three modes
    def init_only(self) -> int:
        if self._already(wrapped=True):
            return 0
        view = self.s.login.start(self.owner)
        expires_in = view.expires_in(self.s.clock.now())
        sys.stderr.write(f"Open the URL to authorize, then run `{NEXT_STEP}` to complete login.\n")
        event = {
            "event": "device_code",
            "verification_url": view.verification_url,
            "expires_in": expires_in,
            "expires_in_seconds": expires_in,
            "next_step": NEXT_STEP,
        }
        emit({"events": [event]})
        return 0

    def complete(self, timeout: float) -> int:
        row = self.s.pending_logins.latest_for_owner(self.owner)
        if row is None or row.status != "pending":
            return self._report(Result("failed", message=NO_PENDING_MSG), wrapped=True)
        result = self._wait(row, timeout) if row.expires_at > self.s.clock.now() else Result("expired")
        return self._report(result, wrapped=True)

    def interactive(self, timeout: float) -> int:
        if self._already(wrapped=False):
            return 0
        view = self.s.login.start(self.owner)
        expires_in = view.expires_in(self.s.clock.now())
        if self.json:
            emit(
                {
                    "event": "device_code",
                    "verification_url": view.verification_url,
                    "expires_in": expires_in,
                    "expires_in_seconds": expires_in,
                },
                compact=True,
            )
        else:
            print(f"\n  Visit this URL to authorize:\n  {view.verification_url}\n")
            sys.stdout.write("  Waiting for authorization...")
            sys.stdout.flush()
        row = self.s.pending_logins.get(view.id)
        result = self._wait(row, max(timeout, float(expires_in))) if row else Result("failed", message="lost")
        return self._report(result, wrapped=False)

    # -- polling in the foreground (the same state machine the worker drives)
    def _wait(self, row: PendingLogin, timeout: float) -> Result:
        now = self.s.clock.now()
        window = min(timeout, max(10.0, (row.expires_at - now).total_seconds()))
        deadline = time.monotonic() + window
        attempts = max(1, math.ceil(window / max(1, row.interval)))
        every = max(1, round(10 / max(1, row.interval)))
        attempt = 0
        while time.monotonic() < deadline:
            sleep_until(deadline, row.next_poll_at - self.s.clock.now())
            claimed = self.s.pending_logins.claim(
                row.id, worker_id=self.worker_id, now=self.s.clock.now(), lease=LEASE
            )
            if claimed is not None:
                attempt += 1
                if self.json and attempt % every == 0:
                    sys.stderr.write(f"  Polling... attempt {attempt}/{attempts}\n")
                elif not self.json:
                    sys.stdout.write(".")
                    sys.stdout.flush()
                self.s.login.poll_once(claimed, worker_id=self.worker_id)
            elif time.monotonic() < deadline:  # a worker holds it: look again shortly
                time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))
            fresh = self.s.pending_logins.get(row.id)
            if fresh is None:
                return Result("failed", message=NO_PENDING_MSG)
            if fresh.status != "pending":
                return self._final(fresh.status)
            row = fresh
        return Result("timeout")

    def _final(self, status: str) -> Result:
        if status == "complete":
            cred = self.s.credentials.get(self.owner)
            user = cred.user if cred else None
            return Result("complete", aliyun_id=(user.aliyun_id or user.email or "") if user else "")
        if status == "denied":
            return Result("denied", message="Authorization was denied by the user.")
        if status == "expired":
            return Result("expired")
        return Result("failed", message="Login failed.")

    # -- output
    def _report(self, result: Result, *, wrapped: bool) -> int:
        event = _event(result)
        if self.json:
            emit({"events": [event]}) if wrapped else emit(event, compact=True)
        elif result.status == "complete":
            who = f" as {result.aliyun_id}" if result.aliyun_id else ""
            print(f"\n\n  {PASS} Authenticated{who}\n")
        elif result.status in ("expired", "timeout"):
            print("")
            print(f"  {FAIL} Device code expired. Please try again: {LOGIN_CMD}", file=sys.stderr)
            print("")
        else:
            print(f"  {FAIL} {result.message}", file=sys.stderr)
            print("")
        return 0 if result.status == "complete" else 1


def _event(result: Result) -> dict[str, Any]:
    if result.status == "complete":
        return {"event": "success", "authenticated": True, "user": {"aliyunId": result.aliyun_id}}
    if result.status in ("expired", "timeout"):
        return {"event": "expired", "authenticated": False, "message": EXPIRED_MSG}
    return {"event": "error", "authenticated": False, "message": result.message}
