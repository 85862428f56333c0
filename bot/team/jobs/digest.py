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
import random
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from decimal import Decimal

from bot.base.errors import AuthError, QwenBotError
from bot.base.metrics import get_metrics
from bot.base.schedule import due_occurrence
from bot.core.chart import daily_spend_png
from bot.storage.delivery import UNKNOWN_PREFIX, Claim, Deliveries
from bot.storage.owner import Owner
from bot.storage.team_store import Subscription, SubscriptionStore
from bot.team.digest_view import chart_alt, digest_message, digest_title
from bot.team.digests import DigestBuilder, DigestReport
from bot.team.jobs.renewal_notice import WAITING, ChannelNotices
from bot.team.jobs.settle import CHANNEL_GAP, SETTLE_AFTER, RunCache, settle_unknown
from bot.team.jobs.tracking import TrackingMonitor
from bot.team.outbox import DIGEST_EVENT, Posted, Poster, Refused, RetryLater, SlackClients, Unknown, Upload
from bot.team.renewal_view import notice_done, notice_skipped

log = logging.getLogger("bot.digest")
AUTH_RETRY = timedelta(minutes=30)
DUE_BATCH = 2000  # retry rows taken per pass (a fan-out's rate-limited second digests all come due at once)


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
        concurrency: int = 16,
        settle_after: timedelta = SETTLE_AFTER,
        channel_gap: float = CHANNEL_GAP,
        notices: ChannelNotices | None = None,
    ) -> None:
        self._subs = subscriptions
        self._runs = runs
        self._builder = builder
        self._slack = slack
        self._tracking = tracking
        self._worker_id = worker_id
        self._catchup = catchup
        self._charts = charts
        self._concurrency = max(1, concurrency)
        self._settle_after = settle_after
        self._gap = channel_gap
        self._notices = notices  # None: an expired login just retries (no channel notice)

    def run_due(self, now: datetime) -> int:
        """Settle unknown outcomes, then post every due digest: channels concurrently, each in order."""
        self._runs.expire_unknown(now=now)
        settle_unknown(
            self._runs, self._subs, self._slack, now=now, after=self._settle_after, catchup=self._catchup
        )
        subs = {sub.id: sub for sub in self._subs.active()}
        if self._notices is not None:  # digests parked for a renewal go as soon as the login is renewed
            self._notices.renewed(self._runs, subs, now=now)
        plan: dict[str, list[tuple[Subscription | None, int | None]]] = {}
        for row in self._runs.due(now=now, limit=DUE_BATCH):
            sub = subs.get(int(row["subscription_id"]))
            plan.setdefault(sub.channel_id if sub else f"gone:{row['id']}", []).append((sub, int(row["id"])))
        for sub in self._unhandled(list(subs.values()), now):
            plan.setdefault(sub.channel_id, []).append((sub, None))
        run = RunCache()
        order = list(plan.items())
        random.shuffle(order)  # workers racing over the same channels mostly take different ones
        plan = dict(order)
        waves = max((len(items) for items in plan.values()), default=0)
        done = 0
        with ThreadPoolExecutor(max_workers=min(self._concurrency, max(1, len(plan)))) as pool:
            for wave in range(waves):  # every channel's 1st digest, then every channel's 2nd...: order kept
                batch = [(cid, *items[wave]) for cid, items in plan.items() if wave < len(items)]
                done += sum(pool.map(lambda item: self._one(item, run, now), batch))
        return done

    def _one(self, item: tuple[str, Subscription | None, int | None], run: RunCache, now: datetime) -> int:
        channel, sub, row_id = item
        try:
            if row_id is None:
                assert sub is not None
                claim = self._claim_new(sub, now)
            else:
                claim = self._runs.take(row_id, worker_id=self._worker_id, now=now)
                if claim is not None and sub is None:
                    self._runs.failed(claim, now=now, error="unsubscribed before it could be posted")
                    return 0
            if claim is None or sub is None:
                return 0
            run.pace(channel, self._gap)
            self.deliver(sub, claim, now=now, run=run)
            return 1
        except Exception:  # storage or Slack trouble: the lease runs out, a later pass retries
            log.exception("digest delivery to %s failed", channel)
            return 0

    def _unhandled(self, subs: list[Subscription], now: datetime) -> list[Subscription]:
        """Subscriptions with a due period that has no run row yet (one query per 500, not one per sub)."""
        due: list[tuple[Subscription, date]] = []
        for sub in subs:
            schedule = sub.schedule
            occurrence = due_occurrence(schedule, now=now, created_at=sub.created_at, catchup=self._catchup)
            if occurrence is not None:
                due.append((sub, sub.schedule.period(occurrence).start))
        if not due:
            return []
        handled = self._runs.existing(("subscription_id", "period_start"), [sub.id for sub, _ in due])
        return [sub for sub, start in due if (sub.id, start) not in handled]

    def _claim_new(self, sub: Subscription, now: datetime) -> Claim | None:
        occurrence = due_occurrence(sub.schedule, now=now, created_at=sub.created_at, catchup=self._catchup)
        if occurrence is None:
            return None
        key = {"subscription_id": sub.id, "period_start": sub.schedule.period(occurrence).start}
        if self._runs.find(key) is not None:  # cheap common case: already handled (or being handled)
            return None
        return self._runs.create(key, worker_id=self._worker_id, now=now, extra={"occurrence": occurrence})

    def deliver(self, sub: Subscription, claim: Claim, *, now: datetime, run: RunCache | None = None) -> None:
        run = run or RunCache()
        occurrence: datetime = claim.row["occurrence"]
        client = self._slack.for_team(sub.team_id)
        if client is None:
            self._runs.retry(claim, now=now, after=timedelta(minutes=10), error="no Slack token for the team")
            return
        if self._stale_wait(client, sub, claim, now=now):
            return
        key = self._key(sub, occurrence)
        try:  # one report per (account, period, kind) per run, however many channels want it
            report = run.get(("report", *key), lambda: self._report(sub, occurrence, now))
        except QwenBotError as exc:
            if isinstance(exc, AuthError) and self._notices is not None:
                self._wait_for_renewal(client, sub, claim, exc, now=now)
                return
            after = AUTH_RETRY if isinstance(exc, AuthError) else backoff(claim.attempts)
            self._runs.retry(claim, now=now, after=after, error=f"QwenCloud: {exc.code}")
            return
        file_id = None
        if self._charts:
            upload = run.get(("chart", *key), lambda: self._upload(client, report))
            if upload.retry is not None:
                self._runs.retry(claim, now=now, after=upload.retry.after, error="ratelimited (file upload)")
                return
            file_id = upload.file_id
        if not self._runs.sending(claim, now=now, channel_id=sub.channel_id):
            log.info("digest run %s: claim lost before posting; not posting", claim.row_id)
            return
        metadata = {"event_type": DIGEST_EVENT, "event_payload": {"run_id": claim.row_id}}
        # the Block Kit message too: rendering it was most of what remained per digest (bench_fanout.py)
        payload = run.get(
            ("message", *key, file_id), lambda: digest_message(report, file_id=file_id).payload()
        )
        outcome = client.post(channel=sub.channel_id, **payload, metadata=metadata)
        if isinstance(outcome, Refused) and file_id and outcome.error.startswith("invalid_blocks"):
            # Slack refused the image block (nothing was posted): the same digest with the sparkline.
            outcome = client.post(
                channel=sub.channel_id, **digest_message(report, file_id=None).payload(), metadata=metadata
            )
        self._record(claim, outcome, now=now)
        if isinstance(outcome, Posted):
            run.posted(sub.channel_id)
            if self._notices is not None and str(claim.row["error"] or "").startswith(WAITING):
                self._notices.settle(client, sub, occurrence, notice_done(sub.account, sub.schedule.cadence))

    def _wait_for_renewal(
        self, client: Poster, sub: Subscription, claim: Claim, exc: AuthError, *, now: datetime
    ) -> None:
        """The login is expired at the slot: tell the channel once, park the run until it is renewed (made
        due by `ChannelNotices.renewed`) or the catch-up window ends (then skipped, the notice says so)."""
        assert self._notices is not None
        occurrence: datetime = claim.row["occurrence"]
        if self._stale_wait(client, sub, claim, now=now, waiting=True):
            return
        self._notices.announce(client, sub, occurrence, now=now)
        until = min(now + AUTH_RETRY, occurrence + self._catchup + timedelta(minutes=1))
        self._runs.wait(claim, now=now, until=until, error=f"{WAITING} {exc.code}")

    def _stale_wait(
        self, client: Poster, sub: Subscription, claim: Claim, *, now: datetime, waiting: bool = False
    ) -> bool:
        """A run that waited for a renewal past the catch-up window is skipped, never posted stale."""
        occurrence: datetime = claim.row["occurrence"]
        waited = waiting or str(claim.row["error"] or "").startswith(WAITING)
        if self._notices is None or not waited or now - occurrence <= self._catchup:
            return False
        self._runs.failed(claim, now=now, error="the login was not renewed within the catch-up window")
        self._notices.settle(client, sub, occurrence, notice_skipped(sub.account, sub.schedule.cadence))
        return True

    @staticmethod
    def _key(sub: Subscription, occurrence: datetime) -> tuple[object, ...]:
        schedule = sub.schedule
        local = occurrence.astimezone(schedule.tz)
        period = schedule.period(occurrence)
        return (sub.team_id, sub.account, schedule.cadence, period, local.date(), schedule.timezone)

    def _upload(self, client: Poster, report: DigestReport) -> Upload:
        return client.upload_private_png(
            data=self._png(report),
            filename=f"qwen-spend-{report.period.start}.png",
            title=digest_title(report),
            alt=chart_alt(report),
        )

    def _report(self, sub: Subscription, occurrence: datetime, now: datetime) -> DigestReport:
        try:
            report = self._build(sub, occurrence, now)
        except QwenBotError as exc:
            self._tracking.failed(sub.team_id, sub.account, exc, now=now)
            raise
        self._tracking.ok(sub.team_id, sub.account, now=now)
        return report

    def _build(self, sub: Subscription, occurrence: datetime, now: datetime) -> DigestReport:
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
        elif isinstance(outcome, Unknown):  # settled later through the channel's history (settle_unknown)
            self._runs.failed(claim, now=now, error=f"{UNKNOWN_PREFIX} {outcome.error}")


@functools.lru_cache(maxsize=64)
def _chart(daily: tuple[tuple[date, Decimal], ...], previous: tuple[Decimal, ...]) -> bytes:
    """The chart is a pure function of its series: one account's digest fanned out to many channels renders
    it once (rendering is ~80% of a digest's cost; bench/bench_fanout.py)."""
    return daily_spend_png(list(daily), title="Daily pay-as-you-go spend (USD)", previous=list(previous))
