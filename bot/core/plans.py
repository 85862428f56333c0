"""`/qwen plan`: the coding plan and the token plan together, from the `subscription status` and
`subscription tokenplan status` reports (core/subscription_report.py), asked concurrently.

The coding plan is read from its instance whatever the status label (`VALID` or `NORMAL`): 1.4.1 shows it
only for `VALID` while the service (and the simulator) send `NORMAL` (contract §5.2), and a person asking
"what plans are active" means the instance that is there. Sub-calls that fail become a short note.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from bot.base.clock import Clock
from bot.base.errors import QwenBotError
from bot.core.accounts import Accounts
from bot.core.subscription_report import SubscriptionReports, diagnostic
from bot.qwencloud.billing import CODING_COMMODITY, BillingApi
from bot.qwencloud.billing_models import Diagnostic, SubscriptionStatus, TokenPlanStatus
from bot.qwencloud.gateway import BSS
from bot.qwencloud.results import TokenPlan
from bot.qwencloud.values import as_dict, as_list
from bot.storage.owner import Owner

ACTIVE = ("VALID", "NORMAL")


@dataclass(frozen=True, slots=True)
class CodingInstance:
    name: str
    status: str  # the server's label (NORMAL, VALID, ...)
    start: str | None
    end: str | None


@dataclass(frozen=True, slots=True)
class PlansReport:
    coding: CodingInstance | None  # None: no coding plan instance (or its call failed: see diagnostics)
    status: SubscriptionStatus | None  # None: every sub-call failed
    token_team: TokenPlanStatus
    diagnostics: tuple[Diagnostic, ...]  # real failures only (not "Skipped: no team instance")
    status_diagnostics: tuple[Diagnostic, ...] = ()  # each report's own, for --format text|json
    token_diagnostics: tuple[Diagnostic, ...] = ()


def coding_instance(body: object) -> CodingInstance | None:
    """The first coding plan instance that is in force (VALID or NORMAL), else the first one."""
    data = as_dict(body).get("Data")
    listed = data if isinstance(data, list) else as_list(as_dict(data).get("SubscriptionList"))
    rows = [as_dict(r) for r in listed]
    if not rows:
        return None
    row = next((r for r in rows if r.get("Status") in ACTIVE), rows[0])
    return CodingInstance(
        name=str(row.get("PlanName") or row.get("InstanceCode") or "Coding plan"),
        status=str(row.get("Status") or "unknown"),
        start=_text(row.get("StartTime")),
        end=_text(row.get("EndTime")),
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


class PlanAnswers:
    def __init__(
        self,
        *,
        billing: BillingApi,
        accounts: Accounts,
        clock: Clock,
        token_plan: Callable[[str], TokenPlan],
    ) -> None:
        self._billing = billing
        self._reports = SubscriptionReports(billing, token_plan)
        self._accounts = accounts
        self._clock = clock

    def plans(self, owner: Owner) -> PlansReport:
        token = self._accounts.token_for(owner)
        params = {"productCode": CODING_COMMODITY, "pageNo": 1, "pageSize": 100}
        with ThreadPoolExecutor(max_workers=3, thread_name_prefix="plans") as pool:
            status = pool.submit(self._reports.status, token, None)
            team = pool.submit(self._reports.token_plan_status, token)
            detail = pool.submit(self._billing.raw, BSS, "GetSubscriptionDetail", params, token)
            (sub, first), (token_team, second) = status.result(), team.result()
            coding, third = None, []
            try:
                coding = coding_instance(detail.result())
            except QwenBotError as exc:
                third = [diagnostic("GetSubscriptionDetail", exc)]
        seen: dict[str, Diagnostic] = {}
        for d in [*first, *second, *third]:
            if d.error_code != "Skipped":
                seen.setdefault(d.api, d)
        return PlansReport(coding, sub, token_team, tuple(seen.values()), tuple(first), tuple(second))
