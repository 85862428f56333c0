"""Device flow (`/cli/device/*`), the human verification page and `/api/account/info.json`."""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
from typing import Any

from bot.devtools.simulator.state import SimState

Reply = tuple[int, dict[str, Any]]


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def device_code(state: SimState, query: dict[str, str], base_url: str) -> Reply:
    client_id = query.get("client_id", "")
    if not client_id:
        return 400, {"Success": False, "Code": "invalid_request", "Message": "client_id is required"}
    challenge = query.get("code_challenge")
    if challenge and query.get("code_challenge_method", "S256") != "S256":
        return 400, {"Success": False, "Code": "invalid_request", "Message": "only S256 is supported"}
    code = state.new_code(client_id, challenge)
    return 200, {
        "Success": True,
        "RequestId": code.token[:8],
        "Data": {
            "Token": code.token,
            "UserCode": code.user_code,
            "VerificationUrl": f"{base_url}/cli/device/verify?user_code={code.user_code}",
            "ExpiresIn": state.device_expires_in,
            "Interval": code.interval,
        },
    }


def _status(status: str) -> Reply:
    return 200, {"Success": True, "Data": {"Status": status}}


def device_token(state: SimState, query: dict[str, str]) -> Reply:
    with state.lock:
        code = state.codes.get(query.get("token", ""))
        if code is None or code.decision == "consumed":
            return _status("expired_token")
        if query.get("client_id") != code.client_id:
            return 400, {"Success": False, "Code": "invalid_client", "Message": "client_id does not match"}
        if code.challenge and not hmac.compare_digest(s256(query.get("code_verifier", "")), code.challenge):
            return 400, {"Success": False, "Code": "invalid_grant", "Message": "PKCE verification failed"}
        if state.faults.expire_all_codes or state.now() >= code.expires_at:
            return _status("expired_token")
        if state.take("slow_down_next"):
            return _status("slow_down")
        code.polls += 1
        if state.faults.deny_all and code.decision == "pending":
            code.decision = "denied"
        after = state.faults.auto_approve_after
        if code.decision == "pending" and after is not None and code.polls > after:
            code.decision = "approved"
        if code.decision == "denied":
            return _status("access_denied")
        if code.decision != "approved":
            return _status("authorization_pending")
        code.decision = "consumed"
        token = state.issue_token()
    return 200, {
        "Success": True,
        "Data": {
            "Status": "complete",
            "Credentials": {
                "AccessToken": token.value,
                "ExpireTime": token.expires_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
                "User": token.user,
            },
        },
    }


def account_info(state: SimState, bearer: str) -> Reply:
    token = state.check_token(bearer)
    if token is None:
        return 401, {
            "code": "InvalidToken",
            "message": "The access token is invalid or expired.",
            "success": False,
        }
    user = token.user
    return 200, {
        "code": "200",
        "success": True,
        "data": {
            "aliyunId": user.get("AliyunId", ""),
            "email": user.get("Email", ""),
            "userId": user.get("Id", ""),
        },
    }


_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>QwenCloud simulator: {title}</title>
<style>body{{font-family:sans-serif;max-width:32rem;margin:3rem auto}}
button{{font-size:1rem;margin-right:1rem}}
code{{font-size:1.4rem}}</style></head><body><h1>{title}</h1>{body}</body></html>"""


def page(title: str, body: str) -> bytes:
    return _PAGE.format(title=html.escape(title), body=body).encode()


def verify_page(state: SimState, user_code: str) -> tuple[int, bytes]:
    code = state.find_code(user_code) if user_code else None
    if code is None:
        return 404, page(
            "Unknown code", "<p>No device login with this code. Start again from your terminal.</p>"
        )
    safe = html.escape(code.user_code)
    if code.decision != "pending":
        return 200, page(
            "Already answered", f"<p>Code <code>{safe}</code> is {html.escape(code.decision)}.</p>"
        )
    form = (
        f"<p>Sign in request with code <code>{safe}</code> for {html.escape(code.client_id)}.</p>"
        '<form method="post" action="/cli/device/verify">'
        f'<input type="hidden" name="user_code" value="{safe}">'
        '<button name="decision" value="approve" type="submit">Approve</button>'
        '<button name="decision" value="deny" type="submit">Deny</button></form>'
    )
    return 200, page("Authorize QwenCloud CLI", form)


def verify_submit(state: SimState, form: dict[str, str]) -> tuple[int, bytes]:
    user_code = form.get("user_code", "")
    decision = {"approve": "approved", "deny": "denied"}.get(form.get("decision", ""))
    if decision is None or not user_code:
        return 400, page("Bad request", "<p>Choose Approve or Deny.</p>")
    if state.decide(user_code, decision) == 0:
        return 409, page("Not pending", "<p>This code is unknown, expired or already answered.</p>")
    words = "approved. Return to your terminal." if decision == "approved" else "denied."
    return 200, page("Done", f'<p id="result">Login {words}</p>')
