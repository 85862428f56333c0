"""Block Kit messages: presentation order, fallback text, Slack's limits (checked by the local workspace's
own validator), the error table."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from bot.base import errors
from bot.base.periods import DateRange
from bot.core.analysis import FreeTierBurn, PaygChange, TopModel
from bot.devtools.localslack.blockcheck import block_problem
from bot.qwencloud.models import FreeTierQuota
from bot.qwencloud.results import (
    Breakdown,
    BreakdownRow,
    CodingPlan,
    CodingWindow,
    FreeTierEntry,
    Payg,
    PaygModel,
    Summary,
    TokenPlan,
)
from bot.render import messages as render
from bot.render.blocks import (
    MAX_BLOCKS,
    MAX_BUTTON_TEXT,
    MAX_CONTEXT,
    MAX_FIELDS,
    MAX_HEADER,
    MAX_SECTION,
    MAX_VALUE,
    Message,
    button,
    code_sections,
    context,
    fields,
    fit,
    header,
    section,
)
from bot.render.usage import breakdown_message, money, num, summary_message

AT = datetime(2026, 4, 10, 12, 0, tzinfo=UTC)
MARCH = DateRange(date(2026, 3, 1), date(2026, 3, 31))


def _summary(models: int = 3, free: int = 2) -> Summary:
    quota = FreeTierQuota("t", Decimal(850_000), Decimal(1_000_000), "tokens", 15.0, "valid", None)
    entries = tuple(FreeTierEntry(f"free-{i}", quota) for i in range(free))
    payg = Payg(
        tuple(
            PaygModel(f"model-{i}", (("tokens", 1000 * i),), Decimal(i) / 10) for i in range(1, models + 1)
        ),
        sum((Decimal(i) / 10 for i in range(1, models + 1)), Decimal(0)),
    )
    window = CodingWindow(Decimal(4800), Decimal(6000), 20.0, None)
    plan = CodingPlan(True, "PRO", window, window, window, Decimal(50))
    return Summary(MARCH, entries, plan, TokenPlan(False), payg)


def _ok(message: Message) -> dict[str, object]:
    payload = message.payload()
    assert payload["text"], "fallback text is always sent"
    assert block_problem(payload["blocks"]) is None  # type: ignore[arg-type]
    return payload


def test_summary_is_figures_divider_analysis_context() -> None:
    findings = [TopModel("model-3", Decimal("0.3"), 50.0, 3)]
    message = summary_message(_summary(), findings, tz_name="Europe/Paris", fetched_at=AT)
    payload = _ok(message)
    types = [b["type"] for b in payload["blocks"]]  # type: ignore[union-attr]
    assert types[0] == "header"
    d = types.index("divider")
    assert "section" in types[1:d] and types[d + 1] == "section" and types[-1] == "context"
    analysis = payload["blocks"][d + 1]["text"]["text"]  # type: ignore[index]
    assert analysis.startswith("*Analysis*") and "`model-3` is 50%" in analysis
    ctx = payload["blocks"][-1]["elements"][0]["text"]  # type: ignore[index]
    assert "2026-03-01 → 2026-03-31" in ctx and "Europe/Paris" in ctx and "USD" in ctx and "2026-04-10" in ctx
    assert not str(payload["text"]).lower().startswith("here")
    flat = repr(payload["blocks"])
    assert "$0.6" in flat and "`model-3`" in flat and "4,800 / 6,000 req · 20% used" in flat


def test_text_layout_goes_verbatim_in_code_blocks_then_analysis() -> None:
    layout = "  Usage Summary  ·  2026-03-31\n\n  ── Pay-as-you-go ───\n  qwen-plus  480K tok  $0.38  "
    message = summary_message(_summary(), [], tz_name="UTC", fetched_at=AT, text_layout=layout)
    blocks = _ok(message)["blocks"]
    assert blocks[1]["text"]["text"] == f"```{layout}```"  # type: ignore[index]
    assert blocks[2]["type"] == "divider"  # type: ignore[index]


def test_long_text_layout_splits_on_lines_and_keeps_every_character() -> None:
    lines = [f"  row {i:04d}  " + "x" * 60 for i in range(400)]  # ~30k chars
    text = "\n".join(lines)
    sections = code_sections(text)
    assert len(sections) > 1
    assert all(len(s["text"]["text"]) <= MAX_SECTION for s in sections)
    assert "\n".join(s["text"]["text"][3:-3] for s in sections) == text


def test_overlong_single_line_is_hard_split() -> None:
    sections = code_sections("y" * 7000)
    assert all(len(s["text"]["text"]) <= MAX_SECTION for s in sections)
    assert "".join(s["text"]["text"][3:-3] for s in sections) == "y" * 7000


def test_many_models_stay_within_limits() -> None:
    message = summary_message(_summary(models=400, free=300), [], tz_name="UTC", fetched_at=AT)
    payload = _ok(message)
    assert "more models" in repr(payload["blocks"])


def test_fit_cuts_to_50_blocks_keeping_the_actions_and_saying_so() -> None:
    blocks = [section(f"s{i}") for i in range(80)] + [context("ctx"), {"type": "actions", "elements": []}]
    out = fit(blocks)
    assert len(out) == MAX_BLOCKS
    assert out[-1]["type"] == "actions" and out[-2] == context("ctx")
    assert "left out" in out[-3]["elements"][0]["text"]


def test_element_limits() -> None:
    assert len(header("h" * 500)["text"]["text"]) == MAX_HEADER
    assert len(section("s" * 5000)["text"]["text"]) == MAX_SECTION
    assert all(len(f["fields"]) <= MAX_FIELDS for f in fields([str(i) for i in range(25)]))
    assert len(fields([str(i) for i in range(25)])) == 3
    assert len(context("c" * 5000)["elements"][0]["text"]) == MAX_CONTEXT
    b = button("b" * 100, "a" * 300, value="v" * 5000)
    assert (
        len(b["text"]["text"]) == MAX_BUTTON_TEXT
        and len(b["value"]) == MAX_VALUE
        and len(b["action_id"]) == 255
    )
    assert section("s" * 5000)["text"]["text"].endswith("…")


def test_fallback_text_is_capped() -> None:
    assert len(str(Message("t" * 50_000).payload()["text"])) <= 3000


def test_breakdown_message() -> None:
    rows = tuple(BreakdownRow(f"2026-03-{d:02d}", Decimal(d) / 100, d * 1000, ()) for d in range(1, 32))
    total = BreakdownRow("Total", sum((r.cost for r in rows), Decimal(0)), 496_000, ())
    b = Breakdown("qwen-plus", MARCH, "day", rows, total, "tokens")
    payload = _ok(breakdown_message(b, tz_name="UTC", fetched_at=AT))
    flat = repr(payload["blocks"])
    assert "Busiest day: `2026-03-31`" in flat and money(total.cost) in flat
    assert "Daily breakdown · qwen-plus" in str(payload["text"])


def test_analysis_words() -> None:
    findings = [
        FreeTierBurn("m", Decimal(10), Decimal(100), "tokens", 10.0, Decimal(5), date(2026, 4, 12), None),
        PaygChange(Decimal(20), Decimal(10), 100.0, DateRange(date(2026, 2, 1), date(2026, 2, 28))),
    ]
    text = repr(summary_message(_summary(), findings, tz_name="UTC", fetched_at=AT).payload()["blocks"])
    assert "runs out around *2026-04-12*" in text and "up 100%" in text


@pytest.mark.parametrize(
    ("value", "shown"), [(850_000, "850K"), (1_000_000, "1M"), (4800, "4.8K"), (999, "999")]
)
def test_numbers_like_the_cli(value: int, shown: str) -> None:
    assert num(value) == shown


@pytest.mark.parametrize(
    ("exc", "words", "login"),
    [
        (errors.AuthRequired(), "not linked", True),
        (errors.TokenExpired(), "expired", True),
        (errors.TokenRejected(401), "rejected", True),
        (errors.NetworkError("refused"), "couldn't reach QwenCloud", False),
        (errors.GatewayError("boom", request_id="req-1"), "answered with an error: boom", False),
        (errors.ModelNotFound("qwen-plu", "qwen-plus"), "Did you mean 'qwen-plus'", False),
        (errors.InvalidArgument("Invalid granularity 'week'."), "Invalid granularity", False),
        (errors.ConfigError("no keys"), "not configured", False),
        (RuntimeError("secret stack detail"), "went wrong on my side", False),
    ],
)
def test_error_table(exc: BaseException, words: str, login: bool) -> None:
    payload = _ok(render.error_message(exc))
    flat = repr(payload["blocks"])
    assert words in flat
    assert (render.LOGIN_ACTION in flat) is login
    assert "Traceback" not in flat and "secret stack detail" not in flat
    if isinstance(exc, errors.GatewayError):
        assert "req-1" in flat


def test_usage_error_shows_the_usage_text() -> None:
    from bot.core.grammar.usage import parse

    with pytest.raises(errors.UsageError) as info:
        parse("nonsense words", today=date(2026, 4, 10))
    flat = repr(_ok(render.error_message(info.value))["blocks"])
    assert "Usage: /qwen" in flat and "nonsense words" in flat


def test_login_link_and_status() -> None:
    link = _ok(render.login_link("https://qwen.example/verify?c=1", expires_in=600))
    assert "https://qwen.example/verify?c=1" in repr(link["blocks"]) and "10 min" in str(link["text"])
    view = render.StatusView(linked=True, who="dev@example.com", expires_at=AT)
    status = _ok(render.status_message(view, tz_name="Asia/Tokyo"))
    assert "dev@example.com" in str(status["text"]) and "2026-04-10 21:00 JST" in str(status["text"])


def test_help_lists_the_team_commands_compactly() -> None:
    message = render.help_message()
    shown = "\n".join(str(b["text"]["text"]) for b in message.blocks if b["type"] == "section")
    for words in (
        "digest subscribe|list|unsubscribe|preview",
        "alert add|list|remove",
        "link NAME",
        "relink NAME",
        "unlink NAME",
        "accounts",
        "admins",
    ):
        assert words in shown and words in message.text, words
    assert len(message.blocks) <= 3  # header + the usage text in one or two code sections
    assert block_problem(message.blocks) is None
