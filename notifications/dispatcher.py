"""The always-on outbox dispatcher: sends queued emails and drives flow runs after commit.

Emails leave only from the outbox. Each item is claimed atomically, sent over the SMTP
pool with the Message-ID fixed when it was queued, and its outcome recorded: sent (with
the server's reply), retried later on a temporary failure, or failed with the reason.
"Sent" is recorded before the pool lets the next message reach the end of DATA, so a
crash repeats at most one message (the one the relay kept as the sender died), and the
claims of a batch being sent are renewed, so only a dead sender's items fall due again.

A relay that cannot be reached (refused, DNS, TLS, silent before it answers for a message)
is an outage, not a failure of each message: the sender gives its claims back without an
attempt, stops claiming and probes the relay with back-off (1, 2, 4 … ``PROBE_MAX_S``
seconds) until it answers. Attempts count only the relay's answers about a message; a
message is given up only when the relay refuses it (5xx) or its queue lifetime
(``BANHANH_QUEUE_LIFETIME_HOURS``) runs out on temporary failures, never for the relay's
absence. An error of our own while preparing or sending a message (a bug, a missing
document) counts an attempt too, and gives up after ``BANHANH_MAX_ATTEMPTS``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import anyio

from models.db import Database, HeldConnection
from models.services import distribution, documents, outbox, runs
from models.services.acknowledgements import token_hash
from models.services.outbox import Claimed
from models.settings import Settings
from notifications.links import ack_token, ack_url, secret_key
from notifications.messages import compose
from notifications.smtp import Outgoing, PermanentFailure, RelayUnavailable, SmtpPool, TemporaryFailure

log = logging.getLogger("banhanh.dispatcher")

BATCH = 50
MAX_BACKOFF_S = 300
FLOW_MAX_ATTEMPTS = 12  # then the reconcile flow takes over
RENEW_EVERY_S = outbox.LEASE.total_seconds() / 4  # a batch in flight keeps its claims
PROBE_MAX_S = 60  # longest wait between two probes of a relay that is away
FINISH_EVERY_S = 30.0  # the dispatcher's pass over plans whose copies all became final


class Driven(StrEnum):
    DONE = "done"
    RETRY = "retry"


FlowDriver = Callable[[Database, int], Awaitable[Any]]


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(2 ** max(attempts - 1, 0), MAX_BACKOFF_S))


class OutboxSender:
    """Sends due emails; shared by the dispatcher and the distribution step of the flow.

    ``relay_down_since`` is set (services' clock) while the relay is away: nothing is
    claimed, only probes are made, until the relay answers again.
    """

    def __init__(self, db: Database, settings: Settings, pool: SmtpPool | None = None) -> None:
        self._given_db = db
        self.db = db.relaxed()  # one commit per message, inside the pool's turn: no fsync for each
        self.settings = settings
        self.pool = pool or SmtpPool(settings)
        self._recorder = HeldConnection(self.db)
        self._attachments: dict[int, asyncio.Future[tuple[tuple[str, bytes], str | None]]] = {}
        self._key = secret_key(settings)
        self.relay_down_since: datetime | None = None
        self.relay_error = ""
        self._probes = 0
        self.probes_made = 0  # over the sender's life
        self._probe_at: datetime | None = None
        self._released: list[int] = []
        self.finished_plans: set[int] = set()  # plans with a copy made final since the last look

    async def close(self) -> None:
        await self.pool.close()
        self._recorder.close()
        if self.db is not self._given_db:
            self.db.engine.dispose()

    async def __aenter__(self) -> OutboxSender:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def send_due(self, plan_id: int | None = None, limit: int = BATCH) -> int:
        """Claim and send one batch; returns how many items were claimed (0 while the relay is away)."""
        if self.relay_down_since is not None and not await self._probe():
            return 0
        items = await anyio.to_thread.run_sync(
            outbox.claim_due, self.db, "email", limit, plan_id, plan_id is None
        )
        if not items:
            return 0
        in_flight = {item.id or 0 for item in items}

        async def send(item: Claimed) -> None:
            try:
                await self._send_one(item)
            finally:
                in_flight.discard(item.id or 0)

        keeping = asyncio.create_task(self._keep_claims(in_flight))
        try:
            await asyncio.gather(*(send(item) for item in items))
        finally:
            keeping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeping
            released, self._released = self._released, []
            if released:  # one write for the batch: the relay was away, no attempt counted
                await anyio.to_thread.run_sync(outbox.release, self.db, released, self.relay_error)
        return len(items)

    def _relay_down(self, exc: RelayUnavailable) -> None:
        if self.relay_down_since is None:
            self.relay_down_since = self.db.clock()
            self._probes = 0
            self._probe_at = self.relay_down_since + timedelta(seconds=1)
            log.warning("SMTP relay unavailable, sending paused until it answers: %s", exc.reason)
        self.relay_error = exc.reason

    async def _probe(self) -> bool:
        """Whether the relay answers again (probed at most once per back-off step)."""
        now = self.db.clock()
        if self._probe_at is not None and now < self._probe_at:
            return False
        self.probes_made += 1
        try:
            await self.pool.probe()
        except RelayUnavailable as exc:
            self._probes += 1
            self._probe_at = now + timedelta(seconds=min(2**self._probes, PROBE_MAX_S))
            self.relay_error = exc.reason
            log.info("SMTP relay still unavailable (probe %s): %s", self._probes, exc.reason)
            return False
        down = now - (self.relay_down_since or now)
        log.warning("SMTP relay answers again after %s s: sending resumes", round(down.total_seconds()))
        self.relay_down_since, self._probe_at = None, None
        return True

    async def _keep_claims(self, in_flight: set[int]) -> None:
        """Renew the lease of the batch's unfinished items until the batch is done.

        Messages finish one at a time (the pool's turn), so a batch on a slow relay can
        outlast the lease; without renewal another sender would claim and send the rest too.
        """
        while True:
            await asyncio.sleep(RENEW_EVERY_S)
            if not in_flight:
                continue
            try:
                await anyio.to_thread.run_sync(outbox.renew, self.db, sorted(in_flight))
            except Exception:  # the database is unavailable: try again at the next tick
                log.warning("could not renew the claims of %s outbox items", len(in_flight), exc_info=True)

    async def _attachment(self, item: Claimed) -> tuple[tuple[str, bytes] | None, str | None]:
        doc_id = item.context.get("document_id")
        if item.event != "distributed" or not isinstance(doc_id, int):
            return None, None
        if doc_id not in self._attachments:  # one read per document, shared by the batch's sends
            self._attachments[doc_id] = asyncio.ensure_future(self._read_document(doc_id))
        try:
            return await asyncio.shield(self._attachments[doc_id])
        except Exception:
            self._attachments.pop(doc_id, None)  # the next send reads it again
            raise

    async def _read_document(self, doc_id: int) -> tuple[tuple[str, bytes], str | None]:
        pdf = await anyio.to_thread.run_sync(documents.rendered, self.db, doc_id)
        html = await anyio.to_thread.run_sync(documents.rendered_sibling, self.db, doc_id, "html")
        return (pdf.filename, pdf.content), html.content.decode("utf-8") if html else None

    def _compose(
        self, item: Claimed, attachment: tuple[str, bytes] | None, body_html: str | None
    ) -> tuple[Outgoing, str | None]:
        """The email and, for a copy of the plan, the hash of the acknowledgement token it carries."""
        ack_for = item.context.get("ack_delivery_id")
        if not isinstance(ack_for, int):
            return compose(item, self.settings, attachment, body_html), None
        token = ack_token(self._key, ack_for)
        extra = {"ack_url": ack_url(self.settings, token)}
        return compose(item, self.settings, attachment, body_html, extra), token_hash(token)

    async def _send_one(self, item: Claimed) -> None:
        item_id = item.id or 0
        ack_hash: str | None = None

        async def record_sent(reply: str) -> None:
            # On the event loop, not a worker thread: no other message may pass its final dot
            # until this commits anyway, and the hop to a thread would cost more than the write.
            outbox.mark_sent(self.db, item_id, reply, ack_hash, self._recorder)

        settings = self.settings
        try:
            attachment, body_html = await self._attachment(item)
            message, ack_hash = self._compose(item, attachment, body_html)
            # Recorded inside the pool's turn: a crash can repeat at most this one message.
            await self.pool.send(message, accepted=record_sent)
        except RelayUnavailable as exc:  # the relay, not this message: back in the queue, no attempt
            self._relay_down(exc)
            self._released.append(item_id)
            return
        except PermanentFailure as exc:
            log.warning("outbox %s to %s failed: %s", item_id, item.to_email, exc)
            await anyio.to_thread.run_sync(outbox.mark_failed, self.db, item_id, str(exc))
        except TemporaryFailure as exc:
            # An answer about this message (4xx, a line dropped after the relay answered):
            # retried with back-off until its queue lifetime runs out.
            attempt = item.attempts + 1  # this one: claims that died with their sender do not count
            lifetime = timedelta(hours=settings.queue_lifetime_hours)
            await anyio.to_thread.run_sync(
                outbox.mark_retry, self.db, item_id, str(exc), backoff(attempt), lifetime
            )
        except Exception as exc:  # ours, not the relay's: counted, given up after max_attempts
            attempt = item.attempts + 1
            error = f"unexpected error while sending: {type(exc).__name__}: {exc}"
            log.exception("outbox %s to %s: attempt %s: %s", item_id, item.to_email, attempt, error)
            try:
                if attempt >= settings.max_attempts:
                    reason = f"gave up after {attempt} attempts: {error}"
                    await anyio.to_thread.run_sync(outbox.mark_failed, self.db, item_id, reason)
                else:
                    await anyio.to_thread.run_sync(
                        outbox.mark_retry, self.db, item_id, error, backoff(attempt)
                    )
            except Exception:  # the database is away too: the claim runs out and the item is due again
                log.exception("outbox %s: could not record the attempt", item_id)
                return
        if item.delivery_id is not None and item.plan_id is not None:
            self.finished_plans.add(item.plan_id)


class Dispatcher:
    """Polls the outbox: emails within a second of commit, and flow-run drives."""

    def __init__(self, db: Database, settings: Settings, driver: FlowDriver | None = None) -> None:
        self.db = db
        self.settings = settings
        self.driver = driver
        self.sender = OutboxSender(db, settings)
        self._stop = asyncio.Event()
        self._finish_at = 0.0
        self._poll_at = 0.0  # the exchange's statuses are read again from then
        self._exchange_wait = 0.0  # back-off while the exchange endpoint is away
        self._cursors: dict[str, int] = {}  # agency id → the last status read

    def stop(self) -> None:
        self._stop.set()

    async def send_emails(self) -> int:
        """One batch of due emails, then issue the plans whose copies it made all final.

        Every ``FINISH_EVERY_S`` it also looks at every plan being distributed: a plan whose
        last copy was recorded by a process that stopped before completing it; without an exchange
        endpoint, the edXML packages queued meanwhile fail first (`no_exchange`).
        """
        busy = await self.sender.send_due()
        plans, self.sender.finished_plans = self.sender.finished_plans, set()
        now = asyncio.get_running_loop().time()
        if now >= self._finish_at:
            self._finish_at = now + FINISH_EVERY_S
            if not self.settings.exchange_url:  # packages that cannot leave: failed, then counted final
                await self.no_exchange()
            done = await anyio.to_thread.run_sync(distribution.finish_ready, self.db, None)
        elif plans:
            done = await anyio.to_thread.run_sync(distribution.finish_ready, self.db, plans)
        else:
            done = []
        for plan_id in done:
            log.info("plan %s: every copy is final, the plan is issued", plan_id)
        return busy

    async def drive_flows(self) -> int:
        assert self.driver is not None
        items = await anyio.to_thread.run_sync(outbox.claim_due, self.db, "flow", BATCH, None)
        for item in items:
            item_id, plan_id = item.id or 0, item.plan_id or 0
            try:
                result = await self.driver(self.db, plan_id)
            except Exception as exc:  # Prefect down or refusing: try again later, then reconcile
                result = Driven.RETRY
                item.last_error = f"{type(exc).__name__}: {exc}"
                log.info("plan %s: flow run not driven yet (%s)", plan_id, item.last_error)
            if str(result) == Driven.DONE:
                await anyio.to_thread.run_sync(runs.flow_job_done, self.db, item_id)
            elif item.attempts + 1 >= FLOW_MAX_ATTEMPTS:
                await anyio.to_thread.run_sync(
                    outbox.mark_failed,
                    self.db,
                    item_id,
                    item.last_error or "the flow run did not reach its step",
                )
            else:
                delay = timedelta(seconds=min(item.attempts + 1, 5))
                await anyio.to_thread.run_sync(
                    outbox.mark_retry, self.db, item_id, item.last_error or "run not at its step yet", delay
                )
        return len(items)

    async def exchange(self) -> int:
        """One batch of due edXML packages, then the plans they completed; the exchange's statuses
        every ``exchange_poll_seconds``. A lapse of the endpoint waits 1, 2, 4 … 60 s."""
        from exchange import client, delivery  # lxml and signxml load only where an exchange is set

        url = self.settings.exchange_url
        sent = await anyio.to_thread.run_sync(delivery.send_due, self.db, self.settings, url)
        if sent.plans:
            await anyio.to_thread.run_sync(distribution.finish_ready, self.db, sent.plans)
        now = asyncio.get_running_loop().time()
        if now >= self._poll_at:
            self._poll_at = now + self.settings.exchange_poll_seconds
            try:
                await anyio.to_thread.run_sync(delivery.poll_statuses, self.db, url, self._cursors)
            except client.ExchangeUnavailable as exc:
                log.info("exchange statuses not read (%s)", exc)
        if sent.unavailable:
            self._exchange_wait = min(max(self._exchange_wait * 2, 1.0), PROBE_MAX_S)
            with anyio.move_on_after(self._exchange_wait):
                await self._stop.wait()
            return 0
        self._exchange_wait = 0.0
        return sent.claimed

    async def no_exchange(self) -> int:
        """Without an exchange endpoint a package cannot leave: its copy fails, saying so, and the
        plan is issued with it reported like any failed copy (not left distributing for ever)."""
        items = await anyio.to_thread.run_sync(outbox.claim_due, self.db, "edxml", BATCH, None)
        for item in items:
            await anyio.to_thread.run_sync(
                outbox.mark_failed, self.db, item.id, "no exchange endpoint is set (BANHANH_EXCHANGE_URL)"
            )
        if items:
            plans = sorted({item.plan_id or 0 for item in items})
            await anyio.to_thread.run_sync(distribution.finish_ready, self.db, plans)
        return len(items)

    async def _loop(self, step: Callable[[], Awaitable[int]]) -> None:
        while not self._stop.is_set():
            try:
                busy = await step()
            except Exception:
                log.exception("dispatcher pass failed; continuing")
                busy = 0
            if not busy:
                with anyio.move_on_after(self.settings.dispatch_interval):
                    await self._stop.wait()

    async def run(self) -> None:
        log.info("outbox dispatcher started")
        try:
            # Two loops: a slow Prefect API (a busy server) never holds back the people's emails.
            async with anyio.create_task_group() as tg:
                tg.start_soon(self._loop, self.send_emails)
                if self.driver is not None:
                    tg.start_soon(self._loop, self.drive_flows)
                if self.settings.exchange_url:
                    tg.start_soon(self._loop, self.exchange)
        finally:
            await self.sender.close()
            log.info("outbox dispatcher stopped")
