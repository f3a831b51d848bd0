"""The always-on outbox dispatcher: sends queued emails and drives flow runs after commit.

Emails leave only from the outbox. Each item is claimed atomically, sent over the SMTP
pool with the Message-ID fixed when it was queued, and its outcome recorded: sent (with
the server's reply), retried later on a temporary failure, or failed with the reason.
"Sent" is recorded before the pool lets the next message reach the end of DATA, so a
crash repeats at most one message (the one the relay kept as the sender died), and the
claims of a batch being sent are renewed, so only a dead sender's items fall due again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from enum import StrEnum
from typing import Any

import anyio

from models.db import Database, HeldConnection
from models.services import documents, outbox, runs
from models.services.acknowledgements import token_hash
from models.services.outbox import Claimed
from models.settings import Settings
from notifications.links import ack_token, ack_url, secret_key
from notifications.messages import compose
from notifications.smtp import Outgoing, PermanentFailure, SmtpPool, TemporaryFailure

log = logging.getLogger("banhanh.dispatcher")

BATCH = 50
MAX_BACKOFF_S = 300
FLOW_MAX_ATTEMPTS = 12  # then the reconcile flow takes over
RENEW_EVERY_S = outbox.LEASE.total_seconds() / 4  # a batch in flight keeps its claims


class Driven(StrEnum):
    DONE = "done"
    RETRY = "retry"


FlowDriver = Callable[[Database, int], Awaitable[Any]]


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(2 ** max(attempts - 1, 0), MAX_BACKOFF_S))


class OutboxSender:
    """Sends due emails; shared by the dispatcher and the distribution step of the flow."""

    def __init__(self, db: Database, settings: Settings, pool: SmtpPool | None = None) -> None:
        self._given_db = db
        self.db = db.relaxed()  # one commit per message, inside the pool's turn: no fsync for each
        self.settings = settings
        self.pool = pool or SmtpPool(settings)
        self._recorder = HeldConnection(self.db)
        self._attachments: dict[int, asyncio.Future[tuple[tuple[str, bytes], str | None]]] = {}
        self._key = secret_key(settings)

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
        """Claim and send one batch; returns how many items were claimed."""
        items = await anyio.to_thread.run_sync(outbox.claim_due, self.db, "email", limit, plan_id)
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
        return len(items)

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

        try:
            attachment, body_html = await self._attachment(item)
            message, ack_hash = self._compose(item, attachment, body_html)
            # Recorded inside the pool's turn: a crash can repeat at most this one message.
            await self.pool.send(message, accepted=record_sent)
        except PermanentFailure as exc:
            log.warning("outbox %s to %s failed: %s", item_id, item.to_email, exc)
            await anyio.to_thread.run_sync(outbox.mark_failed, self.db, item_id, str(exc))
            return
        except TemporaryFailure as exc:
            attempt = item.attempts + 1  # this one: claims that died with their sender do not count
            if attempt >= self.settings.max_attempts:
                reason = f"gave up after {attempt} attempts: {exc}"
                await anyio.to_thread.run_sync(outbox.mark_failed, self.db, item_id, reason)
            else:
                await anyio.to_thread.run_sync(
                    outbox.mark_retry, self.db, item_id, str(exc), backoff(attempt)
                )


class Dispatcher:
    """Polls the outbox: emails within a second of commit, and flow-run drives."""

    def __init__(self, db: Database, settings: Settings, driver: FlowDriver | None = None) -> None:
        self.db = db
        self.settings = settings
        self.driver = driver
        self.sender = OutboxSender(db, settings)
        self._stop = asyncio.Event()

    def stop(self) -> None:
        self._stop.set()

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
                tg.start_soon(self._loop, self.sender.send_due)
                if self.driver is not None:
                    tg.start_soon(self._loop, self.drive_flows)
        finally:
            await self.sender.close()
            log.info("outbox dispatcher stopped")
