"""Is there a newer qwen-usage-bot? The latest version as the package index tells it (`qwen-bot version
--check`, `/qwen version check` for admins). The index URL is a setting (QWEN_BOT_VERSION_INDEX_URL) so tests
and mirrors point it elsewhere; the answer may be the index's JSON project page (PEP 691/700 `versions`),
a JSON API document (`info.version`) or a release (`tag_name`), as a mirror or release page serves it."""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from typing import Any

import httpx

from bot.base.errors import ConfigError, NetworkError
from bot.base.redact import redact_url

PROJECT = "qwen-usage-bot"
_ACCEPT = "application/vnd.pypi.simple.v1+json, application/json;q=0.9"
_STABLE = re.compile(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$")


@dataclass(frozen=True, slots=True)
class VersionCheck:
    current: str
    latest: str
    update_available: bool


class ReleaseCheck:
    """The version check as a service: bootstrap hands it the shared HTTP client and the index URL."""

    def __init__(self, *, http: httpx.Client, url: str | None, current: str) -> None:
        self._http = http
        self._url = url
        self._current = current

    def check(self) -> VersionCheck:
        return check(self._http, self._url or default_index(), current=self._current)


def default_index() -> str:
    """The project page on the index pip installs from by default, asked of pip itself."""
    try:
        index = importlib.import_module("pip._internal.models.index")
        return f"{index.PyPI.simple_url.rstrip('/')}/{PROJECT}/"
    except (ImportError, AttributeError) as exc:
        raise ConfigError("No package index to ask: set QWEN_BOT_VERSION_INDEX_URL.") from exc


def check(http: httpx.Client, url: str, *, current: str, timeout: float = 5.0) -> VersionCheck:
    latest = latest_version(http, url, timeout=timeout)
    return VersionCheck(current, latest, compare(current, latest) < 0)


def latest_version(http: httpx.Client, url: str, *, timeout: float = 5.0) -> str:
    """The newest stable version the index lists; NetworkError (exit 3) when it cannot be read."""
    where = redact_url(url)
    try:
        response = http.get(url, headers={"Accept": _ACCEPT}, timeout=timeout, follow_redirects=True)
    except httpx.HTTPError as exc:
        raise NetworkError(f"Could not reach the package index at {where} ({type(exc).__name__}).") from None
    if response.status_code != 200:
        raise NetworkError(f"The package index at {where} answered HTTP {response.status_code}.")
    try:
        found = _version_in(response.json())
    except ValueError:
        found = None
    if found is None:
        raise NetworkError(f"The package index at {where} did not say which version is the latest.")
    return found


def _version_in(body: Any) -> str | None:
    if not isinstance(body, dict):
        return None
    versions = body.get("versions")
    if isinstance(versions, list):
        stable = [str(v) for v in versions if _STABLE.match(str(v))]
        return max(stable, key=_key) if stable else None
    info = body.get("info")
    if isinstance(info, dict) and isinstance(info.get("version"), str):
        return str(info["version"])
    tag = body.get("tag_name")
    return tag.removeprefix("v") if isinstance(tag, str) and tag else None


def compare(a: str, b: str) -> int:
    """-1, 0 or 1 on major.minor.patch, as the official CLI compares (pre-release tags ignored)."""
    ka, kb = _key(a), _key(b)
    return (ka > kb) - (ka < kb)


def _key(version: str) -> tuple[int, int, int]:
    parts = [int(m) for m in re.findall(r"\d+", version.split("-", 1)[0].split("+", 1)[0])[:3]]
    major, minor, patch = [*parts, 0, 0, 0][:3]
    return major, minor, patch
