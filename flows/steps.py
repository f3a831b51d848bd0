"""The automated steps of the issue-plan flow, as plain functions the tasks call.

Every start or resume of a flow run is a new process that imports this module; most of them
only read the plan and suspend again. So rendering and sending (WeasyPrint's and Jinja's
templates, the SMTP pool) are imported by the two steps that use them, not at start.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
from collections.abc import Iterator
from functools import cache

import anyio

from models.db import Database
from models.directory import Organisation
from models.errors import Invalid, Refused
from models.lifecycle import State, wait_key
from models.services import runs
from models.settings import Settings

log = logging.getLogger("banhanh.flow")

DISTRIBUTION_DEADLINE_S = 15 * 60  # then the rest is left to the dispatcher
HAND_OFF_AFTER_S = 30.0  # nothing sent for this long (copies in back-off): the dispatcher sends the rest
PROGRESS_EVERY_S = 2.0  # a line per batch would be twenty a second on a fast relay


@cache
def settings() -> Settings:
    return Settings()


@cache
def database() -> Database:
    return Database.from_url(settings().db_url)


def issue(plan_id: int, db: Database | None = None) -> None:
    """Issue a signed plan as the engine, where its organisation issues automatically (a plan signed
    while the văn thư issued in person, the setting changed since); a concurrent issuance wins."""
    from models.services import signing
    from models.services.actors import SYSTEM

    with contextlib.suppress(Refused):
        signing.issue(db or database(), plan_id, SYSTEM)


def render_and_store(plan_id: int, db: Database | None = None, cfg: Settings | None = None) -> None:
    """Render the signed version once (PDF, sealed when a certificate is set, and HTML); a re-run keeps
    what is stored."""
    from documents.render import render_html, render_pdf
    from documents.seal import seal_pdf, sealing_certificate
    from documents.views import document_view, pdf_filename
    from models.services import distribution, documents, signing

    db, cfg = db or database(), cfg or settings()
    doc = documents.plan_document(db, plan_id)
    view = document_view(doc)
    distribution.store_document(
        db, plan_id, "html", pdf_filename(doc).replace(".pdf", ".html"), render_html(view).encode("utf-8")
    )
    signed = documents.stored_document(db, plan_id, doc.version.id or 0, signing.SIGNED_PDF)
    if signed is not None:  # the signer signed it with their own key: complete that document
        pdf = issue_signed(signed.content, view.symbol, view.date_line, doc.anchor, doc.org, cfg, db)
    else:
        pdf = render_pdf(view)
        if certificate := sealing_certificate(doc.org, cfg):
            pdf = seal_pdf(pdf, *certificate, reason=f"Ban hành {view.symbol}", location=doc.org.place)
    distribution.store_document(db, plan_id, "pdf", pdf_filename(doc), pdf)


def issue_signed(
    pdf: bytes,
    number: str,
    date_line: str,
    anchor: str,
    org: Organisation,
    cfg: Settings,
    db: Database | None = None,
) -> bytes:
    """Cấp số, phát hành on the personally signed PDF: the number and date filled into its fields (an
    incremental update its DocMDP "fill forms" permits), then the organisation's signature (PAdES
    B-LT, timestamped) with the server-held organisation key, showing the seal image in the field
    placed for it before the personal signature; then, with `document_timestamp`, a document
    timestamp over the whole file (B-LTA)."""
    from documents.seal import sealing_certificate
    from documents.signatures.appearance import has_field, in_placed_field
    from documents.signatures.certificates import Kind
    from documents.signatures.fields import ISSUANCE_STYLES, fill_text_fields
    from documents.signatures.interrupted import ANCHOR_FIELD, DATE_FIELD, NUMBER_FIELD
    from documents.signatures.keys import FileKey
    from documents.signatures.sign import FIELDS, sign_pdf
    from documents.signatures.trust import anchor_paths, load_anchors
    from models.services.signature_images import seal_image_of

    filled = fill_text_fields(
        pdf, {NUMBER_FIELD: number, DATE_FIELD: date_line, ANCHOR_FIELD: anchor}, ISSUANCE_STYLES
    )
    certificate = sealing_certificate(org, cfg)
    if certificate is None:
        raise Invalid("seal_pkcs12", code="seal.not_configured", org=org.key)
    with (db or database()).read() as session:
        seal = seal_image_of(session, org.id or 0)
    visible = None
    if seal is not None and has_field(filled, FIELDS[Kind.organisation]):
        visible = in_placed_field(seal.png)
    anchors = load_anchors(anchor_paths(cfg.trust_anchors))
    issued = sign_pdf(
        filled,
        FileKey(*certificate),
        kind=Kind.organisation,
        tsa_url=cfg.tsa_url,
        trust_anchors=anchors,
        reason=f"Ban hành {number}",
        location=org.place,
        visible=visible,
    )
    if cfg.document_timestamp:  # B-LTA: a refusal here stops the issuance like the signature's
        from documents.signatures.lta import timestamp_document

        issued = timestamp_document(issued, tsa_url=cfg.tsa_url, trust_anchors=anchors)
    return issued


@contextlib.contextmanager
def _heap_frozen() -> Iterator[None]:
    """Keep the collector's full passes to the objects a distribution makes.

    A flow-run process holds Prefect, SQLAlchemy, WeasyPrint and the plan: a full pass over
    them took about 0.15 s, several times in a distribution of thousands of copies. Frozen
    objects are only skipped, not kept: they go back to the collector at the end.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


