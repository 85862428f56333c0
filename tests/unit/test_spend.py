"""core/spend: spend by API key and by model over any dates, against the simulator over HTTP; the totals are
the terminal `billing breakdown` computation's (which the conformance tests hold to the official CLI's)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx
import pytest
from cryptography.fernet import Fernet

from bot.base.clock import FixedClock
from bot.base.errors import AuthRequired, InvalidArgument, UsageError
from bot.base.periods import DateRange
from bot.core.accounts import Accounts
from bot.core.billing_answers import BillingAnswers, cli_plan
from bot.core.billing_report import BillingReports, plan_breakdown
from bot.core.grammar.terms import Period
from bot.core.spend import SpendAnswers, TopKeys, month_chunks
from bot.devtools.simulator import SimulatorHandle, start_simulator
from bot.qwencloud.billing import BillingApi
from bot.qwencloud.client import QwenCloudClient
from bot.qwencloud.models import DeviceCredentials, QwenUser
from bot.storage.credentials import CredentialStore
from bot.storage.crypto import Crypto
from bot.storage.db import make_engine
from bot.storage.migrate import upgrade
from bot.storage.owner import Owner

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
ALICE = Owner("T1", "U_ALICE")
NOBODY = Owner("T1", "U_NOBODY")


@dataclass
class World:
    sim: SimulatorHandle
    spend: SpendAnswers
    reports: BillingReports
    token: str
    answers: BillingAnswers


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    clock = FixedClock(NOW)
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('spend')}/bot.db")
    upgrade(engine)
    http = httpx.Client()
    with start_simulator(now=NOW) as sim:
        client = QwenCloudClient(
            http=http, api_endpoint=sim.url, auth_endpoint=sim.url, model_map_url=f"{sim.url}/model-mapping"
        )
        credentials = CredentialStore(engine=engine, crypto=Crypto([Fernet.generate_key()]), clock=clock)
        token = sim.issue_token()
        user = QwenUser("uid-1", "alice@example.com", "alice@aliyun")
        credentials.put(ALICE, DeviceCredentials(token, NOW + timedelta(hours=12), user))
        billing = BillingApi(client)
        accounts = Accounts(credentials=credentials, clock=clock)
        spend = SpendAnswers(billing=billing, accounts=accounts, clock=clock)
        answers = BillingAnswers(spend=spend, accounts=accounts, clock=clock)
        yield World(sim, spend, BillingReports(billing), token, answers)
    http.close()
    engine.dispose()


def official_total(world: World, group_by: str, **flags: str | None) -> Decimal:
    """The terminal `billing breakdown` total for the same flags (single mode, or the slices summed)."""
    gran, start, end = flags.get("granularity"), flags.get("from_"), flags.get("to")
    plan = plan_breakdown(granularity=gran, from_=start, to=end, period=None, today=TODAY)
    slices = world.reports.breakdown(world.token, plan, charge="all", group_by=group_by, top=10)
    return sum((Decimal(s.total_amount) for s in slices), Decimal(0))


def test_top_api_keys_for_a_whole_month_match_the_month_breakdown(world: World) -> None:
    top = world.spend.top_api_keys(ALICE, DateRange(date(2026, 5, 1), date(2026, 5, 31)))
    assert isinstance(top, TopKeys)
    assert top.total == official_total(world, "api-key", from_="2026-05", to="2026-05") > 0
    assert len(top.rows) == 3
    assert [r.label for r in top.rows] == ["prod-chatbot", "ci-pipeline", "alice-laptop"]
    assert all(a.amount >= b.amount for a, b in zip(top.rows, top.rows[1:], strict=False))
    assert sum((r.amount for r in top.rows), top.other) == top.total
    assert top.currency == "USD" and 0 < top.tax < top.other


def test_a_part_of_a_month_is_counted_by_day(world: World) -> None:
    rng = DateRange(date(2026, 5, 10), date(2026, 5, 24))
    spend = world.spend.spend(ALICE, rng, group_by="model", daily=True)
    by_day = official_total(world, "model", granularity="day", from_="2026-05-10", to="2026-05-24")
    assert spend.total == by_day
    assert [d for d, _ in spend.daily] == [rng.start + timedelta(days=i) for i in range(15)]
    assert sum((v for _, v in spend.daily), spend.tax) == spend.total
    whole_may = world.spend.spend(ALICE, DateRange(date(2026, 5, 1), date(2026, 5, 31)), group_by="model")
    assert spend.total < whole_may.total


def test_a_range_across_months_mixes_whole_months_and_parts(world: World) -> None:
    rng = DateRange(date(2026, 3, 20), date(2026, 5, 31))
    spend = world.spend.spend(ALICE, rng, group_by="api-key", daily=True)
    march = official_total(world, "api-key", granularity="day", from_="2026-03-20", to="2026-03-31")
    april_may = official_total(world, "api-key", from_="2026-04", to="2026-05")
    assert spend.total == march + april_may
    assert len(spend.daily) == 73 and spend.daily[0][0] == rng.start
    assert len(spend.top(2).rows) == 2 and spend.top(2).other > spend.top(3).other


def test_this_month_so_far_is_the_whole_month_query(world: World) -> None:
    chunks = month_chunks(DateRange(date(2026, 5, 1), TODAY), today=TODAY)
    assert [(c.start, c.end, c.whole) for c in chunks] == [
        (date(2026, 5, 1), date(2026, 5, 31), True),
        (date(2026, 6, 1), TODAY, True),
    ]
    top = world.spend.top_api_keys(ALICE, DateRange(date(2026, 6, 1), TODAY), top=10)
    assert top.total == official_total(world, "api-key")  # the CLI's default: this month
    assert len(top.rows) == 4 and top.other == top.tax  # every key shown: only the tax is left


def test_bills_totals_and_defaults(world: World) -> None:
    bills = world.spend.bills(ALICE, "2026-01", "2026-05", today=TODAY)
    assert [m.cycle for m in bills.months] == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"]
    assert bills.pretax == sum((m.pretax for m in bills.months), Decimal(0))
    assert bills.aftertax == bills.pretax + bills.tax and bills.currency == "USD"
    current = world.spend.bills(ALICE, None, None, today=TODAY)
    assert (current.start, current.end) == ("2026-06", "2026-06")
    with pytest.raises(InvalidArgument):
        world.spend.bills(ALICE, "2026-05", "2026-01", today=TODAY)


def test_no_login_fails_before_any_call(world: World) -> None:
    calls = world.sim.snapshot()["calls"]
    with pytest.raises(AuthRequired):
        world.spend.top_api_keys(NOBODY, DateRange(date(2026, 5, 1), date(2026, 5, 31)))
    assert world.sim.snapshot()["calls"] == calls


def test_billing_answer_compares_api_keys_with_the_previous_equal_period(world: World) -> None:
    answer = world.answers.billing(ALICE, "model", Period(preset="2026-05"), today=TODAY)
    assert answer.previous == DateRange(date(2026, 4, 1), date(2026, 4, 30)) and answer.compared
    assert answer.spend.group_by == "model" and len(answer.top.rows) == 5
    assert len(answer.spend.daily) == 31  # over a week: the chart's series
    may = world.spend.spend(ALICE, DateRange(date(2026, 5, 1), date(2026, 5, 31)), group_by="api-key")
    april = world.spend.spend(ALICE, answer.previous, group_by="api-key")
    before = {r.key: r.amount for r in april.rows}
    changes = {r.key: r.amount - before.get(r.key, Decimal(0)) for r in may.rows}
    best = max(changes, key=lambda k: changes[k])
    assert answer.growth is not None and answer.growth.key == best and answer.growth.change == changes[best]
    # by model or by key, the same spend (the server rounds the tax per group: micro-dollars apart)
    assert abs(answer.spend.total - may.total) < Decimal("0.00001")


def test_billing_answer_for_a_week_has_no_chart_series(world: World) -> None:
    answer = world.answers.billing(ALICE, "api-key", Period(days=7), today=TODAY)
    assert answer.spend.daily == () and answer.spend.period == DateRange(date(2026, 6, 9), TODAY)


def test_billing_answer_refuses_a_future_period_before_any_call(world: World) -> None:
    calls = world.sim.snapshot()["calls"]
    with pytest.raises(UsageError):
        world.answers.billing(ALICE, "api-key", Period(preset="2026-09"), today=TODAY)
    assert world.sim.snapshot()["calls"] == calls


def test_bills_answer_largest_and_last_change(world: World) -> None:
    answer = world.answers.bills(ALICE, "2026-01", "2026-05", today=TODAY)
    months = answer.bills.months
    assert answer.largest == max(months, key=lambda m: m.aftertax)
    assert (answer.before, answer.last) == (months[-2], months[-1])


def test_the_cli_layout_plan_for_the_same_dates() -> None:
    whole = cli_plan(DateRange(date(2026, 3, 1), date(2026, 5, 31)), today=TODAY)
    months = (("202603", "202603"), ("202604", "202604"), ("202605", "202605"))
    assert (whole.granularity, whole.queries) == ("month", months)
    so_far = cli_plan(DateRange(date(2026, 6, 1), TODAY), today=TODAY)
    assert so_far.single and (so_far.from_, so_far.to) == ("2026-06-01", "2026-06-30")  # the CLI's default
    days = cli_plan(DateRange(date(2026, 5, 20), date(2026, 6, 3)), today=TODAY)
    assert days.granularity == "day" and days.queries == (("20260520", "20260531"), ("20260601", "20260603"))
    with pytest.raises(UsageError, match="whole months or up to 31 days"):
        cli_plan(DateRange(date(2026, 3, 15), date(2026, 5, 31)), today=TODAY)
