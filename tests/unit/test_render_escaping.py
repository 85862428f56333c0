"""Issue 11 item 6: text we did not write (model ids and plan names from QwenCloud, account names, error
details with user text) reaches Slack mrkdwn escaped (bot/render/mrkdwn.py), code spans included: a
`<!channel>` or `<https://x|label>` in it can neither ping nor disguise a link."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.base import errors
from bot.base.periods import DateRange
from bot.qwencloud.models import FreeTierQuota
from bot.qwencloud.results import CodingPlan, CodingWindow, FreeTierEntry, Payg, PaygModel, Summary, TokenPlan
from bot.render import messages as render
from bot.render.blocks import code_sections
from bot.render.mrkdwn import code, esc
from bot.render.usage import summary_message

EVIL = ("<!channel>", "<https://evil.example|qwen-plus>", "<@U_ADMIN>", "a&b")
AT = datetime(2026, 4, 10, 12, 0, tzinfo=UTC)


def _mrkdwn_texts(payload: object) -> list[str]:
    """Every mrkdwn string in a Block Kit payload (plain_text cannot ping or link)."""
    out: list[str] = []
    if isinstance(payload, dict):
        if payload.get("type") == "mrkdwn":
            out.append(str(payload.get("text")))
        for value in payload.values():
            out += _mrkdwn_texts(value)
    elif isinstance(payload, list):
        for item in payload:
            out += _mrkdwn_texts(item)
    return out


def _clean(texts: list[str]) -> None:
    for text in texts:
        for bad in EVIL:
            assert bad not in text, text


@pytest.mark.parametrize("evil", EVIL)
def test_summary_with_hostile_model_and_plan_names(evil: str) -> None:
    quota = FreeTierQuota("t", Decimal(5), Decimal(10), evil, 50.0, "valid", None)
    window = CodingWindow(Decimal(1), Decimal(2), 50.0, None)
    summary = Summary(
        DateRange(date(2026, 3, 1), date(2026, 3, 31)),
        (FreeTierEntry(evil, quota),),
        CodingPlan(True, evil, window, window, window, Decimal(50)),
        TokenPlan(False),
        Payg((PaygModel(evil, (("tokens", 5),), Decimal(1)),), Decimal(1)),
    )
    for layout in (None, f"  {evil}  480K tok  $0.38"):
        payload = summary_message(summary, [], tz_name="UTC", fetched_at=AT, text_layout=layout).payload()
        _clean(_mrkdwn_texts(payload["blocks"]))
        assert esc(evil) in json.dumps(payload["blocks"], ensure_ascii=False)  # shown, not dropped


@pytest.mark.parametrize("evil", EVIL)
def test_errors_and_names_with_user_text(evil: str) -> None:
    failures = (errors.NotFound(f"No account named *{evil}*"), errors.UsageError(f"I don't get '{evil}'."))
    for exc in failures:
        _clean(_mrkdwn_texts(render.error_message(exc).payload()["blocks"]))
    _clean(_mrkdwn_texts(render.login_done(evil).payload()["blocks"]))
    _clean(_mrkdwn_texts(render.already_linked(evil).payload()["blocks"]))


@given(st.text(max_size=200))
def test_esc_leaves_no_angle_bracket_and_round_trips(text: str) -> None:
    escaped = esc(text)
    assert "<" not in escaped and ">" not in escaped
    assert escaped.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") == text


@given(st.text(max_size=200))
def test_a_code_span_of_any_text_stays_one_span(text: str) -> None:
    span = code(text)
    assert span.startswith("`") and span.endswith("`") and span.count("`") == 2
    assert "<" not in span and ">" not in span


def test_a_backtick_in_a_model_name_cannot_end_its_span_early() -> None:
    evil = "qwen` *bold* <!here>"
    payload = summary_message(
        Summary(
            DateRange(date(2026, 3, 1), date(2026, 3, 31)), (), CodingPlan(False), TokenPlan(False),
            Payg((PaygModel(evil, (("tokens", 5),), Decimal(1)),), Decimal(1)),
        ),
        [], tz_name="UTC", fetched_at=AT,
    ).payload()
    text = json.dumps(payload["blocks"], ensure_ascii=False)
    assert "`qwen\u02cb *bold* &lt;!here&gt;`" in text


def test_code_sections_never_split_an_entity() -> None:
    sections = code_sections("<" * 7000)
    for s in sections:
        body = s["text"]["text"][3:-3]
        assert body.replace("&lt;", "") == "", body[:20]