async def distribute(
    plan_id: int,
    db: Database | None = None,
    cfg: Settings | None = None,
    logger: logging.Logger | logging.LoggerAdapter[logging.Logger] | None = None,
) -> dict[str, int]:
    """Queue one delivery per recipient, send them, and mark the plan issued when all are final.

    Sent in batches of ``dispatcher.BATCH`` over one SMTP pool; two batches overlap, so the
    pool is kept busy while one batch finishes its last messages and the next is claimed.
    The progress goes to ``logger`` (the flow run's log) every ``PROGRESS_EVERY_S`` and at the end.

    The step does not wait out a relay outage or a long back-off: when the relay is away,
    nothing has been sent for ``HAND_OFF_AFTER_S`` or ``DISTRIBUTION_DEADLINE_S`` has passed,
    it returns with the plan still ``distributing``; the always-on dispatcher sends the rest
    and issues the plan when its last copy is final (``distribution.finish_ready``).
    """
    from models.services import distribution
    from notifications.dispatcher import OutboxSender

    db, cfg, logger = db or database(), cfg or settings(), logger or log
    plan = await anyio.to_thread.run_sync(runs.snapshot, db, plan_id)
    if plan.state is State.SIGNED:
        with contextlib.suppress(Refused):  # a concurrent re-run got there first; the checks below decide
            await anyio.to_thread.run_sync(distribution.start_distribution, db, plan_id)

    logged = [time.monotonic()]
    last_sent = [time.monotonic()]

    async def batches(sender: OutboxSender) -> None:
        while await sender.send_due(plan_id=plan_id):
            last_sent[0] = time.monotonic()
            if time.monotonic() - logged[0] >= PROGRESS_EVERY_S:
                logged[0] = time.monotonic()
                done = await anyio.to_thread.run_sync(distribution.progress, db, plan_id)
                logger.info("KH-%s: %s", plan_id, done.line())

    deadline = time.monotonic() + DISTRIBUTION_DEADLINE_S
    async with OutboxSender(db, cfg) as sender:
        with _heap_frozen():
            while True:
                await asyncio.gather(batches(sender), batches(sender))
                done = await anyio.to_thread.run_sync(distribution.progress, db, plan_id)
                if done.final:
                    logger.info("KH-%s: xong, %s", plan_id, done.line())
                    break
                now = time.monotonic()
                if sender.relay_down_since is not None:
                    logger.warning(
                        "KH-%s: máy chủ thư không trả lời (%s); %s,"
                        " phần còn lại sẽ tự gửi khi máy chủ thư hoạt động lại",
                        plan_id,
                        sender.relay_error,
                        done.line(),
                    )
                    break
                if now - last_sent[0] >= HAND_OFF_AFTER_S or now >= deadline:
                    logger.info("KH-%s: %s, phần còn lại chờ gửi lại sau", plan_id, done.line())
                    break
                await asyncio.sleep(0.5)  # the rest is in retry back-off or claimed by the dispatcher
    if await anyio.to_thread.run_sync(distribution.is_state, db, plan_id, State.DISTRIBUTING):
        await anyio.to_thread.run_sync(distribution.finish_ready, db, [plan_id])
    if await anyio.to_thread.run_sync(distribution.is_state, db, plan_id, State.DISTRIBUTING):
        # Copies are left: from now on the dispatcher sends them (it leaves a plan's copies to
        # this step until the plan waits on them), whether or not this run lives to suspend.
        waits_on = wait_key(State.DISTRIBUTING, plan.review_round, plan.version_seq)
        await anyio.to_thread.run_sync(runs.set_wait_key, db, plan_id, waits_on)
    return await anyio.to_thread.run_sync(distribution.status_counts, db, plan_id)
