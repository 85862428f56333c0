"""Masking secrets out of URLs and free text before they reach a log line or an error message."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters whose values are secrets on the QwenCloud wire (device token, PKCE verifier) or elsewhere.
SECRET_PARAMS = frozenset(
    {"token", "code_verifier", "client_secret", "access_token", "refresh_token", "code"}
)
MASK = "***"

_BEARER = re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]+")
_QUERY_SECRET = re.compile(r"(?i)([?&](?:" + "|".join(sorted(SECRET_PARAMS)) + r")=)[^&#\s\"']*")
# The same names in free text (a server echoing a request), except the ambiguous `code`.
_TEXT_SECRET = re.compile(
    r"(?i)\b((?:token|code_verifier|client_secret|access_token|refresh_token)=)[^&#\s\"']*"
)
# Slack tokens look like xoxb-..., xoxp-..., xapp-...; mask them wherever they appear.
_SLACK_TOKEN = re.compile(r"\b(xox[abposr]|xapp)-[A-Za-z0-9-]+")
_JSON_SECRET = re.compile(
    r"(?i)(\"(?:access_token|accesstoken|token|code_verifier|client_secret)\"\s*:\s*\")[^\"]*"
)


def redact_url(url: str) -> str:
    """The URL with the values of secret query parameters replaced by ***."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return redact_text(url)
    if not parts.query:
        return url
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    cleaned = [(k, MASK if k.lower() in SECRET_PARAMS else v) for k, v in pairs]
    return urlunsplit(parts._replace(query=urlencode(cleaned, safe="*")))


def redact_text(text: str) -> str:
    """Free text with bearer tokens, secret query values, Slack tokens and secret JSON fields masked."""
    text = _BEARER.sub(lambda m: m.group(1) + MASK, text)
    text = _QUERY_SECRET.sub(lambda m: m.group(1) + MASK, text)
    text = _TEXT_SECRET.sub(lambda m: m.group(1) + MASK, text)
    text = _SLACK_TOKEN.sub(lambda m: m.group(1) + "-" + MASK, text)
    return _JSON_SECRET.sub(lambda m: m.group(1) + MASK, text)
