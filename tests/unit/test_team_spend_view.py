"""The billing figures of the team features: the digest's top API keys and spend-limit line, the App Home's
gauge and error rate, the error-rate and spend-limit alert readings."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

from bot.core.analysis import TopModel
from bot.core.calls import ErrorRate
from bot.core.limit import LimitStatus
from bot.core.spend import KeySpend, TopKeys
from bot.storage.team_store import AlertRule
from bot.team.digest_extras import DigestExtras
from bot.team.digest_view import digest_message
from bot.team.home_gauges import Gauges
from bot.team.home_gauges_view import gauge_blocks
from bot.team.jobs.alert_kinds import Readings
from bot.team.jobs.alerts import Snapshot, measure
from bot.team.spend_view import api_key_lines, error_rate_line, gauge_bar, limit_gauge, limit_line, limit_note
from tests.unit.test_team_digest_view import report

NOW = datetime(2026, 4, 13, 9, 0, tzinfo=UTC)
KEYS = TopKeys(
    rows=(
        KeySpend("ak-1", "prod<!channel>", Decimal("2.361215")),
        KeySpend("ak-2", "", Decimal("1.167704")),
        KeySpend("", "", Decimal("0.704063")),
    ),
    other=Decimal("0.446429"),
    total=Decimal("4.679411"),
    currency="USD",
    tax=Decimal("0.386373"),
)


def limit(used: str | None, *, projected: date | None = None, mtd: str = "52") -> LimitStatus:
    return LimitStatus(
        status="active",
        limit=None if used is None else Decimal(100),
        currency="USD",
        alert_threshold=Decimal(80),
        month_to_date=Decimal(mtd),
        used_pct=None if used is None else Decimal(used),
        projected=projected,
        as_of=date(2026, 4, 13),
    )


def test_api_key_rows_escape_server_text_and_name_the_rest() -> None:
    text = api_key_lines(KEYS)
    lines = text.split("\n")
    assert lines[0] == "*Top API keys* · $4.6794 incl. tax"
    assert lines[1] == "`prod&lt;!channel&gt;`  $2.3612 · 50.46%"  # a key name cannot mention anyone
    assert lines[2].startswith("`ak-2`  $1.1677")  # no display name: the key id
    assert lines[3].startswith("_no API key_  $0.7041")
    assert lines[4].startswith("other keys and tax  $0.4464 · 9.54%")
    only_tax = replace(KEYS, other=KEYS.tax)
    assert api_key_lines(only_tax).split("\n")[4].startswith("tax  $0.3864")
    no_tax = replace(KEYS, tax=Decimal(0))
    assert api_key_lines(no_tax).split("\n")[4].startswith("other keys  ")
    assert "No spend by API key" in api_key_lines(TopKeys((), Decimal(0), Decimal(0), "USD"))


def test_limit_line() -> None:
    assert limit_line(limit("52")) == "Spend limit: 52% used ($52 of $100)"
    assert limit_line(limit("52.125", projected=date(2026, 4, 24))).endswith("· at this pace reached Apr 24")
    assert limit_line(limit(None)) == "Spend limit: no spend limit set"
    assert limit_line(replace(limit("52"), currency="CNY")) == "Spend limit: 52% used (52 CNY of 100 CNY)"


def test_gauge_bar_and_text() -> None:
    assert gauge_bar(Decimal(52)) == "▓▓▓▓▓░░░░░"
    assert gauge_bar(Decimal(0)) == "░" * 10 and gauge_bar(Decimal(130)) == "▓" * 10
    text = limit_gauge(limit("52", projected=date(2026, 4, 24)))
    assert "`▓▓▓▓▓░░░░░` 52% used" in text
    assert "$52 of $100 this month · at this pace reached Apr 24" in text
    assert "not reached this month" in limit_gauge(limit("10", mtd="10"))
    assert ":warning:" in limit_gauge(limit("130", mtd="130"))
    assert "No spend limit set · $52 spent this month" in limit_gauge(limit(None))


def test_error_rate_line() -> None:
    rate = ErrorRate(NOW, NOW, 1200, 30, Decimal("2.5"))
    assert error_rate_line(rate) == "*Last 24 h*\n1,200 calls · 30 failed · error rate 2.5%"
    assert error_rate_line(ErrorRate(NOW, NOW, 0, 0, None)) == "*Last 24 h*\nNo calls."


def test_home_gauges_unavailable_lines_never_break_the_view() -> None:
    assert gauge_blocks(None) == []
    blocks = gauge_blocks(Gauges(limit_error="Throttling.User", errors_error="<!channel>"))
    texts = [f["text"] for f in blocks[0]["fields"]]
    assert texts[0] == "*Spend limit*\nUnavailable right now (Throttling.User)."
    assert "<!channel>" not in texts[1] and "Unavailable right now" in texts[1]
    ok = gauge_blocks(Gauges(limit=limit("52"), errors=ErrorRate(NOW, NOW, 4, 1, Decimal(25))))
    assert "52% used" in ok[0]["fields"][0]["text"] and "error rate 25%" in ok[0]["fields"][1]["text"]


def test_digest_gains_api_keys_and_limit_before_the_analysis() -> None:
    base = digest_message(report(), file_id=None)
    assert "Top API keys" not in json.dumps(base.blocks) and "Spend limit" not in json.dumps(base.blocks)
    full = digest_message(replace(report(), extras=DigestExtras(KEYS, limit("52"))), file_id=None)
    texts = [b.get("text", {}).get("text", "") for b in full.blocks]
    keys_at = next(i for i, t in enumerate(texts) if t.startswith("*Top API keys*"))
    limit_at = texts.index("Spend limit: 52% used ($52 of $100)")
    divider_at = [b["type"] for b in full.blocks].index("divider")
    assert texts[keys_at - 1].startswith("*Top models*")
    assert keys_at < limit_at < divider_at  # figures first, then the divider and the analysis
    only_limit = digest_message(replace(report(), extras=DigestExtras(None, limit(None))), file_id=None)
    assert "Top API keys" not in json.dumps(only_limit.blocks)
    assert "no spend limit set" in json.dumps(only_limit.blocks)


def rule(kind: str, threshold: str) -> AlertRule:
    return AlertRule(1, "T", "C", "prod", kind, "1h" if kind == "error_rate" else "", Decimal(threshold),
                     "U", False, 0, None)


def test_alert_readings() -> None:
    rate = ErrorRate(NOW, NOW, 3, 1, Decimal(1) / Decimal(3) * 100)
    snap = Snapshot(None, None, Readings(limit("91.23456789"), rate))
    assert measure(rule("spend_limit", "10"), snap) == Decimal("91.23")
    assert measure(rule("error_rate", "10"), snap) == Decimal("33.33")  # fits the 32-character column
    assert measure(rule("free_tier", "10"), snap) is None  # no usage summary fetched: nothing to measure
    quiet = Snapshot(None, None, Readings(limit(None), ErrorRate(NOW, NOW, 0, 0, None)))
    assert measure(rule("spend_limit", "10"), quiet) is None  # no limit: never fires
    assert measure(rule("error_rate", "0"), quiet) is None  # no calls: not a crossing


def test_limit_note_only_when_it_needs_attention() -> None:
    assert limit_note(limit("52")) is None  # under the 80% alert, not reached this month
    assert limit_note(limit(None)) is None
    assert limit_note(limit("85")) == ":warning: 85% of the spend limit ($100) is used, past its 80% alert."
    assert limit_note(limit("52", projected=date(2026, 4, 24))) == (
        ":warning: At this pace the spend limit ($100) is reached around *Apr 24* (52% used)."
    )
    assert limit_note(limit("130", mtd="130")) == (
        ":red_circle: This month's spend is past the spend limit: 130% of $100 used."
    )


def test_digest_analysis_gains_the_limit_note_after_the_divider() -> None:
    base = replace(report(), findings=(TopModel("model-2", Decimal("2.5"), 55.6, 3),))
    quiet = digest_message(replace(base, extras=DigestExtras(None, limit("52"))), file_id=None)
    near = digest_message(replace(base, extras=DigestExtras(None, limit("85"))), file_id=None)
    assert [b["type"] for b in near.blocks][-3:] == ["divider", "section", "context"]
    findings = "*Analysis*\n• `model-2` is 55.6% of the spend ($2.5 of 3 paid models)."
    note = "\n• :warning: 85% of the spend limit ($100) is used, past its 80% alert."
    assert quiet.blocks[-2]["text"]["text"] == findings
    assert near.blocks[-2]["text"]["text"] == findings + note
    alone = digest_message(replace(report(), extras=DigestExtras(None, limit("85"))), file_id=None)
    assert "Nothing unusual" not in alone.blocks[-2]["text"]["text"]  # the note is something unusual
