"""QwenCloudClient: the QwenCloud wire protocol (contract §0-§5) over an injected httpx.Client.

Raw JSON stops here: every public method returns the typed results of bot.qwencloud.models.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import quote, urlsplit

import httpx

from bot.base.errors import DeviceFlowError, HttpError, NetworkError, QwenBotError
from bot.qwencloud import parse
from bot.qwencloud.gateway import Gateway
from bot.qwencloud.http import Transport, json_body
from bot.qwencloud.models import AccountInfo, DeviceCode, DevicePoll
from bot.qwencloud.values import as_dict

log = logging.getLogger("bot.qwencloud")


class QwenCloudClient(Gateway):
    def __init__(
        self,
        *,
        http: httpx.Client,
        api_endpoint: str,
        auth_endpoint: str,
        model_map_url: str,
        timeout: float = 30.0,
        retries: int = 2,
        gateway_url: str | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        transport = (
            Transport(http, retries=retries)
            if sleep is None
            else Transport(http, retries=retries, sleep=sleep)
        )
        api = api_endpoint.rstrip("/")
        super().__init__(
            transport=transport,
            gateway_url=gateway_url or f"{api}/data/v2/api.json",
            model_map_url=model_map_url,
            console_domain=urlsplit(api).netloc or api,
            timeout=timeout,
        )
        self._api = api
        self._auth = auth_endpoint.rstrip("/")

    # -- device flow (auth endpoint); never retried: a repeated init or poll changes server state
    def start_device_flow(self, *, client_id: str, code_challenge: str) -> DeviceCode:
        url = (
            f"{self._auth}/cli/device/code?client_id={quote(client_id, safe='')}"
            f"&code_challenge={quote(code_challenge, safe='')}&code_challenge_method=S256"
        )
        try:
            response = self._transport.send("POST", url, timeout=self._timeout, idempotent=False)
            body = json_body(response)
        except QwenBotError as exc:
            if isinstance(exc, NetworkError):
                raise
            raise DeviceFlowError(f"Device flow init failed: {exc.message}", kind="init_failed") from exc
        return parse.device_code(body)

    def poll_device_flow(self, *, client_id: str, device_token: str, code_verifier: str) -> DevicePoll:
        url = (
            f"{self._auth}/cli/device/token?client_id={quote(client_id, safe='')}"
            f"&token={quote(device_token, safe='')}&code_verifier={quote(code_verifier, safe='')}"
        )
        try:
            response = self._transport.send("POST", url, timeout=self._timeout, idempotent=False)
        except HttpError as exc:
            # Like the official CLI: an error answer naming a terminal state is that state.
            status = parse.poll_status_from_error(exc.message)
            if status is None:
                raise
            return DevicePoll(status=status)
        return parse.device_poll(json_body(response))

    def account_info(self, access_token: str, *, timeout: float = 3.0) -> AccountInfo:
        url = f"{self._api}/api/account/info.json"
        response = self._transport.send("GET", url, timeout=timeout, idempotent=True, token=access_token)
        data = as_dict(as_dict(json_body(response)).get("data"))
        return parse.account_info(data)

    def logout(self, access_token: str) -> None:
        """Best effort: the local credential is deleted whatever the server says."""
        try:
            self.flat("qwencloud-auth", "Logout", {}, token=access_token, idempotent=False)
        except QwenBotError as exc:
            log.info("logout call failed (ignored): %s", type(exc).__name__)
        except Exception:  # a logout must never fail the caller
            log.exception("logout call failed unexpectedly (ignored)")
