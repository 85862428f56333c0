"""The Slack answers' totals against the official CLI 1.4.1 on the same simulator and clock: `/qwen billing
by api-key` for a month (and for part of one) equals `billing breakdown --group-by api-key` for the same
dates; `/qwen bills` equals `billing summary`. The Slack side is the real Answerer (handlers/billing.py)
over the real client; the totals are read from the rendered message."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import httpx
import pytest
from cryptography.fernet import Fernet

from bot.base.clock import FixedClock
from bot.core.accounts import Accounts
from bot.core.billing_answers import BillingAnswers
from bot.core.grammar.usage import parse
from bot.core.spend import SpendAnswers
from bot.devtools.simulator import SimulatorHandle, start_simulator
from bot.qwencloud.billing import BillingApi
from bot.qwencloud.client import QwenCloudClient
from bot.qwencloud.models import DeviceCredentials, QwenUser
from bot.render.blocks import Message
from bot.storage.credentials import CredentialStore
from bot.storage.crypto import Crypto
from bot.storage.db import make_engine
from bot.storage.migrate import upgrade
from handlers.billing import BillingAnswerer
from handlers.common import Asker
from tests.conformance.official import FAKE_NOW, SEED, OfficialCli, require_official_cli

pytestmark = pytest.mark.conformance
NOW = datetime.fromisoformat(FAKE_NOW.replace("Z", "+00:00"))
ASKER = Asker("T1", "U1", None, None)
_TOTAL = re.compile(r"\*Total\* \*\$([0-9.]+)\*")
_BILLS = re.compile(r"\*Total\* \$([0-9.]+) \+ \$([0-9.]+) = \*\$([0-9.]+)\*")


@dataclass
class Peers:
    sim: SimulatorHandle
    official: OfficialCli


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Peers]:
    """The simulator and the official CLI logged in (our CLI is not needed here: one login less)."""
    binary = require_official_cli()
    with start_simulator(now=NOW, seed=SEED, device_interval=1, cli_compat=True) as sim:
        official = OfficialCli(binary, sim.url, tmp_path_factory.mktemp("official"), tz="UTC", now=FAKE_NOW)
        official.login(sim.approve)
        yield Peers(sim, official)


@pytest.fixture(scope="module")
def slack_side(pair: Peers, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BillingAnswerer]:
    clock = FixedClock(NOW)
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('slack')}/bot.db")
    upgrade(engine)
    http = httpx.Client()
    url = pair.sim.url
    client = QwenCloudClient(
        http=http, api_endpoint=url, auth_endpoint=url, model_map_url=f"{url}/cdn/model-mapping"
    )
    credentials = CredentialStore(engine=engine, crypto=Crypto([Fernet.generate_key()]), clock=clock)
    user = QwenUser("uid-1", "u@example.com", "u@aliyun")
    credentials.put(ASKER.owner, DeviceCredentials(pair.sim.issue_token(), NOW + timedelta(hours=12), user))
    accounts = Accounts(credentials=credentials, clock=clock)
    spend = SpendAnswers(billing=BillingApi(client), accounts=accounts, clock=clock)
    yield BillingAnswerer(answers=BillingAnswers(spend=spend, accounts=accounts, clock=clock))
    http.close()
    engine.dispose()


def code(flat: str) -> str:
    """The CLI layout shown verbatim in the answer's code sections (`--format text|json`)."""
    blocks = json.loads(flat)
    texts = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    return "\n".join(t[3:-3] for t in texts if t.startswith("```"))


def answer(answerer: BillingAnswerer, text: str) -> str:
    command = parse(text, today=NOW.date())
    message: Message = answerer.figures(command, ASKER, "UTC", NOW.date())
    return json.dumps(message.blocks, ensure_ascii=False)


def official_json(pair: Peers, *args: str) -> dict[str, object]:
    result = pair.official.run(*args, "--format", "json")
    assert result.code == 0, result.stderr
    parsed: dict[str, object] = json.loads(result.stdout)
    return parsed


def test_billing_by_api_key_for_a_month_equals_the_official_breakdown(
    pair: Peers, slack_side: BillingAnswerer
) -> None:
    may = ("--from", "2026-05", "--to", "2026-05")
    official = official_json(pair, "billing", "breakdown", "--group-by", "api-key", *may)
    shown = _TOTAL.search(answer(slack_side, "billing by api-key may"))
    assert shown is not None and Decimal(shown.group(1)) == Decimal(str(official["totalAmount"])) > 0
    # `--format json` in chat is the official JSON for the same dates
    assert json.loads(code(answer(slack_side, "billing by api-key may --format json"))) == official
    text = pair.official.run("billing", "breakdown", "--group-by", "api-key", *may, "--format", "text")
    assert code(answer(slack_side, "billing by api-key may --format text")) == text.stdout.rstrip("\n")


def test_billing_by_api_key_for_part_of_a_month_equals_the_official_daily_breakdown(
    pair: Peers, slack_side: BillingAnswerer
) -> None:
    official = official_json(
        pair, "billing", "breakdown", "--group-by", "api-key", "--granularity", "day",
        "--from", "2026-06-01", "--to", "2026-06-10",
    )
    slices = official["slices"]
    assert isinstance(slices, list) and len(slices) == 10
    total = sum((Decimal(s["totalAmount"]) for s in slices), Decimal(0))
    shown = _TOTAL.search(answer(slack_side, "billing by api-key --from 2026-06-01 --to 2026-06-10"))
    assert shown is not None and Decimal(shown.group(1)) == total > 0


def test_bills_equal_the_official_summary(pair: Peers, slack_side: BillingAnswerer) -> None:
    official = official_json(pair, "billing", "summary", "--from", "2026-01", "--to", "2026-06")
    totals = official["totals"]
    assert isinstance(totals, dict)
    shown = _BILLS.search(answer(slack_side, "bills 2026-01 2026-06"))
    assert shown is not None
    pretax, tax, aftertax = (Decimal(x) for x in shown.groups())
    expected = tuple(Decimal(totals[k]) for k in ("pretaxAmount", "tax", "aftertaxAmount"))
    assert (pretax, tax, aftertax) == expected
    assert aftertax > 0
    assert json.loads(code(answer(slack_side, "bills 2026-01 2026-06 --format json"))) == official
