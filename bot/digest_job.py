"""The worker job that posts due digests, exactly once per subscription and period.

For each active subscription: the latest scheduled instant, if within the catch-up window
(QWEN_BOT_DIGEST_CATCHUP_HOURS) and not before the subscription existed, gives a period; its digest_run row
is inserted (UNIQUE subscription_id, period_start) *before* anything else. Only the inserting worker goes
on: build the figures, upload the chart privately, commit `sending`, post once. See bot.storage.delivery
for the states; rows waiting after a 429 are taken again by any worker once Retry-After has passed.
"""

from __future__ import annotations

import functools
import logging
from datetime import date, datetime, timedelta
from decimal import Decimal

from bot.chart import daily_spend_png
from bot.digest import DigestBuilder, DigestReport
from bot.errors import AuthError, QwenBotError
from bot.metrics import get_metrics
from bot.publish import Posted, Refused, RetryLater, SlackClients, Unknown
from bot.render.digest import chart_alt, digest_message, digest_title
from bot.schedule import due_occurrence
from bot.storage.delivery import Claim, Deliveries
from bot.storage.owner import Owner
from bot.storage.team_store import Subscription, SubscriptionStore
from bot.tracking import TrackingMonitor

log = logging.getLogger("bot.digest")
AUTH_RETRY = timedelta(minutes=30)


def backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


class DigestJob:
    name = "digest"

    def __init__(
        self,
        *,
        subscriptions: SubscriptionStore,
        runs: Deliveries,
        builder: DigestBuilder,
        slack: SlackClients,
        tracking: TrackingMonitor,
        worker_id: str,
        catchup: timedelta,
        charts: bool = True,
    ) -> None:
        self._subs = subscriptions
        self._runs = runs
        self._builder = builder
        self._slack = slack
        self._tracking = tracking
        self._worker_id = worker_id
        self._catchup = catchup
        self._charts = charts

    def run_due(self, now: datetime) -> int:
        self._runs.expire_unknown(now=now)
        done = 0
        for sub in self._subs.active():
            claim = self._claim_new(sub, now)
            if claim is not None:
                self.deliver(sub, claim, now=now)
                done += 1
        for row_id in self._runs.due_ids(now=now):
            claim = self._runs.take(row_id, worker_id=self._worker_id, now=now)
            if claim is None:
                continue
            owner = self._subs.get(int(claim.row["subscription_id"]))
            if owner is None or owner not in self._subs.active(team_id=owner.team_id):
                self._runs.failed(claim, now=now, error="unsubscribed before it could be posted")
                continue
            self.deliver(owner, claim, now=now)
            done += 1
        return done

    def _claim_new(self, sub: Subscription, now: datetime) -> Claim | None:
        occurrence = due_occurrence(sub.schedule, now=now, created_at=sub.created_at, catchup=self._catchup)
        if occurrence is None:
            return None
        key = {"subscription_id": sub.id, "period_start": sub.schedule.period(occurrence).start}
        if self._runs.find(key) is not None:  # cheap common case: already handled (or being handled)
            return None
        return self._runs.create(key, worker_id=self._worker_id, now=now, extra={"occurrence": occurrence})

    def deliver(self, sub: Subscription, claim: Claim, *, now: datetime) -> None:
        occurrence: datetime = claim.row["occurrence"]
        client = self._slack.for_team(sub.team_id)
        if client is None:
            self._runs.retry(claim, now=now, after=timedelta(minutes=10), error="no Slack token for the team")
            return
        try:
            report = self._report(sub, occurrence, now)
        except QwenBotError as exc:
            self._tracking.failed(sub.team_id, sub.account, exc, now=now)
            after = AUTH_RETRY if isinstance(exc, AuthError) else backoff(claim.attempts)
            self._runs.retry(claim, now=now, after=after, error=f"QwenCloud: {exc.code}")
            return
        self._tracking.ok(sub.team_id, sub.account, now=now)
        file_id = None
        if self._charts:
            upload = client.upload_private_png(
                data=self._png(report),
                filename=f"qwen-spend-{report.period.start}.png",
                title=digest_title(report),
                alt=chart_alt(report),
            )
            if upload.retry is not None:
                self._runs.retry(claim, now=now, after=upload.retry.after, error="ratelimited (file upload)")
                return
            file_id = upload.file_id
        if not self._runs.sending(claim, now=now, channel_id=sub.channel_id):
            log.info("digest run %s: claim lost before posting; not posting", claim.row_id)
            return
        outcome = client.post(
            channel=sub.channel_id,
            **digest_message(report, file_id=file_id).payload(),
            metadata={"event_type": "qwen_digest", "event_payload": {"run_id": claim.row_id}},
        )
        if isinstance(outcome, Refused) and file_id and outcome.error.startswith("invalid_blocks"):
            # Slack refused the image block (nothing was posted): the same digest with the sparkline.
            outcome = client.post(channel=sub.channel_id, **digest_message(report, file_id=None).payload())
        self._record(claim, outcome, now=now)

    def _report(self, sub: Subscription, occurrence: datetime, now: datetime) -> DigestReport:
        schedule = sub.schedule
        return self._builder.build(
            Owner.team_account(sub.team_id, sub.account),
            schedule.period(occurrence),
            cadence=schedule.cadence,
            today=occurrence.astimezone(schedule.tz).date(),
            timezone=schedule.timezone,
            now=now,
        )

    @staticmethod
    def _png(report: DigestReport) -> bytes:
        return _chart(report.daily, report.previous_daily)

    def _record(self, claim: Claim, outcome: object, *, now: datetime) -> None:
        get_metrics().record_digest_run(type(outcome).__name__.lower())  # posted, retrylater, refused, ...
        if isinstance(outcome, Posted):
            self._runs.posted(claim, now=now, ts=outcome.ts)
            log.info("digest run %s posted (ts %s)", claim.row_id, outcome.ts)
        elif isinstance(outcome, RetryLater):
            self._runs.retry(claim, now=now, after=outcome.after, error=outcome.error)
        elif isinstance(outcome, Refused):
            if outcome.permanent:
                self._runs.failed(claim, now=now, error=f"Slack refused: {outcome.error}")
            else:
                self._runs.retry(
                    claim, now=now, after=backoff(claim.attempts), error=f"Slack refused: {outcome.error}"
                )
        elif isinstance(outcome, Unknown):
            self._runs.failed(claim, now=now, error=f"outcome unknown: {outcome.error}")


@functools.lru_cache(maxsize=64)
def _chart(daily: tuple[tuple[date, Decimal], ...], previous: tuple[Decimal, ...]) -> bytes:
    """The chart is a pure function of its series: one account's digest fanned out to many channels renders
    it once (rendering is ~80% of a digest's cost; bench/bench_fanout.py)."""
    return daily_spend_png(list(daily), title="Daily pay-as-you-go spend (USD)", previous=list(previous))
